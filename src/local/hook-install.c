/*
 * hook-install.c: installing the git hooks of git-patterns (see
 * hook-install.h for the contract): find git's hooks folder, put our stubs
 * there without losing anyone else's hook (moved aside to
 * <name>.pre-patterns and run by the stub), and undo that exactly.
 */
#include "local/hook-install.h"
#include "hook-scripts.h"
#include "common/hash.h"
#include "common/repo.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

const char *const hook_names[] = {"post-commit", "post-merge", "post-rewrite", NULL};

const char *hook_script(const char *name)
{
	if (!strcmp(name, "post-commit"))
		return hook_script_post_commit;
	if (!strcmp(name, "post-merge"))
		return hook_script_post_merge;
	if (!strcmp(name, "post-rewrite"))
		return hook_script_post_rewrite;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The hooks folder                                                     */

/* Strip trailing slashes (but keep "/"). */
static void trim_slashes(struct strbuf *sb)
{
	while (sb->len > 1 && sb->buf[sb->len - 1] == '/')
		strbuf_setlen(sb, sb->len - 1);
}

int hook_dir(git_repository *repo, struct strbuf *dir)
{
	char *hooks_path = config_get_string(repo, "core.hooksPath", NULL);

	strbuf_reset(dir);
	if (hooks_path && *hooks_path) {
		const char *rest;
		if (skip_prefix(hooks_path, "~/", &rest) || !strcmp(hooks_path, "~")) {
			const char *home = getenv("HOME");
			if (!home) {
				struct passwd *pw = getpwuid(getuid());
				home = pw ? pw->pw_dir : "";
			}
			strbuf_addstr(dir, home);
			trim_slashes(dir);
			strbuf_addch(dir, '/');
			strbuf_addstr(dir, !strcmp(hooks_path, "~") ? "" : rest);
		} else if (hooks_path[0] == '/') {
			strbuf_addstr(dir, hooks_path);
		} else {
			/* git runs hooks from the top of the work tree (bare: git dir) */
			const char *base = git_repository_workdir(repo);
			if (!base)
				base = git_repository_path(repo);
			strbuf_addstr(dir, base);
			trim_slashes(dir);
			strbuf_addch(dir, '/');
			strbuf_addstr(dir, hooks_path);
		}
	} else {
		strbuf_addstr(dir, git_repository_commondir(repo));
		trim_slashes(dir);
		strbuf_addstr(dir, "/hooks");
	}
	free(hooks_path);
	trim_slashes(dir);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Install, uninstall, inspect                                          */

static int path_exists(const char *path, struct stat *st)
{
	struct stat tmp;
	return lstat(path, st ? st : &tmp) == 0;
}

static int is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* 1 if text is a version of stub name that git-patterns shipped (hooks/shipped.sha256). */
static int shipped(const char *name, const char *text, size_t len)
{
	char hex[SHA256_HEX_LEN + 1];
	const char *p = hook_shipped;

	sha256_hex(text, len, hex);
	for (; *p; p = strchr(p, '\n') + 1) {
		const char *nl = strchr(p, '\n');
		if (!strncmp(p, hex, SHA256_HEX_LEN) && p[SHA256_HEX_LEN] == ' ' &&
		    (size_t)(nl - p - SHA256_HEX_LEN - 1) == strlen(name) &&
		    !strncmp(p + SHA256_HEX_LEN + 1, name, strlen(name)))
			return 1;
	}
	return 0;
}

/*
 * Classify the file at path: ours (current, outdated, or edited since it
 * was installed) or foreign. A file we cannot read (a dangling symlink, a
 * folder) is foreign.
 */
static enum hook_state classify(const char *path, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	enum hook_state state = HOOK_FOREIGN;
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && strbuf_read_file(&sb, path) == 0 &&
	    memmem(sb.buf, sb.len, HOOK_MARKER, strlen(HOOK_MARKER))) {
		const char *want = hook_script(name);
		if (sb.len == strlen(want) && !memcmp(sb.buf, want, sb.len))
			state = HOOK_INSTALLED;
		else
			state = shipped(name, sb.buf, sb.len) ? HOOK_OUTDATED : HOOK_EDITED;
	}
	strbuf_release(&sb);
	return state;
}

int hook_inspect(const char *dir, const char *name, struct hook_info *info)
{
	char *path = xstrfmt("%s/%s", dir, name);
	char *saved = xstrfmt("%s/%s" HOOK_SAVED_SUFFIX, dir, name);

	memset(info, 0, sizeof(*info));
	if (path_exists(path, NULL)) {
		info->state = classify(path, name);
		info->executable = is_executable(path);
	} else {
		info->state = HOOK_ABSENT;
	}
	info->saved = path_exists(saved, NULL);
	info->saved_executable = info->saved && is_executable(saved);
	free(path);
	free(saved);
	return 0;
}

/* Write the stub for name to path through a temporary file and a rename. */
static int write_stub(const char *dir, const char *path, const char *name)
{
	const char *script = hook_script(name);
	char *tmp = xstrfmt("%s/.%s.git-patterns.tmp", dir, name);
	size_t len = strlen(script), off = 0;
	int fd, ret = 0;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0755);
	if (fd < 0) {
		ret = err_set("cannot write hook '%s': %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, script + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = err_set("cannot write hook '%s': %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && !ret)
		ret = err_set("cannot write hook '%s': %s", tmp, strerror(errno));
	if (!ret && rename(tmp, path) < 0)
		ret = err_set("cannot install hook '%s': %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	return ret;
}

int hook_install(const char *dir, const char *name, int force, enum hook_action *done)
{
	char *path, *saved;
	struct hook_info info;
	int ret = 0;

	*done = HOOK_UNCHANGED;
	if (!hook_script(name))
		return err_set("unknown hook '%s'", name);
	if (mkdir_p(dir) < 0)
		return -1;
	path = xstrfmt("%s/%s", dir, name);
	saved = xstrfmt("%s/%s" HOOK_SAVED_SUFFIX, dir, name);
	hook_inspect(dir, name, &info);

	switch (info.state) {
	case HOOK_INSTALLED:
		break;
	case HOOK_EDITED:
		if (!force) {
			ret = err_set("'%s' is our stub with changes of its user; use --force to "
				      "replace it, or move it away",
				      path);
			break;
		}
		/* fall through */
	case HOOK_OUTDATED:
		if (!(ret = write_stub(dir, path, name)))
			*done = HOOK_WROTE;
		break;
	case HOOK_ABSENT:
		if (info.saved && !force) {
			ret = err_set("'%s' is left from an earlier installation; use --force "
				      "to chain it again, or move it away",
				      saved);
			break;
		}
		if (!(ret = write_stub(dir, path, name)))
			*done = HOOK_WROTE;
		break;
	case HOOK_FOREIGN:
		if (info.saved) {
			ret = err_set("cannot keep hook '%s': '%s' already exists; move one of "
				      "them away",
				      path, saved);
			break;
		}
		if (rename(path, saved) < 0) {
			ret = err_set("cannot move hook '%s' to '%s': %s", path, saved,
				      strerror(errno));
			break;
		}
		if ((ret = write_stub(dir, path, name)) < 0) {
			/* put it back as it was */
			rename(saved, path);
			break;
		}
		*done = HOOK_CHAINED;
		break;
	}
	free(path);
	free(saved);
	return ret;
}

int hook_uninstall(const char *dir, const char *name, enum hook_action *done)
{
	char *path, *saved;
	struct hook_info info;
	int ret = 0;

	*done = HOOK_UNCHANGED;
	if (!hook_script(name))
		return err_set("unknown hook '%s'", name);
	path = xstrfmt("%s/%s", dir, name);
	saved = xstrfmt("%s/%s" HOOK_SAVED_SUFFIX, dir, name);
	hook_inspect(dir, name, &info);

	if (info.state == HOOK_FOREIGN || info.state == HOOK_EDITED) {
		*done = info.state == HOOK_FOREIGN ? HOOK_LEFT_FOREIGN : HOOK_LEFT_EDITED;
		goto out;
	}
	if (info.state != HOOK_ABSENT) {
		if (unlink(path) < 0) {
			ret = err_set("cannot remove hook '%s': %s", path, strerror(errno));
			goto out;
		}
		*done = HOOK_REMOVED;
	}
	if (info.saved) {
		if (rename(saved, path) < 0) {
			ret = err_set("cannot put back hook '%s' as '%s': %s", saved, path,
				      strerror(errno));
			goto out;
		}
		*done = HOOK_RESTORED;
	}
out:
	free(path);
	free(saved);
	return ret;
}
