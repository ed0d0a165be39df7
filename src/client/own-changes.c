/*
 * own-changes.c: the ranges of change numbers this clone's pushes created
 * (see own-changes.h), their text form and their merging.
 */
#include "client/own-changes.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "local/store-sync.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static int range_cmp(const void *a, const void *b)
{
	const struct seq_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void own_ranges_normalize(struct own_ranges *o, long long floor)
{
	size_t n = 0;
	if (o->nr > 1)
		qsort(o->r, o->nr, sizeof(*o->r), range_cmp);
	for (size_t i = 0; i < o->nr; i++) {
		if (o->r[i].hi <= floor)
			continue;
		if (n && o->r[i].lo <= o->r[n - 1].hi + 1) {
			if (o->r[i].hi > o->r[n - 1].hi)
				o->r[n - 1].hi = o->r[i].hi;
		} else {
			o->r[n++] = o->r[i];
		}
	}
	o->nr = n;
	if (o->nr > OWN_RANGES_MAX) {
		memmove(o->r, o->r + (o->nr - OWN_RANGES_MAX), OWN_RANGES_MAX * sizeof(*o->r));
		o->nr = OWN_RANGES_MAX;
	}
}

void own_ranges_add(struct own_ranges *o, long long lo, long long hi)
{
	ALLOC_GROW(o->r, o->nr + 1, o->alloc);
	o->r[o->nr].lo = lo;
	o->r[o->nr].hi = hi;
	o->nr++;
}

void own_ranges_load(struct store *s, const char *remote, struct own_ranges *o)
{
	char *v = store_sync_own_changes(s, remote);
	const char *p = v;

	memset(o, 0, sizeof(*o));
	while (p && *p) {
		long long lo, hi;
		char *end;
		lo = strtoll(p, &end, 10);
		if (end == p || *end != '-')
			goto bad;
		p = end + 1;
		hi = strtoll(p, &end, 10);
		if (end == p || (*end && *end != ',') || lo < 1 || hi < lo)
			goto bad;
		own_ranges_add(o, lo, hi);
		p = *end ? end + 1 : end;
	}
	free(v);
	own_ranges_normalize(o, 0);
	return;
bad:
	free(v);
	o->nr = 0;
}

int own_ranges_save(struct store *s, const char *remote, const struct own_ranges *o)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	for (size_t i = 0; i < o->nr; i++) {
		/* sorted, disjoint, non-adjacent (own_ranges_normalize) */
		assert(o->r[i].lo <= o->r[i].hi && (!i || o->r[i].lo > o->r[i - 1].hi + 1));
		strbuf_addf(&sb, "%s%lld-%lld", i ? "," : "", o->r[i].lo, o->r[i].hi);
	}
	ret = store_sync_set_own_changes(s, remote, sb.buf);
	strbuf_release(&sb);
	return ret;
}

void own_ranges_release(struct own_ranges *o)
{
	free(o->r);
	memset(o, 0, sizeof(*o));
}
