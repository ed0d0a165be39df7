#!/bin/sh
test_description='git patterns extract: which files give patterns (skip rules, renames, merges, encodings)'
. ./lib.sh

paths() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    if len(sys.argv) < 3 or r["commit_msg"] == sys.argv[2]:
        print(r["file_path"])' "$@" | sort
}

test_expect_success 'setup: one commit touching files of every kind' '
	git init -q repo &&
	cd repo &&
	echo "int main;" >main.c &&
	printf "\0\1\2binary" >blob.bin &&
	echo "{}" >package-lock.json &&
	mkdir -p sub && echo "# lock" >sub/Cargo.lock && echo "h1" >go.sum &&
	echo "gen" >gen.c &&
	mkdir -p vendor && echo "v" >vendor/lib.c &&
	echo "nodiff" >secret.dat &&
	head -c 3000 /dev/zero | tr "\0" "a" >big.txt &&
	ln -s main.c link.c &&
	cat >.gitattributes <<-\EOF &&
	gen.c linguist-generated
	vendor/** linguist-vendored=true
	*.dat -diff
	EOF
	git add . &&
	test_tick &&
	git commit -q -m "Add everything" &&
	git config patterns.maxFileSize 2000
'

test_expect_success 'binary, too large, lock, generated, vendored, -diff and symlinks are skipped' '
	git -C repo patterns extract -q -o ../out.jsonl &&
	paths out.jsonl >actual &&
	printf ".gitattributes\nmain.c\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a file over the size limit on either side is skipped' '
	(
		cd repo &&
		echo "int fixed;" >>main.c &&
		head -c 1000 /dev/zero | tr "\0" "b" >>big.txt &&
		test_tick && git commit -q -a -m "Fix main and shrink nothing" &&
		git config patterns.maxFileSize 10000 &&
		git patterns extract -q -o ../out2.jsonl
	) &&
	paths out2.jsonl "Fix main and shrink nothing" >actual &&
	printf "big.txt\nmain.c\n" >expect &&
	test_cmp expect actual &&
	git -C repo config patterns.maxFileSize 3500 &&
	git -C repo patterns extract -q -o ../out3.jsonl &&
	paths out3.jsonl "Fix main and shrink nothing" >actual &&
	echo main.c >expect &&
	test_cmp expect actual
'

# lfs_pointer OID SIZE: a Git LFS pointer file's text
lfs_pointer() {
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize %d\n" "$1" "$2"
}

test_expect_success 'Git LFS pointers give no pattern, with either engine' '
	git init -q lfs &&
	echo "*.onnx filter=lfs diff=lfs merge=lfs -text" >lfs/.gitattributes &&
	lfs_pointer 1 100 >lfs/model.onnx &&
	echo "int a;" >lfs/a.c &&
	git -C lfs add . && test_tick && git -C lfs commit -q -m "Add the model" &&
	lfs_pointer 2 120 >lfs/model.onnx &&
	echo "int a = 1;" >lfs/a.c &&
	git -C lfs add . && test_tick && git -C lfs commit -q -m "Fix the model and a" &&
	git -C lfs patterns extract -o ../lfs.jsonl 2>err &&
	paths lfs.jsonl >actual &&
	printf ".gitattributes\na.c\na.c\n" >expect &&
	test_cmp expect actual &&
	rm -r lfs/.git/patterns &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C lfs patterns extract -q -o ../lfs2.jsonl &&
	test_cmp lfs.jsonl lfs2.jsonl
'

# Older versions stored pointers as patterns: the next run drops them, once,
# and keeps code that merely starts like one (a long text, a later line).
test_expect_success 'an older store loses its Git LFS pointer patterns on the next run' '
	db=lfs/.git/patterns/patterns.db &&
	long=$(lfs_pointer 4 1 && seq -f "line %g of notes about LFS" 1 60) &&
	sqlite3 $db "CREATE TEMP TABLE t AS SELECT * FROM patterns WHERE file_path = '"'a.c'"' LIMIT 1;
		UPDATE t SET id = NULL, pattern_id = '"'feedfacefeed0000'"',
			file_path = '"'model.onnx'"', after_code = '"'$(lfs_pointer 2 120)'"';
		INSERT INTO patterns SELECT * FROM t;
		UPDATE t SET pattern_id = '"'feedfacefeed0001'"', file_path = '"'old.onnx'"',
			before_code = after_code, after_code = '"''"';
		INSERT INTO patterns SELECT * FROM t;
		UPDATE t SET pattern_id = '"'feedfacefeed0002'"', file_path = '"'LFS.md'"',
			before_code = '"'$long'"', after_code = '"'see: $(lfs_pointer 5 1)'"';
		INSERT INTO patterns SELECT * FROM t;
		DELETE FROM meta WHERE key = '"'lfs.pointers_dropped'"'" &&
	git -C lfs patterns list >before &&
	grep -c "model.onnx\|old.onnx" before >n && echo 2 >expect && test_cmp expect n &&
	git -C lfs patterns extract 2>err &&
	test_grep "Dropped 2 stored patterns of Git LFS pointers" err &&
	git -C lfs patterns list >after &&
	! grep "\.onnx" after &&
	grep LFS.md after &&
	git -C lfs patterns export -q -o ../lfs3.jsonl &&
	paths lfs3.jsonl | sort -u >actual &&
	printf ".gitattributes\nLFS.md\na.c\n" >expect &&
	test_cmp expect actual &&
	git -C lfs patterns extract 2>err &&
	test_grep -v "Dropped" err
'

test_expect_success 'setup: a file renamed, one deleted later' '
	git init -q ren &&
	cd ren &&
	for i in $(seq 1 20); do echo "line $i of the module"; done >old_name.py &&
	echo "x = 1" >doomed.py &&
	git add . && test_tick && git commit -q -m "Add modules" &&
	echo "x = 2" >doomed.py &&
	test_tick && git commit -q -a -m "Fix doomed value" &&
	git mv old_name.py new_name.py &&
	echo "line 21 of the module" >>new_name.py &&
	git add new_name.py && test_tick && git commit -q -m "Fix module after rename" &&
	git rm -q doomed.py && test_tick && git commit -q -m "Remove doomed"
'

test_expect_success 'a rename keeps old_path; a later-deleted file is still extracted' '
	git -C ren patterns extract -q --include-unknown -o ../r.jsonl &&
	"$PYTHON" -c "
import json
recs = {(r[\"commit_msg\"], r[\"file_path\"]): r for r in map(json.loads, open(\"r.jsonl\"))}
r = recs[(\"Fix module after rename\", \"new_name.py\")]
assert r[\"old_path\"] == \"old_name.py\", r
assert r[\"before_code\"].endswith(\"line 20 of the module\n\"), r
assert r[\"after_code\"].endswith(\"line 21 of the module\n\"), r
d = recs[(\"Fix doomed value\", \"doomed.py\")]
assert d[\"before_code\"] == \"x = 1\n\" and d[\"after_code\"] == \"x = 2\n\"
assert \"old_path\" not in d
g = recs[(\"Remove doomed\", \"doomed.py\")]
assert g[\"after_code\"] == \"\" and g[\"before_code\"] == \"x = 2\n\"
"
'

test_expect_success 'a Latin-1 file gives valid UTF-8 JSON; the store keeps the bytes' '
	git init -q latin &&
	printf "caf\351 = 1\n" >latin/l.py &&
	git -C latin add l.py && test_tick && git -C latin commit -q -m "Add caf" &&
	printf "caf\351 = 2\n" >latin/l.py &&
	test_tick && git -C latin commit -q -a -m "Fix caf" &&
	git -C latin patterns extract -q -o ../lat.jsonl &&
	"$PYTHON" -c "
import json
for raw in open(\"lat.jsonl\", \"rb\"):
    r = json.loads(raw.decode(\"utf-8\"))
    assert \"\ufffd\" in r[\"after_code\"], r
" &&
	sqlite3 latin/.git/patterns/patterns.db "SELECT hex(after_code) FROM patterns WHERE commit_msg = '\''Fix caf'\''" >hex &&
	echo 636166E9203D20320A >expect &&
	test_cmp expect hex
'

test_expect_success 'setup: a merge' '
	git init -q m &&
	cd m &&
	echo base >a.c && git add a.c && test_tick && git commit -q -m "Add a" &&
	git checkout -q -b side &&
	echo side >b.c && git add b.c && test_tick && git commit -q -m "Add b on side" &&
	git checkout -q main &&
	echo main >c.c && git add c.c && test_tick && git commit -q -m "Add c on main" &&
	test_tick && git merge -q --no-ff -m "Fix merge of side" side
'

test_expect_success 'merges are skipped by default' '
	git -C m patterns extract -q -o ../m.jsonl &&
	test_grep -v "Fix merge of side" m.jsonl &&
	test_line_count = 3 m.jsonl
'

test_expect_success '--include-merges diffs a merge against its first parent' '
	git -C m patterns extract -q --include-merges -o ../mm.jsonl &&
	paths mm.jsonl "Fix merge of side" >actual &&
	echo b.c >expect &&
	test_cmp expect actual &&
	git -C m patterns extract -q -o ../m2.jsonl &&
	test_cmp m.jsonl m2.jsonl
'

test_expect_success 'a commit that only changes a mode or renames gives no pattern' '
	git init -q mode &&
	echo x >mode/s.sh && git -C mode add s.sh && test_tick && git -C mode commit -q -m "Add s" &&
	chmod +x mode/s.sh && test_tick && git -C mode commit -q -a -m "Fix mode" &&
	git -C mode mv s.sh t.sh && test_tick && git -C mode commit -q -m "Fix name" &&
	git -C mode patterns extract -q -o ../mode.jsonl &&
	test_line_count = 1 mode.jsonl
'

test_expect_success 'a submodule gives no pattern' '
	git init -q subrepo &&
	test_commit -C subrepo "Add lib" lib.c "int lib;" &&
	git init -q super &&
	test_commit -C super "Add main" main.c "int main;" &&
	git -C super -c protocol.file.allow=always submodule -q add "$TRASH/subrepo" lib &&
	echo "int more;" >>super/main.c &&
	git -C super add main.c &&
	test_tick && git -C super commit -q -m "Add the lib submodule" &&
	git -C super patterns extract -q -o ../super.jsonl &&
	paths super.jsonl "Add the lib submodule" >actual &&
	printf ".gitmodules\nmain.c\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'bare repository: attributes come from HEAD' '
	git clone -q --bare repo bare.git &&
	git -C bare.git config patterns.maxFileSize 2000 &&
	git -C bare.git patterns extract -q --rev HEAD~1 -o ../bare.jsonl &&
	paths bare.jsonl >actual &&
	printf ".gitattributes\nmain.c\n" >expect &&
	test_cmp expect actual
'

test_done
