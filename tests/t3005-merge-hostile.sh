#!/bin/sh
test_description='merge-adapters against inputs and outputs that are not what
they seem: a file truncated while it is read (also on the server), an output
that is a device, FIFO or socket, a FIFO input, weights that overflow'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

PYTHONPATH=$TEST_SRC
export PYTHONPATH

# mk.py FILE MIB: a safetensors file of one F32 tensor of MIB MiB (sparse)
cat >mk.py <<'PY'
import json, os, struct, sys
path, mib = sys.argv[1], int(sys.argv[2])
n = mib << 20
hdr = json.dumps({"w": {"dtype": "F32", "shape": [n // 4], "data_offsets": [0, n]}}).encode()
hdr += b" " * (-len(hdr) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(hdr)) + hdr)
    f.write(b"\x3f" * 4096)      # some real data at the start
    f.truncate(8 + len(hdr) + n)
PY

# cut.py WATCH_GLOB VICTIM CMD...: run CMD; as soon as WATCH_GLOB matches
# (the merge has begun writing), truncate VICTIM to 1 MiB. Prints whether
# the cut came while CMD ran, then CMD's exit code.
cat >cut.py <<'PY'
import glob, os, subprocess, sys, time
watch, victim, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
err = open("cut.err", "wb")
p = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL)
cut = False
t = time.time()
while p.poll() is None and time.time() - t < 60:
    if glob.glob(watch):
        os.truncate(victim, 1 << 20)
        cut = True
        break
    time.sleep(0.0005)
rc = p.wait(timeout=120)
print("cut-during" if cut else "cut-never", rc)
PY

test_expect_success 'setup: two 256 MiB adapters' '
	"$PYTHON" mk.py s0.safetensors 1 &&
	"$PYTHON" mk.py a.safetensors 256 &&
	"$PYTHON" mk.py b.safetensors 256 &&
	git patterns merge-adapters --no-record -q --adapters a.safetensors b.safetensors \
		--output ok.safetensors &&
	test -f ok.safetensors && rm ok.safetensors ok.safetensors.meta.json
'

test_expect_success 'an input truncated during the merge: exit 1, named, no temporary file' '
	"$PYTHON" cut.py "out.safetensors.tmp-*" b.safetensors \
		git patterns merge-adapters --no-record -q --threads 2 \
		--adapters a.safetensors b.safetensors --output out.safetensors >cut.out &&
	cat cut.out cut.err &&
	echo "cut-during 1" >expect &&
	test_cmp expect cut.out &&
	test_grep "b.safetensors.* changed while it was read" cut.err &&
	! ls out.safetensors* 2>/dev/null
'

if test "$(id -u)" = 0 && mknod null c 1 3 2>/dev/null; then
	test_set_prereq MKNOD
fi
test_expect_success MKNOD 'a device as --output is refused; the device stays' '
	test_expect_code 129 git patterns merge-adapters --no-record -q \
		--adapters s0.safetensors --output null 2>err &&
	test_grep "null.* exists and is not a regular file" err &&
	test -c null &&
	! test -e null.meta.json
'

test_expect_success 'a FIFO or a socket as --output is refused before writing anything' '
	"$PYTHON" mk.py s1.safetensors 1 &&
	"$PYTHON" mk.py s2.safetensors 1 &&
	mkfifo fifo.safetensors &&
	test_expect_code 129 git patterns merge-adapters --no-record -q \
		--adapters s1.safetensors s2.safetensors --output fifo.safetensors 2>err &&
	test_grep "fifo.safetensors.* exists and is not a regular file" err &&
	test -p fifo.safetensors &&
	! test -e fifo.safetensors.meta.json &&
	"$PYTHON" -c "import socket; socket.socket(socket.AF_UNIX).bind(\"sock.safetensors\")" &&
	test_expect_code 129 git patterns merge-adapters --no-record -q \
		--adapters s1.safetensors s2.safetensors --output sock.safetensors 2>err &&
	test_grep "not a regular file" err &&
	test -S sock.safetensors &&
	mkfifo meta-fifo.safetensors.meta.json &&
	test_expect_code 129 git patterns merge-adapters --no-record -q \
		--adapters s1.safetensors s2.safetensors --output meta-fifo.safetensors 2>err &&
	test_grep "meta-fifo.safetensors.meta.json.* not a regular file" err &&
	! test -e meta-fifo.safetensors
'

test_expect_success 'a FIFO as an input is refused at once, not waited on' '
	mkfifo in.safetensors &&
	test_expect_code 1 timeout 10 git patterns merge-adapters --no-record -q \
		--adapters s1.safetensors in.safetensors --output o.safetensors 2>err &&
	test_grep "in.safetensors.* not a regular file" err
'

test_expect_success 'weights whose sum overflows get a message that says so' '
	test_expect_code 129 git patterns merge-adapters --no-record -q \
		--adapters s1.safetensors s2.safetensors --weights 1e308 1e308 \
		--output o.safetensors 2>err &&
	test_grep "sum of the weights overflows" err
'

# the server: a stored adapter truncated while POST /adapters/merge reads it
ADMIN=$(git patterns server add-key root --admin --db "sqlite:$TRASH/s.db" 2>keys.err)
KEY=$ADMIN
export KEY
start_server "sqlite:$TRASH/s.db" --adapter-dir "$TRASH/adapters" --access-log none

upload() {
	curl -s -o up.json -w "%{http_code}" -H "X-API-Key: $KEY" \
		-H "Content-Type: application/octet-stream" --data-binary @"$1" \
		"$SERVER_URL/adapters?name=$2"
}

test_expect_success 'server: a stored adapter truncated during a merge; the server keeps serving' '
	"$PYTHON" mk.py a.safetensors 256 &&
	"$PYTHON" mk.py b.safetensors 256 &&
	test "$(upload a.safetensors va)" = 201 &&
	ida=$(json_get up.json "d[\"id\"]") &&
	test "$(upload b.safetensors vb)" = 201 &&
	idb=$(json_get up.json "d[\"id\"]") &&
	"$PYTHON" cut.py "adapters/.merge-*/adapter_model.safetensors.tmp-*" \
		"adapters/$idb.safetensors" \
		curl -s -o merge.json -w "%{http_code}" -X POST -H "X-API-Key: $KEY" \
		-d "{\"adapter_ids\": [\"$ida\", \"$idb\"], \"version_name\": \"m1\"}" \
		"$SERVER_URL/adapters/merge" >cut.out &&
	cat cut.out merge.json &&
	test_grep "^cut-during 0" cut.out &&
	test_grep "changed while it was read" merge.json &&
	kill -0 $SERVER_PID &&
	test "$(curl -s -o /dev/null -w "%{http_code}" "$SERVER_URL/health")" = 200 &&
	! ls -d adapters/.merge-* 2>/dev/null
'

stop_server
mkdir adapters/.merge-0190aaaa-crash &&
echo x >adapters/.merge-0190aaaa-crash/adapter_model.safetensors.tmp-1234
start_server "sqlite:$TRASH/s.db" --adapter-dir "$TRASH/adapters" --access-log none
test_expect_success 'server: what a crashed merge left is removed at start' '
	! test -e adapters/.merge-0190aaaa-crash &&
	test_grep "removed what crashed merges" server.log
'

test_done
