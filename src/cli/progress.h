/*
 * progress: git-style progress lines on stderr, only when stderr is a
 * terminal and not silenced; redrawn at most every 200 ms.
 *
 *   Extracting patterns: 45% (5512/12272), 812 commits/s
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdint.h>

struct progress;

/* NULL (a no-op progress) when quiet or stderr is not a terminal. */
struct progress *progress_start(const char *title, uint64_t total, const char *unit, int quiet);
void progress_update(struct progress *p, uint64_t done);
void progress_set_total(struct progress *p, uint64_t total);
/* Print the final line (", done.") and free. */
void progress_stop(struct progress *p);

#endif
