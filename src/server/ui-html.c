/*
 * ui-html.c: the web interface's HTML writer and form decoding.
 *
 * html_esc() is the one escaper: every piece of text that did not come
 * from this file's callers' string literals (pattern code, messages,
 * paths, user names, version names) goes through it, in element text and
 * in quoted attribute values alike. Pattern code is attacker-controlled,
 * so nothing stored is ever written raw.
 */
#include "server/ui.h"
#include "common/json.h"
#include "common/util.h"

#include <string.h>

void html_esc_len(struct strbuf *sb, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': rep = "\xef\xbf\xbd"; break; /* U+FFFD */
		default: continue;
		}
		strbuf_add(sb, s + start, i - start);
		strbuf_addstr(sb, rep);
		start = i + 1;
	}
	strbuf_add(sb, s + start, len - start);
}

void html_esc(struct strbuf *sb, const char *s)
{
	if (s)
		html_esc_len(sb, s, strlen(s));
}

void url_esc(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			strbuf_addch(sb, (char)c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

/* Decode a urlencoded value ('+' is a space); NULL if malformed. */
static char *form_decode(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			strbuf_addch(&sb, ' ');
		} else if (s[i] == '%') {
			int hi = i + 2 < len ? hex_value((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ? hex_value((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				goto bad;
			strbuf_addch(&sb, (char)(hi * 16 + lo));
			i += 2;
		} else {
			strbuf_addch(&sb, s[i]);
		}
	}
	if (memchr(sb.buf, '\0', sb.len) || !utf8_valid(sb.buf, sb.len))
		goto bad;
	return strbuf_detach(&sb, NULL);
bad:
	strbuf_release(&sb);
	return NULL;
}

char *form_value(const char *body, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *field_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(field_end - p));
		if (eq && (size_t)(eq - p) == nlen && !memcmp(p, name, nlen))
			return form_decode(eq + 1, (size_t)(field_end - eq - 1));
		p = field_end + 1;
	}
	return NULL;
}
