/*
 * ui-diff.c: the side-by-side diff on a pattern's page: which lines of
 * before and after are the same, removed, added or changed, with their
 * line numbers.
 *
 * Patterns are hunks of a few dozen lines, so a longest common subsequence
 * over the lines between the common head and tail (a table of
 * (n+1)(m+1) cells) is simple and fast; past UI_DIFF_MAX_CELLS cells the
 * middle is shown as changed as a whole, which keeps a hostile pattern
 * from costing more than a bounded amount of memory and time.
 */
#include "server/ui.h"
#include "common/util.h"

#include <stdint.h>
#include <string.h>

struct lines {
	const char **at;
	size_t *len;
	size_t nr;
};

static void split_lines(const char *s, struct lines *l)
{
	size_t alloc = 0, alloc2 = 0;
	memset(l, 0, sizeof(*l));
	while (s && *s) {
		const char *nl = strchrnul(s, '\n');
		ALLOC_GROW(l->at, l->nr + 1, alloc);
		ALLOC_GROW(l->len, l->nr + 1, alloc2);
		l->at[l->nr] = s;
		l->len[l->nr] = (size_t)(nl - s);
		l->nr++;
		s = *nl ? nl + 1 : nl;
	}
}

static int same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->at[i], b->at[j], a->len[i]);
}

struct out {
	struct ui_diff_row *rows;
	size_t nr, alloc;
};

static void emit(struct out *o, char kind, const struct lines *a, size_t i,
		 const struct lines *b, size_t j)
{
	struct ui_diff_row *r;
	ALLOC_GROW(o->rows, o->nr + 1, o->alloc);
	r = &o->rows[o->nr++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (kind != '+') {
		r->old_no = (int)i + 1;
		r->old_line = a->at[i];
		r->old_len = a->len[i];
	}
	if (kind != '-') {
		r->new_no = (int)j + 1;
		r->new_line = b->at[j];
		r->new_len = b->len[j];
	}
}

/* Removed lines a[i0..i1) against added lines b[j0..j1): paired, then the rest. */
static void emit_change(struct out *o, const struct lines *a, size_t i0, size_t i1,
			const struct lines *b, size_t j0, size_t j1)
{
	while (i0 < i1 && j0 < j1)
		emit(o, '~', a, i0++, b, j0++);
	while (i0 < i1)
		emit(o, '-', a, i0++, b, 0);
	while (j0 < j1)
		emit(o, '+', a, 0, b, j0++);
}

size_t ui_diff_rows(const char *before, const char *after, struct ui_diff_row **rows)
{
	struct lines a, b;
	struct out o = { NULL, 0, 0 };
	size_t head = 0, tail = 0, n, m;

	split_lines(before, &a);
	split_lines(after, &b);
	while (head < a.nr && head < b.nr && same(&a, head, &b, head))
		head++;
	while (tail < a.nr - head && tail < b.nr - head &&
	       same(&a, a.nr - 1 - tail, &b, b.nr - 1 - tail))
		tail++;
	for (size_t k = 0; k < head; k++)
		emit(&o, ' ', &a, k, &b, k);

	n = a.nr - head - tail;
	m = b.nr - head - tail;
	if (n && m && (n + 1) * (m + 1) <= UI_DIFF_MAX_CELLS) {
		/* L[i][j]: the longest common subsequence of a[head+i..] and b[head+j..] */
		uint32_t *L = xcalloc((n + 1) * (m + 1), sizeof(*L));
		size_t i, j, di, dj;
#define AT(i, j) L[(i) * (m + 1) + (j)]
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				AT(i, j) = same(&a, head + i, &b, head + j)
						   ? AT(i + 1, j + 1) + 1
						   : (AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j)
										 : AT(i, j + 1));
		i = j = di = dj = 0;
		while (i < n || j < m) {
			if (i < n && j < m && same(&a, head + i, &b, head + j)) {
				emit_change(&o, &a, head + di, head + i, &b, head + dj, head + j);
				emit(&o, ' ', &a, head + i, &b, head + j);
				di = ++i;
				dj = ++j;
			} else if (j == m || (i < n && AT(i + 1, j) >= AT(i, j + 1))) {
				i++;
			} else {
				j++;
			}
		}
		emit_change(&o, &a, head + di, head + n, &b, head + dj, head + m);
#undef AT
		free(L);
	} else {
		emit_change(&o, &a, head, head + n, &b, head, head + m);
	}
	for (size_t k = tail; k > 0; k--)
		emit(&o, ' ', &a, a.nr - k, &b, b.nr - k);
	free(a.at);
	free(a.len);
	free(b.at);
	free(b.len);
	*rows = o.rows;
	return o.nr;
}
