/*
 * Unit tests for the classifier (classify.c): SPEC §4's fixed rules, the
 * phrasings beyond them (redis's and git's "X should Y", "Avoid Z",
 * "Don't ...", "leak", "wrongly", "Geo: COUNT option for GEORADIUS"), the
 * rule names that `show` prints, and the keyword flags behind confidence.
 */
#include "local/classify.h"
#include "common/pattern.h"
#include "tap.h"
#include "common/util.h"

#include <stdio.h>

static const char *src[] = { "src/a.c" };

static const char *type_of(const char *subject, const char *const *paths, size_t n)
{
	static struct classification c;
	classify_commit(subject, NULL, paths, n, CLASSIFY_DEFAULT_MAX_FILES, &c);
	return c.problem_type;
}

/* subject (and body) on paths: want type, decided by rule */
static void check_on(const char *subject, const char *body, const char *const *paths, size_t n,
		     const char *want, const char *rule)
{
	struct classification c;
	char what[256];

	classify_commit(subject, body, paths, n, CLASSIFY_DEFAULT_MAX_FILES, &c);
	snprintf(what, sizeof(what), "%s -> %s (%s)", subject, want, rule);
	if (!is_str(c.problem_type, want, what) || strcmp(c.rule, rule))
		is_str(c.rule, rule, "  ...by that rule");
}

/* subject (and body) on src/a.c */
static void check(const char *subject, const char *body, const char *want, const char *rule)
{
	check_on(subject, body, src, 1, want, rule);
}

static void test_fixed_rules(void)
{
	const char *readme[] = { "README" };
	const char *tests[] = { "tests/test_parser.py", "tests/data/x.json" };

	/* 1. reverts */
	check("Revert \"Add foo\"", NULL, PT_UNKNOWN, "revert");
	check("revert: restore old resolver (#123)", NULL, PT_UNKNOWN, "revert");
	/* 2. Conventional Commits */
	check("fix(parser)!: handle empty input", NULL, PT_BUG_FIX, "conventional:fix");
	check("FEAT: new option", NULL, PT_FEATURE, "conventional:feat");
	check("perf: cache lookups", NULL, PT_OPTIMIZATION, "conventional:perf");
	check("refactor!: drop old API", NULL, PT_REFACTORING, "conventional:refactor");
	check("test: cover parser", NULL, PT_TESTING, "conventional:test");
	check("docs(readme): explain", NULL, PT_DOCUMENTATION, "conventional:docs");
	check("security: escape output", NULL, PT_SECURITY, "conventional:security");
	check("chore: fix lint", NULL, PT_UNKNOWN, "conventional:chore");
	check("ci: add workflow", NULL, PT_UNKNOWN, "conventional:ci");
	check("Build: fix the build", NULL, PT_UNKNOWN, "conventional:build");
	check("fix(deps): update dependency vite to v5", NULL, PT_UNKNOWN, "conventional:deps");
	check("feat(deps-dev): bump eslint", NULL, PT_UNKNOWN, "conventional:deps");
	check("parser: fix crash on empty input", NULL, PT_BUG_FIX, "keyword:crash");
	/* 3. whole words */
	check("Add prefix option", NULL, PT_FEATURE, "keyword:add");
	check("Update address book", NULL, PT_UNKNOWN, "none");
	check("Remove debug output", NULL, PT_REFACTORING, "keyword:remove"); /* not "bug" */
	check("Refactor dispatch logic", NULL, PT_REFACTORING, "keyword:refactor");
	check("Tweak padding", NULL, PT_UNKNOWN, "none");
	check("Postfix expressions", NULL, PT_UNKNOWN, "none");
	check("Prefixed names", NULL, PT_UNKNOWN, "none");
	check("Newline handling", NULL, PT_UNKNOWN, "none");
	check("Speed up: FIXES the cache", NULL, PT_BUG_FIX, "keyword:fixes");
	/* an issue reference is a name: the rest decides, else it makes a fix */
	check("Speed up: FIXES #12", NULL, PT_OPTIMIZATION, "phrase:speed-up");
	check("Add range() builtin (fix #317)", NULL, PT_FEATURE, "keyword:add");
	check("Check the return value. Fix #3951.", NULL, PT_BUG_FIX, "issue:fixes");
	check("Tweak the parser. Closes #94", NULL, PT_UNKNOWN, "none");
	check("bug-fix for parser", NULL, PT_BUG_FIX, "keyword:bug");
	check("fix_parser helper", NULL, PT_UNKNOWN, "none");
	check("Handle CVE-2021-44228 in logger", NULL, PT_SECURITY, "keyword:cve");
	check("Tweak XCVE-2021-44228", NULL, PT_UNKNOWN, "none");
	/* 4. typo and docs/tests-only */
	is_str(type_of("Fix typo in README", readme, 1), PT_DOCUMENTATION, "Fix typo in README");
	check("Fix typo in error message", NULL, PT_DOCUMENTATION, "keyword:typo");
	check("Correct spelling error at t_hash.c comment", NULL, PT_DOCUMENTATION, "keyword:spelling");
	check("Fix crash caused by a typo in the parser", NULL, PT_BUG_FIX, "keyword:crash");
	is_str(type_of("Fix race in replication test", tests, 2), PT_TESTING,
	       "a fix touching only tests is testing");
	is_str(type_of("Add tests for parser", src, 1), PT_TESTING,
	       "Add tests for parser touching code is testing (version 5)");
	is_str(type_of("Add parser tests", src, 1), PT_FEATURE,
	       "Add parser tests touching code is a feature");
	{
		const char *harness[] = { "t/t5600-clone.sh", "Makefile", ".github/workflows/ci.yml" };
		const char *fix_and_test[] = { "t/t5600-clone.sh", "src/clone.c" };
		struct classification c;
		classify_commit("Fix flaky clone test on Windows", NULL, harness, 3,
				CLASSIFY_DEFAULT_MAX_FILES, &c);
		is_str(c.rule, "keyword:test", "a test word, tests and no source changed: testing");
		is_str(c.problem_type, PT_TESTING, "...testing");
		is_str(type_of("Fix crash in clone, add a test", fix_and_test, 2), PT_BUG_FIX,
		       "with a source file it is the fix");
	}
	/* 5. order */
	check("Fix the xss hole", NULL, PT_SECURITY, "keyword:xss");
	check("Sanitize user input in login form", NULL, PT_SECURITY, "keyword:sanitize");
	check("Make parsing faster", NULL, PT_OPTIMIZATION, "keyword:faster");
	check("Rename foo to bar", NULL, PT_REFACTORING, "keyword:rename");
	check("Introduce a cache", NULL, PT_FEATURE, "keyword:introduce");
	check("More tests", NULL, PT_TESTING, "keyword:tests");
	check("Improve the docs", NULL, PT_DOCUMENTATION, "keyword:docs");
	check("Add a fix for the crash", NULL, PT_BUG_FIX, "keyword:crash");
	check("fix: handle None case in function", NULL, PT_BUG_FIX, "conventional:fix");
}

static void test_phrasings(void)
{
	check("Replace wrongly free with zfree", NULL, PT_BUG_FIX, "keyword:wrongly");
	check("XINFO should use lookupKeyReadOrReply", NULL, PT_BUG_FIX, "keyword:should");
	check("PERSIST should signalModifiedKey", NULL, PT_BUG_FIX, "keyword:should");
	check("Geo: COUNT option for GEORADIUS", NULL, PT_FEATURE, "keyword:option");
	check("Avoid aborting closed reference transaction", NULL, PT_BUG_FIX, "keyword:avoid");
	check("Don't load cluster config from stale nodes", NULL, PT_BUG_FIX, "keyword:don't");
	check("do not strip the trailing slash", NULL, PT_BUG_FIX, "phrase:do-not");
	check("Handle empty input in parser", NULL, PT_BUG_FIX, "keyword:handle");
	check("Prevent double counting of keys", NULL, PT_BUG_FIX, "keyword:prevent");
	check("Correct the return value of quicklistCount", NULL, PT_BUG_FIX, "keyword:correct");
	check("Memory leak in DEBUG RELOAD", NULL, PT_BUG_FIX, "keyword:leak");
	check("use-after-free in unblockClient", NULL, PT_BUG_FIX, "phrase:use-after-free");
	check("Suppress sign warning in sort.c", NULL, PT_BUG_FIX, "keyword:warning");
	check("Add missing include", NULL, PT_BUG_FIX, "keyword:missing");
	check("[PATCH] git-rebase-script: rebase local commits", NULL, PT_UNKNOWN,
	      "none");
	check("[PATCH 2/3] Add --count to rev-list", NULL, PT_FEATURE, "keyword:add");
	check("rev-parse: 'HEAD' resolves to a commit", NULL, PT_UNKNOWN, "none");
	check("diff: trivial style fix", NULL, PT_UNKNOWN, "phrase:style-fix");
	check("indent: white space fixes only", NULL, PT_UNKNOWN, "keyword:indent");
	check("white space fixes only", NULL, PT_UNKNOWN, "phrase:white-space");
	check("copyright: fix year ranges", NULL, PT_UNKNOWN, "keyword:copyright");
	check("Fix XINFO comment for consistency", NULL, PT_DOCUMENTATION, "keyword:comment");
	check("Fix comment parsing in config", NULL, PT_BUG_FIX, "keyword:fix");
	check("refs: fix missing parameter documentation", NULL, PT_DOCUMENTATION,
	      "keyword:documentation");
	check("Fix crash when the comment is missing", NULL, PT_BUG_FIX, "keyword:crash");
	check("Add comment explaining the magic +1", NULL, PT_DOCUMENTATION, "keyword:comment");
	check("Speed up sorted set lookups", NULL, PT_OPTIMIZATION, "phrase:speed-up");
	check("line-log: avoid unnecessary tree diffs", NULL, PT_OPTIMIZATION,
	      "phrase:avoid-unnecessary");
	check("fetch: do not ask for HEAD unnecessarily", NULL, PT_OPTIMIZATION,
	      "keyword:unnecessarily");
	check("Remove unnecessary include", NULL, PT_REFACTORING, "keyword:unnecessary");
	check("curl.h: CURLE_FUNCTION_NOT_FOUND is no longer in use", NULL, PT_REFACTORING,
	      "phrase:no-longer-in-use");
	check("Clean up the replication code", NULL, PT_REFACTORING, "phrase:clean-up");
	check("Remove unused variable", NULL, PT_REFACTORING, "keyword:unused");
	check("rev-list: teach --count", NULL, PT_FEATURE, "keyword:teach");
	check("Adding module api for commands that should be handled during busy jobs", NULL,
	      PT_FEATURE, "keyword:adding");
	check("module: add a hook that should run first", NULL, PT_FEATURE, "keyword:add");
	check("Remove redundant statement in config.c", NULL, PT_REFACTORING, "keyword:redundant");
	check("Factor 40 and 41 constants from source", NULL, PT_REFACTORING, "keyword:factor");
	check("pack: Improve error handling for get_delta_base()", NULL, PT_BUG_FIX,
	      "phrase:error-handling");
	check("cmake: correct comment from libssh to libssh2", NULL, PT_DOCUMENTATION,
	      "keyword:comment");
	/* the body speaks when the subject does not */
	check("Set: setType*() API more defensive", "This change fixes several warnings.",
	      PT_BUG_FIX, "body:fixes");
	check("cookie: tailmatching for domains", "This is CVE-2013-1944.", PT_SECURITY, "body:cve");
	check("cookie: fix tailmatching", "A vulnerability, CVE-2013-1944.", PT_SECURITY, "body:cve");
	check("Cluster: take myself->ip always in sync", "Nothing to see here.", PT_UNKNOWN, "none");
}

/* the rules of CLASSIFY_VERSION 3 */
static void test_rules_v3(void)
{
	const char *dep[] = { "src/a.c", "package.json", "pnpm-lock.yaml" };
	struct classification c;

	/* names quoted as code, and the area prefix, are no words */
	check("commit: add --fixup option", NULL, PT_FEATURE, "keyword:add");
	check("usage.c: add a non-fatal bug() function to go with BUG()", NULL, PT_FEATURE,
	      "keyword:add");
	check("parser: teach it --no-fix", NULL, PT_FEATURE, "keyword:teach");
	check("worktree: add skeleton 'repair' command", NULL, PT_FEATURE, "keyword:add");
	check("Squelch overzealous \"ignoring dangling symref\" warning", NULL, PT_BUG_FIX,
	      "keyword:dangling");
	check("Fix(es) for the parser", NULL, PT_BUG_FIX, "keyword:fix");
	check("leak(s) in the parser", NULL, PT_BUG_FIX, "keyword:leak");
	check("restore: take tree-ish from --source option instead", NULL, PT_FEATURE,
	      "keyword:option");
	check("Redis Benchmark: handle CLUSTERDOWN", NULL, PT_BUG_FIX, "keyword:handle");
	check("New commands: BITOP and BITCOUNT.", NULL, PT_FEATURE, "keyword:new");
	check("add -p: trap Ctrl-D in 'goto' mode", NULL, PT_UNKNOWN, "none");
	check("git add -u: die on unmatched pathspec", NULL, PT_UNKNOWN, "none");
	check("Cluster refactor: break up clusterCommand", NULL, PT_REFACTORING, "keyword:refactor");
	check("CURLMOPT_MAX_CONCURRENT_STREAMS: make sure the value is in range", NULL, PT_BUG_FIX,
	      "phrase:make-sure");
	/*
	 * the verbs of a fix count where they open it, avoid and prevent after
	 * "to" too
	 */
	check("http: reset the size when clearing the curl handle", NULL, PT_BUG_FIX,
	      "keyword:reset");
	check("http: tweak the handle to reset the size", NULL, PT_UNKNOWN, "none");
	check("realloc: use Curl_saferealloc to avoid common mistakes", NULL, PT_BUG_FIX,
	      "keyword:avoid");
	check("http: reject HTTP response codes < 100", NULL, PT_BUG_FIX, "keyword:reject");
	check("filter: close the descriptor in case of error", NULL, PT_BUG_FIX,
	      "phrase:case-of-error");
	check("rebase -i: improve the error message", NULL, PT_FEATURE, "keyword:improve");
	/* a feature by its opening, whatever else it names */
	check("added support to dump registers on crash", NULL, PT_FEATURE, "phrase:added-support");
	check("rebase: make the backend configurable", NULL, PT_FEATURE, "keyword:configurable");
	check("git status: Show detailed dirty status of submodules", NULL, PT_FEATURE,
	      "keyword:show");
	/* a missing header */
	check("Include windows.h on win32 for Sleep", NULL, PT_BUG_FIX, "keyword:include");
	check("Added time.h include in redis-cli.", NULL, PT_BUG_FIX, "keyword:include");
	check("archive.h: remove unnecessary include", NULL, PT_REFACTORING, "keyword:unnecessary");
	check("Include the manual in the tarball", NULL, PT_UNKNOWN, "none");
	check("added rule to create include/curl/curlbuild.h", NULL, PT_FEATURE, "keyword:added");
	check("limits.h is already included from redis.h", NULL, PT_UNKNOWN, "none");
	check("Fix crash/hang in the walker", NULL, PT_BUG_FIX, "keyword:crash");
	/* releases and dependency updates */
	check("Git 2.36.2", NULL, PT_UNKNOWN, "release");
	check("v107", NULL, PT_UNKNOWN, "release");
	check("Redis 7.0.5 GA.", NULL, PT_UNKNOWN, "release");
	check("Release version 2.0.1 (#123)", NULL, PT_UNKNOWN, "release");
	check("Version 3.3a.", NULL, PT_UNKNOWN, "release");
	check("Set version to 2.0.1.dev", NULL, PT_UNKNOWN, "release");
	check("Fix build on 64bit", NULL, PT_BUG_FIX, "keyword:fix");
	check("Fix 2.0.1 regression", NULL, PT_BUG_FIX, "keyword:regression");
	classify_commit("fix: upgrade esbuild to 0.20.x (#16079)", NULL, dep, 3,
			CLASSIFY_DEFAULT_MAX_FILES, &c);
	is_str(c.rule, "dependency:upgrade", "fix: upgrade X to 0.20.x is a dependency update");
	is_str(c.problem_type, PT_UNKNOWN, "...unknown");
	check("Update jemalloc to 5.2.1", NULL, PT_UNKNOWN, "dependency:update");
	check("Update the parser to handle tabs", NULL, PT_UNKNOWN, "none");
	check("Update the parser to prevent a loop", NULL, PT_BUG_FIX, "keyword:prevent");
	/* version 4: a heading subject continued by the body's first paragraph */
	check("Sync OpenBSD patchset 217:", "Show the bell status\nin the choice list.\n\nMore.",
	      PT_FEATURE, "keyword:show");
	check("Sync OpenBSD patchset 218:", "Tidy the parser.", PT_REFACTORING, "keyword:tidy");
	check("Review fixes:", "Show less.", PT_BUG_FIX, "keyword:fixes");
	check("Sync OpenBSD patchset 219:", NULL, PT_UNKNOWN, "none");
	check("Escape ~, pointed out by tcunha.", NULL, PT_BUG_FIX, "phrase:pointed-out-by");
	check("Unused variables, found by lint.", NULL, PT_REFACTORING, "keyword:unused");
	check("config: guard the parser from value=NULL", NULL, PT_BUG_FIX, "keyword:guard");
	check("Need to clear the context before using it.", NULL, PT_BUG_FIX, "phrase:need-to");
	check("tree-diff: no need to pass match", NULL, PT_REFACTORING, "phrase:no-need");
	check("rotate-window command.", NULL, PT_FEATURE, "subject:command");
	check("Streams: XDEL command.", NULL, PT_FEATURE, "subject:command");
	check("git-applymbox: Remove command", NULL, PT_REFACTORING, "keyword:remove");
	check("Accept lowercase c- and m- prefix", NULL, PT_FEATURE, "keyword:accept");
	check("url: accept port number zero", "Reported-by: A U Thor <a@example.com>", PT_BUG_FIX,
	      "trailer:reported-by");
	check("lib: prefer time(NULL) over time(&var)", NULL, PT_REFACTORING, "keyword:prefer");
	check("setup: stop using the_repository", NULL, PT_REFACTORING, "phrase:stop-using");
	check("multi: start the state machine", "Reported by: A U Thor", PT_BUG_FIX,
	      "trailer:reported-by");
	/* the body: bug trailers, its first paragraph's defects, its fix phrases */
	check("config: tweak the lookup", "Details.\n\nReported-by: A U Thor <a@example.com>",
	      PT_BUG_FIX, "trailer:reported-by");
	check("config: tweak the lookup", "Fixes #123\nCloses #124", PT_BUG_FIX, "trailer:fixes");
	check("config: tweak the lookup", "Bug: https://example.com/b/1", PT_BUG_FIX, "trailer:bug");
	check("config: tweak the lookup", "Closes #124", PT_UNKNOWN, "none");
	check("config: tweak the lookup", "Noticed-by: A U Thor <a@example.com>", PT_BUG_FIX,
	      "trailer:noticed-by");
	check("config: tweak the lookup", "The lookup leaks the key.", PT_BUG_FIX, "body:leaks");
	check("config: tweak the lookup", "Simpler.\n\nAn old crash was elsewhere.", PT_UNKNOWN,
	      "none");
	check("config: tweak the lookup", "Simpler.\n\nFix this by asking twice.", PT_BUG_FIX,
	      "body:fix");
	check("config: tweak the lookup", "Thanks to Jo for review and fixes.", PT_UNKNOWN, "none");
	/* weaker words, after the body */
	check("Make hostip.c compile again", NULL, PT_BUG_FIX, "phrase:compile-again");
	check("refs.c: remove the update_ref_lock function", NULL, PT_REFACTORING, "keyword:remove");
	check("wt-status: use argv_array API", NULL, PT_REFACTORING, "keyword:use");
	check("wt-status: use argv_array API", "It leaks the list.", PT_BUG_FIX, "body:leaks");
	check("utf8.c: mark file-local function static", NULL, PT_REFACTORING, "keyword:static");
}

static void test_paths(void)
{
	const char *docs[] = { "docs/guide.html", "README.md", "NOTES.txt", "a/b.rst", "curl.1",
			       "CHANGES", "po/sv.po" };
	const char *mixed[] = { "README.md", "src/a.c" };
	const char *tests[] = { "src/foo_test.go", "test_bar.py", "web/x.test.js", "a.spec.ts",
				"spec/helper.rb", "t/t1000-basic.sh", "pkg/__tests__/a.ts" };
	const char *manifests[] = { "package.json", "pnpm-lock.yaml", "docs/package.json" };
	const char *ci[] = { ".github/workflows/ci.yml", ".gitignore", "appveyor.yml" };
	const char *cmake[] = { "CMakeLists.txt" };
	struct classification c;
	const char *many[150];
	char names[150][16];

	is_str(type_of("Update things", docs, 7), PT_DOCUMENTATION, "docs-only is documentation");
	is_str(type_of("Update things", mixed, 2), PT_UNKNOWN, "docs and code is not");
	is_str(type_of("Update things", tests, 7), PT_TESTING, "tests-only is testing");
	is_str(type_of("Improve speed", docs, 7), PT_DOCUMENTATION, "path rule before optimization");
	is_str(type_of("fix: broken link in CONTRIBUTING", docs, 7), PT_DOCUMENTATION,
	       "path rule before a fix type");
	is_str(type_of("Update lodash to 4.17.21", manifests, 3), PT_UNKNOWN,
	       "manifests and lock files only are a dependency update");
	is_str(type_of("fix: bump postcss-load-config", manifests, 2), PT_UNKNOWN,
	       "whatever the type says");
	is_str(type_of("Fix the Windows build", ci, 3), PT_UNKNOWN, "CI files only are unknown");
	is_str(type_of("Fix the Windows build", cmake, 1), PT_BUG_FIX, "CMakeLists.txt is not docs");
	is_str(type_of("Update things", NULL, 0), PT_UNKNOWN, "no paths known");

	/* version 5: build and CI files alone, and tests added first */
	{
		const char *travis[] = { ".travis.yml", "Makefile" };
		const char *meson[] = { "meson.build", "meson_options.txt" };
		const char *make[] = { "Makefile", "configure.ac" };
		const char *code_make[] = { "src/a.c", "Makefile" };
		const char *code_test[] = { "src/a.c", "tests/test_a.py" };

		check_on("Add armhf build to Travis CI", NULL, travis, 2, PT_UNKNOWN,
			 "files:build-only");
		is_str(type_of("Added a Meson project", meson, 2), PT_UNKNOWN,
		       "a new build system is build configuration");
		is_str(type_of("Makefile: new target for the powerpc tests", make, 2), PT_UNKNOWN,
		       "test words on build files alone");
		is_str(type_of("Makefile: install the docs", make, 2), PT_UNKNOWN,
		       "doc words on build files alone");
		is_str(type_of("Fix the build on FreeBSD", make, 2), PT_BUG_FIX,
		       "a fix of the build is still a fix");
		is_str(type_of("Makefile: remove the obsolete dist target", make, 2), PT_REFACTORING,
		       "and a clean-up still a refactoring");
		is_str(type_of("Add the --color option", code_make, 2), PT_FEATURE,
		       "build files with code: a feature");
		check_on("Add test for less 529", NULL, code_test, 2, PT_TESTING, "phrase:add-test");
		is_str(type_of("added more tests, changed makefile", code_test, 2), PT_TESTING,
		       "\"added more tests\"");
		is_str(type_of("Add tests and fix the crash in the parser", code_test, 2), PT_BUG_FIX,
		       "a defect named with the tests wins");
		is_str(type_of("Add a test helper option to the CLI", code_test, 2), PT_TESTING,
		       "\"add a test\" at the opening");
		is_str(type_of("config: add --test-mode", code_test, 2), PT_FEATURE,
		       "a test word elsewhere does not make a test");
	}

	for (size_t i = 0; i < 150; i++) {
		snprintf(names[i], sizeof(names[i]), "src/f%zu.c", i);
		many[i] = names[i];
	}
	classify_commit("Fix crash in everything", NULL, many, 150, CLASSIFY_DEFAULT_MAX_FILES, &c);
	is_str(c.problem_type, PT_UNKNOWN, "150 files is mechanical");
	is_str(c.rule, "mechanical:150-files", "...and says so");
	classify_commit("Fix crash in everything", NULL, many, 100, CLASSIFY_DEFAULT_MAX_FILES, &c);
	is_str(c.problem_type, PT_BUG_FIX, "100 files is not");
	classify_commit("Fix crash in everything", NULL, many, 150, 0, &c);
	is_str(c.problem_type, PT_BUG_FIX, "max_files 0 is no limit");

	ok(classify_is_test_path("tests/x.c"), "tests/ folder");
	ok(!classify_is_test_path("src/contest.c"), "contest.c is not a test");
	ok(!classify_is_test_path("testdata.c"), "testdata.c is not a test");
	ok(classify_is_test_path("src/ParserTest.java"), "ParserTest.java");
	ok(classify_is_doc_path("doc/x.c"), "doc/ folder");
	ok(!classify_is_doc_path("src/md.c"), "md.c is not documentation");
	ok(!classify_is_doc_path("requirements.txt"), "requirements.txt is a manifest");
	ok(classify_is_manifest_path("requirements-dev.txt"), "requirements-dev.txt");
	ok(classify_is_manifest_path("test-requirements.txt"), "test-requirements.txt");
	ok(!classify_is_manifest_path("docs/requirements.md"), "requirements.md is documentation");
	ok(classify_is_manifest_path("crates/x/Cargo.toml"), "Cargo.toml");
	ok(!classify_is_manifest_path("src/package.c"), "package.c is not");
}

/* the rules of CLASSIFY_VERSION 6 */
static void test_rules_v6(void)
{
	/* a linter's findings fixed: refactoring, a compiler's warning a fix */
	check("Fix clippy warnings", NULL, PT_REFACTORING, "lint:clippy");
	check("fix mypy findings", NULL, PT_REFACTORING, "lint:mypy");
	check("scripts: fix shellcheck SC2046 warnings", NULL, PT_REFACTORING, "lint:shellcheck");
	check("Apply clippy suggestions", NULL, PT_REFACTORING, "lint:clippy");
	check("Make types clearer and lint happier.", NULL, PT_REFACTORING, "lint:lint");
	check("Linting", NULL, PT_REFACTORING, "lint:linting");
	check("Fix linting", NULL, PT_REFACTORING, "lint:linting");
	check("Fix compiler warnings", NULL, PT_BUG_FIX, "keyword:fix");
	check("Fix crash found by clippy", NULL, PT_BUG_FIX, "keyword:crash");
	check("doc lint: fix error-hiding regression", NULL, PT_BUG_FIX, "keyword:regression");
	check("lint: fix bugs in, simplify and improve the lint script", NULL, PT_BUG_FIX,
	      "keyword:fix");
	check("test-lint: fix and add lint for non-portable seq", NULL, PT_BUG_FIX, "keyword:fix");
	check("Add ESLint", NULL, PT_FEATURE, "keyword:add");

	/* honor or respect opening, an environment variable: a new setting */
	check("honor the NO_COLOR env var", NULL, PT_FEATURE, "keyword:env");
	check("repo: honor GIT_CONFIG_* environment variables", NULL, PT_FEATURE,
	      "keyword:environment");
	check("Respect the NETRC environment variable", NULL, PT_FEATURE, "keyword:environment");
	check("http: honor the proxy setting", NULL, PT_BUG_FIX, "keyword:honor");
	check("Fix crash when HOME env var is unset", NULL, PT_BUG_FIX, "keyword:crash");
	check("pager: set the environment before honoring LESS", NULL, PT_UNKNOWN, "none");

	/* something not needed, in the first clause; needless */
	check("Do not need getopt.h.", NULL, PT_REFACTORING, "phrase:do-not-need");
	check("LZ4IO_passThrough() doesn't need prefs", NULL, PT_REFACTORING,
	      "phrase:doesn't-need");
	check("We don't need regex-syntax directly in ripgrep.", NULL, PT_REFACTORING,
	      "phrase:don't-need");
	check("time.h is not needed now", NULL, PT_REFACTORING, "phrase:not-needed");
	check("Remove needless allocation error conditions", NULL, PT_REFACTORING,
	      "keyword:needless");
	check("Don't traverse the stack if we don't need to.", NULL, PT_BUG_FIX, "keyword:don't");
	check("Collect up line clears so we don't need to flush everything.", NULL, PT_BUG_FIX,
	      "keyword:don't");
	check("Add a flag to the commands that don't need special handling.", NULL, PT_FEATURE,
	      "keyword:add");
	check("Fix crash when the lock is not needed", NULL, PT_BUG_FIX, "keyword:crash");

	/* whitespace read by code (parsed, stripped) is no formatting edit */
	check("Fix tokens line number calculation when whitespace stripping is used", NULL,
	      PT_BUG_FIX, "keyword:fix");
	check("Fix whitespace in number parsing", NULL, PT_BUG_FIX, "keyword:fix");
	check("Fix whitespace in parser.c", NULL, PT_UNKNOWN, "keyword:whitespace");
	check("Fix indentation", NULL, PT_UNKNOWN, "keyword:indentation");
	check("save one indent level in error handling", NULL, PT_UNKNOWN, "keyword:indent");

	/* a fast path added, or opening the subject */
	check("grep-regex: add fast path for -w/--word-regexp", NULL, PT_OPTIMIZATION,
	      "phrase:fast-path");
	check("decompress_generic: Add a loop fastpath", NULL, PT_OPTIMIZATION, "keyword:fastpath");
	check("Fast path for disabled template load explain.", NULL, PT_OPTIMIZATION,
	      "phrase:fast-path");
	check("connected: close err_fd in promisor fast-path", NULL, PT_UNKNOWN, "none");
	check("ARM: Avoid fast path for BITOP.", NULL, PT_BUG_FIX, "keyword:avoid");
	check("decompress_generic: Limit fastpath to x86", NULL, PT_UNKNOWN, "none");
}

/* the rules of CLASSIFY_VERSION 7: rule 11's last words */
static void test_rules_v7(void)
{
	/* only or always opening: a behaviour restricted or made unconditional */
	check("Only clear underlying callbacks when the user hasn't reset them.", NULL, PT_BUG_FIX,
	      "keyword:only");
	check("tar: Always use correct length in safe_fprintf", NULL, PT_BUG_FIX, "keyword:always");
	check("Upstream: only call peer.free() if peer.get() selected a peer.", NULL, PT_BUG_FIX,
	      "keyword:only");
	check("only: tweak the walker", NULL, PT_UNKNOWN, "none"); /* an area named only */
	check("Use only one buffer", NULL, PT_REFACTORING, "keyword:use");
	/* a negation is not enough: half the subjects with one are no fix */
	check("os.Kill signal cannot be trapped (#1641)", NULL, PT_UNKNOWN, "none");
	check("time.h is not needed now", NULL, PT_REFACTORING, "phrase:not-needed");
	/* the case it went wrong in */
	check("commands: Stop select_regex from breaking when no matches.", NULL, PT_BUG_FIX,
	      "keyword:when");
	check("Add a hook to run when the window closes", NULL, PT_FEATURE, "keyword:add");
	check("when: tweak the walker", NULL, PT_UNKNOWN, "none");
	/* an input tolerated or checked, opening the subject */
	check("Ignore KeyboardInterrupt while writing to pager.", NULL, PT_BUG_FIX, "keyword:ignore");
	check("tolerate UnsupportedOperation in _winconsole._is_console()", NULL, PT_BUG_FIX,
	      "keyword:tolerate");
	check("windows: check for fd==-1 in uv_fs functions", NULL, PT_BUG_FIX, "keyword:check");
	check("ignore undefined names in flake8", NULL, PT_UNKNOWN, "none"); /* a linter's setting */
	check("Run the check twice", NULL, PT_UNKNOWN, "none");		   /* not opening */
	/* make ... compile or build */
	check("make it compile on linux", NULL, PT_BUG_FIX, "phrase:make-builds");
	check("Make trunk event.c build happily on win32 under mingw.", NULL, PT_BUG_FIX,
	      "phrase:make-builds");
	check("walker: make the build faster", NULL, PT_OPTIMIZATION, "keyword:faster");
	check("make: tweak the walker", NULL, PT_UNKNOWN, "none");
}

/* the rules of CLASSIFY_VERSION 8: OpenSSH's subjects */
static void test_rules_v8(void)
{
	/* OpenSSH's "upstream commit" is continued by its body, CVS header lines left out */
	check("upstream commit",
	      "revision 1.47\ndate: 2017/05/08 14:53:27;  author: millert;  state: Exp;  lines: +34 -21;\n"
	      "Fix exponential CPU use with repeated '*' operators\n\nOK tb@",
	      PT_BUG_FIX, "keyword:fix");
	check("upstream commit",
	      "remove unused variable\n\nUpstream-ID: eb49854f274ab37a0b57056a6af379a0b7111990",
	      PT_REFACTORING, "keyword:unused");
	check("upstream commit", NULL, PT_UNKNOWN, "none");
	check("upstream commit of the walker", "remove unused variable", PT_UNKNOWN, "none");
	/* a ChangeLog entry as the subject: its description is read */
	check("- djm@cvs.openbsd.org 2008/12/09 04:32:22      [auth2-chall.c ssh.c]      "
	      "replace by-hand string building with xasprintf", NULL, PT_REFACTORING,
	      "keyword:replace");
	check("- (djm) [auth-pam.c] Avoid use of xstrdup in conversation function", NULL,
	      PT_BUG_FIX, "keyword:avoid");
	check("- (djm) replace by-hand string building", NULL, PT_UNKNOWN,
	      "none"); /* no [files]: no entry, "replace" does not open it */
	check("- (djm) Merged big SCO portability patch", NULL, PT_UNKNOWN, "none");

	/* Rust's trait implementations and stabilized APIs are features */
	check("buf: impl Error for CollectVecError (#1010)", NULL, PT_FEATURE, "keyword:impl");
	check("metrics: stabilize `RuntimeMetrics::worker_count` (#6556)", NULL, PT_FEATURE,
	      "keyword:stabilize");
	check("Stabilize cluster hostnames tests (#11307)", NULL, PT_TESTING, "keyword:tests");
	check("sync: the impl of Drop for Queue", NULL, PT_UNKNOWN, "none"); /* not opening */
}

static void test_flags(void)
{
	struct classification c;
	classify_commit("fix: handle None case in function", NULL, NULL, 0, 100, &c);
	ok(c.bug_keyword && !c.feature_keyword, "type fix sets the bug flag");
	classify_commit("feat: handle it", NULL, NULL, 0, 100, &c);
	ok(!c.bug_keyword && c.feature_keyword, "type feat sets the feature flag");
	classify_commit("Add a fix for the crash", NULL, NULL, 0, 100, &c);
	ok(c.bug_keyword && c.feature_keyword, "both flags");
	classify_commit("Introduce new cache", NULL, NULL, 0, 100, &c);
	ok(!c.feature_keyword, "introduce/new are not confidence feature keywords");
	classify_commit("[PATCH] resolve the patch", NULL, NULL, 0, 100, &c);
	ok(c.bug_keyword, "patch and resolve still count for confidence (the seed's rule)");
	classify_commit("Update things", NULL, NULL, 0, 100, &c);
	ok(c.needs_paths, "without paths the answer may change");
	classify_commit("chore: update things", NULL, NULL, 0, 100, &c);
	ok(!c.needs_paths, "an unknown type is final");
	is_num(pattern_confidence(1, 0, 38, 32), 0.85, "the seed's example scores 0.85");
}

int main(void)
{
	test_fixed_rules();
	test_phrasings();
	test_rules_v3();
	test_paths();
	test_rules_v6();
	test_rules_v7();
	test_rules_v8();
	test_flags();
	return done_testing();
}
