/*
 * code-change-repair: set code_change right on the patterns an older
 * version stored as comment-only by mistake.
 *
 * Before the hunks were compared one by one (code_changed_scan), a hunk
 * that ended inside a block comment (a "$Id" or copyright header) made
 * every later hunk of its file comment text, so a real change was stored
 * with code_change 0. The stored text no longer says where its hunks
 * start, so each local pattern stored as comment-only is diffed again
 * from its commit, with this run's context; when that gives the stored
 * text byte for byte, its hunks are compared one by one. A pattern whose
 * text was taken otherwise (another context, --whole-file) or whose
 * commit is gone keeps what it has. Once per store (meta
 * "code_change.hunks"), in one transaction.
 */
#ifndef CODE_CHANGE_REPAIR_H
#define CODE_CHANGE_REPAIR_H

#include "local/store.h"

#include <git2.h>
#include <stddef.h>

/* Repair s if not done yet; *repaired: patterns set to code_change 1. 0 or -1 with err_set. */
int code_change_repair(git_repository *repo, struct store *s, int context_lines,
		       size_t *repaired);

/* 1 if code_change_repair() has work to do (s holds local patterns and was not repaired), else 0. */
int code_change_repair_pending(struct store *s);

#endif
