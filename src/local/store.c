/*
 * store.c: open, configure and migrate the local SQLite pattern store
 * (see store.h for the invariants it keeps).
 */
#include "local/store.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
	sqlite3 *db;
	char *path;
	int read_only; /* opened by open_read_only() */
	int busy_ms;	  /* how long busy_wait() waits */
	double wait_from; /* when the present wait began */
	int waited_long;  /* the notice was given (once per store) */
};

/* how long a writer waits for another's lock before "database is locked" */
#define STORE_BUSY_MS 60000

/* store_wait_notice(): said once a wait for the lock passes a second */
static void (*wait_notice)(const char *path);

void store_wait_notice(void (*fn)(const char *path))
{
	wait_notice = fn;
}

/*
 * SQLite's busy handler: wait for another connection's lock up to busy_ms,
 * as sqlite3_busy_timeout() does, and once a wait passes a second, tell
 * wait_notice (a command on a terminal says what it is waiting for, where
 * it would otherwise seem to hang).
 */
static int busy_wait(void *data, int count)
{
	struct store *s = data;
	double now = now_seconds(), waited;

	if (!count)
		s->wait_from = now;
	waited = now - s->wait_from;
	if (waited * 1000 >= s->busy_ms)
		return 0;
	if (waited >= 1.0 && wait_notice && !s->waited_long) {
		s->waited_long = 1;
		wait_notice(s->path);
	}
	usleep(count < 10 ? 1000u * (unsigned)(count + 1) : 25000u);
	return 1;
}

/*
 * Migrations, applied in order; entry i brings the schema to version i+1.
 * Never edit a released entry: append a new one.
 */
static const char *const migrations[] = {
	/* 1: extraction */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE patterns ("
	"  id INTEGER PRIMARY KEY,"
	"  pattern_id TEXT NOT NULL,"
	"  variant TEXT NOT NULL DEFAULT '',"	  /* options that shape the code */
	"  origin TEXT NOT NULL DEFAULT 'local'," /* 'local' or 'team' */
	"  commit_id TEXT,"
	"  file_path TEXT NOT NULL DEFAULT '',"
	"  old_path TEXT,"
	"  problem_type TEXT NOT NULL,"
	"  before_code TEXT NOT NULL,"
	"  after_code TEXT NOT NULL,"
	"  commit_msg TEXT NOT NULL DEFAULT '',"
	"  commit_body TEXT NOT NULL DEFAULT '',"
	"  author TEXT NOT NULL DEFAULT '',"
	"  author_name TEXT NOT NULL DEFAULT '',"
	"  date TEXT NOT NULL DEFAULT '',"
	"  commit_time INTEGER NOT NULL DEFAULT 0," /* committer time */
	"  confidence REAL NOT NULL,"
	"  language TEXT NOT NULL DEFAULT '',"
	"  solution_hash TEXT NOT NULL,"
	"  obsolete INTEGER NOT NULL DEFAULT 0,"  /* rewritten away */
	"  server_id TEXT,"			  /* UUID on the team server */
	"  success_count INTEGER NOT NULL DEFAULT 0,"
	"  created_by TEXT,"
	"  UNIQUE (pattern_id, variant, origin));"
	"CREATE INDEX patterns_commit ON patterns(commit_id);"
	"CREATE INDEX patterns_solution ON patterns(solution_hash);"
	"CREATE TABLE processed ("
	"  commit_id TEXT NOT NULL,"
	"  variant TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  skipped_unknown INTEGER NOT NULL DEFAULT 0," /* unknown, left out */
	"  PRIMARY KEY (commit_id, variant)) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE patterns_fts USING fts5("
	"  commit_msg, file_path, before_code, after_code,"
	"  content='patterns', content_rowid='id');"
	"CREATE TRIGGER patterns_ai AFTER INSERT ON patterns BEGIN"
	"  INSERT INTO patterns_fts(rowid, commit_msg, file_path, before_code, after_code)"
	"  VALUES (new.id, new.commit_msg, new.file_path, new.before_code, new.after_code);"
	"END;"
	"CREATE TRIGGER patterns_ad AFTER DELETE ON patterns BEGIN"
	"  INSERT INTO patterns_fts(patterns_fts, rowid, commit_msg, file_path, before_code, after_code)"
	"  VALUES ('delete', old.id, old.commit_msg, old.file_path, old.before_code, old.after_code);"
	"END;",

	/* 2: team sync (see sync.h) */
	"CREATE TABLE sync_state ("
	"  remote TEXT PRIMARY KEY,"		  /* server URL, no trailing slash */
	"  pull_cursor TEXT,"			  /* the server's next_since */
	"  last_sync INTEGER);"
	"CREATE TABLE pushed ("			  /* acknowledged by the server */
	"  pattern_rowid INTEGER NOT NULL REFERENCES patterns(id) ON DELETE CASCADE,"
	"  remote TEXT NOT NULL,"
	"  server_id TEXT,"
	"  PRIMARY KEY (pattern_rowid, remote)) WITHOUT ROWID;"
	"CREATE TABLE feedback_queue ("
	"  id INTEGER PRIMARY KEY,"
	"  pattern_ref TEXT NOT NULL,"		  /* pattern_id, or a server UUID */
	"  pattern_rowid INTEGER REFERENCES patterns(id) ON DELETE SET NULL,"
	"  helpful INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX feedback_pending ON feedback_queue(sent_at, pattern_rowid);"
	"CREATE INDEX patterns_server_id ON patterns(server_id) WHERE server_id IS NOT NULL;"
	/* what is left to push, without reading the code (a no-op sync stays fast) */
	"CREATE INDEX patterns_push ON patterns(origin, variant, obsolete);",

	/* 3: weight fusion */
	"CREATE TABLE adapter_versions ("
	"  id TEXT PRIMARY KEY,"
	"  version_name TEXT NOT NULL,"
	"  adapter_path TEXT NOT NULL,"
	"  created_by TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  is_active INTEGER NOT NULL DEFAULT 0,"
	"  parent_versions TEXT NOT NULL DEFAULT '[]',"
	"  method TEXT,"
	"  weights TEXT,"
	"  size INTEGER,"
	"  sha256 TEXT,"
	"  config_path TEXT,"		/* adapter_config.json written beside it */
	"  copy_dir TEXT NOT NULL DEFAULT '',"  /* the kept copy, under patterns/adapters */
	"  UNIQUE (version_name));"
	/* activations in order; rollback marks the undone ones */
	"CREATE TABLE adapter_activations ("
	"  seq INTEGER PRIMARY KEY,"
	"  version_id TEXT NOT NULL REFERENCES adapter_versions(id),"
	"  at TEXT NOT NULL,"
	"  action TEXT NOT NULL,"		/* merge, activate, rollback */
	"  undone INTEGER NOT NULL DEFAULT 0);",

	/*
	 * 4: the full-text index is brought up to date when it is searched
	 * (store_fts_catch_up), not on every insert: extraction, hooks and
	 * pulls no longer pay for tokenizing code nobody searched yet.
	 */
	"ALTER TABLE patterns ADD COLUMN fts_indexed INTEGER NOT NULL DEFAULT 0;"
	"UPDATE patterns SET fts_indexed = 1;"
	"DROP TRIGGER patterns_ai;"
	"DROP TRIGGER patterns_ad;"
	"CREATE TRIGGER patterns_ad AFTER DELETE ON patterns WHEN old.fts_indexed BEGIN"
	"  INSERT INTO patterns_fts(patterns_fts, rowid, commit_msg, file_path, before_code, after_code)"
	"  VALUES ('delete', old.id, old.commit_msg, old.file_path, old.before_code, old.after_code);"
	"END;"
	"CREATE INDEX patterns_fts_todo ON patterns(id) WHERE fts_indexed = 0;",

	/*
	 * 5: pattern quality. file_role and code_change on every pattern;
	 * rows of older stores (and team rows) have file_role '' until
	 * pattern_store_fill_quality() computes them. The full-text index
	 * gains the commit body and stems words (porter): it is rebuilt by
	 * the next search. (A new index of it changes fts_index_in_temp() of
	 * store-patterns.c too, which makes it for a read-only store.)
	 */
	"ALTER TABLE patterns ADD COLUMN file_role TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE patterns ADD COLUMN code_change INTEGER NOT NULL DEFAULT 1;"
	"CREATE INDEX patterns_quality_todo ON patterns(id) WHERE file_role = '';"
	"DROP TRIGGER patterns_ad;"
	"DROP TABLE patterns_fts;"
	"CREATE VIRTUAL TABLE patterns_fts USING fts5("
	"  commit_msg, commit_body, file_path, before_code, after_code,"
	"  content='patterns', content_rowid='id', tokenize='porter unicode61');"
	"CREATE TRIGGER patterns_ad AFTER DELETE ON patterns WHEN old.fts_indexed BEGIN"
	"  INSERT INTO patterns_fts(patterns_fts, rowid, commit_msg, commit_body, file_path,"
	"    before_code, after_code)"
	"  VALUES ('delete', old.id, old.commit_msg, old.commit_body, old.file_path,"
	"    old.before_code, old.after_code);"
	"END;"
	"UPDATE patterns SET fts_indexed = 0;"
	/*
	 * Search reads these columns of every hit: an index that covers them
	 * spares reading each hit's row, whose code spills into overflow
	 * pages. Files per commit (a mechanical commit is lowered) come from
	 * the commit index, now with the variant.
	 */
	"CREATE INDEX patterns_search ON patterns(id, commit_id, variant, origin, obsolete,"
	"  problem_type, language, file_role, code_change, solution_hash);"
	"DROP INDEX patterns_commit;"
	"CREATE INDEX patterns_commit ON patterns(commit_id, variant);",
	/*
	 * 6: the classifier's rule that decided a local pattern's problem_type
	 * ("keyword:leak"), which show prints; '' until the store is relabelled
	 * (relabel.c does it on the next run, as the classifier's version in
	 * meta changed).
	 */
	"ALTER TABLE patterns ADD COLUMN rule TEXT NOT NULL DEFAULT '';",

	/*
	 * 7: cross-project learning (SPEC §8): applications and outcomes
	 * waiting for the team server, and the server pattern ids that
	 * "git patterns suggest" showed (so apply/outcome take their prefixes)
	 */
	"CREATE TABLE xproject_queue ("
	"  id INTEGER PRIMARY KEY,"
	"  remote TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"			/* apply, outcome */
	"  pattern_uuid TEXT NOT NULL,"
	"  success INTEGER,"			/* outcome */
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE xproject_seen ("
	"  server_id TEXT PRIMARY KEY,"
	"  remote TEXT NOT NULL,"
	"  shown_at INTEGER NOT NULL) WITHOUT ROWID;",

	/*
	 * 8: the recall index (store-recall.c owns it): each pattern's sketch
	 * features -> the pattern; meta recall.indexed_upto is the highest
	 * pattern id indexed.
	 */
	"CREATE TABLE IF NOT EXISTS recall_postings ("
	"  feature INTEGER NOT NULL,"
	"  pattern INTEGER NOT NULL,"
	"  PRIMARY KEY (feature, pattern)) WITHOUT ROWID;",

	/*
	 * 9: where a local pattern's commit stood in the history, for the
	 * commits of one committer time (a rebase makes them), which list and
	 * export show newest first as git log does: larger is newer. Each
	 * extraction numbers its commits above meta extract.walk_seq, in walk
	 * order; 0 for patterns stored before (and for the team's).
	 */
	"ALTER TABLE patterns ADD COLUMN walk_seq INTEGER NOT NULL DEFAULT 0;",

	/*
	 * 10: the identity of the server database a remote's sync state
	 * belongs to (its X-Patterns-Database); NULL while none is known
	 */
	"ALTER TABLE sync_state ADD COLUMN database_id TEXT;",

	/*
	 * 11: a pull that meets a pattern deleted on the server takes its
	 * server id off the push record (store_puller_drop); without this,
	 * each such pattern read every push record
	 */
	"CREATE INDEX pushed_server_id ON pushed(server_id) WHERE server_id IS NOT NULL;",

	/*
	 * 12: where each hunk after the first starts in before_code and
	 * after_code (hunks_format(): "b,a b,a"), for tokenizing hunk by hunk
	 * (the recall index, code_change); NULL: one hunk, whole files, the
	 * team's, and patterns stored before, whose hunks are read joined
	 */
	"ALTER TABLE patterns ADD COLUMN hunks TEXT;",

	/*
	 * 13: the whole-file extraction's patterns ("whole,max=N") get a
	 * full-text index of their own, patterns_fts_whole, searched by
	 * search --whole-file only: whole files no longer weigh on every
	 * search of the hunks (redis: 32 ms became 60 once a whole-file
	 * extraction shared the index). fts_indexed = 1 says a row is in its
	 * variant's index. Everything is indexed again where it belongs, the
	 * hunks by the next search (seconds), whole files by the next search
	 * of them or the background indexer (store_fts_catch_up); the rows
	 * left to index are found by variant.
	 */
	"CREATE VIRTUAL TABLE patterns_fts_whole USING fts5("
	"  commit_msg, commit_body, file_path, before_code, after_code,"
	"  content='patterns', content_rowid='id', tokenize='porter unicode61');"
	"DROP TRIGGER patterns_ad;"
	"CREATE TRIGGER patterns_ad AFTER DELETE ON patterns"
	"  WHEN old.fts_indexed AND (old.variant < 'whole,' OR old.variant >= 'whole-') BEGIN"
	"  INSERT INTO patterns_fts(patterns_fts, rowid, commit_msg, commit_body, file_path,"
	"    before_code, after_code)"
	"  VALUES ('delete', old.id, old.commit_msg, old.commit_body, old.file_path,"
	"    old.before_code, old.after_code);"
	"END;"
	"CREATE TRIGGER patterns_ad_whole AFTER DELETE ON patterns"
	"  WHEN old.fts_indexed AND old.variant >= 'whole,' AND old.variant < 'whole-' BEGIN"
	"  INSERT INTO patterns_fts_whole(patterns_fts_whole, rowid, commit_msg, commit_body,"
	"    file_path, before_code, after_code)"
	"  VALUES ('delete', old.id, old.commit_msg, old.commit_body, old.file_path,"
	"    old.before_code, old.after_code);"
	"END;"
	"INSERT INTO patterns_fts(patterns_fts) VALUES ('delete-all');"
	"UPDATE patterns SET fts_indexed = 0 WHERE fts_indexed;"
	"DROP INDEX patterns_fts_todo;"
	"CREATE INDEX patterns_fts_todo ON patterns(variant, id) WHERE fts_indexed = 0;",
};

int store_error(struct store *s, const char *what)
{
	return err_set("%s: %s (%s)", what, sqlite3_errmsg(s->db), s->path);
}

/* Run sql; on failure err_set() SQLite's message alone. */
static int exec_bare(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set("%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set("pattern store %s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *store_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_error(s, "cannot prepare statement");
		return NULL;
	}
	return st;
}

int store_temp_exists(struct store *s, const char *name)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT EXISTS (SELECT 1 FROM temp.sqlite_master"
					    " WHERE name = ?1)");
	int there = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		there = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return there;
}

int store_begin(struct store *s) { return store_exec(s, "BEGIN IMMEDIATE"); }
void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_commit(struct store *s)
{
	if (store_exec(s, "COMMIT") == 0)
		return 0;
	/* a COMMIT that fails (busy, disk full) leaves the transaction open */
	store_rollback(s);
	return -1;
}

int store_in_transaction(struct store *s) { return !sqlite3_get_autocommit(s->db); }
sqlite3 *store_db(struct store *s) { return s->db; }
const char *store_path(struct store *s) { return s->path; }

static int schema_version(struct store *s, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return err_set("%s", sqlite3_errmsg(s->db));
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : err_set("%s", sqlite3_errmsg(s->db));
}

static int migrate(struct store *s)
{
	int version;
	const int latest = (int)ARRAY_SIZE(migrations);

	if (schema_version(s, &version) < 0)
		return -1;
	if (version == latest)
		return 0;
	if (exec_bare(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	/* another process may have migrated while we waited for the lock */
	if (schema_version(s, &version) < 0)
		goto fail;
	if (version > latest) {
		err_set("schema version %d is newer than this git-patterns knows (%d); "
			"upgrade git-patterns", version, latest);
		goto fail;
	}
	assert(version >= 0 && version <= latest); /* == latest: migrated meanwhile */
	for (int v = version; v < latest; v++) {
		char pragma[64];
		if (exec_bare(s, migrations[v]) < 0)
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (exec_bare(s, pragma) < 0)
			goto fail;
	}
	return exec_bare(s, "COMMIT");
fail:
	store_rollback(s);
	return -1;
}

/*
 * WAL mode. Switching to it reads the file and then needs it alone; when
 * another process opening a new store at the same moment holds it (two
 * hooks at once), SQLite answers SQLITE_BUSY at once rather than wait
 * through the busy timeout, which would deadlock two readers that both
 * want to write. So wait here, as long as the busy timeout would.
 */
static int set_wal(struct store *s)
{
	for (int waited = 0;; waited += 10) {
		int rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited >= STORE_BUSY_MS)
			return err_set("%s", sqlite3_errmsg(s->db));
		sqlite3_sleep(10);
	}
}

/* mkdir -p of the folder that holds path. */
static int make_leading_dirs(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int ret;

	if (!slash || slash == path)
		return 0;
	dir = dir_of(path);
	ret = mkdir_p(dir);
	free(dir);
	return ret;
}

/* 1 if the file path+suffix is there and this process may write it. */
static int writable_beside(const char *path, const char *suffix)
{
	char *name = xstrfmt("%s%s", path, suffix);
	int ret = access(name, W_OK) == 0;

	free(name);
	return ret;
}

/*
 * 0 if this process may write the store at path: the file, and the
 * folder its write-ahead log and index are made in (unless both are there
 * and writable) or, for a store not made yet, the nearest folder that is
 * there. Else the errno that says why (EACCES, EROFS...).
 */
static int store_unwritable(const char *path)
{
	char *dir = dir_of(path);
	int why = 0;

	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) < 0)
			why = errno;
		else if (access(dir, W_OK) < 0 &&
			 !(writable_beside(path, "-wal") && writable_beside(path, "-shm")))
			why = errno;
	} else if (errno != ENOENT) {
		why = errno;
	} else {
		while (access(dir, F_OK) < 0 && errno == ENOENT && strcmp(dir, "/") &&
		       strcmp(dir, ".")) {
			char *up = dir_of(dir);
			free(dir);
			dir = up;
		}
		if (access(dir, W_OK) < 0)
			why = errno;
	}
	free(dir);
	return why;
}

/* The error of a command that writes, on a store it may not write. */
static int unwritable_error(const char *path, int why)
{
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return err_set("cannot create pattern store '%s': %s; run this command as a "
			       "user who may write to the repository",
			       path, strerror(why));
	return err_set("cannot write to pattern store '%s': %s; run this command as a user "
		       "who may write to it (list, search, show, export, stats and recall only "
		       "read the store, and work here)",
		       path, strerror(why));
}

/*
 * sqlite3_open_v2 with the connection settings every store has; on
 * failure -1 with err_set, and SQLite's primary result code in *code.
 */
static int open_db(struct store *s, const char *name, int flags, int *code)
{
	int rc = sqlite3_open_v2(name, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		*code = rc & 0xff;
		err_set("cannot open pattern store '%s': %s", s->path,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sqlite3_close_v2(s->db);
		s->db = NULL;
		return -1;
	}
	s->busy_ms = STORE_BUSY_MS;
	sqlite3_busy_handler(s->db, busy_wait, s);
	sqlite3_extended_result_codes(s->db, 1);
	return 0;
}

/*
 * Open for writing, make the schema current. -1 with err_set, and *code
 * SQLite's primary result code of the failure (0 if none).
 */
static int open_read_write(struct store *s, int *code)
{
	*code = 0;
	if (make_leading_dirs(s->path) < 0)
		return -1;
	if (open_db(s, s->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, code) < 0)
		return -1;
	/*
	 * 16 KiB pages for a new store (an existing one keeps its own): a
	 * pattern row is a few KiB of code, and a long extraction writes a
	 * quarter of the pages, each with one system call, that 4 KiB ones
	 * take. journal_mode is the first read of the file: a corrupt one
	 * fails here.
	 */
	if (exec_bare(s, "PRAGMA page_size=16384") < 0 ||
	    set_wal(s) < 0 ||
	    exec_bare(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;") < 0 ||
	    migrate(s) < 0) {
		char *msg = xstrdup(err_msg());
		*code = sqlite3_errcode(s->db) & 0xff;
		if (*code == SQLITE_CORRUPT || *code == SQLITE_NOTADB)
			/* the store is a cache of the history: rebuilding it loses little */
			err_set("cannot use pattern store '%s': %s; it is damaged: move it "
				"aside (mv '%s' '%s.bad') and run 'git patterns extract' "
				"to build it again ('git patterns sync' brings the team's back)",
				s->path, msg, s->path, s->path);
		else
			err_set("cannot use pattern store '%s': %s", s->path, msg);
		free(msg);
		return -1;
	}
	return 0;
}

/* path as an SQLite URI (file:...) with the query query; caller frees. */
static char *file_uri(const char *path, const char *query)
{
	struct strbuf sb = STRBUF_INIT;

	/* an empty authority, so that "//x" stays a path */
	strbuf_addstr(&sb, path[0] == '/' ? "file://" : "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			strbuf_addf(&sb, "%%%02x", (unsigned char)*p);
		else
			strbuf_addch(&sb, *p);
	}
	strbuf_addf(&sb, "?%s", query);
	return strbuf_detach(&sb, NULL);
}

/* 1 if the write-ahead log of the store at path holds anything. */
static int wal_has_frames(const char *path)
{
	char *wal = xstrfmt("%s-wal", path);
	struct stat st;
	int ret = stat(wal, &st) == 0 && st.st_size > 0;

	free(wal);
	return ret;
}

/*
 * Open a store this process may not write (why: the errno that says so,
 * 0 if SQLite found out) for reading alone: nothing in it is migrated,
 * checkpointed or written. -1 with err_set.
 */
static int open_read_only(struct store *s, int why)
{
	const char *because = why ? strerror(why) : "it is read-only";
	int version, code;
	const int latest = (int)ARRAY_SIZE(migrations);

	s->read_only = 1;
	if (open_db(s, s->path, SQLITE_OPEN_READONLY, &code) < 0)
		return -1;
	if (schema_version(s, &version) < 0) {
		char *uri;
		int rc;

		code = sqlite3_errcode(s->db) & 0xff;
		if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY)
			return err_set("cannot read pattern store '%s': %s", s->path, err_msg());
		/*
		 * A store in WAL mode is read through its shared-memory index
		 * (the -shm file beside it), which a reader that may not write
		 * the folder cannot create. When there is no log, or an empty
		 * one, the file alone holds every change: read it as it is
		 * (SQLite's immutable, which takes no lock: a writer that
		 * checkpoints into the file meanwhile can make a read fail,
		 * never write). A log with changes that cannot be read is an
		 * error, not an older store shown.
		 */
		if (wal_has_frames(s->path))
			return err_set("cannot read pattern store '%s': it is read-only here (%s), "
				       "and the changes in its write-ahead log '%s-wal' cannot be "
				       "read without '%s-shm', which is missing; a user who may "
				       "write to the store folds the log in with any git-patterns "
				       "command ('git patterns stats')",
				       s->path, because, s->path, s->path);
		sqlite3_close_v2(s->db);
		s->db = NULL;
		uri = file_uri(s->path, "immutable=1");
		rc = open_db(s, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, &code);
		free(uri);
		if (rc < 0)
			return -1;
		if (schema_version(s, &version) < 0)
			return err_set("cannot read pattern store '%s': %s", s->path, err_msg());
	}
	if (version > latest)
		return err_set("cannot read pattern store '%s': schema version %d is newer than "
			       "this git-patterns knows (%d); upgrade git-patterns",
			       s->path, version, latest);
	if (version == 0)
		/* an empty file: nothing was ever written to it */
		return err_set("no patterns in pattern store '%s', and it cannot be made "
			       "here (%s): run 'git patterns extract' as a user who may write "
			       "to the repository",
			       s->path, because);
	if (version < latest)
		return err_set("cannot read pattern store '%s': an older git-patterns made it "
			       "(schema version %d; this one reads %d) and it cannot be upgraded "
			       "here (%s): any git-patterns command run by a user who may write "
			       "to the store upgrades it, 'git patterns stats' for one",
			       s->path, version, latest, because);
	return 0;
}

int store_open_for(struct store **out, const char *path, enum store_access mode)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int why, code;

	*out = NULL;
	s->path = xstrdup(path);
	why = store_unwritable(path);
	if (why && mode == STORE_WRITE) {
		unwritable_error(path, why);
		goto fail;
	}
	if (why && access(path, F_OK) < 0) {
		err_set("no pattern store at '%s', and it cannot be created here: %s; run 'git "
			"patterns extract' as a user who may write to the repository",
			path, strerror(why));
		goto fail;
	}
	if (why) {
		if (open_read_only(s, why) < 0)
			goto fail;
		*out = s;
		return 0;
	}
	if (open_read_write(s, &code) < 0) {
		/*
		 * what access() could not tell (a file system mounted
		 * read-only under us, the log's files of another user): a
		 * reader reads the store as it is
		 */
		if (mode == STORE_WRITE ||
		    (code != SQLITE_READONLY && code != SQLITE_CANTOPEN && code != SQLITE_PERM) ||
		    access(path, F_OK) < 0)
			goto fail;
		sqlite3_close_v2(s->db);
		s->db = NULL;
		if (open_read_only(s, 0) < 0)
			goto fail;
	} else if (sqlite3_db_readonly(s->db, "main") == 1) {
		/* SQLite opened it read-only, as it does a file it may not write */
		if (mode == STORE_WRITE) {
			unwritable_error(path, EACCES);
			goto fail;
		}
		sqlite3_close_v2(s->db);
		s->db = NULL;
		if (open_read_only(s, 0) < 0)
			goto fail;
	}
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

int store_open(struct store **out, const char *path)
{
	return store_open_for(out, path, STORE_WRITE);
}

int store_read_only(struct store *s)
{
	return s->read_only;
}

char *store_path_for_repo(git_repository *repo)
{
	const char *common = git_repository_commondir(repo);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, common);
	if (sb.len && sb.buf[sb.len - 1] != '/')
		strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, "patterns/patterns.db");
	return strbuf_detach(&sb, NULL);
}

int store_open_repo_for(struct store **out, git_repository *repo, enum store_access mode)
{
	char *path = store_path_for_repo(repo);
	int ret = store_open_for(out, path, mode);
	free(path);
	return ret;
}

int store_open_repo(struct store **out, git_repository *repo)
{
	return store_open_repo_for(out, repo, STORE_WRITE);
}

void store_defer_checkpoint(struct store *s)
{
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_wal_autocheckpoint(s->db, 0);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int store_meta_has(struct store *s, const char *key)
{
	char *v = store_meta_get(s, key);
	free(v);
	return v != NULL;
}

int store_begin_once(struct store *s, const char *key)
{
	if (store_meta_has(s, key))
		return 0;
	if (store_begin(s) < 0)
		return -1;
	/* another process may have done it while we waited for the lock */
	if (store_meta_has(s, key)) {
		store_rollback(s); /* nothing to do: let the lock go */
		return 0;
	}
	return 1;
}

char *store_meta_get(struct store *s, const char *key)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT value FROM meta WHERE key = ?1");
	char *v = NULL;
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = store_prepare(
		s, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
		   "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot write meta");
}

int store_meta_delete_for(struct store *s, const char *prefix, const char *word)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM meta WHERE substr(key, 1, length(?1)) = ?1"
					    " AND substr(key, -length(?2)) = ?2");
	char *tail = xstrfmt(" %s", word);
	int rc;
	if (!st) {
		free(tail);
		return -1;
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tail, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(tail);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot write meta");
}

int store_meta_replace(struct store *s, const char *key, const char *expected,
		       const char *value)
{
	char *now;
	int ret;

	if (store_begin(s) < 0)
		return -1;
	now = store_meta_get(s, key);
	if (now && expected ? strcmp(now, expected) != 0 : now != expected)
		ret = 0;
	else
		ret = store_meta_set(s, key, value) < 0 ? -1 : 1;
	free(now);
	if (ret < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return -1;
	}
	return ret;
}

int store_tune_bulk_write(struct store *s)
{
	return store_exec(s, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;");
}

int store_set_cache(struct store *s, int kib)
{
	char sql[64];

	assert(kib > 0);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	return store_exec(s, sql);
}

/* sqlite3_wal_hook callback: remember how many frames the WAL holds. */
static int note_wal_frames(void *data, sqlite3 *db, const char *name, int frames)
{
	*(int *)data = frames;
	return SQLITE_OK;
}

void store_leave_wal(struct store *s, int *wal_frames)
{
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	sqlite3_wal_hook(s->db, note_wal_frames, wal_frames);
}

void store_busy_timeout(struct store *s, int ms)
{
	s->busy_ms = ms < 0 ? STORE_BUSY_MS : ms;
}

void store_checkpoint(struct store *s)
{
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}
