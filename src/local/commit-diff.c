/*
 * commit-diff.c: one commit -> its file patterns (the extraction engine's
 * worker side; see commit-diff.h).
 *
 * The files a commit changed come from our own walk of the two trees,
 * which skips subtrees with equal ids as git's tree diff does; only a
 * commit that both adds and deletes files goes through libgit2's
 * tree-to-tree diff, for its rename detection. Each file's sides are read
 * as blobs (size checked first, from the object header) and diffed with
 * git_diff_blobs; the hunks' old and new lines are collected as they come.
 */
#include "local/commit-diff.h"
#include "local/classify.h"
#include "local/treediff.h"
#include "common/code-change.h"
#include "common/file-role.h"
#include "common/json.h"
#include "common/language.h"
#include "common/pattern.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <iconv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>
#include <strings.h>
#include <time.h>

struct change_list {
	struct file_change *items;
	size_t nr, alloc;
	size_t added, deleted;
};

void file_change_clear(struct file_change *c)
{
	free(c->path);
	free(c->old_path);
	strbuf_release(&c->before);
	strbuf_release(&c->after);
	hunks_release(&c->hunks);
	memset(c, 0, sizeof(*c));
}

void file_change_hunk(struct file_change *c)
{
	hunks_add(&c->hunks, c->before.len, c->after.len);
}

static void change_list_clear(struct change_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		file_change_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static struct file_change *change_new(struct change_list *l, char status)
{
	struct file_change *c;
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	c = &l->items[l->nr++];
	memset(c, 0, sizeof(*c));
	c->status = status;
	strbuf_init(&c->before, 0);
	strbuf_init(&c->after, 0);
	return c;
}

static void change_add(struct change_list *l, char status, const git_tree_entry *old,
		       const git_tree_entry *new, const char *path)
{
	struct file_change *c = change_new(l, status);
	if (old) {
		c->old_mode = (uint16_t)git_tree_entry_filemode(old);
		c->old_id = *git_tree_entry_id(old);
	}
	if (new) {
		c->new_mode = (uint16_t)git_tree_entry_filemode(new);
		c->new_id = *git_tree_entry_id(new);
	}
	c->path = xstrdup(path);
	if (status == 'A')
		l->added++;
	else if (status == 'D')
		l->deleted++;
}

void commit_result_free(struct commit_result *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->files[i].path);
		free(r->files[i].old_path);
		strbuf_release(&r->files[i].before);
		strbuf_release(&r->files[i].after);
		free(r->files[i].hunks);
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

/*
 * Per-differ cache of the attribute verdict per path: the attributes come
 * from the work tree (or HEAD in a bare repository) and do not change
 * during a run, while the same paths come back commit after commit.
 */
struct attr_cache {
	char **keys;
	unsigned char *vals; /* 0 empty, 1 keep, 2 excluded */
	size_t cap, nr;
};

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The slot of path: NULL if absent and !create; else created (value 0). */
static unsigned char *attr_cache_slot(struct attr_cache *c, const char *path, int create)
{
	size_t i;
	if (create && (c->nr + 1) * 2 > c->cap) {
		struct attr_cache old = *c;
		c->cap = old.cap ? old.cap * 2 : 256;
		c->keys = xcalloc(c->cap, sizeof(*c->keys));
		c->vals = xcalloc(c->cap, 1);
		for (size_t j = 0; j < old.cap; j++) {
			if (!old.vals[j])
				continue;
			for (i = str_hash(old.keys[j]) & (c->cap - 1); c->vals[i];
			     i = (i + 1) & (c->cap - 1))
				;
			c->keys[i] = old.keys[j];
			c->vals[i] = old.vals[j];
		}
		free(old.keys);
		free(old.vals);
	}
	if (!c->cap)
		return NULL;
	for (i = str_hash(path) & (c->cap - 1); c->vals[i]; i = (i + 1) & (c->cap - 1))
		if (!strcmp(c->keys[i], path))
			return &c->vals[i];
	if (!create)
		return NULL;
	c->keys[i] = xstrdup(path);
	c->nr++;
	return &c->vals[i];
}

static void attr_cache_free(struct attr_cache *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->vals);
}

/*
 * Per-differ cache of recently read blobs with their binary verdict: a
 * blob often comes back soon (a file changed in nearby commits).
 */
#define BLOB_CACHE_SIZE 64

struct blob_cache {
	git_oid ids[BLOB_CACHE_SIZE];
	git_blob *blobs[BLOB_CACHE_SIZE];
	unsigned char binary[BLOB_CACHE_SIZE];
	size_t next;
};

static git_blob *blob_cache_get(struct blob_cache *c, const git_oid *id, int *binary)
{
	/* the first byte rules out nearly every slot without a call */
	for (size_t i = 0; i < BLOB_CACHE_SIZE; i++)
		if (c->ids[i].id[0] == id->id[0] && c->blobs[i] &&
		    !memcmp(c->ids[i].id, id->id, GIT_OID_RAWSZ)) {
			git_object *o;
			git_object_dup(&o, (git_object *)c->blobs[i]);
			*binary = c->binary[i];
			return (git_blob *)o;
		}
	return NULL;
}

static void blob_cache_put(struct blob_cache *c, const git_oid *id, git_blob *blob, int binary)
{
	size_t i = c->next++ % BLOB_CACHE_SIZE;
	git_object *o;
	git_blob_free(c->blobs[i]);
	c->ids[i] = *id;
	git_object_dup(&o, (git_object *)blob);
	c->blobs[i] = (git_blob *)o;
	c->binary[i] = (unsigned char)binary;
}

static void blob_cache_clear(struct blob_cache *c)
{
	for (size_t i = 0; i < BLOB_CACHE_SIZE; i++)
		git_blob_free(c->blobs[i]);
	memset(c, 0, sizeof(*c));
}

struct commit_differ {
	git_repository *repo;
	git_odb *odb;
	/*
	 * The same objects, wrapped in a repository with no work tree, config
	 * or attribute files: libgit2 looks up a diff driver for every blob
	 * diff, which in the real repository costs a dozen stat calls.
	 */
	git_repository *blob_repo;
	git_repository *commit_repo; /* where commits are read: repo, or a shared one */
	pthread_mutex_t *commit_lock; /* held around lookups in a shared commit_repo */
	struct blob_cache blobs;
	const struct extract_options *o;
	uint32_t attr_flags;
	struct attr_cache attrs;
	struct code_sketcher *sketcher; /* the patterns' recall sketches */
	int shallow;		/* a shallow clone (its boundary never comes here: shallow.h) */
};

/* 1 if .gitattributes says to leave path out (-diff, linguist-generated/vendored). */
static int attr_excluded(struct commit_differ *w, const char *path)
{
	static const char *names[] = { "diff", "linguist-generated", "linguist-vendored" };
	const char *values[3] = { NULL, NULL, NULL };
	unsigned char *slot = attr_cache_slot(&w->attrs, path, 0);
	int excluded = 0;

	if (slot)
		return *slot == 2;
	if (git_attr_get_many(values, w->repo, w->attr_flags, path, 3, names) < 0) {
		git_error_clear();
	} else if (GIT_ATTR_IS_FALSE(values[0])) {
		excluded = 1;
	} else {
		for (int i = 1; i < 3; i++)
			if (GIT_ATTR_IS_TRUE(values[i]) ||
			    (git_attr_value(values[i]) == GIT_ATTR_VALUE_STRING &&
			     parse_bool(values[i]) == 1))
				excluded = 1;
	}
	*attr_cache_slot(&w->attrs, path, 1) = excluded ? 2 : 1;
	return excluded;
}

static int mode_skipped(uint16_t mode)
{
	return mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT;
}

/* git's order of tree entries: a folder sorts as if its name ended in '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), len = la < lb ? la : lb;
	int cmp = memcmp(na, nb, len), ca, cb;
	if (cmp)
		return cmp;
	ca = la > len ? (unsigned char)na[len]
		      : git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : 0;
	cb = lb > len ? (unsigned char)nb[len]
		      : git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : 0;
	return ca - cb;
}

static int tree_changes(struct commit_differ *w, const git_tree *old, const git_tree *new,
			struct strbuf *prefix, struct change_list *out);

/* Every file under a subtree as added or deleted. */
static int subtree_changes(struct commit_differ *w, const git_tree_entry *e, int added,
			   struct strbuf *prefix, struct change_list *out)
{
	git_tree *t;
	int rc;
	if (git_tree_lookup(&t, w->repo, git_tree_entry_id(e)) < 0)
		return git_error_set_from("cannot read tree");
	rc = added ? tree_changes(w, NULL, t, prefix, out) : tree_changes(w, t, NULL, prefix, out);
	git_tree_free(t);
	return rc;
}

static int entry_changes(struct commit_differ *w, const git_tree_entry *old,
			 const git_tree_entry *new, struct strbuf *prefix, struct change_list *out)
{
	const git_tree_entry *e = old ? old : new;
	size_t len = prefix->len;
	int rc = 0;

	strbuf_addstr(prefix, git_tree_entry_name(e));
	if (old && new) {
		if (git_tree_entry_type(old) == GIT_OBJECT_TREE) {
			git_tree *a = NULL, *b = NULL;
			strbuf_addch(prefix, '/');
			if (git_tree_lookup(&a, w->repo, git_tree_entry_id(old)) < 0 ||
			    git_tree_lookup(&b, w->repo, git_tree_entry_id(new)) < 0)
				rc = git_error_set_from("cannot read tree");
			else
				rc = tree_changes(w, a, b, prefix, out);
			git_tree_free(a);
			git_tree_free(b);
		} else {
			change_add(out, 'M', old, new, prefix->buf);
		}
	} else if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		strbuf_addch(prefix, '/');
		rc = subtree_changes(w, e, new != NULL, prefix, out);
	} else {
		change_add(out, new ? 'A' : 'D', old, new, prefix->buf);
	}
	strbuf_setlen(prefix, len);
	return rc;
}

/*
 * The files that differ between two trees (either may be NULL: empty),
 * walking both in git's order and skipping identical subtrees by id, as
 * git's own tree diff does.
 */
static int tree_changes(struct commit_differ *w, const git_tree *old, const git_tree *new,
			struct strbuf *prefix, struct change_list *out)
{
	size_t no = old ? git_tree_entrycount(old) : 0, nn = new ? git_tree_entrycount(new) : 0;
	size_t i = 0, j = 0;

	while (i < no || j < nn) {
		const git_tree_entry *a = i < no ? git_tree_entry_byindex(old, i) : NULL;
		const git_tree_entry *b = j < nn ? git_tree_entry_byindex(new, j) : NULL;
		int cmp = !a ? 1 : !b ? -1 : entry_cmp(a, b);
		int rc;

		if (cmp < 0) {
			rc = entry_changes(w, a, NULL, prefix, out);
			i++;
		} else if (cmp > 0) {
			rc = entry_changes(w, NULL, b, prefix, out);
			j++;
		} else {
			rc = 0;
			if (!git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) ||
			    git_tree_entry_filemode(a) != git_tree_entry_filemode(b))
				rc = entry_changes(w, a, b, prefix, out);
			i++;
			j++;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int change_path_cmp(const void *a, const void *b)
{
	const struct file_change *x = *(const struct file_change *const *)a;
	const struct file_change *y = *(const struct file_change *const *)b;
	return strcmp(x->path, y->path);
}

/* out's 'A' and 'D' changes, each sorted by path, for git_renames()'s pairs */
struct rename_sides {
	struct file_change **added, **deleted;
	size_t nr_added, nr_deleted;
};

static struct file_change *find_side(struct file_change **side, size_t nr, const char *path)
{
	struct file_change key = { .path = (char *)path }, *k = &key, **hit;
	hit = bsearch(&k, side, nr, sizeof(*side), change_path_cmp);
	return hit ? *hit : NULL;
}

/* One of git's renames: the added file becomes the pair (in its place, as git puts it). */
static int pair_rename(const char *from, const char *to, void *data)
{
	struct rename_sides *rs = data;
	struct file_change *a = find_side(rs->added, rs->nr_added, to);
	struct file_change *d = find_side(rs->deleted, rs->nr_deleted, from);

	if (!a || !d || a->status != 'A' || d->status != 'D')
		return err_set("git paired '%s' with '%s', which this tree diff does not add"
			       " and delete", from, to);
	a->status = 'R';
	a->old_path = xstrdup(from);
	a->old_mode = d->old_mode;
	a->old_id = d->old_id;
	d->status = 0; /* taken: dropped below */
	return 0;
}

/*
 * A commit that both adds and deletes files may hold renames: git itself
 * pairs them (git_renames(): libgit2's 50% is not git's), so that a short
 * run gives what a long one, which git diffs, gives. 0, 1 when git cannot
 * be run (out unchanged), -1.
 */
static int git_renamed_changes(struct commit_differ *w, git_tree *old, git_tree *new,
			       struct change_list *out)
{
	struct rename_sides rs = { NULL, NULL, 0, 0 };
	size_t i, kept;
	int rc;

	rs.added = xcalloc(out->nr, sizeof(*rs.added));
	rs.deleted = xcalloc(out->nr, sizeof(*rs.deleted));
	for (i = 0; i < out->nr; i++) {
		if (out->items[i].status == 'A')
			rs.added[rs.nr_added++] = &out->items[i];
		else if (out->items[i].status == 'D')
			rs.deleted[rs.nr_deleted++] = &out->items[i];
	}
	qsort(rs.added, rs.nr_added, sizeof(*rs.added), change_path_cmp);
	qsort(rs.deleted, rs.nr_deleted, sizeof(*rs.deleted), change_path_cmp);
	rc = git_renames(w->repo, git_tree_id(old), git_tree_id(new), w->o->max_file_size,
			 pair_rename, &rs);
	free(rs.added);
	free(rs.deleted);
	for (i = kept = 0; i < out->nr; i++) {
		if (!out->items[i].status) {
			file_change_clear(&out->items[i]);
			continue;
		}
		out->items[kept++] = out->items[i];
	}
	out->nr = kept;
	return rc;
}

/*
 * Without git to run: let libgit2 pair renames at 50% similarity, and
 * take its list.
 */
static int renamed_changes(struct commit_differ *w, git_tree *old, git_tree *new,
			   struct change_list *out)
{
	git_diff *diff = NULL;
	char **paths = xcalloc(out->nr ? out->nr : 1, sizeof(*paths));
	size_t n;
	int rc;

	for (size_t i = 0; i < out->nr; i++)
		paths[i] = out->items[i].path;
	rc = tree_diff_renames(&diff, w->repo, old, new, paths, out->nr);
	free(paths);
	if (rc < 0)
		return -1;
	change_list_clear(out);
	n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		struct file_change *c;
		switch (d->status) {
		case GIT_DELTA_ADDED: c = change_new(out, 'A'); break;
		case GIT_DELTA_DELETED: c = change_new(out, 'D'); break;
		case GIT_DELTA_RENAMED:
		case GIT_DELTA_COPIED:
			c = change_new(out, 'R');
			c->old_path = xstrdup(d->old_file.path);
			break;
		case GIT_DELTA_TYPECHANGE: c = change_new(out, 'T'); break;
		default: c = change_new(out, 'M'); break;
		}
		c->old_mode = d->old_file.mode;
		c->new_mode = d->new_file.mode;
		c->old_id = d->old_file.id;
		c->new_id = d->new_file.id;
		c->path = xstrdup(c->status == 'D' ? d->old_file.path : d->new_file.path);
	}
	git_diff_free(diff);
	return 0;
}

/*
 * git_blob_is_binary(), answered quickly for the common case: its test
 * (libgit2's git_str_is_binary over the first 8000 bytes) calls a blob
 * binary when it has a NUL, a UTF-16/32 byte order mark, or more than one
 * control character per 128 printable ones. A start with none of those
 * bytes (NUL, control characters other than whitespace, BS, ESC and FF,
 * DEL, or a 0xFE/0xFF that could begin a BOM) is text; anything else is
 * left to libgit2, so the verdict is always libgit2's.
 */
static const unsigned char binary_suspect[256] = {
	/* control characters but \t \n \r and BS, ESC, FF (printable to libgit2) */
	[0] = 1, [1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1, [6] = 1, [7] = 1,
	[0x0b] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
	[0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1,
	[0x19] = 1, [0x1a] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
	[0x7f] = 1, [0xfe] = 1, [0xff] = 1, /* DEL; a UTF-16/32 byte order mark */
};

/* 1 if p[0, n) holds a byte of binary_suspect. */
static int any_suspect(const unsigned char *p, size_t n)
{
	unsigned char any = 0;
	size_t i = 0;
#ifdef __SSE2__
	{
		/* the same test 16 bytes at a time (a tenth of the worker's time bytewise) */
		const __m128i low = _mm_set1_epi8(0x1f), high = _mm_set1_epi8((char)0xfe);
		__m128i acc = _mm_setzero_si128();
		for (; i + 16 <= n; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
			__m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, low), v); /* <= 0x1f */
			__m128i ok = _mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\b')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('\f'))));
			ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
							   _mm_cmpeq_epi8(v, _mm_set1_epi8(033))));
			acc = _mm_or_si128(acc, _mm_andnot_si128(ok, ctl));
			acc = _mm_or_si128(acc, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
			acc = _mm_or_si128(acc, _mm_cmpeq_epi8(_mm_max_epu8(v, high), v)); /* >= 0xfe */
		}
		any = _mm_movemask_epi8(acc) != 0;
	}
#endif
	for (; i < n; i++)
		any |= binary_suspect[p[i]];
	return any;
}

static int blob_is_binary(const git_blob *blob)
{
	size_t n = (size_t)git_blob_rawsize(blob);
	return any_suspect(git_blob_rawcontent(blob), n > 8000 ? 8000 : n) &&
	       git_blob_is_binary(blob);
}

/* One side's blob: absent (zero id) gives NULL; *skip set if too big or binary. */
static int load_side(struct commit_differ *w, const git_oid *id, git_blob **blob, int *skip)
{
	size_t size;
	git_object_t type;
	int binary;

	*blob = NULL;
	if (git_oid_is_zero(id))
		return 0;
	*blob = blob_cache_get(&w->blobs, id, &binary);
	if (!*blob) {
		/* the size first: a huge blob is never read into memory */
		if (git_odb_read_header(&size, &type, w->odb, id) < 0)
			return git_error_set_from("cannot read blob");
		if ((long long)size > w->o->max_file_size) {
			*skip = 1;
			return 0;
		}
		if (git_blob_lookup(blob, w->blob_repo, id) < 0)
			return git_error_set_from("cannot read blob");
		/* libgit2's binary detection (a NUL or mostly control bytes early on) */
		binary = blob_is_binary(*blob);
		blob_cache_put(&w->blobs, id, *blob, binary);
	}
	if (binary)
		*skip = 1;
	return 0;
}

static int hunk_cb(const git_diff_delta *d, const git_diff_hunk *h, void *payload)
{
	(void)d;
	(void)h;
	file_change_hunk(payload);
	return 0;
}

static int line_cb(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *line,
		   void *payload)
{
	struct file_change *c = payload;
	switch (line->origin) {
	case GIT_DIFF_LINE_CONTEXT:
		strbuf_add(&c->before, line->content, line->content_len);
		strbuf_add(&c->after, line->content, line->content_len);
		break;
	case GIT_DIFF_LINE_DELETION:
		strbuf_add(&c->before, line->content, line->content_len);
		break;
	case GIT_DIFF_LINE_ADDITION:
		strbuf_add(&c->after, line->content, line->content_len);
		break;
	default: /* "\ No newline at end of file" markers */
		break;
	}
	return 0;
}

int commit_diff_blobs(git_blob *oldo, git_blob *newo, int context_lines, struct file_change *c)
{
	git_diff_options dopts;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.context_lines = (uint32_t)context_lines;
	dopts.interhunk_lines = 0;
	/* the hunks git log -p shows (diff-stream.c asks git for the same) */
	dopts.flags = GIT_DIFF_FORCE_TEXT | GIT_DIFF_INDENT_HEURISTIC;
	/* blobs, not buffers: libgit2 would hash buffers to name them */
	if (git_diff_blobs(oldo, NULL, newo, NULL, &dopts, NULL, NULL, hunk_cb, line_cb, c) < 0)
		return git_error_set_from("cannot diff");
	return 0;
}

/* The rules that need no content: 1 if c gives no pattern (counted if skipped). */
static int change_skipped(struct commit_differ *w, const struct file_change *c,
			  struct commit_result *r)
{
	if (mode_skipped(c->old_mode) || mode_skipped(c->new_mode) || is_lock_file(c->path) ||
	    path_is_vendored(c->path) || attr_excluded(w, c->path)) {
		r->files_skipped++;
		return 1;
	}
	/* a pure rename or mode change has no code to learn from */
	return git_oid_equal(&c->old_id, &c->new_id);
}

/*
 * c's before and after (taken) as one of r's patterns; side is one of c's
 * blobs if at hand, for the shebang of a name without an extension.
 */
/*
 * 1 if text is a Git LFS pointer (pattern.h). A pointer is three or
 * four lines, so its hunk is the whole file.
 */
static int is_lfs_pointer(const struct strbuf *text)
{
	static const char first[] = LFS_POINTER_FIRST;
	return text->len < LFS_POINTER_MAX && text->len >= sizeof(first) - 1 &&
	       !memcmp(text->buf, first, sizeof(first) - 1);
}

static int add_pattern(struct commit_differ *w, struct file_change *c, const char *commit_hex,
		       struct commit_result *r, git_blob *side)
{
	struct file_pattern fp;
	git_blob *loaded = NULL;

	if (!c->before.len && !c->after.len)
		return 0;
	if (is_lfs_pointer(&c->before) || is_lfs_pointer(&c->after)) {
		r->files_skipped++;
		return 0;
	}
	memset(&fp, 0, sizeof(fp));
	fp.language = language_from_path(c->path);
	if (!*fp.language && language_wants_content(c->path)) {
		const git_oid *id = git_oid_is_zero(&c->new_id) ? &c->old_id : &c->new_id;
		if (!side && git_blob_lookup(&loaded, w->blob_repo, id) < 0)
			return git_error_set_from("cannot read blob");
		if (!side)
			side = loaded;
		fp.language = language_detect(c->path, git_blob_rawcontent(side),
					      (size_t)git_blob_rawsize(side));
		git_blob_free(loaded);
	}
	fp.path = c->path;
	fp.old_path = c->old_path;
	fp.before = c->before;
	fp.after = c->after;
	fp.file_role = file_role(fp.path, fp.language);
	/*
	 * One pass over before for both: is it code, and its recall sketch;
	 * hunk by hunk, as a rebuild of the index reads them back (hunks).
	 */
	code_sketch_start(w->sketcher);
	fp.code_change = code_changed_scan(fp.language, fp.before.buf, fp.before.len,
					   fp.after.buf, fp.after.len, &c->hunks,
					   code_sketch_token, w->sketcher);
	fp.hunks = hunks_format(&c->hunks);
	fp.sketch_nr = code_sketch_finish(w->sketcher, fp.sketch);
	c->path = c->old_path = NULL;
	strbuf_init(&c->before, 0);
	strbuf_init(&c->after, 0);
	pattern_make_id(fp.pattern_id, commit_hex, fp.path);
	pattern_solution_hash(fp.solution_hash, fp.before.buf, fp.before.len, fp.after.buf,
			      fp.after.len);
	fp.confidence = pattern_confidence(r->bug_keyword, r->feature_keyword,
					   utf8_length(fp.before.buf, fp.before.len),
					   utf8_length(fp.after.buf, fp.after.len));
	ALLOC_GROW(r->files, r->nr + 1, r->alloc);
	r->files[r->nr++] = fp;
	r->bytes += fp.before.len + fp.after.len + 256;
	return 0;
}

static int file_pattern_for_change(struct commit_differ *w, struct file_change *c,
				   const char *commit_hex, struct commit_result *r)
{
	git_blob *oldo = NULL, *newo = NULL;
	int skip = 0, ret = -1;

	if (change_skipped(w, c, r))
		return 0;
	if (load_side(w, &c->old_id, &oldo, &skip) < 0 ||
	    (!skip && load_side(w, &c->new_id, &newo, &skip) < 0))
		goto out;
	if (skip) {
		r->files_skipped++;
		ret = 0;
		goto out;
	}
	if (w->o->whole_file) {
		if (oldo)
			strbuf_add(&c->before, git_blob_rawcontent(oldo), (size_t)git_blob_rawsize(oldo));
		if (newo)
			strbuf_add(&c->after, git_blob_rawcontent(newo), (size_t)git_blob_rawsize(newo));
	} else if (commit_diff_blobs(oldo, newo, w->o->context_lines, c) < 0) {
		goto out;
	}
	ret = add_pattern(w, c, commit_hex, r, newo ? newo : oldo);
out:
	git_blob_free(oldo);
	git_blob_free(newo);
	return ret;
}

/*
 * A message part or the author as UTF-8: git log re-encodes a commit that
 * declares another encoding (an "encoding ISO-8859-1" header); so do we.
 * Text that does not convert is kept as it is (the JSON output turns
 * invalid bytes into U+FFFD).
 */
static char *message_text(const char *text, const char *encoding)
{
	iconv_t cd;
	struct strbuf sb = STRBUF_INIT;
	char *in, *out;
	size_t inleft, outleft;

	if (!text)
		return xstrdup("");
	if (!encoding || !strcasecmp(encoding, "UTF-8") || !strcasecmp(encoding, "utf8"))
		return xstrdup(text);
	cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1)
		return xstrdup(text);
	inleft = strlen(text);
	strbuf_grow(&sb, inleft * 4 + 1);
	in = (char *)text;
	out = sb.buf;
	outleft = sb.alloc - 1;
	if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
		iconv_close(cd);
		strbuf_release(&sb);
		return xstrdup(text);
	}
	iconv_close(cd);
	strbuf_setlen(&sb, (size_t)(out - sb.buf));
	return strbuf_detach(&sb, NULL);
}

static void format_author_date(char out[32], const git_time *when)
{
	time_t t = (time_t)(when->time + (git_time_t)when->offset * 60);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm))
		out[0] = '\0';
}

/* r's metadata from the commit (kept in *commit). 0, or -1 with err_set. */
static int read_commit(struct commit_differ *w, const git_oid *oid, struct commit_result *r,
		       git_commit **commit)
{
	const git_signature *author;
	const char *encoding;
	int rc;

	r->oid = *oid;
	if (w->commit_lock)
		pthread_mutex_lock(w->commit_lock);
	rc = git_commit_lookup(commit, w->commit_repo, oid);
	if (w->commit_lock)
		pthread_mutex_unlock(w->commit_lock);
	if (rc < 0)
		return git_error_set_from("cannot read commit");
	encoding = git_commit_message_encoding(*commit);
	r->subject = message_text(git_commit_summary(*commit), encoding);
	r->body = message_text(git_commit_body(*commit), encoding);
	author = git_commit_author(*commit);
	/* the encoding header covers the whole commit, the author too */
	r->author = message_text(author->email, encoding);
	r->author_name = message_text(author->name, encoding);
	format_author_date(r->date, &author->when);
	r->commit_time = (long long)git_commit_time(*commit);
	return 0;
}
/* Free a commit read by read_commit(). */
static void free_commit(struct commit_differ *w, git_commit *commit)
{
	if (w->commit_lock)
		pthread_mutex_lock(w->commit_lock);
	git_commit_free(commit);
	if (w->commit_lock)
		pthread_mutex_unlock(w->commit_lock);
}


/*
 * Classify r from its subject, body and changed paths (known 0: not known yet).
 * 1 if its files are wanted; 0 if not (unknown without include_unknown,
 * or may be unknown when the paths are not known yet).
 */
static int classify(struct commit_differ *w, struct commit_result *r,
		    const struct file_change *changes, size_t nr, int known)
{
	const char **paths = NULL;
	struct classification cl;

	if (body_is_subtree_commit(r->body)) {
		/* vendored code: nothing to learn from, whatever the options */
		r->problem_type = PT_UNKNOWN;
		return 0;
	}
	if (known) {
		paths = xcalloc(nr ? nr : 1, sizeof(*paths));
		for (size_t i = 0; i < nr; i++)
			paths[i] = changes[i].path;
	}
	classify_commit(r->subject, r->body, paths, nr,
			w->o->max_commit_files < 0 ? CLASSIFY_DEFAULT_MAX_FILES
						   : (size_t)w->o->max_commit_files,
			&cl);
	free(paths);
	r->problem_type = cl.problem_type;
	memcpy(r->rule, cl.rule, sizeof(r->rule));
	r->bug_keyword = cl.bug_keyword;
	r->feature_keyword = cl.feature_keyword;
	r->needs_paths = cl.needs_paths;
	if (w->o->include_unknown || strcmp(cl.problem_type, PT_UNKNOWN) || cl.needs_paths)
		return 1;
	r->skipped_unknown = 1;
	return 0;
}

static void set_failed(struct commit_result *r)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), &r->oid);
	r->failed = 1;
	r->errmsg = xstrfmt("commit %s: %s", hex, err_msg());
}

int commit_differ_run(struct commit_differ *w, const git_oid *oid, struct commit_result *r)
{
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	struct change_list changes = { NULL, 0, 0, 0, 0 };
	struct strbuf prefix = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	int ret = -1;

	git_oid_tostr(hex, sizeof(hex), oid);
	if (read_commit(w, oid, r, &commit) < 0)
		goto out;
	if (git_commit_tree(&tree, commit) < 0) {
		git_error_set_from("cannot read tree");
		goto out;
	}
	if (git_commit_parentcount(commit) > 0) {
		int rc = git_commit_parent(&parent, commit, 0);
		if (rc == GIT_ENOTFOUND && w->shallow) {
			/*
			 * a parent missing from a shallow clone although the
			 * commit is not listed at its boundary (the extraction
			 * leaves those out): a root, as git log shows it
			 */
			git_error_clear();
		} else if (rc < 0 || git_commit_tree(&ptree, parent) < 0) {
			git_error_set_from("cannot read parent");
			goto out;
		}
	}
	if (tree_changes(w, ptree, tree, &prefix, &changes) < 0)
		goto out;
	if (changes.added && changes.deleted) {
		int rc = git_renamed_changes(w, ptree, tree, &changes);
		if (rc < 0 || (rc > 0 && renamed_changes(w, ptree, tree, &changes) < 0))
			goto out;
	}
	if (classify(w, r, changes.items, changes.nr, 1))
		for (size_t i = 0; i < changes.nr; i++)
			if (file_pattern_for_change(w, &changes.items[i], hex, r) < 0)
				goto out;
	ret = 0;
out:
	change_list_clear(&changes);
	strbuf_release(&prefix);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	free_commit(w, commit);
	if (ret < 0)
		set_failed(r);
	r->bytes += 512;
	return ret;
}

/*
 * The paths a commit changed (between the trees ptree_id, or none: a
 * root, and tree_id), from a walk of the two trees, in *out: 1 if they
 * are the paths git's diff gives; 0 if they may not be (the commit adds
 * and deletes files: git pairs renames, which only a content diff
 * decides, or a tree could not be read: left to git). The trees are read
 * through the differ's own repository.
 */
static int changed_paths(struct commit_differ *w, const git_oid *tree_id, const git_oid *ptree_id,
			 struct change_list *out)
{
	git_tree *tree = NULL, *ptree = NULL;
	struct strbuf prefix = STRBUF_INIT;
	int exact = 0;

	if (git_tree_lookup(&tree, w->repo, tree_id) < 0 ||
	    (!git_oid_is_zero(ptree_id) && git_tree_lookup(&ptree, w->repo, ptree_id) < 0))
		goto out;
	if (tree_changes(w, ptree, tree, &prefix, out) < 0)
		goto out;
	exact = !(out->added && out->deleted);
out:
	git_error_clear();
	strbuf_release(&prefix);
	git_tree_free(tree);
	git_tree_free(ptree);
	return exact;
}

/*
 * The tree id of commit's first parent into *out (zero for a root): the
 * parent is read where commit was, whose cache holds it since the walk.
 * 0, or -1 if it cannot be read.
 */
static int parent_tree_id(struct commit_differ *w, const git_commit *commit, git_oid *out)
{
	git_commit *pc = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!git_commit_parentcount(commit))
		return 0;
	if (w->commit_lock)
		pthread_mutex_lock(w->commit_lock);
	if (git_commit_parent(&pc, commit, 0) < 0)
		rc = -1;
	else
		git_oid_cpy(out, git_commit_tree_id(pc));
	git_commit_free(pc);
	if (w->commit_lock)
		pthread_mutex_unlock(w->commit_lock);
	git_error_clear();
	return rc;
}

int commit_differ_begin(struct commit_differ *w, const git_oid *oid, struct commit_result *r,
			git_oid *parent, int *merge)
{
	git_commit *commit = NULL;
	git_oid tree_id, ptree_id;
	unsigned int parents;
	struct change_list changes = { NULL, 0, 0, 0, 0 };
	int wanted, paths_readable;

	r->bytes += 512;
	if (read_commit(w, oid, r, &commit) < 0) {
		set_failed(r);
		return -1;
	}
	parents = git_commit_parentcount(commit);
	memset(parent, 0, sizeof(*parent));
	if (parents)
		git_oid_cpy(parent, git_commit_parent_id(commit, 0));
	*merge = parents > 1;
	wanted = classify(w, r, NULL, 0, 0);
	paths_readable = wanted == 1 && r->needs_paths && !w->o->include_unknown && !w->shallow &&
			 parent_tree_id(w, commit, &ptree_id) == 0;
	git_oid_cpy(&tree_id, git_commit_tree_id(commit));
	free_commit(w, commit);
	/*
	 * The subject could not decide alone: when it is only a question of
	 * which files changed, the trees answer that, and a commit that
	 * turns out unknown is never diffed. (With include_unknown every
	 * commit is diffed anyway, and classified from the diff's paths.)
	 */
	if (paths_readable && changed_paths(w, &tree_id, &ptree_id, &changes))
		wanted = classify(w, r, changes.items, changes.nr, 1);
	change_list_clear(&changes);
	return wanted;
}

int commit_differ_finish(struct commit_differ *w, struct commit_result *r,
			 struct file_change *changes, size_t nr)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), &r->oid);
	/* the subject decided alone at commit_differ_begin(), unless paths could change it */
	if (r->needs_paths && !classify(w, r, changes, nr, 1))
		return 0;
	for (size_t i = 0; i < nr; i++) {
		struct file_change *c = &changes[i];
		git_blob *oldo = NULL, *newo = NULL;
		int skip = c->binary, rc = 0;

		if (change_skipped(w, c, r))
			continue;
		/* git calls a blob binary by a NUL alone; libgit2's test is the rule */
		if (!skip && (any_suspect((unsigned char *)c->before.buf, c->before.len) ||
			      any_suspect((unsigned char *)c->after.buf, c->after.len)) &&
		    (load_side(w, &c->old_id, &oldo, &skip) < 0 ||
		     (!skip && load_side(w, &c->new_id, &newo, &skip) < 0)))
			rc = -1;
		if (!rc && skip)
			r->files_skipped++;
		else if (!rc)
			rc = add_pattern(w, c, hex, r, newo ? newo : oldo);
		git_blob_free(oldo);
		git_blob_free(newo);
		if (rc < 0) {
			set_failed(r);
			return -1;
		}
	}
	return 0;
}

int commit_differ_new(struct commit_differ **out, const char *gitdir, const char *workdir,
		      int bare, const struct extract_options *o)
{
	struct commit_differ *w = xcalloc(1, sizeof(*w));

	*out = NULL;
	w->o = o;
	if (git_repository_open_ext(&w->repo, gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    (workdir && git_repository_set_workdir(w->repo, workdir, 0) < 0) ||
	    git_repository_odb(&w->odb, w->repo) < 0 ||
	    git_repository_wrap_odb(&w->blob_repo, w->odb) < 0) {
		git_error_set_from("cannot open repository");
		commit_differ_free(w);
		return -1;
	}
	w->commit_repo = w->repo;
	w->sketcher = code_sketcher_new();
	w->shallow = git_repository_is_shallow(w->repo) == 1;
	/* attributes as git diff reads them: the work tree, or HEAD when bare */
	w->attr_flags = bare ? GIT_ATTR_CHECK_INCLUDE_HEAD | GIT_ATTR_CHECK_INDEX_ONLY
			     : GIT_ATTR_CHECK_FILE_THEN_INDEX;
	*out = w;
	return 0;
}

void commit_differ_share_commits(struct commit_differ *w, git_repository *repo,
				 pthread_mutex_t *lock)
{
	w->commit_repo = repo;
	w->commit_lock = lock;
}


void commit_differ_free(struct commit_differ *w)
{
	if (!w)
		return;
	attr_cache_free(&w->attrs);
	blob_cache_clear(&w->blobs);
	code_sketcher_free(w->sketcher);
	git_odb_free(w->odb);
	git_repository_free(w->blob_repo);
	git_repository_free(w->repo);
	free(w);
}
