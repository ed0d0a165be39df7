/*
 * file-hasher.c: SHA-256 of a growing file in a thread of its own (see
 * file-hasher.h). The thread sleeps on a condition variable when it has
 * caught up with the writer, reads at most CHUNK bytes at a time with
 * pread, and never holds the lock while it reads or hashes.
 */
#include "common/file-hasher.h"
#include "common/hash.h"
#include "common/util.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)

struct file_hasher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;
	uint64_t written; /* announced by the writer */
	int done;	  /* no more bytes will come */
	int stop;	  /* give up */
	int failed;	  /* errno of a failed read, or -1 for a short file */
	struct sha256_ctx ctx;
};

static void *hasher_main(void *arg)
{
	struct file_hasher *h = arg;
	unsigned char *buf = xmalloc(CHUNK);
	uint64_t hashed = 0;

	for (;;) {
		uint64_t avail;
		size_t want;
		ssize_t n;

		pthread_mutex_lock(&h->lock);
		while (hashed == h->written && !h->done && !h->stop)
			pthread_cond_wait(&h->cond, &h->lock);
		avail = h->written - hashed;
		if (h->stop || (!avail && h->done)) {
			pthread_mutex_unlock(&h->lock);
			break;
		}
		pthread_mutex_unlock(&h->lock);

		want = avail < CHUNK ? (size_t)avail : CHUNK;
		n = pread(h->fd, buf, want, (off_t)hashed);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			h->failed = n < 0 ? errno : -1;
			break;
		}
		sha256_update(&h->ctx, buf, (size_t)n);
		hashed += (uint64_t)n;
	}
	free(buf);
	return NULL;
}

int file_hasher_start(struct file_hasher **out, int fd)
{
	struct file_hasher *h = xcalloc(1, sizeof(*h));
	int rc;

	h->fd = fd;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	sha256_init(&h->ctx);
	rc = pthread_create(&h->thread, NULL, hasher_main, h);
	if (rc) {
		char unused[SHA256_HEX_LEN + 1];
		sha256_final_hex(&h->ctx, unused);
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->cond);
		free(h);
		*out = NULL;
		return err_set("cannot start a hashing thread: %s", strerror(rc));
	}
	*out = h;
	return 0;
}

void file_hasher_advance(struct file_hasher *h, uint64_t written)
{
	pthread_mutex_lock(&h->lock);
	if (written > h->written) {
		h->written = written;
		pthread_cond_signal(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
}

static int end(struct file_hasher *h, int stop, char *hex)
{
	char unused[SHA256_HEX_LEN + 1];
	int failed;

	pthread_mutex_lock(&h->lock);
	h->done = 1;
	h->stop = stop;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	failed = h->failed;
	sha256_final_hex(&h->ctx, hex ? hex : unused);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	free(h);
	if (!failed)
		return 0;
	return err_set("cannot hash the file being written: %s",
		       failed > 0 ? strerror(failed) : "the file is shorter than written");
}

int file_hasher_finish(struct file_hasher *h, char hex[65])
{
	return end(h, 0, hex);
}

void file_hasher_abort(struct file_hasher *h)
{
	if (h)
		end(h, 1, NULL);
}
