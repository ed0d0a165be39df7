/*
 * server-adapters.c: the team server's /adapters routes (SPEC §6): adapter
 * versions uploaded, listed, downloaded, merged on the server, activated,
 * rolled back and deleted.
 *
 * Files live in the server's adapter folder (server_config.adapter_dir),
 * one "<id>.safetensors" per version; the database keeps the records
 * (serverdb.h) with the file's name relative to that folder. That folder is
 * the only state of a server besides the database: servers sharing one
 * PostgreSQL database must share the folder too.
 *
 * Invariants:
 *  - A record exists only for a complete, validated file: an upload is
 *    streamed to a temporary file in the folder (server.c, hashed on the
 *    way), validated with the safetensors reader merge-adapters uses,
 *    linked to its final name, and only then recorded. A failure anywhere
 *    removes the file again; the temporary name is removed when the
 *    request ends, whatever happened (a connection closed mid-body too).
 *  - Merging uses merge_adapters() itself (merge.c), into a private
 *    temporary folder, so concurrent merges never share a file name. A
 *    merge becomes the active version unless the request says
 *    "activate": false (as merge-adapters makes its merge active); an
 *    upload does not, unless it is the first version.
 *  - Only an admin key moves what the whole team uses: activation,
 *    rollback, deletion and a merge that becomes active answer 403 to any
 *    other key (an upload, even the first that becomes active, does not).
 *  - A deleted version's record goes first, then its file: a download that
 *    already opened the file finishes.
 *  - Temporary files of a server that crashed are swept when a server
 *    starts, once they are a day old (another server sharing the folder
 *    may be writing younger ones).
 */
#include "common/hash.h"
#include "common/json.h"
#include "fusion/merge.h"
#include "fusion/safetensors.h"
#include "server/server.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_VERSION_NAME 100
#define MAX_MERGE_INPUTS 64

static const char *adapter_dir(struct server_request *req)
{
	const char *dir = server_get_config(req->srv)->adapter_dir;
	return dir ? dir : ".";
}

static char *adapter_file_path(struct server_request *req, const char *file)
{
	return xstrfmt("%s/%s", adapter_dir(req), file);
}

static void respond_version(struct server_response *res, int status, const struct adapter_version *a)
{
	struct json_writer jw;
	res->status = status;
	strbuf_reset(&res->body);
	jw_init(&jw, &res->body, 0);
	adapter_version_json(&jw, a, 0);
}

/* Map a serverdb error on adapter versions to an answer. */
static void adapter_db_error(struct server_response *res, int rc, const char *ref)
{
	if (rc == SDB_NOT_FOUND)
		server_error(res, 404, "adapter version '%s' not found", ref);
	else if (rc == SDB_CONFLICT)
		server_error(res, 409, "%s", err_msg());
	else
		server_db_error(res, rc, "adapter version");
}

/* 1 if name may name a version: 1..100 bytes of UTF-8, no control characters. */
static int version_name_ok(const char *name, struct server_response *res)
{
	size_t len = name ? strlen(name) : 0;
	if (!len) {
		server_error(res, 422, "version name missing (give ?name=VERSION)");
		return 0;
	}
	if (len > MAX_VERSION_NAME) {
		server_error(res, 422, "version name longer than %d bytes", MAX_VERSION_NAME);
		return 0;
	}
	if (!utf8_valid(name, len)) {
		server_error(res, 422, "version name is not valid UTF-8");
		return 0;
	}
	if (has_control_chars(name, len)) {
		server_error(res, 422, "version name has control characters");
		return 0;
	}
	return 1;
}

/* fsync a folder, so that a new name in it survives a crash. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (fsync(fd) < 0) {
			/* best effort: the data itself was synced */
		}
		close(fd);
	}
}

/* Copy src to a new file dst (for an upload folder on another file system). */
static int copy_file(const char *src, const char *dst)
{
	char buf[1 << 16];
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = 0;

	if (in < 0)
		return err_set("cannot open '%s': %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return err_set("cannot create '%s': %s", dst, strerror(errno));
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		char *p = buf;
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto fail;
			p += w;
			n -= w;
		}
	}
	if (n < 0 || fsync(out) < 0)
		goto fail;
	close(in);
	if (close(out) < 0) {
		unlink(dst);
		return err_set("cannot write '%s': %s", dst, strerror(errno));
	}
	return 0;
fail:
	err_set("cannot copy '%s' to '%s': %s", src, dst, strerror(errno));
	close(in);
	close(out);
	unlink(dst);
	return -1;
}

/*
 * Give the complete file src its version's name in the adapter folder.
 * A hard link, so that src stays the request's own name (server.c removes
 * it when the request ends) and no other request can ever lose its file.
 */
static int place_file(struct server_request *req, const char *src, const char *file)
{
	char *dst = adapter_file_path(req, file);
	int ret = 0;
	if (link(src, dst) < 0) {
		if (errno == EXDEV || errno == EPERM || errno == EMLINK)
			ret = copy_file(src, dst);
		else
			ret = err_set("cannot link '%s' to '%s': %s", src, dst, strerror(errno));
	}
	if (!ret)
		sync_dir(adapter_dir(req));
	free(dst);
	return ret;
}

static void remove_file(struct server_request *req, const char *file)
{
	char *path = adapter_file_path(req, file);
	unlink(path);
	free(path);
}

/*
 * Record version a, whose file is in place. A name already taken by the
 * same bytes answers with that version (a client's retry after a lost
 * answer); otherwise the file is removed again and the error answered.
 * Returns the HTTP status sent.
 */
static int record_version(struct server_request *req, struct server_response *res,
			  struct adapter_version *a)
{
	struct adapter_version old;
	int rc = serverdb_adapter_add(req->db, a);
	if (rc == SDB_OK) {
		respond_version(res, 201, a);
		return 201;
	}
	remove_file(req, a->file);
	if (rc == SDB_CONFLICT && serverdb_adapter_get(req->db, a->version_name, &old) == SDB_OK) {
		int same = !strcmp(old.sha256, a->sha256) && old.size == a->size;
		if (same)
			respond_version(res, 200, &old);
		else
			server_error(res, 409, "adapter version '%s' already exists",
				     a->version_name);
		adapter_version_release(&old);
		return res->status;
	}
	adapter_db_error(res, rc, a->version_name);
	return res->status;
}

/* ---- GET /adapters ---- */

void handle_adapters_list(struct server_request *req, struct server_response *res)
{
	struct adapter_version *v;
	struct json_writer jw;
	size_t nr;
	int rc = serverdb_adapter_list(req->db, &v, &nr);

	if (rc < 0) {
		server_db_error(res, rc, "adapter version");
		return;
	}
	jw_init(&jw, &res->body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "versions");
	jw_array_begin(&jw);
	for (size_t i = 0; i < nr; i++)
		adapter_version_json(&jw, &v[i], 0);
	jw_array_end(&jw);
	jw_key(&jw, "active");
	{
		const char *active = NULL;
		for (size_t i = 0; i < nr; i++)
			if (v[i].is_active)
				active = v[i].id;
		jw_string(&jw, active);
	}
	jw_object_end(&jw);
	adapter_versions_free(v, nr);
}

/* ---- POST /adapters?name=VERSION ---- */

/* err_msg() with the temporary file's name replaced by what the user sent. */
static void validation_error(struct server_response *res, const char *tmp)
{
	const char *msg = err_msg(), *rest;
	if (skip_prefix(msg, tmp, &rest))
		server_error(res, 422, "invalid safetensors upload%s", rest);
	else
		server_error(res, 422, "invalid safetensors upload: %s", msg);
}

void handle_adapter_upload(struct server_request *req, struct server_response *res)
{
	const char *name = server_query(req, "name");
	struct adapter_version a;
	struct st_file *f;
	char id[37];

	if (!version_name_ok(name, res))
		return;
	if (!req->upload_path || !req->upload_sha256) {
		server_error(res, 500, "upload not stored");
		return;
	}
	if (st_open(&f, req->upload_path) < 0) {
		validation_error(res, req->upload_path);
		return;
	}
	st_close(f);
	if (uuid_v7(id) < 0) {
		server_error(res, 500, "cannot make an id");
		return;
	}
	memset(&a, 0, sizeof(a));
	memcpy(a.id, id, sizeof(id));
	a.version_name = xstrdup(name);
	a.file = xstrfmt("%s.safetensors", id);
	a.created_by = xstrdup(req->user);
	a.parent_versions = xstrdup("[]");
	a.method = xstrdup("upload");
	snprintf(a.sha256, sizeof(a.sha256), "%s", req->upload_sha256);
	a.size = (long long)req->upload_size;
	if (place_file(req, req->upload_path, a.file) < 0) {
		server_error(res, 500, "cannot store the adapter");
		res->log_error = xstrdup(err_msg());
	} else {
		record_version(req, res, &a);
	}
	adapter_version_release(&a);
}

/* ---- GET /adapters/{id}/file ---- */

void handle_adapter_file(struct server_request *req, struct server_response *res)
{
	struct adapter_version a;
	struct stat st;
	char *path;
	int fd, rc = serverdb_adapter_get(req->db, req->params[0], &a);

	if (rc < 0) {
		adapter_db_error(res, rc, req->params[0]);
		return;
	}
	path = adapter_file_path(req, a.file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || (long long)st.st_size != a.size) {
		server_error(res, 500, "the file of adapter version '%s' is missing or damaged",
			     a.version_name);
		res->log_error = xstrfmt("%s: %s", path,
					 fd < 0 ? strerror(errno) : "size differs from the record");
		if (fd >= 0)
			close(fd);
	} else {
		/* sequential read-ahead for the whole file */
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		res->file_fd = fd;
		res->file_size = (uint64_t)st.st_size;
		res->content_type = "application/octet-stream";
	}
	free(path);
	adapter_version_release(&a);
}

/* ---- POST /adapters/merge ---- */

/* A numbers array of nr items from field key, or NULL (absent). *bad on error. */
static double *number_array(const cJSON *j, const char *key, size_t nr, struct server_response *res,
			    int *bad)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, key), *item;
	double *out;
	size_t i = 0;

	if (!arr || cJSON_IsNull(arr))
		return NULL;
	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != nr) {
		server_error(res, 422,
			     "field '%s' must be an array of %zu numbers (one per adapter)", key,
			     nr);
		*bad = 1;
		return NULL;
	}
	out = xcalloc(nr, sizeof(*out));
	cJSON_ArrayForEach(item, arr) {
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble)) {
			server_error(res, 422, "field '%s': item %zu is not a number", key, i);
			free(out);
			*bad = 1;
			return NULL;
		}
		out[i++] = item->valuedouble;
	}
	return out;
}

static int hash_file(const char *path, char hex[SHA256_HEX_LEN + 1], long long *size)
{
	char buf[1 << 16];
	struct sha256_ctx c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return err_set("cannot open '%s': %s", path, strerror(errno));
	*size = 0;
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&c, buf, (size_t)n);
		*size += n;
	}
	sha256_final_hex(&c, hex);
	close(fd);
	return n < 0 ? err_set("cannot read '%s': %s", path, strerror(errno)) : 0;
}

/* Remove a merge's private folder and what merge_adapters() wrote in it. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d) {
		while ((e = readdir(d))) {
			char *p;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = xstrfmt("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

struct merge_request {
	struct adapter_version *in;
	size_t nr;
	double *weights, *rates;
	int method, rank;
	int activate; /* make the merge the active version (default, as merge-adapters does) */
	char *version_name;
};

static void merge_request_release(struct merge_request *m)
{
	for (size_t i = 0; i < m->nr; i++)
		adapter_version_release(&m->in[i]);
	free(m->in);
	free(m->weights);
	free(m->rates);
	free(m->version_name);
}

/* Read and check the merge request; 0, or -1 with the answer in res. */
static int parse_merge(struct server_request *req, struct server_response *res,
		       struct merge_request *m)
{
	cJSON *j;
	const cJSON *ids, *item, *v;
	const char *method, *name;
	int bad = 0, rc;

	memset(m, 0, sizeof(*m));
	j = server_parse_json(req, res);
	if (!j)
		return -1;
	if (!cJSON_IsObject(j)) {
		server_error(res, 400, "request body must be a JSON object");
		cJSON_Delete(j);
		return -1;
	}
	ids = cJSON_GetObjectItemCaseSensitive(j, "adapter_ids");
	if (!cJSON_IsArray(ids) || !cJSON_GetArraySize(ids) ||
	    cJSON_GetArraySize(ids) > MAX_MERGE_INPUTS) {
		server_error(res, 422,
			     "field 'adapter_ids' must be an array of 1 to %d version ids",
			     MAX_MERGE_INPUTS);
		goto fail;
	}
	m->in = xcalloc((size_t)cJSON_GetArraySize(ids), sizeof(*m->in));
	cJSON_ArrayForEach(item, ids) {
		if (!cJSON_IsString(item) || !item->valuestring || !*item->valuestring) {
			server_error(res, 422, "field 'adapter_ids': item %zu is not a version id",
				     m->nr);
			goto fail;
		}
		rc = serverdb_adapter_get(req->db, item->valuestring, &m->in[m->nr]);
		if (rc < 0) {
			adapter_db_error(res, rc, item->valuestring);
			goto fail;
		}
		m->nr++;
	}
	m->weights = number_array(j, "weights", m->nr, res, &bad);
	if (!bad)
		m->rates = number_array(j, "success_rates", m->nr, res, &bad);
	if (bad)
		goto fail;
	if (m->weights && m->rates) {
		server_error(res, 422, "give 'weights' or 'success_rates', not both");
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "method");
	method = cJSON_IsString(v) ? v->valuestring : NULL;
	if (v && !cJSON_IsNull(v) && !method) {
		server_error(res, 422, "field 'method' must be linear, cat or svd");
		goto fail;
	}
	m->method = merge_method_from_name(method ? method : "linear");
	if (m->method < 0) {
		server_error(res, 422, "field 'method': unknown method '%s' (linear, cat or svd)",
			     method);
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "rank");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 65536 ||
		    v->valuedouble != (int)v->valuedouble || m->method != MERGE_SVD) {
			server_error(res, 422,
				     "field 'rank' must be a positive integer, with "
				     "method svd");
			goto fail;
		}
		m->rank = (int)v->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "version_name");
	name = cJSON_IsString(v) ? v->valuestring : NULL;
	if (!name) {
		server_error(res, 422, "field 'version_name' must be a string");
		goto fail;
	}
	if (!version_name_ok(name, res))
		goto fail;
	m->version_name = xstrdup(name);
	v = cJSON_GetObjectItemCaseSensitive(j, "activate");
	if (v && !cJSON_IsNull(v) && !cJSON_IsBool(v)) {
		server_error(res, 422, "field 'activate' must be true or false");
		goto fail;
	}
	m->activate = !v || !cJSON_IsFalse(v);
	cJSON_Delete(j);
	{
		double *w = xcalloc(m->nr, sizeof(*w));
		rc = merge_normalise_weights(m->weights, m->rates, m->nr, w);
		free(w);
		if (rc < 0) {
			server_error(res, 422, "%s", err_msg());
			return -1;
		}
	}
	return 0;
fail:
	cJSON_Delete(j);
	return -1;
}

/*
 * A refused merge: err_msg() with each input's file in the adapter folder
 * named as its version, since the client knows versions, not our paths.
 */
static void merge_refused(struct server_response *res, char *const *inputs,
			  const struct merge_request *m)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = err_msg();

	while (*p) {
		size_t i;
		for (i = 0; i < m->nr; i++)
			if (starts_with(p, inputs[i]))
				break;
		if (i < m->nr) {
			strbuf_addf(&sb, "version '%s'", m->in[i].version_name);
			p += strlen(inputs[i]);
		} else {
			strbuf_addch(&sb, *p++);
		}
	}
	server_error(res, 422, "merge failed: %s", sb.buf);
	strbuf_release(&sb);
}

void handle_adapters_merge(struct server_request *req, struct server_response *res)
{
	struct merge_request m;
	struct merge_options mo;
	struct merge_result mr;
	struct adapter_version a, old;
	char **inputs = NULL, **parents = NULL;
	char *tmpdir = NULL, *outdir = NULL;
	char id[37];
	int rc, lockfd = -1;

	if (parse_merge(req, res, &m) < 0) {
		merge_request_release(&m);
		return;
	}
	if (m.activate && !req->is_admin) {
		server_error(res, 403, "a merge that becomes the active version needs an admin key"
				       " (send \"activate\": false to merge without activating)");
		merge_request_release(&m);
		return;
	}
	memset(&a, 0, sizeof(a));
	/* a taken name is refused before the work, and again when recording */
	if (serverdb_adapter_get(req->db, m.version_name, &old) == SDB_OK) {
		server_error(res, 409, "adapter version '%s' already exists", m.version_name);
		adapter_version_release(&old);
		goto out;
	}
	if (uuid_v7(id) < 0) {
		server_error(res, 500, "cannot make an id");
		goto out;
	}
	tmpdir = xstrfmt("%s/.merge-%s", adapter_dir(req), id);
	if (mkdir(tmpdir, 0700) < 0) {
		server_error(res, 500, "cannot merge");
		res->log_error = xstrfmt("cannot create '%s': %s", tmpdir, strerror(errno));
		free(tmpdir);
		tmpdir = NULL;
		goto out;
	}
	/* held while the merge runs: a sweep at start removes only unheld ones */
	lockfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lockfd >= 0)
		flock(lockfd, LOCK_EX);
	outdir = xstrfmt("%s/", tmpdir);
	inputs = xcalloc(m.nr, sizeof(*inputs));
	parents = xcalloc(m.nr, sizeof(*parents));
	for (size_t i = 0; i < m.nr; i++) {
		inputs[i] = adapter_file_path(req, m.in[i].file);
		parents[i] = m.in[i].version_name;
	}
	memset(&mo, 0, sizeof(mo));
	mo.adapters = (const char *const *)inputs;
	mo.nr = m.nr;
	mo.weights = m.weights;
	mo.success_rates = m.rates;
	mo.method = (enum merge_method)m.method;
	mo.output = outdir;
	mo.dtype = ST_DTYPE_NONE;
	mo.rank = m.rank;
	mo.parent_names = (const char *const *)parents;
	rc = merge_adapters(&mo, &mr);
	if (rc < 0) {
		/* the inputs are validated files: what is left is a request they do not fit */
		merge_refused(res, inputs, &m);
		merge_result_release(&mr); /* what it had allocated */
		goto out;
	}
	memcpy(a.id, id, sizeof(id));
	a.version_name = xstrdup(m.version_name);
	a.file = xstrfmt("%s.safetensors", id);
	a.created_by = xstrdup(req->user);
	a.parent_versions = json_string_array((const char *const *)parents, m.nr);
	a.method = xstrdup(merge_method_name(mo.method));
	a.weights = json_number_array(mr.weights, m.nr);
	if (hash_file(mr.output, a.sha256, &a.size) < 0 || place_file(req, mr.output, a.file) < 0) {
		server_error(res, 500, "cannot store the merged adapter");
		res->log_error = xstrdup(err_msg());
	} else if (record_version(req, res, &a) == 201 && m.activate) {
		struct adapter_version act;
		rc = serverdb_adapter_activate(req->db, a.id, req->user, &act);
		if (rc < 0) {
			adapter_db_error(res, rc, a.id);
		} else {
			respond_version(res, 201, &act);
			adapter_version_release(&act);
		}
	}
	merge_result_release(&mr);
out:
	if (tmpdir)
		remove_tree(tmpdir);
	if (lockfd >= 0)
		close(lockfd);
	for (size_t i = 0; inputs && i < m.nr; i++)
		free(inputs[i]);
	free(inputs);
	free(parents);
	free(outdir);
	free(tmpdir);
	adapter_version_release(&a);
	merge_request_release(&m);
}

/* ---- activation, rollback, deletion ---- */

void handle_adapter_activate(struct server_request *req, struct server_response *res)
{
	struct adapter_version a;
	int rc;

	if (!req->is_admin) {
		server_error(res, 403, "activating an adapter version needs an admin key");
		return;
	}
	rc = serverdb_adapter_activate(req->db, req->params[0], req->user, &a);
	if (rc < 0) {
		adapter_db_error(res, rc, req->params[0]);
		return;
	}
	respond_version(res, 200, &a);
	adapter_version_release(&a);
}

void handle_adapters_rollback(struct server_request *req, struct server_response *res)
{
	struct adapter_version a;
	char *ref = NULL;
	int rc;

	if (!req->is_admin) {
		server_error(res, 403, "rolling back the active adapter version needs an admin key");
		return;
	}
	if (req->body_len) {
		cJSON *j = server_parse_json(req, res);
		const cJSON *v;
		if (!j)
			return;
		if (!cJSON_IsObject(j)) {
			server_error(res, 400, "request body must be a JSON object");
			cJSON_Delete(j);
			return;
		}
		v = cJSON_GetObjectItemCaseSensitive(j, "version_id");
		if (v && !cJSON_IsNull(v)) {
			if (!cJSON_IsString(v) || !v->valuestring || !*v->valuestring) {
				server_error(res, 422, "field 'version_id' must be a version id");
				cJSON_Delete(j);
				return;
			}
			ref = xstrdup(v->valuestring);
		}
		cJSON_Delete(j);
	}
	rc = serverdb_adapter_rollback(req->db, ref, req->user, &a);
	if (rc < 0) {
		adapter_db_error(res, rc, ref ? ref : "");
	} else {
		respond_version(res, 200, &a);
		adapter_version_release(&a);
	}
	free(ref);
}

void handle_adapter_delete(struct server_request *req, struct server_response *res)
{
	struct adapter_version a;
	int rc;

	if (!req->is_admin) {
		server_error(res, 403, "deleting an adapter version needs an admin key");
		return;
	}
	rc = serverdb_adapter_delete(req->db, req->params[0], &a);
	if (rc < 0) {
		adapter_db_error(res, rc, req->params[0]);
		return;
	}
	remove_file(req, a.file);
	adapter_version_release(&a);
	res->status = 204;
}

/* ---- housekeeping ---- */

int server_adapters_sweep(const char *dir, double max_age)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	double now = (double)time(NULL);
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;
		int upload = starts_with(e->d_name, "gp-upload.");
		int merge = starts_with(e->d_name, ".merge-");
		if (!upload && !merge)
			continue;
		p = xstrfmt("%s/%s", dir, e->d_name);
		if (merge && !lstat(p, &st) && S_ISDIR(st.st_mode)) {
			/* a merge holds its folder locked: an unheld one is a crash's */
			int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB)) {
				remove_tree(p);
				removed++;
			}
			if (fd >= 0)
				close(fd);
		} else if (upload && !lstat(p, &st) && S_ISREG(st.st_mode) &&
			   now - (double)st.st_mtime > max_age) {
			unlink(p);
			removed++;
		}
		free(p);
	}
	closedir(d);
	return removed;
}
