#!/bin/sh
test_description='git patterns sync: a push interrupted by a server crash resumes without duplicates'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
KEY=$(add_key erin)
ADMIN_KEY=$KEY
export GIT_PATTERNS_API_KEY=$KEY

pushed_count() {
	sqlite3 -cmd ".timeout 10000" repo/.git/patterns/patterns.db "SELECT count(*) FROM pushed"
}

test_expect_success 'setup: 1,000 commits of 10 files each: 10,000 patterns' '
	make_history repo 1000 10 &&
	git -C repo patterns extract --quiet &&
	test "$(sqlite3 -cmd ".timeout 10000" repo/.git/patterns/patterns.db "SELECT count(*) FROM patterns")" = 10000 &&
	git -C repo config patterns.remote "$SERVER_URL" &&
	git -C repo config patterns.httpRetries 1
'

test_expect_success 'the server is killed in the middle of the push: the sync fails, some are marked' '
	start_proxy POST 3 &&
	git -C repo config patterns.remote "$PROXY_URL" &&
	test_expect_code 1 git -C repo patterns sync --push --quiet 2>err &&
	test_grep "^error: cannot reach team server" err &&
	marked=$(pushed_count) &&
	say "marked before the crash: $marked" &&
	test "$marked" = 2000 &&
	test "$(sqlite3 "$SERVER_DB" "SELECT count(*) FROM patterns")" -ge 2000
'

test_expect_success 'restarted, the next sync finishes; the server has each pattern once' '
	start_server &&
	git -C repo patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"duplicates\"]")" = 8000 &&
	test "$(pushed_count)" = 10000 &&
	test "$(server_total)" = 10000 &&
	test "$(sqlite3 "$SERVER_DB" "SELECT count(*), count(DISTINCT solution_hash) FROM patterns")" = "10000|10000"
'

test_expect_success 'the client knows every pattern is pushed: nothing left to push' '
	git -C repo patterns sync --dry-run --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 0 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 0
'

test_expect_success 'Ctrl-C while a batch is in flight: the next sync resumes, nothing twice' '
	stop_proxy &&
	make_history repo2 300 10 &&
	git -C repo2 patterns extract --quiet &&
	start_proxy POST 2 stall &&
	git -C repo2 config patterns.remote "$PROXY_URL" &&
	rm -f "$TRASH/stalled" &&
	# a background job of a script ignores SIGINT: give it back its default
	"$PYTHON" -c "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])" \
		git-patterns sync --repo-path repo2 --push --quiet 2>err &
	sync_pid=$! &&
	while ! test -f "$TRASH/stalled"; do sleep 0.05; done &&
	kill -INT $sync_pid &&
	test_expect_code 130 wait $sync_pid &&
	test "$(sqlite3 -cmd ".timeout 10000" repo2/.git/patterns/patterns.db "SELECT count(*) FROM pushed")" = 1000 &&
	test "$(server_total)" = 12000 &&
	git -C repo2 patterns sync --push --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1000 &&
	test "$(json_get out.json "d[\"duplicates\"]")" = 1000 &&
	test "$(sqlite3 -cmd ".timeout 10000" repo2/.git/patterns/patterns.db "SELECT count(*) FROM pushed")" = 3000 &&
	test "$(sqlite3 "$SERVER_DB" "SELECT count(*), count(DISTINCT solution_hash) FROM patterns")" = "13000|13000"
'

test_expect_success 'a pull interrupted by a crash resumes from its cursor, no duplicates' '
	stop_proxy &&
	start_proxy GET 12 &&
	git clone -q repo fresh &&
	git -C fresh config patterns.remote "$PROXY_URL" &&
	git -C fresh config patterns.httpRetries 0 &&
	test_expect_code 1 git -C fresh patterns sync --pull --quiet 2>err &&
	got=$(sqlite3 -cmd ".timeout 10000" fresh/.git/patterns/patterns.db "SELECT count(*) FROM patterns WHERE origin=\"team\"") &&
	say "pulled before the crash: $got" &&
	test "$got" = 11000 &&
	start_server &&
	git -C fresh patterns sync --pull --json >out.json &&
	test "$(json_get out.json "d[\"pulled\"]")" = $(($(server_total) - 11000)) &&
	test "$(sqlite3 -cmd ".timeout 10000" fresh/.git/patterns/patterns.db \
		"SELECT count(*), count(DISTINCT server_id) FROM patterns WHERE origin=\"team\"")" = "13000|13000"
'

test_done
