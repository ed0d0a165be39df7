#!/bin/sh
test_description='git patterns sync: a pattern deleted on the server leaves every clone on its next pull'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
ALICE_KEY=$(add_key alice)
BOB_KEY=$(add_key bob)
ADMIN_KEY=$ALICE_KEY

count() {
	sqlite3 "$1/.git/patterns/patterns.db" "SELECT count(*) FROM patterns WHERE $2"
}

test_expect_success 'setup: alice pushes two patterns, bob pulls them' '
	git init -q alice &&
	test_commit -C alice "fix: retry on timeout" net/retry.go "retry(3)" &&
	test_commit -C alice "fix: close the file" io/file.go "defer f.Close()" &&
	git -C alice patterns extract --quiet &&
	git -C alice config patterns.remote "$SERVER_URL" &&
	git -C alice config patterns.apiKey "$ALICE_KEY" &&
	git -C alice patterns sync --quiet &&
	git init -q bob &&
	git -C bob config patterns.remote "$SERVER_URL" &&
	git -C bob config patterns.apiKey "$BOB_KEY" &&
	git -C bob patterns sync --quiet &&
	test "$(count bob "origin = '"'"'team'"'"'")" = 2
'

test_expect_success 'a deletion on the server drops the team copy on the next pull, once' '
	uuid=$(sqlite3 alice/.git/patterns/patterns.db \
		"SELECT server_id FROM patterns WHERE file_path = '"'"'net/retry.go'"'"'") &&
	test -n "$uuid" &&
	echo "$uuid" >deleted.uuid &&
	code=$(curl -s -o /dev/null -w "%{http_code}" -X DELETE -H "X-API-Key: $ALICE_KEY" \
		"$SERVER_URL/patterns/$uuid") &&
	test "$code" = 204 &&
	git -C bob patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"deleted\"]")" = 1 &&
	test "$(count bob "origin = '"'"'team'"'"'")" = 1 &&
	test "$(count bob "server_id = '"'"'$uuid'"'"'")" = 0 &&
	git -C bob patterns search timeout >found &&
	! grep retry found &&
	git -C bob patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"deleted\"]")" = 0
'

test_expect_success 'the author keeps the pattern of its own history, and does not push it again' '
	test "$(count alice "file_path = '"'"'net/retry.go'"'"'")" = 1 &&
	git -C alice patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 0 &&
	test "$(server_total)" = 1 &&
	# and shows no server id for it: the server has no such pattern
	uuid=$(cat deleted.uuid) &&
	test "$(count alice "server_id = '"'"'$uuid'"'"'")" = 0 &&
	id=$(sqlite3 alice/.git/patterns/patterns.db \
		"SELECT pattern_id FROM patterns WHERE file_path = '"'"'net/retry.go'"'"'") &&
	git -C alice patterns show $id >shown &&
	! grep "$uuid" shown
'

test_expect_success 'a deletion finds the push record by its server id (an index, which an older store gets)' '
	db=alice/.git/patterns/patterns.db &&
	sqlite3 $db "DROP INDEX pushed_server_id; ALTER TABLE patterns DROP COLUMN hunks;
		     DROP TRIGGER patterns_ad_whole; DROP TABLE patterns_fts_whole;
		     PRAGMA user_version = 10" &&
	git -C alice patterns sync --quiet &&
	test "$(sqlite3 $db "PRAGMA user_version")" -ge 11 &&
	sqlite3 $db "EXPLAIN QUERY PLAN UPDATE pushed SET server_id = NULL
		WHERE server_id = '"'"'x'"'"' AND remote = '"'"'y'"'"'" >plan &&
	test_grep "USING (COVERING )?INDEX pushed_server_id" plan
'

test_expect_success 'registering the project later does not bring the deleted pattern back' '
	git -C alice remote add origin https://example.com/team/alice.git &&
	git -C alice patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 0 &&
	curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/projects" >projects.json &&
	test "$(json_get projects.json "d[\"total\"]")" = 1 &&
	test "$(server_total)" = 1 &&
	curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/patterns" >all.json &&
	test "$(json_get all.json "d[\"patterns\"][0][\"project_id\"]")" = \
		"$(json_get projects.json "d[\"projects\"][0][\"id\"]")"
'

test_done
