#!/bin/bash
# bench/adapters.sh: adapter upload and download through the team server on
# loopback, and the server's memory while it streams them.
#
#   bench/adapters.sh [SIZE_MIB]     (default 1024: a 1 GiB adapter)
#   ADAPTER_DIR=/dev/shm/x bench/adapters.sh   (the server's folder on tmpfs:
#                                               the server without the disk)
#
# SQLite backend, adapter folder on the same disk as the input. For each of
# ROUNDS rounds (default 3): upload with `git patterns adapters push` and
# with curl -T (both stream the file), download with curl to /dev/null (the
# server and loopback alone), with curl to a file, and with
# `git patterns adapters pull` (to a file, hashing it on the way, and it
# checks the SHA-256 against the server's record). The server's RSS is read from /proc when idle and its high-water
# mark (VmHWM) after all transfers: growth = VmHWM - idle RSS. Page cache
# is warm (the file was just written); the server fsyncs every upload
# before answering, so upload times include writing it to disk. The
# server's CPU seconds per transfer are printed too: on a busy machine they
# say what the server itself costs, whatever the wall-clock rate.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
ROUNDS=${ROUNDS:-3}
PY=/usr/bin/python3

make -j2 >/dev/null
BIN=$PWD/build/bin/git-patterns
TMP=$(mktemp -d /tmp/gp-bench-adapters.XXXXXX)
SERVER=
cleanup() {
	[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
	rm -rf "$TMP"
	[ -z "${ADAPTER_DIR:-}" ] || rm -rf "$ADAPTER_DIR"
}
trap cleanup EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
now() { date +%s.%N; }
# CPU seconds (user + system) the server has used so far
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$SERVER/stat"; }
cpus() { $PY -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
rate() { $PY -c "import sys; print('%.0f' % ($SIZE_MIB / (float(sys.argv[2]) - float(sys.argv[1]))))" "$1" "$2"; }
secs() { $PY -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

# a valid safetensors file: one F16 tensor of SIZE_MIB MiB (real blocks, not sparse)
$PY - "$TMP/big.safetensors" "$SIZE_MIB" <<'EOF'
import json, struct, sys
n = int(sys.argv[2]) << 20
h = json.dumps({"w": {"dtype": "F16", "shape": [n // 2], "data_offsets": [0, n]}}).encode()
h += b" " * (-len(h) % 8)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    chunk = bytes(range(256)) * 4096
    for _ in range(n // len(chunk)):
        f.write(chunk)
EOF

PORT=$(free_port)
"$BIN" server add-key bench --db "sqlite:$TMP/server.db" >"$TMP/key" 2>/dev/null
KEY=$(cat "$TMP/key")
ADMIN=$("$BIN" server add-key admin --admin --db "sqlite:$TMP/server.db" 2>/dev/null)
ADIR=${ADAPTER_DIR:-$TMP/adapters}
mkdir -p "$ADIR"
"$BIN" serve --listen 127.0.0.1:$PORT --db "sqlite:$TMP/server.db" --adapter-dir "$ADIR" \
	--access-log none 2>"$TMP/server.log" &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
URL=http://127.0.0.1:$PORT
export GIT_PATTERNS_API_KEY=$KEY
IDLE=$(rss_kib $SERVER VmRSS)

echo "adapter: $SIZE_MIB MiB; adapter folder $ADIR ($(df --output=fstype "$ADIR" | tail -1)); server idle RSS $((IDLE / 1024)) MiB; $(nproc) CPUs (shared machine)"
for r in $(seq "$ROUNDS"); do
	# each transfer starts with no dirty pages left by the one before, so
	# none pays for another's writeback
	sync
	c0=$(cpu)
	t0=$(now)
	"$BIN" adapters push "$TMP/big.safetensors" --name "cli-$r" --remote "$URL" >/dev/null
	t1=$(now)
	sync
	c1=$(cpu)
	t1=$(now)
	curl -sf -X POST -T "$TMP/big.safetensors" -H "X-API-Key: $KEY" \
		-H "Content-Type: application/octet-stream" "$URL/adapters?name=curl-$r" >"$TMP/up.json"
	t2=$(now)
	c2=$(cpu)
	id=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$TMP/up.json")
	curl -sf -H "X-API-Key: $KEY" -o /dev/null "$URL/adapters/$id/file"
	t2b=$(now)
	sync
	c3=$(cpu)
	t2b=$(now)
	curl -sf -H "X-API-Key: $KEY" -o "$TMP/down.curl" "$URL/adapters/$id/file"
	t3=$(now)
	sync
	t3=$(now)
	"$BIN" adapters pull "cli-$r" -o "$TMP/down.cli" --remote "$URL" >/dev/null
	t4=$(now)
	cmp "$TMP/big.safetensors" "$TMP/down.curl"
	cmp "$TMP/big.safetensors" "$TMP/down.cli"
	echo "round $r: upload push $(rate $t0 $t1) MiB/s ($(secs $t0 $t1) s), curl -T $(rate $t1 $t2) MiB/s;" \
	     "download curl >/dev/null $(rate $t2 $t2b) MiB/s, curl >file $(rate $t2b $t3) MiB/s," \
	     "pull >file (sha256 checked) $(rate $t3 $t4) MiB/s ($(secs $t3 $t4) s)"
	echo "         server CPU seconds: push $(cpus $c0 $c1), curl -T $(cpus $c1 $c2), download $(cpus $c2 $c3)"
	rm -f "$TMP/down.curl" "$TMP/down.cli"
	# keep the folder small (the first version is the active one and stays)
	for v in "cli-$r" "curl-$r"; do
		curl -s -o /dev/null -X DELETE -H "X-API-Key: $ADMIN" "$URL/adapters/$v"
	done
done
HWM=$(rss_kib $SERVER VmHWM)
echo "server RSS: idle $((IDLE / 1024)) MiB, high-water mark $((HWM / 1024)) MiB, growth $(((HWM - IDLE) / 1024)) MiB"
