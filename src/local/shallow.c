/*
 * shallow.c: the boundary of a shallow clone, the commits left out there,
 * and the repair of stores that older versions extracted there (see
 * shallow.h).
 *
 * How an older version's boundary commits are recognised, once per store:
 *  - a commit listed in the shallow file now, yet marked processed, was
 *    diffed against the empty tree;
 *  - for the others, the suspects are the marked commits whose first
 *    parent is in the repository but not marked in the same variant
 *    (within one run every commit's parent was marked as well, unless
 *    the range stopped there or the parent was not there at all): a
 *    suspect with patterns was diffed against the empty tree if one of
 *    its patterns adds, whole, a file that its parent already has (with
 *    content: a real diff shows such a file as changed, not added); a
 *    suspect with a mark and no patterns is extracted again (a diff of
 *    one commit), and one left out as unknown is if the classifier gives
 *    it a kind from its real changes. Only what is found is forgotten.
 * Reading every marked commit costs about one walk of the history, once.
 */
#include "local/shallow.h"
#include "local/classify.h"
#include "local/relabel.h"
#include "local/store-patterns.h"
#include "local/store-processed.h"
#include "common/pattern.h"
#include "common/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define CHECKED_KEY "shallow.checked"
#define PENDING_KEY "shallow.pending.%s"

#define MARK_COMPLETE 1
#define MARK_SKIPPED_UNKNOWN 2

/* ---------------------------------------------------------------- */
/* The boundary                                                     */

void shallow_file_read(git_repository *repo, struct oid_set *out)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;

	strbuf_addf(&path, "%s/shallow", git_repository_commondir(repo));
	if (strbuf_read_file(&sb, path.buf) == 0) {
		for (const char *p = sb.buf; *p;) {
			git_oid id;
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			if (len >= GIT_OID_HEXSZ && git_oid_fromstrn(&id, p, GIT_OID_HEXSZ) == 0)
				oid_set_add(out, id.id, 1);
			p += len + (nl ? 1 : 0);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&path);
}

int shallow_boundary_read(git_repository *repo, struct oid_set *out)
{
	struct oid_set listed = OID_SET_INIT;

	if (git_repository_is_shallow(repo) != 1)
		return 0;
	shallow_file_read(repo, &listed);
	for (size_t i = 0; i < listed.cap; i++) {
		git_oid id;
		git_commit *c;
		if (!listed.flags[i])
			continue;
		memcpy(id.id, listed.keys[i], GIT_OID_RAWSZ);
		if (git_commit_lookup(&c, repo, &id) < 0) {
			git_error_clear(); /* listed, but not here: nothing to extract */
			continue;
		}
		if (git_commit_parentcount(c))
			oid_set_add(out, id.id, 1);
		git_commit_free(c);
	}
	oid_set_free(&listed);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The commits left out, per variant                                */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_has(const struct string_list *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i], s))
			return 1;
	return 0;
}

/* The remembered ids of variant into out (caller clears). */
static void pending_get(struct store *s, const char *variant, struct string_list *out)
{
	char *key = xstrfmt(PENDING_KEY, variant), *v = store_meta_get(s, key);

	for (const char *p = v ? v : ""; *p;) {
		size_t len = strcspn(p, " ");
		if (len == GIT_OID_HEXSZ) {
			char *hex = xstrndup(p, len);
			string_list_append(out, hex);
			free(hex);
		}
		p += len;
		p += strspn(p, " ");
	}
	free(v);
	free(key);
}

/*
 * The list of variant plus add[] minus remove[] (either may be NULL), in
 * one transaction (the caller's, if it has one); written only if it
 * changed, sorted.
 */
static int pending_update(struct store *s, const char *variant, const struct string_list *add,
			  const struct string_list *remove)
{
	struct string_list now = STRING_LIST_INIT, next = STRING_LIST_INIT;
	struct strbuf val = STRBUF_INIT;
	int own = !store_in_transaction(s), changed = 0, ret = -1;
	char *key;

	if (own && store_begin(s) < 0)
		return -1;
	pending_get(s, variant, &now);
	for (size_t i = 0; i < now.nr; i++) {
		if (remove && list_has(remove, now.items[i]))
			changed = 1;
		else if (!list_has(&next, now.items[i]))
			string_list_append(&next, now.items[i]);
	}
	for (size_t i = 0; add && i < add->nr; i++)
		if (!list_has(&next, add->items[i])) {
			string_list_append(&next, add->items[i]);
			changed = 1;
		}
	if (!changed) {
		ret = 0;
		goto out;
	}
	if (next.nr)
		qsort(next.items, next.nr, sizeof(*next.items), cmp_str);
	for (size_t i = 0; i < next.nr; i++) {
		if (i)
			strbuf_addch(&val, ' ');
		strbuf_addstr(&val, next.items[i]);
	}
	key = xstrfmt(PENDING_KEY, variant);
	ret = store_meta_set(s, key, val.buf);
	free(key);
out:
	if (own && (ret < 0 || store_commit(s) < 0)) {
		store_rollback(s);
		ret = -1;
	}
	string_list_clear(&now);
	string_list_clear(&next);
	strbuf_release(&val);
	return ret;
}

int shallow_pending_add(struct store *s, const char *variant, const git_oid *ids, size_t nr)
{
	struct string_list now = STRING_LIST_INIT, add = STRING_LIST_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	int ret = 0;

	if (!nr)
		return 0;
	/* the same boundary, run after run: read, and write only what is new */
	pending_get(s, variant, &now);
	for (size_t i = 0; i < nr; i++) {
		git_oid_tostr(hex, sizeof(hex), &ids[i]);
		if (!list_has(&now, hex))
			string_list_append(&add, hex);
	}
	if (add.nr)
		ret = pending_update(s, variant, &add, NULL);
	string_list_clear(&now);
	string_list_clear(&add);
	return ret;
}

int shallow_pending_ready(git_repository *repo, struct store *s, const char *variant,
			  struct string_list *ready)
{
	struct string_list now = STRING_LIST_INIT, gone = STRING_LIST_INIT;
	struct oid_set listed = OID_SET_INIT;
	int ret = 0;

	pending_get(s, variant, &now);
	if (!now.nr)
		return 0;
	if (git_repository_is_shallow(repo) == 1)
		shallow_file_read(repo, &listed);
	for (size_t i = 0; i < now.nr; i++) {
		git_oid id;
		git_commit *c = NULL, *parent = NULL;
		if (git_oid_fromstr(&id, now.items[i]) < 0)
			continue;
		if (oid_set_get(&listed, id.id))
			continue; /* still at the boundary */
		if (git_commit_lookup(&c, repo, &id) < 0) {
			git_error_clear();
			string_list_append(&gone, now.items[i]);
			continue;
		}
		if (!git_commit_parentcount(c) || git_commit_parent(&parent, c, 0) == 0)
			string_list_append(ready, now.items[i]);
		else
			git_error_clear(); /* its parent is still not here */
		git_commit_free(parent);
		git_commit_free(c);
	}
	if (gone.nr)
		ret = pending_update(s, variant, NULL, &gone);
	oid_set_free(&listed);
	string_list_clear(&now);
	string_list_clear(&gone);
	return ret;
}

int shallow_pending_remove(struct store *s, const char *variant, const struct string_list *done)
{
	return done->nr ? pending_update(s, variant, NULL, done) : 0;
}

/* ---------------------------------------------------------------- */
/* The repair of older stores                                       */

struct check {
	git_repository *repo;
	struct store *s;
	size_t max_files;
	struct oid_set boundary;
	/* the variant being checked: its marks, as a set and in order */
	const char *variant;
	struct oid_set marks;
	git_oid *ids;
	unsigned char *flags;
	size_t nr, alloc, alloc_flags;
	struct string_list forgotten;
	size_t repaired;
};

static int add_variant(const char *variant, void *data)
{
	string_list_append(data, variant ? variant : "");
	return 0;
}

static int add_mark(const git_oid *id, int skipped_unknown, void *data)
{
	struct check *c = data;
	unsigned char flag = skipped_unknown ? MARK_SKIPPED_UNKNOWN : MARK_COMPLETE;

	oid_set_add(&c->marks, id->id, flag);
	ALLOC_GROW(c->ids, c->nr + 1, c->alloc);
	ALLOC_GROW(c->flags, c->nr + 1, c->alloc_flags);
	c->ids[c->nr] = *id;
	c->flags[c->nr++] = flag;
	return 0;
}

struct additions {
	git_repository *repo;
	git_tree *ptree;
};

/* 1 (stop) if path is a file with content in the parent's tree. */
static int parent_has(const char *path, void *data)
{
	struct additions *a = data;
	git_tree_entry *e = NULL;
	git_odb *odb = NULL;
	size_t size = 0;
	git_object_t type;
	int has = 0;

	if (git_tree_entry_bypath(&e, a->ptree, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB && git_repository_odb(&odb, a->repo) == 0 &&
	    git_odb_read_header(&size, &type, odb, git_tree_entry_id(e)) == 0)
		has = size > 0;
	git_error_clear();
	git_odb_free(odb);
	git_tree_entry_free(e);
	return has;
}

/* 1 if the patterns of commit hex (of c->variant) were made without its parent. */
static int diffed_as_root(struct check *c, const char *hex, git_commit *parent)
{
	struct additions a = { c->repo, NULL };
	size_t nr;
	int rc;

	if (git_commit_tree(&a.ptree, parent) < 0) {
		git_error_clear();
		return 0; /* cannot tell */
	}
	rc = pattern_store_commit_additions(c->s, hex, c->variant, parent_has, &a, &nr);
	git_tree_free(a.ptree);
	if (rc < 0)
		return -1;
	/* marked with no pattern: diffing it again costs one commit's diff */
	return rc > 0 || !nr;
}

/* 1 if the commit left out as unknown gets a kind from its real changes. */
static int unknown_no_more(struct check *c, const char *hex)
{
	struct classification cl;
	int rc = relabel_classify(c->repo, hex, c->max_files, &cl);

	if (rc <= 0)
		return rc;
	return strcmp(cl.problem_type, PT_UNKNOWN) != 0;
}

static int forget(struct check *c, const char *hex)
{
	size_t dropped;

	if (pattern_store_forget_commit(c->s, hex, c->variant, &dropped) < 0 ||
	    store_processed_forget(c->s, hex, c->variant) < 0)
		return -1;
	string_list_append(&c->forgotten, hex);
	c->repaired++;
	return 0;
}

/* Is the marked commit i one an older version extracted without its parent? */
static int suspect(struct check *c, size_t i, const char *hex)
{
	git_commit *commit = NULL, *parent = NULL;
	int ret = 0;

	if (oid_set_get(&c->boundary, c->ids[i].id))
		return 1; /* its parents are not here: it cannot have been diffed with them */
	if (git_commit_lookup(&commit, c->repo, &c->ids[i]) < 0)
		goto out; /* gone: nothing to extract */
	if (!git_commit_parentcount(commit) ||
	    oid_set_get(&c->marks, git_commit_parent_id(commit, 0)->id))
		goto out;
	if (git_commit_parent(&parent, commit, 0) < 0)
		goto out; /* not here: cannot tell */
	ret = c->flags[i] == MARK_COMPLETE ? diffed_as_root(c, hex, parent)
					   : unknown_no_more(c, hex);
out:
	git_error_clear();
	git_commit_free(parent);
	git_commit_free(commit);
	return ret;
}

static int check_variant(struct check *c, const char *variant)
{
	char hex[GIT_OID_HEXSZ + 1];
	int ret = 0;

	c->variant = variant;
	c->nr = 0;
	oid_set_free(&c->marks);
	string_list_clear(&c->forgotten);
	if (store_processed_load(c->s, variant, add_mark, c) < 0)
		return -1;
	for (size_t i = 0; !ret && i < c->nr; i++) {
		int rc;
		git_oid_tostr(hex, sizeof(hex), &c->ids[i]);
		rc = suspect(c, i, hex);
		if (rc < 0 || (rc > 0 && forget(c, hex) < 0))
			ret = -1;
	}
	if (!ret && c->forgotten.nr)
		ret = pending_update(c->s, variant, &c->forgotten, NULL);
	return ret;
}

int shallow_store_check(git_repository *repo, struct store *s, size_t max_files,
			size_t *repaired)
{
	struct check c;
	struct string_list variants = STRING_LIST_INIT;
	int ret = -1;

	*repaired = 0;
	memset(&c, 0, sizeof(c));
	c.repo = repo;
	c.s = s;
	c.max_files = max_files;
	ret = store_begin_once(s, CHECKED_KEY);
	if (ret <= 0)
		goto out;
	ret = -1;
	if (shallow_boundary_read(repo, &c.boundary) < 0 ||
	    store_processed_variants(s, add_variant, &variants) < 0)
		goto out;
	for (size_t i = 0; i < variants.nr; i++)
		if (check_variant(&c, variants.items[i]) < 0)
			goto out;
	if (store_meta_set(s, CHECKED_KEY, "1") < 0)
		goto out;
	ret = store_commit(s);
out:
	if (ret < 0)
		store_rollback(s);
	else
		*repaired = c.repaired;
	oid_set_free(&c.boundary);
	oid_set_free(&c.marks);
	free(c.ids);
	free(c.flags);
	string_list_clear(&c.forgotten);
	string_list_clear(&variants);
	return ret;
}

static int any_variant(const char *variant, void *data)
{
	(void)variant;
	*(int *)data = 1;
	return 1;
}

int shallow_store_check_pending(struct store *s)
{
	int marks = 0;

	if (store_meta_has(s, CHECKED_KEY))
		return 0;
	/* without marks the check has nothing to read */
	return store_processed_variants(s, any_variant, &marks) < 0 ? 0 : marks;
}
