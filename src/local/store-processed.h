/*
 * store-processed: the one module on the processed table, the marks that
 * say a commit was extracted (per variant) and whether it was classified
 * unknown and left out. The marks are written by the extraction in the
 * transaction that writes the commit's patterns (extract-writer.c), so a
 * mark never claims patterns that are missing.
 *
 * Every function returns 0 (or what a callback returned), or -1 with
 * err_set naming the store.
 */
#ifndef STORE_PROCESSED_H
#define STORE_PROCESSED_H

#include "local/store.h"

#include <git2.h>
#include <stddef.h>

/* A commit's mark: skipped_unknown 0 (extracted in full) or 1 (left out). */
typedef int (*processed_fn)(const git_oid *id, int skipped_unknown, void *data);

/* fn for every mark of variant (a malformed commit id is passed over). */
int store_processed_load(struct store *s, const char *variant, processed_fn fn, void *data);

/*
 * fn for the marks of just the commits ids[0..nr) (one point query each,
 * so the cost does not grow with the store); commits without one are not
 * reported.
 */
int store_processed_lookup(struct store *s, const char *variant, const git_oid *ids, size_t nr,
			   processed_fn fn, void *data);

/* fn for each variant that has marks, each once. */
int store_processed_variants(struct store *s, int (*fn)(const char *variant, void *data),
			     void *data);

/* How many commits of variant are marked. */
int store_processed_count(struct store *s, const char *variant, long long *count);

/*
 * A prepared mark writer for variant, stamped at (a time_t), for many
 * marks in the caller's transaction. A mark already there is replaced.
 */
struct processed_marker;
int processed_marker_new(struct processed_marker **out, struct store *s, const char *variant,
			 long long at);
int processed_mark(struct processed_marker *m, const char *commit_hex, int skipped_unknown);
void processed_marker_free(struct processed_marker *m);

/*
 * fn for each commit (40 hex) marked skipped_unknown in some variant, each
 * once: the commits an older classifier called unknown and left out.
 */
int store_processed_skipped(struct store *s, int (*fn)(const char *commit_hex, void *data),
			    void *data);

/* *yes = 1 if some commit is marked skipped_unknown, else 0. */
int store_processed_has_skipped(struct store *s, int *yes);

/*
 * Forget the skipped_unknown marks of commit_hex (every variant), so that
 * the next run extracts it: the classifier now gives it a kind.
 */
int store_processed_forget_skipped(struct store *s, const char *commit_hex);

/*
 * Forget the mark of commit_hex in variant (whatever it says), in the
 * caller's transaction, so that the next run extracts the commit again:
 * its patterns were made without its parents (shallow.h).
 */
int store_processed_forget(struct store *s, const char *commit_hex, const char *variant);

#endif
