/*
 * history-walk.c: the revision walk of an extraction (see history-walk.h):
 * libgit2's revwalk for a full repository; in a shallow one, our own walk
 * in the same order; with no_walk, the named commits sorted by date.
 */
#include "local/history-walk.h"
#include "local/oid-set.h"
#include "local/shallow.h"
#include "common/repo.h"
#include "common/util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct history_walk {
	git_repository *repo;
	git_revwalk *walk;	/* NULL with no_walk */
	struct strbuf points;
	git_oid *named;		/* no_walk: the commits, already in order */
	size_t nr_named;
};

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

/*
 * "C^!": that commit alone, it minus its parents; those of a shallow
 * clone's boundary, which were not fetched, reach nothing to hide.
 */
static int push_commit_alone(git_revwalk *walk, git_repository *repo, const char *rev,
			     size_t base_len, struct strbuf *fp)
{
	char *base = xstrndup(rev, base_len);
	git_object *obj = NULL, *c = NULL;
	git_odb *odb = NULL;
	int rc = resolve_single(&obj, repo, base);

	if (!rc && git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0)
		rc = err_set("revision '%s' is not a commit", base);
	if (!rc)
		rc = walk_add(walk, git_object_id(c), 0, rev, fp);
	if (!rc && git_repository_odb(&odb, repo) < 0)
		rc = git_error_set_from("cannot read the object database");
	for (unsigned i = 0; !rc && i < git_commit_parentcount((git_commit *)c); i++) {
		const git_oid *parent = git_commit_parent_id((git_commit *)c, i);
		if (git_odb_exists(odb, parent))
			rc = walk_add(walk, parent, 1, rev, fp);
	}
	git_odb_free(odb);
	git_object_free(c);
	git_object_free(obj);
	free(base);
	return rc;
}

/* "A...B": both sides, minus what they share. */
static int push_symmetric(git_revwalk *walk, git_repository *repo, const git_revspec *spec,
			  const char *rev, struct strbuf *fp)
{
	git_object *a = NULL, *b = NULL;
	git_oidarray bases = { NULL, 0 };
	int rc = push_commitish(walk, spec->from, 0, rev, fp);

	if (!rc)
		rc = push_commitish(walk, spec->to, 0, rev, fp);
	if (!rc && git_object_peel(&a, spec->from, GIT_OBJECT_COMMIT) == 0 &&
	    git_object_peel(&b, spec->to, GIT_OBJECT_COMMIT) == 0 &&
	    git_merge_bases(&bases, repo, git_object_id(a), git_object_id(b)) == 0) {
		for (size_t i = 0; !rc && i < bases.count; i++)
			rc = walk_add(walk, &bases.ids[i], 1, rev, fp);
		git_oidarray_dispose(&bases);
	}
	git_object_free(a);
	git_object_free(b);
	return rc;
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
	if (len > 2 && !strcmp(rev + len - 2, "^!"))
		return push_commit_alone(walk, repo, rev, len - 2, fp);
	if (git_revparse(&spec, repo, rev) < 0)
		return err_set("unknown revision '%s'", rev);
	if (spec.flags & GIT_REVSPEC_SINGLE) {
		rc = push_commitish(walk, spec.from, 0, rev, fp);
	} else if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		rc = push_symmetric(walk, repo, &spec, rev, fp);
	} else { /* A..B */
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
	struct oid_set boundary = OID_SET_INIT, hidden = OID_SET_INIT, seen = OID_SET_INIT;
	struct walk_node *nodes = NULL;
	size_t nr = 0, alloc = 0, *heap = NULL, nheap = 0;
	git_oid *order;
	size_t n = 0;

	shallow_file_read(repo, &boundary);
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
		assert(n < nr); /* each node is ready once: its indegree reaches 0 once */
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

int history_walk_start(struct history_walk **out, git_repository *repo,
		       const struct extract_options *o)
{
	struct history_walk *w = xcalloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	w->repo = repo;
	strbuf_init(&w->points, 0);
	if (o->no_walk) /* --all is meaningless then: the list is what was named */
		rc = no_walk_list(repo, o, &w->points, &w->named, &w->nr_named);
	else
		rc = setup_walk(&w->walk, repo, o, &w->points);
	if (rc < 0) {
		history_walk_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

const struct strbuf *history_walk_points(const struct history_walk *w)
{
	return &w->points;
}

static int add_member(const git_oid *id, void *data)
{
	oid_set_add(data, id->id, 1);
	return 0;
}

/*
 * The commits of a range with hidden commits, as git rev-list lists them,
 * into in: libgit2's walk lets out commits a hidden one reaches when they
 * share a committer time (see git_rev_list()), and the walk's list keeps
 * only those. 0, 1 when git cannot be run, or -1.
 */
static int range_members(const struct history_walk *w, struct oid_set *in)
{
	git_oid *push = NULL, *hide = NULL;
	size_t nr_push = 0, nr_hide = 0, alloc_push = 0, alloc_hide = 0;
	int rc;

	for (const char *p = w->points.buf; *p; p = strchr(p, '\n') + 1) {
		git_oid id;
		if ((*p != '+' && *p != '-') || git_oid_fromstrn(&id, p + 1, GIT_OID_HEXSZ) < 0)
			continue;
		if (*p == '+') {
			ALLOC_GROW(push, nr_push + 1, alloc_push);
			push[nr_push++] = id;
		} else {
			ALLOC_GROW(hide, nr_hide + 1, alloc_hide);
			hide[nr_hide++] = id;
		}
	}
	rc = git_rev_list(w->repo, push, nr_push, hide, nr_hide, add_member, in);
	free(push);
	free(hide);
	return rc;
}

int history_walk_list(struct history_walk *w, git_oid **ids, size_t *nr)
{
	git_oid oid, *list = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	*ids = NULL;
	*nr = 0;
	if (!w->walk) {
		*ids = w->named;
		*nr = w->nr_named;
		w->named = NULL;
		w->nr_named = 0;
		return 0;
	}
	if (git_repository_is_shallow(w->repo) == 1)
		return shallow_walk(w->repo, &w->points, ids, nr);
	while ((rc = git_revwalk_next(&oid, w->walk)) == 0) {
		ALLOC_GROW(list, n + 1, alloc);
		list[n++] = oid;
	}
	if (rc != GIT_ITEROVER) {
		free(list);
		return git_error_set_from("cannot walk the history");
	}
	if (strstr(w->points.buf, "\n-") || w->points.buf[0] == '-') {
		struct oid_set in = OID_SET_INIT;
		size_t keep = 0;
		rc = range_members(w, &in);
		if (rc < 0) {
			free(list);
			return -1;
		}
		for (size_t i = 0; !rc && i < n; i++)
			if (oid_set_get(&in, list[i].id))
				list[keep++] = list[i];
		if (!rc)
			n = keep;
		oid_set_free(&in);
	}
	*ids = list;
	*nr = n;
	return 0;
}

void history_walk_free(struct history_walk *w)
{
	if (!w)
		return;
	git_revwalk_free(w->walk);
	strbuf_release(&w->points);
	free(w->named);
	free(w);
}
