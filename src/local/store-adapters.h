/*
 * store-adapters: the rows of the local adapter versions (tables
 * adapter_versions and adapter_activations). The only module with SQL on
 * them; adapters.c (kept copies, activation, rollback) calls it.
 *
 * Invariant kept by store_adapters_activate: at most one row of
 * adapter_versions has is_active = 1, the version of the latest activation
 * not undone. Functions return 0, or -1 with err_set().
 */
#ifndef STORE_ADAPTERS_H
#define STORE_ADAPTERS_H

#include "fusion/adapter-version.h"
#include "local/store.h"

#include <stdint.h>

/* *taken = whether a version is called name. */
int store_adapters_name_taken(struct store *s, const char *name, int *taken);
/* The first free "merge-N", N the number of versions plus one or more; NULL on error. */
char *store_adapters_next_name(struct store *s);
/*
 * Insert v (id, version_name, adapter_path, config_path (may be NULL),
 * created_by, created_at, parent_versions, method, weights, sha256,
 * copy_dir, size); is_active is not set here.
 */
int store_adapters_insert(struct store *s, const struct adapter_version *v);
/*
 * Make version id the active one; with action (merge, activate, rollback)
 * also append to the activation log at time at. Call inside a transaction.
 */
int store_adapters_activate(struct store *s, const char *id, const char *action,
			    const char *at);
/* All versions: oldest first, or newest first (by insertion). */
int store_adapters_list(struct store *s, int newest_first, struct adapter_version **out,
			size_t *nr);
/*
 * Look up by version name, id, or unique id prefix (4+ characters). 0 and
 * *found = 1 with the version in *out; 0 and *found = 0 if none; -1 when
 * ambiguous (err_set) or on error.
 */
int store_adapters_find(struct store *s, const char *ref, struct adapter_version *out,
			int *found);
/*
 * The latest activation not undone, then the latest not undone of another
 * version: n (at most 2) of them, seq and version id (caller frees).
 */
int store_adapters_latest_two(struct store *s, int64_t seq[2], char *ids[2], int *n);
/* Mark the activations after seq undone. Call inside a transaction. */
int store_adapters_undo(struct store *s, int64_t seq);

#endif
