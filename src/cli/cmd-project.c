/*
 * cmd-project.c: git patterns project [--json]: show this repository's
 * profile for cross-project learning (SPEC §8), detected offline.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/setup.h"
#include "common/json.h"
#include "common/util.h"
#include "local/project.h"

#include <stdio.h>

static const char *const project_usage[] = {
	"git patterns project [--json]",
	NULL,
};

static void print_json(const struct project_profile *p)
{
	struct strbuf out = STRBUF_INIT;
	struct json_writer jw;

	jw_init(&jw, &out, 1);
	jw_object_begin(&jw);
	jw_key(&jw, "repo_url");
	jw_string(&jw, p->repo_url);
	jw_key(&jw, "canonical_url");
	jw_string(&jw, p->canonical_url);
	jw_key(&jw, "language");
	jw_string(&jw, p->language);
	jw_key(&jw, "framework");
	jw_string(&jw, p->framework);
	jw_key(&jw, "domain");
	jw_string(&jw, p->domain);
	jw_key(&jw, "languages");
	jw_array_begin(&jw);
	for (size_t i = 0; i < p->nr_languages; i++) {
		jw_object_begin(&jw);
		jw_key(&jw, "language");
		jw_string(&jw, p->languages[i].name);
		jw_key(&jw, "share");
		jw_double(&jw, p->languages[i].share);
		jw_object_end(&jw);
	}
	jw_array_end(&jw);
	jw_object_end(&jw);
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void print_text(const struct project_profile *p)
{
	printf("repo_url:  %s\n", p->repo_url ? p->repo_url : "(none)");
	printf("project:   %s\n", p->canonical_url ? p->canonical_url : "(none)");
	printf("language:  %s\n", p->language ? p->language : "(none)");
	printf("framework: %s\n", p->framework ? p->framework : "(none)");
	printf("domain:    %s\n", p->domain ? p->domain : "(none)");
	if (p->nr_languages) {
		printf("languages:");
		for (size_t i = 0; i < p->nr_languages; i++)
			printf(" %s %.0f%%%s", p->languages[i].name, p->languages[i].share * 100,
			       i + 1 < p->nr_languages ? "," : "");
		printf("\n");
	}
}

int cmd_project(int argc, const char **argv)
{
	const char *repo_path = NULL;
	int json = 0;
	struct project_profile p;
	git_repository *repo;
	const struct option options[] = {
		OPT_BOOL(0, "json", &json, "one JSON document"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, project_usage, 0);
	if (argc)
		usage_msg_opt(project_usage, options, "project takes no arguments");
	repo = setup_repo(repo_path);
	if (project_profile_detect(repo, &p) < 0)
		die_err();
	if (json)
		print_json(&p);
	else
		print_text(&p);
	project_profile_release(&p);
	git_repository_free(repo);
	return 0;
}
