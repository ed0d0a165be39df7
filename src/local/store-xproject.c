/*
 * store-xproject.c: SQL on xproject_queue and xproject_seen, and the
 * reads of patterns/pushed that cross-project learning needs (see
 * store-xproject.h).
 */
#include "local/store-xproject.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

int store_xproject_seen_add(struct store *s, const char *remote, const char *server_id)
{
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO xproject_seen (server_id, remote, "
					    "shown_at) VALUES (?1, ?2, ?3) ON CONFLICT DO "
					    "UPDATE SET shown_at = excluded.shown_at");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, remote, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (long long)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot remember suggestion");
}

int store_xproject_resolve(struct store *s, const char *prefix, char uuid[37], int *found)
{
	sqlite3_stmt *st;
	char *like = xstrfmt("%s%%", prefix);
	int rc;

	*found = 0;
	st = store_prepare(s, "SELECT server_id FROM patterns WHERE server_id LIKE ?1 UNION "
			      "SELECT server_id FROM xproject_seen WHERE server_id LIKE ?1 LIMIT 2");
	if (!st) {
		free(like);
		return -1;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((*found)++ == 0)
			snprintf(uuid, 37, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	free(like);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot look up pattern id");
}

int store_xproject_queue_add(struct store *s, const char *remote, const char *kind,
			     const char *uuid, int success)
{
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO xproject_queue (remote, kind, "
					    "pattern_uuid, success, created_at) VALUES (?1, ?2, "
					    "?3, ?4, ?5)");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, uuid, -1, SQLITE_STATIC);
	if (success >= 0)
		sqlite3_bind_int(st, 4, success);
	sqlite3_bind_int64(st, 5, (long long)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot queue");
}

int store_xproject_queue_list(struct store *s, const char *remote,
			      struct store_xproject_queued **out, size_t *nr)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, kind, pattern_uuid, success FROM "
					    "xproject_queue WHERE remote = ?1 ORDER BY id");
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_xproject_queued *q;
		ALLOC_GROW(*out, *nr + 1, alloc);
		q = &(*out)[(*nr)++];
		q->id = sqlite3_column_int64(st, 0);
		snprintf(q->kind, sizeof(q->kind), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(q->uuid, sizeof(q->uuid), "%s", (const char *)sqlite3_column_text(st, 2));
		q->success = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot read the queue");
}

int store_xproject_queue_drop(struct store *s, long long id)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM xproject_queue WHERE id = ?1");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot update the queue");
}

int store_xproject_pattern(struct store *s, const char *uuid, char **before, char **after,
			   char **path, char **msg)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT before_code, after_code, file_path, "
					    "commit_msg FROM patterns WHERE server_id = ?1 LIMIT 1");
	int rc, found = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*before = col_dup(st, 0);
		*after = col_dup(st, 1);
		*path = col_dup(st, 2);
		*msg = col_dup(st, 3);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "cannot read pattern");
	return found;
}

int store_xproject_each_pushed(struct store *s, const char *remote,
			       int (*fn)(void *data, const char *type, const char *before,
					 size_t before_len, const char *after, size_t after_len),
			       void *data)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT p.problem_type, p.before_code, p.after_code "
					    "FROM patterns p JOIN pushed x ON x.pattern_rowid = "
					    "p.id AND x.remote = ?1 WHERE p.origin = 'local'"
					    " AND x.server_id IS NOT NULL");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(data, (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1),
		       (const char *)sqlite3_column_text(st, 2),
		       (size_t)sqlite3_column_bytes(st, 2)) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot read pushed patterns");
}

int store_xproject_forget(struct store *s, const char *remote)
{
	sqlite3_stmt *st;
	int rc;

	if (store_meta_delete_for(s, "xproject.", remote) < 0)
		return -1;
	st = store_prepare(s, "DELETE FROM xproject_seen WHERE remote = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot forget suggestions shown");
}
