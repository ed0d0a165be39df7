/*
 * server-patterns.c: the team server's pattern endpoints and /health
 * (SPEC §6; the wire protocol is written down in docs/api.md).
 *
 * Untrusted input is checked here before it reaches the database: valid
 * UTF-8, JSON of the right shape and types, known problem types, bounded
 * string lengths, bounded query numbers. The server computes solution_hash
 * itself (pattern_solution_hash) and takes created_by and the feedback
 * user from the key, never from the body.
 */
#include "common/likeness.h"
#include "common/pattern.h"
#include "server/server.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 1000

/* ---- output ---- */

/* The members of a pattern's object (server_write_pattern, and recall's hits). */
static void write_pattern_fields(struct json_writer *jw, const struct sdb_pattern *p)
{
	jw_key(jw, "id");
	jw_string(jw, p->id);
	jw_key(jw, "problem_type");
	jw_string(jw, p->problem_type);
	jw_key(jw, "solution_hash");
	jw_string(jw, p->solution_hash);
	jw_key(jw, "code_before");
	jw_string(jw, p->code_before ? p->code_before : "");
	jw_key(jw, "code_after");
	jw_string(jw, p->code_after ? p->code_after : "");
	jw_key(jw, "success_count");
	jw_int(jw, p->success_count);
	jw_key(jw, "last_used");
	jw_string(jw, p->last_used);
	jw_key(jw, "created_by");
	jw_string(jw, p->created_by);
	jw_key(jw, "created_at");
	jw_string(jw, p->created_at);
	for (int i = 0; i < SDB_NR_EXTRA; i++) {
		jw_key(jw, sdb_extra_json[i]);
		jw_string(jw, p->extra[i]);
	}
	jw_key(jw, "confidence");
	if (p->has_confidence)
		jw_double(jw, p->confidence);
	else
		jw_null(jw);
	jw_key(jw, "outcome_successes");
	jw_int(jw, p->outcome_successes);
	jw_key(jw, "outcome_failures");
	jw_int(jw, p->outcome_failures);
	jw_key(jw, "change_seq");
	jw_int(jw, p->change_seq);
}

void server_write_pattern(struct json_writer *jw, const struct sdb_pattern *p)
{
	if (p->deleted) {
		/* the change feed's record of a deletion (SPEC §6) */
		jw_object_begin(jw);
		jw_key(jw, "id");
		jw_string(jw, p->id);
		jw_key(jw, "deleted");
		jw_bool(jw, 1);
		jw_object_end(jw);
		return;
	}
	jw_object_begin(jw);
	write_pattern_fields(jw, p);
	jw_object_end(jw);
}

static void respond_pattern(struct server_response *res, int status, const struct sdb_pattern *p)
{
	struct json_writer jw;
	res->status = status;
	jw_init(&jw, &res->body, 0);
	server_write_pattern(&jw, p);
}

/* ---- /health ---- */

void handle_health(struct server_request *req, struct server_response *res)
{
	struct json_writer jw;
	int ok = server_db_healthy(req->srv);
	char id[37];

	res->status = ok ? 200 : 503;
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "status");
	jw_string(&jw, ok ? "healthy" : "unhealthy");
	jw_key(&jw, "version");
	jw_string(&jw, GIT_PATTERNS_VERSION);
	jw_key(&jw, "database");
	jw_string(&jw, ok ? "connected" : "disconnected");
	if (ok && server_database_id(req->srv, id) == 0) {
		jw_key(&jw, "database_id");
		jw_string(&jw, id);
	}
	jw_object_end(&jw);
}

/* ---- input ---- */

/*
 * A string field: absent or null leaves *out NULL; otherwise it must be a
 * valid UTF-8 string of at most max bytes. -1 with a message in err.
 */
int server_take_string(const cJSON *o, const char *key, size_t max, char **out,
		       struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t len;
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring) {
		strbuf_addf(err, "field '%s' must be a string", key);
		return -1;
	}
	len = strlen(v->valuestring);
	if (len > max) {
		strbuf_addf(err, "field '%s' is longer than %zu bytes", key, max);
		return -1;
	}
	if (!utf8_valid(v->valuestring, len)) {
		strbuf_addf(err, "field '%s' is not valid UTF-8", key);
		return -1;
	}
	*out = xstrndup(v->valuestring, len);
	return 0;
}

/* code_before, or the JSONL spelling before_code. */
static int take_code(const cJSON *o, const char *name, const char *alias, size_t max,
		     char **out, struct strbuf *err)
{
	char *a = NULL, *b = NULL;
	if (server_take_string(o, name, max, &a, err) < 0 || server_take_string(o, alias, max, &b, err) < 0)
		goto fail;
	if (a && b && strcmp(a, b)) {
		strbuf_addf(err, "fields '%s' and '%s' differ", name, alias);
		goto fail;
	}
	if (!a && !b) {
		strbuf_addf(err, "field '%s' is missing", name);
		goto fail;
	}
	*out = a ? a : b;
	if (a)
		free(b);
	return 0;
fail:
	free(a);
	free(b);
	return -1;
}

static int parse_pattern(const cJSON *o, struct sdb_pattern *p, size_t max_code,
			 struct strbuf *err)
{
	const cJSON *conf;

	memset(p, 0, sizeof(*p));
	if (!cJSON_IsObject(o)) {
		strbuf_addstr(err, "a pattern must be a JSON object");
		return -1;
	}
	if (server_take_string(o, "problem_type", 50, &p->problem_type, err) < 0)
		return -1;
	if (!p->problem_type) {
		strbuf_addstr(err, "field 'problem_type' is missing");
		return -1;
	}
	if (!problem_type_valid(p->problem_type)) {
		strbuf_addstr(err, "field 'problem_type' is not a known problem type");
		return -1;
	}
	if (take_code(o, "code_before", "before_code", max_code, &p->code_before, err) < 0 ||
	    take_code(o, "code_after", "after_code", max_code, &p->code_after, err) < 0)
		return -1;
	for (int i = 0; i < SDB_NR_EXTRA; i++)
		if (server_take_string(o, sdb_extra_json[i], sdb_extra_max[i], &p->extra[i], err) < 0)
			return -1;
	conf = cJSON_GetObjectItemCaseSensitive(o, "confidence");
	if (conf && !cJSON_IsNull(conf)) {
		if (!cJSON_IsNumber(conf) || !isfinite(conf->valuedouble) ||
		    conf->valuedouble < 0 || conf->valuedouble > 1) {
			strbuf_addstr(err, "field 'confidence' must be a number from 0 to 1");
			return -1;
		}
		p->confidence = conf->valuedouble;
		p->has_confidence = 1;
	}
	/* never the client's: the server's own hash of the code */
	pattern_solution_hash(p->solution_hash, p->code_before, strlen(p->code_before),
			      p->code_after, strlen(p->code_after));
	return 0;
}

/*
 * A decimal integer query parameter in [min, max]; absent gives def.
 * -1 (and a 422 response) when malformed or out of range.
 */
int server_query_int(struct server_request *req, struct server_response *res,
		     const char *name, long long min, long long max, long long def,
		     long long *out)
{
	const char *s = server_query(req, name);
	char *end;
	long long v;
	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		server_error(res, 422, "query parameter '%s' must be an integer from %lld to %lld",
			     name, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * A number query parameter in [min, max]; absent gives def. -1 (and a 422
 * response) when malformed or out of range.
 */
int server_query_double(struct server_request *req, struct server_response *res,
			const char *name, double min, double max, double def, double *out)
{
	const char *s = server_query(req, name);
	char *end;
	double v;
	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < min || v > max) {
		server_error(res, 422, "query parameter '%s' must be a number from %g to %g", name,
			     min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* ---- /patterns ---- */

#define LIST_MAX_LIMIT 200   /* a page of a listing (SPEC §6) */
#define SINCE_MAX_LIMIT 1000 /* a page of the change feed (since=CURSOR) */

void handle_patterns_list(struct server_request *req, struct server_response *res)
{
	struct sdb_query q;
	struct sdb_pattern *rows = NULL;
	struct json_writer jw;
	size_t nr = 0;
	long long total = 0, last_seq = 0;
	const char *s;
	int rc;

	memset(&q, 0, sizeof(q));
	q.has_since = server_query(req, "since") != NULL;
	/* the change feed (sync) may ask for larger pages than a listing */
	if (server_query_int(req, res, "page", 1, 1000000, 1, &q.page) < 0 ||
	    server_query_int(req, res, "limit", 1, q.has_since ? SINCE_MAX_LIMIT : LIST_MAX_LIMIT, 20,
		      &q.limit) < 0 ||
	    server_query_int(req, res, "since", 0, LLONG_MAX, 0, &q.since) < 0)
		return;
	q.problem_type = server_query(req, "problem_type");
	q.language = server_query(req, "language");
	q.project_id = server_query(req, "project_id");
	q.q = server_query(req, "q");
	if ((q.q && strlen(q.q) > 1000) || (q.problem_type && strlen(q.problem_type) > 255) ||
	    (q.language && strlen(q.language) > 255) ||
	    (q.project_id && strlen(q.project_id) > 255)) {
		server_error(res, 422, "query parameter too long");
		return;
	}
	if (q.q && !*q.q)
		q.q = NULL;
	s = server_query(req, "min_confidence");
	if (s) {
		char *end;
		errno = 0;
		q.min_confidence = strtod(s, &end);
		if (!*s || *end || errno || !isfinite(q.min_confidence) ||
		    q.min_confidence < 0 || q.min_confidence > 1) {
			server_error(res, 422, "query parameter 'min_confidence' must be a "
					       "number from 0 to 1");
			return;
		}
		q.has_min_confidence = 1;
	}

	rc = serverdb_pattern_list(req->db, &q, &rows, &nr, &total);
	/* read after the feed: it is at least the last change the feed holds */
	if (rc >= 0 && q.has_since)
		rc = serverdb_last_change(req->db, &last_seq);
	if (rc < 0) {
		for (size_t i = 0; i < nr; i++)
			sdb_pattern_release(&rows[i]);
		free(rows);
		server_db_error(res, rc, "pattern");
		return;
	}
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "patterns");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr; i++)
		server_write_pattern(&jw, &rows[i]);
	jw_array_end(&jw);
	jw_key(&jw, "total");
	jw_int(&jw, total);
	if (q.has_since) {
		jw_key(&jw, "since");
		jw_int(&jw, q.since);
		jw_key(&jw, "next_since");
		jw_int(&jw, nr ? rows[nr - 1].change_seq : q.since);
		jw_key(&jw, "has_more");
		jw_bool(&jw, total > (long long)nr);
		jw_key(&jw, "last_seq");
		jw_int(&jw, last_seq);
	} else {
		jw_key(&jw, "page");
		jw_int(&jw, q.page);
	}
	jw_key(&jw, "per_page");
	jw_int(&jw, q.limit);
	jw_object_end(&jw);
	for (size_t i = 0; i < nr; i++)
		sdb_pattern_release(&rows[i]);
	free(rows);
}

void handle_patterns_create(struct server_request *req, struct server_response *res)
{
	cJSON *j = server_parse_json(req, res), *item;
	struct sdb_pattern *items = NULL;
	struct strbuf err = STRBUF_INIT;
	struct json_writer jw;
	size_t n = 0, created = 0;
	int batch, rc;

	if (!j)
		return;
	batch = cJSON_IsArray(j);
	if (!batch && !cJSON_IsObject(j)) {
		server_error(res, 422, "expected a pattern object or an array of them");
		goto out;
	}
	if (batch && cJSON_GetArraySize(j) > MAX_BATCH) {
		server_error(res, 413, "too many patterns in one request (at most %d)", MAX_BATCH);
		goto out;
	}
	items = xcalloc(batch ? (size_t)cJSON_GetArraySize(j) + 1 : 1, sizeof(*items));
	if (batch) {
		cJSON_ArrayForEach(item, j) {
			if (parse_pattern(item, &items[n], req->body_len, &err) < 0) {
				sdb_pattern_release(&items[n]);
				server_error(res, 422, "pattern %zu: %s", n, err.buf);
				goto out;
			}
			n++;
		}
	} else {
		if (parse_pattern(j, &items[0], req->body_len, &err) < 0) {
			sdb_pattern_release(&items[0]);
			server_error(res, 422, "%s", err.buf);
			goto out;
		}
		n = 1;
	}
	if (!n) {
		res->status = 200;
		strbuf_addstr(&res->body, "{\"results\":[],\"created\":0,\"existing\":0}");
		goto out;
	}
	/* a pattern names the project that pushes it: one the server knows */
	for (size_t i = 0; i < n; i++) {
		const char *project = items[i].extra[SDB_PROJECT_ID];
		struct sdb_project known;
		if (!project || (i && items[i - 1].extra[SDB_PROJECT_ID] &&
				 !strcmp(project, items[i - 1].extra[SDB_PROJECT_ID])))
			continue;
		rc = serverdb_project_get(req->db, project, &known);
		if (rc == SDB_NOT_FOUND) {
			server_error(res, 422, "pattern %zu: field 'project_id' names no known "
					       "project (POST /projects first)", i);
			goto out;
		}
		if (rc < 0) {
			server_db_error(res, rc, "project");
			goto out;
		}
		/* stored as the server spells the id */
		free(items[i].extra[SDB_PROJECT_ID]);
		items[i].extra[SDB_PROJECT_ID] = xstrdup(known.id);
		sdb_project_release(&known);
	}
	rc = serverdb_pattern_put(req->db, items, n, req->user);
	if (rc < 0) {
		server_db_error(res, rc, "pattern");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		created += items[i].created;
	if (!batch) {
		respond_pattern(res, items[0].created ? 201 : 200, &items[0]);
		goto out;
	}
	res->status = created ? 201 : 200;
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "results");
	jw_array_begin(&jw);
	for (size_t i = 0; i < n; i++) {
		jw_object_begin(&jw);
		jw_key(&jw, "index");
		jw_int(&jw, (int64_t)i);
		jw_key(&jw, "id");
		jw_string(&jw, items[i].id);
		jw_key(&jw, "pattern_id");
		jw_string(&jw, items[i].extra[SDB_PATTERN_ID]);
		jw_key(&jw, "solution_hash");
		jw_string(&jw, items[i].solution_hash);
		jw_key(&jw, "change_seq");
		jw_int(&jw, items[i].change_seq);
		jw_key(&jw, "created");
		jw_bool(&jw, items[i].created);
		jw_object_end(&jw);
	}
	jw_array_end(&jw);
	jw_key(&jw, "created");
	jw_int(&jw, (int64_t)created);
	jw_key(&jw, "existing");
	jw_int(&jw, (int64_t)(n - created));
	jw_object_end(&jw);
out:
	for (size_t i = 0; i < n; i++)
		sdb_pattern_release(&items[i]);
	free(items);
	strbuf_release(&err);
	cJSON_Delete(j);
}

/* ---- /patterns/{id} ---- */

void handle_pattern_get(struct server_request *req, struct server_response *res)
{
	struct sdb_pattern p;
	int rc = serverdb_pattern_get(req->db, req->params[0], &p);
	if (rc < 0) {
		server_db_error(res, rc, "pattern");
		return;
	}
	respond_pattern(res, 200, &p);
	sdb_pattern_release(&p);
}

void handle_pattern_delete(struct server_request *req, struct server_response *res)
{
	int rc = serverdb_pattern_delete(req->db, req->params[0], req->user, req->is_admin);
	if (rc < 0) {
		server_db_error(res, rc, "pattern");
		return;
	}
	res->status = 204;
}

void handle_pattern_feedback(struct server_request *req, struct server_response *res)
{
	cJSON *j = server_parse_json(req, res);
	const cJSON *helpful;
	struct sdb_pattern p;
	int rc;

	if (!j)
		return;
	helpful = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "helpful") : NULL;
	if (!cJSON_IsBool(helpful)) {
		server_error(res, 422, "field 'helpful' must be true or false");
		cJSON_Delete(j);
		return;
	}
	rc = serverdb_pattern_feedback(req->db, req->params[0], req->user,
				       cJSON_IsTrue(helpful), &p);
	cJSON_Delete(j);
	if (rc < 0) {
		server_db_error(res, rc, "pattern");
		return;
	}
	respond_pattern(res, 200, &p);
	sdb_pattern_release(&p);
}

/* ---- /patterns/recall ---- */

#define RECALL_MAX_CODE (1024 * 1024)
#define RECALL_MAX_LIMIT 50
#define RECALL_COMMON 256     /* a feature in more sketches says little */
#define RECALL_CANDIDATES 200 /* scored exactly */

struct recall_candidate {
	const char *id; /* into the postings */
	unsigned shared;
	double score;
	struct sdb_pattern p;
};

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct sdb_posting *)a)->pattern,
		      ((const struct sdb_posting *)b)->pattern);
}

static int by_shared(const void *a, const void *b)
{
	const struct recall_candidate *x = a, *y = b;
	if (x->shared != y->shared)
		return x->shared < y->shared ? 1 : -1;
	return strcmp(x->id, y->id);
}

static int by_score_desc(const void *a, const void *b)
{
	const struct recall_candidate *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->id, y->id);
}

/* 1 if o's key is absent, null or a string */
static int recall_optional_string(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return !v || cJSON_IsNull(v) || cJSON_IsString(v);
}

/*
 * POST /patterns/recall {"code", "language", "limit", "problem_type"}:
 * the patterns whose code_before looks most like code, scored as the
 * local recall scores (common/likeness.h), from the server's own index.
 */
void handle_patterns_recall(struct server_request *req, struct server_response *res)
{
	cJSON *j = server_parse_json(req, res);
	const cJSON *code, *limit_j;
	const char *language, *type;
	struct code_features qf = CODE_FEATURES_INIT, pf = CODE_FEATURES_INIT;
	struct sdb_posting *post = NULL;
	struct recall_candidate *cand = NULL;
	uint32_t *keys = NULL;
	size_t nkeys, npost = 0, ncand = 0, i, k, hits = 0;
	long long limit = 5;
	struct json_writer jw;
	int rc;

	if (!j)
		return;
	code = cJSON_GetObjectItemCaseSensitive(j, "code");
	language = json_get_string(j, "language");
	type = json_get_string(j, "problem_type");
	limit_j = cJSON_GetObjectItemCaseSensitive(j, "limit");
	if (!cJSON_IsString(code)) {
		server_error(res, 422, "'code' must be a string");
		goto out;
	}
	if (!recall_optional_string(j, "language") || !recall_optional_string(j, "problem_type")) {
		server_error(res, 422, "'language' and 'problem_type' must be strings");
		goto out;
	}
	if (strlen(code->valuestring) > RECALL_MAX_CODE) {
		server_error(res, 413, "'code' is longer than %d bytes", RECALL_MAX_CODE);
		goto out;
	}
	if (language && strlen(language) > 64) {
		server_error(res, 422, "'language' is too long");
		goto out;
	}
	if (type && !problem_type_valid(type)) {
		server_error(res, 422, "unknown problem_type");
		goto out;
	}
	if (limit_j) {
		if (!cJSON_IsNumber(limit_j) || limit_j->valuedouble != floor(limit_j->valuedouble) ||
		    limit_j->valuedouble < 1 || limit_j->valuedouble > RECALL_MAX_LIMIT) {
			server_error(res, 422, "'limit' must be an integer from 1 to %d",
				     RECALL_MAX_LIMIT);
			goto out;
		}
		limit = (long long)limit_j->valuedouble;
	}

	if ((rc = serverdb_recall_catch_up(req->db)) < 0) {
		server_db_error(res, rc, "recall index");
		goto out;
	}
	code_features_compute(&qf, language ? language : "", code->valuestring,
			      strlen(code->valuestring));
	nkeys = code_feature_keys(&qf, &keys);
	if (nkeys && (rc = serverdb_recall_lookup(req->db, keys, nkeys, RECALL_COMMON, &post,
						  &npost)) < 0) {
		server_db_error(res, rc, "recall index");
		goto out;
	}
	/* count the features each pattern shares with the query */
	if (npost)
		qsort(post, npost, sizeof(*post), by_id);
	cand = xcalloc(npost ? npost : 1, sizeof(*cand));
	for (i = 0; i < npost; i = k) {
		for (k = i; k < npost && !strcmp(post[k].pattern, post[i].pattern); k++)
			;
		cand[ncand].id = post[i].pattern;
		cand[ncand++].shared = (unsigned)(k - i);
	}
	qsort(cand, ncand, sizeof(*cand), by_shared);
	if (ncand > RECALL_CANDIDATES)
		ncand = RECALL_CANDIDATES;
	for (i = 0; i < ncand; i++) {
		struct recall_candidate *c = &cand[i];
		rc = serverdb_pattern_get(req->db, c->id, &c->p);
		if (rc == SDB_NOT_FOUND) /* deleted since it was indexed */
			continue;
		if (rc < 0) {
			server_db_error(res, rc, "pattern");
			goto out;
		}
		if (type && strcmp(c->p.problem_type, type))
			continue;
		code_features_compute(&pf, c->p.extra[SDB_LANGUAGE] ? c->p.extra[SDB_LANGUAGE] : "",
				      c->p.code_before ? c->p.code_before : "",
				      c->p.code_before ? strlen(c->p.code_before) : 0);
		c->score = code_likeness(&qf, &pf);
	}
	qsort(cand, ncand, sizeof(*cand), by_score_desc);

	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "hits");
	jw_array_begin(&jw);
	for (i = 0; i < ncand && hits < (size_t)limit && cand[i].score > 0; i++, hits++) {
		jw_object_begin(&jw);
		write_pattern_fields(&jw, &cand[i].p);
		jw_key(&jw, "score");
		jw_double(&jw, round(cand[i].score * 10000) / 10000);
		jw_object_end(&jw);
	}
	jw_array_end(&jw);
	jw_key(&jw, "count");
	jw_int(&jw, (int64_t)hits);
	jw_object_end(&jw);
	res->status = 200;
out:
	for (i = 0; cand && i < ncand; i++)
		sdb_pattern_release(&cand[i].p);
	free(cand);
	free(post);
	free(keys);
	code_features_release(&qf);
	code_features_release(&pf);
	cJSON_Delete(j);
}
