/*
 * serverdb-pg.c: the team server's PostgreSQL backend (libpq), for teams
 * and for several servers sharing one database.
 *
 * One connection per worker thread. A connection that breaks (the
 * database restarted) is remade on the next call, and a statement outside
 * a transaction is retried once on the new connection, so the server
 * recovers without a restart. Every statement goes through PQexecParams
 * with bound parameters; batches pass columns as bound text arrays
 * (unnest), so a batch of 1000 patterns costs a handful of round trips.
 *
 * change_seq comes from the sequence pattern_change_seq. Every transaction
 * that takes values from it first takes the transaction-scoped advisory
 * lock CHANGE_LOCK, so values are handed out in commit order across all
 * servers: a reader that sees change N has seen every change below N.
 * Schema: the seed's, in valid PostgreSQL, plus keys, counters and the
 * sequence; versioned in schema_migrations, migrated under an advisory
 * lock so that servers starting together migrate once.
 */
#include "server/serverdb.h"
#include "common/hash.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <assert.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANGE_LOCK "7347001"
#define MIGRATE_LOCK "7347000"
#define ADAPTER_LOCK "7347002"

struct pg_db {
	struct serverdb common;
	char *url;
};

/* A statement prepared on this connection (by its SQL text). */
struct pg_stmt {
	char *sql;
	char name[16];
};
#define MAX_PREPARED 128

struct pg_conn {
	struct pg_db *db;
	PGconn *pg;
	int in_tx;
	struct pg_stmt *stmts;
	size_t nr_stmts, alloc_stmts;
};

static const char *const migrations[] = {
	/* 1: the seed's tables, plus keys, counters and the sync sequence */
	"CREATE SEQUENCE pattern_change_seq;"
	"CREATE TABLE patterns ("
	"  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),"
	"  problem_type VARCHAR(50) NOT NULL,"
	"  solution_hash VARCHAR(64) NOT NULL,"
	"  code_before TEXT NOT NULL,"
	"  code_after TEXT NOT NULL,"
	"  success_count INTEGER DEFAULT 0,"
	"  last_used TIMESTAMP,"
	"  created_by VARCHAR(255) NOT NULL,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  pattern_id VARCHAR(64),"
	"  commit_msg TEXT,"
	"  language VARCHAR(50),"
	"  file_path TEXT,"
	"  project_id VARCHAR(255),"
	"  commit_id VARCHAR(64),"
	"  author VARCHAR(255),"
	"  date VARCHAR(64),"
	"  confidence DOUBLE PRECISION,"
	"  created_seq BIGINT NOT NULL,"
	"  change_seq BIGINT NOT NULL,"
	"  CONSTRAINT unique_solution UNIQUE (solution_hash));"
	"CREATE INDEX idx_problem_type ON patterns (problem_type);"
	"CREATE INDEX idx_success_count ON patterns (success_count DESC, created_seq DESC);"
	"CREATE UNIQUE INDEX idx_change_seq ON patterns (change_seq);"
	"CREATE TABLE pattern_feedback ("
	"  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),"
	"  pattern_id UUID REFERENCES patterns(id) ON DELETE CASCADE,"
	"  user_id VARCHAR(255) NOT NULL,"
	"  helpful BOOLEAN NOT NULL,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  CONSTRAINT one_vote_per_user UNIQUE (pattern_id, user_id));"
	"CREATE TABLE adapter_versions ("
	"  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),"
	"  version_name VARCHAR(100) NOT NULL,"
	"  adapter_path VARCHAR(500) NOT NULL,"
	"  created_by VARCHAR(255) NOT NULL,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  is_active BOOLEAN DEFAULT FALSE);"
	"CREATE TABLE api_keys ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  user_name VARCHAR(255) NOT NULL,"
	"  key_hash CHAR(64) NOT NULL UNIQUE,"
	"  is_admin BOOLEAN NOT NULL DEFAULT FALSE,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  revoked_at TIMESTAMP);"
	"CREATE TABLE counters (name VARCHAR(50) PRIMARY KEY, value BIGINT NOT NULL);"
	"INSERT INTO counters VALUES ('patterns', 0);",
	/* 2: adapter versions (files, hashes, parents) and their activation log */
	"ALTER TABLE adapter_versions ADD COLUMN parent_versions TEXT NOT NULL DEFAULT '[]',"
	"  ADD COLUMN method VARCHAR(20) NOT NULL DEFAULT 'upload',"
	"  ADD COLUMN weights TEXT,"
	"  ADD COLUMN sha256 CHAR(64) NOT NULL DEFAULT '',"
	"  ADD COLUMN size BIGINT NOT NULL DEFAULT 0;"
	"CREATE UNIQUE INDEX idx_adapter_version_name ON adapter_versions (version_name);"
	"CREATE UNIQUE INDEX idx_adapter_one_active ON adapter_versions (is_active) "
	"  WHERE is_active;"
	"CREATE TABLE adapter_activations ("
	"  seq BIGSERIAL PRIMARY KEY,"
	"  version_id UUID NOT NULL,"
	"  activated_by VARCHAR(255) NOT NULL,"
	"  activated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  action VARCHAR(20) NOT NULL,"
	"  undone BOOLEAN NOT NULL DEFAULT FALSE);",
	/* issue 17: a pulled pattern keeps its author's name */
	"ALTER TABLE patterns ADD COLUMN author_name VARCHAR(255);",
	/*
	 * 4: cross-project learning: projects, what each pushed, applications
	 * and outcomes; rank_key orders a project's patterns for suggestions
	 */
	"INSERT INTO counters VALUES ('projects_rev', 0);"
	"CREATE TABLE projects ("
	"  id UUID PRIMARY KEY,"
	"  seq BIGSERIAL NOT NULL UNIQUE,"
	"  canonical_url TEXT NOT NULL UNIQUE,"
	"  repo_url TEXT NOT NULL,"
	"  language VARCHAR(100), framework VARCHAR(100), domain VARCHAR(100),"
	"  languages TEXT,"
	"  created_by VARCHAR(255) NOT NULL,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
	"CREATE TABLE project_patterns ("
	"  project_id VARCHAR(255) NOT NULL,"
	"  pattern_id UUID NOT NULL REFERENCES patterns(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (project_id, pattern_id));"
	"CREATE INDEX idx_project_patterns_pattern ON project_patterns (pattern_id);"
	"ALTER TABLE patterns ADD COLUMN outcome_successes INTEGER NOT NULL DEFAULT 0,"
	"  ADD COLUMN outcome_failures INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE patterns ADD COLUMN rank_key DOUBLE PRECISION GENERATED ALWAYS AS ("
	"  COALESCE(confidence, 0) * CASE WHEN outcome_successes + outcome_failures = 0"
	"  THEN 0.5 ELSE outcome_successes::double precision /"
	"  (outcome_successes + outcome_failures) END) STORED;"
	"CREATE INDEX idx_patterns_project_rank ON patterns ("
	"  project_id, rank_key DESC, success_count DESC, created_seq DESC);"
	"CREATE TABLE applications ("
	"  target_project_id UUID NOT NULL,"
	"  pattern_id UUID NOT NULL REFERENCES patterns(id) ON DELETE CASCADE,"
	"  source_project_id UUID,"
	"  similarity_score DOUBLE PRECISION NOT NULL,"
	"  applied BOOLEAN NOT NULL DEFAULT FALSE,"
	"  seq BIGSERIAL NOT NULL,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  applied_at TIMESTAMP,"
	"  outcome VARCHAR(10),"
	"  outcome_at TIMESTAMP,"
	"  successes INTEGER NOT NULL DEFAULT 0,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (target_project_id, pattern_id));"
	"CREATE INDEX idx_applications_pattern ON applications (pattern_id);"
	/* the change feed's deletions (SPEC §6) */
	"CREATE TABLE deleted_patterns ("
	"  id UUID PRIMARY KEY,"
	"  change_seq BIGINT NOT NULL UNIQUE);",
	/* 5: the recall index (serverdb.h, recall): sketch feature -> pattern */
	"CREATE TABLE recall_postings ("
	"  feature BIGINT NOT NULL,"
	"  pattern UUID NOT NULL,"
	"  PRIMARY KEY (feature, pattern));"
	"CREATE TABLE recall_state (one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  upto BIGINT NOT NULL," /* the highest created_seq indexed */
	"  version INTEGER NOT NULL);" /* LIKENESS_VERSION of the postings */
	"INSERT INTO recall_state VALUES (1, 0, 0);",
	/*
	 * 6: web interface sessions (SPEC §10): only the token's SHA-256; and
	 * indexes that rank a filtered listing without sorting it
	 */
	"CREATE TABLE ui_sessions ("
	"  token_hash CHAR(64) PRIMARY KEY,"
	"  key_id BIGINT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
	"  expires_at BIGINT NOT NULL);"
	"CREATE INDEX idx_ui_sessions_expires ON ui_sessions (expires_at);"
	/* a filtered page walks its filter's index in rank order: no sort */
	"CREATE INDEX idx_type_rank ON patterns (problem_type, success_count DESC, "
	"  created_seq DESC);"
	"CREATE INDEX idx_language_rank ON patterns (language, success_count DESC, "
	"  created_seq DESC);"
	"CREATE INDEX idx_project_rank ON patterns (project_id, success_count DESC, "
	"  created_seq DESC);",
	/*
	 * 7: the text search's indexes (GET /patterns?q=, /ui/?q=): trigrams
	 * of each searched column (pg_trgm, a trusted extension: a database
	 * owner may create it), which serve its ILIKE directly; analysed, so
	 * that the planner knows a common word from a rare one at once
	 */
	"CREATE EXTENSION IF NOT EXISTS pg_trgm;"
	"CREATE INDEX idx_patterns_msg_trgm ON patterns USING gin (commit_msg gin_trgm_ops);"
	"CREATE INDEX idx_patterns_path_trgm ON patterns USING gin (file_path gin_trgm_ops);"
	"CREATE INDEX idx_patterns_before_trgm ON patterns USING gin (code_before "
	"  gin_trgm_ops);"
	"CREATE INDEX idx_patterns_after_trgm ON patterns USING gin (code_after gin_trgm_ops);"
	"ANALYZE patterns;",
	/*
	 * 8: the database's identity (serverdb_identity): one row, whose id
	 * the first open makes (so an existing database gets one too)
	 */
	"CREATE TABLE server_identity (one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  id UUID NOT NULL,"
	"  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);",
};

#define TS(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define PATTERN_COLUMNS                                                        \
	"id::text, problem_type, solution_hash, code_before, code_after, "     \
	"COALESCE(success_count, 0), " TS("last_used") ", created_by, "         \
	TS("created_at") ", pattern_id, commit_msg, language, file_path, "     \
	"project_id, commit_id, author, date, author_name, confidence, change_seq, "         \
	"outcome_successes, outcome_failures"

/* ---- connections and statements ---- */

static void drop(struct pg_conn *c)
{
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
	c->in_tx = 0;
	/* prepared statements die with their connection */
	for (size_t i = 0; i < c->nr_stmts; i++)
		free(c->stmts[i].sql);
	c->nr_stmts = 0;
}

/*
 * The name of sql prepared on this connection, preparing it on first use
 * (parsing and planning once per connection, not per request); NULL when
 * it cannot be prepared, and the caller runs it unprepared.
 */
static const char *prepared(struct pg_conn *c, const char *sql, int n)
{
	struct pg_stmt *st;
	PGresult *res;

	for (size_t i = 0; i < c->nr_stmts; i++)
		if (!strcmp(c->stmts[i].sql, sql))
			return c->stmts[i].name;
	if (c->nr_stmts >= MAX_PREPARED || c->in_tx)
		return NULL; /* a failed prepare would abort the transaction */
	ALLOC_GROW(c->stmts, c->nr_stmts + 1, c->alloc_stmts);
	st = &c->stmts[c->nr_stmts];
	snprintf(st->name, sizeof(st->name), "gp%zu", c->nr_stmts);
	res = PQprepare(c->pg, st->name, sql, n, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	st->sql = xstrdup(sql);
	c->nr_stmts++;
	return st->name;
}

static int pg_reconnect(struct pg_conn *c)
{
	static const char *const keys[] = { "dbname", "connect_timeout", "application_name",
					    "options", NULL };
	/*
	 * client_min_messages: the server's NOTICEs ("relation ... already
	 * exists, skipping" from every start's migration check) are not news
	 * to a user; warnings and errors still come through.
	 */
	const char *vals[] = { c->db->url, "3", "git-patterns-server",
			       "-c TimeZone=UTC -c client_min_messages=warning", NULL };

	drop(c);
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		char *msg = xstrdup(c->pg ? PQerrorMessage(c->pg) : "out of memory");
		size_t n = strlen(msg);
		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		err_set("cannot connect to PostgreSQL: %s", msg);
		free(msg);
		drop(c);
		return SDB_UNAVAILABLE;
	}
	return SDB_OK;
}

static int pg_ensure(struct pg_conn *c)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
		return SDB_OK;
	return pg_reconnect(c);
}

/*
 * Run one statement with n text parameters (NULL = SQL NULL). Returns the
 * result, or NULL with *rc set (SDB_UNAVAILABLE when the connection is
 * gone, else SDB_ERROR) and err_set. Outside a transaction a broken
 * connection is remade and the statement tried once more.
 */
static PGresult *pq(struct pg_conn *c, const char *sql, int n, const char *const *vals,
		    int *rc)
{
	for (int attempt = 0;; attempt++) {
		PGresult *res;
		ExecStatusType st;

		*rc = pg_ensure(c);
		if (*rc < 0)
			return NULL;
		{
			const char *name = prepared(c, sql, n);
			res = name ? PQexecPrepared(c->pg, name, n, vals, NULL, NULL, 0)
				   : PQexecParams(c->pg, sql, n, NULL, vals, NULL, NULL, 0);
		}
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			*rc = SDB_OK;
			return res;
		}
		if (PQstatus(c->pg) != CONNECTION_OK) {
			int was_in_tx = c->in_tx;
			PQclear(res);
			drop(c);
			if (!was_in_tx && attempt == 0)
				continue;
			err_set("lost the connection to PostgreSQL");
			*rc = SDB_UNAVAILABLE;
			return NULL;
		}
		{
			char *msg = xstrdup(res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
			size_t len = strlen(msg);
			while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
				msg[--len] = '\0';
			err_set("PostgreSQL: %s", msg);
			free(msg);
		}
		PQclear(res);
		*rc = SDB_ERROR;
		return NULL;
	}
}

/* A statement whose result is not needed. */
static int pq_do(struct pg_conn *c, const char *sql, int n, const char *const *vals)
{
	int rc;
	PGresult *res = pq(c, sql, n, vals, &rc);
	PQclear(res);
	return rc;
}

static int pg_begin(struct pg_conn *c, int change_lock)
{
	int rc = pq_do(c, "BEGIN", 0, NULL);
	if (rc < 0)
		return rc;
	c->in_tx = 1;
	if (change_lock) {
		rc = pq_do(c, "SELECT pg_advisory_xact_lock(" CHANGE_LOCK ")", 0, NULL);
		if (rc < 0) {
			c->in_tx = 0;
			if (c->pg)
				PQclear(PQexec(c->pg, "ROLLBACK"));
		}
	}
	return rc;
}

static int pg_commit(struct pg_conn *c)
{
	int rc = pq_do(c, "COMMIT", 0, NULL);
	c->in_tx = 0;
	return rc;
}

static void pg_rollback(struct pg_conn *c)
{
	if (c->in_tx && c->pg && PQstatus(c->pg) == CONNECTION_OK)
		PQclear(PQexec(c->pg, "ROLLBACK"));
	c->in_tx = 0;
}

static char *get_str(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return xstrndup(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
}

static void read_pattern(PGresult *res, int row, struct sdb_pattern *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", PQgetvalue(res, row, 0));
	p->problem_type = get_str(res, row, 1);
	snprintf(p->solution_hash, sizeof(p->solution_hash), "%s", PQgetvalue(res, row, 2));
	p->code_before = get_str(res, row, 3);
	p->code_after = get_str(res, row, 4);
	p->success_count = strtoll(PQgetvalue(res, row, 5), NULL, 10);
	p->last_used = get_str(res, row, 6);
	p->created_by = get_str(res, row, 7);
	p->created_at = get_str(res, row, 8);
	for (int i = 0; i < SDB_NR_EXTRA; i++)
		p->extra[i] = get_str(res, row, 9 + i);
	p->has_confidence = !PQgetisnull(res, row, 9 + SDB_NR_EXTRA);
	if (p->has_confidence)
		p->confidence = strtod(PQgetvalue(res, row, 9 + SDB_NR_EXTRA), NULL);
	p->change_seq = strtoll(PQgetvalue(res, row, 10 + SDB_NR_EXTRA), NULL, 10);
	p->outcome_successes = strtoll(PQgetvalue(res, row, 11 + SDB_NR_EXTRA), NULL, 10);
	p->outcome_failures = strtoll(PQgetvalue(res, row, 12 + SDB_NR_EXTRA), NULL, 10);
}

/* ---- open, migrate ---- */

static void *pg_connect_cb(struct serverdb *common)
{
	struct pg_conn *c = xcalloc(1, sizeof(*c));
	c->db = (struct pg_db *)common;
	/* a database that is down now is tried again on each call */
	pg_reconnect(c);
	return c;
}

static void pg_disconnect_cb(void *conn)
{
	struct pg_conn *c = conn;
	drop(c);
	free(c->stmts);
	free(c);
}

static void pg_destroy(struct serverdb *common)
{
	struct pg_db *d = (struct pg_db *)common;
	free(d->url);
	free(d);
}

static int migrate(struct pg_conn *c)
{
	const int latest = (int)ARRAY_SIZE(migrations);
	PGresult *res;
	int rc, version;

	if ((rc = pg_begin(c, 0)) < 0)
		return rc;
	if ((rc = pq_do(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", 0, NULL)) < 0 ||
	    (rc = pq_do(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
			   "PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
			0, NULL)) < 0)
		goto fail;
	res = pq(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", 0, NULL, &rc);
	if (!res)
		goto fail;
	version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (version > latest) {
		err_set("the PostgreSQL database has schema version %d, newer than this "
			"git-patterns (%d)", version, latest);
		rc = SDB_ERROR;
		goto fail;
	}
	for (int v = version; v < latest; v++) {
		char num[16];
		const char *vals[] = { num };
		/* several statements: the simple protocol, no parameters */
		res = PQexec(c->pg, migrations[v]);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			err_set("PostgreSQL migration %d: %s", v + 1, PQresultErrorMessage(res));
			PQclear(res);
			rc = SDB_ERROR;
			goto fail;
		}
		PQclear(res);
		snprintf(num, sizeof(num), "%d", v + 1);
		if ((rc = pq_do(c, "INSERT INTO schema_migrations (version) VALUES ($1)", 1,
				vals)) < 0)
			goto fail;
	}
	return pg_commit(c);
fail:
	pg_rollback(c);
	return rc;
}

/* ---- operations ---- */

static int pg_ping(struct serverdb *db, void *conn)
{
	return pq_do(conn, "SELECT 1", 0, NULL) < 0 ? SDB_UNAVAILABLE : SDB_OK;
}

static int pg_identity(struct serverdb *db, void *conn, const char *fresh, char out[37])
{
	const char *vals[] = { fresh };
	(void)db;
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc;
		PGresult *res = pq(conn, "SELECT id::text FROM server_identity WHERE one = 1", 0,
				   NULL, &rc);
		if (!res)
			return rc;
		if (PQntuples(res) == 1) {
			snprintf(out, 37, "%s", PQgetvalue(res, 0, 0));
			PQclear(res);
			return SDB_OK;
		}
		PQclear(res);
		if (attempt)
			break;
		/* none yet: ours, unless another server was first */
		if ((rc = pq_do(conn, "INSERT INTO server_identity (one, id) VALUES (1, $1::uuid)"
				      " ON CONFLICT (one) DO NOTHING",
				1, vals)) < 0)
			return rc;
	}
	return err_set("server database has no id");
}

static int pg_last_change(struct serverdb *db, void *conn, long long *seq)
{
	int rc;
	/* the last value handed out (a sequence not used yet has handed out none) */
	PGresult *res = pq(conn, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
				 " FROM pattern_change_seq", 0, NULL, &rc);
	(void)db;
	if (!res)
		return rc;
	*seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return SDB_OK;
}

static int pg_key_add(struct serverdb *db, void *conn, const char *user, int is_admin,
		      const char *key_hash, long long *id)
{
	const char *vals[] = { user, key_hash, is_admin ? "true" : "false" };
	int rc;
	PGresult *res = pq(conn, "INSERT INTO api_keys (user_name, key_hash, is_admin) "
				 "VALUES ($1, $2, $3) RETURNING id", 3, vals, &rc);
	if (!res)
		return rc;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return SDB_OK;
}

#define KEY_COLUMNS                                                            \
	"id, user_name, is_admin, " TS("created_at") ", " TS("revoked_at") ", key_hash"

static void read_key(PGresult *res, int row, struct sdb_key *k)
{
	memset(k, 0, sizeof(*k));
	k->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	k->user = get_str(res, row, 1);
	k->is_admin = PQgetvalue(res, row, 2)[0] == 't';
	k->created_at = get_str(res, row, 3);
	k->revoked_at = get_str(res, row, 4);
}

static int pg_key_lookup(struct serverdb *db, void *conn, const char *key_hash,
			 struct sdb_key *out)
{
	const char *vals[] = { key_hash };
	int rc;
	PGresult *res = pq(conn, "SELECT " KEY_COLUMNS " FROM api_keys WHERE key_hash = $1",
			   1, vals, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) != 1 || strlen(key_hash) != 64 ||
	    PQgetlength(res, 0, 5) != 64 || !ct_equal(PQgetvalue(res, 0, 5), key_hash, 64)) {
		PQclear(res);
		return SDB_NOT_FOUND;
	}
	read_key(res, 0, out);
	PQclear(res);
	return SDB_OK;
}

static int pg_key_list(struct serverdb *db, void *conn, struct sdb_key **keys, size_t *nr)
{
	int rc, n;
	PGresult *res = pq(conn, "SELECT " KEY_COLUMNS " FROM api_keys ORDER BY id", 0, NULL,
			   &rc);
	*keys = NULL;
	*nr = 0;
	if (!res)
		return rc;
	n = PQntuples(res);
	*keys = xcalloc((size_t)n + 1, sizeof(**keys));
	for (int i = 0; i < n; i++)
		read_key(res, i, &(*keys)[i]);
	*nr = (size_t)n;
	PQclear(res);
	return SDB_OK;
}

static int pg_key_revoke(struct serverdb *db, void *conn, long long id)
{
	char num[32];
	const char *vals[] = { num };
	int rc;
	PGresult *res;

	snprintf(num, sizeof(num), "%lld", id);
	res = pq(conn, "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, "
		       "CURRENT_TIMESTAMP) WHERE id = $1", 1, vals, &rc);
	if (!res)
		return rc;
	rc = atoi(PQcmdTuples(res)) ? SDB_OK : SDB_NOT_FOUND;
	PQclear(res);
	return rc;
}

/* Append s to a PostgreSQL array literal (NULL for SQL NULL). */
static void array_add(struct strbuf *a, const char *s)
{
	strbuf_addch(a, a->len ? ',' : '{');
	if (!s) {
		strbuf_addstr(a, "NULL");
		return;
	}
	strbuf_addch(a, '"');
	while (*s) {
		size_t plain = strcspn(s, "\"\\");
		strbuf_add(a, s, plain);
		s += plain;
		if (*s) {
			strbuf_addch(a, '\\');
			strbuf_addch(a, *s++);
		}
	}
	strbuf_addch(a, '"');
}

static void array_end(struct strbuf *a)
{
	if (!a->len)
		strbuf_addch(a, '{');
	strbuf_addch(a, '}');
}

static int cmp_hash(const void *a, const void *b)
{
	const struct sdb_pattern *const *x = a, *const *y = b;
	return strcmp((*x)->solution_hash, (*y)->solution_hash);
}

enum {
	COL_ID, COL_PT, COL_HASH, COL_BEFORE, COL_AFTER, COL_CONF, COL_EXTRA,
	NR_COLS = COL_EXTRA + SDB_NR_EXTRA
};

/*
 * The projects that pushed items (pushed[i], NULL for none) now have
 * them; a pattern without a project takes the first one named.
 */
static int tag_projects(struct pg_conn *c, struct sdb_pattern *items, size_t n,
			char **pushed)
{
	struct strbuf projects = STRBUF_INIT, ids = STRBUF_INIT;
	const char *vals[2];
	int rc = SDB_OK;

	for (size_t i = 0; i < n; i++) {
		if (!pushed[i])
			continue;
		array_add(&projects, pushed[i]);
		array_add(&ids, items[i].id);
		if (!items[i].extra[SDB_PROJECT_ID])
			items[i].extra[SDB_PROJECT_ID] = xstrdup(pushed[i]);
	}
	if (!projects.len)
		return SDB_OK;
	array_end(&projects);
	array_end(&ids);
	vals[0] = projects.buf;
	vals[1] = ids.buf;
	rc = pq_do(c, "INSERT INTO project_patterns (project_id, pattern_id) SELECT DISTINCT "
		      "t.project, t.pid::uuid FROM unnest($1::text[], $2::text[]) AS t(project, "
		      "pid) ON CONFLICT DO NOTHING", 2, vals);
	if (!rc)
		rc = pq_do(c, "UPDATE patterns p SET project_id = t.project FROM (SELECT DISTINCT "
			      "ON (pid) project, pid FROM unnest($1::text[], $2::text[]) WITH "
			      "ORDINALITY AS t(project, pid, n) ORDER BY pid, n) t WHERE "
			      "p.id = t.pid::uuid AND p.project_id IS NULL", 2, vals);
	strbuf_release(&projects);
	strbuf_release(&ids);
	return rc;
}

/*
 * The batch in three statements: insert the distinct new rows from bound
 * arrays (ON CONFLICT DO NOTHING), learn from RETURNING which went in, and
 * read back only the rows that were already known.
 */
/*
 * The column arrays of a put: one row per distinct solution_hash, the first
 * in input order, with a new UUID (in ids, by input index). sorted holds
 * the items ordered by solution_hash.
 */
static int put_arrays(struct sdb_pattern *items, size_t n, struct sdb_pattern **sorted,
		      char (*ids)[37], struct strbuf *cols)
{
	for (size_t i = 0; i < n; i++) {
		struct sdb_pattern *p = &items[i], *kp = p, **q;
		char conf[40];
		q = bsearch(&kp, sorted, n, sizeof(*sorted), cmp_hash);
		assert(q); /* p itself is in sorted */
		while (q > sorted && !strcmp(q[-1]->solution_hash, p->solution_hash))
			q--;
		for (; q < sorted + n && !strcmp((*q)->solution_hash, p->solution_hash); q++)
			if (*q < p)
				break;
		if (q < sorted + n && !strcmp((*q)->solution_hash, p->solution_hash))
			continue; /* an earlier item has this hash */
		if (uuid_v7(ids[i]) < 0)
			return SDB_ERROR;
		array_add(&cols[COL_ID], ids[i]);
		array_add(&cols[COL_PT], p->problem_type);
		array_add(&cols[COL_HASH], p->solution_hash);
		array_add(&cols[COL_BEFORE], p->code_before);
		array_add(&cols[COL_AFTER], p->code_after);
		snprintf(conf, sizeof(conf), "%.17g", p->confidence);
		array_add(&cols[COL_CONF], p->has_confidence ? conf : NULL);
		for (int k = 0; k < SDB_NR_EXTRA; k++)
			array_add(&cols[COL_EXTRA + k], p->extra[k]);
	}
	for (int k = 0; k < NR_COLS; k++)
		array_end(&cols[k]);
	return 0;
}

/* The INSERT of a put: the arrays $1..$NR_COLS unnested, the user in $NR_COLS+1. */
static void put_sql(struct strbuf *sql)
{
	strbuf_addstr(sql, "INSERT INTO patterns (id, problem_type, solution_hash, code_before, "
			   "code_after, confidence, created_by, created_seq, change_seq");
	for (int k = 0; k < SDB_NR_EXTRA; k++)
		strbuf_addf(sql, ", %s", sdb_extra_column[k]);
	strbuf_addf(sql, ") SELECT id::uuid, pt, sh, cb, ca, conf::double precision, $%d, s, s",
		    NR_COLS + 1);
	for (int k = 0; k < SDB_NR_EXTRA; k++)
		strbuf_addf(sql, ", e%d", k);
	strbuf_addstr(sql, " FROM (SELECT *, nextval('pattern_change_seq') AS s FROM unnest(");
	for (int k = 0; k < NR_COLS; k++)
		strbuf_addf(sql, "%s$%d::text[]", k ? ", " : "", k + 1);
	strbuf_addstr(sql, ") AS t(id, pt, sh, cb, ca, conf");
	for (int k = 0; k < SDB_NR_EXTRA; k++)
		strbuf_addf(sql, ", e%d", k);
	strbuf_addstr(sql, ")) AS rows ON CONFLICT (solution_hash) DO NOTHING "
			   "RETURNING solution_hash, change_seq, " TS("created_at"));
}

/* Mark the items the INSERT returned as created (the earliest of each hash); how many. */
static size_t put_created(PGresult *res, struct sdb_pattern *items, size_t n,
			  struct sdb_pattern **sorted, char (*ids)[37], const char *user)
{
	size_t created = 0;
	for (int r = 0; r < PQntuples(res); r++) {
		struct sdb_pattern key, *kp = &key, **q, *p;
		snprintf(key.solution_hash, sizeof(key.solution_hash), "%s", PQgetvalue(res, r, 0));
		q = bsearch(&kp, sorted, n, sizeof(*sorted), cmp_hash);
		if (!q)
			continue;
		while (q > sorted && !strcmp(q[-1]->solution_hash, key.solution_hash))
			q--;
		/* the earliest in input order is the one inserted */
		p = *q;
		for (; q < sorted + n && !strcmp((*q)->solution_hash, key.solution_hash); q++)
			if (*q < p)
				p = *q;
		p->created = 1;
		memcpy(p->id, ids[p - items], sizeof(p->id));
		p->change_seq = strtoll(PQgetvalue(res, r, 1), NULL, 10);
		free(p->created_by);
		free(p->created_at);
		free(p->last_used);
		p->created_by = xstrdup(user);
		p->created_at = get_str(res, r, 2);
		p->last_used = NULL;
		p->success_count = 0;
		created++;
	}
	return created;
}

/* The known items (before, or earlier in this batch): answer with what is stored. */
static int put_known(struct pg_conn *c, struct sdb_pattern *items, size_t n)
{
	struct strbuf known = STRBUF_INIT;
	PGresult *res;
	const char *kv[1];
	size_t nr_known = 0;
	int rc = SDB_OK;

	for (size_t i = 0; i < n; i++) {
		if (items[i].created)
			continue;
		array_add(&known, items[i].solution_hash);
		nr_known++;
	}
	if (!nr_known) {
		strbuf_release(&known);
		return SDB_OK;
	}
	array_end(&known);
	kv[0] = known.buf;
	res = pq(c, "SELECT " PATTERN_COLUMNS " FROM patterns WHERE solution_hash = "
		    "ANY($1::text[])", 1, kv, &rc);
	strbuf_release(&known);
	if (!res)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct sdb_pattern *p = &items[i];
		int r;
		if (p->created)
			continue;
		for (r = 0; r < PQntuples(res); r++)
			if (!strcmp(PQgetvalue(res, r, 2), p->solution_hash))
				break;
		if (r == PQntuples(res)) {
			err_set("pattern %s vanished while storing it", p->solution_hash);
			rc = SDB_ERROR;
			break;
		}
		sdb_pattern_release(p);
		read_pattern(res, r, p);
		p->created = 0;
	}
	PQclear(res);
	return rc;
}

static int pg_pattern_put(struct serverdb *db, void *conn, struct sdb_pattern *items,
			  size_t n, const char *user)
{
	struct pg_conn *c = conn;
	struct strbuf cols[NR_COLS], sql = STRBUF_INIT;
	struct sdb_pattern **sorted = xcalloc(n, sizeof(*sorted));
	char (*ids)[37] = xcalloc(n, sizeof(*ids));
	char **pushed = xcalloc(n, sizeof(*pushed)); /* each item's project_id as sent */
	const char *vals[NR_COLS + 1];
	PGresult *res = NULL;
	size_t created;
	int rc;

	for (int k = 0; k < NR_COLS; k++)
		strbuf_init(&cols[k], 0);
	for (size_t i = 0; i < n; i++) {
		sorted[i] = &items[i];
		if (items[i].extra[SDB_PROJECT_ID])
			pushed[i] = xstrdup(items[i].extra[SDB_PROJECT_ID]);
	}
	qsort(sorted, n, sizeof(*sorted), cmp_hash);
	if ((rc = put_arrays(items, n, sorted, ids, cols)) < 0)
		goto out;
	for (int k = 0; k < NR_COLS; k++)
		vals[k] = cols[k].buf;
	vals[NR_COLS] = user;
	put_sql(&sql);

	if ((rc = pg_begin(c, 1)) < 0)
		goto out;
	res = pq(c, sql.buf, NR_COLS + 1, vals, &rc);
	if (!res)
		goto fail;
	created = put_created(res, items, n, sorted, ids, user);
	PQclear(res);
	res = NULL;
	if (created) {
		char num[32];
		const char *cv[] = { num };
		snprintf(num, sizeof(num), "%zu", created);
		if ((rc = pq_do(c, "UPDATE counters SET value = value + $1 WHERE name = "
				   "'patterns'", 1, cv)) < 0)
			goto fail;
	}
	if ((rc = put_known(c, items, n)) < 0 || (rc = tag_projects(c, items, n, pushed)) < 0)
		goto fail;
	if ((rc = pg_commit(c)) < 0)
		goto out;
	rc = SDB_OK;
	goto out;
fail:
	pg_rollback(c);
out:
	PQclear(res);
	for (int k = 0; k < NR_COLS; k++)
		strbuf_release(&cols[k]);
	strbuf_release(&sql);
	for (size_t i = 0; i < n; i++)
		free(pushed[i]);
	free(pushed);
	free(sorted);
	free(ids);
	return rc;
}

static int get_one(struct pg_conn *c, const char *id, struct sdb_pattern *out, int lock)
{
	const char *vals[] = { id };
	int rc;
	PGresult *res = pq(c, lock ? "SELECT " PATTERN_COLUMNS " FROM patterns WHERE id = "
				     "$1::uuid FOR UPDATE"
				   : "SELECT " PATTERN_COLUMNS " FROM patterns WHERE id = $1::uuid",
			   1, vals, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return SDB_NOT_FOUND;
	}
	read_pattern(res, 0, out);
	PQclear(res);
	return SDB_OK;
}

static int pg_pattern_get(struct serverdb *db, void *conn, const char *id,
			  struct sdb_pattern *out)
{
	return get_one(conn, id, out, 0);
}

/* Read the rows of res into *out. */
static void read_list(PGresult *res, const struct sdb_query *q, struct sdb_pattern **out,
		      size_t *nr)
{
	int rows = PQntuples(res);
	*out = xcalloc((size_t)rows + 1, sizeof(**out));
	for (int i = 0; i < rows; i++) {
		read_pattern(res, i, &(*out)[i]);
		(*out)[i].deleted = q->has_since && PQgetvalue(res, i, 13 + SDB_NR_EXTRA)[0] == 't';
	}
	*nr = (size_t)rows;
}

static void free_list(struct sdb_pattern **out, size_t *nr)
{
	for (size_t i = 0; i < *nr; i++)
		sdb_pattern_release(&(*out)[i]);
	free(*out);
	*out = NULL;
	*nr = 0;
}

/*
 * A page of a text search that trigrams can find (3 characters or more).
 * vals holds the n parameters of where, unindexed (the same filters, but
 * written so that no index can serve them) and text (the ILIKEs). In one
 * transaction whose settings choose the plans, whatever the statistics say
 * (until autovacuum has been through newly stored rows, the planner knows
 * neither how common a word is nor the trigram indexes' pending lists):
 *  1. walk the best ranked rows in a rank index (no scan, no bitmap, no
 *     sort), at most sdb_search_budget() of them: a common text fills the
 *     page there;
 *  2. else the text is rare: its matches come from the trigram indexes
 *     (no scan, and no other index can serve that query) and are sorted.
 */
static int search_page(struct pg_conn *c, const struct sdb_query *q, const char *where,
		       const char *unindexed, const char *text, const char **vals, int n,
		       struct sdb_pattern **out, size_t *nr)
{
	struct strbuf sql = STRBUF_INIT;
	char limit[32], offset[32], budget[32];
	long long all = 0;
	PGresult *res;
	int rc, l, o;

	res = pq(c, "SELECT value FROM counters WHERE name = 'patterns'", 0, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res))
		all = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	snprintf(limit, sizeof(limit), "%lld", q->limit);
	snprintf(offset, sizeof(offset), "%lld", (q->page - 1) * q->limit);
	snprintf(budget, sizeof(budget), "%lld", sdb_search_budget(q->page * q->limit, all));
	vals[n++] = limit;
	l = n;
	vals[n++] = offset;
	o = n;
	vals[n++] = budget;
	strbuf_addf(&sql, "SELECT " PATTERN_COLUMNS " FROM (SELECT * FROM patterns%s ORDER BY "
			  "success_count DESC, created_seq DESC LIMIT $%d) AS ranked WHERE true%s "
			  "ORDER BY success_count DESC, created_seq DESC LIMIT $%d OFFSET $%d",
		    where, n, text, l, o);
	if ((rc = pg_begin(c, 0)) < 0)
		goto out;
	if ((rc = pq_do(c, "SELECT set_config('enable_seqscan', 'off', true), "
			   "set_config('enable_bitmapscan', 'off', true), "
			   "set_config('enable_sort', 'off', true)", 0, NULL)) < 0 ||
	    !(res = pq(c, sql.buf, n, vals, &rc)))
		goto fail;
	read_list(res, q, out, nr);
	PQclear(res);
	if ((long long)*nr < q->limit) {
		free_list(out, nr);
		strbuf_reset(&sql);
		strbuf_addf(&sql, "SELECT " PATTERN_COLUMNS " FROM patterns%s%s ORDER BY "
				  "success_count + 0 DESC, created_seq + 0 DESC LIMIT $%d OFFSET $%d",
			    unindexed, text, l, o);
		if ((rc = pq_do(c, "SELECT set_config('enable_bitmapscan', 'on', true), "
				   "set_config('enable_sort', 'on', true)", 0, NULL)) < 0 ||
		    !(res = pq(c, sql.buf, n - 1, vals, &rc))) /* all but the budget */
			goto fail;
		read_list(res, q, out, nr);
		PQclear(res);
	}
	if ((rc = pg_commit(c)) < 0)
		free_list(out, nr);
	goto out;
fail:
	pg_rollback(c);
	free_list(out, nr);
out:
	strbuf_release(&sql);
	return rc;
}

/*
 * A page of the list in rank order. Until autovacuum has analysed newly
 * stored rows the planner may take the table for empty and scan and sort it
 * (350 ms for page 400 of 100,000 patterns); in one transaction whose
 * settings forbid both, it walks a rank index instead, whatever the
 * statistics say.
 */
static int ranked_page(struct pg_conn *c, const struct sdb_query *q, const char *sql, int n,
		       const char **vals, struct sdb_pattern **out, size_t *nr)
{
	PGresult *res;
	int rc;

	if ((rc = pg_begin(c, 0)) < 0)
		return rc;
	if ((rc = pq_do(c, "SELECT set_config('enable_seqscan', 'off', true), "
			   "set_config('enable_sort', 'off', true)", 0, NULL)) < 0 ||
	    !(res = pq(c, sql, n, vals, &rc))) {
		pg_rollback(c);
		return rc;
	}
	read_list(res, q, out, nr);
	PQclear(res);
	if ((rc = pg_commit(c)) < 0)
		free_list(out, nr);
	return rc;
}

static int pg_pattern_list(struct serverdb *db, void *conn, const struct sdb_query *q,
			   struct sdb_pattern **out, size_t *nr, long long *total)
{
	struct pg_conn *c = conn;
	struct strbuf where = STRBUF_INIT, unindexed = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf sql = STRBUF_INIT;
	const char *vals[10];
	char conf[40], since[32], limit[32], offset[32], scan[32];
	char *like = q->q ? sdb_like_pattern(q->q) : NULL;
	int n = 0, rc, since_param = 0;
	PGresult *res = NULL;

#define PARAM(v) (vals[n++] = (v), n)
	/*
	 * where, and the same in unindexed: its comparisons written so that no
	 * index can serve them (NULL || '' is NULL, so they mean the same)
	 */
	strbuf_addstr(&where, " WHERE true");
	strbuf_addstr(&unindexed, " WHERE true");
	if (q->problem_type) {
		int k = PARAM(q->problem_type);
		strbuf_addf(&where, " AND problem_type = $%d", k);
		strbuf_addf(&unindexed, " AND problem_type || '' = $%d", k);
	}
	if (q->language) {
		int k = PARAM(q->language);
		strbuf_addf(&where, " AND language = $%d", k);
		strbuf_addf(&unindexed, " AND language || '' = $%d", k);
	}
	if (q->project_id) {
		int k = PARAM(q->project_id);
		strbuf_addf(&where, " AND project_id = $%d", k);
		strbuf_addf(&unindexed, " AND project_id || '' = $%d", k);
	}
	if (q->has_min_confidence) {
		snprintf(conf, sizeof(conf), "%.17g", q->min_confidence);
		strbuf_addf(&where, " AND confidence >= $%d", PARAM(conf));
		strbuf_addf(&unindexed, " AND confidence >= $%d", n);
	}
	if (q->has_since) {
		snprintf(since, sizeof(since), "%lld", q->since);
		since_param = PARAM(since);
		strbuf_addf(&where, " AND change_seq > $%d", since_param);
	}
	if (like) {
		/* the trigram indexes (migration 7) serve these ILIKEs */
		int k = PARAM(like);
		strbuf_addf(&text, " AND (commit_msg ILIKE $%d OR file_path ILIKE $%d OR "
				   "code_before ILIKE $%d OR code_after ILIKE $%d)", k, k, k, k);
	}

	/* total: the counter row, or a count unless the caller does without */
	*total = -1;
	if (!(q->no_total && n)) {
		if (n)
			strbuf_addf(&sql, "SELECT count(*) FROM patterns%s%s", where.buf, text.buf);
		else
			strbuf_addstr(&sql,
				      "SELECT value FROM counters WHERE name = 'patterns'");
		res = pq(c, sql.buf, n, vals, &rc);
		if (!res)
			goto out;
		*total = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
		PQclear(res);
		res = NULL;
	}
	if (q->has_since && *total >= 0) {
		/* deletions after the cursor count as changes too */
		const char *dv[] = { since };
		res = pq(c, "SELECT count(*) FROM deleted_patterns WHERE change_seq > $1::bigint",
			 1, dv, &rc);
		if (!res)
			goto out;
		*total += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		res = NULL;
	}

	strbuf_reset(&sql);
	snprintf(limit, sizeof(limit), "%lld", q->limit);
	if (q->has_since) {
		strbuf_addf(&sql, "SELECT * FROM (SELECT " PATTERN_COLUMNS ", false AS deleted "
				  "FROM patterns%s%s UNION ALL SELECT id::text, '', '', NULL, NULL, 0, "
				  "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
				  "NULL, NULL, change_seq, 0, 0, true FROM deleted_patterns WHERE change_seq "
				  "> $%d::bigint) AS feed ORDER BY change_seq", where.buf, text.buf,
			    since_param);
		strbuf_addf(&sql, " LIMIT $%d", PARAM(limit));
	} else if (like && sdb_text_indexed(q->q)) {
		rc = search_page(c, q, where.buf, unindexed.buf, text.buf, vals, n, out, nr);
		goto out;
	} else if (like && q->scan_limit > 0) {
		/*
		 * a short text no index serves: only the best ranked rows that
		 * pass the other filters are tested
		 */
		snprintf(scan, sizeof(scan), "%lld", q->scan_limit);
		strbuf_addf(&sql, "SELECT " PATTERN_COLUMNS " FROM (SELECT * FROM patterns%s "
				  "ORDER BY success_count DESC, created_seq DESC LIMIT $%d) AS "
				  "ranked WHERE true%s", where.buf, PARAM(scan), text.buf);
		int l = PARAM(limit);
		snprintf(offset, sizeof(offset), "%lld", (q->page - 1) * q->limit);
		strbuf_addf(&sql, " ORDER BY success_count DESC, created_seq DESC LIMIT $%d "
				  "OFFSET $%d", l, PARAM(offset));
	} else {
		strbuf_addf(&sql, "SELECT " PATTERN_COLUMNS " FROM patterns%s%s", where.buf,
			    text.buf);
		int l = PARAM(limit);
		snprintf(offset, sizeof(offset), "%lld", (q->page - 1) * q->limit);
		strbuf_addf(&sql, " ORDER BY success_count DESC, created_seq DESC LIMIT $%d "
				  "OFFSET $%d", l, PARAM(offset));
	}
#undef PARAM
	if (!q->has_since && (!like || q->scan_limit > 0)) {
		/* no text, or a short one within the best ranked rows */
		rc = ranked_page(c, q, sql.buf, n, vals, out, nr);
		goto out;
	}
	res = pq(c, sql.buf, n, vals, &rc);
	if (!res)
		goto out;
	read_list(res, q, out, nr);
	PQclear(res);
	rc = SDB_OK;
out:
	strbuf_release(&where);
	strbuf_release(&unindexed);
	strbuf_release(&text);
	strbuf_release(&sql);
	free(like);
	return rc;
}

static int pg_pattern_delete(struct serverdb *db, void *conn, const char *id,
			     const char *user, int is_admin)
{
	struct pg_conn *c = conn;
	const char *vals[] = { id };
	struct sdb_pattern p;
	int rc;

	/* the deletion takes a change_seq: the change lock */
	if ((rc = pg_begin(c, 1)) < 0)
		return rc;
	if ((rc = get_one(c, id, &p, 1)) < 0)
		goto fail;
	if (!is_admin && strcmp(p.created_by, user))
		rc = SDB_FORBIDDEN;
	sdb_pattern_release(&p);
	if (rc < 0)
		goto fail;
	if ((rc = pq_do(c, "DELETE FROM patterns WHERE id = $1::uuid", 1, vals)) < 0 ||
	    (rc = pq_do(c, "INSERT INTO deleted_patterns (id, change_seq) VALUES ($1::uuid, "
			   "nextval('pattern_change_seq')) ON CONFLICT (id) DO UPDATE SET "
			   "change_seq = EXCLUDED.change_seq", 1, vals)) < 0 ||
	    (rc = pq_do(c, "UPDATE counters SET value = value - 1 WHERE name = 'patterns'", 0,
			NULL)) < 0)
		goto fail;
	return pg_commit(c);
fail:
	pg_rollback(c);
	return rc;
}

static int pg_pattern_feedback(struct serverdb *db, void *conn, const char *id,
			       const char *user, int helpful, struct sdb_pattern *out)
{
	struct pg_conn *c = conn;
	const char *fv[] = { id, user, helpful ? "true" : "false" };
	const char *iv[] = { id };
	struct sdb_pattern p;
	long long count;
	PGresult *res;
	int rc;

	if ((rc = pg_begin(c, 1)) < 0)
		return rc;
	if ((rc = get_one(c, id, &p, 1)) < 0)
		goto fail;
	if ((rc = pq_do(c, "INSERT INTO pattern_feedback (pattern_id, user_id, helpful) "
			   "VALUES ($1::uuid, $2, $3) ON CONFLICT (pattern_id, user_id) DO "
			   "UPDATE SET helpful = EXCLUDED.helpful, created_at = CURRENT_TIMESTAMP",
			3, fv)) < 0)
		goto fail_p;
	res = pq(c, "SELECT count(*) FROM pattern_feedback WHERE pattern_id = $1::uuid AND "
		    "helpful", 1, iv, &rc);
	if (!res)
		goto fail_p;
	count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	{
		char num[32];
		const char *uv[] = { id, num };
		snprintf(num, sizeof(num), "%lld", count);
		/* a changed success_count is a change: it takes a new change_seq */
		rc = pq_do(c, count != p.success_count
				      ? "UPDATE patterns SET success_count = $2, last_used = "
					"CURRENT_TIMESTAMP, change_seq = nextval('pattern_change_seq') "
					"WHERE id = $1::uuid"
				      : "UPDATE patterns SET last_used = CURRENT_TIMESTAMP WHERE "
					"id = $1::uuid AND $2::bigint IS NOT NULL",
			   2, uv);
	}
	sdb_pattern_release(&p);
	if (rc < 0)
		goto fail;
	if ((rc = get_one(c, id, out, 0)) < 0)
		goto fail;
	if ((rc = pg_commit(c)) < 0) {
		sdb_pattern_release(out);
		return rc;
	}
	return SDB_OK;
fail_p:
	sdb_pattern_release(&p);
fail:
	pg_rollback(c);
	return rc;
}

/* ---- adapter versions ---- */

#define ADAPTER_COLUMNS                                                        \
	"id::text, version_name, adapter_path, created_by, " TS("created_at")  \
	", parent_versions, method, weights, sha256, size, COALESCE(is_active, false)"

static void read_adapter(PGresult *res, int row, struct adapter_version *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", PQgetvalue(res, row, 0));
	a->version_name = get_str(res, row, 1);
	a->file = get_str(res, row, 2);
	a->created_by = get_str(res, row, 3);
	a->created_at = get_str(res, row, 4);
	a->parent_versions = get_str(res, row, 5);
	a->method = get_str(res, row, 6);
	a->weights = get_str(res, row, 7);
	snprintf(a->sha256, sizeof(a->sha256), "%s", PQgetvalue(res, row, 8));
	a->size = strtoll(PQgetvalue(res, row, 9), NULL, 10);
	a->is_active = PQgetvalue(res, row, 10)[0] == 't';
}

/* The version ref names: its id (a UUID) or its version name. */
static int adapter_by_ref(struct pg_conn *c, const char *ref, struct adapter_version *out)
{
	const char *vals[] = { uuid_valid(ref) ? ref : NULL, ref };
	int rc;
	PGresult *res = pq(c, "SELECT " ADAPTER_COLUMNS " FROM adapter_versions "
			      "WHERE id = $1::uuid OR version_name = $2 "
			      "ORDER BY (id = $1::uuid) IS TRUE DESC LIMIT 1",
			   2, vals, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return SDB_NOT_FOUND;
	}
	read_adapter(res, 0, out);
	PQclear(res);
	return SDB_OK;
}

/* A transaction holding the adapter lock: one activation at a time. */
static int adapter_begin(struct pg_conn *c)
{
	int rc = pg_begin(c, 0);
	if (rc < 0)
		return rc;
	rc = pq_do(c, "SELECT pg_advisory_xact_lock(" ADAPTER_LOCK ")", 0, NULL);
	if (rc < 0)
		pg_rollback(c);
	return rc;
}

/* Make id the one active version; log it as action unless action is NULL. */
static int set_active(struct pg_conn *c, const char *id, const char *user, const char *action)
{
	const char *iv[] = { id };
	const char *lv[] = { id, user, action };
	int rc = pq_do(c, "UPDATE adapter_versions SET is_active = false WHERE is_active "
			  "AND id <> $1::uuid", 1, iv);
	if (!rc)
		rc = pq_do(c, "UPDATE adapter_versions SET is_active = true WHERE id = $1::uuid",
			   1, iv);
	if (!rc && action)
		rc = pq_do(c, "INSERT INTO adapter_activations (version_id, activated_by, action) "
			      "VALUES ($1::uuid, $2, $3)", 3, lv);
	return rc;
}

static int pg_adapter_add(struct serverdb *db, void *conn, struct adapter_version *a)
{
	struct pg_conn *c = conn;
	struct adapter_version old;
	char size[32];
	const char *vals[10];
	PGresult *res;
	int rc, any_active;

	if ((rc = adapter_begin(c)) < 0)
		return rc;
	rc = adapter_by_ref(c, a->version_name, &old);
	if (rc == SDB_OK) {
		adapter_version_release(&old);
		err_set("adapter version '%s' already exists", a->version_name);
		rc = SDB_CONFLICT;
		goto fail;
	}
	if (rc != SDB_NOT_FOUND)
		goto fail;
	res = pq(c, "SELECT count(*) FROM adapter_versions WHERE is_active", 0, NULL, &rc);
	if (!res)
		goto fail;
	any_active = atoi(PQgetvalue(res, 0, 0)) > 0;
	PQclear(res);
	snprintf(size, sizeof(size), "%lld", a->size);
	vals[0] = a->id;
	vals[1] = a->version_name;
	vals[2] = a->file;
	vals[3] = a->created_by;
	vals[4] = a->parent_versions ? a->parent_versions : "[]";
	vals[5] = a->method;
	vals[6] = a->weights;
	vals[7] = a->sha256;
	vals[8] = size;
	res = pq(c, "INSERT INTO adapter_versions (id, version_name, adapter_path, created_by, "
		    "parent_versions, method, weights, sha256, size, is_active) VALUES "
		    "($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::bigint, false) "
		    "RETURNING " TS("created_at"), 9, vals, &rc);
	if (!res)
		goto fail;
	free(a->created_at);
	a->created_at = get_str(res, 0, 0);
	PQclear(res);
	/* the first version becomes the active one: exactly one is, from then on */
	if (!any_active && (rc = set_active(c, a->id, a->created_by, "first")) < 0)
		goto fail;
	if ((rc = pg_commit(c)) < 0)
		return rc;
	a->is_active = !any_active;
	return SDB_OK;
fail:
	pg_rollback(c);
	return rc;
}

static int pg_adapter_list(struct serverdb *db, void *conn, struct adapter_version **out,
			   size_t *nr)
{
	int rc, n;
	PGresult *res = pq(conn, "SELECT " ADAPTER_COLUMNS " FROM adapter_versions "
				 "ORDER BY created_at, id", 0, NULL, &rc);
	if (!res)
		return rc;
	n = PQntuples(res);
	*out = xcalloc((size_t)n + 1, sizeof(**out));
	for (int i = 0; i < n; i++)
		read_adapter(res, i, &(*out)[i]);
	*nr = (size_t)n;
	PQclear(res);
	return SDB_OK;
}

static int pg_adapter_get(struct serverdb *db, void *conn, const char *ref,
			  struct adapter_version *out)
{
	return adapter_by_ref(conn, ref, out);
}

static int pg_adapter_activate(struct serverdb *db, void *conn, const char *ref,
			       const char *user, int is_rollback, struct adapter_version *out)
{
	struct pg_conn *c = conn;
	char id[37];
	int rc;

	if ((rc = adapter_begin(c)) < 0)
		return rc;
	if (ref) {
		if ((rc = adapter_by_ref(c, ref, out)) < 0)
			goto fail;
		memcpy(id, out->id, sizeof(id));
		adapter_version_release(out);
		rc = set_active(c, id, user, is_rollback ? "rollback" : "activate");
	} else {
		/* the latest activation not undone of a version that is not the active one */
		PGresult *res = pq(c, "SELECT a.seq, a.version_id::text FROM adapter_activations a "
				      "JOIN adapter_versions v ON v.id = a.version_id "
				      "WHERE NOT a.undone AND NOT COALESCE(v.is_active, false) "
				      "ORDER BY a.seq DESC LIMIT 1", 0, NULL, &rc);
		const char *vals[1];
		if (!res)
			goto fail;
		if (PQntuples(res) != 1) {
			PQclear(res);
			err_set("no earlier adapter version to roll back to");
			rc = SDB_CONFLICT;
			goto fail;
		}
		snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 1));
		vals[0] = PQgetvalue(res, 0, 0);
		/* undo every later activation: the next rollback goes further back */
		rc = pq_do(c, "UPDATE adapter_activations SET undone = true WHERE seq > $1::bigint "
			      "AND NOT undone", 1, vals);
		PQclear(res);
		if (!rc)
			rc = set_active(c, id, user, NULL);
	}
	if (rc < 0 || (rc = adapter_by_ref(c, id, out)) < 0)
		goto fail;
	if ((rc = pg_commit(c)) < 0)
		adapter_version_release(out);
	return rc;
fail:
	pg_rollback(c);
	return rc;
}

static int pg_adapter_delete(struct serverdb *db, void *conn, const char *ref,
			     struct adapter_version *out)
{
	struct pg_conn *c = conn;
	const char *vals[1];
	int rc;

	if ((rc = adapter_begin(c)) < 0)
		return rc;
	if ((rc = adapter_by_ref(c, ref, out)) < 0)
		goto fail;
	if (out->is_active) {
		err_set("adapter version '%s' is active", out->version_name);
		rc = SDB_CONFLICT;
		goto fail_out;
	}
	vals[0] = out->id;
	if ((rc = pq_do(c, "DELETE FROM adapter_versions WHERE id = $1::uuid", 1, vals)) < 0)
		goto fail_out;
	if ((rc = pg_commit(c)) < 0)
		adapter_version_release(out);
	return rc;
fail_out:
	adapter_version_release(out);
fail:
	pg_rollback(c);
	return rc;
}

/* ---- web interface sessions ---- */

static int pg_session_add(struct serverdb *db, void *conn, const char *token_hash,
			  long long key_id, long long expires_at, long long now)
{
	char key[32], exp[32], nows[32];
	const char *del[] = { nows };
	const char *ins[] = { token_hash, key, exp };
	int rc;

	snprintf(key, sizeof(key), "%lld", key_id);
	snprintf(exp, sizeof(exp), "%lld", expires_at);
	snprintf(nows, sizeof(nows), "%lld", now);
	rc = pq_do(conn, "DELETE FROM ui_sessions WHERE expires_at <= $1", 1, del);
	if (rc < 0)
		return rc;
	return pq_do(conn, "INSERT INTO ui_sessions (token_hash, key_id, expires_at) "
			   "VALUES ($1, $2, $3)", 3, ins);
}

static int pg_session_lookup(struct serverdb *db, void *conn, const char *token_hash,
			     long long now, struct sdb_session *out)
{
	char nows[32];
	const char *vals[] = { token_hash, nows };
	PGresult *res;
	int rc;

	snprintf(nows, sizeof(nows), "%lld", now);
	res = pq(conn, "SELECT k.id, k.user_name, k.is_admin, s.expires_at, s.token_hash "
		       "FROM ui_sessions s JOIN api_keys k ON k.id = s.key_id "
		       "WHERE s.token_hash = $1 AND s.expires_at > $2 AND k.revoked_at IS NULL",
		 2, vals, &rc);
	if (!res)
		return rc;
	/* the index found it; compare again without timing leaks */
	if (PQntuples(res) != 1 || PQgetlength(res, 0, 4) != 64 ||
	    !ct_equal(PQgetvalue(res, 0, 4), token_hash, 64)) {
		PQclear(res);
		return SDB_NOT_FOUND;
	}
	out->key_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	out->user = get_str(res, 0, 1);
	out->is_admin = PQgetvalue(res, 0, 2)[0] == 't';
	out->expires_at = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	PQclear(res);
	return SDB_OK;
}

static int pg_session_delete(struct serverdb *db, void *conn, const char *token_hash)
{
	const char *vals[] = { token_hash };
	return pq_do(conn, "DELETE FROM ui_sessions WHERE token_hash = $1", 1, vals);
}

static int pg_pattern_votes(struct serverdb *db, void *conn, const char *id, const char *user,
			    long long *helpful, long long *not_helpful, int *mine)
{
	const char *vals[] = { id, user };
	PGresult *res;
	int rc;

	res = pq(conn, "SELECT count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful), "
		       "max(CASE WHEN user_id = $2 THEN (CASE WHEN helpful THEN 1 ELSE 0 END) END) "
		       "FROM pattern_feedback WHERE pattern_id = $1::uuid",
		 2, vals, &rc);
	if (!res)
		return rc;
	*helpful = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*not_helpful = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	*mine = PQgetisnull(res, 0, 2) ? -1 : atoi(PQgetvalue(res, 0, 2));
	PQclear(res);
	return SDB_OK;
}

/* ---- cross-project learning ---- */

#define PROJECT_COLUMNS                                                        \
	"id::text, repo_url, canonical_url, language, framework, domain, "     \
	"languages, created_by, " TS("created_at") ", " TS("updated_at") ", seq"

static void read_project(PGresult *res, int row, struct sdb_project *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", PQgetvalue(res, row, 0));
	p->repo_url = get_str(res, row, 1);
	p->canonical_url = get_str(res, row, 2);
	p->language = get_str(res, row, 3);
	p->framework = get_str(res, row, 4);
	p->domain = get_str(res, row, 5);
	p->languages = get_str(res, row, 6);
	p->created_by = get_str(res, row, 7);
	p->created_at = get_str(res, row, 8);
	p->updated_at = get_str(res, row, 9);
	p->seq = strtoll(PQgetvalue(res, row, 10), NULL, 10);
}

static int project_one(struct pg_conn *c, const char *sql, const char *value,
		       struct sdb_project *out)
{
	const char *vals[] = { value };
	int rc;
	PGresult *res = pq(c, sql, 1, vals, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return SDB_NOT_FOUND;
	}
	read_project(res, 0, out);
	PQclear(res);
	return SDB_OK;
}

/*
 * Insert, or update under the row's lock when the canonical URL is known:
 * one statement each, so two servers creating one project at once both
 * end with the same row (the loser of the insert updates).
 */
static int pg_project_put(struct serverdb *db, void *conn, struct sdb_project *p,
			  const char *user, int is_admin)
{
	struct pg_conn *c = conn;
	struct sdb_project old;
	char id[37];
	const char *ins[] = { id, p->repo_url, p->canonical_url, p->language, p->framework,
			      p->domain, p->languages, user };
	int rc, created = 0;

	if (uuid_v7(id) < 0)
		return SDB_ERROR;
	if ((rc = pg_begin(c, 0)) < 0)
		return rc;
	{
		PGresult *res = pq(c, "INSERT INTO projects (id, repo_url, canonical_url, "
				      "language, framework, domain, languages, created_by) VALUES "
				      "($1::uuid, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT "
				      "(canonical_url) DO NOTHING RETURNING id::text",
				   8, ins, &rc);
		if (!res)
			goto fail;
		created = PQntuples(res) == 1;
		PQclear(res);
	}
	if (!created) {
		const char *upd[] = { p->canonical_url, p->repo_url, p->language, p->framework,
				      p->domain, p->languages };
		rc = project_one(c, "SELECT " PROJECT_COLUMNS " FROM projects WHERE "
				    "canonical_url = $1 FOR UPDATE", p->canonical_url, &old);
		if (rc < 0)
			goto fail;
		if (!is_admin && strcmp(old.created_by, user)) {
			err_set("project %s belongs to %s", old.canonical_url, old.created_by);
			sdb_project_release(&old);
			rc = SDB_FORBIDDEN;
			goto fail;
		}
		memcpy(id, old.id, sizeof(id));
		sdb_project_release(&old);
		/* a clone that names no domain keeps the one another set */
		if ((rc = pq_do(c, "UPDATE projects SET repo_url = $2, language = $3, "
				   "framework = $4, domain = COALESCE($5, domain), languages = $6, "
				   "updated_at = CURRENT_TIMESTAMP WHERE canonical_url = $1",
				6, upd)) < 0)
			goto fail;
	}
	if ((rc = pq_do(c, "UPDATE counters SET value = value + 1 WHERE name = 'projects_rev'",
			0, NULL)) < 0)
		goto fail;
	rc = project_one(c, "SELECT " PROJECT_COLUMNS " FROM projects WHERE id = $1::uuid", id,
			 &old);
	if (rc < 0)
		goto fail;
	if ((rc = pg_commit(c)) < 0) {
		sdb_project_release(&old);
		return rc;
	}
	sdb_project_release(p);
	*p = old;
	p->created = created;
	return SDB_OK;
fail:
	pg_rollback(c);
	return rc;
}

static int pg_project_get(struct serverdb *db, void *conn, const char *id,
			  struct sdb_project *out)
{
	return project_one(conn, "SELECT " PROJECT_COLUMNS " FROM projects WHERE id = $1::uuid",
			   id, out);
}

static int pg_project_rev(struct serverdb *db, void *conn, long long *rev)
{
	int rc;
	PGresult *res = pq(conn, "SELECT value FROM counters WHERE name = 'projects_rev'", 0,
			   NULL, &rc);
	if (!res)
		return rc;
	*rev = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return SDB_OK;
}

static int pg_project_list(struct serverdb *db, void *conn, long long page, long long limit,
			   struct sdb_project **out, size_t *nr, long long *total)
{
	struct pg_conn *c = conn;
	char lim[32], off[32];
	const char *vals[] = { limit ? lim : NULL, off };
	PGresult *res;
	int rc, n;

	snprintf(lim, sizeof(lim), "%lld", limit);
	snprintf(off, sizeof(off), "%lld", limit ? (page - 1) * limit : 0);
	res = pq(c, "SELECT count(*) FROM projects", 0, NULL, &rc);
	if (!res)
		return rc;
	*total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	res = pq(c, "SELECT " PROJECT_COLUMNS " FROM projects ORDER BY seq DESC "
		    "LIMIT $1::bigint OFFSET $2::bigint", 2, vals, &rc);
	if (!res)
		return rc;
	n = PQntuples(res);
	*out = xcalloc((size_t)n + 1, sizeof(**out));
	for (int i = 0; i < n; i++)
		read_project(res, i, &(*out)[i]);
	*nr = (size_t)n;
	PQclear(res);
	return SDB_OK;
}

/*
 * One statement, each source an index walk of idx_patterns_project_rank
 * (LATERAL ... LIMIT), so the cost depends on the similar projects only:
 * first the sources of the highest similarity ("top"); once they give
 * per_source candidates, the weakest of those scores ("cut") gives every
 * other source a floor, and it reads only the rows whose rank_key can
 * still reach it at that source's similarity (often none); of the top
 * sources' own candidates, only those that can still rank come back. The
 * slack of 1e-9 covers the rounding of similarity × confidence × rate
 * (the caller's score) against similarity × rank_key. The target's
 * own patterns and those applied there are each read once into a hashed
 * set (NOT IN over non-null ids), not probed row by row.
 */
#define SUGGEST_PICK                                                           \
	"SELECT p.id, p.problem_type, p.commit_msg, p.file_path, p.language, "  \
	"p.confidence, p.outcome_successes, p.outcome_failures, "              \
	"p.success_count, p.created_seq, p.project_id, p.rank_key "            \
	"FROM patterns p WHERE p.project_id = s.pid AND "                      \
	"p.confidence >= $2::float8 AND "                                      \
	"($4::text[] IS NULL OR p.problem_type = ANY($4::text[])) AND "        \
	"p.id NOT IN (SELECT pattern_id FROM own) AND "                        \
	"p.id NOT IN (SELECT pattern_id FROM used) AND "
#define SUGGEST_ORDER                                                          \
	" ORDER BY p.rank_key DESC, p.success_count DESC, p.created_seq DESC " \
	"LIMIT $5::bigint"
#define SUGGEST_COLUMNS                                                        \
	"c.id::text, c.problem_type, c.commit_msg, c.file_path, c.language, "   \
	"c.confidence, c.outcome_successes, c.outcome_failures, "              \
	"COALESCE(c.success_count, 0), c.created_seq, c.project_id, c.rank_key"

static const char suggest_sql[] =
	"WITH src AS (SELECT * FROM unnest($1::text[], $6::float8[]) AS s(pid, sim)), "
	"own AS MATERIALIZED (SELECT pattern_id FROM project_patterns "
	"  WHERE project_id = $3::text), "
	"used AS MATERIALIZED (SELECT pattern_id FROM applications "
	"  WHERE target_project_id = $3::uuid AND applied), "
	"top AS MATERIALIZED (SELECT s.sim, c.* FROM src s CROSS JOIN LATERAL ("
	SUGGEST_PICK "TRUE" SUGGEST_ORDER ") c "
	"  WHERE s.sim = (SELECT max(sim) FROM src)), "
	"cut AS (SELECT sim * rank_key AS best FROM top ORDER BY 1 DESC "
	"  OFFSET $5::bigint - 1 LIMIT 1) "
	"SELECT " SUGGEST_COLUMNS " FROM top c WHERE c.sim * c.rank_key >= "
	"  COALESCE((SELECT best FROM cut) - 1e-9::float8, -1::float8) UNION ALL "
	"SELECT " SUGGEST_COLUMNS " FROM src s CROSS JOIN LATERAL ("
	SUGGEST_PICK "p.rank_key >= COALESCE((SELECT best FROM cut) / s.sim - 1e-9::float8, "
	"-1::float8)" SUGGEST_ORDER ") c WHERE s.sim < (SELECT max(sim) FROM src)";

static void read_suggestion(PGresult *res, int i, struct sdb_suggestion *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->pattern_id, sizeof(s->pattern_id), "%s", PQgetvalue(res, i, 0));
	s->pattern_type = get_str(res, i, 1);
	s->commit_msg = get_str(res, i, 2);
	s->file_path = get_str(res, i, 3);
	s->language = get_str(res, i, 4);
	s->confidence = strtod(PQgetvalue(res, i, 5), NULL);
	s->outcome_successes = strtoll(PQgetvalue(res, i, 6), NULL, 10);
	s->outcome_failures = strtoll(PQgetvalue(res, i, 7), NULL, 10);
	s->success_count = strtoll(PQgetvalue(res, i, 8), NULL, 10);
	s->created_seq = strtoll(PQgetvalue(res, i, 9), NULL, 10);
	snprintf(s->source_project_id, sizeof(s->source_project_id), "%s",
		 PQgetvalue(res, i, 10));
}

static int pg_suggest(struct serverdb *db, void *conn, const struct sdb_suggest_query *q,
		      struct sdb_suggestion **out, size_t *nr)
{
	struct pg_conn *c = conn;
	struct strbuf sources = STRBUF_INIT, types = STRBUF_INIT, sims = STRBUF_INIT;
	char conf[40], per[32];
	const char *vals[6];
	PGresult *res;
	int rc, n;

	for (size_t i = 0; i < q->nr_types; i++)
		array_add(&types, q->types[i]);
	array_end(&types);
	for (size_t i = 0; i < q->nr_sources; i++) {
		char sim[40];
		snprintf(sim, sizeof(sim), "%.17g", q->similarity ? q->similarity[i] : 1.0);
		array_add(&sources, q->sources[i]);
		array_add(&sims, sim);
	}
	array_end(&sources);
	array_end(&sims);
	snprintf(conf, sizeof(conf), "%.17g", q->min_confidence);
	snprintf(per, sizeof(per), "%lld", q->per_source);
	vals[0] = sources.buf;
	vals[1] = conf;
	vals[2] = q->target;
	vals[3] = q->nr_types ? types.buf : NULL;
	vals[4] = per;
	vals[5] = sims.buf;
	res = pq(c, suggest_sql, 6, vals, &rc);
	strbuf_release(&sources);
	strbuf_release(&sims);
	strbuf_release(&types);
	if (!res)
		return rc;
	n = PQntuples(res);
	*out = xcalloc((size_t)n + 1, sizeof(**out));
	for (int i = 0; i < n; i++)
		read_suggestion(res, i, &(*out)[i]);
	*nr = (size_t)n;
	PQclear(res);
	return SDB_OK;
}

#define APPLICATION_COLUMNS                                                    \
	"target_project_id::text, pattern_id::text, "                          \
	"COALESCE(source_project_id::text, ''), similarity_score, applied, "   \
	TS("created_at") ", " TS("applied_at") ", outcome"

static void read_application(PGresult *res, int row, struct sdb_application *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->target_project_id, sizeof(a->target_project_id), "%s",
		 PQgetvalue(res, row, 0));
	snprintf(a->pattern_id, sizeof(a->pattern_id), "%s", PQgetvalue(res, row, 1));
	snprintf(a->source_project_id, sizeof(a->source_project_id), "%s",
		 PQgetvalue(res, row, 2));
	a->similarity_score = strtod(PQgetvalue(res, row, 3), NULL);
	a->applied = PQgetvalue(res, row, 4)[0] == 't';
	a->created_at = get_str(res, row, 5);
	a->applied_at = get_str(res, row, 6);
	a->outcome = get_str(res, row, 7);
}

static int pg_application_put(struct serverdb *db, void *conn, struct sdb_application *items,
			      size_t n)
{
	struct pg_conn *c = conn;
	int rc;

	if ((rc = pg_begin(c, 0)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct sdb_application *a = &items[i];
		char sim[40];
		const char *vals[] = { a->target_project_id, a->pattern_id,
				       *a->source_project_id ? a->source_project_id : NULL, sim,
				       a->applied ? "true" : "false" };
		PGresult *res;
		snprintf(sim, sizeof(sim), "%.17g", a->similarity_score);
		/* one record per (target, pattern); applied only goes from false to true */
		res = pq(c, "INSERT INTO applications AS a (target_project_id, pattern_id, "
			    "source_project_id, similarity_score, applied, applied_at) VALUES "
			    "($1::uuid, $2::uuid, $3::uuid, $4::double precision, $5::boolean, "
			    "CASE WHEN $5::boolean THEN CURRENT_TIMESTAMP END) ON CONFLICT "
			    "(target_project_id, pattern_id) DO UPDATE SET applied = true, "
			    "applied_at = CURRENT_TIMESTAMP WHERE EXCLUDED.applied AND NOT a.applied",
			 5, vals, &rc);
		if (!res)
			goto fail;
		PQclear(res);
		res = pq(c, "SELECT " APPLICATION_COLUMNS " FROM applications WHERE "
			    "target_project_id = $1::uuid AND pattern_id = $2::uuid", 2, vals, &rc);
		if (!res)
			goto fail;
		if (PQntuples(res) == 1) {
			free(a->created_at);
			free(a->applied_at);
			free(a->outcome);
			read_application(res, 0, a);
		}
		PQclear(res);
	}
	return pg_commit(c);
fail:
	pg_rollback(c);
	return rc;
}

/*
 * The application's row lock (UPDATE ... WHERE applied) orders concurrent
 * outcomes of one pattern, across servers too; each adds exactly once
 * with arithmetic done by the database on the locked row.
 */
static int pg_pattern_outcome(struct serverdb *db, void *conn, const char *pattern_id,
			      const char *target, int success, struct sdb_pattern *out)
{
	struct pg_conn *c = conn;
	const char *av[] = { target, pattern_id, success ? "success" : "failure" };
	const char *pv[] = { pattern_id, success ? "1" : "0" };
	PGresult *res;
	int rc;

	if ((rc = pg_begin(c, 1)) < 0)
		return rc;
	if ((rc = get_one(c, pattern_id, out, 0)) < 0)
		goto fail;
	sdb_pattern_release(out);
	res = pq(c, "UPDATE applications SET outcome = $3::text, outcome_at = CURRENT_TIMESTAMP, "
		    "successes = successes + CASE WHEN $3::text = 'success' THEN 1 ELSE 0 END, "
		    "failures = failures + CASE WHEN $3::text = 'failure' THEN 1 ELSE 0 END "
		    "WHERE target_project_id = $1::uuid AND pattern_id = $2::uuid AND applied",
		 3, av, &rc);
	if (!res)
		goto fail;
	if (!atoi(PQcmdTuples(res))) {
		PQclear(res);
		err_set("pattern %s was not applied in project %s", pattern_id, target);
		rc = SDB_CONFLICT;
		goto fail;
	}
	PQclear(res);
	if ((rc = pq_do(c, "UPDATE patterns SET "
			   "outcome_successes = outcome_successes + $2::int, "
			   "outcome_failures = outcome_failures + 1 - $2::int, "
			   "confidence = round(GREATEST(0, LEAST(1, COALESCE(confidence, 0.5) + "
			   "CASE WHEN $2::int = 1 THEN 0.05 ELSE -0.10 END))::numeric, 2), "
			   "last_used = CURRENT_TIMESTAMP, "
			   "change_seq = nextval('pattern_change_seq') WHERE id = $1::uuid",
			2, pv)) < 0)
		goto fail;
	if ((rc = get_one(c, pattern_id, out, 0)) < 0)
		goto fail;
	if ((rc = pg_commit(c)) < 0) {
		sdb_pattern_release(out);
		return rc;
	}
	return SDB_OK;
fail:
	pg_rollback(c);
	return rc;
}

static int pg_application_list(struct serverdb *db, void *conn, const char *target,
			       struct sdb_application **out, size_t *nr,
			       struct sdb_app_stats *stats)
{
	struct pg_conn *c = conn;
	const char *vals[] = { target };
	PGresult *res;
	int rc, n;

	res = pq(c, "SELECT count(*), count(*) FILTER (WHERE applied), "
		    "COALESCE(sum(successes), 0), COALESCE(sum(failures), 0) FROM applications "
		    "WHERE target_project_id = $1::uuid", 1, vals, &rc);
	if (!res)
		return rc;
	stats->total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	stats->applied = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	stats->successes = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	stats->failures = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	PQclear(res);
	res = pq(c, "SELECT " APPLICATION_COLUMNS " FROM applications WHERE "
		    "target_project_id = $1::uuid AND applied ORDER BY applied_at DESC, seq DESC",
		 1, vals, &rc);
	if (!res)
		return rc;
	n = PQntuples(res);
	*out = xcalloc((size_t)n + 1, sizeof(**out));
	for (int i = 0; i < n; i++)
		read_application(res, i, &(*out)[i]);
	*nr = (size_t)n;
	PQclear(res);
	return SDB_OK;
}

/* ---- recall ---- */

/* Drop an index of another version (cheap check first). */
static int pg_recall_reset(struct pg_conn *c, int version)
{
	char v[16];
	const char *vals[] = { v };
	PGresult *res;
	int rc, current;

	snprintf(v, sizeof(v), "%d", version);
	res = pq(c, "SELECT 1 FROM recall_state WHERE version = $1::int", 1, vals, &rc);
	if (!res)
		return rc;
	current = PQntuples(res) == 1;
	PQclear(res);
	if (current)
		return SDB_OK;
	if ((rc = pg_begin(c, 0)) < 0)
		return rc;
	/* the row lock orders concurrent resets; the second finds it done */
	if ((rc = pq_do(c, "SELECT version FROM recall_state FOR UPDATE", 0, NULL)) < 0 ||
	    (rc = pq_do(c, "DELETE FROM recall_postings WHERE (SELECT version FROM recall_state)"
			   " != $1::int", 1, vals)) < 0 ||
	    (rc = pq_do(c, "UPDATE recall_state SET upto = 0, version = $1::int"
			   " WHERE version != $1::int", 1, vals)) < 0) {
		pg_rollback(c);
		return rc;
	}
	return pg_commit(c);
}

static int pg_recall_unindexed(struct serverdb *db, void *conn, int version, int limit,
			       struct sdb_recall_doc **out, size_t *nr)
{
	char lim[32];
	const char *vals[] = { lim };
	PGresult *res;
	int rc, n;

	*out = NULL;
	*nr = 0;
	if ((rc = pg_recall_reset(conn, version)) < 0)
		return rc;
	snprintf(lim, sizeof(lim), "%d", limit);
	res = pq(conn, "SELECT id::text, created_seq, language, code_before FROM patterns"
		       " WHERE created_seq > (SELECT upto FROM recall_state)"
		       " ORDER BY created_seq LIMIT $1::int",
		 1, vals, &rc);
	if (!res)
		return rc;
	n = PQntuples(res);
	*out = xcalloc(n ? (size_t)n : 1, sizeof(**out));
	for (int i = 0; i < n; i++) {
		struct sdb_recall_doc *d = &(*out)[i];
		snprintf(d->id, sizeof(d->id), "%s", PQgetvalue(res, i, 0));
		d->seq = atoll(PQgetvalue(res, i, 1));
		d->language = get_str(res, i, 2);
		d->code_before = get_str(res, i, 3);
	}
	*nr = (size_t)n;
	PQclear(res);
	return SDB_OK;
}

/* The postings as two bound arrays, inserted by one statement. */
static int pg_recall_index_put(struct serverdb *db, void *conn, const struct sdb_posting *p,
			       size_t n, long long upto)
{
	struct pg_conn *c = conn;
	struct strbuf features = STRBUF_INIT, patterns = STRBUF_INIT;
	char mark[32];
	const char *ins[] = { NULL, NULL }, *up[] = { mark };
	int rc;

	for (size_t i = 0; i < n; i++) {
		char num[16];
		snprintf(num, sizeof(num), "%u", (unsigned)p[i].feature);
		array_add(&features, num);
		array_add(&patterns, p[i].pattern);
	}
	array_end(&features);
	array_end(&patterns);
	ins[0] = features.buf;
	ins[1] = patterns.buf;
	snprintf(mark, sizeof(mark), "%lld", upto);
	if ((rc = pg_begin(c, 0)) < 0)
		goto out;
	if ((rc = pq_do(c, "INSERT INTO recall_postings (feature, pattern)"
			   " SELECT * FROM unnest($1::bigint[], $2::uuid[])"
			   " ON CONFLICT DO NOTHING",
			2, ins)) < 0 ||
	    (rc = pq_do(c, "UPDATE recall_state SET upto = GREATEST(upto, $1::bigint)", 1,
			up)) < 0) {
		pg_rollback(c);
		goto out;
	}
	rc = pg_commit(c);
out:
	strbuf_release(&features);
	strbuf_release(&patterns);
	return rc;
}

/* Every feature's postings (at most cap + 1 each) in one round trip. */
static int pg_recall_lookup(struct serverdb *db, void *conn, const uint32_t *features,
			    size_t n, int cap, struct sdb_posting **out, size_t *nr)
{
	struct strbuf arr = STRBUF_INIT;
	char lim[32];
	const char *vals[] = { NULL, lim };
	PGresult *res;
	int rc, rows;

	for (size_t i = 0; i < n; i++) {
		char num[16];
		snprintf(num, sizeof(num), "%u", (unsigned)features[i]);
		array_add(&arr, num);
	}
	array_end(&arr);
	vals[0] = arr.buf;
	snprintf(lim, sizeof(lim), "%d", cap + 1);
	res = pq(conn, "SELECT f, p.pattern::text FROM unnest($1::bigint[]) AS f,"
		       " LATERAL (SELECT pattern FROM recall_postings WHERE feature = f"
		       " LIMIT $2::int) AS p",
		 2, vals, &rc);
	strbuf_release(&arr);
	if (!res)
		return rc;
	rows = PQntuples(res);
	*out = xcalloc(rows ? (size_t)rows : 1, sizeof(**out));
	for (int i = 0; i < rows; i++) {
		(*out)[i].feature = (uint32_t)strtoul(PQgetvalue(res, i, 0), NULL, 10);
		snprintf((*out)[i].pattern, sizeof((*out)[i].pattern), "%s",
			 PQgetvalue(res, i, 1));
	}
	*nr = (size_t)rows;
	PQclear(res);
	return SDB_OK;
}

static const struct serverdb_ops pg_ops = {
	.name = "postgresql",
	.connect = pg_connect_cb,
	.disconnect = pg_disconnect_cb,
	.destroy = pg_destroy,
	.ping = pg_ping,
	.identity = pg_identity,
	.last_change = pg_last_change,
	.key_add = pg_key_add,
	.key_lookup = pg_key_lookup,
	.key_list = pg_key_list,
	.key_revoke = pg_key_revoke,
	.pattern_put = pg_pattern_put,
	.pattern_get = pg_pattern_get,
	.pattern_list = pg_pattern_list,
	.pattern_delete = pg_pattern_delete,
	.pattern_feedback = pg_pattern_feedback,
	.adapter_add = pg_adapter_add,
	.adapter_list = pg_adapter_list,
	.adapter_get = pg_adapter_get,
	.adapter_activate = pg_adapter_activate,
	.adapter_delete = pg_adapter_delete,
	.session_add = pg_session_add,
	.session_lookup = pg_session_lookup,
	.session_delete = pg_session_delete,
	.pattern_votes = pg_pattern_votes,
	.project_put = pg_project_put,
	.project_get = pg_project_get,
	.project_rev = pg_project_rev,
	.project_list = pg_project_list,
	.suggest = pg_suggest,
	.application_put = pg_application_put,
	.pattern_outcome = pg_pattern_outcome,
	.application_list = pg_application_list,
	.recall_unindexed = pg_recall_unindexed,
	.recall_index_put = pg_recall_index_put,
	.recall_lookup = pg_recall_lookup,
};

int serverdb_pg_open(struct serverdb **out, const char *url)
{
	struct pg_db *d = xcalloc(1, sizeof(*d));
	struct pg_conn *c;
	int rc;

	*out = NULL;
	d->url = xstrdup(url);
	serverdb_init_common(&d->common, &pg_ops);
	c = pg_connect_cb(&d->common);
	ALLOC_GROW(d->common.conns, 1, d->common.alloc_conns);
	d->common.conns[d->common.nr_conns++] = c;
	pthread_setspecific(d->common.key, c);
	if (!c->pg) {
		rc = SDB_UNAVAILABLE;
		goto fail;
	}
	if ((rc = migrate(c)) < 0)
		goto fail;
	*out = &d->common;
	return SDB_OK;
fail:
	{
		char *msg = xstrdup(err_msg());
		serverdb_close(&d->common);
		err_set("%s", msg);
		free(msg);
	}
	return rc;
}
