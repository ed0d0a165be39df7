/*
 * history-walk: the commits an extraction selects, in git log's order
 * (topological, newest first), from revision specs as git log takes them
 * (extract-options.h: revs, all, no_walk).
 *
 * Two steps, so that a range already extracted is recognised before any
 * walking: history_walk_start() resolves the specs into the points the
 * walk starts from and stops at, and describes them as text (the range's
 * identity: "+<id>", "-<id>" and, with no_walk, "=<id>" lines);
 * history_walk_list() walks.
 *
 * Shallow clones are walked as git walks them (the boundary commits are
 * roots), by our own walk, since libgit2 1.5's revwalk cannot.
 */
#ifndef HISTORY_WALK_H
#define HISTORY_WALK_H

#include "local/extract-options.h"
#include "common/strbuf.h"
#include <git2.h>

struct history_walk;

/*
 * Resolve o's revisions in repo (which must outlive w). 0, or -1 with
 * err_set: "unknown revision 'foo'", "revision 'x' is not a commit",
 * "your current branch does not have any commits yet".
 */
int history_walk_start(struct history_walk **out, git_repository *repo,
		       const struct extract_options *o);

/* The starting and stopping points as text, one per line. */
const struct strbuf *history_walk_points(const struct history_walk *w);

/* The commits, newest first, into *ids (caller frees). 0, or -1 with err_set. */
int history_walk_list(struct history_walk *w, git_oid **ids, size_t *nr);

void history_walk_free(struct history_walk *w);

#endif
