/*
 * sync-internal: what the parts of the sync engine share (sync.c runs
 * them; sync-push.c, sync-feedback.c and sync-pull.c are the parts). Not
 * for use outside src/client/sync*.c.
 */
#ifndef SYNC_INTERNAL_H
#define SYNC_INTERNAL_H

#include "client/sync.h"

/* A warning through o->warn, if set. */
void sync_warnf(const struct sync_options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Progress through o->progress, if set. */
void sync_progress(const struct sync_options *o, enum sync_phase ph, uint64_t done,
		   uint64_t total);
/*
 * Turn a failed answer into an error message (401 says how to give a key;
 * other statuses say what the server said); sets r->http_status; -1.
 */
int sync_answer_error(struct http_client *c, const struct http_response *resp, const char *what,
		      struct sync_result *r);
static inline int sync_ok_status(long status)
{
	return status >= 200 && status < 300;
}

/* The three parts of a run; each 0 or -1 with err_set. */
int sync_push(struct store *s, struct http_client *c, const struct sync_options *o,
	      struct sync_result *r);
int sync_send_feedback(struct store *s, struct http_client *c, const struct sync_options *o,
		       struct sync_result *r);
/*
 * Before pushing to a server this clone has pulled from: one small feed
 * request, which fails (and the client takes the server for another
 * database) if the server went back to before the clone's cursor, so
 * that what was pushed since is pushed again rather than taken as there.
 */
int sync_pull_check(struct store *s, struct http_client *c, struct sync_result *r);
int sync_pull(struct store *s, struct http_client *c, const struct sync_options *o,
	      struct sync_result *r);

#endif
