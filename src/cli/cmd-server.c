/*
 * cmd-server.c: "git patterns server add-key | list-keys | revoke-key",
 * the team server's API keys (SPEC §6). A key is 32 random bytes shown
 * once as "gp_" + 64 hex digits; the database keeps only its SHA-256.
 */
#include "cli/builtin.h"
#include "common/hash.h"
#include "common/json.h"
#include "cli/parse-options.h"
#include "server/server.h"
#include "server/serverdb.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const server_usage[] = {
	"git patterns server add-key <user> [--admin] [--db <url>]",
	"git patterns server list-keys [--json] [--db <url>]",
	"git patterns server revoke-key <id> [--db <url>]",
	NULL,
};

static const char *db_url;

static struct serverdb *open_db(void)
{
	struct serverdb *db;
	if (!db_url)
		db_url = SERVER_DEFAULT_DB;
	if (serverdb_open(&db, db_url) < 0)
		die_err();
	return db;
}

static int add_key(int argc, const char **argv)
{
	int admin = 0;
	struct option options[] = {
		OPT_BOOL(0, "admin", &admin, "the key may delete anyone's patterns"),
		OPT_STRING(0, "db", &db_url, "url", "the server's database"),
		OPT_END(),
	};
	unsigned char raw[32];
	char key[3 + 64 + 1], hash[SHA256_HEX_LEN + 1];
	struct serverdb *db;
	long long id;
	const char *user;

	argc = parse_options(argc, argv, options, server_usage, 0);
	if (argc != 1)
		usage_msg_opt(server_usage, options, "add-key takes one user name");
	user = argv[0];
	if (!*user || strlen(user) > 255 || !utf8_valid(user, strlen(user)) ||
	    has_control_chars(user, strlen(user)))
		die("invalid user name (1 to 255 bytes of UTF-8, no control characters)");
	if (random_bytes(raw, sizeof(raw)) < 0)
		die_err();
	memcpy(key, "gp_", 3);
	hex_encode(raw, sizeof(raw), key + 3);
	sha256_hex(key, strlen(key), hash);
	db = open_db();
	if (serverdb_key_add(db, user, admin, hash, &id) < 0) {
		serverdb_close(db);
		die_err();
	}
	serverdb_close(db);
	printf("%s\n", key);
	fprintf(stderr, "Added key %lld for %s%s. It is shown only this once: store it now.\n",
		id, user, admin ? " (admin)" : "");
	return 0;
}

static int list_keys(int argc, const char **argv)
{
	int json = 0;
	struct option options[] = {
		OPT_BOOL(0, "json", &json, "one JSON document"),
		OPT_STRING(0, "db", &db_url, "url", "the server's database"),
		OPT_END(),
	};
	struct serverdb *db;
	struct sdb_key *keys;
	size_t nr;

	argc = parse_options(argc, argv, options, server_usage, 0);
	if (argc)
		usage_msg_opt(server_usage, options, "list-keys takes no arguments");
	db = open_db();
	if (serverdb_key_list(db, &keys, &nr) < 0) {
		serverdb_close(db);
		die_err();
	}
	serverdb_close(db);
	if (json) {
		struct strbuf out = STRBUF_INIT;
		struct json_writer jw;
		jw_init(&jw, &out, 1);
		jw_object_begin(&jw);
		jw_key(&jw, "keys");
		jw_array_begin(&jw);
		for (size_t i = 0; i < nr; i++) {
			jw_object_begin(&jw);
			jw_key(&jw, "id");
			jw_int(&jw, keys[i].id);
			jw_key(&jw, "user");
			jw_string(&jw, keys[i].user);
			jw_key(&jw, "admin");
			jw_bool(&jw, keys[i].is_admin);
			jw_key(&jw, "created_at");
			jw_string(&jw, keys[i].created_at);
			jw_key(&jw, "revoked_at");
			jw_string(&jw, keys[i].revoked_at);
			jw_object_end(&jw);
		}
		jw_array_end(&jw);
		jw_object_end(&jw);
		printf("%s\n", out.buf);
		strbuf_release(&out);
	} else {
		printf("%-6s %-24s %-5s %-20s %s\n", "ID", "USER", "ADMIN", "CREATED", "REVOKED");
		for (size_t i = 0; i < nr; i++)
			printf("%-6lld %-24s %-5s %-20s %s\n", keys[i].id, keys[i].user,
			       keys[i].is_admin ? "yes" : "no", keys[i].created_at,
			       keys[i].revoked_at ? keys[i].revoked_at : "-");
	}
	for (size_t i = 0; i < nr; i++)
		sdb_key_release(&keys[i]);
	free(keys);
	return 0;
}

static int revoke_key(int argc, const char **argv)
{
	struct option options[] = {
		OPT_STRING(0, "db", &db_url, "url", "the server's database"),
		OPT_END(),
	};
	struct serverdb *db;
	long long id;
	char *end;
	int rc;

	argc = parse_options(argc, argv, options, server_usage, 0);
	if (argc != 1)
		usage_msg_opt(server_usage, options, "revoke-key takes one key id");
	errno = 0;
	id = strtoll(argv[0], &end, 10);
	if (!*argv[0] || *end || errno || id < 1)
		die("invalid key id '%s'", argv[0]);
	db = open_db();
	rc = serverdb_key_revoke(db, id);
	if (rc == SDB_NOT_FOUND) {
		serverdb_close(db);
		die("no key with id %lld", id);
	}
	if (rc < 0) {
		serverdb_close(db);
		die_err();
	}
	serverdb_close(db);
	fprintf(stderr, "Revoked key %lld.\n", id);
	return 0;
}

int cmd_server(int argc, const char **argv)
{
	struct option options[] = {
		OPT_STRING(0, "db", &db_url, "url", "the server's database"),
		OPT_END(),
	};
	argc = parse_options(argc, argv, options, server_usage, PARSE_OPT_STOP_AT_NON_OPTION);
	if (!argc)
		usage_with_options(server_usage, options);
	if (!strcmp(argv[0], "add-key"))
		return add_key(argc, argv);
	if (!strcmp(argv[0], "list-keys"))
		return list_keys(argc, argv);
	if (!strcmp(argv[0], "revoke-key"))
		return revoke_key(argc, argv);
	usage_msg_opt(server_usage, options, "unknown subcommand '%s'", argv[0]);
}
