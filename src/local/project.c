/*
 * project.c: detect the repository's profile (see project.h).
 *
 * One walk of the tree at HEAD: each blob's size comes from the object
 * database's header (its content is never read), except for the few
 * manifests, which are read and scanned for dependency names. Paths are
 * left out by their folders (vendor/, third_party/, node_modules/, docs/),
 * by name (*.min.js) and by .gitattributes (linguist-vendored,
 * linguist-generated, linguist-documentation), as GitHub's linguist does.
 */
#include "local/project.h"
#include "common/json.h"
#include "common/language.h"
#include "common/profile.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

/* Languages that are data, markup or prose, not programming. */
static const char *const not_programming[] = {
	"markdown", "json", "yaml", "toml", "xml", "csv", "text", "ini", "restructuredtext",
	"asciidoc", "html", "css", "scss", "sass", "less", "tex", "go-module", "protobuf",
	"dockerfile", "makefile", "cmake", "jupyter", "graphql", "hcl", "meson", "starlark",
	"batchfile", "sql", "git-attributes", "git-config", "ignore-list", "editorconfig",
	"dotenv", "diff", "tsv", "svg", "mdx", "org", "pod", "rdoc", "roff", "textile", "bibtex",
	"rmarkdown", "java-properties", "json-with-comments", "nanorc", "nginx", "apacheconf",
	"procfile", "just", "ninja", "mustache", "handlebars", "jinja", "liquid", "twig", "ejs",
	"haml", "pug", "slim", "html+eex", "html+erb", "razor", "java-server-pages", "stylus",
	"postcss", "prisma", "capnp", "thrift", "cue", "dhall", "jsonnet",
};

static int is_programming(const char *lang)
{
	if (!*lang)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(not_programming); i++)
		if (!strcmp(lang, not_programming[i]))
			return 0;
	return 1;
}

static int has_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	for (const char *p = path; (p = strstr(p, dir)); p += n)
		if ((p == path || p[-1] == '/') && p[n] == '/')
			return 1;
	return 0;
}

static int vendored_path(const char *path)
{
	return has_dir(path, "vendor") || has_dir(path, "third_party") ||
	       has_dir(path, "node_modules");
}

static int attr_true(const char *v)
{
	return GIT_ATTR_IS_TRUE(v) ||
	       (git_attr_value(v) == GIT_ATTR_VALUE_STRING && parse_bool(v) == 1);
}

/* ---- manifests ---- */

struct deps {
	struct string_list names; /* lower case */
};

static void dep_add(struct deps *d, const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < len; i++)
		strbuf_addch(&sb, s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]));
	if (sb.len)
		string_list_append(&d->names, sb.buf);
	strbuf_release(&sb);
}

/* A package name at s (letters, digits, . _ - / @ :); its length. */
static size_t name_len(const char *s)
{
	size_t n = 0;
	while (s[n] && (isalnum((unsigned char)s[n]) || strchr("._-/@:", s[n])))
		n++;
	return n;
}

static void scan_package_json(struct deps *d, const char *buf, size_t len)
{
	static const char *const keys[] = { "dependencies", "devDependencies",
					    "peerDependencies" };
	cJSON *j = json_parse(buf, len);
	if (!j) {
		git_error_clear();
		return;
	}
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, keys[k]), *e;
		if (!cJSON_IsObject(o))
			continue;
		cJSON_ArrayForEach(e, o)
			if (e->string)
				dep_add(d, e->string, strlen(e->string));
	}
	cJSON_Delete(j);
}

/* Each line's leading name (requirements.txt, Gemfile's gem 'x', go.mod). */
static void scan_lines(struct deps *d, const char *buf, size_t len, const char *prefix)
{
	const char *end = buf + len;
	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		struct strbuf line = STRBUF_INIT;
		const char *s;
		strbuf_add(&line, buf, (size_t)((nl ? nl : end) - buf));
		buf = nl ? nl + 1 : end;
		s = line.buf;
		while (*s == ' ' || *s == '\t')
			s++;
		if (prefix && !skip_prefix(s, prefix, &s)) {
			strbuf_release(&line);
			continue;
		}
		while (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"' || *s == '(')
			s++;
		if (*s != '#' && *s != '-')
			dep_add(d, s, name_len(s));
		strbuf_release(&line);
	}
}

/*
 * Every quoted string's leading name ("django>=4" gives django) and every
 * "name =" key of a TOML/INI section about dependencies or packages
 * (pyproject.toml, Pipfile, Cargo.toml, setup.py, setup.cfg, Gradle).
 */
static void scan_quoted_and_keys(struct deps *d, const char *buf, size_t len)
{
	const char *end = buf + len;
	int in_deps = 0;
	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		struct strbuf line = STRBUF_INIT;
		const char *s;
		strbuf_add(&line, buf, (size_t)((nl ? nl : end) - buf));
		buf = nl ? nl + 1 : end;
		s = line.buf;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			const char *t = strstr(s, "dependencies.");
			in_deps = strstr(s, "dependencies") || strstr(s, "packages") ||
				  strstr(s, "options");
			/* Cargo's table of one dependency: [dependencies.axum] */
			if (t)
				dep_add(d, t + 13, name_len(t + 13));
		} else if (in_deps && (isalnum((unsigned char)*s) || *s == '"')) {
			const char *k = *s == '"' ? s + 1 : s;
			size_t n = name_len(k);
			const char *after = k + n + (*s == '"');
			while (*after == ' ')
				after++;
			if (*after == '=')
				dep_add(d, k, n);
		}
		for (const char *q = s; (q = strpbrk(q, "\"'"));) {
			char quote = *q++;
			const char *close = strchr(q, quote);
			if (!close)
				break;
			dep_add(d, q, name_len(q));
			q = close + 1;
		}
		/* setup.cfg: install_requires continuation lines */
		if (isalpha((unsigned char)*s) && (line.buf[0] == ' ' || line.buf[0] == '\t') &&
		    !strchr(s, '='))
			dep_add(d, s, name_len(s));
		strbuf_release(&line);
	}
}

/* pom.xml: each <groupId> followed by an <artifactId>, as group:artifact. */
static void scan_pom(struct deps *d, const char *buf, size_t len)
{
	struct strbuf text = STRBUF_INIT;
	const char *p;
	strbuf_add(&text, buf, len);
	for (p = text.buf; (p = strstr(p, "<groupId>"));) {
		const char *g = p + 9, *ge = strstr(g, "</groupId>"), *a, *ae;
		struct strbuf dep = STRBUF_INIT;
		if (!ge)
			break;
		a = strstr(ge, "<artifactId>");
		ae = a ? strstr(a, "</artifactId>") : NULL;
		strbuf_add(&dep, g, (size_t)(ge - g));
		strbuf_addch(&dep, ':');
		if (a && ae)
			strbuf_add(&dep, a + 12, (size_t)(ae - a - 12));
		dep_add(d, dep.buf, dep.len);
		strbuf_release(&dep);
		p = ge;
	}
	strbuf_release(&text);
}

/* How a manifest's file name is read; NULL when it is no manifest. */
static void (*manifest_scanner(const char *name))(struct deps *, const char *, size_t)
{
	if (!strcmp(name, "package.json"))
		return scan_package_json;
	if (!strcmp(name, "pom.xml"))
		return scan_pom;
	if (!strcmp(name, "pyproject.toml") || !strcmp(name, "Pipfile") ||
	    !strcmp(name, "setup.py") || !strcmp(name, "setup.cfg") ||
	    !strcmp(name, "Cargo.toml") || !strcmp(name, "build.gradle") ||
	    !strcmp(name, "build.gradle.kts"))
		return scan_quoted_and_keys;
	return NULL;
}

static void scan_manifest(struct deps *d, const char *name, const char *buf, size_t len)
{
	void (*fn)(struct deps *, const char *, size_t) = manifest_scanner(name);
	if (fn)
		fn(d, buf, len);
	else if (starts_with(name, "requirements") && ends_with(name, ".txt"))
		scan_lines(d, buf, len, NULL);
	else if (!strcmp(name, "Gemfile"))
		scan_lines(d, buf, len, "gem ");
	else if (!strcmp(name, "go.mod")) {
		scan_lines(d, buf, len, NULL); /* "require (" blocks: one module a line */
		scan_lines(d, buf, len, "require "); /* and "require x v1" */
	}
}

static int is_manifest(const char *name)
{
	return manifest_scanner(name) || (starts_with(name, "requirements") &&
					  ends_with(name, ".txt")) ||
	       !strcmp(name, "Gemfile") || !strcmp(name, "go.mod");
}

/* SPEC §8's table, in its order: a framework and the names that declare it. */
static const struct {
	const char *framework;
	const char *deps[3];
	int prefix; /* deps[] are group prefixes ("org.springframework.boot:") */
} frameworks[] = {
	{ "nextjs", { "next" } , 0 },
	{ "angular", { "@angular/core" } , 0 },
	{ "react", { "react" } , 0 },
	{ "vue", { "vue" } , 0 },
	{ "svelte", { "svelte" } , 0 },
	{ "nestjs", { "@nestjs/core" } , 0 },
	{ "express", { "express" } , 0 },
	{ "koa", { "koa" } , 0 },
	{ "hapi", { "@hapi/hapi", "hapi" } , 0 },
	{ "django", { "django" } , 0 },
	{ "flask", { "flask" } , 0 },
	{ "fastapi", { "fastapi" } , 0 },
	{ "springboot", { "org.springframework.boot:" }, 1 },
	{ "spring", { "org.springframework:" }, 1 },
	{ "rails", { "rails" } , 0 },
	{ "sinatra", { "sinatra" } , 0 },
	{ "gin", { "github.com/gin-gonic/gin" } , 0 },
	{ "echo", { "github.com/labstack/echo", "github.com/labstack/echo/v4" } , 0 },
	{ "fiber", { "github.com/gofiber/fiber", "github.com/gofiber/fiber/v2" } , 0 },
	{ "actix", { "actix-web" } , 0 },
	{ "axum", { "axum" } , 0 },
	{ "rocket", { "rocket" } , 0 },
	{ "pytorch", { "torch" } , 0 },
	{ "tensorflow", { "tensorflow" } , 0 },
	{ "numpy", { "numpy" } , 0 },
};

const char *project_framework_of(const char *const *deps, size_t nr)
{
	for (size_t f = 0; f < ARRAY_SIZE(frameworks); f++)
		for (size_t k = 0; k < ARRAY_SIZE(frameworks[f].deps) && frameworks[f].deps[k]; k++)
			for (size_t i = 0; i < nr; i++)
				if (frameworks[f].prefix ? starts_with(deps[i], frameworks[f].deps[k])
							 : !strcmp(deps[i], frameworks[f].deps[k]))
					return frameworks[f].framework;
	return NULL;
}

/* ---- the walk ---- */

struct walk {
	git_repository *repo;
	git_odb *odb;
	struct project_profile *p;
	struct deps deps;
	int error;
};

static void count_language(struct project_profile *p, const char *lang, long long bytes)
{
	size_t i;
	for (i = 0; i < p->nr_languages; i++)
		if (!strcmp(p->languages[i].name, lang))
			break;
	if (i == p->nr_languages) {
		p->languages = xrealloc(p->languages, (i + 1) * sizeof(*p->languages));
		p->languages[i].name = xstrdup(lang);
		p->languages[i].bytes = 0;
		p->nr_languages++;
	}
	p->languages[i].bytes += bytes;
	p->files++;
	p->bytes += bytes;
}

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	static const char *attrs[] = { "linguist-vendored", "linguist-generated",
					     "linguist-documentation" };
	struct walk *w = payload;
	const char *name = git_tree_entry_name(e), *lang, *values[3];
	struct strbuf path = STRBUF_INIT;
	int vendored, skip;
	size_t size;
	git_object_t type;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	strbuf_addstr(&path, root);
	strbuf_addstr(&path, name);
	vendored = vendored_path(path.buf);
	skip = vendored || has_dir(path.buf, "docs") || ends_with(name, ".min.js");
	if (git_attr_get_many(values, w->repo, GIT_ATTR_CHECK_INCLUDE_HEAD, path.buf, 3,
			      attrs) == 0) {
		vendored |= attr_true(values[0]);
		skip |= attr_true(values[0]) || attr_true(values[1]) || attr_true(values[2]);
	} else {
		git_error_clear();
	}
	if (!vendored && is_manifest(name)) {
		git_blob *blob;
		if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(e)) == 0) {
			size_t len = (size_t)git_blob_rawsize(blob);
			if (len <= (4u << 20))
				scan_manifest(&w->deps, name, git_blob_rawcontent(blob), len);
			git_blob_free(blob);
		}
	}
	lang = skip ? "" : language_from_path(path.buf);
	if (is_programming(lang)) {
		if (git_odb_read_header(&size, &type, w->odb, git_tree_entry_id(e)) < 0) {
			w->error = git_error_set_from(path.buf);
			strbuf_release(&path);
			return -1;
		}
		count_language(w->p, lang, (long long)size);
	}
	strbuf_release(&path);
	return 0;
}

static int cmp_language(const void *a, const void *b)
{
	const struct project_language *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

static char *config_nonempty(git_repository *repo, const char *key)
{
	char *v = config_get_string(repo, key, NULL);
	if (v && !*v) {
		free(v);
		v = NULL;
	}
	return v;
}

int project_profile_detect(git_repository *repo, struct project_profile *out)
{
	struct walk w = { repo, NULL, out, { STRING_LIST_INIT }, 0 };
	git_object *head = NULL;
	git_tree *tree = NULL;
	char *url, *v;

	memset(out, 0, sizeof(*out));
	url = config_nonempty(repo, "patterns.projectUrl");
	if (!url)
		url = config_nonempty(repo, "remote.origin.url");
	if (url) {
		out->repo_url = profile_url_strip_credentials(url);
		out->canonical_url = profile_url_canonical(url);
		free(url);
	}

	if (git_revparse_single(&head, repo, "HEAD^{tree}") == 0) {
		tree = (git_tree *)head;
		if (git_repository_odb(&w.odb, repo) < 0 ||
		    git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w) < 0) {
			if (!w.error)
				git_error_set_from("cannot read the tree at HEAD");
			git_odb_free(w.odb);
			git_object_free(head);
			string_list_clear(&w.deps.names);
			project_profile_release(out);
			return -1;
		}
		git_odb_free(w.odb);
		git_object_free(head);
	} else {
		git_error_clear(); /* no commit yet */
	}

	if (out->nr_languages)
		qsort(out->languages, out->nr_languages, sizeof(*out->languages), cmp_language);
	for (size_t i = 0; i < out->nr_languages; i++)
		out->languages[i].share =
			round((double)out->languages[i].bytes * 100 / (double)out->bytes) / 100;
	if (out->nr_languages)
		out->language = xstrdup(out->languages[0].name);
	{
		const char *fw = project_framework_of((const char *const *)w.deps.names.items,
						      w.deps.names.nr);
		if (fw)
			out->framework = xstrdup(fw);
	}
	string_list_clear(&w.deps.names);

	if ((v = config_nonempty(repo, "patterns.language"))) {
		free(out->language);
		out->language = v;
	}
	if ((v = config_nonempty(repo, "patterns.framework"))) {
		free(out->framework);
		out->framework = v;
	}
	out->domain = config_nonempty(repo, "patterns.domain");
	return 0;
}

void project_profile_release(struct project_profile *p)
{
	free(p->repo_url);
	free(p->canonical_url);
	free(p->language);
	free(p->framework);
	free(p->domain);
	for (size_t i = 0; i < p->nr_languages; i++)
		free(p->languages[i].name);
	free(p->languages);
	memset(p, 0, sizeof(*p));
}

void project_profile_json(struct json_writer *jw, const struct project_profile *p,
			  int with_canonical)
{
	jw_object_begin(jw);
	jw_key(jw, "repo_url");
	jw_string(jw, p->repo_url);
	if (with_canonical) {
		jw_key(jw, "canonical_url");
		jw_string(jw, p->canonical_url);
	}
	jw_key(jw, "language");
	jw_string(jw, p->language);
	jw_key(jw, "framework");
	jw_string(jw, p->framework);
	jw_key(jw, "domain");
	jw_string(jw, p->domain);
	jw_key(jw, "languages");
	jw_array_begin(jw);
	for (size_t i = 0; i < p->nr_languages; i++) {
		jw_object_begin(jw);
		jw_key(jw, "language");
		jw_string(jw, p->languages[i].name);
		jw_key(jw, "share");
		jw_double(jw, p->languages[i].share);
		jw_object_end(jw);
	}
	jw_array_end(jw);
	jw_object_end(jw);
}
