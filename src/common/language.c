/*
 * language.c: file name / shebang -> language (see language.h).
 * Tables are small and sorted by nothing in particular: lookups are a
 * linear scan over a few dozen entries, far cheaper than the diff around it.
 */
#include "common/language.h"
#include "common/util.h"

#include <string.h>
#include <strings.h>

struct ext_lang {
	const char *ext; /* without the dot, lower case */
	const char *lang;
};

static const struct ext_lang exts[] = {
	{ "c", "c" }, { "h", "c" },
	{ "cc", "cpp" }, { "cpp", "cpp" }, { "cxx", "cpp" }, { "c++", "cpp" },
	{ "hh", "cpp" }, { "hpp", "cpp" }, { "hxx", "cpp" }, { "h++", "cpp" }, { "ipp", "cpp" },
	{ "m", "objective-c" }, { "mm", "objective-cpp" },
	{ "cs", "csharp" }, { "fs", "fsharp" },
	{ "py", "python" }, { "pyw", "python" }, { "pyi", "python" }, { "pyx", "cython" },
	{ "js", "javascript" }, { "mjs", "javascript" }, { "cjs", "javascript" },
	{ "jsx", "javascript" },
	{ "ts", "typescript" }, { "tsx", "typescript" }, { "mts", "typescript" },
	{ "cts", "typescript" },
	{ "go", "go" }, { "rs", "rust" }, { "java", "java" }, { "kt", "kotlin" },
	{ "kts", "kotlin" }, { "scala", "scala" }, { "sc", "scala" }, { "groovy", "groovy" },
	{ "gradle", "groovy" }, { "clj", "clojure" }, { "cljs", "clojure" },
	{ "rb", "ruby" }, { "rake", "ruby" }, { "gemspec", "ruby" },
	{ "php", "php" }, { "pl", "perl" }, { "pm", "perl" }, { "t", "perl" },
	{ "sh", "shell" }, { "bash", "shell" }, { "zsh", "shell" }, { "ksh", "shell" },
	{ "fish", "fish" }, { "ps1", "powershell" }, { "psm1", "powershell" },
	{ "bat", "batchfile" }, { "cmd", "batchfile" },
	{ "swift", "swift" }, { "dart", "dart" }, { "lua", "lua" }, { "r", "r" },
	{ "jl", "julia" }, { "hs", "haskell" }, { "lhs", "haskell" }, { "ml", "ocaml" },
	{ "mli", "ocaml" }, { "ex", "elixir" }, { "exs", "elixir" }, { "erl", "erlang" },
	{ "hrl", "erlang" }, { "elm", "elm" }, { "zig", "zig" }, { "nim", "nim" },
	{ "v", "verilog" }, { "sv", "systemverilog" }, { "vhd", "vhdl" }, { "vhdl", "vhdl" },
	{ "f", "fortran" }, { "f90", "fortran" }, { "f95", "fortran" }, { "for", "fortran" },
	{ "pas", "pascal" }, { "d", "d" }, { "asm", "assembly" }, { "s", "assembly" },
	{ "sql", "sql" }, { "html", "html" }, { "htm", "html" }, { "xhtml", "html" },
	{ "css", "css" }, { "scss", "scss" }, { "sass", "sass" }, { "less", "less" },
	{ "vue", "vue" }, { "svelte", "svelte" },
	{ "json", "json" }, { "yaml", "yaml" }, { "yml", "yaml" }, { "toml", "toml" },
	{ "xml", "xml" }, { "ini", "ini" }, { "cfg", "ini" },
	{ "md", "markdown" }, { "markdown", "markdown" }, { "rst", "restructuredtext" },
	{ "adoc", "asciidoc" }, { "tex", "tex" }, { "txt", "text" },
	{ "proto", "protobuf" }, { "graphql", "graphql" }, { "gql", "graphql" },
	{ "tf", "hcl" }, { "hcl", "hcl" }, { "nix", "nix" }, { "cmake", "cmake" },
	{ "mk", "makefile" }, { "mak", "makefile" }, { "dockerfile", "dockerfile" },
	{ "el", "emacs-lisp" }, { "lisp", "common-lisp" }, { "scm", "scheme" },
	{ "rkt", "racket" }, { "vim", "vim" }, { "awk", "awk" }, { "sed", "sed" },
	{ "ipynb", "jupyter" }, { "sol", "solidity" }, { "cu", "cuda" }, { "cuh", "cuda" },
	{ "glsl", "glsl" }, { "hlsl", "hlsl" }, { "wgsl", "wgsl" },
};

static const struct ext_lang names[] = {
	{ "makefile", "makefile" }, { "gnumakefile", "makefile" },
	{ "dockerfile", "dockerfile" }, { "containerfile", "dockerfile" },
	{ "cmakelists.txt", "cmake" }, { "rakefile", "ruby" }, { "gemfile", "ruby" },
	{ "vagrantfile", "ruby" }, { "podfile", "ruby" }, { "brewfile", "ruby" },
	{ "jenkinsfile", "groovy" }, { "build", "starlark" }, { "build.bazel", "starlark" },
	{ "workspace", "starlark" }, { "meson.build", "meson" }, { "sconstruct", "python" },
	{ "sconscript", "python" }, { ".bashrc", "shell" }, { ".bash_profile", "shell" },
	{ ".profile", "shell" }, { ".zshrc", "shell" }, { "pkgbuild", "shell" },
	{ "go.mod", "go-module" },
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
	{ "swift", "swift" }, { "pwsh", "powershell" },
};

const char *language_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	base = base ? base + 1 : path;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(base, names[i].ext))
			return names[i].lang;
	/* Dockerfile.dev, Makefile.am and the like */
	if (!strncasecmp(base, "dockerfile.", 11))
		return "dockerfile";
	if (!strncasecmp(base, "makefile.", 9))
		return "makefile";
	dot = strrchr(base, '.');
	if (!dot || dot == base || !dot[1])
		return "";
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
		if (!strcasecmp(dot + 1, exts[i].ext))
			return exts[i].lang;
	return "";
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
