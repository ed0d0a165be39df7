/*
 * store-sync.c: the SQL of team sync on the local store (see store-sync.h):
 * the push watermark and marks (table pushed), the own-change ranges and
 * the pull cursor (meta, sync_state), the feedback queue, and the team
 * rows a pull writes into patterns.
 */
#include "local/store-sync.h"
#include "local/store-recall.h"
#include "local/store-xproject.h"
#include "common/util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PUSH_WHERE                                                                                 \
	" FROM patterns p WHERE p.origin = 'local' AND p.variant = ?1 AND p.obsolete = 0"          \
	" AND NOT EXISTS (SELECT 1 FROM pushed x WHERE x.pattern_rowid = p.id"                     \
	" AND x.remote = ?2)"

/* Step a statement that returns no row; 0, or store_error(what). */
static int step_once(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, what);
}

/* ------------------------------------------------------------ push */

static char *watermark_key(const char *variant, const char *remote)
{
	return xstrfmt("sync.pushed_upto %s %s", variant, remote);
}

long long store_sync_watermark(struct store *s, const char *variant, const char *remote)
{
	char *key = watermark_key(variant, remote), *v = store_meta_get(s, key), *end;
	sqlite3_stmt *st;
	long long mark;

	free(key);
	if (!v)
		return 0;
	mark = strtoll(v, &end, 10);
	if (*end || mark < 0)
		mark = 0;
	free(v);
	if (!mark)
		return 0;
	/* rows below it never become unpushed: trusted while its own mark stands */
	st = store_prepare(s, "SELECT 1 FROM pushed x JOIN patterns p ON p.id = x.pattern_rowid"
			      " WHERE x.pattern_rowid = ?1 AND x.remote = ?2"
			      " AND p.origin = 'local' AND p.variant = ?3");
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, mark);
	sqlite3_bind_text(st, 2, remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, variant, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		mark = 0;
	sqlite3_finalize(st);
	return mark;
}

int store_sync_advance_watermark(struct store *s, const char *variant, const char *remote,
				 long long from)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT p.id, EXISTS (SELECT 1 FROM pushed x WHERE x.pattern_rowid = p.id"
		   " AND x.remote = ?2) FROM patterns p WHERE p.id > ?3 AND +p.origin = 'local'"
		   " AND +p.variant = ?1 ORDER BY p.id");
	long long mark = from;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, remote, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int(st, 1))
		mark = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "cannot read pushed patterns");
	if (mark != from) {
		char *key = watermark_key(variant, remote), *val = xstrfmt("%lld", mark);
		rc = store_meta_set(s, key, val);
		free(key);
		free(val);
		return rc;
	}
	return 0;
}

/* Step st (bound; a count(*)), finalize it: the count, or -1 with err_set. */
static long long step_count(struct store *s, sqlite3_stmt *st)
{
	long long n = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		store_error(s, "cannot count patterns to push");
	sqlite3_finalize(st);
	return n;
}

long long store_sync_count_local(struct store *s, const char *variant)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM patterns p WHERE p.origin ="
					    " 'local' AND p.variant = ?1 AND p.obsolete = 0");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	return step_count(s, st);
}

long long store_sync_count_unpushed(struct store *s, const char *variant, const char *remote,
				    long long from)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*)" PUSH_WHERE " AND p.id > ?3");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, remote, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from);
	return step_count(s, st);
}

long long store_sync_next_unpushed(struct store *s, const char *variant, const char *remote,
				   long long after, long long *rowids, size_t max)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT p.id" PUSH_WHERE " AND p.id > ?3 ORDER BY p.id LIMIT ?4");
	size_t n = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, remote, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int64(st, 4, (long long)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		assert(n < max); /* LIMIT ?4 */
		rowids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read patterns to push");
	return (long long)n;
}

struct store_push_reader {
	struct store *s;
	sqlite3_stmt *st;
};

struct store_push_reader *store_push_reader_open(struct store *s)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT pattern_id, problem_type, before_code, after_code, commit_msg, author,"
		   " date, confidence, commit_id, file_path, language, solution_hash, author_name"
		   " FROM patterns WHERE id = ?1");
	struct store_push_reader *rd;
	if (!st)
		return NULL;
	rd = xmalloc(sizeof(*rd));
	rd->s = s;
	rd->st = st;
	return rd;
}

static void column_text(sqlite3_stmt *st, int col, struct store_text *t)
{
	t->p = (const char *)sqlite3_column_text(st, col);
	t->len = t->p ? (size_t)sqlite3_column_bytes(st, col) : 0;
}

int store_push_read(struct store_push_reader *rd, long long rowid, struct store_push_row *row)
{
	sqlite3_stmt *st = rd->st;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_error(rd->s, "cannot read pattern to push");
	column_text(st, 0, &row->pattern_id);
	column_text(st, 1, &row->problem_type);
	column_text(st, 2, &row->before_code);
	column_text(st, 3, &row->after_code);
	column_text(st, 4, &row->commit_msg);
	column_text(st, 5, &row->author);
	column_text(st, 6, &row->date);
	row->confidence = sqlite3_column_double(st, 7);
	column_text(st, 8, &row->commit_id);
	column_text(st, 9, &row->file_path);
	column_text(st, 10, &row->language);
	column_text(st, 11, &row->solution_hash);
	column_text(st, 12, &row->author_name);
	return 0;
}

void store_push_reader_close(struct store_push_reader *rd)
{
	if (!rd)
		return;
	sqlite3_finalize(rd->st);
	free(rd);
}

struct store_sync_batch {
	struct store *s;
	const char *remote;
	sqlite3_stmt *mark, *upd;
};

struct store_sync_batch *store_sync_batch_begin(struct store *s, const char *remote)
{
	struct store_sync_batch *b;

	if (store_begin(s) < 0)
		return NULL;
	b = xcalloc(1, sizeof(*b));
	b->s = s;
	b->remote = remote;
	b->mark = store_prepare(s, "INSERT INTO pushed(pattern_rowid, remote, server_id)"
				   " VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET"
				   " server_id = excluded.server_id");
	b->upd = store_prepare(s, "UPDATE patterns SET server_id = ?2,"
				  " success_count = max(success_count, ?3) WHERE id = ?1");
	if (!b->mark || !b->upd) {
		store_sync_batch_end(b, 0);
		return NULL;
	}
	return b;
}

int store_sync_batch_mark(struct store_sync_batch *b, long long rowid, const char *uuid,
			  long long success_count)
{
	sqlite3_bind_int64(b->mark, 1, rowid);
	sqlite3_bind_text(b->mark, 2, b->remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->mark, 3, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(b->mark) != SQLITE_DONE) {
		sqlite3_reset(b->mark);
		return store_error(b->s, "cannot mark pattern pushed");
	}
	sqlite3_reset(b->mark);
	sqlite3_bind_int64(b->upd, 1, rowid);
	sqlite3_bind_text(b->upd, 2, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b->upd, 3, success_count);
	if (sqlite3_step(b->upd) != SQLITE_DONE) {
		sqlite3_reset(b->upd);
		return store_error(b->s, "cannot mark pattern pushed");
	}
	sqlite3_reset(b->upd);
	return 0;
}

int store_sync_batch_end(struct store_sync_batch *b, int commit)
{
	int ret = 0;
	sqlite3_finalize(b->mark);
	sqlite3_finalize(b->upd);
	if (commit)
		ret = store_commit(b->s);
	if (!commit || ret < 0)
		store_rollback(b->s);
	free(b);
	return ret;
}

static char *own_key(const char *remote)
{
	return xstrfmt("sync.own_changes %s", remote);
}

char *store_sync_own_changes(struct store *s, const char *remote)
{
	char *key = own_key(remote), *v = store_meta_get(s, key);
	free(key);
	return v;
}

int store_sync_set_own_changes(struct store *s, const char *remote, const char *text)
{
	char *key = own_key(remote);
	int ret;

	if (text && *text) {
		ret = store_meta_set(s, key, text);
	} else {
		sqlite3_stmt *st = store_prepare(s, "DELETE FROM meta WHERE key = ?1");
		ret = -1;
		if (st) {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			ret = step_once(s, st, "cannot write meta");
		}
	}
	free(key);
	return ret;
}

/* ------------------------------------------------------------ the server's database */

/* The text sql (one column of sync_state, ?1 the remote) reads, or NULL. */
static char *sync_state_text(struct store *s, const char *sql, const char *remote)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	char *text = NULL;
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		text = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return text;
}

char *store_sync_database(struct store *s, const char *remote)
{
	return sync_state_text(s, "SELECT database_id FROM sync_state WHERE remote = ?1", remote);
}

int store_sync_set_database(struct store *s, const char *remote, const char *id)
{
	sqlite3_stmt *st = store_prepare(
		s, "INSERT INTO sync_state(remote, database_id) VALUES (?1, ?2)"
		   " ON CONFLICT(remote) DO UPDATE SET database_id = excluded.database_id");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return step_once(s, st, "cannot remember the team server's database");
}

/* Run sql, with remote as ?1 if it has a parameter. */
static int run_for_remote(struct store *s, const char *sql, const char *remote)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	if (!st)
		return -1;
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	return step_once(s, st, "cannot forget the team server's old database");
}

int store_sync_forget_database(struct store *s, const char *remote, const char *id)
{
	/* in this order: the server ids of local rows are found by their marks */
	static const char *const forget[] = {
		"UPDATE patterns SET server_id = NULL WHERE server_id IS NOT NULL"
		" AND origin = 'local' AND id IN (SELECT pattern_rowid FROM pushed"
		" WHERE remote = ?1)",
		"UPDATE patterns SET server_id = NULL WHERE server_id IS NOT NULL"
		" AND origin = 'team'",
		"DELETE FROM pushed WHERE remote = ?1",
		"UPDATE sync_state SET pull_cursor = NULL WHERE remote = ?1",
	};

	if (store_begin(s) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(forget); i++)
		if (run_for_remote(s, forget[i], remote) < 0)
			goto fail;
	/* the push watermarks (of every variant) and the own-change ranges */
	if (store_meta_delete_for(s, "sync.", remote) < 0 ||
	    store_xproject_forget(s, remote) < 0 || store_sync_set_database(s, remote, id) < 0 ||
	    store_commit(s) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

/* ------------------------------------------------------------ feedback */

int store_feedback_queue(struct store *s, long long rowid, const char *ref, int helpful)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	int ret = -1;

	if (store_begin(s) < 0)
		return -1;
	del = store_prepare(s, "DELETE FROM feedback_queue WHERE sent_at IS NULL AND"
			       " (pattern_rowid = ?1 OR pattern_ref = ?2)");
	ins = store_prepare(s, "INSERT INTO feedback_queue(pattern_ref, pattern_rowid, helpful,"
			       " created_at) VALUES (?2, ?1, ?3, ?4)");
	if (!del || !ins)
		goto out;
	if (rowid)
		sqlite3_bind_int64(del, 1, rowid);
	else
		sqlite3_bind_null(del, 1);
	sqlite3_bind_text(del, 2, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE) {
		store_error(s, "cannot queue feedback");
		goto out;
	}
	if (rowid)
		sqlite3_bind_int64(ins, 1, rowid);
	else
		sqlite3_bind_null(ins, 1);
	sqlite3_bind_text(ins, 2, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 3, helpful ? 1 : 0);
	sqlite3_bind_int64(ins, 4, (long long)time(NULL));
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_error(s, "cannot queue feedback");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	if (!ret)
		ret = store_commit(s);
	if (ret < 0)
		store_rollback(s);
	return ret;
}

int store_feedback_queued(struct store *s, long long rowid, const char *server_id)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT helpful FROM feedback_queue WHERE sent_at IS NULL AND"
				 " (pattern_rowid = ?1 OR (?2 IS NOT NULL AND pattern_ref = ?2))"
				 " ORDER BY id DESC LIMIT 1");
	int vote = -1;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, rowid);
	if (server_id)
		sqlite3_bind_text(st, 2, server_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		vote = sqlite3_column_int(st, 0) ? 1 : 0;
	sqlite3_finalize(st);
	return vote;
}

long long store_feedback_unsent(struct store *s, struct store_vote **out)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT f.id, f.pattern_ref, f.helpful, p.server_id, f.pattern_rowid"
		   " FROM feedback_queue f LEFT JOIN patterns p ON p.id = f.pattern_rowid"
		   " WHERE f.sent_at IS NULL ORDER BY f.id");
	struct store_vote *v = NULL;
	size_t nr = 0, alloc = 0;
	int rc;

	*out = NULL;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 1);
		const char *sid = (const char *)sqlite3_column_text(st, 3);
		ALLOC_GROW(v, nr + 1, alloc);
		v[nr].id = sqlite3_column_int64(st, 0);
		v[nr].ref = xstrdup(ref ? ref : "");
		v[nr].helpful = sqlite3_column_int(st, 2);
		v[nr].server_id = sid ? xstrdup(sid) : NULL;
		v[nr].has_row = sqlite3_column_type(st, 4) != SQLITE_NULL;
		nr++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_votes_free(v, nr);
		return store_error(s, "cannot read the feedback queue");
	}
	*out = v;
	return (long long)nr;
}

void store_votes_free(struct store_vote *v, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(v[i].ref);
		free(v[i].server_id);
	}
	free(v);
}

int store_feedback_sent(struct store *s, long long id)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE feedback_queue SET sent_at = ?2 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (long long)time(NULL));
	return step_once(s, st, "cannot mark feedback sent");
}

int store_set_success_count(struct store *s, const char *uuid, long long count)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE patterns SET success_count = ?2"
					    " WHERE server_id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, count);
	return step_once(s, st, "cannot update success_count");
}

/* ------------------------------------------------------------ pull */

char *store_sync_cursor(struct store *s, const char *remote)
{
	return sync_state_text(s, "SELECT pull_cursor FROM sync_state WHERE remote = ?1", remote);
}

int store_sync_set_cursor(struct store *s, const char *remote, const char *cursor)
{
	sqlite3_stmt *st = store_prepare(
		s, "INSERT INTO sync_state(remote, pull_cursor, last_sync) VALUES (?1, ?2, ?3)"
		   " ON CONFLICT(remote) DO UPDATE SET pull_cursor = excluded.pull_cursor,"
		   " last_sync = excluded.last_sync");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cursor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (long long)time(NULL));
	return step_once(s, st, "cannot save the pull cursor");
}

struct store_puller {
	struct store *s;
	const char *remote;
	sqlite3_stmt *lookup, *update, *local_hash, *mark_local, *team_hash, *insert, *drop;
	sqlite3_stmt *unmark; /* a local pattern's push mark: its server copy is gone */
	sqlite3_stmt *unshare; /* ...and the local pattern's own record of that copy */
	int marked_local; /* local patterns were marked pushed (their code came back) */
};

void store_puller_close(struct store_puller *p)
{
	if (!p)
		return;
	sqlite3_finalize(p->lookup);
	sqlite3_finalize(p->drop);
	sqlite3_finalize(p->unmark);
	sqlite3_finalize(p->unshare);
	sqlite3_finalize(p->update);
	sqlite3_finalize(p->local_hash);
	sqlite3_finalize(p->mark_local);
	sqlite3_finalize(p->team_hash);
	sqlite3_finalize(p->insert);
	free(p);
}

struct store_puller *store_puller_open(struct store *s, const char *remote)
{
	struct store_puller *p = xcalloc(1, sizeof(*p));
	p->s = s;
	p->remote = remote;
	p->lookup = store_prepare(s, "SELECT origin, server_id, success_count FROM patterns"
				     " WHERE server_id = ?1 OR solution_hash = ?2");
	p->update = store_prepare(s, "UPDATE patterns SET success_count = ?2"
				     " WHERE server_id = ?1 AND success_count != ?2");
	/*
	 * By the solution's index, named: SQLite would take the index on
	 * origin and read every local pattern for each one pulled.
	 */
	p->local_hash = store_prepare(s, "UPDATE patterns INDEXED BY patterns_solution"
					 " SET server_id = ?2, success_count = ?3"
					 " WHERE solution_hash = ?1 AND origin = 'local'");
	p->mark_local = store_prepare(
		s, "INSERT INTO pushed(pattern_rowid, remote, server_id)"
		   " SELECT id, ?2, ?3 FROM patterns INDEXED BY patterns_solution"
		   " WHERE solution_hash = ?1 AND origin = 'local'"
		   " ON CONFLICT DO UPDATE SET server_id = excluded.server_id");
	p->team_hash = store_prepare(s, "UPDATE patterns INDEXED BY patterns_solution"
					" SET server_id = ?2, success_count = ?3"
					" WHERE solution_hash = ?1 AND origin = 'team'");
	p->insert = store_prepare(
		s, "INSERT OR IGNORE INTO patterns(pattern_id, variant, origin, commit_id,"
		   " file_path, problem_type, before_code, after_code, commit_msg, author, date,"
		   " commit_time, confidence, language, solution_hash, server_id, success_count,"
		   " created_by, author_name) VALUES (?1, '', 'team', ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		   " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, COALESCE(?17, ''))");
	p->drop = store_prepare(s, "DELETE FROM patterns INDEXED BY patterns_server_id"
				   " WHERE server_id = ?1 AND origin = 'team'");
	/* still pushed (never again), but with no server copy to tag with a project */
	p->unmark = store_prepare(s, "UPDATE pushed SET server_id = NULL"
				     " WHERE server_id = ?1 AND remote = ?2");
	/* show says "shared as <id>" no more, and feedback is not sent to a gone id */
	p->unshare = store_prepare(s, "UPDATE patterns INDEXED BY patterns_server_id"
				      " SET server_id = NULL, success_count = 0"
				      " WHERE server_id = ?1 AND origin = 'local'");
	if (!p->lookup || !p->update || !p->local_hash || !p->mark_local || !p->team_hash ||
	    !p->insert || !p->drop || !p->unmark || !p->unshare) {
		store_puller_close(p);
		return NULL;
	}
	return p;
}

/* Step, reset and unbind st; SQLITE_DONE or SQLITE_ROW, or store_error(what). */
static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return rc;
	return store_error(s, what);
}

int store_puller_drop(struct store_puller *p, const char *server_id, int *dropped)
{
	const char *what = "cannot drop deleted pattern";

	sqlite3_bind_text(p->drop, 1, server_id, -1, SQLITE_STATIC);
	if (step_done(p->s, p->drop, what) < 0)
		return -1;
	*dropped = sqlite3_changes(store_db(p->s)) > 0;
	sqlite3_bind_text(p->unmark, 1, server_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(p->unmark, 2, p->remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(p->unshare, 1, server_id, -1, SQLITE_STATIC);
	if (step_done(p->s, p->unmark, what) < 0 || step_done(p->s, p->unshare, what) < 0)
		return -1;
	return *dropped ? recall_index_rows_dropped(p->s) : 0;
}

int store_puller_marked_local(const struct store_puller *p)
{
	return p->marked_local;
}

/* v lives (in the caller's pattern) until the statement is stepped and reset */
static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* What rows match t: by its UUID (and is their count stale?), or by its code. */
struct match {
	int by_uuid, stale, local, team;
};

static int lookup(struct store_puller *p, const struct store_team_pattern *t, struct match *m)
{
	sqlite3_stmt *st = p->lookup;
	int rc;

	memset(m, 0, sizeof(*m));
	sqlite3_bind_text(st, 1, t->server_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->solution_hash, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *origin = (const char *)sqlite3_column_text(st, 0);
		const char *sid = (const char *)sqlite3_column_text(st, 1);
		if (sid && !strcmp(sid, t->server_id)) {
			m->by_uuid = 1;
			if (sqlite3_column_int64(st, 2) != t->success_count)
				m->stale = 1;
		} else if (origin && !strcmp(origin, "local")) {
			m->local = 1;
		} else {
			m->team = 1;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : store_error(p->s, "cannot read pattern");
}

/* A new team row; its pattern_id is the server's unless taken. *stored 1 if stored. */
static int insert_team(struct store_puller *p, const struct store_team_pattern *t, int *stored)
{
	char fallback_id[17];
	size_t k = 0;

	for (const char *u = t->server_id; *u && k < 16; u++)
		if (*u != '-')
			fallback_id[k++] = *u;
	fallback_id[k] = '\0';
	for (int attempt = 0; attempt < 2; attempt++) {
		const char *id = attempt == 0 && t->pattern_id && strlen(t->pattern_id) == 16
					 ? t->pattern_id
					 : fallback_id;
		sqlite3_stmt *st = p->insert;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		bind_opt(st, 2, t->commit_id);
		bind_opt(st, 3, t->file_path);
		sqlite3_bind_text(st, 4, t->problem_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, t->before_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, t->after_code, -1, SQLITE_STATIC);
		bind_opt(st, 7, t->commit_msg);
		bind_opt(st, 8, t->author);
		bind_opt(st, 9, t->date);
		sqlite3_bind_int64(st, 10, t->commit_time);
		sqlite3_bind_double(st, 11, t->confidence);
		bind_opt(st, 12, t->language);
		sqlite3_bind_text(st, 13, t->solution_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 14, t->server_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 15, t->success_count);
		bind_opt(st, 16, t->created_by);
		bind_opt(st, 17, t->author_name);
		if (step_done(p->s, st, "cannot store team pattern") < 0)
			return -1;
		if (sqlite3_changes(store_db(p->s))) {
			*stored = 1;
			return 0;
		}
	}
	return 0;
}

int store_puller_put(struct store_puller *p, const struct store_team_pattern *t, int *stored)
{
	struct match m;
	sqlite3_stmt *st;

	assert(t->server_id && t->solution_hash && t->before_code && t->after_code &&
	       t->problem_type);
	*stored = -1;
	if (lookup(p, t, &m) < 0)
		return -1;
	/* known by its UUID: refresh success_count (our own push coming back is no news) */
	if (m.by_uuid) {
		*stored = 2;
		if (!m.stale)
			return 0;
		sqlite3_bind_text(p->update, 1, t->server_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(p->update, 2, t->success_count);
		*stored = 0;
		return step_done(p->s, p->update, "cannot update pattern") < 0 ? -1 : 0;
	}
	/* a local pattern with the same code: it is this one, and on the server */
	if (m.local) {
		sqlite3_bind_text(p->local_hash, 1, t->solution_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(p->local_hash, 2, t->server_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(p->local_hash, 3, t->success_count);
		if (step_done(p->s, p->local_hash, "cannot update pattern") < 0)
			return -1;
		st = p->mark_local;
		sqlite3_bind_text(st, 1, t->solution_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->remote, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, t->server_id, -1, SQLITE_STATIC);
		*stored = 0;
		p->marked_local = 1;
		return step_done(p->s, st, "cannot mark pattern pushed") < 0 ? -1 : 0;
	}
	/* a team pattern with the same code under another UUID (server rebuilt) */
	if (m.team) {
		sqlite3_bind_text(p->team_hash, 1, t->solution_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(p->team_hash, 2, t->server_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(p->team_hash, 3, t->success_count);
		*stored = 0;
		return step_done(p->s, p->team_hash, "cannot update pattern") < 0 ? -1 : 0;
	}
	return insert_team(p, t, stored);
}
