/*
 * repo.c: repository discovery and git config reading over libgit2.
 */
#include "repo.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int git_error_set_from(const char *what)
{
	const git_error *e = git_error_last();
	return err_set("%s%s%s", what, e && e->message ? ": " : "",
		       e && e->message ? e->message : "");
}

int repo_open(git_repository **out, const char *repo_path)
{
	int rc;
	*out = NULL;
	if (repo_path)
		rc = git_repository_open_ext(out, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	else
		rc = git_repository_open_ext(out, ".", GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (rc < 0) {
		if (rc == GIT_ENOTFOUND)
			return err_set("not a git repository: '%s'", repo_path ? repo_path : ".");
		return git_error_set_from(repo_path ? repo_path : "cannot open repository");
	}
	return 0;
}

static git_config *snapshot(git_repository *repo)
{
	git_config *cfg = NULL, *snap = NULL;
	if (repo) {
		if (git_repository_config_snapshot(&snap, repo) < 0)
			return NULL;
		return snap;
	}
	if (git_config_open_default(&cfg) < 0)
		return NULL;
	if (git_config_snapshot(&snap, cfg) < 0)
		snap = NULL;
	git_config_free(cfg);
	return snap;
}

char *config_get_string(git_repository *repo, const char *key, const char *env)
{
	git_config *cfg;
	const char *v = NULL;
	char *res = NULL;

	if (env && getenv(env) && *getenv(env))
		return xstrdup(getenv(env));
	cfg = snapshot(repo);
	if (!cfg)
		return NULL;
	if (git_config_get_string(&v, cfg, key) == 0 && v)
		res = xstrdup(v);
	git_config_free(cfg);
	return res;
}

int config_get_bool(git_repository *repo, const char *key, const char *env, int def)
{
	git_config *cfg;
	int v = def;

	if (env && getenv(env)) {
		int b = parse_bool(getenv(env));
		if (b >= 0)
			return b;
	}
	cfg = snapshot(repo);
	if (!cfg)
		return def;
	if (git_config_get_bool(&v, cfg, key) < 0)
		v = def;
	git_config_free(cfg);
	return v;
}

long long config_get_int(git_repository *repo, const char *key, long long def)
{
	git_config *cfg = snapshot(repo);
	int64_t v;
	long long res = def;
	if (!cfg)
		return def;
	if (git_config_get_int64(&v, cfg, key) == 0)
		res = v;
	git_config_free(cfg);
	return res;
}
