/*
 * file-hasher: the SHA-256 of a file that is being written, computed by a
 * thread of its own that reads just behind the writer (from the page
 * cache). The server hashes uploads with it: receiving and hashing then
 * run on two cores instead of one after the other.
 *
 * The writer announces how many bytes are in the file (file_hasher_advance,
 * cheap, any number of times); file_hasher_finish waits until all of them
 * are hashed. The file descriptor is the writer's own (pread does not move
 * its offset) and must stay open until finish or abort returns.
 */
#ifndef FILE_HASHER_H
#define FILE_HASHER_H

#include <stdint.h>

struct file_hasher;

/* Start hashing fd from offset 0. 0, or -1 with err_set (no thread). */
int file_hasher_start(struct file_hasher **out, int fd);
/* The file now holds its first `written` bytes. */
void file_hasher_advance(struct file_hasher *h, uint64_t written);
/*
 * Hash up to the last announced size, then stop: hex (65 bytes) is the
 * SHA-256. 0, or -1 with err_set when the file could not be read (it
 * shrank, or an I/O error). Frees h.
 */
int file_hasher_finish(struct file_hasher *h, char hex[65]);
/* Stop without a result; frees h. Safe with NULL. */
void file_hasher_abort(struct file_hasher *h);

#endif
