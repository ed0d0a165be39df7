/*
 * changed-code: the code a change is about to touch, as recall looks for
 * it: per file, the old side of the diff's hunks (context and removed
 * lines, N context lines as extraction uses), which is how a pattern's
 * before_code is made (commit-diff.c), so that the two compare alike.
 *
 * Sources: the staged changes (HEAD, or the empty tree in a repository
 * without commits, against the index), a commit against its first parent,
 * or lines of a file.
 */
#ifndef CHANGED_CODE_H
#define CHANGED_CODE_H

#include "common/code-change.h"
#include "common/strbuf.h"
#include <git2.h>

struct changed_file {
	char *path;
	const char *language; /* static, from common/language.h */
	struct strbuf code;
	struct hunks hunks; /* where each hunk's old side starts in code (before) */
	int last_hunk;	    /* the old start line of the hunk last read, for the starts */
};

struct changed_code {
	struct changed_file *files;
	size_t nr, alloc;
	char commit[41]; /* the commit's id for changed_code_commit, else "" */
	size_t nr_changed; /* files the diff changes, those left out too */
};

#define CHANGED_CODE_INIT { NULL, 0, 0, "", 0 }

/*
 * The staged changes, file by file (added files have no old side and are
 * left out; binary files too, and a file renamed unchanged, renames found
 * as extraction finds them). 0 (cc->nr may be 0: nothing staged, or
 * nothing of it with an old side when cc->nr_changed is not), or -1 with
 * err_set.
 */
int changed_code_staged(struct changed_code *cc, git_repository *repo, int context);

/* The commit rev names, against its first parent. 0 or -1 with err_set. */
int changed_code_commit(struct changed_code *cc, git_repository *repo, const char *rev,
			int context);

/*
 * Lines from..to (1-based, inclusive; 0, 0 for the whole file) of the file
 * at path (as given: relative to the current folder). 0 or -1 (err_set;
 * a binary file too).
 */
int changed_code_file(struct changed_code *cc, const char *path, long from, long to);

void changed_code_release(struct changed_code *cc);

#endif
