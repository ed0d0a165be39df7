/*
 * serverdb-sqlite.c: the team server's embedded backend, one SQLite file.
 *
 * WAL mode and a busy timeout, one connection per worker thread (a large
 * page cache and a rarer WAL checkpoint, so batch ingest rewrites each index
 * page less often). Writers take the write lock up front (BEGIN
 * IMMEDIATE), so transactions are serialised and change_seq (a counter
 * row bumped inside the writing transaction) is in commit order, as
 * serverdb.h promises. The pattern total is kept in a counter row too, so
 * an unfiltered listing never counts.
 * Schema versioned with PRAGMA user_version, migrated on open.
 */
#include "server/serverdb.h"
#include "common/hash.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct sqlite_db {
	struct serverdb common;
	char *path;
};

struct sqlite_conn {
	sqlite3 *db;
};

static const char *const migrations[] = {
	/* 1: the seed's tables, plus keys, counters and the sync sequence */
	"CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO counters VALUES ('change_seq', 0), ('patterns', 0);"
	"CREATE TABLE patterns ("
	"  id TEXT PRIMARY KEY,"
	"  problem_type TEXT NOT NULL,"
	"  solution_hash TEXT NOT NULL UNIQUE,"
	"  code_before TEXT NOT NULL,"
	"  code_after TEXT NOT NULL,"
	"  success_count INTEGER NOT NULL DEFAULT 0,"
	"  last_used TEXT,"
	"  created_by TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  pattern_id TEXT, commit_msg TEXT, language TEXT, file_path TEXT,"
	"  project_id TEXT, commit_id TEXT, author TEXT, date TEXT,"
	"  confidence REAL,"
	"  created_seq INTEGER NOT NULL,"
	"  change_seq INTEGER NOT NULL UNIQUE);"
	"CREATE INDEX idx_problem_type ON patterns(problem_type);"
	"CREATE INDEX idx_success_count ON patterns(success_count DESC, created_seq DESC);"
	"CREATE TABLE pattern_feedback ("
	"  id TEXT PRIMARY KEY,"
	"  pattern_id TEXT NOT NULL REFERENCES patterns(id) ON DELETE CASCADE,"
	"  user_id TEXT NOT NULL,"
	"  helpful INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (pattern_id, user_id));"
	"CREATE TABLE adapter_versions ("
	"  id TEXT PRIMARY KEY,"
	"  version_name TEXT NOT NULL,"
	"  adapter_path TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  is_active INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE api_keys ("
	"  id INTEGER PRIMARY KEY,"
	"  user_name TEXT NOT NULL,"
	"  key_hash TEXT NOT NULL UNIQUE,"
	"  is_admin INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  revoked_at TEXT);",
	/* 2: adapter versions (files, hashes, parents) and their activation log */
	"ALTER TABLE adapter_versions ADD COLUMN parent_versions TEXT NOT NULL DEFAULT '[]';"
	"ALTER TABLE adapter_versions ADD COLUMN method TEXT NOT NULL DEFAULT 'upload';"
	"ALTER TABLE adapter_versions ADD COLUMN weights TEXT;"
	"ALTER TABLE adapter_versions ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE adapter_versions ADD COLUMN size INTEGER NOT NULL DEFAULT 0;"
	"CREATE UNIQUE INDEX idx_adapter_version_name ON adapter_versions(version_name);"
	"CREATE UNIQUE INDEX idx_adapter_one_active ON adapter_versions(is_active) "
	"  WHERE is_active;"
	"CREATE TABLE adapter_activations ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  version_id TEXT NOT NULL,"
	"  activated_by TEXT NOT NULL,"
	"  activated_at TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  undone INTEGER NOT NULL DEFAULT 0);",
	/* issue 17: a pulled pattern keeps its author's name */
	"ALTER TABLE patterns ADD COLUMN author_name TEXT;",
	/*
	 * 4: web interface sessions (SPEC §10): only the token's SHA-256; and
	 * indexes that rank a filtered listing without sorting it
	 */
	"CREATE TABLE ui_sessions ("
	"  token_hash TEXT PRIMARY KEY,"
	"  key_id INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,"
	"  created_at TEXT NOT NULL,"
	"  expires_at INTEGER NOT NULL);"
	"CREATE INDEX idx_ui_sessions_expires ON ui_sessions(expires_at);"
	/* a filtered page walks its filter's index in rank order: no sort */
	"CREATE INDEX idx_type_rank ON patterns(problem_type, success_count DESC, "
	"  created_seq DESC);"
	"CREATE INDEX idx_language_rank ON patterns(language, success_count DESC, "
	"  created_seq DESC);"
	"CREATE INDEX idx_project_rank ON patterns(project_id, success_count DESC, "
	"  created_seq DESC);",
};

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ','now')"
#define PATTERN_COLUMNS                                                        \
	"id, problem_type, solution_hash, code_before, code_after, "           \
	"success_count, last_used, created_by, created_at, pattern_id, "       \
	"commit_msg, language, file_path, project_id, commit_id, author, "     \
	"date, author_name, confidence, change_seq"

static int db_error(sqlite3 *db, const char *what)
{
	err_set("%s: %s", what, sqlite3_errmsg(db));
	return SDB_ERROR;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set("server database: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return SDB_ERROR;
	}
	return SDB_OK;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(db, "cannot prepare statement");
		return NULL;
	}
	return st;
}

static void rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static char *col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

static void copy_fixed(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* Read a row of PATTERN_COLUMNS. */
static void read_pattern(sqlite3_stmt *st, struct sdb_pattern *p)
{
	memset(p, 0, sizeof(*p));
	copy_fixed(p->id, sizeof(p->id), st, 0);
	p->problem_type = col_strdup(st, 1);
	copy_fixed(p->solution_hash, sizeof(p->solution_hash), st, 2);
	p->code_before = col_strdup(st, 3);
	p->code_after = col_strdup(st, 4);
	p->success_count = sqlite3_column_int64(st, 5);
	p->last_used = col_strdup(st, 6);
	p->created_by = col_strdup(st, 7);
	p->created_at = col_strdup(st, 8);
	for (int i = 0; i < SDB_NR_EXTRA; i++)
		p->extra[i] = col_strdup(st, 9 + i);
	p->has_confidence = sqlite3_column_type(st, 9 + SDB_NR_EXTRA) != SQLITE_NULL;
	p->confidence = sqlite3_column_double(st, 9 + SDB_NR_EXTRA);
	p->change_seq = sqlite3_column_int64(st, 10 + SDB_NR_EXTRA);
}

static int schema_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st = prepare(db, "PRAGMA user_version");
	int rc;
	if (!st)
		return SDB_ERROR;
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SDB_OK : db_error(db, "cannot read schema version");
}

static int migrate(sqlite3 *db, const char *path)
{
	const int latest = (int)ARRAY_SIZE(migrations);
	int version;

	if (schema_version(db, &version) < 0)
		return SDB_ERROR;
	if (version == latest)
		return SDB_OK;
	if (exec(db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	if (schema_version(db, &version) < 0)
		goto fail;
	if (version > latest) {
		err_set("server database %s has schema version %d, newer than this "
			"git-patterns (%d)", path, version, latest);
		goto fail;
	}
	for (int v = version; v < latest; v++) {
		char pragma[64];
		if (exec(db, migrations[v]) < 0)
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (exec(db, pragma) < 0)
			goto fail;
	}
	return exec(db, "COMMIT");
fail:
	rollback(db);
	return SDB_ERROR;
}

static void *sq_connect(struct serverdb *common)
{
	struct sqlite_db *d = (struct sqlite_db *)common;
	struct sqlite_conn *c = xcalloc(1, sizeof(*c));
	int rc = sqlite3_open_v2(d->path, &c->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					 SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		err_set("cannot open server database '%s': %s", d->path,
			c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(c->db, 30000);
	if (exec(c->db, "PRAGMA journal_mode=WAL") < 0 ||
	    exec(c->db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
			     "PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456; "
			     "PRAGMA wal_autocheckpoint=10000;") < 0) {
		char *msg = xstrdup(err_msg());
		err_set("cannot use server database '%s': %s", d->path, msg);
		free(msg);
		goto fail;
	}
	return c;
fail:
	sqlite3_close_v2(c->db);
	free(c);
	return NULL;
}

static void sq_disconnect(void *conn)
{
	struct sqlite_conn *c = conn;
	sqlite3_close_v2(c->db);
	free(c);
}

static void sq_destroy(struct serverdb *common)
{
	struct sqlite_db *d = (struct sqlite_db *)common;
	free(d->path);
	free(d);
}

static int sq_ping(struct serverdb *db, void *conn)
{
	struct sqlite_conn *c = conn;
	return exec(c->db, "SELECT 1") < 0 ? SDB_UNAVAILABLE : SDB_OK;
}

/* ---- keys ---- */

static int sq_key_add(struct serverdb *db, void *conn, const char *user, int is_admin,
		      const char *key_hash, long long *id)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "INSERT INTO api_keys (user_name, key_hash, "
					  "is_admin, created_at) VALUES (?1, ?2, ?3, " NOW_SQL ")");
	int rc;
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, !!is_admin);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c->db, "cannot add key");
	*id = sqlite3_last_insert_rowid(c->db);
	return SDB_OK;
}

static void read_key(sqlite3_stmt *st, struct sdb_key *k, char *hash_out)
{
	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(st, 0);
	k->user = col_strdup(st, 1);
	k->is_admin = sqlite3_column_int(st, 2);
	k->created_at = col_strdup(st, 3);
	k->revoked_at = col_strdup(st, 4);
	if (hash_out)
		copy_fixed(hash_out, 65, st, 5);
}

static int sq_key_lookup(struct serverdb *db, void *conn, const char *key_hash,
			 struct sdb_key *out)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT id, user_name, is_admin, created_at, "
					  "revoked_at, key_hash FROM api_keys WHERE key_hash = ?1");
	char stored[65];
	int rc;
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, key_hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_key(st, out, stored);
		sqlite3_finalize(st);
		/* the index found it; compare again without timing leaks */
		if (strlen(key_hash) == 64 && ct_equal(stored, key_hash, 64))
			return SDB_OK;
		sdb_key_release(out);
		return SDB_NOT_FOUND;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SDB_NOT_FOUND : db_error(c->db, "cannot look up key");
}

static int sq_key_list(struct serverdb *db, void *conn, struct sdb_key **keys, size_t *nr)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT id, user_name, is_admin, created_at, "
					  "revoked_at FROM api_keys ORDER BY id");
	size_t alloc = 0;
	int rc;
	*keys = NULL;
	*nr = 0;
	if (!st)
		return SDB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*keys, *nr + 1, alloc);
		read_key(st, &(*keys)[(*nr)++], NULL);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SDB_OK : db_error(c->db, "cannot list keys");
}

static int sq_key_revoke(struct serverdb *db, void *conn, long long id)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "UPDATE api_keys SET revoked_at = "
					  "COALESCE(revoked_at, " NOW_SQL ") WHERE id = ?1");
	int rc;
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c->db, "cannot revoke key");
	return sqlite3_changes(c->db) ? SDB_OK : SDB_NOT_FOUND;
}

/* ---- patterns ---- */

static int counter_add(sqlite3 *db, const char *name, long long delta, long long *value)
{
	sqlite3_stmt *st = prepare(db, "UPDATE counters SET value = value + ?2 "
				       "WHERE name = ?1 RETURNING value");
	int rc;
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, delta);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && value)
		*value = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SDB_OK : db_error(db, "cannot update counter");
}

static int step_pattern(sqlite3 *db, sqlite3_stmt *st, struct sdb_pattern *out)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_pattern(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return SDB_OK;
	return rc == SQLITE_DONE ? SDB_NOT_FOUND : db_error(db, "cannot read pattern");
}

static int get_by(sqlite3 *db, const char *where, const char *value, struct sdb_pattern *out)
{
	char *sql = xstrfmt("SELECT " PATTERN_COLUMNS " FROM patterns WHERE %s = ?1", where);
	sqlite3_stmt *st = prepare(db, sql);
	int rc;
	free(sql);
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	rc = step_pattern(db, st, out);
	sqlite3_finalize(st);
	return rc;
}

static int sq_pattern_put(struct serverdb *db, void *conn, struct sdb_pattern *items,
			  size_t n, const char *user)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *ins = NULL, *sel = NULL;
	long long seq, created = 0;
	char now[32];
	int ret = SDB_ERROR;

	utc_now(now);
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	ins = prepare(c->db, "INSERT INTO patterns (id, problem_type, solution_hash, "
			     "code_before, code_after, created_by, created_at, pattern_id, "
			     "commit_msg, language, file_path, project_id, commit_id, author, "
			     "date, author_name, confidence, created_seq, change_seq) VALUES (?1, "
			     "?2, ?3, ?4, ?5, ?6, ?18, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
			     "?16, ?17, ?17) ON CONFLICT (solution_hash) DO NOTHING");
	sel = prepare(c->db, "SELECT " PATTERN_COLUMNS " FROM patterns WHERE solution_hash = ?1");
	if (!ins || !sel || counter_add(c->db, "change_seq", 0, &seq) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct sdb_pattern *p = &items[i];
		char id[37];
		int rc;
		if (uuid_v7(id) < 0)
			goto out;
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, p->problem_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, p->solution_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, p->code_before, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, p->code_after, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, user, -1, SQLITE_STATIC);
		for (int k = 0; k < SDB_NR_EXTRA; k++) {
			if (p->extra[k])
				sqlite3_bind_text(ins, 7 + k, p->extra[k], -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(ins, 7 + k);
		}
		_Static_assert(SDB_NR_EXTRA == 9, "the INSERT above numbers 9 extra fields");
		if (p->has_confidence)
			sqlite3_bind_double(ins, 16, p->confidence);
		else
			sqlite3_bind_null(ins, 16);
		sqlite3_bind_int64(ins, 17, seq + 1);
		sqlite3_bind_text(ins, 18, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE) {
			db_error(c->db, "cannot store pattern");
			goto out;
		}
		if (sqlite3_changes(c->db)) {
			/* stored as given: complete the item from what was written */
			seq++;
			created++;
			p->created = 1;
			memcpy(p->id, id, sizeof(id));
			free(p->created_by);
			free(p->created_at);
			free(p->last_used);
			p->created_by = xstrdup(user);
			p->created_at = xstrdup(now);
			p->last_used = NULL;
			p->success_count = 0;
			p->change_seq = seq;
		} else {
			/* known (maybe earlier in this batch): answer with the stored one */
			struct sdb_pattern stored;
			sqlite3_bind_text(sel, 1, p->solution_hash, -1, SQLITE_STATIC);
			rc = step_pattern(c->db, sel, &stored);
			if (rc < 0) {
				if (rc == SDB_NOT_FOUND)
					err_set("pattern %s vanished while storing it",
						p->solution_hash);
				ret = SDB_ERROR;
				goto out;
			}
			sdb_pattern_release(p);
			*p = stored;
			p->created = 0;
		}
	}
	if (created && (counter_add(c->db, "change_seq", created, NULL) < 0 ||
			counter_add(c->db, "patterns", created, NULL) < 0))
		goto out;
	if (exec(c->db, "COMMIT") < 0)
		goto out;
	ret = SDB_OK;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	if (ret < 0)
		rollback(c->db);
	return ret;
}

static void lower_uuid(char out[37], const char *id)
{
	for (int i = 0; i < 36; i++)
		out[i] = (char)tolower((unsigned char)id[i]);
	out[36] = '\0';
}

static int sq_pattern_get(struct serverdb *db, void *conn, const char *id,
			  struct sdb_pattern *out)
{
	struct sqlite_conn *c = conn;
	char lid[37];
	lower_uuid(lid, id);
	return get_by(c->db, "id", lid, out);
}

static int sq_pattern_list(struct serverdb *db, void *conn, const struct sdb_query *q,
			   struct sdb_pattern **out, size_t *nr, long long *total)
{
	struct sqlite_conn *c = conn;
	struct strbuf where = STRBUF_INIT, sql = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	char *like = q->q ? sdb_like_pattern(q->q) : NULL;
	int filtered = q->problem_type || q->language || q->project_id || q->q ||
		       q->has_min_confidence;
	size_t alloc = 0;
	int rc, ret = SDB_ERROR;

	/* parameters are numbered by meaning, so the fragments can be chosen freely */
	strbuf_addstr(&where, " WHERE 1");
	if (q->problem_type)
		strbuf_addstr(&where, " AND problem_type = ?1");
	if (q->language)
		strbuf_addstr(&where, " AND language = ?2");
	if (q->project_id)
		strbuf_addstr(&where, " AND project_id = ?3");
	if (like)
		strbuf_addstr(&where, " AND (commit_msg LIKE ?4 ESCAPE '\\' OR file_path LIKE "
				      "?4 ESCAPE '\\' OR code_before LIKE ?4 ESCAPE '\\' OR "
				      "code_after LIKE ?4 ESCAPE '\\')");
	if (q->has_min_confidence)
		strbuf_addstr(&where, " AND confidence >= ?5");
	if (q->has_since)
		strbuf_addstr(&where, " AND change_seq > ?6");

#define BIND_FILTERS(st)                                                       \
	do {                                                                   \
		if (q->problem_type)                                           \
			sqlite3_bind_text(st, 1, q->problem_type, -1, SQLITE_STATIC); \
		if (q->language)                                               \
			sqlite3_bind_text(st, 2, q->language, -1, SQLITE_STATIC); \
		if (q->project_id)                                             \
			sqlite3_bind_text(st, 3, q->project_id, -1, SQLITE_STATIC); \
		if (like)                                                      \
			sqlite3_bind_text(st, 4, like, -1, SQLITE_STATIC);     \
		if (q->has_min_confidence)                                     \
			sqlite3_bind_double(st, 5, q->min_confidence);         \
		if (q->has_since)                                              \
			sqlite3_bind_int64(st, 6, q->since);                   \
	} while (0)

	/* total: the counter row, or a count unless the caller does without */
	*total = -1;
	if (!(q->no_total && (filtered || q->has_since))) {
		if (filtered || q->has_since)
			strbuf_addf(&sql, "SELECT count(*) FROM patterns%s", where.buf);
		else
			strbuf_addstr(&sql,
				      "SELECT value FROM counters WHERE name = 'patterns'");
		st = prepare(c->db, sql.buf);
		if (!st)
			goto out;
		BIND_FILTERS(st);
		if (sqlite3_step(st) != SQLITE_ROW) {
			db_error(c->db, "cannot count patterns");
			goto out;
		}
		*total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
	}

	strbuf_reset(&sql);
	strbuf_addf(&sql, "SELECT " PATTERN_COLUMNS " FROM patterns%s", where.buf);
	if (q->has_since)
		strbuf_addstr(&sql, " ORDER BY change_seq LIMIT ?7");
	else
		strbuf_addstr(&sql, " ORDER BY success_count DESC, created_seq DESC "
				    "LIMIT ?7 OFFSET ?8");
	st = prepare(c->db, sql.buf);
	if (!st)
		goto out;
	BIND_FILTERS(st);
	sqlite3_bind_int64(st, 7, q->limit);
	if (!q->has_since)
		sqlite3_bind_int64(st, 8, (q->page - 1) * q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_pattern(st, &(*out)[(*nr)++]);
	}
	if (rc != SQLITE_DONE) {
		db_error(c->db, "cannot list patterns");
		goto out;
	}
	ret = SDB_OK;
#undef BIND_FILTERS
out:
	sqlite3_finalize(st);
	strbuf_release(&where);
	strbuf_release(&sql);
	free(like);
	if (ret < 0) {
		for (size_t i = 0; i < *nr; i++)
			sdb_pattern_release(&(*out)[i]);
		free(*out);
		*out = NULL;
		*nr = 0;
	}
	return ret;
}

static int sq_pattern_delete(struct serverdb *db, void *conn, const char *id,
			     const char *user, int is_admin)
{
	struct sqlite_conn *c = conn;
	struct sdb_pattern p;
	sqlite3_stmt *st = NULL;
	char lid[37];
	int rc;

	lower_uuid(lid, id);
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	rc = get_by(c->db, "id", lid, &p);
	if (rc < 0)
		goto out;
	if (!is_admin && strcmp(p.created_by, user))
		rc = SDB_FORBIDDEN;
	sdb_pattern_release(&p);
	if (rc < 0)
		goto out;
	rc = SDB_ERROR;
	st = prepare(c->db, "DELETE FROM patterns WHERE id = ?1");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(c->db, "cannot delete pattern");
		goto out;
	}
	if (counter_add(c->db, "patterns", -1, NULL) < 0 || exec(c->db, "COMMIT") < 0)
		goto out;
	rc = SDB_OK;
out:
	sqlite3_finalize(st);
	if (rc < 0)
		rollback(c->db);
	return rc;
}

static int sq_pattern_feedback(struct serverdb *db, void *conn, const char *id,
			       const char *user, int helpful, struct sdb_pattern *out)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = NULL;
	char lid[37], fid[37];
	long long count = 0, seq;
	int rc;

	lower_uuid(lid, id);
	if (uuid_v7(fid) < 0)
		return SDB_ERROR;
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	rc = get_by(c->db, "id", lid, out);
	if (rc < 0)
		goto out;
	rc = SDB_ERROR;
	st = prepare(c->db, "INSERT INTO pattern_feedback (id, pattern_id, user_id, helpful, "
			    "created_at) VALUES (?1, ?2, ?3, ?4, " NOW_SQL ") "
			    "ON CONFLICT (pattern_id, user_id) DO UPDATE SET "
			    "helpful = excluded.helpful, created_at = excluded.created_at");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, fid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, !!helpful);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(c->db, "cannot store feedback");
		goto out;
	}
	sqlite3_finalize(st);
	st = prepare(c->db, "SELECT count(*) FROM pattern_feedback WHERE pattern_id = ?1 "
			    "AND helpful");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_error(c->db, "cannot count feedback");
		goto out;
	}
	count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (count != out->success_count) {
		/* success_count changed: the pattern gets a new change_seq */
		if (counter_add(c->db, "change_seq", 1, &seq) < 0)
			goto out;
		st = prepare(c->db, "UPDATE patterns SET success_count = ?2, change_seq = ?3, "
				    "last_used = " NOW_SQL " WHERE id = ?1");
		if (!st)
			goto out;
		sqlite3_bind_int64(st, 3, seq);
	} else {
		st = prepare(c->db, "UPDATE patterns SET last_used = " NOW_SQL " WHERE id = ?1 "
				    "AND ?2 = ?2");
		if (!st)
			goto out;
	}
	sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, count);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(c->db, "cannot update pattern");
		goto out;
	}
	sdb_pattern_release(out);
	rc = get_by(c->db, "id", lid, out);
	if (rc < 0)
		goto out;
	if (exec(c->db, "COMMIT") < 0) {
		sdb_pattern_release(out);
		rc = SDB_ERROR;
		goto out;
	}
	rc = SDB_OK;
out:
	sqlite3_finalize(st);
	if (rc < 0) {
		if (rc != SDB_NOT_FOUND)
			sdb_pattern_release(out);
		rollback(c->db);
	}
	return rc;
}

/* ---- adapter versions ---- */

#define ADAPTER_COLUMNS                                                        \
	"id, version_name, adapter_path, created_by, created_at, "             \
	"parent_versions, method, weights, sha256, size, is_active"

static void read_adapter(sqlite3_stmt *st, struct adapter_version *a)
{
	memset(a, 0, sizeof(*a));
	copy_fixed(a->id, sizeof(a->id), st, 0);
	a->version_name = col_strdup(st, 1);
	a->file = col_strdup(st, 2);
	a->created_by = col_strdup(st, 3);
	a->created_at = col_strdup(st, 4);
	a->parent_versions = col_strdup(st, 5);
	a->method = col_strdup(st, 6);
	a->weights = col_strdup(st, 7);
	copy_fixed(a->sha256, sizeof(a->sha256), st, 8);
	a->size = sqlite3_column_int64(st, 9);
	a->is_active = sqlite3_column_int(st, 10);
}

/* The version ref names: its id (a UUID, any case) or its version name. */
static int adapter_by_ref(sqlite3 *db, const char *ref, struct adapter_version *out)
{
	sqlite3_stmt *st = prepare(db, "SELECT " ADAPTER_COLUMNS " FROM adapter_versions "
				       "WHERE id = ?1 OR version_name = ?2 "
				       "ORDER BY id = ?1 DESC LIMIT 1");
	char lid[37];
	int rc;
	if (!st)
		return SDB_ERROR;
	if (uuid_valid(ref)) {
		lower_uuid(lid, ref);
		sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_adapter(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return SDB_OK;
	return rc == SQLITE_DONE ? SDB_NOT_FOUND : db_error(db, "cannot read adapter version");
}

/* Run sql with text parameters (NULL: SQL NULL); SDB_OK when it is done. */
static int run_text(sqlite3 *db, const char *sql, const char *what, int n, ...)
{
	sqlite3_stmt *st = prepare(db, sql);
	va_list ap;
	int rc;
	if (!st)
		return SDB_ERROR;
	va_start(ap, n);
	for (int i = 1; i <= n; i++) {
		const char *v = va_arg(ap, const char *);
		if (v)
			sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SDB_OK : db_error(db, what);
}

/* Make id the one active version; log it as action unless action is NULL. */
static int set_active(sqlite3 *db, const char *id, const char *user, const char *action)
{
	char now[32];
	int rc;
	utc_now(now);
	rc = run_text(db, "UPDATE adapter_versions SET is_active = 0 WHERE is_active AND id <> ?1",
		      "cannot activate adapter version", 1, id);
	if (!rc)
		rc = run_text(db, "UPDATE adapter_versions SET is_active = 1 WHERE id = ?1",
			      "cannot activate adapter version", 1, id);
	if (!rc && action)
		rc = run_text(db, "INSERT INTO adapter_activations (version_id, activated_by, "
				  "activated_at, action) VALUES (?1, ?2, ?3, ?4)",
			      "cannot log activation", 4, id, user, now, action);
	return rc;
}

static int sq_adapter_add(struct serverdb *db, void *conn, struct adapter_version *a)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = NULL;
	struct adapter_version old;
	char now[32], size[32];
	int rc, any_active;

	utc_now(now);
	snprintf(size, sizeof(size), "%lld", a->size);
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	rc = adapter_by_ref(c->db, a->version_name, &old);
	if (rc == SDB_OK) {
		adapter_version_release(&old);
		err_set("adapter version '%s' already exists", a->version_name);
		rc = SDB_CONFLICT;
		goto out;
	}
	if (rc != SDB_NOT_FOUND)
		goto out;
	rc = SDB_ERROR;
	st = prepare(c->db, "SELECT count(*) FROM adapter_versions WHERE is_active");
	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		db_error(c->db, "cannot read adapter versions");
		goto out;
	}
	any_active = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	st = NULL;
	rc = run_text(c->db, "INSERT INTO adapter_versions (id, version_name, adapter_path, "
			     "created_by, created_at, parent_versions, method, weights, sha256, "
			     "size, is_active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
			     "CAST(?10 AS INTEGER), 0)",
		      "cannot store adapter version", 10, a->id, a->version_name, a->file,
		      a->created_by, now, a->parent_versions ? a->parent_versions : "[]",
		      a->method, a->weights, a->sha256, size);
	/* the first version becomes the active one: exactly one is, from then on */
	if (!rc && !any_active)
		rc = set_active(c->db, a->id, a->created_by, "first");
	if (!rc)
		rc = exec(c->db, "COMMIT");
	if (!rc) {
		free(a->created_at);
		a->created_at = xstrdup(now);
		a->is_active = !any_active;
	}
out:
	sqlite3_finalize(st);
	if (rc < 0)
		rollback(c->db);
	return rc;
}

static int sq_adapter_list(struct serverdb *db, void *conn, struct adapter_version **out,
			   size_t *nr)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT " ADAPTER_COLUMNS " FROM adapter_versions "
					  "ORDER BY created_at, rowid");
	size_t alloc = 0;
	int rc;
	if (!st)
		return SDB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_adapter(st, &(*out)[(*nr)++]);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return SDB_OK;
	adapter_versions_free(*out, *nr);
	*out = NULL;
	*nr = 0;
	return db_error(c->db, "cannot list adapter versions");
}

static int sq_adapter_get(struct serverdb *db, void *conn, const char *ref,
			  struct adapter_version *out)
{
	struct sqlite_conn *c = conn;
	return adapter_by_ref(c->db, ref, out);
}

/* The latest activation not undone of a version other than the current one. */
static int previous_activation(sqlite3 *db, long long *seq, char id[37])
{
	sqlite3_stmt *st = prepare(db, "SELECT a.seq, a.version_id FROM adapter_activations a "
				       "JOIN adapter_versions v ON v.id = a.version_id "
				       "WHERE NOT a.undone AND NOT v.is_active "
				       "ORDER BY a.seq DESC LIMIT 1");
	int rc;
	if (!st)
		return SDB_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		copy_fixed(id, 37, st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return SDB_OK;
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot read adapter activations");
	err_set("no earlier adapter version to roll back to");
	return SDB_CONFLICT;
}

static int sq_adapter_activate(struct serverdb *db, void *conn, const char *ref,
			       const char *user, int is_rollback, struct adapter_version *out)
{
	struct sqlite_conn *c = conn;
	char id[37], seq_text[32];
	long long seq;
	int rc;

	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	if (ref) {
		rc = adapter_by_ref(c->db, ref, out);
		if (rc < 0)
			goto out;
		memcpy(id, out->id, sizeof(id));
		adapter_version_release(out);
		rc = set_active(c->db, id, user, is_rollback ? "rollback" : "activate");
	} else {
		rc = previous_activation(c->db, &seq, id);
		if (rc < 0)
			goto out;
		/* undo every later activation: the next rollback goes further back */
		snprintf(seq_text, sizeof(seq_text), "%lld", seq);
		rc = run_text(c->db, "UPDATE adapter_activations SET undone = 1 "
				     "WHERE seq > CAST(?1 AS INTEGER) AND NOT undone",
			      "cannot record rollback", 1, seq_text);
		if (!rc)
			rc = set_active(c->db, id, user, NULL);
	}
	if (!rc)
		rc = adapter_by_ref(c->db, id, out);
	if (!rc && (rc = exec(c->db, "COMMIT")) < 0)
		adapter_version_release(out);
out:
	if (rc < 0)
		rollback(c->db);
	return rc;
}

static int sq_adapter_delete(struct serverdb *db, void *conn, const char *ref,
			     struct adapter_version *out)
{
	struct sqlite_conn *c = conn;
	int rc;

	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	rc = adapter_by_ref(c->db, ref, out);
	if (rc < 0)
		goto out;
	if (out->is_active) {
		err_set("adapter version '%s' is active", out->version_name);
		rc = SDB_CONFLICT;
	} else {
		rc = run_text(c->db, "DELETE FROM adapter_versions WHERE id = ?1",
			      "cannot delete adapter version", 1, out->id);
	}
	if (!rc)
		rc = exec(c->db, "COMMIT");
	if (rc < 0)
		adapter_version_release(out);
out:
	if (rc < 0)
		rollback(c->db);
	return rc;
}

/* ---- web interface sessions ---- */

static int sq_session_add(struct serverdb *db, void *conn, const char *token_hash,
			  long long key_id, long long expires_at, long long now)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st;
	int rc;

	st = prepare(c->db, "DELETE FROM ui_sessions WHERE expires_at <= ?1");
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c->db, "cannot forget expired sessions");
	st = prepare(c->db, "INSERT INTO ui_sessions (token_hash, key_id, created_at, "
			    "expires_at) VALUES (?1, ?2, " NOW_SQL ", ?3)");
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, key_id);
	sqlite3_bind_int64(st, 3, expires_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SDB_OK : db_error(c->db, "cannot store session");
}

static int sq_session_lookup(struct serverdb *db, void *conn, const char *token_hash,
			     long long now, struct sdb_session *out)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT k.id, k.user_name, k.is_admin, s.expires_at, "
					  "s.token_hash FROM ui_sessions s JOIN api_keys k ON "
					  "k.id = s.key_id WHERE s.token_hash = ?1 AND "
					  "s.expires_at > ?2 AND k.revoked_at IS NULL");
	char stored[65];
	int rc;
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? SDB_NOT_FOUND : db_error(c->db, "cannot look up session");
	}
	out->key_id = sqlite3_column_int64(st, 0);
	out->user = col_strdup(st, 1);
	out->is_admin = sqlite3_column_int(st, 2);
	out->expires_at = sqlite3_column_int64(st, 3);
	copy_fixed(stored, sizeof(stored), st, 4);
	sqlite3_finalize(st);
	/* the index found it; compare again without timing leaks */
	if (!ct_equal(stored, token_hash, 64)) {
		sdb_session_release(out);
		return SDB_NOT_FOUND;
	}
	return SDB_OK;
}

static int sq_session_delete(struct serverdb *db, void *conn, const char *token_hash)
{
	struct sqlite_conn *c = conn;
	return run_text(c->db, "DELETE FROM ui_sessions WHERE token_hash = ?1",
			"cannot delete session", 1, token_hash);
}

static int sq_pattern_votes(struct serverdb *db, void *conn, const char *id, const char *user,
			    long long *helpful, long long *not_helpful, int *mine)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT COALESCE(SUM(helpful), 0), "
					  "COALESCE(SUM(1 - helpful), 0), "
					  "MAX(CASE WHEN user_id = ?2 THEN helpful END) "
					  "FROM pattern_feedback WHERE pattern_id = ?1");
	char lid[37];
	int rc;
	if (!st)
		return SDB_ERROR;
	lower_uuid(lid, id);
	sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*helpful = sqlite3_column_int64(st, 0);
		*not_helpful = sqlite3_column_int64(st, 1);
		*mine = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SDB_OK : db_error(c->db, "cannot count votes");
}

static const struct serverdb_ops sqlite_ops = {
	.name = "sqlite",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.destroy = sq_destroy,
	.ping = sq_ping,
	.key_add = sq_key_add,
	.key_lookup = sq_key_lookup,
	.key_list = sq_key_list,
	.key_revoke = sq_key_revoke,
	.pattern_put = sq_pattern_put,
	.pattern_get = sq_pattern_get,
	.pattern_list = sq_pattern_list,
	.pattern_delete = sq_pattern_delete,
	.pattern_feedback = sq_pattern_feedback,
	.adapter_add = sq_adapter_add,
	.adapter_list = sq_adapter_list,
	.adapter_get = sq_adapter_get,
	.adapter_activate = sq_adapter_activate,
	.adapter_delete = sq_adapter_delete,
	.session_add = sq_session_add,
	.session_lookup = sq_session_lookup,
	.session_delete = sq_session_delete,
	.pattern_votes = sq_pattern_votes,
};

int serverdb_sqlite_open(struct serverdb **out, const char *path)
{
	struct sqlite_db *d = xcalloc(1, sizeof(*d));
	struct sqlite_conn *c;

	d->path = xstrdup(path);
	serverdb_init_common(&d->common, &sqlite_ops);
	c = sq_connect(&d->common);
	if (!c || migrate(c->db, path) < 0) {
		if (c)
			sq_disconnect(c);
		serverdb_close(&d->common);
		return SDB_ERROR;
	}
	/* keep it as this thread's connection */
	ALLOC_GROW(d->common.conns, 1, d->common.alloc_conns);
	d->common.conns[d->common.nr_conns++] = c;
	pthread_setspecific(d->common.key, c);
	*out = &d->common;
	return SDB_OK;
}
