/*
 * adapters.c: merged-adapter versions in the pattern store, their kept
 * copies, activation and rollback (see adapters.h).
 *
 * Invariants: at most one row of adapter_versions has is_active = 1, and
 * it is the version of the latest activation not undone. Files are copied
 * to a temporary name, synced and renamed, so a restored adapter is never
 * seen half-written; the copy's SHA-256 is checked when it is restored.
 */
#include "local/adapters.h"
#include "common/hash.h"
#include "fusion/safetensors.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COLUMNS                                                                                    \
	"id, version_name, adapter_path, config_path, created_by, created_at, "                    \
	"parent_versions, method, weights, sha256, copy_dir, size, is_active"

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static void read_row(sqlite3_stmt *st, struct adapter_version *v)
{
	memset(v, 0, sizeof(*v));
	v->id = col(st, 0);
	v->version_name = col(st, 1);
	v->adapter_path = col(st, 2);
	v->config_path = col(st, 3);
	v->created_by = col(st, 4);
	v->created_at = col(st, 5);
	v->parent_versions = col(st, 6);
	v->method = col(st, 7);
	v->weights = col(st, 8);
	v->sha256 = col(st, 9);
	v->copy_dir = col(st, 10);
	v->size = sqlite3_column_int64(st, 11);
	v->is_active = sqlite3_column_int(st, 12);
}

void adapter_version_release(struct adapter_version *v)
{
	free(v->id);
	free(v->version_name);
	free(v->adapter_path);
	free(v->config_path);
	free(v->created_by);
	free(v->created_at);
	free(v->parent_versions);
	free(v->method);
	free(v->weights);
	free(v->sha256);
	free(v->copy_dir);
	memset(v, 0, sizeof(*v));
}

void adapter_versions_free(struct adapter_version *v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		adapter_version_release(&v[i]);
	free(v);
}

char *adapters_dir(struct store *s)
{
	const char *db = store_path(s);
	const char *slash = strrchr(db, '/');
	if (!slash)
		return xstrdup("adapters");
	return xstrfmt("%.*s/adapters", (int)(slash - db), db);
}

static void iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Copy src to dst through a temporary file (synced, renamed), hashing the
 * bytes; sha (may be NULL) receives the hex digest, size the length.
 */
static int copy_file(const char *src, const char *dst, char *sha, int64_t *size)
{
	static const size_t bufsz = 1 << 20;
	char *tmp = NULL;
	char *buf = NULL;
	int in = -1, out = -1, ret = -1;
	struct sha256_ctx ctx;
	int64_t total = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		err_set("cannot open '%s': %s", src, strerror(errno));
		goto done;
	}
	tmp = st_create_temp(dst, &out);
	if (!tmp) {
		out = -1;
		goto done;
	}
	posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = xmalloc(bufsz);
	sha256_init(&ctx);
	for (;;) {
		ssize_t n = read(in, buf, bufsz), off = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set("cannot read '%s': %s", src, strerror(errno));
			break;
		}
		if (!n) {
			ret = 0;
			break;
		}
		sha256_update(&ctx, buf, (size_t)n);
		total += n;
		while (off < n) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				err_set("cannot write '%s': %s", tmp, strerror(errno));
				n = -1;
				break;
			}
			off += w;
		}
		if (n < 0)
			break;
	}
	{
		char hex[SHA256_HEX_LEN + 1];
		sha256_final_hex(&ctx, hex);
		if (sha)
			memcpy(sha, hex, sizeof(hex));
	}
	if (!ret && (fsync(out) < 0 || close(out) < 0)) {
		out = -1;
		ret = err_set("cannot write '%s': %s", tmp, strerror(errno));
	}
	out = -1;
	if (!ret && rename(tmp, dst) < 0)
		ret = err_set("cannot rename '%s' to '%s': %s", tmp, dst, strerror(errno));
	if (size)
		*size = total;
done:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (ret && tmp)
		unlink(tmp);
	st_forget_temp(tmp);
	free(tmp);
	free(buf);
	return ret;
}

static int file_exists(const char *path)
{
	struct stat st;
	return !stat(path, &st);
}

static char *absolute(const char *path)
{
	char *r = realpath(path, NULL);
	char *dir, *base, *rd;
	if (r)
		return r;
	/* not there (yet): resolve the folder */
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : (char *)path;
	dir = base == path ? xstrdup(".") : xstrndup(path, (size_t)(base - path));
	rd = realpath(dir, NULL);
	free(dir);
	if (!rd)
		return xstrdup(path);
	r = xstrfmt("%s/%s", rd, base);
	free(rd);
	return r;
}

int adapters_name_taken(struct store *s, const char *name, int *taken)
{
	sqlite3_stmt *st =
		store_prepare(s, "SELECT 1 FROM adapter_versions WHERE version_name = ?1");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "cannot read adapter versions");
	*taken = rc == SQLITE_ROW;
	return 0;
}

static int log_activation(struct store *s, const char *id, const char *action)
{
	char now[32];
	sqlite3_stmt *st;
	int rc;

	iso_now(now, sizeof(now));
	if (store_exec(s, "UPDATE adapter_versions SET is_active = 0 WHERE is_active") < 0)
		return -1;
	st = store_prepare(s, "UPDATE adapter_versions SET is_active = 1 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "cannot activate adapter version");
	if (!action)
		return 0;
	st = store_prepare(s, "INSERT INTO adapter_activations(version_id, at, action) "
			      "VALUES (?1, ?2, ?3)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot record activation");
}

int adapters_record(struct store *s, struct adapter_version *v, const char *meta_path)
{
	char uuid[37], now[32], sha[SHA256_HEX_LEN + 1];
	char *dir = NULL, *copy = NULL, *abs_path = NULL, *abs_config = NULL;
	sqlite3_stmt *st = NULL;
	int taken, rc, ret = -1;

	if (uuid_v4(uuid) < 0)
		return -1;
	iso_now(now, sizeof(now));
	abs_path = absolute(v->adapter_path);
	abs_config = v->config_path ? absolute(v->config_path) : NULL;

	/* the kept copy, made before taking the store's write lock */
	{
		char *top = adapters_dir(s);
		dir = xstrfmt("%s/%s", top, uuid);
		if ((mkdir(top, 0777) < 0 && errno != EEXIST) || mkdir(dir, 0777) < 0) {
			err_set("cannot create folder '%s': %s", dir, strerror(errno));
			free(top);
			free(dir);
			dir = NULL;
			goto out;
		}
		free(top);
	}
	copy = xstrfmt("%s/adapter_model.safetensors", dir);
	if (copy_file(v->adapter_path, copy, sha, &v->size) < 0)
		goto out;
	free(copy);
	if (v->config_path) {
		copy = xstrfmt("%s/adapter_config.json", dir);
		if (copy_file(v->config_path, copy, NULL, NULL) < 0)
			goto out;
		free(copy);
	}
	copy = NULL;
	if (meta_path && file_exists(meta_path)) {
		copy = xstrfmt("%s/meta.json", dir);
		if (copy_file(meta_path, copy, NULL, NULL) < 0)
			goto out;
		free(copy);
		copy = NULL;
	}

	if (store_begin(s) < 0)
		goto out;
	if (v->version_name) {
		if (adapters_name_taken(s, v->version_name, &taken) < 0)
			goto out;
		if (taken) {
			err_set("adapter version '%s' already exists", v->version_name);
			goto out;
		}
	} else {
		/* merge-N, N the number of versions so far plus one (or more) */
		sqlite3_stmt *cnt = store_prepare(s, "SELECT count(*) FROM adapter_versions");
		int64_t start = 1;
		if (!cnt)
			goto out;
		if (sqlite3_step(cnt) == SQLITE_ROW)
			start = sqlite3_column_int64(cnt, 0) + 1;
		sqlite3_finalize(cnt);
		for (int64_t n = start;; n++) {
			char *name = xstrfmt("merge-%lld", (long long)n);
			if (adapters_name_taken(s, name, &taken) < 0) {
				free(name);
				goto out;
			}
			if (!taken) {
				v->version_name = name;
				break;
			}
			free(name);
		}
	}

	st = store_prepare(s, "INSERT INTO adapter_versions(id, version_name, adapter_path, "
			      "config_path, created_by, created_at, parent_versions, method, "
			      "weights, sha256, copy_dir, size) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->version_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, abs_path, -1, SQLITE_STATIC);
	if (abs_config)
		sqlite3_bind_text(st, 4, abs_config, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->created_by ? v->created_by : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, v->parent_versions ? v->parent_versions : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, v->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, v->weights, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, dir, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, v->size);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_error(s, "cannot record adapter version");
		goto out;
	}
	if (log_activation(s, uuid, "merge") < 0 || store_commit(s) < 0)
		goto out;
	v->id = xstrdup(uuid);
	v->created_at = xstrdup(now);
	v->sha256 = xstrdup(sha);
	v->copy_dir = dir;
	dir = NULL;
	v->is_active = 1;
	ret = 0;
out:
	if (ret) {
		store_rollback(s);
		if (dir) {
			/* remove what was copied */
			char *p;
			p = xstrfmt("%s/adapter_model.safetensors", dir), unlink(p), free(p);
			p = xstrfmt("%s/adapter_config.json", dir), unlink(p), free(p);
			p = xstrfmt("%s/meta.json", dir), unlink(p), free(p);
			rmdir(dir);
		}
	}
	free(copy);
	free(dir);
	free(abs_path);
	free(abs_config);
	return ret;
}

int adapters_list(struct store *s, struct adapter_version **out, size_t *nr)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " COLUMNS " FROM adapter_versions "
					    "ORDER BY created_at, rowid");
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		read_row(st, &(*out)[(*nr)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		adapter_versions_free(*out, *nr);
		*out = NULL;
		*nr = 0;
		return store_error(s, "cannot list adapter versions");
	}
	return 0;
}

int adapters_find(struct store *s, const char *ref, struct adapter_version *out)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	st = store_prepare(s, "SELECT " COLUMNS " FROM adapter_versions WHERE version_name = ?1 "
			      "OR id = ?1 OR (length(?1) >= 4 AND substr(id, 1, length(?1)) = ?1) "
			      "ORDER BY version_name = ?1 DESC, id = ?1 DESC LIMIT 2");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (found) {
			/* a second match only matters when the first was a prefix */
			if (strcmp(out->version_name, ref) && strcmp(out->id, ref)) {
				adapter_version_release(out);
				sqlite3_finalize(st);
				return err_set("adapter version '%s' is ambiguous", ref);
			}
			break;
		}
		read_row(st, out);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		adapter_version_release(out);
		return store_error(s, "cannot read adapter versions");
	}
	if (!found)
		return err_set("no adapter version '%s' (see 'git patterns adapters list')", ref);
	return 0;
}

/* Put the kept copy of v back at its adapter_path (and config). */
static int restore(const struct adapter_version *v)
{
	char sha[SHA256_HEX_LEN + 1];
	char *copy = xstrfmt("%s/adapter_model.safetensors", v->copy_dir);
	int ret = 0;

	if (!file_exists(copy)) {
		ret = err_set("the kept copy of adapter version '%s' is missing: %s",
			      v->version_name, copy);
		goto out;
	}
	if (copy_file(copy, v->adapter_path, sha, NULL) < 0) {
		ret = -1;
		goto out;
	}
	if (v->sha256 && strcmp(sha, v->sha256)) {
		ret = err_set("the kept copy of adapter version '%s' is damaged (%s: SHA-256 "
			      "%s, recorded %s)",
			      v->version_name, copy, sha, v->sha256);
		goto out;
	}
	free(copy);
	copy = xstrfmt("%s/adapter_config.json", v->copy_dir);
	if (v->config_path && file_exists(copy))
		ret = copy_file(copy, v->config_path, NULL, NULL);
out:
	free(copy);
	return ret;
}

int adapters_activate(struct store *s, const char *ref, struct adapter_version *out)
{
	if (adapters_find(s, ref, out) < 0)
		return -1;
	if (restore(out) < 0 || store_begin(s) < 0)
		goto fail;
	if (log_activation(s, out->id, "activate") < 0 || store_commit(s) < 0) {
		store_rollback(s);
		goto fail;
	}
	out->is_active = 1;
	return 0;
fail:
	adapter_version_release(out);
	return -1;
}

/* The two latest activations not undone: seq and version of each. */
static int latest_two(struct store *s, int64_t seq[2], char *ids[2], int *n)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT seq, version_id FROM adapter_activations "
					    "WHERE NOT undone ORDER BY seq DESC LIMIT 2");
	int rc;
	*n = 0;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq[*n] = sqlite3_column_int64(st, 0);
		ids[*n] = col(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot read adapter activations");
}

int adapters_rollback(struct store *s, const char *ref, struct adapter_version *out)
{
	int64_t seq[2];
	char *ids[2] = {NULL, NULL};
	int n, ret = -1;
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if (ref) {
		if (adapters_find(s, ref, out) < 0)
			return -1;
		if (restore(out) < 0 || store_begin(s) < 0)
			goto fail;
		if (log_activation(s, out->id, "rollback") < 0 || store_commit(s) < 0) {
			store_rollback(s);
			goto fail;
		}
		out->is_active = 1;
		return 0;
	}
	if (latest_two(s, seq, ids, &n) < 0)
		return -1;
	if (n < 2) {
		err_set(n ? "no earlier adapter version to roll back to"
			  : "no adapter version is active");
		goto out;
	}
	if (adapters_find(s, ids[1], out) < 0)
		goto out;
	if (restore(out) < 0 || store_begin(s) < 0)
		goto fail;
	st = store_prepare(s, "UPDATE adapter_activations SET undone = 1 WHERE seq = ?1");
	if (!st) {
		store_rollback(s);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, seq[0]);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		store_error(s, "cannot record rollback");
		store_rollback(s);
		goto fail;
	}
	sqlite3_finalize(st);
	if (log_activation(s, out->id, NULL) < 0 || store_commit(s) < 0) {
		store_rollback(s);
		goto fail;
	}
	out->is_active = 1;
	ret = 0;
	goto out;
fail:
	adapter_version_release(out);
out:
	free(ids[0]);
	free(ids[1]);
	return ret;
}

static int hash_file(const char *path, char *hex)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct sha256_ctx ctx;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return -1;
	buf = xmalloc(1 << 20);
	sha256_init(&ctx);
	while ((n = read(fd, buf, 1 << 20)) > 0)
		sha256_update(&ctx, buf, (size_t)n);
	sha256_final_hex(&ctx, hex);
	free(buf);
	close(fd);
	return n < 0 ? -1 : 0;
}

char *adapters_parent_name(struct store *s, const char *file)
{
	char *abs = absolute(file), *name = NULL, *dir = NULL;
	char sha[SHA256_HEX_LEN + 1];
	int hashed = 0;
	sqlite3_stmt *st;

	/* a kept copy: <adapters>/<id>/adapter_model.safetensors */
	st = store_prepare(s, "SELECT version_name, copy_dir, adapter_path, sha256 "
			      "FROM adapter_versions ORDER BY rowid DESC");
	if (!st) {
		free(abs);
		return NULL;
	}
	while (!name && sqlite3_step(st) == SQLITE_ROW) {
		const char *vname = (const char *)sqlite3_column_text(st, 0);
		const char *copy_dir = (const char *)sqlite3_column_text(st, 1);
		const char *path = (const char *)sqlite3_column_text(st, 2);
		const char *vsha = (const char *)sqlite3_column_text(st, 3);
		free(dir);
		dir = copy_dir ? xstrfmt("%s/adapter_model.safetensors", copy_dir) : NULL;
		if (dir && !strcmp(dir, abs)) {
			name = xstrdup(vname);
			break;
		}
		if (!path || strcmp(path, abs) || !vsha)
			continue;
		if (!hashed) {
			if (hash_file(abs, sha) < 0)
				break;
			hashed = 1;
		}
		if (!strcmp(sha, vsha))
			name = xstrdup(vname);
	}
	sqlite3_finalize(st);
	free(dir);
	free(abs);
	return name;
}
