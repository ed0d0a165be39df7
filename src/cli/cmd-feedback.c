/*
 * cmd-feedback.c: git patterns feedback ID --helpful|--not-helpful: queue a
 * vote on a pattern; the next "git patterns sync" sends it to the team
 * server (one vote per user and pattern: a later vote replaces it).
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/setup.h"
#include "client/sync.h"
#include "common/util.h"

#include <stdio.h>

static const char *const feedback_usage[] = {
	"git patterns feedback <pattern-id | server-uuid> (--helpful | --not-helpful)",
	NULL,
};

int cmd_feedback(int argc, const char **argv)
{
	const char *repo_path = NULL;
	int helpful = 0, not_helpful = 0, quiet = 0;
	struct strbuf variant = STRBUF_INIT;
	git_repository *repo;
	struct store *s;
	char *resolved;
	const struct option options[] = {
		OPT_BOOL(0, "helpful", &helpful, "the pattern helped"),
		OPT_BOOL(0, "not-helpful", &not_helpful, "the pattern did not help"),
		OPT_BOOL('q', "quiet", &quiet, "print nothing"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, feedback_usage, 0);
	if (argc != 1)
		usage_msg_opt(feedback_usage, options, "feedback takes exactly one pattern id");
	if (helpful == not_helpful)
		usage_msg_opt(feedback_usage, options,
			      "give exactly one of --helpful and --not-helpful");

	repo = setup_repo(repo_path);
	setup_variant(&variant, repo, 0, -1);
	s = setup_store(repo);
	if (sync_feedback_queue(s, argv[0], helpful, variant.buf, &resolved) < 0)
		die_err();
	if (!quiet)
		printf("Queued %s feedback on %s; 'git patterns sync' sends it.\n",
		       helpful ? "helpful" : "not-helpful", resolved);
	free(resolved);
	store_close(s);
	git_repository_free(repo);
	strbuf_release(&variant);
	return 0;
}
