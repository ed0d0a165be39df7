#!/bin/sh
test_description='recall finds how code like the code being changed was fixed before'
. ./lib.sh

CORPUS=$TEST_SRC/recall-corpus
VARIANT="$PYTHON $TEST_SRC/recall-variants.py"
FILES="buf.c list.c parse.c cache.py config.py retry.py debounce.js fetch.js cart.js pool.go limiter.go tree.go"

# rank FILE JSON: the 1-based rank of the first hit on FILE (0: none)
rank() {
	"$PYTHON" -c '
import json, sys
hits = json.load(open(sys.argv[2]))["hits"]
print(next((i + 1 for i, h in enumerate(hits) if h["file_path"] == sys.argv[1]), 0))' "$1" "$2"
}

# recall_variant MODE FILE: recall on that variant of FILE; writes q.json
recall_variant() {
	ext=${2##*.} &&
	$VARIANT "$1" "$CORPUS/$2" >"query.$ext" &&
	git -C repo patterns recall --file "$TRASH/query.$ext" --limit 10 --json >q.json
}

test_expect_success 'setup: a fix for each of twelve functions in C, Python, JS and Go' '
	git init -q repo &&
	git -C repo config patterns.contextLines 100 &&
	test_commit -C repo "Add readme" README "a project" &&
	for f in $FILES; do
		mkdir -p repo/src &&
		cp "$CORPUS/$f" repo/src/$f &&
		git -C repo add src/$f &&
		test_tick &&
		git -C repo commit -q -m "Add $f" &&
		$VARIANT fix "$CORPUS/$f" >repo/src/$f &&
		test_tick &&
		git -C repo commit -q -am "fix: guard $f against a missing value" || return 1
	done &&
	git -C repo patterns extract --quiet &&
	git -C repo patterns list --type bug_fix >list &&
	test_line_count = 12 list
'

test_expect_success 'the same code finds its fix first, with score 1' '
	git -C repo patterns recall --file "$CORPUS/buf.c" --json >q.json &&
	test "$(rank src/buf.c q.json)" = 1 &&
	test "$(json_get q.json "d[\"hits\"][0][\"score\"]")" = 1.0 &&
	test "$(json_get q.json "d[\"hits\"][0][\"problem_type\"]")" = bug_fix &&
	test "$(json_get q.json "d[\"hits\"][0][\"commit_msg\"]")" = "fix: guard buf.c against a missing value"
'

test_expect_success 'C code in a file of no known language is read as C: score 1' '
	for name in buf.txt buf.zzz buf; do
		cp "$CORPUS/buf.c" $name &&
		git -C repo patterns recall --file "$TRASH/$name" --json >q.json &&
		test "$(rank src/buf.c q.json)" = 1 &&
		test "$(json_get q.json "d[\"hits\"][0][\"score\"]")" = 1.0 || return 1
	done
'

test_expect_success 'reformatted with other comments: each fix is found first, score 1' '
	for f in $FILES; do
		recall_variant reformat $f &&
		r=$(rank src/$f q.json) &&
		s=$(json_get q.json "d[\"hits\"][0][\"score\"]") &&
		echo "$f rank $r score $s" &&
		test "$r" = 1 && test "$s" = 1.0 || return 1
	done
'

test_expect_success 'identifiers renamed and literals changed: first for nearly all' '
	first=0 &&
	for f in $FILES; do
		recall_variant rename $f &&
		r=$(rank src/$f q.json) &&
		echo "$f rank $r" &&
		if test "$r" = 1; then first=$((first + 1)); fi || return 1
	done &&
	echo "first for $first of 12" &&
	test $first -ge 11
'

test_expect_success 'a statement added or removed: in the top three' '
	for mode in add remove; do
		for f in $FILES; do
			recall_variant $mode $f &&
			r=$(rank src/$f q.json) &&
			echo "$mode $f rank $r" &&
			test "$r" -ge 1 && test "$r" -le 3 || return 1
		done
	done
'

test_expect_success 'unrelated code: no hit above 0.5, and none shown under 0.1' '
	for f in unrelated.c unrelated.py unrelated.js unrelated.go; do
		git -C repo patterns recall --file "$CORPUS/$f" --limit 20 --json >q.json &&
		"$PYTHON" -c "
import json, sys
hits = json.load(open(\"q.json\"))[\"hits\"]
print(\"$f\", [h[\"score\"] for h in hits])
sys.exit(any(h[\"score\"] > 0.5 or h[\"score\"] < 0.1 for h in hits))" || return 1
	done
'

test_expect_success 'hits are sorted by score, best first, scores in [0, 1]' '
	cat "$CORPUS/debounce.js" "$CORPUS/fetch.js" "$CORPUS/cart.js" >three.js &&
	git -C repo patterns recall --file "$TRASH/three.js" --limit 10 --json >q.json &&
	"$PYTHON" -c "
import json, sys
s = [h[\"score\"] for h in json.load(open(\"q.json\"))[\"hits\"]]
print(s)
sys.exit(not (len(s) > 1 and s == sorted(s, reverse=True) and all(0 <= x <= 1 for x in s)))"
'

test_expect_success 'whitespace-only differences in the query do not change the scores' '
	recall_variant remove pool.go && cp q.json one.json &&
	sed -e "s/^\t/    /" -e "s/ / \t /g" -e "s/\$/   /" query.go >spaced.go &&
	printf "\n\n" >>spaced.go &&
	git -C repo patterns recall --file "$TRASH/spaced.go" --limit 10 --json >two.json &&
	"$PYTHON" -c "
import json
a, b = (json.load(open(f)) for f in (\"one.json\", \"two.json\"))
k = lambda d: [(h[\"pattern_id\"], h[\"score\"]) for h in d[\"hits\"]]
print(k(a)); print(k(b))
assert k(a) == k(b) and k(a)"
'

test_expect_success 'text output: score, id, type, file, commit, subject, then the diff' '
	git -C repo patterns recall --file "$CORPUS/limiter.go" --limit 1 >out &&
	head -n 1 out >first &&
	test_grep "^1.00 [0-9a-f]{16} bug_fix src/limiter.go [0-9a-f]{12} fix: guard limiter.go" first &&
	test_grep "^\+	if !ok \{ return nil \}" out &&
	test_grep "^--- a/src/limiter.go" out
'

test_expect_success 'a --file range takes those lines only' '
	nl=$(wc -l <"$CORPUS/cart.js") &&
	cat "$CORPUS/unrelated.js" "$CORPUS/cart.js" >mixed.js &&
	from=$(( $(wc -l <"$CORPUS/unrelated.js") + 1 )) &&
	git -C repo patterns recall --file "$TRASH/mixed.js:$from-$((from + nl - 1))" --json >q.json &&
	test "$(json_get q.json "d[\"hits\"][0][\"score\"]")" = 1.0 &&
	test_expect_code 129 git -C repo patterns recall --file "mixed.js:9-2" 2>err &&
	test_grep "bad --file" err &&
	test_must_fail git -C repo patterns recall --file "$TRASH/mixed.js:900-901" 2>err &&
	test_grep "has only" err
'

test_expect_success 'a binary --file is no code to recall from, as a binary staged file is not' '
	cp "$CORPUS/buf.c" withnul.c &&
	printf "\000\001\002" >>withnul.c &&
	test_expect_code 1 git -C repo patterns recall --file "$TRASH/withnul.c" >out 2>err &&
	test_grep "^fatal: .*withnul.c.* is binary" err &&
	test_must_be_empty out &&
	test_expect_code 1 git -C repo patterns recall --file "$TRASH/withnul.c:1-3" 2>err &&
	test_grep "is binary" err
'

test_expect_success '--type keeps one problem type' '
	git -C repo patterns recall --file "$CORPUS/tree.go" --type feature_addition --json >q.json &&
	test "$(json_get q.json "d[\"count\"]")" = 0 &&
	cat "$CORPUS/tree.go" "$CORPUS/pool.go" "$CORPUS/limiter.go" >three.go &&
	git -C repo patterns recall --file "$TRASH/three.go" --type bug_fix --limit 2 --json >q.json &&
	test "$(json_get q.json "d[\"count\"]")" = 2
'

test_expect_success 'staged changes: the old side of the staged diff is the query' '
	sed -i "s/return n$/return n \/\/ done/" repo/src/tree.go &&
	git -C repo add src/tree.go &&
	git -C repo patterns recall --json >q.json &&
	test "$(json_get q.json "d[\"source\"]")" = staged &&
	test "$(rank src/tree.go q.json)" = 1 &&
	git -C repo patterns recall --staged --limit 1 >out &&
	test_grep "src/tree.go" out &&
	git -C repo reset -q --hard
'

test_expect_success 'a commit: its old side, its own patterns left out' '
	git -C repo patterns recall HEAD --json >q.json &&
	own=$(git -C repo rev-parse HEAD) &&
	"$PYTHON" -c "
import json, sys
hits = json.load(open(\"q.json\"))[\"hits\"]
sys.exit(any(h[\"commit\"] == \"$own\" for h in hits))" &&
	test_must_fail git -C repo patterns recall no-such-rev 2>err &&
	test_grep "not a commit" err
'

test_expect_success 'nothing staged: a clear error, exit 1' '
	test_expect_code 1 git -C repo patterns recall 2>err &&
	test_grep "^error: nothing staged to recall from" err &&
	echo "new file" >repo/new.txt && git -C repo add new.txt &&
	test_expect_code 1 git -C repo patterns recall 2>err &&
	test_grep "^error: the staged changes change no existing code .only new, binary or renamed" err &&
	git -C repo reset -q --hard &&
	printf "\000\001" >repo/blob.bin && git -C repo add blob.bin && git -C repo commit -qm "Add blob" &&
	printf "\000\002" >repo/blob.bin && git -C repo add blob.bin &&
	test_expect_code 1 git -C repo patterns recall 2>err &&
	test_grep "change no existing code" err &&
	git -C repo reset -q --hard HEAD^
'

# A file moved unchanged changes no code; moved and edited, its edit is the query.
test_expect_success 'a staged rename is no change; a rename with an edit asks the edit' '
	git -C repo mv src/buf.c src/buffer.c &&
	test_expect_code 1 git -C repo patterns recall 2>err &&
	test_grep "change no existing code" err &&
	sed -n 3p repo/src/buffer.c >line && test -s line &&
	sed -i "3s/.*/& \/\* moved \*\//" repo/src/buffer.c && git -C repo add src/buffer.c &&
	git -C repo patterns recall --json >q.json &&
	test "$(json_get q.json "len(d[\"hits\"]) > 0")" = True &&
	git -C repo diff --cached -M --stat >stat &&
	test_grep "buf.c => buffer.c" stat &&
	git -C repo reset -q --hard
'

test_expect_success 'not a repository: fatal, exit 1' '
	mkdir -p outside &&
	(cd outside && GIT_CEILING_DIRECTORIES=$TRASH test_expect_code 1 git patterns recall 2>../err) &&
	test_grep "^fatal: not a git repository" err
'

test_expect_success 'bad options: usage, exit 129' '
	test_expect_code 129 git -C repo patterns recall --no-such-option 2>err &&
	test_grep "unknown option" err &&
	test_expect_code 129 git -C repo patterns recall --limit 0 2>err &&
	test_grep "at least 1" err &&
	test_expect_code 129 git -C repo patterns recall --type nonsense 2>err &&
	test_grep "unknown problem type" err &&
	test_expect_code 129 git -C repo patterns recall --staged HEAD 2>err &&
	test_grep "cannot be used together" err &&
	test_expect_code 129 git -C repo patterns recall HEAD HEAD~1 2>err &&
	test_expect_code 129 git -C repo patterns recall --last HEAD 2>err
'

test_expect_success 'a store from before recall is indexed on first use' '
	git init -q old &&
	git -C old config patterns.contextLines 100 &&
	cp "$CORPUS/list.c" old/list.c && git -C old add list.c && git -C old commit -qm "Add list" &&
	$VARIANT fix "$CORPUS/list.c" >old/list.c && git -C old commit -qam "fix: list" &&
	git -C old patterns extract --quiet &&
	db=old/.git/patterns/patterns.db &&
	sqlite3 "$db" "DELETE FROM recall_postings; DELETE FROM meta WHERE key = '"'"'recall.indexed_upto'"'"'" &&
	test "$(sqlite3 "$db" "SELECT count(*) FROM recall_postings")" = 0 &&
	git -C old patterns recall --file "$CORPUS/list.c" --json >q.json &&
	test "$(rank list.c q.json)" = 1 &&
	test "$(sqlite3 "$db" "SELECT count(*) FROM recall_postings")" -gt 0
'

test_expect_success 'an index of another likeness version is rebuilt' '
	db=old/.git/patterns/patterns.db &&
	sqlite3 "$db" "UPDATE meta SET value = '"'"'1'"'"' WHERE key = '"'"'recall.version'"'"';
		INSERT INTO recall_postings VALUES (7, 99999)" &&
	git -C old patterns recall --file "$CORPUS/list.c" --json >q.json &&
	test "$(rank list.c q.json)" = 1 &&
	test "$(sqlite3 "$db" "SELECT count(*) FROM recall_postings WHERE pattern = 99999")" = 0 &&
	test "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = '"'"'recall.version'"'"'")" -gt 1
'

test_expect_success 'extract keeps the index current' '
	db=old/.git/patterns/patterns.db &&
	cp "$CORPUS/parse.c" old/parse.c && git -C old add parse.c && git -C old commit -qm "Add parse" &&
	$VARIANT fix "$CORPUS/parse.c" >old/parse.c && git -C old commit -qam "fix: parse" &&
	git -C old patterns extract --quiet &&
	top=$(sqlite3 "$db" "SELECT max(id) FROM patterns") &&
	test "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = '"'"'recall.indexed_upto'"'"'")" = "$top"
'

test_expect_success 'a fix dropped from the history is not recalled, as list does not show it' '
	git -C old patterns recall --file "$CORPUS/parse.c" --json >q.json &&
	test "$(rank parse.c q.json)" = 1 &&
	git -C old reset -q --hard HEAD~1 &&
	git -C old patterns recall --file "$CORPUS/parse.c" --json >q.json &&
	test "$(rank parse.c q.json)" = 0 &&
	git -C old reset -q --hard ORIG_HEAD &&
	git -C old patterns recall --file "$CORPUS/parse.c" --json >q.json &&
	test "$(rank parse.c q.json)" = 1
'

test_expect_success 'with the hooks installed, a fix is found a few seconds later' '
	git init -q hooked &&
	git -C hooked config patterns.contextLines 100 &&
	test_commit -C hooked "Add readme" README "x" &&
	git -C hooked patterns hook install >/dev/null &&
	cp "$CORPUS/fetch.js" hooked/fetch.js && git -C hooked add fetch.js &&
	git -C hooked commit -qm "Add fetch" &&
	$VARIANT fix "$CORPUS/fetch.js" >hooked/fetch.js &&
	git -C hooked commit -qam "fix: fetch of an empty body" &&
	$VARIANT reformat "$CORPUS/fetch.js" >query.js &&
	found= &&
	for i in $(seq 1 40); do
		git -C hooked patterns recall --file "$TRASH/query.js" --json >q.json 2>/dev/null &&
		if test "$(rank fetch.js q.json)" = 1; then found=$i; break; fi
		sleep 0.25
	done &&
	echo "found after $found tries" &&
	test -n "$found"
'

# wait_hint: until recall --last shows the hint for HEAD of hooked (10 s)
wait_hint() {
	head=$(git -C hooked rev-parse HEAD) &&
	for i in $(seq 1 40); do
		if git -C hooked patterns recall --last >last 2>/dev/null &&
		   grep -q "^commit $head" last; then return 0; fi
		sleep 0.25
	done
	echo "no hint for $head"
	return 1
}

test_expect_success 'patterns.recallHint: the post-commit hook notes the best earlier fix' '
	git -C hooked config patterns.recallHint true &&
	cp "$CORPUS/cart.js" hooked/cart.js && git -C hooked add cart.js &&
	git -C hooked commit -qm "Add cart" &&
	$VARIANT fix "$CORPUS/cart.js" >hooked/cart.js &&
	git -C hooked commit -qam "fix: cart total of nothing" &&
	wait_hint &&
	cp "$CORPUS/fetch.js" hooked/fetch.js &&
	git -C hooked commit -qam "Go back to the old fetch" &&
	wait_hint &&
	cat last &&
	test_grep "fetch.js .* fix: fetch of an empty body" last &&
	git -C hooked patterns recall --last --json >last.json &&
	test "$(json_get last.json "d[\"source\"]")" = "$head" &&
	test_grep "recall: .* looks like pattern" hooked/.git/patterns/hook.log
'

test_expect_success '--last before any hint says how to get one' '
	test_expect_code 1 git -C old patterns recall --last 2>err &&
	test_grep "recallHint" err
'

# A fix whose first hunk ends inside the file's header comment (a "$Id$"
# line changed with it): the code of the hunks after it is the pattern's
# code to recall by, not text of that comment.
test_expect_success 'a fix after a hunk ending inside a header comment is recalled by its code' '
	git init -q hdr &&
	{ printf "/* \$Id: lib.c,v 1.1 */\n\n/*\n * Copyright\n" &&
	  seq -f " * line %g" 1 20 && printf " */\n\n" && cat "$CORPUS/buf.c"; } >hdr/lib.c &&
	git -C hdr add lib.c && test_tick && git -C hdr commit -q -m "Add lib" &&
	{ printf "/* \$Id: lib.c,v 1.2 */\n\n/*\n * Copyright\n" &&
	  seq -f " * line %g" 1 20 && printf " */\n\n" && $VARIANT fix "$CORPUS/buf.c"; } >hdr/lib.c &&
	test_tick && git -C hdr commit -q -am "fix: guard lib against a missing value" &&
	git -C hdr patterns extract --quiet &&
	test "$(git -C hdr show HEAD | grep -c "^@@")" -ge 2 &&
	git -C hdr patterns recall --file "$CORPUS/buf.c" --json >q.json &&
	test "$(rank lib.c q.json)" = 1 &&
	sqlite3 hdr/.git/patterns/patterns.db "SELECT hunks FROM patterns WHERE file_path = '"'lib.c'"'
		AND commit_msg LIKE '"'fix:%'"'" >hunks &&
	test_grep "^[0-9]*,[0-9]*" hunks
'

test_done
