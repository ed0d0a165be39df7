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
 * Where each hunk of a diff starts in its before and after texts (the
 * hunks are joined with nothing between them): before[0] = after[0] = 0.
 * Each hunk is tokenized on its own (tokenize_parts()), so that a hunk
 * ending inside a block comment ("/" "* Copyright ...", its closer outside
 * the hunk) does not make the hunks after it that comment's text.
 */
struct hunks {
	size_t *before, *after;
	size_t nr, alloc;
};
#define HUNKS_INIT { NULL, NULL, 0, 0 }
void hunks_add(struct hunks *h, size_t before, size_t after);
void hunks_release(struct hunks *h);
/*
 * For the store: "b,a b,a ..." of the hunks after the first (allocated),
 * or NULL for one hunk or none, which the joined text tokenizes the same.
 */
char *hunks_format(const struct hunks *h);
/* hunks_format()'s text into h (released first); NULL or bad text: none. */
void hunks_parse(struct hunks *h, const char *text);

/*
 * As code_changed(), hunk by hunk when h has hunks (NULL: the texts are
 * one hunk each), handing each token of before to fn as well (until fn
 * returns non-zero), whatever the answer: one pass over before for a
 * caller that wants its tokens too (the recall sketch).
 */
struct token;
int code_changed_scan(const char *language, const char *before, size_t before_len,
		      const char *after, size_t after_len, const struct hunks *h,
		      int (*fn)(const struct token *t, void *data), void *data);

#endif
