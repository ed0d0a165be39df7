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
 *    active one when ref is NULL), downloads it through "<dest>.tmp",
 *    checks size and SHA-256 against the server's record, and only then
 *    leaves dest in place (a mismatch removes it and is an error).
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

#endif
