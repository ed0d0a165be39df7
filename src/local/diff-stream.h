/*
 * diff-stream: commits' changed files and hunks as git itself computes
 * them, from one long-running "git diff-tree --stdin" process.
 *
 * For long runs git's own tree diff, object reading and xdiff are about
 * twice as fast as the same work through libgit2; the extraction engine
 * runs one stream per diff thread (each its own git process, so the two
 * cores both diff) and turns what comes back into patterns by the same
 * rules as the libgit2 path (commit_differ_finish()).
 *
 * The request is exactly what the libgit2 path computes: each commit
 * against its first parent (roots against the empty tree; the commits at
 * a shallow clone's boundary are never asked for, see shallow.h), renames at 50% among added and deleted files, the configured
 * context, no inter-hunk context, the indent heuristic, files over the
 * size limit reported as binary; no textconv, external diff, replace
 * objects or GIT_DIFF_OPTS.
 *
 * Requests and answers are pipelined: the caller may have a few requests
 * in flight (a few kilobytes: the requests never fill the pipe), and reads
 * the answers in order. An answer's end shows only when the next one
 * starts: read one only when a later one was asked for, or after
 * diff_stream_close(). Not thread-safe: one stream per thread.
 */
#ifndef DIFF_STREAM_H
#define DIFF_STREAM_H

#include "local/commit-diff.h"
#include "local/extract-options.h"
#include <git2.h>

struct diff_stream;

/*
 * Start git on the repository at gitdir, with o's context_lines and
 * max_file_size. 0, or -1 with err_set.
 */
int diff_stream_start(struct diff_stream **out, const char *gitdir,
		      const struct extract_options *o);

/*
 * A stream over answers already written to fd (no git process; requests
 * are not possible): for tests of the parser. Takes fd.
 */
struct diff_stream *diff_stream_from_fd(int fd);

/*
 * Ask for oid's diff: against parent if given (a merge's first parent),
 * else against its parent as git sees it. Buffered until
 * diff_stream_flush(). 0, or -1 with err_set.
 */
void diff_stream_request(struct diff_stream *ds, const git_oid *oid, const git_oid *parent);
int diff_stream_flush(struct diff_stream *ds);
/* Flush, and tell git there will be no more requests. */
int diff_stream_close(struct diff_stream *ds);

/*
 * The answer to the oldest request not yet read, which must be for oid:
 * its changed files with their hunks' old and new lines, valid until the
 * next call (the caller may take their buffers). 0, or -1 with err_set.
 */
int diff_stream_read(struct diff_stream *ds, const git_oid *oid, struct file_change **changes,
		     size_t *nr);

/*
 * End the stream: 0 if git answered everything and exited cleanly, else
 * -1 with err_set (git's own message when it gave one). Frees ds; with
 * abort set, git is killed first (an extraction that stops early).
 */
int diff_stream_end(struct diff_stream *ds, int abort);

#endif
