/*
 * json.c: streaming JSON writer, UTF-8 repair, bounded parsing.
 */
#include "common/json.h"
#include "common/util.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

void jw_init(struct json_writer *jw, struct strbuf *out, int pretty)
{
	memset(jw, 0, sizeof(*jw));
	jw->out = out;
	jw->pretty = pretty;
	jw->first[0] = 1;
}

static void indent(struct json_writer *jw)
{
	strbuf_addch(jw->out, '\n');
	for (int i = 0; i < jw->depth; i++)
		strbuf_addstr(jw->out, "  ");
}

/* Separator before a value (array element) or key (object member). */
static void before_item(struct json_writer *jw)
{
	if (jw->after_key) {
		jw->after_key = 0;
		return;
	}
	if (!jw->first[jw->depth])
		strbuf_addch(jw->out, ',');
	jw->first[jw->depth] = 0;
	if (jw->pretty && jw->depth)
		indent(jw);
}

static void open_container(struct json_writer *jw, char c)
{
	before_item(jw);
	strbuf_addch(jw->out, c);
	if (jw->depth + 1 >= JSON_MAX_DEPTH)
		die("json: nesting too deep");
	jw->first[++jw->depth] = 1;
}

static void close_container(struct json_writer *jw, char c)
{
	int empty = jw->first[jw->depth];
	jw->depth--;
	if (jw->pretty && !empty)
		indent(jw);
	strbuf_addch(jw->out, c);
}

void jw_object_begin(struct json_writer *jw) { open_container(jw, '{'); }
void jw_object_end(struct json_writer *jw) { close_container(jw, '}'); }
void jw_array_begin(struct json_writer *jw) { open_container(jw, '['); }
void jw_array_end(struct json_writer *jw) { close_container(jw, ']'); }

void jw_key(struct json_writer *jw, const char *key)
{
	before_item(jw);
	json_quote(jw->out, key, strlen(key));
	strbuf_addstr(jw->out, jw->pretty ? ": " : ":");
	jw->after_key = 1;
}

void jw_string(struct json_writer *jw, const char *s)
{
	if (!s) {
		jw_null(jw);
		return;
	}
	jw_string_len(jw, s, strlen(s));
}

void jw_string_len(struct json_writer *jw, const char *s, size_t len)
{
	before_item(jw);
	json_quote(jw->out, s, len);
}

void jw_text_len(struct json_writer *jw, const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *nul = memchr(s, '\0', len);

	if (!nul) {
		jw_string_len(jw, s, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i])
			strbuf_addch(&sb, s[i]);
		else
			strbuf_addstr(&sb, "\xef\xbf\xbd");
	}
	jw_string_len(jw, sb.buf, sb.len);
	strbuf_release(&sb);
}

void jw_int(struct json_writer *jw, int64_t v)
{
	before_item(jw);
	strbuf_addf(jw->out, "%lld", (long long)v);
}

void jw_double(struct json_writer *jw, double v)
{
	char buf[64];
	before_item(jw);
	if (!isfinite(v)) {
		strbuf_addstr(jw->out, "null");
		return;
	}
	/* shortest text that reads back as the same double, Python style */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	strbuf_addstr(jw->out, buf);
	if (!strpbrk(buf, ".eEn"))
		strbuf_addstr(jw->out, ".0");
}

void jw_bool(struct json_writer *jw, int v)
{
	before_item(jw);
	strbuf_addstr(jw->out, v ? "true" : "false");
}

void jw_null(struct json_writer *jw)
{
	before_item(jw);
	strbuf_addstr(jw->out, "null");
}

void jw_raw(struct json_writer *jw, const char *json)
{
	before_item(jw);
	strbuf_addstr(jw->out, json);
}

char *json_number_array(const double *v, size_t nr)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer jw;
	jw_init(&jw, &sb, 0);
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr; i++)
		jw_double(&jw, v[i]);
	jw_array_end(&jw);
	return strbuf_detach(&sb, NULL);
}

char *json_string_array(const char *const *s, size_t nr)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer jw;
	jw_init(&jw, &sb, 0);
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr; i++)
		jw_string(&jw, s[i]);
	jw_array_end(&jw);
	return strbuf_detach(&sb, NULL);
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if the
 * bytes there are not one (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		*cp = ((c & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		*cp = ((c & 0x0f) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3f);
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		*cp = ((c & 0x07) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) |
		      (s[3] & 0x3f);
		return 4;
	}
	return 0;
}

static const char replacement[] = "\xef\xbf\xbd";

void json_quote(struct strbuf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	strbuf_grow(out, len + 2);
	strbuf_addch(out, '"');
	while (i < len) {
		size_t run = i;
		unsigned cp;
		/* copy the plain ASCII run in one go */
		while (run < len && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		strbuf_add(out, s + i, run - i);
		i = run;
		if (i >= len)
			break;
		if (s[i] < 0x80) {
			switch (s[i]) {
			case '"': strbuf_addstr(out, "\\\""); break;
			case '\\': strbuf_addstr(out, "\\\\"); break;
			case '\n': strbuf_addstr(out, "\\n"); break;
			case '\r': strbuf_addstr(out, "\\r"); break;
			case '\t': strbuf_addstr(out, "\\t"); break;
			case '\b': strbuf_addstr(out, "\\b"); break;
			case '\f': strbuf_addstr(out, "\\f"); break;
			default: strbuf_addf(out, "\\u%04x", s[i]); break;
			}
			i++;
			continue;
		}
		size_t n = utf8_seq(s + i, len - i, &cp);
		if (n) {
			strbuf_add(out, s + i, n);
			i += n;
		} else {
			strbuf_add(out, replacement, 3);
			i++;
		}
	}
	strbuf_addch(out, '"');
}

/*
 * Walk s as UTF-8: copy it to out (when not NULL) with each invalid byte
 * replaced by U+FFFD, count the code points into *chars (when not NULL).
 * Return how many bytes were invalid.
 */
static size_t utf8_walk(const char *str, size_t len, struct strbuf *out, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, bad = 0, count = 0;
	if (out)
		strbuf_grow(out, len);
	while (i < len) {
		unsigned cp;
		size_t n, run = i;

		/* a run of ASCII, eight bytes at a time where it can */
		for (uint64_t w; run + 8 <= len; run += 8) {
			memcpy(&w, s + run, 8);
			if (w & 0x8080808080808080ull)
				break;
		}
		while (run < len && s[run] < 0x80)
			run++;
		if (run > i) {
			if (out)
				strbuf_add(out, s + i, run - i);
			count += run - i;
			i = run;
			continue;
		}
		n = utf8_seq(s + i, len - i, &cp);
		if (!n) {
			bad++;
			if (out)
				strbuf_add(out, replacement, 3);
			n = 1;
		} else if (out) {
			strbuf_add(out, s + i, n);
		}
		i += n;
		count++;
	}
	if (chars)
		*chars = count;
	return bad;
}

void utf8_sanitize(struct strbuf *out, const char *s, size_t len)
{
	utf8_walk(s, len, out, NULL);
}

int utf8_valid(const char *s, size_t len)
{
	return utf8_walk(s, len, NULL, NULL) == 0;
}

int has_control_chars(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

size_t utf8_length(const char *s, size_t len)
{
	size_t chars;
	utf8_walk(s, len, NULL, &chars);
	return chars;
}

/*
 * The strict scan behind json_check(): RFC 8259 grammar, one pass, no
 * allocation. Raw control characters in strings are let through as
 * cJSON does, except NUL, which cJSON would cut the string at.
 */
struct json_scan {
	const char *s, *end, *p;
	size_t values, max_values;
	int depth;
	enum json_check_result why;
};

static int scan_fail(struct json_scan *js, enum json_check_result why)
{
	js->why = why;
	return -1;
}

static void scan_space(struct json_scan *js)
{
	while (js->p < js->end &&
	       (*js->p == ' ' || *js->p == '\n' || *js->p == '\r' || *js->p == '\t'))
		js->p++;
}

static int scan_string(struct json_scan *js)
{
	js->p++; /* the opening quote */
	while (js->p < js->end) {
		unsigned char c = (unsigned char)*js->p;
		unsigned u, lo;
		if (c == '"') {
			js->p++;
			return 0;
		}
		if (!c)
			return scan_fail(js, JSON_CHECK_NUL);
		if (c != '\\') {
			js->p++;
			continue;
		}
		if (js->end - js->p < 2)
			break;
		switch (js->p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			js->p += 2;
			continue;
		case 'u':
			break;
		default:
			return scan_fail(js, JSON_CHECK_MALFORMED);
		}
		if (js->end - js->p < 6 || hex4_value(js->p + 2, &u) < 0)
			return scan_fail(js, JSON_CHECK_MALFORMED);
		js->p += 6;
		if (!u)
			return scan_fail(js, JSON_CHECK_NUL);
		if (u >= 0xdc00 && u <= 0xdfff)
			return scan_fail(js, JSON_CHECK_MALFORMED); /* a lone low surrogate */
		if (u >= 0xd800 && u <= 0xdbff) {
			/* a high surrogate needs its low half right after it */
			if (js->end - js->p < 6 || js->p[0] != '\\' || js->p[1] != 'u' ||
			    hex4_value(js->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
				return scan_fail(js, JSON_CHECK_MALFORMED);
			js->p += 6;
		}
	}
	return scan_fail(js, JSON_CHECK_MALFORMED); /* unterminated */
}

static int scan_digits(struct json_scan *js)
{
	const char *start = js->p;
	while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
		js->p++;
	return js->p > start ? 0 : scan_fail(js, JSON_CHECK_MALFORMED);
}

static int scan_number(struct json_scan *js)
{
	if (*js->p == '-')
		js->p++;
	if (js->p < js->end && *js->p == '0')
		js->p++;
	else if (scan_digits(js) < 0)
		return -1;
	if (js->p < js->end && *js->p == '.') {
		js->p++;
		if (scan_digits(js) < 0)
			return -1;
	}
	if (js->p < js->end && (*js->p == 'e' || *js->p == 'E')) {
		js->p++;
		if (js->p < js->end && (*js->p == '+' || *js->p == '-'))
			js->p++;
		if (scan_digits(js) < 0)
			return -1;
	}
	return 0;
}

static int scan_word(struct json_scan *js, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(js->end - js->p) < n || memcmp(js->p, word, n))
		return scan_fail(js, JSON_CHECK_MALFORMED);
	js->p += n;
	return 0;
}

static int scan_value(struct json_scan *js)
{
	scan_space(js);
	if (js->p >= js->end)
		return scan_fail(js, JSON_CHECK_MALFORMED);
	if (++js->values > js->max_values)
		return scan_fail(js, JSON_CHECK_TOO_MANY);
	switch (*js->p) {
	case '"':
		return scan_string(js);
	case 't':
		return scan_word(js, "true");
	case 'f':
		return scan_word(js, "false");
	case 'n':
		return scan_word(js, "null");
	case '[':
	case '{': {
		char close = *js->p == '[' ? ']' : '}';
		if (++js->depth > JSON_MAX_DEPTH)
			return scan_fail(js, JSON_CHECK_TOO_DEEP);
		js->p++;
		scan_space(js);
		if (js->p < js->end && *js->p == close) {
			js->p++;
			js->depth--;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				scan_space(js);
				if (js->p >= js->end || *js->p != '"' || scan_string(js) < 0)
					return js->why ? -1 : scan_fail(js, JSON_CHECK_MALFORMED);
				scan_space(js);
				if (js->p >= js->end || *js->p != ':')
					return scan_fail(js, JSON_CHECK_MALFORMED);
				js->p++;
			}
			if (scan_value(js) < 0)
				return -1;
			scan_space(js);
			if (js->p >= js->end)
				return scan_fail(js, JSON_CHECK_MALFORMED);
			if (*js->p == close) {
				js->p++;
				js->depth--;
				return 0;
			}
			if (*js->p != ',')
				return scan_fail(js, JSON_CHECK_MALFORMED);
			js->p++;
		}
	}
	default:
		if (*js->p == '-' || (*js->p >= '0' && *js->p <= '9'))
			return scan_number(js);
		return scan_fail(js, JSON_CHECK_MALFORMED);
	}
}

enum json_check_result json_check(const char *s, size_t len, size_t max_values)
{
	struct json_scan js = { s, s + len, s, 0, max_values, 0, JSON_CHECK_OK };

	if (scan_value(&js) == 0) {
		scan_space(&js);
		/* whitespace, or a C string's terminator, may follow the document */
		while (js.p < js.end && (!*js.p || *js.p == ' ' || *js.p == '\n' ||
					 *js.p == '\r' || *js.p == '\t'))
			js.p++;
		if (js.p < js.end)
			js.why = JSON_CHECK_MALFORMED; /* trailing data */
	}
	switch (js.why) {
	case JSON_CHECK_OK:
		break;
	case JSON_CHECK_MALFORMED:
		err_set("malformed JSON at byte %zu", (size_t)(js.p - s));
		break;
	case JSON_CHECK_TOO_DEEP:
		err_set("JSON nested deeper than %d levels", JSON_MAX_DEPTH);
		break;
	case JSON_CHECK_TOO_MANY:
		err_set("JSON has more than %zu values", max_values);
		break;
	case JSON_CHECK_NUL:
		err_set("NUL characters are not supported in strings (byte %zu)",
			(size_t)(js.p - s));
		break;
	}
	return js.why;
}

size_t json_count_feed(struct json_count *jc, const char *s, size_t len)
{
	const char *end = s + len;

	if (!jc->values)
		jc->values = 1;
	while (s < end) {
		if (jc->in_string) {
			const char *q = s;
			if (jc->escaped) { /* the character after a backslash */
				jc->escaped = 0;
				s++;
				continue;
			}
			while (q < end && *q != '"' && *q != '\\')
				q++;
			if (q == end)
				break;
			if (*q == '\\')
				jc->escaped = 1;
			else
				jc->in_string = 0;
			s = q + 1;
			continue;
		}
		if (*s == '"')
			jc->in_string = 1;
		else if (*s == ',')
			jc->values++;
		s++;
	}
	return jc->values;
}

cJSON *json_parse(const char *s, size_t len)
{
	cJSON *j;

	/* cJSON is lenient (a bad \u escape becomes NUL): our scan decides */
	if (json_check(s, len, SIZE_MAX) != JSON_CHECK_OK)
		return NULL;
	j = cJSON_ParseWithLength(s, len);
	if (!j)
		err_set("malformed JSON");
	return j;
}

const char *json_get_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int json_get_bool(const cJSON *obj, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

double json_get_number(const cJSON *obj, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}
