/*
 * ui-pages.c: the web interface's pages, rendered into a strbuf.
 *
 * The markup here is literal; every value that comes from the database or
 * the request goes through html_esc() (and url_esc() inside links), so
 * stored text can never become markup. No inline script or style: the
 * look is in the stylesheet (ui-style.css), which the Content-Security-
 * Policy lets the pages load from this server only.
 */
#include "server/ui.h"
#include "common/json.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

static const char *const problem_types[] = {
	"bug_fix", "feature_addition", "refactoring", "optimization",
	"security", "testing", "documentation", "unknown",
};

/* ---- small pieces ---- */

static void add_csrf(struct strbuf *sb, const struct ui_session *s)
{
	strbuf_addstr(sb, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_esc(sb, s->csrf);
	strbuf_addstr(sb, "\">");
}

/* 100000 as "100,000" */
static void add_count(struct strbuf *sb, long long n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%lld", n < 0 ? 0 : n);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			strbuf_addch(sb, ',');
		strbuf_addch(sb, digits[i]);
	}
}

/* "bug_fix" as "bug fix" */
static void add_type(struct strbuf *sb, const char *type)
{
	strbuf_addstr(sb, "<span class=\"tag tag-");
	/* a stored type is one of the known ones; anything else gets no colour */
	for (size_t i = 0; i < ARRAY_SIZE(problem_types); i++)
		if (type && !strcmp(type, problem_types[i]))
			strbuf_addstr(sb, problem_types[i]);
	strbuf_addstr(sb, "\">");
	for (const char *p = type ? type : ""; *p; p++) {
		if (*p == '_')
			strbuf_addch(sb, ' ');
		else
			html_esc_len(sb, p, 1);
	}
	strbuf_addstr(sb, "</span>");
}

/*
 * The first line of s, at most max bytes cut at a character boundary
 * (with an ellipsis when cut), escaped.
 */
static void add_first_line(struct strbuf *sb, const char *s, size_t max)
{
	size_t len = strcspn(s, "\n");
	int cut = len > max;
	if (cut) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	html_esc_len(sb, s, len);
	if (cut)
		strbuf_addstr(sb, "\xe2\x80\xa6");
}

static void add_subject(struct strbuf *sb, const struct sdb_pattern *p, size_t max)
{
	const char *msg = p->extra[SDB_COMMIT_MSG];
	if (msg && *msg)
		add_first_line(sb, msg, max);
	else if (p->extra[SDB_FILE_PATH])
		html_esc(sb, p->extra[SDB_FILE_PATH]);
	else
		html_esc(sb, p->id);
}

static void add_confidence(struct strbuf *sb, const struct sdb_pattern *p)
{
	if (p->has_confidence)
		strbuf_addf(sb, "%.2f", p->confidence);
	else
		strbuf_addstr(sb, "\xe2\x80\x94");
}

/* A date "2026-12-07T04:14:27Z" as "2026-12-07". */
static void add_day(struct strbuf *sb, const char *when)
{
	if (when)
		html_esc_len(sb, when, strnlen(when, 10));
}

/* ---- the frame of every page ---- */

void ui_page_begin(struct strbuf *sb, const char *title, const struct ui_session *s,
		   const char *section)
{
	static const struct {
		const char *name, *href, *label;
		int admin;
	} nav[] = {
		{ "patterns", "/ui/", "Patterns", 0 },
		{ "projects", "/ui/projects", "Projects", 0 },
		{ "adapters", "/ui/adapters", "Adapters", 0 },
		{ "keys", "/ui/keys", "Keys", 1 },
	};

	strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			  "<title>");
	html_esc(sb, title);
	strbuf_addstr(sb, " \xc2\xb7 git-patterns</title>\n"
			  "<link rel=\"stylesheet\" href=\"/ui/assets/style.css\">\n"
			  "</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to the content</a>\n"
			  "<header class=\"top\">\n"
			  "<a class=\"brand\" href=\"/ui/\">git-patterns</a>\n");
	if (s) {
		strbuf_addstr(sb, "<nav aria-label=\"Sections\">");
		for (size_t i = 0; i < ARRAY_SIZE(nav); i++) {
			if (nav[i].admin && !s->is_admin)
				continue;
			strbuf_addf(sb, "<a href=\"%s\"%s>%s</a>", nav[i].href,
				    section && !strcmp(section, nav[i].name)
					    ? " aria-current=\"page\""
					    : "",
				    nav[i].label);
		}
		strbuf_addstr(sb, "</nav>\n<form class=\"signout\" method=\"post\" "
				  "action=\"/ui/logout\">");
		add_csrf(sb, s);
		strbuf_addstr(sb, "<span class=\"who\">");
		html_esc(sb, s->user);
		if (s->is_admin)
			strbuf_addstr(sb, " <span class=\"badge\">admin</span>");
		strbuf_addstr(sb, "</span><button type=\"submit\">Sign out</button></form>\n");
	}
	strbuf_addstr(sb, "</header>\n<main id=\"main\">\n");
}

void ui_page_end(struct strbuf *sb)
{
	strbuf_addstr(sb, "</main>\n</body>\n</html>\n");
}

/* ---- sign in, errors ---- */

void ui_render_login(struct strbuf *sb, const char *message)
{
	ui_page_begin(sb, "Sign in", NULL, NULL);
	strbuf_addstr(sb, "<section class=\"login\">\n<h1>Sign in</h1>\n"
			  "<p>Sign in with your team API key (an admin makes one with "
			  "<code>git patterns server add-key</code>).</p>\n");
	if (message) {
		strbuf_addstr(sb, "<p class=\"error\" role=\"alert\">");
		html_esc(sb, message);
		strbuf_addstr(sb, "</p>\n");
	}
	strbuf_addstr(sb, "<form method=\"post\" action=\"/ui/login\">\n"
			  "<label for=\"key\">API key</label>\n"
			  "<input id=\"key\" name=\"key\" type=\"password\" "
			  "autocomplete=\"current-password\" required autofocus>\n"
			  "<button type=\"submit\">Sign in</button>\n</form>\n</section>\n");
	ui_page_end(sb);
}

void ui_render_error(struct strbuf *sb, const struct ui_session *s, int status,
		     const char *message)
{
	char title[32];
	snprintf(title, sizeof(title), "Error %d", status);
	ui_page_begin(sb, title, s, NULL);
	strbuf_addf(sb, "<h1>%s</h1>\n<p class=\"error\" role=\"alert\">", title);
	html_esc(sb, message);
	strbuf_addstr(sb, "</p>\n<p><a href=\"/ui/\">Back to the patterns</a></p>\n");
	ui_page_end(sb);
}

/* ---- the patterns list ---- */

/* The list's URL with these filters and page, escaped for an attribute. */
static void add_list_href(struct strbuf *sb, const struct ui_filters *f, long long page)
{
	struct strbuf url = STRBUF_INIT;
	const char *const names[] = { "q", "type", "language", "project" };
	const char *const values[] = { f->q, f->problem_type, f->language, f->project_id };
	char sep = '?';

	strbuf_addstr(&url, "/ui/");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!values[i])
			continue;
		strbuf_addf(&url, "%c%s=", sep, names[i]);
		url_esc(&url, values[i]);
		sep = '&';
	}
	if (page > 1)
		strbuf_addf(&url, "%cpage=%lld", sep, page);
	html_esc(sb, url.buf);
	strbuf_release(&url);
}

static void add_text_filter(struct strbuf *sb, const char *id, const char *label,
			    const char *type, const char *value, const char *hint)
{
	strbuf_addf(sb, "<div class=\"field\"><label for=\"%s\">%s</label>"
			"<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"",
		    id, label, id, id, type);
	html_esc(sb, value);
	strbuf_addf(sb, "\" placeholder=\"%s\"></div>\n", hint);
}

void ui_render_patterns(struct strbuf *sb, const struct ui_session *s,
			const struct ui_filters *f, const struct sdb_pattern *rows, size_t nr,
			int has_next, long long total)
{
	int filtered = f->q || f->problem_type || f->language || f->project_id;

	ui_page_begin(sb, "Patterns", s, "patterns");
	strbuf_addstr(sb, "<h1>Patterns</h1>\n"
			  "<form class=\"filters\" method=\"get\" action=\"/ui/\" role=\"search\">\n");
	add_text_filter(sb, "q", "Search", "search", f->q, "message, file or code");
	strbuf_addstr(sb, "<div class=\"field\"><label for=\"type\">Type</label>"
			  "<select id=\"type\" name=\"type\"><option value=\"\">any type</option>");
	for (size_t i = 0; i < ARRAY_SIZE(problem_types); i++) {
		strbuf_addf(sb, "<option value=\"%s\"%s>", problem_types[i],
			    f->problem_type && !strcmp(f->problem_type, problem_types[i])
				    ? " selected"
				    : "");
		for (const char *p = problem_types[i]; *p; p++)
			strbuf_addch(sb, *p == '_' ? ' ' : *p);
		strbuf_addstr(sb, "</option>");
	}
	strbuf_addstr(sb, "</select></div>\n");
	add_text_filter(sb, "language", "Language", "text", f->language, "e.g. python");
	add_text_filter(sb, "project", "Project", "text", f->project_id, "project id");
	strbuf_addstr(sb, "<div class=\"actions\"><button type=\"submit\">Filter</button>");
	if (filtered)
		strbuf_addstr(sb, "<a class=\"clear\" href=\"/ui/\">Clear</a>");
	strbuf_addstr(sb, "</div>\n</form>\n<p class=\"summary\">");
	if (total >= 0) {
		add_count(sb, total);
		strbuf_addstr(sb, total == 1 ? " pattern" : " patterns");
		strbuf_addstr(sb, ", ranked by helpful votes, then newest");
	} else {
		strbuf_addstr(sb, "Matching patterns, ranked by helpful votes, then newest");
	}
	if (f->page > 1)
		strbuf_addf(sb, " \xc2\xb7 page %lld", f->page);
	strbuf_addstr(sb, "</p>\n");
	if (f->scan_limit) {
		strbuf_addstr(sb, "<p class=\"note\">A search of one or two characters looks at the ");
		add_count(sb, f->scan_limit);
		strbuf_addstr(sb, f->problem_type || f->language || f->project_id
					  ? " best ranked patterns of this selection only; "
					  : " best ranked patterns only; ");
		strbuf_addstr(sb, "type three or more to search them all.</p>\n");
	}

	if (!nr) {
		strbuf_addstr(sb, f->page > 1 ? "<p class=\"empty\">No more patterns.</p>\n"
					      : "<p class=\"empty\">No patterns match.</p>\n");
	} else {
		strbuf_addstr(sb, "<table class=\"patterns\">\n<thead><tr><th scope=\"col\">Type</th>"
				  "<th scope=\"col\">Change</th><th scope=\"col\">Language</th>"
				  "<th scope=\"col\" class=\"num\">Confidence</th>"
				  "<th scope=\"col\" class=\"num\">Helpful</th>"
				  "<th scope=\"col\">Added</th></tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < nr; i++) {
			const struct sdb_pattern *p = &rows[i];
			strbuf_addstr(sb, "<tr><td>");
			add_type(sb, p->problem_type);
			strbuf_addf(sb, "</td><td class=\"change\"><a href=\"/ui/patterns/%s\">",
				    p->id);
			add_subject(sb, p, 120);
			strbuf_addstr(sb, "</a>");
			if (p->extra[SDB_FILE_PATH]) {
				strbuf_addstr(sb, "<span class=\"path\">");
				html_esc(sb, p->extra[SDB_FILE_PATH]);
				strbuf_addstr(sb, "</span>");
			}
			strbuf_addstr(sb, "</td><td>");
			html_esc(sb, p->extra[SDB_LANGUAGE]);
			strbuf_addstr(sb, "</td><td class=\"num\">");
			add_confidence(sb, p);
			strbuf_addf(sb, "</td><td class=\"num\">%lld</td><td>", p->success_count);
			add_day(sb, p->created_at);
			strbuf_addstr(sb, "</td></tr>\n");
		}
		strbuf_addstr(sb, "</tbody>\n</table>\n");
	}
	if (f->page > 1 || has_next) {
		strbuf_addstr(sb, "<nav class=\"pager\" aria-label=\"Pages\">");
		if (f->page > 1) {
			strbuf_addstr(sb, "<a rel=\"prev\" href=\"");
			add_list_href(sb, f, f->page - 1);
			strbuf_addstr(sb, "\">\xe2\x86\x90 Previous</a>");
		}
		if (has_next) {
			strbuf_addstr(sb, "<a rel=\"next\" href=\"");
			add_list_href(sb, f, f->page + 1);
			strbuf_addstr(sb, "\">Next \xe2\x86\x92</a>");
		}
		strbuf_addstr(sb, "</nav>\n");
	}
	ui_page_end(sb);
}

/* ---- one pattern ---- */

static void add_meta(struct strbuf *sb, const char *label, const char *value, int code)
{
	if (!value || !*value)
		return;
	strbuf_addf(sb, "<dt>%s</dt><dd>%s", label, code ? "<code>" : "");
	html_esc(sb, value);
	strbuf_addf(sb, "%s</dd>\n", code ? "</code>" : "");
}

static void add_diff(struct strbuf *sb, const char *before, const char *after)
{
	struct ui_diff_row *rows;
	size_t nr = ui_diff_rows(before, after, &rows);
	static const char *const cls[] = { " ", "same", "-", "del", "+", "add", "~", "mod" };

	strbuf_addstr(sb, "<div class=\"diff-wrap\">\n<table class=\"diff\">\n"
			  "<caption>Before (left) and after (right), with line numbers</caption>\n"
			  "<colgroup><col class=\"ln\"><col class=\"code\"><col class=\"ln\">"
			  "<col class=\"code\"></colgroup>\n"
			  "<thead><tr><th scope=\"col\" colspan=\"2\">Before</th>"
			  "<th scope=\"col\" colspan=\"2\">After</th></tr></thead>\n<tbody>\n");
	if (!nr)
		strbuf_addstr(sb, "<tr><td colspan=\"4\" class=\"empty\">(both sides empty)</td></tr>\n");
	for (size_t i = 0; i < nr; i++) {
		const struct ui_diff_row *r = &rows[i];
		const char *c = "same";
		for (size_t k = 0; k < ARRAY_SIZE(cls); k += 2)
			if (r->kind == cls[k][0])
				c = cls[k + 1];
		strbuf_addf(sb, "<tr class=\"%s\">", c);
		if (r->old_no) {
			strbuf_addf(sb, "<td class=\"ln\">%d</td><td class=\"code old\">", r->old_no);
			html_esc_len(sb, r->old_line, r->old_len);
			strbuf_addstr(sb, "</td>");
		} else {
			strbuf_addstr(sb, "<td class=\"ln\"></td><td class=\"code none\"></td>");
		}
		if (r->new_no) {
			strbuf_addf(sb, "<td class=\"ln\">%d</td><td class=\"code new\">", r->new_no);
			html_esc_len(sb, r->new_line, r->new_len);
			strbuf_addstr(sb, "</td>");
		} else {
			strbuf_addstr(sb, "<td class=\"ln\"></td><td class=\"code none\"></td>");
		}
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table>\n</div>\n");
	free(rows);
}

static void add_vote_form(struct strbuf *sb, const struct ui_session *s, const char *id,
			  int helpful, long long count, int mine)
{
	int chosen = mine == helpful;
	strbuf_addf(sb, "<form method=\"post\" action=\"/ui/patterns/%s/vote\">", id);
	add_csrf(sb, s);
	strbuf_addf(sb, "<input type=\"hidden\" name=\"helpful\" value=\"%d\">"
			"<button type=\"submit\" class=\"%s%s\" id=\"vote-%s\" "
			"aria-pressed=\"%s\">%s <span class=\"n\" id=\"%s-count\">%lld</span>"
			"</button></form>",
		    helpful, helpful ? "yes" : "no", chosen ? " chosen" : "",
		    helpful ? "helpful" : "not-helpful", chosen ? "true" : "false",
		    helpful ? "Helpful" : "Not helpful", helpful ? "helpful" : "not-helpful",
		    count);
}

void ui_render_pattern(struct strbuf *sb, const struct ui_session *s,
		       const struct sdb_pattern *p, const struct ui_votes *v)
{
	struct strbuf title = STRBUF_INIT;
	const char *msg = p->extra[SDB_COMMIT_MSG];
	char conf[32] = "";

	/* the title is escaped once, by ui_page_begin; cut at a character */
	if (msg && *msg) {
		size_t len = strcspn(msg, "\n");
		if (len > 80) {
			len = 80;
			while (len && ((unsigned char)msg[len] & 0xc0) == 0x80)
				len--;
		}
		strbuf_add(&title, msg, len);
	} else {
		strbuf_addstr(&title, "Pattern");
	}
	ui_page_begin(sb, title.buf, s, "patterns");
	strbuf_release(&title);

	strbuf_addstr(sb, "<p class=\"back\"><a href=\"/ui/\">\xe2\x86\x90 All patterns</a></p>\n"
			  "<article class=\"pattern\">\n<h1>");
	add_subject(sb, p, 300);
	strbuf_addstr(sb, "</h1>\n<p class=\"kind\">");
	add_type(sb, p->problem_type);
	if (p->extra[SDB_LANGUAGE]) {
		strbuf_addstr(sb, " <span class=\"lang\">");
		html_esc(sb, p->extra[SDB_LANGUAGE]);
		strbuf_addstr(sb, "</span>");
	}
	strbuf_addstr(sb, "</p>\n");
	if (msg && strchr(msg, '\n')) {
		strbuf_addstr(sb, "<pre class=\"message\">");
		html_esc(sb, msg);
		strbuf_addstr(sb, "</pre>\n");
	}

	strbuf_addstr(sb, "<section class=\"votes\" aria-label=\"Votes\"><p>");
	if (v->mine < 0)
		strbuf_addstr(sb, "Did this pattern help you?");
	else
		strbuf_addf(sb, "You found this %s. Vote again to change it.",
			    v->mine ? "helpful" : "not helpful");
	strbuf_addstr(sb, "</p>");
	add_vote_form(sb, s, p->id, 1, v->helpful, v->mine);
	add_vote_form(sb, s, p->id, 0, v->not_helpful, v->mine);
	strbuf_addstr(sb, "</section>\n<h2>Change</h2>\n");
	add_diff(sb, p->code_before, p->code_after);

	strbuf_addstr(sb, "<h2>Details</h2>\n<dl class=\"meta\">\n");
	add_meta(sb, "File", p->extra[SDB_FILE_PATH], 1);
	add_meta(sb, "Commit", p->extra[SDB_COMMIT], 1);
	add_meta(sb, "Author", p->extra[SDB_AUTHOR], 0);
	add_meta(sb, "Date", p->extra[SDB_DATE], 0);
	add_meta(sb, "Project", p->extra[SDB_PROJECT_ID], 1);
	if (p->has_confidence)
		snprintf(conf, sizeof(conf), "%.2f", p->confidence);
	add_meta(sb, "Confidence", conf, 0);
	add_meta(sb, "Shared by", p->created_by, 0);
	add_meta(sb, "Shared at", p->created_at, 0);
	add_meta(sb, "Last used", p->last_used, 0);
	add_meta(sb, "Pattern id", p->extra[SDB_PATTERN_ID], 1);
	add_meta(sb, "Server id", p->id, 1);
	strbuf_addstr(sb, "</dl>\n</article>\n");
	ui_page_end(sb);
}

/* ---- adapter versions ---- */

/* The version names in a parent_versions JSON array (malloc'd strings). */
static size_t parents_of(const struct adapter_version *a, char ***out)
{
	cJSON *j = a->parent_versions ? json_parse(a->parent_versions,
						   strlen(a->parent_versions))
				      : NULL;
	const cJSON *item;
	size_t nr = 0, alloc = 0;
	*out = NULL;
	if (!cJSON_IsArray(j)) {
		cJSON_Delete(j);
		return 0;
	}
	cJSON_ArrayForEach(item, j) {
		if (!cJSON_IsString(item))
			continue;
		ALLOC_GROW(*out, nr + 1, alloc);
		(*out)[nr++] = xstrdup(item->valuestring);
	}
	cJSON_Delete(j);
	return nr;
}

static void free_names(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/*
 * The lineage as a small SVG: one dot per version, oldest at the top,
 * moved right by its depth (one more than its deepest parent), and a line
 * from each parent to its child. Colours come from the stylesheet.
 */
static void add_lineage(struct strbuf *sb, const struct adapter_version *v, size_t nr)
{
	int *depth = xcalloc(nr + 1, sizeof(*depth)), max_depth = 0;
	const int step = 30, pad = 14;
	int height = (int)nr * step, label_x;

	for (size_t i = 0; i < nr; i++) {
		char **parents;
		size_t np = parents_of(&v[i], &parents);
		for (size_t k = 0; k < np; k++)
			for (size_t j = 0; j < i; j++)
				if (!strcmp(v[j].version_name, parents[k]) && depth[j] + 1 > depth[i])
					depth[i] = depth[j] + 1;
		if (depth[i] > max_depth)
			max_depth = depth[i];
		free_names(parents, np);
	}
	label_x = pad + max_depth * step + 18;
	strbuf_addf(sb, "<figure class=\"lineage\"><svg role=\"img\" width=\"%d\" height=\"%d\" "
			"viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">"
			"<title>Adapter versions and their parents</title>\n",
		    label_x + 260, height, label_x + 260, height);
	for (size_t i = 0; i < nr; i++) {
		char **parents;
		size_t np = parents_of(&v[i], &parents);
		for (size_t k = 0; k < np; k++)
			for (size_t j = 0; j < i; j++)
				if (!strcmp(v[j].version_name, parents[k]))
					strbuf_addf(sb, "<path class=\"edge\" d=\"M%d %d C%d %d %d %d "
							"%d %d\"/>\n",
						    pad + depth[j] * step, (int)j * step + step / 2,
						    pad + depth[j] * step, (int)i * step,
						    pad + depth[i] * step, (int)i * step,
						    pad + depth[i] * step, (int)i * step + step / 2);
		free_names(parents, np);
	}
	for (size_t i = 0; i < nr; i++) {
		strbuf_addf(sb, "<circle class=\"node%s\" cx=\"%d\" cy=\"%d\" r=\"7\"/>"
				"<text x=\"%d\" y=\"%d\">",
			    v[i].is_active ? " active" : "", pad + depth[i] * step,
			    (int)i * step + step / 2, label_x, (int)i * step + step / 2 + 5);
		html_esc(sb, v[i].version_name);
		if (v[i].is_active)
			strbuf_addstr(sb, " (active)");
		strbuf_addstr(sb, "</text>\n");
	}
	strbuf_addstr(sb, "</svg></figure>\n");
	free(depth);
}

void ui_render_adapters(struct strbuf *sb, const struct ui_session *s,
			const struct adapter_version *v, size_t nr)
{
	ui_page_begin(sb, "Adapters", s, "adapters");
	strbuf_addstr(sb, "<h1>Adapter versions</h1>\n");
	if (!nr) {
		strbuf_addstr(sb, "<p class=\"empty\">No adapter versions yet (upload one with "
				  "<code>git patterns adapters push</code>).</p>\n");
		ui_page_end(sb);
		return;
	}
	add_lineage(sb, v, nr);
	if (s->is_admin) {
		strbuf_addstr(sb, "<form class=\"rollback\" method=\"post\" "
				  "action=\"/ui/adapters/rollback\">");
		add_csrf(sb, s);
		strbuf_addstr(sb, "<button type=\"submit\" id=\"rollback\">Roll back to the "
				  "previously active version</button></form>\n");
	}
	strbuf_addstr(sb, "<div class=\"table-wrap\"><table class=\"adapters\">\n<thead><tr>"
			  "<th scope=\"col\">Version</th><th scope=\"col\">Parents</th>"
			  "<th scope=\"col\">Method</th><th scope=\"col\">By</th>"
			  "<th scope=\"col\">Created</th><th scope=\"col\" class=\"num\">Size</th>"
			  "<th scope=\"col\">SHA-256</th><th scope=\"col\">State</th></tr></thead>\n"
			  "<tbody>\n");
	for (size_t i = 0; i < nr; i++) {
		const struct adapter_version *a = &v[i];
		char **parents;
		size_t np = parents_of(a, &parents);

		strbuf_addf(sb, "<tr%s><td><strong>", a->is_active ? " class=\"active\"" : "");
		html_esc(sb, a->version_name);
		strbuf_addstr(sb, "</strong></td><td>");
		for (size_t k = 0; k < np; k++) {
			if (k)
				strbuf_addstr(sb, ", ");
			html_esc(sb, parents[k]);
		}
		if (!np)
			strbuf_addstr(sb, "\xe2\x80\x94");
		free_names(parents, np);
		strbuf_addstr(sb, "</td><td>");
		html_esc(sb, a->method);
		strbuf_addstr(sb, "</td><td>");
		html_esc(sb, a->created_by);
		strbuf_addstr(sb, "</td><td>");
		html_esc(sb, a->created_at);
		strbuf_addstr(sb, "</td><td class=\"num\">");
		if (a->size < 1000000)
			strbuf_addf(sb, "%.1f kB", (double)a->size / 1e3);
		else
			strbuf_addf(sb, "%.1f MB", (double)a->size / 1e6);
		strbuf_addstr(sb, "</td><td><code title=\"");
		html_esc(sb, a->sha256);
		strbuf_addstr(sb, "\">");
		html_esc_len(sb, a->sha256, strnlen(a->sha256, 12));
		strbuf_addstr(sb, "</code></td><td>");
		if (a->is_active) {
			strbuf_addstr(sb, "<span class=\"badge live\">active</span>");
		} else if (s->is_admin) {
			strbuf_addf(sb, "<form method=\"post\" action=\"/ui/adapters/%s/activate\">",
				    a->id);
			add_csrf(sb, s);
			strbuf_addstr(sb, "<button type=\"submit\" class=\"activate\">Activate</button>"
					  "</form>");
		}
		strbuf_addstr(sb, "</td></tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table></div>\n");
	ui_page_end(sb);
}

/* ---- keys ---- */

void ui_render_keys(struct strbuf *sb, const struct ui_session *s, const struct sdb_key *k,
		    size_t nr)
{
	ui_page_begin(sb, "Keys", s, "keys");
	strbuf_addstr(sb, "<h1>API keys</h1>\n<p>Only a hash of each key is kept, so a key "
			  "is shown once, when <code>git patterns server add-key</code> makes "
			  "it. Revoking a key ends its sessions at once.</p>\n"
			  "<div class=\"table-wrap\">"
			  "<table class=\"keys\">\n<thead><tr><th scope=\"col\" class=\"num\">Id</th>"
			  "<th scope=\"col\">User</th><th scope=\"col\">Role</th>"
			  "<th scope=\"col\">Created</th><th scope=\"col\">State</th></tr></thead>\n"
			  "<tbody>\n");
	for (size_t i = 0; i < nr; i++) {
		strbuf_addf(sb, "<tr%s><td class=\"num\">%lld</td><td>",
			    k[i].revoked_at ? " class=\"revoked\"" : "", k[i].id);
		html_esc(sb, k[i].user);
		strbuf_addf(sb, "</td><td>%s</td><td>", k[i].is_admin ? "admin" : "member");
		html_esc(sb, k[i].created_at);
		strbuf_addstr(sb, "</td><td>");
		if (k[i].revoked_at) {
			strbuf_addstr(sb, "revoked ");
			html_esc(sb, k[i].revoked_at);
		} else {
			/* revoking ends the key's sessions too, this one included */
			strbuf_addf(sb, "<form class=\"inline\" method=\"post\" "
					"action=\"/ui/keys/%lld/revoke\">valid ", k[i].id);
			add_csrf(sb, s);
			strbuf_addf(sb, "<button type=\"submit\" class=\"revoke\" "
					"aria-label=\"Revoke key %lld\">Revoke</button></form>", k[i].id);
		}
		strbuf_addstr(sb, "</td></tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table></div>\n");
	ui_page_end(sb);
}
