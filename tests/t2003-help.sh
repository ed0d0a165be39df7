#!/bin/sh
test_description='every command prints git-style usage; the manual covers every command and option'
. ./lib.sh

MANPAGE=$SRC_ROOT/docs/git-patterns.1

# the commands of the command table, as "git patterns -h" lists them
git patterns -h | sed -n "s/^   \([a-z][a-z0-9-]*\)  .*/\1/p" >commands
# commands with subcommands: "<command> <subcommand>" lines
subcommands() {
	git patterns "$1" -h 2>&1 | sed -n \
		-e "s/^usage: git patterns $1 \([a-z][a-z-]*\).*/\1/p" \
		-e "s/^   or: git patterns $1 \([a-z][a-z-]*\).*/\1/p" | sort -u
}

test_expect_success 'git patterns -h lists the commands' '
	test_line_count -ge 8 commands &&
	grep -x hook commands && grep -x extract commands
'

test_expect_success 'every command: -h prints git-style usage on stdout and exits 129' '
	while read cmd; do
		test_expect_code 129 git patterns $cmd -h >out 2>err || return 1
		grep "^usage: git patterns $cmd" out >/dev/null || {
			echo "no usage line for $cmd:"; cat out err; return 1; }
	done <commands
'

test_expect_success 'every subcommand: -h prints its usage and exits 129' '
	while read cmd; do
		for sub in $(subcommands $cmd); do
			test_expect_code 129 git patterns $cmd $sub -h >out 2>err || return 1
			grep "^usage: git patterns $cmd" out >/dev/null || {
				echo "no usage line for $cmd $sub:"; cat out err; return 1; }
		done
	done <commands
'

test_expect_success 'an unknown option is a usage error (129) naming it' '
	while read cmd; do
		case $cmd in version) continue ;; esac
		test_expect_code 129 git patterns $cmd --no-such-option >out 2>err || return 1
		grep "no-such-option" err >/dev/null || { echo "$cmd:"; cat err; return 1; }
	done <commands
'

test_expect_success 'the manual has a section for every command' '
	sed -e "s/\\\\-/-/g" "$MANPAGE" >man.txt &&
	while read cmd; do
		grep "^\.SS \"git patterns $cmd\"" man.txt >/dev/null || {
			echo "no section for $cmd in the manual"; return 1; }
	done <commands
'

test_expect_success 'the manual names every long option of every command' '
	: >missing &&
	while read cmd; do
		for sub in "" $(subcommands $cmd); do
			for opt in $(git patterns $cmd $sub --git-completion-helper); do
				name=${opt%=}
				pat=$(printf "%s" "$name" | sed -e "s/-/\\\\\\\\-/g")
				grep -e "$pat" "$MANPAGE" >/dev/null ||
				echo "$cmd $sub: $name" >>missing
			done
		done
	done <commands &&
	test_line_count = 0 missing
'

test_expect_success 'the manual names every config key and environment variable read' '
	grep -ho "\"patterns\.[a-zA-Z]*\"" "$SRC_ROOT"/src/*/*.c | tr -d "\"" | sort -u >keys &&
	grep -ho "getenv(\"GIT_PATTERNS_[A-Z_]*\"" "$SRC_ROOT"/src/*/*.c |
		sed -e "s/getenv(//" -e "s/\"//g" | sort -u >>keys &&
	test_line_count -ge 3 keys &&
	: >missing &&
	while read key; do
		grep -F "\\fB$key\\fR" "$MANPAGE" >/dev/null || echo "$key" >>missing
	done <keys &&
	test_line_count = 0 missing
'

command -v groff >/dev/null && test_set_prereq GROFF

test_expect_success GROFF 'the manual formats without warnings' '
	groff -t -man -Tutf8 -ww -z "$MANPAGE" 2>err &&
	test_line_count = 0 err
'

test_done
