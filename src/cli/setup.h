/*
 * setup: what most command front ends do first: find the repository, open
 * its pattern store, work out the extraction variant from options and
 * config. These die() with a clear message on failure (front ends only).
 */
#ifndef SETUP_H
#define SETUP_H

#include "local/store.h"
#include "common/strbuf.h"
#include <git2.h>

#define DEFAULT_CONTEXT_LINES 3
#define DEFAULT_MAX_FILE_SIZE (1024 * 1024)

git_repository *setup_repo(const char *repo_path);
/*
 * on: a command that waits over a second for another process's lock on
 * the pattern store says so on stderr, once (main turns it on when stderr
 * is a terminal; --quiet turns it off).
 */
void setup_wait_notice(int on);
struct store *setup_store(git_repository *repo);
/*
 * setup_store(), then bring the store in line with the history as it is
 * now (reconcile.h): commands that show or export patterns show those of
 * the current history. A failure there is a warning, not fatal.
 */
struct store *setup_store_current(git_repository *repo);
/*
 * For the commands that only read the store (list, search, show, export,
 * stats, recall, adapters list): as setup_store(), then with current as
 * setup_store_current(); but a store this user may not write (another
 * user's repository, a read-only file system) is opened read-only and
 * read as it is (store_open_for(STORE_READ)).
 */
struct store *setup_store_read(git_repository *repo, int current);

/*
 * The variant for these options: context < 0 means patterns.contextLines
 * (default 3); the size limit is patterns.maxFileSize (default 1 MiB).
 */
void setup_variant(struct strbuf *out, git_repository *repo, int whole_file, int context);
int setup_context_lines(git_repository *repo, int context);
long long setup_max_file_size(git_repository *repo);

struct credential;
struct http_client;

/*
 * Connect to the team server: the URL from remote (--remote) or
 * patterns.remote, TLS and retry settings from config (patterns.caInfo,
 * patterns.allowHttp, patterns.httpRetries, patterns.httpTimeout, whose
 * default is default_timeout seconds), and the API key (credential_find)
 * in cred. repo may be NULL (global config only). Dies with a clear
 * message when there is no server or the URL is refused.
 */
struct http_client *setup_team_client(git_repository *repo, const char *remote,
				      long default_timeout, struct credential *cred);

#endif
