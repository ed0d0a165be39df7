/*
 * profile.c: repository URLs (credentials out, canonical identity) and the
 * similarity of project profiles, exactly as SPEC §8 states the seed's
 * rule (with its faults fixed: case-insensitive comparisons, an empty
 * field never matches).
 *
 * Scores are summed in hundredths, as integers, so 0.4 + 0.15 + 0.15 is
 * exactly 0.7 and a threshold such as 0.7 compares as the user expects.
 */
#include "common/profile.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

/* Where the authority ("user@host:port") of a URL with a scheme starts. */
static const char *after_scheme(const char *url)
{
	const char *p = strstr(url, "://");
	const char *slash = strchr(url, '/');
	if (!p || (slash && slash < p))
		return NULL;
	return p + 3;
}

/* 1 if url is scp-style "[user@]host:path" (a colon before any slash). */
static int is_scp_like(const char *url)
{
	const char *colon = strchr(url, ':');
	const char *slash = strchr(url, '/');
	return colon && colon != url && (!slash || colon < slash);
}

char *profile_url_strip_credentials(const char *url)
{
	const char *auth = after_scheme(url), *end, *at;
	struct strbuf sb = STRBUF_INIT;

	if (auth) {
		end = auth + strcspn(auth, "/?#");
		at = memrchr(auth, '@', (size_t)(end - auth));
		strbuf_add(&sb, url, (size_t)(auth - url));
		strbuf_addstr(&sb, at ? at + 1 : auth);
	} else if (is_scp_like(url)) {
		const char *colon = strchr(url, ':');
		at = memrchr(url, '@', (size_t)(colon - url));
		strbuf_addstr(&sb, at ? at + 1 : url);
	} else {
		strbuf_addstr(&sb, url);
	}
	return strbuf_detach(&sb, NULL);
}

char *profile_url_canonical(const char *url)
{
	const char *auth = after_scheme(url), *host, *host_end, *path, *at;
	struct strbuf sb = STRBUF_INIT;

	if (auth) {
		const char *end = auth + strcspn(auth, "/?#");
		at = memrchr(auth, '@', (size_t)(end - auth));
		host = at ? at + 1 : auth;
		path = end;
		host_end = end;
		if (*host == '[') { /* [v6]:port */
			const char *close = memchr(host, ']', (size_t)(end - host));
			if (close)
				host_end = close + 1;
		} else {
			const char *colon = memchr(host, ':', (size_t)(end - host));
			if (colon)
				host_end = colon;
		}
	} else if (is_scp_like(url)) {
		const char *colon = strchr(url, ':');
		at = memrchr(url, '@', (size_t)(colon - url));
		host = at ? at + 1 : url;
		host_end = colon;
		path = colon + 1;
	} else {
		host = host_end = url;
		path = url;
	}
	for (const char *p = host; p < host_end; p++)
		strbuf_addch(&sb, (char)tolower((unsigned char)*p));
	if (host_end > host && *path != '/')
		strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, path);
	/* trailing slashes and ".git", in any order ("a/b.git/", "a/b/") */
	for (;;) {
		if (sb.len && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
		else if (sb.len > 4 && !strcmp(sb.buf + sb.len - 4, ".git"))
			strbuf_setlen(&sb, sb.len - 4);
		else
			break;
	}
	return strbuf_detach(&sb, NULL);
}

static const char *const framework_families[][5] = {
	{ "react", "vue", "angular", "svelte", NULL },
	{ "django", "flask", "fastapi", NULL },
	{ "express", "koa", "hapi", NULL },
	{ "spring", "springboot", NULL },
};

static const char *const domain_categories[][6] = {
	{ "web", "webapp", "website", "frontend", "backend", NULL },
	{ "ml", "ai", "machine learning", "deep learning", NULL },
	{ "api", "rest", "graphql", "microservice", NULL },
	{ "data", "analytics", "etl", NULL },
};

static int framework_family(const char *s)
{
	for (size_t i = 0; s && *s && i < ARRAY_SIZE(framework_families); i++)
		for (size_t j = 0; framework_families[i][j]; j++)
			if (!strcasecmp(framework_families[i][j], s))
				return (int)i;
	return -1;
}

static int domain_category(const char *s)
{
	for (size_t i = 0; s && *s && i < ARRAY_SIZE(domain_categories); i++)
		for (size_t j = 0; domain_categories[i][j]; j++)
			if (!strcasecmp(domain_categories[i][j], s))
				return (int)i;
	return -1;
}

static char *lower_or_null(const char *s)
{
	char *l;
	if (!s || !*s)
		return NULL;
	l = xstrdup(s);
	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

void profile_key_init(struct profile_key *k, const char *language, const char *framework,
		      const char *domain)
{
	k->language = lower_or_null(language);
	k->framework = lower_or_null(framework);
	k->domain = lower_or_null(domain);
	k->family = framework_family(k->framework);
	k->category = domain_category(k->domain);
}

void profile_key_release(struct profile_key *k)
{
	free(k->language);
	free(k->framework);
	free(k->domain);
}

static int same_key(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

void profile_key_similarity(const struct profile_key *a, const struct profile_key *b,
			    struct profile_match *out)
{
	int hundredths = 0;

	out->language_match = same_key(a->language, b->language);
	out->framework_match = same_key(a->framework, b->framework);
	out->domain_match = same_key(a->domain, b->domain);
	if (out->language_match)
		hundredths += 40;
	if (out->framework_match)
		hundredths += 30;
	else if (a->family >= 0 && a->family == b->family)
		hundredths += 15;
	if (out->domain_match)
		hundredths += 30;
	else if (a->category >= 0 && a->category == b->category)
		hundredths += 15;
	out->score = hundredths / 100.0;
}

void profile_similarity(const char *lang_a, const char *fw_a, const char *dom_a,
			const char *lang_b, const char *fw_b, const char *dom_b,
			struct profile_match *out)
{
	struct profile_key a, b;
	profile_key_init(&a, lang_a, fw_a, dom_a);
	profile_key_init(&b, lang_b, fw_b, dom_b);
	profile_key_similarity(&a, &b, out);
	profile_key_release(&a);
	profile_key_release(&b);
}
