/*
 * license.c: license files to SPDX ids, remote URLs to canonical ones (see
 * license.h).
 *
 * A text is recognised by phrases its license always carries, matched on
 * a normalised copy (lower case, every run of non-alphanumerics one
 * space), so line breaks, comment markers and punctuation do not matter.
 * Phrases are whole headers ("gnu general public license version 2 june
 * 1991"), not names alone: the GPL names the LGPL and the AGPL in its own
 * text. A file that matches two licenses (a dual license, or a license
 * with another appended) or names one we do not list is "".
 */
#include "common/license.h"
#include "common/util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* text as lower-case words separated by single spaces */
static void normalise(struct strbuf *out, const char *text, size_t len)
{
	int space = 1;
	strbuf_grow(out, len + 2);
	strbuf_addch(out, ' ');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (isalnum(c)) {
			strbuf_addch(out, (char)tolower(c));
			space = 0;
		} else if (!space) {
			strbuf_addch(out, ' ');
			space = 1;
		}
	}
	if (!space)
		strbuf_addch(out, ' ');
}

struct license_rule {
	const char *spdx; /* NULL: a license we do not name, which makes the file "" */
	const char *all[3]; /* phrases that must all be there (already normalised) */
};

static const struct license_rule rules[] = {
	{ "AGPL-3.0", { "gnu affero general public license version 3 19 november 2007" } },
	{ "LGPL-3.0", { "gnu lesser general public license version 3 29 june 2007" } },
	{ "LGPL-2.1", { "gnu lesser general public license version 2 1 february 1999" } },
	{ "LGPL-2.0", { "gnu library general public license version 2 june 1991" } },
	{ "GPL-3.0", { "gnu general public license version 3 29 june 2007" } },
	{ "GPL-2.0", { "gnu general public license version 2 june 1991" } },
	{ "MPL-2.0", { "mozilla public license version 2 0" } },
	{ "MPL-2.0", { "mozilla public license v 2 0" } },
	{ "Apache-2.0", { "apache license version 2 0" } },
	{ "EPL-2.0", { "eclipse public license v 2 0" } },
	{ "EPL-2.0", { "eclipse public license version 2 0" } },
	{ "BSL-1.0", { "boost software license version 1 0" } },
	{ "Unlicense", { "this is free and unencumbered software released into the public domain" } },
	{ "CC0-1.0", { "cc0 1 0 universal" } },
	{ "MIT",
	  { "permission is hereby granted free of charge to any person obtaining a copy",
	    "the above copyright notice and this permission notice shall be included" } },
	{ "ISC",
	  { "permission to use copy modify and or distribute this software for any purpose "
	    "with or without fee is hereby granted" } },
	{ "ISC",
	  { "permission to use copy modify and distribute this software for any purpose "
	    "with or without fee is hereby granted" } },
	{ "Zlib", { "altered source versions must be plainly marked as such",
		    "this notice may not be removed or altered from any source distribution" } },
	/* licenses we do not name: their presence makes the file "" */
	{ NULL, { "server side public license" } },
	{ NULL, { "source available license" } },
	{ NULL, { "business source license" } },
	{ NULL, { "commons clause" } },
	{ NULL, { "elastic license" } },
};

static const char bsd_phrase[] = "redistribution and use in source and binary forms with or "
				 "without modification are permitted provided that";

static const char *bsd_kind(const char *t)
{
	if (strstr(t, " all advertising materials mentioning features or use of this software "))
		return "BSD-4-Clause";
	if (strstr(t, " neither the name of ") || strstr(t, " may not be used to endorse or promote "))
		return "BSD-3-Clause";
	return "BSD-2-Clause";
}

const char *license_spdx(const char *text, size_t len)
{
	struct strbuf t = STRBUF_INIT, phrase = STRBUF_INIT;
	const char *found = NULL;
	int several = 0;

	normalise(&t, text, len);
	for (size_t i = 0; i < ARRAY_SIZE(rules) && !several; i++) {
		int all = 1;
		for (size_t j = 0; j < ARRAY_SIZE(rules[i].all) && rules[i].all[j] && all; j++) {
			strbuf_reset(&phrase);
			strbuf_addf(&phrase, " %s ", rules[i].all[j]);
			all = strstr(t.buf, phrase.buf) != NULL;
		}
		if (!all)
			continue;
		if (!rules[i].spdx || (found && strcmp(found, rules[i].spdx)))
			several = 1;
		found = rules[i].spdx;
	}
	strbuf_reset(&phrase);
	strbuf_addf(&phrase, " %s ", bsd_phrase);
	if (!several && strstr(t.buf, phrase.buf)) {
		if (found)
			several = 1;
		found = bsd_kind(t.buf);
	}
	strbuf_release(&t);
	strbuf_release(&phrase);
	return several || !found ? "" : found;
}

int license_file_name(const char *name)
{
	static const char *const stems[] = { "license", "licence", "copying", "unlicense" };
	static const char *const exts[] = { "", ".txt", ".md", ".markdown", ".rst" };
	for (size_t i = 0; i < ARRAY_SIZE(stems); i++) {
		size_t n = strlen(stems[i]);
		if (strncasecmp(name, stems[i], n))
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(exts); j++)
			if (!strcasecmp(name + n, exts[j]))
				return 1;
	}
	return 0;
}

static const char *blob_license(git_repository *repo, const git_oid *id,
				struct license_cache *c)
{
	git_blob *blob;
	const char *spdx;
	size_t slot;

	for (size_t i = 0; i < c->nr; i++)
		if (git_oid_equal(&c->blob_ids[i], id))
			return c->blob_spdx[i];
	if (git_blob_lookup(&blob, repo, id) < 0) {
		git_error_clear();
		return "";
	}
	spdx = license_spdx(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	slot = c->nr < ARRAY_SIZE(c->blob_ids) ? c->nr++ : c->next++ % ARRAY_SIZE(c->blob_ids);
	c->blob_ids[slot] = *id;
	c->blob_spdx[slot] = spdx;
	return spdx;
}

const char *license_at_commit(git_repository *repo, const char *commit_hex,
			      struct license_cache *c)
{
	git_oid oid;
	git_commit *commit;
	git_tree *tree;
	const char *found = "";
	int files = 0;

	if (!repo || git_oid_fromstr(&oid, commit_hex) < 0)
		return NULL;
	if (c->last && git_oid_equal(&oid, &c->last_commit))
		return c->last;
	if (git_commit_lookup(&commit, repo, &oid) < 0) {
		git_error_clear();
		return NULL;
	}
	if (git_commit_tree(&tree, commit) < 0) {
		git_error_clear();
		git_commit_free(commit);
		return NULL;
	}
	for (size_t i = 0; i < git_tree_entrycount(tree); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *spdx;
		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
		    !license_file_name(git_tree_entry_name(e)))
			continue;
		spdx = blob_license(repo, git_tree_entry_id(e), c);
		/* LICENSE and COPYING must agree */
		found = !files++ || !strcmp(found, spdx) ? spdx : "";
	}
	git_tree_free(tree);
	git_commit_free(commit);
	c->last_commit = oid;
	c->last = found;
	return found;
}

void url_canonical(struct strbuf *out, const char *url)
{
	const char *scheme_end, *auth, *auth_end, *path, *at, *host_end;
	int keep_port;

	strbuf_reset(out);
	if (!url || !*url || *url == '/' || *url == '.' || starts_with(url, "file:"))
		return;
	if ((scheme_end = strstr(url, "://"))) {
		auth = scheme_end + 3;
		auth_end = auth + strcspn(auth, "/");
		path = auth_end;
		/* an https port names the server; an ssh one only the transport */
		keep_port = starts_with(url, "http");
	} else {
		/* scp-like "user@host:owner/repo.git" */
		auth = url;
		auth_end = strchr(url, ':');
		if (!auth_end || memchr(url, '/', (size_t)(auth_end - url)) || auth_end - url < 2)
			return;
		path = auth_end + 1;
		keep_port = 0;
	}
	/* no credentials: everything up to the last '@' of the authority */
	at = memrchr(auth, '@', (size_t)(auth_end - auth));
	if (at)
		auth = at + 1;
	host_end = keep_port ? auth_end : auth + strcspn(auth, ":/");
	if (host_end > auth_end)
		host_end = auth_end;
	if (host_end == auth)
		return;
	strbuf_addstr(out, "https://");
	for (const char *p = auth; p < host_end; p++)
		strbuf_addch(out, (char)tolower((unsigned char)*p));
	while (*path == '/')
		path++;
	strbuf_addch(out, '/');
	strbuf_addstr(out, path);
	/* no query, fragment, trailing slash or ".git" */
	strbuf_setlen(out, strcspn(out->buf, "?#"));
	while (out->len > 8 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	if (ends_with(out->buf, ".git"))
		strbuf_setlen(out, out->len - 4);
}

void repo_canonical_url(struct strbuf *out, git_repository *repo)
{
	git_strarray names = { NULL, 0 };
	git_remote *remote = NULL;

	strbuf_reset(out);
	if (git_remote_lookup(&remote, repo, "origin") < 0) {
		git_error_clear();
		if (git_remote_list(&names, repo) < 0 || !names.count ||
		    git_remote_lookup(&remote, repo, names.strings[0]) < 0) {
			git_error_clear();
			git_strarray_dispose(&names);
			return;
		}
	}
	url_canonical(out, git_remote_url(remote));
	git_remote_free(remote);
	git_strarray_dispose(&names);
}
