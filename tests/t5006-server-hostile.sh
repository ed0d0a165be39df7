#!/bin/sh
test_description='team server under hostile clients: slow connections, huge or
malformed JSON, invalid UTF-8, odd HTTP; on SQLite and PostgreSQL'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

# raw.py: one request written byte for byte on a fresh connection; prints
# the status code and the seconds until it came ("none" if the server
# closed without answering).
cat >raw.py <<'PY'
import os, socket, sys, time
port = int(os.environ["SERVER_PORT"])
data = sys.stdin.buffer.read().replace(b"@KEY@", os.environ.get("KEY", "").encode())
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(10)
t = time.time()
s.sendall(data)
try:
    r = s.recv(4096)
except OSError:
    r = b""
status = r.split(b" ")[1].decode() if r.startswith(b"HTTP/1.1 ") else "none"
print(status, round(time.time() - t, 1))
body = r.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in r else b""
open("raw.body", "wb").write(body)
PY
raw() { "$PYTHON" raw.py >raw.out && cat raw.out && cut -d" " -f1 raw.out; }

# trickle.py N ADDRS SECONDS: N connections from each loopback address of
# ADDRS, each sending one more header byte every half second; /health is
# asked from 127.0.0.99 and from the first of ADDRS meanwhile. trickle.json: the /health answers (ok,
# seconds) and, per second, how many connections per address were open.
cat >trickle.py <<'PY'
import json, os, socket, sys, time
port = int(os.environ["SERVER_PORT"])
per_addr, addrs, run_for = int(sys.argv[1]), sys.argv[2].split(","), float(sys.argv[3])
socks = []
for a in addrs:
    for i in range(per_addr):
        s = socket.socket()
        s.bind((a, 0))
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            socks.append((a, s))
        except OSError:
            s.close()
time.sleep(0.3)
def alive(s):
    if s.fileno() < 0:
        return False
    try:
        s.sendall(b"X")
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                raise ConnectionResetError
        except BlockingIOError:
            pass
        s.setblocking(True)
        return True
    except OSError:
        s.close()
        return False
health, open_at = [], []
start = time.time()
while time.time() - start < run_for:
    t = time.time()
    counts = {a: 0 for a in addrs}
    for a, s in socks:
        counts[a] += alive(s)
    open_at.append([round(t - start, 1), counts])
    # from a fresh address, and from the first slow client's own
    for src in ("127.0.0.99", addrs[0]):
        t = time.time()
        try:
            c = socket.socket(); c.bind((src, 0)); c.settimeout(3)
            c.connect(("127.0.0.1", port))
            c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            ok = c.recv(100).startswith(b"HTTP/1.1 200")
            c.close()
        except OSError:
            ok = False
        health.append([ok, round(time.time() - t, 2)])
    time.sleep(0.5)
json.dump({"health": health, "open": open_at}, open("trickle.json", "w"))
PY

ALICE=$(git patterns server add-key alice --db "sqlite:$TRASH/s.db" 2>keys.err)
KEY=$ALICE
export KEY

start_server "sqlite:$TRASH/s.db" --request-timeout 3 --max-connections 300 \
	--max-connections-per-address 40 --access-log none

test_expect_success 'slow clients: 40 per address, cut at the deadline, /health answers, even from their address' '
	"$PYTHON" trickle.py 100 127.0.0.1,127.0.0.2,127.0.0.3 7 &&
	cat trickle.json &&
	# /health always answered, and at once
	test "$(json_get trickle.json "all(ok and t < 1.5 for ok, t in d[\"health\"])")" = True &&
	# no address ever held more than its 40 connections
	test "$(json_get trickle.json "max(max(c.values()) for t, c in d[\"open\"])")" -le 40 &&
	# a trickle does not reset the deadline: all gone 3 s (+ sweep) after connecting
	test "$(json_get trickle.json "sum(sum(c.values()) for t, c in d[\"open\"] if t > 4.5)")" = 0 &&
	# ... but until then, each address had its 40
	test "$(json_get trickle.json "sum(d[\"open\"][0][1].values())")" = 120
'

test_expect_success 'slow clients from many addresses: the cap keeps a tenth free' '
	"$PYTHON" trickle.py 50 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8 2 &&
	cat trickle.json &&
	test "$(json_get trickle.json "all(ok and t < 1.5 for ok, t in d[\"health\"])")" = True &&
	test "$(json_get trickle.json "max(sum(c.values()) for t, c in d[\"open\"])")" -le 270
'

test_expect_success 'a 16 MiB array of zeros is a quick 413; memory stays bounded' '
	"$PYTHON" -c "import sys; n = 8 * 1024 * 1024 - 1; sys.stdout.write(\"[\" + \"0,\" * (n - 1) + \"0]\")" >zeros.json &&
	test $(wc -c <zeros.json) -lt $((16 * 1024 * 1024)) &&
	for i in 1 2 3 4; do
		curl -s -o z$i.out -w "%{http_code}\n" -H "X-API-Key: $KEY" \
			-H "Content-Type: application/json" --data-binary @zeros.json \
			"$SERVER_URL/patterns" >z$i.code &
	done &&
	wait &&
	cat z1.code z2.code z3.code z4.code >codes &&
	printf "413\n413\n413\n413\n" >expect &&
	test_cmp expect codes &&
	test_grep "more than 100000 JSON values" z1.out &&
	hwm=$(sed -n "s/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p" /proc/$SERVER_PID/status) &&
	echo "server peak RSS: $hwm kB" &&
	test "$hwm" -lt 200000
'

test_expect_success 'a batch of 1000 patterns is still taken' '
	"$PYTHON" -c "import json; print(json.dumps([{\"problem_type\": \"bug_fix\", \"code_before\": \"b%d\" % i, \"code_after\": \"a\", \"tags\": [\"x\"]} for i in range(1000)]))" >batch.json &&
	test "$(api POST /patterns @batch.json)" = 201
'

# a body with a bad \u escape or a NUL must not be stored cut
post_raw() {
	printf "POST /patterns HTTP/1.1\r\nHost: x\r\nX-API-Key: @KEY@\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" \
		$(wc -c <"$1") >req && cat "$1" >>req && raw <req
}

test_expect_success 'malformed JSON (a bad \u escape) is 400; NUL in a string is 422; nothing stored' '
	printf "{\"problem_type\":\"bug_fix\",\"code_before\":\"keep\\\\uZZZZ lost\",\"code_after\":\"y\"}" >badu.json &&
	test_grep "uZZZZ" badu.json &&
	test "$(post_raw badu.json | tail -n1)" = 400 &&
	printf "{\"problem_type\":\"bug_fix\",\"code_before\":\"keep\\000 lost\",\"code_after\":\"y\"}" >nul.json &&
	test $(tr -d "\\000" <nul.json | wc -c) -lt $(wc -c <nul.json) &&
	test "$(post_raw nul.json | tail -n1)" = 422 &&
	printf "{\"problem_type\":\"bug_fix\",\"code_before\":\"half \\\\ud800 surrogate\",\"code_after\":\"y\"}" >sur.json &&
	test "$(post_raw sur.json | tail -n1)" = 400 &&
	test "$(sqlite3 "$TRASH/s.db" "SELECT count(*) FROM patterns WHERE code_before LIKE '"'"'keep%'"'"' OR code_before LIKE '"'"'half%'"'"'")" = 0
'

# invalid UTF-8 in query parameters and ids: 422 or 404, never 500
check_utf8() {
	for q in "language=%ff" "problem_type=%ff" "project_id=%c3%28" "q=%c3%28"; do
		test "$(api GET "/patterns?$q")" = 422 || { echo "GET /patterns?$q"; cat out.json; return 1; }
	done &&
	test "$(api GET /patterns/%ff)" = 404 &&
	test "$(api DELETE /patterns/%ff)" = 404 &&
	test "$(api GET /adapters/%ff/file)" = 404 &&
	test "$(KEY=$1 api POST /adapters/%ff/activate)" = 404 &&
	test "$(KEY=$1 api DELETE /adapters/%ff)" = 404
}

ROOT=$(git patterns server add-key root --admin --db "sqlite:$TRASH/s.db" 2>>keys.err)
test_expect_success 'invalid UTF-8 in a query is 422, in an id 404 (SQLite)' '
	check_utf8 "$ROOT"
'

test_expect_success 'HTTP/1.1 without Host is 400' '
	printf "GET /health HTTP/1.1\r\n\r\n" | raw >out &&
	test "$(tail -n1 out)" = 400 &&
	printf "GET /health HTTP/1.0\r\n\r\n" | raw >out &&
	test "$(tail -n1 out)" = 200
'

test_expect_success 'an unknown Transfer-Encoding is 501 at once' '
	printf "POST /patterns HTTP/1.1\r\nHost: x\r\nX-API-Key: @KEY@\r\nTransfer-Encoding: gzip\r\n\r\nabc" | raw >out &&
	test "$(tail -n1 out)" = 501 &&
	test "$(head -n1 out | cut -d" " -f2 | cut -d. -f1)" -lt 2
'

test_expect_success 'a 65,000-byte URL is 414, like a 70,000-byte one' '
	for n in 9000 65000 70000; do
		"$PYTHON" -c "import sys; sys.stdout.write(\"GET /\" + \"a\" * $n + \" HTTP/1.1\r\nHost: x\r\n\r\n\")" >long.req &&
		raw <long.req >out &&
		test "$(tail -n1 out)" = 414 || return 1
	done
'

test_expect_success '%00 in a path is 404, in a parameter 422' '
	printf "GET /health%%00x HTTP/1.1\r\nHost: x\r\n\r\n" | raw >out &&
	test "$(tail -n1 out)" = 404 &&
	test "$(api GET "/patterns?language=py%00thon")" = 422 &&
	test "$(api GET "/patterns?q=a+b%20c")" = 200
'

cat >upload-cut.py <<'PY'
import glob, os, socket, sys, time
port, key, folder = int(os.environ["SERVER_PORT"]), os.environ["KEY"], sys.argv[1]
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /adapters HTTP/1.1\r\nHost: x\r\nX-API-Key: " + key.encode() +
          b"\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000000\r\n\r\n")
s.sendall(b"\0" * (8 << 20))
t = time.time()
while not glob.glob(folder + "/gp-upload.*") and time.time() - t < 5:
    time.sleep(0.02)
print("during:", len(glob.glob(folder + "/gp-upload.*")))
s.close()
t = time.time()
while glob.glob(folder + "/gp-upload.*") and time.time() - t < 5:
    time.sleep(0.02)
print("after: %d %.1f" % (len(glob.glob(folder + "/gp-upload.*")), time.time() - t))
PY

test_expect_success 'an upload cut halfway leaves no temporary file' '
	"$PYTHON" upload-cut.py "$TRASH/adapters" >cut.out &&
	cat cut.out &&
	test_grep "during: 1" cut.out &&
	test_grep "after: 0 [01]\." cut.out
'

test_expect_success 'HEAD is answered as GET, without a body (a load balancer checking /health)' '
	curl -s -I "$SERVER_URL/health" >head.txt &&
	test_grep "^HTTP/1.1 200" head.txt &&
	test_grep "^Content-Type: application/json" head.txt &&
	curl -s -I -H "X-API-Key: $KEY" "$SERVER_URL/patterns?limit=1" >head.txt &&
	test_grep "^HTTP/1.1 200" head.txt &&
	curl -s -I "$SERVER_URL/patterns" >head.txt &&
	test_grep "^HTTP/1.1 401" head.txt &&
	printf "HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >req &&
	test "$(raw <req | tail -n1)" = 200 &&
	test_must_fail test -s raw.body
'

test_expect_success 'recall: a language or problem_type that is not a string is 422' '
	expect_status 200 POST /patterns/recall "{\"code\":\"x\",\"language\":null}" &&
	expect_status 422 POST /patterns/recall "{\"code\":\"x\",\"language\":5}" &&
	expect_status 422 POST /patterns/recall "{\"code\":\"x\",\"language\":[\"go\"]}" &&
	expect_status 422 POST /patterns/recall "{\"code\":\"x\",\"problem_type\":true}"
'

test_expect_success 'the server still answers' '
	test "$(api GET /patterns?limit=1)" = 200
'
stop_server

if start_postgres >pg-start.log 2>&1; then
	PG_ALICE=$(git patterns server add-key alice --db "$PG_URL" 2>>keys.err)
	PG_ROOT=$(git patterns server add-key root --admin --db "$PG_URL" 2>>keys.err)
	start_server "$PG_URL" --access-log none
else
	cat pg-start.log
fi

test_expect_success POSTGRES 'invalid UTF-8 in a query is 422, in an id 404 (PostgreSQL)' '
	KEY=$PG_ALICE check_utf8 "$PG_ROOT"
'

test_expect_success POSTGRES 'a bad \u escape or a NUL is refused on PostgreSQL too' '
	KEY=$PG_ALICE &&
	test "$(post_raw badu.json | tail -n1)" = 400 &&
	test "$(post_raw nul.json | tail -n1)" = 422 &&
	test "$(api GET "/patterns?q=keep")" = 200 &&
	test "$(json_get out.json "d[\"total\"]")" = 0
'

test_done
