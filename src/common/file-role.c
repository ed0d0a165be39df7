/*
 * file-role.c: a path -> its role in a change, and the vendored-code test
 * (see file-role.h).
 *
 * Everything here looks at the path's folders and base name only, so it
 * costs a few string compares per file. The lists are ours, written after
 * the conventions of the big ecosystems (git's t/, Maven's src/test,
 * Jest's __tests__, Go's _test.go, pytest's test_*.py) and GitHub
 * linguist's vendor.yml.
 */
#include "common/file-role.h"
#include "common/language.h"
#include "common/util.h"

#include <string.h>
#include <strings.h>

/* 1 if s[0..len) equals one of the words, ignoring case. */
static int in_list(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == len && !strncasecmp(s, *words, len))
			return 1;
	return 0;
}

/* 1 if a folder of path (not the base name) is one of the words. */
static int has_folder(const char *path, const char *const *words)
{
	const char *p = path, *slash;
	while ((slash = strchr(p, '/'))) {
		if (in_list(p, (size_t)(slash - p), words))
			return 1;
		p = slash + 1;
	}
	return 0;
}

static int has_prefix_ci(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

static int has_suffix_ci(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && !strcasecmp(s + ls - lx, suffix);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* -------- vendored code -------- */

/* folders that hold other people's code wherever they are */
static const char *const vendor_folders[] = {
	"vendor", "vendors", "vendored", "third_party", "third-party", "thirdparty",
	"3rdparty", "3rd_party", "3rd-party", "node_modules", "bower_components",
	"jspm_packages", "extern", "external", "Pods", "Carthage", "Godeps",
	"site-packages", ".venv", "venv", ".bundle", NULL,
};

/* folders that hold other people's code at the top of the tree */
static const char *const vendor_top_folders[] = { "deps", "dependencies", NULL };

/* files copied in from elsewhere: wrappers and autotools' outputs */
static const char *const vendor_files[] = {
	"gradlew", "gradlew.bat", "mvnw", "mvnw.cmd", "config.guess", "config.sub",
	"configure", "aclocal.m4", "ltmain.sh", "libtool.m4", "install-sh", "depcomp",
	"compile", "missing", "ltoptions.m4", "ltsugar.m4", "ltversion.m4", "lt~obsolete.m4",
	NULL,
};

int path_is_vendored(const char *path)
{
	const char *base = base_name(path), *slash = strchr(path, '/');

	if (slash && in_list(path, (size_t)(slash - path), vendor_top_folders))
		return 1;
	if (has_folder(path, vendor_folders))
		return 1;
	if (strstr(path, ".yarn/releases/") || strstr(path, "gradle/wrapper/") ||
	    strstr(path, ".mvn/wrapper/"))
		return 1;
	if (in_list(base, strlen(base), vendor_files))
		return 1;
	/* minified: app.min.js, style-min.css */
	return has_suffix_ci(base, ".min.js") || has_suffix_ci(base, ".min.css") ||
	       has_suffix_ci(base, "-min.js") || has_suffix_ci(base, "-min.css") ||
	       has_suffix_ci(base, ".min.mjs");
}

int body_is_subtree_commit(const char *body)
{
	const char *p = body;
	while (p && *p) {
		if (starts_with(p, "git-subtree-dir:"))
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* -------- roles -------- */

static const char *const docs_folders[] = {
	"doc", "docs", "documentation", "man", "manual", "wiki", NULL,
};

/* base names (before any extension) of documentation files */
static const char *const docs_names[] = {
	"readme", "changelog", "changes", "news", "history", "authors", "contributors",
	"contributing", "license", "licence", "copying", "notice", "install", "bugs",
	"manifesto", "todo", "code_of_conduct", "security", "maintainers", "thanks",
	"credits", "releasenotes", "release-notes", "00-releasenotes", "faq", "hacking",
	"copyright", "patents", "support", "governance", NULL,
};

static const char *const docs_languages[] = {
	"markdown", "mdx", "restructuredtext", "asciidoc", "org", "textile", "rdoc",
	"text", "roff", "pod", NULL,
};

/* manifests, build files and their lock files, by exact base name */
static const char *const build_names[] = {
	"makefile", "gnumakefile", "bsdmakefile", "kbuild", "kconfig", "cmakelists.txt",
	"meson.build", "meson_options.txt", "build", "build.bazel", "workspace",
	"workspace.bazel", "module.bazel", ".bazelrc", "sconstruct", "sconscript",
	"configure.ac", "configure.in", "dockerfile", "containerfile", "docker-compose.yml",
	"docker-compose.yaml", "compose.yml", "compose.yaml", "jenkinsfile", "rakefile",
	"justfile", "taskfile.yml", "vagrantfile", "procfile",
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
	"pnpm-lock.yaml", "pnpm-workspace.yaml", "bun.lockb", ".npmrc", ".yarnrc",
	".yarnrc.yml", "lerna.json", "tsconfig.json", "deno.json", "deno.lock",
	"cargo.toml", "cargo.lock", "go.mod", "go.sum", "go.work", "pyproject.toml",
	"setup.py", "setup.cfg", "requirements.txt", "requirements-dev.txt", "pipfile",
	"pipfile.lock", "poetry.lock", "pdm.lock", "uv.lock", "tox.ini", "noxfile.py",
	"manifest.in", "gemfile", "gemfile.lock", "pom.xml", "build.gradle",
	"build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties",
	"build.xml", "build.sbt", "composer.json", "composer.lock", "mix.exs", "mix.lock",
	"rebar.config", "pubspec.yaml", "pubspec.lock", "package.swift", "package.resolved",
	"podfile", "podfile.lock", "cartfile", "vcpkg.json", "conanfile.txt", "conanfile.py",
	"stack.yaml", "cabal.project", "dune-project", "flake.nix", "flake.lock",
	"default.nix", "shell.nix", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml",
	".appveyor.yml", "azure-pipelines.yml", ".drone.yml", ".cirrus.yml",
	"bitbucket-pipelines.yml", "codecov.yml", ".codecov.yml", ".pre-commit-config.yaml",
	"renovate.json", ".renovaterc", ".renovaterc.json", NULL,
};

static const char *const build_suffixes[] = {
	".mk", ".mak", ".cmake", ".bzl", ".gemspec", ".podspec", ".csproj", ".vcxproj",
	".fsproj", ".vbproj", ".sln", ".cabal", ".opam", ".nimble", ".rockspec", ".am",
	".gradle", ".gradle.kts", NULL,
};

/* CI configuration folders, anywhere from the top */
static const char *const ci_prefixes[] = {
	".github/workflows/", ".github/actions/", ".circleci/", ".buildkite/",
	".gitlab/ci/", ".ci/", "ci/", ".azure-pipelines/", ".github/dependabot.yml",
	NULL,
};

static const char *const test_folders[] = {
	"test", "tests", "testing", "t", "spec", "specs", "__tests__", "__test__",
	"testdata", "test-data", "test_data", "testsuite", "unittest", "unittests",
	"unit-tests", "e2e", "integration-tests", "integration_tests", NULL,
};

/* the base name before its last extension */
static size_t stem_len(const char *base)
{
	const char *dot = strchr(base + (*base == '.'), '.');
	return dot ? (size_t)(dot - base) : strlen(base);
}

static int is_docs(const char *path, const char *base, const char *language)
{
	int prose = !*language || in_list(language, strlen(language), docs_languages);
	if (has_folder(path, docs_folders))
		return 1;
	/* README, LICENSE.txt, CHANGES.md; not security.c or news.py */
	return prose && (in_list(base, stem_len(base), docs_names) || *language);
}

static int is_build(const char *path, const char *base)
{
	if (in_list(base, strlen(base), build_names))
		return 1;
	if (has_prefix_ci(base, "makefile.") || has_prefix_ci(base, "dockerfile.") ||
	    has_prefix_ci(base, "requirements") || has_prefix_ci(base, "docker-compose"))
		return 1;
	for (size_t i = 0; build_suffixes[i]; i++)
		if (has_suffix_ci(base, build_suffixes[i]))
			return 1;
	for (size_t i = 0; ci_prefixes[i]; i++)
		if (has_prefix_ci(path, ci_prefixes[i]))
			return 1;
	return 0;
}

static int is_test(const char *path, const char *base)
{
	size_t stem = stem_len(base);
	const char *dot;

	if (has_folder(path, test_folders))
		return 1;
	/* test_foo.py, test-foo.c, foo_test.go, foo_spec.rb, FooTest.java, foo.test.js */
	if (has_prefix_ci(base, "test_") || has_prefix_ci(base, "test-") ||
	    !strcasecmp(base, "conftest.py"))
		return 1;
	if ((stem > 5 && (!strncasecmp(base + stem - 5, "_test", 5) ||
			  !strncasecmp(base + stem - 5, "_spec", 5) ||
			  !strncmp(base + stem - 4, "Test", 4))) ||
	    (stem > 6 && (!strncasecmp(base + stem - 6, "_tests", 6) ||
			  !strncmp(base + stem - 5, "Tests", 5))))
		return 1;
	dot = strchr(base, '.');
	return dot && (has_prefix_ci(dot, ".test.") || has_prefix_ci(dot, ".spec."));
}

/* data and configuration languages: a file in one of them is not source */
static const char *const data_languages[] = {
	"json", "json-with-comments", "json5", "yaml", "toml", "xml", "ini", "csv", "tsv",
	"java-properties", "ignore-list", "git-attributes", "git-config", "editorconfig",
	"dotenv", "svg", "diff", "nanorc", NULL,
};

const char *file_role(const char *path, const char *language)
{
	const char *base = base_name(path);

	if (!language)
		language = language_from_path(path);
	if (is_build(path, base))
		return FILE_ROLE_BUILD;
	if (is_docs(path, base, language))
		return FILE_ROLE_DOCS;
	/* a fixture we cannot read as code (tests/assets/user.acl) is data */
	if (*language && is_test(path, base))
		return FILE_ROLE_TEST;
	if (*language && !in_list(language, strlen(language), data_languages))
		return FILE_ROLE_SOURCE;
	return FILE_ROLE_OTHER;
}

int file_role_valid(const char *name)
{
	static const char *const roles[] = {
		FILE_ROLE_SOURCE, FILE_ROLE_TEST, FILE_ROLE_DOCS, FILE_ROLE_BUILD,
		FILE_ROLE_OTHER, NULL,
	};
	for (size_t i = 0; roles[i]; i++)
		if (!strcmp(name, roles[i]))
			return 1;
	return 0;
}
