/*
 * code-change: does a change touch code, or only comments, whitespace and
 * blank lines? (SPEC §4, the pattern's code_change)
 *
 * The two sides are compared as token sequences (common/tokenize.h):
 * equal sequences mean the change is in comments or layout only. For a
 * language whose comments the tokenizer does not know, any change counts
 * as code (we cannot tell a comment from code).
 */
#ifndef CODE_CHANGE_H
#define CODE_CHANGE_H

#include <stddef.h>

/* 1 if before and after differ in code (see above), 0 if not. */
int code_changed(const char *language, const char *before, size_t before_len,
		 const char *after, size_t after_len);

/*
 * The same, handing each token of before to fn as well (until fn returns
 * non-zero), whatever the answer: one pass over before for a caller that
 * wants its tokens too (the recall sketch).
 */
struct token;
int code_changed_scan(const char *language, const char *before, size_t before_len,
		      const char *after, size_t after_len,
		      int (*fn)(const struct token *t, void *data), void *data);

/*
 * Where a hunk starts in the before and after texts of a diff (hunks are
 * joined with nothing between them).
 */
struct hunk_start {
	size_t before, after;
};

/*
 * The same answer as code_changed(), hunk by hunk: a hunk that ends
 * inside a block comment ("/" "* Copyright ...", its closer outside the
 * hunk) must not hide the hunks after it as that comment's text, as it
 * does when the joined hunks are tokenized as one text. hunks[0..nr) are
 * in order, the first at 0 on both sides.
 */
int code_changed_hunks(const char *language, const char *before, size_t before_len,
		       const char *after, size_t after_len, const struct hunk_start *hunks,
		       size_t nr);

#endif
