/*
 * likeness.c: code features (shingles of normalised tokens, and words)
 * and the overlap score over them; see likeness.h for the definitions.
 *
 * Hashing: each token gets a 32-bit FNV-1a hash of its normalised text; a
 * shingle's hash mixes its SHAPE_K token hashes in order. Bags are sorted
 * so that overlap is one merge of two arrays.
 */
#include "common/likeness.h"
#include "common/tokenize.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static uint32_t fnv1a(const char *s, size_t n, uint32_t h)
{
	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

#define FNV_SEED 2166136261u

/* murmur3's finaliser: spreads the bits of a combined hash */
static uint32_t mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static void bag_add(struct feature_bag *b, uint32_t v)
{
	ALLOC_GROW(b->v, b->nr + 1, b->alloc);
	b->v[b->nr++] = v;
}

/* LSD radix sort, 8 bits at a time: bags are sorted once per code */
static void sort_u32(uint32_t *v, size_t n)
{
	uint32_t small[256], *tmp, *src = v, *dst;
	size_t count[256], i;
	int shift;

	if (n < 64) { /* insertion sort */
		for (i = 1; i < n; i++) {
			uint32_t x = v[i];
			size_t j = i;
			while (j && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	tmp = n <= 256 ? small : xmalloc(n * sizeof(*tmp));
	dst = tmp;
	for (shift = 0; shift < 32; shift += 8) {
		size_t sum = 0;
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		for (i = 0; i < 256; i++) {
			size_t c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		src = dst;
		dst = src == v ? tmp : v;
	}
	/* four passes: the sorted data is back in v */
	if (tmp != small)
		free(tmp);
}

/* The k smallest distinct values added, ascending (a sketch's half). */
struct bottom_k {
	uint32_t v[SKETCH_SHAPE > SKETCH_WORDS ? SKETCH_SHAPE : SKETCH_WORDS];
	size_t nr, k;
};

static void bottom_add(struct bottom_k *b, uint32_t x)
{
	size_t i;

	if (b->nr == b->k && x >= b->v[b->nr - 1])
		return; /* most values, once the first few are in */
	for (i = b->nr; i && b->v[i - 1] > x; i--)
		;
	if (i && b->v[i - 1] == x)
		return;
	if (b->nr < b->k)
		b->nr++;
	memmove(&b->v[i + 1], &b->v[i], (b->nr - 1 - i) * sizeof(*b->v));
	b->v[i] = x;
}

#define LAST_SEEN_SLOTS 1024

struct scan {
	struct code_features *f;   /* the bags; or, if NULL, only their sketch: */
	struct bottom_k *shape, *words;
	uint32_t window[SHAPE_K]; /* the last SHAPE_K normalised token hashes */
	size_t seen;
	/*
	 * identifier hash -> where it was last seen, for its role: token
	 * base + 1, base + 2... of this code. A slot whose at is base or less
	 * is empty (left by an earlier code of the same sketcher: the table
	 * is not cleared between codes, see code_sketch_start).
	 */
	uint32_t base;
	struct { uint32_t h; uint32_t at; } last[LAST_SEEN_SLOTS];
};

/*
 * An identifier's class says how far back the same name was last used
 * (new, within 4 tokens, 16, 64, further): consistent renaming keeps it,
 * and it tells apart code whose names are used differently.
 */
static uint32_t identifier_class(struct scan *s, uint32_t name)
{
	static const char *const cls[] = { "I0", "I1", "I2", "I3", "I4" };
	size_t i = name & (LAST_SEEN_SLOTS - 1), probes = 0;
	uint32_t at = s->base + (uint32_t)s->seen + 1, dist;
	int c;

	while (s->last[i].at > s->base && s->last[i].h != name && probes++ < 8)
		i = (i + 1) & (LAST_SEEN_SLOTS - 1);
	if (s->last[i].at > s->base && s->last[i].h == name) {
		dist = at - s->last[i].at;
		c = dist <= 4 ? 1 : dist <= 16 ? 2 : dist <= 64 ? 3 : 4;
	} else {
		c = 0;
	}
	s->last[i].h = name;
	s->last[i].at = at;
	return fnv1a(cls[c], 2, FNV_SEED);
}

static void add_shingle(struct scan *s, size_t first, size_t n)
{
	uint32_t h = FNV_SEED;
	size_t i;

	for (i = 0; i < n; i++)
		h = mix(h ^ s->window[(first + i) % SHAPE_K]) + (uint32_t)i;
	h = mix(h) & ~FEATURE_WORD_BIT;
	if (s->f)
		bag_add(&s->f->shape, h);
	else
		bottom_add(s->shape, h);
}

static int on_token(const struct token *t, void *data)
{
	struct scan *s = data;
	uint32_t h, word = 0;

	if (s->seen == LIKENESS_MAX_TOKENS)
		return 1;
	if (t->kind != TOKEN_KEYWORD && t->kind != TOKEN_OPERATOR)
		word = fnv1a(t->start, t->len, FNV_SEED); /* an identifier's name too */
	switch (t->kind) {
	case TOKEN_IDENTIFIER:
		h = identifier_class(s, word);
		break;
	case TOKEN_NUMBER:
		h = fnv1a("N", 1, FNV_SEED);
		break;
	case TOKEN_STRING:
		h = fnv1a("S", 1, FNV_SEED);
		break;
	case TOKEN_CHAR:
		h = fnv1a("C", 1, FNV_SEED);
		break;
	default: /* keywords and operators as written, apart from the classes */
		h = fnv1a(t->start, t->len, fnv1a("=", 1, FNV_SEED));
		break;
	}
	if (t->kind != TOKEN_KEYWORD && t->kind != TOKEN_OPERATOR) {
		if (s->f)
			bag_add(&s->f->words, word | FEATURE_WORD_BIT);
		else
			bottom_add(s->words, word | FEATURE_WORD_BIT);
	}
	s->window[s->seen % SHAPE_K] = h;
	s->seen++;
	if (s->seen >= SHAPE_K)
		add_shingle(s, s->seen - SHAPE_K, SHAPE_K);
	return 0;
}

void code_features_compute(struct code_features *f, const char *language,
			   const char *code, size_t len)
{
	code_features_compute_parts(f, language, code, len, NULL, 0);
}

void code_features_compute_parts(struct code_features *f, const char *language,
				 const char *code, size_t len, const size_t *starts, size_t nr)
{
	struct scan s; /* 8 KiB: on the stack, so threads each have theirs */

	memset(&s, 0, sizeof(s));
	s.f = f;

	f->shape.nr = f->words.nr = 0;
	tokenize_parts(language, code, len, starts, nr, on_token, &s);
	/* code shorter than a shingle is one shingle of all its tokens */
	if (s.seen && s.seen < SHAPE_K)
		add_shingle(&s, 0, s.seen);
	f->tokens = s.seen;
	sort_u32(f->shape.v, f->shape.nr);
	sort_u32(f->words.v, f->words.nr);
}

void code_features_release(struct code_features *f)
{
	free(f->shape.v);
	free(f->words.v);
	memset(f, 0, sizeof(*f));
}

/* |a ∩ b| / max(|a|, |b|) of two sorted multisets */
static double overlap(const struct feature_bag *a, const struct feature_bag *b)
{
	size_t i = 0, j = 0, common = 0, most = a->nr > b->nr ? a->nr : b->nr;

	if (!most)
		return 0;
	while (i < a->nr && j < b->nr) {
		if (a->v[i] < b->v[j]) {
			i++;
		} else if (a->v[i] > b->v[j]) {
			j++;
		} else {
			common++;
			i++;
			j++;
		}
	}
	return (double)common / (double)most;
}

double code_likeness(const struct code_features *q, const struct code_features *p)
{
	double shape, words;

	if (!q->tokens || !p->tokens)
		return 0;
	shape = overlap(&q->shape, &p->shape);
	/* code without identifiers or literals: the shape says everything */
	if (!q->words.nr && !p->words.nr)
		return shape;
	words = overlap(&q->words, &p->words);
	return LIKENESS_SHAPE_WEIGHT * shape + (1 - LIKENESS_SHAPE_WEIGHT) * words;
}

static size_t smallest_distinct(const struct feature_bag *b, uint32_t *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < b->nr && n < max; i++)
		if (!n || out[n - 1] != b->v[i])
			out[n++] = b->v[i];
	return n;
}

size_t code_sketch(const struct code_features *f, uint32_t out[SKETCH_MAX])
{
	size_t n = smallest_distinct(&f->shape, out, SKETCH_SHAPE);
	return n + smallest_distinct(&f->words, out + n, SKETCH_WORDS);
}

struct code_sketcher {
	struct scan s;
	struct bottom_k shape, words;
};

struct code_sketcher *code_sketcher_new(void)
{
	return xcalloc(1, sizeof(struct code_sketcher));
}

void code_sketcher_free(struct code_sketcher *sk)
{
	free(sk);
}

void code_sketch_start(struct code_sketcher *sk)
{
	/*
	 * As in code_features_compute(), but the 8 KiB table of names is
	 * cleared only when the base would wrap: moving the base past every
	 * token of the last code empties it (most sketches are of a few
	 * hunks, and clearing it each time cost 1.7% of an extraction).
	 */
	uint32_t base = sk->s.base + (uint32_t)sk->s.seen + 1;

	if (base > UINT32_MAX - LIKENESS_MAX_TOKENS - 1) {
		memset(sk->s.last, 0, sizeof(sk->s.last));
		base = 0;
	}
	sk->s.f = NULL;
	sk->s.seen = 0;
	sk->s.base = base;
	memset(sk->s.window, 0, sizeof(sk->s.window));
	sk->shape.nr = sk->words.nr = 0;
	sk->shape.k = SKETCH_SHAPE;
	sk->words.k = SKETCH_WORDS;
	sk->s.shape = &sk->shape;
	sk->s.words = &sk->words;
}

int code_sketch_token(const struct token *t, void *sketcher)
{
	return on_token(t, &((struct code_sketcher *)sketcher)->s);
}

size_t code_sketch_finish(struct code_sketcher *sk, uint32_t out[SKETCH_MAX])
{
	if (sk->s.seen && sk->s.seen < SHAPE_K)
		add_shingle(&sk->s, 0, sk->s.seen);
	memcpy(out, sk->shape.v, sk->shape.nr * sizeof(*out));
	memcpy(out + sk->shape.nr, sk->words.v, sk->words.nr * sizeof(*out));
	return sk->shape.nr + sk->words.nr;
}

size_t code_sketch_compute(const char *language, const char *code, size_t len,
			   uint32_t out[SKETCH_MAX])
{
	return code_sketch_compute_parts(language, code, len, NULL, 0, out);
}

size_t code_sketch_compute_parts(const char *language, const char *code, size_t len,
				 const size_t *starts, size_t nr, uint32_t out[SKETCH_MAX])
{
	struct code_sketcher sk; /* 8 KiB: on the stack, so threads each have theirs */

	memset(&sk, 0, sizeof(sk));
	code_sketch_start(&sk);
	tokenize_parts(language, code, len, starts, nr, code_sketch_token, &sk);
	return code_sketch_finish(&sk, out);
}

size_t code_feature_keys(const struct code_features *f, uint32_t **out)
{
	size_t n;

	*out = xmalloc((f->shape.nr + f->words.nr + 1) * sizeof(uint32_t));
	n = smallest_distinct(&f->shape, *out, f->shape.nr);
	return n + smallest_distinct(&f->words, *out + n, f->words.nr);
}
