/*
 * cmd-hook.c: "git patterns hook install [--force] | uninstall | status |
 * run <name>", the front end of hook-install.c and hook-run.c.
 */
#include "cli/builtin.h"
#include "local/hook-install.h"
#include "local/hook-run.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "common/repo.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

static const char *const hook_usage[] = {
	"git patterns hook install [--force]",
	"git patterns hook uninstall",
	"git patterns hook status [--json]",
	"git patterns hook run [--head <commit>] [--orig-head <commit>] <name> [<args>...]",
	NULL,
};

static const char *const hook_install_usage[] = {"git patterns hook install [--force]", NULL};
static const char *const hook_uninstall_usage[] = {"git patterns hook uninstall", NULL};
static const char *const hook_status_usage[] = {"git patterns hook status [--json]", NULL};
static const char *const hook_run_usage[] = {
	"git patterns hook run [--head <commit>] [--orig-head <commit>] <name> [<args>...]", NULL};

/* Why the hooks do nothing, or NULL when they are enabled. */
static const char *disabled_by(git_repository *repo)
{
	const char *env = getenv("GIT_PATTERNS_HOOK");
	if (env && parse_bool(env) == 0)
		return "GIT_PATTERNS_HOOK";
	if (!config_get_bool(repo, "patterns.hook", NULL, 1))
		return "patterns.hook";
	return NULL;
}

static void open_repo(git_repository **repo, struct strbuf *dir)
{
	if (repo_open(repo, NULL) < 0)
		die_err();
	hook_dir(*repo, dir);
}

static int hook_install_cmd(int argc, const char **argv)
{
	int force = 0, ret = 0;
	struct option opts[] = {
		OPT_BOOL('f', "force", &force,
			 "chain a hook saved by an earlier installation again"),
		OPT_END(),
	};
	git_repository *repo;
	struct strbuf dir = STRBUF_INIT;
	const char *off;

	argc = parse_options(argc, argv, opts, hook_install_usage, 0);
	if (argc)
		usage_msg_opt(hook_install_usage, opts, "too many arguments");
	open_repo(&repo, &dir);
	for (size_t i = 0; hook_names[i]; i++) {
		const char *name = hook_names[i];
		enum hook_action done;
		if (hook_install(dir.buf, name, force, &done) < 0) {
			ret = error("%s", err_msg());
			continue;
		}
		switch (done) {
		case HOOK_CHAINED:
			printf("%s: installed in %s; the hook that was there is kept as %s%s "
			       "and runs first\n",
			       name, dir.buf, name, HOOK_SAVED_SUFFIX);
			break;
		case HOOK_WROTE:
			printf("%s: installed in %s\n", name, dir.buf);
			break;
		default:
			printf("%s: already installed in %s\n", name, dir.buf);
			break;
		}
	}
	if ((off = disabled_by(repo)))
		warning("the hooks do nothing while %s turns them off", off);
	git_repository_free(repo);
	strbuf_release(&dir);
	return ret ? 1 : 0;
}

static int hook_uninstall_cmd(int argc, const char **argv)
{
	struct option opts[] = {OPT_END()};
	git_repository *repo;
	struct strbuf dir = STRBUF_INIT;
	int ret = 0;

	argc = parse_options(argc, argv, opts, hook_uninstall_usage, 0);
	if (argc)
		usage_msg_opt(hook_uninstall_usage, opts, "too many arguments");
	open_repo(&repo, &dir);
	for (size_t i = 0; hook_names[i]; i++) {
		const char *name = hook_names[i];
		enum hook_action done;
		if (hook_uninstall(dir.buf, name, &done) < 0) {
			ret = error("%s", err_msg());
			continue;
		}
		switch (done) {
		case HOOK_RESTORED:
			printf("%s: removed; the hook that was there before is back\n", name);
			break;
		case HOOK_REMOVED:
			printf("%s: removed\n", name);
			break;
		case HOOK_LEFT_FOREIGN:
			printf("%s: not ours, left alone\n", name);
			break;
		case HOOK_LEFT_EDITED:
			printf("%s: our stub with changes of yours, left alone (remove it yourself)\n",
			       name);
			break;
		default:
			printf("%s: not installed\n", name);
			break;
		}
	}
	git_repository_free(repo);
	strbuf_release(&dir);
	return ret ? 1 : 0;
}

static const char *state_name(enum hook_state s)
{
	switch (s) {
	case HOOK_INSTALLED:
		return "installed";
	case HOOK_OUTDATED:
		return "outdated";
	case HOOK_EDITED:
		return "edited";
	case HOOK_FOREIGN:
		return "foreign";
	default:
		return "absent";
	}
}

static int hook_status_cmd(int argc, const char **argv)
{
	int json = 0;
	struct option opts[] = {
		OPT_BOOL(0, "json", &json, "one JSON document on stdout"),
		OPT_END(),
	};
	git_repository *repo;
	struct strbuf dir = STRBUF_INIT, out = STRBUF_INIT, last = STRBUF_INIT;
	struct json_writer jw;
	const char *off;
	char *log;

	argc = parse_options(argc, argv, opts, hook_status_usage, 0);
	if (argc)
		usage_msg_opt(hook_status_usage, opts, "too many arguments");
	open_repo(&repo, &dir);
	off = disabled_by(repo);

	if (json) {
		jw_init(&jw, &out, 1);
		jw_object_begin(&jw);
		jw_key(&jw, "hooks_dir");
		jw_string(&jw, dir.buf);
		jw_key(&jw, "enabled");
		jw_bool(&jw, !off);
		jw_key(&jw, "disabled_by");
		jw_string(&jw, off);
		jw_key(&jw, "hooks");
		jw_array_begin(&jw);
	} else {
		printf("hooks folder: %s\n", dir.buf);
	}
	for (size_t i = 0; hook_names[i]; i++) {
		const char *name = hook_names[i];
		struct hook_info info;
		hook_inspect(dir.buf, name, &info);
		if (json) {
			jw_object_begin(&jw);
			jw_key(&jw, "name");
			jw_string(&jw, name);
			jw_key(&jw, "state");
			jw_string(&jw, state_name(info.state));
			jw_key(&jw, "executable");
			jw_bool(&jw, info.executable);
			jw_key(&jw, "saved_hook");
			if (info.saved) {
				char *s = xstrfmt("%s%s", name, HOOK_SAVED_SUFFIX);
				jw_string(&jw, s);
				free(s);
			} else {
				jw_null(&jw);
			}
			jw_key(&jw, "saved_hook_runs");
			jw_bool(&jw, info.saved_executable);
			jw_object_end(&jw);
			continue;
		}
		printf("%-14s", name);
		switch (info.state) {
		case HOOK_INSTALLED:
			printf("installed");
			break;
		case HOOK_OUTDATED:
			printf("installed, from another version (run 'git patterns hook install')");
			break;
		case HOOK_EDITED:
			printf("installed, with changes of yours ('git patterns hook install --force'"
			       " replaces it)");
			break;
		case HOOK_FOREIGN:
			printf("not installed (another hook is there)");
			break;
		default:
			printf("not installed");
			break;
		}
		if (info.state != HOOK_FOREIGN && info.state != HOOK_ABSENT && !info.executable)
			printf(", not executable (git will not run it)");
		if (info.saved)
			printf("; %s%s %s", name, HOOK_SAVED_SUFFIX,
			       info.state == HOOK_ABSENT || info.state == HOOK_FOREIGN
				       ? "is left from an earlier installation"
			       : info.saved_executable ? "runs first"
						       : "is kept but not executable");
		putchar('\n');
	}
	log = hook_log_last(repo, &last);
	if (json) {
		jw_array_end(&jw);
		jw_key(&jw, "log");
		jw_string(&jw, log);
		jw_key(&jw, "last_logged");
		jw_string(&jw, last.len ? last.buf : NULL);
		jw_object_end(&jw);
		fwrite(out.buf, 1, out.len, stdout);
		putchar('\n');
	} else {
		if (off)
			printf("the hooks are turned off by %s\n", off);
		if (last.len)
			printf("last logged in %s:\n  %s\n", log, last.buf);
	}
	free(log);
	strbuf_release(&last);
	git_repository_free(repo);
	strbuf_release(&dir);
	strbuf_release(&out);
	return 0;
}

static int hook_run_cmd(int argc, const char **argv)
{
	struct hook_run_options o = {NULL, NULL};
	struct option opts[] = {
		OPT_STRING(0, "head", &o.head, "commit",
			   "the commit HEAD named when git ran the hook"),
		OPT_STRING(0, "orig-head", &o.orig_head, "commit", "post-merge: ORIG_HEAD then"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, hook_run_usage, PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc < 1)
		usage_msg_opt(hook_run_usage, opts,
			      "which hook? (post-commit, post-merge, "
			      "post-rewrite)");
	if (!hook_script(argv[0]))
		usage_msg_opt(hook_run_usage, opts, "unknown hook '%s'", argv[0]);
	/* never fail git: problems are in the hook log */
	hook_run(argv[0], &o, argc - 1, argv + 1);
	return 0;
}

int cmd_hook(int argc, const char **argv)
{
	struct option opts[] = {OPT_END()};
	const char *sub;

	argc = parse_options(argc, argv, opts, hook_usage, PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc < 1)
		usage_with_options(hook_usage, opts);
	sub = argv[0];
	if (!strcmp(sub, "install"))
		return hook_install_cmd(argc, argv);
	if (!strcmp(sub, "uninstall"))
		return hook_uninstall_cmd(argc, argv);
	if (!strcmp(sub, "status"))
		return hook_status_cmd(argc, argv);
	if (!strcmp(sub, "run"))
		return hook_run_cmd(argc, argv);
	usage_msg_opt(hook_usage, opts, "unknown subcommand: `%s'", sub);
}
