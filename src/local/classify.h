/*
 * classify: a commit's problem type from its subject line (SPEC §4), and
 * the keyword flags that the confidence rule needs.
 *
 * Rules, first match wins:
 *  1. a git revert (subject starts with `Revert "`) is unknown;
 *  2. a Conventional Commits header `type(scope)!: ...` with a known type
 *     (case-insensitive): fix, feat, perf, refactor, test, docs, security
 *     map to their problem type; build, chore, ci, style, revert, release,
 *     deps, wip, merge, bump are unknown. Any other prefix ("parser: fix
 *     crash", as in git's own history) is a subsystem name, not a type,
 *     and the keyword rules apply to the whole subject;
 *  3. whole-word keywords (security, then bug_fix, then the docs-only /
 *     tests-only path rules, then optimization, refactoring,
 *     feature_addition, testing, documentation);
 *  4. unknown.
 *
 * Words are maximal runs of ASCII letters, digits and '_', compared
 * case-insensitively, so "prefix", "debug", "address" match nothing.
 */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stddef.h>

struct classification {
	const char *problem_type;  /* one of the PT_* strings of pattern.h */
	int bug_keyword;	   /* a bug-fix keyword, or type fix */
	int feature_keyword;	   /* feat/feature/add/implement/enhance family, or type feat */
	int needs_paths;	   /* the result may change with the changed paths */
};

/*
 * Classify subject. paths are the commit's changed paths (new path, or old
 * path of a deleted file); npaths 0 with paths NULL means "not known yet":
 * then the docs-only/tests-only rules are not applied and needs_paths says
 * whether they could have changed the answer.
 */
void classify_subject(const char *subject, const char *const *paths, size_t npaths,
		      struct classification *out);

/* 1 if path is documentation (*.md, *.rst, *.txt, *.adoc, docs/ or doc/). */
int classify_is_doc_path(const char *path);
/* 1 if path is a test (tests/, test/, spec/, *_test.*, test_*.*, *.test.*, *.spec.*). */
int classify_is_test_path(const char *path);

#endif
