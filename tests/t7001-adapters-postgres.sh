#!/bin/sh
test_description='adapter versions on the team server, PostgreSQL backend'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

use_postgres
. "$TEST_SRC/lib-adapters.sh"

test_expect_success 'the schema keeps one active version and logs activations' '
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At \
		-c "SELECT count(*) FROM adapter_versions WHERE is_active" >n &&
	echo 1 >expect && test_cmp expect n &&
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At \
		-c "SELECT indexname FROM pg_indexes WHERE tablename = '"'"'adapter_versions'"'"' ORDER BY 1" >idx &&
	test_grep "^idx_adapter_one_active$" idx &&
	test_grep "^idx_adapter_version_name$" idx
'
test_done
