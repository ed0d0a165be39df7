/*
 * language.c: file name / shebang -> language (see language.h).
 * Names and extensions are looked up by binary search in sorted tables;
 * shebang interpreters by a linear scan (only extensionless files).
 */
#include "common/language.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ext_lang {
	const char *ext; /* without the dot, lower case */
	const char *lang;
};

/*
 * Extensions of GitHub linguist's common programming, markup and data
 * languages (our own list, names in lower case). Sorted by extension in
 * byte order for bsearch; test-language checks the order.
 * Ambiguous extensions go to the most common language (.m Objective-C,
 * .pl Perl, .v Verilog, .h C); those linguist can only tell by content
 * (.pro, .pp, .cl) are left out.
 */
static const struct ext_lang exts[] = {
	{ "1", "roff" },
	{ "2", "roff" },
	{ "3", "roff" },
	{ "5", "roff" },
	{ "7", "roff" },
	{ "8", "roff" },
	{ "ac", "m4" },
	{ "ada", "ada" },
	{ "adb", "ada" },
	{ "adoc", "asciidoc" },
	{ "ads", "ada" },
	{ "agda", "agda" },
	{ "ahk", "autohotkey" },
	{ "am", "makefile" },
	{ "apex", "apex" },
	{ "applescript", "applescript" },
	{ "as", "actionscript" },
	{ "asciidoc", "asciidoc" },
	{ "asm", "assembly" },
	{ "astro", "astro" },
	{ "awk", "awk" },
	{ "bash", "shell" },
	{ "bat", "batchfile" },
	{ "bib", "bibtex" },
	{ "bzl", "starlark" },
	{ "c", "c" },
	{ "c++", "cpp" },
	{ "cairo", "cairo" },
	{ "capnp", "capnp" },
	{ "cbl", "cobol" },
	{ "cc", "cpp" },
	{ "cfg", "ini" },
	{ "cjs", "javascript" },
	{ "clj", "clojure" },
	{ "cljc", "clojure" },
	{ "cljs", "clojure" },
	{ "cmake", "cmake" },
	{ "cmd", "batchfile" },
	{ "cnf", "ini" },
	{ "cob", "cobol" },
	{ "coffee", "coffeescript" },
	{ "command", "shell" },
	{ "cpp", "cpp" },
	{ "cr", "crystal" },
	{ "cs", "csharp" },
	{ "csh", "tcsh" },
	{ "cshtml", "razor" },
	{ "csproj", "xml" },
	{ "css", "css" },
	{ "csv", "csv" },
	{ "csx", "csharp" },
	{ "cts", "typescript" },
	{ "cu", "cuda" },
	{ "cue", "cue" },
	{ "cuh", "cuda" },
	{ "cxx", "cpp" },
	{ "d", "d" },
	{ "dart", "dart" },
	{ "dhall", "dhall" },
	{ "diff", "diff" },
	{ "dockerfile", "dockerfile" },
	{ "dpr", "pascal" },
	{ "edn", "clojure" },
	{ "eex", "html+eex" },
	{ "ejs", "ejs" },
	{ "el", "emacs-lisp" },
	{ "elm", "elm" },
	{ "erb", "html+erb" },
	{ "erl", "erlang" },
	{ "es6", "javascript" },
	{ "ex", "elixir" },
	{ "exs", "elixir" },
	{ "f", "fortran" },
	{ "f03", "fortran" },
	{ "f90", "fortran" },
	{ "f95", "fortran" },
	{ "fish", "fish" },
	{ "fnl", "fennel" },
	{ "for", "fortran" },
	{ "frag", "glsl" },
	{ "fs", "fsharp" },
	{ "fsi", "fsharp" },
	{ "fsproj", "xml" },
	{ "fsx", "fsharp" },
	{ "gemspec", "ruby" },
	{ "geojson", "json" },
	{ "gleam", "gleam" },
	{ "glsl", "glsl" },
	{ "go", "go" },
	{ "gql", "graphql" },
	{ "gradle", "groovy" },
	{ "graphql", "graphql" },
	{ "groovy", "groovy" },
	{ "gvy", "groovy" },
	{ "gyp", "python" },
	{ "h", "c" },
	{ "h++", "cpp" },
	{ "haml", "haml" },
	{ "handlebars", "handlebars" },
	{ "hbs", "handlebars" },
	{ "hcl", "hcl" },
	{ "heex", "html+eex" },
	{ "hh", "cpp" },
	{ "hlsl", "hlsl" },
	{ "hpp", "cpp" },
	{ "hrl", "erlang" },
	{ "hs", "haskell" },
	{ "htm", "html" },
	{ "html", "html" },
	{ "hx", "haxe" },
	{ "hxx", "cpp" },
	{ "hy", "hy" },
	{ "idr", "idris" },
	{ "ini", "ini" },
	{ "inl", "cpp" },
	{ "ino", "cpp" },
	{ "ipp", "cpp" },
	{ "ipynb", "jupyter" },
	{ "itcl", "tcl" },
	{ "j2", "jinja" },
	{ "jade", "pug" },
	{ "janet", "janet" },
	{ "java", "java" },
	{ "jbuilder", "ruby" },
	{ "jinja", "jinja" },
	{ "jinja2", "jinja" },
	{ "jl", "julia" },
	{ "js", "javascript" },
	{ "json", "json" },
	{ "json5", "json5" },
	{ "jsonc", "json-with-comments" },
	{ "jsonnet", "jsonnet" },
	{ "jsp", "java-server-pages" },
	{ "jsx", "javascript" },
	{ "ksh", "shell" },
	{ "kt", "kotlin" },
	{ "kts", "kotlin" },
	{ "lean", "lean" },
	{ "less", "less" },
	{ "lhs", "haskell" },
	{ "libsonnet", "jsonnet" },
	{ "liquid", "liquid" },
	{ "lisp", "common-lisp" },
	{ "ll", "llvm" },
	{ "lsp", "common-lisp" },
	{ "lua", "lua" },
	{ "m", "objective-c" },
	{ "m4", "m4" },
	{ "mak", "makefile" },
	{ "make", "makefile" },
	{ "man", "roff" },
	{ "markdown", "markdown" },
	{ "md", "markdown" },
	{ "mdx", "mdx" },
	{ "metal", "metal" },
	{ "mjs", "javascript" },
	{ "mk", "makefile" },
	{ "ml", "ocaml" },
	{ "mli", "ocaml" },
	{ "mll", "ocaml" },
	{ "mly", "ocaml" },
	{ "mm", "objective-cpp" },
	{ "moon", "moonscript" },
	{ "move", "move" },
	{ "ms", "roff" },
	{ "mts", "typescript" },
	{ "mustache", "mustache" },
	{ "nasm", "assembly" },
	{ "nim", "nim" },
	{ "nimble", "nim" },
	{ "nims", "nim" },
	{ "ninja", "ninja" },
	{ "nix", "nix" },
	{ "org", "org" },
	{ "p6", "raku" },
	{ "pas", "pascal" },
	{ "patch", "diff" },
	{ "pcss", "postcss" },
	{ "pgsql", "plpgsql" },
	{ "php", "php" },
	{ "phtml", "php" },
	{ "pl", "perl" },
	{ "plist", "xml" },
	{ "plsql", "plsql" },
	{ "pm", "perl" },
	{ "pm6", "raku" },
	{ "pod", "pod" },
	{ "podspec", "ruby" },
	{ "prisma", "prisma" },
	{ "properties", "java-properties" },
	{ "props", "xml" },
	{ "proto", "protobuf" },
	{ "ps1", "powershell" },
	{ "psd1", "powershell" },
	{ "psgi", "perl" },
	{ "psm1", "powershell" },
	{ "pug", "pug" },
	{ "purs", "purescript" },
	{ "pxd", "cython" },
	{ "pxi", "cython" },
	{ "py", "python" },
	{ "pyi", "python" },
	{ "pyw", "python" },
	{ "pyx", "cython" },
	{ "qml", "qml" },
	{ "r", "r" },
	{ "rake", "ruby" },
	{ "raku", "raku" },
	{ "rakumod", "raku" },
	{ "rb", "ruby" },
	{ "rdoc", "rdoc" },
	{ "re", "reason" },
	{ "rei", "reason" },
	{ "rkt", "racket" },
	{ "rmd", "rmarkdown" },
	{ "rockspec", "lua" },
	{ "roff", "roff" },
	{ "rs", "rust" },
	{ "rst", "restructuredtext" },
	{ "ru", "ruby" },
	{ "s", "assembly" },
	{ "sass", "sass" },
	{ "sbt", "scala" },
	{ "sc", "scala" },
	{ "scala", "scala" },
	{ "scm", "scheme" },
	{ "scss", "scss" },
	{ "sdc", "tcl" },
	{ "sed", "sed" },
	{ "sh", "shell" },
	{ "sld", "scheme" },
	{ "slim", "slim" },
	{ "sol", "solidity" },
	{ "sql", "sql" },
	{ "ss", "scheme" },
	{ "st", "smalltalk" },
	{ "star", "starlark" },
	{ "sty", "tex" },
	{ "styl", "stylus" },
	{ "sv", "systemverilog" },
	{ "svelte", "svelte" },
	{ "svg", "svg" },
	{ "svh", "systemverilog" },
	{ "swift", "swift" },
	{ "t", "perl" },
	{ "targets", "xml" },
	{ "tcc", "cpp" },
	{ "tcl", "tcl" },
	{ "tcsh", "tcsh" },
	{ "tex", "tex" },
	{ "textile", "textile" },
	{ "tf", "hcl" },
	{ "tfvars", "hcl" },
	{ "thor", "ruby" },
	{ "thrift", "thrift" },
	{ "tk", "tcl" },
	{ "tm", "tcl" },
	{ "toml", "toml" },
	{ "ts", "typescript" },
	{ "tsv", "tsv" },
	{ "tsx", "typescript" },
	{ "twig", "twig" },
	{ "txt", "text" },
	{ "v", "verilog" },
	{ "vala", "vala" },
	{ "vb", "vbnet" },
	{ "vbs", "vbscript" },
	{ "vcxproj", "xml" },
	{ "vert", "glsl" },
	{ "vh", "verilog" },
	{ "vhd", "vhdl" },
	{ "vhdl", "vhdl" },
	{ "vim", "vim" },
	{ "vimrc", "vim" },
	{ "vue", "vue" },
	{ "vy", "vyper" },
	{ "wat", "webassembly" },
	{ "webmanifest", "json" },
	{ "wgsl", "wgsl" },
	{ "xdc", "tcl" },
	{ "xhtml", "html" },
	{ "xml", "xml" },
	{ "xsd", "xml" },
	{ "xsl", "xslt" },
	{ "xslt", "xslt" },
	{ "yaml", "yaml" },
	{ "yml", "yaml" },
	{ "zig", "zig" },
	{ "zsh", "shell" },
};

/* Whole file names (lower case), sorted in byte order for bsearch. */
static const struct ext_lang names[] = {
	{ ".babelrc", "json-with-comments" },
	{ ".bash_logout", "shell" },
	{ ".bash_profile", "shell" },
	{ ".bashrc", "shell" },
	{ ".clang-format", "yaml" },
	{ ".clang-tidy", "yaml" },
	{ ".dockerignore", "ignore-list" },
	{ ".editorconfig", "editorconfig" },
	{ ".emacs", "emacs-lisp" },
	{ ".env", "dotenv" },
	{ ".eslintignore", "ignore-list" },
	{ ".eslintrc", "json-with-comments" },
	{ ".gitattributes", "git-attributes" },
	{ ".gitconfig", "git-config" },
	{ ".gitignore", "ignore-list" },
	{ ".gitmodules", "git-config" },
	{ ".htaccess", "apacheconf" },
	{ ".jshintrc", "json-with-comments" },
	{ ".kshrc", "shell" },
	{ ".npmignore", "ignore-list" },
	{ ".prettierignore", "ignore-list" },
	{ ".profile", "shell" },
	{ ".vimrc", "vim" },
	{ ".zprofile", "shell" },
	{ ".zshrc", "shell" },
	{ "_vimrc", "vim" },
	{ "apache2.conf", "apacheconf" },
	{ "apkbuild", "shell" },
	{ "appraisals", "ruby" },
	{ "authors", "text" },
	{ "berksfile", "ruby" },
	{ "brewfile", "ruby" },
	{ "bsdmakefile", "makefile" },
	{ "build", "starlark" },
	{ "build.bazel", "starlark" },
	{ "capfile", "ruby" },
	{ "changelog", "text" },
	{ "cmakelists.txt", "cmake" },
	{ "config.ru", "ruby" },
	{ "configure.ac", "m4" },
	{ "configure.in", "m4" },
	{ "containerfile", "dockerfile" },
	{ "contributors", "text" },
	{ "copying", "text" },
	{ "copying.lesser", "text" },
	{ "dangerfile", "ruby" },
	{ "dockerfile", "dockerfile" },
	{ "fastfile", "ruby" },
	{ "gemfile", "ruby" },
	{ "gnumakefile", "makefile" },
	{ "go.mod", "go-module" },
	{ "go.work", "go-module" },
	{ "guardfile", "ruby" },
	{ "httpd.conf", "apacheconf" },
	{ "install", "text" },
	{ "jenkinsfile", "groovy" },
	{ "jsconfig.json", "json-with-comments" },
	{ "justfile", "just" },
	{ "kbuild", "makefile" },
	{ "licence", "text" },
	{ "license", "text" },
	{ "makefile", "makefile" },
	{ "meson.build", "meson" },
	{ "meson_options.txt", "meson" },
	{ "module.bazel", "starlark" },
	{ "nanorc", "nanorc" },
	{ "news", "text" },
	{ "nginx.conf", "nginx" },
	{ "pipfile", "toml" },
	{ "pkgbuild", "shell" },
	{ "podfile", "ruby" },
	{ "procfile", "procfile" },
	{ "rakefile", "ruby" },
	{ "readme", "text" },
	{ "sconscript", "python" },
	{ "sconstruct", "python" },
	{ "thorfile", "ruby" },
	{ "tsconfig.json", "json-with-comments" },
	{ "vagrantfile", "ruby" },
	{ "workspace", "starlark" },
	{ "workspace.bazel", "starlark" },
};

/* interpreter name (after any "env") -> language; a prefix match on versions */
static const struct ext_lang interpreters[] = {
	{ "python", "python" }, { "pypy", "python" }, { "node", "javascript" },
	{ "nodejs", "javascript" }, { "deno", "typescript" }, { "ts-node", "typescript" },
	{ "bash", "shell" }, { "sh", "shell" }, { "dash", "shell" }, { "zsh", "shell" },
	{ "ksh", "shell" }, { "ash", "shell" }, { "fish", "fish" }, { "perl", "perl" },
	{ "ruby", "ruby" }, { "php", "php" }, { "lua", "lua" }, { "Rscript", "r" },
	{ "awk", "awk" }, { "gawk", "awk" }, { "sed", "sed" }, { "tclsh", "tcl" },
	{ "make", "makefile" }, { "julia", "julia" }, { "escript", "erlang" },
	{ "elixir", "elixir" }, { "guile", "scheme" }, { "runhaskell", "haskell" },
	{ "swift", "swift" }, { "pwsh", "powershell" }, { "wish", "tcl" },
	{ "expect", "tcl" }, { "jimsh", "tcl" }, { "luajit", "lua" }, { "jruby", "ruby" },
	{ "raku", "raku" }, { "perl6", "raku" }, { "bun", "javascript" },
	{ "runghc", "haskell" }, { "ocaml", "ocaml" }, { "crystal", "crystal" },
	{ "dart", "dart" }, { "groovy", "groovy" }, { "scala", "scala" },
	{ "kotlin", "kotlin" }, { "tcsh", "tcsh" }, { "csh", "tcsh" }, { "mksh", "shell" },
	{ "busybox", "shell" }, { "osascript", "applescript" }, { "nix-shell", "nix" },
};

static int ext_lang_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ext_lang *)elem)->ext);
}

/* s[0..len) lower-cased into buf (of size n); 0 if it does not fit. */
static int lower_copy(char *buf, size_t n, const char *s, size_t len)
{
	if (len >= n)
		return 0;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[len] = '\0';
	return 1;
}

static const char *lookup(const struct ext_lang *table, size_t nr, const char *s, size_t len)
{
	char key[64];
	const struct ext_lang *hit;
	if (!lower_copy(key, sizeof(key), s, len))
		return NULL;
	hit = bsearch(key, table, nr, sizeof(*table), ext_lang_cmp);
	return hit ? hit->lang : NULL;
}

const char *language_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *lang, *dot;
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if ((lang = lookup(names, ARRAY_SIZE(names), base, len)))
		return lang;
	/* Dockerfile.dev, Makefile.am and the like */
	if (!strncasecmp(base, "dockerfile.", 11))
		return "dockerfile";
	if (!strncasecmp(base, "makefile.", 9))
		return "makefile";
	/* a template for configure: config.h.in is C, redis.tcl.in Tcl */
	if (len > 3 && !strcasecmp(base + len - 3, ".in"))
		len -= 3;
	dot = memrchr(base, '.', len);
	if (!dot || dot == base || dot + 1 == base + len)
		return "";
	lang = lookup(exts, ARRAY_SIZE(exts), dot + 1, (size_t)(base + len - dot - 1));
	return lang ? lang : "";
}

int language_tables_sorted(void)
{
	for (size_t i = 1; i < ARRAY_SIZE(exts); i++)
		if (strcmp(exts[i - 1].ext, exts[i].ext) >= 0)
			return 0;
	for (size_t i = 1; i < ARRAY_SIZE(names); i++)
		if (strcmp(names[i - 1].ext, names[i].ext) >= 0)
			return 0;
	return 1;
}

static const char *language_from_shebang(const char *content, size_t len)
{
	char line[256], *p, *word;
	size_t n = 0;

	if (!content || len < 3 || content[0] != '#' || content[1] != '!')
		return "";
	while (n + 2 < len && n < sizeof(line) - 1 && content[n + 2] != '\n') {
		line[n] = content[n + 2];
		n++;
	}
	line[n] = '\0';
	p = line;
	/* the interpreter's base name */
	while (*p == ' ' || *p == '\t')
		p++;
	word = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	if (*p)
		*p++ = '\0';
	if (strrchr(word, '/'))
		word = strrchr(word, '/') + 1;
	if (!strcmp(word, "env")) {
		/* skip env's options ("-S") */
		for (;;) {
			while (*p == ' ' || *p == '\t')
				p++;
			word = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			if (*p)
				*p++ = '\0';
			if (*word != '-')
				break;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(interpreters); i++) {
		size_t il = strlen(interpreters[i].ext);
		if (strncmp(word, interpreters[i].ext, il))
			continue;
		/* python3, python3.11, perl5 */
		if (!word[il] || strspn(word + il, "0123456789.") == strlen(word + il))
			return interpreters[i].lang;
	}
	return "";
}

int language_wants_content(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return !*language_from_path(path) && !(*base && strchr(base + 1, '.'));
}

const char *language_detect(const char *path, const char *content, size_t len)
{
	if (!language_wants_content(path))
		return language_from_path(path);
	return language_from_shebang(content, len);
}

const char *language_linguist_name(const char *lang)
{
	static const char *const linguist[][2] = {
		{ "actionscript", "ActionScript" }, { "ada", "Ada" }, { "agda", "Agda" },
		{ "apacheconf", "ApacheConf" }, { "apex", "Apex" },
		{ "applescript", "AppleScript" }, { "asciidoc", "AsciiDoc" },
		{ "assembly", "Assembly" }, { "astro", "Astro" },
		{ "autohotkey", "AutoHotkey" }, { "awk", "Awk" }, { "batchfile", "Batchfile" },
		{ "bibtex", "BibTeX" }, { "c", "C" }, { "cairo", "Cairo" },
		{ "capnp", "Cap'n Proto" }, { "clojure", "Clojure" }, { "cmake", "CMake" },
		{ "cobol", "COBOL" }, { "coffeescript", "CoffeeScript" },
		{ "common-lisp", "Common Lisp" }, { "cpp", "C++" }, { "crystal", "Crystal" },
		{ "csharp", "C#" }, { "css", "CSS" }, { "csv", "CSV" }, { "cuda", "Cuda" },
		{ "cue", "CUE" }, { "cython", "Cython" }, { "d", "D" }, { "dart", "Dart" },
		{ "dhall", "Dhall" }, { "diff", "Diff" }, { "dockerfile", "Dockerfile" },
		{ "dotenv", "Dotenv" }, { "editorconfig", "EditorConfig" }, { "ejs", "EJS" },
		{ "elixir", "Elixir" }, { "elm", "Elm" }, { "emacs-lisp", "Emacs Lisp" },
		{ "erlang", "Erlang" }, { "fennel", "Fennel" }, { "fish", "fish" },
		{ "fortran", "Fortran" }, { "fsharp", "F#" },
		{ "git-attributes", "Git Attributes" }, { "git-config", "Git Config" },
		{ "gleam", "Gleam" }, { "glsl", "GLSL" }, { "go", "Go" },
		{ "go-module", "Go Module" }, { "graphql", "GraphQL" }, { "groovy", "Groovy" },
		{ "haml", "Haml" }, { "handlebars", "Handlebars" }, { "haskell", "Haskell" },
		{ "haxe", "Haxe" }, { "hcl", "HCL" }, { "hlsl", "HLSL" }, { "html", "HTML" },
		{ "html+eex", "HTML+EEX" }, { "html+erb", "HTML+ERB" }, { "hy", "Hy" },
		{ "idris", "Idris" }, { "ignore-list", "Ignore List" }, { "ini", "INI" },
		{ "janet", "Janet" }, { "java", "Java" },
		{ "java-properties", "Java Properties" },
		{ "java-server-pages", "Java Server Pages" }, { "javascript", "JavaScript" },
		{ "jinja", "Jinja" }, { "json", "JSON" },
		{ "json-with-comments", "JSON with Comments" }, { "json5", "JSON5" },
		{ "jsonnet", "Jsonnet" }, { "julia", "Julia" },
		{ "jupyter", "Jupyter Notebook" }, { "just", "Just" }, { "kotlin", "Kotlin" },
		{ "lean", "Lean" }, { "less", "Less" }, { "liquid", "Liquid" },
		{ "llvm", "LLVM" }, { "lua", "Lua" }, { "m4", "M4" },
		{ "makefile", "Makefile" }, { "markdown", "Markdown" }, { "mdx", "MDX" },
		{ "meson", "Meson" }, { "metal", "Metal" }, { "moonscript", "MoonScript" },
		{ "move", "Move" }, { "mustache", "Mustache" }, { "nanorc", "nanorc" },
		{ "nginx", "Nginx" }, { "nim", "Nim" }, { "ninja", "Ninja" }, { "nix", "Nix" },
		{ "objective-c", "Objective-C" }, { "objective-cpp", "Objective-C++" },
		{ "ocaml", "OCaml" }, { "org", "Org" }, { "pascal", "Pascal" },
		{ "perl", "Perl" }, { "php", "PHP" }, { "plpgsql", "PLpgSQL" },
		{ "plsql", "PLSQL" }, { "pod", "Pod" }, { "postcss", "PostCSS" },
		{ "powershell", "PowerShell" }, { "prisma", "Prisma" },
		{ "procfile", "Procfile" }, { "protobuf", "Protocol Buffer" },
		{ "pug", "Pug" }, { "purescript", "PureScript" }, { "python", "Python" },
		{ "qml", "QML" }, { "r", "R" }, { "racket", "Racket" }, { "raku", "Raku" },
		{ "razor", "HTML+Razor" }, { "rdoc", "RDoc" }, { "reason", "Reason" },
		{ "restructuredtext", "reStructuredText" }, { "rmarkdown", "RMarkdown" },
		{ "roff", "Roff" }, { "ruby", "Ruby" }, { "rust", "Rust" }, { "sass", "Sass" },
		{ "scala", "Scala" }, { "scheme", "Scheme" }, { "scss", "SCSS" },
		{ "sed", "sed" }, { "shell", "Shell" }, { "slim", "Slim" },
		{ "smalltalk", "Smalltalk" }, { "solidity", "Solidity" }, { "sql", "SQL" },
		{ "starlark", "Starlark" }, { "stylus", "Stylus" }, { "svelte", "Svelte" },
		{ "svg", "SVG" }, { "swift", "Swift" }, { "systemverilog", "SystemVerilog" },
		{ "tcl", "Tcl" }, { "tcsh", "Tcsh" }, { "tex", "TeX" }, { "text", "Text" },
		{ "textile", "Textile" }, { "thrift", "Thrift" }, { "toml", "TOML" },
		{ "tsv", "TSV" }, { "twig", "Twig" }, { "typescript", "TypeScript" },
		{ "vala", "Vala" }, { "vbnet", "Visual Basic .NET" },
		{ "vbscript", "VBScript" }, { "verilog", "Verilog" }, { "vhdl", "VHDL" },
		{ "vim", "Vim Script" }, { "vue", "Vue" }, { "vyper", "Vyper" },
		{ "webassembly", "WebAssembly" }, { "wgsl", "WGSL" }, { "xml", "XML" },
		{ "xslt", "XSLT" }, { "yaml", "YAML" }, { "zig", "Zig" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(linguist); i++)
		if (!strcmp(lang, linguist[i][0]))
			return linguist[i][1];
	return lang;
}
