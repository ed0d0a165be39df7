/*
 * tokenize: a one-pass scanner for many languages, driven by a small
 * description of each language's lexical syntax (comment markers, what a
 * quote means, keywords) instead of one scanner per language.
 *
 * Invariants: every byte is looked at a bounded number of times; no token
 * is ever empty; nothing is allocated; the scan never reads past
 * code[len - 1] (the code need not be NUL-terminated).
 */
#include "common/tokenize.h"

#include <string.h>

/* ---- keywords: sorted tables, looked up by binary search ---- */

struct keywords {
	const char *const *words;
	size_t nr;
};
#define KEYWORDS(a) { a, sizeof(a) / sizeof(*(a)) }

static const char *const kw_c[] = {
	"_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic",
	"_Noreturn", "_Static_assert", "_Thread_local", "auto", "bool", "break",
	"case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "false", "float", "for", "goto", "if", "inline", "int",
	"long", "register", "restrict", "return", "short", "signed", "sizeof",
	"static", "struct", "switch", "true", "typedef", "union", "unsigned",
	"void", "volatile", "while",
};
static const char *const kw_cpp[] = {
	"alignas", "alignof", "auto", "bool", "break", "case", "catch", "char",
	"class", "const", "const_cast", "consteval", "constexpr", "continue",
	"decltype", "default", "delete", "do", "double", "dynamic_cast", "else",
	"enum", "explicit", "export", "extern", "false", "final", "float", "for",
	"friend", "goto", "if", "inline", "int", "long", "mutable", "namespace",
	"new", "noexcept", "nullptr", "operator", "override", "private",
	"protected", "public", "register", "reinterpret_cast", "return", "short",
	"signed", "sizeof", "static", "static_assert", "static_cast", "struct",
	"switch", "template", "this", "throw", "true", "try", "typedef",
	"typename", "union", "unsigned", "using", "virtual", "void", "volatile",
	"while",
};
static const char *const kw_java[] = {
	"abstract", "assert", "boolean", "break", "byte", "case", "catch",
	"char", "class", "const", "continue", "default", "do", "double", "else",
	"enum", "extends", "false", "final", "finally", "float", "for", "goto",
	"if", "implements", "import", "instanceof", "int", "interface", "long",
	"native", "new", "null", "package", "private", "protected", "public",
	"record", "return", "short", "static", "super", "switch", "synchronized",
	"this", "throw", "throws", "transient", "true", "try", "var", "void",
	"volatile", "while", "yield",
};
static const char *const kw_js[] = {
	"abstract", "any", "as", "async", "await", "boolean", "break", "case",
	"catch", "class", "const", "continue", "debugger", "declare", "default",
	"delete", "do", "else", "enum", "export", "extends", "false", "finally",
	"for", "from", "function", "get", "if", "implements", "import", "in",
	"instanceof", "interface", "keyof", "let", "new", "null", "number", "of",
	"private", "protected", "public", "readonly", "return", "set", "static",
	"string", "super", "switch", "this", "throw", "true", "try", "type",
	"typeof", "undefined", "var", "void", "while", "with", "yield",
};
static const char *const kw_python[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await",
	"break", "class", "continue", "def", "del", "elif", "else", "except",
	"finally", "for", "from", "global", "if", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
	"while", "with", "yield",
};
static const char *const kw_go[] = {
	"break", "case", "chan", "const", "continue", "default", "defer",
	"else", "fallthrough", "false", "for", "func", "go", "goto", "if",
	"import", "interface", "map", "nil", "package", "range", "return",
	"select", "struct", "switch", "true", "type", "var",
};
static const char *const kw_rust[] = {
	"Self", "as", "async", "await", "break", "const", "continue", "crate",
	"dyn", "else", "enum", "extern", "false", "fn", "for", "if", "impl",
	"in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
	"return", "self", "static", "struct", "super", "trait", "true", "type",
	"unsafe", "use", "where", "while",
};
static const char *const kw_ruby[] = {
	"BEGIN", "END", "__FILE__", "__LINE__", "alias", "and", "begin", "break",
	"case", "class", "def", "defined?", "do", "else", "elsif", "end",
	"ensure", "false", "for", "if", "in", "module", "next", "nil", "not",
	"or", "redo", "rescue", "retry", "return", "self", "super", "then",
	"true", "undef", "unless", "until", "when", "while", "yield",
};
static const char *const kw_shell[] = {
	"case", "do", "done", "elif", "else", "esac", "fi", "for", "function",
	"if", "in", "local", "return", "select", "then", "until", "while",
};
static const char *const kw_lua[] = {
	"and", "break", "do", "else", "elseif", "end", "false", "for",
	"function", "goto", "if", "in", "local", "nil", "not", "or", "repeat",
	"return", "then", "true", "until", "while",
};
static const char *const kw_csharp[] = {
	"abstract", "as", "base", "bool", "break", "byte", "case", "catch",
	"char", "class", "const", "continue", "decimal", "default", "delegate",
	"do", "double", "else", "enum", "event", "explicit", "extern", "false",
	"finally", "float", "for", "foreach", "goto", "if", "implicit", "in",
	"int", "interface", "internal", "is", "lock", "long", "namespace", "new",
	"null", "object", "operator", "out", "override", "private", "protected",
	"public", "readonly", "ref", "return", "sealed", "short", "sizeof",
	"static", "string", "struct", "switch", "this", "throw", "true", "try",
	"typeof", "uint", "ulong", "using", "var", "virtual", "void", "while",
};


/* ---- each language's lexical syntax ---- */

enum {
	SQ_CHAR = 1 << 0,      /* 'x' is a character literal (C family) */
	SQ_NONE = 1 << 1,      /* ' is punctuation (markup, lisp quote) */
	BACKTICK_STR = 1 << 2, /* `...` is a string (JS template, Go raw, shell) */
	TRIPLE_QUOTE = 1 << 3, /* """...""" and '''...''' (python) */
	MULTILINE = 1 << 4,    /* any string may span lines */
	NESTED = 1 << 5,       /* block comments nest (rust, swift, haskell) */
	HASH_WORD = 1 << 6,    /* # opens a comment only at a word start (sh) */
	LIFETIME = 1 << 7,     /* 'a without a closing quote is a lifetime */
	RAW_PREFIX = 1 << 8,   /* r"..", b"..", f"..": prefix + quoted (py, rust) */
	START_IN_COMMENT = 1 << 9, /* a fragment may open inside a block comment */
	LUA_LONG = 1 << 10,    /* --[[ ... ]] comments, [[ ... ]] strings */
};

struct syntax {
	const char *line[3];  /* line comment openers */
	const char *open[2];  /* block comment openers ... */
	const char *close[2]; /* ... and their closers */
	unsigned flags;
	struct keywords kw;
};

#define C_COMMENTS { "//" }, { "/*" }, { "*/" }
#define C_FLAGS (SQ_CHAR | START_IN_COMMENT)

static const struct syntax syn_c = { C_COMMENTS, C_FLAGS, KEYWORDS(kw_c) };
static const struct syntax syn_cpp = { C_COMMENTS, C_FLAGS, KEYWORDS(kw_cpp) };
static const struct syntax syn_java = { C_COMMENTS, C_FLAGS, KEYWORDS(kw_java) };
static const struct syntax syn_csharp = { C_COMMENTS, C_FLAGS, KEYWORDS(kw_csharp) };
static const struct syntax syn_clike = { C_COMMENTS, C_FLAGS, { NULL, 0 } };
static const struct syntax syn_js = { C_COMMENTS, BACKTICK_STR | START_IN_COMMENT,
				      KEYWORDS(kw_js) };
static const struct syntax syn_go = { C_COMMENTS, C_FLAGS | BACKTICK_STR, KEYWORDS(kw_go) };
static const struct syntax syn_rust = { C_COMMENTS,
					C_FLAGS | NESTED | LIFETIME | RAW_PREFIX,
					KEYWORDS(kw_rust) };
static const struct syntax syn_nested_c = { C_COMMENTS, C_FLAGS | NESTED, { NULL, 0 } };
static const struct syntax syn_php = { { "//", "#" }, { "/*" }, { "*/" },
				       MULTILINE | START_IN_COMMENT, { NULL, 0 } };
static const struct syntax syn_python = { { "#" }, { NULL }, { NULL },
					  TRIPLE_QUOTE | RAW_PREFIX, KEYWORDS(kw_python) };
static const struct syntax syn_ruby = { { "#" }, { "=begin" }, { "=end" }, MULTILINE,
					KEYWORDS(kw_ruby) };
static const struct syntax syn_shell = { { "#" }, { NULL }, { NULL },
					 MULTILINE | BACKTICK_STR | HASH_WORD,
					 KEYWORDS(kw_shell) };
static const struct syntax syn_hash = { { "#" }, { NULL }, { NULL }, 0, { NULL, 0 } };
static const struct syntax syn_hash_ml = { { "#" }, { NULL }, { NULL }, MULTILINE,
					   { NULL, 0 } };
static const struct syntax syn_hash_c = { { "#", "//" }, { "/*" }, { "*/" }, 0,
					  { NULL, 0 } };
static const struct syntax syn_julia = { { "#" }, { "#=" }, { "=#" }, TRIPLE_QUOTE | NESTED,
					 { NULL, 0 } };
static const struct syntax syn_powershell = { { "#" }, { "<#" }, { "#>" }, MULTILINE,
					      { NULL, 0 } };
static const struct syntax syn_sql = { { "--" }, { "/*" }, { "*/" }, MULTILINE,
				       { NULL, 0 } };
static const struct syntax syn_lua = { { "--" }, { NULL }, { NULL }, LUA_LONG,
				       KEYWORDS(kw_lua) };
static const struct syntax syn_haskell = { { "--" }, { "{-" }, { "-}" }, NESTED | SQ_CHAR,
					   { NULL, 0 } };
static const struct syntax syn_dashdash = { { "--" }, { NULL }, { NULL }, 0, { NULL, 0 } };
static const struct syntax syn_lisp = { { ";" }, { "#|" }, { "|#" }, SQ_NONE | MULTILINE,
					{ NULL, 0 } };
static const struct syntax syn_semicolon = { { ";", "#" }, { NULL }, { NULL }, 0,
					     { NULL, 0 } };
static const struct syntax syn_asm = { { ";", "//" }, { "/*" }, { "*/" }, 0, { NULL, 0 } };
static const struct syntax syn_percent = { { "%" }, { NULL }, { NULL }, 0, { NULL, 0 } };
static const struct syntax syn_ml = { { NULL }, { "(*" }, { "*)" }, NESTED, { NULL, 0 } };
static const struct syntax syn_fsharp = { { "//" }, { "(*" }, { "*)" }, NESTED,
					  { NULL, 0 } };
static const struct syntax syn_pascal = { { "//" }, { "{", "(*" }, { "}", "*)" }, 0,
					  { NULL, 0 } };
static const struct syntax syn_fortran = { { "!" }, { NULL }, { NULL }, 0, { NULL, 0 } };
static const struct syntax syn_markup = { { NULL }, { "<!--" }, { "-->" }, SQ_NONE,
					  { NULL, 0 } };
static const struct syntax syn_css = { { NULL }, { "/*" }, { "*/" }, START_IN_COMMENT,
				       { NULL, 0 } };

static const struct {
	const char *name;
	const struct syntax *syn;
} languages[] = {
	{ "c", &syn_c }, { "cpp", &syn_cpp }, { "cuda", &syn_cpp },
	{ "objective-c", &syn_c }, { "objective-cpp", &syn_cpp },
	{ "java", &syn_java }, { "csharp", &syn_csharp },
	{ "javascript", &syn_js }, { "typescript", &syn_js },
	{ "vue", &syn_js }, { "svelte", &syn_js },
	{ "go", &syn_go }, { "rust", &syn_rust },
	{ "kotlin", &syn_nested_c }, { "scala", &syn_nested_c },
	{ "swift", &syn_nested_c }, { "d", &syn_nested_c },
	{ "groovy", &syn_clike }, { "dart", &syn_clike }, { "zig", &syn_clike },
	{ "solidity", &syn_clike }, { "protobuf", &syn_clike },
	{ "glsl", &syn_clike }, { "hlsl", &syn_clike }, { "wgsl", &syn_clike },
	{ "verilog", &syn_clike }, { "systemverilog", &syn_clike },
	{ "scss", &syn_clike }, { "less", &syn_clike }, { "css", &syn_css },
	{ "php", &syn_php },
	{ "python", &syn_python }, { "cython", &syn_python },
	{ "starlark", &syn_python }, { "sconstruct", &syn_python },
	{ "ruby", &syn_ruby }, { "shell", &syn_shell }, { "fish", &syn_shell },
	{ "perl", &syn_hash_ml }, { "tcl", &syn_hash_ml }, { "r", &syn_hash_ml },
	{ "yaml", &syn_hash }, { "toml", &syn_hash }, { "makefile", &syn_hash },
	{ "cmake", &syn_hash }, { "dockerfile", &syn_hash }, { "elixir", &syn_hash },
	{ "nim", &syn_hash }, { "awk", &syn_hash }, { "sed", &syn_hash },
	{ "meson", &syn_hash }, { "graphql", &syn_hash }, { "sass", &syn_clike },
	{ "hcl", &syn_hash_c }, { "nix", &syn_hash_c },
	{ "julia", &syn_julia }, { "powershell", &syn_powershell },
	{ "sql", &syn_sql }, { "lua", &syn_lua }, { "haskell", &syn_haskell },
	{ "elm", &syn_haskell }, { "vhdl", &syn_dashdash }, { "ada", &syn_dashdash },
	{ "common-lisp", &syn_lisp }, { "scheme", &syn_lisp },
	{ "racket", &syn_lisp }, { "emacs-lisp", &syn_lisp },
	{ "clojure", &syn_lisp }, { "ini", &syn_semicolon },
	{ "assembly", &syn_asm }, { "erlang", &syn_percent }, { "tex", &syn_percent },
	{ "ocaml", &syn_ml }, { "fsharp", &syn_fsharp }, { "pascal", &syn_pascal },
	{ "fortran", &syn_fortran },
	{ "html", &syn_markup }, { "xml", &syn_markup }, { "markdown", &syn_markup },
};

static const struct syntax *syntax_of(const char *language)
{
	size_t i;

	if (language && *language)
		for (i = 0; i < sizeof(languages) / sizeof(*languages); i++)
			if (!strcmp(languages[i].name, language))
				return languages[i].syn;
	/* as the manual says, unknown languages are read as C, keywords too */
	return &syn_c;
}

static int kw_cmp(const char *word, size_t len, const char *key)
{
	/* most probes of the search differ at once: no call for those */
	int c = (unsigned char)word[0] - (unsigned char)key[0];

	if (c)
		return c;
	c = strncmp(word, key, len);
	if (c)
		return c;
	return key[len] ? -1 : 0;
}

static int is_keyword(const struct keywords *kw, const char *word, size_t len)
{
	size_t lo = 0, hi = kw->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = kw_cmp(word, len, kw->words[mid]);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int tokenize_is_keyword(const char *language, const char *word, size_t len)
{
	return is_keyword(&syntax_of(language)->kw, word, len);
}

const char *token_kind_name(enum token_kind kind)
{
	static const char *const names[TOKEN_KINDS] = {
		"identifier", "keyword", "number", "string", "char", "operator",
	};
	return (unsigned)kind < TOKEN_KINDS ? names[kind] : "?";
}

/* ---- the scanner ---- */

static int is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
	       c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* 1 if the marker s starts at p (within end). */
static int at(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

static const char *skip_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', end - p);
	return nl ? nl + 1 : end;
}

/* Past the block comment whose opener (of pair i) ends at p. */
static const char *skip_block(const struct syntax *syn, int i, const char *p,
			      const char *end)
{
	const char *open = syn->open[i], *close = syn->close[i];
	size_t depth = 1;

	while (p < end) {
		if (at(p, end, close)) {
			p += strlen(close);
			if (!--depth)
				return p;
		} else if ((syn->flags & NESTED) && at(p, end, open)) {
			p += strlen(open);
			depth++;
		} else {
			p++;
		}
	}
	return end;
}

/*
 * Past the string whose quote q is at p. A backslash escapes the next
 * byte; a string that may not span lines stops at the end of its line.
 */
static const char *skip_quoted(const char *p, const char *end, char q, int multiline,
			       int escapes)
{
	for (p++; p < end; p++) {
		if (*p == '\\' && escapes) {
			if (++p == end)
				break;
			continue;
		}
		if (*p == q)
			return p + 1;
		if (*p == '\n' && !multiline)
			return p;
	}
	return end;
}

static const char *skip_triple(const char *p, const char *end, char q)
{
	const char close[4] = { q, q, q, 0 };
	for (p += 3; p < end; p++) {
		if (*p == '\\') {
			if (++p == end)
				break;
			continue;
		}
		if (at(p, end, close))
			return p + 3;
	}
	return end;
}

/* rust r"..", r#".."#: p at the first '#' or '"' after the r */
static const char *skip_rust_raw(const char *p, const char *end)
{
	size_t hashes = 0;

	while (p < end && *p == '#')
		hashes++, p++;
	if (p == end || *p != '"')
		return NULL;
	for (p++; p < end; p++) {
		size_t n = 0;
		if (*p != '"')
			continue;
		while (n < hashes && p + 1 + n < end && p[1 + n] == '#')
			n++;
		if (n == hashes)
			return p + 1 + n;
	}
	return end;
}

/* lua: "[[" or "[==[" at p? Returns the level (number of '=') or -1. */
static int lua_long_open(const char *p, const char *end)
{
	int level = 0;

	if (p >= end || *p != '[')
		return -1;
	for (p++; p < end && *p == '='; p++)
		level++;
	return p < end && *p == '[' ? level : -1;
}

static const char *lua_long_skip(const char *p, const char *end, int level)
{
	p += level + 2;
	for (; p < end; p++) {
		int n = 0;
		if (*p != ']')
			continue;
		while (p + 1 + n < end && p[1 + n] == '=')
			n++;
		if (n == level && p + 1 + n < end && p[1 + n] == ']')
			return p + n + 2;
	}
	return end;
}

static const char *scan_number(const char *p, const char *end)
{
	int hex = end - p > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');

	for (p++; p < end; p++) {
		unsigned char c = *p;
		if (is_ident_char(c) && c != '$')
			continue;
		if (c == '.' && p + 1 < end && p[1] != '.' && !is_ident_start(p[1]))
			continue;
		if (c == '.' && p + 1 == end)
			continue;
		if ((c == '+' || c == '-') &&
		    (hex ? (p[-1] == 'p' || p[-1] == 'P') : (p[-1] == 'e' || p[-1] == 'E')))
			continue;
		break;
	}
	return p;
}

static const char *const operators3[] = {
	">>>", "<<=", ">>=", "...", "===", "!==", "**=", "<=>", "//=", "?\?=", "&&=", "||=",
};
static const char *const operators2[] = {
	"->", "=>", "::", "++", "--", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", ":=", "**", "//", "?.", "??",
	"..", "<-",
};

static size_t operator_len(const char *p, const char *end)
{
	size_t i;

	if (end - p >= 4 && !memcmp(p, ">>>=", 4))
		return 4;
	if (end - p >= 3)
		for (i = 0; i < sizeof(operators3) / sizeof(*operators3); i++)
			if (p[0] == operators3[i][0] && !memcmp(p, operators3[i], 3))
				return 3;
	if (end - p >= 2)
		for (i = 0; i < sizeof(operators2) / sizeof(*operators2); i++)
			if (p[0] == operators2[i][0] && p[1] == operators2[i][1])
				return 2;
	return 1;
}

/*
 * A C-like fragment such as " * frees the list.\n *\/\nfree(l);" (a diff
 * hunk) opens inside a block comment: it holds a closer that no opener in
 * it matches. Everything up to the first such closer is comment. Strings
 * are not looked at (comment text is full of apostrophes), so a closer
 * inside a string before any real one would mislead this; none is rare.
 */
static const char *skip_leading_comment_tail(const struct syntax *syn, const char *p,
					     const char *end)
{
	const char *q = p;
	size_t depth = 0; /* block comments open (they nest in some languages) */

	/* the syntaxes with START_IN_COMMENT use C's block comments */
	if (!(syn->flags & START_IN_COMMENT))
		return p;
	while ((q = memchr(q, '*', end - q))) {
		if ((!depth || (syn->flags & NESTED)) && q > p && q[-1] == '/') {
			depth++;
			q++;
		} else if (q + 1 < end && q[1] == '/') {
			if (!depth)
				return q + 2;
			depth--;
			q += 2;
		} else {
			q++;
		}
	}
	return p;
}

int tokenize(const char *language, const char *code, size_t len,
	     int (*fn)(const struct token *t, void *data), void *data)
{
	const struct syntax *syn = syntax_of(language);
	const char *p = code, *end = code + len;
	unsigned flags = syn->flags;
	int multiline = !!(flags & MULTILINE);

	p = skip_leading_comment_tail(syn, p, end);
	while (p < end) {
		unsigned char c = *p;
		struct token t;
		const char *q = NULL;
		int i, ret, skipped = 0;

		if (is_space(c)) {
			p++;
			continue;
		}

		/* comments (block first: julia's #= before its #) */
		for (i = 0; i < 2 && syn->open[i] && !skipped; i++) {
			if (c != (unsigned char)syn->open[i][0] || !at(p, end, syn->open[i]))
				continue;
			/* ruby's =begin counts only at a line start */
			if (c == '=' && p > code && p[-1] != '\n')
				continue;
			p = skip_block(syn, i, p + strlen(syn->open[i]), end);
			skipped = 1;
		}
		for (i = 0; i < 3 && syn->line[i] && !skipped; i++) {
			if (c != (unsigned char)syn->line[i][0] || !at(p, end, syn->line[i]))
				continue;
			if (c == '#' && (flags & HASH_WORD) && p > code && !is_space(p[-1]) &&
			    p[-1] != ';')
				continue;
			if ((flags & LUA_LONG) && lua_long_open(p + 2, end) >= 0)
				p = lua_long_skip(p + 2, end, lua_long_open(p + 2, end));
			else
				p = skip_line(p, end);
			skipped = 1;
		}
		if (skipped)
			continue;

		t.start = p;
		if (is_ident_start(c)) {
			q = p + 1;
			while (q < end && is_ident_char(*q))
				q++;
			t.kind = TOKEN_IDENTIFIER;
			/* python's r"..", b'..', f"""..""", rust's r#".."#, b'x' */
			if ((flags & RAW_PREFIX) && q < end && q - p <= 2 &&
			    strspn(p, "rbfuRBFU") >= (size_t)(q - p) &&
			    (*q == '"' || *q == '\'' || (*q == '#' && *p == 'r'))) {
				const char *s = NULL;
				if (flags & TRIPLE_QUOTE)
					s = end - q >= 3 && q[1] == *q && q[2] == *q
						    ? skip_triple(q, end, *q)
						    : skip_quoted(q, end, *q, 0, 1);
				else if (*p == 'r')
					s = skip_rust_raw(q, end);
				else if (*q == '"')
					s = skip_quoted(q, end, '"', 1, 1);
				else if (end - q >= 3 && (q[2] == '\'' || q[1] == '\\'))
					s = skip_quoted(q, end, '\'', 0, 1);
				if (s) {
					t.kind = *q == '\'' && !(flags & TRIPLE_QUOTE) ? TOKEN_CHAR
										      : TOKEN_STRING;
					q = s;
				}
			}
			if (t.kind == TOKEN_IDENTIFIER && is_keyword(&syn->kw, p, q - p))
				t.kind = TOKEN_KEYWORD;
		} else if (is_digit(c) || (c == '.' && p + 1 < end && is_digit(p[1]))) {
			q = scan_number(p, end);
			t.kind = TOKEN_NUMBER;
		} else if (c == '"' || (c == '\'' && !(flags & SQ_NONE)) ||
			   (c == '`' && (flags & BACKTICK_STR))) {
			t.kind = TOKEN_STRING;
			if ((flags & TRIPLE_QUOTE) && end - p >= 3 && p[1] == c && p[2] == c) {
				q = skip_triple(p, end, c);
			} else if (c == '`') {
				q = skip_quoted(p, end, c, 1, !(flags & SQ_CHAR)); /* go: raw */
			} else if (c == '\'' && (flags & LIFETIME) && end - p >= 3 &&
				   is_ident_start(p[1]) && p[2] != '\'') {
				/* rust lifetime 'a: an operator, then the name */
				q = p + 1;
				t.kind = TOKEN_OPERATOR;
			} else {
				q = skip_quoted(p, end, c, multiline, 1);
				if (c == '\'' && (flags & SQ_CHAR))
					t.kind = TOKEN_CHAR;
			}
		} else if ((flags & LUA_LONG) && c == '[' && lua_long_open(p, end) >= 0) {
			q = lua_long_skip(p, end, lua_long_open(p, end));
			t.kind = TOKEN_STRING;
		} else {
			q = p + operator_len(p, end);
			t.kind = TOKEN_OPERATOR;
		}
		t.len = q - p;
		p = q;
		ret = fn(&t, data);
		if (ret)
			return ret;
	}
	return 0;
}

int tokenize_parts(const char *language, const char *code, size_t len, const size_t *starts,
		   size_t nr, int (*fn)(const struct token *t, void *data), void *data)
{
	int ret = 0;

	if (!starts)
		nr = 0;
	for (size_t i = 0; i < nr; i++)
		if ((i ? starts[i] < starts[i - 1] : starts[i] != 0) || starts[i] > len)
			nr = 0; /* not parts of this code: take it whole */
	if (!nr)
		return tokenize(language, code, len, fn, data);
	for (size_t i = 0; i < nr && !ret; i++) {
		size_t end = i + 1 < nr ? starts[i + 1] : len;
		ret = tokenize(language, code + starts[i], end - starts[i], fn, data);
	}
	return ret;
}

int tokenize_knows(const char *language)
{
	if (!language || !*language)
		return 0;
	for (size_t i = 0; i < sizeof(languages) / sizeof(*languages); i++)
		if (!strcmp(languages[i].name, language))
			return 1;
	return 0;
}
