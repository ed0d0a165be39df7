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
#include "common/strbuf.h"
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

/* 1 if h's hunks are hunks of texts of these lengths (in order, within them). */
static int hunks_fit(const struct hunks *h, size_t before_len, size_t after_len)
{
	if (!h || !h->nr || h->before[0] || h->after[0])
		return 0;
	for (size_t i = 1; i < h->nr; i++)
		if (h->before[i] < h->before[i - 1] || h->after[i] < h->after[i - 1])
			return 0;
	return h->before[h->nr - 1] <= before_len && h->after[h->nr - 1] <= after_len;
}

int code_changed_scan(const char *language, const char *before, size_t before_len,
		      const char *after, size_t after_len, const struct hunks *h,
		      int (*fn)(const struct token *t, void *data), void *data)
{
	int same = before_len == after_len && !memcmp(before, after, before_len);
	struct before b = { before, NULL, 0, 0, fn, data };
	struct against a = { &b, 0 };
	int fit = hunks_fit(h, before_len, after_len);
	const size_t *bs = fit ? h->before : NULL, *as = fit ? h->after : NULL;
	size_t nr = fit ? h->nr : 0;
	int changed;

	if (same || !tokenize_knows(language)) {
		if (fn)
			tokenize_parts(language, before, before_len, bs, nr, fn, data);
		return !same;
	}
	tokenize_parts(language, before, before_len, bs, nr, keep_token, &b);
	changed = tokenize_parts(language, after, after_len, as, nr, differs_at, &a) != 0 ||
		  a.i != b.nr;
	free(b.t);
	return changed;
}

int code_changed(const char *language, const char *before, size_t before_len,
		 const char *after, size_t after_len)
{
	return code_changed_scan(language, before, before_len, after, after_len, NULL, NULL,
				 NULL);
}

void hunks_add(struct hunks *h, size_t before, size_t after)
{
	if (h->nr == h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 8;
		h->before = xrealloc(h->before, h->alloc * sizeof(*h->before));
		h->after = xrealloc(h->after, h->alloc * sizeof(*h->after));
	}
	h->before[h->nr] = before;
	h->after[h->nr++] = after;
}

void hunks_release(struct hunks *h)
{
	free(h->before);
	free(h->after);
	memset(h, 0, sizeof(*h));
}

char *hunks_format(const struct hunks *h)
{
	struct strbuf sb = STRBUF_INIT;

	if (!h || h->nr < 2)
		return NULL;
	for (size_t i = 1; i < h->nr; i++)
		strbuf_addf(&sb, "%s%zu,%zu", i > 1 ? " " : "", h->before[i], h->after[i]);
	return strbuf_detach(&sb, NULL);
}

void hunks_parse(struct hunks *h, const char *text)
{
	const char *p = text;

	hunks_release(h);
	if (!text || !*text)
		return;
	hunks_add(h, 0, 0);
	while (*p) {
		char *end;
		unsigned long long b, a;

		b = strtoull(p, &end, 10);
		if (end == p || *end != ',')
			goto bad;
		p = end + 1;
		a = strtoull(p, &end, 10);
		if (end == p || (*end && *end != ' '))
			goto bad;
		hunks_add(h, (size_t)b, (size_t)a);
		p = *end ? end + 1 : end;
	}
	return;
bad:
	hunks_release(h);
}
