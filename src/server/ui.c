/*
 * ui.c: the web interface's routes, sessions and safety rules (see ui.h).
 *
 * A session is a random 256-bit token in a cookie; the database keeps its
 * SHA-256 with the key it was made with and an expiry, so servers sharing
 * one database share sessions, a revoked key ends its sessions at once,
 * and a copy of the database gives no usable cookie. The CSRF token of a
 * session is derived from its token (SHA-256 of "csrf:" and the token):
 * different for every session, never stored, and worthless without the
 * cookie it belongs to.
 *
 * Every handler starts the same way: ui_begin() finds the session (a page
 * without one sends the browser to the sign-in form), and a POST passes
 * ui_check_post() (same origin, the session's CSRF token) before anything
 * changes. Pages and errors are HTML; every answer carries the security
 * headers from ui_headers().
 */
#include "server/ui.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COOKIE_NAME "gp_session"
#define PAGE_SIZE 25
/*
 * A search of one or two characters has no index (trigrams need three): it
 * tests the best ranked patterns, this many at most, so that the page stays
 * fast whatever the store's size.
 */
#define SHORT_TEXT_SCAN 5000
#define TOKEN_BYTES 32

struct ui_ctx {
	struct ui_session s;
	struct sdb_session row;
	char token_hash[SHA256_HEX_LEN + 1];
	int signed_in;
};

/* ---- answers ---- */

static void ui_headers(struct server_response *res, int cacheable)
{
	server_add_header(res, "Content-Security-Policy",
			  "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
			  "base-uri 'none'");
	server_add_header(res, "X-Content-Type-Options", "nosniff");
	server_add_header(res, "X-Frame-Options", "DENY");
	server_add_header(res, "Referrer-Policy", "same-origin");
	server_add_header(res, "Cache-Control", cacheable ? "max-age=3600" : "no-store");
}

static void ui_html(struct server_response *res, int status)
{
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	ui_headers(res, 0);
}

static void ui_redirect(struct server_response *res, const char *location)
{
	strbuf_reset(&res->body);
	res->status = 303;
	res->content_type = "text/plain; charset=utf-8";
	ui_headers(res, 0);
	server_add_header(res, "Location", location);
}

static void ui_fail(struct server_response *res, const struct ui_ctx *c, int status,
		    const char *message)
{
	strbuf_reset(&res->body);
	ui_render_error(&res->body, c && c->signed_in ? &c->s : NULL, status, message);
	ui_html(res, status);
}

void ui_no_route(struct server_response *res, int status)
{
	ui_fail(res, NULL, status, status == 405 ? "This page does not take that method."
						 : "No such page.");
}

/* A database error as a page; what is the 404 page's message. */
static void ui_db_fail(struct server_response *res, const struct ui_ctx *c, int rc,
		       const char *what)
{
	switch (rc) {
	case SDB_NOT_FOUND:
		ui_fail(res, c, 404, what);
		return;
	case SDB_UNAVAILABLE:
		ui_fail(res, c, 503, "The database is not available; try again shortly.");
		break;
	default:
		ui_fail(res, c, 500, "The database failed; the server log says why.");
		break;
	}
	free(res->log_error);
	res->log_error = xstrdup(err_msg());
}

/* ---- sessions ---- */

static void csrf_of(const char *token, char out[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, "csrf:", 5);
	sha256_update(&h, token, strlen(token));
	sha256_final_hex(&h, out);
}

static int token_valid(const char *t)
{
	return t && strlen(t) == 2 * TOKEN_BYTES && strspn(t, "0123456789abcdef") == 2 * TOKEN_BYTES;
}

/*
 * Find the request's session. 1 signed in, 0 not (no cookie, unknown,
 * expired, key revoked), -1 when the database failed (res filled).
 */
static int ui_begin(struct server_request *req, struct server_response *res, struct ui_ctx *c)
{
	const char *token = server_cookie(req, COOKIE_NAME);
	int rc;

	memset(c, 0, sizeof(*c));
	if (!token_valid(token))
		return 0;
	sha256_hex(token, strlen(token), c->token_hash);
	rc = serverdb_session_lookup(req->db, c->token_hash, (long long)time(NULL), &c->row);
	if (rc == SDB_NOT_FOUND)
		return 0;
	if (rc < 0) {
		ui_db_fail(res, NULL, rc, "No such session.");
		return -1;
	}
	c->s.user = c->row.user;
	c->s.is_admin = c->row.is_admin;
	free(res->log_user);
	res->log_user = xstrdup(c->row.user);
	csrf_of(token, c->s.csrf);
	c->signed_in = 1;
	return 1;
}

static void ui_end(struct ui_ctx *c)
{
	sdb_session_release(&c->row);
}

/* For a page: the session, or a redirect to the sign-in form. */
static int ui_page_session(struct server_request *req, struct server_response *res,
			   struct ui_ctx *c)
{
	int rc = ui_begin(req, res, c);
	if (!rc)
		ui_redirect(res, "/ui/login");
	return rc == 1 ? 0 : -1;
}

/* 1 when origin (or, as a referer, a URL under it) is scheme://host. */
static int origin_is(const char *origin, int referer, const char *scheme, const char *host)
{
	struct strbuf self = STRBUF_INIT;
	int ok;

	strbuf_addf(&self, "%s://%s", scheme, host);
	ok = referer ? starts_with(origin, self.buf) && origin[self.len] == '/'
		     : !strcmp(origin, self.buf);
	strbuf_release(&self);
	return ok;
}

/*
 * 1 when the request comes from a page of this server: its Origin (or,
 * without one, its Referer) names this scheme and Host. A request with
 * neither is refused: browsers send Origin with every form POST. On plain
 * HTTP, https:// is this server too: a load balancer in front of it ends
 * TLS (the browser's page is https://HOST, the Host header is HOST).
 */
static int same_origin(struct server_request *req)
{
	const char *host = server_header(req, "Host");
	const char *origin = server_header(req, "Origin");
	const char *referer = server_header(req, "Referer");
	int tls = server_is_tls(req->srv), is_referer = 0;

	if (!host || !*host)
		return 0;
	if (!origin || !strcmp(origin, "null")) {
		origin = referer;
		is_referer = 1;
	}
	if (!origin)
		return 0;
	return origin_is(origin, is_referer, "https", host) ||
	       (!tls && origin_is(origin, is_referer, "http", host));
}

/*
 * Every POST that changes something: a session, this origin, and the
 * session's CSRF token in the form (compared in constant time). 0, or -1
 * with a 403 page in res.
 */
static int ui_check_post(struct server_request *req, struct server_response *res,
			 struct ui_ctx *c)
{
	char *csrf;
	int ok;

	if (ui_begin(req, res, c) != 1) {
		if (!c->signed_in && !res->body.len)
			ui_fail(res, NULL, 403, "You are not signed in (or your session expired).");
		return -1;
	}
	if (!same_origin(req)) {
		ui_fail(res, c, 403, "Refused: the form was not sent from this site.");
		return -1;
	}
	csrf = form_value(req->body, req->body_len, "csrf");
	ok = csrf && strlen(csrf) == SHA256_HEX_LEN && ct_equal(csrf, c->s.csrf, SHA256_HEX_LEN);
	free(csrf);
	if (!ok) {
		ui_fail(res, c, 403, "Refused: the form's security token is missing or wrong. "
				     "Reload the page and try again.");
		return -1;
	}
	return 0;
}

static int ui_require_admin(struct server_response *res, struct ui_ctx *c)
{
	if (c->s.is_admin)
		return 0;
	ui_fail(res, c, 403, "Only an admin key may do this.");
	return -1;
}

/* ---- sign in and out ---- */

void handle_ui_root(struct server_request *req, struct server_response *res)
{
	ui_redirect(res, "/ui/");
}

void handle_ui_login_form(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	int rc = ui_begin(req, res, &c);
	if (rc == 1)
		ui_redirect(res, "/ui/");
	else if (rc == 0) {
		ui_render_login(&res->body, NULL);
		ui_html(res, 200);
	}
	ui_end(&c);
}

static void set_cookie(struct server_request *req, struct server_response *res,
		       const char *token, long long max_age)
{
	char *v = xstrfmt(COOKIE_NAME "=%s; Path=/ui/; Max-Age=%lld; HttpOnly; "
				      "SameSite=Strict%s",
			  token, max_age, server_is_tls(req->srv) ? "; Secure" : "");
	server_add_header(res, "Set-Cookie", v);
	free(v);
}

void handle_ui_login(struct server_request *req, struct server_response *res)
{
	const struct server_config *cfg = server_get_config(req->srv);
	long long ttl = cfg->session_ttl > 0 ? cfg->session_ttl : SERVER_DEFAULT_SESSION_TTL;
	long long now = (long long)time(NULL);
	unsigned char raw[TOKEN_BYTES];
	char token[2 * TOKEN_BYTES + 1], token_hash[SHA256_HEX_LEN + 1];
	char key_hash[SHA256_HEX_LEN + 1];
	struct sdb_key k;
	char *key;
	int rc;

	if (!same_origin(req)) {
		ui_fail(res, NULL, 403, "Refused: the form was not sent from this site.");
		return;
	}
	key = form_value(req->body, req->body_len, "key");
	if (!key || !*key || strlen(key) > 256) {
		free(key);
		ui_render_login(&res->body, "Enter an API key.");
		ui_html(res, 401);
		return;
	}
	sha256_hex(key, strlen(key), key_hash);
	memset(key, 0, strlen(key));
	free(key);
	rc = serverdb_key_lookup(req->db, key_hash, &k);
	if (rc == SDB_NOT_FOUND || (!rc && k.revoked_at)) {
		if (!rc)
			sdb_key_release(&k);
		ui_render_login(&res->body, "That key is not valid.");
		ui_html(res, 401);
		return;
	}
	if (rc < 0) {
		ui_db_fail(res, NULL, rc, "No such key.");
		return;
	}
	if (random_bytes(raw, sizeof(raw)) < 0) {
		sdb_key_release(&k);
		ui_fail(res, NULL, 500, "Cannot make a session token.");
		return;
	}
	hex_encode(raw, sizeof(raw), token);
	sha256_hex(token, strlen(token), token_hash);
	rc = serverdb_session_add(req->db, token_hash, k.id, now + ttl, now);
	sdb_key_release(&k);
	if (rc < 0) {
		ui_db_fail(res, NULL, rc, "No such session.");
		return;
	}
	ui_redirect(res, "/ui/");
	set_cookie(req, res, token, ttl);
}

void handle_ui_logout(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	int rc;
	if (ui_check_post(req, res, &c) < 0)
		goto out;
	rc = serverdb_session_delete(req->db, c.token_hash);
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No such session.");
		goto out;
	}
	ui_redirect(res, "/ui/login");
	set_cookie(req, res, "", 0);
out:
	ui_end(&c);
}

/* ---- patterns ---- */

/* A filter from the query string: absent, empty or too long is no filter. */
static const char *query_filter(struct server_request *req, const char *name, size_t max)
{
	const char *v = server_query(req, name);
	if (!v || !*v || strlen(v) > max || !utf8_valid(v, strlen(v)))
		return NULL;
	return v;
}

void handle_ui_patterns(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	struct ui_filters f;
	struct sdb_query q;
	struct sdb_pattern *rows = NULL;
	size_t nr = 0;
	long long total = 0;
	const char *page;
	int rc;

	if (ui_page_session(req, res, &c) < 0)
		goto out;
	memset(&f, 0, sizeof(f));
	f.q = query_filter(req, "q", 200);
	f.problem_type = query_filter(req, "type", 50);
	f.language = query_filter(req, "language", 50);
	f.project_id = query_filter(req, "project", 255);
	page = server_query(req, "page");
	f.page = page ? strtoll(page, NULL, 10) : 1;
	if (f.page < 1 || f.page > 100000)
		f.page = 1;

	memset(&q, 0, sizeof(q));
	q.q = f.q;
	q.problem_type = f.problem_type;
	q.language = f.language;
	q.project_id = f.project_id;
	q.page = f.page;
	q.limit = PAGE_SIZE;
	q.no_total = 1; /* counting every match of a search would cost more than the page */
	if (f.q && !sdb_text_indexed(f.q))
		q.scan_limit = f.scan_limit = SHORT_TEXT_SCAN;
	rc = serverdb_pattern_list(req->db, &q, &rows, &nr, &total);
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No patterns.");
		goto out;
	}
	ui_render_patterns(&res->body, &c.s, &f, rows, nr,
			   total >= 0 ? f.page * PAGE_SIZE < total : nr == PAGE_SIZE, total);
	ui_html(res, 200);
	for (size_t i = 0; i < nr; i++)
		sdb_pattern_release(&rows[i]);
	free(rows);
out:
	ui_end(&c);
}

void handle_ui_pattern(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	struct sdb_pattern p;
	struct ui_votes v;
	int rc;

	if (ui_page_session(req, res, &c) < 0)
		goto out;
	rc = serverdb_pattern_get(req->db, req->params[0], &p);
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No such pattern.");
		goto out;
	}
	rc = serverdb_pattern_votes(req->db, p.id, c.s.user, &v.helpful, &v.not_helpful, &v.mine);
	if (rc < 0) {
		sdb_pattern_release(&p);
		ui_db_fail(res, &c, rc, "No such pattern.");
		goto out;
	}
	ui_render_pattern(&res->body, &c.s, &p, &v);
	ui_html(res, 200);
	sdb_pattern_release(&p);
out:
	ui_end(&c);
}

void handle_ui_vote(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	struct sdb_pattern p;
	char *helpful = NULL, *where;
	int rc;

	if (ui_check_post(req, res, &c) < 0)
		goto out;
	helpful = form_value(req->body, req->body_len, "helpful");
	if (!helpful || (strcmp(helpful, "1") && strcmp(helpful, "0"))) {
		ui_fail(res, &c, 400, "A vote is helpful (1) or not helpful (0).");
		goto out;
	}
	rc = serverdb_pattern_feedback(req->db, req->params[0], c.s.user, *helpful == '1', &p);
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No such pattern.");
		goto out;
	}
	where = xstrfmt("/ui/patterns/%s", p.id);
	ui_redirect(res, where);
	free(where);
	sdb_pattern_release(&p);
out:
	free(helpful);
	ui_end(&c);
}

/* ---- adapter versions ---- */

void handle_ui_adapters(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	struct adapter_version *v = NULL;
	size_t nr = 0;
	int rc;

	if (ui_page_session(req, res, &c) < 0)
		goto out;
	rc = serverdb_adapter_list(req->db, &v, &nr);
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No adapter versions.");
		goto out;
	}
	ui_render_adapters(&res->body, &c.s, v, nr);
	ui_html(res, 200);
	adapter_versions_free(v, nr);
out:
	ui_end(&c);
}

static void adapter_switch(struct server_request *req, struct server_response *res,
			   const char *ref, int rollback)
{
	struct ui_ctx c;
	struct adapter_version a;
	int rc;

	if (ui_check_post(req, res, &c) < 0 || ui_require_admin(res, &c) < 0)
		goto out;
	if (rollback) {
		char *version = form_value(req->body, req->body_len, "version_id");
		rc = serverdb_adapter_rollback(req->db, version && *version ? version : NULL,
					       c.s.user, &a);
		free(version);
	} else {
		rc = serverdb_adapter_activate(req->db, ref, c.s.user, &a);
	}
	if (rc == SDB_CONFLICT) {
		ui_fail(res, &c, 409, "There is no earlier version to roll back to.");
		goto out;
	}
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No such adapter version.");
		goto out;
	}
	adapter_version_release(&a);
	ui_redirect(res, "/ui/adapters");
out:
	ui_end(&c);
}

void handle_ui_activate(struct server_request *req, struct server_response *res)
{
	adapter_switch(req, res, req->params[0], 0);
}

void handle_ui_rollback(struct server_request *req, struct server_response *res)
{
	adapter_switch(req, res, NULL, 1);
}

/* ---- projects ---- */

void handle_ui_projects(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	const char *page;
	int rc;

	if (ui_page_session(req, res, &c) < 0)
		goto out;
	page = server_query(req, "page");
	rc = ui_render_projects(&res->body, &c.s, req->db, page ? strtoll(page, NULL, 10) : 1);
	if (rc < 0) {
		strbuf_reset(&res->body);
		ui_db_fail(res, &c, rc, "No projects.");
		goto out;
	}
	ui_html(res, 200);
out:
	ui_end(&c);
}

void handle_ui_project(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	char *why = NULL;
	int status;

	if (ui_page_session(req, res, &c) < 0)
		goto out;
	status = ui_render_project(req, &res->body, &c.s, &why);
	if (status != 200) {
		strbuf_reset(&res->body);
		ui_fail(res, &c, status, status == 404 ? "No such project."
				       : "The project could not be read; the server log says why.");
		free(res->log_error);
		res->log_error = why;
		goto out;
	}
	ui_html(res, 200);
out:
	ui_end(&c);
}

/* ---- keys ---- */

void handle_ui_keys(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	struct sdb_key *k = NULL;
	size_t nr = 0;
	int rc;

	if (ui_page_session(req, res, &c) < 0 || ui_require_admin(res, &c) < 0)
		goto out;
	rc = serverdb_key_list(req->db, &k, &nr);
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No keys.");
		goto out;
	}
	ui_render_keys(&res->body, &c.s, k, nr);
	ui_html(res, 200);
	for (size_t i = 0; i < nr; i++)
		sdb_key_release(&k[i]);
	free(k);
out:
	ui_end(&c);
}

void handle_ui_key_revoke(struct server_request *req, struct server_response *res)
{
	struct ui_ctx c;
	char *end;
	long long id;
	int rc;

	if (ui_check_post(req, res, &c) < 0 || ui_require_admin(res, &c) < 0)
		goto out;
	id = strtoll(req->params[0], &end, 10);
	if (*end || id < 1) {
		ui_fail(res, &c, 404, "No such key.");
		goto out;
	}
	rc = serverdb_key_revoke(req->db, id);
	if (rc < 0) {
		ui_db_fail(res, &c, rc, "No such key.");
		goto out;
	}
	ui_redirect(res, "/ui/keys");
out:
	ui_end(&c);
}

/* ---- assets ---- */

void handle_ui_asset(struct server_request *req, struct server_response *res)
{
	const char *type;
	size_t len;
	const char *data = ui_asset(req->params[0], &len, &type);
	if (!data) {
		ui_fail(res, NULL, 404, "No such file.");
		return;
	}
	strbuf_add(&res->body, data, len);
	res->status = 200;
	res->content_type = type;
	ui_headers(res, 1);
}
