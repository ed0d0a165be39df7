/*
 * team-recall.c: ask the team server which of its patterns look like some
 * code, and turn its answer into recall hits (see team-recall.h). The
 * answer is untrusted: fields of the wrong type are left out, scores are
 * clamped to [0, 1].
 */
#include "client/team-recall.h"
#include "common/json.h"
#include "common/util.h"

#include <string.h>

#define TEAM_RECALL_MAX_CODE (1024 * 1024)
#define TEAM_RECALL_MAX_LIMIT 50

static char *take(const cJSON *o, const char *key)
{
	const char *v = json_get_string(o, key);
	return v ? xstrdup(v) : NULL;
}

static void add_hit(struct recall_hits *hits, const cJSON *o)
{
	struct recall_hit *h;
	double score = json_get_number(o, "score", -1);
	const char *id = json_get_string(o, "id");

	if (!id || score < 0)
		return;
	ALLOC_GROW(hits->items, hits->nr + 1, hits->alloc);
	h = &hits->items[hits->nr++];
	memset(h, 0, sizeof(*h));
	h->score = score > 1 ? 1 : score;
	h->server_id = xstrdup(id);
	h->pattern_id = take(o, "pattern_id");
	h->problem_type = take(o, "problem_type");
	if (!h->problem_type)
		h->problem_type = xstrdup("unknown");
	h->subject = take(o, "commit_msg");
	h->file_path = take(o, "file_path");
	h->commit_id = take(o, "commit");
	h->language = take(o, "language");
	h->date = take(o, "date");
	h->origin = xstrdup("team");
	h->before_code = take(o, "code_before");
	h->after_code = take(o, "code_after");
	if (!h->before_code)
		h->before_code = xstrdup("");
	if (!h->after_code)
		h->after_code = xstrdup("");
	h->before_len = strlen(h->before_code);
	h->after_len = strlen(h->after_code);
}

int team_recall(struct http_client *c, const char *language, const char *code, size_t len,
		const struct recall_options *o, struct recall_hits *hits, long *status)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct strbuf body = STRBUF_INIT;
	struct json_writer jw;
	cJSON *doc = NULL, *arr, *it;
	int ret = -1;

	/* the server's bounds (docs/api.md); likeness reads no further anyway */
	if (len > TEAM_RECALL_MAX_CODE) {
		const char *nl = memrchr(code, '\n', TEAM_RECALL_MAX_CODE);
		len = nl ? (size_t)(nl - code) + 1 : TEAM_RECALL_MAX_CODE;
	}
	jw_init(&jw, &body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "code");
	jw_text_len(&jw, code, len);
	jw_key(&jw, "language");
	jw_string(&jw, language ? language : "");
	jw_key(&jw, "limit");
	jw_int(&jw, o->limit < TEAM_RECALL_MAX_LIMIT ? o->limit : TEAM_RECALL_MAX_LIMIT);
	if (o->problem_type) {
		jw_key(&jw, "problem_type");
		jw_string(&jw, o->problem_type);
	}
	jw_object_end(&jw);

	if (http_json(c, "POST", "/patterns/recall", &body, &resp, &doc) < 0)
		goto out;
	*status = resp.status;
	if (resp.status < 200 || resp.status >= 300) {
		const cJSON *err = NULL;
		cJSON *edoc = json_parse(resp.body.buf, resp.body.len);
		if (edoc)
			err = cJSON_GetObjectItemCaseSensitive(edoc, "detail");
		err_set("team server %s: recall: HTTP %ld%s%s", http_client_url(c), resp.status,
			cJSON_IsString(err) ? ": " : "", cJSON_IsString(err) ? err->valuestring : "");
		cJSON_Delete(edoc);
		goto out;
	}
	arr = doc ? cJSON_GetObjectItemCaseSensitive(doc, "hits") : NULL;
	if (!cJSON_IsArray(arr)) {
		err_set("team server %s: recall: the answer has no hits", http_client_url(c));
		goto out;
	}
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsObject(it) && o->min_score <= json_get_number(it, "score", -1))
			add_hit(hits, it);
	ret = 0;
out:
	cJSON_Delete(doc);
	http_response_release(&resp);
	strbuf_release(&body);
	return ret;
}
