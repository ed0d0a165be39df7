/*
 * xproject.c: the client side of cross-project learning (see xproject.h):
 * registering the project, asking for similar projects and suggestions,
 * recording applications and outcomes, and the queue of those that could
 * not reach the team server.
 */
#include "client/xproject.h"
#include "client/sync.h"
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
	jw_object_begin(&jw);
	jw_key(&jw, "repo_url");
	jw_string(&jw, p->repo_url);
	jw_key(&jw, "language");
	jw_string(&jw, p->language);
	jw_key(&jw, "framework");
	jw_string(&jw, p->framework);
	jw_key(&jw, "domain");
	jw_string(&jw, p->domain);
	jw_key(&jw, "languages");
	jw_array_begin(&jw);
	for (size_t i = 0; i < p->nr_languages; i++) {
		jw_object_begin(&jw);
		jw_key(&jw, "language");
		jw_string(&jw, p->languages[i].name);
		jw_key(&jw, "share");
		jw_double(&jw, p->languages[i].share);
		jw_object_end(&jw);
	}
	jw_array_end(&jw);
	jw_object_end(&jw);
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
		      char id[37], int *unreachable)
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
	if (known && sent && !strcmp(sent, body.buf) && sync_is_uuid(known)) {
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
	if (!got || !sync_is_uuid(got)) {
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
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO xproject_seen (server_id, remote, "
					    "shown_at) VALUES (?1, ?2, ?3) ON CONFLICT DO "
					    "UPDATE SET shown_at = excluded.shown_at");
	const cJSON *item;
	if (!st)
		return -1;
	cJSON_ArrayForEach(item, list) {
		const char *id = json_get_string(item, "pattern_id");
		if (!id || !sync_is_uuid(id))
			continue;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, http_client_url(c), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (long long)time(NULL));
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_error(s, "cannot remember suggestion");
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
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
	sqlite3_stmt *st;
	struct strbuf like = STRBUF_INIT;
	int found = 0, rc;

	if (sync_is_uuid(ref)) {
		for (int i = 0; i < 36; i++)
			uuid[i] = (char)(ref[i] >= 'A' && ref[i] <= 'F' ? ref[i] + 32 : ref[i]);
		uuid[36] = '\0';
		return 0;
	}
	if (strlen(ref) < 4 || strspn(ref, "0123456789abcdefABCDEF-") != strlen(ref))
		return err_set("'%s' is not a team server pattern id (a UUID, or a prefix of at "
			       "least 4 of its characters)", ref);
	for (const char *p = ref; *p; p++)
		strbuf_addch(&like, (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p));
	strbuf_addch(&like, '%');
	st = store_prepare(s, "SELECT server_id FROM patterns WHERE server_id LIKE ?1 UNION "
			      "SELECT server_id FROM xproject_seen WHERE server_id LIKE ?1 LIMIT 2");
	if (!st) {
		strbuf_release(&like);
		return -1;
	}
	sqlite3_bind_text(st, 1, like.buf, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (found++)
			break;
		snprintf(uuid, 37, "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	strbuf_release(&like);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "cannot look up pattern id");
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
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO xproject_queue (remote, kind, "
					    "pattern_uuid, success, created_at) VALUES (?1, ?2, "
					    "?3, ?4, ?5)");
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, http_client_url(c), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, uuid, -1, SQLITE_STATIC);
	if (success >= 0)
		sqlite3_bind_int(st, 4, success);
	sqlite3_bind_int64(st, 5, (long long)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, "cannot queue");
}

/* The pattern as the store has it (a team copy or a pushed one), as JSON. */
static cJSON *stored_pattern(struct store *s, const char *uuid)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT before_code, after_code, file_path, "
					    "commit_msg FROM patterns WHERE server_id = ?1 LIMIT 1");
	cJSON *p = NULL;
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "id", uuid);
		cJSON_AddStringToObject(p, "code_before", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(p, "code_after", (const char *)sqlite3_column_text(st, 1));
		if (sqlite3_column_text(st, 2))
			cJSON_AddStringToObject(p, "file_path",
						(const char *)sqlite3_column_text(st, 2));
		if (sqlite3_column_text(st, 3))
			cJSON_AddStringToObject(p, "commit_msg",
						(const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
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
		     int success, cJSON **pattern, int *queued)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	int rc = 0;

	*pattern = NULL;
	*queued = 0;
	/* an application still queued goes first, or the outcome would be refused */
	if (id) {
		long long sent, pending;
		if (xproject_flush(s, c, id, &sent, &pending) < 0 || pending)
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
		   long long *pending)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, kind, pattern_uuid, success FROM "
					    "xproject_queue WHERE remote = ?1 ORDER BY id");
	sqlite3_stmt *del = store_prepare(s, "DELETE FROM xproject_queue WHERE id = ?1");
	int rc = 0, step;

	*sent = *pending = 0;
	if (!st || !del) {
		sqlite3_finalize(st);
		sqlite3_finalize(del);
		return -1;
	}
	sqlite3_bind_text(st, 1, http_client_url(c), -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct http_response resp = HTTP_RESPONSE_INIT;
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *uuid = (const char *)sqlite3_column_text(st, 2);
		cJSON *doc = NULL;
		int ok;

		if (rc < 0 || *pending) {
			(*pending)++; /* keep the order: nothing after a failure goes */
			continue;
		}
		ok = !strcmp(kind, "apply")
			     ? send_application(c, id, uuid, &resp)
			     : send_outcome(c, id, uuid, sqlite3_column_int(st, 3), &resp, &doc);
		cJSON_Delete(doc);
		if (ok < 0 && xproject_unreachable(&resp)) {
			(*pending)++;
		} else {
			/* sent, or refused for good (pattern deleted, never applied): dropped */
			if (ok == 0)
				(*sent)++;
			sqlite3_bind_int64(del, 1, sqlite3_column_int64(st, 0));
			if (sqlite3_step(del) != SQLITE_DONE)
				rc = store_error(s, "cannot update the queue");
			sqlite3_reset(del);
		}
		http_response_release(&resp);
	}
	if (step != SQLITE_DONE && rc == 0)
		rc = store_error(s, "cannot read the queue");
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	return rc;
}

int xproject_tag_pushed(struct store *s, struct http_client *c, const char *id)
{
	struct strbuf key = STRBUF_INIT, body = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	char *done;
	int rc = -1, step, n = 0;
	struct json_writer jw;

	strbuf_addf(&key, "xproject.tagged %s", http_client_url(c));
	done = store_meta_get(s, key.buf);
	if (done && !strcmp(done, id)) {
		rc = 0;
		goto out;
	}
	st = store_prepare(s, "SELECT p.problem_type, p.before_code, p.after_code FROM patterns p "
			      "JOIN pushed x ON x.pattern_rowid = p.id AND x.remote = ?1 "
			      "WHERE p.origin = 'local'");
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, http_client_url(c), -1, SQLITE_STATIC);
	for (;;) {
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			if (!n) {
				strbuf_reset(&body);
				jw_init(&jw, &body, 0);
				jw_array_begin(&jw);
			}
			/* the code is all the server needs to find it (solution_hash) */
			jw_object_begin(&jw);
			jw_key(&jw, "project_id");
			jw_string(&jw, id);
			jw_key(&jw, "problem_type");
			jw_string(&jw, (const char *)sqlite3_column_text(st, 0));
			jw_key(&jw, "code_before");
			jw_string_len(&jw, (const char *)sqlite3_column_text(st, 1),
				      (size_t)sqlite3_column_bytes(st, 1));
			jw_key(&jw, "code_after");
			jw_string_len(&jw, (const char *)sqlite3_column_text(st, 2),
				      (size_t)sqlite3_column_bytes(st, 2));
			jw_object_end(&jw);
			n++;
		} else if (step != SQLITE_DONE) {
			store_error(s, "cannot read pushed patterns");
			goto out;
		}
		if (n && (step == SQLITE_DONE || n == SYNC_PUSH_BATCH ||
			  body.len > SYNC_PUSH_BYTES)) {
			struct http_response resp = HTTP_RESPONSE_INIT;
			cJSON *doc = NULL;
			int ok;
			jw_array_end(&jw);
			ok = call(c, "POST", "/patterns", &body, &resp, &doc,
				  "tagging patterns with the project");
			cJSON_Delete(doc);
			http_response_release(&resp);
			if (ok < 0)
				goto out;
			n = 0;
		}
		if (step == SQLITE_DONE)
			break;
	}
	rc = store_meta_set(s, key.buf, id);
out:
	sqlite3_finalize(st);
	strbuf_release(&key);
	strbuf_release(&body);
	free(done);
	return rc;
}
