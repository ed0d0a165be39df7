/*
 * relabel: bring the problem types of a store up to this build's
 * classifier, with no manual step.
 *
 * The store's meta keeps the classifier's version and the commit limit it
 * ran with ("classify.version" = "<CLASSIFY_VERSION> <max files>"). When
 * they differ from this build's (an older store, a new release, a changed
 * patterns.maxCommitFiles), every commit the store knows is classified
 * again from its subject, body and changed paths, read from the
 * repository:
 *  - the local patterns of a commit get the new problem type and rule;
 *  - a commit left out as unknown that now has a kind loses its
 *    "processed" mark and is handed back, for the extraction that called
 *    (extract_run) to extract it at once, whatever its range.
 * All in one transaction, then the meta is set: an interrupted relabelling
 * is done again in full by the next run.
 */
#ifndef RELABEL_H
#define RELABEL_H

#include "local/classify.h"
#include "local/store.h"
#include "common/util.h"

#include <git2.h>
#include <stddef.h>

struct relabel_stats {
	size_t relabelled; /* commits whose stored patterns changed kind or rule */
	size_t released;   /* commits left out as unknown, to be extracted now */
};

/*
 * Relabel s when its classifier version is not this build's (max_files:
 * patterns.maxCommitFiles, 0 no limit). Commits the repository no longer
 * has keep their labels. The released commits' ids (40 hex) are appended
 * to released, for the caller to extract. 0 (also when there was nothing
 * to do), or -1 with err_set.
 */
int store_relabel(git_repository *repo, struct store *s, size_t max_files,
		  struct relabel_stats *st, struct string_list *released);

/*
 * 1 if store_relabel() would classify commits again (the version differs
 * and the store holds commits), 0 if not, -1 with err_set. Cheap: for a
 * hook deciding whether to leave the work to the background.
 */
int store_relabel_pending(struct store *s, size_t max_files);

/*
 * Classify the commit hex as the extraction does: its subject, body and
 * the paths that differ from its first parent (the empty tree for a root;
 * for a commit whose parent is missing, as at a shallow boundary, too:
 * the extraction leaves those out). 1 if done, 0 if the repository no
 * longer has the commit, -1 with err_set.
 */
int relabel_classify(git_repository *repo, const char *hex, size_t max_files,
		     struct classification *cl);

#endif
