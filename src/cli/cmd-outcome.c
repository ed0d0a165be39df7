/*
 * cmd-outcome.c: git patterns outcome ID --success|--failure: report how
 * an applied team pattern worked here (SPEC §8); its confidence moves by
 * +0.05 / -0.10 on the server. Queued for the next sync when the server
 * cannot be reached.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/xproject-session.h"
#include "common/json.h"
#include "common/util.h"

#include <stdio.h>

static const char *const outcome_usage[] = {
	"git patterns outcome <id> (--success | --failure)",
	NULL,
};

int cmd_outcome(int argc, const char **argv)
{
	const char *repo_path = NULL, *remote = NULL;
	int success = 0, failure = 0, quiet = 0, queued, rc;
	struct strbuf refusals = STRBUF_INIT;
	struct xp_session x;
	char uuid[37];
	cJSON *p;
	const struct option options[] = {
		OPT_BOOL(0, "success", &success, "the pattern worked here"),
		OPT_BOOL(0, "failure", &failure, "the pattern did not work here"),
		OPT_BOOL('q', "quiet", &quiet, "print nothing"),
		OPT_STRING(0, "remote", &remote, "url", "team server (default: patterns.remote)"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, outcome_usage, 0);
	if (argc != 1)
		usage_msg_opt(outcome_usage, options, "outcome takes exactly one pattern id");
	if (success == failure)
		usage_msg_opt(outcome_usage, options, "give exactly one of --success and --failure");
	xp_session_start(&x, repo_path, remote, 0);
	if (xproject_resolve(x.s, argv[0], uuid) < 0)
		die_err();
	rc = xproject_outcome(x.s, x.c, x.registered ? x.id : NULL, uuid, success, &p, &queued,
			      &refusals);
	xp_warn_refusals(&refusals);
	strbuf_release(&refusals);
	if (rc < 0)
		die_err();
	if (quiet)
		;
	else if (queued)
		printf("Team server %s not reachable: the %s of %s is queued; 'git patterns sync' "
		       "sends it.\n",
		       http_client_url(x.c), success ? "success" : "failure", uuid);
	else
		printf("Recorded a %s of %s: confidence now %.2f (%lld successes, %lld failures).\n",
		       success ? "success" : "failure", uuid, json_get_number(p, "confidence", 0),
		       (long long)json_get_number(p, "outcome_successes", 0),
		       (long long)json_get_number(p, "outcome_failures", 0));
	cJSON_Delete(p);
	xp_session_end(&x, !queued);
	return 0;
}
