/*
 * http.c: the libcurl wrapper (see http.h for the contract it keeps).
 *
 * One easy handle per client, reset before each attempt but never
 * destroyed between requests, so a sync of many batches reuses one
 * connection (and one TLS session) instead of reconnecting every time.
 */
#include "client/http.h"
#include "client/credential.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/util.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONNECT_TIMEOUT 10
#define DEFAULT_TIMEOUT 300
#define DEFAULT_LOW_SPEED_TIME 60
#define DEFAULT_RETRIES 4
#define DEFAULT_MAX_RESPONSE (256u << 20)
#define BACKOFF_FIRST_MS 250
#define BACKOFF_CAP_MS 8000

struct http_client {
	CURL *curl;
	char *url; /* base, no trailing slash */
	char *key_header;
	const char *key_source; /* static words, or NULL */
	struct http_options o;
	unsigned long requests;
	char errbuf[CURL_ERROR_SIZE];
	/* the server's database: expected, last named, and whether it changed */
	char expect_db[37], seen_db[37];
	int db_changed, db_rewound;
};

/* What a transfer writes into: memory (bounded) or a file. */
/*
 * A download's bytes are handed to a second thread that hashes and writes
 * them, so that receiving (curl's thread) overlaps hashing and writing:
 * PIPE_BUFS buffers go round between the two.
 */
#define PIPE_BUFS 4
#define PIPE_BUF_SIZE (1 << 20)

struct file_pipe {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *buf[PIPE_BUFS];
	size_t len[PIPE_BUFS]; /* of the full buffers */
	unsigned head, tail; /* [tail, head) are full; head % PIPE_BUFS is being filled */
	size_t fill;	     /* bytes in the buffer being filled (curl's thread only) */
	int started, done, failed, write_errno; /* failed, write_errno: under lock */
	FILE *file;
	struct sha256_ctx *sha; /* or NULL */
};

static void *pipe_main(void *data)
{
	struct file_pipe *p = data;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		unsigned i;
		int failed, err = 0;
		while (p->tail == p->head && !p->done)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->tail == p->head)
			break;
		i = p->tail % PIPE_BUFS;
		failed = p->failed;
		pthread_mutex_unlock(&p->lock);
		if (p->sha)
			sha256_update(p->sha, p->buf[i], p->len[i]);
		if (!failed && fwrite(p->buf[i], 1, p->len[i], p->file) != p->len[i])
			err = errno ? errno : EIO;
		pthread_mutex_lock(&p->lock);
		if (err && !p->failed) {
			p->failed = 1;
			p->write_errno = err;
		}
		p->tail++;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static struct file_pipe *pipe_start(FILE *file, struct sha256_ctx *sha)
{
	struct file_pipe *p = xcalloc(1, sizeof(*p));
	p->file = file;
	p->sha = sha;
	for (int i = 0; i < PIPE_BUFS; i++)
		p->buf[i] = xmalloc(PIPE_BUF_SIZE);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pthread_create(&p->thread, NULL, pipe_main, p))
		p->failed = 1; /* no thread: the download fails */
	else
		p->started = 1;
	return p;
}

/* Queue n bytes; 0, or -1 once writing failed. */
static int pipe_write(struct file_pipe *p, const char *data, size_t n)
{
	while (n) {
		unsigned i;
		size_t room, take;
		pthread_mutex_lock(&p->lock);
		while (p->head - p->tail == PIPE_BUFS && !p->failed)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->failed) {
			pthread_mutex_unlock(&p->lock);
			return -1;
		}
		pthread_mutex_unlock(&p->lock);
		/* head - tail < PIPE_BUFS: the buffer at head is ours to fill */
		i = p->head % PIPE_BUFS;
		room = PIPE_BUF_SIZE - p->fill;
		take = n < room ? n : room;
		memcpy(p->buf[i] + p->fill, data, take);
		p->fill += take;
		data += take;
		n -= take;
		if (p->fill == PIPE_BUF_SIZE) {
			pthread_mutex_lock(&p->lock);
			p->len[i] = p->fill;
			p->head++;
			pthread_cond_signal(&p->cond);
			pthread_mutex_unlock(&p->lock);
			p->fill = 0;
		}
	}
	return 0;
}

/* Flush what is queued, stop the thread, free; 0 or -1 (err_set). */
static int pipe_finish(struct file_pipe *p)
{
	int ret = 0;
	pthread_mutex_lock(&p->lock);
	if (p->fill) {
		p->len[p->head % PIPE_BUFS] = p->fill;
		p->head++;
	}
	p->done = 1;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (p->started)
		pthread_join(p->thread, NULL);
	if (p->failed)
		ret = err_set("cannot write download: %s",
			      strerror(p->write_errno ? p->write_errno : EAGAIN));
	for (int i = 0; i < PIPE_BUFS; i++)
		free(p->buf[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
	return ret;
}

struct sink {
	struct http_client *c;
	struct strbuf *mem;
	FILE *file; /* 2xx bodies of a download */
	unsigned long long max, got;
	int too_big;
	long long retry_after;
	char database[37];		/* X-Patterns-Database, or "" */
	struct file_pipe *pipe;		/* hashes and writes into file */
	uint64_t file_bytes;		/* written into file */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_response_release(struct http_response *r)
{
	strbuf_release(&r->body);
	r->status = 0;
	r->retry_after = -1;
	r->too_large = 0;
}

static int host_is_loopback(const char *host)
{
	if (!strcasecmp(host, "localhost") || ends_with(host, ".localhost"))
		return 1;
	if (!strcmp(host, "[::1]") || !strcmp(host, "::1"))
		return 1;
	/* 127.0.0.0/8, written as a dotted quad */
	if (starts_with(host, "127.")) {
		int dots = 0;
		for (const char *p = host; *p; p++) {
			if (*p == '.')
				dots++;
			else if (*p < '0' || *p > '9')
				return 0;
		}
		return dots == 3;
	}
	return 0;
}

int http_url_allowed(const char *url, int allow_http)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *password = NULL;
	int ok = 0;

	if (!u)
		return err_set("out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		err_set("invalid team server URL '%s'", url);
		goto out;
	}
	/* it would be printed in messages and kept in the store with the URL */
	if (curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
		err_set("the team server URL must not hold a password; give the API key in "
			"GIT_PATTERNS_API_KEY, patterns.apiKey or a git credential helper");
		goto out;
	}
	if (!strcasecmp(scheme, "https")) {
		ok = 1;
	} else if (!strcasecmp(scheme, "http")) {
		if (allow_http || host_is_loopback(host))
			ok = 1;
		else
			err_set("refusing plain http:// to '%s' (the API key would travel "
				"unencrypted); use https://, or set patterns.allowHttp=true",
				host);
	} else {
		err_set("team server URL '%s' is not http:// or https://", url);
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(password);
	curl_url_cleanup(u);
	return ok ? 1 : 0;
}

int http_client_new(struct http_client **out, const char *base_url, const struct http_options *o)
{
	struct http_client *c;
	size_t n;

	*out = NULL;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return err_set("cannot initialise libcurl: %s", curl_easy_strerror(curl_init_rc));
	if (!http_url_allowed(base_url, o->allow_http))
		return -1;
	if (strchr(base_url, '?') || strchr(base_url, '#'))
		return err_set("team server URL '%s' must not have a query or fragment", base_url);
	c = xcalloc(1, sizeof(*c));
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return err_set("cannot initialise libcurl");
	}
	c->o = *o;
	if (c->o.connect_timeout <= 0)
		c->o.connect_timeout = DEFAULT_CONNECT_TIMEOUT;
	if (c->o.timeout <= 0)
		c->o.timeout = DEFAULT_TIMEOUT;
	if (c->o.low_speed_time <= 0)
		c->o.low_speed_time = DEFAULT_LOW_SPEED_TIME;
	if (c->o.max_retries < 0)
		c->o.max_retries = DEFAULT_RETRIES;
	if (!c->o.max_response)
		c->o.max_response = DEFAULT_MAX_RESPONSE;
	c->o.ca_info = o->ca_info ? xstrdup(o->ca_info) : NULL;
	n = strlen(base_url);
	while (n && base_url[n - 1] == '/')
		n--;
	c->url = xstrndup(base_url, n);
	*out = c;
	return 0;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	if (c->key_header) {
		/* do not leave the key in freed memory */
		memset(c->key_header, 0, strlen(c->key_header));
		free(c->key_header);
	}
	free((char *)c->o.ca_info);
	free(c->url);
	free(c);
}

const char *http_client_url(const struct http_client *c)
{
	return c->url;
}
unsigned long http_client_requests(const struct http_client *c)
{
	return c->requests;
}

void http_client_expect_database(struct http_client *c, const char *expect)
{
	snprintf(c->expect_db, sizeof(c->expect_db), "%s", expect ? expect : "");
	c->db_changed = c->db_rewound = 0;
}

const char *http_client_database(const struct http_client *c)
{
	return c->seen_db;
}

int http_client_database_changed(const struct http_client *c)
{
	return c->db_changed;
}

int http_client_database_went_back(struct http_client *c, long long last, long long seen)
{
	c->db_changed = c->db_rewound = 1;
	return err_set("team server %s went back to an earlier state (its last change is %lld, "
		       "this clone had seen %lld): was a backup restored?",
		       c->url, last, seen);
}

int http_client_database_rewound(const struct http_client *c)
{
	return c->db_rewound;
}

static int database_changed_error(const struct http_client *c)
{
	if (c->db_rewound)
		return err_set("team server %s went back to an earlier state than this clone "
			       "synced with", c->url);
	return err_set("team server %s answers from another database (%s) than the one this "
		       "clone synced with (%s)",
		       c->url, c->seen_db, c->expect_db);
}

/* Note the database an answer named: -1 (err_set) when it is not the one expected. */
static int check_database(struct http_client *c, const char *database)
{
	if (!database[0])
		return 0;
	memcpy(c->seen_db, database, sizeof(c->seen_db));
	if (!c->expect_db[0] || !strcasecmp(c->expect_db, database))
		return 0;
	c->db_changed = 1;
	return database_changed_error(c);
}

void http_client_set_key(struct http_client *c, const char *key, const char *source)
{
	c->key_source = key ? source : NULL;
	if (c->key_header) {
		memset(c->key_header, 0, strlen(c->key_header));
		free(c->key_header);
		c->key_header = NULL;
	}
	if (key)
		c->key_header = xstrfmt("X-API-Key: %s", key);
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *priv)
{
	struct sink *s = priv;
	size_t n = size * nmemb;
	long status = 0;

	if (s->max && (s->got + n < s->got || s->got + n > s->max)) {
		s->too_big = 1;
		return 0; /* aborts the transfer */
	}
	s->got += n;
	curl_easy_getinfo(s->c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (s->file && status >= 200 && status < 300) {
		if (pipe_write(s->pipe, data, n) < 0)
			return 0;
		s->file_bytes += n;
		return n;
	}
	strbuf_add(s->mem, data, n);
	return n;
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *priv)
{
	struct sink *s = priv;
	size_t n = size * nmemb;
	const char *v;
	char line[128];

	if (n < sizeof(line)) {
		memcpy(line, data, n);
		line[n] = '\0';
		if (!strncasecmp(line, "Retry-After:", 12)) {
			v = line + 12;
			while (*v == ' ' || *v == '\t')
				v++;
			if (*v >= '0' && *v <= '9') {
				long long secs = 0;
				while (*v >= '0' && *v <= '9' && secs < 1000000)
					secs = secs * 10 + (*v++ - '0');
				s->retry_after = secs;
			}
		} else if (!strncasecmp(line, "X-Patterns-Database:", 20)) {
			char id[37];
			size_t k = 0;
			v = line + 20;
			while (*v == ' ' || *v == '\t')
				v++;
			/* a UUID, then only the line's end */
			while (k < 36 && *v && *v != '\r' && *v != '\n')
				id[k++] = *v++;
			id[k] = '\0';
			while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
				v++;
			if (!*v && uuid_valid(id))
				memcpy(s->database, id, sizeof(id));
		}
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct body_source {
	const char *mem;
	size_t len;
	FILE *file;
	curl_off_t file_len;
};

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *priv)
{
	FILE *f = priv;
	size_t n = fread(buf, size, nmemb, f);
	return n || !ferror(f) ? n : CURL_READFUNC_ABORT;
}

/* One attempt. Returns the CURLcode; *status is 0 when nothing came back. */
static CURLcode attempt(struct http_client *c, const char *method, const char *url,
			struct curl_slist *headers, const struct body_source *src,
			struct sink *sink, long *status)
{
	CURL *h = c->curl;
	CURLcode rc;

	curl_easy_reset(h);
	c->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->o.ca_info)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->o.ca_info);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->o.connect_timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->o.timeout);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->o.low_speed_time);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "git-patterns/" GIT_PATTERNS_VERSION);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, sink);
	if (sink->max)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
	/* files move in large pieces: far fewer write()s and wake-ups per GiB */
	if (sink->file)
		curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024);
	if (src && src->file)
		curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);

	if (src && src->file) {
		rewind(src->file);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, src->file);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, src->file_len);
	} else if (src) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, src->mem);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)src->len);
	}
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, src ? "POST" : "GET"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);

	c->requests++;
	rc = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	return rc;
}

/* Is this failure worth another try? (Never TLS verification failures.) */
/*
 * What to do about a certificate that did not verify: the usual cause is
 * a team server whose certificate comes from the team's own authority.
 */
static const char *tls_hint(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return "; if the server's certificate comes from a private certificate "
		       "authority, give its CA bundle with 'git config patterns.caInfo "
		       "/path/to/ca.pem'";
	default:
		return "";
	}
}

static int transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int perform(struct http_client *c, const char *method, const char *path,
		   const char *content_type, const struct body_source *src,
		   struct http_response *resp, FILE *file, unsigned long long max,
		   struct sha256_ctx *sha)
{
	struct strbuf url = STRBUF_INIT;
	struct curl_slist *headers = NULL;
	char *ct = NULL;
	long backoff = BACKOFF_FIRST_MS;
	int ret = -1;

	if (c->db_changed) {
		/* the caller's state is not this database's: send nothing more */
		resp->status = 0;
		return database_changed_error(c);
	}
	strbuf_addstr(&url, c->url);
	strbuf_addstr(&url, path);
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, "Expect:");
	if (content_type) {
		ct = xstrfmt("Content-Type: %s", content_type);
		headers = curl_slist_append(headers, ct);
	}
	if (c->key_header)
		headers = curl_slist_append(headers, c->key_header);

	for (int try = 0;; try++) {
		struct sink sink = {c, &resp->body, file, max, 0, 0, -1, "", NULL, 0};
		CURLcode rc;
		long status;

		strbuf_reset(&resp->body);
		resp->status = 0;
		resp->retry_after = -1;
		resp->too_large = 0;
		if (file &&
		    (fflush(file) || ftruncate(fileno(file), 0) < 0 || fseek(file, 0, SEEK_SET))) {
			err_set("cannot write download: %s", strerror(errno));
			break;
		}
		if (sha) {
			/* each attempt hashes what it writes, from the start */
			char discard[65];
			if (sha->md)
				sha256_final_hex(sha, discard);
			sha256_init(sha);
		}
		if (file)
			sink.pipe = pipe_start(file, sha);
		rc = attempt(c, method, url.buf, headers, src, &sink, &status);
		if (sink.pipe && pipe_finish(sink.pipe) < 0)
			break;
		resp->retry_after = sink.retry_after;
		if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
			resp->too_large = 1;
			err_set("answer of %s %s is larger than %llu bytes", method, url.buf,
				(unsigned long long)max);
			break;
		}
		if (rc == CURLE_OK && status < 500) {
			resp->status = status;
			ret = 0;
			if (check_database(c, sink.database) < 0) {
				resp->status = 0;
				ret = -1;
			}
			break;
		}
		if (rc == CURLE_OK) {
			resp->status = status;
			if (try >= c->o.max_retries) {
				ret = 0; /* the caller reports the 5xx */
				if (check_database(c, sink.database) < 0) {
					resp->status = 0;
					ret = -1;
				}
				break;
			}
		} else if (!transient(rc) || try >= c->o.max_retries) {
			char retries[48] = "";
			if (try)
				snprintf(retries, sizeof(retries), " (after %d retries)", try);
			err_set("cannot reach team server %s: %s%s%s", c->url,
				c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc), retries,
				tls_hint(rc));
			break;
		}
		{
			long wait = backoff;
			if (resp->retry_after >= 0 && resp->retry_after * 1000 > wait)
				wait = resp->retry_after * 1000 < BACKOFF_CAP_MS
					       ? (long)resp->retry_after * 1000
					       : BACKOFF_CAP_MS;
			sleep_ms(wait);
			backoff = backoff * 2 > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : backoff * 2;
		}
	}
	curl_slist_free_all(headers);
	free(ct);
	strbuf_release(&url);
	return ret;
}

int http_request(struct http_client *c, const char *method, const char *path,
		 const char *content_type, const void *body, size_t len, struct http_response *resp)
{
	struct body_source src = {body ? body : "", len, NULL, 0};
	int has_body = body || !strcmp(method, "POST") || !strcmp(method, "PUT");
	return perform(c, method, path, content_type, has_body ? &src : NULL, resp, NULL,
		       c->o.max_response, NULL);
}

int http_json(struct http_client *c, const char *method, const char *path,
	      const struct strbuf *body, struct http_response *resp, cJSON **json)
{
	if (json)
		*json = NULL;
	if (http_request(c, method, path, body ? "application/json" : NULL, body ? body->buf : NULL,
			 body ? body->len : 0, resp) < 0)
		return -1;
	if (resp->status < 200 || resp->status >= 300 || !json || !resp->body.len)
		return 0;
	*json = json_parse(resp->body.buf, resp->body.len);
	if (!*json) {
		char *msg = xstrdup(err_msg());
		err_set("team server %s sent invalid JSON for %s %s: %s", c->url, method, path,
			msg);
		free(msg);
		return -1;
	}
	return 0;
}

int http_upload_file(struct http_client *c, const char *method, const char *path,
		     const char *content_type, const char *file, struct http_response *resp)
{
	struct body_source src = {NULL, 0, NULL, 0};
	int ret;

	src.file = fopen(file, "rb");
	if (!src.file)
		return err_set("cannot open '%s': %s", file, strerror(errno));
	if (fseeko(src.file, 0, SEEK_END) < 0 || (src.file_len = ftello(src.file)) < 0) {
		fclose(src.file);
		return err_set("cannot read '%s': %s", file, strerror(errno));
	}
	ret = perform(c, method, path, content_type, &src, resp, NULL, c->o.max_response, NULL);
	fclose(src.file);
	return ret;
}

#define DOWNLOAD_BUFFER (1 << 20)

static int download(struct http_client *c, const char *path, const char *dest,
		    unsigned long long max_size, struct http_response *resp, char *sha256)
{
	struct sha256_ctx sha = { NULL };
	char *iobuf = xmalloc(DOWNLOAD_BUFFER);
	char *tmp = xstrfmt("%s.tmp", dest);
	FILE *f = fopen(tmp, "wb");
	char discard[65];
	int ret;

	if (!f) {
		err_set("cannot create '%s': %s", tmp, strerror(errno));
		free(iobuf);
		free(tmp);
		return -1;
	}
	/* glibc ignores the size unless it is given the buffer */
	setvbuf(f, iobuf, _IOFBF, DOWNLOAD_BUFFER);
	/* hashed as it arrives: SHA-256 outruns loopback, no reading back */
	ret = perform(c, "GET", path, NULL, NULL, resp, f, max_size, sha256 ? &sha : NULL);
	if (sha.md)
		sha256_final_hex(&sha, sha256 && !ret ? sha256 : discard);
	if (fclose(f) && !ret)
		ret = err_set("cannot write '%s': %s", tmp, strerror(errno));
	if (!ret && resp->status >= 200 && resp->status < 300) {
		if (rename(tmp, dest) < 0)
			ret = err_set("cannot rename '%s' to '%s': %s", tmp, dest, strerror(errno));
	}
	if (ret || resp->status < 200 || resp->status >= 300)
		unlink(tmp);
	free(iobuf);
	free(tmp);
	return ret;
}

int http_download_file(struct http_client *c, const char *path, const char *dest,
		       unsigned long long max_size, struct http_response *resp)
{
	return download(c, path, dest, max_size, resp, NULL);
}

int http_download_file_sha256(struct http_client *c, const char *path, const char *dest,
			      unsigned long long max_size, struct http_response *resp,
			      char sha256[65])
{
	return download(c, path, dest, max_size, resp, sha256);
}

void http_error_detail(const struct http_response *resp, struct strbuf *out)
{
	cJSON *doc;
	const char *detail = NULL;

	strbuf_reset(out);
	doc = resp->body.len ? cJSON_ParseWithLength(resp->body.buf, resp->body.len) : NULL;
	if (doc)
		detail = json_get_string(doc, "detail");
	if (detail && *detail) {
		utf8_sanitize(out, detail, strlen(detail) > 500 ? 500 : strlen(detail));
	} else if (resp->body.len && !doc) {
		size_t n = resp->body.len > 200 ? 200 : resp->body.len;
		utf8_sanitize(out, resp->body.buf, n);
		strbuf_rtrim(out);
	}
	/* keep it one line, without control characters */
	for (size_t i = 0; i < out->len; i++)
		if ((unsigned char)out->buf[i] < 0x20)
			out->buf[i] = ' ';
	if (!out->len)
		strbuf_addf(out, "HTTP status %ld", resp->status);
	cJSON_Delete(doc);
}

int http_key_refused(const struct http_client *c, const struct http_response *resp,
		     const char *what)
{
	struct strbuf detail = STRBUF_INIT;
	http_error_detail(resp, &detail);
	if (c->key_source)
		err_set("team server %s refused the API key from %s (%s) while %s; "
			"to give another key, " CREDENTIAL_HOWTO,
			c->url, c->key_source, detail.buf, what);
	else
		err_set("team server %s refused the API key (%s) while %s: no key was found in "
			"GIT_PATTERNS_API_KEY, patterns.apiKey or a git credential helper; "
			"to give a key, " CREDENTIAL_HOWTO,
			c->url, detail.buf, what);
	strbuf_release(&detail);
	return -1;
}

void http_query_escape(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			strbuf_addch(out, ch);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[ch >> 4]);
			strbuf_addch(out, hex[ch & 15]);
		}
	}
}
