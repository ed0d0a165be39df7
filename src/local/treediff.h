/*
 * treediff: which paths differ between two trees, reading only the
 * subtrees whose ids differ.
 *
 * libgit2's tree-to-tree diff walks every entry of both trees, so a one-line
 * commit in a repository of 50,000 files reads every tree twice. Knowing the
 * changed paths first, a diff limited to them (pathspec with
 * GIT_DIFF_DISABLE_PATHSPEC_MATCH) reads only what changed: O(changes), not
 * O(files). Used by the extractor and by the hooks' size estimate.
 */
#ifndef TREEDIFF_H
#define TREEDIFF_H

#include "common/util.h"
#include <git2.h>

/*
 * Append to paths (when not NULL) the full path of every file that differs
 * between trees a and b (either may be NULL, the empty tree): added,
 * deleted, modified, mode changed; a file replaced by a folder gives the
 * file and the folder's files. Stops once more than limit paths were found
 * (limit 0: no limit). Returns how many were found (at most limit + 1), or
 * -1 with err_set when a tree cannot be read.
 */
long tree_changed_paths(git_repository *repo, const git_tree *a, const git_tree *b,
			struct string_list *paths, size_t limit);

/*
 * libgit2's diff of just these paths (known to differ, as found above)
 * between old and new, with renames paired as git pairs them (50%
 * similarity, at most 1000 candidates) and a type change kept as one
 * change, as git shows it. 0 and *out (git_diff_free() it), or -1 with
 * err_set.
 */
int tree_diff_renames(git_diff **out, git_repository *repo, git_tree *old, git_tree *new,
		      char **paths, size_t nr);

#endif
