#!/bin/bash
# bench/hostile.sh: what hostile clients cost the team server (issue 13).
#
#   bench/hostile.sh [BIN]     (default: build/bin/git-patterns)
#
# On a fresh SQLite server on loopback:
#  1. eight 16 MiB bodies "[0,0,...]" (8M values) POSTed to /patterns in
#     parallel: their statuses, the wall time, the server's CPU seconds and
#     peak RSS, and /health's worst latency meanwhile;
#  2. 4,500 connections that each send one header byte every 2 s, from 45
#     loopback addresses (100 each), for 40 s: how many the server kept
#     open after 5 s and after 35 s, and /health's answers and worst
#     latency meanwhile (a new connection every half second).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-$PWD/build/bin/git-patterns}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/gp-hostile.XXXXXX)
SERVER=
cleanup() {
	[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
ulimit -n 20000 2>/dev/null || true
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY=$("$BIN" server add-key bench --db "sqlite:$TMP/s.db" 2>/dev/null)
"$BIN" serve --listen 127.0.0.1:$PORT --db "sqlite:$TMP/s.db" --access-log none 2>"$TMP/log" &
SERVER=$!
for i in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done

$PY - "$PORT" "$KEY" "$SERVER" "$TMP" <<'PY'
import os, socket, sys, threading, time, urllib.request
port, key, pid, tmp = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
url = "http://127.0.0.1:%d" % port

def cpu():
    f = open("/proc/%d/stat" % pid).read().split(")")[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def hwm():
    for l in open("/proc/%d/status" % pid):
        if l.startswith("VmHWM"):
            return int(l.split()[1]) // 1024
def health(src="127.0.0.250"):
    t = time.time()
    try:
        c = socket.socket(); c.bind((src, 0)); c.settimeout(10)
        c.connect(("127.0.0.1", port))
        c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        ok = c.recv(100).startswith(b"HTTP/1.1 200")
        c.close()
    except OSError:
        ok = False
    return ok, time.time() - t

# 1. eight 16 MiB arrays
n = 8 * 1024 * 1024 - 1
body = ("[" + "0," * (n - 1) + "0]").encode()
codes = []
def post():
    r = urllib.request.Request(url + "/patterns", data=body, method="POST",
                               headers={"X-API-Key": key, "Content-Type": "application/json"})
    try:
        codes.append(urllib.request.urlopen(r, timeout=120).status)
    except urllib.error.HTTPError as e:
        codes.append(e.code)
c0, t0 = cpu(), time.time()
ts = [threading.Thread(target=post) for _ in range(8)]
for t in ts: t.start()
worst = 0
while any(t.is_alive() for t in ts):
    ok, d = health(); worst = max(worst, d if ok else 99)
    time.sleep(0.05)
for t in ts: t.join()
print("8 x 16 MiB [0,...]: statuses %s, %.2f s wall, %.2f s server CPU, peak RSS %d MiB, "
      "/health worst %.3f s" % (sorted(set(codes)), time.time() - t0, cpu() - c0, hwm(), worst))

# 2. 4,500 trickling connections
socks = []
for a in range(45):
    for i in range(100):
        s = socket.socket(); s.bind(("127.0.0.%d" % (a + 2), 0)); s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port)); s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            s.close()
def alive():
    n = 0
    for s in socks:
        if s.fileno() < 0: continue
        try:
            s.sendall(b"X"); s.setblocking(False)
            try:
                if s.recv(1) == b"": raise ConnectionResetError
            except BlockingIOError:
                pass
            s.setblocking(True); n += 1
        except OSError:
            s.close()
    return n
start, answers, worst, seen = time.time(), [], 0, {}
while time.time() - start < 40:
    k = int(time.time() - start)
    if k % 2 == 0 and k not in seen:
        seen[k] = alive()
    ok, d = health(); answers.append(ok); worst = max(worst, d)
    time.sleep(0.5)
print("4,500 trickling connections: %d opened, open after ~4 s: %d, after ~34 s: %d; "
      "/health %d/%d answered, worst %.3f s" %
      (len(socks), seen.get(4, -1), seen.get(34, -1), sum(answers), len(answers), worst))
PY
