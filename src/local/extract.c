/*
 * extract.c: the extraction engine (see extract.h for the contract).
 *
 * Three stages:
 *  1. walk (calling thread): revwalk as git log, filters (since, merges),
 *     then the commits already processed are left out (point lookups for a
 *     few commits, one load of the processed set for many). What is left
 *     is the todo array. A range extracted in full before is recognised by
 *     its fingerprint and answered without walking.
 *  2. diff (worker threads): each worker has its own commit_differ (its own
 *     git_repository) and a contiguous share of the todo commits, which it
 *     takes in runs (and helps with another's share when done with its
 *     own); it builds self-contained commit_results (commit-diff.c). Long
 *     runs are diffed by git itself, each worker feeding its own
 *     "git diff-tree --stdin" (diff-stream.c); short ones (a hook's) and
 *     whole files with libgit2.
 *  3. write (calling thread): results are written in batches, each batch
 *     one transaction holding the commits' patterns and processed marks.
 *
 * Memory stays bounded: results wait in a queue limited by bytes, and a
 * worker blocks while the queue is full; a batch is bounded by bytes too;
 * libgit2's caches and pack windows are capped; the per-commit state is
 * the todo array and the processed set, a few dozen bytes per commit.
 *
 * Invariant: a processed mark is only written in the transaction that
 * writes the commit's patterns, so the store never claims a commit whose
 * patterns are missing.
 */
#include "local/extract.h"
#include "local/recall-index.h"
#include "local/commit-diff.h"
#include "local/diff-stream.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/pattern.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_MAX_BYTES (16u << 20)
#define BATCH_MAX_COMMITS 4000
#define WORK_CHUNK 16
#define WAKE_WRITER_AFTER 256
#define RANGE_RECORD_MIN 256
#define GIT_DIFF_MIN_TODO 256
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
 * libgit2 1.5 cannot walk a shallow clone: it follows parents past the
 * boundary into objects that are not there. In a shallow repository the
 * walk is ours: the commits reachable from the "+" starting points of fp
 * and not from its "-" ones, never past a commit listed in
 * $GIT_COMMON_DIR/shallow (git treats those as roots), ordered as
 * GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME orders them: children first, the
 * newest ready commit next.
 */
struct walk_node {
	git_oid id;
	long long time;
	size_t indegree;
	size_t nparents;
	git_oid parents[2]; /* first two: enough for ordering (more are rare) */
};

static int node_cmp(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct walk_node *)a)->id, &((const struct walk_node *)b)->id);
}

static struct walk_node *node_find(struct walk_node *nodes, size_t nr, const git_oid *id)
{
	struct walk_node key;
	key.id = *id;
	return bsearch(&key, nodes, nr, sizeof(*nodes), node_cmp);
}

static int read_shallow_boundary(git_repository *repo, struct oid_set *boundary)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	const char *p;
	strbuf_addf(&path, "%s/shallow", git_repository_commondir(repo));
	if (strbuf_read_file(&sb, path.buf) < 0) {
		strbuf_release(&path);
		return 0; /* no boundary file: nothing is cut */
	}
	for (p = sb.buf; *p;) {
		git_oid id;
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= GIT_OID_HEXSZ && git_oid_fromstrn(&id, p, GIT_OID_HEXSZ) == 0)
			oid_set_add(boundary, id.id, 1);
		p += len + (nl ? 1 : 0);
	}
	strbuf_release(&sb);
	strbuf_release(&path);
	return 0;
}

/* Depth-first from the ids of fp with sign c, marking into seen; nodes filled when non-NULL. */
static int shallow_reach(git_repository *repo, const struct strbuf *fp, char c,
			 const struct oid_set *boundary, struct oid_set *seen, const struct oid_set *stop,
			 struct walk_node **nodes, size_t *nr, size_t *alloc)
{
	git_oid *stack = NULL;
	size_t sp = 0, salloc = 0;
	int ret = 0;

	for (const char *p = fp->buf; *p; p = strchr(p, '\n') + 1) {
		git_oid id;
		if (*p == c && git_oid_fromstrn(&id, p + 1, GIT_OID_HEXSZ) == 0) {
			ALLOC_GROW(stack, sp + 1, salloc);
			stack[sp++] = id;
		}
	}
	while (!ret && sp) {
		git_oid id = stack[--sp];
		git_commit *commit;
		unsigned n;
		if (oid_set_get(seen, id.id) || (stop && oid_set_get(stop, id.id)))
			continue;
		oid_set_add(seen, id.id, 1);
		if (git_commit_lookup(&commit, repo, &id) < 0) {
			git_error_clear(); /* beyond the boundary */
			continue;
		}
		n = oid_set_get(boundary, id.id) ? 0 : git_commit_parentcount(commit);
		if (nodes) {
			struct walk_node *node;
			ALLOC_GROW(*nodes, *nr + 1, *alloc);
			node = &(*nodes)[(*nr)++];
			memset(node, 0, sizeof(*node));
			node->id = id;
			node->time = (long long)git_commit_time(commit);
			node->nparents = n > 2 ? 2 : n;
			for (unsigned i = 0; i < node->nparents; i++)
				node->parents[i] = *git_commit_parent_id(commit, i);
		}
		for (unsigned i = 0; i < n; i++) {
			ALLOC_GROW(stack, sp + 1, salloc);
			stack[sp++] = *git_commit_parent_id(commit, i);
		}
		git_commit_free(commit);
	}
	free(stack);
	return ret;
}

static void heap_push(size_t *heap, size_t *n, size_t v, const struct walk_node *nodes)
{
	size_t i = (*n)++;
	heap[i] = v;
	while (i && nodes[heap[(i - 1) / 2]].time < nodes[heap[i]].time) {
		size_t t = heap[i];
		heap[i] = heap[(i - 1) / 2];
		heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static size_t heap_pop(size_t *heap, size_t *n, const struct walk_node *nodes)
{
	size_t top = heap[0], i = 0;
	heap[0] = heap[--(*n)];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;
		if (l < *n && nodes[heap[l]].time > nodes[heap[m]].time)
			m = l;
		if (r < *n && nodes[heap[r]].time > nodes[heap[m]].time)
			m = r;
		if (m == i)
			break;
		t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
	return top;
}

/* The walk of a shallow repository into *out (newest first); 0 or -1. */
static int shallow_walk(git_repository *repo, const struct strbuf *fp, git_oid **out, size_t *nr_out)
{
	struct oid_set boundary = { NULL, NULL, 0, 0 }, hidden = { NULL, NULL, 0, 0 },
		       seen = { NULL, NULL, 0, 0 };
	struct walk_node *nodes = NULL;
	size_t nr = 0, alloc = 0, *heap = NULL, nheap = 0;
	git_oid *order;
	size_t n = 0;

	read_shallow_boundary(repo, &boundary);
	shallow_reach(repo, fp, '-', &boundary, &hidden, NULL, NULL, NULL, NULL);
	shallow_reach(repo, fp, '+', &boundary, &seen, &hidden, &nodes, &nr, &alloc);
	qsort(nodes, nr, sizeof(*nodes), node_cmp);
	for (size_t i = 0; i < nr; i++)
		for (size_t j = 0; j < nodes[i].nparents; j++) {
			struct walk_node *p = node_find(nodes, nr, &nodes[i].parents[j]);
			if (p)
				p->indegree++;
		}
	heap = xcalloc(nr ? nr : 1, sizeof(*heap));
	order = xcalloc(nr ? nr : 1, sizeof(*order));
	for (size_t i = 0; i < nr; i++)
		if (!nodes[i].indegree)
			heap_push(heap, &nheap, i, nodes);
	while (nheap) {
		size_t i = heap_pop(heap, &nheap, nodes);
		order[n++] = nodes[i].id;
		for (size_t j = 0; j < nodes[i].nparents; j++) {
			struct walk_node *p = node_find(nodes, nr, &nodes[i].parents[j]);
			if (p && !--p->indegree)
				heap_push(heap, &nheap, (size_t)(p - nodes), nodes);
		}
	}
	free(heap);
	free(nodes);
	oid_set_free(&boundary);
	oid_set_free(&hidden);
	oid_set_free(&seen);
	*out = order;
	*nr_out = n;
	return 0;
}

/* --no-walk: the named commits themselves, newest first (ties: as named). */
struct named_commit {
	git_oid id;
	long long time;
	size_t order;
};

static int named_cmp(const void *a, const void *b)
{
	const struct named_commit *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int no_walk_list(git_repository *repo, const struct extract_options *o, struct strbuf *fp,
			git_oid **out, size_t *nr_out)
{
	struct named_commit *list = xcalloc(o->nr_revs ? o->nr_revs : 1, sizeof(*list));
	size_t nr = 0;

	for (size_t i = 0; i < o->nr_revs; i++) {
		git_object *obj = NULL, *c = NULL;
		char hex[GIT_OID_HEXSZ + 1];
		int dup = 0;
		if (resolve_single(&obj, repo, o->revs[i]) < 0)
			goto fail;
		if (git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0) {
			git_object_free(obj);
			err_set("revision '%s' is not a commit", o->revs[i]);
			goto fail;
		}
		for (size_t j = 0; j < nr; j++)
			dup |= git_oid_equal(&list[j].id, git_object_id(c));
		if (!dup) {
			list[nr].id = *git_object_id(c);
			list[nr].time = (long long)git_commit_time((git_commit *)c);
			list[nr].order = nr;
			git_oid_tostr(hex, sizeof(hex), &list[nr].id);
			strbuf_addf(fp, "=%s\n", hex);
			nr++;
		}
		git_object_free(c);
		git_object_free(obj);
	}
	qsort(list, nr, sizeof(*list), named_cmp);
	*out = xcalloc(nr ? nr : 1, sizeof(**out));
	for (size_t i = 0; i < nr; i++)
		(*out)[i] = list[i].id;
	*nr_out = nr;
	free(list);
	return 0;
fail:
	free(list);
	return -1;
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
	strbuf_addf(&sb, "%s\nunknown=%d merges=%d since=%lld nowalk=%d\n", variant,
		    o->include_unknown, o->include_merges, o->since, o->no_walk);
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
/* Workers and the queue between them and the writer                */

struct engine {
	pthread_mutex_t lock;
	pthread_cond_t have_result, have_room;
	const git_oid *todo;
	size_t nr_todo;
	/*
	 * Each worker's share of todo, [next, end): contiguous, since
	 * neighbouring commits share trees and blob deltas; a worker whose
	 * share is done takes the back half of the largest one left.
	 */
	struct share { size_t next, end; } *shares;
	int nr_shares, next_worker;
	struct commit_result *head, *tail;
	size_t queued_bytes, queued_nr;
	/*
	 * Results the writer is done with, for the workers to free: freed
	 * by the writer, each free would lock the allocating worker's malloc
	 * arena while that worker allocates in it (a third of the futex time).
	 */
	struct commit_result *written;
	int workers_running;
	int stop;
	const char *gitdir, *workdir;
	int bare;
	git_repository *repo;	/* the walk's: its cache holds the commits */
	pthread_mutex_t repo_lock; /* held by a worker using repo */
	const struct extract_options *o;
	int use_git;		/* diff through git diff-tree streams */
	int open_failed;
	char *open_error;
};

static void free_results(struct commit_result *r)
{
	while (r) {
		struct commit_result *next = r->next;
		commit_result_free(r);
		r = next;
	}
}

/*
 * The next run of consecutive todo commits for worker w: 1, or 0 when
 * there is none or the run stops. Frees what the writer handed back.
 */
static int take_run(struct engine *e, int w, size_t *start, size_t *end)
{
	struct commit_result *garbage;
	struct share *mine = &e->shares[w];
	int more;

	pthread_mutex_lock(&e->lock);
	garbage = e->written;
	e->written = NULL;
	if (mine->next == mine->end) {
		struct share *big = NULL;
		for (int i = 0; i < e->nr_shares; i++)
			if (!big || e->shares[i].end - e->shares[i].next > big->end - big->next)
				big = &e->shares[i];
		if (big->end - big->next > WORK_CHUNK) {
			mine->end = big->end;
			big->end -= (big->end - big->next) / 2;
			mine->next = big->end;
		}
	}
	more = !e->stop && mine->next < mine->end;
	if (more) {
		*start = mine->next;
		*end = *start + WORK_CHUNK < mine->end ? *start + WORK_CHUNK : mine->end;
		mine->next = *end;
	}
	pthread_mutex_unlock(&e->lock);
	free_results(garbage);
	return more;
}

/* Hand r to the writer, waiting while the queue is full. */
static void queue_result(struct engine *e, struct commit_result *r)
{
	pthread_mutex_lock(&e->lock);
	while (!e->stop && e->head && e->queued_bytes + r->bytes > QUEUE_MAX_BYTES)
		pthread_cond_wait(&e->have_room, &e->lock);
	if (e->tail)
		e->tail->next = r;
	else
		e->head = r;
	e->tail = r;
	e->queued_bytes += r->bytes;
	/* wake the writer for a handful of results, not for each one */
	if (++e->queued_nr >= WAKE_WRITER_AFTER || e->queued_bytes > QUEUE_MAX_BYTES / 2)
		pthread_cond_signal(&e->have_result);
	pthread_mutex_unlock(&e->lock);
}

/* Diff with libgit2, commit by commit. */
static void diff_with_libgit2(struct engine *e, int w, struct commit_differ *d)
{
	size_t i, end;
	while (take_run(e, w, &i, &end))
		for (; i < end; i++) {
			struct commit_result *r = xcalloc(1, sizeof(*r));
			commit_differ_run(d, &e->todo[i], r);
			queue_result(e, r);
		}
}

/*
 * Diff with a git diff-tree stream. The end of a commit's answer shows
 * only when the next one starts (or git's output ends), so a commit is
 * read only while a later one has been asked for, or once no more will
 * be: up to two runs are asked for ahead, which also keeps git busy while
 * we read. 0, or -1 when the stream failed (a failed result is queued).
 */
static int diff_with_git(struct engine *e, int w, struct commit_differ *d,
			 struct diff_stream *ds)
{
	struct commit_result *fifo[2 * WORK_CHUNK];
	size_t head = 0, nr = 0, start, end;
	int more = 1, failed = 0;

	while (!failed) {
		struct file_change *changes;
		struct commit_result *r;
		size_t n;

		while (more && nr <= WORK_CHUNK) {
			more = take_run(e, w, &start, &end);
			for (size_t i = start; more && i < end; i++) {
				git_oid parent;
				int merge, rc;
				r = xcalloc(1, sizeof(*r));
				rc = commit_differ_begin(d, &e->todo[i], r, &parent, &merge);
				if (rc <= 0) { /* failed, or not to be diffed */
					queue_result(e, r);
					continue;
				}
				diff_stream_request(ds, &e->todo[i], merge ? &parent : NULL);
				fifo[(head + nr++) % ARRAY_SIZE(fifo)] = r;
			}
			if ((more ? diff_stream_flush(ds) : diff_stream_close(ds)) < 0) {
				failed = 1;
				break;
			}
		}
		if (failed || !nr)
			break;
		r = fifo[head];
		head = (head + 1) % ARRAY_SIZE(fifo);
		nr--;
		if (diff_stream_read(ds, &r->oid, &changes, &n) < 0 ||
		    commit_differ_finish(d, r, changes, n) < 0) {
			failed = 1;
			if (!r->failed) {
				r->failed = 1;
				r->errmsg = xstrdup(err_msg());
			}
		}
		queue_result(e, r);
	}
	for (; nr; nr--, head = (head + 1) % ARRAY_SIZE(fifo)) /* asked for, never read */
		commit_result_free(fifo[head]);
	return failed ? -1 : 0;
}

static void *worker_main(void *data)
{
	struct engine *e = data;
	struct commit_differ *d = NULL;
	struct diff_stream *ds = NULL;
	int w;

	pthread_setname_np(pthread_self(), "patterns-diff");
	pthread_mutex_lock(&e->lock);
	w = e->next_worker++;
	pthread_mutex_unlock(&e->lock);
	if (commit_differ_new(&d, e->gitdir, e->workdir, e->bare, e->o) < 0) {
		pthread_mutex_lock(&e->lock);
		if (!e->open_failed) {
			e->open_failed = 1;
			e->open_error = xstrdup(err_msg());
		}
		e->stop = 1;
		goto done;
	}
	/* without git to run, libgit2 does it all */
	if (e->use_git && diff_stream_start(&ds, e->gitdir, e->o) == 0) {
		int rc, stopped;
		commit_differ_share_commits(d, e->repo, &e->repo_lock);
		rc = diff_with_git(e, w, d, ds);
		pthread_mutex_lock(&e->lock);
		stopped = e->stop;
		pthread_mutex_unlock(&e->lock);
		if (diff_stream_end(ds, rc < 0 || stopped) < 0 && !rc) {
			struct commit_result *r = xcalloc(1, sizeof(*r));
			r->failed = 1;
			r->errmsg = xstrdup(err_msg());
			queue_result(e, r);
		}
	} else {
		diff_with_libgit2(e, w, d);
	}
	pthread_mutex_lock(&e->lock);
done:
	e->workers_running--;
	pthread_cond_broadcast(&e->have_result);
	pthread_mutex_unlock(&e->lock);
	commit_differ_free(d);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* The writer                                                       */

/*
 * The writer: many commits per transaction (bounded by count, bytes and
 * time), each commit's patterns and its processed mark in the same one.
 * The full-text index is filled when first searched (store.c), so an
 * insert touches only the table and its indexes.
 */
struct writer {
	struct store *s;
	const char *variant;
	sqlite3_stmt *ins_pattern, *ins_processed;
	int in_txn;
	size_t batch, batch_bytes;
	double batch_start;
	long long now;
};

static int writer_prepare(struct writer *wr)
{
	/* statement journals in memory; a larger page cache for the indexes */
	if (store_exec(wr->s, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;") < 0)
		return -1;
	wr->ins_pattern = store_prepare(
		wr->s,
		"INSERT INTO patterns(pattern_id, variant, origin, commit_id, file_path, old_path,"
		" problem_type, before_code, after_code, commit_msg, commit_body, author,"
		" author_name, date, commit_time, confidence, language, solution_hash)"
		" VALUES (?1, ?2, 'local', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
		" ?15, ?16, ?17)"
		" ON CONFLICT(pattern_id, variant, origin) DO UPDATE SET obsolete = 0");
	wr->ins_processed = store_prepare(
		wr->s, "INSERT INTO processed(commit_id, variant, at, skipped_unknown)"
		       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(commit_id, variant) DO UPDATE"
		       " SET at = excluded.at, skipped_unknown = excluded.skipped_unknown");
	return wr->ins_pattern && wr->ins_processed ? 0 : -1;
}

static void writer_finalize(struct writer *wr)
{
	sqlite3_finalize(wr->ins_pattern);
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
		sqlite3_stmt *st = wr->ins_pattern;

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
		wr->batch_bytes += fp->before.len + fp->after.len;
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
	wr->batch_bytes = 0;
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
		wr->batch = wr->batch_bytes = 0;
		return -1;
	}
	st->processed++;
	st->files_skipped += r->files_skipped;
	if (r->skipped_unknown)
		st->skipped_unknown++;
	if (++wr->batch >= BATCH_MAX_COMMITS || wr->batch_bytes > BATCH_MAX_BYTES ||
	    now_seconds() - wr->batch_start > BATCH_MAX_SECONDS)
		return writer_flush(wr);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The run                                                          */

/* Wait on cond for at most seconds (the writer drains the queue at least that often). */
static void timed_wait(pthread_cond_t *cond, pthread_mutex_t *lock, double seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)(seconds * 1e9);
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(cond, lock, &ts);
}

static void report_progress(const struct extract_options *o, size_t done, size_t total)
{
	if (o->progress)
		o->progress(o->progress_data, done, total);
}

static int run_workers(git_repository *repo, struct store *s, const struct extract_options *o,
		       const char *variant, const git_oid *todo, size_t nr_todo,
		       struct extract_stats *st)
{
	struct engine e;
	struct writer wr;
	pthread_t *threads;
	int nthreads = o->jobs > 0 ? o->jobs : 1, started = 0, ret = 0;
	char *errmsg = NULL;
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
	pthread_mutex_init(&e.repo_lock, NULL);
	pthread_cond_init(&e.have_result, NULL);
	pthread_cond_init(&e.have_room, NULL);
	e.todo = todo;
	e.nr_todo = nr_todo;
	e.nr_shares = nthreads;
	e.shares = xcalloc((size_t)nthreads, sizeof(*e.shares));
	for (int i = 0; i < nthreads; i++) {
		e.shares[i].next = nr_todo * (size_t)i / (size_t)nthreads;
		e.shares[i].end = nr_todo * (size_t)(i + 1) / (size_t)nthreads;
	}
	e.repo = repo;
	e.gitdir = git_repository_path(repo);
	e.workdir = git_repository_workdir(repo);
	e.bare = git_repository_is_bare(repo);
	e.o = o;

	/*
	 * Many commits: git diffs them (about twice as fast as libgit2), on
	 * each worker's own git diff-tree process. Whole files need the blobs,
	 * which libgit2 reads anyway.
	 */
	e.use_git = nr_todo >= GIT_DIFF_MIN_TODO && !o->whole_file &&
		    !getenv("GIT_PATTERNS_EXTRACT_LIBGIT2");

	report_progress(o, 0, nr_todo);
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
			timed_wait(&e.have_result, &e.lock, 0.1);
		if (!e.head)
			break;
		list = e.head;
		e.head = e.tail = NULL;
		e.queued_bytes = e.queued_nr = 0;
		pthread_cond_broadcast(&e.have_room);
		pthread_mutex_unlock(&e.lock);
		for (struct commit_result *r = list; r; r = r->next) {
			if (!ret && r->failed) {
				errmsg = xstrdup(r->errmsg);
				ret = -1;
			} else if (!ret && writer_add(&wr, r, st) < 0) {
				errmsg = xstrdup(err_msg());
				ret = -1;
			}
		}
		report_progress(o, st->processed, nr_todo);
		pthread_mutex_lock(&e.lock);
		/* back to the workers, who free them in their own arenas */
		if (e.workers_running) {
			struct commit_result *last = list;
			while (last->next)
				last = last->next;
			last->next = e.written;
			e.written = list;
		} else {
			pthread_mutex_unlock(&e.lock);
			free_results(list);
			pthread_mutex_lock(&e.lock);
		}
		if (ret) {
			e.stop = 1;
			pthread_cond_broadcast(&e.have_room);
		}
	}
	pthread_mutex_unlock(&e.lock);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free_results(e.written);
	e.written = NULL;
	if (!ret && e.open_failed) {
		errmsg = xstrdup(e.open_error);
		ret = -1;
	}
	/* a long run: its last batch and what follows need not wait for a checkpoint */
	if (nr_todo >= RANGE_RECORD_MIN)
		store_defer_checkpoint(s);
	if (writer_flush(&wr) < 0 && !ret) {
		errmsg = xstrdup(err_msg());
		ret = -1;
	}
	if (ret && errmsg)
		err_set("%s", errmsg);
out:
	if (ret)
		store_rollback(s);
	free(threads);
	free(errmsg);
	free(e.open_error);
	writer_finalize(&wr);
	pthread_mutex_destroy(&e.lock);
	pthread_mutex_destroy(&e.repo_lock);
	pthread_cond_destroy(&e.have_result);
	pthread_cond_destroy(&e.have_room);
	free(e.shares);
	return ret;
}

/*
 * Bound what libgit2 keeps in memory, whatever the size of the history:
 * its object cache (256 MiB by default) and the pack windows it maps
 * (which count in the resident size). And read objects as git reads them,
 * without re-hashing every one (libgit2's "strict hash verification",
 * SHA-1 over each object read, was 3/4 of the cost of reading blobs);
 * checking object ids is git fsck's job.
 */
static void tune_libgit2(void)
{
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)(8 << 20));
	/*
	 * Trees of any size in that cache (libgit2 keeps none over 4 KiB): a
	 * worker diffs consecutive commits, and commit N's tree is the parent
	 * tree of the commit before it in the walk.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)(1 << 20));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)(8 << 20));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)(16 << 20));
}

int extract_run(git_repository *repo, struct store *s, const struct extract_options *opts,
		struct extract_stats *st)
{
	struct extract_options o = *opts;
	struct strbuf variant = STRBUF_INIT, fp = STRBUF_INIT;
	struct oid_set done = { NULL, NULL, 0, 0 };
	git_revwalk *walk = NULL;
	git_oid *todo = NULL, *walked = NULL, oid;
	size_t nr_walked = 0;
	size_t nr_todo = 0, alloc_todo = 0, ord = 0;
	char fingerprint[65];
	int ret = -1, rc, cbret;

	memset(st, 0, sizeof(*st));
	if (extract_resolve_options(repo, &o, &variant) < 0)
		goto out;
	tune_libgit2();
	if (o.no_walk) {
		if (o.all)
			o.all = 0;
		if (no_walk_list(repo, &o, &fp, &walked, &nr_walked) < 0)
			goto out;
	} else if (setup_walk(&walk, repo, &o, &fp) < 0) {
		goto out;
	}
	range_fingerprint(fingerprint, &fp, &o, variant.buf);
	if (!o.on_commit) {
		rc = range_already_done(s, variant.buf, fingerprint, st);
		if (rc) {
			ret = rc < 0 ? -1 : 0;
			goto out;
		}
	}
	if (o.no_walk) {
		/* the list is already there */
	} else if (git_repository_is_shallow(repo) == 1) {
		if (shallow_walk(repo, &fp, &walked, &nr_walked) < 0)
			goto out;
	} else {
		size_t alloc_walked = 0;
		while ((rc = git_revwalk_next(&oid, walk)) == 0) {
			ALLOC_GROW(walked, nr_walked + 1, alloc_walked);
			walked[nr_walked++] = oid;
		}
		if (rc != GIT_ITEROVER) {
			git_error_set_from("cannot walk the history");
			goto out;
		}
	}
	for (size_t i = 0; i < nr_walked; i++) {
		git_commit *c;
		oid = walked[i];
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
	free(walked);
	walked = NULL;
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
	/* recall finds the new patterns at once (recall-index.h) */
	if (!ret && st->patterns)
		ret = recall_index_catch_up(s, NULL, NULL);
	/* small ranges (a hook's one commit) are quick to walk: not worth a write */
	if (!ret && st->selected >= RANGE_RECORD_MIN)
		ret = range_record_done(s, variant.buf, fingerprint, st->selected);
out:
	git_revwalk_free(walk);
	oid_set_free(&done);
	free(walked);
	free(todo);
	strbuf_release(&variant);
	strbuf_release(&fp);
	return ret;
}
