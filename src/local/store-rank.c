/*
 * store-rank.c: gp_rank, the BM25F relevance of git patterns search, as
 * an FTS5 auxiliary function (see store-rank.h).
 */
#include "local/store-rank.h"
#include "common/util.h"

#include <math.h>
#include <string.h>

/* The columns of patterns_fts, in order (store.c, migration 5). */
enum { COL_SUBJECT, COL_BODY, COL_PATH, COL_BEFORE, COL_AFTER, NCOLS };

/*
 * Per column: its weight (a word in the subject says what the change is
 * about; a word in the context lines of its code says little) and how
 * much its length lowers a match (b of BM25: a long body that mentions
 * everything counts each mention less).
 */
static const double col_weight[NCOLS] = { 12.0, 2.0, 2.0, 0.5, 0.5 };
static const double col_b[NCOLS] = { 0.5, 0.75, 0.5, 0.75, 0.75 };

/*
 * Saturation: the tenth mention of a word adds little to the first. Larger
 * than BM25's usual 1.2, so that the weights above still tell a word in
 * the subject from a few in a long body.
 */
#define RANK_K1 6.0
/* A synonym or other form of a word counts this much of the word. */
#define RANK_OTHER_FORM 0.8
/*
 * The score is scaled by the share of the question (by idf) the pattern
 * matches: a pattern with every word comes first.
 */
#define RANK_COVERAGE_POWER 1.0
/* The question's words side by side count this much of a word. */
#define RANK_PHRASE_WEIGHT 0.4

#define MAX_PHRASES 128
#define MAX_WORDS 64

/* What a query's rows share: computed on the first row, kept as FTS5 aux data. */
struct rank_query {
	int nphrase, nword;
	int word[MAX_PHRASES];	    /* the question's word a phrase stands for; -1: none */
	int other_form[MAX_PHRASES]; /* 1: a synonym, not the word as asked */
	double idf[MAX_PHRASES];
	double avg_len[NCOLS];
	double word_idf[MAX_WORDS];  /* of the word as asked: its share of the question */
	double question_idf;	     /* sum of word_idf */
	double phrase_bonus_idf;     /* the question as one phrase; 0: none */
	int phrase_of_question;	     /* its phrase index, -1: none */
};

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *data)
{
	(void)api;
	(void)fts;
	(*(sqlite3_int64 *)data)++;
	return SQLITE_OK;
}

/* BM25's idf, in the form that stays positive for a word in most rows. */
static double idf_of(sqlite3_int64 rows, sqlite3_int64 hits)
{
	return log(1.0 + ((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
}

static void read_groups(struct rank_query *q, int nval, sqlite3_value **val)
{
	q->phrase_of_question = -1;
	q->nword = 0;
	for (int i = 0; i < q->nphrase; i++) {
		int g = i < nval ? sqlite3_value_int(val[i]) : i;
		q->other_form[i] = 0;
		if (g == STORE_RANK_PHRASE) {
			q->word[i] = -1;
			q->phrase_of_question = i;
			continue;
		}
		if (g >= STORE_RANK_OTHER_FORM) {
			g -= STORE_RANK_OTHER_FORM;
			q->other_form[i] = 1;
		}
		if (g < 0 || g >= MAX_WORDS)
			g = MAX_WORDS - 1;
		q->word[i] = g;
		if (g + 1 > q->nword)
			q->nword = g + 1;
	}
}

static int load_query(const Fts5ExtensionApi *api, Fts5Context *fts, int nval,
		      sqlite3_value **val, struct rank_query **out)
{
	struct rank_query *q = api->xGetAuxdata(fts, 0);
	sqlite3_int64 rows = 0;
	int rc;

	if (q) {
		*out = q;
		return SQLITE_OK;
	}
	q = sqlite3_malloc(sizeof(*q));
	if (!q)
		return SQLITE_NOMEM;
	memset(q, 0, sizeof(*q));
	q->nphrase = api->xPhraseCount(fts);
	if (q->nphrase > MAX_PHRASES)
		q->nphrase = MAX_PHRASES;
	read_groups(q, nval, val);

	rc = api->xRowCount(fts, &rows);
	for (int c = 0; rc == SQLITE_OK && c < NCOLS; c++) {
		sqlite3_int64 tokens = 0;
		rc = api->xColumnTotalSize(fts, c, &tokens);
		q->avg_len[c] = rows ? (double)tokens / (double)rows : 1.0;
		if (q->avg_len[c] <= 0)
			q->avg_len[c] = 1.0;
	}
	for (int i = 0; rc == SQLITE_OK && i < q->nphrase; i++) {
		sqlite3_int64 hits = 0;
		rc = api->xQueryPhrase(fts, i, &hits, count_row);
		q->idf[i] = idf_of(rows, hits);
	}
	if (rc != SQLITE_OK) {
		sqlite3_free(q);
		return rc;
	}
	/* a word's share of the question: the idf of the word as asked (or its best form) */
	for (int i = 0; i < q->nphrase; i++) {
		int w = q->word[i];
		if (w < 0) {
			q->phrase_bonus_idf = q->idf[i];
			continue;
		}
		if (!q->other_form[i] || q->word_idf[w] == 0)
			q->word_idf[w] = q->idf[i];
	}
	for (int w = 0; w < q->nword; w++)
		q->question_idf += q->word_idf[w];
	rc = api->xSetAuxdata(fts, q, sqlite3_free);
	if (rc != SQLITE_OK)
		return rc;
	*out = q;
	return SQLITE_OK;
}

/* BM25F of the phrases of this row; *score. */
static int score_row(const Fts5ExtensionApi *api, Fts5Context *fts, const struct rank_query *q,
		     double *score)
{
	int tf[MAX_PHRASES][NCOLS];
	double norm[NCOLS], word_score[MAX_WORDS];
	double sum = 0, covered = 0;
	int ninst = 0, rc;

	memset(tf, 0, sizeof(tf[0]) * (size_t)q->nphrase);
	rc = api->xInstCount(fts, &ninst);
	for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int phrase, col, off;
		rc = api->xInst(fts, i, &phrase, &col, &off);
		if (rc == SQLITE_OK && phrase < q->nphrase && col >= 0 && col < NCOLS)
			tf[phrase][col]++;
	}
	for (int c = 0; rc == SQLITE_OK && c < NCOLS; c++) {
		int len = 0;
		rc = api->xColumnSize(fts, c, &len);
		norm[c] = 1.0 - col_b[c] + col_b[c] * (double)len / q->avg_len[c];
	}
	if (rc != SQLITE_OK)
		return rc;

	memset(word_score, 0, sizeof(word_score[0]) * (size_t)q->nword);
	for (int p = 0; p < q->nphrase; p++) {
		double t = 0, s;
		for (int c = 0; c < NCOLS; c++)
			if (tf[p][c])
				t += col_weight[c] * tf[p][c] / norm[c];
		if (t == 0)
			continue;
		s = q->idf[p] * t * (RANK_K1 + 1.0) / (RANK_K1 + t);
		if (q->word[p] < 0) {
			sum += RANK_PHRASE_WEIGHT * s;	/* words side by side */
			continue;
		}
		if (q->other_form[p])
			s *= RANK_OTHER_FORM;
		if (s > word_score[q->word[p]])
			word_score[q->word[p]] = s;
	}
	for (int w = 0; w < q->nword; w++) {
		sum += word_score[w];
		if (word_score[w] > 0)
			covered += q->word_idf[w];
	}
	if (q->question_idf > 0)
		sum *= pow(covered / q->question_idf, RANK_COVERAGE_POWER);
	*score = sum;
	return SQLITE_OK;
}

static void gp_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		    int nval, sqlite3_value **val)
{
	struct rank_query *q;
	double score = 0;
	int rc = load_query(api, fts, nval, val, &q);

	if (rc == SQLITE_OK)
		rc = score_row(api, fts, q, &score);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	sqlite3_result_double(ctx, -score);
}

/* The connection's fts5_api (SQLite's documented way to reach it). */
static fts5_api *fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int store_rank_register(struct store *s)
{
	fts5_api *api = fts5_of(store_db(s));

	if (!api)
		return err_set("%s: this SQLite has no FTS5", store_path(s));
	if (api->xCreateFunction(api, STORE_RANK_FUNCTION, NULL, gp_rank, NULL) != SQLITE_OK)
		return err_set("%s: cannot register the search ranking", store_path(s));
	return 0;
}
