# tests/lib-sync.sh: a real team server for the sync tests. Source it after
# ./lib.sh.
#
#   start_server [ARGS...]   git patterns serve on SERVER_URL (a free loopback
#                            port chosen when this file is sourced; the same
#                            port again on a restart) with the database
#                            $TRASH/server.db (or $SERVER_DB_URL when set);
#                            access log in $TRASH/access.log, stderr in
#                            $TRASH/server.log
#   stop_server              SIGTERM, then wait for it to exit
#   kill_server              SIGKILL (a crash), then wait for it to be gone
#   start_proxy METHOD N [stall]
#                            a loopback HTTP proxy in front of the server
#                            (PROXY_URL) that forwards every request, but
#                            kills the server (SIGKILL) just after it has
#                            forwarded the Nth METHOD request, before the
#                            answer comes back: a crash in mid-transfer.
#                            With "stall", it lets the server answer the
#                            Nth one, then never passes the answer on (and
#                            touches $TRASH/stalled): a client to interrupt
#                            Each request's method and path (with the query)
#                            is logged to $TRASH/proxy.log. With "strip"
#                            (METHOD none), it kills nothing and, while
#                            $TRASH/proxy.strip exists, drops the answers'
#                            X-Patterns-Database: a server older than
#                            database identities.
#   stop_proxy
#   add_key USER             a new key for USER, printed on stdout
#   requests                 how many requests the access log has seen
#   server_total             how many patterns the server has (GET /patterns)
#   make_history DIR N K     a repository of N "fix:" commits, each changing
#                            K files, made with git fast-import (N*K patterns)
# The server is stopped when the script exits.

# The server's pid lives in $SERVER_PIDFILE, next to the trash folder (which
# test_done removes before the exit trap runs), so that a test (a subshell)
# may stop and restart it and the exit trap still finds it.
SERVER_PIDFILE=$TRASH.server.pid
SERVER_DB=$TRASH/server.db
SERVER_SCHEME=${SERVER_SCHEME:-http}
SERVER_PORT=${SERVER_PORT:-$(free_port)}
SERVER_URL=$SERVER_SCHEME://${SERVER_HOST:-127.0.0.1}:$SERVER_PORT
export SERVER_URL SERVER_PORT SERVER_DB

sync_cleanup() {
	stop_proxy
	stop_server
}
trap sync_cleanup EXIT

wait_for_health() {
	local i=0 code
	while test $i -lt 100; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 $CURL_TLS "$SERVER_URL/health")
		test "$code" = 200 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "wait_for_health: $SERVER_URL/health never answered 200 (last: $code)"
	return 1
}

start_server() {
	# the binary itself, not "git patterns": a SIGKILL must reach the server
	git-patterns serve --listen "127.0.0.1:$SERVER_PORT" --db "${SERVER_DB_URL:-sqlite:$SERVER_DB}" \
		--access-log "$TRASH/access.log" "$@" >>"$TRASH/server.log" 2>&1 </dev/null &
	echo $! >"$SERVER_PIDFILE"
	wait_for_health
}

# signal the server, wait until it is gone
server_signal() {
	local pid i=0
	test -f "$SERVER_PIDFILE" || return 0
	pid=$(cat "$SERVER_PIDFILE")
	rm -f "$SERVER_PIDFILE"
	kill "-$1" "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && test $i -lt 300; do
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}
stop_server() { server_signal TERM; }
kill_server() { server_signal KILL; }

start_proxy() {
	rm -f "$TRASH/proxy.port"
	"$PYTHON" - "$SERVER_PORT" "$SERVER_PIDFILE" "$1" "$2" "$TRASH/proxy.port" "${3:-kill}" \
		>>"$TRASH/proxy.log" 2>&1 </dev/null <<\PY &
import http.client, http.server, os, signal, socketserver, sys, time
upstream, pidfile, kill_method, kill_at, portfile, mode = sys.argv[1:7]
kill_at = int(kill_at)
seen = 0
class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def forward(self):
        global seen
        print(self.command, self.path, file=sys.stderr, flush=True)  # proxy.log
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection", "content-length")}
        conn = http.client.HTTPConnection("127.0.0.1", int(upstream), timeout=60)
        conn.request(self.command, self.path, body=body, headers=headers)
        if self.command == kill_method:
            seen += 1
            if seen == kill_at and mode == "stall":
                conn.getresponse().read()
                open(os.path.join(os.path.dirname(portfile), "stalled"), "w").close()
                time.sleep(120)
                self.close_connection = True
                return
            if seen == kill_at:
                time.sleep(0.05)  # let the server get the whole request
                os.kill(int(open(pidfile).read()), signal.SIGKILL)
                self.close_connection = True
                return
        r = conn.getresponse()
        data = r.read()
        strip = mode == "strip" and os.path.exists(os.path.join(os.path.dirname(portfile),
                                                                "proxy.strip"))
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in ("transfer-encoding", "connection", "content-length"):
                continue
            if strip and k.lower() == "x-patterns-database":
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = do_DELETE = forward
    def log_message(self, *a):
        pass
class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
s = Server(("127.0.0.1", 0), Proxy)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
	echo $! >"$TRASH.proxy.pid"
	while ! test -s "$TRASH/proxy.port"; do sleep 0.05; done
	PROXY_URL=http://127.0.0.1:$(cat "$TRASH/proxy.port")
}

stop_proxy() {
	test -f "$TRASH.proxy.pid" || return 0
	kill "$(cat "$TRASH.proxy.pid")" 2>/dev/null
	rm -f "$TRASH.proxy.pid"
	return 0
}

add_key() {
	git patterns server add-key "$1" --db "${SERVER_DB_URL:-sqlite:$SERVER_DB}" 2>/dev/null |
		grep -o 'gp_[0-9a-f]*'
}

requests() {
	if test -f "$TRASH/access.log"; then wc -l <"$TRASH/access.log"; else echo 0; fi
}

server_total() {
	curl -s $CURL_TLS -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns?limit=1" >"$TRASH/total.json" &&
	json_get "$TRASH/total.json" 'd["total"]'
}

# make_two_clones: "project" with one commit, its clones "alice" (a fix and a
# feature on top) and "bob" (another fix), both extracted: 3 and 2 patterns
make_two_clones() {
	git init -q project &&
	test_commit -C project "Add parser" src/parser.py "def parse(s): return s.split()" &&
	git clone -q project alice &&
	git clone -q project bob &&
	test_commit -C alice "fix: handle empty input" src/parser.py "def parse(s): return s.split() if s else []" &&
	test_commit -C alice "feat: add lexer" src/lexer.py "def lex(s): return list(s)" &&
	test_commit -C bob "fix: crash on None in dispatch" lib/dispatch.c "int dispatch(void *p) { return p != 0; }" &&
	git -C alice patterns extract --quiet &&
	git -C bob patterns extract --quiet
}

make_history() {
	local dir=$1 n=$2 k=$3
	git init -q -b main "$dir" &&
	"$PYTHON" - "$n" "$k" "$dir" <<'PY' | git -C "$dir" fast-import --quiet
import sys
n, k, tag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = sys.stdout.buffer
t = 1112911993
for i in range(n):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer C O Mitter <committer@example.com> %d -0700\n" % (t + i))
    msg = b"fix: bug %d of %s\n" % (i, tag.encode())
    out.write(b"data %d\n%s" % (len(msg), msg))
    for j in range(k):
        body = b"/* %s */\nint f%d(void) { return %d; }\n" % (tag.encode(), j, i)
        out.write(b"M 100644 inline src/f%d.c\ndata %d\n%s\n" % (j, len(body), body))
PY
}
