/*
 * relabel.c: classify the commits of an older store again (see relabel.h).
 *
 * The commits are listed first (the local patterns' commits with their
 * labels, then those left out as unknown), then each is read from the
 * repository, its changed paths found by treediff (only the subtrees that
 * differ are read) and classified; only what changed is written. It runs
 * once per classifier version, so it favours being simple over being fast.
 */
#include "local/relabel.h"
#include "local/classify.h"
#include "local/store-patterns.h"
#include "local/store-processed.h"
#include "local/treediff.h"
#include "common/pattern.h"
#include "common/repo.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

#define META_KEY "classify.version"

struct labelled {
	char hex[GIT_OID_HEXSZ + 1];
	char *problem_type, *rule; /* NULL: left out as unknown, no patterns */
};

struct todo {
	struct labelled *items;
	size_t nr, alloc;
};

static void todo_add(struct todo *t, const char *hex, const char *type, const char *rule)
{
	struct labelled *l;
	if (!hex || strlen(hex) != GIT_OID_HEXSZ)
		return;
	ALLOC_GROW(t->items, t->nr + 1, t->alloc);
	l = &t->items[t->nr++];
	memcpy(l->hex, hex, sizeof(l->hex));
	l->problem_type = type ? xstrdup(type) : NULL;
	l->rule = type ? xstrdup(rule ? rule : "") : NULL;
}

static int add_labelled(const char *hex, const char *type, const char *rule, void *data)
{
	todo_add(data, hex, type ? type : "", rule);
	return 0;
}

static int add_skipped(const char *hex, void *data)
{
	todo_add(data, hex, NULL, NULL);
	return 0;
}

static void todo_clear(struct todo *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		free(t->items[i].problem_type);
		free(t->items[i].rule);
	}
	free(t->items);
}

/* 1 if paths hold a file that new adds and one that it deletes (maybe a rename). */
static int adds_and_deletes(const git_tree *old, const git_tree *new,
			    const struct string_list *paths)
{
	int added = 0, deleted = 0;

	for (size_t i = 0; i < paths->nr && !(added && deleted); i++) {
		git_tree_entry *e;
		if (!added && git_tree_entry_bypath(&e, old, paths->items[i]) < 0)
			added = 1;
		else if (!added)
			git_tree_entry_free(e);
		if (!deleted && git_tree_entry_bypath(&e, new, paths->items[i]) < 0)
			deleted = 1;
		else if (!deleted)
			git_tree_entry_free(e);
	}
	git_error_clear();
	return added && deleted;
}

static int drop_source(const char *from, const char *to, void *data)
{
	struct string_list *paths = data;
	for (size_t i = 0; i < paths->nr; i++)
		if (!strcmp(paths->items[i], from)) {
			free(paths->items[i]);
			memmove(&paths->items[i], &paths->items[i + 1],
				(paths->nr - i - 1) * sizeof(*paths->items));
			paths->nr--;
			break;
		}
	return 0;
}

/*
 * Replace paths by the paths of the diff with renames found as the
 * extraction finds them (git's own pairs, libgit2's 50% without git), so
 * that a renamed file counts once, by its new path, as it did when the
 * commit was extracted.
 */
static int pair_renames(git_repository *repo, git_tree *old, git_tree *new,
			struct string_list *paths)
{
	git_diff *diff = NULL;
	size_t n;
	int rc;

	if (!old || !adds_and_deletes(old, new, paths))
		return 0;
	rc = git_renames(repo, git_tree_id(old), git_tree_id(new), 0, drop_source, paths);
	if (rc <= 0)
		return rc;
	if (tree_diff_renames(&diff, repo, old, new, paths->items, paths->nr) < 0)
		return -1;
	string_list_clear(paths);
	n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		string_list_append(paths, d->status == GIT_DELTA_DELETED ? d->old_file.path
									  : d->new_file.path);
	}
	git_diff_free(diff);
	return 0;
}

int relabel_classify(git_repository *repo, const char *hex, size_t max_files,
		     struct classification *cl)
{
	git_oid oid;
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	struct string_list paths = STRING_LIST_INIT;
	static const char *const no_paths[1];
	int ret = -1;

	if (git_oid_fromstr(&oid, hex) < 0 || git_commit_lookup(&commit, repo, &oid) < 0) {
		git_error_clear();
		return 0;
	}
	if (git_commit_tree(&tree, commit) < 0) {
		git_error_set_from("cannot read tree");
		goto out;
	}
	if (git_commit_parentcount(commit) > 0) {
		if (git_commit_parent(&parent, commit, 0) < 0)
			git_error_clear(); /* a shallow boundary: a root, as git log shows it */
		else if (git_commit_tree(&ptree, parent) < 0) {
			git_error_set_from("cannot read parent");
			goto out;
		}
	}
	if (tree_changed_paths(repo, ptree, tree, &paths, 0) < 0 ||
	    (paths.nr > 1 && pair_renames(repo, ptree, tree, &paths) < 0))
		goto out;
	/* no changed path is an empty list, not "paths not known" (NULL) */
	classify_commit(git_commit_summary(commit), git_commit_body(commit),
			paths.nr ? (const char *const *)paths.items : no_paths, paths.nr, max_files, cl);
	ret = 1;
out:
	string_list_clear(&paths);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_commit_free(commit);
	return ret;
}

/* The meta value for this build and max_files; 1 if the store has another. */
static int version_differs(struct store *s, size_t max_files, char want[64])
{
	char *have;
	int differs;

	snprintf(want, 64, "%d %zu", CLASSIFY_VERSION, max_files);
	have = store_meta_get(s, META_KEY);
	differs = !have || strcmp(have, want);
	free(have);
	return differs;
}

int store_relabel_pending(struct store *s, size_t max_files)
{
	char want[64];
	int patterns = 0, skipped = 0;

	if (!version_differs(s, max_files, want))
		return 0;
	if (pattern_store_has_local(s, &patterns) < 0 ||
	    store_processed_has_skipped(s, &skipped) < 0)
		return -1;
	return patterns || skipped;
}

int store_relabel(git_repository *repo, struct store *s, size_t max_files,
		  struct relabel_stats *st, struct string_list *released)
{
	struct todo todo = { NULL, 0, 0 };
	char want[64];
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (!version_differs(s, max_files, want))
		return 0;

	if (store_begin(s) < 0)
		return -1;
	if (pattern_store_local_commits(s, add_labelled, &todo) < 0 ||
	    store_processed_skipped(s, add_skipped, &todo) < 0)
		goto out;
	for (size_t i = 0; i < todo.nr; i++) {
		struct labelled *l = &todo.items[i];
		struct classification cl;
		int rc = relabel_classify(repo, l->hex, max_files, &cl);

		if (rc < 0)
			goto out;
		if (!rc)
			continue;
		if (!l->problem_type) {
			if (strcmp(cl.problem_type, PT_UNKNOWN)) {
				if (store_processed_forget_skipped(s, l->hex) < 0)
					goto out;
				string_list_append(released, l->hex);
				st->released++;
			}
		} else if (strcmp(cl.problem_type, l->problem_type) || strcmp(cl.rule, l->rule)) {
			if (pattern_store_set_label(s, l->hex, cl.problem_type, cl.rule) < 0)
				goto out;
			st->relabelled++;
		}
	}
	if (store_meta_set(s, META_KEY, want) < 0)
		goto out;
	ret = store_commit(s);
out:
	if (ret < 0)
		store_rollback(s);
	todo_clear(&todo);
	return ret;
}
