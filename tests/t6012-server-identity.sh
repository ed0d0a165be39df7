#!/bin/sh
test_description='git patterns sync: a team server whose database is made anew at the same URL (SQLite, PostgreSQL) gets every clone'"'"'s patterns again, and each clone says so once'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"
. "$TEST_SRC/lib-sync.sh"
# both: the server on its fixed port (lib-sync.sh), PostgreSQL (lib-server.sh)
trap 'sync_cleanup; server_cleanup' EXIT

if ! start_postgres >pg-start.log 2>&1; then
	cat pg-start.log
	echo "Bail out! cannot start PostgreSQL"
	exit 1
fi

psql_do() {
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "${2:-postgres}" -qAt \
		-v ON_ERROR_STOP=1 -c "$1"
}

# new_keys: keys for alice and bob (the server's database knows none yet)
new_keys() {
	ALICE_KEY=$(add_key alice) && BOB_KEY=$(add_key bob) && ADMIN_KEY=$ALICE_KEY &&
	test -n "$ALICE_KEY" && test -n "$BOB_KEY" &&
	echo "ALICE_KEY=$ALICE_KEY BOB_KEY=$BOB_KEY ADMIN_KEY=$ADMIN_KEY" >"$TRASH/keys"
}
keys() { . "$TRASH/keys"; }
total() { keys && server_total; }

# remake_database: stop the server, make its database anew (a new SQLite
# file, or the PostgreSQL database dropped and created again), start the
# server again at the same URL, and give the clones keys it knows
remake_database() {
	stop_server &&
	if test -n "$SERVER_DB_URL"; then
		psql_do "DROP DATABASE team" && psql_do "CREATE DATABASE team"
	else
		rm -f "$SERVER_DB" "$SERVER_DB-wal" "$SERVER_DB-shm"
	fi &&
	new_keys &&
	start_server &&
	git -C $B/alice config patterns.apiKey "$ALICE_KEY" &&
	git -C $B/bob config patterns.apiKey "$BOB_KEY"
}

# backup_database / restore_database: a copy of the server's database as
# it is now (SQLite's .backup, pg_dump), and that copy put back in its
# place with the server stopped and started again (the same identity)
backup_database() {
	if test -n "$SERVER_DB_URL"; then
		as_pg "$PG_BIN/pg_dump" -h "$PG_DIR" -p "$PG_PORT" -U postgres -Fc team >"$TRASH/backup.dump"
	else
		sqlite3 "$SERVER_DB" ".backup '$TRASH/backup.db'"
	fi
}
restore_database() {
	stop_server &&
	if test -n "$SERVER_DB_URL"; then
		psql_do "DROP DATABASE team" && psql_do "CREATE DATABASE team" &&
		as_pg "$PG_BIN/pg_restore" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d team <"$TRASH/backup.dump"
	else
		rm -f "$SERVER_DB-wal" "$SERVER_DB-shm" && cp "$TRASH/backup.db" "$SERVER_DB"
	fi &&
	start_server
}

# the database id the server names in /health, and the one a clone remembers
health_id() {
	curl -s "$SERVER_URL/health" >"$TRASH/health.json" &&
	json_get "$TRASH/health.json" 'd["database_id"]'
}
clone_id() {
	sqlite3 "$1/.git/patterns/patterns.db" "SELECT database_id FROM sync_state"
}

# server_ids: the ids of every pattern on the server, one a line, sorted
server_ids() {
	keys &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns?limit=200" >"$TRASH/all.json" &&
	json_get "$TRASH/all.json" '"\n".join(sorted(p["id"] for p in d["patterns"]))'
}

# Everything that is done on each backend; B names it (and the folder)
backend_tests() {

test_expect_success "$B: setup: alice and bob push to the server and pull each other's" '
	new_keys &&
	start_server &&
	mkdir $B && (cd $B && make_two_clones) &&
	git -C $B/alice remote set-url origin https://example.com/team/app.git &&
	for who in alice bob; do
		git -C $B/$who config patterns.remote "$SERVER_URL" || return 1
	done &&
	git -C $B/alice config patterns.apiKey "$ALICE_KEY" &&
	git -C $B/bob config patterns.apiKey "$BOB_KEY" &&
	git -C $B/alice patterns sync --quiet &&
	git -C $B/bob patterns sync --quiet &&
	git -C $B/alice patterns sync --quiet &&
	test "$(total)" = 4
'

test_expect_success "$B: a clone remembers the database it synced with" '
	keys &&
	id=$(health_id) &&
	test -n "$id" &&
	test "$(clone_id $B/alice)" = "$id" &&
	test "$(clone_id $B/bob)" = "$id" &&
	curl -s -D headers -o /dev/null -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/patterns?limit=1" &&
	test_grep "^X-Patterns-Database: $id" headers &&
	curl -s -D refused -o /dev/null -H "X-API-Key: gp_0000" "$SERVER_URL/patterns?limit=1" &&
	test_grep "^HTTP/1.1 401" refused &&
	test_grep -v "X-Patterns-Database" refused
'

test_expect_success "$B: the same database: nothing is pushed again, nothing said, one request" '
	before=$(requests) &&
	git -C $B/alice patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"duplicates\"] + d[\"pulled\"]")" = 0 &&
	test "$(json_get out.json "d[\"new_database\"]")" = False &&
	test $(($(requests) - before)) = 1
'

test_expect_success "$B: the database is made anew at the same URL" '
	remake_database &&
	test "$(total)" = 0
'

test_expect_success "$B: against it, --dry-run says what a sync would do, and does nothing" '
	old=$(clone_id $B/alice) &&
	new=$(health_id) &&
	test -n "$new" && test "$new" != "$old" &&
	git -C $B/alice patterns sync --dry-run --json >out.json 2>err &&
	test_grep "^warning: the team server at $SERVER_URL is a new database; a sync would push 3 patterns again$" err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 3 &&
	test "$(json_get out.json "d[\"new_database\"]")" = True &&
	test "$(clone_id $B/alice)" = "$old" &&
	test "$(total)" = 0
'

test_expect_success "$B: each clone pushes its patterns again, and says so" '
	git -C $B/bob patterns sync --json >out.json 2>err &&
	test_grep "^warning: the team server at $SERVER_URL is a new database; pushing 2 patterns again$" err &&
	test_line_count = 1 err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 2 &&
	test "$(json_get out.json "d[\"new_database\"]")" = True &&
	test "$(total)" = 2 &&
	git -C $B/alice patterns sync --json >out.json 2>err &&
	test_grep "^warning: the team server at $SERVER_URL is a new database; pushing 3 patterns again$" err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 2 &&
	test "$(json_get out.json "d[\"duplicates\"]")" = 1 &&
	test "$(total)" = 4 &&
	test "$(clone_id $B/alice)" = "$(health_id)" &&
	test "$(clone_id $B/bob)" = "$(health_id)"
'

test_expect_success "$B: it is said once: the next syncs push nothing again and say nothing" '
	for who in bob alice bob; do
		git -C $B/$who patterns sync --json >out.json 2>err &&
		test_must_be_empty err &&
		test "$(json_get out.json "d[\"pushed\"]")" = 0 &&
		test "$(json_get out.json "d[\"new_database\"]")" = False || return 1
	done &&
	test "$(total)" = 4
'

test_expect_success "$B: no clone keeps a server id of the old database" '
	server_ids >ids &&
	test_line_count = 4 ids &&
	for who in alice bob; do
		sqlite3 $B/$who/.git/patterns/patterns.db \
			"SELECT server_id FROM patterns ORDER BY server_id" >$who.ids &&
		test_cmp ids $who.ids || return 1
	done
'

test_expect_success "$B: the patterns pushed again name projects the new database knows" '
	keys &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/projects" >projects.json &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns?limit=200" >all.json &&
	"$PYTHON" -c "
import json
known = {p[\"id\"] for p in json.load(open(\"projects.json\"))[\"projects\"]}
used = {p[\"project_id\"] for p in json.load(open(\"all.json\"))[\"patterns\"]}
assert known and used <= known, (used, known)
"
'

test_expect_success "$B: a backup restored: a clone that pushed since sees it went back and pushes again" '
	backup_database &&
	id=$(health_id) &&
	test_commit -C $B/alice "fix: restore the parser" src/parser.py "def parse(s): return s.split(None)" &&
	git -C $B/alice patterns extract --quiet &&
	git -C $B/alice patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(total)" = 5 &&
	restore_database &&
	test "$(total)" = 4 &&
	test "$(health_id)" = "$id" &&
	git -C $B/bob patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	git -C $B/alice patterns sync --json >out.json 2>err &&
	test_grep "^warning: the team server at $SERVER_URL went back to an earlier state \(a backup restored\?\); pushing 4 patterns again$" err &&
	test_line_count = 1 err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(json_get out.json "d[\"duplicates\"]")" = 3 &&
	test "$(json_get out.json "d[\"new_database\"]")" = True &&
	test "$(total)" = 5 &&
	git -C $B/bob patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get out.json "d[\"pulled\"]")" = 1 &&
	git -C $B/alice patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"pulled\"]")" = 0
'

test_expect_success "$B: a clone with something new to push checks first, so nothing is taken as there" '
	backup_database &&
	test_commit -C $B/bob "fix: bob again" lib/again.c "int again;" &&
	git -C $B/bob patterns extract --quiet &&
	git -C $B/bob patterns sync --quiet &&
	test "$(total)" = 6 &&
	restore_database &&
	test_commit -C $B/bob "fix: bob once more" lib/more.c "int more;" &&
	git -C $B/bob patterns extract --quiet &&
	git -C $B/bob patterns sync --json >out.json 2>err &&
	test_grep "went back to an earlier state" err &&
	test "$(total)" = 7 &&
	server_ids >ids &&
	sqlite3 $B/bob/.git/patterns/patterns.db \
		"SELECT server_id FROM patterns WHERE server_id IS NOT NULL AND origin = '"'local'"' ORDER BY 1" >bob.ids &&
	while read sid; do grep -qx "$sid" ids || { echo "not on the server: $sid"; return 1; }; done <bob.ids
'

}

B=sqlite
backend_tests

test_expect_success 'a clone store of the version before records the database at its next sync' '
	sqlite3 $B/alice/.git/patterns/patterns.db \
		"DROP INDEX IF EXISTS pushed_server_id; ALTER TABLE patterns DROP COLUMN hunks;
		 DROP TRIGGER patterns_ad_whole; DROP TABLE patterns_fts_whole;
		 ALTER TABLE sync_state DROP COLUMN database_id; PRAGMA user_version = 9" &&
	git -C $B/alice patterns sync --json >out.json 2>err &&
	test "$(sqlite3 $B/alice/.git/patterns/patterns.db "PRAGMA user_version")" -ge 10 &&
	test "$(clone_id $B/alice)" = "$(health_id)"
'

test_expect_success 'sqlite: a database of the version before gets its identity when the server starts' '
	stop_server &&
	sqlite3 "$SERVER_DB" "DROP TABLE server_identity; PRAGMA user_version = 7" &&
	start_server &&
	test "$(sqlite3 "$SERVER_DB" "PRAGMA user_version")" = 8 &&
	id=$(sqlite3 "$SERVER_DB" "SELECT id FROM server_identity") &&
	test "$(health_id)" = "$id"
'

test_expect_success 'sqlite: a server older than identities (no X-Patterns-Database) is synced with as before; once it names its database, that is the one the clone synced with' '
	{ test -f "$SERVER_PIDFILE" || start_server; } &&
	start_proxy none 0 strip &&
	cat "$TRASH.proxy.pid" >>"$EXTRA_PIDS" &&
	STRIP_URL=$PROXY_URL &&
	touch "$TRASH/proxy.strip" &&
	keys &&
	git init -q carol &&
	test_commit -C carol "fix: off by one in pager" src/pager.c "int pages(int n) { return n / 10 + 1; }" &&
	test_commit -C carol "fix: leak in cache" src/cache.c "void drop(void *p) { free(p); }" &&
	git -C carol patterns extract --quiet &&
	git -C carol config patterns.remote "$STRIP_URL" &&
	git -C carol config patterns.apiKey "$BOB_KEY" &&
	git -C carol patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 2 &&
	test "$(json_get out.json "d[\"pulled\"]")" = $(($(total) - 2)) &&
	git -C carol patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"pulled\"]")" = 0 &&
	test -z "$(clone_id carol)" &&

	rm "$TRASH/proxy.strip" &&
	git -C carol patterns sync --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"pulled\"]")" = 0 &&
	test "$(json_get out.json "d[\"new_database\"]")" = False &&
	test "$(clone_id carol)" = "$(health_id)"
'

test_expect_success 'postgresql: the server moves to a PostgreSQL database at the same URL' '
	stop_server &&
	psql_do "CREATE DATABASE team"
'
SERVER_DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/team"
export SERVER_DB_URL
B=postgresql
backend_tests

test_expect_success 'postgresql: a database of the version before gets its identity when the server starts' '
	stop_server &&
	psql_do "DROP TABLE server_identity; DELETE FROM schema_migrations WHERE version = 8" team &&
	start_server &&
	test "$(psql_do "SELECT max(version) FROM schema_migrations" team)" = 8 &&
	id=$(psql_do "SELECT id FROM server_identity" team) &&
	test -n "$id" &&
	test "$(health_id)" = "$id"
'

test_done
