/*
 * Unit tests for http.c's transfers against a tiny HTTP server on a
 * loopback port (a thread of this test): streaming upload and download of
 * files larger than a buffer, the download size bound, retries of 5xx,
 * and a 2xx answer that is not JSON.
 */
#include "common/hash.h"
#include "client/http.h"
#include "common/json.h"
#include "tap.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_fd;
static int hits_503;

static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

static void respond(int fd, int status, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, len);
	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void serve_one(int fd)
{
	struct strbuf req = STRBUF_INIT;
	char buf[65536], hex[65], *end, *cl;
	size_t body_len = 0, got;
	struct sha256_ctx ctx;

	while (!(end = strstr(req.buf, "\r\n\r\n"))) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			goto out;
		strbuf_add(&req, buf, (size_t)r);
	}
	cl = strstr(req.buf, "Content-Length: ");
	if (cl && cl < end)
		body_len = strtoul(cl + 16, NULL, 10);
	got = req.len - (size_t)(end + 4 - req.buf);
	sha256_init(&ctx);
	sha256_update(&ctx, end + 4, got);
	while (got < body_len) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		sha256_update(&ctx, buf, (size_t)r);
		got += (size_t)r;
	}
	sha256_final_hex(&ctx, hex);
	if (starts_with(req.buf, "POST /upload ")) {
		char out[200];
		int n = snprintf(out, sizeof(out), "{\"received\": %zu, \"sha256\": \"%s\"}", got,
				 hex);
		respond(fd, 201, out, (size_t)n);
	} else if (starts_with(req.buf, "GET /download ")) {
		size_t n = 3u << 20;
		char *data = xmalloc(n);
		for (size_t i = 0; i < n; i++)
			data[i] = (char)(i % 251);
		respond(fd, 200, data, n);
		free(data);
	} else if (starts_with(req.buf, "GET /busy ")) {
		hits_503++;
		respond(fd, 503, "{\"detail\": \"busy\"}", 18);
	} else if (starts_with(req.buf, "GET /html ")) {
		respond(fd, 200, "<html>", 6);
	} else {
		respond(fd, 404, "{\"detail\": \"no such path\"}", 26);
	}
out:
	strbuf_release(&req);
	close(fd);
}

static void *server(void *unused)
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		serve_one(fd);
	}
}

static void write_file(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");
	for (size_t i = 0; i < n; i++)
		fputc((int)((i * 7) % 256), f);
	fclose(f);
}

int main(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct http_options o = HTTP_OPTIONS_INIT;
	struct http_client *c;
	struct http_response resp = HTTP_RESPONSE_INIT;
	char dir[] = "/tmp/gp-http-XXXXXX", url[64], *src, *dest, hex[65];
	struct strbuf data = STRBUF_INIT;
	struct stat st;
	pthread_t th;
	cJSON *doc;

	/* the server side writes to clients that hung up on purpose */
	signal(SIGPIPE, SIG_IGN);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(listen_fd, 8) ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &alen) || !mkdtemp(dir)) {
		printf("Bail out! cannot listen on loopback\n");
		return 1;
	}
	pthread_create(&th, NULL, server, NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	o.max_retries = 2;
	ok(http_client_new(&c, url, &o) == 0, "a client for a loopback URL");
	ok(strlen(http_client_url(c)) == strlen(url) - 1, "the base URL loses its trailing slash");

	/* upload: streamed from the file */
	src = xstrfmt("%s/up.bin", dir);
	write_file(src, (5u << 20) + 123);
	strbuf_read_file(&data, src);
	sha256_hex(data.buf, data.len, hex);
	ok(http_upload_file(c, "POST", "/upload", "application/octet-stream", src, &resp) == 0 &&
		   resp.status == 201,
	   "upload of 5 MiB answered 201");
	doc = cJSON_Parse(resp.body.buf);
	is_num(json_get_number(doc, "received", -1), (double)data.len, "every byte arrived");
	is_str(json_get_string(doc, "sha256"), hex, "the same bytes");
	cJSON_Delete(doc);

	/* download: streamed into dest through dest.tmp */
	dest = xstrfmt("%s/down.bin", dir);
	ok(http_download_file(c, "/download", dest, 0, &resp) == 0 && resp.status == 200,
	   "download answered 200");
	ok(stat(dest, &st) == 0 && st.st_size == (3 << 20), "the file has every byte");
	strbuf_reset(&data);
	strbuf_read_file(&data, dest);
	ok(data.len == (3u << 20) && (unsigned char)data.buf[300] == 300 % 251, "the right bytes");
	unlink(dest);
	ok(http_download_file(c, "/download", dest, 1u << 20, &resp) < 0,
	   "over the bound: an error");
	ok(strstr(err_msg(), "larger than") != NULL, "which says so");
	ok(stat(dest, &st) < 0, "and no file is left");
	{
		char *tmp = xstrfmt("%s.tmp", dest);
		ok(stat(tmp, &st) < 0, "nor a temporary one");
		free(tmp);
	}
	ok(http_download_file(c, "/nothing", dest, 0, &resp) == 0 && resp.status == 404 &&
		   stat(dest, &st) < 0,
	   "a 404 download writes no file, and keeps the answer");

	/* 5xx: retried max_retries times, then handed back */
	ok(http_request(c, "GET", "/busy", NULL, NULL, 0, &resp) == 0 && resp.status == 503,
	   "a 503 is handed back after the retries");
	is_num(hits_503, 3, "one try and two retries");

	/* a 2xx answer that is not JSON */
	ok(http_json(c, "GET", "/html", NULL, &resp, &doc) < 0 && !doc, "non-JSON 2xx is an error");
	ok(strstr(err_msg(), "invalid JSON") != NULL, "which says so");
	ok(http_client_requests(c) >= 8, "requests are counted");

	http_response_release(&resp);
	http_client_free(c);
	strbuf_release(&data);
	unlink(src);
	rmdir(dir);
	free(src);
	free(dest);
	return done_testing();
}
