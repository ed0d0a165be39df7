/*
 * xproject-session: what the cross-project commands (similar, suggest,
 * apply, outcome, insights) share: the repository, its store, the team
 * server client with its key, the profile, and the project's server id.
 */
#ifndef XPROJECT_SESSION_H
#define XPROJECT_SESSION_H

#include "client/credential.h"
#include "client/xproject.h"

struct xp_session {
	git_repository *repo;
	struct store *s;
	struct http_client *c;
	struct credential cred;
	struct project_profile profile;
	char id[37];
	int registered;	 /* id is the project's */
	int unreachable; /* the server could not be reached */
};

/*
 * Open everything and register the project. With need_server, die with a
 * clear message when the server cannot be reached or the project cannot
 * be registered; without, leave registered 0 (apply and outcome queue).
 */
void xp_session_start(struct xp_session *x, const char *repo_path, const char *remote,
		      int need_server);
/* ok: the key worked (credential approved). */
void xp_session_end(struct xp_session *x, int ok);

/* A warning for each line of xproject_flush()'s refusals (queued reports dropped). */
void xp_warn_refusals(struct strbuf *refusals);

/*
 * Control bytes (but newlines and tabs) of every string in j as spaces:
 * what other projects registered and pushed must not drive the terminal
 * of a text listing.
 */
void xp_printable(cJSON *j);

/* "0.70" style, and a rate as "50.0%". */
void xp_print_suggestion(const cJSON *s);

#endif
