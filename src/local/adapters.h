/*
 * adapters: the local versions of merged adapters (SPEC §7), kept in the
 * pattern store (tables adapter_versions and adapter_activations) with a
 * copy of each version's files under
 *   $(git rev-parse --git-common-dir)/patterns/adapters/<id>/
 * (adapter_model.safetensors, adapter_config.json when there is one,
 * meta.json), so a version can be restored after its file was replaced.
 *
 * At most one version is active. Activating a version restores its copy
 * to its adapter_path (and its config) and appends to the activation log;
 * rollback without a version returns to the latest version activated
 * before the current one and undoes the activations after it (so repeated
 * rollbacks walk back through history).
 *
 * Functions return 0, or -1 with err_set(); they never print.
 */
#ifndef ADAPTERS_H
#define ADAPTERS_H

#include "fusion/adapter-version.h"
#include "local/store.h"
#include <stdint.h>

/* The folder of kept copies for the store s ("<dir of patterns.db>/adapters"). */
char *adapters_dir(struct store *s);

/*
 * Record a merge. In: version_name (NULL: generated "merge-N"),
 * adapter_path, config_path, meta_path (copied too, may be NULL),
 * created_by, parent_versions, method, weights. Out: id, version_name,
 * created_at, sha256, size, copy_dir. The new version becomes the active
 * one. A version_name already used is an error.
 */
int adapters_record(struct store *s, struct adapter_version *v, const char *meta_path);

/*
 * Take the repository's adapter lock (an flock on "<adapters dir>/lock"),
 * held until adapters_unlock(fd) or the process ends: merges that record
 * a version, activations and rollbacks take it, so they run one at a time
 * and a version's kept copy is the file its own merge wrote, not one a
 * concurrent merge or activation put at the same path. The descriptor;
 * -2 when nonblock and another process holds it; -1 (err_set) on error.
 */
int adapters_lock(struct store *s, int nonblock);
void adapters_unlock(int fd);

/* *taken = whether a version is called name. */
int adapters_name_taken(struct store *s, const char *name, int *taken);
/* All versions, oldest first. */
int adapters_list(struct store *s, struct adapter_version **out, size_t *nr);
/* Look up by id, unique id prefix (4+ characters) or version name. */
int adapters_find(struct store *s, const char *ref, struct adapter_version *out);
/* Make ref the active version (restoring its files). */
int adapters_activate(struct store *s, const char *ref, struct adapter_version *out);
/* Back to ref, or (ref NULL) to the version active before the current one. */
int adapters_rollback(struct store *s, const char *ref, struct adapter_version *out);
/*
 * The version name a merge input (a safetensors file) came from, or NULL:
 * a kept copy, or a version's adapter_path whose content is that version.
 */
char *adapters_parent_name(struct store *s, const char *file);

#endif
