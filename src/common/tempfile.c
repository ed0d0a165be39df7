/*
 * tempfile.c: temporary files beside their destination, the registry a
 * signal handler empties, and atomic whole-file writes (see tempfile.h).
 */
#include "common/tempfile.h"
#include "common/hash.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The registry: slots read by a signal handler, so they are changed only
 * by atomic compare-and-swap and hold names that stay allocated while
 * registered (the caller frees a name after tempfile_forget).
 */
static char *temps[TEMPFILE_MAX];

static void remember(char *tmp)
{
	for (int i = 0; i < TEMPFILE_MAX; i++) {
		char *expected = NULL;
		if (__atomic_compare_exchange_n(&temps[i], &expected, tmp, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
	}
}

void tempfile_forget(const char *tmp)
{
	for (int i = 0; i < TEMPFILE_MAX; i++) {
		char *expected = (char *)tmp;
		if (tmp && __atomic_compare_exchange_n(&temps[i], &expected, NULL, 0,
						       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return;
	}
}

void tempfile_remove_all(void)
{
	for (int i = 0; i < TEMPFILE_MAX; i++) {
		char *t = __atomic_load_n(&temps[i], __ATOMIC_SEQ_CST);
		if (t)
			unlink(t);
	}
}

static void remove_and_die(int sig)
{
	tempfile_remove_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void tempfile_remove_on_signal(void)
{
	signal(SIGINT, remove_and_die);
	signal(SIGTERM, remove_and_die);
	signal(SIGHUP, remove_and_die);
}

char *tempfile_create(const char *path, int *fd)
{
	/*
	 * Not mkstemp: that creates mode 0600. A new file here gets 0666 less
	 * the umask, like any file the user writes; O_EXCL keeps it ours.
	 */
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char rnd[6];
		char hex[13];
		char *tmp;
		if (random_bytes(rnd, sizeof(rnd)) < 0)
			return NULL;
		hex_encode(rnd, sizeof(rnd), hex);
		tmp = xstrfmt("%s.tmp-%s", path, hex);
		*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (*fd >= 0) {
			remember(tmp);
			return tmp;
		}
		if (errno != EEXIST) {
			err_set("cannot create temporary file '%s': %s", tmp, strerror(errno));
			free(tmp);
			return NULL;
		}
		free(tmp);
	}
	err_set("cannot create a temporary file beside '%s'", path);
	return NULL;
}

int write_in_full(int fd, const void *buf, size_t len, const char *path)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len > (1 << 30) ? (1 << 30) : len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set("cannot write '%s': %s", path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void fsync_parent_dir(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd;
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int write_file_atomic(const char *path, const void *buf, size_t len)
{
	int fd, ret = 0;
	char *tmp = tempfile_create(path, &fd);
	if (!tmp)
		return -1;
	if (write_in_full(fd, buf, len, tmp) < 0 ||
	    (fsync(fd) < 0 && err_set("cannot sync '%s': %s", tmp, strerror(errno)))) {
		close(fd);
		ret = -1;
	} else if (close(fd) < 0 || rename(tmp, path) < 0) {
		ret = err_set("cannot write '%s': %s", path, strerror(errno));
	}
	if (ret)
		unlink(tmp);
	else
		fsync_parent_dir(path);
	tempfile_forget(tmp);
	free(tmp);
	return ret;
}
