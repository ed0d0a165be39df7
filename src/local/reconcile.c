/*
 * reconcile.c: patterns follow the history's rewrites (see reconcile.h).
 */
#include "local/reconcile.h"
#include "local/extract.h"
#include "local/store-patterns.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define TIPS_KEY "history.tips"

struct oid_set {
	git_oid *v;
	size_t nr, alloc;
};

static void oid_set_add(struct oid_set *s, const git_oid *id)
{
	if (s->nr == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 16;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	s->v[s->nr++] = *id;
}

static int oid_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/* Sort and drop duplicates, so that sets compare and search. */
static void oid_set_sort(struct oid_set *s)
{
	size_t w = 0;
	if (!s->nr)
		return;
	qsort(s->v, s->nr, sizeof(*s->v), oid_cmp);
	for (size_t i = 1; i < s->nr; i++)
		if (git_oid_cmp(&s->v[i], &s->v[w]))
			s->v[++w] = s->v[i];
	s->nr = w + 1;
}

static int oid_set_has(const struct oid_set *s, const git_oid *id)
{
	return s->nr && bsearch(id, s->v, s->nr, sizeof(*s->v), oid_cmp) != NULL;
}

/* The commit ref points at (peeled), if it is one. */
static void add_ref_target(git_repository *repo, git_reference *ref, struct oid_set *tips)
{
	git_object *obj = NULL;
	if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0)
		oid_set_add(tips, git_object_id(obj));
	git_object_free(obj);
	(void)repo;
}

/* HEAD of every worktree and every local branch. */
static int current_tips(git_repository *repo, struct oid_set *tips)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_strarray wts = { NULL, 0 };

	if (git_repository_head(&ref, repo) == 0)
		add_ref_target(repo, ref, tips);
	git_reference_free(ref);
	ref = NULL;
	if (git_worktree_list(&wts, repo) == 0) {
		/*
		 * each worktree opened as a repository of its own: libgit2
		 * 1.5's git_repository_head_for_worktree() hands back a
		 * reference whose repository it has already freed
		 */
		for (size_t i = 0; i < wts.count; i++) {
			git_worktree *wt = NULL;
			git_repository *wr = NULL;
			if (git_worktree_lookup(&wt, repo, wts.strings[i]) == 0 &&
			    git_worktree_validate(wt) == 0 &&
			    git_repository_open_from_worktree(&wr, wt) == 0 &&
			    git_repository_head(&ref, wr) == 0)
				add_ref_target(wr, ref, tips);
			git_reference_free(ref);
			ref = NULL;
			git_repository_free(wr);
			git_worktree_free(wt);
		}
		git_strarray_dispose(&wts);
	}
	if (git_reference_iterator_glob_new(&it, repo, "refs/heads/*") < 0)
		return err_set("cannot list branches: %s", git_error_last()->message);
	while (git_reference_next(&ref, it) == 0) {
		add_ref_target(repo, ref, tips);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	oid_set_sort(tips);
	return 0;
}

static void tips_string(const struct oid_set *tips, struct strbuf *sb)
{
	char hex[GIT_OID_HEXSZ + 1];
	for (size_t i = 0; i < tips->nr; i++) {
		git_oid_tostr(hex, sizeof(hex), &tips->v[i]);
		if (i)
			strbuf_addch(sb, ' ');
		strbuf_addstr(sb, hex);
	}
}

/* Parse the remembered tips; -1 if one is malformed. */
static int parse_tips(const char *s, struct oid_set *tips)
{
	while (*s) {
		git_oid id;
		if (strlen(s) < GIT_OID_HEXSZ || git_oid_fromstrn(&id, s, GIT_OID_HEXSZ) < 0)
			return -1;
		oid_set_add(tips, &id);
		s += GIT_OID_HEXSZ;
		while (*s == ' ')
			s++;
	}
	oid_set_sort(tips);
	return 0;
}

static int add_listed(const git_oid *id, void *data)
{
	oid_set_add(data, id);
	return 0;
}

/*
 * Commits reachable from push but not from hide, into out: git_rev_list()
 * (libgit2's walk marks current commits rewritten away after a rebase),
 * or, without git, libgit2's walk. -1 when a tip is not in the object
 * store (gc'd), with err_set.
 */
static int walk_between(git_repository *repo, const struct oid_set *push,
			const struct oid_set *hide, struct oid_set *out)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int ret = git_rev_list(repo, push->v, push->nr, hide->v, hide->nr, add_listed, out);

	if (ret <= 0)
		return ret;
	ret = -1;
	if (git_revwalk_new(&walk, repo) < 0)
		goto out;
	for (size_t i = 0; i < push->nr; i++)
		if (git_revwalk_push(walk, &push->v[i]) < 0)
			goto out;
	for (size_t i = 0; i < hide->nr; i++)
		if (git_revwalk_hide(walk, &hide->v[i]) < 0)
			goto out;
	while (git_revwalk_next(&id, walk) == 0)
		oid_set_add(out, &id);
	ret = 0;
out:
	if (ret < 0)
		err_set("cannot walk the history: %s",
			git_error_last() ? git_error_last()->message : "?");
	git_revwalk_free(walk);
	return ret;
}

struct split {
	const struct oid_set *reach;
	struct oid_set *gone, *back;
};

static int split_commit(const git_oid *id, void *data)
{
	struct split *sp = data;
	oid_set_add(oid_set_has(sp->reach, id) ? sp->back : sp->gone, id);
	return 0;
}

/*
 * The whole history, when the old tips cannot be walked: every local
 * pattern's commit is current exactly when the new tips reach it.
 */
static int reconcile_all(git_repository *repo, struct store *s, const struct oid_set *cur,
			 struct oid_set *gone, struct oid_set *back)
{
	struct oid_set reach = { 0 }, none = { 0 };
	struct split sp = { &reach, gone, back };
	int ret = -1;

	if (walk_between(repo, cur, &none, &reach) == 0) {
		oid_set_sort(&reach);
		ret = pattern_store_local_commit_ids(s, split_commit, &sp);
	}
	free(reach.v);
	return ret;
}

/*
 * One reconciliation (see reconcile_history). *lost is set when another
 * process remembered other tips while this one worked: this run's are
 * then not remembered over them, and the caller runs again.
 */
/*
 * The commits a hook's job just handled (extracted as current, or marked
 * rewritten away, each decided before it waited for the store) settled by
 * the tips cur that this run remembers: current when cur reaches them,
 * obsolete when it does not. No walk from remembered tips would correct
 * them: those tips may never have reached them, or already reach them
 * again (an amend undone while the job waited).
 */
static int settle(git_repository *repo, struct store *s, const struct oid_set *extra,
		  const struct oid_set *cur, struct reconcile_stats *stats)
{
	struct oid_set gone = { 0 }, back = { 0 };
	size_t obsoleted = 0, revived = 0;
	int ret;

	for (size_t i = 0; i < extra->nr; i++) {
		int reached = cur->nr ? git_graph_reachable_from_any(repo, &extra->v[i], cur->v,
								      cur->nr)
				      : 0;
		if (reached >= 0) /* (an error: cannot tell, leave it) */
			oid_set_add(reached ? &back : &gone, &extra->v[i]);
	}
	git_error_clear();
	ret = pattern_store_reconcile(s, gone.v, gone.nr, back.v, back.nr, &obsoleted, &revived);
	stats->obsoleted += obsoleted;
	stats->revived += revived;
	free(gone.v);
	free(back.v);
	return ret;
}

static int reconcile_once(git_repository *repo, struct store *s, int jobs, int extract_missing,
			  const struct oid_set *extra, struct reconcile_stats *stats, int *lost)
{
	struct oid_set cur = { 0 }, old = { 0 }, gone = { 0 }, back = { 0 };
	struct strbuf now = STRBUF_INIT;
	char *was;
	int ret = -1, set;

	*lost = 0;
	/*
	 * The remembered tips first, then today's. The other way round, a
	 * hook finishing in between (a rebase runs one per commit) could
	 * leave remembered tips newer than these, and the commits between
	 * would look rewritten away.
	 */
	was = store_meta_get(s, TIPS_KEY);
	if (current_tips(repo, &cur) < 0)
		goto out;
	tips_string(&cur, &now);
	if (was && !strcmp(was, now.buf)) {
		ret = settle(repo, s, extra, &cur, stats); /* nothing else moved */
		goto out;
	}
	if (settle(repo, s, extra, &cur, stats) < 0)
		goto out;
	if (was && parse_tips(was, &old) == 0 && cur.nr) {
		if (walk_between(repo, &old, &cur, &gone) < 0 ||
		    walk_between(repo, &cur, &old, &back) < 0) {
			gone.nr = back.nr = 0;
			if (reconcile_all(repo, s, &cur, &gone, &back) < 0)
				goto out;
		}
		if (pattern_store_reconcile(s, gone.v, gone.nr, back.v, back.nr, &stats->obsoleted,
					    &stats->revived) < 0)
			goto out;
		/* what the new tips brought and nobody extracted (a failed hook) */
		if (!extract_missing) {
			ret = 0; /* the tips stay as they were: see reconcile.h */
			goto out;
		}
		if (back.nr) {
			struct extract_options o = EXTRACT_OPTIONS_INIT;
			struct extract_stats es;
			struct strbuf hexes = STRBUF_INIT;
			const char **revs = xcalloc(back.nr, sizeof(*revs));
			size_t *offs = xcalloc(back.nr, sizeof(*offs));
			char hex[GIT_OID_HEXSZ + 1];
			int rc;

			/* in the walk's order, newest first: the store numbers them so */
			for (size_t i = 0; i < back.nr; i++) {
				offs[i] = hexes.len;
				git_oid_tostr(hex, sizeof(hex), &back.v[i]);
				strbuf_add(&hexes, hex, strlen(hex) + 1);
			}
			for (size_t i = 0; i < back.nr; i++)
				revs[i] = hexes.buf + offs[i];
			o.revs = revs;
			o.nr_revs = back.nr;
			o.no_walk = 1;
			o.jobs = jobs;
			memset(&es, 0, sizeof(es));
			rc = extract_resolve_options(repo, &o, NULL);
			if (!rc)
				rc = extract_run(repo, s, &o, &es);
			stats->extracted = es.processed;
			free(revs);
			free(offs);
			strbuf_release(&hexes);
			if (rc < 0)
				goto out;
		}
	}
	/* remembered only once everything up to them is in, and not over newer ones */
	set = store_meta_replace(s, TIPS_KEY, was, now.buf);
	if (set < 0)
		goto out;
	*lost = !set;
	ret = 0;
out:
	free(cur.v);
	free(old.v);
	free(gone.v);
	free(back.v);
	free(was);
	strbuf_release(&now);
	return ret;
}

int reconcile_history_after(git_repository *repo, struct store *s, int jobs,
			    const struct string_list *touched, struct reconcile_stats *stats)
{
	struct reconcile_stats dummy;
	struct oid_set extra = { 0 };
	int lost, ret = 0;

	if (!stats)
		stats = &dummy;
	for (size_t i = 0; touched && i < touched->nr; i++) {
		git_oid id;
		if (git_oid_fromstr(&id, touched->items[i]) == 0)
			oid_set_add(&extra, &id);
	}
	oid_set_sort(&extra);
	for (int tries = 1;; tries++) {
		memset(stats, 0, sizeof(*stats));
		if (reconcile_once(repo, s, jobs, 1, &extra, stats, &lost) < 0) {
			ret = -1;
			break;
		}
		/* the tips moved again: compare from the ones now remembered */
		if (!lost || tries == 5)
			break;
	}
	free(extra.v);
	return ret;
}

int reconcile_history(git_repository *repo, struct store *s, int jobs, int extract_missing,
		      struct reconcile_stats *stats)
{
	struct reconcile_stats dummy;
	const struct oid_set none = { 0 };
	int lost;

	if (!stats)
		stats = &dummy;
	for (int tries = 1;; tries++) {
		memset(stats, 0, sizeof(*stats));
		if (reconcile_once(repo, s, jobs, extract_missing, &none, stats, &lost) < 0)
			return -1;
		/* the tips moved again: compare from the ones now remembered */
		if (!lost || tries == 5)
			return 0;
	}
}
