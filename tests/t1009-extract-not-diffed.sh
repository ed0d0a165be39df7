#!/bin/sh
test_description='git patterns extract: a commit its changed paths make unknown is never diffed, by either engine'
. ./lib.sh

# A run of 256 commits or more is diffed by git diff-tree processes; the
# changed paths come from the trees first, so a commit that they classify
# unknown (here: only a manifest and its lock file changed, whatever its
# subject says) is never asked of git. Its new blobs are removed from the
# repository (and the files from the work tree): diffing it would fail,
# classifying it from its trees does not.

test_expect_success 'setup: 300 commits, then a fix that only touches manifests, blobs gone' '
	"$PYTHON" "$SRC_ROOT/bench/gen-history.py" repo 300 11 &&
	cd repo &&
	printf "{\"name\": \"x\", \"version\": \"1.0.1\"}\n" >package.json &&
	printf "{\"lockfileVersion\": 3, \"v\": \"1.0.1\"}\n" >package-lock.json &&
	git add package.json package-lock.json &&
	git commit -q -m "Fix the build with the new release" &&
	printf "int fixed(void) { return 1; }\n" >fixed.c &&
	git add fixed.c &&
	git commit -q -m "Fix a crash in the parser" &&
	for f in package.json package-lock.json; do
		id=$(git rev-parse HEAD:$f) &&
		rm -f .git/objects/$(echo $id | cut -c1-2)/$(echo $id | cut -c3-) &&
		test_must_fail git cat-file -e $id || return 1
	done &&
	rm package.json package-lock.json && # git would read the work tree copy
	cd ..
'

test_expect_success 'git engine: the manifests-only commit is unknown, not diffed' '
	rm -rf repo/.git/patterns &&
	git -C repo patterns extract -q -o "$PWD/all.jsonl" &&
	grep -q "\"file_path\": *\"fixed.c\"" all.jsonl &&
	! grep -q "package" all.jsonl &&
	sqlite3 repo/.git/patterns/patterns.db \
		"SELECT skipped_unknown FROM processed WHERE commit_id = \"$(git -C repo rev-parse HEAD~1)\"" >mark &&
	echo 1 >expect &&
	test_cmp expect mark
'

test_expect_success 'a bounded range of 256 commits or more: the same' '
	rm -rf repo/.git/patterns &&
	git -C repo patterns extract -q --rev HEAD~270..HEAD -o "$PWD/range.jsonl" &&
	grep -q "\"file_path\": *\"fixed.c\"" range.jsonl &&
	! grep -q "package" range.jsonl
'

test_expect_success 'libgit2 engine: the same' '
	rm -rf repo/.git/patterns &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C repo patterns extract -q -o "$PWD/lib.jsonl" &&
	test_cmp all.jsonl lib.jsonl
'

test_expect_success 'with --include-unknown the commit is diffed, and its missing blob is an error' '
	rm -rf repo/.git/patterns &&
	test_must_fail git -C repo patterns extract -q --include-unknown 2>err &&
	test -s err
'

test_done
