/*
 * sync-pull.c: pull the team's changes after the stored cursor, page by
 * page: a fetcher thread asks for the pages while the caller's thread
 * writes them into the store (store_puller_put), whole pages and the cursor
 * after them in one transaction. Our own pushes' changes are skipped
 * (own-changes.h).
 */
#include "client/own-changes.h"
#include "client/sync-internal.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/pattern.h"
#include "common/util.h"
#include "local/store-sync.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The cursor in a JSON value (number or string) as text; NULL if neither. */
static char *cursor_text(const cJSON *v)
{
	if (cJSON_IsString(v) && v->valuestring && *v->valuestring && strlen(v->valuestring) < 200)
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15)
		return xstrfmt("%lld", (long long)v->valuedouble);
	return NULL;
}

/*
 * -1 (the client then takes the server for another database) if the
 * feed's answer doc says its last change is before cursor: the server's
 * database went back to an earlier state (a backup restored), and what
 * this clone pushed since is not there. Servers before "last_seq" pass.
 */
static int check_went_back(struct http_client *c, const char *cursor, const cJSON *doc)
{
	double last = json_get_number(doc, "last_seq", -1);
	char *end;
	long long seen;

	if (!cursor || last < 0)
		return 0;
	seen = strtoll(cursor, &end, 10);
	if (*end || end == cursor || (long long)last >= seen)
		return 0;
	return http_client_database_went_back(c, (long long)last, seen);
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
	PF_AUTHOR_NAME,
	PF_CONFIDENCE,
	PF_BEFORE_JSONL,
	PF_AFTER_JSONL,
	PF_NR
};

static const char *const pulled_keys[PF_NR] = {
	"id",	      "problem_type", "code_before", "code_after",  "success_count", "created_by",
	"created_at", "pattern_id",   "commit_msg",  "language",    "file_path",     "commit",
	"author",     "date",	      "author_name", "confidence",  "before_code", "after_code",
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
static int pull_one(struct store_puller *pu, const cJSON *p, int *stored)
{
	struct pulled f;
	struct store_team_pattern t;
	const cJSON *count, *conf;
	const char *type;
	char hash[SHA256_HEX_LEN + 1];

	*stored = -1;
	if (!cJSON_IsObject(p))
		return 0;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "deleted"))) {
		/* deleted on the server (SPEC §6: {"id", "deleted": true}) */
		const char *id = json_get_string(p, "id");
		int dropped = 0;
		if (!id || !uuid_valid(id))
			return 0;
		if (store_puller_drop(pu, id, &dropped) < 0)
			return -1;
		if (dropped)
			*stored = 3;
		return 0;
	}
	pulled_fields(p, &f);
	memset(&t, 0, sizeof(t));
	t.server_id = pulled_string(&f, PF_ID);
	t.before_code = pulled_string(&f, PF_BEFORE);
	if (!t.before_code)
		t.before_code = pulled_string(&f, PF_BEFORE_JSONL);
	t.after_code = pulled_string(&f, PF_AFTER);
	if (!t.after_code)
		t.after_code = pulled_string(&f, PF_AFTER_JSONL);
	if (!t.server_id || !uuid_valid(t.server_id) || !t.before_code || !t.after_code)
		return 0; /* not a pattern we can use */
	pattern_solution_hash(hash, t.before_code, strlen(t.before_code), t.after_code,
			      strlen(t.after_code));
	t.solution_hash = hash;
	type = pulled_string(&f, PF_TYPE);
	t.problem_type = type && problem_type_valid(type) ? type : PT_UNKNOWN;
	t.pattern_id = pulled_string(&f, PF_PATTERN_ID);
	t.commit_id = pulled_string(&f, PF_COMMIT);
	t.file_path = pulled_string(&f, PF_FILE_PATH);
	t.commit_msg = pulled_string(&f, PF_COMMIT_MSG);
	t.author = pulled_string(&f, PF_AUTHOR);
	t.author_name = pulled_string(&f, PF_AUTHOR_NAME);
	t.date = pulled_string(&f, PF_DATE);
	t.language = pulled_string(&f, PF_LANGUAGE);
	t.created_by = pulled_string(&f, PF_CREATED_BY);
	t.commit_time = parse_time(pulled_string(&f, PF_CREATED_AT));
	count = f.v[PF_SUCCESS_COUNT];
	t.success_count = cJSON_IsNumber(count) ? (long long)count->valuedouble : 0;
	if (t.success_count < 0)
		t.success_count = 0;
	conf = f.v[PF_CONFIDENCE];
	t.confidence = cJSON_IsNumber(conf) ? conf->valuedouble : 0.5;
	if (!(t.confidence >= 0 && t.confidence <= 1))
		t.confidence = 0.5;
	return store_puller_put(pu, &t, stored);
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
		if (!sync_ok_status(resp.status)) {
			sync_answer_error(f->c, &resp, "pulling patterns", &tmp);
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
		if (check_went_back(f->c, f->cursor, pg.doc) < 0) {
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
			assert(f->count < PULL_QUEUE); /* the queue bounds memory */
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
	if (!sync_ok_status(resp.status)) {
		sync_answer_error(c, &resp, "pulling patterns", r);
		goto out;
	}
	r->authenticated = 1;
	if (check_went_back(c, cursor, doc) < 0)
		goto out;
	r->to_pull = (long long)json_get_number(doc, "total", -1);
	ret = 0;
out:
	cJSON_Delete(doc);
	http_response_release(&resp);
	strbuf_release(&path);
	return ret;
}

/* Write one fetched page (in the open transaction). */
static int store_page(struct store *s, struct store_puller *pu, const char *remote,
		      const struct pull_page *pg, struct sync_result *r)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, pg->list)
	{
		int stored;
		if (pull_one(pu, item, &stored) < 0)
			return -1;
		if (stored == 1)
			r->pulled++;
		else if (stored == 0)
			r->updated++;
		else if (stored == 3)
			r->deleted++;
	}
	return store_sync_set_cursor(s, remote, pg->next);
}

int sync_pull_check(struct store *s, struct http_client *c, struct sync_result *r)
{
	char *cursor = store_sync_cursor(s, http_client_url(c));
	long long to_pull = r->to_pull;
	int ret = cursor ? pull_count(c, cursor, r) : 0;

	r->to_pull = to_pull;
	free(cursor);
	return ret;
}

int sync_pull(struct store *s, struct http_client *c, const struct sync_options *o,
		struct sync_result *r)
{
	const char *remote = http_client_url(c);
	struct store_puller *pu = NULL;
	struct fetcher f;
	struct own_ranges own;
	pthread_t th;
	uint64_t done = 0;
	int in_tx = 0; /* rows in the open transaction (0: none open) */
	int ret = -1;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.cursor = o->dry_run && o->fresh ? NULL : store_sync_cursor(s, remote);
	if (o->dry_run) {
		ret = pull_count(c, f.cursor, r);
		free(f.cursor);
		return ret;
	}
	pu = store_puller_open(s, remote);
	if (!pu) {
		free(f.cursor);
		return -1;
	}
	own_ranges_load(s, remote, &own);
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
		if (store_page(s, pu, remote, &pg, r) < 0) {
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
		sync_progress(o, SYNC_PHASE_PULL, done,
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
	/* local patterns the pull marked as pushed move the push watermark */
	if (store_puller_marked_local(pu) &&
	    store_sync_advance_watermark(s, o->variant, remote,
					 store_sync_watermark(s, o->variant, remote)) < 0)
		ret = -1;
	store_puller_close(pu);
	if (own.nr) {
		/* forget the ranges the stored cursor has passed */
		char *cur = store_sync_cursor(s, remote), *end = NULL;
		long long at = cur ? strtoll(cur, &end, 10) : 0;
		size_t before = own.nr;
		if (cur && !*end && end != cur && at > 0) {
			own_ranges_normalize(&own, at);
			if (own.nr != before && own_ranges_save(s, remote, &own) < 0)
				ret = -1;
		}
		free(cur);
	}
	own_ranges_release(&own);
	free(f.error);
	free(f.cursor);
	return ret;
}