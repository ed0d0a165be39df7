/*
 * setup.c: shared first steps of the command front ends (see setup.h).
 */
#include "setup.h"
#include "pattern.h"
#include "repo.h"
#include "util.h"

git_repository *setup_repo(const char *repo_path)
{
	git_repository *repo;
	if (repo_open(&repo, repo_path) < 0)
		die_err();
	return repo;
}

struct store *setup_store(git_repository *repo)
{
	struct store *s;
	if (store_open_repo(&s, repo) < 0)
		die_err();
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
