/*
 * classify.c: subject line -> problem type (see classify.h for the rules).
 *
 * The subject is split once into lower-cased words; each rule is a list of
 * whole words looked up in that list. Nothing here allocates per keyword,
 * so classifying is cheap next to diffing.
 */
#include "local/classify.h"
#include "common/pattern.h"
#include "common/util.h"

#include <ctype.h>
#include <string.h>

#define MAX_WORDS 128
#define MAX_WORD 32

struct words {
	size_t nr;
	char w[MAX_WORDS][MAX_WORD];
	int cve; /* a CVE-NNNN-NNNN id was seen */
};

static int is_word_char(int c) { return isalnum(c) || c == '_'; }

/* CVE-<4 digits>-<4+ digits>, case-insensitive, not inside a word. */
static int find_cve(const char *s)
{
	for (const char *p = s; *p; p++) {
		size_t i;
		if (p > s && is_word_char((unsigned char)p[-1]))
			continue;
		if (strncasecmp(p, "cve-", 4))
			continue;
		for (i = 4; i < 8 && isdigit((unsigned char)p[i]); i++)
			;
		if (i != 8 || p[8] != '-')
			continue;
		for (i = 9; isdigit((unsigned char)p[i]); i++)
			;
		if (i >= 13 && !is_word_char((unsigned char)p[i]))
			return 1;
	}
	return 0;
}

static void split_words(const char *s, struct words *w)
{
	w->nr = 0;
	w->cve = find_cve(s);
	while (*s && w->nr < MAX_WORDS) {
		size_t n = 0;
		while (*s && !is_word_char((unsigned char)*s))
			s++;
		if (!*s)
			break;
		while (is_word_char((unsigned char)*s)) {
			if (n < MAX_WORD - 1)
				w->w[w->nr][n] = (char)tolower((unsigned char)*s);
			n++;
			s++;
		}
		if (n < MAX_WORD) { /* longer words match no keyword */
			w->w[w->nr][n] = '\0';
			w->nr++;
		}
	}
}

static int has_any(const struct words *w, const char *const *list)
{
	for (size_t i = 0; i < w->nr; i++)
		for (const char *const *k = list; *k; k++)
			if (!strcmp(w->w[i], *k))
				return 1;
	return 0;
}

static const char *const security_words[] = {
	"security", "vulnerability", "vulnerabilities", "xss", "csrf", "injection",
	"sanitize", "sanitizes", "sanitized", "sanitizing",
	"sanitise", "sanitises", "sanitised", "sanitising", NULL,
};
static const char *const bug_words[] = {
	"fix", "fixes", "fixed", "fixing", "bug", "bugs", "bugfix", "hotfix",
	"patch", "patched", "resolve", "resolves", "resolved", "crash", "crashes",
	"repair", "repaired", "broken", "regression", NULL,
};
static const char *const optimization_words[] = {
	"perf", "performance", "optimize", "optimizes", "optimized", "optimizing",
	"optimise", "optimises", "optimised", "optimising", "optimization",
	"optimisation", "speedup", "faster", NULL,
};
static const char *const refactoring_words[] = {
	"refactor", "refactors", "refactored", "refactoring", "cleanup",
	"simplify", "simplifies", "simplified", "simplifying", "restructure",
	"rename", "renamed", NULL,
};
/* the feature keywords of the confidence rule */
static const char *const feature_conf_words[] = {
	"feat", "feature", "features", "add", "adds", "added", "adding",
	"implement", "implements", "implemented", "implementing",
	"enhance", "enhances", "enhanced", "enhancing", "enhancement", NULL,
};
static const char *const feature_more_words[] = {
	"introduce", "introduces", "introduced", "introducing", "new", NULL,
};
static const char *const testing_words[] = { "test", "tests", "testing", NULL };
static const char *const doc_words[] = {
	"doc", "docs", "documentation", "readme", "typo", "typos", NULL,
};

struct cc_type {
	const char *type;
	const char *problem_type;
};
static const struct cc_type cc_types[] = {
	{ "fix", PT_BUG_FIX },		{ "feat", PT_FEATURE },
	{ "perf", PT_OPTIMIZATION },	{ "refactor", PT_REFACTORING },
	{ "test", PT_TESTING },		{ "docs", PT_DOCUMENTATION },
	{ "security", PT_SECURITY },	{ "build", PT_UNKNOWN },
	{ "chore", PT_UNKNOWN },	{ "ci", PT_UNKNOWN },
	{ "style", PT_UNKNOWN },	{ "revert", PT_UNKNOWN },
	{ "release", PT_UNKNOWN },	{ "deps", PT_UNKNOWN },
	{ "wip", PT_UNKNOWN },		{ "merge", PT_UNKNOWN },
	{ "bump", PT_UNKNOWN },
};

/* A Conventional Commits header "type(scope)!: ..."; the type or NULL. */
static const struct cc_type *conventional_type(const char *s)
{
	size_t n = 0;
	const char *p;
	while (isalpha((unsigned char)s[n]))
		n++;
	if (!n)
		return NULL;
	p = s + n;
	if (*p == '(') {
		const char *close = strchr(p, ')');
		if (!close || memchr(p, ':', (size_t)(close - p)))
			return NULL;
		p = close + 1;
	}
	if (*p == '!')
		p++;
	if (p[0] != ':' || (p[1] != ' ' && p[1] != '\t' && p[1] != '\0'))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(cc_types); i++)
		if (strlen(cc_types[i].type) == n && !strncasecmp(s, cc_types[i].type, n))
			return &cc_types[i];
	return NULL;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* 1 if a folder of path (not the file name) is one of names. */
static int has_dir_component(const char *path, const char *const *names)
{
	const char *p = path;
	for (;;) {
		const char *slash = strchr(p, '/');
		if (!slash)
			return 0;
		for (const char *const *n = names; *n; n++)
			if ((size_t)(slash - p) == strlen(*n) && !strncasecmp(p, *n, (size_t)(slash - p)))
				return 1;
		p = slash + 1;
	}
}

int classify_is_doc_path(const char *path)
{
	static const char *const dirs[] = { "docs", "doc", "documentation", NULL };
	static const char *const exts[] = { ".md", ".markdown", ".rst", ".txt", ".adoc", NULL };
	const char *base = basename_of(path);
	if (has_dir_component(path, dirs))
		return 1;
	for (const char *const *e = exts; *e; e++) {
		size_t bl = strlen(base), el = strlen(*e);
		if (bl > el && !strcasecmp(base + bl - el, *e))
			return 1;
	}
	return 0;
}

int classify_is_test_path(const char *path)
{
	static const char *const dirs[] = { "tests", "test", "spec", NULL };
	const char *base = basename_of(path);
	const char *dot = strchr(base, '.');
	if (has_dir_component(path, dirs))
		return 1;
	if (!dot)
		return 0;
	/* test_*.* */
	if (!strncasecmp(base, "test_", 5) && dot > base + 5)
		return 1;
	/* *_test.*, *.test.*, *.spec.* */
	for (const char *p = dot; p; p = strchr(p + 1, '.')) {
		if (p - base >= 5 && !strncasecmp(p - 5, "_test", 5))
			return 1;
		if (!strncasecmp(p, ".test.", 6) || !strncasecmp(p, ".spec.", 6))
			return 1;
	}
	return 0;
}

static int all_paths(const char *const *paths, size_t n, int (*pred)(const char *))
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!pred(paths[i]))
			return 0;
	return 1;
}

void classify_subject(const char *subject, const char *const *paths, size_t npaths,
		      struct classification *out)
{
	struct words w;
	const struct cc_type *cc;

	split_words(subject, &w);
	out->bug_keyword = has_any(&w, bug_words);
	out->feature_keyword = has_any(&w, feature_conf_words);
	out->needs_paths = 0;

	if (starts_with(subject, "Revert \"")) {
		out->problem_type = PT_UNKNOWN;
		return;
	}
	cc = conventional_type(subject);
	if (cc) {
		if (!strcasecmp(cc->type, "fix"))
			out->bug_keyword = 1;
		if (!strcasecmp(cc->type, "feat"))
			out->feature_keyword = 1;
		out->problem_type = cc->problem_type;
		return;
	}
	if (w.cve || has_any(&w, security_words)) {
		out->problem_type = PT_SECURITY;
		return;
	}
	if (out->bug_keyword) {
		out->problem_type = PT_BUG_FIX;
		return;
	}
	if (!paths) {
		out->needs_paths = 1;
	} else if (all_paths(paths, npaths, classify_is_doc_path)) {
		out->problem_type = PT_DOCUMENTATION;
		return;
	} else if (all_paths(paths, npaths, classify_is_test_path)) {
		out->problem_type = PT_TESTING;
		return;
	}
	if (has_any(&w, optimization_words))
		out->problem_type = PT_OPTIMIZATION;
	else if (has_any(&w, refactoring_words))
		out->problem_type = PT_REFACTORING;
	else if (out->feature_keyword || has_any(&w, feature_more_words))
		out->problem_type = PT_FEATURE;
	else if (has_any(&w, testing_words))
		out->problem_type = PT_TESTING;
	else if (has_any(&w, doc_words))
		out->problem_type = PT_DOCUMENTATION;
	else
		out->problem_type = PT_UNKNOWN;
}
