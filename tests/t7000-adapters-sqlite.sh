#!/bin/sh
test_description='adapter versions on the team server, SQLite backend'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/server.db"
. "$TEST_SRC/lib-adapters.sh"

stop_server
mkdir dbdir
start_server "sqlite:$TRASH/dbdir/s.db"
test_expect_success 'the default adapter folder is next to the SQLite file' '
	test -d dbdir/adapters &&
	test_grep "adapter files in $TRASH/dbdir/adapters" server.log
'
test_done
