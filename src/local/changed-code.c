/*
 * changed-code.c: the old side of a diff's hunks per file, from the index,
 * a commit, or a region of a file (see changed-code.h).
 */
#include "local/changed-code.h"
#include "common/language.h"
#include "common/repo.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct changed_file *add_file(struct changed_code *cc, const char *path)
{
	struct changed_file *f;

	ALLOC_GROW(cc->files, cc->nr + 1, cc->alloc);
	f = &cc->files[cc->nr++];
	f->path = xstrdup(path);
	f->language = language_from_path(path);
	strbuf_init(&f->code, 0);
	memset(&f->hunks, 0, sizeof(f->hunks));
	f->last_hunk = -1;
	return f;
}

static int old_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *line,
		    void *payload)
{
	struct changed_code *cc = payload;
	struct changed_file *f;

	if (line->origin != GIT_DIFF_LINE_CONTEXT && line->origin != GIT_DIFF_LINE_DELETION)
		return 0;
	f = cc->nr ? &cc->files[cc->nr - 1] : NULL;
	if (!f || strcmp(f->path, d->old_file.path))
		f = add_file(cc, d->old_file.path);
	/* each hunk's old side is tokenized on its own (tokenize_parts) */
	if (h && h->old_start != f->last_hunk) {
		f->last_hunk = h->old_start;
		hunks_add(&f->hunks, f->code.len, 0);
	}
	strbuf_add(&f->code, line->content, line->content_len);
	return 0;
}

static int from_diff(struct changed_code *cc, git_diff *diff)
{
	git_diff_find_options fo;
	size_t i, kept = 0;

	/* renames as extraction finds them (git's 50%): a moved file is no change */
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	fo.rename_threshold = 50;
	fo.rename_limit = 1000;
	if (git_diff_find_similar(diff, &fo) < 0)
		return git_error_set_from("cannot detect renames");
	cc->nr_changed = git_diff_num_deltas(diff);
	if (git_diff_foreach(diff, NULL, NULL, NULL, old_line, cc) < 0)
		return git_error_set_from("cannot diff");
	/* a file whose hunks only add lines left nothing of its old side */
	for (i = 0; i < cc->nr; i++) {
		if (cc->files[i].code.len) {
			cc->files[kept++] = cc->files[i];
		} else {
			free(cc->files[i].path);
			strbuf_release(&cc->files[i].code);
			hunks_release(&cc->files[i].hunks);
		}
	}
	cc->nr = kept;
	return 0;
}

static void diff_options(git_diff_options *o, int context)
{
	git_diff_options_init(o, GIT_DIFF_OPTIONS_VERSION);
	o->context_lines = (uint32_t)context;
	o->interhunk_lines = 0;
	o->flags = GIT_DIFF_INDENT_HEURISTIC; /* binary files stay binary: no lines */
}

int changed_code_staged(struct changed_code *cc, git_repository *repo, int context)
{
	git_object *head = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_diff *diff = NULL;
	git_diff_options o;
	int ret = -1, rc;

	diff_options(&o, context);
	rc = git_revparse_single(&head, repo, "HEAD^{tree}");
	if (rc < 0 && rc != GIT_ENOTFOUND && rc != GIT_EUNBORNBRANCH) {
		git_error_set_from("cannot read HEAD");
		goto out;
	}
	/* no commit yet: everything staged is new, compared with no tree */
	if (!rc) {
		tree = (git_tree *)head;
		head = NULL;
	}
	if (git_repository_index(&index, repo) < 0 ||
	    git_diff_tree_to_index(&diff, repo, tree, index, &o) < 0) {
		git_error_set_from("cannot diff the staged changes");
		goto out;
	}
	ret = from_diff(cc, diff);
out:
	git_diff_free(diff);
	git_index_free(index);
	git_tree_free(tree);
	git_object_free(head);
	return ret;
}

int changed_code_commit(struct changed_code *cc, git_repository *repo, const char *rev,
			int context)
{
	git_object *obj = NULL;
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	git_diff *diff = NULL;
	git_diff_options o;
	int ret = -1;

	diff_options(&o, context);
	if (git_revparse_single(&obj, repo, rev) < 0 ||
	    git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		err_set("not a commit: '%s'", rev);
		goto out;
	}
	git_oid_tostr(cc->commit, sizeof(cc->commit), git_commit_id(commit));
	if ((git_commit_parentcount(commit) &&
	     (git_commit_parent(&parent, commit, 0) < 0 || git_commit_tree(&ptree, parent) < 0)) ||
	    git_commit_tree(&tree, commit) < 0 ||
	    git_diff_tree_to_tree(&diff, repo, ptree, tree, &o) < 0) {
		git_error_set_from("cannot diff the commit");
		goto out;
	}
	ret = from_diff(cc, diff);
out:
	git_diff_free(diff);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_commit_free(commit);
	git_object_free(obj);
	return ret;
}

int changed_code_file(struct changed_code *cc, const char *path, long from, long to)
{
	struct strbuf all = STRBUF_INIT;
	struct changed_file *f;
	const char *p, *end;
	long line = 1;
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!fp)
		return err_set("cannot read '%s': %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&all, buf, n);
	if (ferror(fp)) {
		fclose(fp);
		strbuf_release(&all);
		return err_set("cannot read '%s': %s", path, strerror(errno));
	}
	fclose(fp);
	/* git's rule: a NUL in the first 8000 bytes (the diffs skip such files too) */
	if (memchr(all.buf, '\0', all.len < 8000 ? all.len : 8000)) {
		strbuf_release(&all);
		return err_set("'%s' is binary: recall looks for code", path);
	}
	f = add_file(cc, path);
	f->language = language_detect(path, all.buf, all.len);
	if (!from) {
		strbuf_add(&f->code, all.buf, all.len);
		strbuf_release(&all);
		return 0;
	}
	for (p = all.buf, end = all.buf + all.len; p < end && line <= to; line++) {
		const char *nl = memchr(p, '\n', end - p);
		const char *next = nl ? nl + 1 : end;
		if (line >= from)
			strbuf_add(&f->code, p, next - p);
		p = next;
	}
	strbuf_release(&all);
	if (line <= from)
		return err_set("'%s' has only %ld lines", path, line - 1);
	return 0;
}

void changed_code_release(struct changed_code *cc)
{
	size_t i;

	for (i = 0; i < cc->nr; i++) {
		free(cc->files[i].path);
		strbuf_release(&cc->files[i].code);
		hunks_release(&cc->files[i].hunks);
	}
	free(cc->files);
	cc->files = NULL;
	cc->nr = cc->alloc = 0;
}
