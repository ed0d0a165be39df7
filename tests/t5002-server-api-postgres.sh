#!/bin/sh
test_description='team server API on PostgreSQL, and recovery when it restarts'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

use_postgres
. "$TEST_SRC/lib-server-api.sh"

test_expect_success 'the schema is valid PostgreSQL with the seed tables and indexes' '
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At \
		-c "SELECT indexname FROM pg_indexes WHERE tablename = '"'"'patterns'"'"' ORDER BY 1" >idx &&
	test_grep "^idx_problem_type$" idx &&
	test_grep "^idx_success_count$" idx &&
	test_grep "^unique_solution$" idx &&
	as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -At \
		-c "SELECT max(version) FROM schema_migrations" >ver &&
	test "$(cat ver)" -ge 1
'

test_expect_success 'commands on a migrated database say nothing on stderr (no NOTICE)' '
	test_grep "^Added key 1 for alice" keys.err &&
	test_grep -v "NOTICE" keys.err &&
	git patterns server list-keys --db "$DB_URL" >keys.out 2>keys2.err &&
	test_must_be_empty keys2.err &&
	test_grep "alice" keys.out
'

test_expect_success 'a second server on the same database shares everything' '
	port2=$(free_port) &&
	(git-patterns serve --listen 127.0.0.1:$port2 --db "$DB_URL" --access-log none 2>s2.log & echo $! >s2.pid) &&
	cat s2.pid >>"$EXTRA_PIDS" &&
	wait_for_health http://127.0.0.1:$port2 &&
	curl -s -H "X-API-Key: $ALICE" "http://127.0.0.1:$port2/patterns?limit=1" >two.json &&
	expect_status 200 GET "/patterns?limit=1" &&
	test "$(json_get two.json "d[\"total\"]")" = "$(json_get out.json "d[\"total\"]")" &&
	curl -s -H "X-API-Key: $ALICE" -H "Content-Type: application/json" \
		-d "{\"problem_type\":\"bug_fix\",\"code_before\":\"via two\",\"code_after\":\"x\"}" \
		"http://127.0.0.1:$port2/patterns" >made.json &&
	expect_status 200 GET "/patterns/$(json_get made.json "d[\"id\"]")" &&
	kill -TERM $(cat s2.pid)
'

cat >feed.py <<'EOF'
# Two servers on one database take batches concurrently while a reader
# follows the change feed through both: when the writers are done, the
# reader's cursor must have seen every pattern (none skipped by a commit
# that landed behind the cursor). Without the change lock in
# serverdb-pg.c this fails.
import json, os, sys, threading, requests, concurrent.futures as cf
urls, key = sys.argv[1:3], os.environ["ALICE"]
H = {"X-API-Key": key}
# start the cursor at the current end of the feed
since = 0
while True:
    d = requests.get(urls[0] + "/patterns", params={"since": since, "limit": 200}, headers=H).json()
    since = d["next_since"]
    if not d["has_more"]:
        break
seen, done = set(), threading.Event()
def reader():
    global since
    i = 0
    while True:
        finished = done.is_set()
        d = requests.get(urls[i % 2] + "/patterns", params={"since": since, "limit": 50}, headers=H).json()
        i += 1
        for p in d["patterns"]:
            assert p["change_seq"] > since
            seen.add(p["id"])
        since = d["next_since"]
        if finished and not d["has_more"]:
            return
def writer(b):
    items = [{"problem_type": "bug_fix", "code_before": "feed %d" % (b * 5 + i), "code_after": "y"} for i in range(5)]
    r = requests.post(urls[b % 2] + "/patterns", json=items, headers=H)
    assert r.status_code in (200, 201), r.text
    return [x["id"] for x in r.json()["results"]]
t = threading.Thread(target=reader); t.start()
with cf.ThreadPoolExecutor(16) as ex:
    ids = set(i for batch in ex.map(writer, list(range(200)) * 2) for i in batch)
done.set(); t.join()
assert len(ids) == 1000, len(ids)
missing = ids - seen
assert not missing, "the feed skipped %d patterns" % len(missing)
print("ok: %d patterns, all seen in the feed" % len(ids))
EOF

test_expect_success 'two servers, concurrent batches: the change feed never skips a commit' '
	port2=$(free_port) &&
	(git-patterns serve --listen 127.0.0.1:$port2 --db "$DB_URL" --access-log none 2>s3.log & echo $! >s3.pid) &&
	cat s3.pid >>"$EXTRA_PIDS" &&
	wait_for_health http://127.0.0.1:$port2 &&
	"$PYTHON" feed.py "$SERVER_URL" http://127.0.0.1:$port2 &&
	kill -TERM $(cat s3.pid)
'

test_expect_success 'PostgreSQL stops: /health answers 503 "disconnected", API 503' '
	pg_ctl_do stop >/dev/null &&
	wait_for_health "$SERVER_URL" 503 &&
	curl -s "$SERVER_URL/health" >h.json &&
	test "$(json_get h.json "d[\"database\"]")" = disconnected &&
	expect_status 503 GET "/patterns?limit=1" &&
	json_get out.json "d[\"detail\"]"
'

test_expect_success 'PostgreSQL starts again: the same server serves again' '
	pg_ctl_do start >/dev/null &&
	wait_for_health "$SERVER_URL" 200 &&
	expect_status 200 GET "/patterns?limit=1" &&
	expect_status 201 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"after restart\",\"code_after\":\"x\"}" &&
	kill -0 $SERVER_PID
'

stop_server
echo $? >stop.rc
test_expect_success 'SIGTERM stops the server cleanly (exit 0)' '
	test "$(cat stop.rc)" = 0
'
test_done
