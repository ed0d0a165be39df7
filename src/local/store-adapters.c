/*
 * store-adapters.c: the SQL on adapter_versions and adapter_activations
 * (see store-adapters.h).
 */
#include "local/store-adapters.h"
#include "common/util.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define COLUMNS                                                                                    \
	"id, version_name, adapter_path, config_path, created_by, created_at, "                    \
	"parent_versions, method, weights, sha256, copy_dir, size, is_active"

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* Copy a text column into a fixed field (cut to fit; NULL reads as ""). */
static void col_fixed(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *st, struct adapter_version *v)
{
	memset(v, 0, sizeof(*v));
	col_fixed(v->id, sizeof(v->id), st, 0);
	v->version_name = col(st, 1);
	v->adapter_path = col(st, 2);
	v->config_path = col(st, 3);
	v->created_by = col(st, 4);
	v->created_at = col(st, 5);
	v->parent_versions = col(st, 6);
	v->method = col(st, 7);
	v->weights = col(st, 8);
	col_fixed(v->sha256, sizeof(v->sha256), st, 9);
	v->copy_dir = col(st, 10);
	v->size = sqlite3_column_int64(st, 11);
	v->is_active = sqlite3_column_int(st, 12);
}

/* Step a statement that returns no row and finalize it; 0, or store_error(what). */
static int step_once(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, what);
}

int store_adapters_name_taken(struct store *s, const char *name, int *taken)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT 1 FROM adapter_versions WHERE version_name = ?1");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "cannot read adapter versions");
	*taken = rc == SQLITE_ROW;
	return 0;
}

char *store_adapters_next_name(struct store *s)
{
	sqlite3_stmt *cnt = store_prepare(s, "SELECT count(*) FROM adapter_versions");
	int64_t start = 1;
	int taken;

	if (!cnt)
		return NULL;
	if (sqlite3_step(cnt) == SQLITE_ROW)
		start = sqlite3_column_int64(cnt, 0) + 1;
	sqlite3_finalize(cnt);
	for (int64_t n = start;; n++) {
		char *name = xstrfmt("merge-%lld", (long long)n);
		if (store_adapters_name_taken(s, name, &taken) < 0) {
			free(name);
			return NULL;
		}
		if (!taken)
			return name;
		free(name);
	}
}

int store_adapters_insert(struct store *s, const struct adapter_version *v)
{
	sqlite3_stmt *st = store_prepare(
		s, "INSERT INTO adapter_versions(id, version_name, adapter_path, "
		   "config_path, created_by, created_at, parent_versions, method, "
		   "weights, sha256, copy_dir, size) "
		   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->version_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->adapter_path, -1, SQLITE_STATIC);
	if (v->config_path)
		sqlite3_bind_text(st, 4, v->config_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->created_by ? v->created_by : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, v->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, v->parent_versions ? v->parent_versions : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, v->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, v->weights, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, v->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, v->copy_dir, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, v->size);
	return step_once(s, st, "cannot record adapter version");
}

int store_adapters_activate(struct store *s, const char *id, const char *action,
			    const char *at)
{
	sqlite3_stmt *st;

	if (store_exec(s, "UPDATE adapter_versions SET is_active = 0 WHERE is_active") < 0)
		return -1;
	st = store_prepare(s, "UPDATE adapter_versions SET is_active = 1 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (step_once(s, st, "cannot activate adapter version") < 0)
		return -1;
	if (!action)
		return 0;
	st = store_prepare(s, "INSERT INTO adapter_activations(version_id, at, action) "
			      "VALUES (?1, ?2, ?3)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	return step_once(s, st, "cannot record activation");
}

int store_adapters_list(struct store *s, int newest_first, struct adapter_version **out,
			size_t *nr)
{
	sqlite3_stmt *st = store_prepare(s, newest_first ? "SELECT " COLUMNS
							   " FROM adapter_versions ORDER BY rowid DESC"
							 : "SELECT " COLUMNS " FROM adapter_versions "
							   "ORDER BY created_at, rowid");
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_row(st, &(*out)[(*nr)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		adapter_versions_free(*out, *nr);
		*out = NULL;
		*nr = 0;
		return store_error(s, "cannot list adapter versions");
	}
	return 0;
}

int store_adapters_find(struct store *s, const char *ref, struct adapter_version *out,
			int *found)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	*found = 0;
	st = store_prepare(s, "SELECT " COLUMNS " FROM adapter_versions WHERE version_name = ?1 "
			      "OR id = ?1 OR (length(?1) >= 4 AND substr(id, 1, length(?1)) = ?1) "
			      "ORDER BY version_name = ?1 DESC, id = ?1 DESC LIMIT 2");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*found) {
			/* a second match only matters when the first was a prefix */
			if (strcmp(out->version_name, ref) && strcmp(out->id, ref)) {
				adapter_version_release(out);
				sqlite3_finalize(st);
				*found = 0;
				return err_set("adapter version '%s' is ambiguous", ref);
			}
			break;
		}
		read_row(st, out);
		*found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		adapter_version_release(out);
		*found = 0;
		return store_error(s, "cannot read adapter versions");
	}
	return 0;
}

int store_adapters_latest_two(struct store *s, int64_t seq[2], char *ids[2], int *n)
{
	/* the current one, then the latest of another version (not the same again) */
	sqlite3_stmt *st = store_prepare(
		s, "SELECT seq, version_id FROM adapter_activations WHERE NOT undone AND "
		   "(seq = (SELECT max(seq) FROM adapter_activations WHERE NOT undone) OR "
		   "version_id <> (SELECT version_id FROM adapter_activations WHERE NOT undone "
		   "ORDER BY seq DESC LIMIT 1)) ORDER BY seq DESC LIMIT 2");
	int rc;
	*n = 0;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		assert(*n < 2); /* LIMIT 2 */
		seq[*n] = sqlite3_column_int64(st, 0);
		ids[*n] = col(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot read adapter activations");
}

int store_adapters_undo(struct store *s, int64_t seq)
{
	sqlite3_stmt *st =
		store_prepare(s, "UPDATE adapter_activations SET undone = 1 WHERE seq > ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	return step_once(s, st, "cannot record rollback");
}
