/*
 * cmd-similar.c: git patterns similar: the team's projects like this one
 * (SPEC §8), by similarity score.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/xproject-session.h"
#include "common/json.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const similar_usage[] = {
	"git patterns similar [--min-similarity <s>] [--limit <n>] [--json]",
	NULL,
};

int cmd_similar(int argc, const char **argv)
{
	const char *repo_path = NULL, *remote = NULL, *min = "0.5";
	int limit = 10, json = 0;
	struct xp_session x;
	struct strbuf path = STRBUF_INIT;
	const cJSON *list, *p;
	cJSON *doc;
	char *end;
	double min_similarity;
	const struct option options[] = {
		OPT_STRING(0, "min-similarity", &min, "s", "lowest score shown (0 to 1, default 0.5)"),
		OPT_INTEGER(0, "limit", &limit, "n", "at most n projects (default 10)"),
		OPT_BOOL(0, "json", &json, "the server's answer as JSON"),
		OPT_STRING(0, "remote", &remote, "url", "team server (default: patterns.remote)"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, similar_usage, 0);
	if (argc)
		usage_msg_opt(similar_usage, options, "similar takes no arguments");
	min_similarity = strtod(min, &end);
	if (*end || !*min || !(min_similarity >= 0 && min_similarity <= 1))
		usage_msg_opt(similar_usage, options, "--min-similarity must be from 0 to 1");
	if (limit < 1 || limit > 200)
		usage_msg_opt(similar_usage, options, "--limit must be from 1 to 200");

	xp_session_start(&x, repo_path, remote, 1);
	strbuf_addf(&path, "/projects/%s/similar?min_similarity=%g&limit=%d", x.id, min_similarity,
		    limit);
	if (xproject_get(x.c, path.buf, &doc) < 0)
		die_err();
	list = cJSON_GetObjectItemCaseSensitive(doc, "similar_projects");
	if (json) {
		char *text = cJSON_PrintUnformatted(doc);
		printf("%s\n", text);
		free(text);
	} else if (!cJSON_GetArraySize(list)) {
		printf("No project on %s scores %g or more against this one.\n",
		       http_client_url(x.c), min_similarity);
	} else {
		xp_printable(doc);
		cJSON_ArrayForEach(p, list) {
			const char *fw = json_get_string(p, "framework");
			const char *dom = json_get_string(p, "domain");
			printf("%.2f  %s  (%s, %s, %s)  match:%s%s%s\n",
			       json_get_number(p, "similarity_score", 0),
			       json_get_string(p, "repo_url") ? json_get_string(p, "repo_url") : "?",
			       json_get_string(p, "language") ? json_get_string(p, "language") : "-",
			       fw && *fw ? fw : "-", dom && *dom ? dom : "-",
			       json_get_bool(p, "language_match", 0) ? " language" : "",
			       json_get_bool(p, "framework_match", 0) ? " framework" : "",
			       json_get_bool(p, "domain_match", 0) ? " domain" : "");
		}
	}
	cJSON_Delete(doc);
	strbuf_release(&path);
	xp_session_end(&x, 1);
	return 0;
}
