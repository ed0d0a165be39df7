/*
 * extract-writer: how the extraction writes commit_results into the
 * store. Many commits per transaction (bounded by count, bytes and time),
 * each commit's patterns and its processed mark in the same one, so the
 * store never claims a commit whose patterns are missing; a kill loses at
 * most the open batch, which the next run redoes.
 *
 * One writer per store connection, used by one thread.
 */
#ifndef EXTRACT_WRITER_H
#define EXTRACT_WRITER_H

#include "local/commit-diff.h"
#include "local/extract.h"
#include "local/store.h"

struct extract_writer;

/*
 * A writer of variant's patterns into s (tuned for a long write), for the
 * nr_todo commits of a walk, written with their index in it
 * (commit_result.index). 0 or -1.
 */
int extract_writer_new(struct extract_writer **out, struct store *s, const char *variant,
		       size_t nr_todo);

/*
 * Write r (not failed) into the open batch, opening one as needed, and
 * commit the batch when it is full; st counts what was written. 0, or -1
 * with err_set (the open batch is rolled back).
 */
int extract_writer_add(struct extract_writer *wr, const struct commit_result *r,
		       struct extract_stats *st);

/* Commit the open batch, if any. 0 or -1. */
int extract_writer_flush(struct extract_writer *wr);

/* Free wr; an open batch is rolled back (flush first to keep it). */
void extract_writer_free(struct extract_writer *wr);

#endif
