/*
 * recall: "was this fixed before?" from the code being changed. Runs the
 * recall index (store-recall.h) over each changed file (changed-code.h),
 * merges the hits, and writes them as text or JSON; also the post-commit
 * hint (patterns.recallHint) that `git patterns recall --last` prints.
 */
#ifndef RECALL_H
#define RECALL_H

#include "local/changed-code.h"
#include "local/store-recall.h"
#include "common/json.h"
#include <git2.h>

#define RECALL_DEFAULT_LIMIT 5
/*
 * Hits scoring less are not shown: a tenth of the code in common is
 * chance (the fixes that bench/recall_backports.py finds score 0.6 and up).
 */
#define RECALL_MIN_SCORE 0.1

struct recall_options {
	const char *problem_type; /* NULL: any */
	int limit;
	double min_score;
	const char *exclude_commit; /* NULL: none */
	int exhaustive;		    /* score every pattern (recall_query) */
};

/* Hits for every file of cc, merged (best first, one per pattern). 0 or -1. */
int recall_changed_code(struct store *s, const struct changed_code *cc,
			const struct recall_options *o, struct recall_hits *hits);

/*
 * Hits as text: per hit a line "<score> <pattern-id> <type> <file> <commit>
 * <subject>" and the pattern's diff (before_code to after_code) indented.
 */
void recall_format_text(struct strbuf *out, const struct recall_hits *hits);
/* One hit as a JSON object (pattern_id, score, ..., diff) into jw. */
void recall_hit_json(struct json_writer *jw, const struct recall_hit *h);
/*
 * The document {"source": ..., "hits": [...], "count": n, "took_ms": t};
 * took_ms < 0 leaves it out.
 */
void recall_format_json(struct strbuf *out, const char *source, const struct recall_hits *hits,
			double took_ms);

/* The unified diff of before_code to after_code of h (labelled with its path). */
void recall_hit_diff(struct strbuf *out, const struct recall_hit *h);

/*
 * The post-commit hint: the best earlier pattern for what commit changed,
 * written to $(git-common-dir)/patterns/recall-last.{txt,json} (each
 * replaced atomically, and only while commit is still HEAD, so that a
 * late hook of an older commit does not hide a newer hint); summary gets
 * one line for the hook log. 0 (also
 * when nothing is like it), -1 with err_set.
 */
int recall_hint_for_commit(git_repository *repo, struct store *s, const char *commit_hex,
			   int context, struct strbuf *summary);
/* Path of the last hint, ext "txt" or "json" (caller frees). */
char *recall_last_path(git_repository *repo, const char *ext);

#endif
