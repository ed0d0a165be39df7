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
	struct digest d = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };
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
