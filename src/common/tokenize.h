/*
 * tokenize: split source code into tokens, knowing each language's
 * comments, strings and keywords.
 *
 * Comments, whitespace and layout never produce tokens, so two texts that
 * differ only in those give the same token sequence. One pass over the
 * bytes, no allocation: each token points into the caller's buffer.
 *
 * The language is a name as common/language.c returns it ("c", "python",
 * "javascript"...). Languages it does not know, and "", are scanned as C
 * (// and block comments, "strings", 'chars'), which is close enough for
 * most curly-brace code.
 *
 * Code may be a fragment (a diff hunk): a string left open ends at the end
 * of its line (except in languages whose strings span lines), and a C-like
 * fragment that begins inside a block comment ("* text ... *\/") is taken
 * as starting in that comment.
 */
#ifndef TOKENIZE_H
#define TOKENIZE_H

#include <stddef.h>

enum token_kind {
	TOKEN_IDENTIFIER,
	TOKEN_KEYWORD,
	TOKEN_NUMBER,
	TOKEN_STRING, /* quotes included; python docstrings are strings */
	TOKEN_CHAR,   /* 'x' in languages where quotes make a character */
	TOKEN_OPERATOR /* operators and punctuation */
};
#define TOKEN_KINDS 6

struct token {
	enum token_kind kind;
	const char *start; /* into the code given to tokenize() */
	size_t len;
};

/*
 * Call fn for each token of code[0..len) in order. Returns 0 when every
 * token was seen, or the first non-zero value fn returned (which stops the
 * scan). Never fails otherwise: any byte sequence is tokenized.
 */
int tokenize(const char *language, const char *code, size_t len,
	     int (*fn)(const struct token *t, void *data), void *data);

/*
 * tokenize() over code that is several fragments joined (a diff's hunks):
 * each part code[starts[i], starts[i + 1]) is tokenized on its own, so a
 * hunk that ends inside a block comment does not make the hunks after it
 * comment text. starts[0] is 0; starts NULL or nr 0 (or starts that are
 * not increasing offsets within len) mean one part, the whole code.
 */
int tokenize_parts(const char *language, const char *code, size_t len, const size_t *starts,
		   size_t nr, int (*fn)(const struct token *t, void *data), void *data);

/* 1 if word[0..len) is a keyword of language (per tokenize()'s tables). */
int tokenize_is_keyword(const char *language, const char *word, size_t len);

/* "identifier", "keyword", ... for messages and tests. */
const char *token_kind_name(enum token_kind kind);

/*
 * 1 if language has its own comment syntax here; 0 if tokenize() would
 * only guess (scan it as C), as for "" and languages it does not list.
 */
int tokenize_knows(const char *language);

#endif
