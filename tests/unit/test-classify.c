/*
 * Unit tests for the classifier (classify.c): SPEC §4's rules, the tricky
 * subjects of issue 2, and the keyword flags behind confidence.
 */
#include "local/classify.h"
#include "common/pattern.h"
#include "tap.h"
#include "common/util.h"

static const char *type_of(const char *subject, const char *const *paths, size_t n)
{
	struct classification c;
	classify_subject(subject, paths, n, &c);
	return c.problem_type;
}

static void test_tricky_subjects(void)
{
	const char *src[] = { "src/a.c" };
	const char *tests[] = { "tests/test_parser.py", "tests/data/x.json" };
	const char *readme[] = { "README" };

	is_str(type_of("Refactor dispatch logic", src, 1), PT_REFACTORING, "Refactor dispatch logic");
	is_str(type_of("Add prefix option", src, 1), PT_FEATURE, "Add prefix option");
	is_str(type_of("Update address book", src, 1), PT_UNKNOWN, "Update address book");
	is_str(type_of("Remove debug output", src, 1), PT_UNKNOWN, "Remove debug output");
	is_str(type_of("fix(parser)!: handle empty input", src, 1), PT_BUG_FIX,
	       "fix(parser)!: handle empty input");
	is_str(type_of("perf: cache lookups", src, 1), PT_OPTIMIZATION, "perf: cache lookups");
	is_str(type_of("Sanitize user input in login form", src, 1), PT_SECURITY,
	       "Sanitize user input in login form");
	is_str(type_of("Revert \"Add foo\"", src, 1), PT_UNKNOWN, "Revert \"Add foo\"");
	is_str(type_of("Add tests for parser", tests, 2), PT_TESTING,
	       "Add tests for parser touching only tests/");
	is_str(type_of("Add tests for parser", src, 1), PT_FEATURE,
	       "Add tests for parser touching code is a feature");
	is_str(type_of("Fix typo in README", readme, 1), PT_BUG_FIX, "Fix typo in README");
	is_str(type_of("fix: handle None case in function", src, 1), PT_BUG_FIX, "the seed's subject");
}

static void test_whole_words(void)
{
	const char *src[] = { "src/a.c" };
	is_str(type_of("Handle padding", src, 1), PT_UNKNOWN, "padding is not add");
	is_str(type_of("Prefixed names", src, 1), PT_UNKNOWN, "prefixed is not fix");
	is_str(type_of("Newline handling", src, 1), PT_UNKNOWN, "newline is not new");
	is_str(type_of("Speed up: FIXES #12", src, 1), PT_BUG_FIX, "case-insensitive FIXES");
	is_str(type_of("bug-fix for parser", src, 1), PT_BUG_FIX, "bug-fix is two words");
	is_str(type_of("Handle CVE-2021-44228 in logger", src, 1), PT_SECURITY, "a CVE id");
	is_str(type_of("Handle XCVE-2021-44228", src, 1), PT_UNKNOWN, "CVE inside a word");
	is_str(type_of("Make parsing faster", src, 1), PT_OPTIMIZATION, "faster");
	is_str(type_of("Rename foo to bar", src, 1), PT_REFACTORING, "rename");
	is_str(type_of("Introduce a cache", src, 1), PT_FEATURE, "introduce");
	is_str(type_of("More tests", src, 1), PT_TESTING, "tests keyword");
	is_str(type_of("Improve the docs", src, 1), PT_DOCUMENTATION, "docs keyword");
	is_str(type_of("Fix the xss hole", src, 1), PT_SECURITY, "security before bug_fix");
	is_str(type_of("fix_parser helper", src, 1), PT_UNKNOWN, "underscore joins words");
}

static void test_conventional(void)
{
	const char *src[] = { "src/a.c" };
	is_str(type_of("FEAT: new option", src, 1), PT_FEATURE, "type is case-insensitive");
	is_str(type_of("docs(readme): explain", src, 1), PT_DOCUMENTATION, "docs(scope)");
	is_str(type_of("test: cover parser", src, 1), PT_TESTING, "test type");
	is_str(type_of("refactor!: drop old API", src, 1), PT_REFACTORING, "refactor!");
	is_str(type_of("security: escape output", src, 1), PT_SECURITY, "security type");
	is_str(type_of("chore: fix lint", src, 1), PT_UNKNOWN, "chore is unknown despite fix");
	is_str(type_of("ci: add workflow", src, 1), PT_UNKNOWN, "ci is unknown");
	is_str(type_of("build(deps): bump foo", src, 1), PT_UNKNOWN, "build is unknown");
	is_str(type_of("parser: fix crash on empty input", src, 1), PT_BUG_FIX,
	       "a subsystem prefix is not a type");
}

static void test_paths(void)
{
	const char *docs[] = { "docs/guide.html", "README.md", "NOTES.txt", "a/b.rst" };
	const char *mixed[] = { "README.md", "src/a.c" };
	const char *tests[] = { "src/foo_test.go", "test_bar.py", "web/x.test.js", "a.spec.ts",
				"spec/helper.rb" };
	is_str(type_of("Update things", docs, 4), PT_DOCUMENTATION, "docs-only is documentation");
	is_str(type_of("Update things", mixed, 2), PT_UNKNOWN, "docs and code is not");
	is_str(type_of("Update things", tests, 5), PT_TESTING, "tests-only is testing");
	is_str(type_of("Improve speed", docs, 4), PT_DOCUMENTATION, "path rule before optimization");
	is_str(type_of("Update things", NULL, 0), PT_UNKNOWN, "no paths known");
	ok(classify_is_test_path("tests/x.c"), "tests/ folder");
	ok(!classify_is_test_path("src/contest.c"), "contest.c is not a test");
	ok(!classify_is_test_path("testdata.c"), "testdata.c is not a test");
	ok(classify_is_doc_path("doc/x.c"), "doc/ folder");
	ok(!classify_is_doc_path("src/md.c"), "md.c is not documentation");
}

static void test_flags(void)
{
	struct classification c;
	classify_subject("fix: handle None case in function", NULL, 0, &c);
	ok(c.bug_keyword && !c.feature_keyword, "type fix sets the bug flag");
	classify_subject("feat: handle it", NULL, 0, &c);
	ok(!c.bug_keyword && c.feature_keyword, "type feat sets the feature flag");
	classify_subject("Add a fix for the crash", NULL, 0, &c);
	ok(c.bug_keyword && c.feature_keyword, "both flags");
	is_str(c.problem_type, PT_BUG_FIX, "bug_fix wins over feature");
	classify_subject("Introduce new cache", NULL, 0, &c);
	ok(!c.feature_keyword, "introduce/new are not confidence feature keywords");
	classify_subject("Update things", NULL, 0, &c);
	ok(c.needs_paths, "without paths the answer may change");
	is_num(pattern_confidence(1, 0, 38, 32), 0.85, "the seed's example scores 0.85");
}

int main(void)
{
	test_tricky_subjects();
	test_whole_words();
	test_conventional();
	test_paths();
	test_flags();
	return done_testing();
}
