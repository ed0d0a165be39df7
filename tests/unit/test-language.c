/*
 * Unit tests for language detection (language.c).
 */
#include "common/language.h"
#include "tap.h"

#include <string.h>

static void is_lang(const char *path, const char *content, const char *want)
{
	char what[256];
	snprintf(what, sizeof(what), "%s%s%s", path, content ? " with " : "",
		 content ? content : "");
	is_str(language_detect(path, content, content ? strlen(content) : 0), want, what);
}

int main(void)
{
	(void)is_num;
	is_lang("src/a.c", NULL, "c");
	is_lang("src/a.h", NULL, "c");
	is_lang("x/y.cpp", NULL, "cpp");
	is_lang("lib/x.PY", NULL, "python");
	is_lang("app.js", NULL, "javascript");
	is_lang("app.tsx", NULL, "typescript");
	is_lang("main.go", NULL, "go");
	is_lang("lib.rs", NULL, "rust");
	is_lang("A.java", NULL, "java");
	is_lang("x.rb", NULL, "ruby");
	is_lang("run.sh", NULL, "shell");
	is_lang("Makefile", NULL, "makefile");
	is_lang("sub/GNUmakefile", NULL, "makefile");
	is_lang("Dockerfile", NULL, "dockerfile");
	is_lang("docker/Dockerfile.dev", NULL, "dockerfile");
	is_lang("CMakeLists.txt", NULL, "cmake");
	is_lang("README.md", NULL, "markdown");
	is_lang("data.unknownext", NULL, "");
	is_lang("bin/tool", "#!/usr/bin/env python3\nprint(1)\n", "python");
	is_lang("bin/tool", "#!/bin/sh\necho\n", "shell");
	is_lang("bin/tool", "#!/usr/bin/env -S node --x\n", "javascript");
	is_lang("bin/tool", "#!/usr/bin/perl -w\n", "perl");
	is_lang("bin/tool", "no shebang\n", "");
	is_lang("bin/tool", "#!/usr/bin/pythonista\n", "");
	is_lang("bin/tool.weird", "#!/bin/sh\n", "");
	is_lang("", NULL, "");
	is_lang("dir/", "#!/bin/sh\n", "shell");

	/* linguist's common languages, by extension and well-known name */
	is_num(language_tables_sorted(), 1, "lookup tables sorted for bsearch");
	is_lang("tests/unit/type/list.tcl", NULL, "tcl");
	is_lang("deps/lua/src/lapi.lua", NULL, "lua");
	is_lang("script/x.pl", NULL, "perl");
	is_lang("R/stats.R", NULL, "r");
	is_lang("a/B.scala", NULL, "scala");
	is_lang("a/B.kt", NULL, "kotlin");
	is_lang("a/B.swift", NULL, "swift");
	is_lang("Main.hs", NULL, "haskell");
	is_lang("lib/x.ex", NULL, "elixir");
	is_lang("src/x.erl", NULL, "erlang");
	is_lang("src/x.clj", NULL, "clojure");
	is_lang("bin/x.ml", NULL, "ocaml");
	is_lang("lib/x.dart", NULL, "dart");
	is_lang("x.jl", NULL, "julia");
	is_lang("build.gradle", NULL, "groovy");
	is_lang("x.ps1", NULL, "powershell");
	is_lang("db/schema.sql", NULL, "sql");
	is_lang("index.html", NULL, "html");
	is_lang("a.css", NULL, "css");
	is_lang("a.scss", NULL, "scss");
	is_lang(".github/workflows/ci.yml", NULL, "yaml");
	is_lang("Cargo.toml", NULL, "toml");
	is_lang("package.json", NULL, "json");
	is_lang("pom.xml", NULL, "xml");
	is_lang("Rakefile", NULL, "ruby");
	is_lang("Gemfile", NULL, "ruby");
	is_lang("sub/cmakelists.TXT", NULL, "cmake");
	is_lang(".gitignore", NULL, "ignore-list");
	is_lang("src/config.h.in", NULL, "c");
	is_lang("Makefile.in", NULL, "makefile");
	is_lang("x.in", NULL, "");
	is_lang("doc/git.1", NULL, "roff");
	is_lang("a.UNKNOWNEXTENSIONTHATISVERYLONGINDEEDMUCHLONGERTHANANYKEYWEHAVEINTHETABLES", NULL, "");
	is_lang("utils/runtest", "#!/usr/bin/env tclsh8.6\n", "tcl");
	is_lang("bin/tool", "#!/usr/bin/expect -f\n", "tcl");
	return done_testing();
}
