/*
 * extract.c: the extraction engine (see extract.h for the contract).
 *
 * Three stages:
 *  1. walk (calling thread): revwalk as git log, filters (since, merges),
 *     and a lookup in the set of already processed commits, loaded once
 *     from the store. What is left is the todo array.
 *  2. diff (worker threads): each worker has its own git_repository and
 *     takes the next todo index; it diffs, classifies and builds a
 *     self-contained commit_result (all strings owned).
 *  3. write (calling thread): results are written in batches, each batch
 *     one transaction holding the commits' patterns and processed marks.
 *
 * Memory stays bounded: results wait in a queue limited by bytes, and a
 * worker blocks while the queue is full; the todo array is 20 bytes per
 * commit.
 *
 * Invariant: a processed mark is only written in the transaction that
 * writes the commit's patterns, so the store never claims a commit whose
 * patterns are missing.
 */
#include "extract.h"
#include "classify.h"
#include "hash.h"
#include "json.h"
#include "language.h"
#include "pattern.h"
#include "progress.h"
#include "repo.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_MAX_BYTES (16u << 20)
#define BATCH_MAX_COMMITS 4000
#define WORK_CHUNK 16
#define RANGE_RECORD_MIN 256
#define BATCH_MAX_SECONDS 0.25
#define BATCH_MAX_BYTES (16u << 20)

/* ---------------------------------------------------------------- */
/* The set of processed commits                                     */

struct oid_set {
	unsigned char (*keys)[GIT_OID_RAWSZ];
	unsigned char *flags; /* 0 empty, 1 complete, 2 skipped unknown */
	size_t cap, nr;
};

static size_t oid_hash(const unsigned char *k)
{
	size_t h;
	memcpy(&h, k, sizeof(h)); /* object ids are uniformly distributed */
	return h;
}

static void oid_set_add(struct oid_set *s, const unsigned char *k, unsigned char flag);

static void oid_set_grow(struct oid_set *s)
{
	struct oid_set old = *s;
	s->cap = old.cap ? old.cap * 2 : 1024;
	s->keys = xcalloc(s->cap, GIT_OID_RAWSZ);
	s->flags = xcalloc(s->cap, 1);
	s->nr = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.flags[i])
			oid_set_add(s, old.keys[i], old.flags[i]);
	free(old.keys);
	free(old.flags);
}

static void oid_set_add(struct oid_set *s, const unsigned char *k, unsigned char flag)
{
	size_t i;
	if ((s->nr + 1) * 2 > s->cap)
		oid_set_grow(s);
	for (i = oid_hash(k) & (s->cap - 1); s->flags[i]; i = (i + 1) & (s->cap - 1))
		if (!memcmp(s->keys[i], k, GIT_OID_RAWSZ)) {
			s->flags[i] = flag;
			return;
		}
	memcpy(s->keys[i], k, GIT_OID_RAWSZ);
	s->flags[i] = flag;
	s->nr++;
}

static unsigned char oid_set_get(const struct oid_set *s, const unsigned char *k)
{
	if (!s->cap)
		return 0;
	for (size_t i = oid_hash(k) & (s->cap - 1); s->flags[i]; i = (i + 1) & (s->cap - 1))
		if (!memcmp(s->keys[i], k, GIT_OID_RAWSZ))
			return s->flags[i];
	return 0;
}

static void oid_set_free(struct oid_set *s)
{
	free(s->keys);
	free(s->flags);
	memset(s, 0, sizeof(*s));
}

#define MARK_COMPLETE 1
#define MARK_SKIPPED_UNKNOWN 2

static int load_processed(struct store *s, const char *variant, struct oid_set *set)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT commit_id, skipped_unknown FROM processed WHERE variant = ?1");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(st, 0);
		git_oid oid;
		if (!hex || strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex) < 0)
			continue;
		oid_set_add(set, oid.id,
			    sqlite3_column_int(st, 1) ? MARK_SKIPPED_UNKNOWN : MARK_COMPLETE);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read processed commits");
	return 0;
}

/* Walks of at most this many commits look their marks up one by one. */
#define PROCESSED_LOOKUP_MAX 256

/* The marks of just these commits (point queries on the primary key). */
static int lookup_processed(struct store *s, const char *variant, const git_oid *ids, size_t nr,
			    struct oid_set *set)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT skipped_unknown FROM processed "
					    "WHERE commit_id = ?1 AND variant = ?2");
	char hex[GIT_OID_HEXSZ + 1];
	int rc = SQLITE_DONE;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 2, variant, -1, SQLITE_STATIC);
	for (size_t i = 0; i < nr; i++) {
		git_oid_tostr(hex, sizeof(hex), &ids[i]);
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			oid_set_add(set, ids[i].id,
				    sqlite3_column_int(st, 0) ? MARK_SKIPPED_UNKNOWN
							      : MARK_COMPLETE);
			rc = SQLITE_DONE;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot read processed commits");
	return 0;
}

/* ---------------------------------------------------------------- */
/* Options                                                          */

int extract_resolve_options(git_repository *repo, struct extract_options *o,
			    struct strbuf *variant)
{
	if (o->context_lines < 0) {
		long long c = config_get_int(repo, "patterns.contextLines", 3);
		if (c < 0 || c > 10000)
			return err_set("bad config value %lld for 'patterns.contextLines'", c);
		o->context_lines = (int)c;
	}
	if (o->max_file_size < 0) {
		o->max_file_size = config_get_int(repo, "patterns.maxFileSize", 1 << 20);
		if (o->max_file_size <= 0)
			return err_set("bad config value %lld for 'patterns.maxFileSize'",
				       o->max_file_size);
	}
	if (o->jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o->jobs = n > 0 ? (int)(n > 64 ? 64 : n) : 1;
	}
	if (variant)
		pattern_variant(variant, o->whole_file, o->context_lines, o->max_file_size);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The history walk                                                 */

/*
 * What the walk starts from and stops at, as text ("+<id>" / "-<id>"
 * lines): with the options, it identifies the range, so that a re-run over
 * a range already extracted can be answered without walking it.
 */
static int walk_add(git_revwalk *walk, const git_oid *id, int hide, const char *rev,
		    struct strbuf *fp)
{
	char hex[GIT_OID_HEXSZ + 1];
	if ((hide ? git_revwalk_hide(walk, id) : git_revwalk_push(walk, id)) < 0)
		return git_error_set_from(rev);
	git_oid_tostr(hex, sizeof(hex), id);
	strbuf_addf(fp, "%c%s\n", hide ? '-' : '+', hex);
	return 0;
}

static int push_commitish(git_revwalk *walk, const git_object *obj, int hide, const char *rev,
			  struct strbuf *fp)
{
	git_object *peeled = NULL;
	int rc;
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
		return err_set("revision '%s' is not a commit", rev);
	rc = walk_add(walk, git_object_id(peeled), hide, rev, fp);
	git_object_free(peeled);
	return rc;
}

static int resolve_single(git_object **out, git_repository *repo, const char *rev)
{
	if (git_revparse_single(out, repo, rev) < 0)
		return err_set("unknown revision '%s'", rev);
	return 0;
}

static int push_rev(git_revwalk *walk, git_repository *repo, const char *rev, struct strbuf *fp)
{
	git_revspec spec;
	size_t len = strlen(rev);
	int rc = 0;

	if (rev[0] == '^') {
		git_object *obj;
		if (resolve_single(&obj, repo, rev + 1) < 0)
			return -1;
		rc = push_commitish(walk, obj, 1, rev, fp);
		git_object_free(obj);
		return rc;
	}
	if (len > 2 && !strcmp(rev + len - 2, "^!")) {
		/* that commit alone: it, minus its parents */
		char *base = xstrndup(rev, len - 2);
		git_object *obj = NULL, *c = NULL;
		rc = resolve_single(&obj, repo, base);
		if (!rc && git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0)
			rc = err_set("revision '%s' is not a commit", base);
		if (!rc)
			rc = walk_add(walk, git_object_id(c), 0, rev, fp);
		for (unsigned i = 0; !rc && i < git_commit_parentcount((git_commit *)c); i++)
			rc = walk_add(walk, git_commit_parent_id((git_commit *)c, i), 1, rev, fp);
		git_object_free(c);
		git_object_free(obj);
		free(base);
		return rc;
	}
	if (git_revparse(&spec, repo, rev) < 0)
		return err_set("unknown revision '%s'", rev);
	if (spec.flags & GIT_REVSPEC_SINGLE) {
		rc = push_commitish(walk, spec.from, 0, rev, fp);
	} else if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		/* A...B: both sides, minus what they share */
		git_object *a = NULL, *b = NULL;
		git_oidarray bases = { NULL, 0 };
		rc = push_commitish(walk, spec.from, 0, rev, fp);
		if (!rc)
			rc = push_commitish(walk, spec.to, 0, rev, fp);
		if (!rc && git_object_peel(&a, spec.from, GIT_OBJECT_COMMIT) == 0 &&
		    git_object_peel(&b, spec.to, GIT_OBJECT_COMMIT) == 0 &&
		    git_merge_bases(&bases, repo, git_object_id(a), git_object_id(b)) == 0) {
			for (size_t i = 0; !rc && i < bases.count; i++)
				rc = walk_add(walk, &bases.ids[i], 1, rev, fp);
			git_oidarray_dispose(&bases);
		}
		git_object_free(a);
		git_object_free(b);
	} else {
		rc = push_commitish(walk, spec.to, 0, rev, fp);
		if (!rc)
			rc = push_commitish(walk, spec.from, 1, rev, fp);
	}
	git_object_free(spec.from);
	git_object_free(spec.to);
	return rc;
}

/* --all: every ref under refs/ that leads to a commit, and HEAD. */
static int push_all_refs(git_revwalk *walk, git_repository *repo, struct strbuf *fp)
{
	git_reference_iterator *it;
	git_reference *ref;
	int rc = 0, next;

	if (git_reference_iterator_glob_new(&it, repo, "refs/*") < 0)
		return git_error_set_from("cannot list refs");
	while (!rc && (next = git_reference_next(&ref, it)) == 0) {
		git_object *obj = NULL, *c = NULL;
		if (git_reference_peel(&obj, ref, GIT_OBJECT_ANY) == 0 &&
		    git_object_peel(&c, obj, GIT_OBJECT_COMMIT) == 0)
			rc = walk_add(walk, git_object_id(c), 0, git_reference_name(ref), fp);
		git_error_clear();
		git_object_free(c);
		git_object_free(obj);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (!rc && git_repository_head_unborn(repo) != 1) {
		git_oid head;
		if (git_reference_name_to_id(&head, repo, "HEAD") == 0)
			rc = walk_add(walk, &head, 0, "HEAD", fp);
	}
	return rc;
}

static int setup_walk(git_revwalk **out, git_repository *repo, const struct extract_options *o,
		      struct strbuf *fp)
{
	git_revwalk *walk;
	int rc = 0;

	if (git_revwalk_new(&walk, repo) < 0)
		return git_error_set_from("cannot walk the history");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (o->all)
		rc = push_all_refs(walk, repo, fp);
	for (size_t i = 0; !rc && i < o->nr_revs; i++)
		rc = push_rev(walk, repo, o->revs[i], fp);
	if (!rc && !o->all && !o->nr_revs) {
		git_oid head;
		if (git_repository_head_unborn(repo) == 1)
			rc = err_set("your current branch does not have any commits yet");
		else if (git_reference_name_to_id(&head, repo, "HEAD") < 0)
			rc = git_error_set_from("cannot resolve HEAD");
		else
			rc = walk_add(walk, &head, 0, "HEAD", fp);
	}
	if (rc) {
		git_revwalk_free(walk);
		return -1;
	}
	*out = walk;
	return 0;
}

/*
 * The range fingerprint: sha256 of what the walk starts from and stops at
 * and of every option that changes which commits are selected or how. The
 * meta table keeps, per variant, the fingerprint of the last range fully
 * extracted with the count of processed marks at that time; a re-run with
 * the same fingerprint and count has nothing to do and skips the walk
 * (which alone costs ~100 ms on 10,000 commits). Any change to the refs,
 * the options, or the processed marks (another run, a deletion) misses.
 */
static void range_fingerprint(char out[65], const struct strbuf *fp,
			      const struct extract_options *o, const char *variant)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s\nunknown=%d merges=%d since=%lld\n", variant, o->include_unknown,
		    o->include_merges, o->since);
	strbuf_add(&sb, fp->buf, fp->len);
	sha256_hex(sb.buf, sb.len, out);
	strbuf_release(&sb);
}

static char *range_meta_key(const char *variant)
{
	return xstrfmt("extract.range.%s", variant);
}

static int processed_count(struct store *s, const char *variant, long long *out)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM processed WHERE variant = ?1");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, variant, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, "cannot count processed commits");
}

/* 1 if the range was fully extracted before (st filled), 0 if not, -1 on error. */
static int range_already_done(struct store *s, const char *variant, const char *fingerprint,
			      struct extract_stats *st)
{
	char *key = range_meta_key(variant), *val = store_meta_get(s, key);
	char want[65];
	long long count, now_count;
	size_t selected;
	int ret = 0;

	free(key);
	if (!val)
		return 0;
	if (sscanf(val, "%64s %lld %zu", want, &count, &selected) == 3 &&
	    !strcmp(want, fingerprint)) {
		if (processed_count(s, variant, &now_count) < 0)
			ret = -1;
		else if (now_count == count) {
			st->selected = st->already = selected;
			ret = 1;
		}
	}
	free(val);
	return ret;
}

static int range_record_done(struct store *s, const char *variant, const char *fingerprint,
			     size_t selected)
{
	char *key = range_meta_key(variant), *val;
	long long count;
	int ret;
	if (processed_count(s, variant, &count) < 0) {
		free(key);
		return -1;
	}
	val = xstrfmt("%s %lld %zu", fingerprint, count, selected);
	ret = store_meta_set(s, key, val);
	free(key);
	free(val);
	return ret;
}

/* ---------------------------------------------------------------- */
/* Diffing one commit (worker side)                                 */

/*
 * One changed file of a commit, as a tree diff gives it. status is 'A',
 * 'D', 'M' or 'R' (rename, old_path set).
 */
struct change {
	char status;
	uint16_t old_mode, new_mode;
	git_oid old_id, new_id;
	char *path;	/* new path (old path for a deletion) */
	char *old_path; /* renames only */
};

struct change_list {
	struct change *items;
	size_t nr, alloc;
	size_t added, deleted;
};

static void change_list_clear(struct change_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].path);
		free(l->items[i].old_path);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void change_add(struct change_list *l, char status, const git_tree_entry *old,
		       const git_tree_entry *new, const char *path)
{
	struct change *c;
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	c = &l->items[l->nr++];
	memset(c, 0, sizeof(*c));
	c->status = status;
	if (old) {
		c->old_mode = (uint16_t)git_tree_entry_filemode(old);
		c->old_id = *git_tree_entry_id(old);
	}
	if (new) {
		c->new_mode = (uint16_t)git_tree_entry_filemode(new);
		c->new_id = *git_tree_entry_id(new);
	}
	c->path = xstrdup(path);
	if (status == 'A')
		l->added++;
	else if (status == 'D')
		l->deleted++;
}

struct file_pattern {
	char *path;
	char *old_path; /* renames only */
	const char *language;
	struct strbuf before, after;
	char pattern_id[17];
	char solution_hash[65];
	double confidence;
};

struct commit_result {
	git_oid oid;
	int failed;
	char *errmsg;
	int skipped_unknown;
	const char *problem_type;
	int bug_keyword, feature_keyword;
	char *subject, *body, *author, *author_name;
	char date[32];
	long long commit_time;
	struct file_pattern *files;
	size_t nr, alloc;
	size_t bytes;
	size_t files_skipped;
	struct commit_result *next;
};

static void result_free(struct commit_result *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->files[i].path);
		free(r->files[i].old_path);
		strbuf_release(&r->files[i].before);
		strbuf_release(&r->files[i].after);
	}
	free(r->files);
	free(r->errmsg);
	free(r->subject);
	free(r->body);
	free(r->author);
	free(r->author_name);
	free(r);
}

static const char *const lock_files[] = {
	"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
	"bun.lockb", "Cargo.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "uv.lock",
	"composer.lock", "Gemfile.lock", "go.sum", "mix.lock", "pubspec.lock",
	"Podfile.lock", "packages.lock.json", "flake.lock", "gradle.lockfile",
	"Package.resolved", "conan.lock", "shard.lock", "deno.lock",
};

static int is_lock_file(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < ARRAY_SIZE(lock_files); i++)
		if (!strcmp(base, lock_files[i]))
			return 1;
	return 0;
}

/*
 * Per-worker cache of the attribute verdict per path: the attributes come
 * from the work tree (or HEAD in a bare repository) and do not change
 * during a run, while the same paths come back commit after commit.
 */
struct attr_cache {
	char **keys;
	unsigned char *vals; /* 0 empty, 1 keep, 2 excluded */
	size_t cap, nr;
};

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The slot of path: NULL if absent and !create; else created (value 0). */
static unsigned char *attr_cache_slot(struct attr_cache *c, const char *path, int create)
{
	size_t i;
	if (create && (c->nr + 1) * 2 > c->cap) {
		struct attr_cache old = *c;
		c->cap = old.cap ? old.cap * 2 : 256;
		c->keys = xcalloc(c->cap, sizeof(*c->keys));
		c->vals = xcalloc(c->cap, 1);
		for (size_t j = 0; j < old.cap; j++) {
			if (!old.vals[j])
				continue;
			for (i = str_hash(old.keys[j]) & (c->cap - 1); c->vals[i];
			     i = (i + 1) & (c->cap - 1))
				;
			c->keys[i] = old.keys[j];
			c->vals[i] = old.vals[j];
		}
		free(old.keys);
		free(old.vals);
	}
	if (!c->cap)
		return NULL;
	for (i = str_hash(path) & (c->cap - 1); c->vals[i]; i = (i + 1) & (c->cap - 1))
		if (!strcmp(c->keys[i], path))
			return &c->vals[i];
	if (!create)
		return NULL;
	c->keys[i] = xstrdup(path);
	c->nr++;
	return &c->vals[i];
}

static void attr_cache_free(struct attr_cache *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->vals);
}

/*
 * Per-worker cache of recently read blobs. A worker takes consecutive
 * commits of the walk, and a commit's old blob is usually its parent's
 * new one: the cache saves about half of the reads.
 */
#define BLOB_CACHE_SIZE 64

struct blob_cache {
	git_oid ids[BLOB_CACHE_SIZE];
	git_odb_object *objs[BLOB_CACHE_SIZE];
	size_t next;
};

static git_odb_object *blob_cache_get(struct blob_cache *c, const git_oid *id)
{
	for (size_t i = 0; i < BLOB_CACHE_SIZE; i++)
		if (c->objs[i] && git_oid_equal(&c->ids[i], id)) {
			git_odb_object *o;
			git_odb_object_dup(&o, c->objs[i]);
			return o;
		}
	return NULL;
}

static void blob_cache_put(struct blob_cache *c, const git_oid *id, git_odb_object *obj)
{
	size_t i = c->next++ % BLOB_CACHE_SIZE;
	git_odb_object_free(c->objs[i]);
	c->ids[i] = *id;
	git_odb_object_dup(&c->objs[i], obj);
}

static void blob_cache_clear(struct blob_cache *c)
{
	for (size_t i = 0; i < BLOB_CACHE_SIZE; i++)
		git_odb_object_free(c->objs[i]);
	memset(c, 0, sizeof(*c));
}

struct worker_ctx {
	git_repository *repo;
	git_odb *odb;
	struct blob_cache blobs;
	const struct extract_options *o;
	uint32_t attr_flags;
	struct attr_cache attrs;
	size_t chunk_next, chunk_end; /* the todo indices this worker holds */
};

/* 1 if .gitattributes says to leave path out (-diff, linguist-generated/vendored). */
static int attr_excluded(struct worker_ctx *w, const char *path)
{
	static const char *names[] = { "diff", "linguist-generated", "linguist-vendored" };
	const char *values[3] = { NULL, NULL, NULL };
	unsigned char *slot = attr_cache_slot(&w->attrs, path, 0);
	int excluded = 0;

	if (slot)
		return *slot == 2;
	if (git_attr_get_many(values, w->repo, w->attr_flags, path, 3, names) < 0) {
		git_error_clear();
	} else if (GIT_ATTR_IS_FALSE(values[0])) {
		excluded = 1;
	} else {
		for (int i = 1; i < 3; i++)
			if (GIT_ATTR_IS_TRUE(values[i]) ||
			    (git_attr_value(values[i]) == GIT_ATTR_VALUE_STRING &&
			     parse_bool(values[i]) == 1))
				excluded = 1;
	}
	*attr_cache_slot(&w->attrs, path, 1) = excluded ? 2 : 1;
	return excluded;
}

static int mode_skipped(uint16_t mode)
{
	return mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT;
}

/* git's order of tree entries: a folder sorts as if its name ended in '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), len = la < lb ? la : lb;
	int cmp = memcmp(na, nb, len), ca, cb;
	if (cmp)
		return cmp;
	ca = la > len ? (unsigned char)na[len]
		      : git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : 0;
	cb = lb > len ? (unsigned char)nb[len]
		      : git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : 0;
	return ca - cb;
}

static int tree_changes(struct worker_ctx *w, const git_tree *old, const git_tree *new,
			struct strbuf *prefix, struct change_list *out);

/* Every file under a subtree as added or deleted. */
static int subtree_changes(struct worker_ctx *w, const git_tree_entry *e, int added,
			   struct strbuf *prefix, struct change_list *out)
{
	git_tree *t;
	int rc;
	if (git_tree_lookup(&t, w->repo, git_tree_entry_id(e)) < 0)
		return git_error_set_from("cannot read tree");
	rc = added ? tree_changes(w, NULL, t, prefix, out) : tree_changes(w, t, NULL, prefix, out);
	git_tree_free(t);
	return rc;
}

static int entry_changes(struct worker_ctx *w, const git_tree_entry *old,
			 const git_tree_entry *new, struct strbuf *prefix, struct change_list *out)
{
	const git_tree_entry *e = old ? old : new;
	size_t len = prefix->len;
	int rc = 0;

	strbuf_addstr(prefix, git_tree_entry_name(e));
	if (old && new) {
		if (git_tree_entry_type(old) == GIT_OBJECT_TREE) {
			git_tree *a = NULL, *b = NULL;
			strbuf_addch(prefix, '/');
			if (git_tree_lookup(&a, w->repo, git_tree_entry_id(old)) < 0 ||
			    git_tree_lookup(&b, w->repo, git_tree_entry_id(new)) < 0)
				rc = git_error_set_from("cannot read tree");
			else
				rc = tree_changes(w, a, b, prefix, out);
			git_tree_free(a);
			git_tree_free(b);
		} else {
			change_add(out, 'M', old, new, prefix->buf);
		}
	} else if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		strbuf_addch(prefix, '/');
		rc = subtree_changes(w, e, new != NULL, prefix, out);
	} else {
		change_add(out, new ? 'A' : 'D', old, new, prefix->buf);
	}
	strbuf_setlen(prefix, len);
	return rc;
}

/*
 * The files that differ between two trees (either may be NULL: empty),
 * walking both in git's order and skipping identical subtrees by id, as
 * git's own tree diff does.
 */
static int tree_changes(struct worker_ctx *w, const git_tree *old, const git_tree *new,
			struct strbuf *prefix, struct change_list *out)
{
	size_t no = old ? git_tree_entrycount(old) : 0, nn = new ? git_tree_entrycount(new) : 0;
	size_t i = 0, j = 0;

	while (i < no || j < nn) {
		const git_tree_entry *a = i < no ? git_tree_entry_byindex(old, i) : NULL;
		const git_tree_entry *b = j < nn ? git_tree_entry_byindex(new, j) : NULL;
		int cmp = !a ? 1 : !b ? -1 : entry_cmp(a, b);
		int rc;

		if (cmp < 0) {
			rc = entry_changes(w, a, NULL, prefix, out);
			i++;
		} else if (cmp > 0) {
			rc = entry_changes(w, NULL, b, prefix, out);
			j++;
		} else {
			rc = 0;
			if (!git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) ||
			    git_tree_entry_filemode(a) != git_tree_entry_filemode(b))
				rc = entry_changes(w, a, b, prefix, out);
			i++;
			j++;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * A commit that both adds and deletes files may hold renames: let
 * libgit2 pair them as git does (50% similarity), and take its list.
 */
static int renamed_changes(struct worker_ctx *w, git_tree *old, git_tree *new,
			   struct change_list *out)
{
	git_diff *diff = NULL;
	git_diff_options dopts;
	git_diff_find_options fopts;
	char **paths = xcalloc(out->nr ? out->nr : 1, sizeof(*paths));
	size_t n;
	int rc;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	/*
	 * Only the paths known to differ: libgit2 then reads only the
	 * subtrees leading to them, not every tree of both sides.
	 */
	for (size_t i = 0; i < out->nr; i++)
		paths[i] = out->items[i].path;
	dopts.pathspec.strings = paths;
	dopts.pathspec.count = out->nr;
	dopts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	rc = git_diff_tree_to_tree(&diff, w->repo, old, new, &dopts);
	free(paths);
	if (rc < 0)
		return git_error_set_from("cannot diff");
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	fopts.rename_threshold = 50;
	fopts.rename_limit = 1000;
	if (git_diff_find_similar(diff, &fopts) < 0) {
		git_diff_free(diff);
		return git_error_set_from("cannot detect renames");
	}
	change_list_clear(out);
	n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		struct change *c;
		ALLOC_GROW(out->items, out->nr + 1, out->alloc);
		c = &out->items[out->nr++];
		memset(c, 0, sizeof(*c));
		switch (d->status) {
		case GIT_DELTA_ADDED: c->status = 'A'; break;
		case GIT_DELTA_DELETED: c->status = 'D'; break;
		case GIT_DELTA_RENAMED:
		case GIT_DELTA_COPIED:
			c->status = 'R';
			c->old_path = xstrdup(d->old_file.path);
			break;
		default: c->status = 'M'; break;
		}
		c->old_mode = d->old_file.mode;
		c->new_mode = d->new_file.mode;
		c->old_id = d->old_file.id;
		c->new_id = d->new_file.id;
		c->path = xstrdup(c->status == 'D' ? d->old_file.path : d->new_file.path);
	}
	git_diff_free(diff);
	return 0;
}

/* Content of one side: absent (zero id) gives ""; *skip set if too big or binary. */
static int load_side(struct worker_ctx *w, const git_oid *id, git_odb_object **obj,
		     int *skip)
{
	size_t size;
	git_object_t type;
	const char *data;

	*obj = NULL;
	if (git_oid_is_zero(id))
		return 0;
	*obj = blob_cache_get(&w->blobs, id);
	if (!*obj) {
		/* the size first: a huge blob is never read into memory */
		if (git_odb_read_header(&size, &type, w->odb, id) < 0)
			return git_error_set_from("cannot read blob");
		if ((long long)size > w->o->max_file_size) {
			*skip = 1;
			return 0;
		}
		if (git_odb_read(obj, w->odb, id) < 0)
			return git_error_set_from("cannot read blob");
		blob_cache_put(&w->blobs, id, *obj);
	}
	/* libgit2's binary detection (a NUL or mostly control bytes early on) */
	size = git_odb_object_size(*obj);
	data = git_odb_object_data(*obj);
	if (git_blob_data_is_binary(data, size))
		*skip = 1;
	return 0;
}

struct hunk_sides {
	struct strbuf *before, *after;
};

static int line_cb(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *line,
		   void *payload)
{
	struct hunk_sides *s = payload;
	switch (line->origin) {
	case GIT_DIFF_LINE_CONTEXT:
		strbuf_add(s->before, line->content, line->content_len);
		strbuf_add(s->after, line->content, line->content_len);
		break;
	case GIT_DIFF_LINE_DELETION:
		strbuf_add(s->before, line->content, line->content_len);
		break;
	case GIT_DIFF_LINE_ADDITION:
		strbuf_add(s->after, line->content, line->content_len);
		break;
	default: /* "\ No newline at end of file" markers */
		break;
	}
	return 0;
}

static int file_pattern_for_change(struct worker_ctx *w, const struct change *c,
				   const char *commit_hex, struct commit_result *r)
{
	git_odb_object *oldo = NULL, *newo = NULL;
	struct file_pattern fp;
	int skip = 0, ret = -1;

	if (mode_skipped(c->old_mode) || mode_skipped(c->new_mode) || is_lock_file(c->path) ||
	    attr_excluded(w, c->path)) {
		r->files_skipped++;
		return 0;
	}
	/* a pure rename or mode change has no code to learn from */
	if (git_oid_equal(&c->old_id, &c->new_id))
		return 0;
	if (load_side(w, &c->old_id, &oldo, &skip) < 0 ||
	    (!skip && load_side(w, &c->new_id, &newo, &skip) < 0))
		goto out;
	if (skip) {
		r->files_skipped++;
		ret = 0;
		goto out;
	}

	memset(&fp, 0, sizeof(fp));
	strbuf_init(&fp.before, 0);
	strbuf_init(&fp.after, 0);
	if (w->o->whole_file) {
		if (oldo)
			strbuf_add(&fp.before, git_odb_object_data(oldo), git_odb_object_size(oldo));
		if (newo)
			strbuf_add(&fp.after, git_odb_object_data(newo), git_odb_object_size(newo));
	} else {
		git_diff_options dopts;
		struct hunk_sides sides = { &fp.before, &fp.after };
		git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
		dopts.context_lines = (uint32_t)w->o->context_lines;
		dopts.interhunk_lines = 0;
		dopts.flags = GIT_DIFF_FORCE_TEXT;
		if (git_diff_buffers(oldo ? git_odb_object_data(oldo) : NULL,
				     oldo ? git_odb_object_size(oldo) : 0, NULL,
				     newo ? git_odb_object_data(newo) : NULL,
				     newo ? git_odb_object_size(newo) : 0, NULL, &dopts, NULL,
				     NULL, NULL, line_cb, &sides) < 0) {
			git_error_set_from("cannot diff");
			strbuf_release(&fp.before);
			strbuf_release(&fp.after);
			goto out;
		}
	}
	if (!fp.before.len && !fp.after.len) {
		strbuf_release(&fp.before);
		strbuf_release(&fp.after);
		ret = 0;
		goto out;
	}
	fp.path = xstrdup(c->path);
	if (c->old_path)
		fp.old_path = xstrdup(c->old_path);
	fp.language = language_from_path(c->path);
	if (!*fp.language) {
		git_odb_object *side = newo ? newo : oldo;
		fp.language = language_detect(c->path, git_odb_object_data(side),
					      git_odb_object_size(side));
	}
	pattern_make_id(fp.pattern_id, commit_hex, fp.path);
	pattern_solution_hash(fp.solution_hash, fp.before.buf, fp.before.len, fp.after.buf,
			      fp.after.len);
	fp.confidence = pattern_confidence(r->bug_keyword, r->feature_keyword,
					   utf8_length(fp.before.buf, fp.before.len),
					   utf8_length(fp.after.buf, fp.after.len));
	ALLOC_GROW(r->files, r->nr + 1, r->alloc);
	r->files[r->nr++] = fp;
	r->bytes += fp.before.len + fp.after.len + 256;
	ret = 0;
out:
	git_odb_object_free(oldo);
	git_odb_object_free(newo);
	return ret;
}

static void format_author_date(char out[32], const git_time *when)
{
	time_t t = (time_t)(when->time + (git_time_t)when->offset * 60);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm))
		out[0] = '\0';
}

static int process_commit(struct worker_ctx *w, const git_oid *oid, struct commit_result *r)
{
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	struct change_list changes = { NULL, 0, 0, 0, 0 };
	struct strbuf prefix = STRBUF_INIT;
	struct classification cl;
	const char **paths = NULL;
	const git_signature *author;
	char hex[GIT_OID_HEXSZ + 1];
	int ret = -1;

	r->oid = *oid;
	git_oid_tostr(hex, sizeof(hex), oid);
	if (git_commit_lookup(&commit, w->repo, oid) < 0) {
		git_error_set_from("cannot read commit");
		goto out;
	}
	r->subject = xstrdup(git_commit_summary(commit) ? git_commit_summary(commit) : "");
	r->body = xstrdup(git_commit_body(commit) ? git_commit_body(commit) : "");
	author = git_commit_author(commit);
	r->author = xstrdup(author->email ? author->email : "");
	r->author_name = xstrdup(author->name ? author->name : "");
	format_author_date(r->date, &author->when);
	r->commit_time = (long long)git_commit_time(commit);

	if (git_commit_tree(&tree, commit) < 0) {
		git_error_set_from("cannot read tree");
		goto out;
	}
	if (git_commit_parentcount(commit) > 0) {
		if (git_commit_parent(&parent, commit, 0) < 0 ||
		    git_commit_tree(&ptree, parent) < 0) {
			git_error_set_from("cannot read parent");
			goto out;
		}
	}
	if (tree_changes(w, ptree, tree, &prefix, &changes) < 0)
		goto out;
	if (changes.added && changes.deleted && renamed_changes(w, ptree, tree, &changes) < 0)
		goto out;

	paths = xcalloc(changes.nr ? changes.nr : 1, sizeof(*paths));
	for (size_t i = 0; i < changes.nr; i++)
		paths[i] = changes.items[i].path;
	classify_subject(r->subject, paths, changes.nr, &cl);
	r->problem_type = cl.problem_type;
	r->bug_keyword = cl.bug_keyword;
	r->feature_keyword = cl.feature_keyword;
	if (!strcmp(cl.problem_type, PT_UNKNOWN) && !w->o->include_unknown) {
		r->skipped_unknown = 1;
		ret = 0;
		goto out;
	}
	for (size_t i = 0; i < changes.nr; i++)
		if (file_pattern_for_change(w, &changes.items[i], hex, r) < 0)
			goto out;
	ret = 0;
out:
	free(paths);
	change_list_clear(&changes);
	strbuf_release(&prefix);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_commit_free(commit);
	if (ret < 0) {
		r->failed = 1;
		r->errmsg = xstrfmt("commit %s: %s", hex, err_msg());
	}
	r->bytes += 512;
	return ret;
}

/* ---------------------------------------------------------------- */
/* Workers and the queue between them and the writer                */

struct engine {
	pthread_mutex_t lock;
	pthread_cond_t have_result, have_room;
	const git_oid *todo;
	size_t nr_todo, next_todo;
	struct commit_result *head, *tail;
	size_t queued_bytes;
	int workers_running;
	int stop;
	const char *gitdir, *workdir;
	int bare;
	const struct extract_options *o;
	int open_failed;
	char *open_error;
};

static void *worker_main(void *data)
{
	struct engine *e = data;
	struct worker_ctx w;

	memset(&w, 0, sizeof(w));
	w.o = e->o;
	pthread_setname_np(pthread_self(), "patterns-diff");

	if (git_repository_open_ext(&w.repo, e->gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) <
		    0 ||
	    (e->workdir && git_repository_set_workdir(w.repo, e->workdir, 0) < 0) ||
	    git_repository_odb(&w.odb, w.repo) < 0) {
		git_error_set_from("cannot open repository");
		pthread_mutex_lock(&e->lock);
		if (!e->open_failed) {
			e->open_failed = 1;
			e->open_error = xstrdup(err_msg());
		}
		e->stop = 1;
		goto done;
	}
	w.attr_flags = e->bare ? GIT_ATTR_CHECK_INCLUDE_HEAD | GIT_ATTR_CHECK_INDEX_ONLY
			       : GIT_ATTR_CHECK_FILE_THEN_INDEX;
	for (;;) {
		struct commit_result *r;
		size_t i;

		pthread_mutex_lock(&e->lock);
		if (e->stop || (w.chunk_next == w.chunk_end && e->next_todo >= e->nr_todo))
			break;
		if (w.chunk_next == w.chunk_end) {
			/* a run of consecutive commits, for the blob cache */
			w.chunk_next = e->next_todo;
			w.chunk_end = w.chunk_next + WORK_CHUNK;
			if (w.chunk_end > e->nr_todo)
				w.chunk_end = e->nr_todo;
			e->next_todo = w.chunk_end;
		}
		i = w.chunk_next++;
		pthread_mutex_unlock(&e->lock);

		r = xcalloc(1, sizeof(*r));
		process_commit(&w, &e->todo[i], r);

		pthread_mutex_lock(&e->lock);
		while (!e->stop && e->head && e->queued_bytes + r->bytes > QUEUE_MAX_BYTES)
			pthread_cond_wait(&e->have_room, &e->lock);
		if (e->tail)
			e->tail->next = r;
		else
			e->head = r;
		e->tail = r;
		e->queued_bytes += r->bytes;
		pthread_cond_signal(&e->have_result);
		pthread_mutex_unlock(&e->lock);
	}
done:
	e->workers_running--;
	pthread_cond_broadcast(&e->have_result);
	pthread_mutex_unlock(&e->lock);
	attr_cache_free(&w.attrs);
	blob_cache_clear(&w.blobs);
	git_odb_free(w.odb);
	git_repository_free(w.repo);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* The writer                                                       */

/*
 * The writer stages a batch's patterns in a temporary table and moves them
 * into patterns with one INSERT ... SELECT at the end of the batch: one
 * statement per batch instead of one per pattern lets FTS5 keep its
 * pending terms in memory until the commit, where a statement per row
 * would flush a tiny index segment (and merge it) for every pattern.
 */
struct writer {
	struct store *s;
	const char *variant;
	sqlite3_stmt *ins_stage, *move_stage, *clear_stage, *ins_processed;
	int in_txn;
	size_t batch, staged, staged_bytes;
	double batch_start;
	long long now;
};

static int writer_prepare(struct writer *wr)
{
	/*
	 * Statement journals and the stage in memory, not in temporary files
	 * written page by page; a larger page cache for the indexes.
	 */
	if (store_exec(wr->s, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;"
			      "CREATE TEMP TABLE IF NOT EXISTS extract_stage ("
			      " pattern_id TEXT, variant TEXT, commit_id TEXT, file_path TEXT,"
			      " old_path TEXT, problem_type TEXT, before_code TEXT,"
			      " after_code TEXT, commit_msg TEXT, commit_body TEXT, author TEXT,"
			      " author_name TEXT, date TEXT, commit_time INTEGER,"
			      " confidence REAL, language TEXT, solution_hash TEXT);"
			      "DELETE FROM temp.extract_stage;") < 0)
		return -1;
	wr->ins_stage = store_prepare(
		wr->s, "INSERT INTO temp.extract_stage VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		       " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
	wr->move_stage = store_prepare(
		wr->s,
		"INSERT INTO patterns(pattern_id, variant, origin, commit_id, file_path, old_path,"
		" problem_type, before_code, after_code, commit_msg, commit_body, author,"
		" author_name, date, commit_time, confidence, language, solution_hash)"
		" SELECT pattern_id, variant, 'local', commit_id, file_path, old_path,"
		" problem_type, before_code, after_code, commit_msg, commit_body, author,"
		" author_name, date, commit_time, confidence, language, solution_hash"
		" FROM temp.extract_stage WHERE true ORDER BY rowid"
		" ON CONFLICT(pattern_id, variant, origin) DO UPDATE SET obsolete = 0");
	wr->clear_stage = store_prepare(wr->s, "DELETE FROM temp.extract_stage");
	wr->ins_processed = store_prepare(
		wr->s, "INSERT INTO processed(commit_id, variant, at, skipped_unknown)"
		       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(commit_id, variant) DO UPDATE"
		       " SET at = excluded.at, skipped_unknown = excluded.skipped_unknown");
	return wr->ins_stage && wr->move_stage && wr->clear_stage && wr->ins_processed ? 0 : -1;
}

static void writer_finalize(struct writer *wr)
{
	sqlite3_finalize(wr->ins_stage);
	sqlite3_finalize(wr->move_stage);
	sqlite3_finalize(wr->clear_stage);
	sqlite3_finalize(wr->ins_processed);
}

static int step_done(struct writer *wr, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : store_error(wr->s, what);
}

static int write_result(struct writer *wr, const struct commit_result *r, size_t *patterns)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), &r->oid);

	for (size_t i = 0; i < r->nr; i++) {
		const struct file_pattern *fp = &r->files[i];
		sqlite3_stmt *st = wr->ins_stage;

		sqlite3_bind_text(st, 1, fp->pattern_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, wr->variant, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, fp->path, -1, SQLITE_STATIC);
		if (fp->old_path)
			sqlite3_bind_text(st, 5, fp->old_path, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_text(st, 6, r->problem_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, fp->before.buf, (int)fp->before.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, fp->after.buf, (int)fp->after.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, r->subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, r->body, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, r->author, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, r->author_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 13, r->date, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 14, r->commit_time);
		sqlite3_bind_double(st, 15, fp->confidence);
		sqlite3_bind_text(st, 16, fp->language, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 17, fp->solution_hash, -1, SQLITE_STATIC);
		if (step_done(wr, st, "cannot store pattern") < 0)
			return -1;
		(*patterns)++;
		wr->staged++;
		wr->staged_bytes += fp->before.len + fp->after.len;
	}
	sqlite3_bind_text(wr->ins_processed, 1, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(wr->ins_processed, 2, wr->variant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(wr->ins_processed, 3, wr->now);
	sqlite3_bind_int(wr->ins_processed, 4, r->skipped_unknown);
	return step_done(wr, wr->ins_processed, "cannot mark commit processed");
}

static int writer_flush(struct writer *wr)
{
	if (!wr->in_txn)
		return 0;
	wr->in_txn = 0;
	wr->batch = 0;
	if (wr->staged) {
		wr->staged = wr->staged_bytes = 0;
		if (step_done(wr, wr->move_stage, "cannot store patterns") < 0 ||
		    step_done(wr, wr->clear_stage, "cannot store patterns") < 0) {
			store_rollback(wr->s);
			return -1;
		}
	}
	if (store_commit(wr->s) < 0) {
		store_rollback(wr->s);
		return -1;
	}
	return 0;
}

static int writer_add(struct writer *wr, const struct commit_result *r, struct extract_stats *st)
{
	if (!wr->in_txn) {
		if (store_begin(wr->s) < 0)
			return -1;
		wr->in_txn = 1;
		wr->batch_start = now_seconds();
	}
	if (write_result(wr, r, &st->patterns) < 0) {
		store_rollback(wr->s);
		wr->in_txn = 0;
		wr->staged = wr->staged_bytes = 0;
		return -1;
	}
	st->processed++;
	st->files_skipped += r->files_skipped;
	if (r->skipped_unknown)
		st->skipped_unknown++;
	if (++wr->batch >= BATCH_MAX_COMMITS || wr->staged_bytes > BATCH_MAX_BYTES ||
	    now_seconds() - wr->batch_start > BATCH_MAX_SECONDS)
		return writer_flush(wr);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The run                                                          */

static int run_workers(git_repository *repo, struct store *s, const struct extract_options *o,
		       const char *variant, const git_oid *todo, size_t nr_todo,
		       struct extract_stats *st)
{
	struct engine e;
	struct writer wr;
	pthread_t *threads;
	int nthreads = o->jobs > 0 ? o->jobs : 1, started = 0, ret = 0;
	char *errmsg = NULL;
	struct progress *progress;

	memset(&e, 0, sizeof(e));
	memset(&wr, 0, sizeof(wr));
	wr.s = s;
	wr.variant = variant;
	wr.now = (long long)time(NULL);
	if (writer_prepare(&wr) < 0) {
		writer_finalize(&wr);
		return -1;
	}
	if ((size_t)nthreads > nr_todo)
		nthreads = (int)nr_todo;
	pthread_mutex_init(&e.lock, NULL);
	pthread_cond_init(&e.have_result, NULL);
	pthread_cond_init(&e.have_room, NULL);
	e.todo = todo;
	e.nr_todo = nr_todo;
	e.gitdir = git_repository_path(repo);
	e.workdir = git_repository_workdir(repo);
	e.bare = git_repository_is_bare(repo);
	e.o = o;

	progress = progress_start("Extracting patterns", nr_todo, "commits", !o->progress);
	threads = xcalloc((size_t)nthreads, sizeof(*threads));
	pthread_mutex_lock(&e.lock);
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&threads[i], NULL, worker_main, &e))
			break;
		started++;
		e.workers_running++;
	}
	if (!started && nr_todo) {
		pthread_mutex_unlock(&e.lock);
		err_set("cannot start threads");
		ret = -1;
		goto out;
	}
	for (;;) {
		struct commit_result *list;
		while (!e.head && e.workers_running)
			pthread_cond_wait(&e.have_result, &e.lock);
		if (!e.head)
			break;
		list = e.head;
		e.head = e.tail = NULL;
		e.queued_bytes = 0;
		pthread_cond_broadcast(&e.have_room);
		pthread_mutex_unlock(&e.lock);
		while (list) {
			struct commit_result *next = list->next;
			if (!ret && list->failed) {
				errmsg = xstrdup(list->errmsg);
				ret = -1;
			} else if (!ret && writer_add(&wr, list, st) < 0) {
				errmsg = xstrdup(err_msg());
				ret = -1;
			}
			result_free(list);
			list = next;
		}
		progress_update(progress, st->processed);
		pthread_mutex_lock(&e.lock);
		if (ret) {
			e.stop = 1;
			pthread_cond_broadcast(&e.have_room);
		}
	}
	pthread_mutex_unlock(&e.lock);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (!ret && e.open_failed) {
		errmsg = xstrdup(e.open_error);
		ret = -1;
	}
	if (writer_flush(&wr) < 0 && !ret) {
		errmsg = xstrdup(err_msg());
		ret = -1;
	}
	if (ret && errmsg)
		err_set("%s", errmsg);
out:
	if (ret)
		store_rollback(s);
	progress_stop(progress);
	free(threads);
	free(errmsg);
	free(e.open_error);
	writer_finalize(&wr);
	pthread_mutex_destroy(&e.lock);
	pthread_cond_destroy(&e.have_result);
	pthread_cond_destroy(&e.have_room);
	return ret;
}

/*
 * Bound what libgit2 keeps in memory, whatever the size of the history:
 * its object cache (256 MiB by default) and the pack windows it maps
 * (which count in the resident size).
 */
static void limit_libgit2_memory(void)
{
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)(32 << 20));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)(32 << 20));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)(96 << 20));
}

int extract_run(git_repository *repo, struct store *s, const struct extract_options *opts,
		struct extract_stats *st)
{
	struct extract_options o = *opts;
	struct strbuf variant = STRBUF_INIT, fp = STRBUF_INIT;
	struct oid_set done = { NULL, NULL, 0, 0 };
	git_revwalk *walk = NULL;
	git_oid *todo = NULL, oid;
	size_t nr_todo = 0, alloc_todo = 0, ord = 0;
	char fingerprint[65];
	int ret = -1, rc, cbret;

	memset(st, 0, sizeof(*st));
	if (extract_resolve_options(repo, &o, &variant) < 0)
		goto out;
	limit_libgit2_memory();
	if (setup_walk(&walk, repo, &o, &fp) < 0)
		goto out;
	range_fingerprint(fingerprint, &fp, &o, variant.buf);
	if (!o.on_commit) {
		rc = range_already_done(s, variant.buf, fingerprint, st);
		if (rc) {
			ret = rc < 0 ? -1 : 0;
			goto out;
		}
	}
	while ((rc = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c;
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			git_error_set_from("cannot read commit");
			goto out;
		}
		if ((o.since && (long long)git_commit_time(c) < o.since) ||
		    (!o.include_merges && git_commit_parentcount(c) > 1)) {
			git_commit_free(c);
			continue;
		}
		git_commit_free(c);
		st->selected++;
		if (o.on_commit && (cbret = o.on_commit(&oid, ord, o.on_commit_data)) != 0) {
			ret = cbret;
			goto out;
		}
		ord++;
		ALLOC_GROW(todo, nr_todo + 1, alloc_todo);
		todo[nr_todo++] = oid;
	}
	if (rc != GIT_ITEROVER) {
		git_error_set_from("cannot walk the history");
		goto out;
	}
	git_revwalk_free(walk);
	walk = NULL;

	/*
	 * Leave out what earlier runs processed. A few commits (a hook's)
	 * are looked up one by one, so that a run costs the same in a store
	 * of any size; many are checked against the whole processed set.
	 */
	if (nr_todo <= PROCESSED_LOOKUP_MAX) {
		if (lookup_processed(s, variant.buf, todo, nr_todo, &done) < 0)
			goto out;
	} else if (load_processed(s, variant.buf, &done) < 0) {
		goto out;
	}
	{
		size_t keep = 0;
		for (size_t i = 0; i < nr_todo; i++) {
			unsigned char mark = oid_set_get(&done, todo[i].id);
			if (mark == MARK_COMPLETE ||
			    (mark == MARK_SKIPPED_UNKNOWN && !o.include_unknown))
				st->already++;
			else
				todo[keep++] = todo[i];
		}
		nr_todo = keep;
	}
	oid_set_free(&done);
	ret = nr_todo ? run_workers(repo, s, &o, variant.buf, todo, nr_todo, st) : 0;
	/* small ranges (a hook's one commit) are quick to walk: not worth a write */
	if (!ret && st->selected >= RANGE_RECORD_MIN)
		ret = range_record_done(s, variant.buf, fingerprint, st->selected);
out:
	git_revwalk_free(walk);
	oid_set_free(&done);
	free(todo);
	strbuf_release(&variant);
	strbuf_release(&fp);
	return ret;
}
