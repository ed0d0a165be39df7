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
	 * 4: web interface sessions (SPEC §10): only the token's SHA-256; and
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
};

#define TS(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define PATTERN_COLUMNS                                                        \
	"id::text, problem_type, solution_hash, code_before, code_after, "     \
	"COALESCE(success_count, 0), " TS("last_used") ", created_by, "         \
	TS("created_at") ", pattern_id, commit_msg, language, file_path, "     \
	"project_id, commit_id, author, date, author_name, confidence, change_seq"

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
	const char *vals[NR_COLS + 1];
	PGresult *res = NULL;
	size_t created;
	int rc;

	for (int k = 0; k < NR_COLS; k++)
		strbuf_init(&cols[k], 0);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &items[i];
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
	if ((rc = put_known(c, items, n)) < 0)
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

static int pg_pattern_list(struct serverdb *db, void *conn, const struct sdb_query *q,
			   struct sdb_pattern **out, size_t *nr, long long *total)
{
	struct pg_conn *c = conn;
	struct strbuf where = STRBUF_INIT, sql = STRBUF_INIT;
	const char *vals[10];
	char conf[40], since[32], limit[32], offset[32];
	char *like = q->q ? sdb_like_pattern(q->q) : NULL;
	int n = 0, rc, rows;
	PGresult *res = NULL;

#define PARAM(v) (vals[n++] = (v), n)
	strbuf_addstr(&where, " WHERE true");
	if (q->problem_type)
		strbuf_addf(&where, " AND problem_type = $%d", PARAM(q->problem_type));
	if (q->language)
		strbuf_addf(&where, " AND language = $%d", PARAM(q->language));
	if (q->project_id)
		strbuf_addf(&where, " AND project_id = $%d", PARAM(q->project_id));
	if (like) {
		int k = PARAM(like);
		strbuf_addf(&where, " AND (commit_msg ILIKE $%d OR file_path ILIKE $%d OR "
				    "code_before ILIKE $%d OR code_after ILIKE $%d)", k, k, k, k);
	}
	if (q->has_min_confidence) {
		snprintf(conf, sizeof(conf), "%.17g", q->min_confidence);
		strbuf_addf(&where, " AND confidence >= $%d", PARAM(conf));
	}
	if (q->has_since) {
		snprintf(since, sizeof(since), "%lld", q->since);
		strbuf_addf(&where, " AND change_seq > $%d", PARAM(since));
	}

	/* total: the counter row, or a count unless the caller does without */
	*total = -1;
	if (!(q->no_total && n)) {
		if (n)
			strbuf_addf(&sql, "SELECT count(*) FROM patterns%s", where.buf);
		else
			strbuf_addstr(&sql,
				      "SELECT value FROM counters WHERE name = 'patterns'");
		res = pq(c, sql.buf, n, vals, &rc);
		if (!res)
			goto out;
		*total = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
		PQclear(res);
	}

	strbuf_reset(&sql);
	snprintf(limit, sizeof(limit), "%lld", q->limit);
	strbuf_addf(&sql, "SELECT " PATTERN_COLUMNS " FROM patterns%s", where.buf);
	if (q->has_since) {
		strbuf_addf(&sql, " ORDER BY change_seq LIMIT $%d", PARAM(limit));
	} else {
		int l = PARAM(limit);
		snprintf(offset, sizeof(offset), "%lld", (q->page - 1) * q->limit);
		strbuf_addf(&sql, " ORDER BY success_count DESC, created_seq DESC LIMIT $%d "
				  "OFFSET $%d", l, PARAM(offset));
	}
#undef PARAM
	res = pq(c, sql.buf, n, vals, &rc);
	if (!res)
		goto out;
	rows = PQntuples(res);
	*out = xcalloc((size_t)rows + 1, sizeof(**out));
	for (int i = 0; i < rows; i++)
		read_pattern(res, i, &(*out)[i]);
	*nr = (size_t)rows;
	PQclear(res);
	rc = SDB_OK;
out:
	strbuf_release(&where);
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

	if ((rc = pg_begin(c, 0)) < 0)
		return rc;
	if ((rc = get_one(c, id, &p, 1)) < 0)
		goto fail;
	if (!is_admin && strcmp(p.created_by, user))
		rc = SDB_FORBIDDEN;
	sdb_pattern_release(&p);
	if (rc < 0)
		goto fail;
	if ((rc = pq_do(c, "DELETE FROM patterns WHERE id = $1::uuid", 1, vals)) < 0 ||
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

static const struct serverdb_ops pg_ops = {
	.name = "postgresql",
	.connect = pg_connect_cb,
	.disconnect = pg_disconnect_cb,
	.destroy = pg_destroy,
	.ping = pg_ping,
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
