/*
 * pager: listing output through the user's pager, as git log does, and a
 * quiet exit when the reader of our output goes away, as git does.
 *
 * The pager is GIT_PAGER, else core.pager, else PAGER, else "less" (with
 * LESS=FRX and LV=-c unless already set); "" or "cat" means none. It runs
 * only when standard output is a terminal, never when git already started
 * one (GIT_PAGER_IN_USE) or after "git patterns --no-pager" ("git
 * --no-pager patterns" sets GIT_PAGER=cat for us).
 */
#ifndef PAGER_H
#define PAGER_H

#include <git2.h>

/* "git patterns --no-pager <command>": never start a pager. */
void pager_disable(void);

/*
 * Start the pager for a listing command, reading core.pager from repo
 * (may be NULL). Our stdout (and stderr, when a terminal) go to it; it is
 * waited for at exit.
 */
void setup_pager(git_repository *repo);

/*
 * After a failed write to stdout with errno err: if the reader is gone
 * (EPIPE), die of SIGPIPE without a word, as git does; else return.
 */
void check_pipe(int err);

#endif
