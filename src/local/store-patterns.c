/*
 * store-patterns.c: all the SQL on the patterns table, its full-text index
 * and the temporary export range (see store-patterns.h). Only bound
 * parameters reach a statement; the few variable parts of a statement
 * (a join, an order, a column) are chosen among constants here.
 */
#include "local/store-patterns.h"
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
	" WHERE l.origin = 'local' AND l.obsolete = 0 AND l.solution_hash = " p        \
	".solution_hash))"

/* The columns of struct pattern_row, in fill_row's order; then the code. */
#define ROW_COLUMNS                                                                        \
	"p.id, p.pattern_id, p.problem_type, p.language, p.file_path, p.old_path,"          \
	" p.commit_msg, p.commit_body, p.commit_id, p.author, p.author_name, p.date,"       \
	" p.origin, p.server_id, p.solution_hash, p.variant, p.confidence, p.success_count," \
	" p.obsolete"
#define CODE_COLUMNS ", p.before_code, p.after_code"

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
	if (with_code) {
		r->before_code = sqlite3_column_blob(st, 19);
		r->before_len = (size_t)sqlite3_column_bytes(st, 19);
		r->after_code = sqlite3_column_blob(st, 20);
		r->after_len = (size_t)sqlite3_column_bytes(st, 20);
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

int pattern_store_list(struct store *s, const struct pattern_filter *f, pattern_row_fn fn,
		       void *data)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;

	if (f->fts_match && store_fts_catch_up(s) < 0)
		return -1;
	strbuf_addstr(&sql, "SELECT " ROW_COLUMNS " FROM ");
	if (f->fts_match)
		strbuf_addstr(&sql, "patterns_fts f JOIN patterns p ON p.id = f.rowid"
				    " WHERE patterns_fts MATCH ?6 AND ");
	else
		strbuf_addstr(&sql, "patterns p WHERE ");
	strbuf_addstr(&sql, "NOT " TEAM_ROW_SHADOWED("p") " AND"
			    " (?1 IS NULL OR p.origin = 'team' OR p.variant = ?1)"
			    " AND (?2 IS NULL OR p.problem_type = ?2)"
			    " AND (?3 IS NULL OR p.language = ?3)"
			    " AND (?4 IS NULL OR p.origin = ?4)"
			    " AND (?5 OR p.obsolete = 0)");
	strbuf_addstr(&sql, f->fts_match ? " ORDER BY f.rank, p.id"
					 : " ORDER BY p.commit_time DESC, p.commit_id, p.file_path, p.id");
	strbuf_addstr(&sql, " LIMIT ?7");
	st = store_prepare(s, sql.buf);
	strbuf_release(&sql);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, f->variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->problem_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->language, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->include_obsolete);
	if (f->fts_match)
		sqlite3_bind_text(st, 6, f->fts_match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, f->limit > 0 ? f->limit : -1);
	return run_rows(s, st, 0, fn, data);
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

int store_fts_catch_up(struct store *s)
{
	sqlite3_stmt *st;
	int todo = 0;

	/* a cheap read first: most searches find nothing to do */
	st = store_prepare(s, "SELECT EXISTS (SELECT 1 FROM patterns WHERE fts_indexed = 0)");
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		todo = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!todo)
		return 0;
	if (store_begin(s) < 0)
		return -1;
	if (store_exec(s, "INSERT INTO patterns_fts(rowid, commit_msg, file_path, before_code, after_code)"
			  " SELECT id, commit_msg, file_path, before_code, after_code FROM patterns"
			  " WHERE fts_indexed = 0 ORDER BY id;"
			  "UPDATE patterns SET fts_indexed = 1 WHERE fts_indexed = 0;") < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s);
}

/* ---------------------------------------------------------------- */
/* Export                                                           */

static const char export_sql[] =
	"SELECT " ROW_COLUMNS CODE_COLUMNS
	" FROM patterns p %s"
	" WHERE (?1 IS NULL OR p.variant = ?1 OR p.origin = 'team')"
	"  AND (?2 IS NULL OR p.problem_type = ?2)"
	"  AND (?3 IS NULL OR p.language = ?3)"
	"  AND p.commit_time >= ?4"
	"  AND p.confidence >= ?5"
	"  AND (?6 OR p.problem_type <> 'unknown')"
	"  AND (?7 OR p.origin = 'local')"
	"  AND NOT " TEAM_ROW_SHADOWED("p")
	"  AND (?8 OR p.obsolete = 0)"
	" ORDER BY %s";

int pattern_store_export(struct store *s, const struct pattern_export_filter *f,
			 pattern_row_fn fn, void *data)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;

	strbuf_addf(&sql, export_sql,
		    f->use_range ? "JOIN temp.export_range r ON r.commit_id = p.commit_id" : "",
		    f->use_range ? "r.ord, p.file_path"
				 : "p.commit_time DESC, p.commit_id, p.file_path, p.id");
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
		" author_name, date, commit_time, confidence, language, solution_hash)"
		" VALUES (?1, ?2, 'local', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
		" ?15, ?16, ?17)"
		" ON CONFLICT(pattern_id, variant, origin) DO UPDATE SET obsolete = 0");
	if (!ins->st) {
		free(ins);
		return -1;
	}
	*out = ins;
	return 0;
}

int pattern_insert(struct pattern_inserter *ins, const struct pattern *p, long long commit_time)
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
	ret = step_done(ins->s, st, "cannot store pattern");
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

/* For each of the hex commit ids, step st bound to it. */
static int step_each_commit(struct store *s, sqlite3_stmt *st, char *const *ids, size_t nr,
			    const char *what)
{
	for (size_t i = 0; i < nr; i++) {
		sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
		if (step_done(s, st, what) < 0)
			return -1;
	}
	return 0;
}

int pattern_store_set_obsolete(struct store *s, char *const *gone, size_t nr_gone,
			       char *const *back, size_t nr_back)
{
	sqlite3_stmt *st_gone = NULL, *st_back = NULL;
	int ret = -1;

	if (!nr_gone)
		return 0; /* nothing was rewritten: no write transaction */
	if (store_begin(s) < 0)
		return -1;
	st_gone = store_prepare(s, "UPDATE patterns SET obsolete = 1 "
				   "WHERE commit_id = ?1 AND origin = 'local'");
	/* a commit that comes back (amended back to the same id) is current again */
	st_back = store_prepare(s, "UPDATE patterns SET obsolete = 0 "
				   "WHERE commit_id = ?1 AND origin = 'local' AND obsolete <> 0");
	if (st_gone && st_back &&
	    !step_each_commit(s, st_gone, gone, nr_gone, "cannot mark patterns obsolete") &&
	    !step_each_commit(s, st_back, back, nr_back, "cannot mark patterns current"))
		ret = 0;
	sqlite3_finalize(st_gone);
	sqlite3_finalize(st_back);
	if (ret == 0)
		ret = store_commit(s);
	if (ret < 0)
		store_rollback(s);
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
