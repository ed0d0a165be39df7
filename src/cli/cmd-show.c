/*
 * cmd-show.c: git patterns show ID: one pattern in full, its code included.
 */
#include "cli/builtin.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "local/query.h"
#include "cli/setup.h"
#include "client/sync.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

static const char *const show_usage[] = {
	"git patterns show [--json] <pattern-id>",
	NULL,
};

struct show_ctx {
	struct store *store;
	int json;
};

static void show_json(const struct pattern_row *r, int vote)
{
	struct strbuf out = STRBUF_INIT;
	struct json_writer jw;
	jw_init(&jw, &out, 1);
	jw_object_begin(&jw);
	jw_key(&jw, "pattern_id");
	jw_string(&jw, r->pattern_id);
	jw_key(&jw, "problem_type");
	jw_string(&jw, r->problem_type);
	jw_key(&jw, "rule");
	jw_string(&jw, r->rule ? r->rule : "");
	jw_key(&jw, "before_code");
	jw_string_len(&jw, r->before_code, r->before_len);
	jw_key(&jw, "after_code");
	jw_string_len(&jw, r->after_code, r->after_len);
	jw_key(&jw, "commit_msg");
	jw_string(&jw, r->commit_msg);
	jw_key(&jw, "author");
	jw_string(&jw, r->author);
	jw_key(&jw, "date");
	jw_string(&jw, r->date);
	jw_key(&jw, "confidence");
	jw_double(&jw, r->confidence);
	jw_key(&jw, "commit");
	jw_string(&jw, r->commit_id);
	jw_key(&jw, "file_path");
	jw_string(&jw, r->file_path);
	if (r->old_path) {
		jw_key(&jw, "old_path");
		jw_string(&jw, r->old_path);
	}
	jw_key(&jw, "language");
	jw_string(&jw, r->language);
	jw_key(&jw, "solution_hash");
	jw_string(&jw, r->solution_hash);
	jw_key(&jw, "author_name");
	jw_string(&jw, r->author_name);
	jw_key(&jw, "commit_body");
	jw_string(&jw, r->commit_body);
	jw_key(&jw, "file_role");
	jw_string(&jw, r->file_role);
	jw_key(&jw, "code_change");
	jw_bool(&jw, r->code_change);
	jw_key(&jw, "origin");
	jw_string(&jw, r->origin);
	jw_key(&jw, "server_id");
	jw_string(&jw, r->server_id);
	jw_key(&jw, "success_count");
	jw_int(&jw, r->success_count);
	jw_key(&jw, "obsolete");
	jw_bool(&jw, r->obsolete);
	jw_key(&jw, "queued_feedback");
	if (vote < 0)
		jw_null(&jw);
	else
		jw_string(&jw, vote ? "helpful" : "not-helpful");
	jw_object_end(&jw);
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

/* Print code as text: valid UTF-8, each line indented by prefix. */
static void print_code(const char *title, const char *code, size_t len)
{
	struct strbuf clean = STRBUF_INIT;
	utf8_sanitize(&clean, code, len);
	printf("%s\n", title);
	fwrite(clean.buf, 1, clean.len, stdout);
	if (clean.len && clean.buf[clean.len - 1] != '\n')
		printf("\n\\ No newline at end\n");
	strbuf_release(&clean);
}

static void show_text(const struct pattern_row *r, int vote)
{
	struct strbuf path = STRBUF_INIT;

	printf("pattern %s\n", r->pattern_id);
	printf("Type:       %s\n", r->problem_type);
	if (r->rule && *r->rule)
		printf("Rule:       %s\n", r->rule);
	printf("Confidence: %.2f\n", r->confidence);
	if (r->commit_id && *r->commit_id)
		printf("Commit:     %s\n", r->commit_id);
	if (r->author && *r->author)
		printf("Author:     %s <%s>\n", r->author_name ? r->author_name : "", r->author);
	if (r->date && *r->date)
		printf("Date:       %s\n", r->date);
	strbuf_add_path(&path, r->file_path);
	if (r->old_path) {
		strbuf_addstr(&path, " (renamed from ");
		strbuf_add_path(&path, r->old_path);
		strbuf_addch(&path, ')');
	}
	printf("File:       %s\n", path.buf);
	strbuf_release(&path);
	printf("Language:   %s\n", r->language && *r->language ? r->language : "-");
	printf("Role:       %s, %s\n", r->file_role && *r->file_role ? r->file_role : "-",
	       r->code_change ? "code change" : "comments or whitespace only");
	printf("Solution:   %s\n", r->solution_hash);
	if (!strcmp(r->origin, "team"))
		printf("Origin:     team (server id %s, %lld helpful)\n",
		       r->server_id ? r->server_id : "-", r->success_count);
	else if (r->server_id)
		printf("Origin:     local, shared as %s (%lld helpful)\n", r->server_id,
		       r->success_count);
	else
		printf("Origin:     local\n");
	if (r->obsolete)
		printf("Obsolete:   its commit was rewritten (amend or rebase)\n");
	if (vote >= 0)
		printf("Feedback:   %s (queued; the next sync sends it)\n",
		       vote ? "helpful" : "not helpful");
	printf("\n    %s\n", r->commit_msg ? r->commit_msg : "");
	if (r->commit_body && *r->commit_body) {
		const char *p = r->commit_body;
		putchar('\n');
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			printf("    %.*s\n", (int)n, p);
			p += n + (nl ? 1 : 0);
		}
	}
	putchar('\n');
	print_code("--- before", r->before_code, r->before_len);
	print_code("+++ after", r->after_code, r->after_len);
}

static int show_row(const struct pattern_row *r, void *data)
{
	struct show_ctx *ctx = data;
	int vote = sync_feedback_queued(ctx->store, r->rowid, r->server_id);
	if (ctx->json)
		show_json(r, vote);
	else
		show_text(r, vote);
	return 0;
}

int cmd_show(int argc, const char **argv)
{
	const char *repo_path = NULL;
	int json = 0, ret;
	struct show_ctx ctx;
	struct strbuf variant = STRBUF_INIT;
	git_repository *repo;
	struct store *s;
	const struct option options[] = {
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository to read (default: here)"),
		OPT_BOOL(0, "json", &json, "one JSON document on stdout"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, show_usage, 0);
	if (argc != 1)
		usage_msg_opt(show_usage, options, "show takes exactly one pattern id");
	repo = setup_repo(repo_path);
	setup_variant(&variant, repo, 0, -1);
	s = setup_store_read(repo, 0);
	ctx.store = s;
	ctx.json = json;
	ret = query_show(s, argv[0], variant.buf, show_row, &ctx);
	if (ret < 0)
		die_err();
	if (ret > 0)
		die("no pattern '%s' in the store", argv[0]);
	store_close(s);
	git_repository_free(repo);
	strbuf_release(&variant);
	return 0;
}
