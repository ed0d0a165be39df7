/*
 * cmd-export.c: git patterns export: the store's patterns as JSONL (the
 * extractor's records) or CommitPack-style training records.
 */
#include "cli/builtin.h"
#include "local/export.h"
#include "local/store-patterns.h"
#include "cli/pager.h"
#include "cli/parse-options.h"
#include "common/file-role.h"
#include "common/license.h"
#include "common/pattern.h"
#include "common/repo.h"
#include "cli/setup.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const export_usage[] = {
	"git patterns export [--output <file>] [--format jsonl|commitpack] [<filters>]",
	NULL,
};

int cmd_export(int argc, const char **argv)
{
	const char *repo_path = NULL, *output = "-", *format = "jsonl", *since_date = NULL;
	const char *min_conf = NULL;
	int whole_file = 0, context = -1, quiet = 0, team = 1;
	struct export_options o = EXPORT_OPTIONS_INIT;
	struct strbuf variant = STRBUF_INIT, repos = STRBUF_INIT;
	git_repository *repo;
	struct store *s;
	size_t count = 0;
	const struct option options[] = {
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository to read (default: here)"),
		OPT_STRING('o', "output", &output, "file", "write to <file> ('-': stdout, the default)"),
		OPT_STRING(0, "format", &format, "format", "jsonl (default) or commitpack"),
		OPT_STRING(0, "type", &o.problem_type, "type", "only this problem type"),
		OPT_STRING(0, "language", &o.language, "lang", "only this language"),
		OPT_STRING(0, "role", &o.file_role, "role",
			   "only files of this role (source, test, docs, build, other)"),
		OPT_BOOL(0, "code-only", &o.code_only,
			 "leave out changes to comments, whitespace and blank lines only"),
		OPT_STRING(0, "since-date", &since_date, "date", "only commits after <date>"),
		OPT_STRING(0, "min-confidence", &min_conf, "x", "only confidence >= <x>"),
		OPT_BOOL(0, "include-unknown", &o.include_unknown, "include unclassified commits"),
		OPT_BOOL(0, "team", &team, "include team patterns pulled by sync (default)"),
		OPT_BOOL(0, "whole-file", &whole_file, "the whole-file extraction (CommitPack style)"),
		OPT_INTEGER(0, "context", &context, "n", "the extraction with <n> context lines"),
		OPT_BOOL('q', "quiet", &quiet, "do not print the count"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, export_usage, 0);
	if (argc)
		usage_msg_opt(export_usage, options, "unexpected argument '%s'", argv[0]);
	if (!strcmp(format, "commitpack")) {
		o.format = EXPORT_COMMITPACK;
		whole_file = 1;
	} else if (strcmp(format, "jsonl")) {
		usage_msg_opt(export_usage, options, "unknown format '%s' (jsonl or commitpack)",
			      format);
	}
	if (o.problem_type && !problem_type_valid(o.problem_type))
		usage_msg_opt(export_usage, options, "unknown problem type '%s'", o.problem_type);
	if (o.file_role && !file_role_valid(o.file_role))
		usage_msg_opt(export_usage, options,
			      "unknown role '%s' (source, test, docs, build or other)", o.file_role);
	if (min_conf) {
		char *end;
		o.min_confidence = strtod(min_conf, &end);
		if (*end || end == min_conf || o.min_confidence < 0 || o.min_confidence > 1)
			usage_msg_opt(export_usage, options,
				      "--min-confidence takes a number from 0 to 1, not '%s'", min_conf);
	}
	if (context < -1)
		usage_msg_opt(export_usage, options, "--context must not be negative");
	if (o.problem_type && !strcmp(o.problem_type, "unknown"))
		o.include_unknown = 1;
	o.include_team = team;

	repo = setup_repo(repo_path);
	if (since_date && git_approxidate(repo, since_date, &o.since) < 0)
		die_err();
	setup_variant(&variant, repo, whole_file, context);
	o.variant = variant.buf;
	s = setup_store_read(repo, 1);
	if (whole_file) {
		/* no whole-file extraction at all: not an empty answer, a missing step */
		struct pattern_counts n;
		if (pattern_store_counts(s, o.variant, &n) < 0)
			die_err();
		if (!n.local && !n.obsolete)
			die("this store has no whole-file patterns (%s needs them): run "
			    "'git patterns extract --whole-file' first",
			    o.format == EXPORT_COMMITPACK ? "--format commitpack" : "--whole-file");
	}
	if (o.format == EXPORT_COMMITPACK) {
		repo_canonical_url(&repos, repo);
		o.repo = repo;
		o.repos = repos.buf;
	}
	if (export_to_path(s, &o, output, &count) < 0) {
		if (!strcmp(output, "-") && ferror(stdout))
			check_pipe(errno); /* git patterns export | head -1 */
		die_err();
	}
	if (!quiet && strcmp(output, "-"))
		fprintf(stderr, "Exported %zu patterns to %s\n", count, output);
	store_close(s);
	strbuf_release(&repos);
	git_repository_free(repo);
	strbuf_release(&variant);
	return 0;
}
