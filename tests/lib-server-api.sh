# tests/lib-server-api.sh: the team server's API tests, run once per
# backend (t5001 SQLite, t5002 PostgreSQL). The caller sources lib.sh and
# lib-server.sh and sets DB_URL; this file ends with the server running.

ALICE=$(git patterns server add-key alice --db "$DB_URL" 2>keys.err)
BOB=$(git patterns server add-key bob --db "$DB_URL" 2>>keys.err)
ADMIN=$(git patterns server add-key root --admin --db "$DB_URL" 2>>keys.err)
KEY=$ALICE
export ALICE BOB ADMIN KEY

test_expect_success 'add-key prints a new random key once; list-keys never shows it' '
	echo "$ALICE" | grep -E "^gp_[0-9a-f]{64}$" &&
	echo "$BOB" | grep -E "^gp_[0-9a-f]{64}$" &&
	test "$ALICE" != "$BOB" &&
	git patterns server list-keys --db "$DB_URL" >list &&
	test_grep "alice +no" list &&
	test_grep "root +yes" list &&
	! grep -F "${ALICE#gp_}" list &&
	git patterns server list-keys --json --db "$DB_URL" >list.json &&
	test "$(json_get list.json "len(d[\"keys\"])")" = 3 &&
	! grep -F "${ALICE#gp_}" list.json
'

start_server "$DB_URL" --threads 4

test_expect_success 'seed: curl http://localhost:PORT/health' '
	curl "http://localhost:$SERVER_PORT/health" >health.json &&
	test "$(json_get health.json "d[\"status\"]")" = healthy &&
	test "$(json_get health.json "d[\"database\"]")" = connected &&
	json_get health.json "d[\"version\"]" >/dev/null
'

test_expect_success 'seed: POST /patterns with curl creates a pattern (201)' '
	curl -s -w "%{http_code}" -o created.json -X POST -H "X-API-Key: $ALICE" \
	-H "Content-Type: application/json" \
	-d '"'"'{"problem_type": "bug_fix", "code_before": "...", "code_after": "..."}'"'"' \
	"http://localhost:$SERVER_PORT/patterns" >code &&
	test "$(cat code)" = 201 &&
	test "$(json_get created.json "d[\"created_by\"]")" = alice &&
	test "$(json_get created.json "d[\"problem_type\"]")" = bug_fix &&
	test "$(json_get created.json "len(d[\"solution_hash\"])")" = 64 &&
	json_get created.json "d[\"id\"]" >id &&
	grep -E "^[0-9a-f-]{36}$" id
'

test_expect_success 'seed: GET /patterns?problem_type=bug_fix&limit=20 with curl' '
	curl -H "X-API-Key: $ALICE" \
	"http://localhost:$SERVER_PORT/patterns?problem_type=bug_fix&limit=20" >list.json &&
	test "$(json_get list.json "sorted(d.keys())")" = "['"'"'page'"'"', '"'"'patterns'"'"', '"'"'per_page'"'"', '"'"'total'"'"']" &&
	test "$(json_get list.json "(d[\"total\"], d[\"page\"], d[\"per_page\"])")" = "(1, 1, 20)" &&
	test "$(json_get list.json "d[\"patterns\"][0][\"code_before\"]")" = "..."
'

test_expect_success 'seed: POST /patterns/{id}/feedback with curl (the seed id is unknown: 404)' '
	curl -s -o fb.json -w "%{http_code}" -X POST -H "X-API-Key: $ALICE" \
	-H "Content-Type: application/json" \
	-d '"'"'{"helpful": true}'"'"' \
	"http://localhost:$SERVER_PORT/patterns/123e4567-e89b-12d3-a456-426614174000/feedback" >code &&
	test "$(cat code)" = 404 &&
	json_get fb.json "d[\"detail\"]" &&
	curl -s -o fb.json -w "%{http_code}" -X POST -H "X-API-Key: $ALICE" \
	-H "Content-Type: application/json" \
	-d '"'"'{"helpful": true}'"'"' \
	"http://localhost:$SERVER_PORT/patterns/$(cat id)/feedback" >code &&
	test "$(cat code)" = 200 &&
	test "$(json_get fb.json "d[\"success_count\"]")" = 1
'

test_expect_success 'the same code with trailing blanks is merged: 200, same id' '
	expect_status 200 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"...  \",\"code_after\":\"...\\t\"}" &&
	test "$(json_get out.json "d[\"id\"]")" = "$(cat id)"
'

test_expect_success 'solution_hash and created_by from the body are ignored' '
	expect_status 201 POST /patterns "{\"problem_type\":\"feature_addition\",\"code_before\":\"a\",\"code_after\":\"b\",\"solution_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"created_by\":\"mallory\"}" &&
	test "$(json_get out.json "d[\"created_by\"]")" = alice &&
	want=$(printf "a\0b" | sha256sum | cut -d" " -f1) &&
	test "$(json_get out.json "d[\"solution_hash\"]")" = "$want"
'

test_expect_success 'the JSONL spellings before_code/after_code are accepted' '
	expect_status 201 POST /patterns "{\"problem_type\":\"refactoring\",\"before_code\":\"old()\",\"after_code\":\"new()\",\"pattern_id\":\"0123456789abcdef\"}" &&
	test "$(json_get out.json "d[\"code_before\"]")" = "old()" &&
	test "$(json_get out.json "d[\"pattern_id\"]")" = 0123456789abcdef
'

# extract --output style lines (the extractor's fields, in its order)
cat >gen_jsonl.py <<'EOF'
import hashlib, json, sys
n, prefix = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    commit = hashlib.sha1(("%s%d" % (prefix, i)).encode()).hexdigest()
    path = "src/file%d.py" % i
    before = "def f%d_%s(x):\n    return x + %d\n" % (i, prefix, i)
    after = "def f%d_%s(x):\n    return x + %d  # fixed\n" % (i, prefix, i + 1)
    norm = lambda s: "\n".join(l.rstrip(" \t") for l in s.replace("\r\n", "\n").split("\n"))
    rec = {
        "pattern_id": hashlib.sha256(("%s:%s" % (commit, path)).encode()).hexdigest()[:16],
        "problem_type": "bug_fix" if i % 3 else "feature_addition",
        "before_code": before,
        "after_code": after,
        "commit_msg": "fix: off by one in f%d %s" % (i, prefix),
        "author": "dev%d@example.com" % (i % 4),
        "date": "2024-03-15 10:30:00",
        "confidence": 0.85 if i % 2 else 0.65,
        "commit": commit,
        "file_path": path,
        "language": "python",
        "solution_hash": hashlib.sha256((norm(before) + "\0" + norm(after)).encode()).hexdigest(),
        "author_name": "Dev %d" % (i % 4),
        "commit_body": "",
    }
    print(json.dumps(rec))
EOF

# the seed's upload loop, unchanged apart from the URL and key
cat >upload.py <<'EOF'
import json, os, sys
import requests

with open('patterns.jsonl') as f:
    for line in f:
        pattern = json.loads(line)
        requests.post(
            os.environ["SERVER_URL"] + "/patterns",
            headers={"X-API-Key": os.environ["KEY"]},
            json=pattern
        )
EOF

test_expect_success "the seed's Python upload loop stores every pattern once" '
	"$PYTHON" gen_jsonl.py 40 upload >patterns.jsonl &&
	KEY=$BOB "$PYTHON" upload.py &&
	expect_status 200 GET "/patterns?language=python&limit=200" &&
	test "$(json_get out.json "d[\"total\"]")" = 40 &&
	test "$(json_get out.json "len(set(p[\"pattern_id\"] for p in d[\"patterns\"]))")" = 40 &&
	test "$(json_get out.json "set(p[\"created_by\"] for p in d[\"patterns\"])")" = "{'"'"'bob'"'"'}"
'

test_expect_success 'the server computes the same solution_hash as the extractor' '
	"$PYTHON" -c "
import json,sys
want = {json.loads(l)[\"pattern_id\"]: json.loads(l)[\"solution_hash\"] for l in open(\"patterns.jsonl\")}
got = {p[\"pattern_id\"]: p[\"solution_hash\"] for p in json.load(open(\"out.json\"))[\"patterns\"]}
sys.exit(0 if want == got else 1)"
'

test_expect_success 'posting the same lines again creates none' '
	KEY=$ALICE "$PYTHON" upload.py &&
	expect_status 200 GET "/patterns?language=python&limit=200" &&
	test "$(json_get out.json "d[\"total\"]")" = 40
'

test_expect_success 'a batch answers per item, in order, created or known' '
	"$PYTHON" gen_jsonl.py 3 batch >b.jsonl &&
	"$PYTHON" -c "
import json
items = [json.loads(l) for l in open(\"b.jsonl\")]
old = [json.loads(l) for l in open(\"patterns.jsonl\")][5]
print(json.dumps([items[0], old, items[1], items[0], items[2]]))" >batch.json &&
	expect_status 201 POST /patterns @batch.json &&
	test "$(json_get out.json "[r[\"created\"] for r in d[\"results\"]]")" = "[True, False, True, False, True]" &&
	test "$(json_get out.json "[r[\"index\"] for r in d[\"results\"]]")" = "[0, 1, 2, 3, 4]" &&
	test "$(json_get out.json "(d[\"created\"], d[\"existing\"])")" = "(3, 2)" &&
	test "$(json_get out.json "d[\"results\"][0][\"id\"] == d[\"results\"][3][\"id\"]")" = True &&
	expect_status 200 POST /patterns @batch.json &&
	test "$(json_get out.json "d[\"created\"]")" = 0
'

test_expect_success 'a batch over 1000 patterns is refused (413), none stored' '
	"$PYTHON" -c "
import json
print(json.dumps([{\"problem_type\":\"bug_fix\",\"code_before\":\"x%d\" % i,\"code_after\":\"y\"} for i in range(1001)]))" >big.json &&
	expect_status 413 POST /patterns @big.json &&
	expect_status 200 GET "/patterns?q=x1000" &&
	test "$(json_get out.json "d[\"total\"]")" = 0
'

test_expect_success 'a batch with one bad item stores nothing (422 names it)' '
	echo "[{\"problem_type\":\"bug_fix\",\"code_before\":\"ok1\",\"code_after\":\"ok2\"},{\"problem_type\":\"bug_fix\"}]" >bad.json &&
	expect_status 422 POST /patterns @bad.json &&
	test_grep "pattern 1" out.json &&
	expect_status 200 GET "/patterns?q=ok1" &&
	test "$(json_get out.json "d[\"total\"]")" = 0
'

test_expect_success 'GET /patterns/{id}; an unknown or malformed id is 404' '
	expect_status 200 GET "/patterns/$(cat id)" &&
	test "$(json_get out.json "d[\"id\"]")" = "$(cat id)" &&
	expect_status 404 GET /patterns/123e4567-e89b-12d3-a456-426614174000 &&
	expect_status 404 GET "/patterns/1%27%20OR%201=1"
'

test_expect_success 'feedback: one vote per user, a new vote replaces the old' '
	KEY=$BOB expect_status 200 POST "/patterns/$(cat id)/feedback" "{\"helpful\": true}" &&
	test "$(json_get out.json "d[\"success_count\"]")" = 2 &&
	KEY=$BOB expect_status 200 POST "/patterns/$(cat id)/feedback" "{\"helpful\": true}" &&
	test "$(json_get out.json "d[\"success_count\"]")" = 2 &&
	KEY=$BOB expect_status 200 POST "/patterns/$(cat id)/feedback" "{\"helpful\": false}" &&
	test "$(json_get out.json "d[\"success_count\"]")" = 1 &&
	expect_status 422 POST "/patterns/$(cat id)/feedback" "{\"helpful\": \"yes\"}"
'

test_expect_success 'listing ranks by success_count, then newest' '
	expect_status 200 GET "/patterns?limit=3" &&
	test "$(json_get out.json "d[\"patterns\"][0][\"id\"]")" = "$(cat id)" &&
	test "$(json_get out.json "d[\"patterns\"][1][\"change_seq\"] > d[\"patterns\"][2][\"change_seq\"]")" = True
'

test_expect_success 'filters and pagination' '
	expect_status 200 GET "/patterns?problem_type=feature_addition&language=python&limit=200" &&
	test "$(json_get out.json "d[\"total\"]")" = 15 &&
	expect_status 200 GET "/patterns?language=python&min_confidence=0.8&limit=200" &&
	test "$(json_get out.json "d[\"total\"]")" = 21 &&
	expect_status 200 GET "/patterns?q=off%20by%20one%20in%20f7%20upload" &&
	test "$(json_get out.json "d[\"total\"]")" = 1 &&
	expect_status 200 GET "/patterns?q=100%25" &&
	test "$(json_get out.json "d[\"total\"]")" = 0 &&
	expect_status 200 GET "/patterns?language=python&limit=10&page=5" &&
	test "$(json_get out.json "(len(d[\"patterns\"]), d[\"page\"], d[\"per_page\"], d[\"total\"])")" = "(3, 5, 10, 43)" &&
	expect_status 422 GET "/patterns?limit=201" &&
	expect_status 422 GET "/patterns?limit=0" &&
	expect_status 422 GET "/patterns?page=0" &&
	expect_status 422 GET "/patterns?page=abc" &&
	expect_status 422 GET "/patterns?min_confidence=2"
'

cat >sync.py <<'EOF'
import json, os, sys, requests
url, key = os.environ["SERVER_URL"], os.environ["KEY"]
since, seen, seqs = int(sys.argv[1]), [], []
while True:
    r = requests.get(url + "/patterns", params={"since": since, "limit": 7},
                     headers={"X-API-Key": key})
    r.raise_for_status()
    d = r.json()
    for p in d["patterns"]:
        seen.append(p["id"]); seqs.append(p["change_seq"])
    assert d["next_since"] >= since
    since = d["next_since"]
    if not d["has_more"]:
        break
assert seqs == sorted(seqs), "not in change order"
print(json.dumps({"ids": seen, "next_since": since}))
EOF

test_expect_success 'since=CURSOR pages through every change once, in order' '
	KEY=$ALICE "$PYTHON" sync.py 0 >sync1.json &&
	expect_status 200 GET "/patterns?limit=1" &&
	total=$(json_get out.json "d[\"total\"]") &&
	test "$(json_get sync1.json "len(d[\"ids\"])")" = "$total" &&
	test "$(json_get sync1.json "len(set(d[\"ids\"]))")" = "$total" &&
	cursor=$(json_get sync1.json "d[\"next_since\"]") &&
	KEY=$ALICE "$PYTHON" sync.py $cursor >sync2.json &&
	test "$(json_get sync2.json "len(d[\"ids\"])")" = 0 &&
	test "$(json_get sync2.json "d[\"next_since\"]")" = "$cursor" &&
	KEY=$ALICE expect_status 200 POST "/patterns/$(cat id)/feedback" "{\"helpful\": false}" &&
	KEY=$ALICE "$PYTHON" sync.py $cursor >sync3.json &&
	test "$(json_get sync3.json "d[\"ids\"]")" = "['"'"'$(cat id)'"'"']"
'

test_expect_success 'the change feed allows pages of up to 1000 (a listing still 200)' '
	expect_status 200 GET "/patterns?limit=1" &&
	total=$(json_get out.json "d[\"total\"]") &&
	expect_status 200 GET "/patterns?since=0&limit=1000" &&
	test "$(json_get out.json "(len(d[\"patterns\"]), d[\"per_page\"], d[\"has_more\"])")" = "($total, 1000, False)" &&
	expect_status 422 GET "/patterns?since=0&limit=1001" &&
	test_grep "from 1 to 1000" out.json &&
	expect_status 422 GET "/patterns?limit=201" &&
	test_grep "from 1 to 200" out.json
'

test_expect_success 'delete: another user 403, the creator 204, then 404; an admin may' '
	KEY=$BOB expect_status 403 DELETE "/patterns/$(cat id)" &&
	expect_status 204 DELETE "/patterns/$(cat id)" &&
	expect_status 404 GET "/patterns/$(cat id)" &&
	expect_status 404 DELETE "/patterns/$(cat id)" &&
	KEY=$BOB expect_status 201 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"bobs\",\"code_after\":\"x\"}" &&
	bid=$(json_get out.json "d[\"id\"]") &&
	KEY=$ADMIN expect_status 204 DELETE "/patterns/$bid"
'

test_expect_success 'no key, a wrong key and a revoked key are 401' '
	KEY= expect_status 401 GET /patterns &&
	json_get out.json "d[\"detail\"]" &&
	KEY=gp_0000 expect_status 401 GET /patterns &&
	case $BOB in *0) wrong=${BOB%?}1 ;; *) wrong=${BOB%?}0 ;; esac &&
	KEY=$wrong expect_status 401 GET /patterns &&
	id=$(git patterns server list-keys --json --db "$DB_URL" | "$PYTHON" -c "import json,sys; print([k[\"id\"] for k in json.load(sys.stdin)[\"keys\"] if k[\"user\"]==\"bob\"][0])") &&
	git patterns server revoke-key $id --db "$DB_URL" &&
	KEY=$BOB expect_status 401 GET /patterns &&
	test_grep revoked out.json &&
	git patterns server list-keys --db "$DB_URL" >list &&
	test_grep "^$id +bob +no +[0-9T:Z-]+ +[0-9T:Z-]+$" list &&
	test_must_fail git patterns server revoke-key 999 --db "$DB_URL" 2>err &&
	test_grep "no key with id 999" err
'

cat >conc_test.py <<'EOF'
# 1000 requests from 100 parallel clients: 500 new patterns, each posted
# twice (by different users at about the same time), plus reads.
import json, os, sys, requests, concurrent.futures as cf
url = os.environ["SERVER_URL"]
keys = [os.environ["ALICE"], os.environ["ADMIN"]]
verify = os.environ.get("CA") or True
def post(i):
    body = {"problem_type": "bug_fix", "code_before": "conc %d" % (i // 2),
            "code_after": "after %d" % (i // 2)}
    s = requests.Session()
    r = s.post(url + "/patterns", json=body, headers={"X-API-Key": keys[i % 2]},
               verify=verify, timeout=60)
    return r.status_code, r.json().get("id")
with cf.ThreadPoolExecutor(100) as ex:
    res = list(ex.map(post, range(1000)))
codes = [c for c, _ in res]
assert set(codes) <= {200, 201}, set(codes)
assert codes.count(201) == 500, codes.count(201)
ids = {}
for i, (c, pid) in enumerate(res):
    ids.setdefault(i // 2, set()).add(pid)
assert all(len(v) == 1 for v in ids.values()), "one pattern got two ids"
assert len({next(iter(v)) for v in ids.values()}) == 500
print("ok")
EOF

test_expect_success '1000 concurrent requests: no duplicate, nothing lost' '
	expect_status 200 GET "/patterns?limit=1" &&
	before=$(json_get out.json "d[\"total\"]") &&
	"$PYTHON" conc_test.py &&
	expect_status 200 GET "/patterns?limit=1" &&
	test "$(json_get out.json "d[\"total\"]")" = $((before + 500)) &&
	expect_status 200 GET "/patterns?q=conc%20&limit=1" &&
	test "$(json_get out.json "d[\"total\"]")" = 500 &&
	kill -0 $SERVER_PID
'

test_expect_success 'the access log has a line per request, never the key' '
	test_grep "\"method\":\"POST\",\"path\":\"/patterns\",\"status\":201,\"duration_ms\":[0-9.]+,\"user\":\"alice\"" server.log &&
	test_grep "\"status\":401" server.log &&
	! grep -F "${ALICE#gp_}" server.log &&
	! grep -F "${BOB#gp_}" server.log
'

# ---- hostile input ----

test_expect_success 'malformed JSON is 400 with a detail' '
	expect_status 400 POST /patterns "{\"problem_type\": \"bug_fix\"," &&
	json_get out.json "d[\"detail\"]" &&
	expect_status 400 POST /patterns "{} trailing" &&
	expect_status 400 POST "/patterns/$(json_get sync1.json "d[\"ids\"][0]")/feedback" "not json"
'

test_expect_success 'deep nesting and invalid UTF-8 are 400' '
	"$PYTHON" -c "print(\"[\" * 5000 + \"]\" * 5000)" >deep.json &&
	expect_status 400 POST /patterns @deep.json &&
	printf "{\"problem_type\":\"bug_fix\",\"code_before\":\"\\377\\376\",\"code_after\":\"x\"}" >bad-utf8.json &&
	expect_status 400 POST /patterns @bad-utf8.json &&
	test_grep "UTF-8" out.json &&
	expect_status 400 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"\\udc80\",\"code_after\":\"x\"}"
'

test_expect_success 'wrong types and unknown values are 422' '
	expect_status 422 POST /patterns "{\"problem_type\":5,\"code_before\":\"a\",\"code_after\":\"b\"}" &&
	test_grep problem_type out.json &&
	expect_status 422 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":123,\"code_after\":\"b\"}" &&
	test_grep code_before out.json &&
	expect_status 422 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"a\",\"code_after\":\"b\",\"confidence\":\"high\"}" &&
	expect_status 422 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"a\",\"code_after\":\"b\",\"confidence\":7}" &&
	expect_status 422 POST /patterns "{\"problem_type\":\"world_domination\",\"code_before\":\"a\",\"code_after\":\"b\"}" &&
	expect_status 422 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"a\",\"code_after\":\"b\",\"language\":[\"c\"]}" &&
	expect_status 422 POST /patterns "[1, 2]" &&
	expect_status 422 POST /patterns "\"a pattern\"" &&
	expect_status 422 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"a\\u0000b\",\"code_after\":\"b\"}" &&
	expect_status 422 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"a\",\"before_code\":\"c\",\"code_after\":\"b\"}"
'

test_expect_success 'missing fields are 422 naming the field' '
	expect_status 422 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"a\"}" &&
	test_grep code_after out.json &&
	expect_status 422 POST /patterns "{}" &&
	test_grep problem_type out.json &&
	expect_status 400 POST /patterns ""
'

test_expect_success 'a 100 MiB body is refused with 413 before it is read' '
	truncate -s 100M huge.json &&
	expect_status 413 POST /patterns @huge.json &&
	json_get out.json "d[\"detail\"]" &&
	kill -0 $SERVER_PID
'

test_expect_success 'a chunked body over the limit is 413 too (bounded while streaming)' '
	truncate -s 17M big-chunked.json &&
	code=$(curl -s -o out.json -w "%{http_code}" -H "X-API-Key: $KEY" \
		-H "Transfer-Encoding: chunked" -H "Content-Type: application/json" \
		--data-binary @big-chunked.json "$SERVER_URL/patterns") &&
	test "$code" = 413
'

test_expect_success 'an endless chunked body is cut off; the server lives on' '
	{ head -c 300000000 /dev/zero | curl -s -o /dev/null -H "X-API-Key: $KEY" \
		-H "Transfer-Encoding: chunked" --data-binary @- "$SERVER_URL/patterns"; echo $? >rc; } &&
	test "$(cat rc)" != 0 &&
	test_grep "body far over the limit" server.log &&
	expect_status 200 GET "/patterns?limit=1"
'

test_expect_success 'unknown path 404, wrong method 405 with Allow' '
	expect_status 404 GET /nope &&
	json_get out.json "d[\"detail\"]" &&
	expect_status 404 GET /patterns/a/b/c &&
	expect_status 405 PUT /patterns &&
	curl -s -i -X DELETE "$SERVER_URL/health" >head &&
	test_grep "^HTTP/1.1 405" head &&
	test_grep "^Allow: GET" head
'

test_expect_success 'oversized headers are refused, the server lives on' '
	big=$("$PYTHON" -c "print(\"x\" * 100000)") &&
	code=$(curl -s -o /dev/null -w "%{http_code}" -H "X-Big: $big" "$SERVER_URL/health") &&
	test "$code" -ge 400 &&
	expect_status 200 GET "/patterns?limit=1"
'

test_expect_success 'SQL-looking strings are stored and returned verbatim' '
	cat >sql.json <<-\EOT &&
	{"problem_type": "security", "code_before": "x = \"'"'"'; DROP TABLE patterns; --\"",
	 "code_after": "Robert'"'"'); DROP TABLE students;-- \\\\ % _ $1 ?1",
	 "commit_msg": "1'"'"' OR '"'"'1'"'"'='"'"'1", "language": "sql\"; --"}
	EOT
	expect_status 201 POST /patterns @sql.json &&
	sid=$(json_get out.json "d[\"id\"]") &&
	expect_status 200 GET "/patterns/$sid" &&
	"$PYTHON" -c "
import json
a = json.load(open(\"sql.json\")); b = json.load(open(\"out.json\"))
assert all(a[k] == b[k] for k in a), (a, b)" &&
	expect_status 200 GET "/patterns?problem_type=bug_fix%27%20OR%20%271%27=%271" &&
	test "$(json_get out.json "d[\"total\"]")" = 0 &&
	expect_status 200 GET "/patterns?q=%25" &&
	test "$(json_get out.json "d[\"total\"]")" = 1 &&
	expect_status 200 GET "/patterns?limit=1" &&
	test "$(json_get out.json "d[\"total\"]")" -gt 500
'

test_expect_success 'real extract --output lines, posted by the seed loop, are stored once' '
	git init -q repo &&
	test_commit -C repo "feat: add the widget" src/widget.c "int widget(void) { return 1; }" &&
	test_commit -C repo "fix: widget off by one" src/widget.c "int widget(void) { return 2; }" &&
	test_commit -C repo "fix: crash in parser" parse.py "def parse(s):\n    return s.strip()" &&
	git -C repo patterns extract --output ../patterns.jsonl --quiet &&
	test_line_count = 3 patterns.jsonl &&
	KEY=$ALICE "$PYTHON" upload.py &&
	KEY=$ALICE "$PYTHON" upload.py &&
	"$PYTHON" -c "
import json, os, requests
want = [json.loads(l) for l in open(\"patterns.jsonl\")]
r = requests.get(os.environ[\"SERVER_URL\"] + \"/patterns\", params={\"limit\": 200, \"q\": \"widget\"},
                 headers={\"X-API-Key\": os.environ[\"ALICE\"]}).json()
got = {p[\"pattern_id\"]: p for p in r[\"patterns\"]}
for w in want:
    if \"widget\" not in w[\"commit_msg\"]:
        continue
    g = got[w[\"pattern_id\"]]
    assert g[\"solution_hash\"] == w[\"solution_hash\"], (g, w)
    assert g[\"code_before\"] == w[\"before_code\"] and g[\"code_after\"] == w[\"after_code\"]
    assert g[\"commit\"] == w[\"commit\"] and g[\"confidence\"] == w[\"confidence\"]
assert r[\"total\"] == 2, r[\"total\"]"
'
