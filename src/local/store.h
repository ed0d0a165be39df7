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
 * Tables (see the migrations in store.c for columns), each with the one
 * module that prepares SQL on it:
 *  patterns, patterns_fts              store-patterns.h (patterns_fts is
 *                                      filled lazily: store_fts_catch_up)
 *  processed                           store-processed.h
 *  meta                                here: key/value (project profile, ...)
 *  sync_state, pushed, feedback_queue  store-sync.h (team sync)
 *  adapter_versions, adapter_activations   store-adapters.h
 *  xproject_queue, xproject_seen       store-xproject.h (cross-project learning)
 *
 * The raw entry points (store_db, store_exec, store_prepare) are for those
 * modules only; .ci/check-store-sql (t0002) refuses them anywhere else.
 */
#ifndef STORE_H
#define STORE_H

#include <git2.h>
#include <sqlite3.h>

struct store;

/* What a command does with the store. */
enum store_access {
	STORE_WRITE, /* extract, sync, hooks...: a store it may not write is an error */
	STORE_READ,  /* list, search, show...: such a store is read as it is */
};

/*
 * Open (creating folder, file and schema as needed). 0, or -1 and err_set.
 *
 * A store this process may not write (another user's repository, a
 * read-only file system) is, for STORE_WRITE, an error that names it and
 * says what to do. For STORE_READ it is opened read-only (store_read_only):
 * its schema is not migrated (an older one is an error that says how to
 * upgrade it), and nothing is written to it; one that is not there is an
 * error when it cannot be created.
 */
int store_open_for(struct store **out, const char *path, enum store_access mode);
/* store_open_for(STORE_WRITE) */
int store_open(struct store **out, const char *path);
/* Open the store of repo (in its common git dir). */
int store_open_repo_for(struct store **out, git_repository *repo, enum store_access mode);
int store_open_repo(struct store **out, git_repository *repo); /* STORE_WRITE */
/*
 * 1 if s was opened read-only (STORE_READ on a store it may not write).
 * Then what readers keep up to date as they go (the history's rewrites,
 * what older stores lack) is left as it is, and the search and recall
 * index what their indexes lack in the connection's temporary database
 * instead.
 */
int store_read_only(struct store *s);
/* The store path of repo; caller frees. */
char *store_path_for_repo(git_repository *repo);
void store_close(struct store *s);

sqlite3 *store_db(struct store *s);
const char *store_path(struct store *s);

int store_begin(struct store *s);  /* BEGIN IMMEDIATE */
int store_in_transaction(struct store *s); /* 1 between begin and commit/rollback */
int store_commit(struct store *s); /* a failed commit is rolled back: nothing half-done stays open */
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
/* 1 if this connection has a temporary table, view or index name, 0 if not, -1 on error. */
int store_temp_exists(struct store *s, const char *name);
/* err_set("<what>: <sqlite message>") and return -1. */
int store_error(struct store *s, const char *what);

/* meta table: get (caller frees, NULL if absent) and set. */
char *store_meta_get(struct store *s, const char *key);
/* 1 if key is set (a one-time job's "done" mark), else 0. */
int store_meta_has(struct store *s, const char *key);
/*
 * Start the one-time job whose "done" mark is key: 1 when it is to do,
 * in a transaction begun for it (the job sets key before it commits); 0
 * when it was done, by another process while this one waited for the
 * lock too (no transaction left open); -1.
 */
int store_begin_once(struct store *s, const char *key);
int store_meta_set(struct store *s, const char *key, const char *value);
/*
 * Delete the keys that start with prefix and end with a space and word:
 * the keys of one remote ("sync.own_changes <url>", "xproject.id <url>").
 */
int store_meta_delete_for(struct store *s, const char *prefix, const char *word);
/*
 * Set key to value only if it still holds expected (NULL: absent), in one
 * transaction: 1 if set, 0 if another process changed it meanwhile, -1.
 */
int store_meta_replace(struct store *s, const char *key, const char *expected,
		       const char *value);

/*
 * For a long write (an extraction): statement journals in memory and a
 * larger page cache for the indexes, for the rest of the connection.
 */
int store_tune_bulk_write(struct store *s);
/* Let the page cache of this connection grow to kib KiB. 0 or -1. */
int store_set_cache(struct store *s, int kib);

/*
 * For a short run that should not pay for checkpoints (a hook): leave the
 * write-ahead log to the next writer at close, and keep in *wal_frames
 * how many frames it holds after each commit (for store_checkpoint()).
 */
void store_leave_wal(struct store *s, int *wal_frames);
/* Wait at most ms for another connection's lock (-1, and by default: 60 s). */
void store_busy_timeout(struct store *s, int ms);
/*
 * fn is told (with the store's path) when a store of this process has
 * waited a second for another process's lock, once per store; NULL: no one.
 */
void store_wait_notice(void (*fn)(const char *path));
/* Checkpoint the write-ahead log and truncate it; best effort. */
void store_checkpoint(struct store *s);

#endif
