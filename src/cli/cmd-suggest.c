/*
 * cmd-suggest.c: git patterns suggest: patterns of similar projects worth
 * applying here (SPEC §8), ranked by similarity × confidence × success
 * rate. What it shows is recorded on the team server as suggested.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/xproject-session.h"
#include "common/json.h"
#include "common/pattern.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const suggest_usage[] = {
	"git patterns suggest [--type <t>]... [--min-confidence <c>] [--min-similarity <s>] "
	"[--limit <n>] [--json]",
	NULL,
};

static double unit_number(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0 && v <= 1)) {
		error("%s must be a number from 0 to 1, not '%s'", what, s);
		exit(129);
	}
	return v;
}

int cmd_suggest(int argc, const char **argv)
{
	const char *repo_path = NULL, *remote = NULL, *min_conf = "0.5", *min_sim = "0.5";
	struct string_list types = STRING_LIST_INIT;
	int limit = 20, json = 0;
	struct xproject_suggest_options o;
	struct xp_session x;
	const cJSON *list, *item;
	cJSON *doc;
	const struct option options[] = {
		OPT_STRING_LIST(0, "type", &types, "t", "only this problem type (repeatable)"),
		OPT_STRING(0, "min-confidence", &min_conf, "c", "lowest confidence (default 0.5)"),
		OPT_STRING(0, "min-similarity", &min_sim, "s",
			   "lowest project similarity (default 0.5)"),
		OPT_INTEGER(0, "limit", &limit, "n", "at most n patterns (default 20)"),
		OPT_BOOL(0, "json", &json, "the server's answer as JSON"),
		OPT_STRING(0, "remote", &remote, "url", "team server (default: patterns.remote)"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, suggest_usage, 0);
	if (argc)
		usage_msg_opt(suggest_usage, options, "suggest takes no arguments");
	if (limit < 1 || limit > 200)
		usage_msg_opt(suggest_usage, options, "--limit must be from 1 to 200");
	for (size_t i = 0; i < types.nr; i++)
		if (!problem_type_valid(types.items[i]))
			usage_msg_opt(suggest_usage, options, "--type: unknown problem type");
	o.types = (const char *const *)types.items;
	o.nr_types = types.nr;
	o.min_confidence = unit_number(min_conf, "--min-confidence");
	o.min_similarity = unit_number(min_sim, "--min-similarity");
	o.limit = limit;

	xp_session_start(&x, repo_path, remote, 1);
	if (xproject_suggest(x.s, x.c, x.id, &o, &doc) < 0)
		die_err();
	list = cJSON_GetObjectItemCaseSensitive(doc, "suggestions");
	if (json) {
		char *text = cJSON_PrintUnformatted(doc);
		printf("%s\n", text);
		free(text);
	} else if (!cJSON_GetArraySize(list)) {
		printf("No suggestion from similar projects on %s.\n", http_client_url(x.c));
	} else {
		xp_printable(doc);
		cJSON_ArrayForEach(item, list)
			xp_print_suggestion(item);
		printf("Apply one with 'git patterns apply <id>'.\n");
	}
	cJSON_Delete(doc);
	string_list_clear(&types);
	xp_session_end(&x, 1);
	return 0;
}
