/*
 * extract-options: what an extraction is asked to do, in a header of its
 * own so that the modules under the engine (commit-diff, diff-stream, the
 * walk and the worker pool) read the options without the engine's API.
 * extract_resolve_options() (extract.h) fills in what comes from config.
 */
#ifndef EXTRACT_OPTIONS_H
#define EXTRACT_OPTIONS_H

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

#endif
