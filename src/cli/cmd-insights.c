/*
 * cmd-insights.c: git patterns insights: what this project learns from
 * the others (SPEC §8): similar projects, suggestions, applied patterns
 * and their outcomes, statistics.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/xproject-session.h"
#include "common/json.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const insights_usage[] = {
	"git patterns insights [--json]",
	NULL,
};

static const char *str(const cJSON *o, const char *key)
{
	const char *v = json_get_string(o, key);
	return v && *v ? v : "-";
}

int cmd_insights(int argc, const char **argv)
{
	const char *repo_path = NULL, *remote = NULL;
	int json = 0;
	struct xp_session x;
	struct strbuf path = STRBUF_INIT;
	const cJSON *project, *list, *item, *st;
	cJSON *doc;
	const struct option options[] = {
		OPT_BOOL(0, "json", &json, "the server's answer as JSON"),
		OPT_STRING(0, "remote", &remote, "url", "team server (default: patterns.remote)"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, insights_usage, 0);
	if (argc)
		usage_msg_opt(insights_usage, options, "insights takes no arguments");
	xp_session_start(&x, repo_path, remote, 1);
	strbuf_addf(&path, "/projects/%s/insights", x.id);
	if (xproject_get(x.c, path.buf, &doc) < 0)
		die_err();
	if (json) {
		char *text = cJSON_PrintUnformatted(doc);
		printf("%s\n", text);
		free(text);
		goto out;
	}
	xp_printable(doc);
	project = cJSON_GetObjectItemCaseSensitive(doc, "project");
	printf("Project: %s\n", str(project, "repo_url"));
	printf("Language: %s  Framework: %s  Domain: %s\n", str(project, "language"),
	       str(project, "framework"), str(project, "domain"));
	list = cJSON_GetObjectItemCaseSensitive(doc, "similar_projects");
	printf("\nSimilar projects: %d\n", cJSON_GetArraySize(list));
	cJSON_ArrayForEach(item, list)
		printf("  - %s (similarity: %.2f)\n", str(item, "repo_url"),
		       json_get_number(item, "similarity_score", 0));
	list = cJSON_GetObjectItemCaseSensitive(doc, "suggested_patterns");
	printf("\nSuggested patterns: %d\n", cJSON_GetArraySize(list));
	cJSON_ArrayForEach(item, list)
		printf("  - %s %s (confidence: %.2f, success rate: %.1f%%)\n",
		       str(item, "pattern_id"), str(item, "commit_msg"),
		       json_get_number(item, "confidence", 0),
		       json_get_number(item, "success_rate", 0) * 100);
	list = cJSON_GetObjectItemCaseSensitive(doc, "applied_patterns");
	printf("\nApplied patterns: %d\n", cJSON_GetArraySize(list));
	cJSON_ArrayForEach(item, list)
		printf("  - %s applied %s, outcome: %s\n", str(item, "pattern_id"),
		       str(item, "applied_at"), str(item, "outcome"));
	st = cJSON_GetObjectItemCaseSensitive(doc, "statistics");
	printf("\nStatistics:\n");
	printf("  Total suggestions: %lld\n", (long long)json_get_number(st, "total_suggestions", 0));
	printf("  Total applied: %lld\n", (long long)json_get_number(st, "total_applied", 0));
	printf("  Application rate: %.1f%%\n", json_get_number(st, "application_rate", 0) * 100);
	printf("  Outcomes: %lld successes, %lld failures\n",
	       (long long)json_get_number(st, "successes", 0),
	       (long long)json_get_number(st, "failures", 0));
out:
	cJSON_Delete(doc);
	strbuf_release(&path);
	xp_session_end(&x, 1);
	return 0;
}
