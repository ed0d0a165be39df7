/*
 * query: read patterns back from the store for list, search, show and
 * stats, over store-patterns.h. Rows are handed to a callback one at a
 * time (nothing accumulates).
 */
#ifndef QUERY_H
#define QUERY_H

#include "local/store-patterns.h"
#include "common/strbuf.h"

#include <git2.h>

struct query_options {
	const char *variant;	  /* local patterns of this variant; NULL: any */
	const char *problem_type; /* NULL: any */
	const char *language;	  /* NULL: any */
	const char *origin;	  /* "local", "team" or NULL for both */
	const char *text;	  /* full-text search words (search); NULL: none */
	int include_obsolete;
	int limit;		  /* <= 0: no limit */
	const char *file_role;	  /* NULL: any */
	int code_only;		  /* only patterns whose change is code */
};

#define QUERY_OPTIONS_INIT { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, 0 }

/*
 * Call fn for each matching pattern: newest first, or by relevance
 * (gp_rank, store-rank.h) when o->text is set. A non-zero return from fn stops the walk and
 * is returned. -1 with err_set on store errors.
 */
int query_patterns(struct store *s, const struct query_options *o, pattern_row_fn fn, void *data);

/*
 * Find one pattern by id: a pattern_id or a unique prefix of one (at least
 * 4 hex digits), or a team server UUID. Prefers variant when a pattern was
 * extracted with several. Calls fn with the full row (code included).
 * 1 if not found, -1 (err_set) on error or ambiguity.
 */
int query_show(struct store *s, const char *id, const char *variant, pattern_row_fn fn, void *data);

/* At most this many words of a question are searched for. */
#define QUERY_MAX_WORDS 12

/*
 * Turn a question into a safe FTS5 query (match) and its ranking (rank,
 * "gp_rank(...)" for "rank MATCH": store-rank.h). match holds the
 * question's words (letters, digits and '_'), lower-cased, without
 * English stop words ("how", "do", "i", "a", "in"...), each quoted and
 * joined by OR, so that a pattern need not match every word; each word is
 * followed by its other forms from a small table (replication, replica,
 * slave; crash, segfault...); with two words or more, their phrase is one
 * more OR'ed term, so the exact phrase ranks first. The index stems
 * (porter), so "leak" finds "leaks" and "leaking". When every word is a
 * stop word, they are all kept. match is left empty for a question with
 * no word at all.
 */
void query_fts_expression(struct strbuf *match, struct strbuf *rank, const char *words);

/*
 * Close s after a run that stored patterns (extract, pull). When more than
 * patterns.autoIndex of them (default QUERY_AUTO_INDEX; 0: never), or more
 * than QUERY_AUTO_INDEX_BYTES of their code (whole files are large: 706
 * whole-file patterns of redis hold 143 MB, 2.5 s to index), are not yet
 * in the full-text index, a detached process (detach_process) indexes
 * them, as "git gc --auto" packs after a fetch: the first search would
 * otherwise pay for it (1.1 s for redis's whole history). Nothing is lost
 * if that process is killed or cannot start: a search indexes what is
 * left. 1 when a process was started, else 0.
 */
int query_close_store(git_repository *repo, struct store *s);
#define QUERY_AUTO_INDEX 1000
#define QUERY_AUTO_INDEX_BYTES (8LL << 20)

#endif
