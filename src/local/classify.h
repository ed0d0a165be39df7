/*
 * classify: a commit's problem type from its subject, body and changed
 * paths (SPEC §4), the rule that decided it, and the keyword flags that
 * the confidence rule needs.
 *
 * Rules, first match wins (the manual, "CLASSIFICATION", lists the words):
 *  1. revert: `Revert "..."` or a `revert:` header is unknown;
 *  2. conventional:deps: a Conventional Commits header with scope deps,
 *     deps-dev or dev-deps is a dependency update: unknown;
 *  3. conventional:TYPE: a header `type(scope)!: ...` of an unknown-kind
 *     type (build, chore, ci, style, release, wip, ...): unknown;
 *  4. mechanical:N-files: more than max_files changed files: unknown;
 *  5. files:manifests-only (unknown), files:docs-only (documentation),
 *     files:tests-only (testing), files:ci-only (unknown): every changed
 *     file of that kind;
 *  6. dependency:VERB: "update/upgrade/bump X ... to <version>" opening
 *     the subject is a dependency update, whatever its type: unknown;
 *  7. conventional:TYPE: fix, feat, perf, refactor, test, docs, security
 *     map to their kind (scope test/tests or docs refines it). Any other
 *     prefix ("parser: fix crash", as in git's history) is a subsystem
 *     name, not a type;
 *  8. release: a subject that is only a release's name ("Git 2.36.2");
 *  9. keyword:WORD / phrase:WORDS: the subject's words: typo, spelling and
 *     wording fixes are documentation; then security (and body:cve, a CVE
 *     id in the body); comment/doc fixes documentation; style-only edits
 *     unknown (not whitespace that code parses or strips); "add support
 *     ..." a feature; lint:WORD, a linter's findings fixed ("Fix clippy
 *     warnings"), refactoring; bug_fix (defect words: crash, leak,
 *     wrongly, ...; then fix words); optimization (and a fast path
 *     added); refactoring (and "X doesn't need Y" in the first clause);
 *     bug_fix: who found the problem ("..., reported by X"), a missing
 *     header; feature_addition: "honor the X env var"; bug_fix: the
 *     weaker phrasings ("X should Y", "Avoid Z", "Don't ...",
 *     "Need to ...", "Clear status bar cell."); subject:command, a subject
 *     that only names a command; feature_addition; testing; documentation.
 *     A subject ending in ':' that decided nothing ("Sync OpenBSD patchset
 *     N:"), or OpenSSH's "upstream commit", is continued by the body's
 *     first paragraph (CVS header lines left out), whose words rules 9 to
 *     11 read instead;
 * 10. issue:fixes, trailer:NAME, body:WORD: when the subject said nothing,
 *     an issue the subject says it fixes ("... Fix #3951."), a trailer
 *     reporting a bug (Reported-by:, Fixes #N, Bug:), a defect word of
 *     the body's first paragraph, a fix phrase of the body ("This fixes");
 * 11. keyword:WORD / phrase:WORDS: the subject's weaker words: something
 *     working again (bug_fix); a refactoring's verb opening it (remove,
 *     use, replace, prefer, "stop using", ...) or static/const
 *     (refactoring); accept or warn opening it (feature_addition); then
 *     what the code did wrong without a defect word (bug_fix): only or
 *     always opening it, "make ... compile/build", ignore, tolerate or
 *     check opening it, "when" or "whenever";
 * 12. none: unknown.
 *
 * Words are maximal runs of ASCII letters, digits, '_' and inner
 * apostrophes ("don't"), compared case-insensitively, so "prefix",
 * "debug", "address" match nothing. A leading "[PATCH ...]" tag is
 * skipped, and so is a ChangeLog entry's head ("- (djm) [auth-pam.c] ..."), and so are the names a subject quotes as code (an option,
 * "--fixup"; a function, "bug()") and issue references ("fix #317").
 * The words of an "area:" prefix ("restore:", "Redis Benchmark:") name a
 * place: verbs among them do not count. Classifying allocates nothing and
 * compiles nothing.
 */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stddef.h>

/*
 * The classifier's version: bumped whenever a rule changes, so that a
 * store labelled by an older one is relabelled.
 */
#define CLASSIFY_VERSION 9

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
