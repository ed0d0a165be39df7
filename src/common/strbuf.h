/*
 * strbuf: the one growable byte buffer of git-patterns.
 *
 * Invariant: buf is never NULL and buf[len] == '\0', so a strbuf can always
 * be used as a C string; it may also hold NUL bytes (binary data) within len.
 * Allocation failure aborts the process (as git does): callers never check.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Give up ownership of the buffer; the strbuf is reset to empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen(sb, 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_rtrim(struct strbuf *sb);
/*
 * Append a path as git prints one (quote_c_style): as it is, or, when it
 * holds a control character, '"' or '\\', in double quotes with C escapes
 * ("new\\nline.c"), so that it stays on one line and a terminal shows it.
 */
void strbuf_add_path(struct strbuf *sb, const char *path);

/* Read all of fd / file into sb (appending). Return 0, or -1 with errno. */
int strbuf_read_fd(struct strbuf *sb, int fd);
int strbuf_read_file(struct strbuf *sb, const char *path);

#endif
