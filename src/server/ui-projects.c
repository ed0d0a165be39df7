/*
 * ui-projects.c: the web interface's projects (SPEC §8, §10): the list of
 * the team's projects, and a project's page with its profile, the projects
 * like it, the patterns suggested to it, what it applied, and its
 * statistics.
 *
 * A project's page renders the answer of GET /projects/{id}/insights,
 * asked of the same handler in this process (server-projects.c), so the
 * page and the API can never disagree on similarity or ranking. Every
 * value from that answer is escaped like any stored text.
 */
#include "server/ui.h"
#include "common/json.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROJECTS_PAGE 25

/* href="/ui/<what>/<id>" with id escaped */
static void add_link(struct strbuf *sb, const char *what, const char *id, const char *text)
{
	struct strbuf url = STRBUF_INIT;
	strbuf_addf(&url, "/ui/%s/", what);
	url_esc(&url, id ? id : "");
	strbuf_addstr(sb, "<a href=\"");
	html_esc(sb, url.buf);
	strbuf_addstr(sb, "\">");
	html_esc(sb, text && *text ? text : id);
	strbuf_addstr(sb, "</a>");
	strbuf_release(&url);
}

static void add_cell(struct strbuf *sb, const char *text)
{
	strbuf_addstr(sb, "<td>");
	if (text && *text)
		html_esc(sb, text);
	else
		strbuf_addstr(sb, "\xe2\x80\x94");
	strbuf_addstr(sb, "</td>");
}

/* v with decimals digits after the point, right-aligned */
static void add_num_cell(struct strbuf *sb, int decimals, double v)
{
	strbuf_addf(sb, "<td class=\"num\">%.*f</td>", decimals, v);
}

/* ---- the list ---- */

static void render_projects(struct strbuf *sb, const struct ui_session *s,
			    const struct sdb_project *p, size_t nr, long long page, long long total)
{
	ui_page_begin(sb, "Projects", s, "projects");
	strbuf_addf(sb, "<h1>Projects</h1>\n<p class=\"summary\">%lld %s, newest first",
		    total, total == 1 ? "project" : "projects");
	if (page > 1)
		strbuf_addf(sb, " \xc2\xb7 page %lld", page);
	strbuf_addstr(sb, "</p>\n");
	if (!nr) {
		strbuf_addstr(sb, "<p class=\"empty\">No projects yet: <code>git patterns sync</code> "
				  "registers a repository as a project.</p>\n");
		ui_page_end(sb);
		return;
	}
	strbuf_addstr(sb, "<div class=\"table-wrap\"><table class=\"projects\">\n<thead><tr>"
			  "<th scope=\"col\">Repository</th><th scope=\"col\">Language</th>"
			  "<th scope=\"col\">Framework</th><th scope=\"col\">Domain</th>"
			  "<th scope=\"col\">By</th><th scope=\"col\">Registered</th></tr></thead>\n"
			  "<tbody>\n");
	for (size_t i = 0; i < nr; i++) {
		strbuf_addstr(sb, "<tr><td class=\"change\">");
		add_link(sb, "projects", p[i].id, p[i].repo_url);
		strbuf_addstr(sb, "</td>");
		add_cell(sb, p[i].language);
		add_cell(sb, p[i].framework);
		add_cell(sb, p[i].domain);
		add_cell(sb, p[i].created_by);
		add_cell(sb, p[i].created_at);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table></div>\n");
	if (page > 1 || page * PROJECTS_PAGE < total) {
		strbuf_addstr(sb, "<nav class=\"pager\" aria-label=\"Pages\">");
		if (page > 1)
			strbuf_addf(sb, "<a rel=\"prev\" href=\"/ui/projects?page=%lld\">"
					"\xe2\x86\x90 Previous</a>", page - 1);
		if (page * PROJECTS_PAGE < total)
			strbuf_addf(sb, "<a rel=\"next\" href=\"/ui/projects?page=%lld\">"
					"Next \xe2\x86\x92</a>", page + 1);
		strbuf_addstr(sb, "</nav>\n");
	}
	ui_page_end(sb);
}

int ui_render_projects(struct strbuf *sb, const struct ui_session *s, struct serverdb *db,
		       long long page)
{
	struct sdb_project *p = NULL;
	size_t nr = 0;
	long long total = 0;
	int rc;

	if (page < 1 || page > 100000)
		page = 1;
	rc = serverdb_project_list(db, page, PROJECTS_PAGE, &p, &nr, &total);
	if (rc < 0)
		return rc;
	render_projects(sb, s, p, nr, page, total);
	sdb_projects_free(p, nr);
	return SDB_OK;
}

/* ---- a project ---- */

static const char *str(const cJSON *o, const char *key)
{
	return json_get_string(o, key);
}

static void render_profile(struct strbuf *sb, const cJSON *p)
{
	const cJSON *langs = cJSON_GetObjectItemCaseSensitive(p, "languages"), *l;
	static const struct {
		const char *key, *label;
	} fields[] = {
		{ "language", "Language" }, { "framework", "Framework" }, { "domain", "Domain" },
		{ "canonical_url", "Identified as" }, { "created_by", "Registered by" },
		{ "created_at", "Registered" }, { "updated_at", "Profile updated" },
	};

	strbuf_addstr(sb, "<dl class=\"meta\">\n");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *v = str(p, fields[i].key);
		if (!v || !*v)
			continue;
		strbuf_addf(sb, "<dt>%s</dt><dd>", fields[i].label);
		html_esc(sb, v);
		strbuf_addstr(sb, "</dd>\n");
	}
	if (cJSON_IsArray(langs) && cJSON_GetArraySize(langs)) {
		int first = 1;
		strbuf_addstr(sb, "<dt>Languages</dt><dd>");
		cJSON_ArrayForEach(l, langs) {
			const char *name = str(l, "language");
			if (!name)
				continue;
			if (!first)
				strbuf_addstr(sb, ", ");
			first = 0;
			html_esc(sb, name);
			strbuf_addf(sb, " %.0f%%", 100.0 * json_get_number(l, "share", 0));
		}
		strbuf_addstr(sb, "</dd>\n");
	}
	strbuf_addstr(sb, "</dl>\n");
}

static void render_stats(struct strbuf *sb, const cJSON *st)
{
	static const struct {
		const char *key, *label, *one; /* one: the label for exactly 1 */
		int percent;
	} items[] = {
		{ "similar_projects_count", "similar projects", "similar project", 0 },
		{ "total_suggestions", "suggestions recorded", "suggestion recorded", 0 },
		{ "total_applied", "applied", "applied", 0 },
		{ "application_rate", "application rate", "application rate", 1 },
		{ "successes", "successes", "success", 0 },
		{ "failures", "failures", "failure", 0 },
	};
	strbuf_addstr(sb, "<ul class=\"stats\">");
	for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
		double v = json_get_number(st, items[i].key, 0);
		if (items[i].percent)
			strbuf_addf(sb, "<li><strong>%.0f%%</strong> %s</li>", 100.0 * v,
				    items[i].label);
		else
			strbuf_addf(sb, "<li><strong>%.0f</strong> %s</li>", v,
				    v == 1 ? items[i].one : items[i].label);
	}
	strbuf_addstr(sb, "</ul>\n");
}

static void render_similar(struct strbuf *sb, const cJSON *list)
{
	const cJSON *o;
	strbuf_addstr(sb, "<h2>Similar projects</h2>\n");
	if (!cJSON_GetArraySize(list)) {
		strbuf_addstr(sb, "<p class=\"empty\">No project scores 0.5 or more.</p>\n");
		return;
	}
	strbuf_addstr(sb, "<div class=\"table-wrap\"><table class=\"similar\">\n<thead><tr>"
			  "<th scope=\"col\">Repository</th><th scope=\"col\">Language</th>"
			  "<th scope=\"col\">Framework</th><th scope=\"col\">Domain</th>"
			  "<th scope=\"col\" class=\"num\">Similarity</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(o, list) {
		static const char *const match[] = { "language_match", "framework_match",
						     "domain_match" };
		static const char *const field[] = { "language", "framework", "domain" };
		strbuf_addstr(sb, "<tr><td class=\"change\">");
		add_link(sb, "projects", str(o, "project_id"), str(o, "repo_url"));
		strbuf_addstr(sb, "</td>");
		for (int k = 0; k < 3; k++) {
			const char *v = str(o, field[k]);
			strbuf_addf(sb, "<td%s>", json_get_bool(o, match[k], 0) ? " class=\"match\"" : "");
			if (v && *v)
				html_esc(sb, v);
			else
				strbuf_addstr(sb, "\xe2\x80\x94");
			if (json_get_bool(o, match[k], 0))
				strbuf_addstr(sb, " <span class=\"badge live\">same</span>");
			strbuf_addstr(sb, "</td>");
		}
		add_num_cell(sb, 2, json_get_number(o, "similarity_score", 0));
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table></div>\n");
}

static void render_suggestions(struct strbuf *sb, const cJSON *list)
{
	const cJSON *o;
	strbuf_addstr(sb, "<h2>Suggested patterns</h2>\n");
	if (!cJSON_GetArraySize(list)) {
		strbuf_addstr(sb, "<p class=\"empty\">Nothing to suggest yet.</p>\n");
		return;
	}
	strbuf_addstr(sb, "<p class=\"summary\">From similar projects, ranked by similarity "
			  "\xc3\x97 confidence \xc3\x97 success rate.</p>\n"
			  "<div class=\"table-wrap\"><table class=\"suggestions\">\n<thead><tr>"
			  "<th scope=\"col\">Pattern</th><th scope=\"col\">Type</th>"
			  "<th scope=\"col\" class=\"num\">Similarity</th>"
			  "<th scope=\"col\" class=\"num\">Confidence</th>"
			  "<th scope=\"col\" class=\"num\">Success rate</th>"
			  "<th scope=\"col\" class=\"num\">Score</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(o, list) {
		const char *msg = str(o, "commit_msg"), *type = str(o, "pattern_type");
		struct strbuf subject = STRBUF_INIT;
		if (msg && *msg)
			strbuf_add(&subject, msg, strcspn(msg, "\n"));
		strbuf_addstr(sb, "<tr><td class=\"change\">");
		add_link(sb, "patterns", str(o, "pattern_id"), subject.buf);
		strbuf_release(&subject);
		if (str(o, "file_path")) {
			strbuf_addstr(sb, "<span class=\"path\">");
			html_esc(sb, str(o, "file_path"));
			strbuf_addstr(sb, "</span>");
		}
		strbuf_addstr(sb, "</td><td><span class=\"tag\">");
		html_esc(sb, type);
		strbuf_addstr(sb, "</span></td>");
		add_num_cell(sb, 2, json_get_number(o, "similarity_score", 0));
		add_num_cell(sb, 2, json_get_number(o, "confidence", 0));
		add_num_cell(sb, 2, json_get_number(o, "success_rate", 0));
		add_num_cell(sb, 3, json_get_number(o, "score", 0));
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table></div>\n");
}

/* The repository of project id among the similar projects, or NULL. */
static const char *similar_repo(const cJSON *similar, const char *id)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, similar) {
		const char *pid = str(o, "project_id");
		if (pid && id && !strcmp(pid, id))
			return str(o, "repo_url");
	}
	return NULL;
}

static void render_applied(struct strbuf *sb, const cJSON *list, const cJSON *similar)
{
	const cJSON *o;
	strbuf_addstr(sb, "<h2>Applied patterns</h2>\n");
	if (!cJSON_GetArraySize(list)) {
		strbuf_addstr(sb, "<p class=\"empty\">None applied yet (<code>git patterns apply "
				  "ID</code>).</p>\n");
		return;
	}
	strbuf_addstr(sb, "<div class=\"table-wrap\"><table class=\"applied\">\n<thead><tr>"
			  "<th scope=\"col\">Pattern</th><th scope=\"col\">From project</th>"
			  "<th scope=\"col\">Applied</th><th scope=\"col\">Outcome</th></tr></thead>\n"
			  "<tbody>\n");
	cJSON_ArrayForEach(o, list) {
		const char *source = str(o, "source_project_id");
		const char *repo = similar_repo(similar, source);
		strbuf_addstr(sb, "<tr><td><code>");
		add_link(sb, "patterns", str(o, "pattern_id"), NULL);
		strbuf_addstr(sb, "</code></td><td>");
		if (source && repo) {
			add_link(sb, "projects", source, repo);
		} else if (source) {
			/* not among the similar projects: its id */
			strbuf_addstr(sb, "<code>");
			add_link(sb, "projects", source, NULL);
			strbuf_addstr(sb, "</code>");
		} else
			strbuf_addstr(sb, "\xe2\x80\x94");
		strbuf_addstr(sb, "</td>");
		add_cell(sb, str(o, "applied_at"));
		add_cell(sb, str(o, "outcome"));
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table></div>\n");
}

int ui_render_project(struct server_request *req, struct strbuf *sb,
		      const struct ui_session *s, char **log_error)
{
	struct server_response api;
	const cJSON *project;
	int status;
	cJSON *j;

	/* ask the API's own handler: one definition of similarity and ranking */
	memset(&api, 0, sizeof(api));
	strbuf_init(&api.body, 0);
	api.file_fd = -1;
	api.status = 200;
	handle_project_insights(req, &api);
	status = api.status;
	if (status != 200) {
		*log_error = api.log_error;
		api.log_error = NULL;
		goto done;
	}
	j = json_parse(api.body.buf, api.body.len);
	project = cJSON_GetObjectItemCaseSensitive(j, "project");
	if (!cJSON_IsObject(project)) {
		status = 500;
		*log_error = xstrdup("insights answer without a project");
		cJSON_Delete(j);
		goto done;
	}
	ui_page_begin(sb, str(project, "repo_url"), s, "projects");
	strbuf_addstr(sb, "<p class=\"back\"><a href=\"/ui/projects\">\xe2\x86\x90 All "
				  "projects</a></p>\n<h1>");
	html_esc(sb, str(project, "repo_url"));
	strbuf_addstr(sb, "</h1>\n<p>");
	{
		struct strbuf url = STRBUF_INIT;
		strbuf_addstr(&url, "/ui/?project=");
		url_esc(&url, str(project, "id"));
		strbuf_addstr(sb, "<a href=\"");
		html_esc(sb, url.buf);
		strbuf_addstr(sb, "\">Patterns this project shared \xe2\x86\x92</a>");
		strbuf_release(&url);
	}
	strbuf_addstr(sb, "</p>\n");
	render_stats(sb, cJSON_GetObjectItemCaseSensitive(j, "statistics"));
	strbuf_addstr(sb, "<h2>Profile</h2>\n");
	render_profile(sb, project);
	render_similar(sb, cJSON_GetObjectItemCaseSensitive(j, "similar_projects"));
	render_suggestions(sb, cJSON_GetObjectItemCaseSensitive(j, "suggested_patterns"));
	render_applied(sb, cJSON_GetObjectItemCaseSensitive(j, "applied_patterns"),
		       cJSON_GetObjectItemCaseSensitive(j, "similar_projects"));
	ui_page_end(sb);
	cJSON_Delete(j);
done:
	strbuf_release(&api.body);
	free(api.log_error);
	return status;
}
