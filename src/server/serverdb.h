/*
 * serverdb: the team server's storage, one small interface over two
 * backends: SQLite (embedded, "sqlite:PATH") and PostgreSQL
 * ("postgresql://..." or "postgres://...", libpq).
 *
 * Contract:
 *  - serverdb_open() connects once and migrates the schema forward
 *    (versioned; several servers starting at once migrate only once).
 *  - Every other call uses the calling thread's own connection, made on
 *    first use and remade after a failure (so a server recovers by itself
 *    when the database comes back). A serverdb may be shared by threads.
 *  - Calls return SDB_OK (0) or a negative SDB_* code; SDB_ERROR and
 *    SDB_UNAVAILABLE carry a message in err_msg(). No call prints.
 *  - All SQL uses bound parameters.
 *  - Patterns are identified by a UUID (id) and deduplicated by
 *    solution_hash (UNIQUE), which the caller computes (the server never
 *    trusts a client's). Each pattern carries change_seq, a number from one
 *    database-wide sequence, taken again whenever the pattern is inserted or
 *    its success_count changes; a transaction that takes change_seq values
 *    holds the database's change lock until it commits, so change_seq order
 *    is commit order and a reader that has seen change_seq N has seen every
 *    change below N (the sync cursor relies on this).
 *
 * To store something new (adapter versions, projects): add its calls
 * here, a row in struct serverdb_ops, and the implementations in both
 * backends, with a new migration in each.
 */
#ifndef SERVERDB_H
#define SERVERDB_H

#include "fusion/adapter-version.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SDB_OK = 0,
	SDB_ERROR = -1,	      /* a database error; err_msg() says which */
	SDB_UNAVAILABLE = -2, /* cannot reach the database */
	SDB_NOT_FOUND = -3,
	SDB_FORBIDDEN = -4,
	SDB_CONFLICT = -5, /* a unique name taken, or a state that forbids it */
};

/* Optional text fields of a pattern (the extraction fields). */
enum sdb_extra {
	SDB_PATTERN_ID,
	SDB_COMMIT_MSG,
	SDB_LANGUAGE,
	SDB_FILE_PATH,
	SDB_PROJECT_ID,
	SDB_COMMIT,
	SDB_AUTHOR,
	SDB_DATE,
	SDB_AUTHOR_NAME, /* so a pulled pattern keeps its author's name */
	SDB_NR_EXTRA
};
/* Their JSON names, SQL column names and length limits (bytes). */
extern const char *const sdb_extra_json[SDB_NR_EXTRA];
extern const char *const sdb_extra_column[SDB_NR_EXTRA];
extern const size_t sdb_extra_max[SDB_NR_EXTRA];

struct sdb_pattern {
	char id[37];		/* UUID */
	char solution_hash[65];
	char *problem_type;
	char *code_before;
	char *code_after;
	char *extra[SDB_NR_EXTRA]; /* NULL when absent */
	double confidence;
	int has_confidence;
	long long success_count;
	long long outcome_successes, outcome_failures; /* POST /patterns/{id}/outcome */
	long long change_seq;
	char *created_by;
	char *created_at;	/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
	char *last_used;	/* same, or NULL */
	int created;		/* serverdb_pattern_put: 1 new, 0 already known */
	int deleted;		/* in the change feed: only id and change_seq are set */
};
void sdb_pattern_release(struct sdb_pattern *p);

struct sdb_query {
	const char *problem_type, *language, *project_id;
	const char *q; /* substring of commit message, file path or code */
	double min_confidence;
	int has_min_confidence;
	long long page, limit; /* page from 1 */
	long long since;       /* with has_since: changes after it, in order */
	int has_since;
	int no_total; /* a filtered listing does not count its matches (total -1) */
	/*
	 * With a q that no index serves (sdb_text_indexed() false), list from
	 * at most this many of the best ranked rows (0: every row); a total, if
	 * counted, still counts every match.
	 */
	long long scan_limit;
};

struct sdb_key {
	long long id;
	char *user;
	int is_admin;
	char *created_at;
	char *revoked_at; /* NULL while valid */
};
void sdb_key_release(struct sdb_key *k);

/* A signed-in web interface session (SPEC §10) and the key it was made with. */
struct sdb_session {
	long long key_id;
	char *user;
	int is_admin;
	long long expires_at; /* Unix seconds */
};
void sdb_session_release(struct sdb_session *s);

/*
 * An adapter version on the team server (SPEC §6, /adapters) is a struct
 * adapter_version (fusion/adapter-version.h) whose file is the safetensors
 * file's name inside the server's adapter folder (relative, so servers may
 * mount the shared folder at different places).
 */

struct serverdb;

int serverdb_open(struct serverdb **out, const char *url);
/* Close every thread's connection; no other thread may still use db. */
void serverdb_close(struct serverdb *db);
/* "sqlite" or "postgresql" */
const char *serverdb_backend(struct serverdb *db);

/* SDB_OK when the database answers, SDB_UNAVAILABLE when not. */
int serverdb_ping(struct serverdb *db);

/*
 * The database's identity: a UUID made once, by the first open of a new
 * database (or of one made before identities, once migrated), and kept in
 * it (table server_identity). A database made anew at the same place gets
 * another, which tells clients that what they pushed to the old one is not
 * in this one (docs/api.md, X-Patterns-Database). A copy of the database
 * (a backup restored) keeps it; deleting its row gives the database a new
 * one at the next call. serverdb_open makes it.
 */
int serverdb_identity(struct serverdb *db, char out[37]);

/*
 * The last change_seq the database handed out (0: none), for the change
 * feed's "last_seq": a clone whose cursor is past it syncs with a database
 * that went back (a backup restored).
 */
int serverdb_last_change(struct serverdb *db, long long *seq);

/* Keys: only the SHA-256 (hex) of a key is ever stored. */
int serverdb_key_add(struct serverdb *db, const char *user, int is_admin,
		     const char *key_hash, long long *id);
/* The key whose hash is key_hash (revoked ones too); SDB_NOT_FOUND. */
int serverdb_key_lookup(struct serverdb *db, const char *key_hash, struct sdb_key *out);
int serverdb_key_list(struct serverdb *db, struct sdb_key **keys, size_t *nr);
/* SDB_NOT_FOUND if there is no key id; revoking twice is not an error. */
int serverdb_key_revoke(struct serverdb *db, long long id);

/*
 * Store n patterns in one transaction, all or none. Each item needs
 * solution_hash, problem_type, code_before, code_after; created_by is user.
 * On return every item has id, change_seq, created_at and created (1 if it
 * was inserted, 0 if its solution_hash was already known, in which case id
 * and the other stored fields are the existing pattern's).
 */
int serverdb_pattern_put(struct serverdb *db, struct sdb_pattern *items, size_t n,
			 const char *user);
int serverdb_pattern_get(struct serverdb *db, const char *id, struct sdb_pattern *out);
/*
 * A page of patterns, ranked by success_count then newest; or with
 * q->has_since the changes after q->since in change order (then *total is
 * the number of such changes left, including the ones returned), where a
 * deleted pattern appears once with deleted set (whatever the filters).
 */
int serverdb_pattern_list(struct serverdb *db, const struct sdb_query *q,
			  struct sdb_pattern **out, size_t *nr, long long *total);
/*
 * SDB_NOT_FOUND, or SDB_FORBIDDEN unless user created it or is_admin. The
 * deletion takes a change_seq, so the change feed carries it.
 */
int serverdb_pattern_delete(struct serverdb *db, const char *id, const char *user,
			    int is_admin);
/* One vote per user (a new vote replaces the old); fills out on success. */
int serverdb_pattern_feedback(struct serverdb *db, const char *id, const char *user,
			      int helpful, struct sdb_pattern *out);

/*
 * Adapter versions. At most one is active, and once any version exists
 * exactly one is: the first version stored becomes active, and an active
 * version cannot be deleted. Activations are logged, so that a rollback
 * without a version returns to the version active before the current one
 * (repeated rollbacks walk back through the log). Activation, rollback
 * and deletion are serialised across servers (one transaction each, under
 * a database-wide lock), so concurrent calls leave exactly one active.
 */
/*
 * Record a version whose file is in place. In: id, version_name, file,
 * created_by, parent_versions, method, weights, sha256, size. Out:
 * created_at, is_active. SDB_CONFLICT when version_name is taken.
 */
int serverdb_adapter_add(struct serverdb *db, struct adapter_version *a);
/* All versions, oldest first. */
int serverdb_adapter_list(struct serverdb *db, struct adapter_version **out, size_t *nr);
/* By id (UUID) or, when ref is no UUID, by version name; SDB_NOT_FOUND. */
int serverdb_adapter_get(struct serverdb *db, const char *ref, struct adapter_version *out);
/* Make ref the active version (logged as user's); out is the version. */
int serverdb_adapter_activate(struct serverdb *db, const char *ref, const char *user,
			      struct adapter_version *out);
/*
 * With ref: activate it (logged as a rollback). Without: undo the latest
 * activations back to the version active before the current one;
 * SDB_CONFLICT when there is none.
 */
int serverdb_adapter_rollback(struct serverdb *db, const char *ref, const char *user,
			      struct adapter_version *out);
/* Delete the record (out: what it was); SDB_CONFLICT when it is active. */
int serverdb_adapter_delete(struct serverdb *db, const char *ref, struct adapter_version *out);

/*
 * Web interface sessions: only the SHA-256 (hex) of a session token is
 * stored. session_add also forgets every session that has expired.
 * session_lookup finds a session that expires after now and whose key is
 * not revoked (else SDB_NOT_FOUND). Deleting an unknown session is no error.
 */
int serverdb_session_add(struct serverdb *db, const char *token_hash, long long key_id,
			 long long expires_at, long long now);
int serverdb_session_lookup(struct serverdb *db, const char *token_hash, long long now,
			    struct sdb_session *out);
int serverdb_session_delete(struct serverdb *db, const char *token_hash);
/*
 * The votes on pattern id: how many found it helpful and not helpful, and
 * user's own vote in *mine (-1 none, 0 not helpful, 1 helpful).
 */
int serverdb_pattern_votes(struct serverdb *db, const char *id, const char *user,
			   long long *helpful, long long *not_helpful, int *mine);

/*
 * Cross-project learning (SPEC §8): projects, what each project pushed,
 * suggestions/applications and outcomes. A project is identified by the
 * canonical form of its repository URL (common/profile.h), which the
 * caller computes.
 */
struct sdb_project {
	char id[37]; /* UUID */
	char *repo_url, *canonical_url;
	char *language, *framework, *domain;
	char *languages; /* JSON object text (language: share), or NULL */
	char *created_by, *created_at, *updated_at;
	long long seq; /* creation order: larger is newer */
	int created;   /* serverdb_project_put: 1 new, 0 updated */
};
void sdb_project_release(struct sdb_project *p);
void sdb_projects_free(struct sdb_project *p, size_t nr);

/* A pattern as a suggestion lists it (no code). */
struct sdb_suggestion {
	char pattern_id[37];
	char source_project_id[37];
	char *pattern_type, *commit_msg, *file_path, *language;
	double confidence;
	long long outcome_successes, outcome_failures, success_count, created_seq;
	double similarity, success_rate, score; /* filled by the caller */
};
void sdb_suggestions_free(struct sdb_suggestion *s, size_t nr);

struct sdb_suggest_query {
	const char *target; /* project id */
	char (*sources)[37]; /* take patterns of these projects only */
	const double *similarity; /* of each source, in decreasing order */
	size_t nr_sources;
	const char *const *types; /* problem types, or none for any */
	size_t nr_types;
	double min_confidence;
	long long per_source; /* at most this many from each source */
};

/* A suggestion or application of a pattern in a target project. */
struct sdb_application {
	char target_project_id[37];
	char pattern_id[37];
	char source_project_id[37]; /* "" when the pattern has no project */
	double similarity_score;
	int applied;
	char *created_at, *applied_at, *outcome; /* outcome: "success", "failure" or NULL */
};
void sdb_applications_free(struct sdb_application *a, size_t nr);

struct sdb_app_stats {
	long long total, applied, successes, failures;
};

/*
 * Create the project (p->created = 1) or, when p->canonical_url is known,
 * update its profile: SDB_FORBIDDEN unless user created it or is_admin.
 * On success p is the stored project.
 */
int serverdb_project_put(struct serverdb *db, struct sdb_project *p, const char *user,
			 int is_admin);
int serverdb_project_get(struct serverdb *db, const char *id, struct sdb_project *out);
/*
 * A number that changes whenever a project is created or updated (by any
 * server on the database): callers cache the project list under it.
 */
int serverdb_project_rev(struct serverdb *db, long long *rev);
/* A page, newest first; limit 0: every project. */
int serverdb_project_list(struct serverdb *db, long long page, long long limit,
			  struct sdb_project **out, size_t *nr, long long *total);
/*
 * The candidate patterns of q->sources for q->target, at most per_source
 * from each, best first within a source (confidence × success rate, then
 * success_count, then newest): never a pattern that q->target pushed
 * (its own, or one whose solution it has too) nor one applied there. A
 * backend may leave out a source's candidates that cannot rank among the
 * first per_source by similarity × confidence × success rate.
 */
int serverdb_suggest(struct serverdb *db, const struct sdb_suggest_query *q,
		     struct sdb_suggestion **out, size_t *nr);
/*
 * Record n suggestions/applications in one transaction: one record per
 * (target, pattern); applied only goes from 0 to 1 (setting applied_at).
 * Each item has target, pattern, source and similarity filled; on return
 * it is the stored record.
 */
int serverdb_application_put(struct serverdb *db, struct sdb_application *items, size_t n);
/*
 * An outcome of pattern_id applied in target: exactly once, atomically,
 * whatever runs concurrently. SDB_NOT_FOUND (no pattern), SDB_CONFLICT
 * (not applied there). out: the pattern after the change.
 */
int serverdb_pattern_outcome(struct serverdb *db, const char *pattern_id, const char *target,
			     int success, struct sdb_pattern *out);
/* The target's applied records (newest first) and its statistics. */
int serverdb_application_list(struct serverdb *db, const char *target,
			      struct sdb_application **out, size_t *nr,
			      struct sdb_app_stats *stats);

/*
 * ---- recall (POST /patterns/recall, server-recall.c) ----
 * The server's own recall index: each pattern's sketch (common/likeness.h)
 * -> the pattern, kept current by indexing the patterns whose created_seq
 * is above a high-water mark (recall_state, with the LIKENESS_VERSION of
 * the postings: another version's are dropped and rebuilt).
 */
struct sdb_recall_doc {
	char id[37];
	long long seq; /* created_seq */
	char *language;
	char *code_before;
};
void sdb_recall_docs_free(struct sdb_recall_doc *d, size_t nr);

struct sdb_posting {
	uint32_t feature;
	char pattern[37];
};

/* Index every pattern not yet indexed. */
int serverdb_recall_catch_up(struct serverdb *db);
/*
 * The postings of each of the n features, except those of a feature in
 * more than cap sketches (too common to tell). *out is allocated.
 */
int serverdb_recall_lookup(struct serverdb *db, const uint32_t *features, size_t n, int cap,
			   struct sdb_posting **out, size_t *nr);

/* ---- for the backends ---- */

struct serverdb_ops {
	const char *name;
	void *(*connect)(struct serverdb *db); /* NULL and err_set */
	void (*disconnect)(void *conn);
	void (*destroy)(struct serverdb *db);
	int (*ping)(struct serverdb *db, void *conn);
	/* the identity; when there is none, store fresh (if no one else did) and read again */
	int (*identity)(struct serverdb *db, void *conn, const char *fresh, char out[37]);
	int (*last_change)(struct serverdb *db, void *conn, long long *seq);
	int (*key_add)(struct serverdb *db, void *conn, const char *user, int is_admin,
		       const char *key_hash, long long *id);
	int (*key_lookup)(struct serverdb *db, void *conn, const char *key_hash,
			  struct sdb_key *out);
	int (*key_list)(struct serverdb *db, void *conn, struct sdb_key **keys, size_t *nr);
	int (*key_revoke)(struct serverdb *db, void *conn, long long id);
	int (*pattern_put)(struct serverdb *db, void *conn, struct sdb_pattern *items,
			   size_t n, const char *user);
	int (*pattern_get)(struct serverdb *db, void *conn, const char *id,
			   struct sdb_pattern *out);
	int (*pattern_list)(struct serverdb *db, void *conn, const struct sdb_query *q,
			    struct sdb_pattern **out, size_t *nr, long long *total);
	int (*pattern_delete)(struct serverdb *db, void *conn, const char *id,
			      const char *user, int is_admin);
	int (*pattern_feedback)(struct serverdb *db, void *conn, const char *id,
				const char *user, int helpful, struct sdb_pattern *out);
	int (*adapter_add)(struct serverdb *db, void *conn, struct adapter_version *a);
	int (*adapter_list)(struct serverdb *db, void *conn, struct adapter_version **out,
			    size_t *nr);
	int (*adapter_get)(struct serverdb *db, void *conn, const char *ref,
			   struct adapter_version *out);
	/* rollback with ref NULL: back to the previous activation */
	int (*adapter_activate)(struct serverdb *db, void *conn, const char *ref,
				const char *user, int rollback, struct adapter_version *out);
	int (*adapter_delete)(struct serverdb *db, void *conn, const char *ref,
			      struct adapter_version *out);
	/* web interface sessions */
	int (*session_add)(struct serverdb *db, void *conn, const char *token_hash,
			   long long key_id, long long expires_at, long long now);
	int (*session_lookup)(struct serverdb *db, void *conn, const char *token_hash,
			      long long now, struct sdb_session *out);
	int (*session_delete)(struct serverdb *db, void *conn, const char *token_hash);
	int (*pattern_votes)(struct serverdb *db, void *conn, const char *id, const char *user,
			     long long *helpful, long long *not_helpful, int *mine);
	/* cross-project learning */
	int (*project_put)(struct serverdb *db, void *conn, struct sdb_project *p,
			   const char *user, int is_admin);
	int (*project_get)(struct serverdb *db, void *conn, const char *id,
			   struct sdb_project *out);
	int (*project_rev)(struct serverdb *db, void *conn, long long *rev);
	int (*project_list)(struct serverdb *db, void *conn, long long page, long long limit,
			    struct sdb_project **out, size_t *nr, long long *total);
	int (*suggest)(struct serverdb *db, void *conn, const struct sdb_suggest_query *q,
		       struct sdb_suggestion **out, size_t *nr);
	int (*application_put)(struct serverdb *db, void *conn, struct sdb_application *items,
			       size_t n);
	int (*pattern_outcome)(struct serverdb *db, void *conn, const char *pattern_id,
			       const char *target, int success, struct sdb_pattern *out);
	int (*application_list)(struct serverdb *db, void *conn, const char *target,
				struct sdb_application **out, size_t *nr,
				struct sdb_app_stats *stats);
	/*
	 * recall: patterns above the high-water mark, oldest first, at most
	 * limit; an index of another version is emptied first
	 */
	int (*recall_unindexed)(struct serverdb *db, void *conn, int version, int limit,
				struct sdb_recall_doc **out, size_t *nr);
	/* add postings and raise the high-water mark to upto, in one transaction */
	int (*recall_index_put)(struct serverdb *db, void *conn, const struct sdb_posting *p,
				size_t n, long long upto);
	/* each feature's postings, at most cap + 1 of them */
	int (*recall_lookup)(struct serverdb *db, void *conn, const uint32_t *features,
			     size_t n, int cap, struct sdb_posting **out, size_t *nr);
};

/* The part every backend's database struct starts with. */
struct serverdb {
	const struct serverdb_ops *ops;
	pthread_key_t key; /* this thread's connection */
	pthread_mutex_t lock;
	void **conns; /* every connection made, closed by serverdb_close */
	size_t nr_conns, alloc_conns;
};

/* Backends: open and migrate (the common part is initialised by them). */
int serverdb_sqlite_open(struct serverdb **out, const char *path);
int serverdb_pg_open(struct serverdb **out, const char *url);
/* Called by a backend's open once its struct exists. */
void serverdb_init_common(struct serverdb *db, const struct serverdb_ops *ops);

/* A LIKE pattern matching s literally as a substring (escape character '\\'). */
char *sdb_like_pattern(const char *s);

/*
 * A text search (sdb_query.q) either walks the ranked rows testing each,
 * which reads about wanted * total / matches rows to fill the first wanted,
 * or looks up the matches an index names and sorts them, which reads about
 * matches rows. They cost the same at matches = sqrt(wanted * total): the
 * largest number of index candidates worth looking up.
 */
long long sdb_search_budget(long long wanted, long long total);

/*
 * Whether a text search for s is served by the trigram indexes: s has 3
 * characters or more (valid UTF-8). A shorter one tests the rows themselves.
 */
int sdb_text_indexed(const char *s);

#endif
