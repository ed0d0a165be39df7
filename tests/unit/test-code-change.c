/*
 * Unit tests for code_changed() (code-change.c): comment- and
 * whitespace-only changes are not code changes, in the languages whose
 * comments the tokenizer knows.
 */
#include "common/code-change.h"
#include "common/tokenize.h"
#include "tap.h"

#include <stdlib.h>

static int count_token(const struct token *t, void *data)
{
	(void)t;
	(*(size_t *)data)++;
	return 0;
}

static int stop_after_two(const struct token *t, void *data)
{
	(void)t;
	return ++*(size_t *)data == 2;
}

static int scan_differs; /* code_changed_scan() disagreed with code_changed() */

static void check(const char *lang, const char *before, const char *after, int want,
		  const char *what)
{
	size_t bl = strlen(before), al = strlen(after), seen = 0, want_seen = 0, two = 0;

	is_num(code_changed(lang, before, bl, after, al), want, what);
	/* the same answer with before's tokens handed out, every one of them */
	tokenize(lang, before, bl, count_token, &want_seen);
	scan_differs += code_changed_scan(lang, before, bl, after, al, NULL, count_token, &seen) != want ||
			seen != want_seen;
	/* a callback that has had enough stops getting tokens; the answer stands */
	scan_differs += code_changed_scan(lang, before, bl, after, al, NULL, stop_after_two, &two) !=
				want ||
			two != (want_seen < 2 ? want_seen : 2);
}

/* Two hunks joined: the first ends inside a header comment. */
static void test_hunks(void)
{
	const char *h1b = "/* $Id: 1.1 */\n\n/*\n * Copyright\n";
	const char *h1a = "/* $Id: 1.2 */\n\n/*\n * Copyright\n";
	const char *h2b = "int v;\nf(v);\n", *h2a = "int v;\ng(v);\n";
	const char *c2b = "int v; /* a */\n", *c2a = "int v; /* b */\n";
	char before[256], after[256], *text;
	struct hunks two = HUNKS_INIT, bad = HUNKS_INIT, parsed = HUNKS_INIT;
	size_t seen = 0;

	hunks_add(&two, 0, 0);
	hunks_add(&two, strlen(h1b), strlen(h1a));
	hunks_add(&bad, 0, 0);
	hunks_add(&bad, 999, 1);
	snprintf(before, sizeof(before), "%s%s", h1b, h2b);
	snprintf(after, sizeof(after), "%s%s", h1a, h2a);
	is_num(code_changed("c", before, strlen(before), after, strlen(after)), 0,
	       "joined, the second hunk's change is taken for comment text");
	is_num(code_changed_scan("c", before, strlen(before), after, strlen(after), &two,
				 count_token, &seen), 1,
	       "hunk by hunk, it is code");
	is_num(seen, 8, "and before's tokens are the second hunk's: int v ; f ( v ) ;");
	snprintf(before, sizeof(before), "%s%s", h1b, c2b);
	snprintf(after, sizeof(after), "%s%s", h1a, c2a);
	is_num(code_changed_scan("c", before, strlen(before), after, strlen(after), &two, NULL,
				 NULL), 0,
	       "hunk by hunk, comments changed in both: not code");
	is_num(code_changed_scan("c", before, strlen(before), after, strlen(after), &bad, NULL,
				 NULL), 0,
	       "hunk starts outside the texts: the joined texts' answer");
	text = hunks_format(&two);
	is_str(text, "32,32", "hunks_format(): the starts after the first");
	hunks_parse(&parsed, text);
	ok(parsed.nr == 2 && parsed.before[1] == 32 && parsed.after[1] == 32,
	   "hunks_parse() reads it back");
	hunks_parse(&parsed, "12,x");
	ok(parsed.nr == 0, "hunks_parse(): bad text is no hunks");
	ok(hunks_format(&parsed) == NULL, "no hunks: NULL");
	free(text);
	hunks_release(&two);
	hunks_release(&bad);
	hunks_release(&parsed);
}

int main(void)
{
	check("c", "int a; /* old */\nint b;\n", "int a; /* new words */\nint b;\n", 0,
	      "C: a block comment edited");
	check("c", "// x\nint a = 1;\n", "// y\n\nint a = 1;\n", 0, "C: a line comment and a blank line");
	check("c", "int a=1;\n", "int  a = 1;\n\n", 0, "C: whitespace only");
	check("c", "int a = 1;\n", "int a = 2;\n", 1, "C: a real change");
	check("c", "free(p);\n", "/* free(p); */\n", 1, "C: code commented out is a change");
	check("c", "int a;\nint b; /* x */\n", "int a;\n/* x */\n", 1,
	      "C: a statement removed at the end (after's tokens run out first)");
	check("c", "int a; /* same */\nint b = 1;\nint c;\n", "int a; /* same */\nint b = 12;\nint c;\n",
	      1, "C: one token changed between equal ones");
	check("python", "x = 1  # old\n", "x = 1  # new\n", 0, "Python: a comment edited");
	check("python", "def f(a,b):\n    return a\n", "def f(a, b):\n    return a\n", 0,
	      "Python: whitespace only");
	check("python", "x = 1\n", "x = 1\ny = 2\n", 1, "Python: a real change");
	check("javascript", "let a = 1; // old\n", "let a = 1; // new\n", 0,
	      "JavaScript: a line comment edited");
	check("javascript", "/* a */ f();\n", "/**\n * b\n */\nf();\n", 0,
	      "JavaScript: a block comment rewritten");
	check("javascript", "f(1);\n", "f(2);\n", 1, "JavaScript: a real change");
	check("c", "", "/* Copyright 2024 */\n", 0, "C: a file of comments only added");
	check("", "a\n", "a \n", 1, "unknown language: any change is code");
	check("restructuredtext", "a\n", "a \n", 1, "a language without known comments: code");
	check("c", "same\n", "same\n", 0, "no change at all");
	ok(!scan_differs, "code_changed_scan(): the same answers, and before's tokens to its callback");
	test_hunks();
	return done_testing();
}
