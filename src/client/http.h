/*
 * http: the one HTTP client of git-patterns (libcurl), used by every
 * command that talks to a team server (sync, feedback, adapter push/pull).
 *
 * Contract:
 *  - TLS is always verified (peer and host name); http_options.ca_info adds
 *    a private CA bundle (patterns.caInfo). Plain http:// is refused unless
 *    the host is loopback (localhost, 127.0.0.0/8, ::1) or allow_http is set
 *    (patterns.allowHttp). Redirects are never followed, and only http and
 *    https are ever spoken.
 *  - Connection failures, timeouts and 5xx answers are retried with
 *    exponential backoff (0.25 s, 0.5 s, 1 s, ... capped at 8 s), at most
 *    max_retries times; a Retry-After of a 503 is honoured up to the cap.
 *    Every request we make is idempotent on the server (patterns are merged
 *    by solution_hash, a vote replaces the previous one), so a retry after a
 *    lost answer cannot duplicate anything.
 *  - A response body larger than max_response bytes is an error (the
 *    transfer is cut), so a broken or hostile server cannot exhaust memory.
 *  - The API key travels only in the X-API-Key header. It is never part of
 *    an error message, and curl's verbose output is never enabled.
 *  - Functions return 0 when the server answered (any status: the caller
 *    decides what a 4xx means), -1 with err_set() when no answer could be
 *    had (after the retries), on a local error, or when the answer came
 *    from another database than the one expected (see
 *    http_client_expect_database).
 */
#ifndef HTTP_H
#define HTTP_H

#include "common/strbuf.h"
#include <cJSON.h>
#include <stddef.h>

struct http_options {
	const char *ca_info;  /* CA bundle file; NULL: system CAs */
	int allow_http;	      /* allow plain http:// to any host */
	long connect_timeout; /* seconds; <= 0: 10 */
	long timeout;	      /* seconds for a whole request; <= 0: 300 */
	long low_speed_time;  /* abort when under 1 byte/s for this long; <= 0: 60 */
	int max_retries;      /* < 0: 4 */
	size_t max_response;  /* bytes; 0: 256 MiB */
};
#define HTTP_OPTIONS_INIT                                                                          \
	{                                                                                          \
		NULL, 0, 0, 0, 0, -1, 0                                                            \
	}

struct http_client;

struct http_response {
	long status; /* HTTP status; 0 when there was no answer */
	struct strbuf body;
	long long retry_after; /* seconds from a Retry-After header, or -1 */
	int too_large;	       /* the call failed: the answer was over the bound */
};
#define HTTP_RESPONSE_INIT                                                                         \
	{                                                                                          \
		0, STRBUF_INIT, -1, 0                                                              \
	}
void http_response_release(struct http_response *r);

/*
 * Check base_url (scheme, loopback rule) and make a client for it. The
 * base URL's path is kept ("https://host/team" + "/patterns"); a trailing
 * slash is dropped. 0, or -1 and err_set.
 */
int http_client_new(struct http_client **out, const char *base_url, const struct http_options *o);
void http_client_free(struct http_client *c);

/* The base URL without the trailing slash. */
const char *http_client_url(const struct http_client *c);
/*
 * Set (or with NULL, clear) the API key sent as X-API-Key; source says in
 * words where it came from (credential_source_name()), for the message of
 * a refusal, and may be NULL.
 */
void http_client_set_key(struct http_client *c, const char *key, const char *source);
/* How many requests (attempts, retries included) this client has sent. */
unsigned long http_client_requests(const struct http_client *c);

/*
 * The team server's database (docs/api.md: the X-Patterns-Database header
 * of every answer to a request whose key it accepted). expect is the id the
 * caller's state belongs to (NULL or "": none known, any will do). An answer
 * that names another database fails its request (-1 with err_set, the
 * status 0), and every request after it fails without being sent, until
 * the next call: nothing more is done against a database the caller's
 * state does not belong to. Answers that name none (servers older than
 * identities) are taken as before.
 */
void http_client_expect_database(struct http_client *c, const char *expect);
/* The id named by the latest answer that named one, or "". */
const char *http_client_database(const struct http_client *c);
/* 1 once an answer named another database than the one expected. */
int http_client_database_changed(const struct http_client *c);
/*
 * The database went back to an earlier state than the caller has seen
 * (its last change is last, the caller's cursor seen: a backup restored):
 * from now on as another database (http_client_database_changed() is 1).
 * Returns -1 with err_set.
 */
int http_client_database_went_back(struct http_client *c, long long last, long long seen);
/* 1 if that is why the database counts as changed. */
int http_client_database_rewound(const struct http_client *c);

/*
 * 1 if url may be used: https, or http to loopback, or http with
 * allow_http. 0 and err_set otherwise (the message says how to allow it).
 */
int http_url_allowed(const char *url, int allow_http);

/*
 * One request: method ("GET", "POST", ...), path relative to the base URL
 * (starting with '/', query string included and already escaped), an
 * optional body of content_type. The response is filled (status and body)
 * whenever the server answered.
 */
int http_request(struct http_client *c, const char *method, const char *path,
		 const char *content_type, const void *body, size_t len,
		 struct http_response *resp);

/*
 * A JSON request: body (may be NULL) is sent as application/json; when
 * the answer is 2xx and has a body, *json is the parsed document (json may
 * be NULL when the caller does not need it). A 2xx answer that is not valid
 * JSON is an error (-1). Other statuses leave *json NULL; resp keeps them.
 */
int http_json(struct http_client *c, const char *method, const char *path,
	      const struct strbuf *body, struct http_response *resp, cJSON **json);

/*
 * Stream a file as the request body (not read into memory); the answer's
 * body is kept in resp. Retries re-read the file from its start.
 */
int http_upload_file(struct http_client *c, const char *method, const char *path,
		     const char *content_type, const char *file, struct http_response *resp);

/*
 * Stream a 2xx answer into file dest (through dest.tmp, renamed into place
 * only when complete); the size bound is max_size bytes (0: none). The body
 * of a non-2xx answer goes to resp->body instead, and dest is untouched.
 */
int http_download_file(struct http_client *c, const char *path, const char *dest,
		       unsigned long long max_size, struct http_response *resp);
/*
 * The same, and sha256 (65 bytes) receives the hex SHA-256 of the body
 * written to dest, computed while it streams (so a caller that checks the
 * download needs no second pass over the file).
 */
int http_download_file_sha256(struct http_client *c, const char *path, const char *dest,
			      unsigned long long max_size, struct http_response *resp,
			      char sha256[65]);

/*
 * What the server said about a failed request, for an error message: its
 * JSON "detail", or the start of the body as text, or the status line.
 * Written to out (reset first).
 */
void http_error_detail(const struct http_response *resp, struct strbuf *out);

/*
 * The one message for a 401: which server refused, the key's source (never
 * the key), the server's detail, what we were doing and how to give a key.
 * Always -1 with err_set, for "return http_key_refused(...)".
 */
int http_key_refused(const struct http_client *c, const struct http_response *resp,
		     const char *what);

/* Append s to out escaped for a URL query (RFC 3986 unreserved kept). */
void http_query_escape(struct strbuf *out, const char *s);

#endif
