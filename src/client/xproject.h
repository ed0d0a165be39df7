/*
 * xproject: the client side of cross-project learning (SPEC §8): this
 * repository as a project on the team server, its similar projects,
 * suggestions, applications and outcomes.
 *
 * The project's server id is kept per remote in the store's meta table
 * ("xproject.id <remote>"), with the profile it was registered with, so
 * the profile is sent again only when it changed. Applications and
 * outcomes that cannot reach the server are queued (xproject_queue) and
 * sent by xproject_flush, which "git patterns sync" calls. Never prints.
 */
#ifndef XPROJECT_H
#define XPROJECT_H

#include "client/http.h"
#include "local/project.h"
#include "local/store.h"

#include <cJSON.h>

/*
 * Register or update this repository's project on c's server and give its
 * id. Without fresh, the id remembered from the last time is given when
 * the profile did not change since, without asking: only for a caller
 * that sends nothing with it (the server may have been rebuilt since and
 * know the project no more). 0; 1 when the profile has no repo_url
 * (nothing registered); -1 with err_set, and *unreachable 1 when that is
 * because the server could not be reached.
 */
int xproject_register(struct store *s, struct http_client *c, const struct project_profile *p,
		      int fresh, char id[37], int *unreachable);

/* GET path on the team server, as JSON; -1 with err_set naming the server. */
int xproject_get(struct http_client *c, const char *path, cJSON **out);

struct xproject_suggest_options {
	const char *const *types;
	size_t nr_types;
	double min_confidence, min_similarity;
	long long limit;
};
/*
 * The suggestions for project id; records them on the server as
 * suggestions (POST /applications, applied false) and remembers their
 * ids locally (so apply and outcome take prefixes of them).
 */
int xproject_suggest(struct store *s, struct http_client *c, const char *id,
		     const struct xproject_suggest_options *o, cJSON **out);

/*
 * A server pattern id from ref: a UUID, or a unique prefix of the id of a
 * pattern in the store or shown by suggest. 0, or -1 with err_set.
 */
int xproject_resolve(struct store *s, const char *ref, char uuid[37]);

/*
 * Record the application of pattern uuid in project id (id may be NULL
 * when the project could not be registered: then it is queued). *pattern
 * is the pattern (from the server, else from the store, else NULL);
 * *queued is 1 when the server could not be reached and it waits for the
 * next sync.
 */
int xproject_apply(struct store *s, struct http_client *c, const char *id, const char *uuid,
		   cJSON **pattern, int *queued);
/*
 * The outcome of an applied pattern; queued likewise. 409: not applied
 * here. The queue goes first (xproject_flush(), its refusals appended to
 * refusals).
 */
int xproject_outcome(struct store *s, struct http_client *c, const char *id, const char *uuid,
		     int success, cJSON **pattern, int *queued, struct strbuf *refusals);

/*
 * Send what is queued for c's server, in order; how many went out, how
 * many still wait. What the server refuses for good (pattern deleted,
 * never applied here) leaves the queue: *refused counts it and, when
 * refusals is not NULL, one line each says which and why.
 */
int xproject_flush(struct store *s, struct http_client *c, const char *id, long long *sent,
		   long long *pending, long long *refused, struct strbuf *refusals);

/*
 * Once per server: send again, with the project id, the patterns pushed
 * before the project was registered, so the server tags them with it.
 */
int xproject_tag_pushed(struct store *s, struct http_client *c, const char *id);

/* 1 if rc/resp mean the server could not be reached (no answer, or 5xx). */
int xproject_unreachable(const struct http_response *resp);

#endif
