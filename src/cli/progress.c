/*
 * progress.c: the progress line (see progress.h).
 */
#include "cli/progress.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct progress {
	char *title;
	char *unit;
	uint64_t total, done;
	double start, last;
};

struct progress *progress_start(const char *title, uint64_t total, const char *unit, int quiet)
{
	struct progress *p;
	if (quiet || !isatty(2))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->title = xstrdup(title);
	p->unit = xstrdup(unit ? unit : "");
	p->total = total;
	p->start = now_seconds();
	p->last = 0;
	return p;
}

static void draw(struct progress *p, const char *end)
{
	double elapsed = now_seconds() - p->start;
	char rate[64] = "";
	if (*p->unit && elapsed > 0.2)
		snprintf(rate, sizeof(rate), ", %.0f %s/s", (double)p->done / elapsed, p->unit);
	if (p->total)
		fprintf(stderr, "\r%s: %3u%% (%llu/%llu)%s%s", p->title,
			(unsigned)(p->done * 100 / p->total), (unsigned long long)p->done,
			(unsigned long long)p->total, rate, end);
	else
		fprintf(stderr, "\r%s: %llu%s%s", p->title, (unsigned long long)p->done, rate, end);
	fflush(stderr);
}

void progress_update(struct progress *p, uint64_t done)
{
	double t;
	if (!p)
		return;
	p->done = done;
	t = now_seconds();
	if (t - p->last < 0.2)
		return;
	p->last = t;
	draw(p, "\033[K");
}

void progress_set_total(struct progress *p, uint64_t total)
{
	if (p)
		p->total = total;
}

void progress_stop(struct progress *p)
{
	if (!p)
		return;
	if (p->total)
		p->done = p->total;
	draw(p, ", done.\033[K\n");
	free(p->title);
	free(p->unit);
	free(p);
}
