/*
 * pager.c: the pager of listing commands and the quiet exit on EPIPE (see
 * pager.h). Modelled on git's pager.c and write_or_die.c: the pager is a
 * child "sh -c <pager>" reading a pipe that replaces our stdout; at exit
 * we close our end and wait, so the shell prompt comes back after it.
 */
#include "cli/pager.h"
#include "common/repo.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int pager_disabled;
static pid_t pager_pid;

void pager_disable(void)
{
	pager_disabled = 1;
}

static void wait_for_pager(void)
{
	fflush(stdout);
	fflush(stderr);
	/* the pager sees EOF once every copy of the pipe's write end is closed */
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The pager command, or NULL for none (the caller frees it). */
static char *pager_command(git_repository *repo)
{
	const char *env = getenv("GIT_PAGER");
	char *pager;

	if (env)
		pager = xstrdup(env);
	else if (!(pager = config_get_string(repo, "core.pager", NULL)))
		pager = xstrdup(getenv("PAGER") ? getenv("PAGER") : "less");
	if (!*pager || !strcmp(pager, "cat")) {
		free(pager);
		return NULL;
	}
	return pager;
}

void setup_pager(git_repository *repo)
{
	const char *in_use = getenv("GIT_PAGER_IN_USE");
	char *pager;
	int fds[2];

	if (pager_disabled || pager_pid || !isatty(STDOUT_FILENO) ||
	    (in_use && parse_bool(in_use) == 1))
		return;
	if (!(pager = pager_command(repo)))
		return;
	fflush(stdout);
	if (pipe(fds) < 0) {
		free(pager);
		return; /* no pager is better than no output */
	}
	pager_pid = fork();
	if (pager_pid < 0) {
		pager_pid = 0;
		close(fds[0]);
		close(fds[1]);
		free(pager);
		return;
	}
	if (!pager_pid) {
		/* git's defaults: quit if one screen, raw colours, no clearing */
		setenv("LESS", "FRX", 0);
		setenv("LV", "-c", 0);
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		fprintf(stderr, "fatal: cannot run pager '%s': %s\n", pager, strerror(errno));
		_exit(127);
	}
	free(pager);
	dup2(fds[1], STDOUT_FILENO);
	if (isatty(STDERR_FILENO))
		dup2(fds[1], STDERR_FILENO);
	close(fds[0]);
	close(fds[1]);
	setenv("GIT_PAGER_IN_USE", "true", 1);
	atexit(wait_for_pager);
}

void check_pipe(int err)
{
	if (err != EPIPE)
		return;
	if (pager_pid)
		wait_for_pager();
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
	/* SIGPIPE blocked: still leave quietly, with the shell's status for it */
	_exit(141);
}
