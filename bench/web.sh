#!/bin/bash
# bench/web.sh: the web interface (/ui/) with N stored patterns on loopback.
#
#   bench/web.sh [N]     (N stored patterns, default 100000; SQLite backend)
#
# Ingests N patterns (bench/ingest.py), signs in, then:
#  - server time per page: each page fetched ROUNDS times (default 30) with
#    curl, and the median (and worst) of the access log's duration_ms;
#  - page weight: the bytes of the list page and of the stylesheet;
#  - wrk -t2 -c16 -d$DUR on the list page (GET /ui/, signed in).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-30}
PY=/usr/bin/python3

.ci/install-deps
make -j2 >/dev/null
BIN=$PWD/build/bin/git-patterns

TMP=$(mktemp -d /tmp/gp-bench-web.XXXXXX)
SERVER=
cleanup() {
	[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

DB=sqlite:$TMP/server.db
KEY=$("$BIN" server add-key bench --admin --db "$DB" 2>/dev/null)
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
"$BIN" serve --listen 127.0.0.1:$PORT --db "$DB" --threads 4 --access-log "$TMP/access.log" \
	2>"$TMP/server.err" &
SERVER=$!
for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done
$PY bench/ingest.py "$URL" "$KEY" "$N" 1000 1

curl -s -o /dev/null -c "$TMP/jar" -H "Origin: $URL" --data-urlencode "key=$KEY" "$URL/ui/login"
TOKEN=$(sed -n 's/.*gp_session\t//p' "$TMP/jar")
ID=$(curl -s -H "X-API-Key: $KEY" "$URL/patterns?limit=1" | $PY -c 'import json,sys; print(json.load(sys.stdin)["patterns"][0]["id"])')

# page NAME PATH: median and worst server time over ROUNDS fetches
page() {
	local name=$1 path=$2
	: >"$TMP/access.log"
	for _ in $(seq "$ROUNDS"); do
		curl -s -o /dev/null -b "gp_session=$TOKEN" "$URL$path"
	done
	sleep 0.2
	$PY - "$TMP/access.log" "$name" <<-\EOF
	import json, statistics, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	ms = sorted(r["duration_ms"] for r in rows if r["status"] == 200)
	print("| %s | %d | %.2f | %.2f |" % (sys.argv[2], len(ms), statistics.median(ms), ms[-1]))
	EOF
}

echo
echo "server time per page, $N patterns (ms, from the access log):"
echo "| page | fetches | median | worst |"
echo "|---|---|---|---|"
page "list, page 1" "/ui/"
page "list, page 2" "/ui/?page=2"
page "list, page 400 (OFFSET 9,975)" "/ui/?page=400"
page "filter: type" "/ui/?type=refactoring"
page "filter: type + language" "/ui/?type=bug_fix&language=go"
page "search: rare word (scans)" "/ui/?q=f99999"
page "search: common word" "/ui/?q=fixed"
page "a pattern" "/ui/patterns/$ID"
page "adapters" "/ui/adapters"

echo
LIST=$(curl -s -b "gp_session=$TOKEN" "$URL/ui/" | wc -c)
CSS=$(curl -s "$URL/ui/assets/style.css" | wc -c)
echo "page weight: list page $LIST bytes + stylesheet $CSS bytes = $((LIST + CSS)) bytes"
echo
echo "-- wrk -t2 -c16 -d$DUR GET /ui/ (signed in), access log off"
kill -TERM "$SERVER"; wait "$SERVER" || true
"$BIN" serve --listen 127.0.0.1:$PORT --db "$DB" --threads 4 --access-log none 2>>"$TMP/server.err" &
SERVER=$!
for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done
wrk -t2 -c16 -d"$DUR" -H "Cookie: gp_session=$TOKEN" "$URL/ui/" | grep -E "Requests/sec|Latency|Non-2xx|Transfer"
