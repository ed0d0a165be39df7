/*
 * store-recall: "was this fixed before?" over the local store. Owns the
 * recall index (table recall_postings and the meta keys recall.indexed_upto and
 * recall.version;
 * no other module reads or writes them). It reads the patterns table's
 * id, language, before_code and the fields of a hit, read-only.
 *
 * The index maps each pattern's sketch (common/likeness.h: the smallest
 * hashes of its before_code's shingles and words) to the pattern. A query
 * looks up every distinct feature of the code being changed, counts the
 * patterns each finds, and scores the best candidates exactly with
 * code_likeness() on their before_code: it never reads every pattern.
 * A feature found in more than RECALL_COMMON_FEATURE sketches says little
 * and is skipped (a stop word).
 *
 * Patterns are only ever appended to the store (rows are never deleted or
 * renumbered), so the index is kept current by indexing the rows above a
 * high-water mark (an index of another LIKENESS_VERSION is rebuilt): extract, sync and the hooks call recall_index_catch_up()
 * after they write; recall does too before it looks, so a store made by an
 * older git-patterns is indexed on first use.
 */
#ifndef STORE_RECALL_H
#define STORE_RECALL_H

#include "local/store.h"

#define RECALL_COMMON_FEATURE 256
#define RECALL_CANDIDATES 200

/* Patterns not yet indexed (an estimate from row ids); -1 on error. */
long long recall_index_pending(struct store *s);

/*
 * Index every pattern added since the last catch-up, in transactions of a
 * few thousand patterns. progress (may be NULL) is called after each with
 * the patterns done and the total to do. 0, or -1 with err_set.
 */
int recall_index_catch_up(struct store *s,
			  void (*progress)(long long done, long long total, void *data),
			  void *data);

struct recall_hit {
	long long rowid;
	double score;
	char *pattern_id, *problem_type, *subject, *file_path, *commit_id;
	char *origin, *server_id, *language, *date;
	char *before_code, *after_code;
	size_t before_len, after_len;
};

struct recall_hits {
	struct recall_hit *items;
	size_t nr, alloc;
};

#define RECALL_HITS_INIT { NULL, 0, 0 }

struct recall_query {
	const char *language;	  /* of the code; "" if unknown */
	const char *code;
	size_t len;
	const char *problem_type; /* only patterns of this type; NULL: any */
	const char *exclude_commit; /* leave out this commit's own patterns */
	int limit;		  /* best hits kept, > 0 */
	double min_score;	  /* hits below are dropped */
	int exhaustive;		  /* score every pattern, not the index's candidates */
};

/*
 * Add to hits the patterns (not obsolete, team copies of local patterns
 * left out) whose before_code is most like q's code, best first, at most
 * q->limit, one per pattern_id. 0, or -1 with err_set.
 */
int recall_find(struct store *s, const struct recall_query *q, struct recall_hits *hits);

/* Sort by score (best first, then pattern_id), keep one hit per pattern id
 * (and per server id), then at most limit. */
void recall_hits_finish(struct recall_hits *hits, int limit);
void recall_hits_release(struct recall_hits *hits);

#endif
