/*
 * export.c: stream patterns out of the store as JSONL or CommitPack
 * records (see export.h), from the rows store-patterns.h hands out one at
 * a time, written through one reused buffer: memory does not grow with
 * the store.
 */
#include "local/export.h"
#include "local/store-patterns.h"
#include "common/json.h"
#include "common/language.h"
#include "common/license.h"
#include "common/pattern.h"
#include "common/strbuf.h"
#include "common/tempfile.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int export_set_range(struct store *s, const git_oid *ids, size_t nr)
{
	return pattern_store_set_range(s, ids, nr);
}

struct export_ctx {
	const struct export_options *o;
	FILE *out;
	const char *out_name;	/* for errors: "standard output", or the file */
	struct strbuf line;	/* reused for every record */
	size_t n;
	struct license_cache licenses;
};

static void write_commitpack(struct strbuf *out, const struct pattern_row *r,
			     struct export_ctx *x)
{
	const char *license;
	struct json_writer jw;
	struct strbuf msg = STRBUF_INIT;
	const char *path = r->file_path, *old = r->old_path;
	const char *subject = r->commit_msg, *body = r->commit_body;

	strbuf_addstr(&msg, subject ? subject : "");
	if (body && *body) {
		strbuf_addstr(&msg, "\n\n");
		strbuf_addstr(&msg, body);
	}
	jw_init(&jw, out, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "commit");
	jw_string(&jw, r->commit_id ? r->commit_id : "");
	jw_key(&jw, "old_file");
	jw_string(&jw, old ? old : path);
	jw_key(&jw, "new_file");
	jw_string(&jw, path);
	jw_key(&jw, "old_contents");
	jw_string_len(&jw, r->before_code, r->before_len);
	jw_key(&jw, "new_contents");
	jw_string_len(&jw, r->after_code, r->after_len);
	jw_key(&jw, "subject");
	jw_string(&jw, subject ? subject : "");
	jw_key(&jw, "message");
	jw_string_len(&jw, msg.buf, msg.len);
	jw_key(&jw, "lang");
	jw_string(&jw, language_linguist_name(r->language ? r->language : ""));
	/* a commit not in this repository is another project's: no provenance */
	license = license_at_commit(x->o->repo, r->commit_id ? r->commit_id : "", &x->licenses);
	jw_key(&jw, "license");
	jw_string(&jw, license ? license : "");
	jw_key(&jw, "repos");
	jw_string(&jw, license && x->o->repos ? x->o->repos : "");
	jw_object_end(&jw);
	strbuf_release(&msg);
}

/* Fill p from r; the strings stay r's. */
static void row_to_pattern(const struct pattern_row *r, struct pattern *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->pattern_id, sizeof(p->pattern_id), "%s", r->pattern_id ? r->pattern_id : "");
	p->problem_type = r->problem_type;
	p->rule = r->rule;
	p->before_code = r->before_code;
	p->before_len = r->before_len;
	p->after_code = r->after_code;
	p->after_len = r->after_len;
	p->commit_msg = r->commit_msg;
	p->author = r->author;
	p->date = r->date;
	p->confidence = r->confidence;
	snprintf(p->commit, sizeof(p->commit), "%s", r->commit_id ? r->commit_id : "");
	p->file_path = r->file_path;
	p->old_path = r->old_path;
	p->language = r->language;
	snprintf(p->solution_hash, sizeof(p->solution_hash), "%s",
		 r->solution_hash ? r->solution_hash : "");
	p->author_name = r->author_name;
	p->commit_body = r->commit_body;
	p->file_role = r->file_role;
	p->code_change = r->code_change;
}

static int write_row(const struct pattern_row *r, void *data)
{
	struct export_ctx *x = data;

	strbuf_reset(&x->line);
	if (x->o->format == EXPORT_COMMITPACK) {
		write_commitpack(&x->line, r, x);
	} else {
		struct pattern p;
		row_to_pattern(r, &p);
		pattern_write_jsonl(&x->line, &p);
	}
	strbuf_addch(&x->line, '\n');
	if (fwrite(x->line.buf, 1, x->line.len, x->out) != x->line.len)
		return err_set("cannot write %s: %s", x->out_name,
			       strerror(ferror(x->out) ? errno : EIO));
	x->n++;
	return 0;
}

int export_patterns(struct store *s, const struct export_options *o, FILE *out,
		    const char *out_name, size_t *count)
{
	struct export_ctx x = { o, out, out_name, STRBUF_INIT, 0, LICENSE_CACHE_INIT };
	const struct pattern_export_filter f = {
		.variant = o->variant,
		.problem_type = o->problem_type,
		.language = o->language,
		.since = o->since,
		.min_confidence = o->min_confidence,
		.include_unknown = o->include_unknown,
		.include_team = o->include_team,
		.include_obsolete = o->include_obsolete,
		.use_range = o->use_range,
		.file_role = o->file_role,
		.code_only = o->code_only,
	};
	int ret = pattern_store_export(s, &f, write_row, &x);

	strbuf_release(&x.line);
	if (count)
		*count = x.n;
	return ret;
}

/* Export into f, an open stream on path; then flush (and sync a file), close. */
static int export_into(struct store *s, const struct export_options *o, FILE *f,
		       const char *path, int sync, size_t *count)
{
	char *name = xstrfmt("'%s'", path);
	int ret = export_patterns(s, o, f, name, count);

	if (!ret && (fflush(f) || (sync && fsync(fileno(f)))))
		ret = err_set("cannot write '%s': %s", path, strerror(errno));
	if (fclose(f) && !ret)
		ret = err_set("cannot write '%s': %s", path, strerror(errno));
	free(name);
	return ret;
}

int export_to_path(struct store *s, const struct export_options *o, const char *path,
		   size_t *count)
{
	char *tmp, *real = NULL;
	const char *dest;
	struct stat st, lst;
	FILE *f;
	int fd, ret, exists, is_link;

	if (!strcmp(path, "-")) {
		ret = export_patterns(s, o, stdout, "standard output", count);
		if (!ret && fflush(stdout))
			ret = err_set("write error on standard output: %s", strerror(errno));
		return ret;
	}
	exists = !stat(path, &st); /* through links */
	if (exists && S_ISDIR(st.st_mode))
		return err_set("cannot write '%s': it is a folder", path);
	is_link = !lstat(path, &lst) && S_ISLNK(lst.st_mode);
	if (is_link)
		real = realpath(path, NULL); /* NULL: a link to no file yet */
	/*
	 * A device, FIFO or socket (/dev/stdout, a named pipe) is written in
	 * place: renamed over, it would become a file (as root, in /dev). So
	 * is a symbolic link to a file not there yet.
	 */
	if ((exists && !S_ISREG(st.st_mode)) || (is_link && !real)) {
		free(real);
		f = fopen(path, "w");
		if (!f)
			return err_set("cannot write '%s': %s", path, strerror(errno));
		return export_into(s, o, f, path, 0, count);
	}
	/*
	 * A file is replaced by a complete one, renamed over it; through a
	 * symbolic link (real), the file it points to (the link stays).
	 */
	dest = real ? real : path;
	tmp = tempfile_create(dest, &fd);
	if (!tmp || !(f = fdopen(fd, "w"))) {
		ret = err_set("cannot write '%s': %s", path, strerror(errno));
		if (tmp) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	ret = export_into(s, o, f, path, 1, count);
	if (!ret && rename(tmp, dest) < 0)
		ret = err_set("cannot rename '%s' to '%s': %s", tmp, dest, strerror(errno));
	if (ret)
		unlink(tmp);
out:
	if (tmp)
		tempfile_forget(tmp);
	free(tmp);
	free(real);
	return ret;
}
