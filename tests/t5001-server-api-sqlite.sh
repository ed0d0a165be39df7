#!/bin/sh
test_description='team server API on the embedded SQLite backend'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/server.db"
. "$TEST_SRC/lib-server-api.sh"

# SIGTERM while batches are in flight: each batch is all or nothing, and
# every batch that got an answer is stored.
cat >shutdown.py <<'EOF'
import json, os, sys, threading, time, requests
url, key = os.environ["SERVER_URL"], os.environ["ALICE"]
bodies = [json.dumps([{"problem_type": "bug_fix", "code_before": "shut %d %d" % (b, i),
                       "code_after": "x"} for i in range(1000)]) for b in range(8)]
status = [None] * 8
def post(b):
    try:
        r = requests.post(url + "/patterns", data=bodies[b], timeout=60,
                          headers={"X-API-Key": key, "Content-Type": "application/json"})
        status[b] = r.status_code
    except requests.exceptions.RequestException as e:
        status[b] = "error"
ts = [threading.Thread(target=post, args=(b,)) for b in range(8)]
for t in ts:
    t.start()
    time.sleep(0.01)
open("started", "w").close()
for t in ts:
    t.join()
json.dump(status, open("shutdown.json", "w"))
EOF
"$PYTHON" shutdown.py &
SHUT_PID=$!
i=0; while ! test -f started && test $i -lt 200; do sleep 0.02; i=$((i + 1)); done
stop_server
echo $? >stop.rc
wait $SHUT_PID
test_expect_success 'SIGTERM stops the server cleanly (exit 0)' '
	test "$(cat stop.rc)" = 0 &&
	test_grep "server stopped" server.log
'
test_expect_success 'batches in flight at SIGTERM are whole or absent; answered ones stored' '
	cat shutdown.json &&
	for b in 0 1 2 3 4 5 6 7; do
		n=$(sqlite3 "$TRASH/server.db" "SELECT count(*) FROM patterns WHERE code_before LIKE '"'"'shut $b %'"'"'") &&
		st=$(json_get shutdown.json "d[$b]") &&
		echo "batch $b: $st, $n stored" &&
		{ test $n = 0 || test $n = 1000; } &&
		case $st in 20?) test $n = 1000 ;; esac || return 1
	done &&
	json_get shutdown.json "sum(1 for s in d if s in (200, 201))" >answered &&
	test $(cat answered) -ge 1
'

test_expect_success 'the database is consistent after the stop' '
	sqlite3 "$TRASH/server.db" "PRAGMA integrity_check" >check &&
	echo ok >expect &&
	test_cmp expect check &&
	sqlite3 "$TRASH/server.db" "SELECT (SELECT value FROM counters WHERE name = '"'"'patterns'"'"') = (SELECT count(*) FROM patterns)" >same &&
	echo 1 >expect &&
	test_cmp expect same
'
test_done
