/*
 * reconcile: keep the store's local patterns equal to what a fresh
 * extraction of the current history would give, whatever happened to
 * the history in between (rebase -i dropping commits, an aborted rebase,
 * reset --hard, commits made while the store could not be written).
 *
 * The current history is what HEAD (of every worktree) and the local
 * branches reach. The store remembers those tips (meta "history.tips")
 * as of its last reconciliation; a run compares them with today's and,
 * when they moved, walks only what changed:
 *  - commits reachable from the old tips but not the new ones: their
 *    patterns become obsolete (hidden from list, export and sync);
 *  - commits reachable from the new tips but not the old ones: obsolete
 *    patterns become current again, and whatever was never extracted is
 *    extracted (the commits a failed hook missed).
 * Unchanged tips cost reading the refs. The first run only records the
 * tips. If an old tip is gone from the object store, the whole history is
 * compared instead.
 */
#ifndef RECONCILE_H
#define RECONCILE_H

#include "local/store.h"
#include "common/util.h"
#include <git2.h>

struct reconcile_stats {
	size_t obsoleted;  /* commits whose patterns were hidden */
	size_t revived;	   /* commits whose patterns came back */
	size_t extracted;  /* commits extracted now */
};

/*
 * Bring s in line with the history of repo (see above). jobs: diff
 * threads for the catch-up extraction (0: the cores). Without
 * extract_missing (the caller extracts next, and reports what it did),
 * patterns are hidden and revived but nothing is extracted, and the tips
 * are not remembered, so that the next run catches up what the caller's
 * extraction did not cover. 0, or -1 with err_set.
 */
int reconcile_history(git_repository *repo, struct store *s, int jobs, int extract_missing,
		      struct reconcile_stats *st);

/*
 * reconcile_history() with extract_missing, for a hook's job that has just
 * handled the commits touched (hex ids: extracted as current, or marked
 * rewritten away), each as the history stood before the job waited for
 * the store: each is settled by the tips this run remembers, current when
 * they reach it and obsolete when not. So a rewrite done or undone while
 * the job waited (reset --hard after an amend) is not missed by this run
 * nor by later ones, whose walks start from those tips.
 */
int reconcile_history_after(git_repository *repo, struct store *s, int jobs,
			    const struct string_list *touched, struct reconcile_stats *st);

#endif
