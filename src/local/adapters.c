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
#include "local/store-adapters.h"
#include "common/hash.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "common/tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *adapters_dir(struct store *s)
{
	const char *db = store_path(s);
	const char *slash = strrchr(db, '/');
	if (!slash)
		return xstrdup("adapters");
	return xstrfmt("%.*s/adapters", (int)(slash - db), db);
}

/*
 * Copy src to dst through a temporary file (synced, renamed), hashing the
 * bytes; sha (may be NULL) receives the hex digest, size the length. When
 * expect is a digest and the bytes' differs, dst is left as it was and 1
 * is returned.
 */
static int copy_file(const char *src, const char *dst, const char *expect, char *sha,
		     long long *size)
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
	tmp = tempfile_create(dst, &out);
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
		if (!ret && expect && *expect && strcmp(hex, expect))
			ret = 1; /* not renamed into place: the caller says why */
	}
	if (!ret && fsync(out) < 0)
		ret = err_set("cannot write '%s': %s", tmp, strerror(errno));
	if (close(out) < 0 && !ret)
		ret = err_set("cannot write '%s': %s", tmp, strerror(errno));
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
	tempfile_forget(tmp);
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

int adapters_lock(struct store *s, int nonblock)
{
	char *top = adapters_dir(s), *path = xstrfmt("%s/lock", top);
	int fd = -1;

	if (mkdir_p(top) < 0)
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		err_set("cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | (nonblock ? LOCK_NB : 0)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			close(fd);
			fd = -2;
		} else {
			err_set("cannot lock '%s': %s", path, strerror(errno));
			close(fd);
			fd = -1;
		}
		break;
	}
out:
	free(top);
	free(path);
	return fd;
}

void adapters_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int adapters_name_taken(struct store *s, const char *name, int *taken)
{
	return store_adapters_name_taken(s, name, taken);
}

/* Make id the active version, logging action (may be NULL) at now. */
static int log_activation(struct store *s, const char *id, const char *action)
{
	char now[32];
	utc_now(now);
	return store_adapters_activate(s, id, action, now);
}

int adapters_record(struct store *s, struct adapter_version *v, const char *meta_path)
{
	char uuid[37], now[32], sha[SHA256_HEX_LEN + 1];
	char *dir = NULL, *copy = NULL, *abs_path = NULL, *abs_config = NULL;
	int taken, ret = -1;

	if (uuid_v4(uuid) < 0)
		return -1;
	utc_now(now);
	abs_path = absolute(v->adapter_path);
	abs_config = v->config_path ? absolute(v->config_path) : NULL;

	/* the kept copy, made before taking the store's write lock */
	{
		char *top = adapters_dir(s);
		dir = xstrfmt("%s/%s", top, uuid);
		int bad = mkdir_p(top) < 0;
		if (!bad && mkdir(dir, 0777) < 0)
			bad = err_set("cannot create folder '%s': %s", dir, strerror(errno));
		if (bad) {
			free(top);
			free(dir);
			dir = NULL;
			goto out;
		}
		free(top);
	}
	copy = xstrfmt("%s/adapter_model.safetensors", dir);
	if (copy_file(v->adapter_path, copy, NULL, sha, &v->size) < 0)
		goto out;
	free(copy);
	if (v->config_path) {
		copy = xstrfmt("%s/adapter_config.json", dir);
		if (copy_file(v->config_path, copy, NULL, NULL, NULL) < 0)
			goto out;
		free(copy);
	}
	copy = NULL;
	if (meta_path && file_exists(meta_path)) {
		copy = xstrfmt("%s/meta.json", dir);
		if (copy_file(meta_path, copy, NULL, NULL, NULL) < 0)
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
		v->version_name = store_adapters_next_name(s);
		if (!v->version_name)
			goto out;
	}

	{
		struct adapter_version row = *v;
		memcpy(row.id, uuid, sizeof(row.id));
		row.adapter_path = abs_path;
		row.config_path = abs_config;
		row.created_at = now;
		memcpy(row.sha256, sha, sizeof(row.sha256));
		row.copy_dir = dir;
		if (store_adapters_insert(s, &row) < 0)
			goto out;
	}
	if (log_activation(s, uuid, "merge") < 0 || store_commit(s) < 0)
		goto out;
	memcpy(v->id, uuid, sizeof(v->id));
	v->created_at = xstrdup(now);
	memcpy(v->sha256, sha, sizeof(v->sha256));
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
	return store_adapters_list(s, 0, out, nr);
}

int adapters_find(struct store *s, const char *ref, struct adapter_version *out)
{
	int found;
	if (store_adapters_find(s, ref, out, &found) < 0)
		return -1;
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
	ret = copy_file(copy, v->adapter_path, v->sha256, sha, NULL);
	if (ret < 0)
		goto out;
	if (ret) {
		ret = err_set("the kept copy of adapter version '%s' is damaged (%s: SHA-256 "
			      "%s, recorded %s)",
			      v->version_name, copy, sha, v->sha256);
		goto out;
	}
	free(copy);
	copy = xstrfmt("%s/adapter_config.json", v->copy_dir);
	if (v->config_path && file_exists(copy))
		ret = copy_file(copy, v->config_path, NULL, NULL, NULL);
out:
	free(copy);
	return ret;
}

static int activate(struct store *s, const char *ref, struct adapter_version *out)
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

int adapters_activate(struct store *s, const char *ref, struct adapter_version *out)
{
	int lock = adapters_lock(s, 0), ret;
	if (lock < 0)
		return -1;
	ret = activate(s, ref, out);
	adapters_unlock(lock);
	return ret;
}

static int rollback(struct store *s, const char *ref, struct adapter_version *out)
{
	int64_t seq[2];
	char *ids[2] = {NULL, NULL};
	int n, ret = -1;

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
	if (store_adapters_latest_two(s, seq, ids, &n) < 0)
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
	if (store_adapters_undo(s, seq[1]) < 0) {
		store_rollback(s);
		goto fail;
	}
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

int adapters_rollback(struct store *s, const char *ref, struct adapter_version *out)
{
	int lock = adapters_lock(s, 0), ret;
	memset(out, 0, sizeof(*out));
	if (lock < 0)
		return -1;
	ret = rollback(s, ref, out);
	adapters_unlock(lock);
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
	char *abs = absolute(file), *name = NULL;
	char sha[SHA256_HEX_LEN + 1];
	struct adapter_version *v;
	size_t nr;
	int hashed = 0;

	if (store_adapters_list(s, 1, &v, &nr) < 0) {
		free(abs);
		return NULL;
	}
	for (size_t i = 0; i < nr && !name; i++) {
		/* a kept copy: <adapters>/<id>/adapter_model.safetensors */
		char *copy = v[i].copy_dir
				     ? xstrfmt("%s/adapter_model.safetensors", v[i].copy_dir)
				     : NULL;
		int is_copy = copy && !strcmp(copy, abs);
		free(copy);
		if (is_copy) {
			name = xstrdup(v[i].version_name);
			break;
		}
		if (!v[i].adapter_path || strcmp(v[i].adapter_path, abs) || !*v[i].sha256)
			continue;
		if (!hashed) {
			if (hash_file(abs, sha) < 0)
				break;
			hashed = 1;
		}
		if (!strcmp(sha, v[i].sha256))
			name = xstrdup(v[i].version_name);
	}
	adapter_versions_free(v, nr);
	free(abs);
	return name;
}
