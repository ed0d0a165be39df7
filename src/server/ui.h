/*
 * ui: the team's patterns in a browser (SPEC §10), served at /ui/ by the
 * team server itself: server-rendered HTML, a stylesheet built into the
 * binary, no script, no request to any other host.
 *
 *  - ui.c: the routes, sessions and the rules every page follows:
 *    sign-in with an API key posted in a form (never in a URL), a session
 *    cookie (a random 256-bit token; the database keeps only its SHA-256)
 *    that is HttpOnly, SameSite=Strict, Path=/ui/, Secure under TLS;
 *    every POST carries the session's CSRF token and comes from this
 *    origin (Origin, else Referer), or it is refused with 403; admin-only
 *    actions are refused (403) for anyone else whatever the page showed;
 *    every answer has a Content-Security-Policy of default-src 'self'.
 *  - ui-pages.c: the pages, written with the HTML writer below.
 *  - ui-html.c: the HTML writer (the one escaper), form and URL coding.
 *  - ui-diff.c: the side-by-side diff of a pattern's before and after.
 *  - ui-projects.c: projects, similar projects, suggestions and insights.
 *  - ui-assets.c: the stylesheet, embedded at build time.
 */
#ifndef UI_H
#define UI_H

#include "common/strbuf.h"
#include "server/server.h"

/* Route handlers (ui.c), rows of the route table in server.c. */
void handle_ui_root(struct server_request *req, struct server_response *res);
void handle_ui_login_form(struct server_request *req, struct server_response *res);
void handle_ui_login(struct server_request *req, struct server_response *res);
void handle_ui_logout(struct server_request *req, struct server_response *res);
void handle_ui_patterns(struct server_request *req, struct server_response *res);
void handle_ui_pattern(struct server_request *req, struct server_response *res);
void handle_ui_vote(struct server_request *req, struct server_response *res);
void handle_ui_adapters(struct server_request *req, struct server_response *res);
void handle_ui_activate(struct server_request *req, struct server_response *res);
void handle_ui_rollback(struct server_request *req, struct server_response *res);
void handle_ui_keys(struct server_request *req, struct server_response *res);
void handle_ui_key_revoke(struct server_request *req, struct server_response *res);
void handle_ui_projects(struct server_request *req, struct server_response *res);
void handle_ui_project(struct server_request *req, struct server_response *res);
void handle_ui_asset(struct server_request *req, struct server_response *res);

/*
 * The page for a path under /ui/ that no route serves: 404, or 405 when
 * the path takes other methods; HTML with the pages' security headers, as
 * every answer under /ui/ is.
 */
void ui_no_route(struct server_response *res, int status);

/* The signed-in user of a request, as the pages see it. */
struct ui_session {
	const char *user;
	int is_admin;
	char csrf[65]; /* this session's CSRF token, put in every form */
};

/* ---- the HTML writer (ui-html.c) ---- */

/* Append s as HTML text or attribute value: & < > " ' escaped. */
void html_esc(struct strbuf *sb, const char *s);
void html_esc_len(struct strbuf *sb, const char *s, size_t len);
/* Append s percent-encoded for a URL query value. */
void url_esc(struct strbuf *sb, const char *s);
/*
 * The value of field name in an application/x-www-form-urlencoded body
 * (decoded, malloc'd), or NULL when absent or not valid UTF-8.
 */
char *form_value(const char *body, size_t len, const char *name);

/* ---- the side-by-side diff (ui-diff.c) ---- */

/*
 * One row of a side-by-side diff: a line on the left (old), the right
 * (new), or both. Line numbers count from 1; 0 means no line on that side.
 * kind: ' ' the same line on both sides, '-' only on the left, '+' only on
 * the right, '~' a line changed (left replaced by right).
 */
struct ui_diff_row {
	char kind;
	int old_no, new_no;
	const char *old_line, *new_line; /* into the inputs, not terminated */
	size_t old_len, new_len;
};
/*
 * The rows that show before changed into after, by a longest common
 * subsequence of lines (past UI_DIFF_MAX_CELLS line pairs, the lines
 * between the common head and tail all count as changed). Free with free().
 */
#define UI_DIFF_MAX_CELLS (4u << 20)
size_t ui_diff_rows(const char *before, const char *after, struct ui_diff_row **rows);

/* ---- the pages (ui-pages.c) ---- */

struct ui_filters {
	const char *q, *problem_type, *language, *project_id;
	long long page;
	long long scan_limit; /* a short q is looked for in this many patterns (0: all) */
};

void ui_page_begin(struct strbuf *sb, const char *title, const struct ui_session *s,
		   const char *section);
void ui_page_end(struct strbuf *sb);
void ui_render_login(struct strbuf *sb, const char *message);
void ui_render_error(struct strbuf *sb, const struct ui_session *s, int status,
		     const char *message);
void ui_render_patterns(struct strbuf *sb, const struct ui_session *s,
			const struct ui_filters *f, const struct sdb_pattern *rows, size_t nr,
			int has_next, long long total);
/* Votes on a pattern; mine: -1 none, 0 not helpful, 1 helpful. */
struct ui_votes {
	long long helpful, not_helpful;
	int mine;
};
void ui_render_pattern(struct strbuf *sb, const struct ui_session *s,
		       const struct sdb_pattern *p, const struct ui_votes *v);
void ui_render_adapters(struct strbuf *sb, const struct ui_session *s,
			const struct adapter_version *v, size_t nr);
void ui_render_keys(struct strbuf *sb, const struct ui_session *s, const struct sdb_key *k,
		    size_t nr);

/* ---- projects (ui-projects.c) ---- */

/* The page-th page of projects; a serverdb code. */
int ui_render_projects(struct strbuf *sb, const struct ui_session *s, struct serverdb *db,
		       long long page);
/*
 * The page of project req->params[0], from GET /projects/{id}/insights:
 * the HTTP status (200, or the API's error status, then *log_error may
 * say why).
 */
int ui_render_project(struct server_request *req, struct strbuf *sb,
		      const struct ui_session *s, char **log_error);

/* ---- the stylesheet (ui-assets.c) ---- */

/* The built-in asset called name, or NULL; *type is its content type. */
const char *ui_asset(const char *name, size_t *len, const char **type);

#endif
