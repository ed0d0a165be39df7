#!/bin/sh
test_description='the local store owns its SQL: only the owning modules reach SQLite'
. ./lib.sh

test_expect_success 'no statement outside the module that owns its table' '
	"$SRC_ROOT"/.ci/check-store-sql >out 2>err ||
	{ cat err; false; } &&
	test_grep "every statement is in the module that owns its table" out
'

fake_tree () {
	mkdir -p "$1"/.ci "$1"/src/cli "$1"/src/local &&
	cp "$SRC_ROOT"/.ci/check-store-sql "$1"/.ci/
}

test_expect_success 'the check refuses a front end that runs SQL itself' '
	fake_tree fake &&
	printf "int n;\nst = store_prepare(s, \"SELECT 1\");\n" >fake/src/cli/cmd-stats.c &&
	test_expect_code 1 fake/.ci/check-store-sql 2>err &&
	test_grep "src/cli/cmd-stats.c:2: SQL outside the module that owns the table" err
'

test_expect_success 'the check refuses sqlite3 calls in a module that owns no table' '
	fake_tree fake2 &&
	printf "rc = sqlite3_step(st);\n" >fake2/src/local/query.c &&
	printf "rc = sqlite3_step(st);\n" >fake2/src/local/store-patterns.c &&
	test_expect_code 1 fake2/.ci/check-store-sql 2>err &&
	test_grep "src/local/query.c:1:" err &&
	test_grep -v "store-patterns.c" err
'

test_expect_success 'commit-diff.h takes the options from extract-options.h' '
	fake_tree fake3 &&
	printf "#include \"local/extract.h\"\n" >fake3/src/local/commit-diff.h &&
	test_expect_code 1 fake3/.ci/check-store-sql 2>err &&
	test_grep "commit-diff.h:1: include local/extract-options.h" err
'

test_done
