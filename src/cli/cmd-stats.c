/*
 * cmd-stats.c: git patterns stats: what the store holds, by problem type
 * and language.
 */
#include "cli/builtin.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "cli/setup.h"
#include "local/store-patterns.h"
#include "local/store-processed.h"
#include "common/util.h"

#include <stdio.h>
#include <sys/stat.h>

static const char *const stats_usage[] = {
	"git patterns stats [--json]",
	NULL,
};

static int print_count(const char *name, long long n, void *data)
{
	struct json_writer *jw = data; /* NULL: text */

	if (!*name)
		name = "(none)";
	if (jw) {
		jw_key(jw, name);
		jw_int(jw, n);
	} else {
		printf("  %-18s %lld\n", name, n);
	}
	return 0;
}

/* Print (or add to JSON) the "name count" rows of one column. */
static void breakdown(struct store *s, const char *title, enum pattern_column column,
		      const char *variant, struct json_writer *jw)
{
	if (jw) {
		jw_key(jw, title);
		jw_object_begin(jw);
	} else {
		printf("By %s:\n", title);
	}
	if (pattern_store_breakdown(s, variant, column, print_count, jw) < 0)
		die_err();
	if (jw)
		jw_object_end(jw);
}

/* What stats prints, read from the store once. */
struct stats {
	const char *path;
	long long size, commits;
	struct pattern_counts n;
	int read_only; /* opened read-only: this user may not write it */
};

static void print_json(struct store *s, const struct stats *x, const char *variant)
{
	struct strbuf out = STRBUF_INIT;
	struct json_writer jw;

	jw_init(&jw, &out, 1);
	jw_object_begin(&jw);
	jw_key(&jw, "store");
	jw_string(&jw, x->path);
	jw_key(&jw, "store_bytes");
	jw_int(&jw, x->size);
	jw_key(&jw, "read_only");
	jw_bool(&jw, x->read_only);
	jw_key(&jw, "variant");
	jw_string(&jw, variant);
	jw_key(&jw, "commits_processed");
	jw_int(&jw, x->commits);
	jw_key(&jw, "patterns");
	jw_int(&jw, x->n.local + x->n.team);
	jw_key(&jw, "local");
	jw_int(&jw, x->n.local);
	jw_key(&jw, "team");
	jw_int(&jw, x->n.team);
	jw_key(&jw, "obsolete");
	jw_int(&jw, x->n.obsolete);
	breakdown(s, "type", PATTERN_BY_TYPE, variant, &jw);
	breakdown(s, "language", PATTERN_BY_LANGUAGE, variant, &jw);
	jw_object_end(&jw);
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void print_text(struct store *s, const struct stats *x, const char *variant)
{
	printf("Pattern store:     %s (%lld KiB%s)\n", x->path, (x->size + 1023) / 1024,
	       x->read_only ? ", read-only" : "");
	printf("Commits processed: %lld\n", x->commits);
	printf("Patterns:          %lld (%lld local, %lld from the team)\n",
	       x->n.local + x->n.team, x->n.local, x->n.team);
	if (x->n.obsolete)
		printf("Obsolete:          %lld (commits rewritten away)\n", x->n.obsolete);
	breakdown(s, "type", PATTERN_BY_TYPE, variant, NULL);
	breakdown(s, "language", PATTERN_BY_LANGUAGE, variant, NULL);
}

int cmd_stats(int argc, const char **argv)
{
	const char *repo_path = NULL;
	int json = 0;
	struct strbuf variant = STRBUF_INIT;
	struct stats x = { NULL, 0, 0, { 0, 0, 0 }, 0 };
	struct stat st;
	git_repository *repo;
	struct store *s;
	const struct option options[] = {
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository to read (default: here)"),
		OPT_BOOL(0, "json", &json, "one JSON document on stdout"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, stats_usage, 0);
	if (argc)
		usage_msg_opt(stats_usage, options, "unexpected argument '%s'", argv[0]);
	repo = setup_repo(repo_path);
	setup_variant(&variant, repo, 0, -1);
	s = setup_store_read(repo, 1);
	if (pattern_store_counts(s, variant.buf, &x.n) < 0 ||
	    store_processed_count(s, variant.buf, &x.commits) < 0)
		die_err();
	x.path = store_path(s);
	x.read_only = store_read_only(s);
	if (!stat(x.path, &st))
		x.size = (long long)st.st_size;
	{
		/* after a long extraction its last pages wait in the write-ahead log */
		char *wal = xstrfmt("%s-wal", x.path);
		if (!stat(wal, &st))
			x.size += (long long)st.st_size;
		free(wal);
	}
	if (json)
		print_json(s, &x, variant.buf);
	else
		print_text(s, &x, variant.buf);
	strbuf_release(&variant);
	store_close(s);
	git_repository_free(repo);
	return 0;
}
