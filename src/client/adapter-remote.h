/*
 * adapter-remote: adapter versions on a team server (SPEC §6, /adapters),
 * client side: list them, push a safetensors file as a new version, pull a
 * version's file. Both transfers stream (http_upload_file and
 * http_download_file): a file is never held in memory.
 *
 * Contract:
 *  - push validates the file locally first (the same safetensors reader
 *    the server and merge-adapters use), so a bad file is refused before
 *    any byte is sent; the server's answer must record the size sent.
 *  - pull finds the version (by id, unique id prefix, version name, or the
 *    active one when ref is NULL), downloads it to a temporary file beside
 *    dest, checks size and SHA-256 against the server's record, and only
 *    then renames it to dest (a mismatch is an error that leaves dest as it
 *    was). A dest that exists and is not a regular file is refused.
 *  - Functions return 0, or -1 with err_set(); *status is the HTTP status
 *    of a refused request (0 when there was no answer). Nothing prints.
 */
#ifndef ADAPTER_REMOTE_H
#define ADAPTER_REMOTE_H

#include "client/http.h"
#include "fusion/adapter-version.h"
#include "common/strbuf.h"

/* All versions, oldest first; raw (may be NULL) receives the server's JSON. */
int adapter_remote_list(struct http_client *c, struct adapter_version **out, size_t *nr,
			struct strbuf *raw, long *status);

/* Upload file as version name; out is the version the server recorded. */
int adapter_remote_push(struct http_client *c, const char *file, const char *name,
			struct adapter_version *out, long *status);

/* Download version ref (NULL: the active one) into dest; out: its record. */
int adapter_remote_pull(struct http_client *c, const char *ref, const char *dest,
			struct adapter_version *out, long *status);

/*
 * A merge on the server (SPEC §6, POST /adapters/merge) of the versions
 * refs names (ids, unique id prefixes or version names, resolved here),
 * weighted by weights or success_rates (either may be NULL; at most one is
 * given), method NULL for the server's default, rank 0 for the method's
 * default; activate asks that the merge become the active version (an
 * admin key's right). out: the new version's record.
 */
struct adapter_remote_merge {
	const char *const *refs;
	size_t nr;
	const double *weights, *success_rates;
	const char *method;
	const char *version_name;
	int rank;
	int activate;
};
int adapter_remote_merge(struct http_client *c, const struct adapter_remote_merge *m,
			 struct adapter_version *out, long *status);

/* Make version ref the active one (an admin key's right). */
int adapter_remote_activate(struct http_client *c, const char *ref,
			    struct adapter_version *out, long *status);

/* Go back to the version active before (ref NULL), or to ref. */
int adapter_remote_rollback(struct http_client *c, const char *ref,
			    struct adapter_version *out, long *status);

#endif
