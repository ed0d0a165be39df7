/*
 * cmd-list.c: git patterns list and git patterns search. Both print
 * patterns one per line (or as one JSON document with --json); list in
 * history order, search by FTS5 relevance.
 */
#include "cli/builtin.h"
#include "common/file-role.h"
#include "common/json.h"
#include "cli/pager.h"
#include "cli/parse-options.h"
#include "common/pattern.h"
#include "local/query.h"
#include "cli/setup.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct printer {
	int json;
	struct json_writer jw;
	struct strbuf out;
	size_t count;
};

/* Write sb to stdout; a reader gone away (head -1, a closed pager) ends us quietly. */
static void write_out(const struct strbuf *sb)
{
	if (fwrite(sb->buf, 1, sb->len, stdout) != sb->len)
		check_pipe(errno);
}

static int print_row(const struct pattern_row *r, void *data)
{
	struct printer *pr = data;
	pr->count++;
	if (pr->json) {
		struct json_writer *jw = &pr->jw;
		jw_object_begin(jw);
		jw_key(jw, "pattern_id");
		jw_string(jw, r->pattern_id);
		jw_key(jw, "problem_type");
		jw_string(jw, r->problem_type);
		jw_key(jw, "rule");
		jw_string(jw, r->rule ? r->rule : "");
		jw_key(jw, "confidence");
		jw_double(jw, r->confidence);
		jw_key(jw, "language");
		jw_string(jw, r->language);
		jw_key(jw, "file_path");
		jw_string(jw, r->file_path);
		jw_key(jw, "file_role");
		jw_string(jw, r->file_role);
		jw_key(jw, "code_change");
		jw_bool(jw, r->code_change);
		jw_key(jw, "commit");
		jw_string(jw, r->commit_id);
		jw_key(jw, "commit_msg");
		jw_string(jw, r->commit_msg);
		jw_key(jw, "date");
		jw_string(jw, r->date);
		jw_key(jw, "origin");
		jw_string(jw, r->origin);
		jw_key(jw, "server_id");
		jw_string(jw, r->server_id);
		jw_key(jw, "success_count");
		jw_int(jw, r->success_count);
		jw_object_end(jw);
		if (pr->out.len > 65536) {
			write_out(&pr->out);
			strbuf_reset(&pr->out);
		}
		return 0;
	}
	strbuf_reset(&pr->out);
	strbuf_addf(&pr->out, "%s %-16s %.2f %-10s ", r->pattern_id, r->problem_type,
		    r->confidence, r->language && *r->language ? r->language : "-");
	strbuf_add_path(&pr->out, r->file_path && *r->file_path ? r->file_path : "-");
	if (!strcmp(r->origin, "team"))
		strbuf_addf(&pr->out, " [team, %lld helpful]", r->success_count);
	strbuf_addstr(&pr->out, "  ");
	/* a subject is one line, but keep terminals safe from control bytes */
	for (const char *p = r->commit_msg ? r->commit_msg : ""; *p; p++)
		strbuf_addch(&pr->out, (unsigned char)*p < 0x20 ? ' ' : *p);
	strbuf_addch(&pr->out, '\n');
	write_out(&pr->out);
	return 0;
}

/*
 * A read-only store cannot index the patterns its search index lacks: the
 * search indexes the whole store in a temporary index (store-patterns.h),
 * which takes a while on a large one. Say so, and how to end it.
 */
static void note_unindexed(struct store *s, const char *variant)
{
	long long pending = 0;

	if (store_fts_pending(s, variant, &pending, NULL) < 0 || !pending)
		return;
	fprintf(stderr, "note: %lld pattern%s of the read-only store '%s' %s not in its "
			"search index: the search indexes the store for itself (any search "
			"by a user who may write to the store brings the index up to date)\n",
		pending, pending == 1 ? "" : "s", store_path(s), pending == 1 ? "is" : "are");
}

static int list_or_search(int argc, const char **argv, int search)
{
	static const char *const list_usage[] = {
		"git patterns list [--type <type>] [--language <lang>] [--role <role>] [--code-only] [--limit <n>] [--json]",
		NULL,
	};
	static const char *const search_usage[] = {
		"git patterns search [--type <type>] [--language <lang>] [--role <role>] [--code-only] [--limit <n>] [--json] <words>...",
		NULL,
	};
	const char *const *usage = search ? search_usage : list_usage;
	const char *repo_path = NULL;
	int json = 0, whole_file = 0, context = -1;
	struct query_options o = QUERY_OPTIONS_INIT;
	struct strbuf variant = STRBUF_INIT, words = STRBUF_INIT;
	struct printer pr = { 0 };
	git_repository *repo;
	struct store *s;
	const struct option options[] = {
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository to read (default: here)"),
		OPT_STRING(0, "type", &o.problem_type, "type", "only this problem type"),
		OPT_STRING(0, "language", &o.language, "lang", "only this language"),
		OPT_STRING(0, "role", &o.file_role, "role",
			   "only files of this role (source, test, docs, build, other)"),
		OPT_BOOL(0, "code-only", &o.code_only,
			 "leave out changes to comments, whitespace and blank lines only"),
		OPT_STRING(0, "origin", &o.origin, "where", "only 'local' or only 'team' patterns"),
		OPT_INTEGER('n', "limit", &o.limit, "n", "show at most <n> patterns"),
		OPT_BOOL(0, "whole-file", &whole_file, "the whole-file extraction"),
		OPT_INTEGER(0, "context", &context, "n", "the extraction with <n> context lines"),
		OPT_BOOL(0, "json", &json, "one JSON document on stdout"),
		OPT_END(),
	};

	o.limit = search ? 20 : -1;
	argc = parse_options(argc, argv, options, usage, 0);
	if (search) {
		for (int i = 0; i < argc; i++) {
			if (i)
				strbuf_addch(&words, ' ');
			strbuf_addstr(&words, argv[i]);
		}
		if (!words.len)
			usage_msg_opt(usage, options, "search needs words to look for");
		o.text = words.buf;
	} else if (argc) {
		usage_msg_opt(usage, options, "unexpected argument '%s'", argv[0]);
	}
	if (o.problem_type && !problem_type_valid(o.problem_type))
		usage_msg_opt(usage, options, "unknown problem type '%s'", o.problem_type);
	if (o.file_role && !file_role_valid(o.file_role))
		usage_msg_opt(usage, options, "unknown role '%s' (source, test, docs, build or other)",
			      o.file_role);
	if (o.origin && strcmp(o.origin, "local") && strcmp(o.origin, "team"))
		usage_msg_opt(usage, options, "--origin takes 'local' or 'team'");

	repo = setup_repo(repo_path);
	setup_variant(&variant, repo, whole_file, context);
	o.variant = variant.buf;
	s = setup_store_read(repo, 1);
	if (search && store_read_only(s))
		note_unindexed(s, variant.buf);
	if (!search)
		setup_pager(repo);

	pr.json = json;
	strbuf_init(&pr.out, 0);
	if (json) {
		jw_init(&pr.jw, &pr.out, 1);
		jw_object_begin(&pr.jw);
		if (search) {
			jw_key(&pr.jw, "query");
			jw_string(&pr.jw, words.buf);
		}
		jw_key(&pr.jw, "patterns");
		jw_array_begin(&pr.jw);
	}
	/* as git log -n 0: nothing; without -n (or below 0), every pattern */
	if (o.limit && query_patterns(s, &o, print_row, &pr) < 0)
		die_err();
	if (json) {
		jw_array_end(&pr.jw);
		jw_key(&pr.jw, "count");
		jw_int(&pr.jw, (int64_t)pr.count);
		jw_object_end(&pr.jw);
		strbuf_addch(&pr.out, '\n');
		write_out(&pr.out);
	}
	strbuf_release(&pr.out);
	strbuf_release(&variant);
	strbuf_release(&words);
	store_close(s);
	git_repository_free(repo);
	return 0;
}

int cmd_list(int argc, const char **argv)
{
	return list_or_search(argc, argv, 0);
}

int cmd_search(int argc, const char **argv)
{
	return list_or_search(argc, argv, 1);
}
