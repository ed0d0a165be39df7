/*
 * hash: SHA-256 (OpenSSL libcrypto), hex, random UUIDs, constant-time
 * comparison. The only place that talks to libcrypto.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct sha256_ctx {
	void *md; /* EVP_MD_CTX */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
/* Finish into 65 bytes of lower-case hex (NUL-terminated); frees the context. */
void sha256_final_hex(struct sha256_ctx *c, char out[SHA256_HEX_LEN + 1]);
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

void hex_encode(const unsigned char *in, size_t n, char *out /* 2n+1 */);

/* Fill buf with cryptographically strong random bytes; 0 or -1 (err_set). */
int random_bytes(void *buf, size_t n);
/* A random (version 4) UUID in its 36-character text form. */
int uuid_v4(char out[37]);
/*
 * A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds,
 * then random bits. Ids made one after another sort together, so database
 * indexes on them grow at the end instead of at random places.
 */
int uuid_v7(char out[37]);
/* Compare n bytes without leaking where they differ. 1 if equal. */
int ct_equal(const void *a, const void *b, size_t n);

#endif
