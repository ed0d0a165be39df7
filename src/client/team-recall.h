/*
 * team-recall: recall on the team server, POST /patterns/recall
 * {"code", "language", "limit", "problem_type"}: the server scores its
 * patterns with the same likeness (common/likeness.h) over its own index,
 * so its scores and the local ones can be merged as they are.
 */
#ifndef TEAM_RECALL_H
#define TEAM_RECALL_H

#include "client/http.h"
#include "local/recall.h"

/*
 * Add the server's hits for code (origin "team", server_id set) to hits.
 * *status is the HTTP status (0 without an answer). 0, or -1 with err_set
 * (the message names the server and what it said).
 */
int team_recall(struct http_client *c, const char *language, const char *code, size_t len,
		const struct recall_options *o, struct recall_hits *hits, long *status);

#endif
