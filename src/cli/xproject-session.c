/*
 * xproject-session.c: the setup the cross-project commands share (see
 * xproject-session.h).
 */
#include "cli/xproject-session.h"
#include "cli/setup.h"
#include "common/json.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

void xp_session_start(struct xp_session *x, const char *repo_path, const char *remote,
		      int need_server)
{
	struct credential init = CREDENTIAL_INIT;
	int rc;

	memset(x, 0, sizeof(*x));
	x->cred = init;
	x->repo = setup_repo(repo_path);
	x->c = setup_team_client(x->repo, remote, 30, &x->cred);
	x->s = setup_store(x->repo);
	if (project_profile_detect(x->repo, &x->profile) < 0)
		die_err();
	/* every command here asks about the project or sends with it: ask */
	rc = xproject_register(x->s, x->c, &x->profile, 1, x->id, &x->unreachable);
	if (rc == 1)
		die("this repository has no URL to be known by on the team server: set "
		    "remote.origin.url or patterns.projectUrl");
	if (rc < 0) {
		if (!x->unreachable)
			credential_reject(&x->cred, x->repo);
		if (need_server || !x->unreachable)
			die_err();
		return;
	}
	x->registered = 1;
}

void xp_session_end(struct xp_session *x, int ok)
{
	if (ok && x->registered)
		credential_approve(&x->cred, x->repo);
	credential_release(&x->cred);
	project_profile_release(&x->profile);
	http_client_free(x->c);
	store_close(x->s);
	git_repository_free(x->repo);
}

void xp_warn_refusals(struct strbuf *refusals)
{
	for (char *line = refusals->buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		warning("dropped from the queue, %s", line);
	}
	strbuf_reset(refusals);
}

void xp_printable(cJSON *j)
{
	for (; j; j = j->next) {
		if (cJSON_IsString(j) && j->valuestring)
			for (char *p = j->valuestring; *p; p++)
				if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') ||
				    *p == 0x7f)
					*p = ' ';
		xp_printable(j->child);
	}
}

void xp_print_suggestion(const cJSON *s)
{
	const char *id = json_get_string(s, "pattern_id");
	const char *msg = json_get_string(s, "commit_msg");
	const char *path = json_get_string(s, "file_path");
	const char *nl;
	long long uses = (long long)json_get_number(s, "usage_count", 0);

	printf("%s  %-16s score %.2f  (similarity %.2f, confidence %.2f, success rate %.1f%%, "
	       "used %lld time%s)\n",
	       id ? id : "?", json_get_string(s, "pattern_type") ? json_get_string(s, "pattern_type") : "",
	       json_get_number(s, "score", 0), json_get_number(s, "similarity_score", 0),
	       json_get_number(s, "confidence", 0), json_get_number(s, "success_rate", 0) * 100,
	       uses, uses == 1 ? "" : "s");
	if (msg) {
		nl = strchr(msg, '\n');
		printf("    %.*s%s%s\n", nl ? (int)(nl - msg) : (int)strlen(msg), msg,
		       path ? "  -- " : "", path ? path : "");
	}
}
