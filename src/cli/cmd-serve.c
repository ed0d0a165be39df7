/*
 * cmd-serve.c: "git patterns serve", the team server (SPEC §6): open the
 * database (migrating it), listen, serve until SIGTERM/SIGINT.
 */
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "server/server.h"
#include "server/serverdb.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const serve_usage[] = {
	"git patterns serve [--listen HOST:PORT] [--db URL] [--tls-cert F --tls-key F] [--threads N]\n"
	"                   [--adapter-dir DIR] [--max-adapter-size SIZE] [--session-ttl SECONDS]",
	NULL,
};

/* "4G", "512MiB", "1000000": bytes; 0 when malformed or zero. */
static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long n, mul = 1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return 0;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	}
	if (mul > 1 && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end || (mul > 1 && n > ~0ull / mul))
		return 0;
	return n * mul;
}

/*
 * Where adapter files go unless --adapter-dir says: a folder "adapters"
 * next to the SQLite file; for PostgreSQL (no file of ours) "adapters" in
 * the current folder, which every server of that database must share.
 */
static char *default_adapter_dir(const char *db_url)
{
	const char *path, *slash;
	if (!skip_prefix(db_url, "sqlite:", &path))
		return xstrdup("adapters");
	skip_prefix(path, "//", &path);
	slash = strrchr(path, '/');
	if (!slash)
		return xstrdup("adapters");
	return xstrfmt("%.*s/adapters", (int)(slash - path), path);
}

int cmd_serve(int argc, const char **argv)
{
	const char *listen = SERVER_DEFAULT_LISTEN, *db_url = NULL;
	const char *tls_cert = NULL, *tls_key = NULL, *access_log = NULL;
	const char *upload_dir = NULL, *adapter_dir_opt = NULL, *max_adapter = NULL;
	char *adapter_dir;
	int threads = 4, max_body_mib = 16, session_ttl = SERVER_DEFAULT_SESSION_TTL;
	int request_timeout = SERVER_DEFAULT_REQUEST_TIMEOUT;
	int max_connections = SERVER_DEFAULT_MAX_CONNECTIONS;
	int max_per_address = SERVER_DEFAULT_MAX_PER_ADDRESS;
	struct option options[] = {
		OPT_STRING(0, "listen", &listen, "host:port",
			   "address to listen on (default " SERVER_DEFAULT_LISTEN ")"),
		OPT_STRING(0, "db", &db_url, "url",
			   "sqlite:PATH or postgresql://... (default " SERVER_DEFAULT_DB ")"),
		OPT_STRING(0, "tls-cert", &tls_cert, "file", "serve HTTPS with this certificate (PEM)"),
		OPT_STRING(0, "tls-key", &tls_key, "file", "the certificate's private key (PEM)"),
		OPT_INTEGER(0, "threads", &threads, "n", "worker threads (default 4)"),
		OPT_INTEGER(0, "max-body", &max_body_mib, "mib",
			    "largest JSON request body in MiB (default 16)"),
		OPT_INTEGER(0, "request-timeout", &request_timeout, "seconds",
			    "headers, and then a JSON body, must arrive within this (default 30)"),
		OPT_INTEGER(0, "max-connections", &max_connections, "n",
			    "open connections in all (default 2000)"),
		OPT_INTEGER(0, "max-connections-per-address", &max_per_address, "n",
			    "open connections from one client address (default 256)"),
		OPT_STRING(0, "access-log", &access_log, "file",
			   "append the access log here ('-' stderr, the default; 'none')"),
		OPT_STRING(0, "upload-dir", &upload_dir, "dir",
			   "where uploads are streamed (default: the adapter folder)"),
		OPT_STRING(0, "adapter-dir", &adapter_dir_opt, "dir",
			   "adapter files (default: 'adapters' next to the SQLite file, or in "
			   "the current folder for PostgreSQL)"),
		OPT_STRING(0, "max-adapter-size", &max_adapter, "size",
			   "largest adapter upload, e.g. 4G (default 4 GiB)"),
		OPT_INTEGER(0, "session-ttl", &session_ttl, "seconds",
			    "how long a web interface sign-in lasts (default 8 hours)"),
		OPT_END(),
	};
	struct server_config cfg;
	struct serverdb *db;
	struct server *srv;
	int sig;

	argc = parse_options(argc, argv, options, serve_usage, 0);
	if (argc)
		usage_msg_opt(serve_usage, options, "unexpected argument '%s'", argv[0]);
	if (threads < 1 || threads > 256)
		usage_msg_opt(serve_usage, options, "--threads must be from 1 to 256");
	if (max_body_mib < 1 || max_body_mib > 1024)
		usage_msg_opt(serve_usage, options, "--max-body must be from 1 to 1024 MiB");
	if (session_ttl < 1 || session_ttl > 30 * 86400)
		usage_msg_opt(serve_usage, options, "--session-ttl must be from 1 s to 30 days");
	if (!!tls_cert != !!tls_key)
		usage_msg_opt(serve_usage, options, "--tls-cert and --tls-key go together");
	if (request_timeout < 1 || request_timeout > 3600)
		usage_msg_opt(serve_usage, options, "--request-timeout must be from 1 to 3600");
	if (max_connections < 1 || max_connections > 100000)
		usage_msg_opt(serve_usage, options, "--max-connections must be from 1 to 100000");
	if (max_per_address < 1 || max_per_address > max_connections)
		usage_msg_opt(serve_usage, options,
			      "--max-connections-per-address must be from 1 to --max-connections");
	if (!db_url)
		db_url = SERVER_DEFAULT_DB;

	adapter_dir = adapter_dir_opt ? xstrdup(adapter_dir_opt) : default_adapter_dir(db_url);
	if (mkdir(adapter_dir, 0755) < 0 && errno != EEXIST)
		die("cannot create adapter folder '%s': %s", adapter_dir, strerror(errno));
	if (server_adapters_sweep(adapter_dir, 86400) > 0)
		fprintf(stderr, "removed what crashed merges and old uploads left in %s\n", adapter_dir);

	memset(&cfg, 0, sizeof(cfg));
	cfg.adapter_dir = adapter_dir;
	cfg.session_ttl = session_ttl;
	cfg.max_upload = 4ull << 30;
	if (max_adapter) {
		cfg.max_upload = parse_size(max_adapter);
		if (!cfg.max_upload)
			usage_msg_opt(serve_usage, options, "--max-adapter-size: '%s' is not a size",
				      max_adapter);
	}
	cfg.listen = listen;
	cfg.tls_cert = tls_cert;
	cfg.tls_key = tls_key;
	cfg.threads = threads;
	cfg.max_body = (size_t)max_body_mib << 20;
	cfg.request_timeout = request_timeout;
	cfg.max_connections = (unsigned)max_connections;
	cfg.max_per_address = (unsigned)max_per_address;
	/* uploads land in the adapter folder, so that keeping one is a link */
	cfg.upload_dir = upload_dir ? upload_dir : adapter_dir;
	cfg.access_log_fd = 2;
	if (access_log && !strcmp(access_log, "none")) {
		cfg.access_log_fd = -1;
	} else if (access_log && strcmp(access_log, "-")) {
		cfg.access_log_fd = open(access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (cfg.access_log_fd < 0)
			die("cannot open access log '%s': %s", access_log, strerror(errno));
	}

	if (serverdb_open(&db, db_url) < 0)
		die_err();
	cfg.db = db;
	if (server_start(&srv, &cfg) < 0) {
		serverdb_close(db);
		die_err();
	}
	fprintf(stderr, "git-patterns server listening on %s://%s (port %u, %s, %d threads)\n",
		tls_cert ? "https" : "http", listen, server_port(srv), serverdb_backend(db),
		threads);
	fprintf(stderr, "adapter files in %s (uploads up to %llu bytes)\n", adapter_dir,
		cfg.max_upload);
	sig = server_wait_and_stop(srv);
	fprintf(stderr, "git-patterns server stopped (signal %d)\n", sig);
	free(adapter_dir);
	server_free(srv);
	serverdb_close(db);
	if (cfg.access_log_fd > 2)
		close(cfg.access_log_fd);
	return 0;
}
