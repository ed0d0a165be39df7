/*
 * hash.c: SHA-256, randomness and constant-time compare over libcrypto.
 */
#include "common/hash.h"
#include "common/util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static EVP_MD *sha256_md;

static void fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void sha256_init(struct sha256_ctx *c)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	/* fetched once: EVP_sha256() would look the implementation up on every init */
	pthread_once(&once, fetch_sha256);
	if (!md || !sha256_md || !EVP_DigestInit_ex(md, sha256_md, NULL))
		die("libcrypto: cannot initialise SHA-256");
	c->md = md;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(c->md, data, len);
}

void sha256_final_hex(struct sha256_ctx *c, char out[SHA256_HEX_LEN + 1])
{
	unsigned char d[32];
	unsigned int n = 0;
	EVP_DigestFinal_ex(c->md, d, &n);
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
	hex_encode(d, 32, out);
}

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final_hex(&c, out);
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int random_bytes(void *buf, size_t n)
{
	if (n > (size_t)INT32_MAX || RAND_bytes(buf, (int)n) != 1)
		return err_set("cannot get random bytes from libcrypto");
	return 0;
}

int uuid_v4(char out[37])
{
	unsigned char b[16];
	if (random_bytes(b, sizeof(b)) < 0)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
	return 0;
}

int uuid_v7(char out[37])
{
	unsigned char b[16];
	struct timespec ts;
	uint64_t ms;
	if (random_bytes(b, sizeof(b)) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (b[6] & 0x0f) | 0x70;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
	return 0;
}

int ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
