/*
 * commit-diff: the patterns of one commit, computed without touching the
 * store, so that several threads can compute them at once (each with its
 * own commit_differ, which holds its own git_repository and caches).
 *
 * A commit is diffed against its first parent (the empty tree for a root);
 * renames are found as git finds them (50%); files are skipped by the rules
 * of SPEC §4 (binary, over the size limit, submodules, symlinks, lock files,
 * -diff / linguist-generated / linguist-vendored); the commit is classified
 * from its subject and changed paths. An unknown commit is only diffed when
 * include_unknown is set (skipped_unknown says so otherwise).
 */
#ifndef COMMIT_DIFF_H
#define COMMIT_DIFF_H

#include "local/extract-options.h"
#include "common/code-change.h"
#include "common/likeness.h"
#include "common/strbuf.h"
#include <git2.h>
#include <pthread.h>

/*
 * One changed file of a commit, as a tree diff gives it: status 'A', 'D',
 * 'M', 'R' (a rename: old_path set) or 'T' (a type change). For a diff
 * computed elsewhere (diff-stream.c), before/after hold its hunks' old and
 * new lines and binary says that diff found the file binary or too large.
 */
struct file_change {
	char status;
	uint16_t old_mode, new_mode;
	git_oid old_id, new_id;
	char *path;	/* new path (old path for a deletion) */
	char *old_path; /* renames only */
	int binary;
	struct strbuf before, after;
	struct hunks hunks; /* where each hunk starts in before and after */
};

/* A hunk starts here: at the current ends of c's before and after. */
void file_change_hunk(struct file_change *c);

/*
 * The hunks of oldo against newo (NULL: an added or deleted file) as the
 * extraction takes them, appended to c's before and after, their starts
 * to c's hunks. 0, or -1 with err_set.
 */
int commit_diff_blobs(git_blob *oldo, git_blob *newo, int context_lines, struct file_change *c);

void file_change_clear(struct file_change *c);

/* One changed file's pattern, with what the store needs computed. */
struct file_pattern {
	char *path;
	char *old_path; /* renames only */
	const char *language;
	const char *file_role;	/* file_role(): source, test, docs, build, other */
	int code_change;	/* code_changed(): 0 for comments/whitespace only */
	char *hunks;		/* hunks_format() of its hunks, or NULL (one hunk, whole files) */
	struct strbuf before, after;
	char pattern_id[17];
	char solution_hash[65];
	double confidence;
	/* recall's index features: code_sketch() of before's code_features */
	uint32_t sketch[SKETCH_MAX];
	size_t sketch_nr;
};

/* A commit's patterns; every string is owned (it crosses threads). */
struct commit_result {
	git_oid oid;
	int failed;		/* errmsg says why */
	char *errmsg;
	int skipped_unknown;	/* unknown and not diffed (no include_unknown) */
	int needs_paths;	/* classified from the subject alone, which may not do */
	const char *problem_type;
	char rule[48];		/* the classifier's rule that decided problem_type */
	int bug_keyword, feature_keyword;
	char *subject, *body, *author, *author_name;
	char date[32];		/* author date in the author's zone */
	long long commit_time;	/* committer time */
	size_t index;		/* its place in the walk's todo (0: the newest) */
	struct file_pattern *files;
	size_t nr, alloc;
	size_t bytes;		/* memory held, for the queue's bound */
	size_t files_skipped;	/* by the skip rules */
	struct commit_result *next; /* the engine's queue */
};

struct commit_differ;

/*
 * A differ over the repository at gitdir (workdir: its work tree, NULL if
 * bare), reading o's context_lines, max_file_size, whole_file and
 * include_unknown (o must outlive it). 0, or -1 with err_set.
 */
int commit_differ_new(struct commit_differ **out, const char *gitdir, const char *workdir,
		      int bare, const struct extract_options *o);
void commit_differ_free(struct commit_differ *d);

/*
 * Read commits through repo rather than d's own repository: the walk just
 * read them through repo, whose object cache still holds them. repo must
 * outlive d; several differs may share it, each holding lock around what
 * touches repo (libgit2 objects are for one thread at a time), and each
 * commit read by one differ only.
 */
void commit_differ_share_commits(struct commit_differ *d, git_repository *repo,
				 pthread_mutex_t *lock);

/*
 * Fill r (zeroed by the caller) with the commit's metadata, classification
 * and file patterns. 0, or -1 with err_set; r->failed and r->errmsg
 * ("commit <id>: ...") are set on failure as well.
 */
int commit_differ_run(struct commit_differ *d, const git_oid *oid, struct commit_result *r);

/*
 * The same in two steps, for a diff computed elsewhere (diff-stream.c):
 *
 * commit_differ_begin() fills r's metadata and classifies the subject;
 * when only the changed paths can decide (and include_unknown is off),
 * it classifies with the paths of a walk of the commit's trees, unless
 * the commit both adds and deletes files (renames are the diff's to
 * pair) or the repository is shallow. 1: the commit's diff is needed
 * (its first parent is in *parent, or zero for a root; *merge says it
 * has more than one); 0: it is not (unknown, without include_unknown:
 * r->skipped_unknown is set). -1 with err_set.
 *
 * commit_differ_finish() classifies with the changed paths and turns the
 * changes into r's file patterns by the same rules as commit_differ_run()
 * (it takes the changes' before/after buffers). 0, or -1 with err_set.
 * On failure either way, r->failed and r->errmsg are set.
 */
int commit_differ_begin(struct commit_differ *d, const git_oid *oid, struct commit_result *r,
			git_oid *parent, int *merge);
int commit_differ_finish(struct commit_differ *d, struct commit_result *r,
			 struct file_change *changes, size_t nr);

void commit_result_free(struct commit_result *r);

#endif
