#!/bin/sh
test_description='team server API on the embedded SQLite backend'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/server.db"
. "$TEST_SRC/lib-server-api.sh"

stop_server
echo $? >stop.rc
test_expect_success 'SIGTERM stops the server cleanly (exit 0)' '
	test "$(cat stop.rc)" = 0 &&
	test_grep "server stopped" server.log
'
test_expect_success 'the database is consistent after the stop' '
	sqlite3 "$TRASH/server.db" "PRAGMA integrity_check" >check &&
	echo ok >expect &&
	test_cmp expect check &&
	sqlite3 "$TRASH/server.db" "SELECT (SELECT value FROM counters WHERE name = '"'"'patterns'"'"') = (SELECT count(*) FROM patterns)" >same &&
	echo 1 >expect &&
	test_cmp expect same
'
test_done
