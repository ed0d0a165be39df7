#!/bin/sh
test_description='git patterns feedback: queued votes, sent by sync, one per user and pattern'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
ALICE_KEY=$(add_key alice)
BOB_KEY=$(add_key bob)
ADMIN_KEY=$ALICE_KEY

server_count() {
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns/$1" >"$TRASH/p.json" &&
	json_get "$TRASH/p.json" 'd["success_count"]'
}

local_count() {
	sqlite3 "$1/.git/patterns/patterns.db" "SELECT success_count FROM patterns WHERE server_id = '$2'"
}

test_expect_success 'setup: alice and bob, one pattern of alice on the server' '
	git init -q alice &&
	test_commit -C alice "fix: retry on timeout" net/retry.go "retry(3)" &&
	git -C alice patterns extract --quiet &&
	git -C alice config patterns.remote "$SERVER_URL" &&
	git -C alice config patterns.apiKey "$ALICE_KEY" &&
	git init -q bob &&
	git -C bob config patterns.remote "$SERVER_URL" &&
	git -C bob config patterns.apiKey "$BOB_KEY"
'

test_expect_success 'feedback on a pattern not yet pushed is queued; sync pushes, then sends it' '
	id=$(sqlite3 alice/.git/patterns/patterns.db "SELECT pattern_id FROM patterns") &&
	git -C alice patterns feedback "$(echo $id | cut -c1-6)" --helpful >out &&
	test_grep "^Queued helpful feedback on $id; .git patterns sync. sends it.$" out &&
	git -C alice patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(json_get out.json "d[\"feedback_sent\"]")" = 1 &&
	uuid=$(sqlite3 alice/.git/patterns/patterns.db "SELECT server_id FROM patterns") &&
	test "$(server_count $uuid)" = 1 &&
	test "$(local_count alice $uuid)" = 1
'

test_expect_success 'a second user raises success_count to two; pulls bring it everywhere' '
	uuid=$(sqlite3 alice/.git/patterns/patterns.db "SELECT server_id FROM patterns") &&
	git -C bob patterns sync --quiet &&
	test "$(local_count bob $uuid)" = 1 &&
	git -C bob patterns feedback "$uuid" --helpful &&
	git -C bob patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"feedback_sent\"]")" = 1 &&
	test "$(server_count $uuid)" = 2 &&
	test "$(local_count bob $uuid)" = 2 &&
	git -C bob patterns list >out &&
	test_grep "retry.go \[team, 2 helpful\]  fix: retry on timeout$" out &&
	git -C alice patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"updated\"]")" = 1 &&
	test "$(local_count alice $uuid)" = 2
'

test_expect_success 'the same user voting twice counts once' '
	uuid=$(sqlite3 alice/.git/patterns/patterns.db "SELECT server_id FROM patterns") &&
	git -C bob patterns feedback "$uuid" --helpful &&
	git -C bob patterns sync --quiet &&
	test "$(server_count $uuid)" = 2
'

test_expect_success 'a later vote replaces the queued one, and the sent one' '
	uuid=$(sqlite3 alice/.git/patterns/patterns.db "SELECT server_id FROM patterns") &&
	git -C bob patterns feedback "$uuid" --helpful &&
	git -C bob patterns feedback "$uuid" --not-helpful &&
	test "$(sqlite3 bob/.git/patterns/patterns.db "SELECT count(*) FROM feedback_queue WHERE sent_at IS NULL")" = 1 &&
	git -C bob patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"feedback_sent\"]")" = 1 &&
	test "$(server_count $uuid)" = 1 &&
	test "$(local_count bob $uuid)" = 1
'

test_expect_success 'a server UUID this clone has never seen is queued and sent' '
	uuid=$(sqlite3 alice/.git/patterns/patterns.db "SELECT server_id FROM patterns") &&
	git init -q carol &&
	git -C carol patterns feedback "$uuid" --helpful >out &&
	test_grep "on $uuid" out &&
	GIT_PATTERNS_API_KEY=$ALICE_KEY git -C carol patterns sync --push --remote "$SERVER_URL" --json >out.json &&
	test "$(json_get out.json "d[\"feedback_sent\"]")" = 1
'

test_expect_success 'feedback on a UUID the server does not know is dropped with a warning' '
	git -C carol patterns feedback 00000000-0000-4000-8000-000000000000 --not-helpful &&
	GIT_PATTERNS_API_KEY=$ALICE_KEY git -C carol patterns sync --push --remote "$SERVER_URL" 2>err &&
	test_grep "^warning: feedback on 00000000-0000-4000-8000-000000000000 dropped" err &&
	test "$(sqlite3 carol/.git/patterns/patterns.db "SELECT count(*) FROM feedback_queue WHERE sent_at IS NULL")" = 0
'

test_expect_success 'usage errors and unknown ids' '
	test_expect_code 129 git -C alice patterns feedback abcd 2>err &&
	test_grep "exactly one of --helpful and --not-helpful" err &&
	test_expect_code 129 git -C alice patterns feedback abcd --helpful --not-helpful 2>err &&
	test_expect_code 129 git -C alice patterns feedback --helpful 2>err &&
	test_expect_code 1 git -C alice patterns feedback ffffffffffff --helpful 2>err &&
	test_grep "^fatal: no pattern .ffffffffffff." err
'

test_done
