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
#include "json.h"
#include "language.h"
#include "pattern.h"
#include "progress.h"
#include "repo.h"
#include "strbuf.h"
#include "treediff.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_MAX_BYTES (48u << 20)
#define BATCH_MAX_COMMITS 4000
#define BATCH_MAX_SECONDS 1.0

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

static int push_commitish(git_revwalk *walk, git_repository *repo, const git_object *obj,
			  int hide, const char *rev)
{
	git_object *peeled = NULL;
	int rc;
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
		return err_set("revision '%s' is not a commit", rev);
	rc = hide ? git_revwalk_hide(walk, git_object_id(peeled))
		  : git_revwalk_push(walk, git_object_id(peeled));
	git_object_free(peeled);
	return rc < 0 ? git_error_set_from(rev) : 0;
}

static int resolve_single(git_object **out, git_repository *repo, const char *rev)
{
	if (git_revparse_single(out, repo, rev) < 0)
		return err_set("unknown revision '%s'", rev);
	return 0;
}

static int push_rev(git_revwalk *walk, git_repository *repo, const char *rev)
{
	git_revspec spec;
	size_t len = strlen(rev);
	int rc = 0;

	if (rev[0] == '^') {
		git_object *obj;
		if (resolve_single(&obj, repo, rev + 1) < 0)
			return -1;
		rc = push_commitish(walk, repo, obj, 1, rev);
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
		if (!rc && git_revwalk_push(walk, git_object_id(c)) < 0)
			rc = git_error_set_from(rev);
		for (unsigned i = 0; !rc && i < git_commit_parentcount((git_commit *)c); i++)
			if (git_revwalk_hide(walk, git_commit_parent_id((git_commit *)c, i)) < 0)
				rc = git_error_set_from(rev);
		git_object_free(c);
		git_object_free(obj);
		free(base);
		return rc;
	}
	if (git_revparse(&spec, repo, rev) < 0)
		return err_set("unknown revision '%s'", rev);
	if (spec.flags & GIT_REVSPEC_SINGLE) {
		rc = push_commitish(walk, repo, spec.from, 0, rev);
	} else if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		/* A...B: both sides, minus what they share */
		git_object *a = NULL, *b = NULL;
		git_oidarray bases = { NULL, 0 };
		rc = push_commitish(walk, repo, spec.from, 0, rev);
		if (!rc)
			rc = push_commitish(walk, repo, spec.to, 0, rev);
		if (!rc && git_object_peel(&a, spec.from, GIT_OBJECT_COMMIT) == 0 &&
		    git_object_peel(&b, spec.to, GIT_OBJECT_COMMIT) == 0 &&
		    git_merge_bases(&bases, repo, git_object_id(a), git_object_id(b)) == 0) {
			for (size_t i = 0; i < bases.count; i++)
				git_revwalk_hide(walk, &bases.ids[i]);
			git_oidarray_dispose(&bases);
		}
		git_object_free(a);
		git_object_free(b);
	} else {
		rc = push_commitish(walk, repo, spec.to, 0, rev);
		if (!rc)
			rc = push_commitish(walk, repo, spec.from, 1, rev);
	}
	git_object_free(spec.from);
	git_object_free(spec.to);
	return rc;
}

static int setup_walk(git_revwalk **out, git_repository *repo, const struct extract_options *o)
{
	git_revwalk *walk;
	int rc = 0;

	if (git_revwalk_new(&walk, repo) < 0)
		return git_error_set_from("cannot walk the history");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (o->all) {
		if (git_revwalk_push_glob(walk, "refs/*") < 0)
			rc = git_error_set_from("cannot walk every ref");
		/* a detached HEAD is part of --all; an unborn one is not an error */
		if (!rc && !git_repository_head_unborn(repo))
			git_revwalk_push_head(walk);
	}
	for (size_t i = 0; !rc && i < o->nr_revs; i++)
		rc = push_rev(walk, repo, o->revs[i]);
	if (!rc && !o->all && !o->nr_revs) {
		if (git_repository_head_unborn(repo) == 1)
			rc = err_set("your current branch does not have any commits yet");
		else if (git_revwalk_push_head(walk) < 0)
			rc = git_error_set_from("cannot resolve HEAD");
	}
	if (rc) {
		git_revwalk_free(walk);
		return -1;
	}
	*out = walk;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Diffing one commit (worker side)                                 */

struct file_pattern {
	char *path;
	char *old_path; /* renames only */
	const char *language;
	struct strbuf before, after;
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

struct worker_ctx {
	git_repository *repo;
	const struct extract_options *o;
	uint32_t attr_flags;
};

/* 1 if .gitattributes says to leave path out (-diff, linguist-generated/vendored). */
static int attr_excluded(struct worker_ctx *w, const char *path)
{
	static const char *names[] = { "diff", "linguist-generated", "linguist-vendored" };
	const char *values[3] = { NULL, NULL, NULL };
	if (git_attr_get_many(values, w->repo, w->attr_flags, path, 3, names) < 0) {
		git_error_clear();
		return 0;
	}
	if (GIT_ATTR_IS_FALSE(values[0]))
		return 1;
	for (int i = 1; i < 3; i++)
		if (GIT_ATTR_IS_TRUE(values[i]) ||
		    (git_attr_value(values[i]) == GIT_ATTR_VALUE_STRING &&
		     parse_bool(values[i]) == 1))
			return 1;
	return 0;
}

static int mode_skipped(uint16_t mode)
{
	return mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT;
}

static int add_blob(struct worker_ctx *w, const git_oid *id, struct strbuf *out, int *binary,
		    int *too_big)
{
	git_blob *blob;
	git_object_size_t size;
	if (git_oid_is_zero(id))
		return 0;
	if (git_blob_lookup(&blob, w->repo, id) < 0)
		return git_error_set_from("cannot read blob");
	size = git_blob_rawsize(blob);
	if (w->o->max_file_size > 0 && size > (git_object_size_t)w->o->max_file_size)
		*too_big = 1;
	else if (git_blob_is_binary(blob))
		*binary = 1;
	else
		strbuf_add(out, git_blob_rawcontent(blob), (size_t)size);
	git_blob_free(blob);
	return 0;
}

/* The first bytes of a blob, for shebang detection. */
static const char *blob_language(struct worker_ctx *w, const char *path, const git_oid *id)
{
	git_blob *blob;
	const char *lang;
	size_t n;
	if (git_oid_is_zero(id) || git_blob_lookup(&blob, w->repo, id) < 0) {
		git_error_clear();
		return "";
	}
	n = (size_t)git_blob_rawsize(blob);
	lang = language_detect(path, git_blob_rawcontent(blob), n > 256 ? 256 : n);
	git_blob_free(blob);
	return lang;
}

/* Collect the hunks' old and new sides with their context lines. */
static int collect_hunks(git_patch *patch, struct strbuf *before, struct strbuf *after)
{
	size_t nh = git_patch_num_hunks(patch);
	for (size_t h = 0; h < nh; h++) {
		int nl = git_patch_num_lines_in_hunk(patch, h);
		for (int l = 0; l < nl; l++) {
			const git_diff_line *line;
			if (git_patch_get_line_in_hunk(&line, patch, h, (size_t)l) < 0)
				return git_error_set_from("cannot read diff");
			switch (line->origin) {
			case GIT_DIFF_LINE_CONTEXT:
				strbuf_add(before, line->content, line->content_len);
				strbuf_add(after, line->content, line->content_len);
				break;
			case GIT_DIFF_LINE_DELETION:
				strbuf_add(before, line->content, line->content_len);
				break;
			case GIT_DIFF_LINE_ADDITION:
				strbuf_add(after, line->content, line->content_len);
				break;
			default: /* "\ No newline at end of file" markers */
				break;
			}
		}
	}
	return 0;
}

static int file_pattern_for_delta(struct worker_ctx *w, git_diff *diff, size_t idx,
				  struct commit_result *r)
{
	const git_diff_delta *d = git_diff_get_delta(diff, idx);
	const char *path = d->status == GIT_DELTA_DELETED ? d->old_file.path : d->new_file.path;
	struct file_pattern fp;
	int binary = 0, too_big = 0;

	if (mode_skipped(d->old_file.mode) || mode_skipped(d->new_file.mode) ||
	    is_lock_file(path) || attr_excluded(w, path)) {
		r->files_skipped++;
		return 0;
	}
	/* a pure rename or mode change has no code to learn from */
	if (git_oid_equal(&d->old_file.id, &d->new_file.id))
		return 0;

	memset(&fp, 0, sizeof(fp));
	strbuf_init(&fp.before, 0);
	strbuf_init(&fp.after, 0);
	if (w->o->whole_file) {
		if (add_blob(w, &d->old_file.id, &fp.before, &binary, &too_big) < 0 ||
		    add_blob(w, &d->new_file.id, &fp.after, &binary, &too_big) < 0)
			goto fail;
	} else {
		git_patch *patch;
		if (git_patch_from_diff(&patch, diff, idx) < 0) {
			git_error_set_from("cannot diff");
			goto fail;
		}
		if (!patch || (git_patch_get_delta(patch)->flags & GIT_DIFF_FLAG_BINARY)) {
			binary = 1;
		} else if (collect_hunks(patch, &fp.before, &fp.after) < 0) {
			git_patch_free(patch);
			goto fail;
		}
		git_patch_free(patch);
	}
	if (binary || too_big) {
		r->files_skipped++;
		goto skip;
	}
	if (!fp.before.len && !fp.after.len)
		goto skip;
	fp.path = xstrdup(path);
	if (d->status == GIT_DELTA_RENAMED || d->status == GIT_DELTA_COPIED)
		fp.old_path = xstrdup(d->old_file.path);
	fp.language = language_from_path(path);
	if (!*fp.language) {
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (!strchr(base, '.') || base[0] == '.') {
			const struct strbuf *side = fp.after.len ? &fp.after : &fp.before;
			if (w->o->whole_file)
				fp.language = language_detect(path, side->buf, side->len);
			else
				fp.language = blob_language(w, path,
							    git_oid_is_zero(&d->new_file.id)
								    ? &d->old_file.id
								    : &d->new_file.id);
		}
	}
	ALLOC_GROW(r->files, r->nr + 1, r->alloc);
	r->files[r->nr++] = fp;
	r->bytes += fp.before.len + fp.after.len + 256;
	return 0;
skip:
	strbuf_release(&fp.before);
	strbuf_release(&fp.after);
	return 0;
fail:
	strbuf_release(&fp.before);
	strbuf_release(&fp.after);
	return -1;
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
	git_diff *diff = NULL;
	git_diff_options dopts;
	git_diff_find_options fopts;
	struct classification cl;
	const char **paths = NULL;
	struct string_list changed = STRING_LIST_INIT;
	size_t ndeltas;
	const git_signature *author;
	int ret = -1;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	r->oid = *oid;
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
	dopts.context_lines = (uint32_t)w->o->context_lines;
	dopts.interhunk_lines = 0;
	dopts.max_size = w->o->max_file_size > 0 ? w->o->max_file_size : ((git_off_t)1 << 62);
	/*
	 * Diff only the changed paths: libgit2 then opens only the subtrees
	 * that lead to them instead of every tree of both sides.
	 */
	if (tree_changed_paths(w->repo, ptree, tree, &changed, 0) < 0)
		goto out;
	if (changed.nr) {
		dopts.pathspec.strings = changed.items;
		dopts.pathspec.count = changed.nr;
		dopts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (git_diff_tree_to_tree(&diff, w->repo, ptree, tree, &dopts) < 0) {
		git_error_set_from("cannot diff");
		goto out;
	}
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	fopts.rename_threshold = 50;
	fopts.rename_limit = 1000;
	if (git_diff_find_similar(diff, &fopts) < 0) {
		git_error_set_from("cannot detect renames");
		goto out;
	}
	ndeltas = git_diff_num_deltas(diff);
	paths = xcalloc(ndeltas ? ndeltas : 1, sizeof(*paths));
	for (size_t i = 0; i < ndeltas; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		paths[i] = d->status == GIT_DELTA_DELETED ? d->old_file.path : d->new_file.path;
	}
	classify_subject(r->subject, paths, ndeltas, &cl);
	r->problem_type = cl.problem_type;
	r->bug_keyword = cl.bug_keyword;
	r->feature_keyword = cl.feature_keyword;
	if (!strcmp(cl.problem_type, PT_UNKNOWN) && !w->o->include_unknown) {
		r->skipped_unknown = 1;
		ret = 0;
		goto out;
	}
	for (size_t i = 0; i < ndeltas; i++)
		if (file_pattern_for_delta(w, diff, i, r) < 0)
			goto out;
	ret = 0;
out:
	free(paths);
	string_list_clear(&changed);
	git_diff_free(diff);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_commit_free(commit);
	if (ret < 0) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), oid);
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
	struct worker_ctx w = { NULL, e->o, 0 };

	if (git_repository_open_ext(&w.repo, e->gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) <
		    0 ||
	    (e->workdir && git_repository_set_workdir(w.repo, e->workdir, 0) < 0)) {
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
		if (e->stop || e->next_todo >= e->nr_todo)
			break;
		i = e->next_todo++;
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
	git_repository_free(w.repo);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* The writer                                                       */

struct writer {
	struct store *s;
	const char *variant;
	sqlite3_stmt *ins_pattern, *ins_processed;
	int in_txn;
	size_t batch;
	double batch_start;
	long long now;
};

static int writer_prepare(struct writer *wr)
{
	wr->ins_pattern = store_prepare(
		wr->s,
		"INSERT INTO patterns(pattern_id, variant, origin, commit_id, file_path, old_path,"
		" problem_type, before_code, after_code, commit_msg, commit_body, author,"
		" author_name, date, commit_time, confidence, language, solution_hash)"
		" VALUES (?1, ?2, 'local', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?17)"
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
		char id[17], sol[65];
		double conf;

		pattern_make_id(id, hex, fp->path);
		pattern_solution_hash(sol, fp->before.buf, fp->before.len, fp->after.buf,
				      fp->after.len);
		conf = pattern_confidence(r->bug_keyword, r->feature_keyword,
					  utf8_length(fp->before.buf, fp->before.len),
					  utf8_length(fp->after.buf, fp->after.len));
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
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
		sqlite3_bind_double(st, 15, conf);
		sqlite3_bind_text(st, 16, fp->language, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 17, sol, -1, SQLITE_STATIC);
		if (step_done(wr, st, "cannot store pattern") < 0)
			return -1;
		(*patterns)++;
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
		return -1;
	}
	st->processed++;
	st->files_skipped += r->files_skipped;
	if (r->skipped_unknown)
		st->skipped_unknown++;
	if (++wr->batch >= BATCH_MAX_COMMITS || now_seconds() - wr->batch_start > BATCH_MAX_SECONDS)
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

int extract_run(git_repository *repo, struct store *s, const struct extract_options *opts,
		struct extract_stats *st)
{
	struct extract_options o = *opts;
	struct strbuf variant = STRBUF_INIT;
	struct oid_set done = { NULL, NULL, 0, 0 };
	git_revwalk *walk = NULL;
	git_oid *todo = NULL, oid;
	size_t nr_todo = 0, alloc_todo = 0, ord = 0;
	int ret = -1, rc, cbret;

	memset(st, 0, sizeof(*st));
	if (extract_resolve_options(repo, &o, &variant) < 0)
		goto out;
	if (setup_walk(&walk, repo, &o) < 0)
		goto out;

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
out:
	git_revwalk_free(walk);
	oid_set_free(&done);
	free(todo);
	strbuf_release(&variant);
	return ret;
}
