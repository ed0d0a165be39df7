/*
 * query.c: pattern lookups for list, search and show (see query.h), over
 * store-patterns.h. User text never reaches FTS5 syntax unquoted, so
 * "foo-bar" or a stray quote cannot make a search fail: a question is cut
 * into words, each quoted.
 */
#include "local/query.h"
#include "local/store-rank.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * Other forms of a word that stemming does not give: a synonym, an
 * abbreviation, the older name of a thing. Each line is one group; a word
 * of the question that is in a group also matches the others (counting a
 * little less than the word as asked: store-rank.h). Small and general on
 * purpose: every entry widens many questions.
 */
static const char *const word_forms[][4] = {
	{ "replication", "replica", "slave", "repl" },
	{ "crash", "segfault", "sigsegv", NULL },
	{ "free", "freed", NULL, NULL },
	{ "notification", "notify", NULL, NULL },
	{ "expire", "expiry", "ttl", NULL },
	{ "config", "configuration", NULL, NULL },
	{ "init", "initialize", "initialization", NULL },
	{ "race", "racy", NULL, NULL },
	{ "deadlock", "hang", NULL, NULL },
	{ "db", "database", NULL, NULL },
	{ "dict", "dictionary", NULL, NULL },
	{ "doc", "documentation", NULL, NULL },
};

/* The group of word (or of word without a plural 's'), -1 if none. */
static int word_form_group(const char *word)
{
	size_t len = strlen(word);

	for (size_t g = 0; g < ARRAY_SIZE(word_forms); g++)
		for (size_t i = 0; i < ARRAY_SIZE(word_forms[g]) && word_forms[g][i]; i++) {
			const char *f = word_forms[g][i];
			if (!strcmp(f, word) ||
			    (len > 3 && word[len - 1] == 's' && strlen(f) == len - 1 &&
			     !strncmp(f, word, len - 1)))
				return (int)g;
		}
	return -1;
}

/* One OR'ed term of the expression, and its group for gp_rank. */
static void add_term(struct strbuf *match, struct strbuf *rank, const char *term, int group)
{
	if (match->len)
		strbuf_addstr(match, " OR ");
	/* a word has no '"' (split_words), so quoting it is enough */
	strbuf_addf(match, "\"%s\"", term);
	strbuf_addf(rank, "%s%d", rank->buf[rank->len - 1] == '(' ? "" : ", ", group);
}

void query_fts_expression(struct strbuf *match, struct strbuf *rank, const char *words)
{
	struct string_list all = STRING_LIST_INIT;
	size_t kept = 0;
	int nword = 0;

	split_words(&all, words);
	for (size_t i = 0; i < all.nr; i++)
		if (!is_stop_word(all.items[i]))
			kept++;
	strbuf_addstr(rank, STORE_RANK_FUNCTION "(");
	for (size_t i = 0; i < all.nr && nword < QUERY_MAX_WORDS; i++) {
		const char *w = all.items[i];
		int g;

		if (kept && is_stop_word(w))
			continue;
		add_term(match, rank, w, nword);
		g = word_form_group(w);
		for (size_t f = 0; g >= 0 && f < ARRAY_SIZE(word_forms[g]) && word_forms[g][f]; f++)
			if (strcmp(word_forms[g][f], w))
				add_term(match, rank, word_forms[g][f],
					 STORE_RANK_OTHER_FORM + nword);
		nword++;
	}
	/*
	 * Two words side by side ("script timeout"), and all of them in
	 * order ("use after free"), as phrases: a change that says the
	 * question's words together ranks first.
	 */
	if (kept > 1) {
		struct string_list q = STRING_LIST_INIT;
		struct strbuf phrase = STRBUF_INIT;
		for (size_t i = 0; i < all.nr && q.nr < QUERY_MAX_WORDS; i++)
			if (!is_stop_word(all.items[i]))
				string_list_append(&q, all.items[i]);
		for (size_t i = 0; q.nr > 2 && i + 1 < q.nr; i++) {
			strbuf_reset(&phrase);
			strbuf_addf(&phrase, "%s %s", q.items[i], q.items[i + 1]);
			add_term(match, rank, phrase.buf, STORE_RANK_PHRASE);
		}
		strbuf_reset(&phrase);
		for (size_t i = 0; i < q.nr; i++)
			strbuf_addf(&phrase, "%s%s", i ? " " : "", q.items[i]);
		add_term(match, rank, phrase.buf, STORE_RANK_PHRASE);
		strbuf_release(&phrase);
		string_list_clear(&q);
	}
	strbuf_addch(rank, ')');
	string_list_clear(&all);
}

int query_patterns(struct store *s, const struct query_options *o, pattern_row_fn fn, void *data)
{
	struct strbuf fts = STRBUF_INIT, rank = STRBUF_INIT;
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
		query_fts_expression(&fts, &rank, o->text);
		if (!fts.len) {
			strbuf_release(&rank);
			return err_set("empty search query");
		}
		f.fts_match = fts.buf;
		f.fts_rank = rank.buf;
	}
	ret = pattern_store_list(s, &f, fn, data);
	strbuf_release(&fts);
	strbuf_release(&rank);
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

int query_close_store(git_repository *repo, struct store *s)
{
	long long limit = config_get_int(repo, "patterns.autoIndex", QUERY_AUTO_INDEX);
	long long pending = 0, bytes = 0;
	struct store *t;
	char *path;

	if (limit <= 0 || store_fts_pending(s, NULL, &pending, &bytes) < 0 ||
	    (pending <= limit && bytes <= QUERY_AUTO_INDEX_BYTES)) {
		store_close(s);
		return 0;
	}
	/* a connection must not cross a fork: the child opens its own */
	path = xstrdup(store_path(s));
	store_close(s);
	switch (detach_process()) {
	case 0:
		if (store_open(&t, path) == 0) {
			store_fts_catch_up(t);
			store_close(t);
		}
		_exit(0);
	case 1:
		free(path);
		return 1;
	default:
		free(path);
		return 0;
	}
}
