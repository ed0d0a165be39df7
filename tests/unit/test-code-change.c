/*
 * Unit tests for code_changed() (code-change.c): comment- and
 * whitespace-only changes are not code changes, in the languages whose
 * comments the tokenizer knows.
 */
#include "common/code-change.h"
#include "tap.h"

static void check(const char *lang, const char *before, const char *after, int want,
		  const char *what)
{
	is_num(code_changed(lang, before, strlen(before), after, strlen(after)), want, what);
}

int main(void)
{
	(void)is_str;
	check("c", "int a; /* old */\nint b;\n", "int a; /* new words */\nint b;\n", 0,
	      "C: a block comment edited");
	check("c", "// x\nint a = 1;\n", "// y\n\nint a = 1;\n", 0, "C: a line comment and a blank line");
	check("c", "int a=1;\n", "int  a = 1;\n\n", 0, "C: whitespace only");
	check("c", "int a = 1;\n", "int a = 2;\n", 1, "C: a real change");
	check("c", "free(p);\n", "/* free(p); */\n", 1, "C: code commented out is a change");
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
	return done_testing();
}
