/*
 * credential: the API key for a team server, found as SPEC §2 says:
 *   1. the environment, GIT_PATTERNS_API_KEY;
 *   2. git config patterns.apiKey;
 *   3. "git credential fill" for the server's URL (protocol, host with
 *      port, path; username "git-patterns" unless the URL names one; the
 *      password is the key), never prompting (GIT_TERMINAL_PROMPT=0, no
 *      askpass): a key comes from a helper or not at all.
 * As git does, a key that came from the helpers is "approve"d after the
 * server accepted it (2xx) and "reject"ed after a 401, so helpers can store
 * or forget it.
 *
 * The key is never printed, logged or written anywhere by this module; it
 * travels to git's helpers only through a pipe, and is wiped from memory
 * by credential_release().
 */
#ifndef CREDENTIAL_H
#define CREDENTIAL_H

#include <git2.h>

enum credential_source {
	CREDENTIAL_NONE,
	CREDENTIAL_ENV,
	CREDENTIAL_CONFIG,
	CREDENTIAL_HELPER,
};

struct credential {
	char *protocol, *host, *path, *username;
	char *password; /* the API key, or NULL */
	enum credential_source source;
};
#define CREDENTIAL_INIT                                                                            \
	{                                                                                          \
		NULL, NULL, NULL, NULL, NULL, CREDENTIAL_NONE                                      \
	}

/*
 * Find the key for url (repo: whose config and credential helpers to use;
 * may be NULL). 0 with c->password set, or NULL when there is no key at all
 * (not an error: the server may not need one); -1 and err_set when url
 * cannot be parsed.
 */
int credential_find(struct credential *c, git_repository *repo, const char *url);

/* Tell the helpers the key worked / was refused (only for helper keys). */
void credential_approve(struct credential *c, git_repository *repo);
void credential_reject(struct credential *c, git_repository *repo);

/* The words of an error message that says how to give a key. */
#define CREDENTIAL_HOWTO                                                                           \
	"set GIT_PATTERNS_API_KEY, store the key with a git credential helper "                    \
	"(password for this URL, username git-patterns), or set patterns.apiKey"

/*
 * Where the key came from, in words for a message ("the environment
 * (GIT_PATTERNS_API_KEY)"...); NULL for CREDENTIAL_NONE. Never the key.
 */
const char *credential_source_name(enum credential_source source);

void credential_release(struct credential *c);

#endif
