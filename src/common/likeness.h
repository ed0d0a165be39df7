/*
 * likeness: how much two pieces of code look alike, on their tokens, in
 * the manner of SourcererCC (bags of tokens, overlap similarity) and Aroma
 * (features of normalised code). Pure computation: the local store's recall
 * index and the team server both use it, so both score alike.
 *
 * Features of a piece of code (see code_features_compute):
 *   shape  the multiset of SHAPE_K-token shingles of its normalised tokens:
 *          an identifier becomes a class that says how far back the same
 *          name was last used (new; within 4, 16 or 64 tokens; further),
 *          numbers "N", strings "S", characters "C"; keywords and operators
 *          stay as written. Comments, whitespace and layout make no tokens
 *          (common/tokenize.h), so reformatting changes nothing, and a
 *          consistent renaming or a changed constant changes nothing in the
 *          shape either.
 *   words  the multiset of identifiers and literals as written.
 * Each feature is a 32-bit hash; shape and word hashes never collide with
 * each other (the top bit tells them apart).
 *
 * The score (code_likeness) of a query q and a pattern p, in [0, 1]:
 *   overlap(A, B) = |A ∩ B| / max(|A|, |B|)   (multisets; SourcererCC's)
 *   score = 0.8 * overlap(shape) + 0.2 * overlap(words)
 * 1 for the same tokens; a rename or a changed literal costs at most the
 * words' 0.2 share; an added or removed statement costs the shingles it
 * touches, in proportion to the code's length.
 */
#ifndef LIKENESS_H
#define LIKENESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Indexes built from these features (the local store's, the server's)
 * record this number and are rebuilt when it changes: bump it whenever a
 * change here or in common/tokenize.c changes the features of some code.
 */
#define LIKENESS_VERSION 4

#define SHAPE_K 5
#define LIKENESS_SHAPE_WEIGHT 0.8
/* Tokens looked at, at most: bounds the work on a huge query or pattern. */
#define LIKENESS_MAX_TOKENS 20000
/* Features a pattern is indexed under: the smallest hashes of each bag. */
#define SKETCH_SHAPE 16
#define SKETCH_WORDS 8
#define SKETCH_MAX (SKETCH_SHAPE + SKETCH_WORDS)
#define FEATURE_WORD_BIT 0x80000000u

/* A multiset of feature hashes, sorted ascending (duplicates kept). */
struct feature_bag {
	uint32_t *v;
	size_t nr, alloc;
};

struct code_features {
	struct feature_bag shape, words;
	size_t tokens; /* tokens seen (capped at LIKENESS_MAX_TOKENS) */
};

#define CODE_FEATURES_INIT { { NULL, 0, 0 }, { NULL, 0, 0 }, 0 }

/* Replace f's contents with the features of code[0..len) in language. */
void code_features_compute(struct code_features *f, const char *language,
			   const char *code, size_t len);
/* The same over joined parts (a pattern's hunks: tokenize_parts()). */
void code_features_compute_parts(struct code_features *f, const char *language,
				 const char *code, size_t len, const size_t *starts, size_t nr);
void code_features_release(struct code_features *f);

/* The score above; 0 when either side has no tokens. */
double code_likeness(const struct code_features *q, const struct code_features *p);

/*
 * The features to index a pattern under (a bottom-k sketch): the
 * SKETCH_SHAPE smallest distinct shape hashes and the SKETCH_WORDS
 * smallest distinct word hashes. Near-identical code shares most of them,
 * and a query that looks up all its own distinct features finds every
 * pattern whose sketch it shares one with. Returns how many were written.
 */
size_t code_sketch(const struct code_features *f, uint32_t out[SKETCH_MAX]);

/*
 * The same sketch straight from code[0..len) in language (what
 * code_sketch() gives for code_features_compute()'s features), keeping
 * only the smallest hashes as they come rather than every feature: for
 * what indexes code and never scores it.
 */
size_t code_sketch_compute(const char *language, const char *code, size_t len,
			   uint32_t out[SKETCH_MAX]);
/* The same over joined parts (a pattern's hunks: tokenize_parts()). */
size_t code_sketch_compute_parts(const char *language, const char *code, size_t len,
				 const size_t *starts, size_t nr, uint32_t out[SKETCH_MAX]);

/*
 * The same, token by token, for a caller that tokenizes the code anyway
 * (common/tokenize.h): code_sketch_start(), code_sketch_token() as the
 * callback of tokenize() over the code in its language (it returns
 * non-zero once it has seen enough: call it no more), code_sketch_finish().
 */
struct token;
struct code_sketcher;
struct code_sketcher *code_sketcher_new(void);
void code_sketcher_free(struct code_sketcher *sk);
void code_sketch_start(struct code_sketcher *sk);
int code_sketch_token(const struct token *t, void *sketcher);
size_t code_sketch_finish(struct code_sketcher *sk, uint32_t out[SKETCH_MAX]);

/*
 * Every distinct feature of f (shape then words), for the query side;
 * *out is allocated (caller frees). Returns the count.
 */
size_t code_feature_keys(const struct code_features *f, uint32_t **out);

#endif
