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
#include "common/json.h"
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

/* Statements kept prepared on a connection (hot paths of every request). */
enum {
	STMT_KEY_LOOKUP,
	STMT_PROJECT_REV,
	STMT_SUGGEST,
	STMT_SUGGEST_TYPES,
	NR_KEPT_STMTS
};

struct sqlite_conn {
	sqlite3 *db;
	sqlite3_stmt *kept[NR_KEPT_STMTS];
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
	 * 4: cross-project learning: projects, what each pushed, applications
	 * and outcomes; rank_key orders a project's patterns for suggestions
	 */
	"INSERT INTO counters VALUES ('projects_rev', 0);"
	"CREATE TABLE projects ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  canonical_url TEXT NOT NULL UNIQUE,"
	"  repo_url TEXT NOT NULL,"
	"  language TEXT, framework TEXT, domain TEXT, languages TEXT,"
	"  created_by TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE TABLE project_patterns ("
	"  project_id TEXT NOT NULL,"
	"  pattern_id TEXT NOT NULL REFERENCES patterns(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (project_id, pattern_id)) WITHOUT ROWID;"
	"CREATE INDEX idx_project_patterns_pattern ON project_patterns(pattern_id);"
	"ALTER TABLE patterns ADD COLUMN outcome_successes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE patterns ADD COLUMN outcome_failures INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE patterns ADD COLUMN rank_key REAL GENERATED ALWAYS AS ("
	"  COALESCE(confidence, 0) * CASE WHEN outcome_successes + outcome_failures = 0"
	"  THEN 0.5 ELSE CAST(outcome_successes AS REAL) /"
	"  (outcome_successes + outcome_failures) END) VIRTUAL;"
	"CREATE INDEX idx_patterns_project_rank ON patterns("
	"  project_id, rank_key DESC, success_count DESC, created_seq DESC);"
	"CREATE TABLE applications ("
	"  target_project_id TEXT NOT NULL,"
	"  pattern_id TEXT NOT NULL REFERENCES patterns(id) ON DELETE CASCADE,"
	"  source_project_id TEXT,"
	"  similarity_score REAL NOT NULL,"
	"  applied INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  applied_at TEXT,"
	"  outcome TEXT,"
	"  outcome_at TEXT,"
	"  successes INTEGER NOT NULL DEFAULT 0,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (target_project_id, pattern_id));"
	"CREATE INDEX idx_applications_pattern ON applications(pattern_id);"
	/* the change feed's deletions (SPEC §6) */
	"CREATE TABLE deleted_patterns ("
	"  id TEXT PRIMARY KEY,"
	"  change_seq INTEGER NOT NULL UNIQUE);",
	/* 5: the recall index (serverdb.h, recall): sketch feature -> pattern */
	"CREATE TABLE recall_postings ("
	"  feature INTEGER NOT NULL,"
	"  pattern TEXT NOT NULL,"
	"  PRIMARY KEY (feature, pattern)) WITHOUT ROWID;"
	"CREATE TABLE recall_state (one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  upto INTEGER NOT NULL," /* the highest created_seq indexed */
	"  version INTEGER NOT NULL);" /* LIKENESS_VERSION of the postings */
	"INSERT INTO recall_state VALUES (1, 0, 0);",
	/*
	 * 6: web interface sessions (SPEC §10): only the token's SHA-256; and
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
	/*
	 * 7: the text search's index (GET /patterns?q=, /ui/?q=): the
	 * trigrams of the searched columns, keyed by created_seq. Contentless
	 * and without positions (detail=none), so it is small: a match is only
	 * a candidate, which the LIKE of the listing confirms (sq_pattern_list).
	 */
	"CREATE UNIQUE INDEX idx_patterns_created_seq ON patterns(created_seq);"
	"CREATE VIRTUAL TABLE patterns_text USING fts5(commit_msg, file_path, code_before,"
	"  code_after, content='', detail=none, tokenize='trigram');"
	"INSERT INTO patterns_text(rowid, commit_msg, file_path, code_before, code_after)"
	"  SELECT created_seq, commit_msg, file_path, code_before, code_after FROM patterns;",
	/*
	 * 8: the database's identity (serverdb_identity): one row, whose id
	 * the first open makes (so an existing database gets one too)
	 */
	"CREATE TABLE server_identity (one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  id TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);",
};

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ','now')"
#define PATTERN_COLUMNS                                                        \
	"id, problem_type, solution_hash, code_before, code_after, "           \
	"success_count, last_used, created_by, created_at, pattern_id, "       \
	"commit_msg, language, file_path, project_id, commit_id, author, "     \
	"date, author_name, confidence, change_seq, outcome_successes, outcome_failures"

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

/*
 * The statement kept in slot on this connection, prepared on first use
 * (parsed and planned once per connection, not per request). The caller
 * resets it after use, and never finalizes it.
 */
static sqlite3_stmt *kept(struct sqlite_conn *c, int slot, const char *sql)
{
	if (!c->kept[slot])
		c->kept[slot] = prepare(c->db, sql);
	return c->kept[slot];
}

/* Done with a kept statement: ends its read and drops its bindings. */
static void kept_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
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
	p->outcome_successes = sqlite3_column_int64(st, 11 + SDB_NR_EXTRA);
	p->outcome_failures = sqlite3_column_int64(st, 12 + SDB_NR_EXTRA);
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
	for (int i = 0; i < NR_KEPT_STMTS; i++)
		sqlite3_finalize(c->kept[i]);
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

static int sq_identity(struct serverdb *db, void *conn, const char *fresh, char out[37])
{
	struct sqlite_conn *c = conn;
	(void)db;
	for (int attempt = 0; attempt < 2; attempt++) {
		sqlite3_stmt *st = prepare(c->db, "SELECT id FROM server_identity WHERE one = 1");
		int rc;
		if (!st)
			return SDB_ERROR;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			copy_fixed(out, 37, st, 0);
		sqlite3_finalize(st);
		if (rc == SQLITE_ROW)
			return uuid_valid(out) ? SDB_OK
					       : err_set("server_identity holds no UUID ('%s')", out);
		if (rc != SQLITE_DONE)
			return db_error(c->db, "cannot read the database id");
		if (attempt)
			break;
		/* none yet: ours, unless another connection was first */
		st = prepare(c->db, "INSERT INTO server_identity(one, id, created_at)"
				    " VALUES (1, ?1, " NOW_SQL ") ON CONFLICT DO NOTHING");
		if (!st)
			return SDB_ERROR;
		sqlite3_bind_text(st, 1, fresh, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_error(c->db, "cannot store the database id");
	}
	return err_set("server database has no id");
}

static int sq_last_change(struct serverdb *db, void *conn, long long *seq)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT value FROM counters WHERE name = 'change_seq'");
	int rc;
	(void)db;
	if (!st)
		return SDB_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SDB_OK : db_error(c->db, "cannot read the change counter");
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
	/* every request's first query: kept prepared (never cached: a revoked key is refused at once) */
	sqlite3_stmt *st = kept(c, STMT_KEY_LOOKUP,
				"SELECT id, user_name, is_admin, created_at, "
				"revoked_at, key_hash FROM api_keys WHERE key_hash = ?1");
	char stored[65];
	int rc;
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, key_hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_key(st, out, stored);
		kept_done(st);
		/* the index found it; compare again without timing leaks */
		if (strlen(key_hash) == 64 && ct_equal(stored, key_hash, 64))
			return SDB_OK;
		sdb_key_release(out);
		return SDB_NOT_FOUND;
	}
	kept_done(st);
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

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Add (st: the INSERT of sq_pattern_put) or remove (the 'delete' command,
 * which needs the very text that was added) a pattern's searched text in
 * patterns_text, whose rowid is the pattern's created_seq.
 */
static int index_text(sqlite3 *db, sqlite3_stmt *st, long long created_seq,
		      const struct sdb_pattern *p)
{
	int rc;
	sqlite3_bind_int64(st, 1, created_seq);
	bind_text_or_null(st, 2, p->extra[SDB_COMMIT_MSG]);
	bind_text_or_null(st, 3, p->extra[SDB_FILE_PATH]);
	bind_text_or_null(st, 4, p->code_before);
	bind_text_or_null(st, 5, p->code_after);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SDB_OK : db_error(db, "cannot index pattern text");
}

static int sq_pattern_put(struct serverdb *db, void *conn, struct sdb_pattern *items,
			  size_t n, const char *user)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *ins = NULL, *sel = NULL, *tag = NULL, *adopt = NULL, *text = NULL;
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
	tag = prepare(c->db, "INSERT OR IGNORE INTO project_patterns (project_id, pattern_id) "
			     "VALUES (?1, ?2)");
	adopt = prepare(c->db, "UPDATE patterns SET project_id = ?1 WHERE id = ?2 AND "
			       "project_id IS NULL");
	text = prepare(c->db, "INSERT INTO patterns_text(rowid, commit_msg, file_path, "
			      "code_before, code_after) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!tag || !adopt || !text)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct sdb_pattern *p = &items[i];
		char id[37], *project = NULL;
		int rc;
		if (uuid_v7(id) < 0)
			goto out;
		if (p->extra[SDB_PROJECT_ID])
			project = xstrdup(p->extra[SDB_PROJECT_ID]);
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
			free(project);
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
			if (index_text(c->db, text, seq, p) < 0) {
				free(project);
				goto out;
			}
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
				free(project);
				goto out;
			}
			sdb_pattern_release(p);
			*p = stored;
			p->created = 0;
		}
		if (project) {
			/* the project pushed it; the first to name one owns it */
			sqlite3_bind_text(tag, 1, project, -1, SQLITE_STATIC);
			sqlite3_bind_text(tag, 2, p->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(adopt, 1, project, -1, SQLITE_STATIC);
			sqlite3_bind_text(adopt, 2, p->id, -1, SQLITE_STATIC);
			rc = sqlite3_step(tag);
			if (rc == SQLITE_DONE)
				rc = sqlite3_step(adopt);
			sqlite3_reset(tag);
			sqlite3_reset(adopt);
			if (rc == SQLITE_DONE && !p->extra[SDB_PROJECT_ID])
				p->extra[SDB_PROJECT_ID] = xstrdup(project);
			free(project);
			if (rc != SQLITE_DONE) {
				db_error(c->db, "cannot tag pattern with its project");
				goto out;
			}
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
	sqlite3_finalize(tag);
	sqlite3_finalize(adopt);
	sqlite3_finalize(text);
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

/*
 * The FTS5 query for the candidates of a search for the substring s: its
 * trigrams (at most MAX_TRIGRAMS, spread over it), all required. NULL when
 * s has fewer than 3 characters, which no trigram can find. patterns_text
 * keeps no positions, so a row holding every trigram apart is a candidate
 * too: the caller confirms each with the LIKE.
 */
#define MAX_TRIGRAMS 16
static char *trigram_match(const char *s)
{
	size_t len = strlen(s), nr = 0, grams, step, *at;
	struct strbuf sb = STRBUF_INIT;

	if (!utf8_valid(s, len))
		return NULL;
	at = xmalloc((len + 1) * sizeof(*at));
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			at[nr++] = i; /* where each character starts */
	at[nr] = len;
	if (nr < 3) {
		free(at);
		return NULL;
	}
	grams = nr - 2;
	step = (grams + MAX_TRIGRAMS - 1) / MAX_TRIGRAMS;
	for (size_t g = 0; g < grams; g += step) {
		if (g + step >= grams)
			g = grams - 1; /* always the last one */
		strbuf_addstr(&sb, sb.len ? " \"" : "\"");
		for (size_t i = at[g]; i < at[g + 3]; i++) {
			if (s[i] == '"')
				strbuf_addch(&sb, '"');
			strbuf_addch(&sb, s[i]);
		}
		strbuf_addch(&sb, '"');
	}
	free(at);
	return strbuf_detach(&sb, NULL);
}

/* *value of the counter row name. */
static int counter_get(sqlite3 *db, const char *name, long long *value)
{
	return counter_add(db, name, 0, value);
}

/* How many rows patterns_text names for match, counting no further than cap. */
static int count_candidates(sqlite3 *db, const char *match, long long cap, long long *nr)
{
	sqlite3_stmt *st = prepare(db, "SELECT count(*) FROM (SELECT 1 FROM patterns_text "
				       "WHERE patterns_text MATCH ?1 LIMIT ?2)");
	int rc;
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cap);
	rc = sqlite3_step(st);
	*nr = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SDB_OK : db_error(db, "cannot search pattern text");
}

/* The rows of a search, looked up from the candidates of patterns_text. */
#define FROM_CANDIDATES                                                        \
	" FROM (SELECT rowid AS text_seq FROM patterns_text WHERE patterns_text "   \
	"MATCH ?9) CROSS JOIN patterns ON created_seq = text_seq"

/*
 * The best ranked rows that pass the filters other than the text (%s: " AND
 * ..."), at most sdb_query.scan_limit of them.
 */
#define FROM_RANKED                                                            \
	" FROM (SELECT * FROM patterns WHERE 1%s ORDER BY success_count DESC, "      \
	"created_seq DESC LIMIT ?10) AS patterns"

static int sq_pattern_list(struct serverdb *db, void *conn, const struct sdb_query *q,
			   struct sdb_pattern **out, size_t *nr, long long *total)
{
	struct sqlite_conn *c = conn;
	struct strbuf where = STRBUF_INIT, sql = STRBUF_INIT;
	struct strbuf filters = STRBUF_INIT, from = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	char *like = q->q ? sdb_like_pattern(q->q) : NULL;
	/* the change feed (since) reads in change order: it keeps the LIKE alone */
	char *match = like && !q->has_since ? trigram_match(q->q) : NULL;
	int filtered = q->problem_type || q->language || q->project_id || q->q ||
		       q->has_min_confidence;
	int count = !(q->no_total && (filtered || q->has_since));
	int page_by_index = 0, count_by_index = 0;
	/* a short text no index serves: only the best ranked rows are tested */
	int scan_ranked = like && !match && !q->has_since && q->scan_limit > 0;
	size_t alloc = 0;
	int rc, ret = SDB_ERROR;

	/* parameters are numbered by meaning, so the fragments can be chosen freely */
	if (q->problem_type)
		strbuf_addstr(&filters, " AND problem_type = ?1");
	if (q->language)
		strbuf_addstr(&filters, " AND language = ?2");
	if (q->project_id)
		strbuf_addstr(&filters, " AND project_id = ?3");
	if (q->has_min_confidence)
		strbuf_addstr(&filters, " AND confidence >= ?5");
	/* the filters but the text pick the ranked rows scanned, then the text */
	if (scan_ranked)
		strbuf_addf(&from, FROM_RANKED, filters.buf);
	strbuf_addf(&where, " WHERE 1%s", filters.buf);
	if (like)
		strbuf_addstr(&where, " AND (commit_msg LIKE ?4 ESCAPE '\\' OR file_path LIKE "
				      "?4 ESCAPE '\\' OR code_before LIKE ?4 ESCAPE '\\' OR "
				      "code_after LIKE ?4 ESCAPE '\\')");
	if (q->has_since)
		strbuf_addstr(&where, " AND change_seq > ?6");

	if (match) {
		/*
		 * A rare text is looked up in patterns_text, a common one found
		 * by walking the ranked rows (sdb_search_budget); a count looks
		 * the candidates up unless they are a good part of all patterns.
		 */
		long long all, budget, cap, candidates;
		if (counter_get(c->db, "patterns", &all) < 0)
			goto out;
		budget = sdb_search_budget(q->page * q->limit, all);
		cap = count && all / 4 > budget ? all / 4 : budget;
		if (count_candidates(c->db, match, cap + 1, &candidates) < 0)
			goto out;
		page_by_index = candidates <= budget;
		count_by_index = candidates <= cap;
	}

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
		if (match)                                                     \
			sqlite3_bind_text(st, 9, match, -1, SQLITE_STATIC);    \
		if (scan_ranked)                                               \
			sqlite3_bind_int64(st, 10, q->scan_limit);             \
	} while (0)

	/* total: the counter row, or a count unless the caller does without */
	*total = -1;
	if (count) {
		if (filtered || q->has_since)
			strbuf_addf(&sql, "SELECT count(*)%s%s",
				    count_by_index ? FROM_CANDIDATES : " FROM patterns", where.buf);
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

	if (q->has_since) {
		/* deletions after the cursor count as changes too */
		sqlite3_stmt *del = prepare(c->db, "SELECT count(*) FROM deleted_patterns "
						   "WHERE change_seq > ?1");
		if (!del)
			goto out;
		sqlite3_bind_int64(del, 1, q->since);
		if (sqlite3_step(del) != SQLITE_ROW) {
			sqlite3_finalize(del);
			db_error(c->db, "cannot count deletions");
			goto out;
		}
		if (*total >= 0)
			*total += sqlite3_column_int64(del, 0);
		sqlite3_finalize(del);
	}

	strbuf_reset(&sql);
	if (q->has_since)
		strbuf_addf(&sql, "SELECT * FROM (SELECT " PATTERN_COLUMNS ", 0 AS deleted "
				  "FROM patterns%s UNION ALL SELECT id, '', '', NULL, NULL, 0, "
				  "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
				  "NULL, NULL, NULL, change_seq, 0, 0, 1 FROM deleted_patterns WHERE "
				  "change_seq > ?6) ORDER BY change_seq LIMIT ?7", where.buf);
	else
		strbuf_addf(&sql, "SELECT " PATTERN_COLUMNS "%s%s ORDER BY "
				  "success_count DESC, created_seq DESC LIMIT ?7 OFFSET ?8",
			    page_by_index ? FROM_CANDIDATES
			    : scan_ranked ? from.buf
					  : " FROM patterns",
			    where.buf);
	st = prepare(c->db, sql.buf);
	if (!st)
		goto out;
	BIND_FILTERS(st);
	sqlite3_bind_int64(st, 7, q->limit);
	if (!q->has_since)
		sqlite3_bind_int64(st, 8, (q->page - 1) * q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_pattern(st, &(*out)[*nr]);
		(*out)[(*nr)++].deleted = q->has_since && sqlite3_column_int(st, 13 + SDB_NR_EXTRA);
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
	strbuf_release(&filters);
	strbuf_release(&from);
	strbuf_release(&sql);
	free(like);
	free(match);
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
	long long seq, created_seq;
	char lid[37];
	int rc;

	lower_uuid(lid, id);
	memset(&p, 0, sizeof(p));
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	rc = get_by(c->db, "id", lid, &p);
	if (rc < 0)
		goto out;
	if (!is_admin && strcmp(p.created_by, user))
		rc = SDB_FORBIDDEN;
	if (rc < 0)
		goto out;
	rc = SDB_ERROR;
	/* its text leaves the search index with it */
	st = prepare(c->db, "DELETE FROM patterns WHERE id = ?1 RETURNING created_seq");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_error(c->db, "cannot delete pattern");
		goto out;
	}
	created_seq = sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(c->db, "cannot delete pattern");
		goto out;
	}
	sqlite3_finalize(st);
	st = prepare(c->db, "INSERT INTO patterns_text(patterns_text, rowid, commit_msg, "
			    "file_path, code_before, code_after) VALUES ('delete', ?1, ?2, ?3, "
			    "?4, ?5)");
	if (!st || index_text(c->db, st, created_seq, &p) < 0)
		goto out;
	if (counter_add(c->db, "patterns", -1, NULL) < 0 ||
	    counter_add(c->db, "change_seq", 1, &seq) < 0)
		goto out;
	sqlite3_finalize(st);
	st = prepare(c->db, "INSERT OR REPLACE INTO deleted_patterns (id, change_seq) "
			    "VALUES (?1, ?2)");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(c->db, "cannot record deletion");
		goto out;
	}
	if (exec(c->db, "COMMIT") < 0)
		goto out;
	rc = SDB_OK;
out:
	sqlite3_finalize(st);
	sdb_pattern_release(&p);
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

/* ---- cross-project learning ---- */

#define PROJECT_COLUMNS                                                        \
	"id, repo_url, canonical_url, language, framework, domain, languages, " \
	"created_by, created_at, updated_at, seq"

static void read_project(sqlite3_stmt *st, struct sdb_project *p)
{
	memset(p, 0, sizeof(*p));
	copy_fixed(p->id, sizeof(p->id), st, 0);
	p->repo_url = col_strdup(st, 1);
	p->canonical_url = col_strdup(st, 2);
	p->language = col_strdup(st, 3);
	p->framework = col_strdup(st, 4);
	p->domain = col_strdup(st, 5);
	p->languages = col_strdup(st, 6);
	p->created_by = col_strdup(st, 7);
	p->created_at = col_strdup(st, 8);
	p->updated_at = col_strdup(st, 9);
	p->seq = sqlite3_column_int64(st, 10);
}

static int project_by(sqlite3 *db, const char *column, const char *value,
		      struct sdb_project *out)
{
	char *sql = xstrfmt("SELECT " PROJECT_COLUMNS " FROM projects WHERE %s = ?1", column);
	sqlite3_stmt *st = prepare(db, sql);
	int rc;
	free(sql);
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_project(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return SDB_OK;
	return rc == SQLITE_DONE ? SDB_NOT_FOUND : db_error(db, "cannot read project");
}

static int sq_project_put(struct serverdb *db, void *conn, struct sdb_project *p,
			  const char *user, int is_admin)
{
	struct sqlite_conn *c = conn;
	struct sdb_project old;
	char id[37], now[32];
	int rc, created = 0;

	utc_now(now);
	if (uuid_v7(id) < 0)
		return SDB_ERROR;
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	rc = project_by(c->db, "canonical_url", p->canonical_url, &old);
	if (rc == SDB_OK) {
		created = 0;
		if (!is_admin && strcmp(old.created_by, user)) {
			err_set("project %s belongs to %s", old.canonical_url, old.created_by);
			rc = SDB_FORBIDDEN;
		} else {
			/* a clone that names no domain keeps the one another set */
			rc = run_text(c->db, "UPDATE projects SET repo_url = ?2, language = ?3, "
					     "framework = ?4, domain = COALESCE(?5, domain), "
					     "languages = ?6, updated_at = ?7 WHERE id = ?1",
				      "cannot update project", 7, old.id, p->repo_url, p->language,
				      p->framework, p->domain, p->languages, now);
			memcpy(id, old.id, sizeof(id));
		}
		sdb_project_release(&old);
	} else if (rc == SDB_NOT_FOUND) {
		created = 1;
		rc = run_text(c->db, "INSERT INTO projects (id, repo_url, canonical_url, language, "
				     "framework, domain, languages, created_by, created_at, "
				     "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
			      "cannot store project", 9, id, p->repo_url, p->canonical_url,
			      p->language, p->framework, p->domain, p->languages, user, now);
	}
	if (!rc)
		rc = counter_add(c->db, "projects_rev", 1, NULL);
	if (!rc)
		rc = project_by(c->db, "id", id, &old);
	if (!rc && (rc = exec(c->db, "COMMIT")) < 0)
		sdb_project_release(&old);
	if (rc < 0) {
		rollback(c->db);
		return rc;
	}
	sdb_project_release(p);
	*p = old;
	p->created = created;
	return SDB_OK;
}

static int sq_project_get(struct serverdb *db, void *conn, const char *id,
			  struct sdb_project *out)
{
	struct sqlite_conn *c = conn;
	char lid[37];
	lower_uuid(lid, id);
	return project_by(c->db, "id", lid, out);
}

static int sq_project_rev(struct serverdb *db, void *conn, long long *rev)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = kept(c, STMT_PROJECT_REV,
				"SELECT value FROM counters WHERE name = 'projects_rev'");
	int rc;
	if (!st)
		return SDB_ERROR;
	rc = sqlite3_step(st);
	*rev = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	kept_done(st);
	return rc == SQLITE_ROW ? SDB_OK : db_error(c->db, "cannot read projects revision");
}

static int sq_project_list(struct serverdb *db, void *conn, long long page, long long limit,
			   struct sdb_project **out, size_t *nr, long long *total)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT count(*) FROM projects");
	size_t alloc = 0;
	int rc;

	if (!st)
		return SDB_ERROR;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(c->db, "cannot count projects");
	}
	*total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = prepare(c->db, "SELECT " PROJECT_COLUMNS " FROM projects ORDER BY seq DESC "
			    "LIMIT ?1 OFFSET ?2");
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_int64(st, 1, limit ? limit : -1);
	sqlite3_bind_int64(st, 2, limit ? (page - 1) * limit : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_project(st, &(*out)[(*nr)++]);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return SDB_OK;
	sdb_projects_free(*out, *nr);
	*out = NULL;
	*nr = 0;
	return db_error(c->db, "cannot list projects");
}

/*
 * One statement per source project, each an index walk of
 * idx_patterns_project_rank that stops after per_source rows: the cost
 * depends on the similar projects only, never on the others' patterns.
 * The statement stays prepared on the connection, and all the sources are
 * read in one read transaction (one snapshot, one lock instead of one per
 * source).
 */
#define SUGGEST_SQL(types)                                                     \
	"SELECT id, problem_type, commit_msg, file_path, language, confidence, " \
	"outcome_successes, outcome_failures, success_count, created_seq, "    \
	"project_id, rank_key FROM patterns WHERE project_id = ?1 AND "        \
	"confidence >= ?2 AND " types " AND NOT EXISTS (SELECT 1 FROM "        \
	"project_patterns pp WHERE pp.project_id = ?3 AND "                    \
	"pp.pattern_id = patterns.id) AND NOT EXISTS (SELECT 1 FROM "          \
	"applications a WHERE a.target_project_id = ?3 AND "                   \
	"a.pattern_id = patterns.id AND a.applied) AND rank_key >= ?6 "        \
	"ORDER BY rank_key DESC, success_count DESC, created_seq DESC LIMIT ?5"

static void read_suggestion(sqlite3_stmt *st, struct sdb_suggestion *s)
{
	memset(s, 0, sizeof(*s));
	copy_fixed(s->pattern_id, sizeof(s->pattern_id), st, 0);
	s->pattern_type = col_strdup(st, 1);
	s->commit_msg = col_strdup(st, 2);
	s->file_path = col_strdup(st, 3);
	s->language = col_strdup(st, 4);
	s->confidence = sqlite3_column_double(st, 5);
	s->outcome_successes = sqlite3_column_int64(st, 6);
	s->outcome_failures = sqlite3_column_int64(st, 7);
	s->success_count = sqlite3_column_int64(st, 8);
	s->created_seq = sqlite3_column_int64(st, 9);
	copy_fixed(s->source_project_id, sizeof(s->source_project_id), st, 10);
}

static int sq_suggest(struct serverdb *db, void *conn, const struct sdb_suggest_query *q,
		      struct sdb_suggestion **out, size_t *nr)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st;
	char *types = NULL, lid[37];
	double *best;
	long long nr_best = 0;
	size_t alloc = 0;
	int rc = SQLITE_DONE, own_tx;

	if (q->nr_types)
		types = json_string_array(q->types, q->nr_types);
	st = q->nr_types
		? kept(c, STMT_SUGGEST_TYPES,
		       SUGGEST_SQL("problem_type IN (SELECT value FROM json_each(?4))"))
		: kept(c, STMT_SUGGEST, SUGGEST_SQL("?4 IS NULL"));
	/* (a connection already in a transaction reads in that one) */
	own_tx = sqlite3_get_autocommit(c->db);
	if (!st || (own_tx && exec(c->db, "BEGIN") < 0)) {
		free(types);
		return SDB_ERROR;
	}
	lower_uuid(lid, q->target);
	sqlite3_bind_double(st, 2, q->min_confidence);
	sqlite3_bind_text(st, 3, lid, -1, SQLITE_STATIC);
	if (types)
		sqlite3_bind_text(st, 4, types, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, q->per_source);
	best = xcalloc((size_t)q->per_source + 1, sizeof(*best));
	for (size_t i = 0; i < q->nr_sources && rc == SQLITE_DONE; i++) {
		double sim = q->similarity ? q->similarity[i] : 1;
		/*
		 * Sources come by decreasing similarity: once per_source
		 * candidates are known, a row of this source ranks among them
		 * only if sim × rank_key reaches the weakest of them.
		 */
		sqlite3_bind_double(st, 6, nr_best == q->per_source && sim > 0
						   ? best[nr_best - 1] / sim - 1e-9
						   : -1.0);
		sqlite3_bind_text(st, 1, q->sources[i], -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			double score = sim * sqlite3_column_double(st, 11);
			long long k;
			/* keep best[] the per_source highest scores, highest first */
			for (k = nr_best; k > 0 && best[k - 1] < score; k--)
				if (k < q->per_source)
					best[k] = best[k - 1];
			if (k < q->per_source) {
				best[k] = score;
				if (nr_best < q->per_source)
					nr_best++;
			}
			ALLOC_GROW(*out, *nr + 1, alloc);
			read_suggestion(st, &(*out)[(*nr)++]);
		}
		sqlite3_reset(st);
	}
	kept_done(st);
	if (rc != SQLITE_DONE)
		db_error(c->db, "cannot read suggestions");
	if (own_tx && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rollback(c->db);
	free(types);
	free(best);
	if (rc == SQLITE_DONE)
		return SDB_OK;
	sdb_suggestions_free(*out, *nr);
	*out = NULL;
	*nr = 0;
	return SDB_ERROR;
}

#define APPLICATION_COLUMNS                                                    \
	"target_project_id, pattern_id, COALESCE(source_project_id, ''), "     \
	"similarity_score, applied, created_at, applied_at, outcome"

static void read_application(sqlite3_stmt *st, struct sdb_application *a)
{
	memset(a, 0, sizeof(*a));
	copy_fixed(a->target_project_id, sizeof(a->target_project_id), st, 0);
	copy_fixed(a->pattern_id, sizeof(a->pattern_id), st, 1);
	copy_fixed(a->source_project_id, sizeof(a->source_project_id), st, 2);
	a->similarity_score = sqlite3_column_double(st, 3);
	a->applied = sqlite3_column_int(st, 4);
	a->created_at = col_strdup(st, 5);
	a->applied_at = col_strdup(st, 6);
	a->outcome = col_strdup(st, 7);
}

static int sq_application_put(struct serverdb *db, void *conn, struct sdb_application *items,
			      size_t n)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *up = NULL, *sel = NULL;
	char now[32];
	int rc = SDB_ERROR;

	utc_now(now);
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	/* one record per (target, pattern); applied only goes from 0 to 1 */
	up = prepare(c->db, "INSERT INTO applications (target_project_id, pattern_id, "
			    "source_project_id, similarity_score, applied, created_at, applied_at) "
			    "VALUES (?1, ?2, NULLIF(?3, ''), ?4, ?5, ?6, CASE WHEN ?5 THEN ?6 END) "
			    "ON CONFLICT (target_project_id, pattern_id) DO UPDATE SET "
			    "applied = 1, applied_at = ?6 WHERE excluded.applied AND NOT applied");
	sel = prepare(c->db, "SELECT " APPLICATION_COLUMNS " FROM applications WHERE "
			     "target_project_id = ?1 AND pattern_id = ?2");
	if (!up || !sel)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct sdb_application *a = &items[i];
		int step;
		sqlite3_bind_text(up, 1, a->target_project_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, a->pattern_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, a->source_project_id, -1, SQLITE_STATIC);
		sqlite3_bind_double(up, 4, a->similarity_score);
		sqlite3_bind_int(up, 5, !!a->applied);
		sqlite3_bind_text(up, 6, now, -1, SQLITE_STATIC);
		step = sqlite3_step(up);
		sqlite3_reset(up);
		if (step != SQLITE_DONE) {
			db_error(c->db, "cannot record application");
			goto out;
		}
		sqlite3_bind_text(sel, 1, a->target_project_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 2, a->pattern_id, -1, SQLITE_STATIC);
		step = sqlite3_step(sel);
		if (step == SQLITE_ROW) {
			free(a->created_at);
			free(a->applied_at);
			free(a->outcome);
			read_application(sel, a);
		}
		sqlite3_reset(sel);
		if (step != SQLITE_ROW) {
			db_error(c->db, "cannot read application");
			goto out;
		}
	}
	rc = exec(c->db, "COMMIT");
out:
	sqlite3_finalize(up);
	sqlite3_finalize(sel);
	if (rc < 0)
		rollback(c->db);
	return rc;
}

static int sq_pattern_outcome(struct serverdb *db, void *conn, const char *pattern_id,
			      const char *target, int success, struct sdb_pattern *out)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = NULL;
	char lid[37], ltarget[37];
	long long seq;
	int rc;

	lower_uuid(lid, pattern_id);
	lower_uuid(ltarget, target);
	/* the write lock first: the check and the update are one step */
	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	rc = get_by(c->db, "id", lid, out);
	if (rc < 0)
		goto out;
	sdb_pattern_release(out);
	rc = run_text(c->db, "UPDATE applications SET outcome = ?3, outcome_at = " NOW_SQL ", "
			     "successes = successes + (?3 = 'success'), "
			     "failures = failures + (?3 = 'failure') "
			     "WHERE target_project_id = ?1 AND pattern_id = ?2 AND applied",
		      "cannot record outcome", 3, ltarget, lid, success ? "success" : "failure");
	if (rc < 0)
		goto out;
	if (!sqlite3_changes(c->db)) {
		err_set("pattern %s was not applied in project %s", lid, ltarget);
		rc = SDB_CONFLICT;
		goto out;
	}
	rc = SDB_ERROR;
	if (counter_add(c->db, "change_seq", 1, &seq) < 0)
		goto out;
	st = prepare(c->db, "UPDATE patterns SET "
			    "outcome_successes = outcome_successes + ?2, "
			    "outcome_failures = outcome_failures + (1 - ?2), "
			    "confidence = round(max(0.0, min(1.0, COALESCE(confidence, 0.5) + "
			    "CASE WHEN ?2 THEN 0.05 ELSE -0.10 END)), 2), "
			    "last_used = " NOW_SQL ", change_seq = ?3 WHERE id = ?1");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, !!success);
	sqlite3_bind_int64(st, 3, seq);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(c->db, "cannot update pattern");
		goto out;
	}
	rc = get_by(c->db, "id", lid, out);
	if (rc < 0)
		goto out;
	rc = exec(c->db, "COMMIT");
	if (rc < 0)
		sdb_pattern_release(out);
out:
	sqlite3_finalize(st);
	if (rc < 0)
		rollback(c->db);
	return rc;
}

static int sq_application_list(struct serverdb *db, void *conn, const char *target,
			       struct sdb_application **out, size_t *nr,
			       struct sdb_app_stats *stats)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st;
	char ltarget[37];
	size_t alloc = 0;
	int rc;

	lower_uuid(ltarget, target);
	st = prepare(c->db, "SELECT count(*), COALESCE(sum(applied), 0), "
			    "COALESCE(sum(successes), 0), COALESCE(sum(failures), 0) "
			    "FROM applications WHERE target_project_id = ?1");
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, ltarget, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(c->db, "cannot count applications");
	}
	stats->total = sqlite3_column_int64(st, 0);
	stats->applied = sqlite3_column_int64(st, 1);
	stats->successes = sqlite3_column_int64(st, 2);
	stats->failures = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	st = prepare(c->db, "SELECT " APPLICATION_COLUMNS " FROM applications WHERE "
			    "target_project_id = ?1 AND applied ORDER BY applied_at DESC, rowid DESC");
	if (!st)
		return SDB_ERROR;
	sqlite3_bind_text(st, 1, ltarget, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_application(st, &(*out)[(*nr)++]);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return SDB_OK;
	sdb_applications_free(*out, *nr);
	*out = NULL;
	*nr = 0;
	return db_error(c->db, "cannot list applications");
}

/* ---- recall ---- */

/* Drop an index of another version (cheap check first). */
static int sq_recall_reset(sqlite3 *db, int version)
{
	sqlite3_stmt *st = prepare(db, "SELECT version FROM recall_state");
	int current, rc;

	if (!st)
		return SDB_ERROR;
	rc = sqlite3_step(st);
	current = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == version;
	sqlite3_finalize(st);
	if (current)
		return SDB_OK;
	if (exec(db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	st = prepare(db, "UPDATE recall_state SET upto = 0, version = ?1 WHERE version != ?1");
	if (!st || exec(db, "DELETE FROM recall_postings") < 0) {
		sqlite3_finalize(st);
		rollback(db);
		return SDB_ERROR;
	}
	sqlite3_bind_int(st, 1, version);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rollback(db);
		return db_error(db, "cannot reset the recall index");
	}
	return exec(db, "COMMIT");
}

static int sq_recall_unindexed(struct serverdb *db, void *conn, int version, int limit,
			       struct sdb_recall_doc **out, size_t *nr)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st;

	*out = NULL;
	*nr = 0;
	if (sq_recall_reset(c->db, version) < 0)
		return SDB_ERROR;
	st = prepare(c->db, "SELECT id, created_seq, language, code_before"
					  " FROM patterns WHERE created_seq >"
					  " (SELECT upto FROM recall_state) ORDER BY created_seq"
					  " LIMIT ?1");
	size_t alloc = 0;
	int rc;

	if (!st)
		return SDB_ERROR;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sdb_recall_doc *d;
		ALLOC_GROW(*out, *nr + 1, alloc);
		d = &(*out)[(*nr)++];
		copy_fixed(d->id, sizeof(d->id), st, 0);
		d->seq = sqlite3_column_int64(st, 1);
		d->language = col_strdup(st, 2);
		d->code_before = col_strdup(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SDB_OK : db_error(c->db, "cannot read patterns to index");
}

static int sq_recall_index_put(struct serverdb *db, void *conn, const struct sdb_posting *p,
			       size_t n, long long upto)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *ins = NULL, *mark = NULL;
	int rc = SDB_ERROR;

	if (exec(c->db, "BEGIN IMMEDIATE") < 0)
		return SDB_ERROR;
	ins = prepare(c->db, "INSERT OR IGNORE INTO recall_postings(feature, pattern)"
			     " VALUES (?1, ?2)");
	mark = prepare(c->db, "UPDATE recall_state SET upto = max(upto, ?1)");
	if (!ins || !mark)
		goto out;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(ins, 1, p[i].feature);
		sqlite3_bind_text(ins, 2, p[i].pattern, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			db_error(c->db, "cannot write the recall index");
			goto out;
		}
		sqlite3_reset(ins);
	}
	sqlite3_bind_int64(mark, 1, upto);
	if (sqlite3_step(mark) != SQLITE_DONE) {
		db_error(c->db, "cannot write the recall index");
		goto out;
	}
	rc = exec(c->db, "COMMIT");
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(mark);
	if (rc < 0)
		rollback(c->db);
	return rc;
}

static int sq_recall_lookup(struct serverdb *db, void *conn, const uint32_t *features,
			    size_t n, int cap, struct sdb_posting **out, size_t *nr)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *st = prepare(c->db, "SELECT pattern FROM recall_postings"
					  " WHERE feature = ?1 LIMIT ?2");
	size_t alloc = 0;
	int rc = SQLITE_DONE;

	if (!st)
		return SDB_ERROR;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(st, 1, features[i]);
		sqlite3_bind_int(st, 2, cap + 1);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			ALLOC_GROW(*out, *nr + 1, alloc);
			(*out)[*nr].feature = features[i];
			copy_fixed((*out)[*nr].pattern, sizeof((*out)[*nr].pattern), st, 0);
			(*nr)++;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SDB_OK : db_error(c->db, "cannot read the recall index");
}

static const struct serverdb_ops sqlite_ops = {
	.name = "sqlite",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.destroy = sq_destroy,
	.ping = sq_ping,
	.identity = sq_identity,
	.last_change = sq_last_change,
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
	.project_put = sq_project_put,
	.project_get = sq_project_get,
	.project_rev = sq_project_rev,
	.project_list = sq_project_list,
	.suggest = sq_suggest,
	.application_put = sq_application_put,
	.pattern_outcome = sq_pattern_outcome,
	.application_list = sq_application_list,
	.recall_unindexed = sq_recall_unindexed,
	.recall_index_put = sq_recall_index_put,
	.recall_lookup = sq_recall_lookup,
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
