/*
 * store: the repo-local pattern store, one SQLite file at
 * $(git rev-parse --git-common-dir)/patterns/patterns.db (worktrees share it).
 *
 * Invariants:
 *  - WAL mode and a long busy timeout, so concurrent hooks and commands wait
 *    for each other instead of failing with "database is locked".
 *  - The schema is versioned (PRAGMA user_version) and migrated forward on
 *    open, inside one IMMEDIATE transaction, so two processes opening a new
 *    store at once cannot both migrate.
 *  - Writers use store_begin()/store_commit(): BEGIN IMMEDIATE takes the
 *    write lock up front, so a transaction never fails half-way on a lock.
 *
 * Tables (see the migrations in store.c for columns):
 *  patterns, processed, patterns_fts   extraction (extract, export, search);
 *                                      patterns_fts is filled lazily
 *                                      (store_fts_catch_up)
 *  sync_state, feedback_queue          team sync
 *  adapter_versions, adapter_activations   weight fusion (adapters.h)
 *  meta                                key/value (project profile, ...)
 *  xproject_queue, xproject_seen       cross-project learning (client/xproject.h)
 */
#ifndef STORE_H
#define STORE_H

#include <git2.h>
#include <sqlite3.h>

struct store;

/* Open (creating folder, file and schema as needed). 0, or -1 and err_set. */
int store_open(struct store **out, const char *path);
/* Open the store of repo (in its common git dir). */
int store_open_repo(struct store **out, git_repository *repo);
/* The store path of repo; caller frees. */
char *store_path_for_repo(git_repository *repo);
void store_close(struct store *s);

sqlite3 *store_db(struct store *s);
const char *store_path(struct store *s);

int store_begin(struct store *s);  /* BEGIN IMMEDIATE */
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Run SQL without results; -1 and err_set with SQLite's message. */
int store_exec(struct store *s, const char *sql);
/*
 * From now on, leave the write-ahead log to be checkpointed by the next
 * writer instead of at this connection's commits and close: the end of a
 * long extraction then does not wait for a checkpoint's two fsyncs of
 * tens of megabytes. What was committed stays committed (in the log).
 */
void store_defer_checkpoint(struct store *s);
/* Prepare a statement; NULL and err_set on failure. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);
/* err_set("<what>: <sqlite message>") and return -1. */
int store_error(struct store *s, const char *what);

/* meta table: get (caller frees, NULL if absent) and set. */
char *store_meta_get(struct store *s, const char *key);
int store_meta_set(struct store *s, const char *key, const char *value);

/*
 * Index the patterns not yet in the full-text index (patterns_fts), in one
 * transaction. Inserts leave them out (fts_indexed = 0) so that writing
 * patterns stays cheap; whoever searches calls this first. 0 or -1.
 */
int store_fts_catch_up(struct store *s);

/*
 * SQL condition: the team pattern (alias p) is also a local pattern of
 * this repository (same solution), so listings show it once, as local.
 */
#define SQL_TEAM_ROW_SHADOWED(p)                                                       \
	"(" p ".origin = 'team' AND EXISTS (SELECT 1 FROM patterns l"                  \
	" WHERE l.origin = 'local' AND l.obsolete = 0 AND l.solution_hash = " p        \
	".solution_hash))"

#endif
