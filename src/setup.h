/*
 * setup: what most command front ends do first: find the repository, open
 * its pattern store, work out the extraction variant from options and
 * config. These die() with a clear message on failure (front ends only).
 */
#ifndef SETUP_H
#define SETUP_H

#include "store.h"
#include "strbuf.h"
#include <git2.h>

#define DEFAULT_CONTEXT_LINES 3
#define DEFAULT_MAX_FILE_SIZE (1024 * 1024)

git_repository *setup_repo(const char *repo_path);
struct store *setup_store(git_repository *repo);

/*
 * The variant for these options: context < 0 means patterns.contextLines
 * (default 3); the size limit is patterns.maxFileSize (default 1 MiB).
 */
void setup_variant(struct strbuf *out, git_repository *repo, int whole_file, int context);
int setup_context_lines(git_repository *repo, int context);
long long setup_max_file_size(git_repository *repo);

#endif
