/*
 * sync.c: the sync engine: push unacknowledged local patterns, send queued
 * feedback, pull the team's changes after the cursor (see sync.h for the
 * order and the exactly-once rules).
 *
 * Wire protocol (docs/api.md of the server): POST /patterns with an array
 * answers one object per item, in order (id, solution_hash, created);
 * GET /patterns?since=CURSOR&limit=N answers {"patterns": [...],
 * "next_since": CURSOR, "total": changes left including this page};
 * POST /patterns/{uuid}/feedback {"helpful": bool} answers the pattern.
 */
#include "client/sync.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/pattern.h"
#include "local/query.h"
#include "local/recall-index.h"
#include "common/util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void warnf(const struct sync_options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warnf(const struct sync_options *o, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (!o->warn)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	o->warn(o->data, sb.buf);
	strbuf_release(&sb);
}

static void progress(const struct sync_options *o, enum sync_phase ph, uint64_t done,
		     uint64_t total)
{
	if (o->progress)
		o->progress(o->data, ph, done, total);
}

int sync_is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		char ch = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-')
				return 0;
		} else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
			     (ch >= 'A' && ch <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

/*
 * Turn a failed answer into an error message. 401 says how to give a key;
 * other statuses say what the server said.
 */
static int answer_error(struct http_client *c, const struct http_response *resp, const char *what,
			struct sync_result *r)
{
	struct strbuf detail = STRBUF_INIT;
	r->http_status = resp->status;
	http_error_detail(resp, &detail);
	if (resp->status == 401)
		err_set("team server %s refused the API key (%s) while %s; to give a key, "
			"set GIT_PATTERNS_API_KEY, store it with a git credential helper "
			"(as the password for this URL), or set patterns.apiKey",
			http_client_url(c), detail.buf, what);
	else
		err_set("team server %s answered %ld while %s: %s", http_client_url(c),
			resp->status, what, detail.buf);
	strbuf_release(&detail);
	return -1;
}

static int ok_status(long status)
{
	return status >= 200 && status < 300;
}

/* ------------------------------------------------ own changes in the feed */

/*
 * The change numbers (change_seq) the server gave to the patterns this
 * clone created by its pushes, as sorted, disjoint, non-adjacent ranges,
 * kept in meta as "lo-hi,lo-hi,..." under 'sync.own_changes REMOTE'. A
 * range is made only of consecutive numbers of created items of one batch,
 * so every change in it is one of ours: a pull skips it instead of
 * downloading what it just pushed (what it would do with those is nothing:
 * the patterns are known by their server id). A pattern changed since
 * (feedback) has a new change_seq outside the range and is pulled as
 * usual. Ranges the pull cursor has passed are dropped.
 */
struct seq_range {
	long long lo, hi;
};

struct own_ranges {
	struct seq_range *r;
	size_t nr, alloc;
};

#define OWN_RANGES_MAX 10000 /* beyond it the oldest are forgotten (pulled back) */

static char *own_key(const char *remote)
{
	return xstrfmt("sync.own_changes %s", remote);
}

static int range_cmp(const void *a, const void *b)
{
	const struct seq_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort, merge overlapping and adjacent ranges, drop those up to floor. */
static void own_normalize(struct own_ranges *o, long long floor)
{
	size_t n = 0;
	if (o->nr > 1)
		qsort(o->r, o->nr, sizeof(*o->r), range_cmp);
	for (size_t i = 0; i < o->nr; i++) {
		if (o->r[i].hi <= floor)
			continue;
		if (n && o->r[i].lo <= o->r[n - 1].hi + 1) {
			if (o->r[i].hi > o->r[n - 1].hi)
				o->r[n - 1].hi = o->r[i].hi;
		} else {
			o->r[n++] = o->r[i];
		}
	}
	o->nr = n;
	if (o->nr > OWN_RANGES_MAX) {
		memmove(o->r, o->r + (o->nr - OWN_RANGES_MAX), OWN_RANGES_MAX * sizeof(*o->r));
		o->nr = OWN_RANGES_MAX;
	}
}

static void own_add(struct own_ranges *o, long long lo, long long hi)
{
	ALLOC_GROW(o->r, o->nr + 1, o->alloc);
	o->r[o->nr].lo = lo;
	o->r[o->nr].hi = hi;
	o->nr++;
}

/* Read the ranges (a malformed value reads as none: nothing is skipped). */
static void own_load(struct store *s, const char *remote, struct own_ranges *o)
{
	char *key = own_key(remote), *v = store_meta_get(s, key);
	const char *p = v;

	free(key);
	memset(o, 0, sizeof(*o));
	while (p && *p) {
		long long lo, hi;
		char *end;
		lo = strtoll(p, &end, 10);
		if (end == p || *end != '-')
			goto bad;
		p = end + 1;
		hi = strtoll(p, &end, 10);
		if (end == p || (*end && *end != ',') || lo < 1 || hi < lo)
			goto bad;
		own_add(o, lo, hi);
		p = *end ? end + 1 : end;
	}
	free(v);
	own_normalize(o, 0);
	return;
bad:
	free(v);
	o->nr = 0;
}

static int own_save(struct store *s, const char *remote, const struct own_ranges *o)
{
	struct strbuf sb = STRBUF_INIT;
	char *key = own_key(remote);
	int ret;

	for (size_t i = 0; i < o->nr; i++)
		strbuf_addf(&sb, "%s%lld-%lld", i ? "," : "", o->r[i].lo, o->r[i].hi);
	if (sb.len) {
		ret = store_meta_set(s, key, sb.buf);
	} else {
		sqlite3_stmt *st = store_prepare(s, "DELETE FROM meta WHERE key = ?1");
		ret = -1;
		if (st) {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			ret = sqlite3_step(st) == SQLITE_DONE ? 0
							      : store_error(s, "cannot write meta");
			sqlite3_finalize(st);
		}
	}
	free(key);
	strbuf_release(&sb);
	return ret;
}

/* ---------------------------------------------------------------- push */

struct push_item {
	long long rowid;
};

#define PUSH_COLUMNS                                                                               \
	"p.id, p.pattern_id, p.problem_type, p.before_code, p.after_code, p.commit_msg,"           \
	" p.author, p.date, p.confidence, p.commit_id, p.file_path, p.language,"                   \
	" p.solution_hash"
#define PUSH_WHERE                                                                                 \
	" FROM patterns p WHERE p.origin = 'local' AND p.variant = ?1 AND p.obsolete = 0"          \
	" AND NOT EXISTS (SELECT 1 FROM pushed x WHERE x.pattern_rowid = p.id"                     \
	" AND x.remote = ?2)"

static void jw_column(struct json_writer *jw, const char *key, sqlite3_stmt *st, int col)
{
	jw_key(jw, key);
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		jw_null(jw);
	else
		jw_string_len(jw, (const char *)sqlite3_column_text(st, col),
			      (size_t)sqlite3_column_bytes(st, col));
}

/*
 * A text column cut to at most max bytes (at a character boundary), to
 * stay within the server's field limits (the code is never cut).
 */
static void jw_column_max(struct json_writer *jw, const char *key, sqlite3_stmt *st, int col,
			  size_t max)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	jw_key(jw, key);
	if (!v) {
		jw_null(jw);
		return;
	}
	if (len > max) {
		len = max;
		while (len && ((unsigned char)v[len] & 0xC0) == 0x80)
			len--;
	}
	jw_string_len(jw, v, len);
}

/* Append the pattern in st's row as one JSON object of a push. */
static void push_object(struct json_writer *jw, sqlite3_stmt *st)
{
	jw_object_begin(jw);
	jw_column(jw, "pattern_id", st, 1);
	jw_column(jw, "problem_type", st, 2);
	jw_column(jw, "code_before", st, 3);
	jw_column(jw, "code_after", st, 4);
	jw_column_max(jw, "commit_msg", st, 5, 60000);
	jw_column_max(jw, "author", st, 6, 200);
	jw_column(jw, "date", st, 7);
	jw_key(jw, "confidence");
	jw_double(jw, sqlite3_column_double(st, 8));
	jw_column(jw, "commit", st, 9);
	jw_column_max(jw, "file_path", st, 10, 4000);
	jw_column_max(jw, "language", st, 11, 40);
	jw_column(jw, "solution_hash", st, 12);
	jw_object_end(jw);
}

/* The per-item answers of a POST /patterns: an array, or one in an object. */
static const cJSON *answer_items(const cJSON *doc)
{
	static const char *const keys[] = {"patterns", "results", "items"};
	if (cJSON_IsArray(doc))
		return doc;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, keys[i]);
		if (cJSON_IsArray(a))
			return a;
	}
	return NULL;
}

/* Was this answer item newly created (1), already known (0), or refused (-1)? */
static int item_outcome(const cJSON *item, const char **uuid)
{
	const cJSON *created = cJSON_GetObjectItemCaseSensitive(item, "created");
	const char *status = json_get_string(item, "status");

	*uuid = json_get_string(item, "id");
	if (!*uuid || !sync_is_uuid(*uuid))
		return -1;
	if (cJSON_IsBool(created))
		return cJSON_IsTrue(created);
	if (status)
		return !strcmp(status, "created") || !strcmp(status, "new");
	return 1;
}

/* Record a batch's answers: all marks of a batch in one transaction. */
static int mark_pushed(struct store *s, const char *remote, const long long *rowids, size_t n,
		       const cJSON *items, struct sync_result *r)
{
	sqlite3_stmt *mark = NULL, *upd = NULL;
	const cJSON *item;
	size_t i = 0;
	int ret = -1;
	struct own_ranges own = {NULL, 0, 0};
	long long run_lo = 0, run_hi = 0; /* consecutive change_seqs of created items */

	if (store_begin(s) < 0)
		return -1;
	mark = store_prepare(s, "INSERT INTO pushed(pattern_rowid, remote, server_id)"
				" VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET"
				" server_id = excluded.server_id");
	upd = store_prepare(s, "UPDATE patterns SET server_id = ?2,"
			       " success_count = max(success_count, ?3) WHERE id = ?1");
	if (!mark || !upd)
		goto out;
	cJSON_ArrayForEach(item, items)
	{
		const char *uuid;
		int outcome = item_outcome(item, &uuid);
		double index = json_get_number(item, "index", (double)i);
		long long rowid;

		if (!(index >= 0 && index < (double)n)) {
			err_set("team server sent an answer for pattern %g of a push of %zu", index,
				n);
			goto out;
		}
		rowid = rowids[(size_t)index];
		i++;

		if (outcome < 0) {
			r->rejected++;
			continue;
		}
		if (outcome) {
			const cJSON *seq = cJSON_GetObjectItemCaseSensitive(item, "change_seq");
			r->pushed++;
			if (cJSON_IsNumber(seq) && seq->valuedouble >= 1 &&
			    seq->valuedouble < 9e15) {
				long long v = (long long)seq->valuedouble;
				if (run_lo && v == run_hi + 1) {
					run_hi = v;
				} else {
					if (run_lo)
						own_add(&own, run_lo, run_hi);
					run_lo = run_hi = v;
				}
			}
		} else {
			r->duplicates++;
		}
		sqlite3_bind_int64(mark, 1, rowid);
		sqlite3_bind_text(mark, 2, remote, -1, SQLITE_STATIC);
		sqlite3_bind_text(mark, 3, uuid, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(mark) != SQLITE_DONE) {
			store_error(s, "cannot mark pattern pushed");
			goto out;
		}
		sqlite3_reset(mark);
		sqlite3_bind_int64(upd, 1, rowid);
		sqlite3_bind_text(upd, 2, uuid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 3, (long long)json_get_number(item, "success_count", 0));
		if (sqlite3_step(upd) != SQLITE_DONE) {
			store_error(s, "cannot mark pattern pushed");
			goto out;
		}
		sqlite3_reset(upd);
	}
	if (run_lo)
		own_add(&own, run_lo, run_hi);
	if (own.nr) {
		/* in the transaction of the marks: the skip never outlives them */
		struct own_ranges all;
		own_load(s, remote, &all);
		for (size_t k = 0; k < own.nr; k++)
			own_add(&all, own.r[k].lo, own.r[k].hi);
		own_normalize(&all, 0);
		if (own_save(s, remote, &all) < 0) {
			free(all.r);
			goto out;
		}
		free(all.r);
	}
	ret = store_commit(s);
out:
	free(own.r);
	sqlite3_finalize(mark);
	sqlite3_finalize(upd);
	if (ret < 0)
		store_rollback(s);
	return ret;
}

/*
 * The push watermark of a remote and variant: every local pattern of the
 * variant whose rowid is at most the watermark is acknowledged by the
 * remote, so what is left to push is looked for above it only, and a sync
 * with nothing new reads none of the rows already pushed. It is kept in
 * meta and is the rowid of a pushed local row: when that row or its mark is
 * gone (deleted, or the remote forgotten), it is not trusted (0: look at
 * every row). Rows below it never become unpushed: patterns are not
 * deleted by the client, rowids grow, and a row that was obsolete and
 * unpushed holds the watermark below itself (it may come back).
 */
static char *watermark_key(const char *variant, const char *remote)
{
	return xstrfmt("sync.pushed_upto %s %s", variant, remote);
}

static long long get_watermark(struct store *s, const char *variant, const char *remote)
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

/*
 * Move the watermark up to the last pushed row before the first local row
 * (above it) that is not pushed. Reads only the rows above the old one.
 */
static int advance_watermark(struct store *s, const char *variant, const char *remote,
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

static long long count_unpushed(struct store *s, const char *variant, const char *remote,
				long long from)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*)" PUSH_WHERE " AND p.id > ?3");
	long long n = -1;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, remote, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		store_error(s, "cannot count patterns to push");
	sqlite3_finalize(st);
	return n;
}

/*
 * Push the n patterns of rowids: as many per request as fit in
 * SYNC_PUSH_BYTES, each request's array POSTed and what the server
 * acknowledged marked. A batch the server refuses
 * as too large (413) or invalid (422) is halved until the culprit is alone;
 * a single pattern it refuses is skipped with a warning and stays unpushed
 * (so it is offered again by the next sync).
 */
static int push_batch(struct store *s, struct http_client *c, const char *remote,
		      const struct sync_options *o, long long *rowids, size_t n,
		      struct sync_result *r);

/*
 * Append to body (a JSON array) as many of the n patterns of rowids as fit
 * in SYNC_PUSH_BYTES, at least one; how many, or -1.
 */
static long long build_body(struct store *s, const long long *rowids, size_t n, struct strbuf *body)
{
	struct json_writer jw;
	sqlite3_stmt *st;
	size_t sent = 0;

	st = store_prepare(s, "SELECT " PUSH_COLUMNS " FROM patterns p WHERE p.id = ?1");
	if (!st)
		return -1;
	jw_init(&jw, body, 0);
	jw_array_begin(&jw);
	while (sent < n) {
		size_t before = body->len;
		sqlite3_bind_int64(st, 1, rowids[sent]);
		if (sqlite3_step(st) != SQLITE_ROW) {
			store_error(s, "cannot read pattern to push");
			sqlite3_finalize(st);
			return -1;
		}
		push_object(&jw, st);
		sqlite3_reset(st);
		if (sent && body->len > SYNC_PUSH_BYTES) {
			strbuf_setlen(body, before);
			break;
		}
		sent++;
	}
	sqlite3_finalize(st);
	/* the writer thinks it is still inside the array: close by hand */
	strbuf_addch(body, ']');
	return (long long)sent;
}

/*
 * Act on the answer to a POST of the sent patterns of rowids: mark what the
 * server acknowledged, or split a batch it refused (413, 422; this asks the
 * server again), or fail.
 */
static int push_answer(struct store *s, struct http_client *c, const char *remote,
		       const struct sync_options *o, long long *rowids, size_t sent,
		       const struct http_response *resp, const cJSON *doc, struct sync_result *r)
{
	const cJSON *items;

	if (resp->status == 413 || resp->status == 422) {
		struct strbuf detail = STRBUF_INIT;
		if (sent > 1) {
			/* too large together, or one of them refused: halve to find it */
			size_t half = sent / 2;
			if (push_batch(s, c, remote, o, rowids, half, r) < 0)
				return -1;
			return push_batch(s, c, remote, o, rowids + half, sent - half, r);
		}
		http_error_detail(resp, &detail);
		warnf(o, "team server refused pattern (row %lld): %s; not pushed", rowids[0],
		      detail.buf);
		strbuf_release(&detail);
		r->rejected++;
		return 0;
	}
	if (!ok_status(resp->status))
		return answer_error(c, resp, "pushing patterns", r);
	r->authenticated = 1;
	items = doc ? answer_items(doc) : NULL;
	if (!items || (size_t)cJSON_GetArraySize(items) != sent)
		return err_set("team server %s sent an unexpected answer to a push of %zu "
			       "patterns (expected one item per pattern); nothing marked as pushed",
			       http_client_url(c), sent);
	return mark_pushed(s, remote, rowids, sent, items, r);
}

static int push_batch(struct store *s, struct http_client *c, const char *remote,
		      const struct sync_options *o, long long *rowids, size_t n,
		      struct sync_result *r)
{
	while (n) {
		struct strbuf body = STRBUF_INIT;
		struct http_response resp = HTTP_RESPONSE_INIT;
		cJSON *doc = NULL;
		long long sent = build_body(s, rowids, n, &body);
		int ret = -1;

		if (sent > 0 && http_json(c, "POST", "/patterns", &body, &resp, &doc) == 0)
			ret = push_answer(s, c, remote, o, rowids, (size_t)sent, &resp, doc, r);
		strbuf_release(&body);
		http_response_release(&resp);
		cJSON_Delete(doc);
		if (ret < 0)
			return -1;
		rowids += sent;
		n -= (size_t)sent;
	}
	return 0;
}

/*
 * A batch in flight: its POST runs on a thread of its own while the next
 * batch is read from the store and written as JSON, so the client's work
 * overlaps the server's. Only one request is in flight at a time, and a
 * batch's answer is acted on (marked, in order) before the one after the
 * next is sent.
 */
struct post {
	struct http_client *c;
	long long *rowids;
	size_t sent;
	struct strbuf body;
	struct http_response resp;
	cJSON *doc;
	int rc;
	char *error; /* of a failed http_json, from its thread */
	pthread_t th;
	int joined;
};

static void *post_run(void *data)
{
	struct post *x = data;
	x->rc = http_json(x->c, "POST", "/patterns", &x->body, &x->resp, &x->doc);
	if (x->rc < 0)
		x->error = xstrdup(err_msg());
	return NULL;
}

static void post_free(struct post *x)
{
	free(x->rowids);
	strbuf_release(&x->body);
	http_response_release(&x->resp);
	cJSON_Delete(x->doc);
	free(x->error);
	free(x);
}

/* Act on a finished post (joined), then free it. */
static int post_finish(struct store *s, const char *remote, const struct sync_options *o,
		       struct post *x, struct sync_result *r)
{
	int ret;
	if (x->rc < 0)
		ret = err_set("%s", x->error ? x->error : "push failed");
	else
		ret = push_answer(s, x->c, remote, o, x->rowids, x->sent, &x->resp, x->doc, r);
	post_free(x);
	return ret;
}

static int push(struct store *s, struct http_client *c, const struct sync_options *o,
		struct sync_result *r)
{
	const char *remote = http_client_url(c);
	long long mark = get_watermark(s, o->variant, remote);
	long long total = count_unpushed(s, o->variant, remote, mark), done = 0, last = mark;
	struct post *pending = NULL;
	int ret = 0;

	if (total < 0)
		return -1;
	if (o->dry_run || !total) {
		r->to_push = total;
		return 0;
	}
	progress(o, SYNC_PHASE_PUSH, 0, (uint64_t)total);
	for (;;) {
		sqlite3_stmt *st = store_prepare(s, "SELECT p.id" PUSH_WHERE
						    " AND p.id > ?3 ORDER BY p.id LIMIT ?4");
		struct post *x;
		long long sent;
		size_t n = 0;

		if (!st) {
			ret = -1;
			break;
		}
		x = xcalloc(1, sizeof(*x));
		x->c = c;
		x->rowids = xmalloc(SYNC_PUSH_BATCH * sizeof(*x->rowids));
		strbuf_init(&x->body, 0);
		{
			struct http_response init = HTTP_RESPONSE_INIT;
			x->resp = init;
		}
		sqlite3_bind_text(st, 1, o->variant, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, remote, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, last);
		sqlite3_bind_int(st, 4, SYNC_PUSH_BATCH);
		while (sqlite3_step(st) == SQLITE_ROW)
			x->rowids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sent = n ? build_body(s, x->rowids, n, &x->body) : 0;
		if (sent <= 0) {
			post_free(x);
			ret = sent < 0 ? -1 : 0;
			break;
		}
		x->sent = (size_t)sent;
		last = x->rowids[sent - 1];

		/* the batch before: its answer first if it needs the server again */
		if (pending) {
			pthread_join(pending->th, NULL);
			pending->joined = 1;
			if (pending->rc == 0 &&
			    (pending->resp.status == 413 || pending->resp.status == 422)) {
				done += (long long)pending->sent;
				ret = post_finish(s, remote, o, pending, r);
				pending = NULL;
				if (ret < 0) {
					post_free(x);
					break;
				}
			}
		}
		if (pthread_create(&x->th, NULL, post_run, x)) {
			post_free(x);
			ret = err_set("cannot start a thread");
			break;
		}
		if (pending) {
			size_t was = pending->sent;
			ret = post_finish(s, remote, o, pending, r);
			pending = NULL;
			if (ret < 0) {
				pthread_join(x->th, NULL);
				post_free(x);
				break;
			}
			done += (long long)was;
			progress(o, SYNC_PHASE_PUSH, (uint64_t)done,
				 (uint64_t)(done > total ? done : total));
		}
		pending = x;
	}
	if (pending) {
		size_t was = pending->sent;
		if (!pending->joined)
			pthread_join(pending->th, NULL);
		if (ret < 0) {
			post_free(pending);
		} else {
			ret = post_finish(s, remote, o, pending, r);
			done += (long long)was;
			if (!ret)
				progress(o, SYNC_PHASE_PUSH, (uint64_t)done,
					 (uint64_t)(done > total ? done : total));
		}
	}
	if (!ret)
		ret = advance_watermark(s, o->variant, remote, mark);
	return ret;
}

/* ------------------------------------------------------------ feedback */

struct found {
	long long rowid;
	char *pattern_id;
	char *server_id;
};

static int found_row(const struct pattern_row *row, void *data)
{
	struct found *f = data;
	f->rowid = row->rowid;
	f->pattern_id = xstrdup(row->pattern_id);
	f->server_id = row->server_id ? xstrdup(row->server_id) : NULL;
	return 0;
}

int sync_feedback_queue(struct store *s, const char *id, int helpful, const char *variant,
			char **resolved)
{
	struct found f = {0, NULL, NULL};
	sqlite3_stmt *del = NULL, *ins = NULL;
	int rc, ret = -1;

	*resolved = NULL;
	rc = query_show(s, id, variant, found_row, &f);
	if (rc < 0)
		return -1;
	if (rc == 1 && !sync_is_uuid(id))
		return err_set("no pattern '%s' in the store (give a pattern id, a unique "
			       "prefix of one, or a team server UUID)",
			       id);
	if (store_begin(s) < 0)
		goto out;
	del = store_prepare(s, "DELETE FROM feedback_queue WHERE sent_at IS NULL AND"
			       " (pattern_rowid = ?1 OR pattern_ref = ?2)");
	ins = store_prepare(s, "INSERT INTO feedback_queue(pattern_ref, pattern_rowid, helpful,"
			       " created_at) VALUES (?2, ?1, ?3, ?4)");
	if (!del || !ins)
		goto out;
	if (rc == 1)
		sqlite3_bind_null(del, 1);
	else
		sqlite3_bind_int64(del, 1, f.rowid);
	sqlite3_bind_text(del, 2, rc == 1 ? id : f.pattern_id, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE) {
		store_error(s, "cannot queue feedback");
		goto out;
	}
	if (rc == 1)
		sqlite3_bind_null(ins, 1);
	else
		sqlite3_bind_int64(ins, 1, f.rowid);
	sqlite3_bind_text(ins, 2, rc == 1 ? id : f.pattern_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 3, helpful ? 1 : 0);
	sqlite3_bind_int64(ins, 4, (long long)time(NULL));
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_error(s, "cannot queue feedback");
		goto out;
	}
	if (store_commit(s) < 0)
		goto out;
	*resolved = xstrdup(rc == 1 ? id : f.pattern_id);
	ret = 0;
out:
	if (ret < 0)
		store_rollback(s);
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	free(f.pattern_id);
	free(f.server_id);
	return ret;
}

int sync_feedback_queued(struct store *s, long long rowid, const char *server_id)
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

static int update_success_count(struct store *s, const char *uuid, long long count)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE patterns SET success_count = ?2"
					    " WHERE server_id = ?1");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, count);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot update success_count");
}

static int send_feedback(struct store *s, struct http_client *c, const struct sync_options *o,
			 struct sync_result *r)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT f.id, f.pattern_ref, f.helpful, p.server_id, f.pattern_rowid"
		   " FROM feedback_queue f LEFT JOIN patterns p ON p.id = f.pattern_rowid"
		   " WHERE f.sent_at IS NULL ORDER BY f.id");
	struct votes {
		long long id;
		char *ref, *uuid;
		int helpful;
	} *v = NULL;
	size_t nr = 0, alloc = 0;
	int ret = 0;

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 1);
		const char *uuid = (const char *)sqlite3_column_text(st, 3);
		int has_row = sqlite3_column_type(st, 4) != SQLITE_NULL;
		ALLOC_GROW(v, nr + 1, alloc);
		v[nr].id = sqlite3_column_int64(st, 0);
		v[nr].ref = xstrdup(ref ? ref : "");
		v[nr].helpful = sqlite3_column_int(st, 2);
		if (uuid && sync_is_uuid(uuid))
			v[nr].uuid = xstrdup(uuid);
		else if (!has_row && ref && sync_is_uuid(ref))
			v[nr].uuid = xstrdup(ref);
		else
			v[nr].uuid = NULL;
		nr++;
	}
	sqlite3_finalize(st);

	for (size_t i = 0; i < nr; i++) {
		struct http_response resp = HTTP_RESPONSE_INIT;
		struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
		cJSON *doc = NULL;
		sqlite3_stmt *done;

		if (!v[i].uuid) {
			r->feedback_pending++;
			warnf(o,
			      "feedback on %s kept queued: the pattern is not on the team "
			      "server yet",
			      v[i].ref);
			continue;
		}
		if (o->dry_run) {
			r->feedback_sent++;
			continue;
		}
		progress(o, SYNC_PHASE_FEEDBACK, i, nr);
		strbuf_addstr(&path, "/patterns/");
		http_query_escape(&path, v[i].uuid);
		strbuf_addstr(&path, "/feedback");
		strbuf_addf(&body, "{\"helpful\": %s}", v[i].helpful ? "true" : "false");
		if (http_json(c, "POST", path.buf, &body, &resp, &doc) < 0) {
			ret = -1;
		} else if (resp.status == 404) {
			warnf(o, "feedback on %s dropped: the team server has no pattern %s",
			      v[i].ref, v[i].uuid);
		} else if (!ok_status(resp.status)) {
			ret = answer_error(c, &resp, "sending feedback", r);
		} else {
			r->authenticated = 1;
			r->feedback_sent++;
			if (doc &&
			    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "success_count")))
				update_success_count(
					s, v[i].uuid,
					(long long)json_get_number(doc, "success_count", 0));
		}
		if (!ret && (resp.status == 404 || ok_status(resp.status))) {
			done = store_prepare(
				s, "UPDATE feedback_queue SET sent_at = ?2 WHERE id = ?1");
			if (done) {
				sqlite3_bind_int64(done, 1, v[i].id);
				sqlite3_bind_int64(done, 2, (long long)time(NULL));
				if (sqlite3_step(done) != SQLITE_DONE)
					ret = store_error(s, "cannot mark feedback sent");
				sqlite3_finalize(done);
			} else {
				ret = -1;
			}
		}
		cJSON_Delete(doc);
		http_response_release(&resp);
		strbuf_release(&path);
		strbuf_release(&body);
		if (ret < 0)
			break;
	}
	if (nr && !ret)
		progress(o, SYNC_PHASE_FEEDBACK, nr, nr);
	for (size_t i = 0; i < nr; i++) {
		free(v[i].ref);
		free(v[i].uuid);
	}
	free(v);
	return ret;
}

/* ---------------------------------------------------------------- pull */

static char *get_cursor(struct store *s, const char *remote)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT pull_cursor FROM sync_state WHERE remote = ?1");
	char *cur = NULL;
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		cur = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return cur;
}

static int set_cursor(struct store *s, const char *remote, const char *cursor)
{
	sqlite3_stmt *st = store_prepare(
		s, "INSERT INTO sync_state(remote, pull_cursor, last_sync) VALUES (?1, ?2, ?3)"
		   " ON CONFLICT(remote) DO UPDATE SET pull_cursor = excluded.pull_cursor,"
		   " last_sync = excluded.last_sync");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cursor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (long long)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot save the pull cursor");
}

/* The cursor in a JSON value (number or string) as text; NULL if neither. */
static char *cursor_text(const cJSON *v)
{
	if (cJSON_IsString(v) && v->valuestring && *v->valuestring && strlen(v->valuestring) < 200)
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15)
		return xstrfmt("%lld", (long long)v->valuedouble);
	return NULL;
}

/* "YYYY-MM-DDTHH:MM:SS..." (UTC) to a Unix time; 0 if it is not one. */
static long long parse_time(const char *s)
{
	static const int at[6] = {0, 5, 8, 11, 14, 17}, width[6] = {4, 2, 2, 2, 2, 2};
	int v[6];
	struct tm tm;

	if (!s)
		return 0;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (int k = 0; k < width[i]; k++) {
			char ch = s[at[i] + k];
			if (ch < '0' || ch > '9')
				return 0;
			v[i] = v[i] * 10 + (ch - '0');
		}
		/* the separators: - - (any) : : */
		if (i < 5 && (!s[at[i] + width[i]] ||
			      (i != 2 && s[at[i] + width[i]] != (i < 2 ? '-' : ':'))))
			return 0;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	return (long long)timegm(&tm);
}

struct pull_stmts {
	sqlite3_stmt *lookup, *update, *local_hash, *mark_local, *team_hash, *insert;
	int marked_local; /* local patterns were marked pushed (their code came back) */
};

static void pull_stmts_free(struct pull_stmts *ps)
{
	sqlite3_finalize(ps->lookup);
	sqlite3_finalize(ps->update);
	sqlite3_finalize(ps->local_hash);
	sqlite3_finalize(ps->mark_local);
	sqlite3_finalize(ps->team_hash);
	sqlite3_finalize(ps->insert);
}

static int pull_stmts_prepare(struct store *s, struct pull_stmts *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->lookup = store_prepare(s, "SELECT origin, server_id, success_count FROM patterns"
				      " WHERE server_id = ?1 OR solution_hash = ?2");
	ps->update = store_prepare(s, "UPDATE patterns SET success_count = ?2"
				      " WHERE server_id = ?1 AND success_count != ?2");
	ps->local_hash = store_prepare(s, "UPDATE patterns SET server_id = ?2, success_count = ?3"
					  " WHERE solution_hash = ?1 AND origin = 'local'");
	ps->mark_local = store_prepare(
		s, "INSERT INTO pushed(pattern_rowid, remote, server_id)"
		   " SELECT id, ?2, ?3 FROM patterns WHERE solution_hash = ?1 AND origin = 'local'"
		   " ON CONFLICT DO UPDATE SET server_id = excluded.server_id");
	ps->team_hash = store_prepare(s, "UPDATE patterns SET server_id = ?2, success_count = ?3"
					 " WHERE solution_hash = ?1 AND origin = 'team'");
	ps->insert = store_prepare(
		s, "INSERT OR IGNORE INTO patterns(pattern_id, variant, origin, commit_id,"
		   " file_path, problem_type, before_code, after_code, commit_msg, author, date,"
		   " commit_time, confidence, language, solution_hash, server_id, success_count,"
		   " created_by) VALUES (?1, '', 'team', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		   " ?11, ?12, ?13, ?14, ?15, ?16)");
	if (!ps->lookup || !ps->update || !ps->local_hash || !ps->mark_local || !ps->team_hash ||
	    !ps->insert) {
		pull_stmts_free(ps);
		return -1;
	}
	return 0;
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return rc;
	return store_error(s, what);
}

/* v lives (in the page's JSON) until the statement is stepped and reset */
static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, i, "", -1, SQLITE_STATIC);
}

/*
 * The fields of a pulled pattern, gathered in one pass over its members.
 * Listed in the order the server writes them: the search for a member's
 * name starts after the last match, so it usually takes one comparison.
 */
enum pulled_field {
	PF_ID,
	PF_TYPE,
	PF_BEFORE,
	PF_AFTER,
	PF_SUCCESS_COUNT,
	PF_CREATED_BY,
	PF_CREATED_AT,
	PF_PATTERN_ID,
	PF_COMMIT_MSG,
	PF_LANGUAGE,
	PF_FILE_PATH,
	PF_COMMIT,
	PF_AUTHOR,
	PF_DATE,
	PF_CONFIDENCE,
	PF_BEFORE_JSONL,
	PF_AFTER_JSONL,
	PF_NR
};

static const char *const pulled_keys[PF_NR] = {
	"id",	      "problem_type", "code_before", "code_after",  "success_count", "created_by",
	"created_at", "pattern_id",   "commit_msg",  "language",    "file_path",     "commit",
	"author",     "date",	      "confidence",  "before_code", "after_code",
};

struct pulled {
	const cJSON *v[PF_NR]; /* the first member of each name, as cJSON finds it */
};

static void pulled_fields(const cJSON *p, struct pulled *f)
{
	int next = 0;
	memset(f, 0, sizeof(*f));
	for (const cJSON *c = p->child; c; c = c->next) {
		const char *name = c->string;
		if (!name)
			continue;
		for (int i = 0; i < PF_NR; i++) {
			int k = (next + i) % PF_NR;
			if (name[0] == pulled_keys[k][0] && !strcmp(name, pulled_keys[k])) {
				if (!f->v[k])
					f->v[k] = c;
				next = k + 1;
				break;
			}
		}
	}
}

static const char *pulled_string(const struct pulled *f, enum pulled_field k)
{
	return cJSON_IsString(f->v[k]) ? f->v[k]->valuestring : NULL;
}

/*
 * Store one pulled pattern (see sync.h); *stored: 1 new, 0 updated, 2
 * already known as it is, -1 skipped (not a usable pattern).
 */
static int pull_one(struct store *s, struct pull_stmts *ps, const char *remote, const cJSON *p,
		    int *stored)
{
	struct pulled f;
	const char *uuid, *type, *before, *after, *pid;
	long long count;
	char hash[SHA256_HEX_LEN + 1], fallback_id[17];
	int rc, by_uuid = 0, stale = 0, local = 0, team = 0;

	*stored = -1;
	if (!cJSON_IsObject(p))
		return 0;
	pulled_fields(p, &f);
	uuid = pulled_string(&f, PF_ID);
	type = pulled_string(&f, PF_TYPE);
	before = pulled_string(&f, PF_BEFORE);
	after = pulled_string(&f, PF_AFTER);
	pid = pulled_string(&f, PF_PATTERN_ID);
	count = cJSON_IsNumber(f.v[PF_SUCCESS_COUNT])
			? (long long)f.v[PF_SUCCESS_COUNT]->valuedouble
			: 0;
	if (!before)
		before = pulled_string(&f, PF_BEFORE_JSONL);
	if (!after)
		after = pulled_string(&f, PF_AFTER_JSONL);
	if (!uuid || !sync_is_uuid(uuid) || !before || !after)
		return 0; /* not a pattern we can use */
	if (count < 0)
		count = 0;
	pattern_solution_hash(hash, before, strlen(before), after, strlen(after));

	/* one look for both: rows with this UUID, or with this code */
	sqlite3_bind_text(ps->lookup, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(ps->lookup, 2, hash, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(ps->lookup)) == SQLITE_ROW) {
		const char *origin = (const char *)sqlite3_column_text(ps->lookup, 0);
		const char *sid = (const char *)sqlite3_column_text(ps->lookup, 1);
		if (sid && !strcmp(sid, uuid)) {
			by_uuid = 1;
			if (sqlite3_column_int64(ps->lookup, 2) != count)
				stale = 1;
		} else if (origin && !strcmp(origin, "local")) {
			local = 1;
		} else {
			team = 1;
		}
	}
	sqlite3_reset(ps->lookup);
	sqlite3_clear_bindings(ps->lookup);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read pattern");

	/* known by its UUID: refresh success_count (our own push coming back is no news) */
	if (by_uuid) {
		*stored = 2;
		if (!stale)
			return 0;
		sqlite3_bind_text(ps->update, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ps->update, 2, count);
		*stored = 0;
		return step_done(s, ps->update, "cannot update pattern") < 0 ? -1 : 0;
	}
	/* a local pattern with the same code: it is this one, and on the server */
	if (local) {
		sqlite3_bind_text(ps->local_hash, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(ps->local_hash, 2, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ps->local_hash, 3, count);
		if (step_done(s, ps->local_hash, "cannot update pattern") < 0)
			return -1;
		sqlite3_bind_text(ps->mark_local, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(ps->mark_local, 2, remote, -1, SQLITE_STATIC);
		sqlite3_bind_text(ps->mark_local, 3, uuid, -1, SQLITE_STATIC);
		*stored = 0;
		ps->marked_local = 1;
		return step_done(s, ps->mark_local, "cannot mark pattern pushed") < 0 ? -1 : 0;
	}
	/* a team pattern with the same code under another UUID (server rebuilt) */
	if (team) {
		sqlite3_bind_text(ps->team_hash, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(ps->team_hash, 2, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ps->team_hash, 3, count);
		*stored = 0;
		return step_done(s, ps->team_hash, "cannot update pattern") < 0 ? -1 : 0;
	}

	/* new: a team row; its pattern_id is the server's unless taken */
	{
		const char *ctype = type && problem_type_valid(type) ? type : PT_UNKNOWN;
		const cJSON *conf = f.v[PF_CONFIDENCE];
		double confidence = cJSON_IsNumber(conf) ? conf->valuedouble : 0.5;
		const char *created_at = pulled_string(&f, PF_CREATED_AT);
		size_t k = 0;

		for (const char *u = uuid; *u && k < 16; u++)
			if (*u != '-')
				fallback_id[k++] = *u;
		fallback_id[k] = '\0';
		if (!(confidence >= 0 && confidence <= 1))
			confidence = 0.5;
		for (int attempt = 0; attempt < 2; attempt++) {
			const char *id =
				attempt == 0 && pid && strlen(pid) == 16 ? pid : fallback_id;
			sqlite3_stmt *st = ps->insert;
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			bind_opt(st, 2, pulled_string(&f, PF_COMMIT));
			bind_opt(st, 3, pulled_string(&f, PF_FILE_PATH));
			sqlite3_bind_text(st, 4, ctype, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, before, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, after, -1, SQLITE_STATIC);
			bind_opt(st, 7, pulled_string(&f, PF_COMMIT_MSG));
			bind_opt(st, 8, pulled_string(&f, PF_AUTHOR));
			bind_opt(st, 9, pulled_string(&f, PF_DATE));
			sqlite3_bind_int64(st, 10, parse_time(created_at));
			sqlite3_bind_double(st, 11, confidence);
			bind_opt(st, 12, pulled_string(&f, PF_LANGUAGE));
			sqlite3_bind_text(st, 13, hash, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 14, uuid, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 15, count);
			bind_opt(st, 16, pulled_string(&f, PF_CREATED_BY));
			if (step_done(s, st, "cannot store team pattern") < 0)
				return -1;
			if (sqlite3_changes(store_db(s))) {
				*stored = 1;
				return 0;
			}
		}
	}
	return 0;
}

/*
 * The pull is a pipeline of two threads: a fetcher that asks for page after
 * page (the next cursor is in each answer, so it never waits for the
 * store), and the caller's thread that writes the pages into the store.
 * Network and server time overlap with the local inserts. The queue holds
 * at most PULL_QUEUE pages, which bounds memory.
 */
#define PULL_QUEUE 4

struct pull_page {
	cJSON *doc;
	const cJSON *list;
	char *next; /* cursor after this page */
	long long left;
	int n;
};

struct fetcher {
	struct http_client *c;
	char *cursor; /* of the next request; owned */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pull_page q[PULL_QUEUE];
	int head, count;
	int finished; /* no more pages will come */
	int failed;   /* ... because of this error: */
	char *error;
	long http_status;
	int authenticated;
	int stop;		      /* the consumer gave up */
	const struct own_ranges *own; /* our own changes, skipped */
};

/*
 * Move f->cursor over the ranges of our own changes it has reached (every
 * change after it up to the range's end is ours); 1 if it moved. *limit
 * is cut so that the page stops before the next range, if the changes
 * before it are that many.
 */
static int skip_own(struct fetcher *f, int *limit)
{
	const struct own_ranges *o = f->own;
	long long c = 0;
	int moved = 0;
	char *end;

	if (!o || !o->nr)
		return 0;
	if (f->cursor) {
		c = strtoll(f->cursor, &end, 10);
		if (*end || end == f->cursor || c < 0)
			return 0; /* not a number: no skipping */
	}
	for (size_t i = 0; i < o->nr; i++) {
		if (o->r[i].lo - 1 <= c && o->r[i].hi > c) {
			c = o->r[i].hi;
			moved = 1;
		} else if (o->r[i].lo - 1 > c) {
			if (o->r[i].lo - 1 - c < *limit)
				*limit = (int)(o->r[i].lo - 1 - c);
			break;
		}
	}
	if (moved) {
		free(f->cursor);
		f->cursor = xstrfmt("%lld", c);
	}
	return moved;
}

static void fetcher_fail(struct fetcher *f, long status)
{
	pthread_mutex_lock(&f->mu);
	f->failed = 1;
	f->error = xstrdup(err_msg());
	f->http_status = status;
	pthread_mutex_unlock(&f->mu);
}

static void *fetch_pages(void *data)
{
	struct fetcher *f = data;
	const char *remote = http_client_url(f->c);
	int limit = SYNC_PULL_PAGE;
	int skipped = 0; /* the cursor jumped over own changes since the last page */

	for (;;) {
		struct strbuf path = STRBUF_INIT;
		struct http_response resp = HTTP_RESPONSE_INIT;
		struct pull_page pg = {NULL, NULL, NULL, -1, 0};
		struct sync_result tmp;
		int last, stopped, page_limit = limit;

		if (skip_own(f, &page_limit))
			skipped = 1;
		strbuf_addstr(&path, "/patterns?since=");
		http_query_escape(&path, f->cursor ? f->cursor : "0");
		strbuf_addf(&path, "&limit=%d", page_limit);
		if (http_json(f->c, "GET", path.buf, NULL, &resp, &pg.doc) < 0) {
			if (resp.too_large && limit > 1) {
				/* patterns with very large code: smaller pages */
				limit = limit / 8 ? limit / 8 : 1;
				http_response_release(&resp);
				strbuf_release(&path);
				continue;
			}
			fetcher_fail(f, 0);
			goto fail;
		}
		if (resp.status == 422 && limit > SYNC_PULL_PAGE_OLD) {
			/* a server older than the larger feed pages */
			limit = SYNC_PULL_PAGE_OLD;
			cJSON_Delete(pg.doc);
			pg.doc = NULL;
			http_response_release(&resp);
			strbuf_release(&path);
			continue;
		}
		if (!ok_status(resp.status)) {
			answer_error(f->c, &resp, "pulling patterns", &tmp);
			fetcher_fail(f, resp.status);
			goto fail;
		}
		f->authenticated = 1;
		pg.list = pg.doc ? cJSON_GetObjectItemCaseSensitive(pg.doc, "patterns") : NULL;
		if (!cJSON_IsArray(pg.list)) {
			err_set("team server %s sent an unexpected answer to a pull (no "
				"\"patterns\" array)",
				remote);
			fetcher_fail(f, 0);
			goto fail;
		}
		pg.n = cJSON_GetArraySize(pg.list);
		pg.left = (long long)json_get_number(pg.doc, "total", -1);
		pg.next = cursor_text(cJSON_GetObjectItemCaseSensitive(pg.doc, "next_since"));
		if (pg.n && !pg.next) {
			err_set("team server %s sent patterns without a \"next_since\" cursor",
				remote);
			fetcher_fail(f, 0);
			goto fail;
		}
		/* the last page: empty, nothing left, or the cursor did not move */
		last = !pg.n || (pg.left >= 0 && pg.left <= pg.n) ||
		       (f->cursor && !strcmp(f->cursor, pg.next));
		if (pg.n) {
			free(f->cursor);
			f->cursor = xstrdup(pg.next);
		}
		if (!pg.n && skipped) {
			/* nothing after what we skipped: still keep the cursor past it */
			free(pg.next);
			pg.next = xstrdup(f->cursor);
		}
		pthread_mutex_lock(&f->mu);
		while (f->count == PULL_QUEUE && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		stopped = f->stop;
		if (stopped || (!pg.n && !skipped)) {
			pthread_mutex_unlock(&f->mu);
			cJSON_Delete(pg.doc);
			free(pg.next);
		} else {
			f->q[(f->head + f->count) % PULL_QUEUE] = pg;
			f->count++;
			skipped = 0;
			pthread_cond_broadcast(&f->cv);
			pthread_mutex_unlock(&f->mu);
		}
		http_response_release(&resp);
		strbuf_release(&path);
		if (last || stopped)
			break;
		continue;
	fail:
		cJSON_Delete(pg.doc);
		free(pg.next);
		http_response_release(&resp);
		strbuf_release(&path);
		break;
	}
	pthread_mutex_lock(&f->mu);
	f->finished = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* --dry-run: how many changes wait after the cursor (one small request). */
static int pull_count(struct http_client *c, const char *cursor, struct sync_result *r)
{
	struct strbuf path = STRBUF_INIT;
	struct http_response resp = HTTP_RESPONSE_INIT;
	cJSON *doc = NULL;
	int ret = -1;

	strbuf_addstr(&path, "/patterns?since=");
	http_query_escape(&path, cursor ? cursor : "0");
	strbuf_addstr(&path, "&limit=1");
	if (http_json(c, "GET", path.buf, NULL, &resp, &doc) < 0)
		goto out;
	if (!ok_status(resp.status)) {
		answer_error(c, &resp, "pulling patterns", r);
		goto out;
	}
	r->authenticated = 1;
	r->to_pull = (long long)json_get_number(doc, "total", -1);
	ret = 0;
out:
	cJSON_Delete(doc);
	http_response_release(&resp);
	strbuf_release(&path);
	return ret;
}

/* Write one fetched page (in the open transaction). */
static int store_page(struct store *s, struct pull_stmts *ps, const char *remote,
		      const struct pull_page *pg, struct sync_result *r)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, pg->list)
	{
		int stored;
		if (pull_one(s, ps, remote, item, &stored) < 0)
			return -1;
		if (stored == 1)
			r->pulled++;
		else if (stored == 0)
			r->updated++;
	}
	return set_cursor(s, remote, pg->next);
}

static int pull(struct store *s, struct http_client *c, const struct sync_options *o,
		struct sync_result *r)
{
	const char *remote = http_client_url(c);
	struct pull_stmts ps = {NULL, NULL, NULL, NULL, NULL, NULL, 0};
	struct fetcher f;
	struct own_ranges own;
	pthread_t th;
	uint64_t done = 0;
	int in_tx = 0; /* rows in the open transaction (0: none open) */
	int ret = -1;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.cursor = get_cursor(s, remote);
	if (o->dry_run) {
		ret = pull_count(c, f.cursor, r);
		free(f.cursor);
		return ret;
	}
	if (pull_stmts_prepare(s, &ps) < 0) {
		free(f.cursor);
		return -1;
	}
	own_load(s, remote, &own);
	f.own = &own;
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.cv, NULL);
	if (pthread_create(&th, NULL, fetch_pages, &f)) {
		err_set("cannot start a thread");
		goto out;
	}
	for (;;) {
		struct pull_page pg;

		pthread_mutex_lock(&f.mu);
		while (!f.count && !f.finished)
			pthread_cond_wait(&f.cv, &f.mu);
		if (!f.count) {
			pthread_mutex_unlock(&f.mu);
			break;
		}
		pg = f.q[f.head];
		f.head = (f.head + 1) % PULL_QUEUE;
		f.count--;
		pthread_cond_broadcast(&f.cv);
		pthread_mutex_unlock(&f.mu);

		if (!in_tx && store_begin(s) < 0)
			goto page_fail;
		in_tx = in_tx ? in_tx : 1;
		if (store_page(s, &ps, remote, &pg, r) < 0) {
			store_rollback(s);
			in_tx = 0;
			goto page_fail;
		}
		done += (uint64_t)pg.n;
		in_tx += pg.n;
		/* several pages per transaction: fewer, larger FTS5 segments */
		if (in_tx > SYNC_PULL_TX_ROWS) {
			in_tx = 0;
			if (store_commit(s) < 0) {
				store_rollback(s);
				goto page_fail;
			}
		}
		progress(o, SYNC_PHASE_PULL, done,
			 pg.left >= pg.n ? done + (uint64_t)(pg.left - pg.n) : 0);
		cJSON_Delete(pg.doc);
		free(pg.next);
		continue;
	page_fail:
		cJSON_Delete(pg.doc);
		free(pg.next);
		pthread_mutex_lock(&f.mu);
		f.stop = 1;
		pthread_cond_broadcast(&f.cv);
		pthread_mutex_unlock(&f.mu);
		pthread_join(th, NULL);
		goto drain;
	}
	pthread_join(th, NULL);
	if (f.failed) {
		err_set("%s", f.error);
		r->http_status = f.http_status;
	} else {
		ret = 0;
	}
drain:
	r->authenticated |= f.authenticated;
	while (f.count) {
		cJSON_Delete(f.q[f.head].doc);
		free(f.q[f.head].next);
		f.head = (f.head + 1) % PULL_QUEUE;
		f.count--;
	}
out:
	/*
	 * The open transaction holds whole pages and their cursor: keep them
	 * even when a later request failed, so the next run goes on from there.
	 */
	if (in_tx && store_commit(s) < 0) {
		store_rollback(s);
		ret = -1;
	}
	pthread_mutex_destroy(&f.mu);
	pthread_cond_destroy(&f.cv);
	pull_stmts_free(&ps);
	/* local patterns the pull marked as pushed move the push watermark */
	if (ps.marked_local &&
	    advance_watermark(s, o->variant, remote, get_watermark(s, o->variant, remote)) < 0)
		ret = -1;
	if (own.nr) {
		/* forget the ranges the stored cursor has passed */
		char *cur = get_cursor(s, remote), *end = NULL;
		long long at = cur ? strtoll(cur, &end, 10) : 0;
		size_t before = own.nr;
		if (cur && !*end && end != cur && at > 0) {
			own_normalize(&own, at);
			if (own.nr != before && own_save(s, remote, &own) < 0)
				ret = -1;
		}
		free(cur);
	}
	free(own.r);
	free(f.error);
	free(f.cursor);
	return ret;
}

int sync_run(struct store *s, struct http_client *c, const struct sync_options *o,
	     struct sync_result *r)
{
	memset(r, 0, sizeof(*r));
	r->to_pull = -1;
	if (o->push && push(s, c, o, r) < 0)
		return -1;
	if (o->feedback && send_feedback(s, c, o, r) < 0)
		return -1;
	if (o->pull && pull(s, c, o, r) < 0)
		return -1;
	/* recall finds the pulled patterns at once (recall-index.h) */
	if (o->pull && !o->dry_run && r->pulled && recall_index_catch_up(s, NULL, NULL) < 0)
		return -1;
	return 0;
}
