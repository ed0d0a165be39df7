#!/bin/sh
test_description='git patterns sync: two clones and one team server exchange patterns exactly once'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
ALICE_KEY=$(add_key alice)
BOB_KEY=$(add_key bob)
ADMIN_KEY=$ALICE_KEY

pattern_count() {
	sqlite3 "$1/.git/patterns/patterns.db" "SELECT count(*) FROM patterns WHERE $2"
}

test_expect_success 'setup: a project, two clones with different histories, a server' '
	make_two_clones &&
	test "$(pattern_count alice "origin=\"local\"")" = 3 &&
	test "$(pattern_count bob "origin=\"local\"")" = 2 &&
	test -n "$ALICE_KEY" && test -n "$BOB_KEY" &&
	git -C alice config patterns.remote "$SERVER_URL" &&
	git -C alice config patterns.apiKey "$ALICE_KEY" &&
	git -C bob config patterns.remote "$SERVER_URL" &&
	git -C bob config patterns.apiKey "$BOB_KEY"
'

test_expect_success 'alice pushes her patterns' '
	git -C alice patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 3 &&
	test "$(json_get out.json "d[\"duplicates\"]")" = 0 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 0 &&
	test "$(server_total)" = 3
'

test_expect_success 'bob pushes his and pulls hers; the common commit is merged, not duplicated' '
	git -C bob patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(json_get out.json "d[\"duplicates\"]")" = 1 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 2 &&
	test "$(server_total)" = 4
'

test_expect_success 'alice pulls what bob added' '
	git -C alice patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 0 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 1
'

test_expect_success 'each clone has every pattern exactly once' '
	for who in alice bob; do
		test "$(sqlite3 $who/.git/patterns/patterns.db \
			"SELECT count(*), count(DISTINCT solution_hash) FROM patterns")" = "4|4" || return 1
	done &&
	test "$(pattern_count alice "origin=\"team\"")" = 1 &&
	test "$(pattern_count bob "origin=\"team\"")" = 2
'

test_expect_success 'team patterns show in list and show, with their server id' '
	git -C alice patterns list >out &&
	test_grep "lib/dispatch.c" out &&
	uuid=$(sqlite3 alice/.git/patterns/patterns.db "SELECT server_id FROM patterns WHERE origin=\"team\"") &&
	git -C alice patterns show "$uuid" >out &&
	test_grep "Origin: +team" out &&
	test_grep "crash on None" out &&
	test_grep "^Author: *A U Thor <author@example.com>$" out &&
	git -C alice patterns show --json "$uuid" >out.json &&
	test "$(json_get out.json "d[\"author_name\"]")" = "A U Thor" &&
	git -C alice patterns list >out &&
	test_grep "lib/dispatch.c \[team, 0 helpful\]" out
'

test_expect_success 'team patterns are found by search' '
	git -C alice patterns search dispatch >out &&
	test_grep "lib/dispatch.c" out
'

test_expect_success 'a third sync moves nothing and costs one small request' '
	for who in alice bob; do
		before=$(requests) &&
		git -C $who patterns sync --json >out.json &&
		test "$(json_get out.json "d[\"pushed\"] + d[\"pulled\"] + d[\"duplicates\"]")" = 0 &&
		after=$(requests) &&
		test $((after - before)) = 1 || return 1
	done &&
	tail -n 1 "$TRASH/access.log" >last &&
	test_grep "\"method\":\"GET\"" last
'

test_expect_success 'a new commit is pushed by the next sync, and only it' '
	test_commit -C bob "fix: off-by-one in dispatch" lib/dispatch.c "int dispatch(void *p) { return p == 0; }" &&
	git -C bob patterns extract --quiet &&
	git -C bob patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(server_total)" = 5
'

test_expect_success 'a push watermark: what is left to push is looked for above it only' '
	db=bob/.git/patterns/patterns.db &&
	mark=$(sqlite3 $db "SELECT value FROM meta WHERE key LIKE \"sync.pushed_upto %\"") &&
	test "$mark" = "$(sqlite3 $db "SELECT max(id) FROM patterns WHERE origin = \"local\"")" &&
	local=$(pattern_count bob "origin=\"local\"") &&
	# the marks are lost (say, the pushed table was emptied by hand): the
	# watermark is not trusted, and everything is offered again
	sqlite3 $db "DELETE FROM pushed" &&
	git -C bob patterns sync --push --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"] + d[\"duplicates\"]")" = "$local" &&
	test "$(json_get out.json "d[\"duplicates\"]")" = "$local" &&
	test "$(sqlite3 $db "SELECT value FROM meta WHERE key LIKE \"sync.pushed_upto %\"")" = "$mark" &&
	test "$(server_total)" = 5
'

test_expect_success '--dry-run says what would move and changes nothing' '
	test_commit -C alice "fix: lexer drops last char" src/lexer.py "def lex(s): return [c for c in s]" &&
	git -C alice patterns extract --quiet &&
	before=$(requests) &&
	git -C alice patterns sync --dry-run --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 1 &&
	test "$(server_total)" = 5 &&
	git -C alice patterns sync --dry-run >out &&
	test_grep "^Would push 1 pattern" out
'

test_expect_success '--push only pushes, --pull only pulls' '
	git -C alice patterns sync --push --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 0 &&
	git -C alice patterns sync --pull --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 0 &&
	test "$(json_get out.json "d[\"pulled\"]")" = 1 &&
	test_expect_code 129 git -C alice patterns sync --push --pull 2>err
'

command -v script >/dev/null && test_set_prereq SCRIPT

test_expect_success SCRIPT 'a progress line on a terminal, none with --quiet or off a terminal' '
	test_commit -C bob "fix: dispatch leaks" lib/dispatch.c "int dispatch(void *p) { free(p); return 0; }" &&
	git -C bob patterns extract --quiet &&
	(cd bob && script -qec "git patterns sync --push" /dev/null) >tty.out &&
	tr "\r" "\n" <tty.out >tty.lines &&
	test_grep "^Pushing patterns: 100% \(1/1\), done\." tty.lines &&
	(cd bob && script -qec "git patterns sync --quiet" /dev/null) >tty.out &&
	test_must_fail test -s tty.out &&
	git -C bob patterns sync 2>err &&
	test_grep -v "patterns: " err
'

test_expect_success 'a wrong key: a clear message, exit 1, nothing marked as pushed' '
	test_commit -C bob "fix: null deref in dispatch" lib/dispatch.c "int dispatch(void *p) { return p ? 1 : 0; }" &&
	git -C bob patterns extract --quiet &&
	pushed_before=$(sqlite3 bob/.git/patterns/patterns.db "SELECT count(*) FROM pushed") &&
	test_expect_code 1 git -C bob -c patterns.apiKey=gp_wrong patterns sync 2>err &&
	test_grep "^error: team server .* refused the API key" err &&
	test_grep "GIT_PATTERNS_API_KEY" err &&
	test_grep "credential helper" err &&
	test_grep "patterns.apiKey" err &&
	test_grep -v "gp_wrong" err &&
	test "$(sqlite3 bob/.git/patterns/patterns.db "SELECT count(*) FROM pushed")" = "$pushed_before" &&
	git -C bob patterns sync --dry-run --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1
'

test_expect_success 'no key at all says how to set one' '
	test_expect_code 1 git -C bob -c patterns.apiKey= patterns sync 2>err &&
	test_grep "refused the API key \(missing API key" err
'

test_expect_success 'other 4xx print what the server said' '
	test_expect_code 1 git -C bob patterns sync --remote "$SERVER_URL/nowhere" 2>err &&
	test_grep "^error: team server .*/nowhere answered 404 while pushing patterns: " err
'

test_expect_success 'no remote is an error that says how to give one' '
	git init -q lonely &&
	test_expect_code 1 git -C lonely patterns sync 2>err &&
	test_grep "^fatal: no team server: give --remote <url> or set patterns.remote" err
'

test_expect_success 'plain http:// to a host other than loopback is refused' '
	test_expect_code 1 git -C bob patterns sync --remote http://patterns.example.com 2>err &&
	test_grep "refusing plain http:// to .patterns.example.com." err &&
	test_grep "patterns.allowHttp" err &&
	test_expect_code 1 git -C bob patterns sync --remote ftp://127.0.0.1/ 2>err &&
	test_grep "not http:// or https://" err
'

test_expect_success 'patterns.allowHttp=true lets it try (and a dead server fails after bounded retries)' '
	port=$(free_port) &&
	test_expect_code 1 git -C bob -c patterns.allowHttp=true -c patterns.httpRetries=2 \
		patterns sync --remote http://127.0.0.2:$port 2>err &&
	test_grep "cannot reach team server http://127.0.0.2:$port: .* \(after 2 retries\)" err
'

test_expect_success 'a 5xx is retried, then reported' '
	stop_server &&
	"$PYTHON" - "$TRASH/port5xx" >/dev/null 2>&1 <<-\PY &
	import http.server, sys, socketserver
	class H(http.server.BaseHTTPRequestHandler):
	    def do_GET(self): self.fail()
	    def do_POST(self): self.fail()
	    def fail(self):
	        n = int(self.headers.get("Content-Length") or 0); self.rfile.read(n)
	        open(sys.argv[1] + ".hits", "a").write("x\n")
	        self.send_response(503); self.send_header("Content-Type", "application/json")
	        body = b"{\"detail\": \"database unavailable\"}"
	        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
	    def log_message(self, *a): pass
	s = socketserver.TCPServer(("127.0.0.1", 0), H)
	open(sys.argv[1], "w").write(str(s.server_address[1]))
	s.handle_request(); s.handle_request(); s.handle_request()
	PY
	pid=$! &&
	while ! test -s "$TRASH/port5xx"; do sleep 0.05; done &&
	test_expect_code 1 git -C bob -c patterns.httpRetries=2 patterns sync --pull \
		--remote http://127.0.0.1:$(cat "$TRASH/port5xx") 2>err &&
	wait $pid &&
	test_line_count = 3 "$TRASH/port5xx.hits" &&
	test_grep "answered 503 while pulling patterns: database unavailable" err &&
	start_server
'

test_done
