/*
 * store-xproject: the local store's part of cross-project learning
 * (client/xproject.h): the queue of applications and outcomes waiting for
 * the team server (xproject_queue), the server pattern ids "git patterns
 * suggest" showed (xproject_seen), and the reads of patterns and pushed
 * that apply and the project tagging need. The only module with SQL on
 * those tables. Functions return 0 or -1 with err_set.
 */
#ifndef STORE_XPROJECT_H
#define STORE_XPROJECT_H

#include "local/store.h"

#include <stddef.h>

int store_xproject_seen_add(struct store *s, const char *remote, const char *server_id);
/*
 * Server ids of the store's patterns and of shown suggestions that start
 * with prefix (lower-case hex): *found is how many (at most 2); uuid the
 * first.
 */
int store_xproject_resolve(struct store *s, const char *prefix, char uuid[37], int *found);

struct store_xproject_queued {
	long long id;
	char kind[8];	 /* apply, outcome */
	char uuid[37];
	int success;	 /* outcome */
};
int store_xproject_queue_add(struct store *s, const char *remote, const char *kind,
			     const char *uuid, int success);
/* What waits for remote, oldest first (free *out). */
int store_xproject_queue_list(struct store *s, const char *remote,
			      struct store_xproject_queued **out, size_t *nr);
int store_xproject_queue_drop(struct store *s, long long id);

/* The code of the pattern with this server id (1 found, 0 not; caller frees). */
int store_xproject_pattern(struct store *s, const char *uuid, char **before, char **after,
			   char **path, char **msg);

/*
 * Call fn for each local pattern pushed to remote (type, before, after),
 * but those deleted there since (store_puller_drop).
 */
int store_xproject_each_pushed(struct store *s, const char *remote,
			       int (*fn)(void *data, const char *type, const char *before,
					 size_t before_len, const char *after, size_t after_len),
			       void *data);

/*
 * Forget what remote's old database told (store_sync_forget_database): the
 * project's id and profile as sent, the tagging done, the suggestions
 * shown. Queued applications and outcomes stay (the server refuses those
 * it does not know, and the flush says so). In the caller's transaction.
 */
int store_xproject_forget(struct store *s, const char *remote);

#endif
