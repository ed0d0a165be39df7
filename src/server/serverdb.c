/*
 * serverdb.c: the backend-independent part of the team server's storage:
 * choosing the backend from the URL, one connection per thread (made on
 * first use and kept in a registry so that serverdb_close frees them all),
 * and dispatch to the backend's operations (see serverdb.h).
 */
#include "server/serverdb.h"
#include "common/hash.h"
#include "common/likeness.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const sdb_extra_json[SDB_NR_EXTRA] = {
	"pattern_id", "commit_msg", "language", "file_path",
	"project_id", "commit", "author", "date", "author_name",
};
const char *const sdb_extra_column[SDB_NR_EXTRA] = {
	"pattern_id", "commit_msg", "language", "file_path",
	"project_id", "commit_id", "author", "date", "author_name",
};
const size_t sdb_extra_max[SDB_NR_EXTRA] = {
	64, 65536, 50, 4096, 255, 64, 255, 64, 255,
};

void sdb_pattern_release(struct sdb_pattern *p)
{
	free(p->problem_type);
	free(p->code_before);
	free(p->code_after);
	for (int i = 0; i < SDB_NR_EXTRA; i++)
		free(p->extra[i]);
	free(p->created_by);
	free(p->created_at);
	free(p->last_used);
	memset(p, 0, sizeof(*p));
}

char *sdb_like_pattern(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addch(&sb, '%');
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *s);
	}
	strbuf_addch(&sb, '%');
	return strbuf_detach(&sb, NULL);
}

long long sdb_search_budget(long long wanted, long long total)
{
	double b = sqrt((double)(wanted > 0 ? wanted : 1) * (double)(total > 0 ? total : 1));
	return b < 256 ? 256 : (long long)b;
}

int sdb_text_indexed(const char *s)
{
	size_t len = strlen(s), nr = 0;
	if (!utf8_valid(s, len))
		return 0;
	for (; *s && nr < 3; s++)
		nr += ((unsigned char)*s & 0xC0) != 0x80;
	return nr >= 3;
}

void sdb_key_release(struct sdb_key *k)
{
	free(k->user);
	free(k->created_at);
	free(k->revoked_at);
	memset(k, 0, sizeof(*k));
}

void sdb_session_release(struct sdb_session *s)
{
	free(s->user);
	memset(s, 0, sizeof(*s));
}

void serverdb_init_common(struct serverdb *db, const struct serverdb_ops *ops)
{
	db->ops = ops;
	pthread_key_create(&db->key, NULL);
	pthread_mutex_init(&db->lock, NULL);
}

static int open_backend(struct serverdb **out, const char *url)
{
	const char *rest;
	if (skip_prefix(url, "sqlite:", &rest)) {
		if (skip_prefix(rest, "//", &rest) && !*rest)
			return err_set("database URL '%s' names no file", url);
		if (!*rest)
			return err_set("database URL '%s' names no file", url);
		return serverdb_sqlite_open(out, rest);
	}
	if (starts_with(url, "postgresql://") || starts_with(url, "postgres://"))
		return serverdb_pg_open(out, url);
	return err_set("unsupported database URL '%s' (use sqlite:PATH or postgresql://...)",
		       starts_with(url, "postgres") ? "postgres..." : url);
}

int serverdb_open(struct serverdb **out, const char *url)
{
	char id[37];
	int rc;

	*out = NULL;
	rc = open_backend(out, url);
	if (rc < 0)
		return rc;
	/* a new database gets its identity now, with its schema */
	rc = serverdb_identity(*out, id);
	if (rc < 0) {
		char *msg = xstrdup(err_msg());
		serverdb_close(*out);
		*out = NULL;
		err_set("%s", msg);
		free(msg);
		return rc;
	}
	return SDB_OK;
}

void serverdb_close(struct serverdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nr_conns; i++)
		db->ops->disconnect(db->conns[i]);
	free(db->conns);
	pthread_key_delete(db->key);
	pthread_mutex_destroy(&db->lock);
	db->ops->destroy(db);
}

const char *serverdb_backend(struct serverdb *db) { return db->ops->name; }

/* This thread's connection, made on first use. */
static void *thread_conn(struct serverdb *db)
{
	void *c = pthread_getspecific(db->key);
	if (c)
		return c;
	c = db->ops->connect(db);
	if (!c)
		return NULL;
	pthread_mutex_lock(&db->lock);
	ALLOC_GROW(db->conns, db->nr_conns + 1, db->alloc_conns);
	db->conns[db->nr_conns++] = c;
	pthread_mutex_unlock(&db->lock);
	pthread_setspecific(db->key, c);
	return c;
}

#define DISPATCH(call)                                                         \
	do {                                                                   \
		void *c_ = thread_conn(db);                                    \
		if (!c_)                                                       \
			return SDB_UNAVAILABLE;                                \
		return db->ops->call;                                          \
	} while (0)

int serverdb_ping(struct serverdb *db) { DISPATCH(ping(db, c_)); }

int serverdb_last_change(struct serverdb *db, long long *seq)
{
	*seq = 0;
	DISPATCH(last_change(db, c_, seq));
}

int serverdb_identity(struct serverdb *db, char out[37])
{
	char fresh[37];
	out[0] = '\0';
	/* a new id is made each time, but stored only when the database has none */
	if (uuid_v7(fresh) < 0)
		return err_set("cannot make a database id: no random bytes");
	DISPATCH(identity(db, c_, fresh, out));
}

int serverdb_key_add(struct serverdb *db, const char *user, int is_admin,
		     const char *key_hash, long long *id)
{
	DISPATCH(key_add(db, c_, user, is_admin, key_hash, id));
}

int serverdb_key_lookup(struct serverdb *db, const char *key_hash, struct sdb_key *out)
{
	DISPATCH(key_lookup(db, c_, key_hash, out));
}

int serverdb_key_list(struct serverdb *db, struct sdb_key **keys, size_t *nr)
{
	DISPATCH(key_list(db, c_, keys, nr));
}

int serverdb_key_revoke(struct serverdb *db, long long id)
{
	DISPATCH(key_revoke(db, c_, id));
}

int serverdb_pattern_put(struct serverdb *db, struct sdb_pattern *items, size_t n,
			 const char *user)
{
	DISPATCH(pattern_put(db, c_, items, n, user));
}

int serverdb_pattern_get(struct serverdb *db, const char *id, struct sdb_pattern *out)
{
	if (!uuid_valid(id))
		return SDB_NOT_FOUND;
	DISPATCH(pattern_get(db, c_, id, out));
}

int serverdb_pattern_list(struct serverdb *db, const struct sdb_query *q,
			  struct sdb_pattern **out, size_t *nr, long long *total)
{
	*out = NULL;
	*nr = 0;
	*total = 0;
	DISPATCH(pattern_list(db, c_, q, out, nr, total));
}

int serverdb_pattern_delete(struct serverdb *db, const char *id, const char *user,
			    int is_admin)
{
	if (!uuid_valid(id))
		return SDB_NOT_FOUND;
	DISPATCH(pattern_delete(db, c_, id, user, is_admin));
}

int serverdb_pattern_feedback(struct serverdb *db, const char *id, const char *user,
			      int helpful, struct sdb_pattern *out)
{
	if (!uuid_valid(id))
		return SDB_NOT_FOUND;
	DISPATCH(pattern_feedback(db, c_, id, user, helpful, out));
}

int serverdb_adapter_add(struct serverdb *db, struct adapter_version *a)
{
	DISPATCH(adapter_add(db, c_, a));
}

int serverdb_adapter_list(struct serverdb *db, struct adapter_version **out, size_t *nr)
{
	*out = NULL;
	*nr = 0;
	DISPATCH(adapter_list(db, c_, out, nr));
}

int serverdb_adapter_get(struct serverdb *db, const char *ref, struct adapter_version *out)
{
	memset(out, 0, sizeof(*out));
	DISPATCH(adapter_get(db, c_, ref, out));
}

int serverdb_adapter_activate(struct serverdb *db, const char *ref, const char *user,
			      struct adapter_version *out)
{
	memset(out, 0, sizeof(*out));
	DISPATCH(adapter_activate(db, c_, ref, user, 0, out));
}

int serverdb_adapter_rollback(struct serverdb *db, const char *ref, const char *user,
			      struct adapter_version *out)
{
	memset(out, 0, sizeof(*out));
	DISPATCH(adapter_activate(db, c_, ref, user, 1, out));
}

int serverdb_adapter_delete(struct serverdb *db, const char *ref, struct adapter_version *out)
{
	memset(out, 0, sizeof(*out));
	DISPATCH(adapter_delete(db, c_, ref, out));
}

/* The session calls take the SHA-256 hex of a token: 64 characters. */
static int token_hash_valid(const char *h)
{
	return strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

int serverdb_session_add(struct serverdb *db, const char *token_hash, long long key_id,
			 long long expires_at, long long now)
{
	if (!token_hash_valid(token_hash))
		return err_set("session token hash must be 64 lower-case hex digits");
	DISPATCH(session_add(db, c_, token_hash, key_id, expires_at, now));
}

int serverdb_session_lookup(struct serverdb *db, const char *token_hash, long long now,
			    struct sdb_session *out)
{
	memset(out, 0, sizeof(*out));
	if (!token_hash_valid(token_hash))
		return SDB_NOT_FOUND;
	DISPATCH(session_lookup(db, c_, token_hash, now, out));
}

int serverdb_session_delete(struct serverdb *db, const char *token_hash)
{
	if (!token_hash_valid(token_hash))
		return SDB_OK;
	DISPATCH(session_delete(db, c_, token_hash));
}

int serverdb_pattern_votes(struct serverdb *db, const char *id, const char *user,
			   long long *helpful, long long *not_helpful, int *mine)
{
	*helpful = *not_helpful = 0;
	*mine = -1;
	if (!uuid_valid(id))
		return SDB_NOT_FOUND;
	DISPATCH(pattern_votes(db, c_, id, user, helpful, not_helpful, mine));
}

/* ---- cross-project learning ---- */

void sdb_project_release(struct sdb_project *p)
{
	free(p->repo_url);
	free(p->canonical_url);
	free(p->language);
	free(p->framework);
	free(p->domain);
	free(p->languages);
	free(p->created_by);
	free(p->created_at);
	free(p->updated_at);
	memset(p, 0, sizeof(*p));
}

void sdb_projects_free(struct sdb_project *p, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		sdb_project_release(&p[i]);
	free(p);
}

void sdb_suggestions_free(struct sdb_suggestion *s, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(s[i].pattern_type);
		free(s[i].commit_msg);
		free(s[i].file_path);
		free(s[i].language);
	}
	free(s);
}

void sdb_applications_free(struct sdb_application *a, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(a[i].created_at);
		free(a[i].applied_at);
		free(a[i].outcome);
	}
	free(a);
}

int serverdb_project_put(struct serverdb *db, struct sdb_project *p, const char *user,
			 int is_admin)
{
	DISPATCH(project_put(db, c_, p, user, is_admin));
}

int serverdb_project_get(struct serverdb *db, const char *id, struct sdb_project *out)
{
	memset(out, 0, sizeof(*out));
	if (!uuid_valid(id))
		return SDB_NOT_FOUND;
	DISPATCH(project_get(db, c_, id, out));
}

int serverdb_project_rev(struct serverdb *db, long long *rev)
{
	DISPATCH(project_rev(db, c_, rev));
}

int serverdb_project_list(struct serverdb *db, long long page, long long limit,
			  struct sdb_project **out, size_t *nr, long long *total)
{
	*out = NULL;
	*nr = 0;
	*total = 0;
	DISPATCH(project_list(db, c_, page, limit, out, nr, total));
}

int serverdb_suggest(struct serverdb *db, const struct sdb_suggest_query *q,
		     struct sdb_suggestion **out, size_t *nr)
{
	*out = NULL;
	*nr = 0;
	if (!q->nr_sources)
		return SDB_OK;
	DISPATCH(suggest(db, c_, q, out, nr));
}

int serverdb_application_put(struct serverdb *db, struct sdb_application *items, size_t n)
{
	if (!n)
		return SDB_OK;
	DISPATCH(application_put(db, c_, items, n));
}

int serverdb_pattern_outcome(struct serverdb *db, const char *pattern_id, const char *target,
			     int success, struct sdb_pattern *out)
{
	memset(out, 0, sizeof(*out));
	if (!uuid_valid(pattern_id))
		return SDB_NOT_FOUND;
	if (!uuid_valid(target)) {
		err_set("pattern %s was not applied in project %s", pattern_id, target);
		return SDB_CONFLICT;
	}
	DISPATCH(pattern_outcome(db, c_, pattern_id, target, success, out));
}

int serverdb_application_list(struct serverdb *db, const char *target,
			      struct sdb_application **out, size_t *nr,
			      struct sdb_app_stats *stats)
{
	*out = NULL;
	*nr = 0;
	memset(stats, 0, sizeof(*stats));
	DISPATCH(application_list(db, c_, target, out, nr, stats));
}

/* ---- recall ---- */

void sdb_recall_docs_free(struct sdb_recall_doc *d, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(d[i].language);
		free(d[i].code_before);
	}
	free(d);
}

#define RECALL_BATCH 2000

static int by_posting(const void *a, const void *b)
{
	const struct sdb_posting *x = a, *y = b;
	if (x->feature != y->feature)
		return x->feature < y->feature ? -1 : 1;
	return strcmp(x->pattern, y->pattern);
}

/* One batch: sketch the docs, write their postings and the new mark. */
static int recall_index_batch(struct serverdb *db, void *c, size_t *indexed)
{
	struct sdb_recall_doc *docs = NULL;
	struct sdb_posting *post = NULL;
	struct code_features f = CODE_FEATURES_INIT;
	size_t nr = 0, np = 0, alloc = 0;
	int rc = db->ops->recall_unindexed(db, c, LIKENESS_VERSION, RECALL_BATCH, &docs, &nr);

	*indexed = nr;
	if (rc < 0 || !nr)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		uint32_t sketch[SKETCH_MAX];
		const char *code = docs[i].code_before ? docs[i].code_before : "";
		size_t n;
		code_features_compute(&f, docs[i].language ? docs[i].language : "", code,
				      strlen(code));
		n = code_sketch(&f, sketch);
		ALLOC_GROW(post, np + n, alloc);
		for (size_t k = 0; k < n; k++) {
			post[np].feature = sketch[k];
			memcpy(post[np++].pattern, docs[i].id, sizeof(docs[i].id));
		}
	}
	/* one order for every writer: concurrent catch-ups cannot deadlock */
	if (np)
		qsort(post, np, sizeof(*post), by_posting);
	rc = db->ops->recall_index_put(db, c, post, np, docs[nr - 1].seq);
out:
	code_features_release(&f);
	sdb_recall_docs_free(docs, nr);
	free(post);
	return rc;
}

int serverdb_recall_catch_up(struct serverdb *db)
{
	/* one catch-up at a time in this process; others find it done */
	static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;
	void *c = thread_conn(db);
	size_t n;
	int rc;

	if (!c)
		return SDB_UNAVAILABLE;
	pthread_mutex_lock(&busy);
	do {
		rc = recall_index_batch(db, c, &n);
	} while (rc == SDB_OK && n == RECALL_BATCH);
	pthread_mutex_unlock(&busy);
	return rc;
}

static int by_feature(const void *a, const void *b)
{
	const struct sdb_posting *x = a, *y = b;
	return x->feature < y->feature ? -1 : x->feature > y->feature;
}

int serverdb_recall_lookup(struct serverdb *db, const uint32_t *features, size_t n, int cap,
			   struct sdb_posting **out, size_t *nr)
{
	void *c = thread_conn(db);
	size_t i, j, kept = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!c)
		return SDB_UNAVAILABLE;
	rc = db->ops->recall_lookup(db, c, features, n, cap, out, nr);
	if (rc < 0)
		return rc;
	/* drop the features found in more than cap sketches */
	if (*nr)
		qsort(*out, *nr, sizeof(**out), by_feature);
	for (i = 0; i < *nr; i = j) {
		for (j = i; j < *nr && (*out)[j].feature == (*out)[i].feature; j++)
			;
		if (j - i <= (size_t)cap)
			for (size_t k = i; k < j; k++)
				(*out)[kept++] = (*out)[k];
	}
	*nr = kept;
	return SDB_OK;
}
