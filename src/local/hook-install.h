/*
 * hook-install: install, remove and inspect the git hooks that keep the
 * pattern store current (what they do when git runs them: hook-run.h).
 *
 * The hooks folder is the one git uses: `git rev-parse --git-path hooks`,
 * that is core.hooksPath when set (relative to the top of the work tree, or
 * to the git folder of a bare repository; "~/" expanded), else the hooks
 * folder of the common git folder (shared by all worktrees).
 *
 * Our hooks are small sh stubs (hooks/<name> in the source tree, embedded
 * in the binary) that call "git-patterns hook run <name>". Invariants:
 *  - A hook that was already there and is not ours is renamed to
 *    <name>.pre-patterns (a rename: same bytes, same mode, same inode) and
 *    the stub runs it first with the same arguments and input.
 *  - Uninstall removes our stub and renames <name>.pre-patterns back.
 *  - Installing twice changes nothing (no file is rewritten).
 *  - A file is ours when it carries HOOK_MARKER; nothing else is touched.
 *    One with the marker that is no version of ours (hooks/shipped.sha256)
 *    was edited by its user: install replaces it only with --force, and
 *    uninstall leaves it.
 */
#ifndef HOOK_INSTALL_H
#define HOOK_INSTALL_H

#include "common/strbuf.h"
#include <git2.h>

#define HOOK_MARKER "# git-patterns hook stub: "
#define HOOK_SAVED_SUFFIX ".pre-patterns"

/* post-commit, post-merge, post-rewrite; NULL-terminated. */
extern const char *const hook_names[];

/* The stub script for name, or NULL if name is not one of hook_names. */
const char *hook_script(const char *name);

/* The hooks folder of repo into dir (absolute, no trailing slash). 0 or -1. */
int hook_dir(git_repository *repo, struct strbuf *dir);

enum hook_state {
	HOOK_ABSENT,	/* nothing there */
	HOOK_INSTALLED, /* our stub, current */
	HOOK_OUTDATED,	/* our stub, from another version */
	HOOK_EDITED,	/* our stub, edited since (no version of ours): kept */
	HOOK_FOREIGN,	/* someone else's hook */
};

struct hook_info {
	enum hook_state state;
	int executable;	      /* the hook file is executable (git runs it) */
	int saved;	      /* <name>.pre-patterns exists */
	int saved_executable; /* ... and is executable (the stub runs it) */
};

/* What is in dir for hook name. 0, or -1 with err_set (unreadable). */
int hook_inspect(const char *dir, const char *name, struct hook_info *info);

enum hook_action {
	HOOK_UNCHANGED,	   /* install: already current; uninstall: nothing of ours */
	HOOK_WROTE,	   /* install: stub written (or updated) */
	HOOK_CHAINED,	   /* install: foreign hook moved aside, stub written */
	HOOK_REMOVED,	   /* uninstall: stub removed */
	HOOK_RESTORED,	   /* uninstall: stub removed, saved hook put back */
	HOOK_LEFT_FOREIGN, /* uninstall: a foreign hook is there; left alone */
	HOOK_LEFT_EDITED,  /* uninstall: our stub, edited since: left alone */
};

/*
 * Install the stub for name in dir (created if missing). A foreign hook is
 * moved to <name>.pre-patterns. If both a foreign hook and a saved one
 * exist, nothing can be chained without losing one: -1 (even with force).
 * A saved hook with no hook in place (our stub was deleted by hand) is
 * chained again only with force. 0 or -1 with err_set.
 */
int hook_install(const char *dir, const char *name, int force, enum hook_action *done);

/* Remove our stub and put back the saved hook. 0 or -1 with err_set. */
int hook_uninstall(const char *dir, const char *name, enum hook_action *done);

#endif
