/*
 * own-changes: the change numbers (change_seq) the server gave to the
 * patterns this clone created by its pushes, as sorted, disjoint,
 * non-adjacent ranges, kept in the store (store_sync_own_changes) as
 * "lo-hi,lo-hi,..." per remote. A range is made only of consecutive numbers
 * of created items of one batch, so every change in it is one of ours: a
 * pull skips it instead of downloading what it just pushed (what it would
 * do with those is nothing: the patterns are known by their server id). A
 * pattern changed since (feedback) has a new change_seq outside the range
 * and is pulled as usual. Ranges the pull cursor has passed are dropped.
 */
#ifndef OWN_CHANGES_H
#define OWN_CHANGES_H

#include "local/store.h"

#include <stddef.h>

struct seq_range {
	long long lo, hi;
};

struct own_ranges {
	struct seq_range *r;
	size_t nr, alloc;
};

#define OWN_RANGES_INIT {NULL, 0, 0}
#define OWN_RANGES_MAX 10000 /* beyond it the oldest are forgotten (pulled back) */

void own_ranges_add(struct own_ranges *o, long long lo, long long hi);
/* Sort, merge overlapping and adjacent ranges, drop those up to floor. */
void own_ranges_normalize(struct own_ranges *o, long long floor);
/* Read the ranges of remote (a malformed value reads as none: nothing is skipped). */
void own_ranges_load(struct store *s, const char *remote, struct own_ranges *o);
/* Write them, normalized (no range: the key is removed); 0 or -1 and err_set. */
int own_ranges_save(struct store *s, const char *remote, const struct own_ranges *o);
void own_ranges_release(struct own_ranges *o);

#endif
