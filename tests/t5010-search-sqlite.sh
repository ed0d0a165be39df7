#!/bin/sh
test_description='text search on the SQLite backend: the trigram index (FTS5) answers as the LIKE did'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/server.db"
downgrade() {
	sqlite3 "$TRASH/server.db" "DROP TABLE patterns_text; DROP INDEX idx_patterns_created_seq; DROP TABLE server_identity; PRAGMA user_version = 6"
}
index_names() {
	sqlite3 "$TRASH/server.db" "SELECT name FROM sqlite_master WHERE name IN ('patterns_text', 'idx_patterns_created_seq') ORDER BY name"
}
. "$TEST_SRC/lib-server-search.sh"

test_expect_success 'the rare words are answered from the index: a row taken out of it is not found' '
	test "$(sqlite3 "$TRASH/server.db" "PRAGMA user_version")" -ge 7 &&
	sqlite3 "$TRASH/server.db" "INSERT INTO patterns_text(patterns_text) VALUES ('"'"'integrity-check'"'"')" &&
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=quokka" >q.json &&
	test "$(json_get q.json "d[\"total\"]")" = 1 &&
	sqlite3 "$TRASH/server.db" "INSERT INTO patterns_text(patterns_text, rowid, commit_msg, file_path, code_before, code_after) SELECT '"'"'delete'"'"', created_seq, commit_msg, file_path, code_before, code_after FROM patterns WHERE file_path LIKE '"'"'%quokka%'"'"'" &&
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=quokka" >q2.json &&
	test "$(json_get q2.json "d[\"total\"]")" = 0
'
test_done
