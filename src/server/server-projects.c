/*
 * server-projects.c: the team server's cross-project learning endpoints
 * (SPEC §8; the wire protocol is in docs/api.md): projects, similar
 * projects, suggestions, applications, outcomes and insights.
 *
 * A project is known by the canonical form of its repository URL, which
 * the server computes itself (common/profile.h), after removing any
 * credentials the client may have left in it. Similarity is the seed's
 * rule, computed here over the profiles; suggestions then read only the
 * best patterns of the similar projects (serverdb_suggest), so their cost
 * never grows with the patterns of dissimilar projects.
 */
#include "common/profile.h"
#include "server/server.h"
#include "common/util.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 1000
#define MAX_LIST_LIMIT 200
#define MAX_TYPES 16
#define MAX_LANGUAGES 64
#define MAX_URL 2048
#define MAX_FIELD 100

/* ---- output ---- */

static void write_project(struct json_writer *jw, const struct sdb_project *p)
{
	jw_object_begin(jw);
	jw_key(jw, "id");
	jw_string(jw, p->id);
	jw_key(jw, "repo_url");
	jw_string(jw, p->repo_url);
	jw_key(jw, "canonical_url");
	jw_string(jw, p->canonical_url);
	jw_key(jw, "language");
	jw_string(jw, p->language);
	jw_key(jw, "framework");
	jw_string(jw, p->framework);
	jw_key(jw, "domain");
	jw_string(jw, p->domain);
	jw_key(jw, "languages");
	jw_raw(jw, p->languages ? p->languages : "[]");
	jw_key(jw, "created_by");
	jw_string(jw, p->created_by);
	jw_key(jw, "created_at");
	jw_string(jw, p->created_at);
	jw_key(jw, "updated_at");
	jw_string(jw, p->updated_at);
	jw_object_end(jw);
}

/* A ratio or product as shown: four decimals (ranking uses the exact value). */
static double shown(double v)
{
	return round(v * 10000) / 10000;
}

/* ---- similarity ---- */

struct similar {
	const struct sdb_project *p;
	struct profile_match m;
};

static int cmp_similar(const void *a, const void *b)
{
	const struct similar *x = a, *y = b;
	if (x->m.score != y->m.score)
		return x->m.score < y->m.score ? 1 : -1;
	/* then newest */
	return x->p->seq < y->p->seq ? 1 : x->p->seq > y->p->seq ? -1 : 0;
}

/*
 * Every project's profile, shared by the requests: reloaded only when the
 * database's project revision moved (any server's POST /projects), so a
 * similarity costs one small query instead of reading every project.
 */
struct profiles {
	int refs; /* under cache.lock */
	long long rev;
	struct sdb_project *all;
	struct profile_key *keys; /* of all[], for similarity */
	struct project_ref {
		const char *id;
		size_t index;
	} *by_id; /* all[] in the order of their ids */
	size_t nr;
};

static struct {
	pthread_mutex_t lock;
	struct serverdb *db;
	struct profiles *cur;
} cache = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL };

static void profiles_put(struct profiles *pr)
{
	int last;
	if (!pr)
		return;
	pthread_mutex_lock(&cache.lock);
	last = --pr->refs == 0;
	pthread_mutex_unlock(&cache.lock);
	if (last) {
		for (size_t i = 0; i < pr->nr; i++)
			profile_key_release(&pr->keys[i]);
		free(pr->keys);
		free(pr->by_id);
		sdb_projects_free(pr->all, pr->nr);
		free(pr);
	}
}

static int cmp_by_id(const void *a, const void *b)
{
	const struct project_ref *x = a, *y = b;
	return strcmp(x->id, y->id);
}

static void index_by_id(struct profiles *pr)
{
	pr->by_id = xcalloc(pr->nr + 1, sizeof(*pr->by_id));
	for (size_t i = 0; i < pr->nr; i++) {
		pr->by_id[i].id = pr->all[i].id;
		pr->by_id[i].index = i;
	}
	qsort(pr->by_id, pr->nr, sizeof(*pr->by_id), cmp_by_id);
}

/* The index in pr->all of the project with this id (lower case), or -1. */
static long find_project(const struct profiles *pr, const char *id)
{
	size_t lo = 0, hi = pr->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(pr->by_id[mid].id, id);
		if (!c)
			return (long)pr->by_id[mid].index;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int profiles_get(struct serverdb *db, struct profiles **out)
{
	struct profiles *pr, *old = NULL;
	long long rev, total;
	int rc = serverdb_project_rev(db, &rev);

	*out = NULL;
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&cache.lock);
	if (cache.db == db && cache.cur && cache.cur->rev == rev) {
		*out = cache.cur;
		cache.cur->refs++;
	}
	pthread_mutex_unlock(&cache.lock);
	if (*out)
		return SDB_OK;
	pr = xcalloc(1, sizeof(*pr));
	/* read after rev: a change in between only makes the next call reload */
	rc = serverdb_project_list(db, 1, 0, &pr->all, &pr->nr, &total);
	if (rc < 0) {
		free(pr);
		return rc;
	}
	pr->keys = xcalloc(pr->nr + 1, sizeof(*pr->keys));
	for (size_t i = 0; i < pr->nr; i++)
		profile_key_init(&pr->keys[i], pr->all[i].language, pr->all[i].framework,
				 pr->all[i].domain);
	index_by_id(pr);
	pr->rev = rev;
	pr->refs = 2; /* the cache's and the caller's */
	pthread_mutex_lock(&cache.lock);
	if (cache.db != db || !cache.cur || cache.cur->rev <= rev) {
		old = cache.db == db ? cache.cur : NULL;
		cache.db = db;
		cache.cur = pr;
	} else {
		pr->refs = 1; /* a newer list is cached already: ours is the caller's alone */
	}
	pthread_mutex_unlock(&cache.lock);
	profiles_put(old);
	*out = pr;
	return SDB_OK;
}

/*
 * The project a request is about, from the profile cache (so it costs no
 * query of its own): p points into pr->all, or to own when the project is
 * newer than the cache (created since its revision was read).
 */
struct target {
	struct profiles *pr;
	const struct sdb_project *p;
	const struct profile_key *key;
	struct sdb_project own;
	struct profile_key own_key;
	int has_own;
};

static void target_release(struct target *t)
{
	if (t->has_own) {
		sdb_project_release(&t->own);
		profile_key_release(&t->own_key);
	}
	profiles_put(t->pr);
	memset(t, 0, sizeof(*t));
}

/* The project named by the path, and the profiles; on failure a response is set. */
static int load_target(struct server_request *req, struct server_response *res,
		       struct target *t)
{
	char id[37];
	long i;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!uuid_valid(req->params[0])) {
		server_db_error(res, SDB_NOT_FOUND, "project");
		return -1;
	}
	rc = profiles_get(req->db, &t->pr);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		return -1;
	}
	for (int k = 0; k < 36; k++)
		id[k] = (char)tolower((unsigned char)req->params[0][k]);
	id[36] = '\0';
	i = find_project(t->pr, id);
	if (i >= 0) {
		t->p = &t->pr->all[i];
		t->key = &t->pr->keys[i];
		return 0;
	}
	rc = serverdb_project_get(req->db, req->params[0], &t->own);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		target_release(t);
		return -1;
	}
	t->has_own = 1;
	profile_key_init(&t->own_key, t->own.language, t->own.framework, t->own.domain);
	t->p = &t->own;
	t->key = &t->own_key;
	return 0;
}

/*
 * The projects other than the target scoring at least min_similarity,
 * best first, pointing into the target's profiles.
 */
static void find_similar(const struct target *t, double min_similarity, struct similar **out,
			 size_t *nr)
{
	const struct profiles *pr = t->pr;

	*nr = 0;
	*out = xcalloc(pr->nr + 1, sizeof(**out));
	for (size_t i = 0; i < pr->nr; i++) {
		const struct sdb_project *p = &pr->all[i];
		struct similar *s = &(*out)[*nr];
		if (!strcmp(p->id, t->p->id))
			continue;
		profile_key_similarity(t->key, &pr->keys[i], &s->m);
		if (s->m.score < min_similarity || s->m.score <= 0)
			continue;
		s->p = p;
		(*nr)++;
	}
	qsort(*out, *nr, sizeof(**out), cmp_similar);
}

static void write_similar(struct json_writer *jw, const struct similar *s)
{
	jw_object_begin(jw);
	jw_key(jw, "project_id");
	jw_string(jw, s->p->id);
	jw_key(jw, "repo_url");
	jw_string(jw, s->p->repo_url);
	jw_key(jw, "language");
	jw_string(jw, s->p->language);
	jw_key(jw, "framework");
	jw_string(jw, s->p->framework);
	jw_key(jw, "domain");
	jw_string(jw, s->p->domain);
	jw_key(jw, "similarity_score");
	jw_double(jw, s->m.score);
	jw_key(jw, "language_match");
	jw_bool(jw, s->m.language_match);
	jw_key(jw, "framework_match");
	jw_bool(jw, s->m.framework_match);
	jw_key(jw, "domain_match");
	jw_bool(jw, s->m.domain_match);
	jw_object_end(jw);
}

/* ---- suggestions ---- */

struct suggest_params {
	const char *types[MAX_TYPES];
	size_t nr_types;
	double min_confidence, min_similarity;
	long long limit;
};

static int cmp_suggestion(const void *a, const void *b)
{
	const struct sdb_suggestion *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (x->success_count != y->success_count)
		return x->success_count < y->success_count ? 1 : -1;
	return x->created_seq < y->created_seq ? 1 : x->created_seq > y->created_seq ? -1 : 0;
}

/*
 * The ranked suggestions for target among the similar projects sim[]:
 * each source gives at most limit candidates (its best, in the order of
 * the final ranking), so the merge below sees every pattern that can be
 * among the first limit.
 */
static int suggest(struct serverdb *db, const struct sdb_project *target,
		   const struct similar *sim, size_t nr_sim, const struct suggest_params *sp,
		   struct sdb_suggestion **out, size_t *nr)
{
	struct sdb_suggest_query q = { 0 };
	double *similarity;
	int rc;

	q.target = target->id;
	q.sources = xcalloc(nr_sim + 1, sizeof(*q.sources));
	similarity = xcalloc(nr_sim + 1, sizeof(*similarity));
	for (size_t i = 0; i < nr_sim; i++)
		if (sim[i].m.score >= sp->min_similarity) {
			similarity[q.nr_sources] = sim[i].m.score;
			memcpy(q.sources[q.nr_sources++], sim[i].p->id, 37);
		}
	q.similarity = similarity;
	q.types = sp->types;
	q.nr_types = sp->nr_types;
	q.min_confidence = sp->min_confidence;
	q.per_source = sp->limit;
	rc = serverdb_suggest(db, &q, out, nr);
	free(q.sources);
	free(similarity);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < *nr; i++) {
		struct sdb_suggestion *s = &(*out)[i];
		long long uses = s->outcome_successes + s->outcome_failures;
		s->similarity = 0;
		for (size_t k = 0; k < nr_sim; k++)
			if (!strcmp(sim[k].p->id, s->source_project_id)) {
				s->similarity = sim[k].m.score;
				break;
			}
		/* no outcome yet: 0.5; a rate of 0 stays 0 */
		s->success_rate = uses ? (double)s->outcome_successes / (double)uses : 0.5;
		s->score = s->similarity * s->confidence * s->success_rate;
	}
	if (*nr)
		qsort(*out, *nr, sizeof(**out), cmp_suggestion);
	if (*nr > (size_t)sp->limit) {
		for (size_t i = (size_t)sp->limit; i < *nr; i++) {
			free((*out)[i].pattern_type);
			free((*out)[i].commit_msg);
			free((*out)[i].file_path);
			free((*out)[i].language);
		}
		*nr = (size_t)sp->limit;
	}
	return SDB_OK;
}

static void write_suggestion(struct json_writer *jw, const struct sdb_suggestion *s)
{
	jw_object_begin(jw);
	jw_key(jw, "pattern_id");
	jw_string(jw, s->pattern_id);
	jw_key(jw, "pattern_type");
	jw_string(jw, s->pattern_type);
	jw_key(jw, "commit_msg");
	jw_string(jw, s->commit_msg);
	jw_key(jw, "file_path");
	jw_string(jw, s->file_path);
	jw_key(jw, "language");
	jw_string(jw, s->language);
	jw_key(jw, "confidence");
	jw_double(jw, s->confidence);
	jw_key(jw, "similarity_score");
	jw_double(jw, s->similarity);
	jw_key(jw, "source_project_id");
	jw_string(jw, s->source_project_id);
	jw_key(jw, "success_rate");
	jw_double(jw, shown(s->success_rate));
	jw_key(jw, "usage_count");
	jw_int(jw, s->outcome_successes + s->outcome_failures);
	jw_key(jw, "success_count");
	jw_int(jw, s->success_count);
	jw_key(jw, "score");
	jw_double(jw, shown(s->score));
	jw_object_end(jw);
}

/* ---- request helpers ---- */

/* The project named by the path; on failure a response is set. */
static int load_project(struct server_request *req, struct server_response *res,
			struct sdb_project *p)
{
	int rc = serverdb_project_get(req->db, req->params[0], p);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		return -1;
	}
	return 0;
}

static int read_suggest_params(struct server_request *req, struct server_response *res,
			       struct suggest_params *sp)
{
	int n = server_query_all(req, "pattern_type", sp->types, MAX_TYPES);
	if (n < 0) {
		server_error(res, 422, "at most %d values of 'pattern_type'", MAX_TYPES);
		return -1;
	}
	sp->nr_types = (size_t)n;
	for (size_t i = 0; i < sp->nr_types; i++)
		if (strlen(sp->types[i]) > 50) {
			server_error(res, 422, "query parameter 'pattern_type' too long");
			return -1;
		}
	if (server_query_double(req, res, "min_confidence", 0, 1, 0.5, &sp->min_confidence) < 0 ||
	    server_query_double(req, res, "min_similarity", 0, 1, 0.5, &sp->min_similarity) < 0 ||
	    server_query_int(req, res, "limit", 1, MAX_LIST_LIMIT, 20, &sp->limit) < 0)
		return -1;
	return 0;
}

/* ---- /projects ---- */

/* "languages": an array of {"language": string, "share": 0..1}; canonical JSON. */
static int take_languages(const cJSON *o, char **out, struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "languages"), *item;
	struct strbuf sb = STRBUF_INIT;
	struct json_writer jw;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > MAX_LANGUAGES) {
		strbuf_addf(err, "field 'languages' must be an array of at most %d "
				 "{\"language\", \"share\"} objects", MAX_LANGUAGES);
		return -1;
	}
	jw_init(&jw, &sb, 0);
	jw_array_begin(&jw);
	cJSON_ArrayForEach(item, v) {
		const cJSON *share = cJSON_GetObjectItemCaseSensitive(item, "share");
		char *name = NULL;
		if (!cJSON_IsObject(item) ||
		    server_take_string(item, "language", MAX_FIELD, &name, err) < 0 || !name ||
		    !*name || !cJSON_IsNumber(share) || !isfinite(share->valuedouble) ||
		    share->valuedouble < 0 || share->valuedouble > 1) {
			if (!err->len)
				strbuf_addstr(err, "field 'languages' must hold {\"language\": "
						   "name, \"share\": 0 to 1} objects");
			free(name);
			strbuf_release(&sb);
			return -1;
		}
		jw_object_begin(&jw);
		jw_key(&jw, "language");
		jw_string(&jw, name);
		jw_key(&jw, "share");
		jw_double(&jw, round(share->valuedouble * 100) / 100);
		jw_object_end(&jw);
		free(name);
	}
	jw_array_end(&jw);
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

void handle_project_put(struct server_request *req, struct server_response *res)
{
	cJSON *j = server_parse_json(req, res);
	struct sdb_project p = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct json_writer jw;
	char *url = NULL;
	int rc;

	if (!j)
		return;
	if (!cJSON_IsObject(j)) {
		server_error(res, 422, "expected a project object");
		goto out;
	}
	if (server_take_string(j, "repo_url", MAX_URL, &url, &err) < 0 ||
	    server_take_string(j, "language", MAX_FIELD, &p.language, &err) < 0 ||
	    server_take_string(j, "framework", MAX_FIELD, &p.framework, &err) < 0 ||
	    server_take_string(j, "domain", MAX_FIELD, &p.domain, &err) < 0 ||
	    take_languages(j, &p.languages, &err) < 0) {
		server_error(res, 422, "%s", err.buf);
		goto out;
	}
	if (!url || !*url) {
		server_error(res, 422, "field 'repo_url' is missing");
		goto out;
	}
	/* never keep a credential, whatever the client sent */
	p.repo_url = profile_url_strip_credentials(url);
	p.canonical_url = profile_url_canonical(url);
	if (!*p.canonical_url) {
		server_error(res, 422, "field 'repo_url' names no repository");
		goto out;
	}
	rc = serverdb_project_put(req->db, &p, req->user, req->is_admin);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		goto out;
	}
	res->status = p.created ? 201 : 200;
	jw_init(&jw, &res->body, 0);
	write_project(&jw, &p);
out:
	free(url);
	sdb_project_release(&p);
	strbuf_release(&err);
	cJSON_Delete(j);
}

/*
 * GET /projects?repo_url=URL: the project known by URL's canonical form
 * (so a teammate's clone finds the project another user registered).
 */
static void project_by_url(struct server_request *req, struct server_response *res,
			   const char *url, long long page, long long limit)
{
	struct profiles *pr;
	struct json_writer jw;
	char *canonical;
	long long found = 0;
	int rc;

	if (strlen(url) > MAX_URL) {
		server_error(res, 422, "query parameter 'repo_url' too long");
		return;
	}
	rc = profiles_get(req->db, &pr);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		return;
	}
	canonical = profile_url_canonical(url);
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "projects");
	jw_array_begin(&jw);
	for (size_t i = 0; i < pr->nr; i++)
		if (*canonical && !strcmp(pr->all[i].canonical_url, canonical)) {
			if (page == 1)
				write_project(&jw, &pr->all[i]);
			found++;
		}
	jw_array_end(&jw);
	jw_key(&jw, "total");
	jw_int(&jw, found);
	jw_key(&jw, "page");
	jw_int(&jw, page);
	jw_key(&jw, "per_page");
	jw_int(&jw, limit);
	jw_object_end(&jw);
	free(canonical);
	profiles_put(pr);
}

void handle_projects_list(struct server_request *req, struct server_response *res)
{
	struct sdb_project *rows = NULL;
	struct json_writer jw;
	long long page, limit, total;
	size_t nr = 0;
	int rc;

	if (server_query_int(req, res, "page", 1, 1000000, 1, &page) < 0 ||
	    server_query_int(req, res, "limit", 1, MAX_LIST_LIMIT, 20, &limit) < 0)
		return;
	if (server_query(req, "repo_url")) {
		project_by_url(req, res, server_query(req, "repo_url"), page, limit);
		return;
	}
	rc = serverdb_project_list(req->db, page, limit, &rows, &nr, &total);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		return;
	}
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "projects");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr; i++)
		write_project(&jw, &rows[i]);
	jw_array_end(&jw);
	jw_key(&jw, "total");
	jw_int(&jw, total);
	jw_key(&jw, "page");
	jw_int(&jw, page);
	jw_key(&jw, "per_page");
	jw_int(&jw, limit);
	jw_object_end(&jw);
	sdb_projects_free(rows, nr);
}

void handle_project_get(struct server_request *req, struct server_response *res)
{
	struct sdb_project p;
	struct json_writer jw;
	if (load_project(req, res, &p) < 0)
		return;
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	write_project(&jw, &p);
	sdb_project_release(&p);
}

void handle_project_similar(struct server_request *req, struct server_response *res)
{
	struct target t;
	struct similar *sim = NULL;
	struct json_writer jw;
	size_t nr = 0;
	double min;
	long long limit;

	if (server_query_double(req, res, "min_similarity", 0, 1, 0.5, &min) < 0 ||
	    server_query_int(req, res, "limit", 1, MAX_LIST_LIMIT, 10, &limit) < 0 ||
	    load_target(req, res, &t) < 0)
		return;
	find_similar(&t, min, &sim, &nr);
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "project_id");
	jw_string(&jw, t.p->id);
	jw_key(&jw, "similar_projects");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr && i < (size_t)limit; i++)
		write_similar(&jw, &sim[i]);
	jw_array_end(&jw);
	jw_object_end(&jw);
	free(sim);
	target_release(&t);
}

void handle_project_suggestions(struct server_request *req, struct server_response *res)
{
	struct target t;
	struct suggest_params sp;
	struct similar *sim = NULL;
	struct sdb_suggestion *sugg = NULL;
	struct json_writer jw;
	size_t nr_sim = 0, nr = 0;
	int rc;

	if (read_suggest_params(req, res, &sp) < 0 || load_target(req, res, &t) < 0)
		return;
	find_similar(&t, sp.min_similarity, &sim, &nr_sim);
	rc = suggest(req->db, t.p, sim, nr_sim, &sp, &sugg, &nr);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		goto out;
	}
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "project_id");
	jw_string(&jw, t.p->id);
	jw_key(&jw, "suggestions");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr; i++)
		write_suggestion(&jw, &sugg[i]);
	jw_array_end(&jw);
	jw_object_end(&jw);
out:
	sdb_suggestions_free(sugg, nr);
	free(sim);
	target_release(&t);
}

static void write_application(struct json_writer *jw, const struct sdb_application *a)
{
	jw_object_begin(jw);
	jw_key(jw, "target_project_id");
	jw_string(jw, a->target_project_id);
	jw_key(jw, "pattern_id");
	jw_string(jw, a->pattern_id);
	jw_key(jw, "source_project_id");
	jw_string(jw, *a->source_project_id ? a->source_project_id : NULL);
	jw_key(jw, "similarity_score");
	jw_double(jw, a->similarity_score);
	jw_key(jw, "applied");
	jw_bool(jw, a->applied);
	jw_key(jw, "created_at");
	jw_string(jw, a->created_at);
	jw_key(jw, "applied_at");
	jw_string(jw, a->applied_at);
	jw_key(jw, "outcome");
	jw_string(jw, a->outcome);
	jw_object_end(jw);
}

void handle_project_insights(struct server_request *req, struct server_response *res)
{
	struct target t;
	struct suggest_params sp = { 0 };
	struct similar *sim = NULL;
	struct sdb_suggestion *sugg = NULL;
	struct sdb_application *apps = NULL;
	struct sdb_app_stats st;
	struct json_writer jw;
	size_t nr_sim = 0, nr = 0, nr_apps = 0;
	int rc;

	if (load_target(req, res, &t) < 0)
		return;
	sp.min_confidence = 0.5;
	sp.min_similarity = 0.5;
	sp.limit = 20;
	find_similar(&t, sp.min_similarity, &sim, &nr_sim);
	rc = suggest(req->db, t.p, sim, nr_sim, &sp, &sugg, &nr);
	if (!rc)
		rc = serverdb_application_list(req->db, t.p->id, &apps, &nr_apps, &st);
	if (rc < 0) {
		server_db_error(res, rc, "project");
		goto out;
	}
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "project");
	write_project(&jw, t.p);
	jw_key(&jw, "similar_projects");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr_sim && i < 10; i++)
		write_similar(&jw, &sim[i]);
	jw_array_end(&jw);
	jw_key(&jw, "suggested_patterns");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr; i++)
		write_suggestion(&jw, &sugg[i]);
	jw_array_end(&jw);
	jw_key(&jw, "applied_patterns");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr_apps; i++) {
		jw_object_begin(&jw);
		jw_key(&jw, "pattern_id");
		jw_string(&jw, apps[i].pattern_id);
		jw_key(&jw, "source_project_id");
		jw_string(&jw, *apps[i].source_project_id ? apps[i].source_project_id : NULL);
		jw_key(&jw, "applied_at");
		jw_string(&jw, apps[i].applied_at);
		jw_key(&jw, "outcome");
		jw_string(&jw, apps[i].outcome);
		jw_object_end(&jw);
	}
	jw_array_end(&jw);
	jw_key(&jw, "statistics");
	jw_object_begin(&jw);
	jw_key(&jw, "total_suggestions");
	jw_int(&jw, st.total);
	jw_key(&jw, "total_applied");
	jw_int(&jw, st.applied);
	jw_key(&jw, "application_rate");
	jw_double(&jw, st.total ? shown((double)st.applied / (double)st.total) : 0.0);
	jw_key(&jw, "similar_projects_count");
	jw_int(&jw, (int64_t)nr_sim);
	jw_key(&jw, "successes");
	jw_int(&jw, st.successes);
	jw_key(&jw, "failures");
	jw_int(&jw, st.failures);
	jw_object_end(&jw);
	jw_object_end(&jw);
out:
	sdb_applications_free(apps, nr_apps);
	sdb_suggestions_free(sugg, nr);
	free(sim);
	target_release(&t);
}

/* ---- /applications ---- */

/*
 * Parse one {"target_project_id", "pattern_id", "applied"} and fill the
 * source project and similarity from what the server knows. Returns 0,
 * or -1 with an HTTP status in *status and a message in err.
 */
static int prepare_application(struct server_request *req, const cJSON *o,
			       struct sdb_application *a, int *status, struct strbuf *err)
{
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(o, "target_project_id");
	const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(o, "pattern_id");
	const cJSON *applied = cJSON_GetObjectItemCaseSensitive(o, "applied");
	struct sdb_project tp, sp;
	struct sdb_pattern p;
	struct profile_match m;
	int rc;

	memset(a, 0, sizeof(*a));
	*status = 422;
	if (!cJSON_IsObject(o) || !cJSON_IsString(target) || !cJSON_IsString(pattern) ||
	    (applied && !cJSON_IsBool(applied))) {
		strbuf_addstr(err, "expected {\"target_project_id\": id, \"pattern_id\": id, "
				   "\"applied\": true|false}");
		return -1;
	}
	a->applied = cJSON_IsTrue(applied);
	rc = serverdb_project_get(req->db, target->valuestring, &tp);
	if (rc < 0) {
		*status = rc == SDB_NOT_FOUND ? 404 : rc == SDB_UNAVAILABLE ? 503 : 500;
		strbuf_addf(err, rc == SDB_NOT_FOUND ? "project not found" : "%s", err_msg());
		return -1;
	}
	rc = serverdb_pattern_get(req->db, pattern->valuestring, &p);
	if (rc < 0) {
		sdb_project_release(&tp);
		*status = rc == SDB_NOT_FOUND ? 404 : rc == SDB_UNAVAILABLE ? 503 : 500;
		strbuf_addf(err, rc == SDB_NOT_FOUND ? "pattern not found" : "%s", err_msg());
		return -1;
	}
	memcpy(a->target_project_id, tp.id, sizeof(tp.id));
	memcpy(a->pattern_id, p.id, sizeof(p.id));
	if (p.extra[SDB_PROJECT_ID] &&
	    serverdb_project_get(req->db, p.extra[SDB_PROJECT_ID], &sp) == SDB_OK) {
		memcpy(a->source_project_id, sp.id, sizeof(sp.id));
		profile_similarity(tp.language, tp.framework, tp.domain, sp.language, sp.framework,
				   sp.domain, &m);
		a->similarity_score = m.score;
		sdb_project_release(&sp);
	}
	sdb_pattern_release(&p);
	sdb_project_release(&tp);
	return 0;
}

void handle_applications_put(struct server_request *req, struct server_response *res)
{
	cJSON *j = server_parse_json(req, res), *item;
	struct sdb_application *items = NULL;
	struct strbuf err = STRBUF_INIT;
	struct json_writer jw;
	size_t n = 0;
	int batch, status, rc;

	if (!j)
		return;
	batch = cJSON_IsArray(j);
	if (batch && cJSON_GetArraySize(j) > MAX_BATCH) {
		server_error(res, 413, "too many applications in one request (at most %d)",
			     MAX_BATCH);
		goto out;
	}
	items = xcalloc(batch ? (size_t)cJSON_GetArraySize(j) + 1 : 1, sizeof(*items));
	if (batch) {
		cJSON_ArrayForEach(item, j) {
			if (prepare_application(req, item, &items[n], &status, &err) < 0) {
				server_error(res, status, "application %zu: %s", n, err.buf);
				goto out;
			}
			n++;
		}
	} else {
		if (prepare_application(req, j, &items[0], &status, &err) < 0) {
			server_error(res, status, "%s", err.buf);
			goto out;
		}
		n = 1;
	}
	rc = serverdb_application_put(req->db, items, n);
	if (rc < 0) {
		server_db_error(res, rc, "application");
		goto out;
	}
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	if (!batch) {
		write_application(&jw, &items[0]);
		goto out;
	}
	jw_object_begin(&jw);
	jw_key(&jw, "applications");
	jw_array_begin(&jw);
	for (size_t i = 0; i < n; i++)
		write_application(&jw, &items[i]);
	jw_array_end(&jw);
	jw_object_end(&jw);
out:
	sdb_applications_free(items, n);
	strbuf_release(&err);
	cJSON_Delete(j);
}

/* ---- /patterns/{id}/outcome ---- */

void handle_pattern_outcome(struct server_request *req, struct server_response *res)
{
	cJSON *j = server_parse_json(req, res);
	const cJSON *target, *success;
	struct sdb_pattern p;
	struct json_writer jw;
	int rc;

	if (!j)
		return;
	target = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "target_project_id")
				   : NULL;
	success = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "success") : NULL;
	if (!cJSON_IsString(target) || strlen(target->valuestring) > 64 ||
	    !cJSON_IsBool(success)) {
		server_error(res, 422, "expected {\"target_project_id\": id, \"success\": "
				       "true|false}");
		cJSON_Delete(j);
		return;
	}
	rc = serverdb_pattern_outcome(req->db, req->params[0], target->valuestring,
				      cJSON_IsTrue(success), &p);
	cJSON_Delete(j);
	if (rc < 0) {
		server_db_error(res, rc, "pattern");
		return;
	}
	res->status = 200;
	jw_init(&jw, &res->body, 0);
	server_write_pattern(&jw, &p);
	sdb_pattern_release(&p);
}
