/*
 * shallow.c: the boundary of a shallow clone and the commits left out
 * there (see shallow.h).
 */
#include "local/shallow.h"
#include "common/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define PENDING_KEY "shallow.pending.%s"

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
