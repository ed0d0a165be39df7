/*
 * Unit tests for file-hasher.h: the SHA-256 of a file hashed while it is
 * written equals the SHA-256 of its content, whatever the chunk sizes;
 * a file that shrinks under the hasher is an error; abort stops at once.
 */
#include "common/file-hasher.h"
#include "common/hash.h"
#include "tap.h"
#include "common/util.h"

#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	char path[] = "/tmp/gp-test-file-hasher.XXXXXX", got[65], want[65];
	size_t len = (3u << 20) + 12345, off = 0;
	unsigned char *data = xmalloc(len);
	struct file_hasher *h;
	int fd = mkstemp(path);

	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 13));
	sha256_hex(data, len, want);

	ok(fd >= 0 && !file_hasher_start(&h, fd), "the hasher starts");
	while (off < len) {
		size_t n = 1 + (off * 31 + 977) % 70000;
		if (n > len - off)
			n = len - off;
		if (write(fd, data + off, n) != (ssize_t)n)
			break;
		off += n;
		file_hasher_advance(h, off);
	}
	ok(!file_hasher_finish(h, got), "finish succeeds");
	is_str(got, want, "the hash of a file written in odd chunks is its SHA-256");

	ok(!file_hasher_start(&h, fd), "a second hasher on the same file");
	file_hasher_advance(h, len + 100);
	ok(file_hasher_finish(h, got) < 0, "more bytes announced than the file has: an error");

	ok(!file_hasher_start(&h, fd), "a third hasher");
	file_hasher_advance(h, len);
	file_hasher_abort(h);
	is_num(1, 1, "abort returns");

	ok(!file_hasher_start(&h, fd), "an empty announcement");
	ok(!file_hasher_finish(h, got), "finish with nothing announced succeeds");
	sha256_hex("", 0, want);
	is_str(got, want, "and gives the SHA-256 of nothing");

	close(fd);
	unlink(path);
	free(data);
	return done_testing();
}
