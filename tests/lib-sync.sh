# tests/lib-sync.sh: a real team server for the sync tests. Source it after
# ./lib.sh.
#
#   start_server [ARGS...]   git patterns serve on SERVER_URL (a free loopback
#                            port chosen when this file is sourced; the same
#                            port again on a restart) with the database
#                            $TRASH/server.db; access log in $TRASH/access.log,
#                            stderr in $TRASH/server.log
#   stop_server              SIGTERM, then wait for it to exit
#   kill_server              SIGKILL (a crash), then wait for it to be gone
#   add_key USER             a new key for USER, printed on stdout
#   requests                 how many requests the access log has seen
#   server_total             how many patterns the server has (GET /patterns)
#   make_history DIR N K     a repository of N "fix:" commits, each changing
#                            K files, made with git fast-import (N*K patterns)
# The server is stopped when the script exits.

# The server's pid lives in $TRASH/server.pid, so that a test (a subshell)
# may stop and restart it and the exit trap still finds it.
SERVER_DB=$TRASH/server.db
SERVER_SCHEME=${SERVER_SCHEME:-http}
SERVER_PORT=${SERVER_PORT:-$(free_port)}
SERVER_URL=$SERVER_SCHEME://127.0.0.1:$SERVER_PORT
export SERVER_URL SERVER_PORT SERVER_DB

sync_cleanup() {
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
	git patterns serve --listen "127.0.0.1:$SERVER_PORT" --db "sqlite:$SERVER_DB" \
		--access-log "$TRASH/access.log" "$@" 2>>"$TRASH/server.log" &
	echo $! >"$TRASH/server.pid"
	wait_for_health
}

# signal the server, wait until it is gone
server_signal() {
	local pid i=0
	test -f "$TRASH/server.pid" || return 0
	pid=$(cat "$TRASH/server.pid")
	rm -f "$TRASH/server.pid"
	kill "-$1" "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && test $i -lt 300; do
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}
stop_server() { server_signal TERM; }
kill_server() { server_signal KILL; }

add_key() {
	git patterns server add-key "$1" --db "sqlite:$SERVER_DB" 2>/dev/null | grep -o 'gp_[0-9a-f]*'
}

requests() {
	if test -f "$TRASH/access.log"; then wc -l <"$TRASH/access.log"; else echo 0; fi
}

server_total() {
	curl -s $CURL_TLS -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns?limit=1" >"$TRASH/total.json" &&
	json_get "$TRASH/total.json" 'd["total"]'
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
