/*
 * project: this repository's profile for cross-project learning (SPEC §8),
 * detected offline from what is tracked at HEAD and from git config.
 *
 *  - repo_url: remote.origin.url without user or password
 *    (patterns.projectUrl overrides); canonical_url its identity.
 *  - language: the programming language with the most bytes among the
 *    files at HEAD, leaving out vendored, generated and documentation
 *    paths; languages: every counted language and its share (2 decimals),
 *    largest first.
 *  - framework: from the manifests at HEAD (outside vendored paths), the
 *    first of SPEC §8's table whose dependency is declared.
 *  - domain: patterns.domain. patterns.language / .framework / .domain
 *    override what is detected.
 * Fields are NULL when unknown. Never prints.
 */
#ifndef PROJECT_H
#define PROJECT_H

#include <git2.h>
#include <stddef.h>

struct project_language {
	char *name;
	long long bytes;
	double share; /* two decimals */
};

struct project_profile {
	char *repo_url, *canonical_url;
	char *language, *framework, *domain;
	struct project_language *languages;
	size_t nr_languages;
	long long files, bytes; /* counted */
};

/* 0, or -1 with err_set. An empty repository (no HEAD) has no languages. */
int project_profile_detect(git_repository *repo, struct project_profile *out);
void project_profile_release(struct project_profile *p);

/* The framework SPEC §8's table gives for these declared dependency names. */
const char *project_framework_of(const char *const *deps, size_t nr);

#endif
