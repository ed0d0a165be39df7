/*
 * recall.c: recall over the changed files, the hits as text or JSON, and
 * the post-commit hint (see recall.h).
 */
#include "local/recall.h"
#include "common/util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int recall_changed_code(struct store *s, const struct changed_code *cc,
			const struct recall_options *o, struct recall_hits *hits)
{
	size_t i;

	for (i = 0; i < cc->nr; i++) {
		struct recall_query q = { 0 };
		q.language = cc->files[i].language;
		q.code = cc->files[i].code.buf;
		q.len = cc->files[i].code.len;
		q.starts = cc->files[i].hunks.before;
		q.nr_starts = cc->files[i].hunks.nr;
		q.problem_type = o->problem_type;
		q.exclude_commit = o->exclude_commit;
		q.limit = o->limit;
		q.min_score = o->min_score;
		q.exhaustive = o->exhaustive;
		if (recall_find(s, &q, hits) < 0)
			return -1;
	}
	recall_hits_finish(hits, o->limit);
	return 0;
}

void recall_hit_diff(struct strbuf *out, const struct recall_hit *h)
{
	git_patch *patch = NULL;
	git_buf buf = { 0 };
	git_diff_options o;
	const char *path = h->file_path && *h->file_path ? h->file_path : "code";

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(&patch, h->before_code, h->before_len, path,
				   h->after_code, h->after_len, path, &o) < 0 ||
	    git_patch_to_buf(&buf, patch) < 0) {
		strbuf_addstr(out, "(no diff)\n");
	} else {
		/* the "diff --git" header says nothing the hit line does not */
		const char *p = strstr(buf.ptr, "\n--- ");
		p = p ? p + 1 : buf.ptr;
		utf8_sanitize(out, p, buf.size - (size_t)(p - buf.ptr));
	}
	git_buf_dispose(&buf);
	git_patch_free(patch);
}

static double rounded(double score)
{
	return round(score * 10000) / 10000;
}

/*
 * s (or "-" when empty) at most max bytes, control bytes as spaces: the
 * fields of a team pattern come from the server, and must not drive the
 * terminal.
 */
static void add_field(struct strbuf *out, const char *s, size_t max)
{
	size_t n;

	if (!s || !*s)
		s = "-";
	for (n = 0; s[n] && n < max; n++)
		strbuf_addch(out, (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? ' ' : s[n]);
}

void recall_format_text(struct strbuf *out, const struct recall_hits *hits)
{
	size_t i;

	for (i = 0; i < hits->nr; i++) {
		const struct recall_hit *h = &hits->items[i];

		if (i)
			strbuf_addch(out, '\n');
		strbuf_addf(out, "%.2f ", h->score);
		add_field(out, h->pattern_id, SIZE_MAX);
		strbuf_addch(out, ' ');
		add_field(out, h->problem_type, SIZE_MAX);
		strbuf_addch(out, ' ');
		add_field(out, h->file_path, SIZE_MAX);
		strbuf_addch(out, ' ');
		add_field(out, h->commit_id, 12);
		strbuf_addstr(out, h->origin && !strcmp(h->origin, "team") ? " [team] " : " ");
		/* a subject is one line */
		if (h->subject && *h->subject)
			add_field(out, h->subject, SIZE_MAX);
		strbuf_addch(out, '\n');
		recall_hit_diff(out, h);
	}
}

void recall_hit_json(struct json_writer *jw, const struct recall_hit *h)
{
	struct strbuf diff = STRBUF_INIT;

	jw_object_begin(jw);
	jw_key(jw, "pattern_id");
	jw_string(jw, h->pattern_id);
	jw_key(jw, "score");
	jw_double(jw, rounded(h->score));
	jw_key(jw, "problem_type");
	jw_string(jw, h->problem_type);
	jw_key(jw, "commit_msg");
	jw_string(jw, h->subject);
	jw_key(jw, "file_path");
	jw_string(jw, h->file_path);
	jw_key(jw, "commit");
	jw_string(jw, h->commit_id);
	jw_key(jw, "language");
	jw_string(jw, h->language);
	jw_key(jw, "date");
	jw_string(jw, h->date);
	jw_key(jw, "origin");
	jw_string(jw, h->origin);
	jw_key(jw, "server_id");
	jw_string(jw, h->server_id);
	recall_hit_diff(&diff, h);
	jw_key(jw, "diff");
	jw_string_len(jw, diff.buf, diff.len);
	jw_key(jw, "before_code");
	jw_string_len(jw, h->before_code, h->before_len);
	jw_key(jw, "after_code");
	jw_string_len(jw, h->after_code, h->after_len);
	jw_object_end(jw);
	strbuf_release(&diff);
}

void recall_format_json(struct strbuf *out, const char *source, const struct recall_hits *hits,
			double took_ms)
{
	struct json_writer jw;
	size_t i;

	jw_init(&jw, out, 1);
	jw_object_begin(&jw);
	jw_key(&jw, "source");
	jw_string(&jw, source);
	jw_key(&jw, "hits");
	jw_array_begin(&jw);
	for (i = 0; i < hits->nr; i++)
		recall_hit_json(&jw, &hits->items[i]);
	jw_array_end(&jw);
	jw_key(&jw, "count");
	jw_int(&jw, (int64_t)hits->nr);
	if (took_ms >= 0) {
		jw_key(&jw, "took_ms");
		jw_double(&jw, round(took_ms * 100) / 100);
	}
	jw_object_end(&jw);
	strbuf_addch(out, '\n');
}

char *recall_last_path(git_repository *repo, const char *ext)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, git_repository_commondir(repo));
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	strbuf_addf(&sb, "/patterns/recall-last.%s", ext);
	return strbuf_detach(&sb, NULL);
}

/* Write data to path through a temporary file and a rename. */
static int write_atomic(const char *path, const struct strbuf *data)
{
	char *tmp = xstrfmt("%s.%ld.tmp", path, (long)getpid());
	FILE *fp = fopen(tmp, "wb");
	int ok = fp && fwrite(data->buf, 1, data->len, fp) == data->len;

	if (fp && fclose(fp))
		ok = 0;
	if (!ok || rename(tmp, path) < 0) {
		err_set("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int head_is(git_repository *repo, const char *commit_hex)
{
	git_oid head;
	char hex[GIT_OID_HEXSZ + 1];

	if (git_reference_name_to_id(&head, repo, "HEAD") < 0)
		return 0;
	return !strcmp(git_oid_tostr(hex, sizeof(hex), &head), commit_hex);
}

int recall_hint_for_commit(git_repository *repo, struct store *s, const char *commit_hex,
			   int context, struct strbuf *summary)
{
	struct changed_code cc = CHANGED_CODE_INIT;
	struct recall_hits hits = RECALL_HITS_INIT;
	struct recall_options o = { NULL, 1, 0.5, commit_hex, 0 };
	struct strbuf text = STRBUF_INIT, json = STRBUF_INIT;
	char *path;
	int ret = -1;

	if (changed_code_commit(&cc, repo, commit_hex, context) < 0 ||
	    recall_changed_code(s, &cc, &o, &hits) < 0)
		goto out;
	strbuf_addf(&text, "commit %s\n", commit_hex);
	if (hits.nr) {
		const struct recall_hit *h = &hits.items[0];
		strbuf_addf(summary, "recall: %.12s looks like pattern %s (%.2f, %s: %s)",
			    commit_hex, h->pattern_id, h->score, h->file_path,
			    h->subject ? h->subject : "");
		recall_format_text(&text, &hits);
	} else {
		strbuf_addf(summary, "recall: nothing earlier like %.12s", commit_hex);
		strbuf_addstr(&text, "nothing earlier is like it\n");
	}
	recall_format_json(&json, commit_hex, &hits, -1);
	/*
	 * Background hooks of quick successive commits may finish out of
	 * order: only the commit still at HEAD may replace the last hint.
	 */
	if (!head_is(repo, commit_hex)) {
		ret = 0;
		goto out;
	}
	path = recall_last_path(repo, "txt");
	ret = write_atomic(path, &text);
	free(path);
	if (!ret) {
		path = recall_last_path(repo, "json");
		ret = write_atomic(path, &json);
		free(path);
	}
out:
	strbuf_release(&text);
	strbuf_release(&json);
	recall_hits_release(&hits);
	changed_code_release(&cc);
	return ret;
}
