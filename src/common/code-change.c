/*
 * code-change.c: comment- and whitespace-only changes (see code-change.h).
 *
 * Each side's tokens are folded into a 128-bit digest (two FNV-1a lanes
 * over each token's kind, length and bytes) rather than kept: no
 * allocation, one pass per side, and a false "no code change" would need
 * two different token streams with equal digests.
 */
#include "common/code-change.h"
#include "common/tokenize.h"

#include <stdint.h>
#include <string.h>

struct digest {
	uint64_t a, b;
};

#define DIGEST_INIT { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull }

static void mix(struct digest *d, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		d->a = (d->a ^ p[i]) * 0x100000001b3ull;
		d->b = (d->b ^ p[i]) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
	}
}

static int add_token(const struct token *t, void *data)
{
	struct digest *d = data;
	unsigned char head[1 + sizeof(size_t)];
	head[0] = (unsigned char)t->kind;
	memcpy(head + 1, &t->len, sizeof(size_t));
	mix(d, head, sizeof(head));
	mix(d, (const unsigned char *)t->start, t->len);
	return 0;
}

static struct digest token_digest(const char *language, const char *code, size_t len)
{
	struct digest d = DIGEST_INIT;
	tokenize(language, code, len, add_token, &d);
	return d;
}

int code_changed(const char *language, const char *before, size_t before_len,
		 const char *after, size_t after_len)
{
	struct digest x, y;

	if (before_len == after_len && !memcmp(before, after, before_len))
		return 0;
	if (!tokenize_knows(language))
		return 1;
	x = token_digest(language, before, before_len);
	y = token_digest(language, after, after_len);
	return x.a != y.a || x.b != y.b;
}

/* before's tokens into a digest (if wanted) and to the caller's fn */
struct tee {
	struct digest d;
	int digest, fn_done;
	int (*fn)(const struct token *t, void *data);
	void *data;
};

static int tee_token(const struct token *t, void *data)
{
	struct tee *x = data;

	if (x->digest)
		add_token(t, &x->d);
	if (!x->fn_done && x->fn(t, x->data))
		x->fn_done = 1;
	return !x->digest && x->fn_done; /* nothing more to do */
}

int code_changed_scan(const char *language, const char *before, size_t before_len,
		      const char *after, size_t after_len,
		      int (*fn)(const struct token *t, void *data), void *data)
{
	struct tee x = { DIGEST_INIT, 0, 0, fn, data };
	int same = before_len == after_len && !memcmp(before, after, before_len);
	int knows = tokenize_knows(language);
	struct digest y;

	x.digest = !same && knows;
	tokenize(language, before, before_len, tee_token, &x);
	if (same)
		return 0;
	if (!knows)
		return 1;
	y = token_digest(language, after, after_len);
	return x.d.a != y.a || x.d.b != y.b;
}
