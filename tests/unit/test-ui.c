/*
 * Unit tests for the web interface's pure parts: the side-by-side diff
 * (ui-diff.c), the HTML escaper and form decoding (ui-html.c).
 */
#include "common/strbuf.h"
#include "common/util.h"
#include "server/ui.h"
#include "tap.h"

#include <stdlib.h>

/* The rows as "kind old new" triples: " 1 1,~2 2,+0 3". */
static char *shape(const char *before, const char *after)
{
	struct ui_diff_row *rows;
	size_t nr = ui_diff_rows(before, after, &rows);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < nr; i++)
		strbuf_addf(&sb, "%s%c%d %d", i ? "," : "", rows[i].kind, rows[i].old_no,
			    rows[i].new_no);
	free(rows);
	return strbuf_detach(&sb, NULL);
}

static void check_diff(const char *before, const char *after, const char *want,
		       const char *what)
{
	char *got = shape(before, after);
	is_str(got, want, what);
	free(got);
}

static void test_diff(void)
{
	check_diff("a\nb\n", "a\nb\n", " 1 1, 2 2", "the same lines on both sides");
	check_diff("", "", "", "two empty sides make no rows");
	check_diff("", "x\ny", "+0 1,+0 2", "all added");
	check_diff("x\ny\n", "", "-1 0,-2 0", "all removed");
	check_diff("a\nb\nc", "a\nB\nc", " 1 1,~2 2, 3 3", "a changed line is paired");
	check_diff("def f():\n    return g()\n# end",
		   "def f():\n    return g(1)\n# end\nlog()",
		   " 1 1,~2 2, 3 3,+0 4", "change, then an addition after the common tail");
	check_diff("a\nx\nb\ny\nc", "a\nb\nz\nc", " 1 1,-2 0, 3 2,~4 3, 5 4",
		   "a common line in the middle is found (LCS)");
	check_diff("a\r\nb", "a\nb", "~1 1, 2 2", "CR is part of the line");
}

static void test_diff_bounded(void)
{
	/* 3000 x 3000 differing lines: past the cell limit, shown as changed */
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct ui_diff_row *rows;
	size_t nr;
	for (int i = 0; i < 3000; i++) {
		strbuf_addf(&a, "old %d\n", i);
		strbuf_addf(&b, "new %d\n", i);
	}
	nr = ui_diff_rows(a.buf, b.buf, &rows);
	ok(nr == 3000 && rows[0].kind == '~' && rows[2999].old_no == 3000,
	   "a diff past the size limit pairs the lines without a table");
	free(rows);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_escape(void)
{
	struct strbuf sb = STRBUF_INIT;
	html_esc(&sb, "<script>alert('x')</script> & \"onerror=\"");
	is_str(sb.buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;onerror=&quot;",
	       "html_esc escapes & < > \" '");
	strbuf_reset(&sb);
	html_esc(&sb, NULL);
	is_str(sb.buf, "", "html_esc of NULL writes nothing");
	strbuf_reset(&sb);
	url_esc(&sb, "a b&c=d/é");
	is_str(sb.buf, "a%20b%26c%3Dd%2F%C3%A9", "url_esc percent-encodes all but unreserved");
	strbuf_release(&sb);
}

static void test_trailing_newline(void)
{
	struct ui_diff_row *rows;
	/* "a\n" is one line, not a line and an empty one */
	is_num((double)ui_diff_rows("a\n", "a\n\n", &rows), 2,
	       "a final newline ends a line; a blank line after it is a line");
	free(rows);
}

static void test_form(void)
{
	const char *body = "csrf=ab12&key=gp_a%2Bb+c&empty=&bad=%zz&nul=a%00b";
	char *v;
	v = form_value(body, strlen(body), "key");
	is_str(v, "gp_a+b c", "form_value decodes %XX and +");
	free(v);
	v = form_value(body, strlen(body), "csrf");
	is_str(v, "ab12", "form_value finds the first field");
	free(v);
	v = form_value(body, strlen(body), "empty");
	is_str(v, "", "an empty field is the empty string");
	free(v);
	ok(!form_value(body, strlen(body), "missing"), "an absent field is NULL");
	ok(!form_value(body, strlen(body), "bad"), "a malformed escape is NULL");
	ok(!form_value(body, strlen(body), "nul"), "a NUL byte is refused");
	ok(!form_value(body, strlen(body), "cs"), "a field name matches whole, not as a prefix");
	ok(!form_value("key=%C3", 7, "key"), "invalid UTF-8 is refused");
}

int main(void)
{
	test_diff();
	test_diff_bounded();
	test_escape();
	test_form();
	test_trailing_newline();
	return done_testing();
}
