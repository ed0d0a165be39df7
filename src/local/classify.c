/*
 * classify.c: a commit's subject, body and changed paths -> problem type,
 * with the name of the rule that decided (see classify.h for the order).
 *
 * The subject is split once into at most MAX_WORDS lower-cased words in a
 * buffer on the stack; each rule looks its words (or short phrases of
 * consecutive words) up in that list. The body is scanned word by word
 * only when the subject could not decide. Nothing here allocates, so
 * classifying costs little next to diffing.
 */
#include "local/classify.h"
#include "common/file-role.h"
#include "common/pattern.h"
#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORDS 64
#define MAX_WORD 24

struct words {
	size_t nr;
	size_t area; /* the first words that are the subject's "area:" prefix */
	char w[MAX_WORDS][MAX_WORD];
};

/* The rule lists, lower case. A list ends with NULL. */

/* typo, spelling and wording fixes: documentation even with "fix" */
static const char *const typo_words[] = {
	"typo", "typos", "typofix", "spelling", "misspelling", "misspellings", "misspelled",
	"misspelt", "grammar", "grammatical", "wording", "reword", "rewording", NULL,
};
static const char *const typo_phrases[] = { "spell check", NULL };

/* the thing fixed is documentation: "Fix XINFO comment for consistency" */
static const char *const doc_object_words[] = {
	"comment", "comments", "docstring", "docstrings", "readme", "changelog", "manpage",
	"doc", "docs", "documentation", NULL,
};
static const char *const doc_object_phrases[] = { "man page", NULL };
/* the verbs that make the doc-object rule: "Fix XINFO comment", "correct comment" */
static const char *const doc_fix_verbs[] = {
	"correct", "corrects", "corrected", "clarify", "clarifies", "clarified", NULL,
};
/*
 * ...unless the subject is about code that reads text: comments (then
 * handle counts too), or whitespace and indentation ("Fix tokens line
 * number calculation when whitespace stripping is used" is no formatting
 * edit; there handle does not: "save one indent level in error handling")
 */
static const char *const text_code_words[] = {
	"parse", "parses", "parsing", "parser", "parsed", "strip", "strips", "stripping",
	"syntax", "lexer", "tokenizer", NULL,
};
static const char *const handle_words[] = { "handle", "handles", "handling", NULL };

static const char *const security_words[] = {
	"security", "vulnerability", "vulnerabilities", "vulnerable", "vuln", "xss", "csrf",
	"ssrf", "injection", "sanitize", "sanitizes", "sanitized", "sanitizing", "sanitise",
	"sanitises", "sanitised", "sanitising", "exploit", "exploitable", "redact", "redacts",
	"redacted", "redacting", "attacker", "cve", NULL,
};

/* fix words: beaten by the typo, doc-object and style rules */
static const char *const fix_words[] = {
	"fix", "fixes", "fixed", "fixing", "fixup", "bug", "bugs", "bugfix", "bugfixes",
	"hotfix", "hotfixes", NULL,
};
/* words that name a defect: a bug fix whatever else the subject says */
static const char *const defect_words[] = {
	"crash", "crashes", "crashed", "crashing", "regression", "regressions", "leak", "leaks",
	"leaking", "leaked", "leakage", "overflow", "overflows", "overflowing", "underflow",
	"segfault", "segfaults", "segv", "sigsegv", "deadlock", "deadlocks", "livelock", "hang",
	"hangs", "broken", "breakage", "unbreak", "wrong", "wrongly", "incorrect", "incorrectly",
	"erroneous", "erroneously", "mistakenly", "uninitialized", "uninitialised", "dangling",
	"race", "races", "racy", "repair", "repaired", "missing", "missed", "workaround",
	"invalid", "fail", "fails", "failing", "failure", "failures", "dereference", "deref",
	NULL,
};
static const char *const defect_phrases[] = {
	"use after free", "double free", "off by one", "infinite loop", "memory corruption",
	"null pointer", "out of bounds", "work around", "does not work", "doesn't work",
	NULL,
};
/* defect words that describe documentation as well ("fix missing parameter documentation") */
static const char *const doc_defect_words[] = {
	"wrong", "wrongly", "incorrect", "incorrectly", "erroneous", "missing", "missed",
	"broken", "invalid", NULL,
};
/* "Suppress sign warning", "squelch gcc compiler warning" */
static const char *const warning_words[] = { "warning", "warnings", NULL };
static const char *const warning_verbs[] = {
	"suppress", "suppresses", "squelch", "squelches", "silence", "silences", "quiet",
	"quiets", "quieten", "avoid", "avoids", "shut", "placate", "pacify", NULL,
};

/*
 * Linters, whose findings are fixed without changing behaviour: "Fix
 * clippy warnings", "fix lint", "Apply clippy suggestions", "make lint
 * happier". Not the checkers that find defects (coverity, sanitizers,
 * cppcheck), nor compilers: a compiler warning fixed stays a bug fix.
 */
static const char *const lint_words[] = {
	"lint", "lints", "linter", "linters", "linting", "clippy", "flake8", "eslint", "pylint",
	"pyflakes", "pycodestyle", "mypy", "ruff", "golint", "tslint", "stylelint",
	"shellcheck", "rubocop", NULL,
};
/* ...fixed: the words next to one that say its findings are dealt with */
static const char *const lint_before[] = {
	"fix", "fixes", "fixed", "fixing", "appease", "appeases", "placate", "placates",
	"pacify", "satisfy", "satisfies", "silence", "silences", "please", "pleases", NULL,
};
static const char *const lint_after[] = {
	"warning", "warnings", "error", "errors", "issue", "issues", "finding", "findings",
	"complaint", "complaints", "suggestion", "suggestions", "fix", "fixes", "nit", "nits",
	"happy", "happier", "cleanup", "cleanups", "violation", "violations", NULL,
};

/* formatting-only edits: unknown, as a Conventional Commits "style:" */
static const char *const style_words[] = {
	"whitespace", "whitespaces", "indentation", "indent", "indenting", "reindent",
	"misindentation", "copyright", NULL,
};
static const char *const style_phrases[] = {
	"white space", "coding style", "code style", "style fix", "style fixes",
	"brace placement", "clang format", NULL,
};

static const char *const optimization_words[] = {
	"perf", "performance", "optimize", "optimizes", "optimized", "optimizing", "optimise",
	"optimises", "optimised", "optimising", "optimization", "optimizations",
	"optimisation", "optimisations", "speedup", "speedups", "faster", "quicker",
	"efficient", "efficiently", "efficiency", "throughput", "accelerate", "unnecessarily",
	"needlessly", "expensive", NULL,
};
static const char *const optimization_phrases[] = {
	"speed up", "speeds up", "memory usage", "save memory", "saves memory",
	"reduce memory", "less memory", "fewer allocations", "avoid unnecessary",
	"avoid needless", "avoid extra", "avoid repeated", "when not needed",
	"if not needed", "nothing to do", NULL,
};

/*
 * "Add fast path for two-character patterns", "Fast path for disabled
 * template load explain.": a fast path added; elsewhere it is the place
 * of a fix ("close err_fd in promisor fast-path", "Limit fastpath to x86")
 */
static const char *const fast_path_words[] = { "fastpath", "fastpaths", NULL };
static const char *const fast_path_phrases[] = { "fast path", "fast paths", NULL };

static const char *const refactoring_words[] = {
	"refactor", "refactors", "refactored", "refactoring", "cleanup", "cleanups",
	"simplify", "simplifies", "simplified", "simplifying", "restructure", "restructured",
	"reorganize", "reorganized", "reorganise", "reorganised", "rename", "renames",
	"renamed", "renaming", "move", "moves", "moved", "tidy", "unused", "dead", "duplicate",
	"duplicated", "deduplicate", "dedup", "rework", "reworked", "convert", "converts",
	"converted", "split", "modernize", "decouple", "consolidate", "redundant",
	"unnecessary", "needless", "superfluous", "obsolete", "factor", "factored", "factoring", NULL,
};
static const char *const refactoring_phrases[] = {
	"clean up", "cleans up", "tidy up", "no longer used", "no longer needed",
	"no longer necessary", "no longer in use", "no longer required", "not used anymore",
	"not needed anymore", "no need", NULL,
};
/*
 * "X doesn't need Y", "Do not need getopt.h.", "cast not needed": in the
 * subject's first clause; after "so", "that", "if" ... they tell why a
 * change of behaviour is made ("... so we don't need to flush everything")
 */
static const char *const not_needed_phrases[] = {
	"don't need", "doesn't need", "do not need", "does not need", "not needed", NULL,
};

/* how redis and git write a fix without a fix word: "X should Y", "... on error" */
static const char *const weak_bug_words[] = {
	"should", "shouldn't", "must", "mustn't", "don't", "doesn't", "didn't", "correctly",
	"properly", NULL,
};
static const char *const weak_bug_phrases[] = {
	"do not", "does not", "make sure", "no longer", "error handling", "on error",
	"error path", "error paths", "error case", "error cases", "error condition",
	"error conditions", "case of error",
	/* "DEBUG FLUSHCACHE needs to wait that everything was synched on disk" */
	"need to", "needs to", NULL,
};
/* ...and the verbs of a fix, where they open the subject: "Avoid Z", "Handle ..." */
static const char *const weak_bug_verbs[] = {
	"avoid", "avoids", "avoiding", "prevent", "prevents", "preventing", NULL,
};
/*
 * ...and those that make a fix only where they open it: "describe: teach
 * --match to handle branches", "expose a way to ensure a ref has a log"
 * are features
 */
static const char *const first_bug_verbs[] = {
	"handle", "handles", "ensure", "ensures", "correct", "corrects", "corrected", "restore", "restores", "respect",
	"respects", "honor", "honors", "honour", "honours", "reject", "rejects",
	/* "guard config parser from value=NULL", "Clear status bar cell." */
	"guard", "guards", "preserve", "preserves", "clear", "clears", "reset", "resets",
	NULL,
};

/*
 * "honor the NO_COLOR env var", "Respect the NETRC environment variable":
 * where honor or respect opens the subject, a variable of the environment
 * read is a new setting, not a fix
 */
static const char *const honor_verbs[] = {
	"honor", "honors", "honour", "honours", "respect", "respects", NULL,
};
static const char *const environment_words[] = {
	"env", "environment", "envvar", "envvars", NULL,
};

/*
 * "Escape ~, pointed out by tcunha.", "Free format on -a, reported by
 * Huihui Huang.": who found the problem, named in the subject (tmux's way)
 */
static const char *const report_phrases[] = {
	"reported by", "pointed out by", "noticed by", "spotted by", "found by",
	"problem reported", "bug reported", "issue reported", NULL,
};

/* "Include windows.h on win32", "Added time.h include": a missing declaration */
static const char *const include_words[] = { "include", "includes", NULL };

/* "make hostip.c compile again", "curl_easy_duphandle() works again" */
static const char *const again_phrases[] = {
	"work again", "works again", "working again", "compile again", "compiles again",
	"build again", "builds again", "pass again", "passes again", NULL,
};

/*
 * Rule 11's last words, which describe what the code did wrong without a
 * defect word: a behaviour restricted or made unconditional where it opens
 * the subject ("Only clear underlying callbacks when the user hasn't reset
 * them", "tar: Always use correct length in safe_fprintf"); ...
 */
static const char *const restrict_words[] = { "only", "always", NULL };
/* ...the case it went wrong in ("Stop select_regex from breaking when no matches") */
static const char *const case_words[] = { "when", "whenever", NULL };
/* ...an input now tolerated or checked, where it opens the subject ("Ignore KeyboardInterrupt while writing to pager") */
static const char *const tolerate_verbs[] = {
	"ignore", "ignores", "tolerate", "tolerates", "check", "checks", NULL,
};
/* "make it compile on linux", "Make trunk event.c build happily on win32" */
static const char *const make_verbs[] = { "make", "makes", NULL };
static const char *const build_words[] = { "compile", "compiles", "build", "builds", NULL };

/* the verbs of a change of code that keeps behaviour, where they open it */
static const char *const refactoring_verbs[] = {
	"remove", "removes", "removed", "removing", "drop", "drops", "dropped", "dropping",
	"delete", "deletes", "deleted", "use", "uses", "replace", "replaces", "replaced",
	"pass", "passes", "inline", "unify", "unifies", "extract", "extracts", "reuse",
	"reimplement", "prefer", "prefers", NULL,
};
/* "setup: stop using `the_repository` in ...", "pack-check: stop depending on ..." */
static const char *const stop_using_phrases[] = {
	"stop using", "stop depending", "stop passing", "stop relying", NULL,
};

/*
 * The words of a change to the code's shape rather than its behaviour
 * ("utf8.c: mark file-local function static", "constify `src' arg")
 */
static const char *const structure_words[] = {
	"static", "const", "constify", "constness", NULL,
};

/* a subject opening so names a feature, whatever it mentions ("... on crash") */
static const char *const add_support_phrases[] = {
	"add support", "adds support", "added support", "adding support", "implement support",
	"introduce support", NULL,
};

/* "update X to 5.2.1", "fix: upgrade esbuild to 0.20.x": a dependency update */
static const char *const bump_verbs[] = {
	"update", "updates", "updated", "upgrade", "upgrades", "upgraded", "bump", "bumps",
	"bumped", NULL,
};

/* the feature keywords of the confidence rule */
static const char *const feature_conf_words[] = {
	"feat", "feature", "features", "add", "adds", "added", "adding", "implement",
	"implements", "implemented", "implementing", "enhance", "enhances", "enhanced",
	"enhancing", "enhancement", "enhancements", NULL,
};
static const char *const feature_more_words[] = {
	"introduce", "introduces", "introduced", "introducing", "new", "support", "supports",
	"supported", "supporting", "allow", "allows", "allowed", "allowing", "option",
	"options", "teach", "teaches", "taught", "learn", "learns", "learned", "learnt",
	"provide", "provides", "expose", "exposes", "extend", "extends", "improve", "improves",
	"improved", "improvement", "improvements", "enable", "enables", "initial",
	"configurable", "optional", "optionally", "customizable", "customisable", NULL,
};
/* verbs that open a feature's subject: "git status: Show detailed dirty status" */
static const char *const feature_verbs[] = {
	"show", "shows", "report", "reports", "display", "displays",
	/* Rust's "impl Error for CollectVecError" */
	"impl", NULL,
};
/* Rust's "stabilize `task::Id` related apis", after the tests' words ("Stabilize flaky tests") */
static const char *const stabilize_verbs[] = { "stabilize", "stabilise", NULL };
/*
 * ...and weaker ones, read after the body, which often says a fix: "Accept
 * lowercase c- and m- prefix as well as C- and M-.", "config: warn on
 * inaccessible files"
 */
static const char *const late_feature_verbs[] = {
	"accept", "accepts", "warn", "warns", NULL,
};

/* "Add test for less 529", "added more tests, changed makefile": tests first */
static const char *const add_test_phrases[] = {
	"add test", "add tests", "adds test", "adds tests", "added test", "added tests",
	"adding test", "adding tests", "add a test", "adds a test", "added a test", "adding a test",
	"add more tests", "added more tests", "adding more tests", "add unit test",
	"add unit tests", "added unit tests", "add regression test", "added regression test",
	NULL,
};
static const char *const testing_words[] = {
	"test", "tests", "testing", "testcase", "testcases", "unittest", "unittests", NULL,
};
static const char *const doc_words[] = {
	"doc", "docs", "documentation", "document", "documents", "documented", "readme",
	"manpage", "comment", "comments", "changelog", "docstring", NULL,
};

/* the seed's bug-fix keywords, for the confidence rule only */
static const char *const bug_conf_words[] = {
	"fix", "fixes", "fixed", "fixing", "bug", "bugs", "bugfix", "hotfix", "patch",
	"patched", "resolve", "resolves", "resolved", "crash", "crashes", "repair",
	"repaired", "broken", "regression", NULL,
};

/*
 * Words of a body that make an otherwise silent subject a bug fix: the
 * defects its first paragraph names, and a fix word after one of
 * fix_subjects ("This fixes ...", "... which fixed ...", "to fix") or
 * before "this", "it", "that" ("Fix this by ..."). A bare "fix" is not
 * enough: bodies thank for fixes, list the fixes of a series, or tell
 * what an earlier fix did.
 */
static const char *const body_bug_words[] = {
	"bug", "bugs", "crash", "crashes", "crashed", "regression", "leak", "leaks", "leaking",
	"segfault", "segfaults", "overflow", "overflows", "deadlock", "broken", "broke",
	"wrongly", "incorrectly", NULL,
};
static const char *const body_fix_words[] = { "fix", "fixes", "fixed", NULL };
static const char *const fix_subjects[] = {
	"this", "which", "that", "to", "should", "will", "commit", "change", "patch", NULL,
};

/*
 * Trailers of a body that report a bug (git's, curl's and the kernel's
 * "Reported-by:", "Noticed-by:", "Fixes: <commit>", GitHub's "Fixes #123",
 * a "Bug:" URL),
 * case-insensitive, each at the start of a line. GitHub's "Closes #123"
 * is not one: it closes feature requests as well.
 */
static const struct {
	const char *prefix, *name;
} bug_trailers[] = {
	{ "reported-by:", "reported-by" },
	{ "reported-and-tested-by:", "reported-by" },
	{ "bug-reported-by:", "reported-by" },
	{ "reported by:", "reported-by" }, /* curl's older trailers */
	{ "bug reported by:", "reported-by" },
	{ "noticed-by:", "noticed-by" }, /* git's: who noticed the problem */
	{ "found-by:", "noticed-by" },
	{ "spotted-by:", "noticed-by" },
	{ "debugged-by:", "noticed-by" },
	{ "diagnosed-by:", "noticed-by" },
	{ "bug:", "bug" },
	{ "fixes:", "fixes" },
	{ "fixes #", "fixes" },
	{ "fixes gh-", "fixes" },
	{ "fixes http", "fixes" },
	{ "fix #", "fixes" },
	{ "fixed #", "fixes" },
};

struct cc_type {
	const char *type;
	const char *problem_type;
};
static const struct cc_type cc_types[] = {
	{ "fix", PT_BUG_FIX },		{ "feat", PT_FEATURE },
	{ "perf", PT_OPTIMIZATION },	{ "refactor", PT_REFACTORING },
	{ "test", PT_TESTING },		{ "tests", PT_TESTING },
	{ "docs", PT_DOCUMENTATION },	{ "doc", PT_DOCUMENTATION },
	{ "security", PT_SECURITY },	{ "build", PT_UNKNOWN },
	{ "chore", PT_UNKNOWN },	{ "ci", PT_UNKNOWN },
	{ "style", PT_UNKNOWN },	{ "revert", PT_UNKNOWN },
	{ "release", PT_UNKNOWN },	{ "deps", PT_UNKNOWN },
	{ "wip", PT_UNKNOWN },		{ "merge", PT_UNKNOWN },
	{ "bump", PT_UNKNOWN },		{ "types", PT_UNKNOWN },
	{ "workflow", PT_UNKNOWN },	{ "dx", PT_UNKNOWN },
};

/* --- words --- */

static int is_word_char(int c) { return isalnum(c) || c == '_'; }

/*
 * 1 if the "(" at p makes the word before it a function's name ("add a
 * non-fatal bug() function"): "()", or an argument list; not a plural's
 * "(s)", "(es)", nor a Conventional Commits scope "feature(parser):".
 */
static int is_call(const char *p)
{
	const char *close = strchr(p, ')');
	size_t len;

	if (!close || memchr(p, ' ', (size_t)(close - p)))
		return 0;
	if (close == p + 1)
		return 1;
	if (close[1] == ':' || close[1] == '!')
		return 0;
	len = (size_t)(close - p - 1);
	for (size_t i = 1; i <= len; i++)
		if (!islower((unsigned char)p[i]))
			return 1;
	return len > 3;
}

/*
 * 1 if the token at s (up to a space, less trailing punctuation) is a
 * path, a URL or a file name: two slashes, or a slash and a dot
 * ("include/curl/curlbuild.h", "https://..."), or a name ending in a
 * short lower-case extension ("t5600-clone-fail-cleanup.sh", "utf8.c");
 * but not "crash/hang" or "builtin/show-index:".
 */
static int is_path(const char *s)
{
	size_t len = strcspn(s, " \t"), slashes = 0, dots = 0, ext = 0;

	while (len && strchr(":,;)]'\"`", s[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++) {
		slashes += s[i] == '/';
		dots += s[i] == '.' && i + 1 < len && isalnum((unsigned char)s[i + 1]);
		if (s[i] == '.')
			ext = 0;
		else if (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]))
			ext++;
		else
			ext = 5;
	}
	if (slashes >= 2 || (slashes && dots))
		return 1;
	/* name.ext: a dot, then 1 to 4 lower-case letters or digits to the end */
	return dots && ext >= 1 && ext <= 4 && len > ext + 1 && s[len - ext - 1] == '.' &&
	       isalpha((unsigned char)s[len - ext]);
}

/* 1 if s starts a token of the text base: its start, or after a space, bracket or quote. */
static int token_start(const char *base, const char *s)
{
	return s == base || strchr(" \t([\"'`<", s[-1]);
}

/*
 * If a name that a subject quotes as code starts at s, the end of it;
 * else s. Such names are a command-line option ("--fixup", "-fix", which
 * starts a token), a single quoted word ('fixup', `error`; a quoted phrase
 * is often a message and is read: "Dereference of null pointer"), and a
 * path, URL or file name ("include/curl/curlbuild.h", "utf8.c"). They
 * name a thing; they do not say what the change is.
 */
/*
 * If an issue reference ("fix #317", "Fixes: #12", "closes #94") starts at
 * s, the end of it; else s. *fix says whether its verb is a fix word.
 */
static const char *issue_ref(const char *s, int *fix)
{
	static const struct {
		const char *verb;
		int fix;
	} verbs[] = {
		{ "fixes", 1 }, { "fixed", 1 }, { "fix", 1 }, { "closes", 0 }, { "closed", 0 },
		{ "close", 0 }, { "resolves", 0 }, { "resolved", 0 }, { "resolve", 0 },
	};
	int c = tolower((unsigned char)*s);

	if (c != 'f' && c != 'c' && c != 'r') /* cheap: most tokens start otherwise */
		return s;
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		size_t n = strlen(verbs[i].verb);
		const char *p = s + n;
		if (strncasecmp(s, verbs[i].verb, n) || is_word_char((unsigned char)*p))
			continue;
		p += *p == ':';
		while (*p == ' ')
			p++;
		if (*p != '#' || !isdigit((unsigned char)p[1]))
			return s;
		for (p++; isdigit((unsigned char)*p);)
			p++;
		*fix = verbs[i].fix;
		return p;
	}
	return s;
}

/* 1 if the subject refers to an issue it fixes: "... (fix #317)", "Fix #705". */
static int fixes_issue(const char *subject)
{
	int fix = 0;
	for (const char *p = subject; *p; p++)
		if (token_start(subject, p) && issue_ref(p, &fix) != p && fix)
			return 1;
	return 0;
}

static const char *skip_name(const char *base, const char *s)
{
	const char *close, *end;
	int fix;

	if (!*s || !token_start(base, s))
		return s;
	/* the issue it names may be a feature request: "Add range() (fix #317)" */
	if ((end = issue_ref(s, &fix)) != s)
		return end;
	if (*s == '-' && (s[1] == '-' || isalpha((unsigned char)s[1])))
		return s + strcspn(s, " \t)],\"'`");
	if (strchr("\"'`", *s) && (close = strchr(s + 1, *s)) && close > s + 1 &&
	    !memchr(s, ' ', (size_t)(close - s)) && !is_word_char((unsigned char)close[1]))
		return close + 1;
	if (is_path(s))
		return s + strcspn(s, " \t");
	return s;
}

/*
 * The next word of the text base at *p into buf (lower case, at most
 * MAX_WORD - 1 bytes): its length, or 0 at the end. A longer word comes
 * back truncated but with its full length, so it matches no list entry.
 * An apostrophe between two letters is part of the word ("don't"). With
 * skip_names, the names skip_name() finds and functions ("bug()") are
 * passed over.
 */
static size_t next_word(const char *base, const char **p, char *buf, int skip_names)
{
	const char *s = *p, *after;

	for (;;) {
		size_t n = 0;

		while (*s) {
			if (skip_names && (after = skip_name(base, s)) != s)
				s = after;
			else if (is_word_char((unsigned char)*s))
				break;
			else
				s++;
		}
		while (is_word_char((unsigned char)*s) ||
		       (*s == '\'' && n && isalpha((unsigned char)s[-1]) &&
			isalpha((unsigned char)s[1]))) {
			if (n < MAX_WORD - 1)
				buf[n] = (char)tolower((unsigned char)*s);
			n++;
			s++;
		}
		buf[n < MAX_WORD - 1 ? n : MAX_WORD - 1] = '\0';
		if (n && skip_names && *s == '(' && is_call(s))
			continue; /* a function's name */
		*p = s;
		return n;
	}
}

static void split_words(const char *s, struct words *w, int skip_names)
{
	const char *p = s;
	char buf[MAX_WORD];
	size_t n;

	w->nr = 0;
	w->area = 0;
	while (w->nr < MAX_WORDS && (n = next_word(s, &p, buf, skip_names))) {
		if (n >= MAX_WORD)
			continue; /* longer words match no keyword */
		memcpy(w->w[w->nr++], buf, n + 1);
	}
}

/*
 * The number of words of the subject's "area:" prefix ("rebase:",
 * "restore:", "Redis Benchmark:", "rebase --apply:"): at most three words
 * before the first ": ", within 40 bytes, no parenthesis. They name where
 * the change is, so verbs among them ("restore:") say nothing of it.
 * *tokens is the number of the prefix's tokens, options left out, and
 * *options the number of its options.
 */
static size_t area_words(const char *subject, size_t *tokens, size_t *options)
{
	const char *colon = subject, *p = subject;
	char buf[MAX_WORD];
	size_t n = 0, len;

	*tokens = *options = 0;
	while ((colon = strchr(colon, ':')) && colon[1] && colon[1] != ' ' && colon[1] != '\t')
		colon++;
	if (!colon || colon - subject >= 40 || memchr(subject, '(', (size_t)(colon - subject)))
		return 0;
	while ((len = next_word(subject, &p, buf, 1)) && p <= colon)
		n += len < MAX_WORD; /* as split_words, which drops longer words */
	for (p = subject; p < colon; p += strcspn(p, " \t")) {
		p += strspn(p, " \t");
		*tokens += p < colon && *p != '-';
		*options += p < colon && *p == '-';
	}
	return n <= 3 ? n : 0;
}

static const char *in_list(const char *word, const char *const *list)
{
	/* the first letters first: most words are in no list */
	for (const char *const *k = list; *k; k++)
		if (**k == *word && !strcmp(word, *k))
			return *k;
	return NULL;
}

/*
 * Where in the subject a list's words count: anywhere; not among the words
 * of the area prefix; or only where a verb opens the description (the
 * first word after the area, or the word after "to": "use X to avoid Y").
 */
enum where { ANYWHERE, NOT_AREA, OPENING, FIRST, FIRST_CLAUSE };

/* the words that end a subject's first clause ("..., so we don't need to") */
static const char *const clause_words[] = {
	"so", "that", "if", "when", "where", "which", "because", "since", "but", "and", "as",
	"unless", "until", "while", NULL,
};

static int counts_at(const struct words *w, size_t i, enum where where)
{
	switch (where) {
	case ANYWHERE:
		return 1;
	case NOT_AREA:
		return i >= w->area;
	case OPENING:
		return i == w->area || (i > w->area && !strcmp(w->w[i - 1], "to"));
	case FIRST:
		return i == w->area;
	case FIRST_CLAUSE:
		if (i < w->area)
			return 0;
		for (size_t j = w->area; j < i; j++)
			if (in_list(w->w[j], clause_words))
				return 0;
		return 1;
	}
	return 0;
}

/* The first word of w that is in list and counts there, or NULL. */
static const char *find_word(const struct words *w, const char *const *list, enum where where)
{
	for (size_t i = 0; i < w->nr; i++) {
		const char *k = counts_at(w, i, where) ? in_list(w->w[i], list) : NULL;
		if (k)
			return k;
	}
	return NULL;
}

/* 1 if phrase (words separated by single spaces) starts at word i. */
static int phrase_at(const struct words *w, size_t i, const char *phrase)
{
	const char *p = phrase;

	if (i < w->nr && w->w[i][0] != *phrase)
		return 0;
	for (; i < w->nr; i++) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (strlen(w->w[i]) != len || memcmp(w->w[i], p, len))
			return 0;
		if (!sp)
			return 1;
		p = sp + 1;
	}
	return 0;
}

static const char *find_phrase(const struct words *w, const char *const *list, enum where where)
{
	for (size_t i = 0; i < w->nr; i++)
		for (const char *const *k = list; *k && counts_at(w, i, where); k++)
			if (phrase_at(w, i, *k))
				return *k;
	return NULL;
}

/* CVE-<4 digits>-<4+ digits>, case-insensitive, not inside a word. */
static int has_cve(const char *s)
{
	for (const char *p = s; (p = strcasestr(p, "cve-")); p++) {
		size_t i;
		if (p > s && is_word_char((unsigned char)p[-1]))
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

/*
 * 1 if the subject names a C header ("time.h", "<sys/poll.h>",
 * "git-compat-util.hpp"): then "include" is about a missing declaration.
 */
static int names_header(const char *s)
{
	for (const char *p = s; (p = strstr(p, ".h")); p++) {
		const char *end = p + 2;
		if (*end == 'h' || *end == 'x')
			end += end[1] == 'p' ? 2 : 1; /* .hh, .hxx, .hpp */
		else if (*end == 'p' && end[1] == 'p')
			end += 2;
		if (p > s && is_word_char((unsigned char)p[-1]) && !is_word_char((unsigned char)*end))
			return 1;
	}
	return 0;
}

/*
 * 1 if the subject, after its "area:" prefix, is two or three tokens, the
 * last "command" ("rotate-window command.", "Streams: XDEL command.",
 * "List keys command."): it names a new command.
 */
static int names_command(const char *s)
{
	const char *colon = strstr(s, ": "), *last = NULL;
	size_t tokens = 0, n;

	if (colon && colon - s < 40)
		s = colon + 2;
	static const char *const not_new[] = {
		"remove", "removed", "drop", "dropped", "delete", "deleted", "retire", "retired",
		"deprecate", "deprecated", "rename", "renamed", "update", "updated", NULL,
	};
	char first[MAX_WORD] = "";

	for (const char *p = s; *(p += strspn(p, " \t")); p += strcspn(p, " \t")) {
		if (!tokens++) {
			size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
			for (size_t i = 0; i < len && i < MAX_WORD - 1; i++)
				first[i] = (char)tolower((unsigned char)p[i]);
			first[len < MAX_WORD - 1 ? len : MAX_WORD - 1] = '\0';
		}
		last = p;
	}
	/* "remove audit command", "relink: retire the command" */
	if (tokens < 2 || tokens > 3 || in_list(first, not_new))
		return 0;
	n = strcspn(last, " \t");
	n -= n && last[n - 1] == '.';
	return n == 7 && !strncasecmp(last, "command", 7);
}

/*
 * 1 if t is a version: "2.36.2", "v107", "0.20.x", "1.0.0-rc.1", "v5.0.0-beta2", "3.2a"
 * (a "v" or a dot is needed: "107" alone is a number).
 */
static int is_version(const char *t)
{
	const char *p = t;
	int dots = 0, v = 0;

	if (*p == 'v' || *p == 'V') {
		p++;
		v = 1;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p) || (*p == '.' && (isdigit((unsigned char)p[1]) ||
							     p[1] == 'x'))) {
		if (*p == '.' && p[1] == 'x') {
			p += 2; /* "0.20.x" */
			dots++;
			break;
		}
		dots += *p == '.';
		p++;
	}
	if (*p == '-' || *p == '.' || isalpha((unsigned char)*p)) {
		/* "-rc.1", ".dev", "a" of tmux's 3.2a, "rc1" */
		const char *start = p + !isalpha((unsigned char)*p), *suffix = start;
		while (isalpha((unsigned char)*suffix))
			suffix++;
		if (suffix == start)
			return 0;
		p = suffix + (*suffix == '.');
		while (isdigit((unsigned char)*p))
			p++;
	}
	return !*p && (v || dots);
}

/*
 * 1 if the subject is only a release's name: a version ("2.36.2", "v107",
 * "1.0.0-rc.1") with at most three other words, all of a release's
 * vocabulary save a first one, the project's name ("Git 2.36.2", "Redis
 * 7.0.5 GA", "Release version 2.0.1", "Bump version to 1.2"). A
 * trailing "(#123)" and a final "." are ignored.
 */
static int is_release_subject(const char *s)
{
	static const char *const vocabulary[] = {
		"release", "released", "releasing", "version", "bump", "bumped", "to", "for",
		"tag", "tagged", "prepare", "preparing", "ga", "final", "stable", "is", "out",
		"new", "the", "number", NULL,
	};
	size_t versions = 0, others = 0, first = 1;
	char tok[MAX_WORD];

	for (const char *p = s; *p;) {
		size_t n = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		while (p[n] && p[n] != ' ' && p[n] != '\t')
			n++;
		if (n && p[n - 1] == '.' && !p[n])
			n--; /* "Redis 2.6.0." */
		if (n >= MAX_WORD)
			return 0;
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		while (*p == '.')
			p++;
		if (tok[0] == '(' && tok[1] == '#')
			continue;
		if (is_version(tok)) {
			versions++;
		} else {
			for (char *c = tok; *c; c++) {
				if (!isalpha((unsigned char)*c) && *c != '-')
					return 0;
				*c = (char)tolower((unsigned char)*c);
			}
			if (!first && !in_list(tok, vocabulary))
				return 0;
			others++;
		}
		first = 0;
	}
	return versions == 1 && others <= 3;
}

/* --- paths --- */

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

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t sl = strlen(s), xl = strlen(suffix);
	return sl > xl && !strcasecmp(s + sl - xl, suffix);
}

static int any_suffix(const char *s, const char *const *list)
{
	for (const char *const *e = list; *e; e++)
		if (ends_with_ci(s, *e))
			return 1;
	return 0;
}

static int any_name(const char *s, const char *const *list)
{
	for (const char *const *e = list; *e; e++)
		if (!strcasecmp(s, *e))
			return 1;
	return 0;
}

int classify_is_manifest_path(const char *path)
{
	static const char *const names[] = {
		"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
		"pnpm-lock.yaml", "pnpm-workspace.yaml", "bun.lockb", "bun.lock", "deno.json",
		"deno.lock", "requirements.txt", "pyproject.toml", "poetry.lock", "pipfile",
		"pipfile.lock", "uv.lock", "setup.cfg", "cargo.toml", "cargo.lock", "go.mod",
		"go.sum", "go.work", "go.work.sum", "gemfile", "gemfile.lock", "composer.json",
		"composer.lock", "pom.xml", "build.gradle", "build.gradle.kts", "gradle.lockfile",
		"mix.exs", "mix.lock", "pubspec.yaml", "pubspec.lock", "podfile", "podfile.lock",
		"package.swift", "package.resolved", "flake.lock", "vcpkg.json", "conanfile.txt",
		"packages.lock.json", "renovate.json", ".npmrc", ".yarnrc.yml", NULL,
	};
	const char *base = basename_of(path);

	if (any_name(base, names) || ends_with_ci(base, ".gemspec"))
		return 1;
	/* requirements-dev.txt, test-requirements.txt, requirements/test.txt */
	return (strcasestr(base, "requirements") && ends_with_ci(base, ".txt")) ||
	       (has_dir_component(path, (const char *const[]){ "requirements", NULL }) &&
		ends_with_ci(base, ".txt"));
}

int classify_is_doc_path(const char *path)
{
	static const char *const dirs[] = { "docs", "doc", "documentation", "man", "po", NULL };
	static const char *const exts[] = {
		".md", ".markdown", ".mdx", ".rst", ".txt", ".adoc", ".asciidoc", ".texi",
		".pod", ".po", ".pot", NULL,
	};
	/* files named for what they document, with or without an extension */
	static const char *const stems[] = {
		"readme", "changes", "changelog", "news", "history", "authors", "contributors",
		"thanks", "release-notes", "releasenotes", "copying", "license", "licence",
		"contributing", "code_of_conduct", "security", "maintainers", "todo", NULL,
	};
	const char *base = basename_of(path), *dot;
	size_t stem;

	if (!strcasecmp(base, "CMakeLists.txt") || classify_is_manifest_path(path))
		return 0;
	if (has_dir_component(path, dirs) || any_suffix(base, exts))
		return 1;
	/* a man page: name.1 ... name.9 */
	dot = strrchr(base, '.');
	if (dot && dot > base && dot[1] >= '1' && dot[1] <= '9' && !dot[2])
		return 1;
	stem = dot && dot > base ? (size_t)(dot - base) : strlen(base);
	for (const char *const *s = stems; *s; s++)
		if (strlen(*s) == stem && !strncasecmp(base, *s, stem))
			return 1;
	return 0;
}

int classify_is_test_path(const char *path)
{
	static const char *const dirs[] = {
		"tests", "test", "t", "spec", "specs", "__tests__", "__mocks__", "testing",
		"testsuite", "unittests", "e2e", NULL,
	};
	const char *base = basename_of(path);
	const char *dot = strchr(base, '.');

	if (has_dir_component(path, dirs))
		return 1;
	if (!dot)
		return 0;
	/* test_*.*, test-*.* */
	if ((!strncasecmp(base, "test_", 5) || !strncasecmp(base, "test-", 5)) && dot > base + 5)
		return 1;
	/* *_test.*, *_tests.*, FooTest.*, FooTests.*, *.test.*, *.spec.* */
	for (const char *p = dot; p; p = strchr(p + 1, '.')) {
		if ((p - base >= 5 && !strncasecmp(p - 5, "_test", 5)) ||
		    (p - base >= 6 && !strncasecmp(p - 6, "_tests", 6)) ||
		    (p - base > 4 && !strncmp(p - 4, "Test", 4)) ||
		    (p - base > 5 && !strncmp(p - 5, "Tests", 5)))
			return 1;
		if (!strncasecmp(p, ".test.", 6) || !strncasecmp(p, ".spec.", 6))
			return 1;
	}
	return 0;
}

/* CI configuration and repository bookkeeping: no code, no docs. */
static int is_ci_path(const char *path)
{
	static const char *const dirs[] = { ".github", ".circleci", ".buildkite", ".azure-pipelines", NULL };
	static const char *const names[] = {
		".travis.yml", "appveyor.yml", ".appveyor.yml", ".gitlab-ci.yml", ".cirrus.yml",
		"azure-pipelines.yml", "jenkinsfile", ".drone.yml", ".gitignore", ".gitattributes",
		".mailmap", ".editorconfig", ".clang-format", ".pre-commit-config.yaml",
		".git-blame-ignore-revs", "codecov.yml", ".codecov.yml", "todo-release", NULL,
	};
	return has_dir_component(path, dirs) || any_name(basename_of(path), names);
}

/* manifests, build and CI files, as file_role() sees them */
static int is_build_path(const char *path)
{
	return !strcmp(file_role(path, NULL), FILE_ROLE_BUILD) || is_ci_path(path);
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

/*
 * 1 if tests are among the n paths and no source file is, as file_role()
 * sees them: a change to tests and their build, data or docs.
 */
static int tests_not_code(const char *const *paths, size_t n)
{
	int tests = 0;
	for (size_t i = 0; i < n; i++) {
		const char *role = file_role(paths[i], NULL);
		if (!strcmp(role, FILE_ROLE_SOURCE))
			return 0;
		tests |= !strcmp(role, FILE_ROLE_TEST) || classify_is_test_path(paths[i]);
	}
	return tests;
}

/* --- the subject's header --- */

/* Skip leading "[PATCH ...]" / "[RFC PATCH v2 1/3]" tags of mailed patches. */
/*
 * A ChangeLog entry made a commit's subject, as OpenSSH's older history
 * is: "- markus@cvs.openbsd.org 2003/08/14 16:08:58 [ssh-keygen.c] exit
 * after primetest", "- (djm) [configure.ac] Fix ...". The description
 * after the dash, the (name) or the committer and time, and the [files];
 * s itself if s is no such entry.
 */
static const char *skip_changelog_header(const char *s)
{
	const char *p = s, *q;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '-' || (p[1] != ' ' && p[1] != '\t'))
		return s;
	p += strspn(p + 1, " \t") + 1;
	if (*p == '(' && (q = strchr(p, ')')) && q - p < 24 && !memchr(p, ' ', (size_t)(q - p))) {
		p = q + 1;
	} else {
		size_t w = strcspn(p, " \t");
		if (!memchr(p, '@', w))
			return s;
		p += w;
		while (*p == ' ' || *p == '\t' || *p == '/' || *p == ':' || isdigit((unsigned char)*p))
			p++;
	}
	p += strspn(p, " \t");
	if (*p != '[' || !(q = strchr(p, ']')))
		return s;
	p = q + 1;
	p += strspn(p, " \t");
	return *p ? p : s;
}

static const char *skip_patch_tags(const char *s)
{
	for (;;) {
		const char *close;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '[' || !(close = strchr(s, ']')))
			return s;
		if (strncasecmp(s + 1, "patch", 5) && strncasecmp(s + 1, "rfc", 3))
			return s;
		s = close + 1;
	}
}

/*
 * A Conventional Commits header "type(scope)!: ...": the type or NULL;
 * scope (not NUL-terminated) and its length in *scope, *scope_len.
 */
static const struct cc_type *conventional_type(const char *s, const char **scope,
					       size_t *scope_len)
{
	size_t n = 0;
	const char *p;

	*scope = NULL;
	*scope_len = 0;
	while (isalpha((unsigned char)s[n]))
		n++;
	if (!n)
		return NULL;
	p = s + n;
	if (*p == '(') {
		const char *close = strchr(p, ')');
		if (!close || memchr(p, ':', (size_t)(close - p)))
			return NULL;
		*scope = p + 1;
		*scope_len = (size_t)(close - p - 1);
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

static int scope_is(const char *scope, size_t len, const char *name)
{
	return scope && strlen(name) == len && !strncasecmp(scope, name, len);
}

/* --- deciding --- */

static void decide(struct classification *out, const char *type, const char *kind,
		   const char *what)
{
	size_t n;

	out->problem_type = type;
	snprintf(out->rule, sizeof(out->rule), "%s%s%s", kind, what ? ":" : "", what ? what : "");
	/* "phrase:speed up" reads as "phrase:speed-up" */
	n = strlen(kind) + 1;
	for (char *c = out->rule + (n < sizeof(out->rule) ? n : 0); *c; c++)
		if (*c == ' ')
			*c = '-';
}

/*
 * The area prefix of w, in words. A prefix of two or three tokens whose
 * first or last word names a kind ("New commands:", "Cluster refactor:",
 * "SSL cleanup:") describes the change rather than its place, and is
 * none; but one token ("add:", "git-add:", "restore:"), one with an option
 * ("add -p:", "git add -u:") or one starting with "git" is a command's name.
 */
static size_t area_of(const struct words *w, const char *subject)
{
	static const char *const *const kinds[] = {
		feature_conf_words, feature_more_words, refactoring_words, fix_words,
		defect_words, optimization_words,
	};
	size_t tokens, options, n = area_words(subject, &tokens, &options);

	if (tokens < 2 || options || !n || n > w->nr || !strcmp(w->w[0], "git"))
		return n;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		if (in_list(w->w[0], kinds[k]) || in_list(w->w[n - 1], kinds[k]))
			return 0;
	return n;
}

/*
 * The first of words, else of phrases, in w where they count; NULL if
 * none. *kind says which it was ("keyword" or "phrase"), for the rule's
 * name.
 */
static const char *find_any(const struct words *w, const char *const *words,
			    const char *const *phrases, enum where where, const char **kind)
{
	const char *k = words ? find_word(w, words, where) : NULL;
	*kind = "keyword";
	if (k || !phrases)
		return k;
	*kind = "phrase";
	return find_phrase(w, phrases, where);
}

/* 1 if a defect word of w is one that documentation cannot have (crash, leak, ...). */
static int has_code_defect(const struct words *w)
{
	for (size_t i = 0; i < w->nr; i++)
		if (in_list(w->w[i], defect_words) && !in_list(w->w[i], doc_defect_words))
			return 1;
	return 0;
}

/*
 * The linter word of w whose findings the subject fixes, or NULL: one
 * after a fix word or before a word of its findings ("Fix clippy
 * warnings", "fix shellcheck SC2046 warnings", "Apply clippy
 * suggestions", "make lint happier"), or the whole subject ("Lint"). Not
 * one that names a linter being worked on ("doc lint: fix bugs in ...
 * lint script", "tests: fix and add lint for non-portable seq").
 */
static const char *lint_fix(const struct words *w)
{
	for (size_t i = w->area; i < w->nr; i++) {
		const char *k = in_list(w->w[i], lint_words);
		if (k && ((i > w->area && in_list(w->w[i - 1], lint_before)) ||
			  (i + 1 < w->nr && in_list(w->w[i + 1], lint_after)) || w->nr == w->area + 1))
			return k;
	}
	return NULL;
}

/*
 * 1 if the subject opens (after its area prefix) with add, implement,
 * introduce or support: then it names a feature, and a "should" later on
 * describes it.
 */
static int starts_with_feature_verb(const struct words *w)
{
	static const char *const verbs[] = {
		"add", "adds", "added", "adding", "implement", "implements", "implemented",
		"implementing", "introduce", "introduces", "introduced", "introducing", "support",
		"supports", NULL,
	};
	return w->area < w->nr && in_list(w->w[w->area], verbs);
}

/*
 * Rule 9, the subject's words, as a table: the steps in order, each a kind,
 * its words (else phrases), where in the subject they count, and what else
 * the subject must show for the step to apply.
 */
enum {
	NO_DEFECT = 1 << 0,	      /* the subject names no defect (crash, leak, ...) */
	DOC_FIX = 1 << 1,	      /* a fix word or correct/clarify, and no code word */
	WARNING_VERB = 1 << 2,	      /* suppress, squelch, silence, ... */
	NOT_FEATURE_OPENING = 1 << 3, /* the subject does not open with add, implement, ... */
	FEATURE_WORD = 1 << 4,	      /* a feature word is there too */
	BODY_CVE = 1 << 5,	      /* no words: a CVE id in the body */
	NO_CODE_DEFECT = 1 << 7,      /* no defect word but those docs can have too */
	TESTS_NOT_CODE = 1 << 8,      /* tests changed, and no source file outside them */
	HEADER = 1 << 6,	      /* the subject names a C header (time.h) */
	NAMES_COMMAND = 1 << 9,	      /* no words: the subject only names a command */
	BUILD_ONLY = 1 << 10,	      /* every file changed is a build or CI file */
	LINT_FIX = 1 << 11,	      /* no words: a linter's findings fixed (lint_fix()) */
	HONOR_OPENING = 1 << 12,      /* honor or respect opens the subject */
	NO_CODE_WORD = 1 << 13,	      /* no word of code that reads text (parse, strip, ...) */
	FEATURE_OPENING = 1 << 14,    /* the subject opens with add, implement, ... */
	MAKE_BUILDS = 1 << 15,	      /* no words: "make" opens it and compile or build follows */
	NO_LINT_WORD = 1 << 16,	      /* no linter named ("ignore undefined names in flake8") */
};

struct word_step {
	const char *problem_type;
	const char *const *words, *const *phrases;
	enum where where;
	unsigned needs;
};

static const struct word_step word_steps[] = {
	{ PT_DOCUMENTATION, typo_words, typo_phrases, ANYWHERE, NO_DEFECT },
	{ PT_SECURITY, security_words, NULL, ANYWHERE, 0 },
	{ PT_SECURITY, NULL, NULL, ANYWHERE, BODY_CVE },
	{ PT_DOCUMENTATION, doc_object_words, doc_object_phrases, ANYWHERE, NO_CODE_DEFECT | DOC_FIX },
	/* not "Fix line numbers when whitespace stripping is used" */
	{ PT_UNKNOWN, style_words, style_phrases, ANYWHERE, NO_DEFECT | NO_CODE_WORD },
	/* "added support to dump registers on crash" */
	{ PT_FEATURE, NULL, add_support_phrases, OPENING, 0 },
	/* "Fix flaky replication test" changing a test and the CI setup */
	{ PT_TESTING, testing_words, NULL, ANYWHERE, TESTS_NOT_CODE },
	/* "Fix clippy warnings", "fix lint": refactoring, unless a defect is named */
	{ PT_REFACTORING, NULL, NULL, NOT_AREA, NO_DEFECT | LINT_FIX },
	{ PT_BUG_FIX, defect_words, defect_phrases, ANYWHERE, 0 },
	{ PT_BUG_FIX, fix_words, NULL, ANYWHERE, 0 },
	{ PT_BUG_FIX, warning_words, NULL, ANYWHERE, WARNING_VERB },
	{ PT_OPTIMIZATION, optimization_words, optimization_phrases, ANYWHERE, 0 },
	{ PT_OPTIMIZATION, fast_path_words, fast_path_phrases, OPENING, 0 },
	{ PT_OPTIMIZATION, fast_path_words, fast_path_phrases, NOT_AREA, FEATURE_OPENING },
	{ PT_REFACTORING, refactoring_words, refactoring_phrases, NOT_AREA, 0 },
	{ PT_REFACTORING, NULL, not_needed_phrases, FIRST_CLAUSE, 0 },
	{ PT_BUG_FIX, NULL, report_phrases, ANYWHERE, 0 },
	{ PT_BUG_FIX, include_words, NULL, ANYWHERE, HEADER },
	/* "honor the NO_COLOR env var" */
	{ PT_FEATURE, environment_words, NULL, NOT_AREA, HONOR_OPENING },
	/* "Add a module API for commands that should be handled..." is a feature */
	{ PT_BUG_FIX, weak_bug_words, weak_bug_phrases, NOT_AREA, NOT_FEATURE_OPENING },
	{ PT_BUG_FIX, weak_bug_verbs, NULL, OPENING, NOT_FEATURE_OPENING },
	{ PT_BUG_FIX, first_bug_verbs, NULL, FIRST, NOT_FEATURE_OPENING },
	{ PT_TESTING, NULL, add_test_phrases, OPENING, 0 },
	/*
	 * "Add armhf build to Travis CI", "Added a Meson project", "Makefile
	 * CI target for powerpc tests": the words of a feature, a test or docs
	 * on build and CI files alone are build configuration
	 */
	{ PT_UNKNOWN, feature_conf_words, NULL, NOT_AREA, BUILD_ONLY },
	{ PT_UNKNOWN, feature_more_words, NULL, NOT_AREA, BUILD_ONLY },
	{ PT_UNKNOWN, testing_words, NULL, ANYWHERE, BUILD_ONLY },
	{ PT_UNKNOWN, doc_words, NULL, ANYWHERE, BUILD_ONLY },
	/* "Add comment explaining the +1", "added doc for MGET" */
	{ PT_DOCUMENTATION, doc_object_words, NULL, ANYWHERE, FEATURE_WORD },
	/* "rotate-window command.", "Streams: XDEL command." */
	{ PT_FEATURE, NULL, NULL, ANYWHERE, NAMES_COMMAND },
	{ PT_FEATURE, feature_conf_words, NULL, NOT_AREA, 0 },
	{ PT_FEATURE, feature_more_words, NULL, NOT_AREA, 0 },
	{ PT_FEATURE, feature_verbs, NULL, OPENING, 0 },
	{ PT_TESTING, testing_words, NULL, ANYWHERE, 0 },
	{ PT_FEATURE, stabilize_verbs, NULL, OPENING, 0 },
	{ PT_DOCUMENTATION, doc_words, NULL, ANYWHERE, 0 },
};

/*
 * Rule 11, the subject's weaker words, read after the body: something
 * working again, then the verbs of a refactoring.
 */
static const struct word_step late_steps[] = {
	{ PT_BUG_FIX, NULL, again_phrases, NOT_AREA, 0 },
	{ PT_REFACTORING, refactoring_verbs, stop_using_phrases, OPENING, 0 },
	{ PT_REFACTORING, structure_words, NULL, NOT_AREA, 0 },
	{ PT_FEATURE, late_feature_verbs, NULL, OPENING, 0 },
	{ PT_BUG_FIX, NULL, NULL, NOT_AREA, MAKE_BUILDS },
	{ PT_BUG_FIX, restrict_words, NULL, FIRST, 0 },
	{ PT_BUG_FIX, tolerate_verbs, NULL, FIRST, NO_LINT_WORD },
	{ PT_BUG_FIX, case_words, NULL, NOT_AREA, 0 },
};

/* 1 if the subject's words (or a CVE id in the body) decided, by steps. */
static int decide_by_words(const struct words *w, const char *subject, const char *body,
			   unsigned have, const struct word_step *steps, size_t nr,
			   struct classification *out)
{
	have |= BODY_CVE;
	const char *kind, *k, *lint = lint_fix(w);

	if (lint)
		have |= LINT_FIX;
	if (!find_any(w, defect_words, defect_phrases, ANYWHERE, &kind))
		have |= NO_DEFECT | NO_CODE_DEFECT;
	else if (!find_phrase(w, defect_phrases, ANYWHERE) && !has_code_defect(w))
		have |= NO_CODE_DEFECT;
	if ((find_word(w, fix_words, ANYWHERE) || find_word(w, doc_fix_verbs, ANYWHERE)) &&
	    !find_word(w, text_code_words, ANYWHERE) && !find_word(w, handle_words, ANYWHERE))
		have |= DOC_FIX;
	if (find_word(w, warning_verbs, ANYWHERE))
		have |= WARNING_VERB;
	if (!find_word(w, text_code_words, ANYWHERE))
		have |= NO_CODE_WORD;
	if (!starts_with_feature_verb(w))
		have |= NOT_FEATURE_OPENING;
	else
		have |= FEATURE_OPENING;
	if (find_word(w, feature_conf_words, NOT_AREA) || find_word(w, feature_more_words, NOT_AREA))
		have |= FEATURE_WORD;
	if (names_header(subject))
		have |= HEADER;
	if (find_word(w, honor_verbs, FIRST))
		have |= HONOR_OPENING;
	if (names_command(subject))
		have |= NAMES_COMMAND;
	if (find_word(w, make_verbs, FIRST) && find_word(w, build_words, NOT_AREA))
		have |= MAKE_BUILDS;
	if (!find_word(w, lint_words, ANYWHERE))
		have |= NO_LINT_WORD;

	for (size_t i = 0; i < nr; i++) {
		const struct word_step *step = &steps[i];
		if ((step->needs & have) != step->needs)
			continue;
		if (step->needs & BODY_CVE) {
			if (has_cve(body)) {
				decide(out, step->problem_type, "body", "cve");
				return 1;
			}
		} else if (step->needs & NAMES_COMMAND) {
			decide(out, step->problem_type, "subject", "command");
			return 1;
		} else if (step->needs & MAKE_BUILDS) {
			decide(out, step->problem_type, "phrase", "make builds");
			return 1;
		} else if (step->needs & LINT_FIX) {
			decide(out, step->problem_type, "lint", lint);
			return 1;
		} else if ((k = find_any(w, step->words, step->phrases, step->where, &kind))) {
			if (step->needs & BUILD_ONLY) { /* the files decided, not the word */
				kind = "files";
				k = "build-only";
			}
			decide(out, step->problem_type, kind, k);
			return 1;
		}
	}
	return 0;
}

/*
 * 1 if the subject is a dependency update by its words: "update", "upgrade"
 * or "bump" opening it, and "to <version>" later ("Update jemalloc to
 * 5.2.1", "fix: upgrade esbuild to 0.20.x"). *verb is the verb.
 */
static int is_dependency_update(const struct words *w, const char *subject, const char **verb)
{
	if (!(*verb = find_word(w, bump_verbs, OPENING)))
		return 0;
	for (const char *p = subject; (p = strcasestr(p, " to ")); p++) {
		char tok[MAX_WORD];
		size_t n = strcspn(p + 4, " \t,;)");
		if (n && n < MAX_WORD) {
			memcpy(tok, p + 4, n);
			tok[n] = '\0';
			if (n > 1 && tok[n - 1] == '.')
				tok[n - 1] = '\0';
			if (is_version(tok))
				return 1;
		}
	}
	return 0;
}

/* Rule 10, when the subject was silent: a trailer reporting a bug. */
static int decide_by_trailers(const char *body, struct classification *out)
{
	for (const char *line = body; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		while (*line == ' ' || *line == '\t')
			line++;
		for (size_t i = 0; i < ARRAY_SIZE(bug_trailers); i++)
			if (!strncasecmp(line, bug_trailers[i].prefix, strlen(bug_trailers[i].prefix))) {
				decide(out, PT_BUG_FIX, "trailer", bug_trailers[i].name);
				return 1;
			}
	}
	return 0;
}

/*
 * Rule 10, then: the body's defect words, in its first paragraph (up to a
 * blank line: later ones often tell of other bugs), and its fix phrases
 * anywhere ("This fixes ...", "Fix this by ...", "... which fixed ...").
 */
static int decide_by_body(const char *body, struct classification *out)
{
	static const char *const fix_objects[] = { "this", "it", "that", NULL };
	char buf[MAX_WORD], prev[MAX_WORD] = "";
	const char *p = body, *end = strstr(body, "\n\n");
	size_t n;

	while ((n = next_word(body, &p, buf, 1))) {
		const char *k = NULL;
		if (n >= MAX_WORD)
			buf[0] = '\0';
		else if (!end || p <= end)
			k = in_list(buf, body_bug_words);
		if (!k && in_list(prev, fix_subjects))
			k = in_list(buf, body_fix_words);
		if (!k && in_list(buf, fix_objects))
			k = in_list(prev, body_fix_words);
		if (k) {
			decide(out, PT_BUG_FIX, "body", k);
			return 1;
		}
		memcpy(prev, buf, sizeof(prev));
	}
	return 0;
}

/*
 * A CVS commit's header line, as OpenBSD's converted commits carry them
 * ("revision 1.48", "date: 2019/02/04 16:45:40;  author: millert; ..."):
 * the length of the line with its newline, or 0.
 */
static size_t cvs_header_line(const char *p)
{
	size_t n = strcspn(p, "\n");

	if ((!strncmp(p, "revision ", 9) && isdigit((unsigned char)p[9])) ||
	    (!strncmp(p, "date: ", 6) && memmem(p, n, "author: ", 8)))
		return n + (p[n] == '\n');
	return 0;
}

/*
 * 1 if the subject is only a heading (it ends with ':', or it is
 * "upstream commit", OpenSSH's subject for commits brought from OpenBSD)
 * and the body has a first paragraph: then that paragraph, CVS header
 * lines left out, its lines joined by spaces and cut at a word's end to
 * fit, is in buf (of size len).
 */
static int continued_subject(const char *subject, const char *body, char *buf, size_t len)
{
	size_t n = strlen(subject), k = 0, skip;

	while (n && isspace((unsigned char)subject[n - 1]))
		n--;
	if (!n || (subject[n - 1] != ':' && !(n == 15 && !strncasecmp(subject, "upstream commit", n))))
		return 0;
	while (*body == '\n' || *body == ' ' || *body == '\t')
		body++;
	while ((skip = cvs_header_line(body)))
		body += skip;
	for (const char *p = body; *p && k + 1 < len; p++) {
		if (*p == '\n' && (p[1] == '\n' || !p[1]))
			break;
		buf[k++] = *p == '\n' || *p == '\t' ? ' ' : *p;
	}
	if (k + 1 >= len) /* cut: drop the last, maybe partial, word */
		while (k && buf[k - 1] != ' ')
			k--;
	buf[k] = '\0';
	return k > 0;
}

void classify_commit(const char *subject, const char *body, const char *const *paths,
		     size_t npaths, size_t max_files, struct classification *out)
{
	struct words w;
	const struct cc_type *cc;
	const char *scope, *s;
	size_t scope_len;
	unsigned have = 0;
	char n[32], para[256];

	memset(out, 0, sizeof(*out));
	if (!body)
		body = "";
	/*
	 * The confidence flags read the whole subject as words, "[PATCH]",
	 * "--fixup" and "bug()" too (the seed's rule); the rules read it
	 * without the tags and the names, knowing its area prefix.
	 */
	split_words(subject, &w, 0);
	out->bug_keyword = !!find_word(&w, bug_conf_words, ANYWHERE);
	out->feature_keyword = !!find_word(&w, feature_conf_words, ANYWHERE);

	subject = skip_patch_tags(skip_changelog_header(subject));
	split_words(subject, &w, 1);
	w.area = area_of(&w, subject);
	cc = conventional_type(subject, &scope, &scope_len);
	if (cc) {
		if (!strcasecmp(cc->type, "fix"))
			out->bug_keyword = 1;
		if (!strcasecmp(cc->type, "feat"))
			out->feature_keyword = 1;
	}

	/* 1. reverts */
	if (!strncasecmp(subject, "Revert \"", 8) || !strncasecmp(subject, "Revert '", 8) ||
	    (cc && !strcasecmp(cc->type, "revert"))) {
		decide(out, PT_UNKNOWN, "revert", NULL);
		return;
	}
	/* 2. dependency updates by their scope; 3. the types of no kind (table order) */
	if (cc && (scope_is(scope, scope_len, "deps") || scope_is(scope, scope_len, "deps-dev") ||
		   scope_is(scope, scope_len, "dev-deps"))) {
		decide(out, PT_UNKNOWN, "conventional", "deps");
		return;
	}
	if (cc && !strcmp(cc->problem_type, PT_UNKNOWN)) {
		decide(out, PT_UNKNOWN, "conventional", cc->type); /* the table's lower case */
		return;
	}

	/* 4. mechanical commits, 5. the kinds of files changed */
	if (!paths) {
		out->needs_paths = 1;
	} else if (max_files && npaths > max_files) {
		snprintf(n, sizeof(n), "%zu-files", npaths);
		decide(out, PT_UNKNOWN, "mechanical", n);
		return;
	} else if (all_paths(paths, npaths, classify_is_manifest_path)) {
		decide(out, PT_UNKNOWN, "files", "manifests-only");
		return;
	} else if (all_paths(paths, npaths, classify_is_doc_path)) {
		decide(out, PT_DOCUMENTATION, "files", "docs-only");
		return;
	} else if (all_paths(paths, npaths, classify_is_test_path)) {
		decide(out, PT_TESTING, "files", "tests-only");
		return;
	} else if (all_paths(paths, npaths, is_ci_path)) {
		decide(out, PT_UNKNOWN, "files", "ci-only");
		return;
	}

	/* 6. a dependency update by its words, whatever its type (a release is 8) */
	if (!is_release_subject(subject) && is_dependency_update(&w, subject, &s)) {
		decide(out, PT_UNKNOWN, "dependency", s);
		return;
	}
	/* 7. a known Conventional Commits type, refined by a test or docs scope */
	if (cc) {
		if (scope_is(scope, scope_len, "test") || scope_is(scope, scope_len, "tests"))
			decide(out, PT_TESTING, "conventional", "test");
		else if (scope_is(scope, scope_len, "docs"))
			decide(out, PT_DOCUMENTATION, "conventional", "docs");
		else
			decide(out, cc->problem_type, "conventional", cc->type);
		return;
	}
	/* file_role() per path costs: only when a testing word could use it */
	if (paths && find_word(&w, testing_words, ANYWHERE) && tests_not_code(paths, npaths))
		have |= TESTS_NOT_CODE;
	if (paths && all_paths(paths, npaths, is_build_path))
		have |= BUILD_ONLY;
	/* 8. a release's name */
	if (is_release_subject(subject)) {
		decide(out, PT_UNKNOWN, "release", NULL);
		return;
	}
	/*
	 * 9. the subject's words; a subject that is only a heading ("Sync
	 * OpenBSD patchset 217:") and says nothing is continued by the body's
	 * first paragraph, whose words are read instead from here on
	 */
	if (decide_by_words(&w, subject, body, have, word_steps, ARRAY_SIZE(word_steps), out))
		return;
	if (continued_subject(subject, body, para, sizeof(para))) {
		split_words(para, &w, 1);
		w.area = area_of(&w, para);
		have &= ~TESTS_NOT_CODE;
		if (paths && find_word(&w, testing_words, ANYWHERE) && tests_not_code(paths, npaths))
			have |= TESTS_NOT_CODE;
		subject = para;
		if (decide_by_words(&w, subject, body, have, word_steps, ARRAY_SIZE(word_steps), out))
			return;
	}
	/*
	 * 10. the body's trailers, an issue the subject says it fixes, the
	 * body's first paragraph; 11. the subject's weaker words; 12. none
	 */
	if (fixes_issue(subject)) {
		decide(out, PT_BUG_FIX, "issue", "fixes");
		return;
	}
	if (decide_by_trailers(body, out) || decide_by_body(body, out) ||
	    decide_by_words(&w, subject, body, have, late_steps, ARRAY_SIZE(late_steps), out))
		return;
	decide(out, PT_UNKNOWN, "none", NULL);
}
