/*
 * adapter-version.c: the adapter-version record's release and JSON form
 * (see adapter-version.h).
 */
#include "fusion/adapter-version.h"

#include <stdlib.h>
#include <string.h>

void adapter_version_release(struct adapter_version *v)
{
	free(v->version_name);
	free(v->created_by);
	free(v->created_at);
	free(v->parent_versions);
	free(v->method);
	free(v->weights);
	free(v->file);
	free(v->adapter_path);
	free(v->config_path);
	free(v->copy_dir);
	memset(v, 0, sizeof(*v));
}

void adapter_versions_free(struct adapter_version *v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		adapter_version_release(&v[i]);
	free(v);
}

void adapter_version_json(struct json_writer *jw, const struct adapter_version *v, int flags)
{
	jw_object_begin(jw);
	jw_key(jw, "id");
	jw_string(jw, v->id);
	jw_key(jw, "version_name");
	jw_string(jw, v->version_name);
	jw_key(jw, "created_by");
	jw_string(jw, v->created_by);
	jw_key(jw, "created_at");
	jw_string(jw, v->created_at);
	jw_key(jw, "is_active");
	jw_bool(jw, v->is_active);
	/* raw JSON from our own store or a parsed answer: arrays, or null */
	jw_key(jw, "parent_versions");
	jw_raw(jw, v->parent_versions && *v->parent_versions ? v->parent_versions : "[]");
	jw_key(jw, "method");
	jw_string(jw, v->method);
	jw_key(jw, "weights");
	jw_raw(jw, v->weights && *v->weights ? v->weights : "null");
	jw_key(jw, "size");
	jw_int(jw, v->size);
	jw_key(jw, "sha256");
	jw_string(jw, v->sha256);
	if (flags & ADAPTER_JSON_LOCAL) {
		jw_key(jw, "adapter_path");
		jw_string(jw, v->adapter_path);
		jw_key(jw, "config_path");
		jw_string(jw, v->config_path);
		jw_key(jw, "copy");
		jw_string(jw, v->copy_dir);
	}
	jw_object_end(jw);
}
