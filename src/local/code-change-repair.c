/*
 * code-change-repair.c: code_change of older stores diffed again hunk by
 * hunk (see code-change-repair.h).
 */
#include "local/code-change-repair.h"
#include "local/commit-diff.h"
#include "local/store-patterns.h"
#include "common/code-change.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define META_KEY "code_change.hunks"

struct repair {
	git_repository *repo;
	int context_lines; /* of a pattern whose variant does not say */
	/* the trees of the commit last read, kept for its other patterns */
	char commit[GIT_OID_HEXSZ + 1];
	git_tree *tree, *parent_tree; /* NULL: the commit or its parent is not here */
	long long *ids;		      /* the patterns to set */
	size_t nr, alloc;
};

static void load_commit(struct repair *r, const char *hex)
{
	git_oid oid;
	git_commit *commit = NULL, *parent = NULL;

	git_tree_free(r->tree);
	git_tree_free(r->parent_tree);
	r->tree = r->parent_tree = NULL;
	snprintf(r->commit, sizeof(r->commit), "%s", hex);
	if (git_oid_fromstr(&oid, hex) < 0 || git_commit_lookup(&commit, r->repo, &oid) < 0)
		return;
	/* a root commit is diffed against nothing; a missing parent, not at all */
	if ((git_commit_parentcount(commit) && git_commit_parent(&parent, commit, 0) < 0) ||
	    git_commit_tree(&r->tree, commit) < 0 ||
	    (parent && git_commit_tree(&r->parent_tree, parent) < 0)) {
		git_tree_free(r->tree);
		r->tree = NULL;
	}
	git_commit_free(parent);
	git_commit_free(commit);
}

/* The blob at path in tree, or NULL (no tree, no such file, not a file). */
static git_blob *blob_at(git_repository *repo, git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;

	if (tree && git_tree_entry_bypath(&e, tree, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		git_blob_lookup(&blob, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return blob;
}

static int same_text(const struct strbuf *sb, const char *text, size_t len)
{
	return sb->len == len && !memcmp(sb->buf, text, len);
}

/* The context lines of the extraction variant names ("ctx=5,..."), else fallback. */
static int variant_context(const char *variant, int fallback)
{
	char *end;
	long n;

	if (!variant || strncmp(variant, "ctx=", 4))
		return fallback;
	n = strtol(variant + 4, &end, 10);
	return (*end == ',' || !*end) && n >= 0 && n <= 10000 ? (int)n : fallback;
}

static int check_one(const struct comment_only_row *row, void *data)
{
	struct repair *r = data;
	struct file_change c;
	git_blob *oldo, *newo;
	const char *old_path = row->old_path && *row->old_path ? row->old_path : row->file_path;

	/* whole files are not hunks: nothing hid anything there */
	if (!row->file_path || (row->variant && !strncmp(row->variant, "whole", 5)))
		return 0;
	if (strcmp(r->commit, row->commit_id))
		load_commit(r, row->commit_id);
	if (!r->tree)
		return 0;
	memset(&c, 0, sizeof(c));
	oldo = blob_at(r->repo, r->parent_tree, old_path);
	newo = blob_at(r->repo, r->tree, row->file_path);
	/* a diff that fails here leaves the pattern as it is */
	if ((oldo || newo) &&
	    commit_diff_blobs(oldo, newo, variant_context(row->variant, r->context_lines), &c) == 0 &&
	    c.hunks.nr > 1 && same_text(&c.before, row->before, row->before_len) &&
	    same_text(&c.after, row->after, row->after_len) &&
	    code_changed_scan(row->language ? row->language : "", row->before,
			      row->before_len, row->after, row->after_len, &c.hunks, NULL, NULL)) {
		ALLOC_GROW(r->ids, r->nr + 1, r->alloc);
		r->ids[r->nr++] = row->id;
	}
	file_change_clear(&c);
	git_blob_free(oldo);
	git_blob_free(newo);
	return 0;
}

int code_change_repair_pending(struct store *s)
{
	int patterns = 0;

	if (store_meta_has(s, META_KEY))
		return 0;
	return pattern_store_has_local(s, &patterns) < 0 ? 0 : patterns;
}

int code_change_repair(git_repository *repo, struct store *s, int context_lines,
		       size_t *repaired)
{
	struct repair r = { repo, context_lines, "", NULL, NULL, NULL, 0, 0 };
	int ret = -1;

	*repaired = 0;
	ret = store_begin_once(s, META_KEY);
	if (ret <= 0)
		return ret;
	ret = -1;
	if (pattern_store_each_comment_only(s, check_one, &r) < 0 ||
	    pattern_store_set_code_changed(s, r.ids, r.nr) < 0 ||
	    store_meta_set(s, META_KEY, "1") < 0) {
		store_rollback(s);
		goto out;
	}
	ret = store_commit(s);
	if (!ret)
		*repaired = r.nr;
out:
	git_tree_free(r.tree);
	git_tree_free(r.parent_tree);
	free(r.ids);
	return ret;
}
