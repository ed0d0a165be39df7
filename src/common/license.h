/*
 * license: where a CommitPack record came from (SPEC §4): the SPDX id of
 * the repository's license file at a commit, and the repository's
 * canonical URL.
 *
 * Only the common license texts are recognised, by phrases each of them
 * must contain (MIT, ISC, Apache-2.0, BSD-2-Clause, BSD-3-Clause,
 * BSD-4-Clause, GPL-2.0, GPL-3.0, LGPL-2.0, LGPL-2.1, LGPL-3.0, AGPL-3.0,
 * MPL-2.0, EPL-2.0, BSL-1.0, Zlib, Unlicense, CC0-1.0); anything else,
 * several licenses in one file, or no license file, is "". Returned ids
 * are static strings.
 */
#ifndef LICENSE_H
#define LICENSE_H

#include "common/strbuf.h"
#include <git2.h>
#include <stddef.h>

/* The SPDX id of a license text, "" when it is not one we know. */
const char *license_spdx(const char *text, size_t len);

/* 1 if name is a license file's name (LICENSE, COPYING.md, LICENCE.txt...). */
int license_file_name(const char *name);

/*
 * Per-run memory of license_at_commit(): the last commit asked for and
 * the verdict per license blob, so a run over a history reads each
 * license text once.
 */
struct license_cache {
	git_oid last_commit;
	const char *last;
	git_oid blob_ids[16];
	const char *blob_spdx[16];
	size_t nr, next;
};
#define LICENSE_CACHE_INIT { { { 0 } }, NULL, { { { 0 } } }, { NULL }, 0, 0 }

/*
 * The SPDX id of the license file at the top of commit_hex's tree in
 * repo, "" if there is none or it is not a known text, NULL if the commit
 * is not in repo (a pattern from another repository).
 */
const char *license_at_commit(git_repository *repo, const char *commit_hex,
			      struct license_cache *cache);

/*
 * A remote URL as a canonical https URL without credentials:
 * "git@github.com:owner/repo.git" and "https://user:token@github.com/owner/repo/"
 * both give "https://github.com/owner/repo". Local paths and file:// URLs
 * give "" (they name no public repository).
 */
void url_canonical(struct strbuf *out, const char *url);

/* url_canonical() of remote "origin", else of the first remote; "" if none. */
void repo_canonical_url(struct strbuf *out, git_repository *repo);

#endif
