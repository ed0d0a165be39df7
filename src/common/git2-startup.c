/*
 * git2-startup.c: keep libgit2's start-up cheap.
 *
 * Debian's libgit2 is built with mbedTLS and a default CA bundle, and
 * git_libgit2_init() parses that whole bundle (about 140 certificates)
 * every time: 5 to 15 ms, more than all the rest of a hook run, on every
 * command. git-patterns never uses libgit2's own HTTPS transport (it reads
 * local repositories; the team sync goes through libcurl, which has its
 * own CA handling), so that first, implicit load is skipped here.
 *
 * How: the executable defines mbedtls_x509_crt_parse_file, which the
 * dynamic linker binds ahead of libmbedx509's for libgit2's call. The
 * first call (the one from git_libgit2_init) loads nothing; any later call
 * (an explicit GIT_OPT_SET_SSL_CERT_LOCATIONS) is passed on to mbedTLS.
 * With a libgit2 built on OpenSSL this function is simply never called.
 */
#include <dlfcn.h>
#include <stdatomic.h>

int mbedtls_x509_crt_parse_file(void *chain, const char *path);

int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	static atomic_int calls;
	int (*real)(void *, const char *);

	if (atomic_fetch_add(&calls, 1) == 0)
		return 0; /* the default bundle at git_libgit2_init(): not needed */
	real = (int (*)(void *, const char *))dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
	return real ? real(chain, path) : -1;
}
