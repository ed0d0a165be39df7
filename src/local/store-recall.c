/*
 * store-recall.c: the local recall index (sketch features -> patterns),
 * its catch-up after writers, and the query: candidates from the index,
 * then exact scores on their code. See store-recall.h for the contract.
 */
#include "local/store-recall.h"
#include "common/code-change.h"
#include "common/likeness.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define META_INDEXED "recall.indexed_upto"
#define META_VERSION "recall.version" /* LIKENESS_VERSION of the postings */
#define CATCH_UP_BATCH 10000

static long long indexed_upto(struct store *s)
{
	char *v = store_meta_get(s, META_INDEXED);
	long long n = v ? atoll(v) : 0;
	free(v);
	return n;
}

/* The highest pattern id (0: none), or -1 with err_set. */
static long long max_rowid(struct store *s)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(max(id), 0) FROM patterns");
	long long n = -1;

	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		store_error(s, "cannot read the highest pattern id");
	sqlite3_finalize(st);
	return n;
}

/* 1 if the postings were made by this LIKENESS_VERSION */
static int index_is_current(struct store *s)
{
	char *v = store_meta_get(s, META_VERSION);
	int current = v && atoi(v) == LIKENESS_VERSION;
	free(v);
	return current;
}

long long recall_index_pending(struct store *s)
{
	long long top = max_rowid(s), upto;
	if (top < 0)
		return -1;
	if (!index_is_current(s))
		return top;
	upto = indexed_upto(s);
	/* a mark above the top (the newest rows dropped): the catch-up lowers it */
	return upto > top ? 1 : top - upto;
}

/* Postings of another LIKENESS_VERSION: start again (in a transaction). */
static int index_reset(struct store *s)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", LIKENESS_VERSION);
	if (store_exec(s, "DELETE FROM recall_postings") < 0 ||
	    store_meta_set(s, META_INDEXED, "0") < 0 || store_meta_set(s, META_VERSION, v) < 0)
		return -1;
	return 0;
}

struct posting {
	uint32_t feature;
	long long pattern;
};

/*
 * Sort post[0..nr) by feature, then pattern. The postings come in pattern
 * order (each writer adds its patterns by increasing id), so a stable
 * sort on the feature does: an LSD radix sort, 8 bits a pass.
 */
static void sort_postings(struct posting *post, size_t nr)
{
	struct posting *tmp, *src = post, *dst;
	size_t count[256], i;
	int shift;

	if (nr < 2)
		return;
	tmp = xmalloc(nr * sizeof(*tmp));
	dst = tmp;
	for (shift = 0; shift < 32; shift += 8) {
		size_t sum = 0;
		memset(count, 0, sizeof(count));
		for (i = 0; i < nr; i++)
			count[(src[i].feature >> shift) & 0xff]++;
		for (i = 0; i < 256; i++) {
			size_t c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < nr; i++)
			dst[count[(src[i].feature >> shift) & 0xff]++] = src[i];
		src = dst;
		dst = src == post ? tmp : post;
	}
	/* four passes: the sorted postings are back in post */
	free(tmp);
}

/*
 * Postings written by one INSERT: with a statement per row, running the
 * statement cost about as much as the row's B-tree insert.
 */
#define POSTINGS_PER_INSERT 64

struct posting_insert {
	sqlite3_stmt *one, *many; /* of 1 and of POSTINGS_PER_INSERT rows */
};

static void posting_insert_release(struct posting_insert *ins)
{
	sqlite3_finalize(ins->one);
	sqlite3_finalize(ins->many);
	ins->one = ins->many = NULL;
}

/* Inserts into table: recall_postings, or temp.recall_tail (read-only stores). */
static int posting_insert_prepare(struct store *s, struct posting_insert *ins, const char *table)
{
	char sql[96 + POSTINGS_PER_INSERT * 8];
	size_t at;
	int i;

	at = (size_t)snprintf(sql, sizeof(sql),
			      "INSERT OR IGNORE INTO %s(feature, pattern) VALUES (?,?)", table);
	ins->one = store_prepare(s, sql);
	for (i = 1; i < POSTINGS_PER_INSERT; i++)
		at += (size_t)snprintf(sql + at, sizeof(sql) - at, ",(?,?)");
	ins->many = ins->one ? store_prepare(s, sql) : NULL;
	if (!ins->many) {
		posting_insert_release(ins);
		return -1;
	}
	return 0;
}

/*
 * Write post[0..nr) through ins, in feature order, so that the inserts
 * walk the index's pages in order instead of splitting pages all over it.
 */
static int write_postings(struct store *s, struct posting_insert *ins, struct posting *post,
			  size_t nr)
{
	size_t i = 0;

	sort_postings(post, nr);
	while (i < nr) {
		sqlite3_stmt *st = nr - i >= POSTINGS_PER_INSERT ? ins->many : ins->one;
		int k, rows = st == ins->many ? POSTINGS_PER_INSERT : 1;

		for (k = 0; k < rows; k++, i++) {
			sqlite3_bind_int64(st, 2 * k + 1, post[i].feature);
			sqlite3_bind_int64(st, 2 * k + 2, post[i].pattern);
		}
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_error(s, "cannot write the recall index");
		}
		sqlite3_reset(st);
	}
	return 0;
}

static int set_indexed_upto(struct store *s, long long id)
{
	char upto[32];

	snprintf(upto, sizeof(upto), "%lld", id);
	return store_meta_set(s, META_INDEXED, upto);
}

int recall_index_rows_dropped(struct store *s)
{
	long long top = max_rowid(s);

	if (top < 0)
		return -1;
	/*
	 * SQLite gives the next row the id after the highest left: the ids
	 * of the dropped rows above it come again, and must be indexed then.
	 * (Their postings stay: they only make the new row a candidate, which
	 * is scored on its own code.)
	 */
	return indexed_upto(s) > top ? set_indexed_upto(s, top) : 0;
}

/* Append to *post the postings of pattern id under sketch[0..n). */
static void add_postings(struct posting **post, size_t *nr, size_t *alloc, long long id,
			 const uint32_t *sketch, size_t n)
{
	size_t i;

	ALLOC_GROW(*post, *nr + n, *alloc);
	for (i = 0; i < n; i++) {
		(*post)[*nr].feature = sketch[i];
		(*post)[(*nr)++].pattern = id;
	}
}

/*
 * Index the patterns with ids above from, at most CATCH_UP_BATCH of them,
 * into table, and with mark advance recall.indexed_upto; *last: the
 * highest id seen (from when none).
 */
static int index_batch(struct store *s, long long from, long long *last, long long *done,
		       const char *table, int mark)
{
	sqlite3_stmt *sel;
	struct posting_insert ins = { NULL, NULL };
	struct posting *post = NULL;
	struct hunks hunks = HUNKS_INIT;
	size_t nr = 0, alloc = 0;
	int rc, ret = -1;

	*last = from;
	sel = store_prepare(s, "SELECT id, language, before_code, hunks FROM patterns"
			       " WHERE id > ?1 ORDER BY id LIMIT ?2");
	if (!sel || posting_insert_prepare(s, &ins, table) < 0)
		goto out;
	sqlite3_bind_int64(sel, 1, from);
	sqlite3_bind_int(sel, 2, CATCH_UP_BATCH);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(sel, 0);
		const char *lang = (const char *)sqlite3_column_text(sel, 1);
		const char *code = (const char *)sqlite3_column_text(sel, 2);
		size_t len = (size_t)sqlite3_column_bytes(sel, 2);
		uint32_t sketch[SKETCH_MAX];
		size_t n;

		*last = id;
		(*done)++;
		/* hunk by hunk, as the extraction sketched it */
		hunks_parse(&hunks, (const char *)sqlite3_column_text(sel, 3));
		n = code_sketch_compute_parts(lang ? lang : "", code ? code : "", len, hunks.before,
					      hunks.nr, sketch);
		add_postings(&post, &nr, &alloc, id, sketch, n);
	}
	if (rc != SQLITE_DONE) {
		store_error(s, "cannot read patterns to index");
		goto out;
	}
	if (write_postings(s, &ins, post, nr) < 0)
		goto out;
	ret = mark && *last > from ? set_indexed_upto(s, *last) : 0;
out:
	sqlite3_finalize(sel);
	hunks_release(&hunks);
	posting_insert_release(&ins);
	free(post);
	return ret;
}

/*
 * A read-only store cannot be indexed: the patterns its index lacks (all
 * of them when it is of another LIKENESS_VERSION) are indexed into the
 * connection's temporary database instead, in temp.recall_tail, which
 * gather_candidates() reads with the store's postings. Once per
 * connection.
 */
static int index_tail(struct store *s,
		      void (*progress)(long long done, long long total, void *data), void *data)
{
	long long total, done = 0, from = 0, top, last;
	int there = store_temp_exists(s, "recall_tail");

	if (there)
		return there < 0 ? -1 : 0;
	if ((total = recall_index_pending(s)) < 0)
		return -1;
	if (store_exec(s, "CREATE TEMP TABLE recall_tail ("
			  " feature INTEGER NOT NULL, pattern INTEGER NOT NULL,"
			  " PRIMARY KEY (feature, pattern)) WITHOUT ROWID") < 0)
		return -1;
	if (index_is_current(s)) {
		if ((top = max_rowid(s)) < 0)
			return -1;
		/* a mark above the top: the newest rows were dropped, and their ids come again */
		from = indexed_upto(s);
		if (from > top)
			from = top;
	}
	for (;;) {
		if (index_batch(s, from, &last, &done, "temp.recall_tail", 0) < 0)
			return -1;
		if (progress && total)
			progress(done, total > done ? total : done, data);
		if (last == from)
			return 0;
		from = last;
	}
}

int recall_index_catch_up(struct store *s,
			  void (*progress)(long long done, long long total, void *data),
			  void *data)
{
	long long total, done = 0;

	if (store_read_only(s))
		return index_tail(s, progress, data);
	total = recall_index_pending(s);
	if (total <= 0)
		return (int)total;
	for (;;) {
		long long from, last;

		if (store_begin(s) < 0)
			return -1;
		/* read under the write lock: another process may have indexed */
		if (!index_is_current(s) && index_reset(s) < 0) {
			store_rollback(s);
			return -1;
		}
		if (recall_index_rows_dropped(s) < 0) {
			store_rollback(s);
			return -1;
		}
		from = indexed_upto(s);
		if (index_batch(s, from, &last, &done, "recall_postings", 1) < 0) {
			store_rollback(s);
			return -1;
		}
		if (store_commit(s) < 0)
			return -1;
		if (progress)
			progress(done, total > done ? total : done, data);
		if (last == from)
			return 0;
	}
}

/* ---- postings written with the patterns (the extraction's batches) ---- */

struct recall_postings_writer {
	struct store *s;
	struct posting_insert ins;
	int active;		/* this batch's postings go in with it */
	long long from;		/* indexed_upto (= the highest id) at the begin */
	long long last, rows;	/* the highest new row, and how many */
	struct posting *post;
	size_t nr, alloc;
};

int recall_postings_writer_new(struct recall_postings_writer **out, struct store *s)
{
	struct recall_postings_writer *w = xcalloc(1, sizeof(*w));

	*out = NULL;
	w->s = s;
	if (posting_insert_prepare(s, &w->ins, "recall_postings") < 0) {
		recall_postings_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void recall_postings_writer_free(struct recall_postings_writer *w)
{
	if (!w)
		return;
	posting_insert_release(&w->ins);
	free(w->post);
	free(w);
}

int recall_postings_begin(struct recall_postings_writer *w)
{
	long long top;

	w->active = 0;
	w->nr = 0;
	w->rows = 0;
	/* under the write lock: no other process indexes or adds meanwhile */
	if ((top = max_rowid(w->s)) < 0)
		return -1;
	if (!index_is_current(w->s)) {
		if (top)
			return 0; /* the catch-up rebuilds it */
		/* an empty store: the catch-up's reset, with nothing to index */
		if (index_reset(w->s) < 0)
			return -1;
	}
	if (indexed_upto(w->s) != top)
		return 0;
	w->active = 1;
	w->from = w->last = top;
	return 0;
}

void recall_postings_add(struct recall_postings_writer *w, long long id, const uint32_t *sketch,
			 size_t n)
{
	if (!w->active)
		return;
	/* a pattern already there (or ids out of order): leave the batch */
	if (id <= w->last) {
		w->active = 0;
		return;
	}
	w->last = id;
	w->rows++;
	add_postings(&w->post, &w->nr, &w->alloc, id, sketch, n);
}

int recall_postings_finish(struct recall_postings_writer *w)
{
	long long top;

	if (!w->active)
		return 0;
	w->active = 0;
	/*
	 * The rows above the mark are exactly the batch's new ones: as many
	 * as the ids between, none above the last (nothing else wrote in
	 * this transaction).
	 */
	if ((top = max_rowid(w->s)) < 0)
		return -1;
	if (top != w->last || w->last - w->from != w->rows)
		return 0;
	if (!w->rows)
		return 1;
	if (write_postings(w->s, &w->ins, w->post, w->nr) < 0 ||
	    set_indexed_upto(w->s, w->last) < 0)
		return -1;
	return 1;
}

/* ---- candidates: pattern row id -> number of sketch features shared ---- */

struct counter {
	struct slot {
		long long id; /* 0: empty (row ids start at 1) */
		unsigned count;
	} *slots;
	size_t nr, mask;
};

static void counter_init(struct counter *c)
{
	c->mask = 1023;
	c->nr = 0;
	c->slots = xcalloc(c->mask + 1, sizeof(*c->slots));
}

static void counter_add(struct counter *c, long long id);

static void counter_grow(struct counter *c)
{
	struct slot *old = c->slots;
	size_t i, n = c->mask + 1;

	c->mask = n * 2 - 1;
	c->nr = 0;
	c->slots = xcalloc(c->mask + 1, sizeof(*c->slots));
	for (i = 0; i < n; i++) {
		unsigned k;
		for (k = 0; old[i].id && k < old[i].count; k++)
			counter_add(c, old[i].id);
	}
	free(old);
}

static void counter_add(struct counter *c, long long id)
{
	size_t i = (size_t)((unsigned long long)id * 0x9e3779b97f4a7c15ull >> 20) & c->mask;

	while (c->slots[i].id && c->slots[i].id != id)
		i = (i + 1) & c->mask;
	if (!c->slots[i].id) {
		if ((c->nr + 1) * 2 > c->mask) {
			counter_grow(c);
			counter_add(c, id);
			return;
		}
		c->slots[i].id = id;
		c->nr++;
	}
	c->slots[i].count++;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0; /* newer first */
}

/*
 * Look each query feature up; fill c with the patterns found. On a
 * read-only store, in its index (if of this LIKENESS_VERSION) and in
 * what index_tail() indexed of the rest.
 */
static int gather_candidates(struct store *s, const struct code_features *qf, struct counter *c)
{
	sqlite3_stmt *st;
	uint32_t *keys;
	size_t i, n;
	long long found[RECALL_COMMON_FEATURE + 1];
	int ret = 0, read_only = store_read_only(s), current = 0;

	if (read_only) {
		if (index_tail(s, NULL, NULL) < 0)
			return -1;
		current = index_is_current(s);
		st = store_prepare(s, "SELECT pattern FROM main.recall_postings"
				      " WHERE feature = ?1 AND ?3"
				      " UNION SELECT pattern FROM temp.recall_tail"
				      " WHERE feature = ?1 LIMIT ?2");
	} else {
		st = store_prepare(s, "SELECT pattern FROM recall_postings"
				      " WHERE feature = ?1 LIMIT ?2");
	}
	if (!st)
		return -1;
	n = code_feature_keys(qf, &keys);
	for (i = 0; i < n; i++) {
		int rc, k = 0;
		sqlite3_bind_int64(st, 1, keys[i]);
		sqlite3_bind_int(st, 2, RECALL_COMMON_FEATURE + 1);
		if (read_only)
			sqlite3_bind_int(st, 3, current);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			found[k++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			ret = store_error(s, "cannot read the recall index");
			break;
		}
		if (k > RECALL_COMMON_FEATURE)
			continue; /* a stop word: in too many sketches to tell */
		while (k--)
			counter_add(c, found[k]);
	}
	sqlite3_finalize(st);
	free(keys);
	return ret;
}

/* Every pattern a candidate (--exhaustive: the baseline the index beats). */
static int every_pattern(struct store *s, struct counter *c)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id FROM patterns WHERE obsolete = 0");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		counter_add(c, sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot read patterns");
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? xstrndup(v, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

int recall_find(struct store *s, const struct recall_query *q, struct recall_hits *hits)
{
	struct code_features qf = CODE_FEATURES_INIT, pf = CODE_FEATURES_INIT;
	struct hunks hunks = HUNKS_INIT;
	struct counter c;
	sqlite3_stmt *st = NULL;
	size_t i, j;
	int ret = -1;

	code_features_compute_parts(&qf, q->language ? q->language : "", q->code, q->len,
				    q->starts, q->nr_starts);
	if (!qf.tokens) {
		code_features_release(&qf);
		return 0;
	}
	counter_init(&c);
	if ((q->exhaustive ? every_pattern(s, &c) : gather_candidates(s, &qf, &c)) < 0)
		goto out;
	/* the candidates sharing the most features, in slot order compacted */
	for (i = j = 0; i <= c.mask; i++)
		if (c.slots[i].id)
			c.slots[j++] = c.slots[i];
	qsort(c.slots, j, sizeof(*c.slots), by_count_desc);
	if (j > RECALL_CANDIDATES && !q->exhaustive)
		j = RECALL_CANDIDATES;

	st = store_prepare(s, "SELECT p.pattern_id, p.problem_type, p.commit_msg, p.file_path,"
			      " p.commit_id, p.origin, p.server_id, p.language, p.date,"
			      " p.before_code, p.after_code, p.hunks FROM patterns p"
			      " WHERE p.id = ?1 AND p.obsolete = 0"
			      " AND (?2 IS NULL OR p.problem_type = ?2)"
			      " AND (?3 IS NULL OR p.commit_id IS NOT ?3)"
			      /* a team copy of a local pattern shows once, as local
				 (the rule of store-patterns.c's listings) */
			      " AND NOT (p.origin = 'team' AND EXISTS (SELECT 1 FROM patterns l"
			      " INDEXED BY patterns_solution WHERE l.origin = 'local' AND l.obsolete = 0"
			      " AND l.solution_hash = p.solution_hash))");
	if (!st)
		goto out;
	for (i = 0; i < j; i++) {
		struct recall_hit *h;
		const char *code, *lang;
		double score;
		int rc;

		sqlite3_bind_int64(st, 1, c.slots[i].id);
		if (q->problem_type)
			sqlite3_bind_text(st, 2, q->problem_type, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 2);
		if (q->exclude_commit)
			sqlite3_bind_text(st, 3, q->exclude_commit, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(st);
			if (rc == SQLITE_DONE)
				continue;
			store_error(s, "cannot read a recall candidate");
			goto out;
		}
		lang = (const char *)sqlite3_column_text(st, 7);
		code = (const char *)sqlite3_column_text(st, 9);
		/* hunk by hunk, as its sketch was made */
		hunks_parse(&hunks, (const char *)sqlite3_column_text(st, 11));
		code_features_compute_parts(&pf, lang ? lang : "", code ? code : "",
					    (size_t)sqlite3_column_bytes(st, 9), hunks.before,
					    hunks.nr);
		score = code_likeness(&qf, &pf);
		if (score < q->min_score || score <= 0) {
			sqlite3_reset(st);
			continue;
		}
		ALLOC_GROW(hits->items, hits->nr + 1, hits->alloc);
		h = &hits->items[hits->nr++];
		memset(h, 0, sizeof(*h));
		h->rowid = c.slots[i].id;
		h->score = score;
		h->pattern_id = dup_col(st, 0);
		h->problem_type = dup_col(st, 1);
		h->subject = dup_col(st, 2);
		h->file_path = dup_col(st, 3);
		h->commit_id = dup_col(st, 4);
		h->origin = dup_col(st, 5);
		h->server_id = dup_col(st, 6);
		h->language = dup_col(st, 7);
		h->date = dup_col(st, 8);
		h->before_code = dup_col(st, 9);
		h->before_len = (size_t)sqlite3_column_bytes(st, 9);
		h->after_code = dup_col(st, 10);
		h->after_len = (size_t)sqlite3_column_bytes(st, 10);
		sqlite3_reset(st);
	}
	ret = 0;
out:
	hunks_release(&hunks);
	sqlite3_finalize(st);
	free(c.slots);
	code_features_release(&qf);
	code_features_release(&pf);
	return ret;
}

static int is_team(const struct recall_hit *h)
{
	return h->origin && !strcmp(h->origin, "team");
}

/* Best first; on a tie a local pattern before the team's copy of it. */
static int by_score(const void *a, const void *b)
{
	const struct recall_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (is_team(x) != is_team(y))
		return is_team(x) - is_team(y);
	return strcmp(x->pattern_id ? x->pattern_id : "", y->pattern_id ? y->pattern_id : "");
}

static void hit_release(struct recall_hit *h)
{
	free(h->pattern_id);
	free(h->problem_type);
	free(h->subject);
	free(h->file_path);
	free(h->commit_id);
	free(h->origin);
	free(h->server_id);
	free(h->language);
	free(h->date);
	free(h->before_code);
	free(h->after_code);
}

static int same_pattern(const struct recall_hit *a, const struct recall_hit *b)
{
	if (a->pattern_id && b->pattern_id && !strcmp(a->pattern_id, b->pattern_id))
		return 1;
	return a->server_id && b->server_id && !strcmp(a->server_id, b->server_id);
}

void recall_hits_finish(struct recall_hits *hits, int limit)
{
	size_t i, j, k;

	if (hits->nr)
		qsort(hits->items, hits->nr, sizeof(*hits->items), by_score);
	for (i = k = 0; i < hits->nr; i++) {
		for (j = 0; j < k; j++)
			if (same_pattern(&hits->items[j], &hits->items[i]))
				break;
		/*
		 * The team's copy of a local pattern shows as local, whichever
		 * scored higher: the server reads a pattern as one piece (it has
		 * no hunk starts), so the two scores may differ a little.
		 */
		if (j < k && is_team(&hits->items[j]) && !is_team(&hits->items[i])) {
			struct recall_hit team_copy = hits->items[j];
			hits->items[j] = hits->items[i];
			hits->items[i] = team_copy;
		}
		if (j < k || (limit > 0 && k >= (size_t)limit)) {
			hit_release(&hits->items[i]);
			continue;
		}
		hits->items[k++] = hits->items[i];
	}
	hits->nr = k;
	if (k)
		qsort(hits->items, k, sizeof(*hits->items), by_score);
}

void recall_hits_release(struct recall_hits *hits)
{
	size_t i;

	for (i = 0; i < hits->nr; i++)
		hit_release(&hits->items[i]);
	free(hits->items);
	hits->items = NULL;
	hits->nr = hits->alloc = 0;
}
