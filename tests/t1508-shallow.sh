#!/bin/sh
test_description='git patterns extract in a shallow clone: the boundary commits are left out until their parents are fetched'
. ./lib.sh

# In a clone made with --depth the commits at the boundary (.git/shallow)
# have parents that were not fetched: what they changed is unknown. They
# get no patterns (diffed against the empty tree, every file would look
# added) until git fetch --unshallow (or --deepen) brings their parents;
# then the next extraction, or hook, stores their real patterns, the same
# as a full clone's.

# of DIR COMMIT: the exported patterns of COMMIT in the store of DIR (of
# any kind)
of() {
	git -C "$1" patterns export --quiet --include-unknown | grep "\"commit\":\"$2\"" || true
}


# older_store DIR [OPTIONS]: extract the shallow clone DIR as versions
# before this one did, which diffed the boundary commits against the empty
# tree and marked them processed. A shallow file that lists no commit of
# the history makes the boundary look like any commit whose parent is
# missing, which is still diffed as a root; then the file is put back and
# the store left as such a version left it (never checked).
older_store() {
	local dir=$1
	shift
	cp "$dir/.git/shallow" shallow.saved &&
	echo 0123456789012345678901234567890123456789 >"$dir/.git/shallow" &&
	git -C "$dir" patterns extract -q "$@" &&
	cp shallow.saved "$dir/.git/shallow" &&
	sqlite3 -cmd ".timeout 10000" "$dir/.git/patterns/patterns.db" "DELETE FROM meta WHERE key LIKE 'shallow.%'"
}

# commit_file MSG PATH: commit PATH's content (from stdin) in repo src, a
# minute after its last commit (test_tick would not count in a pipeline)
commit_file() {
	local n
	n=$(git -C src rev-list --count HEAD 2>/dev/null || echo 0) &&
	cat >"src/$2" && git -C src add "$2" &&
	GIT_COMMITTER_DATE="$((1112911993 + 60 * n)) -0700" \
	GIT_AUTHOR_DATE="$((1112911993 + 60 * n)) -0700" git -C src commit -q -m "$1"
}

test_expect_success 'a shallow clone: the boundary commit gets no patterns, and says so' '
	git init -q src &&
	printf "int parse(const char *s)\n{\n\treturn s[0];\n}\n\nint unused(void)\n{\n\treturn 0;\n}\n" |
		commit_file "feat: add the parser" parser.c &&
	printf "class Cache:\n    def __init__(self):\n        self.items = {}\n\n    def evict(self):\n        self.items.popitem()\n" |
		commit_file "feat: add the cache" cache.py &&
	printf "#define BUF 16\n" | commit_file "feat: add the buffer size" util.h &&
	printf "int parse(const char *s)\n{\n\tif (!s || !*s)\n\t\treturn -1;\n\treturn s[0];\n}\n\nint unused(void)\n{\n\treturn 0;\n}\n" |
		commit_file "fix: parse empty input without crashing" parser.c &&
	printf "class Cache:\n    def __init__(self):\n        self.items = {}\n\n    def evict(self):\n        if self.items:\n            self.items.pop(next(iter(self.items)))\n" |
		commit_file "fix: evict the oldest cache entry first" cache.py &&
	printf "#define BUF 64\n" | commit_file "fix: a buffer large enough for a line" util.h &&
	git clone -q --depth 2 "file://$TRASH/src" sh &&
	boundary=$(cat sh/.git/shallow) &&
	test "$boundary" = "$(git -C src rev-parse HEAD~1)" &&
	git -C sh patterns extract 2>err &&
	test_grep "Extracted 1 patterns from 1 new commits .2 commits in range" err &&
	test_grep "Left out 1 commits at the boundary of this shallow clone" err &&
	test_grep -v "^error" err &&
	of sh "$boundary" >b.jsonl &&
	test_must_be_empty b.jsonl &&
	git -C sh patterns list >list &&
	test_line_count = 1 list &&
	test_grep "fix: a buffer large enough" list &&
	# not marked processed: the run after the parents are fetched takes it
	sqlite3 -cmd ".timeout 10000" sh/.git/patterns/patterns.db \
		"SELECT count(*) FROM processed WHERE commit_id = '\''$boundary'\''" >marks &&
	echo 0 >expect && test_cmp expect marks &&
	# said again by the next run, which has nothing else to do
	git -C sh patterns extract 2>err &&
	test_grep "0 patterns from 0 new commits .2 commits in range, 1 already" err &&
	test_grep "Left out 1 commits at the boundary" err
'

test_expect_success 'after git fetch --unshallow the next extract stores its real patterns, as a full clone does' '
	boundary=$(git -C src rev-parse HEAD~1) &&
	git clone -q "file://$TRASH/src" full &&
	git -C full patterns extract -q &&
	git -C sh fetch -q --unshallow &&
	git -C sh patterns extract 2>err &&
	test_grep "Extracted 1 patterns from 1 commits once at the shallow boundary" err &&
	test_grep -v "Left out" err &&
	of full "$boundary" >expect &&
	test_line_count = 1 expect &&
	test_grep "\"file_path\":\"cache.py\"" expect &&
	of sh "$boundary" >actual &&
	test_cmp expect actual &&
	git -C full patterns export --quiet >expect &&
	git -C sh patterns export --quiet >actual &&
	test_cmp expect actual &&
	git -C full patterns list >expect &&
	git -C sh patterns list >actual &&
	test_cmp expect actual &&
	git -C sh patterns extract 2>err &&
	test_grep "0 patterns from 0 new commits .6 commits in range, 6 already" err
'

test_expect_success 'the hooks take it in too: pull --unshallow (post-merge), a commit (post-commit)' '
	boundary=$(git -C src rev-parse HEAD~1) &&
	of full "$boundary" >expect &&
	for h in merge commit; do
		rm -rf hk-$h &&
		git clone -q --depth 2 "file://$TRASH/src" hk-$h &&
		git -C hk-$h patterns hook install >/dev/null &&
		git -C hk-$h patterns extract -q || return 1
	done &&
	printf "#define BUF 128\n" | commit_file "fix: room for long lines" util.h &&
	git -C hk-merge pull -q --ff-only --unshallow &&
	wait_until "of hk-merge $boundary | cmp -s - expect" &&
	wait_until "test -n \"\$(of hk-merge $(git -C src rev-parse HEAD))\"" &&
	git -C hk-commit fetch -q --unshallow &&
	(cd hk-commit && echo "int more;" >more.c && git add more.c && test_tick &&
	 git commit -q -m "feat: add more") &&
	wait_until "of hk-commit $boundary | cmp -s - expect" &&
	! test -e hk-merge/.git/patterns/hook.log &&
	! test -e hk-commit/.git/patterns/hook.log
'

test_expect_success 'a store an older version made in a shallow clone: the boundary patterns are dropped, then redone' '
	boundary=$(git -C src rev-parse HEAD~1) &&
	rm -rf full && git clone -q "file://$TRASH/src" full &&
	git -C full patterns extract -q &&
	git clone -q --depth 2 "file://$TRASH/src" old &&
	older_store old &&
	# what the older version stored: every file of the boundary, as added
	of old "$boundary" >wrong &&
	test_line_count = 3 wrong &&
	git -C old patterns extract 2>err &&
	test_grep "Dropped what an older version extracted from 1 commits without their parents" err &&
	test_grep "Left out 1 commits at the boundary" err &&
	of old "$boundary" >b.jsonl &&
	test_must_be_empty b.jsonl &&
	git -C old fetch -q --unshallow &&
	git -C old patterns extract 2>err &&
	test_grep "1 patterns from 1 commits once at the shallow boundary" err &&
	git -C full patterns export --quiet >expect &&
	git -C old patterns export --quiet >actual &&
	test_cmp expect actual &&
	# the recall index follows: the boundary pattern is found by its code
	git -C old patterns recall --file util.h --json >recall.json &&
	test_grep "\"commit\": ?\"$boundary\"" recall.json
'

test_expect_success 'repaired after the unshallow too, a boundary left out as unknown included' '
	boundary=$(git -C src rev-parse HEAD~1) &&
	# with at most 2 files a commit, the boundary diffed as a root
	# (3 files) was mechanical: unknown, left out
	rm -rf full2 old2 old3 &&
	git clone -q "file://$TRASH/src" full2 &&
	git -C full2 config patterns.maxCommitFiles 2 &&
	git -C full2 patterns extract -q &&
	git clone -q --depth 2 "file://$TRASH/src" old2 &&
	git -C old2 config patterns.maxCommitFiles 2 &&
	older_store old2 &&
	sqlite3 -cmd ".timeout 10000" old2/.git/patterns/patterns.db \
		"SELECT skipped_unknown FROM processed WHERE commit_id = '\''$boundary'\''" >mark &&
	echo 1 >expect && test_cmp expect mark &&
	git -C old2 fetch -q --unshallow &&
	git -C old2 patterns extract 2>err &&
	test_grep "Dropped what an older version extracted from 1 commits" err &&
	git -C full2 patterns export --quiet >expect &&
	git -C old2 patterns export --quiet >actual &&
	test_cmp expect actual &&
	test_grep "\"commit\":\"$boundary\"" actual &&
	# and with patterns: the same as a full clone
	git clone -q --depth 2 "file://$TRASH/src" old3 &&
	older_store old3 &&
	git -C old3 fetch -q --unshallow &&
	git -C old3 patterns extract 2>err &&
	test_grep "Dropped what an older version extracted from 1 commits" err &&
	git -C full patterns export --quiet >expect &&
	git -C old3 patterns export --quiet >actual &&
	test_cmp expect actual &&
	git -C old3 patterns extract 2>err &&
	test_grep -v Dropped err
'

test_expect_success 'a long history (git diff-tree), --deepen then --unshallow: the same store as a full clone' '
	"$PYTHON" "$SRC_ROOT/bench/gen-history.py" long 300 7 &&
	git clone -q "file://$TRASH/long" long-full &&
	git -C long-full patterns extract -q --include-unknown &&
	git clone -q --depth 280 "file://$TRASH/long" long-sh &&
	b1=$(cat long-sh/.git/shallow) &&
	git -C long-sh patterns extract --include-unknown 2>err &&
	test_grep "Extracted [0-9]+ patterns from 279 new commits" err &&
	test_grep "Left out 1 commits at the boundary" err &&
	of long-sh "$b1" >b.jsonl &&
	test_must_be_empty b.jsonl &&
	git -C long-sh fetch -q --deepen 5 &&
	b2=$(cat long-sh/.git/shallow) &&
	test "$b1" != "$b2" &&
	git -C long-sh patterns extract --include-unknown 2>err &&
	test_grep "Left out 1 commits at the boundary" err &&
	of long-full "$b1" >expect &&
	test_line_count -gt 0 expect &&
	of long-sh "$b1" >actual &&
	test_cmp expect actual &&
	of long-sh "$b2" >b.jsonl &&
	test_must_be_empty b.jsonl &&
	git -C long-sh fetch -q --unshallow &&
	git -C long-sh patterns extract --include-unknown 2>err &&
	test_grep -v "Left out" err &&
	git -C long-full patterns export --quiet --include-unknown >expect &&
	git -C long-sh patterns export --quiet --include-unknown >actual &&
	test_cmp expect actual &&
	git -C long-sh patterns extract --include-unknown 2>err &&
	test_grep "0 patterns from 0 new commits .300 commits in range, 300 already" err
'

test_done
