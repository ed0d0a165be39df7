/*
 * credential.c: find the team server's API key (environment, config, or
 * git's credential helpers) and report back to the helpers, as git does.
 * See credential.h.
 */
#include "client/credential.h"
#include "common/repo.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CREDENTIAL_USERNAME "git-patterns"
#define MAX_HELPER_OUTPUT 65536

static void wipe_free(char *s)
{
	if (!s)
		return;
	memset(s, 0, strlen(s));
	free(s);
}

const char *credential_source_name(enum credential_source source)
{
	switch (source) {
	case CREDENTIAL_ENV:
		return "the environment (GIT_PATTERNS_API_KEY)";
	case CREDENTIAL_CONFIG:
		return "git config patterns.apiKey";
	case CREDENTIAL_HELPER:
		return "the git credential helper";
	case CREDENTIAL_NONE:
		break;
	}
	return NULL;
}

void credential_release(struct credential *c)
{
	free(c->protocol);
	free(c->host);
	free(c->path);
	free(c->username);
	wipe_free(c->password);
	memset(c, 0, sizeof(*c));
}

/* Fill protocol, host[:port], path and username from url. */
static int parse_url(struct credential *c, const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL;
	int ret = 0;

	if (!u)
		return err_set("out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		ret = err_set("invalid team server URL '%s'", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE);
	c->protocol = xstrdup(scheme);
	c->host = port ? xstrfmt("%s:%s", host, port) : xstrdup(host);
	if (path) {
		const char *p = path;
		size_t n;
		while (*p == '/')
			p++;
		n = strlen(p);
		while (n && p[n - 1] == '/')
			n--;
		if (n)
			c->path = xstrndup(p, n);
	}
	c->username = xstrdup(user && *user ? user : CREDENTIAL_USERNAME);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

/* A value that cannot break git's credential protocol (no newline, no NUL). */
static int safe_value(const char *s)
{
	return !strchr(s, '\n') && !strchr(s, '\r');
}

static void describe(struct strbuf *in, const struct credential *c, int with_password)
{
	strbuf_addf(in, "protocol=%s\nhost=%s\n", c->protocol, c->host);
	if (c->path && safe_value(c->path))
		strbuf_addf(in, "path=%s\n", c->path);
	if (c->username && safe_value(c->username))
		strbuf_addf(in, "username=%s\n", c->username);
	if (with_password && c->password)
		strbuf_addf(in, "password=%s\n", c->password);
	strbuf_addch(in, '\n');
}

/*
 * Run "git credential <action>" with input on its stdin; its stdout into
 * out (if not NULL); its stderr is discarded (git's "terminal prompts
 * disabled" is noise here). Returns the exit status, or -1.
 */
static int run_credential(git_repository *repo, const char *action, const struct strbuf *input,
			  struct strbuf *out)
{
	const char *argv[7];
	int in_pipe[2], out_pipe[2], status = 0, argc = 0;
	pid_t pid;
	size_t off = 0;
	void (*old_pipe)(int);

	argv[argc++] = "git";
	if (repo) {
		argv[argc++] = "--git-dir";
		argv[argc++] = git_repository_path(repo);
	}
	argv[argc++] = "credential";
	argv[argc++] = action;
	argv[argc] = NULL;

	if (pipe(in_pipe) < 0)
		return -1;
	if (pipe(out_pipe) < 0) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -1;
	}
	if (!pid) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(in_pipe[0], 0);
		dup2(out_pipe[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		/* never prompt: a hook or a script must not hang on a question */
		setenv("GIT_TERMINAL_PROMPT", "0", 1);
		setenv("GIT_ASKPASS", "", 1);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	close(in_pipe[0]);
	close(out_pipe[1]);
	old_pipe = signal(SIGPIPE, SIG_IGN);
	/* git reads its whole (small) input before it answers */
	while (off < input->len) {
		ssize_t w = write(in_pipe[1], input->buf + off, input->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in_pipe[1]);
	for (;;) {
		char buf[4096];
		ssize_t r = read(out_pipe[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out && out->len + (size_t)r <= MAX_HELPER_OUTPUT)
			strbuf_add(out, buf, (size_t)r);
		memset(buf, 0, sizeof(buf));
	}
	close(out_pipe[0]);
	signal(SIGPIPE, old_pipe);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void fill_from_helpers(struct credential *c, git_repository *repo)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char *line, *next;

	describe(&in, c, 0);
	if (run_credential(repo, "fill", &in, &out) == 0) {
		for (line = out.buf; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (starts_with(line, "password=") && line[9]) {
				wipe_free(c->password);
				c->password = xstrdup(line + 9);
			} else if (starts_with(line, "username=")) {
				free(c->username);
				c->username = xstrdup(line + 9);
			}
		}
		if (c->password)
			c->source = CREDENTIAL_HELPER;
	}
	memset(out.buf, 0, out.len);
	strbuf_release(&out);
	strbuf_release(&in);
}

int credential_find(struct credential *c, git_repository *repo, const char *url)
{
	const char *env = getenv("GIT_PATTERNS_API_KEY");
	char *key;

	if (parse_url(c, url) < 0)
		return -1;
	if (env && *env) {
		c->password = xstrdup(env);
		c->source = CREDENTIAL_ENV;
		return 0;
	}
	key = config_get_string(repo, "patterns.apiKey", NULL);
	if (key && *key) {
		c->password = key;
		c->source = CREDENTIAL_CONFIG;
		return 0;
	}
	free(key);
	fill_from_helpers(c, repo);
	return 0;
}

static void tell_helpers(struct credential *c, git_repository *repo, const char *action)
{
	struct strbuf in = STRBUF_INIT;
	if (c->source != CREDENTIAL_HELPER || !c->password || !safe_value(c->password))
		return;
	describe(&in, c, 1);
	run_credential(repo, action, &in, NULL);
	memset(in.buf, 0, in.len);
	strbuf_release(&in);
}

void credential_approve(struct credential *c, git_repository *repo)
{
	tell_helpers(c, repo, "approve");
}

void credential_reject(struct credential *c, git_repository *repo)
{
	tell_helpers(c, repo, "reject");
}
