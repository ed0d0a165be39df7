/*
 * pattern.c: identity, hashing and scoring of patterns. These functions
 * are the contract between client and server; change nothing here without
 * changing SPEC.md.
 */
#include "common/pattern.h"
#include "common/hash.h"
#include "common/util.h"

#include <math.h>
#include <string.h>

static const char *const problem_types[] = {
	PT_BUG_FIX, PT_FEATURE, PT_REFACTORING, PT_OPTIMIZATION,
	PT_SECURITY, PT_TESTING, PT_DOCUMENTATION, PT_UNKNOWN,
};

int problem_type_valid(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(problem_types); i++)
		if (!strcmp(s, problem_types[i]))
			return 1;
	return 0;
}

void pattern_make_id(char out[17], const char *commit_hex, const char *path)
{
	struct sha256_ctx c;
	char hex[65];
	sha256_init(&c);
	sha256_update(&c, commit_hex, strlen(commit_hex));
	sha256_update(&c, ":", 1);
	sha256_update(&c, path, strlen(path));
	sha256_final_hex(&c, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

/*
 * Hash norm(s): CRLF -> LF, trailing blanks of each line dropped. Bytes
 * that stay go to the hash in spans as long as possible (most lines drop
 * nothing), not line by line.
 */
static void hash_normalized(struct sha256_ctx *c, const char *s, size_t len)
{
	size_t start = 0, span = 0; /* s[span, start) is still to be hashed */
	while (start < len) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;
		size_t stop = end;
		if (nl && stop > start && s[stop - 1] == '\r')
			stop--;
		while (stop > start && (s[stop - 1] == ' ' || s[stop - 1] == '\t'))
			stop--;
		if (stop < end) {
			sha256_update(c, s + span, stop - span);
			span = end; /* the newline, if any, starts the next span */
		}
		start = end + 1;
	}
	if (span < len)
		sha256_update(c, s + span, len - span);
}

/*
 * Hash norm(s) of the text as it is sent: JSON carries valid UTF-8 only,
 * so a Latin-1 byte goes out as U+FFFD and the server hashes that; so does
 * a NUL, which the server takes in no string (jw_text_len). The copy is
 * made only for the rare text that is not valid UTF-8 already, or has a NUL.
 */
static void hash_sent(struct sha256_ctx *c, const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT, clean = STRBUF_INIT;
	if (utf8_valid(s, len) && !memchr(s, '\0', len)) {
		hash_normalized(c, s, len);
		return;
	}
	utf8_sanitize(&sb, s, len);
	for (size_t i = 0; i < sb.len; i++) {
		if (sb.buf[i])
			strbuf_addch(&clean, sb.buf[i]);
		else
			strbuf_addstr(&clean, "\xef\xbf\xbd");
	}
	hash_normalized(c, clean.buf, clean.len);
	strbuf_release(&sb);
	strbuf_release(&clean);
}

void pattern_solution_hash(char out[65], const char *before, size_t before_len,
			   const char *after, size_t after_len)
{
	struct sha256_ctx c;
	sha256_init(&c);
	hash_sent(&c, before, before_len);
	sha256_update(&c, "", 1);
	hash_sent(&c, after, after_len);
	sha256_final_hex(&c, out);
}

double pattern_confidence(int has_bug_keyword, int has_feature_keyword,
			  size_t before_chars, size_t after_chars)
{
	/* in hundredths, so that the sum is exact */
	int score = 50;
	size_t longer = before_chars > after_chars ? before_chars : after_chars;

	if (has_bug_keyword)
		score += 20;
	if (has_feature_keyword)
		score += 15;
	if (before_chars && after_chars)
		score += 15;
	else if (before_chars || after_chars)
		score += 5;
	if (longer > 100)
		score += 10;
	if (longer > 500)
		score += 10;
	if (score > 100)
		score = 100;
	return score / 100.0;
}

void pattern_write_jsonl(struct strbuf *out, const struct pattern *p)
{
	struct json_writer jw;
	jw_init(&jw, out, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "pattern_id");
	jw_string(&jw, p->pattern_id);
	jw_key(&jw, "problem_type");
	jw_string(&jw, p->problem_type);
	jw_key(&jw, "before_code");
	jw_text_len(&jw, p->before_code ? p->before_code : "", p->before_len);
	jw_key(&jw, "after_code");
	jw_text_len(&jw, p->after_code ? p->after_code : "", p->after_len);
	jw_key(&jw, "commit_msg");
	jw_string(&jw, p->commit_msg ? p->commit_msg : "");
	jw_key(&jw, "author");
	jw_string(&jw, p->author ? p->author : "");
	jw_key(&jw, "date");
	jw_string(&jw, p->date ? p->date : "");
	jw_key(&jw, "confidence");
	jw_double(&jw, p->confidence);
	jw_key(&jw, "commit");
	jw_string(&jw, p->commit);
	jw_key(&jw, "file_path");
	jw_string(&jw, p->file_path ? p->file_path : "");
	if (p->old_path) {
		jw_key(&jw, "old_path");
		jw_string(&jw, p->old_path);
	}
	jw_key(&jw, "language");
	jw_string(&jw, p->language ? p->language : "");
	jw_key(&jw, "solution_hash");
	jw_string(&jw, p->solution_hash);
	jw_key(&jw, "author_name");
	jw_string(&jw, p->author_name ? p->author_name : "");
	jw_key(&jw, "commit_body");
	jw_string(&jw, p->commit_body ? p->commit_body : "");
	jw_key(&jw, "file_role");
	jw_string(&jw, p->file_role && *p->file_role ? p->file_role : "other");
	jw_key(&jw, "code_change");
	jw_bool(&jw, p->code_change);
	jw_object_end(&jw);
}

void pattern_variant(struct strbuf *out, int whole_file, int context_lines,
		     long long max_file_size)
{
	if (whole_file)
		strbuf_addstr(out, "whole");
	else
		strbuf_addf(out, "ctx=%d", context_lines);
	strbuf_addf(out, ",max=%lld", max_file_size);
}
