#!/bin/bash
# bench/xproject.sh: cross-project learning on the team server, loopback,
# both backends (SPEC §8, issue 14).
#
#   bench/xproject.sh [PROJECTS] [PATTERNS]   (default 1000 and 200000)
#   env: DUR (wrk duration, 10s), BIN (the git-patterns to measure; default
#   this tree's build, made first), THREADS (server --threads, 4)
#
# For SQLite and for PostgreSQL (a private instance started here, as the
# postgres user when run as root): load the projects and patterns
# (bench/xproject-load.py), then wrk --latency -t2 -c16 -d$DUR on
# GET /projects/{id}/similar and GET /projects/{id}/suggestions, each
# request about the next of the projects in turn (bench/xproject.lua),
# after the database has settled (VACUUM ANALYZE and a checkpoint, or a WAL
# checkpoint) and 2 s of warm-up; with the CPU time the server (and
# PostgreSQL's backends) spent per request, the figure that other load on
# the machine disturbs least.
# Then the same suggestions again after 200,000 more patterns in 1,000
# projects unlike any other (language "cobol"): the cost of a suggestion
# must not grow with them. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
NPROJ=${1:-1000}
NPAT=${2:-200000}
DUR=${DUR:-10s}
PY=/usr/bin/python3
PG_BIN=/usr/lib/postgresql/15/bin

command -v wrk >/dev/null || { echo "bench/xproject.sh needs wrk (apt-get install wrk)"; exit 1; }
THREADS=${THREADS:-4}
if [ -z "${BIN:-}" ]; then
	make -j2 >/dev/null
	BIN=$PWD/build/bin/git-patterns
fi

TMP=$(mktemp -d /tmp/gp-bench-xp.XXXXXX)
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

bench() { # what url key
	# 2 s of warm-up first (caches, prepared statements), not counted
	IDS=$TMP/ids WHAT=$1 KEY=$3 wrk -t2 -c16 -d2s -s bench/xproject.lua "$2" >/dev/null
	echo "-- wrk --latency -t2 -c16 -d$DUR GET /projects/{id}/$1 (load average $(cut -d' ' -f1 /proc/loadavg))"
	local s0 d0 out n
	s0=$(cpu_ticks "$SERVER") d0=$(db_ticks)
	out=$(IDS=$TMP/ids WHAT=$1 KEY=$3 wrk --latency -t2 -c16 -d"$DUR" -s bench/xproject.lua "$2")
	echo "$out" | grep -E "Requests/sec|^ +Latency|99%|Non-2xx"
	n=$(echo "$out" | awk '/requests in/ {print $1}')
	awk -v n="$n" -v s=$(( $(cpu_ticks "$SERVER") - s0 )) -v d=$(( $(db_ticks) - d0 )) \
		-v hz="$(getconf CLK_TCK)" 'BEGIN { printf "    CPU per request: server %.3f ms, PostgreSQL %.3f ms\n",
			s * 1000 / hz / n, d * 1000 / hz / n }'
}

# CPU time (user + system, clock ticks) of a process; of PostgreSQL's backends.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
db_ticks() {
	local t=0 pid
	[ -f "$TMP/pg/data/postmaster.pid" ] || { echo 0; return; }
	for pid in $(ps --ppid "$(head -1 "$TMP/pg/data/postmaster.pid")" -o pid=); do
		t=$((t + $(cpu_ticks "$pid")))
	done
	echo $t
}

# After a load, let the database settle as it would between bursts of
# pushes (statistics, hint bits, checkpoint), so that no run measures the
# load's aftermath.
settle() { # name url
	case $1 in
	postgresql) as_pg "$PG_BIN/psql" -q -h "$TMP/pg" -p "$PGPORT" -U postgres -d postgres \
			-c "VACUUM ANALYZE" -c "CHECKPOINT" ;;
	sqlite) $PY -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' \
			"${2#sqlite:}" ;;
	esac
}

run_backend() {
	local name=$1 url=$2 port key
	key=$("$BIN" server add-key bench --db "$url" 2>/dev/null)
	port=$(free_port)
	"$BIN" serve --listen 127.0.0.1:$port --db "$url" --threads $THREADS --access-log none 2>"$TMP/$name.log" &
	SERVER=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
	echo "== $name"
	$PY bench/xproject-load.py "http://127.0.0.1:$port" "$key" "$NPROJ" "$NPAT" "$TMP/ids"
	settle "$name" "$url"
	head -c 300 <(curl -s -H "X-API-Key: $key" "http://127.0.0.1:$port/projects/$(head -1 $TMP/ids)/suggestions"); echo
	bench similar "http://127.0.0.1:$port" "$key"
	bench "suggestions" "http://127.0.0.1:$port" "$key"
	echo "-- $NPAT more patterns in $NPROJ dissimilar projects (language cobol)"
	COBOL=1 $PY bench/xproject-load.py "http://127.0.0.1:$port" "$key" "$NPROJ" "$NPAT" "$TMP/cobol-ids"
	settle "$name" "$url"
	bench "suggestions" "http://127.0.0.1:$port" "$key"
	kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $BIN, --threads $THREADS"
run_backend sqlite "sqlite:$TMP/bench.db"

mkdir -p "$TMP/pg"
[ "$(id -u)" = 0 ] && chown postgres "$TMP/pg"
PGPORT=$(free_port)
as_pg "$PG_BIN/initdb" -D "$TMP/pg/data" -U postgres -A trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/log" -w \
	-o "-p $PGPORT -k $TMP/pg -c listen_addresses=127.0.0.1" start >/dev/null
run_backend postgresql "postgresql://postgres@127.0.0.1:$PGPORT/postgres"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
