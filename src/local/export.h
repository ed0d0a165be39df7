/*
 * export: write patterns from the store as JSONL (the extractor's records)
 * or CommitPack-style records. Used by "extract --output" and "export".
 *
 * Order is fixed so that the same store and options give byte-identical
 * files: with a range, in the range's order (git log order, newest first),
 * then by path; without, newest committer time first, then commit, then path.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include "local/store.h"
#include <git2.h>
#include <stdio.h>

enum export_format { EXPORT_JSONL, EXPORT_COMMITPACK };

struct export_options {
	enum export_format format;
	const char *variant;	  /* extraction variant (pattern_variant()); NULL: any */
	const char *problem_type; /* NULL: any */
	const char *language;	  /* NULL: any */
	long long since;	  /* committer time >= since; 0: any */
	double min_confidence;
	int include_unknown;	  /* else problem_type 'unknown' is left out */
	int include_team;	  /* also patterns pulled from the team server */
	int include_obsolete;	  /* also patterns of commits rewritten away */
	/*
	 * Restrict to the commits of export_set_range(), in its order.
	 */
	int use_range;
	/*
	 * CommitPack provenance: the repository the commits are read from (for
	 * "license", the license file at each commit; NULL: none) and its
	 * canonical URL ("repos"; NULL: "").
	 */
	git_repository *repo;
	const char *repos;
	const char *file_role;	  /* NULL: any (source, test, docs, build, other) */
	int code_only;		  /* only patterns whose change is code */
};

#define EXPORT_OPTIONS_INIT { EXPORT_JSONL, NULL, NULL, NULL, 0, 0.0, 0, 0, 0, 0, NULL, NULL, NULL, 0 }

/* The range of use_range: the commits ids[0..nr), in that order. */
int export_set_range(struct store *s, const git_oid *ids, size_t nr);
/* Write the matching patterns to out (out_name names it in errors); *count gets how many. 0 or -1 (err_set). */
int export_patterns(struct store *s, const struct export_options *o, FILE *out,
		    const char *out_name, size_t *count);

/*
 * Export to path ("-": stdout). A file is written to "<path>.tmp-<pid>",
 * flushed and renamed into place, so a failure never leaves a half-written
 * file where the user asked for one.
 */
int export_to_path(struct store *s, const struct export_options *o, const char *path,
		   size_t *count);

#endif
