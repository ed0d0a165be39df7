/*
 * export.c: stream patterns out of the store as JSONL or CommitPack
 * records (see export.h). Rows are read one at a time and written through
 * one reused buffer, so memory does not grow with the store.
 */
#include "local/export.h"
#include "common/json.h"
#include "common/license.h"
#include "common/pattern.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int export_range_begin(struct store *s)
{
	return store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS export_range ("
			     " commit_id TEXT PRIMARY KEY, ord INTEGER NOT NULL);"
			     "DELETE FROM temp.export_range;");
}

static const char export_sql[] =
	"SELECT p.pattern_id, p.problem_type, p.before_code, p.after_code, p.commit_msg,"
	" p.author, p.date, p.confidence, p.commit_id, p.file_path, p.old_path, p.language,"
	" p.solution_hash, p.author_name, p.commit_body"
	" FROM patterns p %s"
	" WHERE (?1 IS NULL OR p.variant = ?1 OR p.origin = 'team')"
	"  AND (?2 IS NULL OR p.problem_type = ?2)"
	"  AND (?3 IS NULL OR p.language = ?3)"
	"  AND p.commit_time >= ?4"
	"  AND p.confidence >= ?5"
	"  AND (?6 OR p.problem_type <> 'unknown')"
	"  AND (?7 OR p.origin = 'local')"
	"  AND NOT " SQL_TEAM_ROW_SHADOWED("p")
	"  AND (?8 OR p.obsolete = 0)"
	" ORDER BY %s";

/* CommitPack writes language names, not our lower-case ids. */
static const char *commitpack_lang(const char *lang)
{
	static const char *const names[][2] = {
		{ "c", "C" },		      { "cpp", "C++" },		  { "csharp", "C#" },
		{ "css", "CSS" },	      { "go", "Go" },		  { "html", "HTML" },
		{ "java", "Java" },	      { "javascript", "JavaScript" }, { "json", "JSON" },
		{ "kotlin", "Kotlin" },	      { "lua", "Lua" },		  { "makefile", "Makefile" },
		{ "markdown", "Markdown" },   { "perl", "Perl" },	  { "php", "PHP" },
		{ "python", "Python" },	      { "ruby", "Ruby" },	  { "rust", "Rust" },
		{ "scala", "Scala" },	      { "shell", "Shell" },	  { "sql", "SQL" },
		{ "swift", "Swift" },	      { "typescript", "TypeScript" }, { "yaml", "YAML" },
		{ "dockerfile", "Dockerfile" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(lang, names[i][0]))
			return names[i][1];
	return lang;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : NULL;
}

static void write_commitpack(struct strbuf *out, sqlite3_stmt *st, const struct export_options *o,
			     struct license_cache *licenses)
{
	struct json_writer jw;
	struct strbuf msg = STRBUF_INIT;
	const char *path = col_text(st, 9), *old = col_text(st, 10);
	const char *subject = col_text(st, 4), *body = col_text(st, 14);

	strbuf_addstr(&msg, subject ? subject : "");
	if (body && *body) {
		strbuf_addstr(&msg, "\n\n");
		strbuf_addstr(&msg, body);
	}
	jw_init(&jw, out, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "commit");
	jw_string(&jw, col_text(st, 8) ? col_text(st, 8) : "");
	jw_key(&jw, "old_file");
	jw_string(&jw, old ? old : path);
	jw_key(&jw, "new_file");
	jw_string(&jw, path);
	jw_key(&jw, "old_contents");
	jw_string_len(&jw, sqlite3_column_blob(st, 2) ? sqlite3_column_blob(st, 2) : "",
		      (size_t)sqlite3_column_bytes(st, 2));
	jw_key(&jw, "new_contents");
	jw_string_len(&jw, sqlite3_column_blob(st, 3) ? sqlite3_column_blob(st, 3) : "",
		      (size_t)sqlite3_column_bytes(st, 3));
	jw_key(&jw, "subject");
	jw_string(&jw, subject ? subject : "");
	jw_key(&jw, "message");
	jw_string_len(&jw, msg.buf, msg.len);
	jw_key(&jw, "lang");
	jw_string(&jw, commitpack_lang(col_text(st, 11) ? col_text(st, 11) : ""));
	{
		/* a commit not in this repository is another project's: no provenance */
		const char *license = license_at_commit(o->repo, col_text(st, 8) ? col_text(st, 8) : "",
							licenses);
		jw_key(&jw, "license");
		jw_string(&jw, license ? license : "");
		jw_key(&jw, "repos");
		jw_string(&jw, license && o->repos ? o->repos : "");
	}
	jw_object_end(&jw);
	strbuf_release(&msg);
}

/* Fill p from the current row; the strings point into the statement. */
static void row_to_pattern(sqlite3_stmt *st, struct pattern *p)
{
	const char *s;
	memset(p, 0, sizeof(*p));
	snprintf(p->pattern_id, sizeof(p->pattern_id), "%s", col_text(st, 0) ? col_text(st, 0) : "");
	p->problem_type = col_text(st, 1);
	p->before_code = sqlite3_column_blob(st, 2);
	p->before_len = (size_t)sqlite3_column_bytes(st, 2);
	p->after_code = sqlite3_column_blob(st, 3);
	p->after_len = (size_t)sqlite3_column_bytes(st, 3);
	p->commit_msg = col_text(st, 4);
	p->author = col_text(st, 5);
	p->date = col_text(st, 6);
	p->confidence = sqlite3_column_double(st, 7);
	s = col_text(st, 8);
	snprintf(p->commit, sizeof(p->commit), "%s", s ? s : "");
	p->file_path = col_text(st, 9);
	p->old_path = col_text(st, 10);
	p->language = col_text(st, 11);
	s = col_text(st, 12);
	snprintf(p->solution_hash, sizeof(p->solution_hash), "%s", s ? s : "");
	p->author_name = col_text(st, 13);
	p->commit_body = col_text(st, 14);
}

int export_patterns(struct store *s, const struct export_options *o, FILE *out, size_t *count)
{
	struct strbuf sql = STRBUF_INIT, line = STRBUF_INIT;
	struct license_cache licenses = LICENSE_CACHE_INIT;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc, ret = 0;

	strbuf_addf(&sql, export_sql,
		    o->use_range ? "JOIN temp.export_range r ON r.commit_id = p.commit_id" : "",
		    o->use_range ? "r.ord, p.file_path"
				 : "p.commit_time DESC, p.commit_id, p.file_path, p.id");
	st = store_prepare(s, sql.buf);
	strbuf_release(&sql);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, o->variant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->problem_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->language, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, o->since);
	sqlite3_bind_double(st, 5, o->min_confidence);
	sqlite3_bind_int(st, 6, o->include_unknown);
	sqlite3_bind_int(st, 7, o->include_team);
	sqlite3_bind_int(st, 8, o->include_obsolete);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_reset(&line);
		if (o->format == EXPORT_COMMITPACK) {
			write_commitpack(&line, st, o, &licenses);
		} else {
			struct pattern p;
			row_to_pattern(st, &p);
			pattern_write_jsonl(&line, &p);
		}
		strbuf_addch(&line, '\n');
		if (fwrite(line.buf, 1, line.len, out) != line.len) {
			ret = err_set("write error: %s", strerror(ferror(out) ? errno : EIO));
			break;
		}
		n++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = store_error(s, "cannot read patterns");
	sqlite3_finalize(st);
	strbuf_release(&line);
	if (count)
		*count = n;
	return ret;
}

int export_to_path(struct store *s, const struct export_options *o, const char *path,
		   size_t *count)
{
	char *tmp;
	FILE *f;
	int ret;

	if (!strcmp(path, "-")) {
		ret = export_patterns(s, o, stdout, count);
		if (!ret && fflush(stdout))
			ret = err_set("write error on standard output: %s", strerror(errno));
		return ret;
	}
	tmp = xstrfmt("%s.tmp-%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		ret = err_set("cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return ret;
	}
	ret = export_patterns(s, o, f, count);
	if (!ret && (fflush(f) || fsync(fileno(f))))
		ret = err_set("cannot write '%s': %s", path, strerror(errno));
	if (fclose(f) && !ret)
		ret = err_set("cannot write '%s': %s", path, strerror(errno));
	if (!ret && rename(tmp, path) < 0)
		ret = err_set("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
