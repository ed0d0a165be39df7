/*
 * query: read patterns back from the store for list, search, show and
 * stats, over store-patterns.h. Rows are handed to a callback one at a
 * time (nothing accumulates).
 */
#ifndef QUERY_H
#define QUERY_H

#include "local/store-patterns.h"
#include "common/strbuf.h"

struct query_options {
	const char *variant;	  /* local patterns of this variant; NULL: any */
	const char *problem_type; /* NULL: any */
	const char *language;	  /* NULL: any */
	const char *origin;	  /* "local", "team" or NULL for both */
	const char *text;	  /* full-text search words (search); NULL: none */
	int include_obsolete;
	int limit;		  /* <= 0: no limit */
};

#define QUERY_OPTIONS_INIT { NULL, NULL, NULL, NULL, NULL, 0, 0 }

/*
 * Call fn for each matching pattern: newest first, or by relevance (FTS5
 * bm25) when o->text is set. A non-zero return from fn stops the walk and
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

/* Turn user words into a safe FTS5 query (each word quoted, all required). */
void query_fts_expression(struct strbuf *out, const char *words);

#endif
