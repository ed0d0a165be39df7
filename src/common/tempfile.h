/*
 * tempfile: temporary files next to their destination, renamed into place
 * when complete, and removed if the process is interrupted first.
 *
 * Contract:
 *  - tempfile_create makes "<path>.tmp-<random>" (mode 0666 less the umask,
 *    O_EXCL, so it is ours) and registers it; tempfile_forget unregisters it
 *    once it was renamed or removed. At most TEMPFILE_MAX are registered at
 *    once; more are created but not removed by a signal.
 *  - tempfile_remove_all is async-signal-safe (it reads the registry and
 *    calls unlink), for handlers.
 *  - Functions return 0, or -1 with err_set(); they never print.
 */
#ifndef TEMPFILE_H
#define TEMPFILE_H

#include <stddef.h>

#define TEMPFILE_MAX 16

/* Create and register a temporary file beside path; the caller frees the name. NULL on failure. */
char *tempfile_create(const char *path, int *fd);
/* The temporary file was renamed or removed: stop tracking it. */
void tempfile_forget(const char *tmp);
/* Remove every registered temporary file; async-signal-safe. */
void tempfile_remove_all(void);
/*
 * For commands: on SIGINT, SIGTERM or SIGHUP remove the registered
 * temporary files, then die of the signal as before.
 */
void tempfile_remove_on_signal(void);

/* Write all of buf to fd (retrying short writes and EINTR); path names it in errors. */
int write_in_full(int fd, const void *buf, size_t len, const char *path);
/* fsync the folder holding path, so a rename in it is durable (errors ignored). */
void fsync_parent_dir(const char *path);
/* Write a whole small file atomically (temporary file, fsync, rename). */
int write_file_atomic(const char *path, const void *buf, size_t len);

#endif
