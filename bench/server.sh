#!/bin/bash
# bench/server.sh: the team server's throughput on loopback, both backends.
#
#   bench/server.sh [N]     (N stored patterns, default 100000)
#
# For SQLite and for PostgreSQL (a private instance started here, as the
# postgres user when run as root): batch-ingest N patterns (the ingest rate
# is measured on this), then wrk -t2 -c32 -d10s on GET /health and on
# GET /patterns?limit=20 with a key, then 20,000 more patterns from two
# parallel clients. Needs wrk (installed here with
# apt-get if missing; it is not a dependency of the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
DUR=${DUR:-10s}
PY=/usr/bin/python3
PG_BIN=/usr/lib/postgresql/15/bin

.ci/install-deps
if ! command -v wrk >/dev/null; then
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
make -j2 >/dev/null
BIN=$PWD/build/bin/git-patterns

TMP=$(mktemp -d /tmp/gp-bench.XXXXXX)
chmod 755 "$TMP"
SERVER=
cleanup() {
	[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
	if [ -d "$TMP/pg/data" ]; then as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_backend() {
	local name=$1 url=$2 port key
	key=$("$BIN" server add-key bench --db "$url" 2>/dev/null)
	port=$(free_port)
	"$BIN" serve --listen 127.0.0.1:$port --db "$url" --threads 4 --access-log none 2>"$TMP/$name.log" &
	SERVER=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
	echo "== $name"
	$PY bench/ingest.py "http://127.0.0.1:$port" "$key" "$N" 1000 1
	echo "-- wrk -t2 -c32 -d$DUR GET /health"
	wrk -t2 -c32 -d"$DUR" "http://127.0.0.1:$port/health" | grep -E "Requests/sec|Latency|Non-2xx"
	echo "-- wrk -t2 -c32 -d$DUR GET /patterns?limit=20 ($N patterns stored)"
	wrk -t2 -c32 -d"$DUR" -H "X-API-Key: $key" "http://127.0.0.1:$port/patterns?limit=20" |
		grep -E "Requests/sec|Latency|Non-2xx"
	echo "-- ingest with 2 parallel clients (on top of the $N)"
	$PY bench/ingest.py "http://127.0.0.1:$port" "$key" 20000 1000 2
	kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run_backend sqlite "sqlite:$TMP/bench.db"

mkdir "$TMP/pg"
[ "$(id -u)" = 0 ] && chown postgres "$TMP/pg"
PGPORT=$(free_port)
as_pg "$PG_BIN/initdb" -D "$TMP/pg/data" -U postgres -A trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/log" -w \
	-o "-p $PGPORT -k $TMP/pg -c listen_addresses=127.0.0.1" start >/dev/null
run_backend postgresql "postgresql://postgres@127.0.0.1:$PGPORT/postgres"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
