#!/bin/bash
# bench/web.sh: the web interface (/ui/) with N stored patterns on loopback.
#
#   bench/web.sh [N]     (N stored patterns, default 100000)
#
#   BIN=PATH   the git-patterns to measure (default: this tree's, built
#              first), so that two builds compare on the same script
#   DB=        SQLite (default, a file in a temporary folder);
#              DB=postgres: a PostgreSQL 15 started for the run in a
#              temporary folder (initdb + pg_ctl as the postgres user when
#              run as root, as tests/lib-server.sh does), stopped at the end;
#              DB=postgresql://...: that (empty) database
#   VACUUM=1   PostgreSQL: VACUUM ANALYZE patterns after storing them, as
#              autovacuum does within a minute or so of a bulk load (else
#              the pages are timed at once, with the planner's statistics of
#              an empty table)
#   DUR, ROUNDS  wrk's duration (10s) and fetches per page (30)
#
# Stores N patterns: 20 projects with N/100 patterns tagged with them
# (bench/xproject-load.py), then the rest (bench/ingest.py, 3 types, 4
# languages, "# fixed" in every after_code, "f<i>" in every message and
# path). Signs in, then:
#  - server time of every page of /ui/: each fetched ROUNDS times with curl,
#    the median and worst of the access log's duration_ms;
#  - page weight: the bytes of the list page and of the stylesheet;
#  - wrk -t2 -c16 -d$DUR on the list page (GET /ui/, signed in).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-30}
DB=${DB:-sqlite}
PY=/usr/bin/python3
PG_BIN=/usr/lib/postgresql/15/bin

.ci/install-deps
if [ -z "${BIN:-}" ]; then
	make -j2 >/dev/null
	BIN=$PWD/build/bin/git-patterns
fi

TMP=$(mktemp -d /tmp/gp-bench-web.XXXXXX)
SERVER=
PG_DIR=
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
	[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
	[ -n "$PG_DIR" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$TMP" ${PG_DIR:+"$PG_DIR"}
}
trap cleanup EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

case "$DB" in
sqlite)
	URL_DB=sqlite:$TMP/server.db ;;
postgres)
	PG_DIR=$(mktemp -d /tmp/gp-bench-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
	PG_PORT=$(free_port)
	as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync \
		>"$PG_DIR/initdb.log" 2>&1
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 30 -l "$PG_DIR/log" \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
	URL_DB=postgresql://postgres@127.0.0.1:$PG_PORT/postgres ;;
postgres://* | postgresql://*)
	URL_DB=$DB ;;
*)
	echo "DB must be sqlite, postgres or a postgresql:// URL" >&2
	exit 2 ;;
esac

echo "binary: $BIN ($("$BIN" --version 2>/dev/null | head -1)), database: ${URL_DB%%:*}"
echo "load average at the start: $(cat /proc/loadavg)"
KEY=$("$BIN" server add-key bench --admin --db "$URL_DB" 2>/dev/null)
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
start() {
	"$BIN" serve --listen 127.0.0.1:$PORT --db "$URL_DB" --threads 4 --access-log "$1" \
		2>>"$TMP/server.err" &
	SERVER=$!
	for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done
}
start "$TMP/access.log"
NPROJ=20
NTAGGED=$((N / 100))
$PY bench/xproject-load.py "$URL" "$KEY" $NPROJ $NTAGGED "$TMP/projects"
$PY bench/ingest.py "$URL" "$KEY" $((N - NTAGGED)) 1000 1
LAST=$((N - NTAGGED - 1)) # f$LAST is in one pattern only, of this type:
LAST_TYPE=$(echo bug_fix feature_addition refactoring | cut -d' ' -f$((LAST % 3 + 1)))
PROJECT=$(head -1 "$TMP/projects")
if [ "${VACUUM:-0}" = 1 ] && [ "${URL_DB%%:*}" != sqlite ]; then
	(cd / && as_pg "$PG_BIN/psql" -q "$URL_DB" -c "VACUUM ANALYZE patterns")
	echo "VACUUM ANALYZE patterns: done"
fi

curl -s -o /dev/null -c "$TMP/jar" -H "Origin: $URL" --data-urlencode "key=$KEY" "$URL/ui/login"
TOKEN=$(sed -n 's/.*gp_session\t//p' "$TMP/jar")
ID=$(curl -s -H "X-API-Key: $KEY" "$URL/patterns?limit=1" | $PY -c 'import json,sys; print(json.load(sys.stdin)["patterns"][0]["id"])')

# page NAME PATH: median and worst server time over ROUNDS fetches, and the rows shown
page() {
	local name=$1 path=$2 rows
	: >"$TMP/access.log"
	for _ in $(seq "$ROUNDS"); do
		curl -s -o "$TMP/page.html" -b "gp_session=$TOKEN" "$URL$path"
	done
	rows=$(grep -c 'href="/ui/patterns/' "$TMP/page.html" || true)
	sleep 0.2
	$PY - "$TMP/access.log" "$name" "$rows" <<-\EOF
	import json, statistics, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	ms = sorted(r["duration_ms"] for r in rows if r["status"] == 200)
	print("| %s | %s | %d | %.2f | %.2f |" % (sys.argv[2], sys.argv[3], len(ms),
	      statistics.median(ms), ms[-1]))
	EOF
}

echo
echo "server time per page, $N patterns (ms, from the access log; rows: patterns listed):"
echo "| page | rows | fetches | median | worst |"
echo "|---|---|---|---|---|"
page "list, page 1" "/ui/"
page "list, page 2" "/ui/?page=2"
page "list, page 400 (OFFSET 9,975)" "/ui/?page=400"
page "filter: type" "/ui/?type=refactoring"
page "filter: type + language" "/ui/?type=bug_fix&language=go"
page "filter: project" "/ui/?project=$PROJECT"
page "search: a word in one pattern (f$LAST)" "/ui/?q=f$LAST"
page "search: a word in 11 patterns, the newest (f${LAST:0:4})" "/ui/?q=f${LAST:0:4}"
page "search: a word in 0.1%, spread (777.py)" "/ui/?q=777.py"
page "search: a word in 1%, spread (77.py)" "/ui/?q=77.py"
page "search: a word in 2%, spread (/m7/)" "/ui/?q=/m7/"
page "search: a word in most patterns (fixed)" "/ui/?q=fixed"
page "search: a word in most, page 40" "/ui/?q=fixed&page=40"
page "search: a word in no pattern (zqxv)" "/ui/?q=zqxv"
page "search: a word in one pattern + its type" "/ui/?q=f$LAST&type=$LAST_TYPE"
page "search: 2 characters, common (f9)" "/ui/?q=f9"
page "search: 2 characters, in no pattern (zq)" "/ui/?q=zq"
page "a pattern" "/ui/patterns/$ID"
page "projects" "/ui/projects"
page "a project" "/ui/projects/$PROJECT"
page "adapters" "/ui/adapters"
page "keys" "/ui/keys"

echo
echo "GET /patterns?q= (the API counts the matches: total), server time:"
echo "| request | total | fetches | median | worst |"
echo "|---|---|---|---|---|"
api() {
	local name=$1 path=$2
	: >"$TMP/access.log"
	for _ in $(seq "$ROUNDS"); do
		curl -s -o "$TMP/out.json" -H "X-API-Key: $KEY" "$URL$path"
	done
	sleep 0.2
	$PY - "$TMP/access.log" "$name" "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$TMP/out.json")" <<-\EOF
	import json, statistics, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	ms = sorted(r["duration_ms"] for r in rows if r["status"] == 200)
	print("| %s | %s | %d | %.2f | %.2f |" % (sys.argv[2], sys.argv[3], len(ms),
	      statistics.median(ms), ms[-1]))
	EOF
}
api "q=f$LAST (one pattern)" "/patterns?q=f$LAST"
api "q=777.py (0.1%)" "/patterns?q=777.py"
api "q=77.py (1%)" "/patterns?q=77.py"
api "q=fixed (most)" "/patterns?q=fixed"

echo
LIST=$(curl -s -b "gp_session=$TOKEN" "$URL/ui/" | wc -c)
CSS=$(curl -s "$URL/ui/assets/style.css" | wc -c)
echo "page weight: list page $LIST bytes + stylesheet $CSS bytes = $((LIST + CSS)) bytes"
echo
echo "-- wrk -t2 -c16 -d$DUR GET /ui/ (signed in), access log off"
kill -TERM "$SERVER"; wait "$SERVER" || true
start none
wrk -t2 -c16 -d"$DUR" -H "Cookie: gp_session=$TOKEN" "$URL/ui/" | grep -E "Requests/sec|Latency|Non-2xx|Transfer"
echo "load average at the end: $(cat /proc/loadavg)"
