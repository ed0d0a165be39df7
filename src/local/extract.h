/*
 * extract: the extraction engine. Walks the history as git log would,
 * diffs each selected commit against its first parent (the empty tree for a
 * root), classifies it and writes one pattern per (commit, changed file)
 * into the store, with the commit's "processed" mark in the same
 * transaction. Used by "git patterns extract" and, in-process, by the hooks.
 *
 * Incremental: commits already processed for the same variant (see
 * pattern_variant()) are skipped without diffing. A commit that was
 * classified unknown and skipped is marked so; a later run with
 * include_unknown processes it again. A range of 256 commits or more that
 * was extracted in full is remembered by a fingerprint (its resolved
 * starting and stopping commits and the options) in the meta table, so
 * that running again over it returns without walking.
 *
 * Shallow clones are walked as git walks them (up to the boundary), by
 * our own walk, since libgit2 1.5's revwalk cannot. The boundary commits
 * themselves are left out: their parents were not fetched, so what they
 * changed is unknown (diffed against the empty tree, every file would
 * look added). They are not marked processed, but remembered (shallow.h),
 * and once their parents are fetched (git fetch --unshallow) the next run,
 * whatever its range, extracts them; a range with such commits is not
 * remembered as done. A store where an older version extracted them is
 * repaired once (shallow_store_check()).
 *
 * Crash-safe: many commits are written per transaction; a kill loses at
 * most the uncommitted batch, which the next run redoes.
 *
 * Threads: diffs run on o->jobs worker threads, each with its own
 * git_repository; for 256 commits or more (and not whole_file) each also
 * feeds its own "git diff-tree --stdin" process (diff-stream.h), falling
 * back to libgit2 when git cannot be run. The calling thread is the only
 * one that writes the store.
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include "local/extract-options.h"
#include "local/store.h"
#include <git2.h>
#include <stddef.h>

struct extract_stats {
	size_t selected;	/* commits in the range after the filters */
	size_t already;		/* of those, processed by an earlier run */
	size_t processed;	/* processed by this run */
	size_t skipped_unknown;	/* of those, unknown and left out */
	size_t patterns;	/* patterns written by this run */
	size_t files_skipped;	/* binary, too large, lock, generated, ... */
	size_t relabelled;	/* stored commits labelled again (classifier changed) */
	size_t code_repaired;	/* stored patterns found to change code after all */
	size_t lfs_dropped;	/* stored patterns of Git LFS pointers, dropped */
	size_t released;	/* commits once left out as unknown, now extracted */
	size_t shallow_left;	/* of selected, at a shallow boundary: left out (shallow.h) */
	size_t shallow_extracted; /* commits once left out there, extracted now */
	size_t shallow_patterns;  /* their patterns */
	size_t shallow_repaired;  /* commits an older version extracted there, to do again */
};

/*
 * Resolve what comes from config (patterns.contextLines,
 * patterns.maxFileSize, the number of cores) into o, and append the
 * variant string (pattern_variant()) to variant when not NULL.
 * 0, or -1 with err_set on a bad config value.
 */
struct strbuf;
int extract_resolve_options(git_repository *repo, struct extract_options *o,
			    struct strbuf *variant);

/*
 * Run the extraction. 0, or -1 with err_set (an unknown revision names
 * it: "unknown revision 'foo'"). Patterns already written stay written.
 * Dates for since: git_approxidate() in repo.h.
 */
int extract_run(git_repository *repo, struct store *s, const struct extract_options *o,
		struct extract_stats *st);

#endif
