/*
 * Unit tests for the extraction engine's in-process interface (extract.h),
 * as the hooks call it: revision lists, --no-walk, statistics. Builds a
 * small repository with git in a temporary folder.
 */
#include "local/extract.h"
#include "local/code-change-repair.h"
#include "local/shallow.h"
#include "local/store.h"
#include "tap.h"
#include "common/util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static int sh(const char *cmd)
{
	char buf[1024];
	snprintf(buf, sizeof(buf),
		 "cd '%s' && GIT_CONFIG_NOSYSTEM=1 HOME='%s' GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@x "
		 "GIT_COMMITTER_NAME=C GIT_COMMITTER_EMAIL=c@x %s >/dev/null 2>&1",
		 dir, dir, cmd);
	return system(buf);
}

static size_t run(git_repository *repo, struct store *s, const char *const *revs, size_t nr,
		  int no_walk, struct extract_stats *st)
{
	struct extract_options o = EXTRACT_OPTIONS_INIT;
	o.revs = revs;
	o.nr_revs = nr;
	o.no_walk = no_walk;
	o.jobs = 1;
	if (extract_run(repo, s, &o, st) < 0) {
		printf("# extract_run: %s\n", err_msg());
		return (size_t)-1;
	}
	return st->processed;
}

/*
 * A one-time job (the shallow check, the code_change repair) whose done
 * mark another process sets while this one waits for the write lock: it
 * finds the mark once it holds the lock, and must let the lock go.
 */
struct job {
	git_repository *repo;
	struct store *s;
	int which, rc;
};

static void *run_job(void *data)
{
	struct job *j = data;
	size_t n;
	j->rc = j->which ? code_change_repair(j->repo, j->s, 3, &n)
			 : shallow_store_check(j->repo, j->s, 100, &n);
	return NULL;
}

static void done_while_waiting(git_repository *repo, struct store *s, const char *path,
			       int which, const char *key, const char *what)
{
	struct store *other;
	struct job j = { repo, s, which, -1 };
	pthread_t th;
	char sql[200];

	if (store_open(&other, path) < 0) {
		ok(0, what);
		return;
	}
	snprintf(sql, sizeof(sql), "DELETE FROM meta WHERE key = '%s'", key);
	sqlite3_exec(store_db(other), sql, NULL, NULL, NULL);
	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('%s', '1')", key);
	sqlite3_exec(store_db(other), sql, NULL, NULL, NULL);
	pthread_create(&th, NULL, run_job, &j);
	usleep(300 * 1000); /* it has read no mark and waits for the lock */
	sqlite3_exec(store_db(other), "COMMIT", NULL, NULL, NULL);
	pthread_join(th, NULL);
	ok(j.rc == 0 && !store_in_transaction(s), what);
	store_close(other);
}

int main(void)
{
	git_repository *repo;
	struct store *s;
	struct extract_stats st;
	char path[300];

	(void)is_str;
	(void)is_num;
	snprintf(dir, sizeof(dir), "%s/gp-unit-extract.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	ok(!sh("git init -q . && for i in 1 2 3 4; do echo $i >f$i.c && git add f$i.c && "
	       "GIT_COMMITTER_DATE=\"$((1700000000 + i)) +0000\" git commit -q -m \"Fix $i\"; done"),
	   "setup: four commits");
	git_libgit2_init();
	ok(git_repository_open(&repo, dir) == 0, "open");
	snprintf(path, sizeof(path), "%s/.git/patterns/patterns.db", dir);
	ok(store_open(&s, path) == 0, "store");

	{
		/* as git log: B^! hides A when A is B's parent */
		const char *revs[] = { "HEAD^!", "HEAD~1^!" };
		ok(run(repo, s, revs, 2, 0, &st) == 1, "HEAD^! HEAD~1^! walks one commit, as git log");
	}
	{
		const char *revs[] = { "HEAD~1", "HEAD~2", "HEAD" };
		ok(run(repo, s, revs, 3, 1, &st) == 2, "no_walk: the named commits, one already done");
		ok(st.selected == 3 && st.already == 1, "no_walk: three selected, one already");
	}
	{
		const char *revs[] = { "HEAD~3" };
		ok(run(repo, s, revs, 1, 1, &st) == 1 && st.selected == 1,
		   "no_walk on a root commit takes just it");
	}
	{
		const char *revs[] = { "nosuch" };
		struct extract_options o = EXTRACT_OPTIONS_INIT;
		o.revs = revs;
		o.nr_revs = 1;
		o.no_walk = 1;
		ok(extract_run(repo, s, &o, &st) < 0 && strstr(err_msg(), "nosuch"),
		   "no_walk: an unknown revision is an error naming it");
	}
	ok(run(repo, s, NULL, 0, 0, &st) == 0 && st.already == 4, "HEAD: all four already done");
	done_while_waiting(repo, s, path, 0, "shallow.checked",
			   "the shallow check done meanwhile: the lock is let go");
	done_while_waiting(repo, s, path, 1, "code_change.hunks",
			   "the code_change repair done meanwhile: the lock is let go");
	ok(run(repo, s, NULL, 0, 0, &st) == 0 && st.already == 4, "then an extraction runs as ever");

	store_close(s);
	git_repository_free(repo);
	git_libgit2_shutdown();
	sh("cd / && rm -rf \"$OLDPWD\"");
	return done_testing();
}
