/*
 * Unit tests for the client side's pure rules: which URLs http.c accepts
 * (TLS unless loopback), query escaping, what an error answer says, and
 * sync.c's UUID check; plus repo.c's "git -c" parsing.
 */
#include "client/http.h"
#include "common/repo.h"
#include "client/sync.h"
#include "tap.h"
#include "common/util.h"

#include <stdlib.h>

static void test_urls(void)
{
	ok(http_url_allowed("https://patterns.example.com", 0), "https anywhere");
	ok(http_url_allowed("https://patterns.example.com:8443/team/", 0),
	   "https with port and path");
	ok(http_url_allowed("http://127.0.0.1:8000", 0), "http to 127.0.0.1");
	ok(http_url_allowed("http://127.1.2.3:8000", 0), "http to 127.0.0.0/8");
	ok(http_url_allowed("http://localhost:8000", 0), "http to localhost");
	ok(http_url_allowed("http://[::1]:8000", 0), "http to ::1");
	ok(!http_url_allowed("http://patterns.example.com", 0), "http elsewhere refused");
	ok(strstr(err_msg(), "patterns.allowHttp") != NULL, "the refusal says how to allow it");
	ok(!http_url_allowed("http://127.0.0.1.example.com", 0),
	   "127.0.0.1.example.com is not loopback");
	ok(!http_url_allowed("http://127.0.0.1x", 0), "127.0.0.1x is not loopback");
	ok(!http_url_allowed("http://10.0.0.1", 0), "a private address is not loopback");
	ok(http_url_allowed("http://patterns.example.com", 1), "allowHttp allows it");
	ok(!http_url_allowed("ftp://127.0.0.1/", 1), "other schemes refused");
	ok(!http_url_allowed("not a url", 1), "garbage refused");
}

static void test_escape(void)
{
	struct strbuf sb = STRBUF_INIT;
	http_query_escape(&sb, "a b&c=d/é~_.-");
	is_str(sb.buf, "a%20b%26c%3Dd%2F%C3%A9~_.-", "query escaping keeps only unreserved bytes");
	strbuf_release(&sb);
}

static void test_detail(void)
{
	struct http_response r = HTTP_RESPONSE_INIT;
	struct strbuf out = STRBUF_INIT;
	r.status = 422;
	strbuf_addstr(&r.body, "{\"detail\": \"pattern 3: field 'problem_type' is missing\"}");
	http_error_detail(&r, &out);
	is_str(out.buf, "pattern 3: field 'problem_type' is missing", "detail of a JSON error");
	strbuf_reset(&r.body);
	strbuf_addstr(&r.body, "<html>Bad\ngateway</html>\n");
	http_error_detail(&r, &out);
	is_str(out.buf, "<html>Bad gateway</html>", "a non-JSON body, on one line");
	strbuf_reset(&r.body);
	http_error_detail(&r, &out);
	is_str(out.buf, "HTTP status 422", "no body: the status");
	strbuf_release(&out);
	http_response_release(&r);
}

static void test_uuid(void)
{
	is_num(uuid_valid("123e4567-e89b-12d3-a456-426614174000"), 1, "a UUID");
	ok(uuid_valid("123E4567-E89B-12D3-A456-426614174000"), "upper case");
	ok(!uuid_valid("123e4567e89b12d3a456426614174000"), "no dashes");
	ok(!uuid_valid("123e4567-e89b-12d3-a456-42661417400g"), "not hex");
	ok(!uuid_valid("abcd"), "a pattern id prefix");
}

static void test_config_parameters(void)
{
	char *v;
	setenv("GIT_CONFIG_PARAMETERS",
	       "'patterns.remote'='https://a/' 'Patterns.ApiKey=k1' 'patterns.apikey'='it'\\''s' "
	       "'patterns.allowhttp' 'patterns.httpretries'='2k'",
	       1);
	v = config_get_string(NULL, "patterns.remote", NULL);
	is_str(v, "https://a/", "new-style -c value");
	free(v);
	v = config_get_string(NULL, "patterns.apiKey", NULL);
	is_str(v, "it's", "the last one wins, names are case-insensitive, quotes undone");
	free(v);
	ok(config_get_bool(NULL, "patterns.allowHttp", NULL, 0) == 1, "a bare -c key is true");
	ok(config_get_int(NULL, "patterns.httpRetries", 4) == 2048, "integers take k/m/g");
	unsetenv("GIT_CONFIG_PARAMETERS");
}

int main(void)
{
	test_urls();
	test_escape();
	test_detail();
	test_uuid();
	test_config_parameters();
	return done_testing();
}
