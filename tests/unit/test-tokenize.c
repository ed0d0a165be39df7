/*
 * Unit tests for the tokenizer (tokenize.c): each language's comments,
 * strings and keywords, fragments, and that layout never makes tokens.
 */
#include "common/tokenize.h"
#include "common/strbuf.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* tokens as "kind:text" joined by spaces, kinds abbreviated to one letter */
static int collect(const struct token *t, void *data)
{
	struct strbuf *sb = data;
	static const char letter[TOKEN_KINDS] = { 'i', 'k', 'n', 's', 'c', 'o' };

	if (!t->len)
		strbuf_addstr(sb, "EMPTY!");
	if (sb->len)
		strbuf_addch(sb, ' ');
	strbuf_addch(sb, letter[t->kind]);
	strbuf_addch(sb, ':');
	strbuf_add(sb, t->start, t->len);
	return 0;
}

static void toks(const char *lang, const char *code, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	char what[512];

	tokenize(lang, code, strlen(code), collect, &sb);
	char *nl;

	snprintf(what, sizeof(what), "%s: %s", *lang ? lang : "(unknown)", code);
	while ((nl = strchr(what, '\n')))
		*nl = '|';
	is_str(sb.buf, want, what);
	strbuf_release(&sb);
}

static int stop_at_third(const struct token *t, void *data)
{
	int *n = data;
	(void)t;
	return ++*n == 3 ? 42 : 0;
}

static int count(const struct token *t, void *data)
{
	size_t *n = data;
	(void)t;
	++*n;
	return 0;
}

int main(void)
{
	(void)is_num;

	/* C family */
	toks("c", "if (n > 0x1F) return -1; // done",
	     "k:if o:( i:n o:> n:0x1F o:) k:return o:- n:1 o:;");
	toks("c", "char c = '\\''; s = \"a\\\"b\"; /* x\n y */ x->y",
	     "k:char i:c o:= c:'\\'' o:; i:s o:= s:\"a\\\"b\" o:; i:x o:-> i:y");
	toks("c", "a <<= 1.5e-3f; b...", "i:a o:<<= n:1.5e-3f o:; i:b o:...");
	toks("c", " * frees the list\n */\nfree(l);", "i:free o:( i:l o:) o:;");
	toks("c", "*p = 0; /* x */", "o:* i:p o:= n:0 o:;");
	toks("c", "/* new */ the list. It's\n   freed here */\nfree(l); /* a */ x",
	     "i:free o:( i:l o:) o:; i:x");
	toks("c", "a = b * c / d; /* x */ e", "i:a o:= i:b o:* i:c o:/ i:d o:; i:e");
	toks("c", "#include <stdio.h>", "o:# i:include o:< i:stdio o:. i:h o:>");
	toks("cpp", "std::vector<int> v; nullptr", "i:std o::: i:vector o:< k:int o:> i:v o:; k:nullptr");
	toks("java", "public final class A { }", "k:public k:final k:class i:A o:{ o:}");
	toks("javascript", "const s = `a ${b}\n c`; // x", "k:const i:s o:= s:`a ${b}\n c` o:;");
	toks("typescript", "let x: number = 'a'", "k:let i:x o:: k:number o:= s:'a'");
	toks("go", "func f() { s := `a\\` ; r := 'x' }",
	     "k:func i:f o:( o:) o:{ i:s o::= s:`a\\` o:; i:r o::= c:'x' o:}");
	toks("rust", "fn f<'a>(x: &'a str) -> char { 'b' } /* a /* b */ c */ r#\"q\"#",
	     "k:fn i:f o:< o:' i:a o:> o:( i:x o:: o:& o:' i:a i:str o:) o:-> i:char o:{ c:'b' o:} s:r#\"q\"#");
	toks("rust", "for i in 0..10 {}", "k:for i:i k:in n:0 o:.. n:10 o:{ o:}");

	/* # comments, python strings */
	toks("python", "def f(x):  # comment\n    return r'\\d' + \"\"\"doc\n\"\"\"",
	     "k:def i:f o:( i:x o:) o:: k:return s:r'\\d' o:+ s:\"\"\"doc\n\"\"\"");
	toks("python", "x = f\"{y}\" if y is None else b''",
	     "i:x o:= s:f\"{y}\" k:if i:y k:is k:None k:else s:b''");
	toks("python", "x //= 2", "i:x o://= n:2");
	toks("ruby", "def f\n=begin\nnot code\n=end\n  nil # x\nend",
	     "k:def i:f k:nil k:end");
	toks("shell", "echo ${#arr} # comment\nx=$((1+2))",
	     "i:echo i:$ o:{ o:# i:arr o:} i:x o:= i:$ o:( o:( n:1 o:+ n:2 o:) o:)");
	toks("yaml", "key: 'v' # c", "i:key o:: s:'v'");

	/* -- comments */
	toks("sql", "SELECT a -- the a\nFROM t /* x */", "i:SELECT i:a i:FROM i:t");
	toks("lua", "local x = 1 --[[ long\n comment ]] y = [[s]]",
	     "k:local i:x o:= n:1 i:y o:= s:[[s]]");
	toks("haskell", "f x = x {- a {- b -} c -} -- d", "i:f i:x o:= i:x");

	/* markup */
	toks("html", "<a href=\"u\"><!-- c --></a>",
	     "o:< i:a i:href o:= s:\"u\" o:> o:< o:/ i:a o:>");
	toks("markdown", "see http://x.org <!-- no -->", "i:see i:http o:: o:// i:x o:. i:org");

	/* unknown languages scan as C */
	toks("", "a = b; // c\n/* d */ 'e'", "i:a o:= i:b o:; c:'e'");
	toks("no-such-language", "x++", "i:x o:++");

	/* layout and comments never change the tokens */
	{
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		const char *one = "if (!p) { free(q); return -1; }";
		const char *two = "if (!p)\n{\n\t/* no p */\n\tfree( q );\n\treturn -1; // fail\n}\n";
		tokenize("c", one, strlen(one), collect, &a);
		tokenize("c", two, strlen(two), collect, &b);
		is_str(a.buf, b.buf, "reformatted C with comments gives the same tokens");
		strbuf_release(&a);
		strbuf_release(&b);
	}

	/* fragments: an open string ends at its line */
	toks("c", "s = \"open\nx = 1;", "i:s o:= s:\"open i:x o:= n:1 o:;");
	toks("c", "a /* never closed", "i:a");
	toks("c", "x = '", "i:x o:= c:'");
	toks("python", "s = '''never", "i:s o:= s:'''never");

	/* the callback's non-zero return stops the scan */
	{
		int n = 0;
		ok(tokenize("c", "a b c d e", 9, stop_at_third, &n) == 42 && n == 3,
		   "a non-zero return from the callback stops and is returned");
	}

	/* no token runs past len (code need not be NUL-terminated) */
	{
		char buf[8] = { 'a', ' ', '"', 'b', 'c', 'X', 'X', 'X' };
		struct strbuf sb = STRBUF_INIT;
		tokenize("c", buf, 5, collect, &sb);
		is_str(sb.buf, "i:a s:\"bc", "stops at len");
		strbuf_release(&sb);
	}

	/* every byte value, in every language: terminates, no empty token */
	{
		static const char *langs[] = { "c", "python", "rust", "lua", "shell", "html",
					       "ruby", "haskell", "" };
		char *junk = malloc(65536);
		size_t i, n, bad = 0;
		unsigned seed = 12345;
		for (i = 0; i < 65536; i++) {
			seed = seed * 1103515245 + 12345;
			junk[i] = (char)(seed >> 16);
		}
		for (i = 0; i < sizeof(langs) / sizeof(*langs); i++) {
			n = 0;
			tokenize(langs[i], junk, 65536, count, &n);
			bad += n == 0;
		}
		ok(!bad, "random bytes tokenize in every language");
		free(junk);
	}

	ok(tokenize_is_keyword("go", "defer", 5) && !tokenize_is_keyword("c", "defer", 5),
	   "keywords are per language");
	ok(tokenize_is_keyword("python", "None", 4) && !tokenize_is_keyword("python", "Non", 3),
	   "keyword lookup is exact");
	is_str(token_kind_name(TOKEN_STRING), "string", "kind names");
	return done_testing();
}
