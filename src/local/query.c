/*
 * query.c: pattern lookups for list, search and show (see query.h). User
 * text never reaches FTS5 syntax unquoted, so "foo-bar" or a stray quote
 * cannot make a search fail.
 */
#include "local/query.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <string.h>

#define ROW_COLUMNS                                                                        \
	"p.id, p.pattern_id, p.problem_type, p.language, p.file_path, p.old_path,"          \
	" p.commit_msg, p.commit_body, p.commit_id, p.author, p.author_name, p.date,"       \
	" p.origin, p.server_id, p.solution_hash, p.variant, p.confidence, p.success_count," \
	" p.obsolete"

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

void query_fts_expression(struct strbuf *out, const char *words)
{
	const char *p = words;
	while (*p) {
		const char *start;
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (out->len)
			strbuf_addch(out, ' ');
		strbuf_addch(out, '"');
		for (const char *q = start; q < p; q++) {
			if (*q == '"')
				strbuf_addch(out, '"');
			strbuf_addch(out, *q);
		}
		strbuf_addch(out, '"');
	}
}

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
	return ret;
}

int query_patterns(struct store *s, const struct query_options *o, pattern_row_fn fn, void *data)
{
	struct strbuf sql = STRBUF_INIT, fts = STRBUF_INIT;
	sqlite3_stmt *st;
	int ret;

	if (o->text) {
		query_fts_expression(&fts, o->text);
		if (!fts.len)
			return err_set("empty search query");
		if (store_fts_catch_up(s) < 0) {
			strbuf_release(&fts);
			return -1;
		}
	}
	strbuf_addstr(&sql, "SELECT " ROW_COLUMNS " FROM ");
	if (o->text)
		strbuf_addstr(&sql, "patterns_fts f JOIN patterns p ON p.id = f.rowid"
				    " WHERE patterns_fts MATCH ?6 AND ");
	else
		strbuf_addstr(&sql, "patterns p WHERE ");
	strbuf_addstr(&sql, "NOT " SQL_TEAM_ROW_SHADOWED("p") " AND"
			    " (?1 IS NULL OR p.origin = 'team' OR p.variant = ?1)"
			    " AND (?2 IS NULL OR p.problem_type = ?2)"
			    " AND (?3 IS NULL OR p.language = ?3)"
			    " AND (?4 IS NULL OR p.origin = ?4)"
			    " AND (?5 OR p.obsolete = 0)");
	strbuf_addstr(&sql, o->text ? " ORDER BY f.rank, p.id"
				    : " ORDER BY p.commit_time DESC, p.commit_id, p.file_path, p.id");
	strbuf_addstr(&sql, " LIMIT ?7");
	st = store_prepare(s, sql.buf);
	strbuf_release(&sql);
	if (!st) {
		strbuf_release(&fts);
		return -1;
	}
	sqlite3_bind_text(st, 1, o->variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->problem_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->language, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, o->include_obsolete);
	if (o->text)
		sqlite3_bind_text(st, 6, fts.buf, (int)fts.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, o->limit > 0 ? o->limit : -1);
	ret = run_rows(s, st, 0, fn, data);
	sqlite3_finalize(st);
	strbuf_release(&fts);
	return ret;
}

/* Only hex digits and dashes: also keeps LIKE's wildcards out. */
static int is_id_text(const char *id)
{
	for (; *id; id++)
		if (!isxdigit((unsigned char)*id) && *id != '-')
			return 0;
	return 1;
}

int query_show(struct store *s, const char *id, const char *variant, pattern_row_fn fn, void *data)
{
	sqlite3_stmt *st;
	int ret, n = 0;
	char *like;
	size_t len = strlen(id);

	if (len < 4 || len > 64 || !is_id_text(id))
		return err_set("'%s' is not a pattern id (16 hex digits, a unique prefix of at "
			       "least 4, or a team UUID)", id);
	/* how many distinct patterns the id could mean */
	like = xstrfmt("%s%%", id);
	st = store_prepare(s, "SELECT count(DISTINCT pattern_id)"
			      " FROM patterns WHERE pattern_id LIKE ?1 OR server_id LIKE ?1");
	if (!st) {
		free(like);
		return -1;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n == 0) {
		free(like);
		return 1;
	}
	if (n > 1) {
		free(like);
		return err_set("pattern id '%s' is ambiguous (%d patterns match)", id, n);
	}
	st = store_prepare(s, "SELECT " ROW_COLUMNS ", p.before_code, p.after_code"
			      " FROM patterns p WHERE p.pattern_id LIKE ?1 OR p.server_id LIKE ?1"
			      " ORDER BY p.origin = 'local' DESC, p.variant = ?2 DESC, p.obsolete,"
			      " p.id DESC LIMIT 1");
	if (!st) {
		free(like);
		return -1;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, variant ? variant : "", -1, SQLITE_STATIC);
	ret = run_rows(s, st, 1, fn, data);
	sqlite3_finalize(st);
	free(like);
	return ret;
}
