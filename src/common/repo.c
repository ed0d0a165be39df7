/*
 * repo.c: repository discovery and git config reading over libgit2.
 */
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>

int git_error_set_from(const char *what)
{
	const git_error *e = git_error_last();
	return err_set("%s%s%s", what, e && e->message ? ": " : "",
		       e && e->message ? e->message : "");
}

/*
 * The repository git's environment names, as git finds it: GIT_DIR, else
 * the one the current folder is in. libgit2 1.5 reads GIT_DIR only when
 * given no path to start from, and refuses GIT_WORK_TREE (git --work-tree,
 * a bare repository of dotfiles): that one is set once it is open.
 */
static int open_from_env(git_repository **out)
{
	const char *env = getenv("GIT_WORK_TREE");
	char *work_tree = env && *env ? xstrdup(env) : NULL;
	int rc;

	if (work_tree)
		unsetenv("GIT_WORK_TREE");
	rc = git_repository_open_ext(out, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (work_tree) {
		setenv("GIT_WORK_TREE", work_tree, 1); /* for the git we run */
		if (!rc && (rc = git_repository_set_workdir(*out, work_tree, 0)) < 0) {
			git_repository_free(*out);
			*out = NULL;
		}
		free(work_tree);
	}
	return rc;
}

static int run_git(const char **argv, int quiet, struct strbuf *out, int *status);

/*
 * 1 if git itself accepts the repository libgit2 refused, which it does
 * for another user's that safe.directory lets in as git reads it and
 * libgit2 1.5 does not: '*', "git -c safe.directory=...". When git
 * refuses it too, why holds what git said (its "dubious ownership"
 * message, with the safe.directory it suggests, where that is the reason).
 */
static int git_accepts_owner(const char *repo_path, struct strbuf *why)
{
	const char *argv[] = { "git", "-C", repo_path, "rev-parse", "--git-dir", NULL };
	int status, ok;

	if (!repo_path) {
		argv[1] = "rev-parse";
		argv[2] = "--git-dir";
		argv[3] = NULL;
	}
	ok = run_git(argv, 2, why, &status) == 0 && WIFEXITED(status) && !WEXITSTATUS(status);
	if (ok)
		strbuf_setlen(why, 0);
	return ok;
}

int repo_open(git_repository **out, const char *repo_path)
{
	const char *git_dir = getenv("GIT_DIR");
	struct strbuf why = STRBUF_INIT;
	int rc;
	*out = NULL;
	for (int tries = 0;; tries++) {
		if (repo_path)
			rc = git_repository_open_ext(out, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH,
						     NULL);
		else
			rc = open_from_env(out);
		/*
		 * git decides whose repositories may be used: when it takes
		 * one libgit2 refused for its owner, libgit2 stops checking
		 * (which, without any safe.directory, says "not found")
		 */
		if ((rc != GIT_EOWNER && rc != GIT_ENOTFOUND) || tries ||
		    !git_accepts_owner(repo_path, &why))
			break;
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	}
	if (rc < 0) {
		const char *dubious = strstr(why.buf, "detected dubious ownership");
		if (!repo_path && git_dir && *git_dir)
			repo_path = git_dir;
		if (dubious) { /* git's words, and its advice */
			strbuf_rtrim(&why);
			rc = err_set("%s", dubious);
		} else if (rc == GIT_ENOTFOUND) {
			rc = err_set("not a git repository: '%s'", repo_path ? repo_path : ".");
		} else {
			rc = git_error_set_from(repo_path ? repo_path : "cannot open repository");
		}
		strbuf_release(&why);
		return rc;
	}
	strbuf_release(&why);
	return 0;
}

static git_config *snapshot(git_repository *repo)
{
	git_config *cfg = NULL, *snap = NULL;
	if (repo) {
		if (git_repository_config_snapshot(&snap, repo) < 0)
			return NULL;
		return snap;
	}
	if (git_config_open_default(&cfg) < 0)
		return NULL;
	if (git_config_snapshot(&snap, cfg) < 0)
		snap = NULL;
	git_config_free(cfg);
	return snap;
}

/* Read one sq-quoted word of GIT_CONFIG_PARAMETERS ('a'\''b' is a'b). */
static const char *sq_word(const char *p, struct strbuf *out)
{
	strbuf_reset(out);
	if (*p != '\'')
		return NULL;
	for (;;) {
		p++;
		while (*p && *p != '\'')
			strbuf_addch(out, *p++);
		if (!*p)
			return NULL;
		p++; /* closing quote */
		if (p[0] == '\\' && p[1] == '\'' && p[2] == '\'') {
			strbuf_addch(out, '\'');
			p += 2;
			continue;
		}
		return p;
	}
}

/* Compare config keys: section and name case-insensitively. */
static int key_equal(const char *a, const char *b)
{
	const char *da = strchr(a, '.'), *db = strchr(b, '.');
	const char *la = strrchr(a, '.'), *lb = strrchr(b, '.');
	if (!da || !db || (da - a) != (db - b) || strncasecmp(a, b, (size_t)(da - a)))
		return 0;
	if ((la - da) != (lb - db) || strncmp(da, db, (size_t)(la - da)))
		return 0;
	return !strcasecmp(la, lb);
}

/*
 * The value of key given with "git -c key=value" (git passes those to us
 * in GIT_CONFIG_PARAMETERS; libgit2 does not read it). The last one wins.
 * 1 and *value (caller frees; NULL for a bare "-c key", which means true),
 * or 0 when key is not there.
 */
static int config_param(const char *key, char **value)
{
	const char *p = getenv("GIT_CONFIG_PARAMETERS");
	struct strbuf word = STRBUF_INIT, val = STRBUF_INIT;
	int found = 0;

	*value = NULL;
	while (p && *p) {
		const char *k, *v = NULL;
		char *eq = NULL;
		while (*p == ' ')
			p++;
		if (!*p || !(p = sq_word(p, &word)))
			break;
		if (*p == '=') {
			/* new style: 'key'='value' */
			if (!(p = sq_word(p + 1, &val)))
				break;
			k = word.buf;
			v = val.buf;
		} else {
			/* old style: 'key=value' or 'key' */
			eq = strchr(word.buf, '=');
			if (eq)
				*eq = '\0';
			k = word.buf;
			v = eq ? eq + 1 : NULL;
		}
		if (key_equal(k, key)) {
			free(*value);
			*value = v ? xstrdup(v) : NULL;
			found = 1;
		}
	}
	strbuf_release(&word);
	strbuf_release(&val);
	return found;
}

char *config_get_string(git_repository *repo, const char *key, const char *env)
{
	git_config *cfg;
	const char *v = NULL;
	char *res = NULL;

	if (env && getenv(env) && *getenv(env))
		return xstrdup(getenv(env));
	if (config_param(key, &res))
		return res ? res : xstrdup("");
	cfg = snapshot(repo);
	if (!cfg)
		return NULL;
	if (git_config_get_string(&v, cfg, key) == 0 && v)
		res = xstrdup(v);
	git_config_free(cfg);
	return res;
}

int config_get_bool(git_repository *repo, const char *key, const char *env, int def)
{
	git_config *cfg;
	int v = def;

	char *param;

	if (env && getenv(env)) {
		int b = parse_bool(getenv(env));
		if (b >= 0)
			return b;
	}
	if (config_param(key, &param)) {
		int b = param ? (*param ? parse_bool(param) : 0) : 1;
		free(param);
		return b >= 0 ? b : def;
	}
	cfg = snapshot(repo);
	if (!cfg)
		return def;
	if (git_config_get_bool(&v, cfg, key) < 0)
		v = def;
	git_config_free(cfg);
	return v;
}

static int promisor_remote(const git_config_entry *e, void *data)
{
	int *yes = data;
	int b = 0;

	if (git_config_parse_bool(&b, e->value) == 0 && b)
		*yes = 1;
	return 0;
}

int repo_is_partial_clone(git_repository *repo)
{
	git_config *cfg = snapshot(repo);
	const char *v = NULL;
	int yes = 0;

	if (!cfg)
		return 0;
	if (git_config_get_string(&v, cfg, "extensions.partialclone") == 0 && v && *v)
		yes = 1;
	else
		git_config_foreach_match(cfg, "^remote\\..*\\.promisor$", promisor_remote, &yes);
	git_config_free(cfg);
	return yes;
}

long long config_get_int(git_repository *repo, const char *key, long long def)
{
	git_config *cfg;
	int64_t v;
	long long res = def;
	char *param;

	if (config_param(key, &param)) {
		char *end;
		if (param) {
			errno = 0;
			res = strtoll(param, &end, 10);
			switch (*end) {
			case 'k': case 'K': res *= 1024; end++; break;
			case 'm': case 'M': res *= 1024 * 1024; end++; break;
			case 'g': case 'G': res *= 1024 * 1024 * 1024; end++; break;
			}
			if (errno || end == param || *end) {
				warning("bad numeric config value '%s' for '%s'; using %lld", param,
					key, def);
				res = def;
			}
		}
		free(param);
		return res;
	}
	cfg = snapshot(repo);
	if (!cfg)
		return def;
	switch (git_config_get_int64(&v, cfg, key)) {
	case 0:
		res = v;
		break;
	case GIT_ENOTFOUND:
		break;
	default: /* said, not fatal: a hook must go on */
		warning("bad numeric config value for '%s': %s; using %lld", key,
			git_error_last() ? git_error_last()->message : "not a number", def);
		break;
	}
	git_config_free(cfg);
	return res;
}

/*
 * Run git with argv (argv[0] is "git"), standard input from /dev/null and
 * standard error too when quiet is 1 (into out with the output when it is
 * 2; left to ours when 0); its standard output into out. 0 and
 * *status (waitpid's; exit 127: git could not be run), or -1 (err_set)
 * when no process could be started.
 */
static int run_git(const char **argv, int quiet, struct strbuf *out, int *status)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd) < 0)
		return err_set("cannot run git: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return err_set("cannot run git: %s", strerror(errno));
	}
	if (!pid) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(pipefd[1], 1);
		if (devnull >= 0) {
			dup2(devnull, 0);
			if (quiet == 1)
				dup2(devnull, 2);
		}
		if (quiet == 2) /* its messages read with its output */
			dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	strbuf_read_fd(out, pipefd[0]);
	close(pipefd[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/*
 * Run git for its output, its messages dropped: 0 when it succeeded, 1
 * when git cannot be run, 2 when it failed (the caller says what did), -1
 * (err_set) when no process could be started.
 */
static int run_git_output(const char **argv, struct strbuf *out)
{
	int status;

	if (run_git(argv, 1, out, &status) < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return 1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 2;
}

int git_approxidate(git_repository *repo, const char *date, long long *out)
{
	const char *gitdir = git_repository_path(repo);
	char *arg = xstrfmt("--since=%s", date);
	const char *argv[] = { "git", "--git-dir", gitdir, "rev-parse", arg, NULL };
	struct strbuf sb = STRBUF_INIT;
	int status, ret = 0;

	if (run_git(argv, 0, &sb, &status) < 0)
		ret = -1;
	else if (!WIFEXITED(status) || WEXITSTATUS(status) ||
		 sscanf(sb.buf, "--max-age=%lld", out) != 1)
		ret = err_set("invalid date '%s'", date);
	strbuf_release(&sb);
	free(arg);
	return ret;
}

int git_rev_list(git_repository *repo, const git_oid *push, size_t nr_push, const git_oid *hide,
		 size_t nr_hide, int (*fn)(const git_oid *id, void *data), void *data)
{
	size_t nr = 0, argc = nr_push + nr_hide + 6;
	const char **argv = xcalloc(argc, sizeof(*argv));
	char *hex = xcalloc(nr_push + nr_hide, GIT_OID_HEXSZ + 1);
	struct strbuf sb = STRBUF_INIT;
	int rc, ret = -1;

	if (!nr_push) {
		free(argv);
		free(hex);
		return 0;
	}
	argv[nr++] = "git";
	argv[nr++] = "--git-dir";
	argv[nr++] = git_repository_path(repo);
	argv[nr++] = "rev-list";
	for (size_t i = 0; i < nr_push + nr_hide; i++) {
		char *h = hex + i * (GIT_OID_HEXSZ + 1);
		git_oid_tostr(h, GIT_OID_HEXSZ + 1, i < nr_push ? &push[i] : &hide[i - nr_push]);
		if (i == nr_push)
			argv[nr++] = "--not";
		argv[nr++] = h;
	}
	rc = run_git_output(argv, &sb);
	if (rc) {
		if (rc == 1)
			ret = 1;
		else if (rc == 2)
			err_set("cannot walk the history: git rev-list failed");
		goto out;
	}
	for (const char *p = sb.buf; *p;) {
		const char *nl = strchr(p, '\n');
		git_oid id;
		if (git_oid_fromstrn(&id, p, GIT_OID_HEXSZ) == 0 && (ret = fn(&id, data)) != 0)
			goto out;
		if (!nl)
			break;
		p = nl + 1;
	}
	ret = 0;
out:
	strbuf_release(&sb);
	free(argv);
	free(hex);
	return ret;
}

int git_renames(git_repository *repo, const git_oid *old, const git_oid *new,
		long long max_file_size, int (*fn)(const char *from, const char *to, void *data),
		void *data)
{
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	char *threshold = xstrfmt("core.bigFileThreshold=%lld", max_file_size);
	static const char *const diff[] = { "diff-tree", "-r", "-z", "--name-status", "-M50%",
					    "-l1000", "--diff-filter=R" };
	const char *argv[6 + ARRAY_SIZE(diff) + 3];
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;
	int rc, ret = -1;

	git_oid_tostr(old_hex, sizeof(old_hex), old);
	git_oid_tostr(new_hex, sizeof(new_hex), new);
	argv[n++] = "git";
	argv[n++] = "--git-dir";
	argv[n++] = git_repository_path(repo);
	argv[n++] = "--no-replace-objects";
	if (max_file_size > 0) {
		argv[n++] = "-c";
		argv[n++] = threshold;
	}
	for (size_t i = 0; i < ARRAY_SIZE(diff); i++)
		argv[n++] = diff[i];
	argv[n++] = old_hex;
	argv[n++] = new_hex;
	argv[n] = NULL;
	/* its warnings (a rename limit reached) are not output to parse */
	rc = run_git_output(argv, &sb);
	if (rc) {
		if (rc == 1)
			ret = 1;
		else if (rc == 2)
			err_set("cannot find the renames between trees %s and %s: "
				"git diff-tree failed", old_hex, new_hex);
		goto out;
	}
	/* "R<score>\0<from>\0<to>\0" per rename */
	ret = 0;
	for (const char *p = sb.buf, *end = sb.buf + sb.len; p < end && !ret;) {
		const char *from = p + strlen(p) + 1, *to;
		if (*p != 'R' || from >= end || (to = from + strlen(from) + 1) >= end) {
			ret = err_set("cannot find renames: unexpected git diff-tree output");
			break;
		}
		ret = fn(from, to, data);
		p = to + strlen(to) + 1;
	}
out:
	strbuf_release(&sb);
	free(threshold);
	return ret;
}
