/*
 * store-patterns.c: all the SQL on the patterns table, its full-text index
 * and the temporary export range (see store-patterns.h). Only bound
 * parameters reach a statement; the few variable parts of a statement
 * (a join, an order, a column) are chosen among constants here.
 */
#include "local/store-patterns.h"
#include "local/store-rank.h"
#include "local/store-recall.h"
#include "common/code-change.h"
#include "common/file-role.h"
#include "common/language.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <assert.h>
#include <string.h>

/*
 * SQL condition: the team pattern (alias p) is also a local pattern of
 * this repository (same solution), so listings show it once, as local.
 */
#define TEAM_ROW_SHADOWED(p)                                                           \
	"(" p ".origin = 'team' AND EXISTS (SELECT 1 FROM patterns l"                  \
	" INDEXED BY patterns_solution"                                                \
	" WHERE l.origin = 'local' AND l.obsolete = 0 AND l.solution_hash = " p        \
	".solution_hash))"

/* The columns of struct pattern_row, in fill_row's order; then the code. */
#define ROW_COLUMNS                                                                        \
	"p.id, p.pattern_id, p.problem_type, p.language, p.file_path, p.old_path,"          \
	" p.commit_msg, p.commit_body, p.commit_id, p.author, p.author_name, p.date,"       \
	" p.origin, p.server_id, p.solution_hash, p.variant, p.confidence, p.success_count," \
	" p.obsolete, p.file_role, p.code_change, p.rule"
#define CODE_COLUMNS ", p.before_code, p.after_code"

/*
 * Relevance factor by the number of files of the pattern's commit: the
 * patterns of a mechanical commit (re-import, reformat, mass rename)
 * contain every word of the tree and would crowd the top.
 */
#define SEARCH_COMMIT_FACTOR(p)                                                        \
	"(SELECT CASE WHEN n <= 10 THEN 1.0 WHEN n <= 30 THEN 0.7 WHEN n <= 100 THEN 0.4"  \
	" ELSE 0.15 END FROM (SELECT count(*) AS n FROM patterns q INDEXED BY patterns_commit" \
	" WHERE q.commit_id = " p ".commit_id AND q.variant = " p ".variant))"

/*
 * How many of the best hits by gp_rank alone (store-rank.h, ranked inside
 * FTS5) are ranked further (filters, the commit factor, one per commit
 * and per solution), per answer asked for, and at least: the factor only
 * lowers scores and a commit gives one answer, so the answers come from
 * the best few hundred; joining every hit of a common word (10,000 for
 * "memory") would cost more than the search.
 */
#define SEARCH_CANDIDATES_PER_ANSWER 40
#define SEARCH_CANDIDATES_MIN 200

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void fill_row(sqlite3_stmt *st, struct pattern_row *r, int with_code)
{
	memset(r, 0, sizeof(*r));
	r->rowid = sqlite3_column_int64(st, 0);
	r->pattern_id = text(st, 1);
	r->problem_type = text(st, 2);
	r->language = text(st, 3);
	r->file_path = text(st, 4);
	r->old_path = text(st, 5);
	r->commit_msg = text(st, 6);
	r->commit_body = text(st, 7);
	r->commit_id = text(st, 8);
	r->author = text(st, 9);
	r->author_name = text(st, 10);
	r->date = text(st, 11);
	r->origin = text(st, 12);
	r->server_id = text(st, 13);
	r->solution_hash = text(st, 14);
	r->variant = text(st, 15);
	r->confidence = sqlite3_column_double(st, 16);
	r->success_count = sqlite3_column_int64(st, 17);
	r->obsolete = sqlite3_column_int(st, 18);
	r->file_role = text(st, 19);
	r->code_change = sqlite3_column_int(st, 20);
	r->rule = text(st, 21);
	if (with_code) {
		r->before_code = sqlite3_column_blob(st, 22);
		r->before_len = (size_t)sqlite3_column_bytes(st, 22);
		r->after_code = sqlite3_column_blob(st, 23);
		r->after_len = (size_t)sqlite3_column_bytes(st, 23);
		if (!r->before_code)
			r->before_code = "";
		if (!r->after_code)
			r->after_code = "";
	}
}

/* Step st to its end, fn for each row; finalizes st. */
static int run_rows(struct store *s, sqlite3_stmt *st, int with_code, pattern_row_fn fn,
		    void *data)
{
	struct pattern_row r;
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fill_row(st, &r, with_code);
		ret = fn(&r, data);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = store_error(s, "cannot read patterns");
	sqlite3_finalize(st);
	return ret;
}

/* Step a statement that returns nothing; reset it for the next use. */
static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, what);
}

/* ---------------------------------------------------------------- */
/* Listing and search                                               */

/* The filters of struct pattern_filter on alias p, parameters ?1 to ?5, ?8, ?9. */
#define LIST_FILTERS                                                                   \
	"NOT " TEAM_ROW_SHADOWED("p") " AND"                                           \
	" (?1 IS NULL OR p.origin = 'team' OR p.variant = ?1)"                         \
	" AND (?2 IS NULL OR p.problem_type = ?2)"                                     \
	" AND (?3 IS NULL OR p.language = ?3 COLLATE NOCASE)"                          \
	" AND (?4 IS NULL OR p.origin = ?4)"                                           \
	" AND (?5 OR p.obsolete = 0)"                                                  \
	" AND (?8 IS NULL OR p.file_role = ?8)"                                        \
	" AND (NOT ?9 OR p.code_change)"

/*
 * One search stage: the hits (HITS, below), those that pass the filters
 * (read from the covering index patterns_search, not the rows), the best
 * row of each commit, the best ?12 commits by gp_rank, times the commit
 * factor, the best row of each solution (a cherry-pick shows once).
 */
#define SEARCH_STAGE(hits)                                                                 \
	"WITH hits AS (" hits "),"                                                         \
	" ranked AS ("                                                                     \
	" SELECT p.id, h.score, coalesce(p.commit_id, p.id) AS change, p.commit_id,"       \
	"  p.variant, p.solution_hash"                                                     \
	" FROM hits h JOIN patterns p INDEXED BY patterns_search ON p.id = h.id"           \
	" WHERE " LIST_FILTERS "),"                                                        \
	" per_commit AS ("                                                                 \
	" SELECT *, row_number() OVER (PARTITION BY change ORDER BY score, id) AS k"       \
	" FROM ranked),"                                                                   \
	" cand AS (SELECT * FROM per_commit WHERE k = 1 ORDER BY score LIMIT ?12),"        \
	" factored AS ("                                                                   \
	" SELECT c.id, c.score * " SEARCH_COMMIT_FACTOR("c") " AS score, c.solution_hash"   \
	" FROM cand c),"                                                                   \
	" best AS ("                                                                       \
	" SELECT id, score, row_number() OVER"                                             \
	"  (PARTITION BY solution_hash ORDER BY score, id) AS nth FROM factored)"          \
	" SELECT " ROW_COLUMNS " FROM best b JOIN patterns p ON p.id = b.id"               \
	" WHERE b.nth = 1 ORDER BY b.score, p.id LIMIT ?7"

/*
 * The hits in full-text index fts: the best ?10 by gp_rank, ranked inside
 * FTS5 (ORDER BY rank LIMIT: only those are joined); or every hit, its
 * rank computed only for the rows that pass the filters.
 */
#define SEARCH_BEST_HITS(fts)                                                              \
	"SELECT rowid AS id, rank AS score FROM " fts                                      \
	" WHERE " fts " MATCH ?6 AND rank MATCH ?11 ORDER BY rank LIMIT ?10"
#define SEARCH_ALL_HITS(fts)                                                               \
	"SELECT rowid AS id, rank AS score FROM " fts " WHERE " fts " MATCH ?6 AND rank MATCH ?11"

/*
 * The rows of each full-text index (store.c, migration 13): the
 * whole-file extraction's ("whole,max=N") in patterns_fts_whole, the rest
 * (hunks, and the team's) in patterns_fts. As ranges, so that the rows
 * left to index are found in patterns_fts_todo (variant, id).
 */
#define WHOLE_ROWS "(variant >= 'whole,' AND variant < 'whole-')"
#define HUNK_ROWS "(variant < 'whole,' OR variant >= 'whole-')"

static int is_whole_variant(const char *variant)
{
	return variant && !strncmp(variant, "whole,", 6);
}

static int fts_catch_up(struct store *s, int whole);

/*
 * Run a listing (match NULL) or one search stage (match: an FTS5 query)
 * over the best candidates hits by rank, or every hit (candidates 0).
 */
static int list_stage(struct store *s, const struct pattern_filter *f, const char *match,
		      int candidates, int limit, pattern_row_fn fn, void *data)
{
	sqlite3_stmt *st;

	int whole = is_whole_variant(f->variant);

	if (match && candidates > 0)
		st = store_prepare(s, whole ? SEARCH_STAGE(SEARCH_BEST_HITS("patterns_fts_whole"))
					    : SEARCH_STAGE(SEARCH_BEST_HITS("patterns_fts")));
	else if (match)
		st = store_prepare(s, whole ? SEARCH_STAGE(SEARCH_ALL_HITS("patterns_fts_whole"))
					    : SEARCH_STAGE(SEARCH_ALL_HITS("patterns_fts")));
	else
		st = store_prepare(s, "SELECT " ROW_COLUMNS " FROM patterns p WHERE " LIST_FILTERS
				      " ORDER BY p.commit_time DESC, p.walk_seq DESC, p.commit_id, p.file_path, p.id"
				      " LIMIT ?7");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, f->variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->problem_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->language, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->include_obsolete);
	sqlite3_bind_int64(st, 7, limit > 0 ? limit : -1);
	sqlite3_bind_text(st, 8, f->file_role, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, f->code_only);
	if (match) {
		sqlite3_bind_text(st, 6, match, -1, SQLITE_STATIC);
		if (candidates > 0)
			sqlite3_bind_int64(st, 10, candidates);
		sqlite3_bind_text(st, 11, f->fts_rank, -1, SQLITE_STATIC);
		/* commits ranked further: as many as the hits of the best, or all */
		sqlite3_bind_int64(st, 12, limit > 0 ? (sqlite3_int64)limit *
							SEARCH_CANDIDATES_PER_ANSWER
						     : -1);
	}
	return run_rows(s, st, 0, fn, data);
}

/* The answers given by the search stages so far, so a later one adds only new ones. */
struct search_stages {
	pattern_row_fn fn;
	void *data;
	int limit, given, full;
	struct string_list seen; /* the commits, solutions and subject-and-paths given */
};

static int stage_seen(const struct search_stages *x, const char *key)
{
	for (size_t i = 0; key && i < x->seen.nr; i++)
		if (!strcmp(x->seen.items[i], key))
			return 1;
	return 0;
}

static int stage_row(const struct pattern_row *r, void *data)
{
	struct search_stages *x = data;
	char *change = xstrfmt("%s\n%s", r->commit_msg ? r->commit_msg : "", r->file_path);
	int ret;

	/* a cherry-pick whose context differs has another solution_hash, not another subject */
	if (stage_seen(x, r->solution_hash) || stage_seen(x, r->commit_id) ||
	    stage_seen(x, change)) {
		free(change);
		return 0;
	}
	string_list_append(&x->seen, change);
	free(change);
	if (r->solution_hash)
		string_list_append(&x->seen, r->solution_hash);
	if (r->commit_id)
		string_list_append(&x->seen, r->commit_id);
	ret = x->fn(r, x->data);
	if (ret)
		return ret;
	if (++x->given == x->limit) {
		x->full = 1;
		return 1;
	}
	return 0;
}

int pattern_store_list(struct store *s, const struct pattern_filter *f, pattern_row_fn fn,
		       void *data)
{
	struct search_stages x = { fn, data, f->limit, 0, 0, STRING_LIST_INIT };
	char *message;
	int candidates, ret = 0;

	if (!f->fts_match)
		return list_stage(s, f, NULL, 0, f->limit, fn, data);
	/* the index searched (whole files have theirs) brought up to date */
	if (fts_catch_up(s, is_whole_variant(f->variant)) < 0 || store_rank_register(s) < 0)
		return -1;
	if (f->limit <= 0)
		return list_stage(s, f, f->fts_match, 0, f->limit, fn, data);
	/*
	 * Stages, each only when the ones before gave fewer answers than
	 * asked for: what the changes say (subject, body, path), a small
	 * part of the index, then every column, code too (those answers come
	 * after). Each is first run over the best candidates only, then over
	 * every hit (a filter, many files of one commit, or cherry-picks left
	 * too few), its rank computed only for the rows that pass the filters.
	 * A type, language or role leaves out most of the best: every hit at
	 * once then (--code-only and --origin leave most in). Most questions
	 * are answered by the first.
	 */
	candidates = f->limit * SEARCH_CANDIDATES_PER_ANSWER;
	if (candidates < SEARCH_CANDIDATES_MIN)
		candidates = SEARCH_CANDIDATES_MIN;
	if (f->problem_type || f->language || f->file_role)
		candidates = 0;
	message = xstrfmt("{commit_msg commit_body file_path} : (%s)", f->fts_match);
	/* twice the answers: cherry-picks are left out here (stage_row) */
	for (int stage = 0; !ret && !x.full && stage < 4; stage++) {
		int bounded = !(stage & 1);
		if (bounded && !candidates)
			continue;
		ret = list_stage(s, f, stage < 2 ? message : f->fts_match,
				 bounded ? candidates : 0, 2 * f->limit + x.given, stage_row, &x);
	}
	free(message);
	string_list_clear(&x.seen);
	return x.full && ret == 1 ? 0 : ret;
}

/* prefix as a LIKE pattern: the caller lets only hex digits and dashes through. */
static char *prefix_like(const char *prefix)
{
	assert(!strpbrk(prefix, "%_\\"));
	return xstrfmt("%s%%", prefix);
}

int pattern_store_count_prefix(struct store *s, const char *prefix, int *count)
{
	char *like = prefix_like(prefix);
	sqlite3_stmt *st = store_prepare(s, "SELECT count(DISTINCT pattern_id) FROM patterns"
					    " WHERE pattern_id LIKE ?1 OR server_id LIKE ?1");
	int rc;

	*count = 0;
	if (!st) {
		free(like);
		return -1;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	free(like);
	return rc == SQLITE_ROW ? 0 : store_error(s, "cannot read patterns");
}

int pattern_store_get_prefix(struct store *s, const char *prefix, const char *variant,
			     pattern_row_fn fn, void *data)
{
	char *like = prefix_like(prefix);
	sqlite3_stmt *st = store_prepare(
		s, "SELECT " ROW_COLUMNS CODE_COLUMNS
		   " FROM patterns p WHERE p.pattern_id LIKE ?1 OR p.server_id LIKE ?1"
		   " ORDER BY p.origin = 'local' DESC, p.variant = ?2 DESC, p.obsolete,"
		   " p.id DESC LIMIT 1");
	int ret;

	if (!st) {
		free(like);
		return -1;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, variant ? variant : "", -1, SQLITE_STATIC);
	ret = run_rows(s, st, 1, fn, data);
	free(like);
	return ret;
}

int store_fts_pending(struct store *s, const char *variant, long long *count,
		      long long *bytes)
{
#define PENDING "SELECT count(*) FROM patterns WHERE fts_indexed = 0"
	/* length() of a blob reads its size from the record, not the blob */
	sqlite3_stmt *st = store_prepare(
		s, bytes ? "SELECT count(*), total(length(before_code) + length(after_code))"
			   " FROM patterns WHERE fts_indexed = 0"
		   : !variant		      ? PENDING
		   : is_whole_variant(variant) ? PENDING " AND " WHOLE_ROWS
					       : PENDING " AND " HUNK_ROWS);
#undef PENDING
	int rc;

	assert(!bytes || !variant);
	*count = 0;
	if (bytes)
		*bytes = 0;
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW && bytes)
		*bytes = (long long)sqlite3_column_double(st, 1);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, "cannot count the patterns to index");
}

/*
 * A read-only store cannot index what it lacks: index every pattern of
 * the index searched (the hunks, or whole files) in the connection's
 * temporary database instead, in a table of the same
 * name and columns (store.c, migration 5), which the search's statements
 * then find first (SQLite looks in temp before main), so that they and
 * the ranking (store-rank.c: its statistics are the index's) are those
 * of the store's own index once up to date. Once per connection.
 */
#define FTS_COLUMNS "commit_msg, commit_body, file_path, before_code, after_code"
#define FTS_IN_TEMP(fts, rows)                                                             \
	"CREATE TEMP VIEW " fts "_content AS SELECT id, " FTS_COLUMNS                      \
	" FROM main.patterns WHERE " rows ";"                                              \
	"CREATE VIRTUAL TABLE temp." fts " USING fts5(" FTS_COLUMNS ","                    \
	" content='" fts "_content', content_rowid='id', tokenize='porter unicode61');"     \
	"INSERT INTO temp." fts "(" fts ") VALUES ('rebuild');"

static int fts_index_in_temp(struct store *s, int whole)
{
	int there = store_temp_exists(s, whole ? "patterns_fts_whole" : "patterns_fts");

	if (there)
		return there < 0 ? -1 : 0;
	return store_exec(s, whole ? FTS_IN_TEMP("patterns_fts_whole", WHOLE_ROWS)
				   : FTS_IN_TEMP("patterns_fts", HUNK_ROWS));
}

/* Index the rows of one index (whole: patterns_fts_whole) that it lacks. */
static int fts_catch_up(struct store *s, int whole)
{
	sqlite3_stmt *st;
	int todo = 0;

	/* a cheap read first: most searches find nothing to do */
	st = store_prepare(s, whole ? "SELECT EXISTS (SELECT 1 FROM patterns"
				      " WHERE fts_indexed = 0 AND " WHOLE_ROWS ")"
				    : "SELECT EXISTS (SELECT 1 FROM patterns"
				      " WHERE fts_indexed = 0 AND " HUNK_ROWS ")");
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		todo = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!todo)
		return 0;
	if (store_read_only(s))
		return fts_index_in_temp(s, whole);
	if (store_begin(s) < 0)
		return -1;
	if (store_exec(s, whole ? "INSERT INTO patterns_fts_whole(rowid, " FTS_COLUMNS ")"
				  " SELECT id, " FTS_COLUMNS " FROM patterns"
				  " WHERE fts_indexed = 0 AND " WHOLE_ROWS " ORDER BY id;"
				  "UPDATE patterns SET fts_indexed = 1"
				  " WHERE fts_indexed = 0 AND " WHOLE_ROWS ";"
				: "INSERT INTO patterns_fts(rowid, " FTS_COLUMNS ")"
				  " SELECT id, " FTS_COLUMNS " FROM patterns"
				  " WHERE fts_indexed = 0 AND " HUNK_ROWS " ORDER BY id;"
				  "UPDATE patterns SET fts_indexed = 1"
				  " WHERE fts_indexed = 0 AND " HUNK_ROWS ";") < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s);
}

int store_fts_catch_up(struct store *s)
{
	return fts_catch_up(s, 0) < 0 || fts_catch_up(s, 1) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- */
/* Filling what older stores lack                                   */

/* Fill one row: st_sel's current row into st_upd. */
static int fill_one(struct store *s, sqlite3_stmt *sel, sqlite3_stmt *upd)
{
	const char *path = text(sel, 1), *language = text(sel, 2), *origin = text(sel, 5);
	const char *before = sqlite3_column_blob(sel, 3), *after = sqlite3_column_blob(sel, 4);
	size_t before_len = (size_t)sqlite3_column_bytes(sel, 3);
	size_t after_len = (size_t)sqlite3_column_bytes(sel, 4);
	char hash[65];

	if (!path)
		path = "";
	if (!language || !*language)
		language = language_from_path(path);
	pattern_solution_hash(hash, before ? before : "", before_len, after ? after : "",
			      after_len);
	sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
	sqlite3_bind_text(upd, 2, language, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(upd, 3, file_role(path, language), -1, SQLITE_STATIC);
	sqlite3_bind_int(upd, 4, code_changed(language, before ? before : "", before_len,
					      after ? after : "", after_len));
	sqlite3_bind_text(upd, 5, hash, -1, SQLITE_TRANSIENT);
	/* vendored code an older version extracted is left out from now on */
	sqlite3_bind_int(upd, 6, origin && !strcmp(origin, "local") &&
				 (path_is_vendored(path) || body_is_subtree_commit(text(sel, 6))));
	return step_done(s, upd, "cannot fill pattern roles");
}

int pattern_store_fill_quality(struct store *s)
{
	sqlite3_stmt *ids_st = NULL, *one = NULL, *upd = NULL;
	long long ids[512];
	int todo = 0, ret = -1;

	ids_st = store_prepare(s, "SELECT EXISTS (SELECT 1 FROM patterns WHERE file_role = '')");
	if (!ids_st)
		return -1;
	if (sqlite3_step(ids_st) == SQLITE_ROW)
		todo = sqlite3_column_int(ids_st, 0);
	sqlite3_finalize(ids_st);
	if (!todo)
		return 0;
	if (store_begin(s) < 0)
		return -1;
	ids_st = store_prepare(s, "SELECT id FROM patterns WHERE file_role = '' ORDER BY id"
				  " LIMIT 512");
	one = store_prepare(s, "SELECT id, file_path, language, before_code, after_code,"
			       " origin, commit_body FROM patterns WHERE id = ?1");
	upd = store_prepare(s, "UPDATE patterns SET language = ?2, file_role = ?3,"
			       " code_change = ?4, solution_hash = ?5,"
			       " obsolete = CASE WHEN ?6 THEN 1 ELSE obsolete END WHERE id = ?1");
	if (!ids_st || !one || !upd)
		goto out;
	/*
	 * In batches of ids read first, then updated: no write under a live
	 * cursor, and the rows filled leave the partial index the next batch
	 * walks.
	 */
	for (;;) {
		int rc, rows = 0;
		while (rows < (int)ARRAY_SIZE(ids) && (rc = sqlite3_step(ids_st)) == SQLITE_ROW)
			ids[rows++] = sqlite3_column_int64(ids_st, 0);
		sqlite3_reset(ids_st);
		if (!rows)
			break;
		for (int i = 0; i < rows; i++) {
			int bad;
			sqlite3_bind_int64(one, 1, ids[i]);
			bad = sqlite3_step(one) != SQLITE_ROW || fill_one(s, one, upd) < 0;
			sqlite3_reset(one);
			if (bad) {
				store_error(s, "cannot fill pattern roles");
				goto out;
			}
		}
	}
	ret = 0;
out:
	sqlite3_finalize(ids_st);
	sqlite3_finalize(one);
	sqlite3_finalize(upd);
	if (!ret)
		return store_commit(s);
	store_rollback(s);
	return -1;
}

int pattern_store_each_comment_only(struct store *s,
				    int (*fn)(const struct comment_only_row *r, void *data),
				    void *data)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, commit_id, file_path, old_path, language,"
					    " before_code, after_code, variant FROM patterns"
					    " WHERE code_change = 0 AND origin = 'local'"
					    " AND commit_id IS NOT NULL ORDER BY id");
	int rc, ret = 0;

	if (!st)
		return -1;
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct comment_only_row r = {
			sqlite3_column_int64(st, 0), text(st, 1), text(st, 2), text(st, 3),
			text(st, 4), text(st, 7), sqlite3_column_blob(st, 5),
			sqlite3_column_blob(st, 6), (size_t)sqlite3_column_bytes(st, 5),
			(size_t)sqlite3_column_bytes(st, 6),
		};
		if (!r.before)
			r.before = "";
		if (!r.after)
			r.after = "";
		ret = fn(&r, data);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = store_error(s, "cannot read patterns");
	sqlite3_finalize(st);
	return ret;
}

int pattern_store_set_code_changed(struct store *s, const long long *ids, size_t nr)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE patterns SET code_change = 1 WHERE id = ?1");
	int ret = 0;

	if (!st)
		return -1;
	for (size_t i = 0; i < nr && !ret; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		ret = step_done(s, st, "cannot update patterns");
	}
	sqlite3_finalize(st);
	return ret;
}

/* ---------------------------------------------------------------- */
/* Relabelling                                                      */

int pattern_store_local_commits(struct store *s, label_fn fn, void *data)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT commit_id, max(problem_type), max(rule) FROM patterns"
		   " WHERE origin = 'local' GROUP BY commit_id ORDER BY commit_id");
	int rc, ret = 0;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn(text(st, 0), text(st, 1), text(st, 2), data)) != 0)
			break;
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return store_error(s, "cannot read patterns");
	return ret;
}

int pattern_store_has_local(struct store *s, int *yes)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM patterns WHERE origin = 'local' LIMIT 1");
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, "cannot read patterns");
}

int pattern_store_set_label(struct store *s, const char *commit_hex, const char *problem_type,
			    const char *rule)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE patterns SET problem_type = ?1, rule = ?2"
					    " WHERE commit_id = ?3 AND origin = 'local'");
	int ret;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, problem_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, commit_hex, -1, SQLITE_STATIC);
	ret = step_done(s, st, "cannot relabel patterns");
	sqlite3_finalize(st);
	return ret;
}

/* ---------------------------------------------------------------- */
/* Export                                                           */

static const char export_sql[] =
	"SELECT " ROW_COLUMNS CODE_COLUMNS
	" FROM patterns p %s"
	" WHERE (?1 IS NULL OR p.variant = ?1 OR p.origin = 'team')"
	"  AND (?2 IS NULL OR p.problem_type = ?2)"
	"  AND (?3 IS NULL OR p.language = ?3 COLLATE NOCASE)"
	"  AND p.commit_time >= ?4"
	"  AND p.confidence >= ?5"
	"  AND (?6 OR p.problem_type <> 'unknown')"
	"  AND (?7 OR p.origin = 'local')"
	"  AND NOT " TEAM_ROW_SHADOWED("p")
	"  AND (?8 OR p.obsolete = 0)"
	"  AND (?9 IS NULL OR p.file_role = ?9)"
	"  AND (NOT ?10 OR p.code_change)"
	" ORDER BY %s";

int pattern_store_export(struct store *s, const struct pattern_export_filter *f,
			 pattern_row_fn fn, void *data)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;

	strbuf_addf(&sql, export_sql,
		    f->use_range ? "JOIN temp.export_range r ON r.commit_id = p.commit_id" : "",
		    f->use_range ? "r.ord, p.file_path"
				 : "p.commit_time DESC, p.walk_seq DESC, p.commit_id, p.file_path, p.id");
	st = store_prepare(s, sql.buf);
	strbuf_release(&sql);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, f->variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->problem_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->language, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, f->since);
	sqlite3_bind_double(st, 5, f->min_confidence);
	sqlite3_bind_int(st, 6, f->include_unknown);
	sqlite3_bind_int(st, 7, f->include_team);
	sqlite3_bind_int(st, 8, f->include_obsolete);
	sqlite3_bind_text(st, 9, f->file_role, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, f->code_only);
	return run_rows(s, st, 1, fn, data);
}

int pattern_store_set_range(struct store *s, const git_oid *ids, size_t nr)
{
	sqlite3_stmt *st;

	if (store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS export_range ("
			  " commit_id TEXT PRIMARY KEY, ord INTEGER NOT NULL);"
			  "DELETE FROM temp.export_range;") < 0 ||
	    store_exec(s, "BEGIN") < 0)
		return -1;
	st = store_prepare(s, "INSERT OR IGNORE INTO temp.export_range(commit_id, ord)"
			      " VALUES (?1, ?2)");
	if (!st)
		goto fail;
	for (size_t i = 0; i < nr; i++) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &ids[i]);
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		if (step_done(s, st, "cannot select the range") < 0) {
			sqlite3_finalize(st);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	return store_exec(s, "COMMIT");
fail:
	store_rollback(s);
	return -1;
}

/* ---------------------------------------------------------------- */
/* Writing                                                          */

struct pattern_inserter {
	struct store *s;
	const char *variant;
	sqlite3_stmt *st;
};

int pattern_inserter_new(struct pattern_inserter **out, struct store *s, const char *variant)
{
	struct pattern_inserter *ins;

	*out = NULL;
	ins = xcalloc(1, sizeof(*ins));
	ins->s = s;
	ins->variant = variant;
	ins->st = store_prepare(
		s,
		"INSERT INTO patterns(pattern_id, variant, origin, commit_id, file_path, old_path,"
		" problem_type, before_code, after_code, commit_msg, commit_body, author,"
		" author_name, date, commit_time, confidence, language, solution_hash,"
		" file_role, code_change, rule, walk_seq, hunks)"
		" VALUES (?1, ?2, 'local', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
		" ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"
		" ON CONFLICT(pattern_id, variant, origin) DO UPDATE SET obsolete = 0,"
		" problem_type = excluded.problem_type, rule = excluded.rule");
	if (!ins->st) {
		free(ins);
		return -1;
	}
	*out = ins;
	return 0;
}

int pattern_insert(struct pattern_inserter *ins, const struct pattern *p, long long commit_time,
		   long long walk_seq, long long *rowid)
{
	sqlite3_stmt *st = ins->st;
	int ret;

	sqlite3_bind_text(st, 1, p->pattern_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ins->variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->file_path, -1, SQLITE_STATIC);
	if (p->old_path)
		sqlite3_bind_text(st, 5, p->old_path, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, p->problem_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, p->before_code, (int)p->before_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, p->after_code, (int)p->after_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, p->commit_msg, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, p->commit_body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, p->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, p->author_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, p->date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, commit_time);
	sqlite3_bind_double(st, 15, p->confidence);
	sqlite3_bind_text(st, 16, p->language, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, p->solution_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 18, p->file_role && *p->file_role ? p->file_role : FILE_ROLE_OTHER,
			  -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 19, p->code_change);
	sqlite3_bind_text(st, 20, p->rule ? p->rule : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 21, walk_seq);
	if (p->hunks)
		sqlite3_bind_text(st, 22, p->hunks, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 22);
	/*
	 * An insert sets the last rowid; the upsert's update of a row already
	 * there does not (ids start at 1, so 0 says "not new").
	 */
	sqlite3_set_last_insert_rowid(store_db(ins->s), 0);
	ret = step_done(ins->s, st, "cannot store pattern");
	if (rowid)
		*rowid = ret < 0 ? 0 : sqlite3_last_insert_rowid(store_db(ins->s));
	/* the bound strings are the caller's: leave no pointer to them behind */
	sqlite3_clear_bindings(st);
	return ret;
}

void pattern_inserter_free(struct pattern_inserter *ins)
{
	if (!ins)
		return;
	sqlite3_finalize(ins->st);
	free(ins);
}

/* ---------------------------------------------------------------- */
/* Commits extracted without their parents (shallow.c)              */

int pattern_store_commit_additions(struct store *s, const char *commit_hex, const char *variant,
				   int (*fn)(const char *path, void *data), void *data,
				   size_t *nr)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT file_path, old_path IS NULL AND before_code = '' FROM patterns"
		   " WHERE commit_id = ?1 AND variant = ?2 AND origin = 'local'");
	int rc, ret = 0;

	*nr = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, commit_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, variant, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(*nr)++;
		if (sqlite3_column_int(st, 1) && (ret = fn(text(st, 0), data)) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return store_error(s, "cannot read patterns");
	return ret;
}

int pattern_store_forget_commit(struct store *s, const char *commit_hex, const char *variant,
				size_t *dropped)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM patterns WHERE commit_id = ?1"
					    " AND variant = ?2 AND origin = 'local'");
	int ret;

	assert(store_in_transaction(s));
	*dropped = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, commit_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, variant, -1, SQLITE_STATIC);
	ret = step_done(s, st, "cannot delete patterns");
	if (!ret)
		*dropped = (size_t)sqlite3_changes(store_db(s));
	sqlite3_finalize(st);
	return ret < 0 ? -1 : *dropped ? recall_index_rows_dropped(s) : 0;
}

#define LFS_META_KEY "lfs.pointers_dropped"

int pattern_store_lfs_drop_pending(struct store *s)
{
	int patterns = 0;

	if (store_meta_has(s, LFS_META_KEY))
		return 0;
	return pattern_store_has_local(s, &patterns) < 0 ? 0 : patterns;
}

int pattern_store_drop_lfs_pointers(struct store *s, size_t *dropped)
{
	/* as is_lfs_pointer(): the first line, under LFS_POINTER_MAX bytes */
	static const char sql[] =
		"DELETE FROM patterns WHERE origin = 'local' AND ("
		" (substr(before_code, 1, ?1) = ?2 AND length(CAST(before_code AS BLOB)) < ?3) OR"
		" (substr(after_code, 1, ?1) = ?2 AND length(CAST(after_code AS BLOB)) < ?3))";
	sqlite3_stmt *st;
	int ret = -1;

	*dropped = 0;
	ret = store_begin_once(s, LFS_META_KEY);
	if (ret <= 0)
		return ret;
	ret = -1;
	if (!(st = store_prepare(s, sql)))
		goto out;
	sqlite3_bind_int(st, 1, (int)strlen(LFS_POINTER_FIRST));
	sqlite3_bind_text(st, 2, LFS_POINTER_FIRST, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, LFS_POINTER_MAX);
	ret = step_done(s, st, "cannot drop Git LFS pointer patterns");
	sqlite3_finalize(st);
	if (ret < 0)
		goto out;
	*dropped = (size_t)sqlite3_changes(store_db(s));
	ret = -1;
	if ((*dropped && recall_index_rows_dropped(s) < 0) ||
	    store_meta_set(s, LFS_META_KEY, "1") < 0)
		goto out;
	ret = store_commit(s);
out:
	if (ret < 0) {
		store_rollback(s);
		*dropped = 0;
	}
	return ret;
}

/* ---------------------------------------------------------------- */
/* Counts                                                           */

static int count_of(struct store *s, const char *sql, const char *variant, long long *out)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	int rc;

	*out = 0;
	if (!st)
		return -1;
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, "cannot count patterns");
}

int pattern_store_counts(struct store *s, const char *variant, struct pattern_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (count_of(s, "SELECT count(*) FROM patterns WHERE origin = 'local'"
			" AND variant = ?1 AND obsolete = 0", variant, &out->local) < 0 ||
	    count_of(s, "SELECT count(*) FROM patterns p WHERE origin = 'team'"
			" AND NOT " TEAM_ROW_SHADOWED("p"), NULL, &out->team) < 0 ||
	    count_of(s, "SELECT count(*) FROM patterns WHERE obsolete = 1"
			" AND variant = ?1", variant, &out->obsolete) < 0)
		return -1;
	return 0;
}

#define BREAKDOWN_SQL(column)                                                          \
	"SELECT " column ", count(*) FROM patterns p"                                  \
	" WHERE (variant = ?1 OR origin = 'team') AND obsolete = 0"                    \
	" AND NOT " TEAM_ROW_SHADOWED("p") " GROUP BY 1 ORDER BY 2 DESC, 1"

int pattern_store_breakdown(struct store *s, const char *variant, enum pattern_column column,
			    int (*fn)(const char *name, long long count, void *data), void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	assert(column == PATTERN_BY_TYPE || column == PATTERN_BY_LANGUAGE);
	st = store_prepare(s, column == PATTERN_BY_TYPE ? BREAKDOWN_SQL("problem_type")
							: BREAKDOWN_SQL("language"));
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = text(st, 0);
		ret = fn(name ? name : "", sqlite3_column_int64(st, 1), data);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = store_error(s, "cannot count patterns");
	sqlite3_finalize(st);
	return ret;
}

/* ---------------------------------------------------------------- */
/* Reconciliation with the history (reconcile.c)                    */

static int set_obsolete_each(struct store *s, sqlite3_stmt *st, const git_oid *ids, size_t nr,
			     int value, size_t *changed)
{
	char hex[GIT_OID_HEXSZ + 1];
	for (size_t i = 0; i < nr; i++) {
		git_oid_tostr(hex, sizeof(hex), &ids[i]);
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, value);
		if (step_done(s, st, "cannot update patterns") < 0)
			return -1;
		if (sqlite3_changes(store_db(s)))
			(*changed)++;
	}
	return 0;
}

int pattern_store_reconcile(struct store *s, const git_oid *gone, size_t nr_gone,
			    const git_oid *back, size_t nr_back, size_t *n_gone, size_t *n_back)
{
	sqlite3_stmt *st;
	int ret = -1;

	*n_gone = *n_back = 0;
	if (!nr_gone && !nr_back)
		return 0;
	if (store_begin(s) < 0)
		return -1;
	st = store_prepare(s, "UPDATE patterns SET obsolete = ?2"
			      " WHERE commit_id = ?1 AND origin = 'local' AND obsolete <> ?2");
	if (st && !set_obsolete_each(s, st, gone, nr_gone, 1, n_gone) &&
	    !set_obsolete_each(s, st, back, nr_back, 0, n_back))
		ret = 0;
	sqlite3_finalize(st);
	if (ret == 0)
		ret = store_commit(s);
	if (ret < 0)
		store_rollback(s);
	return ret;
}

int pattern_store_local_commit_ids(struct store *s, int (*fn)(const git_oid *id, void *data),
				   void *data)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT DISTINCT commit_id FROM patterns WHERE origin = 'local'");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(st, 0);
		git_oid id;
		if (hex && git_oid_fromstrn(&id, hex, GIT_OID_HEXSZ) == 0 && fn(&id, data) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot read patterns");
}
