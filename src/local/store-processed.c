/*
 * store-processed.c: all the SQL on the processed table (see
 * store-processed.h).
 */
#include "local/store-processed.h"
#include "common/util.h"

#include <assert.h>
#include <string.h>

int store_processed_load(struct store *s, const char *variant, processed_fn fn, void *data)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT commit_id, skipped_unknown FROM processed WHERE variant = ?1");
	int rc, ret = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(st, 0);
		git_oid oid;
		if (!hex || strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex) < 0)
			continue;
		if ((ret = fn(&oid, sqlite3_column_int(st, 1) != 0, data)) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return store_error(s, "cannot read processed commits");
	return ret;
}

int store_processed_lookup(struct store *s, const char *variant, const git_oid *ids, size_t nr,
			   processed_fn fn, void *data)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT skipped_unknown FROM processed "
					    "WHERE commit_id = ?1 AND variant = ?2");
	char hex[GIT_OID_HEXSZ + 1];
	int rc = SQLITE_DONE, ret = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 2, variant, -1, SQLITE_STATIC);
	for (size_t i = 0; !ret && i < nr; i++) {
		git_oid_tostr(hex, sizeof(hex), &ids[i]);
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			ret = fn(&ids[i], sqlite3_column_int(st, 0) != 0, data);
			rc = SQLITE_DONE;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return store_error(s, "cannot read processed commits");
	return ret;
}

/* Call fn with each row's text of sql (one column) until it returns non-zero. */
static int each_text(struct store *s, const char *sql, int (*fn)(const char *text, void *data),
		     void *data)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	int rc, ret = 0;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn((const char *)sqlite3_column_text(st, 0), data)) != 0)
			break;
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return store_error(s, "cannot read processed commits");
	return ret;
}

int store_processed_variants(struct store *s, int (*fn)(const char *variant, void *data),
			     void *data)
{
	return each_text(s, "SELECT DISTINCT variant FROM processed ORDER BY 1", fn, data);
}

int store_processed_count(struct store *s, const char *variant, long long *count)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM processed WHERE variant = ?1");
	int rc;

	*count = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, "cannot count processed commits");
}

struct processed_marker {
	struct store *s;
	const char *variant;
	long long at;
	sqlite3_stmt *st;
};

int processed_marker_new(struct processed_marker **out, struct store *s, const char *variant,
			 long long at)
{
	struct processed_marker *m = xcalloc(1, sizeof(*m));

	*out = NULL;
	m->s = s;
	m->variant = variant;
	m->at = at;
	m->st = store_prepare(s, "INSERT INTO processed(commit_id, variant, at, skipped_unknown)"
				 " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(commit_id, variant) DO UPDATE"
				 " SET at = excluded.at, skipped_unknown = excluded.skipped_unknown");
	if (!m->st) {
		free(m);
		return -1;
	}
	*out = m;
	return 0;
}

int processed_mark(struct processed_marker *m, const char *commit_hex, int skipped_unknown)
{
	int rc;

	/* marks are written inside the transaction of the commit's patterns */
	assert(store_in_transaction(m->s));
	sqlite3_bind_text(m->st, 1, commit_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(m->st, 2, m->variant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(m->st, 3, m->at);
	sqlite3_bind_int(m->st, 4, skipped_unknown);
	rc = sqlite3_step(m->st);
	sqlite3_reset(m->st);
	sqlite3_clear_bindings(m->st);
	return rc == SQLITE_DONE ? 0 : store_error(m->s, "cannot mark commit processed");
}

void processed_marker_free(struct processed_marker *m)
{
	if (!m)
		return;
	sqlite3_finalize(m->st);
	free(m);
}

int store_processed_skipped(struct store *s, int (*fn)(const char *commit_hex, void *data),
			    void *data)
{
	return each_text(s, "SELECT DISTINCT commit_id FROM processed"
			    " WHERE skipped_unknown = 1 ORDER BY commit_id", fn, data);
}

int store_processed_has_skipped(struct store *s, int *yes)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT 1 FROM processed WHERE skipped_unknown = 1 LIMIT 1");
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						     : store_error(s, "cannot read processed commits");
}

int store_processed_forget_skipped(struct store *s, const char *commit_hex)
{
	sqlite3_stmt *st = store_prepare(
		s, "DELETE FROM processed WHERE commit_id = ?1 AND skipped_unknown = 1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, commit_hex, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot update processed commits");
}

int store_processed_forget(struct store *s, const char *commit_hex, const char *variant)
{
	sqlite3_stmt *st = store_prepare(
		s, "DELETE FROM processed WHERE commit_id = ?1 AND variant = ?2");
	int rc;

	assert(store_in_transaction(s));
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, commit_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, variant, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot update processed commits");
}
