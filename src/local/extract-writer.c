/*
 * extract-writer.c: batches of commit_results into the store (see
 * extract-writer.h), through the prepared statements of store-patterns.h,
 * store-processed.h and store-recall.h, reused for the whole run. The
 * full-text index is filled when first searched, so an insert touches
 * only the table and its indexes. The recall index gets each batch's
 * postings in the batch's transaction, from the sketches the diff threads
 * computed; a batch it cannot take so (an index behind or of another
 * version, a pattern already there) is indexed by the catch-up after its
 * commit.
 */
#include "local/extract-writer.h"
#include "local/store-patterns.h"
#include "local/store-processed.h"
#include "local/store-recall.h"
#include "common/pattern.h"
#include "common/util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_MAX_COMMITS 4000
#define BATCH_MAX_BYTES (16u << 20)
#define BATCH_MAX_SECONDS 0.25

struct extract_writer {
	struct store *s;
	struct pattern_inserter *patterns;
	struct processed_marker *marks;
	struct recall_postings_writer *recall;
	int in_txn;
	size_t nr_todo;		/* the commits this run writes, numbered newest first */
	long long seq_top;	/* the walk_seq of todo[0]; 0 until the first batch */
	size_t batch, batch_bytes;
	double batch_start;
};

int extract_writer_new(struct extract_writer **out, struct store *s, const char *variant,
		       size_t nr_todo)
{
	struct extract_writer *wr = xcalloc(1, sizeof(*wr));

	*out = NULL;
	wr->s = s;
	wr->nr_todo = nr_todo;
	if (store_tune_bulk_write(s) < 0 ||
	    pattern_inserter_new(&wr->patterns, s, variant) < 0 ||
	    processed_marker_new(&wr->marks, s, variant, (long long)time(NULL)) < 0 ||
	    recall_postings_writer_new(&wr->recall, s) < 0) {
		extract_writer_free(wr);
		return -1;
	}
	*out = wr;
	return 0;
}

/* The commit-wide fields of r's patterns. */
static void pattern_of_commit(struct pattern *p, const struct commit_result *r)
{
	memset(p, 0, sizeof(*p));
	git_oid_tostr(p->commit, sizeof(p->commit), &r->oid);
	p->problem_type = r->problem_type;
	p->rule = r->rule;
	p->commit_msg = r->subject;
	p->commit_body = r->body;
	p->author = r->author;
	p->author_name = r->author_name;
	p->date = r->date;
}

static int write_result(struct extract_writer *wr, const struct commit_result *r,
			size_t *patterns)
{
	struct pattern p;
	long long rowid;

	assert(!r->failed);
	pattern_of_commit(&p, r);
	for (size_t i = 0; i < r->nr; i++) {
		const struct file_pattern *fp = &r->files[i];

		memcpy(p.pattern_id, fp->pattern_id, sizeof(p.pattern_id));
		memcpy(p.solution_hash, fp->solution_hash, sizeof(p.solution_hash));
		p.file_path = fp->path;
		p.old_path = fp->old_path;
		p.language = fp->language;
		p.before_code = fp->before.buf;
		p.before_len = fp->before.len;
		p.after_code = fp->after.buf;
		p.after_len = fp->after.len;
		p.confidence = fp->confidence;
		p.file_role = fp->file_role;
		p.code_change = fp->code_change;
		p.hunks = fp->hunks;
		if (pattern_insert(wr->patterns, &p, r->commit_time,
				   wr->seq_top - (long long)r->index, &rowid) < 0)
			return -1;
		recall_postings_add(wr->recall, rowid, fp->sketch, fp->sketch_nr);
		(*patterns)++;
		wr->batch_bytes += fp->before.len + fp->after.len;
	}
	/* the mark in the transaction of the patterns, never before */
	return processed_mark(wr->marks, p.commit, r->skipped_unknown);
}

int extract_writer_flush(struct extract_writer *wr)
{
	int indexed;

	assert(wr->in_txn == store_in_transaction(wr->s));
	if (!wr->in_txn)
		return 0;
	wr->in_txn = 0;
	wr->batch = 0;
	wr->batch_bytes = 0;
	indexed = recall_postings_finish(wr->recall);
	if (indexed < 0 || store_commit(wr->s) < 0) {
		store_rollback(wr->s);
		return -1;
	}
	if (indexed)
		return 0;
	/*
	 * Index the batch for recall now, while the diff threads work on the
	 * next, rather than all of it after the last diff (extract_run()
	 * catches up with the last batch).
	 */
	return recall_index_catch_up(wr->s, NULL, NULL);
}

/*
 * In the first batch's transaction, take the walk_seq numbers of this
 * run's commits: the nr_todo above meta extract.walk_seq, todo[0] (the
 * newest) the highest, so that a later run's commits come out newer.
 */
static int number_commits(struct extract_writer *wr)
{
	char *v, buf[32];
	long long base;

	if (wr->seq_top)
		return 0;
	v = store_meta_get(wr->s, "extract.walk_seq");
	base = v ? strtoll(v, NULL, 10) : 0;
	free(v);
	if (base < 0)
		base = 0;
	wr->seq_top = base + (long long)wr->nr_todo;
	snprintf(buf, sizeof(buf), "%lld", wr->seq_top);
	return store_meta_set(wr->s, "extract.walk_seq", buf);
}

int extract_writer_add(struct extract_writer *wr, const struct commit_result *r,
		       struct extract_stats *st)
{
	if (!wr->in_txn) {
		if (store_begin(wr->s) < 0)
			return -1;
		if (recall_postings_begin(wr->recall) < 0 || number_commits(wr) < 0) {
			store_rollback(wr->s);
			return -1;
		}
		wr->in_txn = 1;
		wr->batch_start = now_seconds();
	}
	assert(store_in_transaction(wr->s));
	if (write_result(wr, r, &st->patterns) < 0) {
		store_rollback(wr->s);
		wr->in_txn = 0;
		wr->batch = wr->batch_bytes = 0;
		return -1;
	}
	st->processed++;
	st->files_skipped += r->files_skipped;
	if (r->skipped_unknown)
		st->skipped_unknown++;
	if (++wr->batch >= BATCH_MAX_COMMITS || wr->batch_bytes > BATCH_MAX_BYTES ||
	    now_seconds() - wr->batch_start > BATCH_MAX_SECONDS)
		return extract_writer_flush(wr);
	return 0;
}

void extract_writer_free(struct extract_writer *wr)
{
	if (!wr)
		return;
	if (wr->in_txn)
		store_rollback(wr->s);
	pattern_inserter_free(wr->patterns);
	processed_marker_free(wr->marks);
	recall_postings_writer_free(wr->recall);
	free(wr);
}
