#!/bin/sh
test_description='the command table, usage and exit codes'
. ./lib.sh

test_expect_success 'version prints the version' '
	git patterns version >out &&
	test_grep "^git-patterns version .* \(libgit2 [0-9.]+\)$" out &&
	git patterns --version >out2 &&
	test_cmp out out2
'

test_expect_success 'no command is a usage error (129)' '
	test_expect_code 129 git patterns 2>err &&
	test_grep "^usage: git patterns" err
'

test_expect_success 'an unknown command says so and exits 129' '
	test_expect_code 129 git patterns frobnicate 2>err &&
	test_grep "not a git patterns command" err
'

test_expect_success '-h lists the commands on stdout' '
	git patterns -h >out &&
	test_grep "^   version" out
'

test_done
