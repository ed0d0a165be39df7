/*
 * query.c: pattern lookups for list, search and show (see query.h), over
 * store-patterns.h. User text never reaches FTS5 syntax unquoted, so
 * "foo-bar" or a stray quote cannot make a search fail: a question is cut
 * into words, each quoted.
 */
#include "local/query.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * English words that carry no topic in a question. Negations and the
 * words of time and place that name bugs stay out of the list: "not
 * freed", "use after free", "out of memory", "before init". Sorted for
 * bsearch.
 */
static const char *const stop_words[] = {
	"a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
	"been", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing",
	"each", "for", "from", "had", "has", "have", "having", "he", "her", "here", "him",
	"his", "how", "i", "if", "in", "is", "it", "its", "itself", "just", "me", "more",
	"most", "my", "of", "on", "only", "or", "other", "our", "she", "should", "so", "some",
	"such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
	"this", "those", "to", "too", "very", "was", "we", "were", "what", "when", "where",
	"which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
};

static int word_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int is_stop_word(const char *word)
{
	return bsearch(word, stop_words, ARRAY_SIZE(stop_words), sizeof(*stop_words),
		       word_cmp) != NULL;
}

/* Each word of text (runs of letters, digits, '_' and UTF-8 bytes), lower case. */
static void split_words(struct string_list *out, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	struct strbuf w = STRBUF_INIT;
	for (;;) {
		if (*p && (isalnum(*p) || *p == '_' || *p >= 0x80)) {
			strbuf_addch(&w, (char)tolower(*p));
		} else if (w.len) {
			string_list_append(out, w.buf);
			strbuf_reset(&w);
		}
		if (!*p++)
			break;
	}
	strbuf_release(&w);
}

void query_fts_expression(struct strbuf *out, const char *words)
{
	struct string_list all = STRING_LIST_INIT;
	size_t kept = 0;

	split_words(&all, words);
	for (size_t i = 0; i < all.nr; i++)
		if (!is_stop_word(all.items[i]))
			kept++;
	for (size_t i = 0; i < all.nr; i++) {
		if (kept && is_stop_word(all.items[i]))
			continue;
		if (out->len)
			strbuf_addstr(out, " OR ");
		/* a word has no '"' (split_words), so quoting it is enough */
		strbuf_addf(out, "\"%s\"", all.items[i]);
	}
	/* the words kept, in order, as one phrase: "use after free" said so ranks first */
	if (kept > 1) {
		int first = 1;
		strbuf_addstr(out, " OR \"");
		for (size_t i = 0; i < all.nr; i++) {
			if (is_stop_word(all.items[i]))
				continue;
			strbuf_addf(out, "%s%s", first ? "" : " ", all.items[i]);
			first = 0;
		}
		strbuf_addch(out, '"');
	}
	string_list_clear(&all);
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
		.file_role = o->file_role,
		.code_only = o->code_only,
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
