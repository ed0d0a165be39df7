/*
 * extract.c: the extraction engine (see extract.h for the contract).
 *
 * Three stages:
 *  1. walk (history-walk.c): the commits of the range as git log lists
 *     them, filtered (since, merges; a shallow clone's boundary commits,
 *     whose parents are unknown, are left out and remembered: shallow.h);
 *     then the commits already processed are left out (point lookups
 *     for a few commits, one load of the processed set for many). What is
 *     left is the todo array. A range extracted in full before is
 *     recognised by its fingerprint and answered without walking.
 *  2. diff (diff-pool.c): worker threads build self-contained
 *     commit_results (commit-diff.c, diff-stream.c); each commit is
 *     classified first (its message, then the paths its trees changed),
 *     and only those that will be stored are diffed.
 *  3. write (extract-writer.c, on the calling thread): results are
 *     written in batches, each batch one transaction holding the commits'
 *     patterns and processed marks, then indexed for recall while the
 *     workers diff on.
 *
 * Memory stays bounded: the diff queue and a batch are bounded by bytes;
 * libgit2's caches and pack windows are capped; the per-commit state is
 * the todo array and the processed set, a few dozen bytes per commit.
 */
#include "local/extract.h"
#include "local/classify.h"
#include "local/diff-pool.h"
#include "local/extract-writer.h"
#include "local/history-walk.h"
#include "local/oid-set.h"
#include "local/relabel.h"
#include "local/code-change-repair.h"
#include "local/shallow.h"
#include "local/store-recall.h"
#include "local/store-patterns.h"
#include "local/store-processed.h"
#include "common/hash.h"
#include "common/pattern.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <git2/sys/repository.h>

#include <assert.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RANGE_RECORD_MIN 256
/* Walks of at most this many commits look their marks up one by one. */
#define PROCESSED_LOOKUP_MAX 256

#define MARK_COMPLETE 1
#define MARK_SKIPPED_UNKNOWN 2

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
	if (o->max_commit_files < 0) {
		o->max_commit_files = config_get_int(repo, "patterns.maxCommitFiles",
						     CLASSIFY_DEFAULT_MAX_FILES);
		if (o->max_commit_files < 0)
			return err_set("bad config value %lld for 'patterns.maxCommitFiles'",
				       o->max_commit_files);
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
/* Ranges extracted before                                          */

/*
 * The range fingerprint: sha256 of what the walk starts from and stops at
 * and of every option that changes which commits are selected or how. The
 * meta table keeps, per variant, the fingerprint of the last range fully
 * extracted with the count of processed marks at that time; a re-run with
 * the same fingerprint and count has nothing to do and skips the walk
 * (which alone costs ~100 ms on 10,000 commits). Any change to the refs,
 * the options, the shallow boundary, or the processed marks (another run,
 * a deletion) misses.
 */
static void range_fingerprint(char out[65], git_repository *repo, const struct strbuf *fp,
			      const struct extract_options *o, const char *variant)
{
	struct strbuf sb = STRBUF_INIT, shallow = STRBUF_INIT, path = STRBUF_INIT;
	strbuf_addf(&sb, "%s\nunknown=%d merges=%d since=%lld nowalk=%d\n", variant,
		    o->include_unknown, o->include_merges, o->since, o->no_walk);
	strbuf_add(&sb, fp->buf, fp->len);
	/*
	 * and the shallow boundary, always (older versions did not say it):
	 * the same starting points reach more commits once it moves, and a
	 * range recorded while shallow is not the range after git fetch
	 * --unshallow
	 */
	strbuf_addf(&path, "%s/shallow", git_repository_commondir(repo));
	if (strbuf_read_file(&shallow, path.buf) < 0)
		strbuf_setlen(&shallow, 0);
	strbuf_addf(&sb, "shallow:\n");
	strbuf_add(&sb, shallow.buf, shallow.len);
	strbuf_release(&shallow);
	strbuf_release(&path);
	sha256_hex(sb.buf, sb.len, out);
	assert(strlen(out) == 64);
	strbuf_release(&sb);
}

static char *range_meta_key(const char *variant)
{
	return xstrfmt("extract.range.%s", variant);
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
		if (store_processed_count(s, variant, &now_count) < 0)
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
	if (store_processed_count(s, variant, &count) < 0) {
		free(key);
		return -1;
	}
	val = xstrfmt("%s %lld %zu", fingerprint, count, selected);
	ret = store_meta_set(s, key, val);
	free(key);
	free(val);
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

/*
 * Keep freed memory rather than give it back at once, as the git diff
 * children do (diff-stream.c): the diff threads allocate and free a
 * pattern's buffers for every file, and with glibc's defaults each large
 * one is a fresh mmap whose pages the kernel clears again. A user's own
 * GLIBC_TUNABLES wins.
 */
static void tune_malloc(void)
{
	if (getenv("GLIBC_TUNABLES"))
		return;
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

/*
 * What repo read before the tuning (the store's reconciliation, the
 * relabelling) mapped its pack in one window of libgit2's default size,
 * a whole pack of up to 1 GiB that no limit ever unmaps: every object
 * read through it afterwards (the trees the diff threads classify from)
 * would stay resident. Drop repo's object database and caches; it reopens
 * them, under the new limits, when next read.
 */
static void reopen_objects(git_repository *repo)
{
	git_repository__cleanup(repo);
}

/* ---------------------------------------------------------------- */
/* The run                                                          */

/*
 * The walked commits that pass the filters, in walk order, into *todo;
 * those of the shallow boundary (their parents were not fetched, so what
 * they changed is unknown) into *left instead.
 */
static int select_commits(git_repository *repo, const struct extract_options *o,
			  const git_oid *walked, size_t nr_walked, const struct oid_set *boundary,
			  git_oid **todo, size_t *nr_todo, git_oid **left, size_t *nr_left,
			  struct extract_stats *st)
{
	size_t alloc = 0, alloc_left = 0;

	for (size_t i = 0; i < nr_walked; i++) {
		git_commit *c;
		int skip, cbret;
		if (git_commit_lookup(&c, repo, &walked[i]) < 0)
			return git_error_set_from("cannot read commit");
		skip = (o->since && (long long)git_commit_time(c) < o->since) ||
		       (!o->include_merges && git_commit_parentcount(c) > 1);
		git_commit_free(c);
		if (skip)
			continue;
		st->selected++;
		if (o->on_commit && (cbret = o->on_commit(&walked[i], *nr_todo, o->on_commit_data)))
			return cbret;
		if (oid_set_get(boundary, walked[i].id)) {
			ALLOC_GROW(*left, *nr_left + 1, alloc_left);
			(*left)[(*nr_left)++] = walked[i];
			st->shallow_left++;
			continue;
		}
		ALLOC_GROW(*todo, *nr_todo + 1, alloc);
		(*todo)[(*nr_todo)++] = walked[i];
	}
	return 0;
}

static int add_mark(const git_oid *id, int skipped_unknown, void *data)
{
	oid_set_add(data, id->id, skipped_unknown ? MARK_SKIPPED_UNKNOWN : MARK_COMPLETE);
	return 0;
}

/*
 * Leave out of todo what earlier runs processed. A few commits (a hook's)
 * are looked up one by one, so that a run costs the same in a store of
 * any size; many are checked against the whole processed set.
 */
static int drop_processed(struct store *s, const struct extract_options *o, const char *variant,
			  git_oid *todo, size_t *nr_todo, struct extract_stats *st)
{
	struct oid_set done = OID_SET_INIT;
	size_t keep = 0;
	int rc;

	if (*nr_todo <= PROCESSED_LOOKUP_MAX)
		rc = store_processed_lookup(s, variant, todo, *nr_todo, add_mark, &done);
	else
		rc = store_processed_load(s, variant, add_mark, &done);
	if (rc < 0) {
		oid_set_free(&done);
		return -1;
	}
	for (size_t i = 0; i < *nr_todo; i++) {
		unsigned char mark = oid_set_get(&done, todo[i].id);
		if (mark == MARK_COMPLETE || (mark == MARK_SKIPPED_UNKNOWN && !o->include_unknown))
			st->already++;
		else
			todo[keep++] = todo[i];
	}
	assert(keep + st->already == *nr_todo);
	*nr_todo = keep;
	oid_set_free(&done);
	return 0;
}

struct write_ctx {
	struct extract_writer *wr;
	struct extract_stats *st;
};

static int write_one(const struct commit_result *r, void *data)
{
	struct write_ctx *w = data;
	return extract_writer_add(w->wr, r, w->st);
}

/* Diff and write todo; what was written before an error stays written. */
static int diff_and_write(git_repository *repo, struct store *s, const struct extract_options *o,
			  const char *variant, const git_oid *todo, size_t nr_todo,
			  struct extract_stats *st)
{
	struct write_ctx w = { NULL, st };
	char *errmsg = NULL;
	int ret;

	if (extract_writer_new(&w.wr, s, variant, nr_todo) < 0)
		return -1;
	ret = diff_pool_run(repo, o, todo, nr_todo, write_one, &w);
	if (ret < 0)
		errmsg = xstrdup(err_msg());
	/* a long run: its last batch and what follows need not wait for a checkpoint */
	if (nr_todo >= RANGE_RECORD_MIN)
		store_defer_checkpoint(s);
	if (extract_writer_flush(w.wr) < 0)
		ret = -1;
	else if (errmsg)
		err_set("%s", errmsg);
	free(errmsg);
	extract_writer_free(w.wr);
	return ret;
}

static int run(git_repository *repo, struct store *s, const struct extract_options *opts,
	       struct extract_stats *st, int with_upkeep);

/*
 * Extract the commits ids, whatever range this run was asked for (a
 * hook's run over one new commit brings them in too): those relabelling
 * released (left out as unknown by an older classifier, of a kind now)
 * and those once at a shallow boundary whose parents are here now.
 */
static int extract_these(git_repository *repo, struct store *s, const struct extract_options *o,
			 const struct string_list *ids, struct extract_stats *st)
{
	struct extract_options r = *o;

	r.revs = (const char *const *)ids->items;
	r.nr_revs = ids->nr;
	r.no_walk = 1;
	r.all = 0;
	r.since = 0;
	r.progress = NULL;
	r.on_commit = NULL;
	return run(repo, s, &r, st, 0);
}

/*
 * What a run does before its own range: repair what older versions did
 * (a shallow boundary diffed against the empty tree, labels of an older
 * classifier, code_change, Git LFS pointers taken as patterns), then extract the commits that this left to do, and those
 * left out at a shallow boundary whose parents were fetched since.
 */
static int upkeep(git_repository *repo, struct store *s, const struct extract_options *o,
		  const char *variant, struct extract_stats *st)
{
	struct relabel_stats rs;
	struct string_list released = STRING_LIST_INIT, ready = STRING_LIST_INIT;
	struct extract_stats sub;
	int ret = -1;

	if (shallow_store_check(repo, s, (size_t)o->max_commit_files, &st->shallow_repaired) < 0)
		goto out;
	/* labels of an older classifier first: the walk after sees the result */
	if (store_relabel(repo, s, (size_t)o->max_commit_files, &rs, &released) < 0 ||
	    (released.nr && extract_these(repo, s, o, &released, &sub) < 0))
		goto out;
	st->relabelled = rs.relabelled;
	st->released = rs.released;
	if (code_change_repair(repo, s, o->context_lines, &st->code_repaired) < 0 ||
	    pattern_store_drop_lfs_pointers(s, &st->lfs_dropped) < 0)
		goto out;
	if (shallow_pending_ready(repo, s, variant, &ready) < 0)
		goto out;
	if (ready.nr) {
		if (extract_these(repo, s, o, &ready, &sub) < 0 ||
		    shallow_pending_remove(s, variant, &ready) < 0)
			goto out;
		st->shallow_extracted = sub.processed;
		st->shallow_patterns = sub.patterns;
	}
	ret = 0;
out:
	string_list_clear(&released);
	string_list_clear(&ready);
	return ret;
}

int extract_run(git_repository *repo, struct store *s, const struct extract_options *opts,
		struct extract_stats *st)
{
	return run(repo, s, opts, st, 1);
}

static int run(git_repository *repo, struct store *s, const struct extract_options *opts,
	       struct extract_stats *st, int with_upkeep)
{
	struct extract_options o = *opts;
	struct strbuf variant = STRBUF_INIT;
	struct history_walk *walk = NULL;
	git_oid *todo = NULL, *walked = NULL, *left = NULL;
	size_t nr_walked = 0, nr_todo = 0, nr_left = 0;
	struct oid_set boundary = OID_SET_INIT;
	char fingerprint[65];
	int ret = -1, rc;

	memset(st, 0, sizeof(*st));
	if (extract_resolve_options(repo, &o, &variant) < 0)
		goto out;
	if (with_upkeep && upkeep(repo, s, &o, variant.buf, st) < 0)
		goto out;
	tune_libgit2();
	tune_malloc();
	reopen_objects(repo);
	if (history_walk_start(&walk, repo, &o) < 0)
		goto out;
	range_fingerprint(fingerprint, repo, history_walk_points(walk), &o, variant.buf);
	if (!o.on_commit && (rc = range_already_done(s, variant.buf, fingerprint, st)) != 0) {
		ret = rc < 0 ? -1 : 0;
		goto out;
	}
	if (history_walk_list(walk, &walked, &nr_walked) < 0)
		goto out;
	history_walk_free(walk);
	walk = NULL;
	if (shallow_boundary_read(repo, &boundary) < 0)
		goto out;
	rc = select_commits(repo, &o, walked, nr_walked, &boundary, &todo, &nr_todo, &left,
			    &nr_left, st);
	free(walked);
	walked = NULL;
	if (rc) {
		ret = rc;
		goto out;
	}
	/* remembered, for the run after their parents are fetched */
	if (shallow_pending_add(s, variant.buf, left, nr_left) < 0)
		goto out;
	if (drop_processed(s, &o, variant.buf, todo, &nr_todo, st) < 0)
		goto out;
	ret = nr_todo ? diff_and_write(repo, s, &o, variant.buf, todo, nr_todo, st) : 0;
	/* recall finds the new patterns at once (store-recall.h) */
	if (!ret && st->patterns)
		ret = recall_index_catch_up(s, NULL, NULL);
	/*
	 * small ranges (a hook's one commit) are quick to walk: not worth a
	 * write; nor is a range with commits left out at a shallow boundary,
	 * which must be walked again once their parents are fetched
	 */
	if (!ret && st->selected >= RANGE_RECORD_MIN && !st->shallow_left)
		ret = range_record_done(s, variant.buf, fingerprint, st->selected);
out:
	history_walk_free(walk);
	free(walked);
	free(todo);
	free(left);
	oid_set_free(&boundary);
	strbuf_release(&variant);
	return ret;
}
