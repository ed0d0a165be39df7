/*
 * sync-feedback.c: votes on patterns. "feedback" queues one in the store
 * (store_feedback_queue); a sync sends each queued vote once, as
 * POST /patterns/{uuid}/feedback, and marks it sent from the answer.
 */
#include "client/sync-internal.h"
#include "common/json.h"
#include "common/util.h"
#include "local/query.h"
#include "local/store-sync.h"

#include <string.h>

struct found {
	long long rowid;
	char *pattern_id;
};

static int found_row(const struct pattern_row *row, void *data)
{
	struct found *f = data;
	f->rowid = row->rowid;
	f->pattern_id = xstrdup(row->pattern_id);
	return 0;
}

int sync_feedback_queue(struct store *s, const char *id, int helpful, const char *variant,
			char **resolved)
{
	struct found f = {0, NULL};
	const char *ref;
	int rc;

	*resolved = NULL;
	rc = query_show(s, id, variant, found_row, &f);
	if (rc < 0)
		return -1;
	if (rc == 1 && !uuid_valid(id))
		return err_set("no pattern '%s' in the store (give a pattern id, a unique "
			       "prefix of one, or a team server UUID)",
			       id);
	/* rc 1: no row here, the vote names the server's UUID */
	ref = rc == 1 ? id : f.pattern_id;
	if (store_feedback_queue(s, rc == 1 ? 0 : f.rowid, ref, helpful) == 0)
		*resolved = xstrdup(ref);
	free(f.pattern_id);
	return *resolved ? 0 : -1;
}

int sync_feedback_queued(struct store *s, long long rowid, const char *server_id)
{
	return store_feedback_queued(s, rowid, server_id);
}

/* The server UUID a vote goes to, or NULL while its pattern is not on the server. */
static const char *vote_uuid(const struct store_vote *v)
{
	if (v->server_id && uuid_valid(v->server_id))
		return v->server_id;
	if (!v->has_row && uuid_valid(v->ref))
		return v->ref;
	return NULL;
}

/* Send one vote to uuid and mark it sent when the server took it (or has no such pattern). */
static int send_vote(struct store *s, struct http_client *c, const struct sync_options *o,
		     const struct store_vote *v, const char *uuid, struct sync_result *r)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	cJSON *doc = NULL;
	int ret = 0;

	strbuf_addstr(&path, "/patterns/");
	http_query_escape(&path, uuid);
	strbuf_addstr(&path, "/feedback");
	strbuf_addf(&body, "{\"helpful\": %s}", v->helpful ? "true" : "false");
	if (http_json(c, "POST", path.buf, &body, &resp, &doc) < 0) {
		ret = -1;
	} else if (resp.status == 404) {
		sync_warnf(o, "feedback on %s dropped: the team server has no pattern %s", v->ref,
			   uuid);
	} else if (!sync_ok_status(resp.status)) {
		ret = sync_answer_error(c, &resp, "sending feedback", r);
	} else {
		r->authenticated = 1;
		r->feedback_sent++;
		if (doc && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "success_count")))
			store_set_success_count(s, uuid,
						(long long)json_get_number(doc, "success_count", 0));
	}
	if (!ret && (resp.status == 404 || sync_ok_status(resp.status)))
		ret = store_feedback_sent(s, v->id);
	cJSON_Delete(doc);
	http_response_release(&resp);
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}

int sync_send_feedback(struct store *s, struct http_client *c, const struct sync_options *o,
		       struct sync_result *r)
{
	struct store_vote *v;
	long long n = store_feedback_unsent(s, &v);
	size_t nr;
	int ret = 0;

	if (n < 0)
		return -1;
	nr = (size_t)n;
	for (size_t i = 0; i < nr && !ret; i++) {
		const char *uuid = vote_uuid(&v[i]);
		if (!uuid) {
			r->feedback_pending++;
			sync_warnf(o,
				   "feedback on %s kept queued: the pattern is not on the team "
				   "server yet",
				   v[i].ref);
			continue;
		}
		if (o->dry_run) {
			r->feedback_sent++;
			continue;
		}
		sync_progress(o, SYNC_PHASE_FEEDBACK, i, nr);
		ret = send_vote(s, c, o, &v[i], uuid, r);
	}
	if (nr && !ret)
		sync_progress(o, SYNC_PHASE_FEEDBACK, nr, nr);
	store_votes_free(v, nr);
	return ret;
}
