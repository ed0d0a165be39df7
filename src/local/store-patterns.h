/*
 * store-patterns: the one module that reads and writes the patterns table,
 * its full-text index (patterns_fts) and the temporary export range. Every
 * other module goes through these functions; none prepares SQL on them.
 *
 * Rows are handed out one at a time through a callback (nothing
 * accumulates); the strings of a row live until the callback returns.
 * Every function returns 0 (or what a callback returned), or -1 with
 * err_set naming the store.
 */
#ifndef STORE_PATTERNS_H
#define STORE_PATTERNS_H

#include "local/store.h"
#include "common/pattern.h"

#include <git2.h>
#include <stddef.h>

struct pattern_row {
	long long rowid;
	const char *pattern_id, *problem_type, *language, *file_path, *old_path;
	const char *commit_msg, *commit_body, *commit_id, *author, *author_name, *date;
	const char *origin, *server_id, *solution_hash, *variant;
	const char *rule; /* the classifier rule that decided problem_type ("" if unknown) */
	const char *before_code, *after_code; /* only when asked for with the code */
	size_t before_len, after_len;
	double confidence;
	long long success_count;
	int obsolete;
	const char *file_role;	/* "" until pattern_store_fill_quality() */
	int code_change;
};

typedef int (*pattern_row_fn)(const struct pattern_row *row, void *data);

/* ---- listing and search (list, search, sync) ---- */

struct pattern_filter {
	const char *variant;	  /* local patterns of this variant; NULL: any */
	const char *problem_type; /* NULL: any */
	const char *language;	  /* NULL: any */
	const char *origin;	  /* "local", "team" or NULL for both */
	const char *fts_match;	  /* an FTS5 expression, already quoted; NULL: none */
	const char *fts_rank;	  /* its ranking, "gp_rank(...)" (store-rank.h) */
	const char *file_role;	  /* NULL: any */
	int code_only;		  /* only patterns whose change is code */
	int include_obsolete;
	int limit;		  /* <= 0: no limit */
};

/*
 * Call fn for each matching pattern, without the code: newest first, or
 * by relevance with fts_match. A team pattern that is also a local one
 * (same solution) is left out. The full-text index is brought up to date
 * first when fts_match is set.
 *
 * Relevance is gp_rank (store-rank.h: BM25F, the subject weighing most,
 * then the body and path, the code little), ranked inside FTS5 over the
 * best few hundred hits (f->fts_rank names it), lowered for the patterns
 * of mechanical commits (many files: a mass rename or reformat matches
 * every word of the tree); one row per commit, per solution_hash and per
 * subject and path (cherry-picks, even with other context, show once).
 */
int pattern_store_list(struct store *s, const struct pattern_filter *f, pattern_row_fn fn,
		       void *data);

/*
 * How many distinct patterns have a pattern_id or server_id starting
 * with prefix (hex digits and dashes only: the caller checks).
 */
int pattern_store_count_prefix(struct store *s, const char *prefix, int *count);

/*
 * The one row, code included, for prefix (as above): the local one first,
 * then the one of variant, then a current one, then the newest.
 */
int pattern_store_get_prefix(struct store *s, const char *prefix, const char *variant,
			     pattern_row_fn fn, void *data);

/*
 * Index the patterns not yet in the full-text index, in one transaction.
 * Inserts leave them out (fts_indexed = 0) so that writing patterns stays
 * cheap; whoever searches calls this first (pattern_store_list does).
 * On a read-only store (store_read_only) the searches of this connection
 * use an index of every pattern made in its temporary database instead:
 * the same answers, at the cost of indexing the whole store.
 */
int store_fts_catch_up(struct store *s);

/*
 * How many patterns the search indexes still lack: every index's (variant
 * NULL) or the one a search of variant reads; with bytes (not NULL, for
 * every index only), how many bytes of code they hold. 0, or -1.
 */
int store_fts_pending(struct store *s, const char *variant, long long *count,
		      long long *bytes);

/*
 * Compute what older stores and team rows lack (file_role is ''): the
 * file_role, code_change, the language of a path we did not know, and the
 * solution_hash of the text as it is sent; the local patterns of vendored
 * code (path_is_vendored, git subtree commits) that an older version
 * extracted become obsolete (left out as rewritten commits are). Batches
 * in one transaction; a cheap no-op when every row is filled (a partial
 * index).
 */
int pattern_store_fill_quality(struct store *s);

/*
 * Local patterns stored as comment-only (code_change 0) whose commit and
 * text fn gets, in id order, to check again (code-change-repair.h);
 * fn's non-zero return stops the walk and is returned.
 */
struct comment_only_row {
	long long id;
	const char *commit_id, *file_path, *old_path, *language;
	const char *variant; /* the extraction's options: "ctx=3,max=1048576", "whole,..." */
	const char *before, *after;
	size_t before_len, after_len;
};
int pattern_store_each_comment_only(struct store *s,
				    int (*fn)(const struct comment_only_row *r, void *data),
				    void *data);
/* Set code_change to 1 on the patterns ids[0..nr). */
int pattern_store_set_code_changed(struct store *s, const long long *ids, size_t nr);

/* ---- export ---- */

struct pattern_export_filter {
	const char *variant;	  /* NULL: any */
	const char *problem_type; /* NULL: any */
	const char *language;	  /* NULL: any */
	long long since;	  /* committer time >= since */
	double min_confidence;
	const char *file_role;	  /* NULL: any */
	int code_only;		  /* only patterns whose change is code */
	int include_unknown, include_team, include_obsolete;
	int use_range;		  /* only the commits of pattern_store_set_range() */
};

/*
 * Call fn for each pattern to export, code included, in a fixed order:
 * the range's order then path with use_range, else newest committer time
 * first, then commit, then path.
 */
int pattern_store_export(struct store *s, const struct pattern_export_filter *f,
			 pattern_row_fn fn, void *data);

/*
 * The export range of this connection: the commits ids[0..nr) in that
 * order (a repeated id keeps its first place), replacing any earlier one.
 */
int pattern_store_set_range(struct store *s, const git_oid *ids, size_t nr);

/* ---- writing (the extraction) ---- */

/*
 * A prepared insert of local patterns of one variant, for many rows in
 * the caller's transaction (store_begin/store_commit). A pattern already
 * there is made current again (obsolete = 0) and otherwise kept.
 * *rowid (if not NULL): the id of the new row, 0 for a pattern already
 * there. walk_seq: the commit's place in the history among those of its
 * committer time (larger is newer; store.c, migration 9).
 */
struct pattern_inserter;
int pattern_inserter_new(struct pattern_inserter **out, struct store *s, const char *variant);
int pattern_insert(struct pattern_inserter *ins, const struct pattern *p, long long commit_time,
		   long long walk_seq, long long *rowid);
void pattern_inserter_free(struct pattern_inserter *ins);

/* ---- relabelling (relabel.c) ---- */

/*
 * fn for each commit (40 hex) that has local patterns, each once, with
 * the problem type and rule they have (those of one of its patterns).
 */
typedef int (*label_fn)(const char *commit_hex, const char *problem_type, const char *rule,
			void *data);
int pattern_store_local_commits(struct store *s, label_fn fn, void *data);

/* *yes = 1 if the store has a local pattern (of any variant), else 0. */
int pattern_store_has_local(struct store *s, int *yes);

/* Set the problem type and rule of every local pattern of commit_hex. */
int pattern_store_set_label(struct store *s, const char *commit_hex, const char *problem_type,
			    const char *rule);

/*
 * Reconciliation with the history (reconcile.h): the local patterns of
 * the commits gone[] become obsolete and those of back[] current again,
 * in one transaction; *n_gone and *n_back count the commits that changed.
 */
int pattern_store_reconcile(struct store *s, const git_oid *gone, size_t nr_gone,
			    const git_oid *back, size_t nr_back, size_t *n_gone, size_t *n_back);
/* fn for each commit that has local patterns (a -1 from fn stops: -1). */
int pattern_store_local_commit_ids(struct store *s, int (*fn)(const git_oid *id, void *data),
				   void *data);

/* ---- commits extracted without their parents (shallow.c) ---- */

/*
 * The local patterns of commit_hex in variant: *nr counts them, and fn is
 * called with the path of each that adds its file whole (no old side, no
 * old path), as every pattern of a commit diffed against the empty tree
 * does.
 */
int pattern_store_commit_additions(struct store *s, const char *commit_hex, const char *variant,
				   int (*fn)(const char *path, void *data), void *data,
				   size_t *nr);

/*
 * Delete the local patterns of commit_hex in variant (obsolete ones
 * too), in the caller's transaction, so that the commit is extracted
 * afresh; the recall index is told (recall_index_rows_dropped()).
 * *dropped counts the rows.
 */
int pattern_store_forget_commit(struct store *s, const char *commit_hex, const char *variant,
				size_t *dropped);

/*
 * Drop the local patterns an older version took from Git LFS pointers
 * (pattern.h: LFS_POINTER_FIRST), once per store (meta
 * "lfs.pointers_dropped"), in a transaction of its own; *dropped counts
 * them. pattern_store_lfs_drop_pending() is 1 while that is still to do
 * for a store holding local patterns.
 */
int pattern_store_drop_lfs_pointers(struct store *s, size_t *dropped);
int pattern_store_lfs_drop_pending(struct store *s);

/* ---- counts (stats) ---- */

struct pattern_counts {
	long long local;	/* current local patterns of the variant */
	long long team;		/* team patterns not shadowed by a local one */
	long long obsolete;	/* obsolete patterns of the variant */
};
int pattern_store_counts(struct store *s, const char *variant, struct pattern_counts *out);

enum pattern_column { PATTERN_BY_TYPE, PATTERN_BY_LANGUAGE };

/*
 * fn(name, count) for each value of column among the patterns counted in
 * local + team, most frequent first; name is "" for none.
 */
int pattern_store_breakdown(struct store *s, const char *variant, enum pattern_column column,
			    int (*fn)(const char *name, long long count, void *data), void *data);

#endif
