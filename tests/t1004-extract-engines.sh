#!/bin/sh
test_description='git patterns extract: the git diff-tree engine (long runs) and the libgit2 engine agree on every kind of change'
. ./lib.sh

# Runs of 256 commits or more are diffed by "git diff-tree --stdin"
# processes whose output we parse; GIT_PATTERNS_EXTRACT_LIBGIT2 makes
# every run use libgit2. Both must give the same store, byte for byte.

dump() {
	sqlite3 -cmd ".timeout 10000" "$1/.git/patterns/patterns.db" "
		SELECT pattern_id, variant, commit_id, file_path, old_path, problem_type,
		       hex(before_code), hex(after_code), commit_msg, commit_body, author,
		       date, commit_time, confidence, language, solution_hash,
		       file_role, code_change
		FROM patterns ORDER BY pattern_id, variant;
		SELECT commit_id, variant, skipped_unknown FROM processed ORDER BY commit_id;"
}

# compare NAME [extract options]: both engines on clones of repo
compare() {
	name=$1
	shift
	rm -rf "$name-git" "$name-lib" &&
	git clone -q --no-local repo "$name-git" &&
	git clone -q --no-local repo "$name-lib" &&
	git -C "$name-git" patterns extract -q "$@" -o "$PWD/$name-git.jsonl" &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C "$name-lib" patterns extract -q "$@" \
		-o "$PWD/$name-lib.jsonl" &&
	test_cmp "$name-lib.jsonl" "$name-git.jsonl" &&
	dump "$name-lib" >"$name-lib.dump" &&
	dump "$name-git" >"$name-git.dump" &&
	test_cmp "$name-lib.dump" "$name-git.dump"
}

hex() {
	"$PYTHON" -c "import sys; print(sys.stdin.buffer.read().hex())"
}

# code NAME PATH FIELD: FIELD of PATH's pattern in the commit "fix: change
# every tricky file", from NAME-git.jsonl, as hex; fails if there is none
code() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    p = json.loads(l)
    if p["file_path"] == sys.argv[2] and p["commit_msg"] == "fix: change every tricky file":
        print(p[sys.argv[3]].encode("utf-8").hex())
        break
else:
    sys.exit(1)' "$1-git.jsonl" "$2" "$3"
}

test_expect_success 'setup: 300 ordinary commits, then every kind of change' '
	"$PYTHON" "$SRC_ROOT/bench/gen-history.py" repo 300 7 &&
	cd repo &&
	git config user.name "T Tester" && git config user.email t@example.com &&
	printf "one\ntwo\nthree" >nonl.txt &&
	printf "a\r\nb\r\nc\r\n" >crlf.c &&
	printf "x\n" >"sp ace \"q\" é.py" &&
	printf "tab\n" >"with	tab.c" &&
	printf "nl\n" >"new
line.c" &&
	seq 1 60 >old_name.c &&
	printf "link target\n" >typechange.c &&
	printf "bin\000ary\n" >blob.bin &&
	: >empty.c &&
	printf "\001\002\003 ctl %s\n" 1 2 3 4 5 6 7 8 >control.c &&
	printf "diff --git a/x b/x\n@@ -1 +1 @@\n\\\\ No newline at end of file\nBinary files a and b differ\n0123456789012345678901234567890123456789\n" >tricky.txt &&
	printf "#!/usr/bin/env python3\nprint(1)\n" >script &&
	{ printf "/* \$Id: header.c,v 1.1 */\n\n/*\n * Copyright\n" &&
	  seq -f " * line %g" 1 20 && printf " */\n" &&
	  seq -f "int v%g;" 1 20; } >header.c &&
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 10\n" 1 >model.onnx &&
	for i in $(seq 1 30); do echo "value_$i = compute($i)"; done >flat.py &&
	git add -A && git commit -q -m "feat: add the tricky files" &&

	printf "one\ntwo\nTHREE" >nonl.txt &&
	printf "a\r\nB\r\nc\r\n" >crlf.c &&
	printf "y\n" >"sp ace \"q\" é.py" &&
	printf "tab2\n" >"with	tab.c" &&
	printf "nl2\n" >"new
line.c" &&
	git mv old_name.c new_name.c && echo 61 >>new_name.c &&
	rm typechange.c && ln -s nonl.txt typechange.c &&
	printf "bin\000ary2\n" >blob.bin &&
	echo "not empty" >empty.c &&
	printf "\001\002\003 ctl %s\n" 1 2 3 4 5 6 7 9 >control.c &&
	printf "diff --git a/y b/y\n@@ -2 +2 @@\n\\\\ No newline at end of file\nBinary files c and d differ\n0123456789012345678901234567890123456789\n" >tricky.txt &&
	printf "#!/usr/bin/env python3\nprint(2)\n" >script &&
	sed -i -e "s/,v 1.1/,v 1.2/" -e "s/^int v18;/int v18 = 1;/" header.c &&
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 20\n" 2 >model.onnx &&
	chmod +x nonl.txt &&
	sed "s/^/    /" flat.py >indented.py && git rm -q flat.py &&
	git add -A && git commit -q -m "fix: change every tricky file" &&

	printf "one\ntwo\nTHREE\n" >nonl.txt &&
	printf "a\nb\n\nc\n\nd\n" >blank.c &&
	git add -A && git commit -q -m "fix: end with a newline; blank context lines" &&
	printf "a\nb\n\nC\n\nd\n" >blank.c &&
	git commit -q -a -m "fix: change between blank lines" &&

	git commit -q --allow-empty -m "fix: nothing at all" &&
	"$PYTHON" -c "print(\"x\" * 600000)" >long_line.js &&
	git add long_line.js && git commit -q -m "feat: one very long line" &&
	"$PYTHON" -c "print(\"y\" * 600000)" >long_line.js &&
	head -c 1100000 /dev/zero | tr "\0" "z" >big.c &&
	git add -A && git commit -q -m "fix: long line again, and a file over the limit" &&
	sub=$(git rev-parse HEAD~3) &&
	git update-index --add --cacheinfo 160000,$sub,vendor/sub &&
	git commit -q -m "feat: add a submodule" &&
	git rm -q nonl.txt crlf.c && git commit -q -m "fix: delete two files" &&

	git checkout -q -b side HEAD~2 &&
	echo side >side.c && git add side.c && git commit -q -m "feat: side work" &&
	git checkout -q main 2>/dev/null || git checkout -q master &&
	git merge -q --no-edit side &&
	test "$(git rev-list --count HEAD)" -gt 300
'

test_expect_success 'the two engines give the same store and output' '
	compare all --include-unknown &&
	test_line_count -gt 300 all-git.jsonl
'

test_expect_success 'a hunk ending inside a block comment does not hide the next hunk'"'"'s code' '
	"$PYTHON" -c "
import json
for l in open(\"all-git.jsonl\"):
    p = json.loads(l)
    if p[\"file_path\"] == \"header.c\" and p[\"commit_msg\"].startswith(\"fix: change every\"):
        print(p[\"code_change\"], p[\"before_code\"].count(\"/*\"), p[\"before_code\"].count(\"*/\"))" >actual &&
	echo "True 2 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'the changed files came through as they should' '
	test_must_fail code all model.onnx after_code &&
	code all "new
line.c" after_code >/dev/null &&
	code all "sp ace \"q\" é.py" after_code >/dev/null &&
	code all "with	tab.c" after_code >/dev/null &&
	code all tricky.txt after_code >/dev/null &&
	code all new_name.c after_code >/dev/null &&
	test "$(code all new_name.c old_path)" = "$(printf old_name.c | hex)" &&
	code all flat.py before_code >/dev/null &&
	test "$(code all indented.py old_path)" = "" &&
	test "$(code all crlf.c after_code)" = "$(printf "a\r\nB\r\nc\r\n" | hex)" &&
	test_must_fail code all blob.bin after_code &&
	test_must_fail code all control.c after_code &&
	test_must_fail code all typechange.c after_code &&
	grep "\"file_path\":\"script\"" all-git.jsonl >script.jsonl &&
	grep -q "\"language\":\"python\"" script.jsonl &&
	! grep -e "\"file_path\":\"big.c\"" -e "\"file_path\":\"vendor/sub\"" all-git.jsonl
'

test_expect_success 'a file without a final newline keeps it that way' '
	"$PYTHON" -c "
import json, sys
for l in open(\"all-git.jsonl\", encoding=\"utf-8\"):
    p = json.loads(l)
    if p[\"file_path\"] == \"nonl.txt\" and p[\"commit_msg\"].startswith(\"fix: change every\"):
        assert p[\"before_code\"] == \"one\ntwo\nthree\", repr(p[\"before_code\"])
        assert p[\"after_code\"] == \"one\ntwo\nTHREE\", repr(p[\"after_code\"])
        break
else:
    sys.exit(1)"
'

test_expect_success 'default options, merges, other context, a smaller size limit' '
	compare default &&
	compare merges --include-merges --include-unknown &&
	compare ctx --include-unknown --context 0 &&
	git -C repo config patterns.maxFileSize 2000 &&
	compare small --include-unknown &&
	git -C repo config --unset patterns.maxFileSize
'

test_expect_success 'git configuration and environment that change git diff output do not matter' '
	git -C repo config diff.suppressBlankEmpty true &&
	git -C repo config diff.noprefix true &&
	git -C repo config diff.mnemonicPrefix true &&
	git -C repo config diff.context 9 &&
	git -C repo config diff.interHunkContext 7 &&
	git -C repo config diff.algorithm patience &&
	git -C repo config diff.indentHeuristic false &&
	git -C repo config diff.renames copies &&
	git -C repo config color.ui always &&
	git -C repo config core.quotePath true &&
	GIT_DIFF_OPTS=--unified=12 GIT_EXTERNAL_DIFF=false compare config --include-unknown &&
	test_cmp all-git.jsonl config-git.jsonl
'

test_expect_success 'a linked worktree and a bare repository' '
	git clone -q --no-local repo linked &&
	git -C linked worktree add -q ../linked-wt HEAD~3 &&
	git -C linked-wt patterns extract -q --include-unknown -o "$PWD/wt-git.jsonl" &&
	rm -rf linked/.git/patterns &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C linked-wt patterns extract -q --include-unknown \
		-o "$PWD/wt-lib.jsonl" &&
	test_line_count -gt 300 wt-git.jsonl &&
	test_cmp wt-lib.jsonl wt-git.jsonl &&
	git clone -q --bare repo bare.git &&
	git -C bare.git patterns extract -q --include-unknown -o "$PWD/bare.jsonl" &&
	test_cmp all-git.jsonl bare.jsonl
'

test_expect_success 'a shallow clone: its boundary commits are left out by both' '
	git clone -q --depth 280 "file://$PWD/repo" shallow &&
	rm -rf repo.full && mv repo repo.full && mv shallow repo &&
	compare shallow --include-unknown &&
	rm -rf repo && mv repo.full repo
'

test_expect_success 'git that fails mid-run: a clear error, nothing half-written' '
	git clone -q --no-local repo broken &&
	mkdir -p bin &&
	cat >bin/git <<-EOF &&
	#!/bin/sh
	case " \$* " in
	*" diff-tree "*) head -c 100 >/dev/null; echo "fatal: simulated failure" >&2; exit 128 ;;
	esac
	exec "$(command -v git)" "\$@"
	EOF
	chmod +x bin/git &&
	test_must_fail env PATH="$PWD/bin:$PATH" git-patterns extract --repo-path broken -q \
		--include-unknown 2>err &&
	grep "fatal: .*git diff-tree" err &&
	grep "simulated failure" err &&
	processed=$(sqlite3 broken/.git/patterns/patterns.db "SELECT count(*) FROM processed") &&
	with=$(sqlite3 broken/.git/patterns/patterns.db "SELECT count(DISTINCT commit_id) FROM patterns") &&
	test "$with" -le "$processed" &&
	git-patterns extract --repo-path broken -q --include-unknown -o "$PWD/broken.jsonl" &&
	test_cmp all-git.jsonl broken.jsonl
'

# Renames are then libgit2's, whose similarity is not git's: it pairs the
# re-indented flat.py with indented.py, which git does not.
test_expect_success 'without git on PATH, libgit2 does the diffs' '
	git clone -q --no-local repo nogit &&
	mkdir -p empty-bin &&
	env PATH="$PWD/empty-bin" "$(command -v git-patterns)" extract --repo-path nogit -q \
		--include-unknown -o "$PWD/nogit.jsonl" &&
	grep -v "\"file_path\":\"\(flat\|indented\).py\"" all-git.jsonl >expect &&
	grep -v "\"file_path\":\"\(flat\|indented\).py\"" nogit.jsonl >actual &&
	test_cmp expect actual &&
	grep "\"file_path\":\"indented.py\",\"old_path\":\"flat.py\"" nogit.jsonl
'

test_done
