/*
 * json: the one JSON layer.
 *
 * Writing: a small streaming writer into a strbuf (fast, exact, used for
 * JSONL and every --json output). Strings are always emitted as valid
 * UTF-8: invalid bytes become U+FFFD, control characters and NUL are
 * escaped, so any commit content yields valid JSON.
 *
 * Reading: cJSON (untrusted network input goes through json_parse, which
 * bounds size and depth) plus typed accessors that never crash on a wrong
 * type.
 */
#ifndef JSON_H
#define JSON_H

#include "common/strbuf.h"
#include <cJSON.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

struct json_writer {
	struct strbuf *out;
	int depth;
	int pretty;
	unsigned char first[JSON_MAX_DEPTH]; /* no element written yet at depth */
	int after_key;
};

void jw_init(struct json_writer *jw, struct strbuf *out, int pretty);
void jw_object_begin(struct json_writer *jw);
void jw_object_end(struct json_writer *jw);
void jw_array_begin(struct json_writer *jw);
void jw_array_end(struct json_writer *jw);
void jw_key(struct json_writer *jw, const char *key);
void jw_string(struct json_writer *jw, const char *s); /* NULL writes null */
void jw_string_len(struct json_writer *jw, const char *s, size_t len);
/*
 * Text for the team server, which takes no NUL in a string: as
 * jw_string_len, but a NUL goes out as U+FFFD (as pattern_solution_hash
 * hashes it).
 */
void jw_text_len(struct json_writer *jw, const char *s, size_t len);
void jw_int(struct json_writer *jw, int64_t v);
/* A number as Python's json.dumps writes a float (0.85, 1.0). */
void jw_double(struct json_writer *jw, double v);
void jw_bool(struct json_writer *jw, int v);
void jw_null(struct json_writer *jw);
/* Append raw, already valid JSON (e.g. a stored JSON array). */
void jw_raw(struct json_writer *jw, const char *json);

/* A JSON array of the numbers / strings, as a new string (caller frees). */
char *json_number_array(const double *v, size_t nr);
char *json_string_array(const char *const *s, size_t nr);

/* Append s as a quoted JSON string (valid UTF-8, escaped). */
void json_quote(struct strbuf *out, const char *s, size_t len);

/* Copy s into out as valid UTF-8 (invalid sequences become U+FFFD). */
void utf8_sanitize(struct strbuf *out, const char *s, size_t len);
/* 1 if s is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t len);
/* 1 if s has a control character (C0 or DEL): not for names shown on a terminal. */
int has_control_chars(const char *s, size_t len);
/* Count code points, as Python's len() of the decoded text (with U+FFFD). */
size_t utf8_length(const char *s, size_t len);

enum json_check_result {
	JSON_CHECK_OK = 0,
	JSON_CHECK_MALFORMED, /* not JSON (RFC 8259), e.g. a bad \u escape */
	JSON_CHECK_TOO_DEEP,  /* nested deeper than JSON_MAX_DEPTH */
	JSON_CHECK_TOO_MANY,  /* more than max_values values */
	JSON_CHECK_NUL,       /* a string holds NUL (raw or \u0000) */
};

/*
 * Check that s (len bytes) is one strict JSON document, in one pass and
 * without allocating, stopping at the first value past max_values: a
 * refusal costs little whatever the input. Returns JSON_CHECK_OK or what
 * was wrong (with err_set()).
 */
enum json_check_result json_check(const char *s, size_t len, size_t max_values);

/*
 * A running bound on the number of values in a JSON text that arrives in
 * pieces: each value but the first in a container follows a comma, so
 * commas outside strings (plus one) bound the values. Start zeroed; feed
 * each piece; the return is the bound so far.
 */
struct json_count {
	size_t values;
	int in_string, escaped;
};
size_t json_count_feed(struct json_count *jc, const char *s, size_t len);

/*
 * Parse untrusted JSON of at most len bytes. NULL and err_set() on
 * anything json_check() refuses: malformed input, nesting deeper than
 * JSON_MAX_DEPTH, NUL in a string (cJSON would cut the string there).
 */
cJSON *json_parse(const char *s, size_t len);
/* Typed field access: NULL / the default when absent or of another type. */
const char *json_get_string(const cJSON *obj, const char *key);
int json_get_bool(const cJSON *obj, const char *key, int def);
double json_get_number(const cJSON *obj, const char *key, double def);

#endif
