/*
 * cmd-recall.c: git patterns recall: "was this fixed before?" Finds the
 * stored patterns whose before_code is most like the code being changed
 * (the staged diff's old side by default, a commit's, or lines of a file),
 * locally and with --team on the team server, and prints them with their
 * diffs. --last prints the post-commit hook's latest hint.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/progress.h"
#include "cli/setup.h"
#include "client/credential.h"
#include "client/http.h"
#include "client/team-recall.h"
#include "common/pattern.h"
#include "common/repo.h"
#include "common/util.h"
#include "local/recall.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const recall_usage[] = {
	"git patterns recall [--staged | <rev> | --file <path>[:<from>-<to>]] [--team]\n"
	"                    [--type <type>] [--limit <n>] [--json]",
	"git patterns recall --last [--json]",
	NULL,
};

static void show_progress(long long done, long long total, void *data)
{
	struct progress **bar = data;
	if (!*bar)
		*bar = progress_start("Indexing patterns for recall", (uint64_t)total, NULL, 0);
	progress_set_total(*bar, (uint64_t)total);
	progress_update(*bar, (uint64_t)done);
}

/* Bring the index up to date; a progress line when there is much to do. */
static void catch_up(struct store *s)
{
	struct progress *bar = NULL;
	long long pending = recall_index_pending(s);

	if (pending < 0)
		die_err();
	if (!pending)
		return;
	if (recall_index_catch_up(s, pending > 2000 ? show_progress : NULL, &bar) < 0)
		die_err();
	progress_stop(bar);
}

/* "path:10-20" -> path, 10, 20; a plain path keeps from = to = 0. */
static char *parse_file_spec(const char *spec, long *from, long *to)
{
	const char *colon = strrchr(spec, ':');
	char *end;

	*from = *to = 0;
	if (colon && colon[1] >= '0' && colon[1] <= '9') {
		errno = 0;
		*from = strtol(colon + 1, &end, 10);
		if (*end == '-' && end[1] >= '0' && end[1] <= '9')
			*to = strtol(end + 1, &end, 10);
		else if (!*end)
			*to = *from;
		if (*end || errno || *from < 1 || *to < *from)
			return NULL;
		return xstrndup(spec, (size_t)(colon - spec));
	}
	return xstrdup(spec);
}

static int print_last(git_repository *repo, int json)
{
	char *path = recall_last_path(repo, json ? "json" : "txt");
	FILE *fp = fopen(path, "rb");
	char buf[8192];
	size_t n;

	if (!fp) {
		if (errno != ENOENT)
			die("cannot read '%s': %s", path, strerror(errno));
		free(path);
		fprintf(stderr, "no recall hint yet: set patterns.recallHint=true and "
				"install the hooks (git patterns hook install)\n");
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(fp);
	free(path);
	return 0;
}

static void team_hits(git_repository *repo, const char *remote, const struct changed_code *cc,
		      const struct recall_options *o, struct recall_hits *hits)
{
	struct credential cred = CREDENTIAL_INIT;
	struct http_client *client = setup_team_client(repo, remote, 30, &cred);
	long status = 0;
	size_t i;

	for (i = 0; i < cc->nr; i++) {
		if (team_recall(client, cc->files[i].language, cc->files[i].code.buf,
				cc->files[i].code.len, o, hits, &status) < 0) {
			if (status == 401)
				credential_reject(&cred, repo);
			die_err();
		}
	}
	if (status && status < 300)
		credential_approve(&cred, repo);
	credential_release(&cred);
	http_client_free(client);
}

int cmd_recall(int argc, const char **argv)
{
	const char *repo_path = NULL, *file = NULL, *remote = NULL;
	int staged = 0, team = 0, json = 0, last = 0, ret = 0;
	struct recall_options o = { NULL, RECALL_DEFAULT_LIMIT, RECALL_MIN_SCORE, NULL, 0 };
	struct changed_code cc = CHANGED_CODE_INIT;
	struct recall_hits hits = RECALL_HITS_INIT;
	struct strbuf out = STRBUF_INIT;
	const char *source;
	double took;
	git_repository *repo;
	struct store *s;
	const struct option options[] = {
		OPT_BOOL(0, "staged", &staged, "the staged changes' old side (the default)"),
		OPT_STRING(0, "file", &file, "path[:from-to]", "lines of a file (all by default)"),
		OPT_BOOL(0, "team", &team, "ask the team server too"),
		OPT_STRING(0, "remote", &remote, "url", "team server (default: patterns.remote)"),
		OPT_STRING(0, "type", &o.problem_type, "type", "only patterns of this problem type"),
		OPT_INTEGER('n', "limit", &o.limit, "n", "show at most <n> hits (default 5)"),
		OPT_BOOL(0, "json", &json, "one JSON document on stdout"),
		OPT_BOOL(0, "last", &last, "the post-commit hook's latest hint"),
		OPT_BOOL(0, "exhaustive", &o.exhaustive, "score every pattern, not the index's candidates"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, recall_usage, 0);
	if (argc > 1)
		usage_msg_opt(recall_usage, options, "recall takes at most one commit");
	if (staged + !!file + (argc == 1) > 1)
		usage_msg_opt(recall_usage, options,
			      "--staged, <rev> and --file cannot be used together");
	if (last && (staged || file || argc || team || o.problem_type))
		usage_msg_opt(recall_usage, options, "--last takes no other source or filter");
	if (o.limit < 1)
		usage_msg_opt(recall_usage, options, "--limit must be at least 1");
	if (o.problem_type && !problem_type_valid(o.problem_type))
		usage_msg_opt(recall_usage, options, "unknown problem type '%s'", o.problem_type);

	repo = setup_repo(repo_path);
	if (last) {
		ret = print_last(repo, json);
		git_repository_free(repo);
		return ret;
	}
	if (file) {
		long from, to;
		char *path = parse_file_spec(file, &from, &to);
		if (!path)
			usage_msg_opt(recall_usage, options,
				      "bad --file '%s': want <path> or <path>:<from>-<to>", file);
		if (changed_code_file(&cc, path, from, to) < 0)
			die_err();
		free(path);
		source = "file";
	} else if (argc == 1) {
		if (changed_code_commit(&cc, repo, argv[0], setup_context_lines(repo, -1)) < 0)
			die_err();
		o.exclude_commit = cc.commit;
		source = cc.commit;
	} else {
		if (git_repository_is_bare(repo))
			die("nothing is staged in a bare repository: give a commit or --file");
		if (changed_code_staged(&cc, repo, setup_context_lines(repo, -1)) < 0)
			die_err();
		if (!cc.nr && cc.nr_changed) {
			error("the staged changes change no existing code (only new, binary or "
			      "renamed files): nothing to recall from");
			ret = 1;
			goto out_repo;
		}
		if (!cc.nr) {
			error("nothing staged to recall from: stage the code you are changing "
			      "(git add), or give a commit or --file");
			ret = 1;
			goto out_repo;
		}
		source = "staged";
	}
	if (!cc.nr) {
		error("%s changes no existing code: nothing to recall from",
		      file ? file : argv[0]);
		ret = 1;
		goto out_repo;
	}

	/* as list and search: patterns of commits no longer in the history are hidden */
	s = setup_store_read(repo, 1);
	catch_up(s);
	took = now_seconds();
	if (recall_changed_code(s, &cc, &o, &hits) < 0)
		die_err();
	took = now_seconds() - took;
	store_close(s);
	if (team) {
		team_hits(repo, remote, &cc, &o, &hits);
		recall_hits_finish(&hits, o.limit);
	}

	if (json)
		recall_format_json(&out, source, &hits, took * 1000);
	else
		recall_format_text(&out, &hits);
	fwrite(out.buf, 1, out.len, stdout);
	if (!json && !hits.nr)
		fprintf(stderr, "no earlier pattern is like this code\n");
	strbuf_release(&out);
	recall_hits_release(&hits);
out_repo:
	changed_code_release(&cc);
	git_repository_free(repo);
	return ret;
}
