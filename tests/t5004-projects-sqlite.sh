#!/bin/sh
test_description='cross-project learning on the team server, SQLite backend'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/server.db"
. "$TEST_SRC/lib-projects-api.sh"

test_expect_success '50 concurrent outcomes count 50' '
	python3 conc.py "$SERVER_URL"
'

test_done
