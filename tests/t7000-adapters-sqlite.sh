#!/bin/sh
test_description='adapter versions on the team server, SQLite backend'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/server.db"
. "$TEST_SRC/lib-adapters.sh"

stop_server
mkdir -p dbdir/adapters/.merge-old dbdir/adapters/.merge-new dbdir/adapters/.merge-held
echo x >dbdir/adapters/gp-upload.old && echo x >dbdir/adapters/gp-upload.new &&
echo x >dbdir/adapters/.merge-old/adapter_model.safetensors
echo x >dbdir/adapters/.merge-new/adapter_model.safetensors
touch -d "2 days ago" dbdir/adapters/gp-upload.old dbdir/adapters/.merge-old
# a merge running on another server holds its folder locked
flock dbdir/adapters/.merge-held sleep 30 &
HOLDER=$!
echo $HOLDER >>"$EXTRA_PIDS"
i=0; while test $i -lt 50 && ! kill -0 $HOLDER 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
sleep 0.2
start_server "sqlite:$TRASH/dbdir/s.db"
kill $HOLDER 2>/dev/null
test_expect_success 'the default adapter folder is next to the SQLite file' '
	test -d dbdir/adapters &&
	test_grep "adapter files in $TRASH/dbdir/adapters" server.log
'
test_expect_success 'a starting server sweeps uploads older than a day' '
	! test -e dbdir/adapters/gp-upload.old &&
	test -e dbdir/adapters/gp-upload.new
'
test_expect_success 'a starting server removes what crashed merges left, whatever its age' '
	! test -e dbdir/adapters/.merge-old &&
	! test -e dbdir/adapters/.merge-new &&
	test -d dbdir/adapters/.merge-held
'
test_done
