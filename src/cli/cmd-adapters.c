/*
 * cmd-adapters.c: "git patterns adapters", the merged-adapter versions of
 * this repository: list them, activate one, roll back (see adapters.h).
 */
#include "local/adapters.h"
#include "cli/builtin.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "cli/setup.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "common/tempfile.h"

#include <stdio.h>
#include <string.h>

static const char *const adapters_usage[] = {
	"git patterns adapters [list] [--json]",
	"git patterns adapters activate <version>",
	"git patterns adapters rollback [<version>]",
	"git patterns adapters push <file> --name <version> [--remote <url>]",
	"git patterns adapters pull [<id> | --active] -o <file> [--remote <url>]",
	"git patterns adapters list --remote [<url>] [--json]",
	NULL
};

static int list_versions(struct store *s, int json)
{
	struct adapter_version *v;
	size_t nr;

	if (adapters_list(s, &v, &nr) < 0)
		die_err();
	if (json) {
		struct strbuf sb = STRBUF_INIT;
		struct json_writer jw;
		jw_init(&jw, &sb, 1);
		jw_object_begin(&jw);
		jw_key(&jw, "versions");
		jw_array_begin(&jw);
		for (size_t i = 0; i < nr; i++)
			adapter_version_json(&jw, &v[i], ADAPTER_JSON_LOCAL);
		jw_array_end(&jw);
		jw_object_end(&jw);
		printf("%s\n", sb.buf);
		strbuf_release(&sb);
	} else {
		for (size_t i = 0; i < nr; i++)
			printf("%c %.8s  %-20s %s  %-6s %s  %s\n", v[i].is_active ? '*' : ' ',
			       v[i].id, v[i].version_name, v[i].created_at,
			       v[i].method ? v[i].method : "", v[i].created_by, v[i].adapter_path);
	}
	adapter_versions_free(v, nr);
	return 0;
}

int cmd_adapters(int argc, const char **argv)
{
	int json = 0;
	const char *sub = "list";
	struct option opts[] = {
		OPT_BOOL(0, "json", &json, "list as one JSON document"),
		OPT_END(),
	};
	git_repository *repo;
	struct store *s;
	struct adapter_version v;
	int ret = 0;

	/* the team server's versions: cmd-adapters-remote.c */
	if (adapters_remote_wanted(argc, argv))
		return cmd_adapters_remote(argc, argv);
	argc = parse_options(argc, argv, opts, adapters_usage, 0);
	if (argc) {
		sub = argv[0];
		argc--;
		argv++;
	}
	if (!strcmp(sub, "list")) {
		if (argc)
			usage_msg_opt(adapters_usage, opts, "list takes no arguments");
	} else if (!strcmp(sub, "activate")) {
		if (argc != 1)
			usage_msg_opt(adapters_usage, opts, "activate takes one version");
	} else if (!strcmp(sub, "rollback")) {
		if (argc > 1)
			usage_msg_opt(adapters_usage, opts, "rollback takes at most one version");
	} else {
		usage_msg_opt(adapters_usage, opts, "unknown subcommand '%s'", sub);
	}
	if (json && strcmp(sub, "list"))
		usage_msg_opt(adapters_usage, opts, "--json goes with list");

	tempfile_remove_on_signal();
	repo = setup_repo(NULL);
	s = !strcmp(sub, "list") ? setup_store_read(repo, 0) : setup_store(repo);
	if (!strcmp(sub, "list")) {
		ret = list_versions(s, json);
	} else if (!strcmp(sub, "activate")) {
		if (adapters_activate(s, argv[0], &v) < 0)
			die_err();
		printf("Activated adapter version %s (%.8s): %s\n", v.version_name, v.id,
		       v.adapter_path);
		adapter_version_release(&v);
	} else {
		if (adapters_rollback(s, argc ? argv[0] : NULL, &v) < 0)
			die_err();
		printf("Rolled back to adapter version %s (%.8s): %s\n", v.version_name, v.id,
		       v.adapter_path);
		adapter_version_release(&v);
	}
	store_close(s);
	git_repository_free(repo);
	return ret;
}
