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
	return done_testing();
}
