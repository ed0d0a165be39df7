/*
 * server.c: the team server's HTTP layer on libmicrohttpd (see server.h).
 *
 * One request goes through access_cb() several times: the first call
 * matches the route, checks the key and the announced body size (so a
 * stranger or an oversized upload is refused before its body is read);
 * the middle calls collect the body (in memory, or streamed to a file for
 * upload routes), never beyond the limit; the last call runs the handler
 * and queues its response. completed_cb() writes the access log line and
 * frees the request. Shutdown quiesces the daemon (no new connections),
 * waits for the requests in flight, then stops the workers.
 *
 * Hostile clients: every connection is tracked (struct conn) with a
 * deadline a trickle of bytes cannot push back, and admitted by admit(),
 * which displaces idle or header-sending connections rather than refuse
 * a new one; a sweeper thread shuts down late connections. Before any
 * route runs, a request line's URI is bounded (414), HTTP/1.1 needs Host
 * (400), only chunked Transfer-Encoding is framed (else 501), and the
 * path and query must be UTF-8 (404, 422; %00 decodes to a non-UTF-8
 * pair, never to a NUL that would cut them). JSON bodies are counted
 * while they stream in and checked strictly (json_check) before cJSON.
 */
#include "server/server.h"
#include "server/ui.h"
#include "common/file-hasher.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <strings.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const struct server_route routes[] = {
	{ "GET", "/health", handle_health, ROUTE_PUBLIC },
	{ "GET", "/patterns", handle_patterns_list, 0 },
	{ "POST", "/patterns", handle_patterns_create, 0 },
	{ "POST", "/patterns/recall", handle_patterns_recall, 0 },
	{ "GET", "/patterns/{id}", handle_pattern_get, 0 },
	{ "DELETE", "/patterns/{id}", handle_pattern_delete, 0 },
	{ "POST", "/patterns/{id}/feedback", handle_pattern_feedback, 0 },
	{ "GET", "/adapters", handle_adapters_list, 0 },
	{ "POST", "/adapters", handle_adapter_upload, ROUTE_UPLOAD },
	{ "POST", "/adapters/merge", handle_adapters_merge, 0 },
	{ "POST", "/adapters/rollback", handle_adapters_rollback, 0 },
	{ "GET", "/adapters/{id}/file", handle_adapter_file, 0 },
	{ "POST", "/adapters/{id}/activate", handle_adapter_activate, 0 },
	{ "DELETE", "/adapters/{id}", handle_adapter_delete, 0 },
	/* the web interface (ui.c): sessions instead of keys */
	{ "GET", "/ui", handle_ui_root, ROUTE_UI },
	{ "GET", "/ui/", handle_ui_patterns, ROUTE_UI },
	{ "GET", "/ui/login", handle_ui_login_form, ROUTE_UI },
	{ "POST", "/ui/login", handle_ui_login, ROUTE_UI },
	{ "POST", "/ui/logout", handle_ui_logout, ROUTE_UI },
	{ "GET", "/ui/patterns/{id}", handle_ui_pattern, ROUTE_UI },
	{ "POST", "/ui/patterns/{id}/vote", handle_ui_vote, ROUTE_UI },
	{ "GET", "/ui/adapters", handle_ui_adapters, ROUTE_UI },
	{ "POST", "/ui/adapters/rollback", handle_ui_rollback, ROUTE_UI },
	{ "POST", "/ui/adapters/{id}/activate", handle_ui_activate, ROUTE_UI },
	{ "GET", "/ui/keys", handle_ui_keys, ROUTE_UI },
	{ "POST", "/ui/keys/{id}/revoke", handle_ui_key_revoke, ROUTE_UI },
	{ "GET", "/ui/projects", handle_ui_projects, ROUTE_UI },
	{ "GET", "/ui/projects/{id}", handle_ui_project, ROUTE_UI },
	{ "GET", "/ui/assets/{name}", handle_ui_asset, ROUTE_UI },
	{ "GET", "/projects", handle_projects_list, 0 },
	{ "POST", "/projects", handle_project_put, 0 },
	{ "GET", "/projects/{id}", handle_project_get, 0 },
	{ "GET", "/projects/{id}/similar", handle_project_similar, 0 },
	{ "GET", "/projects/{id}/suggestions", handle_project_suggestions, 0 },
	{ "GET", "/projects/{id}/insights", handle_project_insights, 0 },
	{ "POST", "/applications", handle_applications_put, 0 },
	{ "POST", "/patterns/{id}/outcome", handle_pattern_outcome, 0 },
};

struct server {
	struct server_config cfg;
	struct MHD_Daemon *daemon;
	struct strbuf tls_cert, tls_key;
	sigset_t signals;
	atomic_int active;   /* requests between their first call and completion */
	atomic_int stopping; /* SIGTERM seen: every answer closes its connection */
	pthread_mutex_t health_lock;
	double health_checked;
	int health_ok;
	/* the database's identity (serverdb_identity), read again now and then */
	pthread_mutex_t identity_lock;
	double identity_checked;
	char identity[37]; /* "" until it could be read */
	/* open connections, for the deadlines the sweeper enforces */
	pthread_mutex_t conns_lock;
	struct conn *conns;
	pthread_t sweeper;
	int sweeper_started;
	atomic_int sweeper_stop;
};

/*
 * One open connection. libmicrohttpd's own timeout restarts at every
 * byte, so a client sending a header line every few seconds would keep a
 * connection (and a slot) forever; ours is a deadline that only moves
 * when a request makes real progress: headers complete within
 * request_timeout of the connection (or of the previous answer), a JSON
 * body within as long again, an upload at a minimum average rate. The
 * sweeper shuts a late connection's socket down, and libmicrohttpd then
 * closes it as if the client had gone.
 */
enum conn_phase {
	CONN_WAITING, /* for a request's headers (a new or kept-alive connection) */
	CONN_BODY,    /* reading a request's body */
	CONN_BUSY,    /* the server's turn: handler, answer */
	CONN_EVICTED, /* shut down by us, closing */
};

struct conn {
	struct conn *prev, *next;
	int fd;
	struct sockaddr_storage addr; /* the client's */
	atomic_llong deadline_ms;     /* monotonic; LLONG_MAX: none */
	atomic_int phase;
	int gone; /* sweeps that found the client gone */
};

#define UPLOAD_MIN_RATE (64 * 1024) /* bytes per second, on average */

/* One request's state, from its first call to its completion. */
struct request {
	struct server_request req;
	const struct server_route *route;
	double start;
	char *user;
	struct strbuf body;
	int too_large;
	unsigned long long dropped; /* body bytes read past the limit */
	struct json_count count;    /* values seen so far in a JSON body */
	struct conn *conn;	    /* its connection's deadline */
	size_t uri_len;		    /* the request line's URI, as sent */
	int first_done;		    /* headers seen: the first call happened */
	int close;		    /* answer with Connection: close */
	const char *version;
	double body_start;
	int upload_fd;
	char *upload_path;
	struct file_hasher *upload_hash; /* while upload_fd is open */
	unsigned long long upload_flushed; /* writeback started up to here */
	char upload_sha256[SHA256_HEX_LEN + 1];
	int status;
	int keyed; /* the key was accepted: the answer names the database */
	char *log_error;
	struct strbuf params; /* path parameter storage */
};

const struct server_config *server_get_config(const struct server *srv)
{
	return &srv->cfg;
}

const char *server_query(struct server_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *server_header(struct server_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *server_cookie(struct server_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, name);
}

int server_is_tls(const struct server *srv)
{
	return srv->cfg.tls_cert != NULL;
}

void server_add_header(struct server_response *res, const char *name, const char *value)
{
	assert(res->nr_headers < SERVER_MAX_HEADERS);
	if (res->nr_headers == SERVER_MAX_HEADERS)
		return;
	res->headers[res->nr_headers][0] = xstrdup(name);
	res->headers[res->nr_headers][1] = xstrdup(value);
	res->nr_headers++;
}

struct query_values {
	const char *name;
	const char **out;
	size_t max, nr;
	int overflow;
};

static enum MHD_Result collect_value(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct query_values *qv = cls;
	(void)kind;
	if (!key || strcmp(key, qv->name))
		return MHD_YES;
	if (qv->nr == qv->max) {
		qv->overflow = 1;
		return MHD_NO;
	}
	qv->out[qv->nr++] = value ? value : "";
	return MHD_YES;
}

int server_query_all(struct server_request *req, const char *name, const char **out,
		     size_t max)
{
	struct query_values qv = { name, out, max, 0, 0 };
	MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, collect_value, &qv);
	return qv.overflow ? -1 : (int)qv.nr;
}

static void server_verror(struct server_response *res, int status, const char *fmt,
			  va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	struct json_writer jw;

	strbuf_vaddf(&msg, fmt, ap);
	res->status = status;
	strbuf_reset(&res->body);
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "detail");
	jw_string_len(&jw, msg.buf, msg.len);
	jw_object_end(&jw);
	strbuf_release(&msg);
}

void server_error(struct server_response *res, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	server_verror(res, status, fmt, ap);
	va_end(ap);
}

void server_db_error(struct server_response *res, int rc, const char *what)
{
	switch (rc) {
	case SDB_NOT_FOUND:
		server_error(res, 404, "%s not found", what);
		return;
	case SDB_FORBIDDEN:
		server_error(res, 403, "not allowed to change this %s", what);
		return;
	case SDB_CONFLICT:
		server_error(res, 409, "%s", err_msg());
		return;
	case SDB_UNAVAILABLE:
		server_error(res, 503, "database unavailable");
		break;
	default:
		server_error(res, 500, "database error");
		break;
	}
	free(res->log_error);
	res->log_error = xstrdup(err_msg());
}

cJSON *server_parse_json(struct server_request *req, struct server_response *res)
{
	cJSON *j;

	if (!req->body_len) {
		server_error(res, 400, "request body is empty (JSON expected)");
		return NULL;
	}
	if (!utf8_valid(req->body, req->body_len)) {
		server_error(res, 400, "request body is not valid UTF-8");
		return NULL;
	}
	switch (json_check(req->body, req->body_len, SERVER_MAX_JSON_VALUES)) {
	case JSON_CHECK_OK:
		break;
	case JSON_CHECK_TOO_MANY:
		server_error(res, 413, "%s", err_msg());
		return NULL;
	case JSON_CHECK_NUL:
		server_error(res, 422, "NUL characters (\\u0000) are not supported in strings");
		return NULL;
	default:
		server_error(res, 400, "%s", err_msg());
		return NULL;
	}
	j = json_parse(req->body, req->body_len);
	if (!j)
		server_error(res, 400, "%s", err_msg());
	return j;
}

int server_db_healthy(struct server *srv)
{
	double now = now_seconds();
	int ok;
	pthread_mutex_lock(&srv->health_lock);
	if (srv->health_checked && now - srv->health_checked < 0.5) {
		ok = srv->health_ok;
		pthread_mutex_unlock(&srv->health_lock);
		return ok;
	}
	pthread_mutex_unlock(&srv->health_lock);
	/* ping outside the lock: a slow database must not stall other threads */
	ok = serverdb_ping(srv->cfg.db) == SDB_OK;
	pthread_mutex_lock(&srv->health_lock);
	srv->health_ok = ok;
	srv->health_checked = now_seconds();
	pthread_mutex_unlock(&srv->health_lock);
	return ok;
}

/*
 * Read at most every SERVER_IDENTITY_TTL seconds: a database replaced
 * under a running server (several servers on one PostgreSQL, one of them
 * restarted on a new database) is announced within that time, at the cost
 * of one small query.
 */
#define SERVER_IDENTITY_TTL 2.0

int server_database_id(struct server *srv, char out[37])
{
	double now = now_seconds();
	char fresh[37];

	pthread_mutex_lock(&srv->identity_lock);
	if (srv->identity_checked && now - srv->identity_checked < SERVER_IDENTITY_TTL) {
		memcpy(out, srv->identity, 37);
		pthread_mutex_unlock(&srv->identity_lock);
		return out[0] ? 0 : -1;
	}
	/* the others keep the cached one meanwhile */
	srv->identity_checked = now;
	pthread_mutex_unlock(&srv->identity_lock);
	/* outside the lock: a slow database must not stall other threads */
	if (serverdb_identity(srv->cfg.db, fresh) < 0)
		fresh[0] = '\0'; /* unreachable: keep the one known */
	pthread_mutex_lock(&srv->identity_lock);
	if (fresh[0])
		memcpy(srv->identity, fresh, 37);
	srv->identity_checked = now_seconds();
	memcpy(out, srv->identity, 37);
	pthread_mutex_unlock(&srv->identity_lock);
	return out[0] ? 0 : -1;
}

/* ---- connections and their deadlines ---- */

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Enter phase, with a deadline seconds from now (< 0: none). */
static void conn_deadline(struct conn *c, enum conn_phase phase, double seconds)
{
	if (!c)
		return;
	atomic_store(&c->deadline_ms,
		     seconds < 0 ? LLONG_MAX : mono_ms() + (long long)(seconds * 1000));
	if (atomic_load(&c->phase) != CONN_EVICTED)
		atomic_store(&c->phase, phase);
}

static int same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
	return 1;
}

/* Shut c's socket down; libmicrohttpd then closes it as if the client had. */
static void evict(struct conn *c)
{
	atomic_store(&c->phase, CONN_EVICTED);
	atomic_store(&c->deadline_ms, LLONG_MAX);
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

/*
 * Admission of a new connection c (conns_lock held). Idle connections and
 * ones still sending headers cost nothing to drop and are where slow
 * clients sit, so a connection over a limit displaces the oldest of them
 * instead of being refused: past max_per_address from one address, that
 * address's oldest waiting connection goes (c itself if none waits);
 * past the total cap less a tenth, the oldest waiting one of all goes, so
 * that there is always room for a new client.
 */
static void admit(struct server *srv, struct conn *c)
{
	unsigned total = 0, same = 0;
	unsigned cap = srv->cfg.max_connections, room = cap / 10 ? cap / 10 : 1;
	struct conn *oldest_same = NULL, *oldest = NULL;

	for (struct conn *o = srv->conns; o; o = o->next) {
		int waiting = atomic_load(&o->phase) == CONN_WAITING && o != c;
		int mine;
		if (atomic_load(&o->phase) == CONN_EVICTED)
			continue;
		total++;
		mine = same_address(&o->addr, &c->addr);
		same += mine;
		if (!waiting)
			continue;
		if (!oldest || atomic_load(&o->deadline_ms) < atomic_load(&oldest->deadline_ms))
			oldest = o;
		if (mine && (!oldest_same || atomic_load(&o->deadline_ms) <
						     atomic_load(&oldest_same->deadline_ms)))
			oldest_same = o;
	}
	if (same > srv->cfg.max_per_address) {
		struct conn *v = oldest_same ? oldest_same : c;
		if (v == oldest)
			oldest = NULL;
		evict(v);
		total--;
	}
	if (total > cap - room && oldest)
		evict(oldest);
}

static void notify_connection_cb(void *cls, struct MHD_Connection *mc, void **socket_context,
				 enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	struct conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ai =
			MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		c = xcalloc(1, sizeof(*c));
		c->fd = ci ? ci->connect_fd : -1;
		if (ai && ai->client_addr)
			memcpy(&c->addr, ai->client_addr,
			       ai->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								      : sizeof(struct sockaddr_in));
		conn_deadline(c, CONN_WAITING, srv->cfg.request_timeout);
		pthread_mutex_lock(&srv->conns_lock);
		c->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = c;
		srv->conns = c;
		admit(srv, c);
		pthread_mutex_unlock(&srv->conns_lock);
		*socket_context = c;
		return;
	}
	if (!c)
		return;
	/* unlinked before libmicrohttpd closes the socket: the sweeper never
	 * shuts down a descriptor that was reused */
	pthread_mutex_lock(&srv->conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&srv->conns_lock);
	free(c);
	*socket_context = NULL;
}

/*
 * 1 when the client has closed its side and nothing of it is left to
 * read. libmicrohttpd (epoll, edge-triggered) can miss that end when it
 * comes right after a full read buffer: an upload cut halfway then kept
 * its temporary file until the 60 s timeout.
 */
static int client_gone(int fd)
{
	struct pollfd p = { fd, POLLRDHUP, 0 };
	int pending = 0;
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) &&
	       ioctl(fd, FIONREAD, &pending) == 0 && !pending;
}

static void *sweeper_main(void *arg)
{
	struct server *srv = arg;
	while (!atomic_load(&srv->sweeper_stop)) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		long long now = mono_ms();
		pthread_mutex_lock(&srv->conns_lock);
		for (struct conn *c = srv->conns; c; c = c->next) {
			long long deadline = atomic_load(&c->deadline_ms);
			if (c->fd < 0 || deadline == LLONG_MAX)
				continue; /* the server's turn: nothing awaited */
			if (deadline > now) {
				/* gone twice in a row: not a request being read */
				c->gone = client_gone(c->fd) ? c->gone + 1 : 0;
				if (c->gone < 2)
					continue;
			}
			evict(c);
		}
		pthread_mutex_unlock(&srv->conns_lock);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* ---- routing ---- */

/*
 * Match path against a route pattern; fill params (pointers into store).
 * Returns 1 on a match.
 */
static int match_path(const char *pat, const char *path, struct request *r)
{
	r->req.nr_params = 0;
	strbuf_reset(&r->params);
	/* reserve room so that pointers into the buffer stay valid */
	strbuf_grow(&r->params, strlen(path) + 1);
	while (*pat && *path) {
		const char *pe, *se;
		if (*pat != '/' || *path != '/')
			return 0;
		pat++, path++;
		pe = strchrnul(pat, '/');
		se = strchrnul(path, '/');
		if (*pat == '{') {
			if (se == path || r->req.nr_params == SERVER_MAX_PARAMS)
				return 0;
			r->req.params[r->req.nr_params++] = r->params.buf + r->params.len;
			strbuf_add(&r->params, path, (size_t)(se - path));
			strbuf_addch(&r->params, '\0');
		} else if (pe - pat != se - path || memcmp(pat, path, (size_t)(pe - pat))) {
			return 0;
		}
		pat = pe;
		path = se;
	}
	return !*pat && !*path;
}

/*
 * The route for method+path; *path_known tells whether any method matches.
 * HEAD is GET without the body (libmicrohttpd leaves it out), as HTTP
 * wants of every server.
 */
static const struct server_route *find_route(struct request *r, const char *method,
					     const char *path, struct strbuf *allow)
{
	const struct server_route *found = NULL;
	if (!strcmp(method, "HEAD"))
		method = "GET";
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!match_path(routes[i].path, path, r))
			continue;
		if (!strcmp(routes[i].method, method)) {
			found = &routes[i];
			break;
		}
		if (allow->len)
			strbuf_addstr(allow, ", ");
		strbuf_addstr(allow, routes[i].method);
	}
	/* match again so that params are the found route's */
	if (found)
		match_path(found->path, path, r);
	return found;
}

/* ---- responses and the access log ---- */

static enum MHD_Result send_response(struct MHD_Connection *conn, struct request *r,
				     struct server_response *res, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (res->file_fd >= 0) {
		resp = MHD_create_response_from_fd64(res->file_size, res->file_fd);
		res->file_fd = -1;
	} else {
		size_t len;
		char *buf = strbuf_detach(&res->body, &len);
		resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			free(buf);
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				res->content_type ? res->content_type
						  : "application/json; charset=utf-8");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (r->keyed) {
		/* which database took the key: clients notice when it is another */
		char id[37];
		if (server_database_id(r->req.srv, id) == 0)
			MHD_add_response_header(resp, SERVER_DATABASE_HEADER, id);
	}
	for (size_t i = 0; i < res->nr_headers; i++)
		MHD_add_response_header(resp, res->headers[i][0], res->headers[i][1]);
	if (atomic_load(&r->req.srv->stopping) || r->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, (unsigned)res->status, resp);
	MHD_destroy_response(resp);
	r->status = ret == MHD_YES ? res->status : 0;
	if (res->log_error) {
		free(r->log_error);
		r->log_error = res->log_error;
		res->log_error = NULL;
	}
	if (res->log_user && !r->user) {
		r->user = res->log_user;
		res->log_user = NULL;
	}
	return ret;
}

static void response_init(struct server_response *res)
{
	memset(res, 0, sizeof(*res));
	strbuf_init(&res->body, 0);
	res->file_fd = -1;
	res->status = 200;
}

static void response_release(struct server_response *res)
{
	strbuf_release(&res->body);
	if (res->file_fd >= 0)
		close(res->file_fd);
	free(res->log_error);
	free(res->log_user);
	for (size_t i = 0; i < res->nr_headers; i++) {
		free(res->headers[i][0]);
		free(res->headers[i][1]);
	}
}

static enum MHD_Result send_error(struct MHD_Connection *conn, struct request *r, int status,
				  const char *allow, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static enum MHD_Result send_error(struct MHD_Connection *conn, struct request *r, int status,
				  const char *allow, const char *fmt, ...)
{
	struct server_response res;
	enum MHD_Result ret;
	va_list ap;

	response_init(&res);
	va_start(ap, fmt);
	server_verror(&res, status, fmt, ap);
	va_end(ap);
	ret = send_response(conn, r, &res, allow);
	response_release(&res);
	return ret;
}

static void access_log(struct server *srv, struct MHD_Connection *conn, struct request *r)
{
	const union MHD_ConnectionInfo *ci;
	struct strbuf line = STRBUF_INIT;
	struct json_writer jw;
	char when[UTC_NOW_LEN], addr[INET6_ADDRSTRLEN] = "";

	if (srv->cfg.access_log_fd < 0)
		return;
	utc_now(when);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr,
				  sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr,
				  sizeof(addr));
	}
	jw_init(&jw, &line, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "time");
	jw_string(&jw, when);
	jw_key(&jw, "remote");
	jw_string(&jw, addr);
	jw_key(&jw, "method");
	jw_string(&jw, r->req.method);
	jw_key(&jw, "path");
	jw_string(&jw, r->req.path);
	jw_key(&jw, "status");
	jw_int(&jw, r->status);
	jw_key(&jw, "duration_ms");
	jw_double(&jw, (double)(long long)((now_seconds() - r->start) * 1e5 + 0.5) / 100.0);
	jw_key(&jw, "user");
	jw_string(&jw, r->user);
	if (r->log_error) {
		jw_key(&jw, "error");
		jw_string(&jw, r->log_error);
	}
	jw_object_end(&jw);
	strbuf_addch(&line, '\n');
	/* one write per line, so that lines of parallel requests never mix */
	if (write(srv->cfg.access_log_fd, line.buf, line.len) < 0) {
		/* nowhere left to report it */
	}
	strbuf_release(&line);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *r = *con_cls;
	if (!r)
		return;
	/* the next request on this connection has its own header deadline */
	conn_deadline(r->conn, CONN_WAITING, srv->cfg.request_timeout);
	if (!r->first_done) {
		/* the headers never completed (timeout, client gone): no line */
		strbuf_release(&r->body);
		strbuf_release(&r->params);
		free(r);
		*con_cls = NULL;
		return;
	}
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->log_error)
		r->log_error = xstrfmt("connection ended early (%d)", (int)toe);
	access_log(srv, conn, r);
	if (r->upload_fd >= 0) {
		file_hasher_abort(r->upload_hash);
		close(r->upload_fd);
	}
	if (r->upload_path) {
		unlink(r->upload_path); /* a handler that keeps it renames it first */
		free(r->upload_path);
	}
	strbuf_release(&r->body);
	strbuf_release(&r->params);
	free(r->user);
	free(r->log_error);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->active, 1);
}

/* The most body bytes route accepts. */
static unsigned long long body_limit(const struct server *srv, const struct server_route *route)
{
	if (route->flags & ROUTE_UPLOAD)
		return srv->cfg.max_upload;
	if (route->flags & ROUTE_UI)
		return SERVER_UI_MAX_BODY;
	return (unsigned long long)srv->cfg.max_body;
}

/* ---- the request's first call: route, key, announced size ---- */

static int authenticate(struct server *srv, struct MHD_Connection *conn, struct request *r,
			int *status, const char **detail)
{
	const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-API-Key");
	char hash[SHA256_HEX_LEN + 1];
	struct sdb_key k;
	int rc;

	if (!key || !*key) {
		*status = 401;
		*detail = "missing API key (X-API-Key header)";
		return -1;
	}
	if (strlen(key) > 256) {
		*status = 401;
		*detail = "invalid API key";
		return -1;
	}
	sha256_hex(key, strlen(key), hash);
	rc = serverdb_key_lookup(srv->cfg.db, hash, &k);
	if (rc == SDB_NOT_FOUND) {
		*status = 401;
		*detail = "invalid API key";
		return -1;
	}
	if (rc < 0) {
		*status = rc == SDB_UNAVAILABLE ? 503 : 500;
		*detail = rc == SDB_UNAVAILABLE ? "database unavailable" : "database error";
		r->log_error = xstrdup(err_msg());
		return -1;
	}
	if (k.revoked_at) {
		sdb_key_release(&k);
		*status = 401;
		*detail = "API key revoked";
		return -1;
	}
	r->user = k.user;
	k.user = NULL;
	r->req.user = r->user;
	r->req.is_admin = k.is_admin;
	r->req.key_id = k.id;
	r->keyed = 1;
	sdb_key_release(&k);
	return 0;
}

static enum MHD_Result arg_not_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	int *bad = cls;
	(void)kind;
	if (!utf8_valid(key, strlen(key)) || (value && !utf8_valid(value, strlen(value)))) {
		*bad = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * Percent-decoding of the path and query, in place. libmicrohttpd's own
 * turns %00 into a NUL that silently ends the string ("/health%00x" would
 * be /health); here %00 becomes C0 80, which is not UTF-8, so that the
 * request is refused (404 for a path, 422 for a parameter).
 */
static size_t unescape_cb(void *cls, struct MHD_Connection *conn, char *s)
{
	char *w = s;
	const char *p = s;
	(void)cls, (void)conn;
	while (*p) {
		int hi, lo;
		if (p[0] == '%' && (hi = hex_value((unsigned char)p[1])) >= 0 &&
		    (lo = hex_value((unsigned char)p[2])) >= 0) {
			int v = hi * 16 + lo;
			if (v) {
				*w++ = (char)v;
			} else {
				*w++ = (char)0xc0;
				*w++ = (char)0x80;
			}
			p += 3;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/*
 * A request begins with its request line, before its headers: from here
 * on completed_cb() frees it, whether or not the headers ever complete.
 */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct server *srv = cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct request *r = xcalloc(1, sizeof(*r));

	r->start = now_seconds();
	r->upload_fd = -1;
	r->uri_len = strlen(uri);
	r->conn = ci ? ci->socket_context : NULL;
	strbuf_init(&r->body, 0);
	strbuf_init(&r->params, 0);
	r->req.srv = srv;
	r->req.db = srv->cfg.db;
	r->req.connection = conn;
	return r;
}

static enum MHD_Result first_call(struct server *srv, struct MHD_Connection *conn,
				  struct request *r, const char *url, const char *method)
{
	struct strbuf allow = STRBUF_INIT;
	const char *cl, *te;
	enum MHD_Result ret;
	int status, bad_arg = 0;
	const char *detail;

	if (r->uri_len > SERVER_MAX_URI)
		return send_error(conn, r, 414, NULL, "URI longer than %d bytes", SERVER_MAX_URI);
	if (!strcmp(r->version, MHD_HTTP_VERSION_1_1) &&
	    !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
		return send_error(conn, r, 400, NULL, "HTTP/1.1 request without Host");
	te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (te && strcasecmp(te, "chunked")) {
		/* its body cannot be framed: answer now and close */
		r->close = 1;
		return send_error(conn, r, 501, NULL, "Transfer-Encoding '%.64s' not supported",
				  te);
	}
	/* a path that is not UTF-8 (or holds %00) names nothing we have */
	if (!utf8_valid(url, strlen(url)))
		return send_error(conn, r, 404, NULL, "not found");
	if (MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, arg_not_utf8, &bad_arg),
	    bad_arg)
		return send_error(conn, r, 422, NULL, "query parameters must be valid UTF-8");

	r->route = find_route(r, method, url, &allow);
	if (!r->route && (!strcmp(url, "/ui") || starts_with(url, "/ui/"))) {
		struct server_response res;
		response_init(&res);
		ui_no_route(&res, allow.len ? 405 : 404);
		ret = send_response(conn, r, &res, allow.len ? allow.buf : NULL);
		response_release(&res);
		strbuf_release(&allow);
		return ret;
	}
	if (!r->route) {
		if (allow.len)
			ret = send_error(conn, r, 405, allow.buf, "method %s not allowed on %s",
					 method, url);
		else
			ret = send_error(conn, r, 404, NULL, "not found: %s", url);
		strbuf_release(&allow);
		return ret;
	}
	strbuf_release(&allow);
	if (!(r->route->flags & (ROUTE_PUBLIC | ROUTE_UI)) &&
	    authenticate(srv, conn, r, &status, &detail) < 0)
		return send_error(conn, r, status, NULL, "%s", detail);

	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		unsigned long long limit = body_limit(srv, r->route);
		char *end;
		unsigned long long n;
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno || end == cl || n > limit)
			return send_error(conn, r, 413, NULL,
					  "request body too large (limit %llu bytes)", limit);
	}
	if (r->route->flags & ROUTE_UPLOAD) {
		r->upload_path = xstrfmt("%s/gp-upload.XXXXXX",
					 srv->cfg.upload_dir ? srv->cfg.upload_dir : "/tmp");
		r->upload_fd = mkstemp(r->upload_path);
		if (r->upload_fd < 0) {
			r->log_error = xstrfmt("cannot create %s: %s", r->upload_path,
					       strerror(errno));
			free(r->upload_path);
			r->upload_path = NULL;
			return send_error(conn, r, 500, NULL, "cannot store upload");
		}
		/* hashed by a thread reading behind the writer: two cores, not one */
		if (file_hasher_start(&r->upload_hash, r->upload_fd) < 0) {
			r->log_error = xstrdup(err_msg());
			return send_error(conn, r, 500, NULL, "cannot store upload");
		}
	}
	/* the body, if any, within a deadline of its own (see struct conn) */
	r->body_start = now_seconds();
	conn_deadline(r->conn, CONN_BODY, srv->cfg.request_timeout);
	return MHD_YES;
}

/* ---- the body ---- */

#define UPLOAD_FLUSH_STEP (16ull << 20)

static int take_body(struct server *srv, struct request *r, const char *data, size_t n)
{
	if (r->too_large) {
		r->dropped += n;
		return 0;
	}
	if (r->route->flags & ROUTE_UPLOAD) {
		if (r->req.upload_size + n > srv->cfg.max_upload) {
			/* give the disk back now; the rest of the body is dropped */
			r->too_large = 1;
			if (ftruncate(r->upload_fd, 0) < 0) {
				/* unlinked at completion all the same */
			}
			return 0;
		}
		while (n) {
			ssize_t w = write(r->upload_fd, data, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				r->log_error = xstrfmt("writing upload: %s", strerror(errno));
				return -1;
			}
			data += w;
			n -= (size_t)w;
			r->req.upload_size += (size_t)w;
		}
		file_hasher_advance(r->upload_hash, r->req.upload_size);
		/* a slow upload may go on as long as it averages UPLOAD_MIN_RATE */
		conn_deadline(r->conn, CONN_BODY,
			      r->body_start - now_seconds() + srv->cfg.request_timeout +
				      (double)r->req.upload_size / UPLOAD_MIN_RATE);
		/*
		 * start writing back what has come so far, so that the disk works
		 * while the body streams in and the final fsync finds little left
		 */
		if (r->req.upload_size - r->upload_flushed >= UPLOAD_FLUSH_STEP) {
			sync_file_range(r->upload_fd, (off_t)r->upload_flushed,
					(off_t)(r->req.upload_size - r->upload_flushed),
					SYNC_FILE_RANGE_WRITE);
			r->upload_flushed = r->req.upload_size;
		}
		return 0;
	}
	if (r->body.len + n > body_limit(srv, r->route) ||
	    (!(r->route->flags & ROUTE_UI) &&
	     json_count_feed(&r->count, data, n) > SERVER_MAX_JSON_VALUES)) {
		/* refused while it streams in: no parse, no memory kept */
		r->too_large = 1;
		strbuf_release(&r->body);
		return 0;
	}
	strbuf_add(&r->body, data, n);
	return 0;
}

static enum MHD_Result run_handler(struct server *srv, struct MHD_Connection *conn,
				   struct request *r)
{
	struct server_response res;
	enum MHD_Result ret;

	conn_deadline(r->conn, CONN_BUSY, -1); /* our turn: no deadline */
	if (r->too_large && r->count.values > SERVER_MAX_JSON_VALUES)
		return send_error(conn, r, 413, NULL, "request body has more than %d JSON values",
				  SERVER_MAX_JSON_VALUES);
	if (r->too_large)
		return send_error(conn, r, 413, NULL, "request body too large (limit %llu bytes)",
				  body_limit(srv, r->route));
	if (r->upload_fd >= 0) {
		int hashed = file_hasher_finish(r->upload_hash, r->upload_sha256);
		r->upload_hash = NULL;
		if (hashed < 0) {
			r->log_error = xstrdup(err_msg());
			close(r->upload_fd);
			r->upload_fd = -1;
			return send_error(conn, r, 500, NULL, "cannot store upload");
		}
		r->req.upload_sha256 = r->upload_sha256;
		if (fsync(r->upload_fd) < 0 || close(r->upload_fd) < 0) {
			r->upload_fd = -1;
			return send_error(conn, r, 500, NULL, "cannot store upload");
		}
		r->upload_fd = -1;
		r->req.upload_path = r->upload_path;
	}
	r->req.body = r->body.buf;
	r->req.body_len = r->body.len;
	response_init(&res);
	r->route->fn(&r->req, &res);
	ret = send_response(conn, r, &res, NULL);
	response_release(&res);
	return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	struct server *srv = cls;
	struct request *r = *con_cls;

	if (!r)
		*con_cls = r = uri_cb(srv, url, conn);
	if (!r->first_done) {
		r->first_done = 1;
		r->req.method = method;
		r->req.path = url;
		r->version = version;
		atomic_fetch_add(&srv->active, 1);
		return first_call(srv, conn, r, url, method);
	}
	if (r->status) {
		/* answered already (an error on the first call): drop the body */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (take_body(srv, r, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		/*
		 * Over the limit (a body without Content-Length): what follows
		 * is read and dropped so that the client gets its 413 at the
		 * end, but an endless body is cut off (the connection closed),
		 * as libmicrohttpd cannot answer in the middle of a body.
		 */
		if (r->too_large && r->dropped > (64u << 20)) {
			free(r->log_error);
			r->log_error = xstrdup("body far over the limit: connection closed");
			return MHD_NO;
		}
		return MHD_YES;
	}
	return run_handler(srv, conn, r);
}

/* ---- start and stop ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res = NULL;
	char *host, *port;
	const char *colon;
	int rc;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			return err_set("bad --listen '%s' (want HOST:PORT or [V6]:PORT)", listen);
		host = xstrndup(listen + 1, (size_t)(close - listen - 1));
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return err_set("bad --listen '%s' (want HOST:PORT)", listen);
		host = xstrndup(listen, (size_t)(colon - listen));
	}
	port = xstrdup(colon + 1);
	/* getaddrinfo() takes 70000 and binds 70000 mod 65536: decimal, at most 65535 */
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    atoi(port) > 65535) {
		err_set("bad --listen '%s': the port must be a number from 0 to 65535", listen);
		free(host);
		free(port);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = *port ? getaddrinfo(*host ? host : NULL, port, &hints, &res) : EAI_NONAME;
	if (rc) {
		err_set("bad --listen '%s': %s", listen,
			*port ? gai_strerror(rc) : "no port");
		free(host);
		free(port);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	free(host);
	free(port);
	return 0;
}

/*
 * At most want connections, and fewer than the descriptors we may open:
 * past that limit accept() fails and every client, well-behaved or not,
 * is turned away. The soft limit is raised to the hard one first; 64
 * descriptors stay for the database, the log, uploads and merges.
 */
static unsigned connection_cap(unsigned want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want + 128)
		return rl.rlim_cur > 192 ? (unsigned)(rl.rlim_cur - 128) : 64;
	return want;
}

int server_start(struct server **out, const struct server_config *cfg)
{
	struct server *srv = xcalloc(1, sizeof(*srv));
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	sigset_t old;

	*out = NULL;
	srv->cfg = *cfg;
	if (srv->cfg.threads < 1)
		srv->cfg.threads = 1;
	if (!srv->cfg.max_body)
		srv->cfg.max_body = SERVER_DEFAULT_MAX_BODY;
	if (!srv->cfg.max_upload)
		srv->cfg.max_upload = 1ull << 32;
	if (srv->cfg.request_timeout <= 0)
		srv->cfg.request_timeout = SERVER_DEFAULT_REQUEST_TIMEOUT;
	if (!srv->cfg.max_connections)
		srv->cfg.max_connections = SERVER_DEFAULT_MAX_CONNECTIONS;
	if (!srv->cfg.max_per_address)
		srv->cfg.max_per_address = SERVER_DEFAULT_MAX_PER_ADDRESS;
	srv->cfg.max_connections = connection_cap(srv->cfg.max_connections);
	pthread_mutex_init(&srv->conns_lock, NULL);
	strbuf_init(&srv->tls_cert, 0);
	strbuf_init(&srv->tls_key, 0);
	pthread_mutex_init(&srv->health_lock, NULL);
	pthread_mutex_init(&srv->identity_lock, NULL);
	if (parse_listen(cfg->listen ? cfg->listen : SERVER_DEFAULT_LISTEN, &ss, &sslen) < 0)
		goto fail;
	{
		/* known before the first answer, which must name it */
		char id[37];
		server_database_id(srv, id);
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!!cfg->tls_cert != !!cfg->tls_key) {
		err_set("--tls-cert and --tls-key go together");
		goto fail;
	}
	if (cfg->tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			err_set("this libmicrohttpd was built without TLS");
			goto fail;
		}
		if (strbuf_read_file(&srv->tls_cert, cfg->tls_cert) < 0) {
			err_set("cannot read TLS certificate '%s': %s", cfg->tls_cert,
				strerror(errno));
			goto fail;
		}
		if (strbuf_read_file(&srv->tls_key, cfg->tls_key) < 0) {
			err_set("cannot read TLS key '%s': %s", cfg->tls_key, strerror(errno));
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}

	/* the workers inherit a mask without SIGTERM/SIGINT: only we wait for them */
	sigemptyset(&srv->signals);
	sigaddset(&srv->signals, SIGTERM);
	sigaddset(&srv->signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &srv->signals, &old);

	{
		/* the certificate and key only under TLS; the rest is the same */
		struct MHD_OptionItem tls[] = {
			{ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert.buf },
			{ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key.buf },
			{ MHD_OPTION_END, 0, NULL },
		};
		srv->daemon = MHD_start_daemon(
			flags, 0, NULL, NULL, access_cb, srv, MHD_OPTION_SOCK_ADDR, &ss,
			MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg.threads,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
			MHD_OPTION_CONNECTION_LIMIT, srv->cfg.max_connections,
			MHD_OPTION_NOTIFY_CONNECTION, notify_connection_cb, srv,
			MHD_OPTION_URI_LOG_CALLBACK, uri_cb, srv,
			MHD_OPTION_UNESCAPE_CALLBACK, unescape_cb, srv,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
			MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096,
			MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
			MHD_OPTION_ARRAY, cfg->tls_cert ? tls : tls + 2, MHD_OPTION_END);
	}
	if (!srv->daemon) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		err_set("cannot listen on %s%s", cfg->listen ? cfg->listen : SERVER_DEFAULT_LISTEN,
			cfg->tls_cert ? " (or the TLS certificate and key are not usable)"
				      : " (address in use?)");
		goto fail;
	}
	(void)sslen;
	if (pthread_create(&srv->sweeper, NULL, sweeper_main, srv)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		err_set("cannot start a thread");
		goto fail;
	}
	srv->sweeper_started = 1;
	*out = srv;
	return 0;
fail:
	server_free(srv);
	return -1;
}

unsigned server_port(struct server *srv)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return info ? info->port : 0;
}

int server_wait_and_stop(struct server *srv)
{
	int sig = 0;
	MHD_socket lsock;
	double deadline;

	while (sigwait(&srv->signals, &sig) != 0)
		;
	lsock = MHD_quiesce_daemon(srv->daemon);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	/*
	 * Requests in flight finish and get their answer; so do requests that
	 * keep-alive connections still send, but each of those answers closes
	 * its connection, so that busy clients cannot hold the stop back.
	 */
	atomic_store(&srv->stopping, 1);
	deadline = now_seconds() + 30;
	while (atomic_load(&srv->active) > 0 && now_seconds() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	return sig;
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	if (srv->sweeper_started) {
		atomic_store(&srv->sweeper_stop, 1);
		pthread_join(srv->sweeper, NULL);
	}
	pthread_mutex_destroy(&srv->conns_lock);
	strbuf_release(&srv->tls_cert);
	strbuf_release(&srv->tls_key);
	pthread_mutex_destroy(&srv->health_lock);
	pthread_mutex_destroy(&srv->identity_lock);
	free(srv);
}
