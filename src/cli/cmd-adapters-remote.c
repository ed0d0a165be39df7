/*
 * cmd-adapters-remote.c: the team-server side of "git patterns adapters"
 * (cmd-adapters.c hands these over):
 *   adapters push <file> --name <version> [--remote <url>] [--json]
 *   adapters pull [<id> | --active] -o <file> [--remote <url>] [--json]
 *   adapters list --remote [<url>] [--json]
 *   adapters merge --remote [<url>] <id>... --version-name <name>
 *            [--weights <w>... | --success-rates <r>...] [--method <m>] [--json]
 *   adapters activate --remote [<url>] <id> [--json]
 *   adapters rollback --remote [<url>] [<id>] [--json]
 * It also answers "adapters -h" for every form, local ones included, so
 * that one usage lists every option.
 * The server is --remote or patterns.remote; the key is found as sync
 * finds it (credential.h); transfers stream (adapter-remote.h).
 */
#include "client/adapter-remote.h"
#include "cli/builtin.h"
#include "client/credential.h"
#include "client/http.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "common/repo.h"
#include "cli/setup.h"
#include "common/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const remote_usage[] = {
	"git patterns adapters [list] [--json]",
	"git patterns adapters activate <version>",
	"git patterns adapters rollback [<version>]",
	"git patterns adapters push <file> --name <version> [--remote <url>] [-q] [--json]",
	"git patterns adapters pull [<id> | --active] -o <file> [--remote <url>] [-q] [--json]",
	"git patterns adapters list --remote [<url>] [--json]",
	"git patterns adapters merge --remote [<url>] <id>... --version-name <name>\n"
	"                            [--weights <w>... | --success-rates <r>...]\n"
	"                            [--method linear|cat|svd] [--rank <n>] [--no-activate] [--json]",
	"git patterns adapters activate --remote [<url>] <id> [--json]",
	"git patterns adapters rollback --remote [<url>] [<id>] [--json]",
	NULL,
};

int adapters_remote_wanted(int argc, const char **argv)
{
	const char *sub = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--remote") || starts_with(argv[i], "--remote="))
			return 1;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--git-completion-helper"))
			return 1; /* one usage, one option list for every form */
		if (!sub && argv[i][0] != '-')
			sub = argv[i];
	}
	return sub && (!strcmp(sub, "push") || !strcmp(sub, "pull") || !strcmp(sub, "merge"));
}

static void print_version_json(const struct adapter_version *a)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer jw;
	jw_init(&jw, &sb, 1);
	adapter_version_json(&jw, a, 0);
	printf("%s\n", sb.buf);
	strbuf_release(&sb);
}

int cmd_adapters_remote(int argc, const char **argv)
{
	const char *remote_opt = NULL, *name = NULL, *output = NULL, *sub;
	const char *method = NULL, *version_name = NULL;
	struct string_list weights = STRING_LIST_INIT, rates = STRING_LIST_INIT;
	int json = 0, active = 0, remote_flag = 0, ret = 0, quiet = 0, rank = 0;
	int activate = 1;
	struct option opts[] = {
		OPT_STRING(0, "remote", &remote_opt, "url",
			   "the team server's versions (default server: patterns.remote)"),
		OPT_STRING(0, "name", &name, "version", "push: the new version's name"),
		OPT_STRING('o', "output", &output, "file", "pull: where to write the adapter"),
		OPT_BOOL(0, "active", &active, "pull: the active version"),
		OPT_STRING(0, "version-name", &version_name, "name",
			   "merge: the merged version's name"),
		OPT_STRING_MULTI(0, "weights", &weights, "w", "merge: one weight per version"),
		OPT_STRING_MULTI(0, "success-rates", &rates, "r",
				 "merge: one success rate per version (weights from them)"),
		OPT_STRING('m', "method", &method, "method", "merge: linear (default), cat or svd"),
		OPT_INTEGER(0, "rank", &rank, "n", "merge: the rank of an svd merge"),
		OPT_BOOL(0, "activate", &activate,
			 "merge: make the merge active (default; --no-activate keeps it aside)"),
		OPT_BOOL('q', "quiet", &quiet, "push, pull: no summary line"),
		OPT_BOOL(0, "json", &json, "print JSON"),
		OPT_END(),
	};
	double *w = NULL, *r = NULL;
	const char **args = xcalloc((size_t)argc + 1, sizeof(*args));
	struct credential cred = CREDENTIAL_INIT;
	struct http_client *client;
	struct adapter_version a;
	git_repository *repo = NULL;
	long status = 0;
	int n = 0;

	/*
	 * "--remote" alone means patterns.remote; "--remote URL" (a value with
	 * "://") names the server, so "list --remote" and "pull --remote ID" read
	 * as meant.
	 */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--remote") &&
		    (i + 1 >= argc || !strstr(argv[i + 1], "://"))) {
			remote_flag = 1;
			continue;
		}
		args[n++] = argv[i];
	}
	argc = parse_options(n, args, opts, remote_usage, 0);
	if (!argc)
		usage_msg_opt(remote_usage, opts, "which subcommand: push, pull or list?");
	sub = args[0];
	if (!strcmp(sub, "push")) {
		if (argc != 2)
			usage_msg_opt(remote_usage, opts, "push takes one file");
		if (!name)
			usage_msg_opt(remote_usage, opts, "push needs --name <version>");
	} else if (!strcmp(sub, "pull")) {
		if (argc > 2 || (argc == 2 && active))
			usage_msg_opt(remote_usage, opts, "pull takes one version, or --active");
		if (!output || !*output)
			usage_msg_opt(remote_usage, opts, "pull needs -o <file>");
	} else if (!strcmp(sub, "list")) {
		if (argc != 1)
			usage_msg_opt(remote_usage, opts, "list takes no arguments");
	} else if (!strcmp(sub, "merge")) {
		if (argc < 2)
			usage_msg_opt(remote_usage, opts, "merge takes the versions to merge");
		if (!version_name || !*version_name)
			usage_msg_opt(remote_usage, opts, "merge needs --version-name <name>");
		if (weights.nr && rates.nr)
			usage_msg_opt(remote_usage, opts,
				      "--weights and --success-rates cannot be used together");
		if (weights.nr && weights.nr != (size_t)argc - 1)
			usage_msg_opt(remote_usage, opts, "%zu weights for %d versions",
				      weights.nr, argc - 1);
		if (rates.nr && rates.nr != (size_t)argc - 1)
			usage_msg_opt(remote_usage, opts, "%zu success rates for %d versions",
				      rates.nr, argc - 1);
		if (rank < 0)
			usage_msg_opt(remote_usage, opts, "--rank takes a positive number");
		w = weights.nr ? parse_option_numbers(&weights, "--weights", remote_usage, opts) : NULL;
		r = rates.nr ? parse_option_numbers(&rates, "--success-rates", remote_usage, opts) : NULL;
	} else if (!strcmp(sub, "activate")) {
		if (argc != 2)
			usage_msg_opt(remote_usage, opts, "activate takes one version");
	} else if (!strcmp(sub, "rollback")) {
		if (argc > 2)
			usage_msg_opt(remote_usage, opts, "rollback takes at most one version");
	} else {
		usage_msg_opt(remote_usage, opts, "'%s' does not talk to a team server", sub);
	}
	if ((version_name || weights.nr || rates.nr || method || rank || !activate) &&
	    strcmp(sub, "merge"))
		usage_msg_opt(remote_usage, opts,
			      "--version-name, --weights, --success-rates, --method, --rank "
			      "and --no-activate go with merge");
	if (quiet && strcmp(sub, "push") && strcmp(sub, "pull"))
		usage_msg_opt(remote_usage, opts, "-q goes with push and pull");
	if (name && strcmp(sub, "push"))
		usage_msg_opt(remote_usage, opts, "--name goes with push");
	if ((output || active) && strcmp(sub, "pull"))
		usage_msg_opt(remote_usage, opts, "-o and --active go with pull");
	(void)remote_flag;

	if (repo_open(&repo, NULL) < 0)
		repo = NULL; /* outside a repository: global config only */
	/* a whole request carries a whole adapter: minutes on a slow link */
	client = setup_team_client(repo, remote_opt, 3600, &cred);

	if (!strcmp(sub, "list")) {
		struct adapter_version *v;
		struct strbuf raw = STRBUF_INIT;
		size_t nr;
		if (adapter_remote_list(client, &v, &nr, &raw, &status) < 0) {
			error("%s", err_msg());
			ret = 1;
		} else {
			if (json) {
				fwrite(raw.buf, 1, raw.len, stdout);
				putchar('\n');
			} else {
				for (size_t i = 0; i < nr; i++)
					printf("%c %s  %-20s %s  %-6s %-20s %lld\n",
					       v[i].is_active ? '*' : ' ', v[i].id,
					       v[i].version_name ? v[i].version_name : "",
					       v[i].created_at ? v[i].created_at : "",
					       v[i].method ? v[i].method : "",
					       v[i].created_by ? v[i].created_by : "", v[i].size);
			}
			adapter_versions_free(v, nr);
		}
		strbuf_release(&raw);
	} else if (!strcmp(sub, "merge") || !strcmp(sub, "activate") ||
		   !strcmp(sub, "rollback")) {
		int rc;
		if (!strcmp(sub, "merge")) {
			struct adapter_remote_merge m = {
				args + 1, (size_t)argc - 1, w, r, method, version_name, rank,
				activate,
			};
			rc = adapter_remote_merge(client, &m, &a, &status);
		} else if (!strcmp(sub, "activate")) {
			rc = adapter_remote_activate(client, args[1], &a, &status);
		} else {
			rc = adapter_remote_rollback(client, argc == 2 ? args[1] : NULL, &a,
						     &status);
		}
		if (rc < 0) {
			error("%s", err_msg());
			ret = 1;
		} else {
			if (json)
				print_version_json(&a);
			else
				printf("%s adapter version %s (%s) on %s%s\n",
				       !strcmp(sub, "merge")	  ? "Merged"
				       : !strcmp(sub, "activate") ? "Activated"
								  : "Rolled back to",
				       a.version_name, a.id, http_client_url(client),
				       a.is_active ? ", active" : "");
			adapter_version_release(&a);
		}
	} else if (!strcmp(sub, "push")) {
		if (adapter_remote_push(client, args[1], name, &a, &status) < 0) {
			error("%s", err_msg());
			ret = 1;
		} else {
			if (json)
				print_version_json(&a);
			else if (!quiet)
				printf("Pushed %s as adapter version %s (%s) to %s: %lld bytes, "
				       "sha256 %s%s\n",
				       args[1], a.version_name, a.id, http_client_url(client),
				       a.size, a.sha256, a.is_active ? ", active" : "");
			adapter_version_release(&a);
		}
	} else {
		if (adapter_remote_pull(client, argc == 2 ? args[1] : NULL, output, &a, &status) <
		    0) {
			error("%s", err_msg());
			ret = 1;
		} else {
			if (json)
				print_version_json(&a);
			else if (!quiet)
				printf("Pulled adapter version %s (%s%s) into %s: %lld bytes, "
				       "sha256 %s verified\n",
				       a.version_name, a.id, a.is_active ? ", active" : "", output,
				       a.size, a.sha256);
			adapter_version_release(&a);
		}
	}
	if (status == 401)
		credential_reject(&cred, repo);
	else if (!ret)
		credential_approve(&cred, repo);

	credential_release(&cred);
	http_client_free(client);
	git_repository_free(repo);
	string_list_clear(&weights);
	string_list_clear(&rates);
	free(w);
	free(r);
	free(args);
	return ret;
}
