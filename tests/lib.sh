# tests/lib.sh: the test library, in the manner of git's t/test-lib.sh.
#
#   . ./lib.sh
#   test_expect_success 'what it checks' '
#           git patterns extract --output out.jsonl &&
#           test_line_count = 3 out.jsonl
#   '
#   test_done
#
# Each script runs in its own trash folder (a fresh HOME, no system or
# global git config), prints TAP for prove, and keeps the trash folder of a
# failing run for inspection (its path is printed).

TEST_NAME=$(basename "$0" .sh)
TEST_SRC=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=$(cd "$TEST_SRC/.." && pwd)
: "${GIT_PATTERNS_BUILD:=$SRC_ROOT/build}"
if ! test -x "$GIT_PATTERNS_BUILD/bin/git-patterns"; then
	echo "Bail out! no binary at $GIT_PATTERNS_BUILD/bin/git-patterns: run make"
	exit 1
fi
PATH="$GIT_PATTERNS_BUILD/bin:$PATH"
# Debian's python3, with python3-numpy and python3-requests
PYTHON=/usr/bin/python3
export PATH PYTHON SRC_ROOT TEST_SRC

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/gp-$TEST_NAME.XXXXXX")
HOME=$TRASH/home
mkdir -p "$HOME"
export HOME
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$HOME/.gitconfig"
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL=author@example.com
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
export GIT_MERGE_AUTOEDIT=no LANG=C LC_ALL=C TZ=UTC
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PATTERNS_API_KEY GIT_PATTERNS_HOOK
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git config --global protocol.file.allow always

test_count=0
test_failed=0
test_skipped=0
cd "$TRASH" || exit 1

say() { printf '# %s\n' "$*"; }

# test_expect_success [PREREQ] 'description' 'commands'
test_expect_success() {
	local prereq=
	if test $# = 3; then prereq=$1; shift; fi
	test_count=$((test_count + 1))
	if test -n "$prereq" && ! test_have_prereq "$prereq"; then
		test_skipped=$((test_skipped + 1))
		echo "ok $test_count # skip $1 (missing $prereq)"
		return
	fi
	local out=$TRASH/.test-output
	(
		cd "$TRASH" || exit 1
		eval "$2"
	) >"$out" 2>&1 </dev/null
	local rc=$?
	if test $rc = 0; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		printf '%s\n' "$2" | sed -e 's/^/#   /'
		echo "#   --- output (exit $rc) ---"
		tail -n 60 "$out" | sed -e 's/^/#   /'
	fi
}

# Prerequisites: test_set_prereq NAME; test_have_prereq NAME
test_set_prereq() { eval "prereq_$1=1"; }
test_have_prereq() { eval "test -n \"\${prereq_$1}\""; }

test_done() {
	echo "1..$test_count"
	if test $test_failed = 0; then
		say "passed all $test_count tests ($test_skipped skipped)"
		cd / && rm -rf "$TRASH"
		exit 0
	fi
	say "failed $test_failed of $test_count; trash kept in $TRASH"
	exit 1
}

# test_cmp EXPECTED ACTUAL: show the difference when they differ
test_cmp() {
	diff -u "$1" "$2" || { echo "test_cmp: '$2' differs from expected '$1'"; return 1; }
}

# test_must_fail CMD...: CMD exits non-zero (not by a signal, not 129 unless
# allowed with test_expect_code)
test_must_fail() {
	"$@"
	local rc=$?
	if test $rc = 0; then
		echo "test_must_fail: command succeeded: $*"
		return 1
	elif test $rc -gt 129 && test $rc -le 192; then
		echo "test_must_fail: died by signal $((rc - 128)): $*"
		return 1
	fi
	return 0
}

# test_expect_code CODE CMD...
test_expect_code() {
	local want=$1
	shift
	"$@"
	local rc=$?
	test $rc = "$want" && return 0
	echo "test_expect_code: expected exit $want, got $rc: $*"
	return 1
}

# test_line_count (= | -lt | -ge ...) N FILE
test_line_count() {
	local n
	n=$(wc -l <"$3")
	test "$n" "$1" "$2" || { echo "test_line_count: $3 has $n lines, expected $1 $2"; return 1; }
}

# test_must_be_empty FILE: the file exists and is empty (shows it if not)
test_must_be_empty() {
	test -f "$1" || { echo "test_must_be_empty: no file $1"; return 1; }
	test -s "$1" || return 0
	echo "test_must_be_empty: $1 is not empty:"; cat "$1"; return 1
}

# test_grep [-v] PATTERN FILE: grep that shows the file when it fails
test_grep() {
	local neg=
	if test "$1" = "-v"; then neg=1; shift; fi
	if test -n "$neg"; then
		! grep -E -e "$1" "$2" && return 0
		echo "test_grep: '$1' found in $2:"; cat "$2"; return 1
	fi
	grep -E -e "$1" "$2" >/dev/null && return 0
	echo "test_grep: '$1' not found in $2:"; cat "$2"; return 1
}

# wait_until 'CMD': retry CMD (eval'd) for 20 s, for what the hooks' stubs
# and other background work do; on time out, show its output and fail
wait_until() {
	local i=0
	while ! eval "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		test $i -ge 200 && { echo "still not true after 20 s: $1"; eval "$1"; return 1; }
		sleep 0.1
	done
}

# test_tick: advance a fixed clock, so commits have known dates
test_tick() {
	if test -z "${test_tick_time:-}"; then
		test_tick_time=1112911993
	else
		test_tick_time=$((test_tick_time + 60))
	fi
	GIT_COMMITTER_DATE="$test_tick_time -0700"
	GIT_AUTHOR_DATE="$test_tick_time -0700"
	export GIT_COMMITTER_DATE GIT_AUTHOR_DATE
}

# test_commit [-C DIR] MESSAGE [FILE [CONTENT]]: write FILE, commit it
test_commit() {
	local dir=.
	if test "$1" = "-C"; then dir=$2; shift 2; fi
	local msg=$1 file=${2:-$1.t} content=${3:-$1}
	mkdir -p "$dir/$(dirname "$file")"
	printf '%s\n' "$content" >"$dir/$file"
	test_tick
	git -C "$dir" add -- "$file" &&
	git -C "$dir" commit -q -m "$msg"
}

# jq-free JSON field access for tests: json_field FILE EXPR (python)
json_get() {
	"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"
}

# A free TCP port on loopback.
free_port() {
	"$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if command -v "$PYTHON" >/dev/null 2>&1 && "$PYTHON" -c 'import numpy' 2>/dev/null; then
	test_set_prereq NUMPY
fi

# How many patterns of DIR's store are not yet in its search index.
fts_pending() {
	sqlite3 -cmd ".timeout 10000" "$1/.git/patterns/patterns.db" \
		"SELECT count(*) FROM patterns WHERE fts_indexed = 0"
}

# Wait (up to 30 s) until every pattern of DIR's store is in its search
# index, without searching (a search would index them itself).
wait_fts_indexed() {
	local i=0
	while test "$(fts_pending "$1")" != 0; do
		i=$((i + 1))
		test $i -le 300 || { echo "patterns left out of the search index: $(fts_pending "$1")"; return 1; }
		sleep 0.1
	done
}

# commit_at NAME TIME [PARENT]: print the id of a new commit of NAME.c alone
# ("fix: repair NAME"), authored and committed TIME seconds after 1700000000.
commit_at() {
	local blob tree
	blob=$(printf "int %s;\n" "$1" | git hash-object -w --stdin) &&
	tree=$(printf "100644 blob %s\t%s.c\n" "$blob" "$1" | git mktree) &&
	GIT_AUTHOR_DATE="@$((1700000000 + $2)) +0000" GIT_COMMITTER_DATE="@$((1700000000 + $2)) +0000" \
	git commit-tree $tree ${3:+-p $3} -m "fix: repair $1"
}

# same_time_history: in the current repository, commits (no refs) where
# libgit2 1.5's walk goes wrong: b, three old commits; side, one on b;
# m, main's tip, five on side, the last three of one committer time; p,
# six on side of one time, as a rebase makes them; e, an old one on b.
same_time_history() {
	b=$(commit_at old0 1000) && b=$(commit_at old1 1001 $b) && b=$(commit_at old2 1002 $b) &&
	side=$(commit_at side 2000 $b) &&
	m=$(commit_at m0 3000 $side) && m=$(commit_at m1 3001 $m) && m=$(commit_at m2 3002 $m) &&
	m=$(commit_at m3 3002 $m) && m=$(commit_at m4 3002 $m) &&
	p=$side && for i in 0 1 2 3 4 5; do p=$(commit_at p$i 4000 $p) || return 1; done &&
	e=$(commit_at e0 1500 $b)
}
