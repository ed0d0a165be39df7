/*
 * store-sync: the local store's side of team sync. It owns the SQL on the
 * tables sync reads and writes (sync_state, pushed, feedback_queue, the
 * sync keys of meta) and sync's reads and writes of patterns; the client
 * (client/sync*.c) speaks HTTP and calls these, and prepares no SQL.
 *
 * Every function returns 0 (or a count, a value) on success and -1 with
 * err_set() on failure, unless it says otherwise. Strings handed out in
 * a row struct live until the next call on the same reader or batch.
 */
#ifndef STORE_SYNC_H
#define STORE_SYNC_H

#include "local/store.h"

#include <stddef.h>

/* ------------------------------------------------------------ push */

/*
 * The push watermark of a remote and variant: every local pattern of the
 * variant whose rowid is at most the watermark is acknowledged by the
 * remote, so what is left to push is looked for above it only. Kept in meta
 * as the rowid of a pushed local row; when that row or its mark is gone it
 * is not trusted and this returns 0 (look at every row).
 */
long long store_sync_watermark(struct store *s, const char *variant, const char *remote);
/*
 * Move the watermark up to the last pushed row before the first local row
 * above from that is not pushed. Reads only the rows above from.
 */
int store_sync_advance_watermark(struct store *s, const char *variant, const char *remote,
				 long long from);

/* How many local, live patterns of variant there are (a new server lacks them all); -1 on error. */
long long store_sync_count_local(struct store *s, const char *variant);
/* How many local, live patterns of variant above rowid from remote lacks; -1 on error. */
long long store_sync_count_unpushed(struct store *s, const char *variant, const char *remote,
				    long long from);
/*
 * The rowids (ascending, above after, at most max) of the next patterns to
 * push to remote; how many, or -1.
 */
long long store_sync_next_unpushed(struct store *s, const char *variant, const char *remote,
				   long long after, long long *rowids, size_t max);

/* A text column: p is NULL for SQL NULL; len is its length in bytes. */
struct store_text {
	const char *p;
	size_t len;
};

/* A pattern as it is pushed. */
struct store_push_row {
	struct store_text pattern_id, problem_type, before_code, after_code, commit_msg;
	struct store_text author, date, commit_id, file_path, language, solution_hash;
	struct store_text author_name;
	double confidence;
};

/* Reads patterns by rowid for a push; one prepared statement for many reads. */
struct store_push_reader;
struct store_push_reader *store_push_reader_open(struct store *s);
/* Read the pattern of rowid into *row (valid until the next read or close). */
int store_push_read(struct store_push_reader *rd, long long rowid, struct store_push_row *row);
void store_push_reader_close(struct store_push_reader *rd);

/*
 * The marks of one push answer, in one transaction: begin opens it,
 * mark records that remote knows the pattern of rowid as uuid (and raises
 * its success_count to at least count), end commits (commit != 0) or
 * rolls back, and frees the batch. Other writes between begin and end
 * (store_sync_set_own_changes) are in the same transaction.
 */
struct store_sync_batch;
struct store_sync_batch *store_sync_batch_begin(struct store *s, const char *remote);
int store_sync_batch_mark(struct store_sync_batch *b, long long rowid, const char *uuid,
			  long long success_count);
int store_sync_batch_end(struct store_sync_batch *b, int commit);

/*
 * The text of the own-change ranges of remote (client/own-changes.h says
 * what they are); caller frees, NULL if none. Set with NULL or "" deletes.
 */
char *store_sync_own_changes(struct store *s, const char *remote);
int store_sync_set_own_changes(struct store *s, const char *remote, const char *text);

/* ------------------------------------------------------------ the server's database */

/*
 * The identity of the server database that remote's sync state belongs to
 * (the X-Patterns-Database it answered with); caller frees. NULL when none
 * is known: never synced, or only with servers that send none.
 */
char *store_sync_database(struct store *s, const char *remote);
/* Remember it (a first sync, or a server that began to send one). */
int store_sync_set_database(struct store *s, const char *remote, const char *id);
/*
 * remote answers from another database, id: forget, in one transaction,
 * everything this store knew of the old one, and remember id. Gone: which
 * local patterns remote acknowledged (pushed, the push watermarks, the
 * own-change ranges), so that they are pushed again; the server ids of
 * those patterns and of every team pattern (the store keeps one server id
 * per pattern), which a pull gives back for the patterns the new database
 * has (by solution_hash); the pull cursor; the project's id and the
 * suggestions shown (store_xproject_forget). Queued votes stay: those on a
 * pattern here go to its new server id once it has one.
 */
int store_sync_forget_database(struct store *s, const char *remote, const char *id);

/* ------------------------------------------------------------ feedback */

/*
 * Queue a vote (1 helpful, 0 not) on a pattern: rowid of the local row (0
 * if there is none here) and ref, what the vote names (its pattern_id, or
 * its server UUID when there is no row). A vote still queued for the same
 * pattern is replaced, in one transaction.
 */
int store_feedback_queue(struct store *s, long long rowid, const char *ref, int helpful);
/* The vote still queued for a pattern (rowid, or server_id; either may be 0 / NULL): 1, 0, -1 none. */
int store_feedback_queued(struct store *s, long long rowid, const char *server_id);

struct store_vote {
	long long id;	 /* in the queue */
	char *ref;	 /* what the vote names ("" if nothing) */
	char *server_id; /* of its local row, NULL if none or not known */
	int has_row;	 /* the vote is on a local row */
	int helpful;
};
/* The votes not sent yet, oldest first, in *out (free with store_votes_free); how many, or -1. */
long long store_feedback_unsent(struct store *s, struct store_vote **out);
void store_votes_free(struct store_vote *v, size_t nr);
/* Mark the vote id sent (now). */
int store_feedback_sent(struct store *s, long long id);
/* Set the success_count of the patterns known under server UUID uuid. */
int store_set_success_count(struct store *s, const char *uuid, long long count);

/* ------------------------------------------------------------ pull */

/* The pull cursor of remote (caller frees; NULL if none) and its update (with last_sync now). */
char *store_sync_cursor(struct store *s, const char *remote);
int store_sync_set_cursor(struct store *s, const char *remote, const char *cursor);

/* A pulled pattern; the optional strings may be NULL (stored as ""). */
struct store_team_pattern {
	const char *server_id;	   /* its UUID, required */
	const char *solution_hash; /* computed here from the code, required */
	const char *before_code, *after_code, *problem_type; /* required */
	const char *pattern_id;	   /* the server's; if absent or taken, one from the UUID */
	const char *commit_id, *file_path, *commit_msg, *author, *date, *language, *created_by;
	const char *author_name; /* may be NULL: stored as '' */
	long long commit_time;
	long long success_count;
	double confidence;
};

/* Stores pulled patterns; the caller holds the transaction (store_begin). */
struct store_puller;
struct store_puller *store_puller_open(struct store *s, const char *remote);
/*
 * Store one pulled pattern: known by its UUID, its success_count is
 * refreshed; a local pattern with the same solution_hash gets its server
 * UUID and is marked pushed; a team one with the same hash gets the new
 * UUID; otherwise it becomes a new team row (variant '').
 * *stored: 1 new, 0 updated, 2 already known as it is.
 */
int store_puller_put(struct store_puller *p, const struct store_team_pattern *t, int *stored);
/*
 * A pattern deleted on the server: its team copy goes (a pattern of this
 * repository's own history stays, still marked pushed, but no longer with
 * the server's id, so that nothing sends it again). *dropped: 1 if a row
 * went.
 */
int store_puller_drop(struct store_puller *p, const char *server_id, int *dropped);
/* 1 if a put marked local patterns pushed (which moves the push watermark). */
int store_puller_marked_local(const struct store_puller *p);
void store_puller_close(struct store_puller *p);

#endif
