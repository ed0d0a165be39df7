/*
 * oid-set.c: the set of object ids of oid-set.h, linear probing in a table
 * kept at most half full.
 */
#include "local/oid-set.h"
#include "common/util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static size_t oid_hash(const unsigned char *k)
{
	size_t h;
	memcpy(&h, k, sizeof(h)); /* object ids are uniformly distributed */
	return h;
}

static void oid_set_grow(struct oid_set *s)
{
	struct oid_set old = *s;
	s->cap = old.cap ? old.cap * 2 : 1024;
	s->keys = xcalloc(s->cap, GIT_OID_RAWSZ);
	s->flags = xcalloc(s->cap, 1);
	s->nr = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.flags[i])
			oid_set_add(s, old.keys[i], old.flags[i]);
	free(old.keys);
	free(old.flags);
}

void oid_set_add(struct oid_set *s, const unsigned char *k, unsigned char flag)
{
	size_t i;

	assert(flag); /* 0 marks an empty slot */
	if ((s->nr + 1) * 2 > s->cap)
		oid_set_grow(s);
	assert(s->cap && !(s->cap & (s->cap - 1)));
	for (i = oid_hash(k) & (s->cap - 1); s->flags[i]; i = (i + 1) & (s->cap - 1))
		if (!memcmp(s->keys[i], k, GIT_OID_RAWSZ)) {
			s->flags[i] = flag;
			return;
		}
	memcpy(s->keys[i], k, GIT_OID_RAWSZ);
	s->flags[i] = flag;
	s->nr++;
}

unsigned char oid_set_get(const struct oid_set *s, const unsigned char *k)
{
	if (!s->cap)
		return 0;
	for (size_t i = oid_hash(k) & (s->cap - 1); s->flags[i]; i = (i + 1) & (s->cap - 1))
		if (!memcmp(s->keys[i], k, GIT_OID_RAWSZ))
			return s->flags[i];
	return 0;
}

void oid_set_free(struct oid_set *s)
{
	free(s->keys);
	free(s->flags);
	memset(s, 0, sizeof(*s));
}
