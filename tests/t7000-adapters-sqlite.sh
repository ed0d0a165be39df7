#!/bin/sh
test_description='adapter versions on the team server, SQLite backend'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/server.db"
. "$TEST_SRC/lib-adapters.sh"

stop_server
mkdir -p dbdir/adapters/.merge-old dbdir/adapters/.merge-new
echo x >dbdir/adapters/gp-upload.old && echo x >dbdir/adapters/gp-upload.new &&
echo x >dbdir/adapters/.merge-old/adapter_model.safetensors
touch -d "2 days ago" dbdir/adapters/gp-upload.old dbdir/adapters/.merge-old
start_server "sqlite:$TRASH/dbdir/s.db"
test_expect_success 'the default adapter folder is next to the SQLite file' '
	test -d dbdir/adapters &&
	test_grep "adapter files in $TRASH/dbdir/adapters" server.log
'
test_expect_success 'a starting server sweeps temporary files older than a day' '
	! test -e dbdir/adapters/gp-upload.old &&
	! test -e dbdir/adapters/.merge-old &&
	test -e dbdir/adapters/gp-upload.new &&
	test -d dbdir/adapters/.merge-new
'
test_done
