/*
 * hook-run: what the hooks installed by hook-install.h do when git runs
 * them: extract the new commits into the store and mark the patterns of
 * rewritten commits obsolete. A hook must never make git fail, never
 * prompt and never hold up a commit on big work: every error goes to the
 * hook log and work above a small size is finished by a detached
 * background process.
 */
#ifndef HOOK_RUN_H
#define HOOK_RUN_H

#include "common/strbuf.h"
#include <git2.h>

/*
 * Run hook name (git's arguments in argv, argc of them; post-rewrite reads
 * its input from stdin). The stubs run it in the background and pass the
 * commits as they were when git ran them (o->head, o->orig_head), since
 * HEAD may have moved by then; without them HEAD and ORIG_HEAD are read.
 * A post-commit commit that is no longer on any branch or HEAD once its
 * patterns are in (amended or rebased away meanwhile) is marked obsolete,
 * so the result does not depend on the order the background jobs finish.
 * Never fails the caller: every error is appended to
 * $(git-common-dir)/patterns/hook.log. Large work is finished by a detached
 * background process. Returns 0 when the work is done (or handed to the
 * background), -1 when something was logged.
 */
struct hook_run_options {
	const char *head;      /* the commit HEAD named when git ran the hook */
	const char *orig_head; /* post-merge: ORIG_HEAD then */
};
int hook_run(const char *name, const struct hook_run_options *o, int argc, const char **argv);

/*
 * The hook log's path (caller frees), and its last line into last (empty
 * when there is no log).
 */
char *hook_log_last(git_repository *repo, struct strbuf *last);

/* Append "<time> <hook>: <message>" to the hook log of repo; -1 if it cannot. */
int hook_log(git_repository *repo, const char *hook, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
