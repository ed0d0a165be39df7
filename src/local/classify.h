/*
 * classify: a commit's problem type from its subject, body and changed
 * paths (SPEC §4), the rule that decided it, and the keyword flags that
 * the confidence rule needs.
 *
 * Rules, first match wins (the manual, "CLASSIFICATION", lists the words):
 *  1. revert           `Revert "..."` (or a `revert:` header) is unknown;
 *  2. mechanical:N-files  more than max_files changed files is unknown;
 *  3. conventional:deps   a Conventional Commits header with scope deps or
 *     deps-dev, and files:manifests-only (every changed file a manifest or
 *     lock file) are dependency updates: unknown;
 *  4. files:docs-only, files:tests-only, files:ci-only: every changed file
 *     is documentation (documentation), a test (testing), or CI and
 *     repository metadata (unknown);
 *  5. conventional:TYPE   a header `type(scope)!: ...` with a known type
 *     (case-insensitive): fix, feat, perf, refactor, test, docs, security
 *     map to their kind (scope test/tests or docs refines it); build,
 *     chore, ci, style, revert, release, deps, wip, merge, bump, ... are
 *     unknown. Any other prefix ("parser: fix crash", as in git's history)
 *     is a subsystem name, not a type;
 *  6. keyword:WORD / phrase:WORDS  the subject's words: typo, spelling and
 *     wording fixes are documentation; then security, bug_fix (strong
 *     words: fix, crash, leak, wrongly, ...), style-only edits (unknown),
 *     optimization, refactoring, the weaker bug_fix phrasings ("X should
 *     Y", "Avoid Z", "Don't ...", "Handle ...", "Prevent ..."),
 *     feature_addition, testing, documentation;
 *  7. body:cve, body:WORD  a CVE id in the body is security; else, when
 *     the subject said nothing, a bug word or a "Fixes #N" trailer in the
 *     body is bug_fix;
 *  8. none: unknown.
 *
 * Words are maximal runs of ASCII letters, digits, '_' and inner
 * apostrophes ("don't"), compared case-insensitively, so "prefix",
 * "debug", "address" match nothing. A leading "[PATCH ...]" tag is
 * skipped. Classifying allocates nothing and compiles nothing.
 */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stddef.h>

/*
 * The classifier's version: bumped whenever a rule changes, so that a
 * store labelled by an older one is relabelled.
 */
#define CLASSIFY_VERSION 2

/* patterns.maxCommitFiles: a commit changing more files is mechanical. */
#define CLASSIFY_DEFAULT_MAX_FILES 100

struct classification {
	const char *problem_type;  /* one of the PT_* strings of pattern.h */
	char rule[48];		   /* the rule that decided: "keyword:leak" */
	int bug_keyword;	   /* a bug-fix keyword of the confidence rule, or type fix */
	int feature_keyword;	   /* feat/feature/add/implement/enhance family, or type feat */
	int needs_paths;	   /* the result may change with the changed paths */
};

/*
 * Classify a commit. body may be NULL. paths are the commit's changed
 * paths (new path, or old path of a deleted file); paths NULL means "not
 * known yet": then the rules on paths are not applied and needs_paths
 * says whether they could change the answer. max_files is
 * patterns.maxCommitFiles (0: no limit).
 */
void classify_commit(const char *subject, const char *body, const char *const *paths,
		     size_t npaths, size_t max_files, struct classification *out);

/* 1 if path is documentation (*.md, *.rst, *.adoc, docs/, README, man pages, ...). */
int classify_is_doc_path(const char *path);
/* 1 if path is a test (tests/, test/, t/, spec/, __tests__/, *_test.*, test_*.*, *.test.*, *.spec.*). */
int classify_is_test_path(const char *path);
/* 1 if path is a package manifest or lock file (package.json, go.sum, ...). */
int classify_is_manifest_path(const char *path);

#endif
