/*
 * sync-push.c: push the local patterns a remote has not acknowledged, in
 * batches, each POSTed on a thread of its own while the next is read and
 * written as JSON; mark what the server acknowledged (store-sync.h) and
 * note the change numbers it gave them (own-changes.h).
 */
#include "client/own-changes.h"
#include "client/sync-internal.h"
#include "common/json.h"
#include "common/util.h"
#include "local/store-sync.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

static void jw_text(struct json_writer *jw, const char *key, const struct store_text *t)
{
	jw_key(jw, key);
	if (!t->p)
		jw_null(jw);
	else
		jw_text_len(jw, t->p, t->len);
}

/*
 * A text column cut to at most max bytes (at a character boundary), to
 * stay within the server's field limits (the code is never cut).
 */
static void jw_text_max(struct json_writer *jw, const char *key, const struct store_text *t,
			size_t max)
{
	size_t len = t->len;
	jw_key(jw, key);
	if (!t->p) {
		jw_null(jw);
		return;
	}
	if (len > max) {
		len = max;
		while (len && ((unsigned char)t->p[len] & 0xC0) == 0x80)
			len--;
	}
	jw_text_len(jw, t->p, len);
}

/* Append a pattern as one JSON object of a push. */
static void push_object(struct json_writer *jw, const struct store_push_row *p,
			const char *project_id)
{
	jw_object_begin(jw);
	if (project_id) {
		jw_key(jw, "project_id");
		jw_string(jw, project_id);
	}
	jw_text(jw, "pattern_id", &p->pattern_id);
	jw_text(jw, "problem_type", &p->problem_type);
	jw_text(jw, "code_before", &p->before_code);
	jw_text(jw, "code_after", &p->after_code);
	jw_text_max(jw, "commit_msg", &p->commit_msg, 60000);
	jw_text_max(jw, "author", &p->author, 200);
	jw_text_max(jw, "author_name", &p->author_name, 200);
	jw_text(jw, "date", &p->date);
	jw_key(jw, "confidence");
	jw_double(jw, p->confidence);
	jw_text(jw, "commit", &p->commit_id);
	jw_text_max(jw, "file_path", &p->file_path, 4000);
	jw_text_max(jw, "language", &p->language, 40);
	jw_text(jw, "solution_hash", &p->solution_hash);
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
	if (!*uuid || !uuid_valid(*uuid))
		return -1;
	if (cJSON_IsBool(created))
		return cJSON_IsTrue(created);
	if (status)
		return !strcmp(status, "created") || !strcmp(status, "new");
	return 1;
}

/* Consecutive change numbers of created items, gathered into ranges. */
struct seq_run {
	struct own_ranges own;
	long long lo, hi;
};

static void seq_run_add(struct seq_run *run, const cJSON *item)
{
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(item, "change_seq");
	long long v;

	if (!cJSON_IsNumber(seq) || !(seq->valuedouble >= 1 && seq->valuedouble < 9e15))
		return;
	v = (long long)seq->valuedouble;
	if (run->lo && v == run->hi + 1) {
		run->hi = v;
		return;
	}
	if (run->lo)
		own_ranges_add(&run->own, run->lo, run->hi);
	run->lo = run->hi = v;
}

/* Add the ranges of run to those stored for remote (in the marks' transaction). */
static int seq_run_save(struct store *s, const char *remote, struct seq_run *run)
{
	struct own_ranges all;
	int ret;

	if (run->lo)
		own_ranges_add(&run->own, run->lo, run->hi);
	if (!run->own.nr)
		return 0;
	own_ranges_load(s, remote, &all);
	for (size_t k = 0; k < run->own.nr; k++)
		own_ranges_add(&all, run->own.r[k].lo, run->own.r[k].hi);
	own_ranges_normalize(&all, 0);
	ret = own_ranges_save(s, remote, &all);
	own_ranges_release(&all);
	return ret;
}

/* Record a batch's answers: all marks of a batch in one transaction. */
static int mark_pushed(struct store *s, const char *remote, const long long *rowids, size_t n,
		       const cJSON *items, struct sync_result *r)
{
	struct store_sync_batch *b = store_sync_batch_begin(s, remote);
	struct seq_run run = {OWN_RANGES_INIT, 0, 0};
	const cJSON *item;
	size_t i = 0;
	int ok = 0;

	if (!b)
		return -1;
	cJSON_ArrayForEach(item, items)
	{
		const char *uuid;
		int outcome = item_outcome(item, &uuid);
		double index = json_get_number(item, "index", (double)i);

		if (!(index >= 0 && index < (double)n)) {
			err_set("team server sent an answer for pattern %g of a push of %zu", index,
				n);
			goto out;
		}
		i++;
		if (outcome < 0) {
			r->rejected++;
			continue;
		}
		if (outcome) {
			r->pushed++;
			seq_run_add(&run, item);
		} else {
			r->duplicates++;
		}
		if (store_sync_batch_mark(b, rowids[(size_t)index], uuid,
					  (long long)json_get_number(item, "success_count", 0)) < 0)
			goto out;
	}
	/* in the transaction of the marks: the skip never outlives them */
	ok = seq_run_save(s, remote, &run) == 0;
out:
	own_ranges_release(&run.own);
	return store_sync_batch_end(b, ok) < 0 || !ok ? -1 : 0;
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
static long long build_body(struct store *s, const long long *rowids, size_t n, struct strbuf *body,
			    const char *project_id)
{
	struct store_push_reader *rd = store_push_reader_open(s);
	struct json_writer jw;
	size_t sent = 0;

	if (!rd)
		return -1;
	jw_init(&jw, body, 0);
	jw_array_begin(&jw);
	while (sent < n) {
		size_t before = body->len;
		struct store_push_row row;
		if (store_push_read(rd, rowids[sent], &row) < 0) {
			store_push_reader_close(rd);
			return -1;
		}
		push_object(&jw, &row, project_id);
		if (sent && body->len > SYNC_PUSH_BYTES) {
			strbuf_setlen(body, before);
			break;
		}
		sent++;
	}
	store_push_reader_close(rd);
	/* the writer thinks it is still inside the array: close by hand */
	strbuf_addch(body, ']');
	assert(sent >= 1 || !n);
	return (long long)sent;
}

static const char *text_or_empty(struct store_text t)
{
	return t.p ? t.p : "";
}

/* Say which pattern the server refused, as the user names it (pattern id, file, commit). */
static void refused_warning(struct store *s, const struct sync_options *o, long long rowid,
			    const char *why)
{
	struct store_push_reader *rd = store_push_reader_open(s);
	struct store_push_row row;

	if (rd && store_push_read(rd, rowid, &row) == 0)
		sync_warnf(o, "team server refused pattern %.*s (%.*s, commit %.*s): %s; not pushed",
			   (int)row.pattern_id.len, text_or_empty(row.pattern_id), (int)row.file_path.len,
			   text_or_empty(row.file_path),
			   (int)(row.commit_id.len < 12 ? row.commit_id.len : 12),
			   text_or_empty(row.commit_id), why);
	else
		sync_warnf(o, "team server refused a pattern: %s; not pushed", why);
	store_push_reader_close(rd);
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
		refused_warning(s, o, rowids[0], detail.buf);
		strbuf_release(&detail);
		r->rejected++;
		return 0;
	}
	if (!sync_ok_status(resp->status))
		return sync_answer_error(c, resp, "pushing patterns", r);
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
		long long sent = build_body(s, rowids, n, &body, o->project_id);
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

static struct post *post_new(struct http_client *c)
{
	struct post *x = xcalloc(1, sizeof(*x));
	struct http_response init = HTTP_RESPONSE_INIT;
	x->c = c;
	x->rowids = xmalloc(SYNC_PUSH_BATCH * sizeof(*x->rowids));
	strbuf_init(&x->body, 0);
	x->resp = init;
	return x;
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
	assert(x->joined);
	if (x->rc < 0)
		ret = err_set("%s", x->error ? x->error : "push failed");
	else
		ret = push_answer(s, x->c, remote, o, x->rowids, x->sent, &x->resp, x->doc, r);
	post_free(x);
	return ret;
}

static void post_join(struct post *x)
{
	if (!x->joined)
		pthread_join(x->th, NULL);
	x->joined = 1;
}

/* What a push has done so far, for progress. */
struct push_state {
	struct store *s;
	struct http_client *c;
	const char *remote;
	const struct sync_options *o;
	struct sync_result *r;
	long long total, done;
};

/* Finish the pending post (joined) and count its patterns done. */
static int push_settle(struct push_state *ps, struct post *x)
{
	size_t was = x->sent;
	int ret = post_finish(ps->s, ps->remote, ps->o, x, ps->r);
	if (ret < 0)
		return -1;
	ps->done += (long long)was;
	sync_progress(ps->o, SYNC_PHASE_PUSH, (uint64_t)ps->done,
		      (uint64_t)(ps->done > ps->total ? ps->done : ps->total));
	return 0;
}

/* The next batch above *last, read and written as JSON; NULL at the end (*err on error). */
static struct post *push_next(struct push_state *ps, long long *last, int *err)
{
	struct post *x = post_new(ps->c);
	long long n = store_sync_next_unpushed(ps->s, ps->o->variant, ps->remote, *last,
					       x->rowids, SYNC_PUSH_BATCH);
	long long sent = n > 0 ? build_body(ps->s, x->rowids, (size_t)n, &x->body, ps->o->project_id) : n;

	if (sent <= 0) {
		*err = sent < 0;
		post_free(x);
		return NULL;
	}
	x->sent = (size_t)sent;
	*last = x->rowids[sent - 1];
	return x;
}

int sync_push(struct store *s, struct http_client *c, const struct sync_options *o,
	      struct sync_result *r)
{
	const char *remote = http_client_url(c);
	long long mark = store_sync_watermark(s, o->variant, remote), last = mark;
	struct push_state ps = {s, c, remote, o, r, 0, 0};
	struct post *pending = NULL;
	int err = 0;

	ps.total = o->dry_run && o->fresh ? store_sync_count_local(s, o->variant)
					  : store_sync_count_unpushed(s, o->variant, remote, mark);
	if (ps.total < 0)
		return -1;
	if (o->dry_run || !ps.total) {
		r->to_push = ps.total;
		return 0;
	}
	if (sync_pull_check(s, c, r) < 0)
		return -1;
	sync_progress(o, SYNC_PHASE_PUSH, 0, (uint64_t)ps.total);
	for (;;) {
		struct post *x = push_next(&ps, &last, &err);
		if (!x)
			break;
		/* the batch before: its answer first if it needs the server again */
		if (pending) {
			post_join(pending);
			if (pending->rc == 0 &&
			    (pending->resp.status == 413 || pending->resp.status == 422)) {
				struct post *p = pending;
				pending = NULL;
				if ((err = push_settle(&ps, p) < 0)) {
					post_free(x);
					break;
				}
			}
		}
		if (pthread_create(&x->th, NULL, post_run, x)) {
			post_free(x);
			err = err_set("cannot start a thread") < 0;
			break;
		}
		if (pending) {
			struct post *p = pending;
			pending = NULL;
			if ((err = push_settle(&ps, p) < 0)) {
				post_join(x);
				post_free(x);
				break;
			}
		}
		pending = x;
	}
	if (pending) {
		post_join(pending);
		if (err)
			post_free(pending);
		else
			err = push_settle(&ps, pending) < 0;
	}
	if (err)
		return -1;
	return store_sync_advance_watermark(s, o->variant, remote, mark);
}
