/*
 * Unit tests for the pattern rules (pattern.c) and the JSON layer (json.c).
 */
#include "common/hash.h"
#include "common/json.h"
#include "common/pattern.h"
#include "tap.h"
#include "common/util.h"

static void test_ids(void)
{
	char id[17], hex[65];
	/* the id is the seed's: sha256("<commit>:<path>")[:16] */
	pattern_make_id(id, "0123456789abcdef0123456789abcdef01234567", "src/a.c");
	sha256_hex("0123456789abcdef0123456789abcdef01234567:src/a.c", 48, hex);
	hex[16] = '\0';
	is_str(id, hex, "pattern_id is the first 16 hex digits of sha256(commit:path)");
	sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "sha256 of abc");
}

static void test_solution_hash(void)
{
	char a[65], b[65], c[65], d[65];
	pattern_solution_hash(a, "x = 1\n", 6, "x = 2\n", 6);
	pattern_solution_hash(b, "x = 1  \r\n", 9, "x = 2\t\n", 7);
	is_str(a, b, "solution_hash ignores CRLF and trailing blanks");
	pattern_solution_hash(c, "x = 1\nx = 2\n", 12, "", 0);
	pattern_solution_hash(d, "x = 1\n", 6, "x = 2\n", 6);
	ok(strcmp(c, d), "solution_hash separates before from after");
	/* known value: sha256("a\n" "\0" "b") */
	pattern_solution_hash(c, "a \n", 3, "b", 1);
	sha256_hex("a\n\0b", 4, d);
	is_str(c, d, "solution_hash is sha256(norm(before) NUL norm(after))");
	/* Latin-1 "\xe7" is sent as U+FFFD: the hash is that of the text sent */
	pattern_solution_hash(c, "Fran\xe7ois \n", 10, "\xe9", 1);
	pattern_solution_hash(d, "Fran\xef\xbf\xbdois\n", 11, "\xef\xbf\xbd", 3);
	is_str(c, d, "solution_hash hashes invalid UTF-8 as U+FFFD");
}

static void test_confidence(void)
{
	const char *before = "def buggy_function():\n return None + 1";
	const char *after = "def fixed_function():\n return 1";
	is_num(pattern_confidence(1, 0, utf8_length(before, strlen(before)),
				  utf8_length(after, strlen(after))),
	       0.85, "the seed's example scores 0.85");
	is_num(pattern_confidence(1, 1, 600, 600), 1.0, "confidence is capped at 1.0");
	is_num(pattern_confidence(0, 0, 0, 0), 0.5, "nothing: 0.5");
	is_num(pattern_confidence(0, 1, 0, 101), 0.8, "feature, one side, over 100: 0.8");
	is_num(pattern_confidence(0, 0, 100, 5), 0.65, "exactly 100 chars earns nothing");
}

static void test_json(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer jw;

	json_quote(&sb, "a\"b\\c\n\x01\xff\xc3\xa9", 10);
	is_str(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\xc3\xa9\"",
	       "json_quote escapes and replaces invalid bytes with U+FFFD");
	strbuf_reset(&sb);
	json_quote(&sb, "a\0b", 3);
	is_str(sb.buf, "\"a\\u0000b\"", "json_quote keeps NUL as \\u0000");
	strbuf_reset(&sb);
	json_quote(&sb, "\xed\xa0\x80", 3);
	is_str(sb.buf, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "surrogates are not UTF-8");

	strbuf_reset(&sb);
	jw_init(&jw, &sb, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "c");
	jw_double(&jw, 0.85);
	jw_key(&jw, "d");
	jw_double(&jw, 1.0);
	jw_key(&jw, "l");
	jw_array_begin(&jw);
	jw_int(&jw, 1);
	jw_bool(&jw, 0);
	jw_null(&jw);
	jw_array_end(&jw);
	jw_object_end(&jw);
	is_str(sb.buf, "{\"c\":0.85,\"d\":1.0,\"l\":[1,false,null]}", "writer output");

	ok(utf8_valid("h\xc3\xa9llo", 6), "valid UTF-8 accepted");
	ok(!utf8_valid("\xc0\xaf", 2), "overlong rejected");
	ok(utf8_length("h\xc3\xa9\xff", 4) == 3, "utf8_length counts code points");

	cJSON *j = json_parse("{\"a\": 1} x", 10);
	ok(!j, "trailing garbage refused");
	strbuf_reset(&sb);
	for (int i = 0; i < 100; i++)
		strbuf_addch(&sb, '[');
	ok(!json_parse(sb.buf, sb.len), "deep nesting refused");
	j = json_parse("{\"s\":\"x\",\"b\":true}", 19);
	ok(j && !strcmp(json_get_string(j, "s"), "x") && json_get_bool(j, "b", 0) == 1 &&
		   json_get_string(j, "b") == NULL,
	   "typed accessors");
	cJSON_Delete(j);

#define CHECK(lit, max) json_check(lit, sizeof(lit) - 1, max)
	ok(CHECK("{\"s\":\"a\\u00e9\\ud83d\\ude00\\n\",\"n\":[-1.5e3,0,true,null]}", 100) ==
		   JSON_CHECK_OK,
	   "json_check: escapes, a surrogate pair, numbers, literals");
	ok(CHECK("\"keep\\uZZZZ lost\"", 100) == JSON_CHECK_MALFORMED,
	   "json_check: a bad \\u escape is malformed (cJSON made it a NUL)");
	ok(CHECK("\"a\\ud800 b\"", 100) == JSON_CHECK_MALFORMED, "json_check: a lone surrogate");
	ok(CHECK("\"a\0b\"", 100) == JSON_CHECK_NUL, "json_check: a raw NUL in a string");
	ok(CHECK("\"a\\u0000b\"", 100) == JSON_CHECK_NUL, "json_check: \\u0000");
	ok(CHECK("[0,0,0,0]", 5) == JSON_CHECK_OK && CHECK("[0,0,0,0]", 4) == JSON_CHECK_TOO_MANY,
	   "json_check: values counted, containers included");
	ok(CHECK("[01]", 100) == JSON_CHECK_MALFORMED && CHECK("[1,]", 100) == JSON_CHECK_MALFORMED &&
		   CHECK("{\"a\" 1}", 100) == JSON_CHECK_MALFORMED && CHECK("tru", 100) == JSON_CHECK_MALFORMED,
	   "json_check: RFC 8259 grammar");
	{
		struct json_count jc = { 0 };
		json_count_feed(&jc, "[0,\"a,\\", 8);
		json_count_feed(&jc, "\",b\",0]", 7);
		ok(jc.values == 3, "json_count_feed: commas in strings and across pieces");
	}
#undef CHECK
	strbuf_release(&sb);
}

/* Characters, not bytes; an invalid byte counts one (it becomes U+FFFD). */
static void test_utf8(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *mixed = "abcdefghij\xc3\xa9klmnopqrstuvw\xe2\x82\xac\xff" "12345678";
	is_num(utf8_length("", 0), 0, "utf8_length of nothing");
	is_num(utf8_length("0123456789abcdefXYZ", 19), 19, "utf8_length of ASCII");
	is_num(utf8_length(mixed, strlen(mixed)), 10 + 1 + 13 + 1 + 1 + 8,
	       "utf8_length across ASCII runs, multibyte and invalid bytes");
	utf8_sanitize(&sb, mixed, strlen(mixed));
	is_str(sb.buf, "abcdefghij\xc3\xa9klmnopqrstuvw\xe2\x82\xac\xef\xbf\xbd" "12345678",
	       "utf8_sanitize keeps valid text and replaces the invalid byte");
	ok(!utf8_valid(mixed, strlen(mixed)) && utf8_valid(sb.buf, sb.len), "utf8_valid");
	strbuf_release(&sb);
}

int main(void)
{
	test_ids();
	test_utf8();
	test_solution_hash();
	test_confidence();
	test_json();
	return done_testing();
}
