/*
 * cmd-sync.c: git patterns sync: share this repository's patterns with the
 * team server and receive the team's (the work is in sync.c; the key in
 * credential.c; the transport in http.c).
 */
#include "cli/builtin.h"
#include "client/credential.h"
#include "client/http.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "cli/progress.h"
#include "common/repo.h"
#include "cli/setup.h"
#include "local/query.h"
#include "local/store-sync.h"
#include "local/store-xproject.h"
#include "client/sync.h"
#include "client/xproject.h"
#include "cli/xproject-session.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sync_usage[] = {
	"git patterns sync [--push | --pull] [--remote <url>] [--dry-run] [--json] [--quiet]",
	NULL,
};

struct sync_ui {
	int quiet;
	struct progress *bar;
	enum sync_phase phase;
};

static const char *phase_title(enum sync_phase ph)
{
	switch (ph) {
	case SYNC_PHASE_PUSH:
		return "Pushing patterns";
	case SYNC_PHASE_PULL:
		return "Pulling patterns";
	default:
		return "Sending feedback";
	}
}

static void ui_progress(void *data, enum sync_phase ph, uint64_t done, uint64_t total)
{
	struct sync_ui *ui = data;
	if (ui->bar && ui->phase != ph) {
		progress_stop(ui->bar);
		ui->bar = NULL;
	}
	if (!ui->bar) {
		ui->bar = progress_start(phase_title(ph), total, NULL, ui->quiet);
		ui->phase = ph;
		if (!ui->bar)
			return;
	}
	progress_set_total(ui->bar, total);
	progress_update(ui->bar, done);
}

static void ui_done(struct sync_ui *ui)
{
	if (ui->bar)
		progress_stop(ui->bar);
	ui->bar = NULL;
}

static void ui_warn(void *data, const char *msg)
{
	struct sync_ui *ui = data;
	ui_done(ui);
	warning("%s", msg);
}

static void print_json(const char *remote, const struct sync_result *r, int dry_run,
		       int new_database)
{
	struct strbuf out = STRBUF_INIT;
	struct json_writer jw;
	jw_init(&jw, &out, 1);
	jw_object_begin(&jw);
	jw_key(&jw, "remote");
	jw_string(&jw, remote);
	jw_key(&jw, "dry_run");
	jw_bool(&jw, dry_run);
	jw_key(&jw, "pushed");
	jw_int(&jw, dry_run ? r->to_push : r->pushed);
	jw_key(&jw, "duplicates");
	jw_int(&jw, r->duplicates);
	jw_key(&jw, "rejected");
	jw_int(&jw, r->rejected);
	jw_key(&jw, "pulled");
	jw_int(&jw, dry_run ? r->to_pull : r->pulled);
	jw_key(&jw, "updated");
	jw_int(&jw, r->updated);
	jw_key(&jw, "deleted");
	jw_int(&jw, r->deleted);
	jw_key(&jw, "feedback_sent");
	jw_int(&jw, r->feedback_sent);
	jw_key(&jw, "feedback_pending");
	jw_int(&jw, r->feedback_pending);
	jw_key(&jw, "applications_sent");
	jw_int(&jw, r->applications_sent);
	jw_key(&jw, "applications_pending");
	jw_int(&jw, r->applications_pending);
	jw_key(&jw, "applications_refused");
	jw_int(&jw, r->applications_refused);
	jw_key(&jw, "new_database");
	jw_bool(&jw, new_database);
	jw_object_end(&jw);
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void print_text(const char *remote, const struct sync_result *r, int dry_run)
{
	if (dry_run) {
		printf("Would push %lld pattern%s to %s", r->to_push, r->to_push == 1 ? "" : "s",
		       remote);
		if (r->to_pull >= 0)
			printf(", pull %lld change%s", r->to_pull, r->to_pull == 1 ? "" : "s");
		printf(", send %lld feedback.\n", r->feedback_sent);
		return;
	}
	printf("Pushed %lld new pattern%s to %s (%lld already there), pulled %lld new, "
	       "updated %lld, ",
	       r->pushed, r->pushed == 1 ? "" : "s", remote, r->duplicates, r->pulled, r->updated);
	if (r->deleted)
		printf("dropped %lld deleted on the server, ", r->deleted);
	printf("sent %lld feedback.\n", r->feedback_sent);
	if (r->applications_sent || r->applications_pending || r->applications_refused)
		printf("Sent %lld queued application%s and outcome%s, %lld still queued, "
		       "%lld refused.\n",
		       r->applications_sent, r->applications_sent == 1 ? "" : "s",
		       r->applications_sent == 1 ? "" : "s", r->applications_pending,
		       r->applications_refused);
}

/*
 * 1 if this sync sends something that names the project: patterns to push
 * or queued applications and outcomes (or if that cannot be told).
 */
static int sends_with_project(struct store *s, const char *remote, const char *variant)
{
	struct store_xproject_queued *q = NULL;
	size_t nr = 0;
	long long unpushed = store_sync_count_unpushed(s, variant, remote,
						       store_sync_watermark(s, variant, remote));

	if (store_xproject_queue_list(s, remote, &q, &nr) < 0)
		nr = 1;
	free(q);
	return unpushed != 0 || nr;
}

/* Only a repository with a URL is a project (and worth a walk of HEAD). */
static int has_project_url(git_repository *repo)
{
	char *url = config_get_string(repo, "patterns.projectUrl", NULL);
	int has;
	if (!url || !*url) {
		free(url);
		url = config_get_string(repo, "remote.origin.url", NULL);
	}
	has = url && *url;
	free(url);
	return has;
}

/*
 * Register the project (cross-project learning) when this sync sends
 * something that names it, then run the sync. The project is registered
 * (or its profile updated) before the push, which names it in every
 * pattern; what was pushed before it existed is tagged once.
 */
static int register_and_sync(git_repository *repo, struct store *s, struct http_client *client,
			     struct sync_options *so, char project_id[37], struct sync_result *r)
{
	struct project_profile profile;

	so->project_id = NULL;
	if (!so->dry_run && so->push && has_project_url(repo) &&
	    project_profile_detect(repo, &profile) == 0) {
		int unreachable;
		/* the id remembered is trusted only when nothing goes with it */
		int fresh = sends_with_project(s, http_client_url(client), so->variant);
		int rc = xproject_register(s, client, &profile, fresh, project_id, &unreachable);
		if (rc == 0 && xproject_tag_pushed(s, client, project_id) == 0)
			so->project_id = project_id;
		else if (http_client_database_changed(client))
			; /* the sync stops at once, and says why */
		else if (rc < 0 && !unreachable)
			warning("%s; patterns are pushed without their project", err_msg());
		else if (rc == 0)
			warning("%s", err_msg());
		project_profile_release(&profile);
	}
	return sync_run(s, client, so, r);
}

/*
 * The team server answered from another database than the one this
 * clone's sync state belongs to: forget that state (store-sync.h) and say
 * so, once (the new id is remembered with it). With --dry-run, only say
 * what a sync would do. 0, or -1 with err_set.
 */
static int new_database(struct store *s, struct http_client *client, struct sync_ui *ui,
			struct sync_options *so)
{
	const char *remote = http_client_url(client);
	char *id = xstrdup(http_client_database(client));
	const char *what = http_client_database_rewound(client)
				   ? "went back to an earlier state (a backup restored?)"
				   : "is a new database";
	long long n;

	ui_done(ui);
	if (so->dry_run) {
		so->fresh = 1;
		n = store_sync_count_local(s, so->variant);
	} else if (store_sync_forget_database(s, remote, id) < 0) {
		free(id);
		return -1;
	} else {
		n = store_sync_count_unpushed(s, so->variant, remote, 0);
	}
	if (n < 0) {
		free(id);
		return -1;
	}
	if (n)
		warning("the team server at %s %s; %s %lld pattern%s again", remote, what,
			so->dry_run ? "a sync would push" : "pushing", n, n == 1 ? "" : "s");
	else
		warning("the team server at %s %s; %s from the start", remote, what,
			so->dry_run ? "a sync would pull" : "pulling");
	http_client_expect_database(client, id);
	free(id);
	return 0;
}

int cmd_sync(int argc, const char **argv)
{
	const char *repo_path = NULL, *remote_opt = NULL;
	int push_only = 0, pull_only = 0, dry_run = 0, json = 0, quiet = 0, ret = 0;
	struct http_client *client;
	struct credential cred = CREDENTIAL_INIT;
	struct strbuf variant = STRBUF_INIT, refusals = STRBUF_INIT;
	struct sync_options so;
	struct sync_result r;
	struct sync_ui ui = {0, NULL, SYNC_PHASE_PUSH};
	char project_id[37];
	git_repository *repo;
	struct store *s;
	char *known;
	int rc, renewed = 0;
	const struct option options[] = {
		OPT_BOOL(0, "push", &push_only, "only push local patterns (and feedback)"),
		OPT_BOOL(0, "pull", &pull_only, "only pull the team's patterns"),
		OPT_STRING(0, "remote", &remote_opt, "url",
			   "team server (default: patterns.remote)"),
		OPT_BOOL('n', "dry-run", &dry_run, "say what would be exchanged, change nothing"),
		OPT_BOOL(0, "json", &json, "a JSON summary on stdout"),
		OPT_BOOL('q', "quiet", &quiet, "no progress, no summary"),
		OPT_SET_INT(0, "no-progress", &ui.quiet, "no progress line", 1),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, sync_usage, 0);
	if (argc)
		usage_msg_opt(sync_usage, options, "sync takes no arguments");
	if (push_only && pull_only)
		usage_msg_opt(sync_usage, options, "--push and --pull cannot be used together");
	ui.quiet = ui.quiet || quiet;
	if (quiet)
		setup_wait_notice(0);

	repo = setup_repo(repo_path);
	client = setup_team_client(repo, remote_opt, 300, &cred);

	setup_variant(&variant, repo, 0, -1);
	s = setup_store_current(repo);
	/* a pull inserts into six indexes and FTS5: keep their pages in memory */
	if (store_set_cache(s, 64 << 10) < 0)
		die_err();
	memset(&so, 0, sizeof(so));
	so.push = !pull_only;
	so.feedback = !pull_only;
	so.pull = !push_only;
	so.dry_run = dry_run;
	so.variant = variant.buf;
	so.progress = ui_progress;
	so.warn = ui_warn;
	so.data = &ui;

	/*
	 * The server's database this clone's state belongs to: a server on
	 * another one (made anew at the same URL) fails the first request, and
	 * the sync starts again from nothing known, once.
	 */
	known = store_sync_database(s, http_client_url(client));
	http_client_expect_database(client, known);
	rc = register_and_sync(repo, s, client, &so, project_id, &r);
	if (rc < 0 && http_client_database_changed(client)) {
		renewed = 1;
		rc = new_database(s, client, &ui, &so);
		if (rc == 0)
			rc = register_and_sync(repo, s, client, &so, project_id, &r);
	}
	/* the first sync with a server that names its database (or one migrated to) */
	if (!dry_run && !known && !http_client_database_changed(client) &&
	    *http_client_database(client) &&
	    store_sync_set_database(s, http_client_url(client), http_client_database(client)) < 0) {
		ui_done(&ui);
		warning("%s", err_msg());
	}

	if (rc < 0) {
		ui_done(&ui);
		if (r.http_status == 401)
			credential_reject(&cred, repo);
		else if (r.authenticated)
			credential_approve(&cred, repo);
		error("%s", err_msg());
		ret = 1;
	} else {
		ui_done(&ui);
		if (r.authenticated)
			credential_approve(&cred, repo);
		if (so.project_id &&
		    xproject_flush(s, client, so.project_id, &r.applications_sent,
				   &r.applications_pending, &r.applications_refused,
				   &refusals) < 0)
			warning("%s", err_msg());
		/* a queued report the server refused is gone: say so */
		xp_warn_refusals(&refusals);
		if (json)
			print_json(http_client_url(client), &r, dry_run, renewed);
		else if (!quiet)
			print_text(http_client_url(client), &r, dry_run);
	}

	credential_release(&cred);
	http_client_free(client);
	free(known);
	query_close_store(repo, s);
	git_repository_free(repo);
	strbuf_release(&variant);
	strbuf_release(&refusals);
	return ret;
}
