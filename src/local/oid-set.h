/*
 * oid-set: a set of object ids, each with a small non-zero flag: an open
 * addressing hash table keyed by the raw id (ids are uniformly
 * distributed, so their first bytes are the hash). A few dozen bytes per
 * id, for the walk's seen/hidden sets and the extraction's processed marks.
 */
#ifndef OID_SET_H
#define OID_SET_H

#include <git2.h>
#include <stddef.h>

struct oid_set {
	unsigned char (*keys)[GIT_OID_RAWSZ];
	unsigned char *flags; /* 0: empty slot */
	size_t cap, nr;	      /* cap: 0 or a power of two, at least twice nr */
};

#define OID_SET_INIT { NULL, NULL, 0, 0 }

/* Add id with flag (non-zero), or set the flag of an id already there. */
void oid_set_add(struct oid_set *s, const unsigned char *id, unsigned char flag);
/* The flag of id, 0 if absent. */
unsigned char oid_set_get(const struct oid_set *s, const unsigned char *id);
/* Free and empty s (it can be used again). */
void oid_set_free(struct oid_set *s);

#endif
