/*
 * code-change.c: comment- and whitespace-only changes (see code-change.h).
 *
 * Before's tokens are kept (kind, offset, length) as it is tokenized; then
 * after is tokenized against them, and the scan stops at the first token
 * that differs. A real change is seen where it starts, so after is rarely
 * tokenized past its first changed line; only a change of comments or
 * layout tokenizes both sides whole.
 */
#include "common/code-change.h"
#include "common/tokenize.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

struct kept {
	enum token_kind kind;
	size_t off, len;
};

/* before's tokens, and the caller's fn that sees them too (may be NULL) */
struct before {
	const char *base;
	struct kept *t;
	size_t nr, alloc;
	int (*fn)(const struct token *t, void *data);
	void *data;
};

static int keep_token(const struct token *t, void *data)
{
	struct before *b = data;

	ALLOC_GROW(b->t, b->nr + 1, b->alloc);
	b->t[b->nr].kind = t->kind;
	b->t[b->nr].off = (size_t)(t->start - b->base);
	b->t[b->nr++].len = t->len;
	if (b->fn && b->fn(t, b->data))
		b->fn = NULL; /* it has had enough; keep the tokens for the comparison */
	return 0;
}

struct against {
	const struct before *b;
	size_t i;
};

/* non-zero at after's first token that is not before's token at its place */
static int differs_at(const struct token *t, void *data)
{
	struct against *a = data;
	const struct kept *k;

	if (a->i >= a->b->nr)
		return 1;
	k = &a->b->t[a->i++];
	return k->kind != t->kind || k->len != t->len ||
	       memcmp(a->b->base + k->off, t->start, t->len) != 0;
}

int code_changed_scan(const char *language, const char *before, size_t before_len,
		      const char *after, size_t after_len,
		      int (*fn)(const struct token *t, void *data), void *data)
{
	int same = before_len == after_len && !memcmp(before, after, before_len);
	struct before b = { before, NULL, 0, 0, fn, data };
	struct against a = { &b, 0 };
	int changed;

	if (same || !tokenize_knows(language)) {
		if (fn)
			tokenize(language, before, before_len, fn, data);
		return !same;
	}
	tokenize(language, before, before_len, keep_token, &b);
	changed = tokenize(language, after, after_len, differs_at, &a) != 0 || a.i != b.nr;
	free(b.t);
	return changed;
}

int code_changed_hunks(const char *language, const char *before, size_t before_len,
		       const char *after, size_t after_len, const struct hunk_start *hunks,
		       size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		size_t b_end = i + 1 < nr ? hunks[i + 1].before : before_len;
		size_t a_end = i + 1 < nr ? hunks[i + 1].after : after_len;

		if (hunks[i].before > b_end || b_end > before_len || hunks[i].after > a_end ||
		    a_end > after_len)
			return 1; /* not hunks of these texts: say what is safe */
		if (code_changed(language, before + hunks[i].before, b_end - hunks[i].before,
				 after + hunks[i].after, a_end - hunks[i].after))
			return 1;
	}
	return !nr && code_changed(language, before, before_len, after, after_len);
}

int code_changed(const char *language, const char *before, size_t before_len,
		 const char *after, size_t after_len)
{
	return code_changed_scan(language, before, before_len, after, after_len, NULL, NULL);
}
