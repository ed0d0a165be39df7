/*
 * git-patterns: turn a team's git history into shared, reusable knowledge.
 *
 * Entry point and command table. Git runs us as "git patterns <command>";
 * each command lives in src/cmd-<name>.c (see src/builtin.h).
 */
#include "cli/builtin.h"
#include "cli/pager.h"
#include "cli/setup.h"
#include "cli/parse-options.h"
#include "common/util.h"

#include <errno.h>
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(int argc, const char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "extract", cmd_extract, "Extract patterns from the history into the pattern store" },
	{ "export", cmd_export, "Write stored patterns as JSONL or CommitPack records" },
	{ "list", cmd_list, "List stored patterns" },
	{ "search", cmd_search, "Search patterns by words (full text, ranked)" },
	{ "show", cmd_show, "Show one pattern with its code" },
	{ "recall", cmd_recall, "Find how code like the code being changed was fixed before" },
	{ "stats", cmd_stats, "Summarise the pattern store" },
	{ "sync", cmd_sync, "Exchange patterns with the team server" },
	{ "feedback", cmd_feedback, "Vote on a pattern (sent by the next sync)" },
	{ "project", cmd_project, "Show this repository's profile (language, framework, domain)" },
	{ "similar", cmd_similar, "List the team's projects similar to this one" },
	{ "suggest", cmd_suggest, "Suggest patterns of similar projects" },
	{ "apply", cmd_apply, "Record a team pattern as applied here and show it" },
	{ "outcome", cmd_outcome, "Report how an applied pattern worked here" },
	{ "insights", cmd_insights, "What this project learns from the others" },
	{ "version", cmd_version, "Print the version" },
	/* weight fusion */
	{ "merge-adapters", cmd_merge_adapters, "Merge LoRA adapters into one (linear, cat, svd)" },
	{ "adapters", cmd_adapters, "List, activate or roll back merged adapter versions" },
	{ "serve", cmd_serve, "Run the team server" },
	{ "server", cmd_server, "Manage the team server's API keys" },
	{ "hook", cmd_hook, "Install, remove or inspect the hooks that keep the store current" },
};

static void print_usage(FILE *out)
{
	fprintf(out, "usage: git patterns [--version] [-h | --help] [--no-pager] <command> [<args>]\n\n"
		     "These are the git patterns commands:\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "   %-16s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'git patterns <command> -h' shows a command's options;"
		     " 'git help patterns' opens the manual.\n");
}

static const char *const version_usage[] = { "git patterns version", NULL };

int cmd_version(int argc, const char **argv)
{
	struct option opts[] = { OPT_END() };
	int major, minor, rev;

	if (parse_options(argc, argv, opts, version_usage, 0))
		usage_msg_opt(version_usage, opts, "too many arguments");
	git_libgit2_version(&major, &minor, &rev);
	printf("git-patterns version %s (libgit2 %d.%d.%d)\n", GIT_PATTERNS_VERSION, major,
	       minor, rev);
	return 0;
}

int main(int argc, const char **argv)
{
	const char *name;
	int ret;

	if (argc < 2) {
		print_usage(stderr);
		return 129;
	}
	name = argv[1];
	if (!strcmp(name, "--no-pager")) {
		pager_disable();
		argc--;
		argv++;
		if (argc < 2) {
			print_usage(stderr);
			return 129;
		}
		name = argv[1];
	}
	if (!strcmp(name, "-h") || !strcmp(name, "help")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--help")) {
		/* as "git patterns --help": open the manual, as git does */
		execlp("git", "git", "help", "patterns", (char *)NULL);
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version"))
		name = "version";

	signal(SIGPIPE, SIG_IGN);
	/* a command waiting on another's lock says so, where it would seem to hang */
	setup_wait_notice(isatty(2));
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name))
			continue;
		git_libgit2_init();
		ret = commands[i].fn(argc - 1, argv + 1);
		git_libgit2_shutdown();
		if (fflush(stdout) || ferror(stdout)) {
			check_pipe(errno);
			die("write error on standard output");
		}
		return ret;
	}
	fprintf(stderr, "git: '%s' is not a git patterns command. See 'git patterns -h'.\n", name);
	return 129;
}
