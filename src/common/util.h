/*
 * util: allocation, the front ends' messages, string lists.
 *
 * Core modules never print or exit: they return -1 with a message kept by
 * the error facility (err_set / err_msg). Only command front ends call
 * die(), error() and warning(), which print in git's manner:
 *   fatal: ...   (die, exit status 1)
 *   error: ...   (returns -1)
 *   warning: ...
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow array p (of nr used, alloc allocated) to hold at least n items. */
#define ALLOC_GROW(p, n, alloc)                                                \
	do {                                                                   \
		if ((n) > (alloc)) {                                           \
			size_t ag_new_ = (alloc) < 8 ? 8 : (alloc) * 2;        \
			if (ag_new_ < (n))                                     \
				ag_new_ = (n);                                 \
			(p) = xrealloc((p), ag_new_ * sizeof(*(p)));           \
			(alloc) = ag_new_;                                     \
		}                                                              \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The error facility: one message per thread, set by the failing core
 * function, read by the caller that reports it.
 */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_msg(void);
/* die("<msg from err_msg()>") */
__attribute__((noreturn)) void die_err(void);

/* A list of owned strings. */
struct string_list {
	char **items;
	size_t nr, alloc;
};
#define STRING_LIST_INIT { NULL, 0, 0 }
void string_list_append(struct string_list *l, const char *s);
void string_list_clear(struct string_list *l);
/* The items in the opposite order. */
void string_list_reverse(struct string_list *l);

int starts_with(const char *s, const char *prefix);
int ends_with(const char *s, const char *suffix);
/* If s starts with prefix, point *rest past it and return 1. */
int skip_prefix(const char *s, const char *prefix, const char **rest);

/* Monotonic clock in seconds. */
double now_seconds(void);

/*
 * Go on in a detached process, as "git gc --auto" does: a grandchild in
 * a session of its own (no terminal signal reaches it, no caller waits
 * for it), its standard streams on /dev/null and every other descriptor
 * closed. 1 in the caller, once the intermediate child has exited; 0 in
 * the detached process, which must end with _exit(); -1 (errno) when no
 * process could be started.
 */
int detach_process(void);

/* The value of a hexadecimal digit (either case), or -1 if c is none. */
int hex_value(int c);
/* Four hexadecimal digits at p (a JSON \uXXXX escape): 0 and *out, or -1. */
int hex4_value(const char *p, unsigned *out);

/* Parse "true/yes/on/1" and "false/no/off/0" as git does; -1 if neither. */
int parse_bool(const char *s);

/* The current time in UTC as "YYYY-MM-DDTHH:MM:SSZ" (SPEC's timestamps). */
#define UTC_NOW_LEN 21
void utc_now(char out[UTC_NOW_LEN]);

/* 1 if s is a UUID in its canonical 36-character text form (any case). */
int uuid_valid(const char *s);

/*
 * mkdir -p: create the folder dir and any missing parents (mode 0777 less
 * the umask). 0, or -1 and err_set naming the folder that could not be made.
 */
int mkdir_p(const char *dir);

/* The folder that holds path ("." for a bare name, "/" for one in the root); caller frees. */
char *dir_of(const char *path);

#endif
