/*
 * Unit tests for the git diff-tree answer parser (diff-stream.c): what a
 * well-formed answer gives, and that damaged ones (cut anywhere, bytes
 * changed at random) give an error or a result, never a crash (run under
 * ASan by make asan).
 */
#include "local/diff-stream.h"
#include "common/strbuf.h"
#include "tap.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define B1 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B2 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define Z "0000000000000000000000000000000000000000"

/* What git writes for two commits (-z --raw -p), as one byte string. */
static void answer(struct strbuf *sb)
{
	static const char part1[] =
		C1 "\0"
		":100644 100644 " B1 " " B2 " M\0src/a.c\0"
		":100644 100644 " B1 " " B2 " R087\0old name.c\0new\nname.c\0"
		":000000 100644 " Z " " B2 " A\0bin.dat\0"
		":100644 120000 " B1 " " B2 " T\0link\0"
		"\0"
		"diff --git a/src/a.c b/src/a.c\n"
		"index " B1 ".." B2 " 100644\n"
		"--- a/src/a.c\n"
		"+++ b/src/a.c\n"
		"@@ -1,4 +1,4 @@ int f(void)\n"
		" keep\n"
		"-old\n"
		"+new\n"
		"\n" /* a blank context line written as an empty line */
		" last\n"
		"\\ No newline at end of file\n"
		"diff --git \"a/old name.c\" \"b/new\\nname.c\"\n"
		"similarity index 87%\n"
		"rename from old name.c\n"
		"rename to \"new\\nname.c\"\n"
		"@@ -2 +2 @@\n"
		"-diff --git a/x b/x\n"
		"\\ No newline at end of file\n"
		"+@@ -1 +1 @@\n"
		"diff --git a/bin.dat b/bin.dat\n"
		"new file mode 100644\n"
		"Binary files /dev/null and b/bin.dat differ\n"
		"diff --git a/link b/link\n"
		"deleted file mode 100644\n"
		"@@ -1 +0,0 @@\n"
		"-target\n"
		"diff --git a/link b/link\n"
		"new file mode 120000\n"
		"@@ -0,0 +1 @@\n"
		"+a.c\n"
		"\\ No newline at end of file\n"
		"\n"; /* the echo of the batch's end */
	static const char part2[] = C2 "\0";
	strbuf_add(sb, part1, sizeof(part1) - 1);
	strbuf_add(sb, part2, sizeof(part2) - 1);
}

static struct diff_stream *stream_of(const char *buf, size_t len)
{
	FILE *f = tmpfile();
	int fd;
	if (!f || fwrite(buf, 1, len, f) != len || fflush(f))
		die("tmpfile");
	fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return diff_stream_from_fd(fd);
}

static void oid(git_oid *id, const char *hex)
{
	git_oid_fromstr(id, hex);
}

static void test_answer(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct diff_stream *ds;
	struct file_change *c;
	size_t nr;
	git_oid c1, c2;

	answer(&sb);
	oid(&c1, C1);
	oid(&c2, C2);
	ds = stream_of(sb.buf, sb.len);
	ok(!diff_stream_read(ds, &c1, &c, &nr), "a well-formed answer parses");
	is_num(nr, 4, "one change per raw entry (a type change is one)");
	is_str(c[0].path, "src/a.c", "path");
	is_str(c[0].before.buf, "keep\nold\n\nlast", "old lines: context, deletion, blank, last without newline");
	is_str(c[0].after.buf, "keep\nnew\n\nlast", "new lines");
	ok(c[1].status == 'R', "rename");
	is_str(c[1].old_path, "old name.c", "old path from the raw entry");
	is_str(c[1].path, "new\nname.c", "new path with a newline, byte for byte");
	is_str(c[1].before.buf, "diff --git a/x b/x", "content that looks like structure is content");
	is_str(c[1].after.buf, "@@ -1 +1 @@\n", "and so is a line like a hunk header");
	ok(c[2].binary && c[2].status == 'A' && !c[2].before.len && !c[2].after.len,
	   "binary file flagged, no lines");
	ok(c[3].status == 'T' && c[3].old_mode == 0100644 && c[3].new_mode == 0120000,
	   "type change keeps both modes");
	ok(!diff_stream_read(ds, &c2, &c, &nr) && nr == 0, "an empty answer (--always)");
	ok(diff_stream_read(ds, &c2, &c, &nr) < 0, "nothing more: an error, not a hang");
	diff_stream_end(ds, 0);

	ds = stream_of(sb.buf, sb.len);
	ok(diff_stream_read(ds, &c2, &c, &nr) < 0 && strstr(err_msg(), "out of step"),
	   "an answer for another commit is refused");
	diff_stream_end(ds, 0);
	strbuf_release(&sb);
}

static void expect_error(const char *text, size_t len, const char *msg, const char *what)
{
	struct diff_stream *ds = stream_of(text, len);
	struct file_change *c;
	size_t nr;
	git_oid c1;
	int rc;

	oid(&c1, C1);
	rc = diff_stream_read(ds, &c1, &c, &nr);
	ok(rc < 0 && strstr(err_msg(), msg), what);
	if (rc >= 0 || !strstr(err_msg(), msg))
		fprintf(stderr, "# got: %s\n", rc < 0 ? err_msg() : "success");
	diff_stream_end(ds, 0);
}

#define ERR(lit, msg, what) expect_error(lit, sizeof(lit) - 1, msg, what)

static void test_damaged(void)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned int seed = 12345;
	size_t parsed = 0, good = 0, refused = 0, last;

	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0\0diff --git a/a b/a\n@@ -1,2 +1,2 @@\n x\n",
	    "cut short", "a hunk cut short");
	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0\0diff --git a/a b/a\n@@ -1 +1 @@\n-x\n-y\n+z\n",
	    "longer than", "a hunk longer than its header");
	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0\0diff --git a/a b/a\n@@ -1 +1 @@\n*x\n",
	    "unreadable hunk line", "a hunk line with no known first character");
	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0\0diff --git a/a b/a\n@@ -x +1 @@\n",
	    "unreadable hunk header", "a bad hunk header");
	ERR(C1 "\0:100644 100644 " B1 " M\0a\0\0", "raw entry", "a raw entry without its ids");
	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0\0diff --git a/a b/a\ndiff --git a/b b/b\n",
	    "more file sections", "more file sections than changed files");
	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0:100644 100644 " B1 " " B2 " M\0b\0\0"
	       "diff --git a/a b/a\n" C2 "\0",
	    "fewer file sections", "fewer file sections than changed files");
	/* git that stops there died or was cut off: its message, or this */
	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0:100644 100644 " B1 " " B2 " M\0b\0\0"
	       "diff --git a/a b/a\n",
	    "cut short", "the answer ending before its last file section");
	ERR(C1 "\0:100644 100644 " B1 " " B2 " M\0a\0\0@@ -1 +1 @@\n-a\n+b\n",
	    "before its file header", "a hunk before any file header");

	/* every prefix, and random damage: a result or an error, nothing else */
	answer(&sb);
	last = (size_t)((const char *)memmem(sb.buf, sb.len, "diff --git a/link b/link\nnew file", 33) -
			sb.buf);
	for (size_t cut = 0; cut < last; cut++) {
		struct diff_stream *ds = stream_of(sb.buf, cut);
		struct file_change *c;
		size_t nr;
		git_oid c1;
		oid(&c1, C1);
		/* just the header is a whole answer: a commit that changed nothing */
		if (diff_stream_read(ds, &c1, &c, &nr) == 0 && cut != GIT_OID_HEXSZ + 1)
			parsed++;
		diff_stream_end(ds, 0);
	}
	is_num(parsed, 0, "an answer cut anywhere before its last file is refused");
	for (int round = 0; round < 3000; round++) {
		struct strbuf m = STRBUF_INIT;
		struct diff_stream *ds;
		struct file_change *c;
		size_t nr;
		git_oid c1, c2;

		strbuf_add(&m, sb.buf, sb.len);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			m.buf[(seed >> 8) % m.len] = (char)(seed >> 24);
		}
		oid(&c1, C1);
		oid(&c2, C2);
		ds = stream_of(m.buf, m.len);
		if (!diff_stream_read(ds, &c1, &c, &nr) && !diff_stream_read(ds, &c2, &c, &nr))
			good++;
		else
			refused++;
		diff_stream_end(ds, 0);
		strbuf_release(&m);
	}
	ok(good > 0 && refused > 0,
	   "3000 randomly damaged answers: some still parse (content bytes), some are refused, none crash");
	fprintf(stderr, "# damaged answers: %zu parsed, %zu refused\n", good, refused);
	strbuf_release(&sb);
}

int main(void)
{
	git_libgit2_init();
	test_answer();
	test_damaged();
	git_libgit2_shutdown();
	return done_testing();
}
