/*
 * pattern: what a pattern is, and the rules that every part of
 * git-patterns (extractor, store, exporter, team server, sync) must compute
 * identically: pattern_id, solution_hash, confidence, and the JSONL record.
 */
#ifndef PATTERN_H
#define PATTERN_H

#include "common/json.h"
#include "common/strbuf.h"
#include <stddef.h>

/* The problem types, as written in JSON and the store. */
#define PT_BUG_FIX "bug_fix"
#define PT_FEATURE "feature_addition"
#define PT_REFACTORING "refactoring"
#define PT_OPTIMIZATION "optimization"
#define PT_SECURITY "security"
#define PT_TESTING "testing"
#define PT_DOCUMENTATION "documentation"
#define PT_UNKNOWN "unknown"

/* 1 if s is one of the problem types above. */
int problem_type_valid(const char *s);

/*
 * A Git LFS pointer: a text under LFS_POINTER_MAX bytes that starts with
 * the spec's first line. The file itself is kept elsewhere, so its
 * pointer is not a pattern (pattern_store_drop_lfs_pointers() drops those
 * that versions before this rule stored).
 */
#define LFS_POINTER_FIRST "version https://git-lfs.github.com/spec/"
#define LFS_POINTER_MAX 1024

struct pattern {
	char pattern_id[17];	/* first 16 hex of sha256("<commit>:<path>") */
	const char *problem_type;
	const char *rule;	/* the classifier rule that decided problem_type; NULL: "" */
	const char *before_code;
	size_t before_len;
	const char *after_code;
	size_t after_len;
	const char *commit_msg;	/* subject line */
	const char *commit_body;
	const char *author;	/* email */
	const char *author_name;
	const char *date;	/* "YYYY-MM-DD HH:MM:SS", author time in author's zone */
	double confidence;
	char commit[41];
	const char *file_path;
	const char *old_path;	/* renames only, else NULL */
	const char *language;
	char solution_hash[65];
	const char *file_role;	/* source, test, docs, build, other (common/file-role.h) */
	int code_change;	/* 0: only comments, whitespace or blank lines changed */
	const char *hunks;	/* hunks_format() of its hunks; NULL: one (local store only) */
};

/* pattern_id: the first 16 hex digits of SHA-256 of "<commit>:<path>". */
void pattern_make_id(char out[17], const char *commit_hex, const char *path);

/*
 * solution_hash: SHA-256 hex of norm(before) "\0" norm(after), where norm
 * turns CRLF into LF and strips trailing spaces and tabs from each line,
 * over the text as it is sent: bytes that are not valid UTF-8 count as
 * U+FFFD, so the JSONL, the local store and the server agree.
 */
void pattern_solution_hash(char out[65], const char *before, size_t before_len,
			   const char *after, size_t after_len);

/*
 * The seed's confidence rule: 0.5; +0.2 bug-fix keyword; +0.15 feature
 * keyword; +0.15 both sides non-empty else +0.05 one; +0.1 longer side over
 * 100 characters, +0.1 more over 500; capped at 1.0, rounded to 2 decimals.
 * Lengths are in characters (code points) of the stored text.
 */
double pattern_confidence(int has_bug_keyword, int has_feature_keyword,
			  size_t before_chars, size_t after_chars);

/*
 * The extraction variant: the options that change a pattern's code
 * ("ctx=3,max=1048576" or "whole,max=1048576"). Patterns and processed
 * marks are kept per variant, so changing --context re-extracts.
 */
void pattern_variant(struct strbuf *out, int whole_file, int context_lines,
		     long long max_file_size);

/* Append p as one JSONL record (no trailing newline), fields in SPEC order. */
void pattern_write_jsonl(struct strbuf *out, const struct pattern *p);

#endif
