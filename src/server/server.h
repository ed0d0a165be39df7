/*
 * server: the team server's HTTP machinery on libmicrohttpd: listening
 * (optionally TLS), a thread pool, the routing table, authentication by
 * X-API-Key, bounded request bodies, JSON errors {"detail": ...}, one
 * access log line per request, and a clean stop on SIGTERM/SIGINT.
 *
 * Routes are rows of the table in server.c: {method, path pattern,
 * handler, flags}. A path pattern is literal segments and "{name}"
 * segments, which match one non-empty segment and reach the handler in
 * req->params, in order. To add an endpoint, write a handler (see
 * server-patterns.c) and add a row.
 *
 * Handlers run on a worker thread, take a request and fill a response:
 *  - req: method, path, path params, query (server_query), the body (JSON
 *    routes: in memory, at most max_body bytes; ROUTE_UPLOAD routes:
 *    streamed into a temporary file under upload_dir, at most max_upload
 *    bytes, which the handler may rename away), the key's user and admin
 *    flag, and the database.
 *  - res: status and a JSON body, or an open file descriptor to stream.
 * Every route requires a valid key unless it has ROUTE_PUBLIC; the server
 * answers 400 (HTTP/1.1 without Host), 401, 404 (also a path that is not
 * UTF-8), 405, 413, 414, 422 (a query that is not UTF-8) and 501 (a
 * Transfer-Encoding other than chunked) itself before a handler runs.
 */
#ifndef SERVER_H
#define SERVER_H

#include "server/serverdb.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/json.h"

#include <stdint.h>

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8000"
#define SERVER_DEFAULT_DB "sqlite:patterns-server.db"
#define SERVER_DEFAULT_MAX_BODY (16u << 20)
#define SERVER_DEFAULT_SESSION_TTL (8 * 3600) /* web interface sign-ins, seconds */
#define SERVER_MAX_PARAMS 4
#define SERVER_MAX_HEADERS 8
#define SERVER_MAX_URI 8192 /* bytes of the request line's URI; longer: 414 */
#define SERVER_DEFAULT_REQUEST_TIMEOUT 30
#define SERVER_DEFAULT_MAX_CONNECTIONS 2000
#define SERVER_DEFAULT_MAX_PER_ADDRESS 256

struct server_config {
	const char *listen;   /* HOST:PORT, [V6]:PORT */
	const char *tls_cert; /* PEM files; both or neither */
	const char *tls_key;
	int threads;
	size_t max_body;		/* JSON request bodies */
	unsigned long long max_upload;	/* ROUTE_UPLOAD bodies */
	const char *upload_dir;		/* where uploads are streamed */
	const char *adapter_dir;	/* adapter versions' files (server-adapters.c) */
	int access_log_fd;		/* -1: no access log */
	long long session_ttl;		/* web interface sessions, seconds (0: default) */
	double request_timeout;		/* headers, and a JSON body, in seconds */
	unsigned max_connections;	/* in all; lowered to fit RLIMIT_NOFILE */
	unsigned max_per_address;	/* from one client address */
	struct serverdb *db;
};

struct server;

struct server_request {
	struct server *srv;
	const char *method;
	const char *path;
	const char *params[SERVER_MAX_PARAMS];
	size_t nr_params;
	const char *body; /* JSON routes; NUL-terminated, body_len bytes */
	size_t body_len;
	const char *upload_path; /* ROUTE_UPLOAD routes */
	unsigned long long upload_size;
	const char *upload_sha256; /* hex SHA-256 of the upload, computed while streaming */
	const char *user; /* NULL on ROUTE_PUBLIC routes */
	int is_admin;
	long long key_id;
	struct serverdb *db;
	void *connection; /* for server_query */
};

struct server_response {
	int status;
	struct strbuf body;	  /* JSON unless content_type says otherwise */
	const char *content_type; /* NULL: application/json */
	int file_fd;		  /* >= 0: stream file_size bytes from it (closed after) */
	uint64_t file_size;
	char *log_error; /* internal detail for the access log, never sent */
	char *log_user;	 /* the user, for the access log, on ROUTE_UI routes */
	char *headers[SERVER_MAX_HEADERS][2]; /* extra headers: name, value */
	size_t nr_headers;
};

/* The configuration the server was started with. */
const struct server_config *server_get_config(const struct server *srv);
/* A query parameter (decoded), or NULL. */
const char *server_query(struct server_request *req, const char *name);
/* A request header, or NULL. */
const char *server_header(struct server_request *req, const char *name);
/* A cookie sent with the request, or NULL. */
const char *server_cookie(struct server_request *req, const char *name);
/* 1 when the server speaks TLS. */
int server_is_tls(const struct server *srv);
/* Add a response header (copied; at most SERVER_MAX_HEADERS). */
void server_add_header(struct server_response *res, const char *name, const char *value);
/*
 * Every value of a repeated query parameter (?t=a&t=b), at most max, into
 * out; how many, or -1 when there are more than max.
 */
int server_query_all(struct server_request *req, const char *name, const char **out,
		     size_t max);
/* Set status and body {"detail": "<message>"}. */
void server_error(struct server_response *res, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Map a serverdb error to 404/403/503/500 with a JSON body. */
void server_db_error(struct server_response *res, int rc, const char *what);
/*
 * Largest number of JSON values in a request body: a batch of 1000
 * patterns of a few dozen fields each fits; an array of millions of
 * zeros is refused (413) while it streams in, before it is parsed.
 */
#define SERVER_MAX_JSON_VALUES 100000
/*
 * The request body as JSON; on failure NULL and the response set: 400
 * empty, not UTF-8 or malformed (a bad \u escape included), 413 too many
 * values, 422 a NUL in a string (cJSON would cut the string there).
 */
cJSON *server_parse_json(struct server_request *req, struct server_response *res);
/* The database's health: a cached ping (at most every 500 ms). */
int server_db_healthy(struct server *srv);
/*
 * The database's identity (serverdb_identity), cached for a couple of
 * seconds; 0, or -1 while it could never be read (out is then "").
 */
int server_database_id(struct server *srv, char out[37]);
/* The header that carries it on every answer to a request whose key was accepted. */
#define SERVER_DATABASE_HEADER "X-Patterns-Database"

typedef void (*server_handler)(struct server_request *req, struct server_response *res);

enum {
	ROUTE_PUBLIC = 1 << 0, /* no key needed */
	ROUTE_UPLOAD = 1 << 1, /* body streamed to a file, bounded by max_upload */
	ROUTE_UI = 1 << 2,     /* web interface (ui.c): no key, the handler checks
				  the session; bodies at most SERVER_UI_MAX_BODY */
};
#define SERVER_UI_MAX_BODY (64u << 10)

struct server_route {
	const char *method;
	const char *path;
	server_handler fn;
	unsigned flags;
};

/* Start listening; 0, or -1 with err_set (port taken, bad cert, ...). */
int server_start(struct server **out, const struct server_config *cfg);
/* The port actually bound. */
unsigned server_port(struct server *srv);
/*
 * Block until SIGTERM or SIGINT (which server_start blocked in every
 * thread), then stop: no new connections, requests in flight finish (up to
 * 30 s), then the workers exit. Returns the signal number.
 */
int server_wait_and_stop(struct server *srv);
void server_free(struct server *srv);

/* Helpers the route files share (server-patterns.c). */
struct json_writer;
/* A pattern object as the API writes it. */
void server_write_pattern(struct json_writer *jw, const struct sdb_pattern *p);
/* Query numbers in [min, max] (def when absent); -1 after a 422 response. */
int server_query_int(struct server_request *req, struct server_response *res,
		     const char *name, long long min, long long max, long long def,
		     long long *out);
int server_query_double(struct server_request *req, struct server_response *res,
			const char *name, double min, double max, double def, double *out);
/*
 * A string field of o: absent or null leaves *out NULL; else valid UTF-8 of
 * at most max bytes, or -1 with a message in err.
 */
int server_take_string(const cJSON *o, const char *key, size_t max, char **out,
		       struct strbuf *err);

/* Route handlers (server-patterns.c). */
void handle_health(struct server_request *req, struct server_response *res);
void handle_patterns_list(struct server_request *req, struct server_response *res);
void handle_patterns_create(struct server_request *req, struct server_response *res);
void handle_pattern_get(struct server_request *req, struct server_response *res);
void handle_pattern_delete(struct server_request *req, struct server_response *res);
void handle_pattern_feedback(struct server_request *req, struct server_response *res);
void handle_patterns_recall(struct server_request *req, struct server_response *res);

/* Route handlers (server-projects.c): cross-project learning, SPEC §8. */
void handle_projects_list(struct server_request *req, struct server_response *res);
void handle_project_put(struct server_request *req, struct server_response *res);
void handle_project_get(struct server_request *req, struct server_response *res);
void handle_project_similar(struct server_request *req, struct server_response *res);
void handle_project_suggestions(struct server_request *req, struct server_response *res);
void handle_project_insights(struct server_request *req, struct server_response *res);
void handle_applications_put(struct server_request *req, struct server_response *res);
void handle_pattern_outcome(struct server_request *req, struct server_response *res);

/* Route handlers (server-adapters.c). */
void handle_adapters_list(struct server_request *req, struct server_response *res);
void handle_adapter_upload(struct server_request *req, struct server_response *res);
void handle_adapter_file(struct server_request *req, struct server_response *res);
void handle_adapters_merge(struct server_request *req, struct server_response *res);
void handle_adapter_activate(struct server_request *req, struct server_response *res);
void handle_adapters_rollback(struct server_request *req, struct server_response *res);
void handle_adapter_delete(struct server_request *req, struct server_response *res);
/*
 * Remove what uploads and merges left in the adapter folder dir when a
 * server died under them: uploads older than max_age seconds, merge
 * folders that no running merge holds (each holds a lock on its own, so
 * servers sharing the folder keep theirs); how many.
 */
int server_adapters_sweep(const char *dir, double max_age);

#endif
