/*
 * classify-commits: the real classifier (src/local/classify.c) over commits
 * described on stdin, for bench/classify-score.py.
 *
 * Input: records separated by 0x1e, each "<hex>\x1f<subject>\x1f<body>\x1f
 * <paths, one a line>"; a record whose path field is "?" has unknown paths.
 * Output: one line per record, "<hex>\t<label>\t<rule>".
 */
#include "local/classify.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *field(char **p)
{
	char *s = *p, *end = s ? strchr(s, '\x1f') : NULL;
	if (!s)
		return "";
	if (end) {
		*end = '\0';
		*p = end + 1;
	} else {
		*p = NULL;
	}
	return s;
}

static void classify_record(char *rec)
{
	char *p = rec, *hex, *subject, *body, *files;
	const char **paths = NULL;
	size_t n = 0, alloc = 0;
	int known;
	struct classification cl;
	static const char *none[1];

	while (*p == '\n')
		p++;
	if (!*p)
		return;
	hex = field(&p);
	subject = field(&p);
	body = field(&p);
	files = p ? p : "";
	known = strcmp(files, "?") && strcmp(files, "?\n");
	for (char *line = files; known && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (*line) {
			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 16;
				paths = xrealloc(paths, alloc * sizeof(*paths));
			}
			paths[n++] = line;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	/* known with no paths (an empty commit) is an empty list, not NULL */
	classify_commit(subject, body, known ? (paths ? paths : none) : NULL, n,
			CLASSIFY_DEFAULT_MAX_FILES, &cl);
	printf("%s\t%s\t%s\n", hex, cl.problem_type, cl.rule);
	free(paths);
}

int main(void)
{
	struct strbuf in = STRBUF_INIT;
	char *rec;

	if (strbuf_read_fd(&in, 0) < 0)
		die("cannot read stdin");
	rec = in.buf;
	while (rec && *rec) {
		char *end = strchr(rec, '\x1e');
		if (end)
			*end = '\0';
		classify_record(rec);
		rec = end ? end + 1 : NULL;
	}
	strbuf_release(&in);
	return 0;
}
