/*
 * diff-pool: the extraction's diff threads. o->jobs workers (at most one
 * per commit), each with its own commit_differ (its own git_repository),
 * compute the commit_results of a list of commits while the calling
 * thread hands them, in batches as they come, to a write callback: the
 * calling thread is the only one that touches the store.
 *
 * For 256 commits or more (and not whole_file) each worker feeds its own
 * "git diff-tree --stdin" (diff-stream.h), falling back to libgit2 when
 * git cannot be run; GIT_PATTERNS_EXTRACT_LIBGIT2 in the environment
 * keeps libgit2 for all. Results come in no fixed order.
 *
 * Memory stays bounded: results wait in a queue limited by bytes, and a
 * worker blocks while the queue is full.
 */
#ifndef DIFF_POOL_H
#define DIFF_POOL_H

#include "local/commit-diff.h"
#include "local/extract-options.h"
#include <git2.h>

/* Store one result; 0, or -1 with err_set, which stops the run. */
typedef int (*diff_pool_write_fn)(const struct commit_result *r, void *data);

/*
 * Diff the commits todo[0..nr_todo) (nr_todo > 0) of repo, the walk's
 * repository, whose object cache the workers read the commits through.
 * o->progress is told 0 of nr_todo first, then the count written after
 * each batch. 0, or -1 with err_set: the first failed commit, the first
 * write error, or a worker that could not start; results written before
 * stay written.
 */
int diff_pool_run(git_repository *repo, const struct extract_options *o, const git_oid *todo,
		  size_t nr_todo, diff_pool_write_fn write_fn, void *data);

#endif
