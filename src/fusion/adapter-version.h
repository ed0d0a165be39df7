/*
 * adapter-version: one version of a merged (or uploaded) LoRA adapter, the
 * record shared by the local store (local/adapters.h), the sync client
 * (client/adapter-remote.h) and the team server (server/serverdb.h), with
 * its one release function and its one JSON form (SPEC §6, /adapters).
 *
 * Every version has the fields up to is_active; where its file lives
 * depends on who holds it: the server keeps file, the local store keeps
 * adapter_path, config_path and copy_dir; the others are NULL.
 */
#ifndef ADAPTER_VERSION_H
#define ADAPTER_VERSION_H

#include "common/json.h"

#include <stddef.h>

struct adapter_version {
	char id[37]; /* UUID */
	char *version_name;
	char *created_by;
	char *created_at;      /* "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
	char *parent_versions; /* JSON array of version names */
	char *method;	       /* "upload", or the merge method */
	char *weights;	       /* JSON array, or NULL */
	char sha256[65];       /* of the safetensors file, hex */
	long long size;	       /* of the safetensors file, bytes */
	int is_active;

	char *file;	    /* server: the file's name in its adapter folder (relative) */
	char *adapter_path; /* local: where the merge wrote it (restored there) */
	char *config_path;  /* local: its adapter_config.json, or NULL */
	char *copy_dir;	    /* local: the folder of its kept copy */
};

/* Free the strings of v and zero it (v itself is the caller's). */
void adapter_version_release(struct adapter_version *v);
/* Release each of the nr versions of v, then free v. */
void adapter_versions_free(struct adapter_version *v, size_t nr);

#define ADAPTER_JSON_LOCAL 1 /* also adapter_path, config_path and "copy" */

/*
 * Append v as one JSON object: id, version_name, created_by, created_at,
 * is_active, parent_versions (an array), method, weights (array or null),
 * size, sha256; with ADAPTER_JSON_LOCAL then the local paths. The server's
 * file name is never written.
 */
void adapter_version_json(struct json_writer *jw, const struct adapter_version *v, int flags);

#endif
