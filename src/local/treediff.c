/*
 * treediff.c: the changed paths between two trees (see treediff.h).
 *
 * Both trees' entries are sorted in git's order (a folder sorts as its
 * name with a trailing '/'), so one merge pass pairs them; only pairs of
 * folders with different ids are opened and compared in turn.
 */
#include "local/treediff.h"
#include "common/repo.h"
#include "common/strbuf.h"

struct walk {
	git_repository *repo;
	struct string_list *paths;
	size_t limit;
	size_t found;
	struct strbuf path;
};

static int full(const struct walk *w)
{
	return w->limit && w->found > w->limit;
}

static void found(struct walk *w, const char *name)
{
	size_t len = w->path.len;
	w->found++;
	if (w->paths) {
		strbuf_addstr(&w->path, name);
		string_list_append(w->paths, w->path.buf);
		strbuf_setlen(&w->path, len);
	}
}

static int compare(struct walk *w, const git_tree *a, const git_tree *b)
{
	size_t i = 0, j = 0, na = a ? git_tree_entrycount(a) : 0;
	size_t nb = b ? git_tree_entrycount(b) : 0;

	while ((i < na || j < nb) && !full(w)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : git_tree_entry_cmp(ea, eb);
		const git_tree_entry *side[2] = {cmp <= 0 ? ea : NULL, cmp >= 0 ? eb : NULL};
		git_tree *sub[2] = {NULL, NULL};
		const char *dir = NULL;
		int ret = 0;

		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
		if (cmp == 0 && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
		    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
			continue;
		/* same name on both sides is one path; a file here counts once */
		if ((side[0] && git_tree_entry_type(side[0]) != GIT_OBJECT_TREE) ||
		    (side[1] && git_tree_entry_type(side[1]) != GIT_OBJECT_TREE))
			found(w, git_tree_entry_name(side[0] ? side[0] : side[1]));
		for (int k = 0; k < 2; k++) {
			if (!side[k] || git_tree_entry_type(side[k]) != GIT_OBJECT_TREE)
				continue;
			if (git_tree_lookup(&sub[k], w->repo, git_tree_entry_id(side[k])) < 0) {
				ret = git_error_set_from("cannot read tree");
				break;
			}
			dir = git_tree_entry_name(side[k]);
		}
		if (!ret && dir) {
			size_t len = w->path.len;
			strbuf_addstr(&w->path, dir);
			strbuf_addch(&w->path, '/');
			ret = compare(w, sub[0], sub[1]);
			strbuf_setlen(&w->path, len);
		}
		git_tree_free(sub[0]);
		git_tree_free(sub[1]);
		if (ret < 0)
			return -1;
	}
	return 0;
}

long tree_changed_paths(git_repository *repo, const git_tree *a, const git_tree *b,
			struct string_list *paths, size_t limit)
{
	struct walk w = {repo, paths, limit, 0, STRBUF_INIT};
	int ret = compare(&w, a, b);
	strbuf_release(&w.path);
	return ret < 0 ? -1 : (long)w.found;
}

int tree_diff_renames(git_diff **out, git_repository *repo, git_tree *old, git_tree *new,
		      char **paths, size_t nr)
{
	git_diff_options dopts;
	git_diff_find_options fopts;

	*out = NULL;
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	/* only these paths: libgit2 then reads only the subtrees leading to them */
	dopts.pathspec.strings = paths;
	dopts.pathspec.count = nr;
	dopts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_DISABLE_PATHSPEC_MATCH |
		      GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_diff_tree_to_tree(out, repo, old, new, &dopts) < 0)
		return git_error_set_from("cannot diff");
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	fopts.rename_threshold = 50;
	fopts.rename_limit = 1000;
	if (git_diff_find_similar(*out, &fopts) < 0) {
		git_diff_free(*out);
		*out = NULL;
		return git_error_set_from("cannot detect renames");
	}
	return 0;
}
