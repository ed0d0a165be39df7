#!/bin/sh
test_description='patterns.autoSync: the post-commit hook pushes in the background'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
KEY=$(add_key frank)
ADMIN_KEY=$KEY

# wait (at most 20 s) until the server has $1 patterns
wait_for_server_total() {
	local i=0 n
	while test $i -lt 200; do
		n=$(server_total)
		test "$n" = "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "the server has $n patterns, expected $1"
	return 1
}

test_expect_success 'setup: a repository with the hooks and a remote' '
	git init -q repo &&
	git -C repo patterns hook install >/dev/null &&
	git -C repo config patterns.remote "$SERVER_URL" &&
	git -C repo config patterns.apiKey "$KEY"
'

test_expect_success 'without patterns.autoSync a commit is extracted, not pushed' '
	test_commit -C repo "fix: handle EOF" io.c "int eof;" &&
	# the hook extracts in the background
	i=0 &&
	while test "$(git -C repo patterns list | wc -l)" != 1 && test $i -lt 200; do
		sleep 0.1; i=$((i + 1))
	done &&
	test "$(git -C repo patterns list | wc -l)" = 1 &&
	sleep 0.3 &&
	test "$(server_total)" = 0
'

test_expect_success 'with patterns.autoSync=true the commit reaches the server by itself' '
	git -C repo config patterns.autoSync true &&
	test_commit -C repo "fix: handle EINTR" io.c "int eintr;" &&
	wait_for_server_total 2
'

test_expect_success 'a server that is down does not fail the commit; the error is logged' '
	git -C repo config patterns.remote "http://127.0.0.1:$(free_port)" &&
	git -C repo config patterns.httpRetries 0 &&
	test_commit -C repo "fix: handle EAGAIN" io.c "int eagain;" &&
	i=0 &&
	while ! grep -q "cannot reach team server" repo/.git/patterns/hook.log && test $i -lt 100; do
		sleep 0.1; i=$((i + 1))
	done &&
	test_grep "error: cannot reach team server" repo/.git/patterns/hook.log
'

test_done
