#!/bin/sh
test_description='the recall index that extract writes with its patterns is the one a catch-up builds'
. ./lib.sh

# extract writes each batch's recall postings in the batch's transaction,
# from the sketches its diff threads computed, when the index was caught
# up at the batch's start and every pattern of the batch is a new row;
# otherwise recall_index_catch_up() indexes the batch after its commit.
# Either way the postings must be exactly those the catch-up writes when
# it rebuilds the index from the stored patterns.

CORPUS=$TEST_SRC/recall-corpus
VARIANT="$PYTHON $TEST_SRC/recall-variants.py"
FILES="buf.c list.c parse.c cache.py config.py retry.py debounce.js fetch.js cart.js pool.go limiter.go tree.go"

db_of() { echo "$1/.git/patterns/patterns.db"; }

meta() {
	sqlite3 "$(db_of "$1")" "SELECT value FROM meta WHERE key = '$2'"
}

postings() {
	sqlite3 "$(db_of "$1")" "SELECT feature, pattern FROM recall_postings ORDER BY 1, 2"
}

# answers REPO OUT: recall's hits (pattern and score) for every file of the corpus
answers() {
	for f in $FILES; do
		git -C "$1" patterns recall --file "$CORPUS/$f" --limit 5 --json >q.json &&
		"$PYTHON" -c "
import json
for h in json.load(open(\"q.json\"))[\"hits\"]:
    print(\"$f\", h[\"pattern_id\"], h[\"score\"])" || return 1
	done >"$2"
}

# same_as_rebuilt REPO: the index is caught up, and its postings and
# recall's answers are those of an index rebuilt from scratch (an index
# of another likeness version is, on recall's first look)
same_as_rebuilt() {
	top=$(sqlite3 "$(db_of "$1")" "SELECT max(id) FROM patterns") &&
	test "$(meta "$1" recall.indexed_upto)" = "$top" &&
	postings "$1" >written &&
	test -s written &&
	answers "$1" written.json &&
	sqlite3 "$(db_of "$1")" "UPDATE meta SET value = '1' WHERE key = 'recall.version'" &&
	answers "$1" rebuilt.json &&
	test "$(meta "$1" recall.version)" != 1 &&
	test "$(meta "$1" recall.indexed_upto)" = "$top" &&
	postings "$1" >rebuilt &&
	test_cmp rebuilt written &&
	test_cmp rebuilt.json written.json
}

# fix_commits REPO FILE...: a commit adding each file, then one fixing it
fix_commits() {
	repo=$1
	shift
	for f in "$@"; do
		mkdir -p "$repo/src" &&
		cp "$CORPUS/$f" "$repo/src/$f" &&
		git -C "$repo" add "src/$f" &&
		git -C "$repo" commit -q -m "Add $f" &&
		$VARIANT fix "$CORPUS/$f" >"$repo/src/$f" &&
		git -C "$repo" commit -q -am "fix: guard $f against a missing value" || return 1
	done
}

test_expect_success 'setup: 300 generated commits, then fixes of real code' '
	"$PYTHON" "$SRC_ROOT/bench/gen-history.py" repo 300 7 &&
	git -C repo config user.name "T Tester" &&
	git -C repo config user.email t@example.com &&
	git -C repo config patterns.contextLines 100 &&
	fix_commits repo buf.c parse.c cache.py retry.py debounce.js pool.go &&
	git -C repo tag first &&
	fix_commits repo list.c config.py fetch.js cart.js limiter.go tree.go
'

test_expect_success 'a fresh extraction: the postings of a rebuild, the same answers' '
	git clone -q --no-local repo fresh &&
	git -C fresh patterns extract -q --include-unknown &&
	test "$(sqlite3 "$(db_of fresh)" "SELECT count(*) FROM patterns")" -gt 300 &&
	same_as_rebuilt fresh &&
	git -C fresh patterns recall --file "$CORPUS/pool.go" --json >q.json &&
	test "$(json_get q.json "d[\"hits\"][0][\"file_path\"]")" = src/pool.go
'

test_expect_success 'the libgit2 engine writes the same postings' '
	git clone -q --no-local repo lib &&
	GIT_PATTERNS_EXTRACT_LIBGIT2=1 git -C lib patterns extract -q --include-unknown &&
	same_as_rebuilt lib
'

test_expect_success 'an extraction in steps: each run adds to a caught-up index' '
	git clone -q --no-local repo steps &&
	git -C steps patterns extract -q first~20 &&
	git -C steps patterns extract -q first &&
	same_as_rebuilt steps &&
	git -C steps patterns extract -q &&
	same_as_rebuilt steps
'

test_expect_success 'a batch with patterns already stored is indexed by the catch-up' '
	db=$(db_of steps) &&
	before=$(sqlite3 "$db" "SELECT count(*) FROM patterns") &&
	sqlite3 "$db" "DELETE FROM processed WHERE commit_id IN
		(SELECT commit_id FROM patterns ORDER BY id DESC LIMIT 3)" &&
	fix_commits steps list.c &&
	git -C steps patterns extract -q &&
	test "$(sqlite3 "$db" "SELECT count(*) FROM patterns")" -gt "$before" &&
	same_as_rebuilt steps
'

test_expect_success 'an index behind the patterns is caught up, not skipped' '
	db=$(db_of steps) &&
	top=$(sqlite3 "$db" "SELECT max(id) FROM patterns") &&
	sqlite3 "$db" "DELETE FROM recall_postings WHERE pattern > $top - 4;
		UPDATE meta SET value = $top - 4 WHERE key = '"'"'recall.indexed_upto'"'"'" &&
	fix_commits steps cart.js &&
	git -C steps patterns extract -q &&
	same_as_rebuilt steps
'

test_expect_success 'an index of another likeness version is rebuilt by the extraction' '
	db=$(db_of steps) &&
	sqlite3 "$db" "UPDATE meta SET value = '"'"'1'"'"' WHERE key = '"'"'recall.version'"'"';
		INSERT INTO recall_postings VALUES (7, 99999)" &&
	fix_commits steps fetch.js &&
	git -C steps patterns extract -q &&
	test "$(sqlite3 "$db" "SELECT count(*) FROM recall_postings WHERE pattern = 99999")" = 0 &&
	same_as_rebuilt steps
'

test_expect_success 'two extractions at once: the index is still the rebuilt one' '
	git clone -q --no-local repo twice &&
	git -C twice patterns extract -q first~200 &&
	{ git -C twice patterns extract -q --include-unknown first & } &&
	pid=$! &&
	git -C twice patterns extract -q &&
	wait $pid &&
	git -C twice patterns extract -q --include-unknown &&
	same_as_rebuilt twice
'


test_expect_success 'the post-commit hook keeps the index as a rebuild would' '
	git clone -q --no-local repo hooked &&
	git -C hooked patterns extract -q &&
	git -C hooked patterns hook install >/dev/null &&
	fix_commits hooked limiter.go &&
	top=$(git -C hooked rev-parse HEAD) &&
	db=$(db_of hooked) &&
	wait_until "test \"\$(sqlite3 $db \"SELECT count(*) FROM processed WHERE commit_id = '"'"'$top'"'"'\")\" = 1" &&
	wait_until "test \"\$(meta hooked recall.indexed_upto)\" = \"\$(sqlite3 $db \"SELECT max(id) FROM patterns\")\"" &&
	same_as_rebuilt hooked
'

test_done
