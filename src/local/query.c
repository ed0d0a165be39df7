/*
 * query.c: pattern lookups for list, search and show (see query.h), over
 * store-patterns.h. User text never reaches FTS5 syntax unquoted, so
 * "foo-bar" or a stray quote cannot make a search fail.
 */
#include "local/query.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <string.h>

void query_fts_expression(struct strbuf *out, const char *words)
{
	const char *p = words;
	while (*p) {
		const char *start;
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (out->len)
			strbuf_addch(out, ' ');
		strbuf_addch(out, '"');
		for (const char *q = start; q < p; q++) {
			if (*q == '"')
				strbuf_addch(out, '"');
			strbuf_addch(out, *q);
		}
		strbuf_addch(out, '"');
	}
}

int query_patterns(struct store *s, const struct query_options *o, pattern_row_fn fn, void *data)
{
	struct strbuf fts = STRBUF_INIT;
	struct pattern_filter f = {
		.variant = o->variant,
		.problem_type = o->problem_type,
		.language = o->language,
		.origin = o->origin,
		.include_obsolete = o->include_obsolete,
		.limit = o->limit,
	};
	int ret;

	if (o->text) {
		query_fts_expression(&fts, o->text);
		if (!fts.len)
			return err_set("empty search query");
		f.fts_match = fts.buf;
	}
	ret = pattern_store_list(s, &f, fn, data);
	strbuf_release(&fts);
	return ret;
}

/* Only hex digits and dashes: also keeps LIKE's wildcards out. */
static int is_id_text(const char *id)
{
	for (; *id; id++)
		if (!isxdigit((unsigned char)*id) && *id != '-')
			return 0;
	return 1;
}

int query_show(struct store *s, const char *id, const char *variant, pattern_row_fn fn, void *data)
{
	size_t len = strlen(id);
	int n;

	if (len < 4 || len > 64 || !is_id_text(id))
		return err_set("'%s' is not a pattern id (16 hex digits, a unique prefix of at "
			       "least 4, or a team UUID)", id);
	/* how many distinct patterns the id could mean */
	if (pattern_store_count_prefix(s, id, &n) < 0)
		return -1;
	if (n == 0)
		return 1;
	if (n > 1)
		return err_set("pattern id '%s' is ambiguous (%d patterns match)", id, n);
	return pattern_store_get_prefix(s, id, variant, fn, data);
}
