/*
 * hook-run.c: "git patterns hook run <name>", what the stubs call (see
 * hook-run.h): plan the job from git's arguments, do it in the foreground
 * when it is small and the store is free, else in a detached process;
 * every error goes to the hook log.
 */
#include "local/hook-run.h"
#include "local/reconcile.h"
#include "local/shallow.h"
#include "local/code-change-repair.h"
#include "local/recall.h"
#include "local/extract.h"
#include "local/relabel.h"
#include "local/store-patterns.h"
#include "local/treediff.h"
#include "common/repo.h"
#include "common/util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* The hook log                                                         */

#define HOOK_LOG_MAX (1024 * 1024)

static char *patterns_dir(git_repository *repo)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, git_repository_commondir(repo));
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	strbuf_addstr(&sb, "/patterns");
	return strbuf_detach(&sb, NULL);
}

/* Where the log goes when the patterns folder cannot be written. */
static char *fallback_log_path(git_repository *repo)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, git_repository_commondir(repo));
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	strbuf_addstr(&sb, "/patterns-hook.log");
	return strbuf_detach(&sb, NULL);
}

static int hook_vlog(git_repository *repo, const char *hook, const char *fmt, va_list ap)
{
	char *dir = patterns_dir(repo);
	char *path = xstrfmt("%s/hook.log", dir);
	struct strbuf line = STRBUF_INIT;
	char stamp[64];
	time_t now = time(NULL);
	struct tm tm;
	struct stat st;
	int fd, ret = 0;

	mkdir(dir, 0777);
	/* keep the log bounded: one old generation */
	if (stat(path, &st) == 0 && st.st_size > HOOK_LOG_MAX) {
		char *old = xstrfmt("%s.old", path);
		rename(path, old);
		free(old);
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S %z", &tm);
	strbuf_addf(&line, "%s [%ld] %s: ", stamp, (long)getpid(), hook);
	strbuf_vaddf(&line, fmt, ap);
	/* one line per entry, whatever the message holds */
	for (size_t i = 0; i < line.len; i++)
		if (line.buf[i] == '\n')
			line.buf[i] = ' ';
	strbuf_addch(&line, '\n');

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0666);
	if (fd < 0) {
		/*
		 * The patterns folder cannot be written (read-only, full): the
		 * git folder beside it, and hook status reads both; failing
		 * that, git shows a hook's standard error.
		 */
		char *fallback = fallback_log_path(repo);
		fd = open(fallback, O_WRONLY | O_APPEND | O_CREAT, 0666);
		free(fallback);
		if (fd < 0)
			fd = dup(2);
	}
	if (fd < 0 || write(fd, line.buf, line.len) != (ssize_t)line.len)
		ret = -1;
	if (fd >= 0)
		close(fd);
	strbuf_release(&line);
	free(path);
	free(dir);
	return ret;
}

/* The last line of the file at path into last; its mtime, 0 if none. */
static time_t log_last_line(const char *path, struct strbuf *last)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	const char *nl;
	time_t when = 0;

	if (stat(path, &st) == 0 && strbuf_read_file(&sb, path) == 0) {
		strbuf_rtrim(&sb);
		nl = strrchr(sb.buf, '\n');
		strbuf_reset(last);
		strbuf_addstr(last, nl ? nl + 1 : sb.buf);
		when = st.st_mtime ? st.st_mtime : 1;
	}
	strbuf_release(&sb);
	return when;
}

char *hook_log_last(git_repository *repo, struct strbuf *last)
{
	char *dir = patterns_dir(repo), *path = xstrfmt("%s/hook.log", dir);
	char *fallback = fallback_log_path(repo);
	struct strbuf other = STRBUF_INIT;
	time_t when;

	strbuf_reset(last);
	when = log_last_line(path, last);
	/* the newer of the two logs (see hook_vlog) */
	if (log_last_line(fallback, &other) > when) {
		strbuf_reset(last);
		strbuf_add(last, other.buf, other.len);
		free(path);
		path = fallback;
		fallback = NULL;
	}
	strbuf_release(&other);
	free(fallback);
	free(dir);
	return path;
}

int hook_log(git_repository *repo, const char *hook, const char *fmt, ...)
{
	va_list ap;
	int ret;
	va_start(ap, fmt);
	ret = hook_vlog(repo, hook, fmt, ap);
	va_end(ap);
	return ret;
}

/* ------------------------------------------------------------------ */
/* hook run                                                             */

/*
 * Work above these sizes is finished in the background, so that git
 * returns at once: the count of changed files is read from tree diffs,
 * which compare object ids only and cost microseconds per file.
 */
#define DETACH_FILES 50
#define HOOK_WAL_PAGES 128
/* How long a hook waits for the store's write lock before going background. */
#define FOREGROUND_BUSY_MS 500
#define RUN_JOB_BUSY 1
#define DETACH_COMMITS 10

struct hook_job {
	const char *name;
	struct string_list commits;  /* new commits to extract (hex ids) */
	struct string_list replaced; /* post-rewrite: commits rewritten away */
	char *range;		     /* post-merge: "<orig>..<head>" */
};

static void job_clear(struct hook_job *job)
{
	string_list_clear(&job->commits);
	string_list_clear(&job->replaced);
	free(job->range);
	job->range = NULL;
}

static int resolve_commit(git_repository *repo, const char *spec, git_oid *oid)
{
	git_object *obj = NULL;
	if (git_revparse_single(&obj, repo, spec) < 0)
		return git_error_set_from(spec);
	if (git_object_peel((git_object **)&obj, obj, GIT_OBJECT_COMMIT) < 0) {
		git_object *tmp = obj;
		git_error_set_from(spec);
		git_object_free(tmp);
		return -1;
	}
	git_oid_cpy(oid, git_object_id(obj));
	git_object_free(obj);
	return 0;
}

static int valid_hex_oid(const char *s, size_t len)
{
	if (len != GIT_OID_HEXSZ)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

/* post-rewrite's input: "<old> <new> [<extra>]" per line. */
static int read_rewrites(struct hook_job *job)
{
	struct strbuf in = STRBUF_INIT;
	char *line, *save = NULL;

	if (strbuf_read_fd(&in, 0) < 0) {
		strbuf_release(&in);
		return err_set("cannot read the rewritten commits from stdin: %s", strerror(errno));
	}
	for (line = strtok_r(in.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		const char *nw;
		size_t nlen;
		if (!sp || !valid_hex_oid(line, (size_t)(sp - line)))
			continue;
		nw = sp + 1;
		nlen = strcspn(nw, " \r");
		if (!valid_hex_oid(nw, nlen))
			continue;
		*sp = '\0';
		if (strncmp(line, nw, nlen)) {
			char *n = xstrndup(nw, nlen);
			string_list_append(&job->replaced, line);
			string_list_append(&job->commits, n);
			free(n);
		}
	}
	strbuf_release(&in);
	/*
	 * git lists them oldest first; named commits of one committer time
	 * (a rebase's) are numbered in the order given, and list shows the
	 * later first: newest first, then
	 */
	string_list_reverse(&job->commits);
	string_list_reverse(&job->replaced);
	return 0;
}

/* What the hook has to do, from git's arguments and the repository. */
static int plan_job(git_repository *repo, struct hook_job *job, const struct hook_run_options *o)
{
	git_oid head, orig;
	char hex[GIT_OID_HEXSZ + 1];
	const char *head_spec = o && o->head ? o->head : "HEAD";
	const char *orig_spec = o && o->orig_head ? o->orig_head : "ORIG_HEAD";

	if (!strcmp(job->name, "post-commit")) {
		if (resolve_commit(repo, head_spec, &head) < 0)
			return -1;
		string_list_append(&job->commits, git_oid_tostr(hex, sizeof(hex), &head));
		return 0;
	}
	if (!strcmp(job->name, "post-merge")) {
		/* argv[0] is 1 for a squash merge, which makes no commit */
		if (resolve_commit(repo, head_spec, &head) < 0 ||
		    resolve_commit(repo, orig_spec, &orig) < 0)
			return -1;
		if (!git_oid_equal(&head, &orig)) {
			char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
			job->range = xstrfmt("%s..%s", git_oid_tostr(a, sizeof(a), &orig),
					     git_oid_tostr(b, sizeof(b), &head));
		}
		return 0;
	}
	if (!strcmp(job->name, "post-rewrite"))
		return read_rewrites(job);
	return err_set("unknown hook '%s'", job->name);
}

/* Files changed by commit against its first parent (root: all), up to limit+1. */
static size_t changed_files(git_repository *repo, const git_oid *id, size_t limit)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *t = NULL, *pt = NULL;
	size_t n = 0;

	/* unreadable: let the background process find out and log it */
	if (git_commit_lookup(&c, repo, id) < 0 || git_commit_tree(&t, c) < 0)
		goto out;
	if (git_commit_parentcount(c) > 0 &&
	    (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&pt, parent) < 0))
		goto out;
	n = (size_t)tree_changed_paths(repo, pt, t, NULL, limit ? limit : 1);
out:
	git_tree_free(pt);
	git_tree_free(t);
	git_commit_free(parent);
	git_commit_free(c);
	return n;
}

/* Is the job too big to do while git waits? Stops counting at the limit. */
static int job_is_large(git_repository *repo, const struct hook_job *job)
{
	size_t files = 0, commits = 0;
	git_oid id;

	for (size_t i = 0; i < job->commits.nr; i++) {
		if (++commits > DETACH_COMMITS)
			return 1;
		if (git_oid_fromstr(&id, job->commits.items[i]) == 0)
			files += changed_files(repo, &id, DETACH_FILES - files);
		if (files > DETACH_FILES)
			return 1;
	}
	if (job->range) {
		git_revwalk *walk = NULL;
		int large = 0;
		if (git_revwalk_new(&walk, repo) < 0 ||
		    git_revwalk_push_range(walk, job->range) < 0) {
			git_revwalk_free(walk);
			return 1; /* let the background find out */
		}
		while (!large && git_revwalk_next(&id, walk) == 0) {
			if (++commits > DETACH_COMMITS)
				large = 1;
			else if ((files += changed_files(repo, &id, DETACH_FILES - files)) >
				 DETACH_FILES)
				large = 1;
		}
		git_revwalk_free(walk);
		return large;
	}
	return 0;
}

/*
 * Extract the job's commits in-process. In the foreground one diff thread
 * is plenty (the job is small); in the background every core helps.
 * Named commits (post-commit, post-rewrite) are taken as they are, as git
 * log --no-walk does: "A^! B^!" would hide B when it is A's parent, which
 * after a rebase is every rewritten commit but the newest.
 */
static int extract_revs(git_repository *repo, struct store *s, const char *const *revs,
			size_t nr, int no_walk, int background)
{
	struct extract_options o = EXTRACT_OPTIONS_INIT;
	struct extract_stats st;
	int ret;

	o.revs = revs;
	o.nr_revs = nr;
	o.no_walk = no_walk;
	o.jobs = background ? 0 : 1;
	o.progress = 0;
	memset(&st, 0, sizeof(st));
	ret = extract_resolve_options(repo, &o, NULL);
	if (!ret)
		ret = extract_run(repo, s, &o, &st);
	return ret;
}

/*
 * 1 if the store must be relabelled (relabel.h), checked for what an
 * older version extracted at a shallow boundary (shallow.h), for
 * patterns it took for comment-only (code-change-repair.h) or from Git
 * LFS pointers (store-patterns.h) first, each of which reads much of the
 * history or the store once; 0 if not or unsure.
 */
static int upkeep_pending(git_repository *repo, struct store *s)
{
	struct extract_options o = EXTRACT_OPTIONS_INIT;
	/* a bad config value is reported by the run itself */
	if (extract_resolve_options(repo, &o, NULL) < 0)
		return 0;
	return store_relabel_pending(s, (size_t)o.max_commit_files) > 0 ||
	       shallow_store_check_pending(s) || code_change_repair_pending(s) ||
	       pattern_store_lfs_drop_pending(s);
}

static int extract_job(git_repository *repo, struct store *s, const struct hook_job *job,
		       int background)
{
	int ret = 0;

	if (job->commits.nr)
		ret = extract_revs(repo, s, (const char *const *)job->commits.items,
				   job->commits.nr, 1, background);
	if (!ret && job->range) {
		const char *range = job->range;
		ret = extract_revs(repo, s, &range, 1, 0, background);
	}
	return ret;
}

/*
 * patterns.autoSync: after a successful extraction, share it with the
 * team server in a detached "git-patterns sync --quiet" (double fork, new
 * session, stdin closed, output appended to the hook log), so the commit
 * never waits for the network. Errors of the sync land in the hook log.
 */
static void start_auto_sync(git_repository *repo, const char *hook)
{
	char *dir, *log, *remote;
	pid_t pid;

	if (!config_get_bool(repo, "patterns.autoSync", NULL, 0))
		return;
	remote = config_get_string(repo, "patterns.remote", NULL);
	if (!remote || !*remote) {
		hook_log(repo, hook, "patterns.autoSync is set but patterns.remote is not");
		free(remote);
		return;
	}
	free(remote);
	dir = patterns_dir(repo);
	log = xstrfmt("%s/hook.log", dir);
	pid = fork();
	if (pid < 0) {
		hook_log(repo, hook, "error: cannot start the automatic sync: %s", strerror(errno));
	} else if (pid > 0) {
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	} else {
		int fd;
		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0)
			dup2(fd, 0);
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		close_range(3, ~0U, 0);
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		execlp("git-patterns", "git-patterns", "sync", "--quiet", (char *)NULL);
		_exit(127);
	}
	free(log);
	free(dir);
}

/*
 * patterns.recallHint: note the best earlier fix for the code the new
 * commit changed (recall.h), in the hook log and for "recall --last". The
 * hook already runs after git returned, so the commit does not wait.
 * A failure is logged and does not fail the job: the patterns are in.
 */
static void recall_hint(git_repository *repo, struct store *s, const struct hook_job *job)
{
	struct strbuf summary = STRBUF_INIT;
	int context;

	if (strcmp(job->name, "post-commit") || !job->commits.nr ||
	    !config_get_bool(repo, "patterns.recallHint", NULL, 0))
		return;
	context = (int)config_get_int(repo, "patterns.contextLines", 3);
	if (recall_hint_for_commit(repo, s, job->commits.items[0], context < 0 ? 3 : context,
				   &summary) < 0)
		hook_log(repo, job->name, "error: recall hint: %s", err_msg());
	else
		hook_log(repo, job->name, "%s", summary.buf);
	strbuf_release(&summary);
}

/*
 * Do the job; errors go to the hook log. In the foreground, a store that
 * stays locked, or that an older classifier labelled, returns RUN_JOB_BUSY
 * (nothing logged) for the caller to hand the job to the background.
 */

static int run_job(git_repository *repo, const struct hook_job *job, int background)
{
	struct string_list touched = STRING_LIST_INIT; /* the job's commits, new and replaced */
	struct store *s = NULL;
	int ret = -1, wal_frames = 0;

	if (!job->commits.nr && !job->replaced.nr && !job->range)
		return 0;
	if (store_open_repo(&s, repo) < 0)
		goto out; /* (a store being created elsewhere waits the full timeout) */
	/*
	 * A checkpoint at close costs several fsyncs, more than the rest of a
	 * small hook run: leave the WAL behind instead. But a process that
	 * opens the store alone rebuilds the WAL index by reading every frame,
	 * so once the WAL is past HOOK_WAL_PAGES it is checkpointed and
	 * truncated (below): a few fsyncs every ten commits or so.
	 */
	store_leave_wal(s, &wal_frames);
	/* git waits for us: a store held by someone else is the background's job */
	if (!background)
		store_busy_timeout(s, FOREGROUND_BUSY_MS);
	/*
	 * and so is relabelling a store of an older classifier, or checking
	 * one of an older version (seconds on a long history)
	 */
	if (!background && upkeep_pending(repo, s)) {
		ret = RUN_JOB_BUSY;
		goto out;
	}
	/*
	 * then whatever else moved since the last run: commits rewritten or
	 * reset away, commits an earlier hook could not extract. The history
	 * first: what came in with the job's commits (a pull --rebase's
	 * upstream) is extracted with them in one run, newest first, so that
	 * list shows them as git log does. Then the job's own commits, new
	 * and rewritten away, are settled by the tips the run remembers
	 * (reconcile_history_after): a rewritten commit a branch still has
	 * (a rebased copy, a backup branch) stays current.
	 */
	if (reconcile_history(repo, s, background ? 0 : 1, 1, NULL) < 0 ||
	    extract_job(repo, s, job, background) < 0)
		goto out;
	for (size_t i = 0; i < job->commits.nr; i++)
		string_list_append(&touched, job->commits.items[i]);
	for (size_t i = 0; i < job->replaced.nr; i++)
		string_list_append(&touched, job->replaced.items[i]);
	if (reconcile_history_after(repo, s, background ? 0 : 1, &touched, NULL) < 0)
		goto out;
	recall_hint(repo, s, job);
	ret = 0;
out:
	if (ret < 0 && !background && strstr(err_msg(), "database is locked"))
		ret = RUN_JOB_BUSY;
	else if (ret < 0)
		hook_log(repo, job->name, "error: %s", err_msg());
	if (s && wal_frames > HOOK_WAL_PAGES) {
		/* never wait long: another process may as well do it */
		store_busy_timeout(s, 200);
		store_checkpoint(s);
	}
	store_close(s);
	string_list_clear(&touched);
	if (!ret)
		start_auto_sync(repo, job->name);
	return ret;
}

/*
 * Finish the job in a detached process (detach_process): no child of
 * git's, reached by no terminal signal, and holding no descriptor anyone
 * waits on.
 */
static int detach_job(const struct hook_job *job)
{
	git_repository *repo = NULL;
	int ret = detach_process();

	if (ret)
		return ret < 0 ? -1 : 0;
	if (repo_open(&repo, NULL) == 0)
		run_job(repo, job, 1);
	git_repository_free(repo);
	_exit(0);
}

int hook_run(const char *name, const struct hook_run_options *o, int argc, const char **argv)
{
	struct hook_job job = {name, STRING_LIST_INIT, STRING_LIST_INIT, NULL};
	const char *env = getenv("GIT_PATTERNS_HOOK");
	git_repository *repo = NULL;
	int ret = -1;

	if (env && parse_bool(env) == 0)
		return 0;
	if (repo_open(&repo, NULL) < 0)
		return -1; /* nowhere to log to */
	if (!config_get_bool(repo, "patterns.hook", NULL, 1)) {
		ret = 0;
		goto out;
	}
	if (plan_job(repo, &job, o) < 0) {
		hook_log(repo, name, "error: %s", err_msg());
		goto out;
	}
	if (job_is_large(repo, &job)) {
		if (detach_job(&job) == 0) {
			ret = 0;
			goto out;
		}
		hook_log(repo, name,
			 "cannot start a background process (%s); working in "
			 "the foreground",
			 strerror(errno));
	}
	ret = run_job(repo, &job, 0);
	if (ret == RUN_JOB_BUSY) {
		/* the store is busy (a long extract?): wait for it in the background */
		ret = detach_job(&job);
		if (ret < 0)
			hook_log(repo, name,
				 "error: the pattern store is busy and no "
				 "background process could be started (%s)",
				 strerror(errno));
	}
out:
	git_repository_free(repo);
	job_clear(&job);
	return ret;
}
