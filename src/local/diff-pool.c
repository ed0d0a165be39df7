/*
 * diff-pool.c: the diff threads of the extraction (see diff-pool.h).
 *
 * Each worker has a contiguous share of the commits, which it takes in
 * runs of WORK_CHUNK (and helps with another's share when done with its
 * own). Long runs are diffed by git itself, each worker feeding its own
 * "git diff-tree --stdin" (diff-stream.c); short ones (a hook's) and whole
 * files with libgit2 (commit-diff.c).
 */
#include "local/diff-pool.h"
#include "local/diff-stream.h"
#include "common/repo.h"
#include "common/util.h"

#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_MAX_BYTES (16u << 20)
#define WORK_CHUNK 16
#define WAKE_WRITER_AFTER 256
#define GIT_DIFF_MIN_TODO 256

struct engine {
	pthread_mutex_t lock;
	pthread_cond_t have_result, have_room;
	const git_oid *todo;
	size_t nr_todo;
	/*
	 * Each worker's share of todo, [next, end): contiguous, since
	 * neighbouring commits share trees and blob deltas; a worker whose
	 * share is done takes the back half of the largest one left.
	 */
	struct share { size_t next, end; } *shares;
	int nr_shares, next_worker;
	struct commit_result *head, *tail;
	size_t queued_bytes, queued_nr;
	/*
	 * Results the writer is done with, for the workers to free: freed
	 * by the writer, each free would lock the allocating worker's malloc
	 * arena while that worker allocates in it (a third of the futex time).
	 */
	struct commit_result *written;
	int workers_running;
	int stop;
	const char *gitdir, *workdir;
	int bare;
	git_repository *repo;	/* the walk's: its cache holds the commits */
	pthread_mutex_t repo_lock; /* held by a worker using repo */
	const struct extract_options *o;
	int use_git;		/* diff through git diff-tree streams */
	int open_failed;
	char *open_error;
};

static void free_results(struct commit_result *r)
{
	while (r) {
		struct commit_result *next = r->next;
		commit_result_free(r);
		r = next;
	}
}

/*
 * The next run of consecutive todo commits for worker w: 1, or 0 when
 * there is none or the run stops. Frees what the writer handed back.
 */
static int take_run(struct engine *e, int w, size_t *start, size_t *end)
{
	struct commit_result *garbage;
	struct share *mine = &e->shares[w];
	int more;

	pthread_mutex_lock(&e->lock);
	garbage = e->written;
	e->written = NULL;
	assert(w >= 0 && w < e->nr_shares && mine->next <= mine->end);
	if (mine->next == mine->end) {
		struct share *big = NULL;
		for (int i = 0; i < e->nr_shares; i++)
			if (!big || e->shares[i].end - e->shares[i].next > big->end - big->next)
				big = &e->shares[i];
		if (big->end - big->next > WORK_CHUNK) {
			mine->end = big->end;
			big->end -= (big->end - big->next) / 2;
			mine->next = big->end;
			assert(big->next <= big->end && mine->next < mine->end);
		}
	}
	more = !e->stop && mine->next < mine->end;
	if (more) {
		*start = mine->next;
		*end = *start + WORK_CHUNK < mine->end ? *start + WORK_CHUNK : mine->end;
		mine->next = *end;
	}
	pthread_mutex_unlock(&e->lock);
	free_results(garbage);
	return more;
}

/* Hand r to the writer, waiting while the queue is full. */
static void queue_result(struct engine *e, struct commit_result *r)
{
	pthread_mutex_lock(&e->lock);
	while (!e->stop && e->head && e->queued_bytes + r->bytes > QUEUE_MAX_BYTES)
		pthread_cond_wait(&e->have_room, &e->lock);
	if (e->tail)
		e->tail->next = r;
	else
		e->head = r;
	e->tail = r;
	e->queued_bytes += r->bytes;
	/* bounded, but one result always gets in, however large */
	assert(e->head == r || e->stop || e->queued_bytes <= QUEUE_MAX_BYTES);
	/* wake the writer for a handful of results, not for each one */
	if (++e->queued_nr >= WAKE_WRITER_AFTER || e->queued_bytes > QUEUE_MAX_BYTES / 2)
		pthread_cond_signal(&e->have_result);
	pthread_mutex_unlock(&e->lock);
}

/* Diff with libgit2, commit by commit. */
static void diff_with_libgit2(struct engine *e, int w, struct commit_differ *d)
{
	size_t i, end;
	while (take_run(e, w, &i, &end))
		for (; i < end; i++) {
			struct commit_result *r = xcalloc(1, sizeof(*r));
			r->index = i;
			commit_differ_run(d, &e->todo[i], r);
			queue_result(e, r);
		}
}

/*
 * Diff with a git diff-tree stream. The end of a commit's answer shows
 * only when the next one starts (or git's output ends), so a commit is
 * read only while a later one has been asked for, or once no more will
 * be: up to two runs are asked for ahead, which also keeps git busy while
 * we read. 0, or -1 when the stream failed (a failed result is queued,
 * whether the failure showed in an answer or in git no longer reading).
 */
static int diff_with_git(struct engine *e, int w, struct commit_differ *d,
			 struct diff_stream *ds)
{
	struct commit_result *fifo[2 * WORK_CHUNK];
	size_t head = 0, nr = 0, start, end;
	int more = 1, failed = 0, unreported = 0;

	while (!failed) {
		struct file_change *changes;
		struct commit_result *r;
		size_t n;

		while (more && nr <= WORK_CHUNK) {
			more = take_run(e, w, &start, &end);
			for (size_t i = start; more && i < end; i++) {
				git_oid parent;
				int merge, rc;
				r = xcalloc(1, sizeof(*r));
				r->index = i;
				rc = commit_differ_begin(d, &e->todo[i], r, &parent, &merge);
				if (rc <= 0) { /* failed, or not to be diffed */
					queue_result(e, r);
					continue;
				}
				diff_stream_request(ds, &e->todo[i], merge ? &parent : NULL);
				fifo[(head + nr++) % ARRAY_SIZE(fifo)] = r;
			}
			if ((more ? diff_stream_flush(ds) : diff_stream_close(ds)) < 0) {
				/* git is gone: no answer will say so */
				failed = unreported = 1;
				break;
			}
		}
		if (failed || !nr)
			break;
		r = fifo[head];
		head = (head + 1) % ARRAY_SIZE(fifo);
		nr--;
		if (diff_stream_read(ds, &r->oid, &changes, &n) < 0 ||
		    commit_differ_finish(d, r, changes, n) < 0) {
			failed = 1;
			if (!r->failed) {
				r->failed = 1;
				r->errmsg = xstrdup(err_msg());
			}
		}
		queue_result(e, r);
	}
	for (; nr; nr--, head = (head + 1) % ARRAY_SIZE(fifo)) /* asked for, never read */
		commit_result_free(fifo[head]);
	if (unreported) {
		/* the writer must stop on it: the rest of this share is never diffed */
		struct commit_result *r = xcalloc(1, sizeof(*r));
		r->failed = 1;
		r->errmsg = xstrdup(err_msg());
		queue_result(e, r);
	}
	return failed ? -1 : 0;
}

static void *worker_main(void *data)
{
	struct engine *e = data;
	struct commit_differ *d = NULL;
	struct diff_stream *ds = NULL;
	int w;

	pthread_setname_np(pthread_self(), "patterns-diff");
	{
		/* a git that died is an error to report (EPIPE), not a SIGPIPE killing us */
		sigset_t pipe;
		sigemptyset(&pipe);
		sigaddset(&pipe, SIGPIPE);
		pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	}
	pthread_mutex_lock(&e->lock);
	w = e->next_worker++;
	pthread_mutex_unlock(&e->lock);
	if (commit_differ_new(&d, e->gitdir, e->workdir, e->bare, e->o) < 0) {
		pthread_mutex_lock(&e->lock);
		if (!e->open_failed) {
			e->open_failed = 1;
			e->open_error = xstrdup(err_msg());
		}
		e->stop = 1;
		goto done;
	}
	/* without git to run, libgit2 does it all */
	if (e->use_git && diff_stream_start(&ds, e->gitdir, e->o) == 0) {
		int rc, stopped;
		commit_differ_share_commits(d, e->repo, &e->repo_lock);
		rc = diff_with_git(e, w, d, ds);
		pthread_mutex_lock(&e->lock);
		stopped = e->stop;
		pthread_mutex_unlock(&e->lock);
		if (diff_stream_end(ds, rc < 0 || stopped) < 0 && !rc) {
			struct commit_result *r = xcalloc(1, sizeof(*r));
			r->failed = 1;
			r->errmsg = xstrdup(err_msg());
			queue_result(e, r);
		}
	} else {
		diff_with_libgit2(e, w, d);
	}
	pthread_mutex_lock(&e->lock);
done:
	e->workers_running--;
	pthread_cond_broadcast(&e->have_result);
	pthread_mutex_unlock(&e->lock);
	commit_differ_free(d);
	return NULL;
}

/* Wait on cond for at most seconds (the writer drains the queue at least that often). */
static void timed_wait(pthread_cond_t *cond, pthread_mutex_t *lock, double seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)(seconds * 1e9);
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(cond, lock, &ts);
}

static void report_progress(const struct extract_options *o, size_t done, size_t total)
{
	if (o->progress)
		o->progress(o->progress_data, done, total);
}

static void engine_init(struct engine *e, git_repository *repo, const struct extract_options *o,
			const git_oid *todo, size_t nr_todo)
{
	int nthreads = o->jobs > 0 ? o->jobs : 1;

	if ((size_t)nthreads > nr_todo)
		nthreads = (int)nr_todo;
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->repo_lock, NULL);
	pthread_cond_init(&e->have_result, NULL);
	pthread_cond_init(&e->have_room, NULL);
	e->todo = todo;
	e->nr_todo = nr_todo;
	e->nr_shares = nthreads;
	e->shares = xcalloc((size_t)nthreads, sizeof(*e->shares));
	for (int i = 0; i < nthreads; i++) {
		e->shares[i].next = nr_todo * (size_t)i / (size_t)nthreads;
		e->shares[i].end = nr_todo * (size_t)(i + 1) / (size_t)nthreads;
	}
	e->repo = repo;
	e->gitdir = git_repository_path(repo);
	e->workdir = git_repository_workdir(repo);
	e->bare = git_repository_is_bare(repo);
	e->o = o;
	/*
	 * Many commits: git diffs them (about twice as fast as libgit2), on
	 * each worker's own git diff-tree process. So does a partial clone
	 * whatever the number: git fetches the blobs it lacks (a commit's at
	 * once), libgit2 cannot. Whole files need the blobs, which libgit2
	 * reads anyway.
	 */
	e->use_git = (nr_todo >= GIT_DIFF_MIN_TODO || repo_is_partial_clone(repo)) &&
		     !o->whole_file && !getenv("GIT_PATTERNS_EXTRACT_LIBGIT2");
}

static void engine_release(struct engine *e)
{
	free(e->open_error);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->repo_lock);
	pthread_cond_destroy(&e->have_result);
	pthread_cond_destroy(&e->have_room);
	free(e->shares);
}

/* Write the results of list in order until one fails; *done counts the written. */
static int write_list(struct commit_result *list, diff_pool_write_fn write_fn, void *data,
		      size_t *done, char **errmsg)
{
	for (struct commit_result *r = list; r; r = r->next) {
		if (r->failed) {
			*errmsg = xstrdup(r->errmsg ? r->errmsg : "cannot diff a commit");
			return -1;
		}
		if (write_fn(r, data) < 0) {
			*errmsg = xstrdup(err_msg());
			return -1;
		}
		(*done)++;
	}
	return 0;
}

/* Back to the workers, who free them in their own arenas; e->lock held. */
static void give_back(struct engine *e, struct commit_result *list)
{
	struct commit_result *last = list;

	if (!e->workers_running) {
		pthread_mutex_unlock(&e->lock);
		free_results(list);
		pthread_mutex_lock(&e->lock);
		return;
	}
	while (last->next)
		last = last->next;
	last->next = e->written;
	e->written = list;
}

/*
 * The calling thread's loop, e->lock held on entry and exit: take what
 * the workers queued, write it, until they are all done. After an error
 * the workers are told to stop and what they still queue is dropped.
 */
static int drain_results(struct engine *e, diff_pool_write_fn write_fn, void *data,
			 char **errmsg)
{
	size_t done = 0;
	int ret = 0;

	for (;;) {
		struct commit_result *list;
		while (!e->head && e->workers_running)
			timed_wait(&e->have_result, &e->lock, 0.1);
		if (!e->head)
			break;
		list = e->head;
		e->head = e->tail = NULL;
		e->queued_bytes = e->queued_nr = 0;
		pthread_cond_broadcast(&e->have_room);
		pthread_mutex_unlock(&e->lock);
		if (!ret)
			ret = write_list(list, write_fn, data, &done, errmsg);
		report_progress(e->o, done, e->nr_todo);
		pthread_mutex_lock(&e->lock);
		give_back(e, list);
		if (ret) {
			e->stop = 1;
			pthread_cond_broadcast(&e->have_room);
		}
	}
	return ret;
}

int diff_pool_run(git_repository *repo, const struct extract_options *o, const git_oid *todo,
		  size_t nr_todo, diff_pool_write_fn write_fn, void *data)
{
	struct engine e;
	pthread_t *threads;
	int started = 0, ret = 0;
	char *errmsg = NULL;

	assert(nr_todo > 0);
	engine_init(&e, repo, o, todo, nr_todo);
	report_progress(o, 0, nr_todo);
	threads = xcalloc((size_t)e.nr_shares, sizeof(*threads));
	pthread_mutex_lock(&e.lock);
	for (int i = 0; i < e.nr_shares; i++) {
		if (pthread_create(&threads[i], NULL, worker_main, &e))
			break;
		started++;
		e.workers_running++;
	}
	if (started)
		ret = drain_results(&e, write_fn, data, &errmsg);
	pthread_mutex_unlock(&e.lock);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free_results(e.written);
	if (!started)
		errmsg = xstrdup("cannot start threads");
	else if (!ret && e.open_failed)
		errmsg = xstrdup(e.open_error);
	if (errmsg) {
		err_set("%s", errmsg);
		ret = -1;
	}
	free(errmsg);
	free(threads);
	engine_release(&e);
	return ret;
}
