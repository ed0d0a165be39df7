/*
 * shallow: the commits of a shallow clone whose parents were not fetched.
 *
 * In a clone made with --depth, the commits listed in
 * $GIT_COMMON_DIR/shallow (the boundary) have parents that the repository
 * does not have: git shows them as roots, but what they changed is
 * unknown. The extraction leaves them out (no patterns, no "processed"
 * mark) and keeps their ids per variant in the store's meta
 * ("shallow.pending.<variant>"); once their parents are there (git fetch
 * --unshallow, --deepen), the next extraction of that variant, a hook's
 * included, diffs them against their real parents.
 *
 * Older versions diffed the boundary against the empty tree, as if every
 * file were added, and marked the commit processed. shallow_store_check()
 * repairs a store once (meta "shallow.checked"): it drops those patterns
 * and marks so that the commits are extracted again (see shallow.c for
 * how they are recognised).
 */
#ifndef SHALLOW_H
#define SHALLOW_H

#include "local/oid-set.h"
#include "local/store.h"
#include "common/util.h"

#include <git2.h>
#include <stddef.h>

/*
 * The boundary of repo into out (flag 1): the commits listed in its
 * shallow file that have parents (a listed root has nothing unknown).
 * Nothing when the repository is not shallow. 0, or -1 with err_set.
 */
int shallow_boundary_read(git_repository *repo, struct oid_set *out);

/*
 * The commits listed in repo's shallow file, whatever they are, into out
 * (flag 1): where a walk of a shallow clone stops, as git's does.
 */
void shallow_file_read(git_repository *repo, struct oid_set *out);

/*
 * Remember ids[0..nr) (boundary commits an extraction of variant left
 * out) for when their parents are fetched. 0, or -1 with err_set.
 */
int shallow_pending_add(struct store *s, const char *variant, const git_oid *ids, size_t nr);

/*
 * The remembered commits of variant that can be extracted now (their
 * first parent is in the repository, and they are no longer at the
 * boundary), as 40-hex ids appended to ready; commits the repository no
 * longer has are forgotten. 0, or -1 with err_set.
 */
int shallow_pending_ready(git_repository *repo, struct store *s, const char *variant,
			  struct string_list *ready);

/* Forget the remembered commits done[] of variant (extracted now). 0 or -1. */
int shallow_pending_remove(struct store *s, const char *variant, const struct string_list *done);

/*
 * Once per store: find the commits an older version extracted without
 * their parents and forget them (patterns and marks), remembering them as
 * pending; *repaired counts them (commit and variant pairs). max_files:
 * patterns.maxCommitFiles. 0 (also when done before), or -1 with err_set.
 */
int shallow_store_check(git_repository *repo, struct store *s, size_t max_files,
			size_t *repaired);

/* 1 if shallow_store_check() has work to do (a hook leaves it to the background). */
int shallow_store_check_pending(struct store *s);

#endif
