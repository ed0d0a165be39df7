/*
 * cmd-stats.c: git patterns stats: what the store holds, by problem type
 * and language.
 */
#include "cli/builtin.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "cli/setup.h"
#include "common/util.h"

#include <stdio.h>
#include <sys/stat.h>

static const char *const stats_usage[] = {
	"git patterns stats [--json]",
	NULL,
};

static long long count_of(struct store *s, const char *sql, const char *variant)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	long long n = 0;
	if (!st)
		die_err();
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		die("%s", sqlite3_errmsg(store_db(s)));
	sqlite3_finalize(st);
	return n;
}

/* Print (or add to JSON) "name count" rows of a GROUP BY query. */
static void breakdown(struct store *s, const char *title, const char *column,
		      const char *variant, struct json_writer *jw)
{
	char *sql = xstrfmt("SELECT %s, count(*) FROM patterns"
			    " p WHERE (variant = ?1 OR origin = 'team') AND obsolete = 0"
			    " AND NOT " SQL_TEAM_ROW_SHADOWED("p")
			    " GROUP BY 1 ORDER BY 2 DESC, 1",
			    column);
	sqlite3_stmt *st = store_prepare(s, sql);
	free(sql);
	if (!st)
		die_err();
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	if (jw) {
		jw_key(jw, title);
		jw_object_begin(jw);
	} else {
		printf("By %s:\n", title);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		long long n = sqlite3_column_int64(st, 1);
		if (!name || !*name)
			name = "(none)";
		if (jw) {
			jw_key(jw, name);
			jw_int(jw, n);
		} else {
			printf("  %-18s %lld\n", name, n);
		}
	}
	sqlite3_finalize(st);
	if (jw)
		jw_object_end(jw);
}

int cmd_stats(int argc, const char **argv)
{
	const char *repo_path = NULL;
	int json = 0;
	struct strbuf variant = STRBUF_INIT, out = STRBUF_INIT;
	struct json_writer jw;
	struct stat st;
	git_repository *repo;
	struct store *s;
	long long local, team, commits, obsolete, size = 0;
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
	s = setup_store_current(repo);

	local = count_of(s, "SELECT count(*) FROM patterns WHERE origin = 'local'"
			    " AND variant = ?1 AND obsolete = 0", variant.buf);
	team = count_of(s, "SELECT count(*) FROM patterns p WHERE origin = 'team'"
			   " AND NOT " SQL_TEAM_ROW_SHADOWED("p"), NULL);
	obsolete = count_of(s, "SELECT count(*) FROM patterns WHERE obsolete = 1"
			       " AND variant = ?1", variant.buf);
	commits = count_of(s, "SELECT count(*) FROM processed WHERE variant = ?1", variant.buf);
	if (!stat(store_path(s), &st))
		size = (long long)st.st_size;

	if (json) {
		jw_init(&jw, &out, 1);
		jw_object_begin(&jw);
		jw_key(&jw, "store");
		jw_string(&jw, store_path(s));
		jw_key(&jw, "store_bytes");
		jw_int(&jw, size);
		jw_key(&jw, "variant");
		jw_string(&jw, variant.buf);
		jw_key(&jw, "commits_processed");
		jw_int(&jw, commits);
		jw_key(&jw, "patterns");
		jw_int(&jw, local + team);
		jw_key(&jw, "local");
		jw_int(&jw, local);
		jw_key(&jw, "team");
		jw_int(&jw, team);
		jw_key(&jw, "obsolete");
		jw_int(&jw, obsolete);
		breakdown(s, "type", "problem_type", variant.buf, &jw);
		breakdown(s, "language", "language", variant.buf, &jw);
		jw_object_end(&jw);
		strbuf_addch(&out, '\n');
		fwrite(out.buf, 1, out.len, stdout);
	} else {
		printf("Pattern store:     %s (%lld KiB)\n", store_path(s), (size + 1023) / 1024);
		printf("Commits processed: %lld\n", commits);
		printf("Patterns:          %lld (%lld local, %lld from the team)\n", local + team,
		       local, team);
		if (obsolete)
			printf("Obsolete:          %lld (commits rewritten away)\n", obsolete);
		breakdown(s, "type", "problem_type", variant.buf, NULL);
		breakdown(s, "language", "language", variant.buf, NULL);
	}
	strbuf_release(&out);
	strbuf_release(&variant);
	store_close(s);
	git_repository_free(repo);
	return 0;
}
