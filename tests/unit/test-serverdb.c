/*
 * Unit tests for the team server's storage interface (serverdb.h) on the
 * SQLite backend: dedupe by solution_hash within and across batches, the
 * change feed order, feedback votes, delete permissions, keys, the
 * database's identity.
 */
#include "common/hash.h"
#include "common/pattern.h"
#include "server/serverdb.h"
#include "tap.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void make(struct sdb_pattern *p, const char *before, const char *after)
{
	memset(p, 0, sizeof(*p));
	p->problem_type = xstrdup("bug_fix");
	p->code_before = xstrdup(before);
	p->code_after = xstrdup(after);
	pattern_solution_hash(p->solution_hash, before, strlen(before), after, strlen(after));
}

int main(void)
{
	char dir[] = "/tmp/gp-test-serverdb.XXXXXX", url[128], id0[37], id1[37];
	struct serverdb *db;
	struct sdb_pattern items[4], one, *rows;
	struct sdb_query q;
	struct sdb_key k;
	size_t nr;
	long long total, kid, seq0;

	if (!mkdtemp(dir))
		return 1;
	snprintf(url, sizeof(url), "sqlite:%s/s.db", dir);
	ok(serverdb_open(&db, url) == SDB_OK, "open and migrate a new SQLite database");
	is_str(serverdb_backend(db), "sqlite", "backend name");
	ok(serverdb_ping(db) == SDB_OK, "ping");

	make(&items[0], "a", "b");
	make(&items[1], "c", "d");
	make(&items[2], "a", "b\n");
	make(&items[3], "a \t", "b"); /* items[0] once trailing blanks go */
	ok(serverdb_pattern_put(db, items, 4, "alice") == SDB_OK, "put a batch");
	ok(items[0].created && items[1].created && items[2].created && !items[3].created,
	   "created flags: new, new, new, known within the batch");
	is_str(items[3].id, items[0].id, "a duplicate answers with the stored pattern");
	is_str(items[0].created_by, "alice", "created_by is the caller's user");
	ok(items[1].change_seq > items[0].change_seq, "change_seq grows");
	memcpy(id0, items[0].id, 37);
	memcpy(id1, items[1].id, 37);
	seq0 = items[2].change_seq;
	for (int i = 0; i < 4; i++)
		sdb_pattern_release(&items[i]);

	make(&items[0], "c", "d");
	ok(serverdb_pattern_put(db, items, 1, "bob") == SDB_OK && !items[0].created,
	   "a known pattern from another user is not stored again");
	is_str(items[0].created_by, "alice", "and keeps its creator");
	sdb_pattern_release(&items[0]);

	memset(&q, 0, sizeof(q));
	q.page = 1;
	q.limit = 10;
	ok(serverdb_pattern_list(db, &q, &rows, &nr, &total) == SDB_OK && nr == 3,
	   "list: three patterns");
	is_num((double)total, 3, "list: the total");
	for (size_t i = 0; i < nr; i++)
		sdb_pattern_release(&rows[i]);
	free(rows);

	ok(serverdb_pattern_feedback(db, id0, "bob", 1, &one) == SDB_OK &&
		   one.success_count == 1 && one.change_seq > seq0,
	   "a helpful vote counts and takes a new change_seq");
	sdb_pattern_release(&one);
	ok(serverdb_pattern_feedback(db, id0, "bob", 1, &one) == SDB_OK && one.success_count == 1,
	   "the same vote again changes nothing");
	sdb_pattern_release(&one);

	q.has_since = 1;
	q.since = seq0;
	ok(serverdb_pattern_list(db, &q, &rows, &nr, &total) == SDB_OK && nr == 1 &&
		   !strcmp(rows[0].id, id0),
	   "the change feed after a cursor has exactly the changed pattern");
	for (size_t i = 0; i < nr; i++)
		sdb_pattern_release(&rows[i]);
	free(rows);

	ok(serverdb_pattern_delete(db, id1, "bob", 0) == SDB_FORBIDDEN, "bob cannot delete alice's");
	ok(serverdb_pattern_delete(db, id1, "bob", 1) == SDB_OK, "an admin can");
	ok(serverdb_pattern_get(db, id1, &one) == SDB_NOT_FOUND, "then it is gone");
	ok(serverdb_pattern_get(db, "not-a-uuid", &one) == SDB_NOT_FOUND, "a malformed id is not found");

	ok(serverdb_key_add(db, "carol", 0, "ab", &kid) == SDB_OK, "add a key");
	ok(serverdb_key_lookup(db, "ab", &k) == SDB_NOT_FOUND, "a hash that is not 64 hex never matches");
	{
		char h[65];
		sha256_hex("gp_x", 4, h);
		ok(serverdb_key_add(db, "dave", 1, h, &kid) == SDB_OK &&
			   serverdb_key_lookup(db, h, &k) == SDB_OK && k.is_admin &&
			   !strcmp(k.user, "dave") && !k.revoked_at,
		   "look a key up by its hash");
		sdb_key_release(&k);
		ok(serverdb_key_revoke(db, kid) == SDB_OK && serverdb_key_lookup(db, h, &k) == SDB_OK &&
			   k.revoked_at,
		   "a revoked key is found as revoked");
		sdb_key_release(&k);
	}
	ok(serverdb_key_revoke(db, 999) == SDB_NOT_FOUND, "revoking an unknown key");

	{
		char a[37], b[37], c[37], other[128];
		struct serverdb *db2;
		ok(serverdb_identity(db, a) == SDB_OK && uuid_valid(a),
		   "a new database has an identity");
		ok(serverdb_identity(db, b) == SDB_OK && !strcmp(a, b), "it does not change");
		serverdb_close(db);
		ok(serverdb_open(&db, url) == SDB_OK && serverdb_identity(db, b) == SDB_OK &&
			   !strcmp(a, b),
		   "it is kept in the database (the same after a reopen)");
		snprintf(other, sizeof(other), "sqlite:%s/other.db", dir);
		ok(serverdb_open(&db2, other) == SDB_OK && serverdb_identity(db2, c) == SDB_OK &&
			   strcmp(a, c),
		   "another database has another");
		serverdb_close(db2);
	}

	serverdb_close(db);
	{
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			return 1;
	}
	return done_testing();
}
