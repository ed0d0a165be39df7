/*
 * setup.c: shared first steps of the command front ends (see setup.h).
 */
#include "cli/setup.h"
#include "local/store-patterns.h"
#include "client/credential.h"
#include "client/http.h"
#include "common/pattern.h"
#include "common/repo.h"
#include "common/util.h"
#include "local/reconcile.h"

#include <stdio.h>

git_repository *setup_repo(const char *repo_path)
{
	git_repository *repo;
	if (repo_open(&repo, repo_path) < 0)
		die_err();
	return repo;
}

static void tell_waiting(const char *path)
{
	fprintf(stderr, "Waiting for another process to finish writing %s...\n",
		path);
}

void setup_wait_notice(int on)
{
	store_wait_notice(on ? tell_waiting : NULL);
}

/* How long a reading command waits for a writer before it reads what is there. */
#define READ_WAIT_MS 1000

struct store *setup_store(git_repository *repo)
{
	struct store *s;
	if (store_open_repo(&s, repo) < 0)
		die_err();
	/* what an older store (or a pull) left without a file_role, filled once */
	if (pattern_store_fill_quality(s) < 0)
		die_err();
	return s;
}

struct store *setup_store_current(git_repository *repo)
{
	struct store *s = setup_store(repo);
	if (reconcile_history(repo, s, 0, 1, NULL) < 0)
		warning("the patterns may not follow the latest history changes: %s", err_msg());
	return s;
}

struct store *setup_store_read(git_repository *repo, int current)
{
	struct store *s;

	if (store_open_repo_for(&s, repo, STORE_READ) < 0)
		die_err();
	/* one this user may not write is read as its last writer left it */
	if (store_read_only(s))
		return s;
	if (pattern_store_fill_quality(s) < 0)
		die_err();
	/*
	 * A writer at work (a long extract or sync) holds the store: read what
	 * it holds now rather than wait for it; the next command catches up.
	 */
	store_busy_timeout(s, READ_WAIT_MS);
	if (current && reconcile_history(repo, s, 0, 1, NULL) < 0)
		warning("the patterns may not follow the latest history changes: %s", err_msg());
	store_busy_timeout(s, -1);
	return s;
}

int setup_context_lines(git_repository *repo, int context)
{
	if (context >= 0)
		return context;
	context = (int)config_get_int(repo, "patterns.contextLines", DEFAULT_CONTEXT_LINES);
	if (context < 0 || context > 10000)
		die("bad config value %d for 'patterns.contextLines'", context);
	return context;
}

long long setup_max_file_size(git_repository *repo)
{
	long long max = config_get_int(repo, "patterns.maxFileSize", DEFAULT_MAX_FILE_SIZE);
	if (max <= 0)
		die("bad config value %lld for 'patterns.maxFileSize'", max);
	return max;
}

void setup_variant(struct strbuf *out, git_repository *repo, int whole_file, int context)
{
	pattern_variant(out, whole_file, whole_file ? 0 : setup_context_lines(repo, context),
			setup_max_file_size(repo));
}

struct http_client *setup_team_client(git_repository *repo, const char *remote,
				      long default_timeout, struct credential *cred)
{
	struct http_options ho = HTTP_OPTIONS_INIT;
	struct http_client *client;
	char *url = remote ? xstrdup(remote) : config_get_string(repo, "patterns.remote", NULL);
	char *ca_info;

	if (!url || !*url)
		die("no team server: give --remote <url> or set patterns.remote");
	ca_info = config_get_string(repo, "patterns.caInfo", NULL);
	ho.ca_info = ca_info && *ca_info ? ca_info : NULL;
	ho.allow_http = config_get_bool(repo, "patterns.allowHttp", NULL, 0);
	ho.max_retries = (int)config_get_int(repo, "patterns.httpRetries", 4);
	ho.timeout = (long)config_get_int(repo, "patterns.httpTimeout", default_timeout);
	if (http_client_new(&client, url, &ho) < 0 || credential_find(cred, repo, url) < 0)
		die_err();
	http_client_set_key(client, cred->password, credential_source_name(cred->source));
	free(ca_info);
	free(url);
	return client;
}
