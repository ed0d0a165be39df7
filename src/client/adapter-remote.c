/*
 * adapter-remote.c: adapter versions on a team server, client side (see
 * adapter-remote.h): the /adapters requests, the version records in the
 * server's answers, and the checks around streamed transfers.
 */
#include "client/adapter-remote.h"
#include "common/hash.h"
#include "common/json.h"
#include "fusion/safetensors.h"
#include "common/tempfile.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *opt_string(const cJSON *o, const char *key)
{
	const char *s = json_get_string(o, key);
	return s ? xstrdup(s) : NULL;
}

static char *opt_json(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char *text, *copy;
	if (!v || cJSON_IsNull(v))
		return NULL;
	text = cJSON_PrintUnformatted(v);
	if (!text)
		return NULL;
	copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}

/* A version record from the server; -1 (err_set) when it lacks id or sha256. */
static int read_version(const cJSON *o, struct adapter_version *a)
{
	const char *id, *sha;
	const cJSON *size;

	memset(a, 0, sizeof(*a));
	if (!cJSON_IsObject(o) || !(id = json_get_string(o, "id")) || strlen(id) >= sizeof(a->id) ||
	    !(sha = json_get_string(o, "sha256")) || strlen(sha) != 64 ||
	    !cJSON_IsNumber(size = cJSON_GetObjectItemCaseSensitive(o, "size")) ||
	    size->valuedouble < 0)
		return err_set("the team server sent an adapter version without id, size "
			       "or sha256");
	memcpy(a->id, id, strlen(id) + 1);
	a->version_name = opt_string(o, "version_name");
	a->created_by = opt_string(o, "created_by");
	a->created_at = opt_string(o, "created_at");
	a->parent_versions = opt_json(o, "parent_versions");
	a->method = opt_string(o, "method");
	a->weights = opt_json(o, "weights");
	memcpy(a->sha256, sha, 65);
	a->size = (long long)size->valuedouble;
	a->is_active = json_get_bool(o, "is_active", 0);
	return 0;
}

/* An error for a refused request: the server's detail (401: the key's source). */
static int refused(const struct http_client *c, const char *what, const char *doing,
		   const struct http_response *resp, long *status)
{
	struct strbuf detail = STRBUF_INIT;
	*status = resp->status;
	if (resp->status == 401)
		return http_key_refused(c, resp, doing);
	http_error_detail(resp, &detail);
	err_set("%s: the team server answered %ld: %s", what, resp->status, detail.buf);
	strbuf_release(&detail);
	return -1;
}

int adapter_remote_list(struct http_client *c, struct adapter_version **out, size_t *nr,
			struct strbuf *raw, long *status)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	const cJSON *versions, *item;
	cJSON *doc = NULL;
	size_t alloc = 0;
	int ret = -1;

	*out = NULL;
	*nr = 0;
	*status = 0;
	if (http_json(c, "GET", "/adapters", NULL, &resp, &doc) < 0)
		goto out;
	if (resp.status != 200) {
		refused(c, "cannot list adapter versions", "listing adapter versions", &resp, status);
		goto out;
	}
	versions = doc ? cJSON_GetObjectItemCaseSensitive(doc, "versions") : NULL;
	if (!cJSON_IsArray(versions)) {
		err_set("the team server's adapter list has no 'versions' array");
		goto out;
	}
	cJSON_ArrayForEach(item, versions) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		if (read_version(item, &(*out)[*nr]) < 0)
			goto out;
		(*nr)++;
	}
	if (raw)
		strbuf_add(raw, resp.body.buf, resp.body.len);
	ret = 0;
out:
	if (ret < 0) {
		adapter_versions_free(*out, *nr);
		*out = NULL;
		*nr = 0;
	}
	cJSON_Delete(doc);
	http_response_release(&resp);
	return ret;
}

int adapter_remote_push(struct http_client *c, const char *file, const char *name,
			struct adapter_version *out, long *status)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct strbuf path = STRBUF_INIT;
	struct st_file *f;
	struct stat st;
	cJSON *doc = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*status = 0;
	if (!*name)
		return err_set("the version name is empty");
	/* a bad file is refused here, before a byte is sent */
	if (st_open(&f, file) < 0)
		return -1;
	st_close(f);
	if (stat(file, &st) < 0)
		return err_set("cannot read '%s': %s", file, strerror(errno));

	strbuf_addstr(&path, "/adapters?name=");
	http_query_escape(&path, name);
	if (http_upload_file(c, "POST", path.buf, "application/octet-stream", file, &resp) < 0)
		goto out;
	if (resp.status != 201 && resp.status != 200) {
		refused(c, "cannot push adapter", "pushing an adapter", &resp, status);
		goto out;
	}
	doc = json_parse(resp.body.buf, resp.body.len);
	if (!doc) {
		err_set("the team server sent invalid JSON for the pushed adapter");
		goto out;
	}
	if (read_version(doc, out) < 0)
		goto out;
	if (out->size != (long long)st.st_size) {
		err_set("the team server recorded %lld bytes for '%s', which has %lld", out->size,
			file, (long long)st.st_size);
		adapter_version_release(out);
		goto out;
	}
	ret = 0;
out:
	cJSON_Delete(doc);
	http_response_release(&resp);
	strbuf_release(&path);
	return ret;
}

/* The version ref names among v: id, version name, or unique id prefix. */
static const struct adapter_version *find_version(const struct adapter_version *v, size_t nr,
						 const char *ref)
{
	const struct adapter_version *found = NULL;
	size_t len;
	if (!ref) {
		for (size_t i = 0; i < nr; i++)
			if (v[i].is_active)
				return &v[i];
		err_set("no adapter version is active on the team server");
		return NULL;
	}
	for (size_t i = 0; i < nr; i++)
		if (!strcasecmp(v[i].id, ref))
			return &v[i];
	for (size_t i = 0; i < nr; i++)
		if (v[i].version_name && !strcmp(v[i].version_name, ref))
			return &v[i];
	len = strlen(ref);
	if (len >= 4) {
		for (size_t i = 0; i < nr; i++) {
			if (strncasecmp(v[i].id, ref, len))
				continue;
			if (found) {
				err_set("adapter version '%s' is ambiguous", ref);
				return NULL;
			}
			found = &v[i];
		}
	}
	if (!found)
		err_set("no adapter version '%s' on the team server", ref);
	return found;
}

int adapter_remote_pull(struct http_client *c, const char *ref, const char *dest,
			struct adapter_version *out, long *status)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct adapter_version *v;
	const struct adapter_version *want;
	char *path = NULL, *tmp = NULL;
	char hex[65];
	struct stat st;
	long long size = 0;
	size_t nr;
	int fd, ret = -1;

	memset(out, 0, sizeof(*out));
	/* renamed over it, a device or a FIFO (as root, /dev/null) would become a file */
	if (!stat(dest, &st) && !S_ISREG(st.st_mode))
		return err_set("the output '%s' exists and is not a regular file", dest);
	if (adapter_remote_list(c, &v, &nr, NULL, status) < 0)
		return -1;
	want = find_version(v, nr, ref);
	if (!want)
		goto out;
	/* dest is replaced only by a download that matches the record */
	tmp = tempfile_create(dest, &fd);
	if (!tmp)
		goto out;
	close(fd);
	path = xstrfmt("/adapters/%s/file", want->id);
	/* hashed while it streams: no second pass over a big file */
	if (http_download_file_sha256(c, path, tmp, (unsigned long long)want->size, &resp, hex) < 0)
		goto out;
	if (resp.status != 200) {
		refused(c, "cannot pull adapter", "pulling an adapter", &resp, status);
		goto out;
	}
	if (stat(tmp, &st) < 0) {
		err_set("cannot read '%s': %s", tmp, strerror(errno));
		goto out;
	}
	size = (long long)st.st_size;
	if (size != want->size || strcmp(hex, want->sha256)) {
		err_set("the download of adapter version '%s' does not match the server's record "
			"(%lld bytes, sha256 %s; the record says %lld bytes, %s)",
			want->version_name, size, hex, want->size, want->sha256);
		goto out;
	}
	if (rename(tmp, dest) < 0) {
		err_set("cannot rename '%s' to '%s': %s", tmp, dest, strerror(errno));
		goto out;
	}
	*out = *want;
	memset((void *)want, 0, sizeof(*want));
	ret = 0;
out:
	if (tmp) {
		if (ret)
			unlink(tmp);
		tempfile_forget(tmp);
		free(tmp);
	}
	free(path);
	adapter_versions_free(v, nr);
	http_response_release(&resp);
	return ret;
}

/* POST path with body (may be NULL); a 200/201 answer is read into out. */
static int post_version(struct http_client *c, const char *path, const struct strbuf *body,
			const char *what, const char *doing, struct adapter_version *out,
			long *status)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	cJSON *doc = NULL;
	int ret = -1;

	if (http_json(c, "POST", path, body, &resp, &doc) < 0)
		goto out;
	if (resp.status != 200 && resp.status != 201) {
		refused(c, what, doing, &resp, status);
		goto out;
	}
	if (!doc) {
		err_set("%s: the team server sent no version record", what);
		goto out;
	}
	ret = read_version(doc, out);
out:
	cJSON_Delete(doc);
	http_response_release(&resp);
	return ret;
}

/* The id of version ref, from a fresh list (NULL and err_set when none). */
static char *resolve_id(struct http_client *c, const char *ref, long *status)
{
	struct adapter_version *v;
	const struct adapter_version *want;
	char *id = NULL;
	size_t nr;

	if (adapter_remote_list(c, &v, &nr, NULL, status) < 0)
		return NULL;
	want = find_version(v, nr, ref);
	if (want)
		id = xstrdup(want->id);
	adapter_versions_free(v, nr);
	return id;
}

static void jw_doubles(struct json_writer *jw, const char *key, const double *d, size_t nr)
{
	jw_key(jw, key);
	jw_array_begin(jw);
	for (size_t i = 0; i < nr; i++)
		jw_double(jw, d[i]);
	jw_array_end(jw);
}

int adapter_remote_merge(struct http_client *c, const struct adapter_remote_merge *m,
			 struct adapter_version *out, long *status)
{
	struct adapter_version *v = NULL;
	struct strbuf body = STRBUF_INIT;
	struct json_writer jw;
	size_t nr = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*status = 0;
	if (adapter_remote_list(c, &v, &nr, NULL, status) < 0)
		return -1;
	jw_init(&jw, &body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "adapter_ids");
	jw_array_begin(&jw);
	for (size_t i = 0; i < m->nr; i++) {
		const struct adapter_version *a = find_version(v, nr, m->refs[i]);
		if (!a)
			goto out;
		jw_string(&jw, a->id);
	}
	jw_array_end(&jw);
	if (m->weights)
		jw_doubles(&jw, "weights", m->weights, m->nr);
	if (m->success_rates)
		jw_doubles(&jw, "success_rates", m->success_rates, m->nr);
	if (m->method) {
		jw_key(&jw, "method");
		jw_string(&jw, m->method);
	}
	if (m->rank) {
		jw_key(&jw, "rank");
		jw_int(&jw, m->rank);
	}
	jw_key(&jw, "version_name");
	jw_string(&jw, m->version_name);
	jw_key(&jw, "activate");
	jw_bool(&jw, m->activate);
	jw_object_end(&jw);
	ret = post_version(c, "/adapters/merge", &body, "cannot merge adapters",
			   "merging adapters", out, status);
out:
	adapter_versions_free(v, nr);
	strbuf_release(&body);
	return ret;
}

int adapter_remote_activate(struct http_client *c, const char *ref,
			    struct adapter_version *out, long *status)
{
	char *id, *path;
	int ret;

	memset(out, 0, sizeof(*out));
	*status = 0;
	id = resolve_id(c, ref, status);
	if (!id)
		return -1;
	path = xstrfmt("/adapters/%s/activate", id);
	ret = post_version(c, path, NULL, "cannot activate adapter version",
			   "activating an adapter version", out, status);
	free(path);
	free(id);
	return ret;
}

int adapter_remote_rollback(struct http_client *c, const char *ref,
			    struct adapter_version *out, long *status)
{
	struct strbuf body = STRBUF_INIT;
	struct json_writer jw;
	char *id = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	*status = 0;
	if (ref && !(id = resolve_id(c, ref, status)))
		return -1;
	jw_init(&jw, &body, 0);
	jw_object_begin(&jw);
	if (id) {
		jw_key(&jw, "version_id");
		jw_string(&jw, id);
	}
	jw_object_end(&jw);
	ret = post_version(c, "/adapters/rollback", &body, "cannot roll back adapter version",
			   "rolling back the adapter version", out, status);
	strbuf_release(&body);
	free(id);
	return ret;
}
