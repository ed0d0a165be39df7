/*
 * xproject.c: the client side of cross-project learning (see xproject.h):
 * registering the project, asking for similar projects and suggestions,
 * recording applications and outcomes, and the queue of those that could
 * not reach the team server.
 */
#include "client/xproject.h"
#include "client/sync.h"
#include "local/store-xproject.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int xproject_unreachable(const struct http_response *resp)
{
	return resp->status == 0 || resp->status >= 500;
}

static int answer_error(struct http_client *c, const struct http_response *resp,
			const char *what)
{
	struct strbuf detail = STRBUF_INIT;
	if (resp->status == 0) {
		char *why = xstrdup(err_msg());
		err_set("cannot reach team server %s while %s: %s", http_client_url(c), what, why);
		free(why);
		return -1;
	}
	http_error_detail(resp, &detail);
	err_set("team server %s answered %ld while %s: %s", http_client_url(c), resp->status,
		what, detail.buf);
	strbuf_release(&detail);
	return -1;
}

static int call(struct http_client *c, const char *method, const char *path,
		const struct strbuf *body, struct http_response *resp, cJSON **out,
		const char *what)
{
	*out = NULL;
	if (http_json(c, method, path, body, resp, out) < 0 || resp->status < 200 ||
	    resp->status >= 300) {
		cJSON_Delete(*out);
		*out = NULL;
		return answer_error(c, resp, what);
	}
	return 0;
}

int xproject_get(struct http_client *c, const char *path, cJSON **out)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	int rc = call(c, "GET", path, NULL, &resp, out, "asking about projects");
	http_response_release(&resp);
	return rc;
}

/* ---- the project ---- */

static void profile_json(struct strbuf *out, const struct project_profile *p)
{
	struct json_writer jw;
	jw_init(&jw, out, 0);
	project_profile_json(&jw, p, 0);
}

/* The project the server knows by url (GET /projects?repo_url=), in *out. */
static int find_by_url(struct http_client *c, const char *url, cJSON **out)
{
	struct strbuf path = STRBUF_INIT;
	cJSON *doc = NULL, *first;
	int rc;

	strbuf_addstr(&path, "/projects?repo_url=");
	http_query_escape(&path, url);
	rc = xproject_get(c, path.buf, &doc);
	strbuf_release(&path);
	if (rc < 0)
		return -1;
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "projects"), 0);
	if (!first) {
		cJSON_Delete(doc);
		return err_set("team server %s refused to register the project and knows no "
			       "project at %s", http_client_url(c), url);
	}
	*out = cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(doc, "projects"), first);
	cJSON_Delete(doc);
	return 0;
}

int xproject_register(struct store *s, struct http_client *c, const struct project_profile *p,
		      int fresh, char id[37], int *unreachable)
{
	struct strbuf body = STRBUF_INIT, key = STRBUF_INIT, sent_key = STRBUF_INIT;
	struct http_response resp = HTTP_RESPONSE_INIT;
	char *known = NULL, *sent = NULL;
	cJSON *doc = NULL;
	const char *got;
	int rc = -1;

	*unreachable = 0;
	if (!p->repo_url || !*p->repo_url)
		return 1;
	profile_json(&body, p);
	strbuf_addf(&key, "xproject.id %s", http_client_url(c));
	strbuf_addf(&sent_key, "xproject.profile %s", http_client_url(c));
	known = store_meta_get(s, key.buf);
	sent = store_meta_get(s, sent_key.buf);
	if (!fresh && known && sent && !strcmp(sent, body.buf) && uuid_valid(known)) {
		memcpy(id, known, 37);
		rc = 0;
		goto out;
	}
	if (call(c, "POST", "/projects", &body, &resp, &doc, "registering the project") < 0) {
		*unreachable = xproject_unreachable(&resp);
		if (resp.status != 403)
			goto out;
		/* a teammate registered it: use it as it is, without updating it */
		http_response_release(&resp);
		rc = find_by_url(c, p->repo_url, &doc);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	got = json_get_string(doc, "id");
	if (!got || !uuid_valid(got)) {
		err_set("team server %s sent no project id", http_client_url(c));
		goto out;
	}
	memcpy(id, got, 37);
	if (store_meta_set(s, key.buf, id) < 0 || store_meta_set(s, sent_key.buf, body.buf) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(doc);
	http_response_release(&resp);
	strbuf_release(&body);
	strbuf_release(&key);
	strbuf_release(&sent_key);
	free(known);
	free(sent);
	return rc;
}

/* ---- suggestions ---- */

static int remember_seen(struct store *s, struct http_client *c, const cJSON *list)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		const char *id = json_get_string(item, "pattern_id");
		if (id && uuid_valid(id) &&
		    store_xproject_seen_add(s, http_client_url(c), id) < 0)
			return -1;
	}
	return 0;
}

int xproject_suggest(struct store *s, struct http_client *c, const char *id,
		     const struct xproject_suggest_options *o, cJSON **out)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct json_writer jw;
	const cJSON *list, *item;
	cJSON *rec = NULL;
	int rc = -1;

	strbuf_addf(&path, "/projects/%s/suggestions?min_confidence=%g&min_similarity=%g&limit=%lld",
		    id, o->min_confidence, o->min_similarity, o->limit);
	for (size_t i = 0; i < o->nr_types; i++) {
		strbuf_addstr(&path, "&pattern_type=");
		http_query_escape(&path, o->types[i]);
	}
	if (xproject_get(c, path.buf, out) < 0)
		goto done;
	list = cJSON_GetObjectItemCaseSensitive(*out, "suggestions");
	if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list)) {
		rc = 0;
		goto done;
	}
	/* what is shown is recorded as suggested (one record per pattern) */
	jw_init(&jw, &body, 0);
	jw_array_begin(&jw);
	cJSON_ArrayForEach(item, list) {
		jw_object_begin(&jw);
		jw_key(&jw, "target_project_id");
		jw_string(&jw, id);
		jw_key(&jw, "pattern_id");
		jw_string(&jw, json_get_string(item, "pattern_id"));
		jw_key(&jw, "applied");
		jw_bool(&jw, 0);
		jw_object_end(&jw);
	}
	jw_array_end(&jw);
	if (call(c, "POST", "/applications", &body, &resp, &rec, "recording suggestions") < 0 ||
	    remember_seen(s, c, list) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	cJSON_Delete(rec);
	http_response_release(&resp);
	strbuf_release(&path);
	strbuf_release(&body);
	return rc;
}

int xproject_resolve(struct store *s, const char *ref, char uuid[37])
{
	struct strbuf prefix = STRBUF_INIT;
	int found, rc;

	if (uuid_valid(ref)) {
		for (int i = 0; i < 36; i++)
			uuid[i] = (char)(ref[i] >= 'A' && ref[i] <= 'F' ? ref[i] + 32 : ref[i]);
		uuid[36] = '\0';
		return 0;
	}
	if (strlen(ref) < 4 || strspn(ref, "0123456789abcdefABCDEF-") != strlen(ref))
		return err_set("'%s' is not a team server pattern id (a UUID, or a prefix of at "
			       "least 4 of its characters)", ref);
	for (const char *p = ref; *p; p++)
		strbuf_addch(&prefix, (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p));
	rc = store_xproject_resolve(s, prefix.buf, uuid, &found);
	strbuf_release(&prefix);
	if (rc < 0)
		return -1;
	if (found > 1)
		return err_set("pattern id prefix '%s' is ambiguous; give more of it", ref);
	if (!found)
		return err_set("no team pattern id starts with '%s' (run 'git patterns suggest' "
			       "or give the whole id)", ref);
	return 0;
}

/* ---- applications and outcomes ---- */

static int queue(struct store *s, struct http_client *c, const char *kind, const char *uuid,
		 int success)
{
	return store_xproject_queue_add(s, http_client_url(c), kind, uuid, success);
}

/* The pattern as the store has it (a team copy or a pushed one), as JSON. */
static cJSON *stored_pattern(struct store *s, const char *uuid)
{
	char *before = NULL, *after = NULL, *path = NULL, *msg = NULL;
	cJSON *p = NULL;
	if (store_xproject_pattern(s, uuid, &before, &after, &path, &msg) == 1) {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "id", uuid);
		cJSON_AddStringToObject(p, "code_before", before ? before : "");
		cJSON_AddStringToObject(p, "code_after", after ? after : "");
		if (path)
			cJSON_AddStringToObject(p, "file_path", path);
		if (msg)
			cJSON_AddStringToObject(p, "commit_msg", msg);
	}
	free(before);
	free(after);
	free(path);
	free(msg);
	return p;
}

static int send_application(struct http_client *c, const char *id, const char *uuid,
			    struct http_response *resp)
{
	struct strbuf body = STRBUF_INIT;
	struct json_writer jw;
	cJSON *doc = NULL;
	int rc;

	jw_init(&jw, &body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "target_project_id");
	jw_string(&jw, id);
	jw_key(&jw, "pattern_id");
	jw_string(&jw, uuid);
	jw_key(&jw, "applied");
	jw_bool(&jw, 1);
	jw_object_end(&jw);
	rc = call(c, "POST", "/applications", &body, resp, &doc, "recording the application");
	cJSON_Delete(doc);
	strbuf_release(&body);
	return rc;
}

static int send_outcome(struct http_client *c, const char *id, const char *uuid, int success,
			struct http_response *resp, cJSON **pattern)
{
	struct strbuf body = STRBUF_INIT, path = STRBUF_INIT;
	struct json_writer jw;
	int rc;

	jw_init(&jw, &body, 0);
	jw_object_begin(&jw);
	jw_key(&jw, "target_project_id");
	jw_string(&jw, id);
	jw_key(&jw, "success");
	jw_bool(&jw, success);
	jw_object_end(&jw);
	strbuf_addf(&path, "/patterns/%s/outcome", uuid);
	rc = call(c, "POST", path.buf, &body, resp, pattern, "reporting the outcome");
	strbuf_release(&body);
	strbuf_release(&path);
	return rc;
}

int xproject_apply(struct store *s, struct http_client *c, const char *id, const char *uuid,
		   cJSON **pattern, int *queued)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct strbuf path = STRBUF_INIT;
	int rc = -1;

	*pattern = NULL;
	*queued = 0;
	if (!id || send_application(c, id, uuid, &resp) < 0) {
		if (id && !xproject_unreachable(&resp))
			goto out;
		rc = queue(s, c, "apply", uuid, -1);
		*queued = rc == 0;
		*pattern = stored_pattern(s, uuid);
		goto out;
	}
	http_response_release(&resp);
	strbuf_addf(&path, "/patterns/%s", uuid);
	if (call(c, "GET", path.buf, NULL, &resp, pattern, "reading the pattern") < 0)
		*pattern = stored_pattern(s, uuid);
	rc = 0;
out:
	http_response_release(&resp);
	strbuf_release(&path);
	return rc;
}

int xproject_outcome(struct store *s, struct http_client *c, const char *id, const char *uuid,
		     int success, cJSON **pattern, int *queued, struct strbuf *refusals)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	int rc = 0;

	*pattern = NULL;
	*queued = 0;
	/* an application still queued goes first, or the outcome would be refused */
	if (id) {
		long long sent, pending, refused;
		if (xproject_flush(s, c, id, &sent, &pending, &refused, refusals) < 0 || pending)
			id = NULL;
	}
	if (!id || send_outcome(c, id, uuid, success, &resp, pattern) < 0) {
		if (id && !xproject_unreachable(&resp)) {
			rc = -1;
		} else {
			rc = queue(s, c, "outcome", uuid, success);
			*queued = rc == 0;
		}
	}
	http_response_release(&resp);
	return rc;
}

int xproject_flush(struct store *s, struct http_client *c, const char *id, long long *sent,
		   long long *pending, long long *refused, struct strbuf *refusals)
{
	struct store_xproject_queued *q;
	size_t nr;
	int rc = 0;

	*sent = *pending = *refused = 0;
	if (store_xproject_queue_list(s, http_client_url(c), &q, &nr) < 0)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		struct http_response resp = HTTP_RESPONSE_INIT;
		cJSON *doc = NULL;
		int ok;

		if (rc < 0 || *pending) {
			(*pending)++; /* keep the order: nothing after a failure goes */
			continue;
		}
		ok = !strcmp(q[i].kind, "apply")
			     ? send_application(c, id, q[i].uuid, &resp)
			     : send_outcome(c, id, q[i].uuid, q[i].success, &resp, &doc);
		cJSON_Delete(doc);
		if (ok < 0 && xproject_unreachable(&resp)) {
			(*pending)++;
		} else {
			/* sent, or refused for good (pattern deleted, never applied): dropped */
			if (ok == 0) {
				(*sent)++;
			} else {
				(*refused)++;
				if (refusals)
					strbuf_addf(refusals, "the %s of %s: %s\n",
						    strcmp(q[i].kind, "apply") ? "outcome"
									: "application",
						    q[i].uuid, err_msg());
			}
			rc = store_xproject_queue_drop(s, q[i].id);
		}
		http_response_release(&resp);
	}
	free(q);
	return rc;
}

struct tagger {
	struct http_client *c;
	const char *id;
	struct strbuf body;
	struct json_writer jw;
	int n;
};

static int tag_flush(struct tagger *t)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	cJSON *doc = NULL;
	int rc;
	if (!t->n)
		return 0;
	jw_array_end(&t->jw);
	rc = call(t->c, "POST", "/patterns", &t->body, &resp, &doc,
		  "tagging patterns with the project");
	cJSON_Delete(doc);
	http_response_release(&resp);
	t->n = 0;
	return rc;
}

static int tag_one(void *data, const char *type, const char *before, size_t before_len,
		   const char *after, size_t after_len)
{
	struct tagger *t = data;
	if (!t->n) {
		strbuf_reset(&t->body);
		jw_init(&t->jw, &t->body, 0);
		jw_array_begin(&t->jw);
	}
	/* the code is all the server needs to find it (solution_hash) */
	jw_object_begin(&t->jw);
	jw_key(&t->jw, "project_id");
	jw_string(&t->jw, t->id);
	jw_key(&t->jw, "problem_type");
	jw_string(&t->jw, type);
	jw_key(&t->jw, "code_before");
	jw_text_len(&t->jw, before, before_len);
	jw_key(&t->jw, "code_after");
	jw_text_len(&t->jw, after, after_len);
	jw_object_end(&t->jw);
	t->n++;
	if (t->n == SYNC_PUSH_BATCH || t->body.len > SYNC_PUSH_BYTES)
		return tag_flush(t);
	return 0;
}

int xproject_tag_pushed(struct store *s, struct http_client *c, const char *id)
{
	struct strbuf key = STRBUF_INIT;
	struct tagger t = { c, id, STRBUF_INIT, { 0 }, 0 };
	char *done;
	int rc = 0;

	strbuf_addf(&key, "xproject.tagged %s", http_client_url(c));
	done = store_meta_get(s, key.buf);
	if (!done || strcmp(done, id)) {
		rc = store_xproject_each_pushed(s, http_client_url(c), tag_one, &t);
		if (!rc)
			rc = tag_flush(&t);
		if (!rc)
			rc = store_meta_set(s, key.buf, id);
	}
	strbuf_release(&key);
	strbuf_release(&t.body);
	free(done);
	return rc;
}
