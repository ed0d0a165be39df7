#!/bin/sh
test_description='solution_hash is computed over the text as it is sent: a Latin-1 file hashes the same in the JSONL, the local store and on the server'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
ADMIN_KEY=$(add_key alice)

test_expect_success 'setup: a fix to a Latin-1 C file' '
	git init -q repo &&
	cd repo &&
	printf "/* Fran\347ois */\nint a;\n" >latin1.c &&
	git add . && test_tick && git commit -q -m "latin1.c" &&
	printf "/* Fran\347ois */\nint a = 1; /* d\351j\340 */\n" >latin1.c &&
	test_tick && git commit -q -a -m "Fix the initial value" &&
	git patterns extract -q -o ../out.jsonl &&
	git config patterns.remote "$SERVER_URL" &&
	git config patterns.apiKey "$ADMIN_KEY"
'

# SPEC §4's solution_hash, computed by Python over the decoded JSONL text
cat >sent_hash.py <<\EOF
import hashlib, json, re, sys
r = json.loads(open(sys.argv[1], encoding="utf-8").readline())
def norm(s):
    return "\n".join(re.sub(r"[ \t]+$", "", l) for l in s.replace("\r\n", "\n").split("\n"))
assert "\ufffd" in r["after_code"], r["after_code"]
print(hashlib.sha256((norm(r["before_code"]) + "\0" + norm(r["after_code"])).encode()).hexdigest())
print(r["solution_hash"])
EOF

test_expect_success 'the JSONL carries U+FFFD and the hash of that text' '
	"$PYTHON" sent_hash.py out.jsonl >hashes &&
	test_line_count = 2 hashes &&
	test "$(sed -n 1p hashes)" = "$(sed -n 2p hashes)"
'

# same_hash JSONL REPO QUERY: the server's first answer to QUERY, JSONL's
# first record and REPO's one stored pattern have the same solution_hash
same_hash() {
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns?$3" >server.json &&
	json_get server.json "d[\"patterns\"][0][\"solution_hash\"]" >server-hash &&
	json_get "$1" "d[\"solution_hash\"]" >jsonl-hash &&
	sqlite3 "$2/.git/patterns/patterns.db" "SELECT solution_hash FROM patterns" >store-hash &&
	test_cmp jsonl-hash server-hash &&
	test_cmp jsonl-hash store-hash
}

test_expect_success 'the server computes the same hash as the JSONL and the local store' '
	git -C repo patterns sync --push -q &&
	same_hash out.jsonl repo "limit=10"
'

# git reads a file as text when its first 8000 bytes hold no NUL: a NUL
# further on reaches the pattern, and the server takes no NUL in a string.
test_expect_success 'a NUL in the code goes out as U+FFFD: pushed once, same hash' '
	git init -q nul &&
	"$PYTHON" -c "open(\"nul/a.c\", \"wb\").write(b\"int a;\n\" * 2000 + b\"char z[] = \\\"\0\\\";\nint b = 1;\n\")" &&
	git -C nul add a.c && git -C nul commit -q -m "a.c" &&
	"$PYTHON" -c "open(\"nul/a.c\", \"wb\").write(b\"int a;\n\" * 2000 + b\"char z[] = \\\"\0\\\";\nint b = 2;\n\")" &&
	git -C nul commit -q -a -m "Fix the value of b" &&
	git -C nul diff --numstat HEAD^ >numstat &&
	test_grep "^1	1	a.c" numstat &&
	git -C nul patterns extract -q -o ../nul.jsonl &&
	"$PYTHON" -c "import json; r = json.loads(open(\"nul.jsonl\").readline()); assert \"\\ufffd\" in r[\"before_code\"], r" &&
	git -C nul patterns extract -q &&
	git -C nul config patterns.remote "$SERVER_URL" &&
	git -C nul config patterns.apiKey "$ADMIN_KEY" &&
	git -C nul patterns sync --push --json >out.json 2>err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test_must_fail test -s err &&
	git -C nul patterns sync --push --json >out.json 2>err &&
	test "$(json_get out.json "d[\"pushed\"]")" = 0 &&
	test_must_fail test -s err &&
	same_hash nul.jsonl nul "q=value+of+b"
'

test_done
