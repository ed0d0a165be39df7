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
 * Patterns are appended to the store (rows are never renumbered; only a
 * sync drops the team patterns deleted on the server, and then calls
 * recall_index_rows_dropped()), so the index is kept current by indexing
 * the rows above a high-water mark (an index of another LIKENESS_VERSION is rebuilt): extract, sync and the hooks call recall_index_catch_up()
 * after they write; recall does too before it looks, so a store made by an
 * older git-patterns is indexed on first use. The extraction writes most
 * of its postings itself, with the patterns (recall_postings_writer
 * below), and leaves the catch-up little or nothing to do.
 */
#ifndef STORE_RECALL_H
#define STORE_RECALL_H

#include "local/store.h"

#include <stddef.h>
#include <stdint.h>

#define RECALL_COMMON_FEATURE 256
#define RECALL_CANDIDATES 200

/* Patterns not yet indexed (an estimate from row ids); -1 on error. */
long long recall_index_pending(struct store *s);

/*
 * After rows were deleted, in their transaction: the ids above the highest
 * row left will be given again, so the mark comes down to it. 0 or -1.
 */
int recall_index_rows_dropped(struct store *s);

/*
 * Index every pattern added since the last catch-up, in transactions of a
 * few thousand patterns. progress (may be NULL) is called after each with
 * the patterns done and the total to do. 0, or -1 with err_set.
 * A read-only store (store_read_only) is left as it is: what its index
 * lacks is indexed in the connection's temporary database, which
 * recall_find() reads too.
 */
int recall_index_catch_up(struct store *s,
			  void (*progress)(long long done, long long total, void *data),
			  void *data);

/*
 * The postings of patterns as they are written, for a writer that knows
 * their sketches (the extraction, whose diff threads compute them): a
 * batch's postings go into the batch's own transaction, and the catch-up
 * has nothing to read back. Its statements are prepared once, for a run.
 *
 * In each transaction (store_begin() done, so under the write lock):
 * recall_postings_begin(), then recall_postings_add() for every pattern
 * insert, then recall_postings_finish() before the commit. The batch's
 * postings are written only if the index was current and caught up at
 * the begin (recall.indexed_upto the highest pattern id, same
 * LIKENESS_VERSION; an empty store counts) and every insert of the batch
 * made a new row, the batch's rows being all the rows above the mark;
 * otherwise nothing is written and recall_index_catch_up() indexes them
 * as it would have. Either way the postings are those the catch-up
 * writes.
 */
struct recall_postings_writer;
int recall_postings_writer_new(struct recall_postings_writer **out, struct store *s);
void recall_postings_writer_free(struct recall_postings_writer *w);

/* In a transaction just begun. 0, or -1 with err_set. */
int recall_postings_begin(struct recall_postings_writer *w);

/*
 * A pattern inserted as row id (0: it was there already), whose
 * before_code in its language has this sketch (code_sketch_compute()).
 */
void recall_postings_add(struct recall_postings_writer *w, long long id, const uint32_t *sketch,
			 size_t n);

/*
 * Before the commit: write the batch's postings and advance the mark if
 * the batch qualifies (1), or leave them to the catch-up (0). -1 with
 * err_set.
 */
int recall_postings_finish(struct recall_postings_writer *w);

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
	const size_t *starts;	  /* where each hunk of code starts (tokenize_parts()) */
	size_t nr_starts;	  /* 0: code is one piece */
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
 * (and per server id), the local one when a team copy is there too, then
 * at most limit. */
void recall_hits_finish(struct recall_hits *hits, int limit);
void recall_hits_release(struct recall_hits *hits);

#endif
