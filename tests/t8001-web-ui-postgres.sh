#!/bin/sh
test_description='web interface at /ui/ on PostgreSQL: sessions, CSRF, admin rules (curl)'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

use_postgres
session_hashes() {
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At \
		-c "SELECT token_hash FROM ui_sessions"
}
. "$TEST_SRC/lib-web-ui.sh"

test_expect_success 'the rank indexes exist in PostgreSQL' '
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At \
		-c "SELECT indexname FROM pg_indexes WHERE tablename = '"'"'patterns'"'"'" >idx &&
	test_grep "^idx_type_rank$" idx &&
	test_grep "^idx_language_rank$" idx &&
	test_grep "^idx_project_rank$" idx
'

test_done
