# tests/lib-adapters.sh: the team server's /adapters tests, run once per
# backend (t7000 SQLite, t7001 PostgreSQL). The caller sources lib.sh and
# lib-server.sh and sets DB_URL; the server runs with its adapter folder in
# $TRASH/adapters.

PYTHONPATH=$TEST_SRC
export PYTHONPATH
ADIR=$TRASH/adapters

ALICE=$(git patterns server add-key alice --db "$DB_URL" 2>keys.err)
BOB=$(git patterns server add-key bob --db "$DB_URL" 2>>keys.err)
ADMIN=$(git patterns server add-key root --admin --db "$DB_URL" 2>>keys.err)
ADMIN2=$(git patterns server add-key ops --admin --db "$DB_URL" 2>>keys.err)
KEY=$ALICE
export ALICE BOB ADMIN ADMIN2 KEY

start_server "$DB_URL" --threads 4 --adapter-dir "$ADIR"
REMOTE=$SERVER_URL
GIT_PATTERNS_API_KEY=$ALICE
export REMOTE GIT_PATTERNS_API_KEY

# files in the adapter folder that no record names (temporary ones included);
# a request's temporary file goes when the request completes, just after
# its answer was sent, so give that a moment first
stray_files() {
	local i=0
	while test $i -lt 50 && ls -A "$ADIR" | grep -q "^gp-upload\.\|^\.merge-"; do
		sleep 0.1
		i=$((i + 1))
	done
	curl -s -H "X-API-Key: $ADMIN" "$SERVER_URL/adapters" >records.json &&
	"$PYTHON" - "$ADIR" <<-\EOF
	import json, os, sys
	known = {v["id"] + ".safetensors" for v in json.load(open("records.json"))["versions"]}
	for f in sorted(os.listdir(sys.argv[1])):
	    if f not in known:
	        print(f)
	EOF
}

# id of version NAME
version_id() {
	curl -s -H "X-API-Key: $ALICE" "$SERVER_URL/adapters" >ids.json &&
	json_get ids.json "[v[\"id\"] for v in d[\"versions\"] if v[\"version_name\"] == \"$1\"][0]"
}

active_name() {
	curl -s -H "X-API-Key: $ALICE" "$SERVER_URL/adapters" >act.json &&
	json_get act.json "[v[\"version_name\"] for v in d[\"versions\"] if v[\"is_active\"]]"
}

test_expect_success NUMPY 'set up two LoRA adapters' '
	"$PYTHON" - <<-\EOF
	import numpy as np, st
	rng = np.random.default_rng(7)
	def lora(seed, r):
	    g = np.random.default_rng(seed)
	    t = {}
	    for m in ("q_proj", "v_proj"):
	        p = "base_model.model.layers.0.self_attn." + m
	        t[p + ".lora_A.weight"] = ("F32", g.standard_normal((r, 32)))
	        t[p + ".lora_B.weight"] = ("F32", g.standard_normal((32, r)))
	    return t
	st.write("alice.safetensors", lora(1, 4))
	st.write("bob.safetensors", lora(2, 4))
	st.write("carol.safetensors", lora(3, 8))
	# the same tensors in F16, and a bigger one (several MiB) for the round trip
	st.write("big.safetensors", {"w": ("F16", rng.standard_normal((1024, 3000)))})
	EOF
'

test_expect_success NUMPY 'push: the first version uploaded becomes the active one' '
	git patterns adapters push alice.safetensors --name user-alice-v3 --remote "$REMOTE" --json >alice.json &&
	test "$(json_get alice.json "d[\"version_name\"]")" = user-alice-v3 &&
	test "$(json_get alice.json "d[\"created_by\"]")" = alice &&
	test "$(json_get alice.json "d[\"is_active\"]")" = True &&
	test "$(json_get alice.json "d[\"method\"]")" = upload &&
	test "$(json_get alice.json "d[\"size\"]")" = "$(wc -c <alice.safetensors)" &&
	test "$(json_get alice.json "d[\"sha256\"]")" = "$(sha256sum alice.safetensors | cut -d" " -f1)" &&
	GIT_PATTERNS_API_KEY=$BOB git patterns adapters push bob.safetensors --name user-bob-v2 \
		--remote "$REMOTE" >out &&
	test_grep "^Pushed bob.safetensors as adapter version user-bob-v2 " out &&
	test "$(active_name)" = "['"'"'user-alice-v3'"'"']" &&
	stray_files >stray && test_line_count = 0 stray
'

test_expect_success NUMPY 'upload and download round trip byte-identical (CLI and curl)' '
	git patterns adapters push big.safetensors --name big --remote "$REMOTE" --json >big.json &&
	id=$(json_get big.json "d[\"id\"]") &&
	git patterns adapters pull "$id" -o big.back --remote "$REMOTE" >out &&
	test_grep "sha256 .* verified" out &&
	cmp big.safetensors big.back &&
	git patterns adapters pull big -o big.byname --remote "$REMOTE" &&
	cmp big.safetensors big.byname &&
	curl -s -f -H "X-API-Key: $BOB" -o big.curl "$SERVER_URL/adapters/$id/file" &&
	cmp big.safetensors big.curl &&
	cmp big.safetensors "$ADIR/$id.safetensors" &&
	! test -e big.back.tmp
'

test_expect_success NUMPY 'pull --active and list --remote use patterns.remote' '
	git init -q repo &&
	git -C repo config patterns.remote "$REMOTE" &&
	(cd repo && git patterns adapters pull --active -o ../active.st) &&
	cmp alice.safetensors active.st &&
	(cd repo && git patterns adapters list --remote) >list &&
	test_line_count = 3 list &&
	test_grep "^\* [0-9a-f-]* *user-alice-v3 " list &&
	(cd repo && git patterns adapters list --remote --json) >list.json &&
	test "$(json_get list.json "[v[\"version_name\"] for v in d[\"versions\"]]")" = \
		"['"'"'user-alice-v3'"'"', '"'"'user-bob-v2'"'"', '"'"'big'"'"']" &&
	test "$(json_get list.json "sorted(d[\"versions\"][0].keys())")" = \
		"['"'"'created_at'"'"', '"'"'created_by'"'"', '"'"'id'"'"', '"'"'is_active'"'"', '"'"'method'"'"', '"'"'parent_versions'"'"', '"'"'sha256'"'"', '"'"'size'"'"', '"'"'version_name'"'"', '"'"'weights'"'"']"
'

test_expect_success 'no key is 401; a pull of an unknown version fails naming it' '
	code=$(curl -s -o /dev/null -w "%{http_code}" "$SERVER_URL/adapters") &&
	test "$code" = 401 &&
	test_must_fail git patterns adapters pull no-such -o x --remote "$REMOTE" 2>err &&
	test_grep "no adapter version .no-such." err &&
	! test -e x &&
	expect_status 404 GET /adapters/123e4567-e89b-12d3-a456-426614174000/file &&
	KEY=$ADMIN expect_status 404 POST /adapters/123e4567-e89b-12d3-a456-426614174000/activate
'

test_expect_success NUMPY 'a version name is taken once; the same bytes again answer 200' '
	code=$(curl -s -o again.json -w "%{http_code}" -H "X-API-Key: $ALICE" \
		--data-binary @alice.safetensors "$SERVER_URL/adapters?name=user-alice-v3") &&
	test "$code" = 200 &&
	test "$(json_get again.json "d[\"id\"]")" = "$(json_get alice.json "d[\"id\"]")" &&
	code=$(curl -s -o taken.json -w "%{http_code}" -H "X-API-Key: $ALICE" \
		--data-binary @bob.safetensors "$SERVER_URL/adapters?name=user-alice-v3") &&
	test "$code" = 409 &&
	test_grep "already exists" taken.json &&
	expect_status 422 POST "/adapters" &&
	stray_files >stray && test_line_count = 0 stray
'

test_expect_success NUMPY 'malformed safetensors are refused with 422 naming the rule; nothing kept' '
	before=$(curl -s -H "X-API-Key: $ALICE" "$SERVER_URL/adapters" | "$PYTHON" -c "import json,sys; print(len(json.load(sys.stdin)[\"versions\"]))") &&
	printf "not a safetensors file" >garbage &&
	head -c -3 alice.safetensors >short &&
	"$PYTHON" - <<-\EOF &&
	import json, struct
	def raw(h, data):
	    b = json.dumps(h).encode()
	    return struct.pack("<Q", len(b)) + b + data
	open("hole", "wb").write(raw({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8))
	open("dtype", "wb").write(raw({"a": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4))
	open("shape", "wb").write(raw({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 4]}}, b"\0" * 4))
	EOF
	for f in garbage short hole dtype shape; do
		code=$(curl -s -o bad.json -w "%{http_code}" -H "X-API-Key: $ALICE" \
			--data-binary @$f "$SERVER_URL/adapters?name=bad-$f") &&
		test "$code" = 422 &&
		detail=$(json_get bad.json "d[\"detail\"]") &&
		echo "$f: $detail" >>details &&
		case "$detail" in "invalid safetensors upload"*) ;; *) echo "$detail"; false;; esac ||
		return 1
	done &&
	test_grep "^dtype: .*Q7" details &&
	test_grep "^shape: .*tensor .a." details &&
	! grep "gp-upload" details &&
	after=$(curl -s -H "X-API-Key: $ALICE" "$SERVER_URL/adapters" | "$PYTHON" -c "import json,sys; print(len(json.load(sys.stdin)[\"versions\"]))") &&
	test "$before" = "$after" &&
	stray_files >stray && test_line_count = 0 stray &&
	test_must_fail git patterns adapters push short --name bad --remote "$REMOTE" 2>err &&
	test_grep "short" err
'

test_expect_success 'a declared Content-Length of 5 GiB is refused with 413 before the body' '
	"$PYTHON" - "$SERVER_PORT" "$ALICE" >answer <<-\EOF &&
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.settimeout(5)
	s.sendall(("POST /adapters?name=huge HTTP/1.1\r\nHost: x\r\nX-API-Key: %s\r\n"
	           "Content-Length: %d\r\n\r\n" % (sys.argv[2], 5 << 30)).encode())
	t = time.time()
	print(s.recv(4096).decode().split("\r\n")[0])
	print("fast" if time.time() - t < 3 else "slow")
	EOF
	test_grep "^HTTP/1.1 413" answer &&
	test_grep "^fast" answer &&
	stray_files >stray && test_line_count = 0 stray
'

test_expect_success 'a truncated upload (connection closed mid-body) leaves no record and no file' '
	"$PYTHON" - "$SERVER_PORT" "$ALICE" <<-\EOF &&
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	body = open("alice.safetensors", "rb").read() * 100
	s.sendall(("POST /adapters?name=cut HTTP/1.1\r\nHost: x\r\nX-API-Key: %s\r\n"
	           "Content-Length: %d\r\n\r\n" % (sys.argv[2], len(body))).encode())
	s.sendall(body[: len(body) // 2])
	time.sleep(0.3)
	s.close()
	EOF
	i=0 &&
	while test $i -lt 50 && ls "$ADIR" | grep -q gp-upload; do sleep 0.1; i=$((i + 1)); done &&
	stray_files >stray && test_line_count = 0 stray &&
	expect_status 404 GET /adapters/cut/file &&
	grep "\"path\":\"/adapters\"" "$TRASH/server.log" >uploads.log &&
	test_grep "connection ended early" uploads.log
'

test_expect_success NUMPY 'server-side merge equals merge-adapters run locally, byte for byte' '
	alice_id=$(version_id user-alice-v3) && bob_id=$(version_id user-bob-v2) &&
	KEY=$ADMIN expect_status 201 POST /adapters/merge "{\"adapter_ids\": [\"$alice_id\", \"$bob_id\"], \"success_rates\": [0.85, 0.65], \"method\": \"linear\", \"version_name\": \"v2.0\"}" &&
	cp out.json v20.json &&
	test "$(json_get v20.json "d[\"parent_versions\"]")" = "['"'"'user-alice-v3'"'"', '"'"'user-bob-v2'"'"']" &&
	test "$(json_get v20.json "d[\"is_active\"]")" = True &&
	test "$(json_get v20.json "d[\"method\"]")" = linear &&
	mkdir local && cp alice.safetensors local/user-alice-v3 && cp bob.safetensors local/user-bob-v2 &&
	(cd local && git patterns merge-adapters --adapters user-alice-v3 user-bob-v2 \
		--success-rates 0.85 0.65 --output v2.0.safetensors -q 2>/dev/null) &&
	git patterns adapters pull v2.0 -o v2.0.pulled --remote "$REMOTE" &&
	cmp local/v2.0.safetensors v2.0.pulled &&
	expect_status 201 POST /adapters/merge "{\"adapter_ids\": [\"user-alice-v3\", \"user-bob-v2\"], \"weights\": [2, 1], \"method\": \"cat\", \"version_name\": \"cat-1\", \"activate\": false}" &&
	test "$(json_get out.json "d[\"is_active\"]")" = False &&
	(cd local && git patterns merge-adapters --adapters user-alice-v3 user-bob-v2 \
		--weights 2 1 --method cat --output cat.safetensors -q 2>/dev/null) &&
	git patterns adapters pull cat-1 -o cat.pulled --remote "$REMOTE" &&
	cmp local/cat.safetensors cat.pulled &&
	stray_files >stray && test_line_count = 0 stray
'

test_expect_success NUMPY 'merge requests that do not fit are refused' '
	KEY=$ADMIN &&
	expect_status 404 POST /adapters/merge "{\"adapter_ids\": [\"nope\"], \"version_name\": \"x\"}" &&
	test_grep "nope" out.json &&
	git patterns adapters push carol.safetensors --name carol --remote "$REMOTE" &&
	expect_status 422 POST /adapters/merge "{\"adapter_ids\": [\"carol\", \"user-bob-v2\"], \"version_name\": \"x\"}" &&
	test_grep "lora_A" out.json &&
	expect_status 422 POST /adapters/merge "{\"adapter_ids\": [\"v2.0\"], \"weights\": [1, 2], \"version_name\": \"x\"}" &&
	expect_status 422 POST /adapters/merge "{\"adapter_ids\": [\"v2.0\"], \"weights\": [1], \"success_rates\": [1], \"version_name\": \"x\"}" &&
	expect_status 422 POST /adapters/merge "{\"adapter_ids\": [\"v2.0\"], \"method\": \"ties\", \"version_name\": \"x\"}" &&
	expect_status 409 POST /adapters/merge "{\"adapter_ids\": [\"v2.0\"], \"version_name\": \"v2.0\"}" &&
	expect_status 400 POST /adapters/merge "{" &&
	stray_files >stray && test_line_count = 0 stray &&
	KEY=$ALICE
'

test_expect_success NUMPY 'seed story: merge v2.0, v2.1 from it, activate v2.1, rollback to v2.0' '
	KEY=$ADMIN expect_status 201 POST /adapters/merge "{\"adapter_ids\": [\"v2.0\", \"user-alice-v3\"], \"weights\": [0.7, 0.3], \"version_name\": \"v2.1\"}" &&
	test "$(json_get out.json "d[\"parent_versions\"]")" = "['"'"'v2.0'"'"', '"'"'user-alice-v3'"'"']" &&
	v21=$(json_get out.json "d[\"id\"]") &&
	KEY=$ADMIN expect_status 200 POST "/adapters/$v21/activate" &&
	test "$(active_name)" = "['"'"'v2.1'"'"']" &&
	KEY=$ADMIN expect_status 200 POST /adapters/rollback "{}" &&
	test "$(json_get out.json "d[\"version_name\"]")" = v2.0 &&
	test "$(active_name)" = "['"'"'v2.0'"'"']" &&
	git patterns adapters pull --active -o active2.st --remote "$REMOTE" &&
	cmp local/v2.0.safetensors active2.st &&
	KEY=$ADMIN expect_status 200 POST /adapters/rollback "{\"version_id\": \"$v21\"}" &&
	test "$(active_name)" = "['"'"'v2.1'"'"']" &&
	KEY=$ADMIN expect_status 200 POST /adapters/rollback "" &&
	test "$(active_name)" = "['"'"'v2.0'"'"']" &&
	KEY=$ADMIN expect_status 200 POST /adapters/rollback "{}" &&
	test "$(active_name)" = "['"'"'user-alice-v3'"'"']" &&
	KEY=$ADMIN expect_status 409 POST /adapters/rollback "{}" &&
	test_grep "no earlier" out.json
'

test_expect_success NUMPY 'only an admin key activates, rolls back or merges into the active version' '
	v20=$(version_id v2.0) && before=$(active_name) &&
	expect_status 403 POST "/adapters/$v20/activate" &&
	test_grep "activating an adapter version needs an admin key" out.json &&
	KEY=$BOB expect_status 403 POST /adapters/rollback "{}" &&
	test_grep "rolling back the active adapter version needs an admin key" out.json &&
	expect_status 403 POST /adapters/merge "{\"adapter_ids\": [\"v2.0\"], \"version_name\": \"nonadmin\"}" &&
	test_grep "merge that becomes the active version needs an admin key" out.json &&
	test "$(active_name)" = "$before" &&
	expect_status 404 GET /adapters/nonadmin/file &&
	expect_status 201 POST /adapters/merge "{\"adapter_ids\": [\"v2.0\"], \"version_name\": \"nonadmin\", \"activate\": false}" &&
	test "$(active_name)" = "$before" &&
	KEY=$ADMIN expect_status 200 POST "/adapters/$v20/activate" &&
	test "$(active_name)" = "['"'"'v2.0'"'"']" &&
	KEY=$ADMIN expect_status 200 POST /adapters/rollback "{}" &&
	test "$(active_name)" = "$before" &&
	KEY=$ALICE
'

test_expect_success 'delete: 403 without an admin key, 409 for the active one, then 204' '
	big=$(version_id big) && act=$(version_id user-alice-v3) &&
	expect_status 403 DELETE "/adapters/$big" &&
	KEY=$ADMIN expect_status 409 DELETE "/adapters/$act" &&
	KEY=$ADMIN expect_status 204 DELETE "/adapters/$big" &&
	! test -e "$ADIR/$big.safetensors" &&
	expect_status 404 GET "/adapters/$big/file" &&
	KEY=$ADMIN expect_status 404 DELETE "/adapters/$big" &&
	KEY=$ALICE &&
	stray_files >stray && test_line_count = 0 stray
'

test_expect_success NUMPY 'pull refuses a file that does not match the server'"'"'s record' '
	carol=$(version_id carol) &&
	"$PYTHON" -c "
import sys
p = sys.argv[1]
b = bytearray(open(p, \"rb\").read())
b[-1] ^= 1
open(p, \"wb\").write(b)" "$ADIR/$carol.safetensors" &&
	test_must_fail git patterns adapters pull carol -o carol.pulled --remote "$REMOTE" 2>err &&
	test_grep "does not match the server.s record" err &&
	! test -e carol.pulled && ! test -e carol.pulled.tmp
'

test_expect_success NUMPY 'two clients activating at once (two servers) leave exactly one active' '
	port2=$(free_port) &&
	(git-patterns serve --listen 127.0.0.1:$port2 --db "$DB_URL" --adapter-dir "$ADIR" \
		--access-log none 2>s2.log & echo $! >s2.pid) &&
	wait_for_health http://127.0.0.1:$port2 &&
	"$PYTHON" - "$SERVER_URL" "http://127.0.0.1:$port2" "$ADMIN" "$ADMIN2" >race.out <<-\EOF &&
	import json, sys, threading, requests
	urls, keys = sys.argv[1:3], sys.argv[3:5]
	vs = requests.get(urls[0] + "/adapters", headers={"X-API-Key": keys[0]}).json()["versions"]
	ids = [v["id"] for v in vs]
	errors = []
	def client(n):
	    s = requests.Session()
	    for round in range(15):
	        barrier.wait()
	        vid = ids[(n + round) % len(ids)]
	        r = s.post("%s/adapters/%s/activate" % (urls[n % 2], vid),
	                   headers={"X-API-Key": keys[n % 2]})
	        if r.status_code != 200:
	            errors.append(r.status_code)
	        if n == 0 and round % 5 == 4:
	            s.post(urls[0] + "/adapters/rollback", json={}, headers={"X-API-Key": keys[0]})
	barrier = threading.Barrier(4)
	ts = [threading.Thread(target=client, args=(n,)) for n in range(4)]
	[t.start() for t in ts]
	[t.join() for t in ts]
	vs = requests.get(urls[1] + "/adapters", headers={"X-API-Key": keys[1]}).json()
	print(sum(v["is_active"] for v in vs["versions"]), errors)
	print(vs["active"] in ids)
	EOF
	kill -TERM $(cat s2.pid) &&
	echo "1 []" >expect && echo True >>expect &&
	test_cmp expect race.out
'

test_expect_success 'an upload over --max-adapter-size while streaming (chunked) is 413; nothing kept' '
	port3=$(free_port) &&
	mkdir small &&
	(git-patterns serve --listen 127.0.0.1:$port3 --db "$DB_URL" --adapter-dir "$TRASH/small" \
		--max-adapter-size 64K --access-log none 2>s3.log & echo $! >s3.pid) &&
	wait_for_health http://127.0.0.1:$port3 &&
	head -c 300000 /dev/zero >zeros &&
	code=$(curl -s -o big413.json -w "%{http_code}" -H "X-API-Key: $ALICE" \
		-H "Transfer-Encoding: chunked" --data-binary @zeros \
		"http://127.0.0.1:$port3/adapters?name=zeros") &&
	code2=$(curl -s -o /dev/null -w "%{http_code}" -H "X-API-Key: $ALICE" \
		--data-binary @zeros "http://127.0.0.1:$port3/adapters?name=zeros") &&
	kill -TERM $(cat s3.pid) &&
	test "$code" = 413 && test "$code2" = 413 &&
	test_grep "too large" big413.json &&
	ls small >left && test_line_count = 0 left
'

test_expect_success NUMPY 'the CLI path: push two, merge on the server with success rates, activate, roll back, pull' '
	"$PYTHON" - <<-\EOF &&
	import numpy as np, st
	def lora(seed, r):
	    g = np.random.default_rng(seed)
	    t = {}
	    for m in ("q_proj", "v_proj", "k_proj", "o_proj"):
	        p = "base_model.model.layers.0.self_attn." + m
	        t[p + ".lora_A.weight"] = ("F32", g.standard_normal((r, 32)))
	        t[p + ".lora_B.weight"] = ("F32", g.standard_normal((32, r)))
	    return t
	st.write("dave.safetensors", lora(11, 4))
	st.write("erin.safetensors", lora(12, 4))
	EOF
	git patterns adapters push dave.safetensors --name cli-dave --remote "$REMOTE" -q >out &&
	test_line_count = 0 out &&
	git patterns adapters push erin.safetensors --name cli-erin --remote "$REMOTE" --json >erin.json &&
	erin=$(json_get erin.json "d[\"id\"]") &&
	before=$(active_name) &&
	test_expect_code 1 git patterns adapters merge --remote "$REMOTE" cli-dave "$erin" \
		--success-rates 0.9 0.6 --version-name cli-merged 2>err &&
	test_grep "403.*needs an admin key" err &&
	test "$(active_name)" = "$before" &&
	GIT_PATTERNS_API_KEY=$ADMIN git patterns adapters merge --remote "$REMOTE" cli-dave "$erin" \
		--success-rates 0.9 0.6 --version-name cli-merged --json >merged.json &&
	test "$(json_get merged.json "d[\"is_active\"]")" = True &&
	test "$(json_get merged.json "d[\"method\"]")" = linear &&
	test "$(json_get merged.json "d[\"parent_versions\"]")" = "['"'"'cli-dave'"'"', '"'"'cli-erin'"'"']" &&
	merged=$(json_get merged.json "d[\"id\"]") &&
	test "$(active_name)" = "['"'"'cli-merged'"'"']" &&
	GIT_PATTERNS_API_KEY=$ADMIN git patterns adapters rollback --remote "$REMOTE" >out &&
	test_grep "^Rolled back to adapter version" out &&
	test "$(active_name)" = "$before" &&
	test_expect_code 1 git patterns adapters activate --remote "$REMOTE" cli-merged 2>err &&
	test_grep "activating an adapter version needs an admin key" err &&
	GIT_PATTERNS_API_KEY=$ADMIN git patterns adapters activate --remote "$REMOTE" cli-merged --json >act.json &&
	test "$(json_get act.json "d[\"id\"]")" = "$merged" &&
	test "$(active_name)" = "['"'"'cli-merged'"'"']" &&
	GIT_PATTERNS_API_KEY=$ADMIN git patterns adapters rollback --remote "$REMOTE" cli-merged >out &&
	test "$(active_name)" = "['"'"'cli-merged'"'"']" &&
	git patterns adapters pull --active -o cli.pulled --remote "$REMOTE" -q >out &&
	test_line_count = 0 out &&
	mkdir cli-local && cp dave.safetensors cli-local/cli-dave && cp erin.safetensors cli-local/cli-erin &&
	(cd cli-local && git patterns merge-adapters --adapters cli-dave cli-erin \
		--success-rates 0.9 0.6 --output cli-merged.safetensors -q 2>/dev/null) &&
	cmp cli-local/cli-merged.safetensors cli.pulled &&
	test_expect_code 129 git patterns adapters merge --remote "$REMOTE" cli-dave --weights 1 2 \
		--version-name x 2>err &&
	test_grep "2 weights for 1 versions" err &&
	test_expect_code 129 git patterns adapters push dave.safetensors --name x --remote "$REMOTE" \
		--version-name y 2>err
'

test_expect_success 'adapters -h lists every option of every form' '
	test_expect_code 129 git patterns adapters -h >out 2>&1 &&
	for o in --remote --name --output --active --version-name --weights --success-rates \
		--method --rank --activate --quiet --json; do
		grep -q -e "$o" out || { echo "missing $o"; return 1; }
	done &&
	test_grep "adapters merge --remote" out &&
	test_grep "adapters activate --remote" out &&
	test_grep "adapters rollback --remote" out &&
	test_grep "adapters rollback \[<version>\]" out
'
