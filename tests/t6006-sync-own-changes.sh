#!/bin/sh
test_description='git patterns sync: a pull skips the changes of its own pushes, and misses nothing'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
ALICE_KEY=$(add_key alice)
BOB_KEY=$(add_key bob)
ADMIN_KEY=$ALICE_KEY
# alice talks to the server through a proxy that logs what she asks for
start_proxy GET 1000000 || exit 1

own() {
	sqlite3 "$1/.git/patterns/patterns.db" \
		"SELECT value FROM meta WHERE key = \"sync.own_changes $2\""
}

test_expect_success 'setup: two clones with different histories, a server' '
	make_two_clones &&
	git -C alice config patterns.apiKey "$ALICE_KEY" &&
	git -C alice config patterns.remote "$PROXY_URL" &&
	git -C bob config patterns.apiKey "$BOB_KEY" &&
	git -C bob config patterns.remote "$SERVER_URL"
'

test_expect_success 'a push records the change numbers of the patterns it created' '
	git -C alice patterns sync --push --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 3 &&
	test "$(own alice $PROXY_URL)" = 1-3 &&
	# the common commit is a duplicate for bob: not his change
	git -C bob patterns sync --push --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(json_get out.json "d[\"duplicates\"]")" = 1 &&
	test "$(own bob $SERVER_URL)" = 4-4 &&
	test_commit -C alice "fix: lexer drops last char" src/lexer.py "def lex(s): return [c for c in s]" &&
	git -C alice patterns extract --quiet &&
	git -C alice patterns sync --push --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(own alice $PROXY_URL)" = "1-3,5-5"
'

test_expect_success 'bob votes on one of alice'"'"'s patterns: it changes again (change 6)' '
	uuid=$(sqlite3 alice/.git/patterns/patterns.db \
		"SELECT server_id FROM patterns WHERE commit_msg LIKE \"feat: add lexer%\"") &&
	test -n "$uuid" &&
	echo "$uuid" >uuid &&
	git -C bob patterns sync --quiet &&
	git -C bob patterns feedback "$uuid" --helpful &&
	git -C bob patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"feedback_sent\"]")" = 1
'

test_expect_success 'alice pulls only bob'"'"'s change and the vote, skipping her own' '
	: >"$TRASH/proxy.log" &&
	git -C alice patterns sync --pull --json >out.json &&
	test "$(json_get out.json "d[\"pulled\"]")" = 1 &&
	test "$(json_get out.json "d[\"updated\"]")" = 1 &&
	grep "^GET /patterns?since=" "$TRASH/proxy.log" >asked &&
	cat >expect <<-\EOF &&
	GET /patterns?since=3&limit=1
	GET /patterns?since=5&limit=1000
	EOF
	test_cmp expect asked &&
	test "$(sqlite3 alice/.git/patterns/patterns.db \
		"SELECT success_count FROM patterns WHERE server_id = \"$(cat uuid)\"")" = 1 &&
	test "$(sqlite3 alice/.git/patterns/patterns.db \
		"SELECT count(*), count(DISTINCT solution_hash) FROM patterns")" = "5|5"
'

test_expect_success 'the ranges the cursor passed are forgotten; the next sync is one request' '
	test -z "$(own alice $PROXY_URL)" &&
	before=$(requests) &&
	git -C alice patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"pulled\"] + d[\"updated\"]")" = 0 &&
	test $(( $(requests) - before )) = 1
'

test_expect_success 'a clone with the same key but not the patterns still gets them all' '
	git clone -q project carol &&
	git -C carol config patterns.apiKey "$ALICE_KEY" &&
	git -C carol config patterns.remote "$SERVER_URL" &&
	git -C carol patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pulled\"]")" = 5 &&
	test "$(sqlite3 carol/.git/patterns/patterns.db \
		"SELECT count(*) FROM patterns WHERE origin = \"team\"")" = 5
'

test_expect_success 'local code a pull finds on the server is marked pushed, and moves the push watermark' '
	git clone -q project dave &&
	git -C dave patterns extract --quiet &&
	git -C dave config patterns.apiKey "$BOB_KEY" &&
	git -C dave config patterns.remote "$SERVER_URL" &&
	git -C dave patterns sync --pull --json >out.json &&
	test "$(json_get out.json "d[\"pulled\"]")" = 4 &&
	db=dave/.git/patterns/patterns.db &&
	test "$(sqlite3 $db "SELECT count(*) FROM pushed")" = 1 &&
	test "$(sqlite3 $db "SELECT value FROM meta WHERE key LIKE \"sync.pushed_upto %\"")" = \
		"$(sqlite3 $db "SELECT id FROM patterns WHERE origin = \"local\"")" &&
	git -C dave patterns sync --push --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"duplicates\"]")" = 0
'

test_expect_success 'a server that allows only 200 per page (422 for more): pulls go on with 200' '
	cat >old-server.py <<-\EOF &&
	import http.client, http.server, json, os, socketserver, sys, urllib.parse
	upstream, portfile, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	class Old(http.server.BaseHTTPRequestHandler):
	    protocol_version = "HTTP/1.1"
	    def do_GET(self):
	        with open(log, "a") as f:
	            f.write(self.path + "\n")
	        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
	        if int(q.get("limit", ["20"])[0]) > 200:
	            body = json.dumps({"detail": "query parameter limit must be an integer from 1 to 200"}).encode()
	            self.send_response(422)
	        else:
	            conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
	            conn.request("GET", self.path, headers={"X-API-Key": self.headers["X-API-Key"]})
	            r = conn.getresponse()
	            body = r.read()
	            self.send_response(r.status)
	        self.send_header("Content-Type", "application/json")
	        self.send_header("Content-Length", str(len(body)))
	        self.end_headers()
	        self.wfile.write(body)
	    def log_message(self, *a):
	        pass
	class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
	    daemon_threads = True
	s = Server(("127.0.0.1", 0), Old)
	with open(portfile + ".tmp", "w") as f:
	    f.write(str(s.server_address[1]))
	os.rename(portfile + ".tmp", portfile)
	s.serve_forever()
	EOF
	"$PYTHON" old-server.py "$SERVER_PORT" "$TRASH/old.port" "$TRASH/old.log" </dev/null >/dev/null 2>&1 &
	echo $! >old.pid &&
	while ! test -s "$TRASH/old.port"; do sleep 0.05; done &&
	git clone -q project erin &&
	git -C erin config patterns.apiKey "$BOB_KEY" &&
	git -C erin patterns sync --pull --remote "http://127.0.0.1:$(cat "$TRASH/old.port")" --json >out.json
	status=$?
	kill "$(cat old.pid)"
	test $status = 0 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 5 &&
	cat >expect <<-\EOF &&
	/patterns?since=0&limit=1000
	/patterns?since=0&limit=200
	EOF
	test_cmp expect "$TRASH/old.log"
'

test_done
