/*
 * sync: exchange patterns with a team server (SPEC §6, client side).
 *
 * One sync run does, in this order (each part optional):
 *  1. push: the local patterns of the current extraction variant that this
 *     remote has not acknowledged, in batches (at most SYNC_PUSH_BATCH
 *     patterns and SYNC_PUSH_BYTES of JSON per request). A pattern is
 *     marked pushed (table `pushed`, with its server UUID) only from the
 *     server's answer, all of a batch in one transaction; so an interrupted
 *     push resends at most the batch in flight, which the server merges by
 *     solution_hash instead of duplicating.
 *  2. feedback: the queued votes (feedback_queue), each sent once and
 *     marked sent from the server's answer.
 *  3. pull: the changes after the stored cursor (sync_state.pull_cursor),
 *     page by page; whole pages and the cursor after them are committed
 *     together (every SYNC_PULL_TX_ROWS rows, and when a request fails), so
 *     an interrupted pull resumes after the last committed page.
 *     A pulled pattern that is already here (same server UUID, or a local
 *     pattern with the same solution_hash) is updated (server_id,
 *     success_count), never stored twice; others become origin='team' rows
 *     (variant ''). The solution_hash of a pulled pattern is recomputed
 *     here from its code: the server's is not trusted.
 * A run with nothing to push or send costs one request (the pull of an
 * empty page).
 *
 * Errors: -1 with err_set(); result->http_status says what the server
 * answered when it refused (401: the key; 4xx: its "detail" is in the
 * message). Nothing is marked on a failed request.
 */
#ifndef SYNC_H
#define SYNC_H

#include "client/http.h"
#include "local/store.h"

#include <stdint.h>

#define SYNC_PUSH_BATCH 1000
#define SYNC_PUSH_BYTES (8u << 20)
#define SYNC_PULL_PAGE 1000	/* the server's largest page of the change feed */
#define SYNC_PULL_PAGE_OLD 200	/* ... of servers before it (and of listings, SPEC §6) */
#define SYNC_PULL_TX_ROWS 20000 /* pulled rows per local transaction */

enum sync_phase { SYNC_PHASE_PUSH, SYNC_PHASE_PULL, SYNC_PHASE_FEEDBACK };

struct sync_options {
	int push, pull, feedback; /* which parts to run */
	int dry_run;		  /* count, change nothing, send no pattern */
	/*
	 * --dry-run against a new database (store_sync_forget_database not
	 * run): count as if nothing had been pushed to it or pulled from it
	 */
	int fresh;
	const char *variant;	  /* local patterns of this variant are pushed */
	const char *project_id;	  /* the server's id of this project: sent with each pattern */
	/* progress: done of total (total 0 when unknown); may be NULL */
	void (*progress)(void *data, enum sync_phase phase, uint64_t done, uint64_t total);
	/* a warning for the user (one line, no "warning: "); may be NULL */
	void (*warn)(void *data, const char *msg);
	void *data;
};

struct sync_result {
	long long pushed;     /* new on the server */
	long long duplicates; /* the server already had them (merged) */
	long long rejected;   /* refused one by one (too large, invalid) */
	long long pulled;     /* new team patterns stored here */
	long long updated;    /* known patterns whose success_count changed */
	long long deleted;    /* team patterns dropped: deleted on the server */
	/* queued applications and outcomes (client/xproject.h), set by the caller */
	long long applications_sent, applications_pending, applications_refused;
	long long feedback_sent;
	long long feedback_pending; /* still queued (pattern not on the server yet) */
	long long to_push;	    /* --dry-run: what a real run would push */
	long long to_pull;	    /* --dry-run: changes waiting on the server, -1 unknown */
	long http_status;	    /* of the failing request; 0 if none */
	int authenticated;	    /* the server accepted the key at least once */
};

int sync_run(struct store *s, struct http_client *c, const struct sync_options *o,
	     struct sync_result *r);

/*
 * Queue a vote on the pattern id names: a local pattern id (or unique
 * prefix of at least 4 hex digits) or a server UUID. A vote still queued
 * for the same pattern is replaced. On success *resolved is the pattern's
 * id as shown to the user (caller frees). -1 and err_set when the id
 * matches nothing (and is not a UUID) or is ambiguous.
 */
int sync_feedback_queue(struct store *s, const char *id, int helpful, const char *variant,
			char **resolved);

/*
 * The vote still queued for a pattern (its store rowid, or its server UUID;
 * either may be 0 / NULL), for "show": 1 helpful, 0 not helpful, -1 none
 * (or on error).
 */
int sync_feedback_queued(struct store *s, long long rowid, const char *server_id);

#endif
