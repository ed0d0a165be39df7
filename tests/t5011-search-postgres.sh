#!/bin/sh
test_description='text search on PostgreSQL: the pg_trgm indexes answer as the ILIKE did'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

use_postgres
psql_do() {
	(cd / && as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At -v ON_ERROR_STOP=1 -c "$1")
}
downgrade() {
	psql_do "DROP INDEX idx_patterns_msg_trgm, idx_patterns_path_trgm, idx_patterns_before_trgm, idx_patterns_after_trgm; DROP EXTENSION pg_trgm; DROP TABLE server_identity; DELETE FROM schema_migrations WHERE version >= 7"
}
index_names() {
	psql_do "SELECT indexname FROM pg_indexes WHERE tablename = 'patterns' AND indexdef LIKE '%gin_trgm_ops%' ORDER BY 1"
}
. "$TEST_SRC/lib-server-search.sh"

test_expect_success 'the trigram indexes can answer the ILIKE of a search (with few rows a scan is cheaper)' '
	psql_do "SET enable_seqscan = off; EXPLAIN SELECT id FROM patterns WHERE commit_msg ILIKE '"'"'%zebra%'"'"' OR file_path ILIKE '"'"'%zebra%'"'"' OR code_before ILIKE '"'"'%zebra%'"'"' OR code_after ILIKE '"'"'%zebra%'"'"' ORDER BY success_count + 0 DESC" >plan &&
	test_grep "idx_patterns_msg_trgm" plan
'
test_done
