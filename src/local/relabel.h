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
 *    "processed" mark, so the run that follows extracts it.
 * All in one transaction, then the meta is set: an interrupted relabelling
 * is done again in full by the next run.
 */
#ifndef RELABEL_H
#define RELABEL_H

#include "local/store.h"

#include <git2.h>
#include <stddef.h>

struct relabel_stats {
	size_t relabelled; /* commits whose stored patterns changed kind or rule */
	size_t released;   /* commits left out as unknown, to be extracted now */
};

/*
 * Relabel s when its classifier version is not this build's (max_files:
 * patterns.maxCommitFiles, 0 no limit). Commits the repository no longer
 * has keep their labels. 0 (also when there was nothing to do), or -1
 * with err_set.
 */
int store_relabel(git_repository *repo, struct store *s, size_t max_files,
		  struct relabel_stats *st);

#endif
