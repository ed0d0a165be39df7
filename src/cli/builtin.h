/*
 * builtin.h: the commands of git-patterns. Each command is one function
 * in a file of its own, src/cmd-<name>.c, that parses options, calls the
 * core modules and prints. To add "git patterns foo": write
 * src/cmd-foo.c with cmd_foo(), declare it here, add a row to the command
 * table in git-patterns.c, and document it in docs/git-patterns.txt.
 *
 * argv[0] is the command name. Return the exit status (0, 1, or 129 for
 * usage errors; parse_options exits 129 by itself).
 */
#ifndef BUILTIN_H
#define BUILTIN_H

int cmd_version(int argc, const char **argv);
int cmd_extract(int argc, const char **argv);
/* weight fusion */
int cmd_merge_adapters(int argc, const char **argv);
int cmd_adapters(int argc, const char **argv);
/* adapters push/pull/list --remote (cmd-adapters-remote.c) */
int adapters_remote_wanted(int argc, const char **argv);
int cmd_adapters_remote(int argc, const char **argv);
int cmd_export(int argc, const char **argv);
int cmd_list(int argc, const char **argv);
int cmd_search(int argc, const char **argv);
int cmd_show(int argc, const char **argv);
int cmd_recall(int argc, const char **argv);
int cmd_stats(int argc, const char **argv);
/* team sync (sync branch) */
int cmd_sync(int argc, const char **argv);
int cmd_feedback(int argc, const char **argv);
/* cross-project learning (SPEC §8) */
int cmd_project(int argc, const char **argv);
int cmd_similar(int argc, const char **argv);
int cmd_suggest(int argc, const char **argv);
int cmd_apply(int argc, const char **argv);
int cmd_outcome(int argc, const char **argv);
int cmd_insights(int argc, const char **argv);

/* team server */
int cmd_serve(int argc, const char **argv);
int cmd_server(int argc, const char **argv);
/* hooks (src/cmd-hook.c) */
int cmd_hook(int argc, const char **argv);

#endif
