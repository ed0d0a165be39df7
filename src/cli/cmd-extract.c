/*
 * cmd-extract.c: git patterns extract: walk the history, store one pattern
 * per (commit, changed file) in the repository's pattern store, and with
 * --output write the selected range's patterns as JSONL.
 */
#include "cli/builtin.h"
#include "local/export.h"
#include "local/extract.h"
#include "local/query.h"
#include "cli/parse-options.h"
#include "cli/progress.h"
#include "common/repo.h"
#include "cli/setup.h"
#include "local/reconcile.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

static const char *const extract_usage[] = {
	"git patterns extract [--repo-path <dir>] [--output <file>|-] [--since-date <date>]\n"
	"                     [--rev <range> | --all] [--include-unknown] [--include-merges]\n"
	"                     [--whole-file] [--context <n>] [--jobs <n>] [--quiet] [<range>...]",
	NULL,
};

struct range {
	git_oid *ids;
	size_t nr, alloc;
};

static int remember_commit(const git_oid *id, size_t ord, void *data)
{
	struct range *r = data;
	ALLOC_GROW(r->ids, r->nr + 1, r->alloc);
	r->ids[r->nr++] = *id;
	return 0;
}

/* --output: the patterns of the range just extracted, in its order. */
static void write_range(struct store *s, const git_oid *ids, size_t nr, const char *variant,
			int include_unknown, const char *output, int quiet)
{
	struct export_options eo = EXPORT_OPTIONS_INIT;
	size_t count = 0;

	eo.variant = variant;
	eo.include_unknown = include_unknown;
	eo.use_range = 1;
	if (export_set_range(s, ids, nr) < 0 || export_to_path(s, &eo, output, &count) < 0)
		die_err();
	if (!quiet && strcmp(output, "-"))
		fprintf(stderr, "Wrote %zu patterns to %s\n", count, output);
}

static git_repository *kept_repo;

/* extract_options.progress: the bar starts when the diffing does */
struct extract_bar {
	struct progress *bar;
	int started;
};

static void show_progress(void *data, uint64_t done, uint64_t total)
{
	struct extract_bar *b = data;

	if (!b->started) {
		b->bar = progress_start("Extracting patterns", total, "commits", 0);
		b->started = 1;
	}
	progress_update(b->bar, done);
}

/* "<before> <n> <after>" when the run repaired n things of an older version's store. */
static void say_repaired(size_t n, const char *before, const char *after)
{
	if (n)
		fprintf(stderr, "%s %zu %s\n", before, n, after);
}

int cmd_extract(int argc, const char **argv)
{
	const char *repo_path = NULL, *output = NULL, *since_date = NULL;
	struct string_list revs = STRING_LIST_INIT;
	struct extract_options o = EXTRACT_OPTIONS_INIT;
	struct extract_stats st;
	struct strbuf variant = STRBUF_INIT;
	struct range range = { NULL, 0, 0 };
	struct extract_bar bar = { NULL, 0 };
	int quiet = 0, progress = 1, context = -1, jobs = 0;
	git_repository *repo;
	struct store *s;
	const struct option options[] = {
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository to read (default: here)"),
		OPT_STRING('o', "output", &output, "file",
			   "write the range's patterns as JSONL to <file> ('-': stdout)"),
		OPT_STRING(0, "since-date", &since_date, "date",
			   "only commits committed since <date> (as git log --since)"),
		OPT_STRING_LIST(0, "rev", &revs, "range", "revisions to walk (default: HEAD)"),
		OPT_BOOL(0, "all", &o.all, "walk every ref, as git log --all"),
		OPT_BOOL(0, "include-unknown", &o.include_unknown,
			 "also extract commits of no known problem type"),
		OPT_BOOL(0, "include-merges", &o.include_merges,
			 "also extract merges (against their first parent)"),
		OPT_BOOL(0, "whole-file", &o.whole_file, "whole old and new files instead of hunks"),
		OPT_INTEGER(0, "context", &context, "n",
			    "context lines around each hunk (default: patterns.contextLines or 3)"),
		OPT_INTEGER('j', "jobs", &jobs, "n", "diff on <n> threads (default: the cores)"),
		OPT_BOOL('q', "quiet", &quiet, "print nothing but errors"),
		OPT_BOOL(0, "progress", &progress, "show progress on a terminal (default)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, extract_usage, 0);
	for (int i = 0; i < argc; i++)
		string_list_append(&revs, argv[i]);
	if (context < -1 || context > 10000)
		usage_msg_opt(extract_usage, options, "--context takes 0 to 10000, not %d", context);
	if (jobs < 0 || jobs > 256)
		usage_msg_opt(extract_usage, options, "--jobs takes 1 to 256, not %d", jobs);
	if (o.all && revs.nr)
		usage_msg_opt(extract_usage, options, "--all and a revision range cannot be combined");
	if (output && !*output)
		usage_msg_opt(extract_usage, options, "--output needs a file name or '-'");

	if (quiet)
		setup_wait_notice(0);
	repo = setup_repo(repo_path);
	if (since_date && git_approxidate(repo, since_date, &o.since) < 0)
		die_err();
	o.revs = (const char *const *)revs.items;
	o.nr_revs = revs.nr;
	o.context_lines = context;
	o.jobs = jobs;
	if (progress && !quiet) {
		o.progress = show_progress;
		o.progress_data = &bar;
	}
	if (output) {
		o.on_commit = remember_commit;
		o.on_commit_data = &range;
	}
	if (extract_resolve_options(repo, &o, &variant) < 0)
		die_err();
	s = setup_store(repo);
	/* what was rewritten away is hidden; what is new, this run extracts */
	if (reconcile_history(repo, s, 0, 0, NULL) < 0)
		warning("the patterns may not follow the latest history changes: %s", err_msg());
	if (extract_run(repo, s, &o, &st) < 0)
		die_err();
	progress_stop(bar.bar);
	if (!quiet && st.relabelled + st.released)
		fprintf(stderr, "Relabelled %zu stored commits and released %zu once unknown"
				" (the classifier changed)\n",
			st.relabelled, st.released);
	if (!quiet) {
		say_repaired(st.code_repaired, "Marked", "stored patterns as changing code (an older"
			     " version took them for comment-only)");
		say_repaired(st.lfs_dropped, "Dropped", "stored patterns of Git LFS pointers (an"
			     " older version took them for code)");
		say_repaired(st.shallow_repaired, "Dropped what an older version extracted from",
			     "commits without their parents (at a shallow clone's boundary)");
	}
	if (!quiet && st.shallow_extracted)
		fprintf(stderr, "Extracted %zu patterns from %zu commits once at the shallow"
				" boundary, now that their parents are here\n",
			st.shallow_patterns, st.shallow_extracted);
	if (!quiet)
		fprintf(stderr, "Extracted %zu patterns from %zu new commits"
				" (%zu commits in range, %zu already extracted, %zu unknown skipped)\n",
			st.patterns, st.processed, st.selected, st.already, st.skipped_unknown);
	if (!quiet && st.shallow_left)
		fprintf(stderr, "Left out %zu commits at the boundary of this shallow clone:"
				" their parents were not fetched (they are extracted after"
				" git fetch --unshallow)\n",
			st.shallow_left);
	if (output)
		write_range(s, range.ids, range.nr, variant.buf, o.include_unknown, output, quiet);
	free(range.ids);
	query_close_store(repo, s);
	/*
	 * Not freed: its object cache holds every commit of the run, and
	 * freeing them one by one takes longer than the exit that follows
	 * (tens of milliseconds on 10,000 commits). Still reachable from
	 * here, so leak checkers do not count it.
	 */
	kept_repo = repo;
	string_list_clear(&revs);
	strbuf_release(&variant);
	return 0;
}
