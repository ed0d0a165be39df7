#!/bin/sh
test_description='make install puts the binary, hooks, completions and man page where git finds them'
. ./lib.sh

command -v man >/dev/null && test_set_prereq MAN
command -v make >/dev/null && test_set_prereq MAKE

test_expect_success MAKE 'make install PREFIX=...' '
	# -o: install the binary under test as it is; never relink it while
	# the other tests of a parallel run are using it
	make -s -C "$SRC_ROOT" -o "$GIT_PATTERNS_BUILD/bin/git-patterns" install \
		BUILD="$GIT_PATTERNS_BUILD" PREFIX="$TRASH/inst" >out 2>&1 &&
	test -x inst/bin/git-patterns &&
	for h in post-commit post-merge post-rewrite; do
		test -x inst/share/git-patterns/hooks/$h || return 1
	done &&
	test -f inst/share/man/man1/git-patterns.1 &&
	test -f inst/share/bash-completion/completions/git-patterns &&
	test -f inst/share/zsh/site-functions/_git-patterns
'

test_expect_success MAN 'man finds the page in the installed MANPATH' '
	MANPATH="$TRASH/inst/share/man" man -w git-patterns >out &&
	echo "$TRASH/inst/share/man/man1/git-patterns.1" >expect &&
	test_cmp expect out
'

test_expect_success MAN 'git help patterns opens it' '
	(PATH="$TRASH/inst/bin:$PATH" MANPATH="$TRASH/inst/share/man" MANPAGER=cat \
	 MANWIDTH=80 git help -m patterns >out 2>err) &&
	test_grep "^NAME" out &&
	test_grep "git-patterns - turn a repository" out &&
	test_grep "^HOOKS" out
'

test_expect_success MAN 'git patterns --help opens it too' '
	(PATH="$TRASH/inst/bin:$PATH" MANPATH="$TRASH/inst/share/man" MANPAGER=cat \
	 MANWIDTH=80 git patterns --help >out 2>err) &&
	test_grep "^EXIT STATUS" out
'

test_expect_success 'the installed stubs are the ones hook install writes' '
	git init -q repo &&
	PATH="$TRASH/inst/bin:$PATH" git -C repo patterns hook install >/dev/null &&
	for h in post-commit post-merge post-rewrite; do
		test_cmp inst/share/git-patterns/hooks/$h repo/.git/hooks/$h || return 1
	done
'

test_done
