/*
 * store-rank: the relevance of git patterns search, an FTS5 auxiliary
 * function registered on the store's connection. store-patterns.c names
 * it in its searches; nothing else calls SQLite for it.
 *
 * gp_rank(patterns_fts, g1, g2, ...) takes one integer per phrase of the
 * MATCH expression, in the expression's order, saying which word of the
 * question the phrase stands for:
 *
 *   c          the question's word number c (0, 1, ...) as asked
 *   1000 + c   another form of word c (a synonym from query.c's table)
 *   -1         the question's words as one phrase (a bonus, no word)
 *
 * It returns minus the score (FTS5 orders by rank ascending), the score
 * being BM25F over the columns commit_msg, commit_body, file_path,
 * before_code and after_code: for each phrase, its frequency in each
 * column weighted and normalised by the column's length against the
 * column's mean (the subject weighs most, then the body and path, the
 * code little), saturated (k1) and times the phrase's idf; a word scores
 * as its best form (another form counting a little less); the phrases of
 * words side by side add a part of theirs; the sum is then scaled by how
 * much of the question (by idf) the pattern matches, so that a pattern
 * with every word comes first.
 */
#ifndef STORE_RANK_H
#define STORE_RANK_H

#include "local/store.h"

/* The ranking function's name, for "rank MATCH 'gp_rank(...)'". */
#define STORE_RANK_FUNCTION "gp_rank"

/* Phrase group codes (see above). */
#define STORE_RANK_OTHER_FORM 1000
#define STORE_RANK_PHRASE (-1)

/* Register gp_rank on s's connection (again is harmless). 0, or -1 and err_set. */
int store_rank_register(struct store *s);

#endif
