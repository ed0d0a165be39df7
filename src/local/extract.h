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
 * Shallow clones are walked as git walks them (the boundary commits are
 * roots), by our own walk, since libgit2 1.5's revwalk cannot.
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

#include "local/store.h"
#include <git2.h>
#include <stddef.h>
#include <stdint.h>

struct extract_options {
	/*
	 * Revision specs as git log takes them: "HEAD" (the default when
	 * none), "main", "v1.0..main", "A...B", "^A", "C^!" (that commit
	 * alone), "ORIG_HEAD..HEAD". As in git log, the specs combine: in
	 * "B^! A^!" where A is B's parent, B^! hides A, so only B is walked.
	 */
	const char *const *revs;
	size_t nr_revs;
	int all;		/* every ref and HEAD, as --all */
	/*
	 * As git log --no-walk: just the commits the revs name (each peeled
	 * to a commit, ranges not allowed), newest first; no ancestry. For
	 * a hook's list of commits ("A B C"), where "A^! B^! C^!" would hide
	 * B when B is A's parent.
	 */
	int no_walk;
	long long since;	/* committer time >= since; 0: no limit */
	int include_unknown;
	int include_merges;	/* diff merges against their first parent */
	int whole_file;		/* whole old/new files instead of hunks */
	int context_lines;	/* -1: patterns.contextLines, else 3 */
	long long max_file_size; /* -1: patterns.maxFileSize, else 1 MiB */
	int jobs;		/* diff threads (and git processes); 0: number of cores */
	/*
	 * Told how far the diffing is: done of total commits, first with 0
	 * when it starts (only when there is something to diff), then as
	 * commits are written. May be NULL. The caller draws it.
	 */
	void (*progress)(void *data, uint64_t done, uint64_t total);
	void *progress_data;
	/*
	 * Called for every selected commit (passing since/merge filters),
	 * processed now or before, in walk order (newest first); may be NULL.
	 * A non-zero return stops the run with that value.
	 */
	int (*on_commit)(const git_oid *id, size_t ord, void *data);
	void *on_commit_data;
	/*
	 * A commit changing more files is mechanical (unknown): -1 reads
	 * patterns.maxCommitFiles (default CLASSIFY_DEFAULT_MAX_FILES); 0 is no limit.
	 */
	long long max_commit_files;
};

#define EXTRACT_OPTIONS_INIT { NULL, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, NULL, NULL, NULL, NULL, -1 }

struct extract_stats {
	size_t selected;	/* commits in the range after the filters */
	size_t already;		/* of those, processed by an earlier run */
	size_t processed;	/* processed by this run */
	size_t skipped_unknown;	/* of those, unknown and left out */
	size_t patterns;	/* patterns written by this run */
	size_t files_skipped;	/* binary, too large, lock, generated, ... */
	size_t relabelled;	/* stored commits labelled again (classifier changed) */
	size_t released;	/* commits once left out as unknown, now extracted */
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
