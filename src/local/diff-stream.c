/*
 * diff-stream.c: a "git diff-tree --stdin" process as a diff engine (see
 * diff-stream.h).
 *
 * Each request is a line "<commit>" or "<commit> <parent>"; a batch of
 * them ends with an empty line, which git echoes, flushing its output
 * (the newline is skipped between answers). Between those, git runs with
 * GIT_FLUSH=0 and writes full buffers. With -z, git answers each
 * request (--always: even when nothing changed) with
 *
 *   <commit> NUL
 *   :<old mode> <new mode> <old id> <new id> <status> NUL <path> NUL
 *	[<new path> NUL: renames]	(one such raw entry per changed file)
 *   NUL				(when there are entries)
 *   the patch text: per raw entry a "diff --git" section (two for a type
 *   change, shown as a deletion and a creation), its header lines, then
 *   "Binary files ... differ" or hunks "@@ -a,b +c,d @@" of exactly b old
 *   and d new lines, any of them followed by "\ No newline at end of file".
 *
 * The paths come from the raw entries, byte for byte; the patch text is
 * only read for its hunks, whose line counts say where each ends, so no
 * content can be mistaken for structure. What does not parse is an error,
 * never a guess.
 */
#include "local/diff-stream.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct diff_stream {
	pid_t pid;
	int in_fd, out_fd, err_fd;
	struct strbuf requests;
	/* what git wrote, not yet parsed: buf[pos, len) */
	char *buf;
	size_t pos, len, alloc;
	int eof;
	struct file_change *changes;
	size_t nr, alloc_changes;
	char current[GIT_OID_HEXSZ + 1]; /* the commit being read, for messages */
};

static int stream_error(struct diff_stream *ds, const char *what)
{
	return err_set("git diff-tree: %s (commit %s)", what, ds->current);
}

/* git's first error line, from the file its stderr went to, without "fatal: ". */
static void git_message(struct diff_stream *ds, struct strbuf *msg)
{
	char buf[512], *p = buf, *nl;
	ssize_t n = ds->err_fd >= 0 ? pread(ds->err_fd, buf, sizeof(buf) - 1, 0) : -1;
	if (n <= 0)
		return;
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')))
		*nl = '\0';
	if (!strncmp(p, "fatal: ", 7) || !strncmp(p, "error: ", 7))
		p += 7;
	strbuf_addstr(msg, p);
}

/*
 * Wait for git and say why it failed (0 if it exited cleanly). Its
 * message, when it wrote one, is the clearest account of what went wrong.
 */
static int reap(struct diff_stream *ds)
{
	int status = 0;
	struct strbuf msg = STRBUF_INIT;

	if (ds->pid <= 0)
		return 0;
	while (waitpid(ds->pid, &status, 0) < 0 && errno == EINTR)
		;
	ds->pid = -1;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	git_message(ds, &msg);
	if (msg.len && ds->current[0] != '(') /* a commit was being read */
		err_set("git diff-tree failed: %s (commit %s)", msg.buf, ds->current);
	else if (msg.len)
		err_set("git diff-tree failed: %s", msg.buf);
	else if (WIFSIGNALED(status))
		err_set("git diff-tree died of signal %d", WTERMSIG(status));
	else
		err_set("git diff-tree failed with exit status %d", WEXITSTATUS(status));
	strbuf_release(&msg);
	return -1;
}

/* ---------------------------------------------------------------- */
/* Starting git                                                     */

/*
 * Variables of ours that git must not see: what would change its diff
 * output or where it looks, and traces (a GIT_TRACE left on would fill
 * the file its stderr goes to with a line per object).
 */
static int dropped_from_env(const char *var)
{
	static const char *const dropped[] = {
		"GIT_DIFF_OPTS=", "GIT_EXTERNAL_DIFF=", "GIT_WORK_TREE=", "GIT_FLUSH=", "GIT_TRACE",
	};
	for (size_t i = 0; i < ARRAY_SIZE(dropped); i++)
		if (!strncmp(var, dropped[i], strlen(dropped[i])))
			return 1;
	return 0;
}

static int spawn_git(struct diff_stream *ds, const char *const *argv)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, ret = -1, err;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	char tmpl[] = "/tmp/git-patterns-diff.XXXXXX";
	const char *tmpdir = getenv("TMPDIR");
	char *errpath = tmpdir && *tmpdir ? xstrfmt("%s/git-patterns-diff.XXXXXX", tmpdir) : NULL;
	char **env;
	size_t n = 0;

	/* git's error messages, read back if it fails (never a pipe nobody reads) */
	ds->err_fd = mkostemp(errpath ? errpath : tmpl, O_CLOEXEC);
	if (ds->err_fd < 0)
		goto out;
	unlink(errpath ? errpath : tmpl);
	/* our ends close on exec, so that no other child holds them open */
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		goto out;

	/* our environment, less dropped_from_env(), plus ours */
	for (char **e = environ; *e; e++)
		n++;
	env = xcalloc(n + 5, sizeof(*env));
	n = 0;
	for (char **e = environ; *e; e++)
		if (!dropped_from_env(*e))
			env[n++] = *e;
	env[n++] = (char *)"GIT_NO_REPLACE_OBJECTS=1";
	env[n++] = (char *)"GIT_IMPLICIT_WORK_TREE=0";
	/* no flush per commit: a pipe write (and our wake-up) per 4 KiB, not per commit */
	env[n++] = (char *)"GIT_FLUSH=0";
	/*
	 * git allocates every blob it diffs anew: glibc serves the large ones
	 * with mmap and gives them back at free, so each blob costs page
	 * faults on fresh zeroed pages (a third of git's time on a large
	 * source tree, all of it system time). Kept on the heap and reused,
	 * they cost none. Unless the user tuned malloc already.
	 */
	if (!getenv("GLIBC_TUNABLES"))
		env[n++] = (char *)"GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:"
				   "glibc.malloc.trim_threshold=268435456:"
				   "glibc.malloc.top_pad=16777216";
	env[n] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ds->err_fd, 2);
	posix_spawnattr_init(&attr);
	/* default signal dispositions: git dies of SIGPIPE if we are gone */
	sigemptyset(&none);
	sigfillset(&dflt);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(&ds->pid, "git", &fa, &attr, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	if (err) {
		errno = err;
		goto out;
	}
	/* room for git to write ahead without waiting (and waking us) as often */
	fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	ds->in_fd = in[1];
	ds->out_fd = out[0];
	in[1] = out[0] = -1;
	ret = 0;
out:
	if (ret)
		err_set("cannot run git diff-tree: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	free(errpath);
	return ret;
}

static struct diff_stream *stream_new(void)
{
	struct diff_stream *ds = xcalloc(1, sizeof(*ds));
	ds->pid = -1;
	ds->in_fd = ds->out_fd = ds->err_fd = -1;
	strbuf_init(&ds->requests, 0);
	strcpy(ds->current, "(none yet)");
	return ds;
}

struct diff_stream *diff_stream_from_fd(int fd)
{
	struct diff_stream *ds = stream_new();
	ds->out_fd = fd;
	return ds;
}

/*
 * git's settings for the run. No work tree (with GIT_IMPLICIT_WORK_TREE=0
 * in its environment): git then takes attributes from the index instead
 * of trying to open a .gitattributes in every folder for every file it
 * diffs; they change nothing we keep, since commit_differ_finish()
 * applies the work tree's attributes itself. Its memory bounded whatever
 * the history's size (by default its delta cache and pack windows grow
 * past 100 MiB on a long history); a delta cache of 32 MiB rather than
 * 16 saves a sixth of git's time on redis's large source files (the
 * bases of consecutive versions stay cached).
 */
static const char *const git_settings[] = {
	"core.bare=true",
	"core.deltaBaseCacheLimit=32m",
	"core.packedGitLimit=16m",
	"core.packedGitWindowSize=8m",
};

/* The diff, as the libgit2 path computes it (see diff-stream.h). */
static const char *const diff_tree_args[] = {
	"diff-tree", "--stdin", "--always", "--root", "-r", "-z", "--raw", "-p",
	"--no-abbrev", "--full-index", /* no abbreviated ids to look up */
	"-M50%", "-l1000", "--inter-hunk-context=0", "--diff-algorithm=myers",
	"--indent-heuristic", "--no-textconv", "--no-ext-diff", "--no-color",
};

int diff_stream_start(struct diff_stream **out, const char *gitdir,
		      const struct extract_options *o)
{
	struct diff_stream *ds = stream_new();
	char *git_dir = xstrfmt("--git-dir=%s", gitdir);
	/* larger than the limit (either side): "Binary files differ" */
	char *threshold = xstrfmt("core.bigFileThreshold=%lld", o->max_file_size);
	char *context = xstrfmt("-U%d", o->context_lines);
	const char *argv[2 + 2 * (ARRAY_SIZE(git_settings) + 1) + ARRAY_SIZE(diff_tree_args) + 2];
	size_t n = 0;
	int rc;

	argv[n++] = "git";
	argv[n++] = git_dir;
	for (size_t i = 0; i < ARRAY_SIZE(git_settings); i++) {
		argv[n++] = "-c";
		argv[n++] = git_settings[i];
	}
	argv[n++] = "-c";
	argv[n++] = threshold;
	for (size_t i = 0; i < ARRAY_SIZE(diff_tree_args); i++)
		argv[n++] = diff_tree_args[i];
	argv[n++] = context;
	argv[n] = NULL;
	rc = spawn_git(ds, argv);
	free(git_dir);
	free(threshold);
	free(context);
	if (rc < 0) {
		diff_stream_end(ds, 1);
		*out = NULL;
		return -1;
	}
	*out = ds;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Requests                                                         */

void diff_stream_request(struct diff_stream *ds, const git_oid *oid, const git_oid *parent)
{
	char hex[GIT_OID_HEXSZ + 1];
	strbuf_addstr(&ds->requests, git_oid_tostr(hex, sizeof(hex), oid));
	if (parent) {
		strbuf_addch(&ds->requests, ' ');
		strbuf_addstr(&ds->requests, git_oid_tostr(hex, sizeof(hex), parent));
	}
	strbuf_addch(&ds->requests, '\n');
}

int diff_stream_flush(struct diff_stream *ds)
{
	const char *p;
	size_t left;

	/* git buffers its answers until a line that is not an id: it echoes that and flushes */
	if (ds->requests.len)
		strbuf_addch(&ds->requests, '\n');
	p = ds->requests.buf;
	left = ds->requests.len;
	while (left && ds->in_fd >= 0) {
		ssize_t n = write(ds->in_fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {
			/*
			 * git is gone (a missing object, say): its answers up
			 * to there are still to be read, and the first one cut
			 * short names the commit, with git's message (reap)
			 */
			close(ds->in_fd);
			ds->in_fd = -1;
			break;
		}
		if (n <= 0) {
			/* git exited: its own message says why, when it wrote one */
			struct strbuf msg = STRBUF_INIT;
			const char *why = n < 0 ? strerror(errno) : "no progress";
			git_message(ds, &msg);
			if (msg.len)
				err_set("git diff-tree failed: %s", msg.buf);
			else
				err_set("git diff-tree stopped reading: %s", why);
			strbuf_release(&msg);
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	strbuf_reset(&ds->requests);
	return 0;
}

int diff_stream_close(struct diff_stream *ds)
{
	int ret = diff_stream_flush(ds);
	if (ds->in_fd >= 0)
		close(ds->in_fd);
	ds->in_fd = -1;
	return ret;
}

/* ---------------------------------------------------------------- */
/* Reading the answers                                              */

/* The answers ended early: git's own message when it died, ours if not. */
static void cut_short(struct diff_stream *ds)
{
	if (ds->in_fd >= 0)
		close(ds->in_fd);
	ds->in_fd = -1;
	if (!reap(ds))
		stream_error(ds, "answer cut short");
}

/* At least want unparsed bytes in the buffer: 0, 1 at the end, -1 error. */
static int need(struct diff_stream *ds, size_t want)
{
	while (ds->len - ds->pos < want) {
		ssize_t n;
		if (ds->eof)
			return 1;
		if (ds->pos) {
			memmove(ds->buf, ds->buf + ds->pos, ds->len - ds->pos);
			ds->len -= ds->pos;
			ds->pos = 0;
		}
		if (ds->alloc - ds->len < (64u << 10)) {
			ds->alloc = ds->alloc ? ds->alloc * 2 : (256u << 10);
			ds->buf = xrealloc(ds->buf, ds->alloc);
		}
		n = read(ds->out_fd, ds->buf + ds->len, ds->alloc - ds->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set("cannot read from git diff-tree: %s", strerror(errno));
		if (!n)
			ds->eof = 1;
		ds->len += (size_t)n;
	}
	return 0;
}

/*
 * The next token up to delim (which is consumed): *len bytes at the
 * returned pointer, valid until the next read. NULL with err_set at the end.
 */
static const char *token(struct diff_stream *ds, char delim, size_t *len)
{
	size_t scanned = 0;
	for (;;) {
		const char *start = ds->buf + ds->pos;
		const char *end = ds->len > ds->pos ? memchr(start + scanned, delim,
							     ds->len - ds->pos - scanned)
						    : NULL;
		int rc;
		if (end) {
			*len = (size_t)(end - start);
			ds->pos += *len + 1;
			return start;
		}
		scanned = ds->len - ds->pos;
		rc = need(ds, scanned + 1);
		if (rc) {
			if (rc > 0)
				cut_short(ds);
			return NULL;
		}
	}
}

static int peek(struct diff_stream *ds)
{
	return need(ds, 1) ? -1 : (unsigned char)ds->buf[ds->pos];
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* 1 if the next bytes are a commit's header: its hex id and a NUL. */
static int at_commit_header(struct diff_stream *ds)
{
	if (need(ds, GIT_OID_HEXSZ + 1))
		return 0;
	for (size_t i = 0; i < GIT_OID_HEXSZ; i++)
		if (!is_hex((unsigned char)ds->buf[ds->pos + i]))
			return 0;
	return ds->buf[ds->pos + GIT_OID_HEXSZ] == '\0';
}

static struct file_change *new_change(struct diff_stream *ds)
{
	struct file_change *c;
	ALLOC_GROW(ds->changes, ds->nr + 1, ds->alloc_changes);
	c = &ds->changes[ds->nr++];
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->before, 0);
	strbuf_init(&c->after, 0);
	return c;
}

static int parse_mode(const char **p, const char *end, uint16_t *mode)
{
	unsigned int m = 0;
	const char *s = *p;
	while (s < end && *s >= '0' && *s <= '7' && s - *p < 6)
		m = m * 8 + (unsigned int)(*s++ - '0');
	if (s == *p || s >= end || *s != ' ')
		return -1;
	*mode = (uint16_t)m;
	*p = s + 1;
	return 0;
}

static int parse_id(const char **p, const char *end, git_oid *id)
{
	if (end - *p < GIT_OID_HEXSZ + 1 || (*p)[GIT_OID_HEXSZ] != ' ' ||
	    git_oid_fromstrn(id, *p, GIT_OID_HEXSZ) < 0)
		return -1;
	*p += GIT_OID_HEXSZ + 1;
	return 0;
}

static char *take_path(struct diff_stream *ds)
{
	size_t len;
	const char *p = token(ds, '\0', &len);
	return p ? xstrndup(p, len) : NULL;
}

/* One raw entry ":<modes> <ids> <status>" NUL <path> NUL [<path> NUL]. */
static int read_raw_entry(struct diff_stream *ds)
{
	size_t len;
	const char *p = token(ds, '\0', &len), *end;
	struct file_change *c;

	if (!p)
		return -1;
	end = p + len;
	c = new_change(ds);
	p++; /* ':' */
	if (parse_mode(&p, end, &c->old_mode) < 0 || parse_mode(&p, end, &c->new_mode) < 0 ||
	    parse_id(&p, end, &c->old_id) < 0 || parse_id(&p, end, &c->new_id) < 0 || p >= end)
		return stream_error(ds, "unreadable raw entry");
	c->status = *p;
	if (!(c->path = take_path(ds)))
		return -1;
	if (c->status == 'R' || c->status == 'C') {
		c->old_path = c->path;
		if (!(c->path = take_path(ds)))
			return -1;
		c->status = 'R';
	}
	return 0;
}

/* "@@ -a[,b] +c[,d] @@...": the old and new line counts b and d. */
static int hunk_counts(const char *line, size_t len, unsigned long *old, unsigned long *new)
{
	const char *end = line + len, *p = line + 4;
	unsigned long *counts[2] = { old, new };

	for (int side = 0; side < 2; side++) {
		int digits = 0;
		if (side && (p + 2 > end || p[0] != ' ' || p[1] != '+'))
			return -1;
		if (side)
			p += 2;
		while (p < end && *p >= '0' && *p <= '9')
			p++, digits++;
		*counts[side] = 1;
		if (p < end && *p == ',') {
			unsigned long n = 0;
			p++;
			while (p < end && *p >= '0' && *p <= '9' && n < (1ul << 40))
				n = n * 10 + (unsigned long)(*p++ - '0'), digits++;
			*counts[side] = n;
		}
		if (!digits)
			return -1;
	}
	return p + 3 <= end && !memcmp(p, " @@", 3) ? 0 : -1;
}

static void drop_newline(struct strbuf *sb)
{
	if (sb->len && sb->buf[sb->len - 1] == '\n')
		strbuf_setlen(sb, sb->len - 1);
}

/* One hunk's lines (its header read) into c's before and after. */
static int read_hunk(struct diff_stream *ds, struct file_change *c, unsigned long old,
		     unsigned long new)
{
	int last = 0;

	for (;;) {
		const char *line;
		size_t len;
		int kind;

		if (!old && !new) {
			/* a last line without a newline is still to be marked */
			int next = peek(ds);
			if (next != '\\')
				return 0;
		}
		if (!(line = token(ds, '\n', &len)))
			return -1;
		kind = len ? (unsigned char)line[0] : ' '; /* an empty line: blank context */
		switch (kind) {
		case ' ':
			if (!old || !new)
				return stream_error(ds, "hunk longer than its header says");
			/* len bytes from line + 1: the line and its newline */
			strbuf_add(&c->before, len ? line + 1 : "\n", len ? len : 1);
			strbuf_add(&c->after, len ? line + 1 : "\n", len ? len : 1);
			old--, new--;
			break;
		case '-':
			if (!old)
				return stream_error(ds, "hunk longer than its header says");
			strbuf_add(&c->before, line + 1, len);
			old--;
			break;
		case '+':
			if (!new)
				return stream_error(ds, "hunk longer than its header says");
			strbuf_add(&c->after, line + 1, len);
			new--;
			break;
		case '\\': /* "\ No newline at end of file": the line before has none */
			if (last == ' ' || last == '-')
				drop_newline(&c->before);
			if (last == ' ' || last == '+')
				drop_newline(&c->after);
			if (!last)
				return stream_error(ds, "newline marker out of place");
			break;
		default:
			return stream_error(ds, "unreadable hunk line");
		}
		last = kind;
	}
}

static int starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(line, prefix, n);
}

/*
 * The patch text of the current commit: its "diff --git" sections, in the
 * order of the raw entries (a type change has two).
 */
static int read_sections(struct diff_stream *ds)
{
	size_t entry = 0, seen = 0; /* the raw entry the section is for; its sections read */
	struct file_change *c = NULL;

	for (;;) {
		const char *line;
		size_t len;
		int next = peek(ds);

		if (next < 0 || at_commit_header(ds))
			break;
		if (next == '\n') { /* the echo of a batch's end */
			ds->pos++;
			continue;
		}
		if (!(line = token(ds, '\n', &len)))
			return -1;
		if (starts(line, len, "diff --git ")) {
			if (c && ++seen >= (c->status == 'T' ? 2u : 1u)) {
				entry++;
				seen = 0;
			}
			if (entry >= ds->nr)
				return stream_error(ds, "more file sections than changed files");
			c = &ds->changes[entry];
		} else if (!c) {
			return stream_error(ds, "patch text before its file header");
		} else if (starts(line, len, "@@ -")) {
			unsigned long old, new;
			if (hunk_counts(line, len, &old, &new) < 0)
				return stream_error(ds, "unreadable hunk header");
			file_change_hunk(c);
			if (read_hunk(ds, c, old, new) < 0)
				return -1;
		} else if (starts(line, len, "Binary files ")) {
			c->binary = 1;
		}
		/* anything else is a header line: mode, index, rename, ---/+++ */
	}
	if (ds->nr && (!c || entry + 1 != ds->nr ||
		       seen + 1 != (c->status == 'T' ? 2u : 1u))) {
		if (ds->eof && ds->pos == ds->len) { /* git stopped: say why */
			cut_short(ds);
			return -1;
		}
		return stream_error(ds, "fewer file sections than changed files");
	}
	return 0;
}

int diff_stream_read(struct diff_stream *ds, const git_oid *oid, struct file_change **changes,
		     size_t *nr)
{
	char want[GIT_OID_HEXSZ + 1];
	const char *id;
	size_t len;
	int next;

	for (size_t i = 0; i < ds->nr; i++)
		file_change_clear(&ds->changes[i]);
	ds->nr = 0;
	git_oid_tostr(want, sizeof(want), oid);
	memcpy(ds->current, want, sizeof(want));
	while (peek(ds) == '\n') /* the echo of a batch's end */
		ds->pos++;
	if (!(id = token(ds, '\0', &len)))
		return -1;
	if (len != GIT_OID_HEXSZ || memcmp(id, want, GIT_OID_HEXSZ))
		return stream_error(ds, "answer out of step with the requests");
	while ((next = peek(ds)) == ':')
		if (read_raw_entry(ds) < 0)
			return -1;
	if (ds->nr) {
		if (next != '\0')
			return stream_error(ds, "no patch after the changed files");
		ds->pos++;
		if (read_sections(ds) < 0)
			return -1;
	}
	*changes = ds->changes;
	*nr = ds->nr;
	return 0;
}

/* ---------------------------------------------------------------- */
/* The end                                                          */

int diff_stream_end(struct diff_stream *ds, int abort)
{
	int ret = 0;

	if (ds->in_fd >= 0)
		close(ds->in_fd);
	if (ds->pid > 0 && abort)
		kill(ds->pid, SIGKILL);
	if (ds->pid > 0 && !abort && ds->out_fd >= 0) {
		/* anything left over is a sign of trouble, but git must not block */
		char sink[4096];
		ssize_t n;
		while ((n = read(ds->out_fd, sink, sizeof(sink))) > 0 || (n < 0 && errno == EINTR))
			;
	}
	if (ds->out_fd >= 0)
		close(ds->out_fd);
	ds->out_fd = -1;
	if (abort) {
		while (ds->pid > 0 && waitpid(ds->pid, NULL, 0) < 0 && errno == EINTR)
			;
	} else {
		ret = reap(ds);
	}
	if (ds->err_fd >= 0)
		close(ds->err_fd);
	for (size_t i = 0; i < ds->nr; i++)
		file_change_clear(&ds->changes[i]);
	free(ds->changes);
	free(ds->buf);
	strbuf_release(&ds->requests);
	free(ds);
	return ret;
}
