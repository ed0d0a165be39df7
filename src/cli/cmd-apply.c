/*
 * cmd-apply.c: git patterns apply ID: record that a team pattern is
 * applied in this project (SPEC §8) and print it as a unified diff, before
 * to after. Queued for the next sync when the server cannot be reached.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "cli/xproject-session.h"
#include "common/json.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

static const char *const apply_usage[] = {
	"git patterns apply <id>",
	NULL,
};

/* The pattern's change as a unified diff of its file (or "pattern"). */
static void print_diff(const cJSON *p)
{
	const char *before = json_get_string(p, "code_before");
	const char *after = json_get_string(p, "code_after");
	const char *path = json_get_string(p, "file_path");
	git_patch *patch = NULL;
	git_buf buf = { 0 };
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	if (!before || !after)
		return;
	strbuf_addstr(&a, before);
	if (a.len && a.buf[a.len - 1] != '\n')
		strbuf_addch(&a, '\n');
	strbuf_addstr(&b, after);
	if (b.len && b.buf[b.len - 1] != '\n')
		strbuf_addch(&b, '\n');
	if (!path || !*path)
		path = "pattern";
	if (git_patch_from_buffers(&patch, a.buf, a.len, path, b.buf, b.len, path, NULL) == 0 &&
	    git_patch_to_buf(&buf, patch) == 0)
		fwrite(buf.ptr, 1, buf.size, stdout);
	else
		git_error_clear();
	git_buf_dispose(&buf);
	git_patch_free(patch);
	strbuf_release(&a);
	strbuf_release(&b);
}

int cmd_apply(int argc, const char **argv)
{
	const char *repo_path = NULL, *remote = NULL;
	int quiet = 0, queued;
	struct xp_session x;
	char uuid[37];
	cJSON *p;
	const struct option options[] = {
		OPT_BOOL('q', "quiet", &quiet, "print no diff"),
		OPT_STRING(0, "remote", &remote, "url", "team server (default: patterns.remote)"),
		OPT_STRING(0, "repo-path", &repo_path, "dir", "repository (default: here)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, apply_usage, 0);
	if (argc != 1)
		usage_msg_opt(apply_usage, options, "apply takes exactly one pattern id");
	xp_session_start(&x, repo_path, remote, 0);
	if (xproject_resolve(x.s, argv[0], uuid) < 0)
		die_err();
	if (xproject_apply(x.s, x.c, x.registered ? x.id : NULL, uuid, &p, &queued) < 0)
		die_err();
	if (queued)
		fprintf(stderr, "Team server %s not reachable: the application of %s is queued; "
				"'git patterns sync' sends it.\n",
			http_client_url(x.c), uuid);
	else
		fprintf(stderr, "Recorded: pattern %s applied in this project.\n", uuid);
	if (!quiet && p)
		print_diff(p);
	cJSON_Delete(p);
	xp_session_end(&x, !queued);
	return 0;
}
