/*
 * sync.c: the sync engine: push unacknowledged local patterns, send queued
 * feedback, pull the team's changes after the cursor (see sync.h for the
 * order and the exactly-once rules). The parts are sync-push.c,
 * sync-feedback.c and sync-pull.c; the store side of each is
 * local/store-sync.h.
 *
 * Wire protocol (docs/api.md of the server): POST /patterns with an array
 * answers one object per item, in order (id, solution_hash, created);
 * GET /patterns?since=CURSOR&limit=N answers {"patterns": [...],
 * "next_since": CURSOR, "total": changes left including this page};
 * POST /patterns/{uuid}/feedback {"helpful": bool} answers the pattern.
 */
#include "client/sync-internal.h"
#include "common/strbuf.h"
#include "local/store-recall.h"
#include "common/util.h"

#include <stdarg.h>
#include <string.h>

void sync_warnf(const struct sync_options *o, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (!o->warn)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	o->warn(o->data, sb.buf);
	strbuf_release(&sb);
}

void sync_progress(const struct sync_options *o, enum sync_phase ph, uint64_t done,
		   uint64_t total)
{
	if (o->progress)
		o->progress(o->data, ph, done, total);
}

int sync_answer_error(struct http_client *c, const struct http_response *resp, const char *what,
		      struct sync_result *r)
{
	struct strbuf detail = STRBUF_INIT;
	r->http_status = resp->status;
	http_error_detail(resp, &detail);
	if (resp->status == 401)
		http_key_refused(c, resp, what);
	else
		err_set("team server %s answered %ld while %s: %s", http_client_url(c),
			resp->status, what, detail.buf);
	strbuf_release(&detail);
	return -1;
}

int sync_run(struct store *s, struct http_client *c, const struct sync_options *o,
	     struct sync_result *r)
{
	memset(r, 0, sizeof(*r));
	r->to_pull = -1;
	if (o->push && sync_push(s, c, o, r) < 0)
		return -1;
	if (o->feedback && sync_send_feedback(s, c, o, r) < 0)
		return -1;
	if (o->pull && sync_pull(s, c, o, r) < 0)
		return -1;
	/* recall finds the pulled patterns at once (store-recall.h) */
	if (o->pull && !o->dry_run && r->pulled && recall_index_catch_up(s, NULL, NULL) < 0)
		return -1;
	return 0;
}
