# tests/lib-server.sh: run our team server, and a real PostgreSQL, for the
# server tests. Source it after ./lib.sh.
#
#   start_server URL [ARGS...]   git patterns serve on a free loopback port
#                                (SERVER_URL, SERVER_PID; log in server.log)
#   stop_server                  SIGTERM, then wait for it to exit
#   start_postgres               initdb + pg_ctl in a temporary folder as the
#                                non-root postgres user, on a free port, socket
#                                in that folder; sets PG_URL and prereq POSTGRES
#   pg_ctl_do stop|start         stop or start that PostgreSQL again
#   api METHOD PATH [BODY|@FILE] curl with $KEY; body to out.json, status to
#                                stdout
#   $EXTRA_PIDS                  a file: append the pid of any other server
#                                a test starts, and it is stopped at the end
# Everything started is stopped when the script exits.

SERVER_PID=
PG_DIR=
PG_BIN=/usr/lib/postgresql/15/bin
# more servers a test starts: it appends their pids here (outside $TRASH,
# which is gone by the time the exit trap runs)
EXTRA_PIDS=$(mktemp "${TMPDIR:-/tmp}/gp-pids.XXXXXX")
export EXTRA_PIDS

server_cleanup() {
	if test -n "$SERVER_PID"; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
	if test -f "$EXTRA_PIDS"; then
		while read pid; do
			kill -TERM "$pid" 2>/dev/null
		done <"$EXTRA_PIDS"
		rm -f "$EXTRA_PIDS"
	fi
	if test -n "$PG_DIR" && test -d "$PG_DIR"; then
		pg_ctl_do stop >/dev/null 2>&1
		rm -rf "$PG_DIR"
		PG_DIR=
	fi
}
trap server_cleanup EXIT
trap 'server_cleanup; exit 1' INT TERM HUP

# wait_for_health URL [EXPECTED_STATUS]: poll until /health answers
wait_for_health() {
	local want=${2:-200} i=0 code
	while test $i -lt 100; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 $CURL_TLS "$1/health")
		test "$code" = "$want" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "wait_for_health: $1/health never answered $want (last: $code)"
	return 1
}

start_server() {
	local db=$1
	shift
	SERVER_PORT=$(free_port)
	git-patterns serve --listen "127.0.0.1:$SERVER_PORT" --db "$db" "$@" \
		2>>"$TRASH/server.log" &
	SERVER_PID=$!
	SERVER_URL=${SERVER_SCHEME:-http}://127.0.0.1:$SERVER_PORT
	export SERVER_URL SERVER_PORT
	wait_for_health "$SERVER_URL"
}

# A team server on $TRASH/server.db that keeps adapters in $TRASH/adapters,
# with an admin key in ADMIN and GIT_PATTERNS_API_KEY (exported).
start_adapter_server() {
	ADMIN=$(git patterns server add-key root --admin --db "sqlite:$TRASH/server.db" 2>/dev/null)
	GIT_PATTERNS_API_KEY=$ADMIN
	export GIT_PATTERNS_API_KEY
	start_server "sqlite:$TRASH/server.db" --adapter-dir "$TRASH/adapters"
}

stop_server() {
	test -n "$SERVER_PID" || return 0
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	local rc=$?
	SERVER_PID=
	return $rc
}

# Run a PostgreSQL tool as the postgres user when we are root.
as_pg() {
	if test "$(id -u)" = 0; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_ctl_do() {
	case "$1" in
	stop)
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop ;;
	start)
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 30 -l "$PG_DIR/log" \
			-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start ;;
	esac
}

# A script of the PostgreSQL path: a PostgreSQL started for it, its URL in
# DB_URL, or the script stops with the reason (it never passes without one).
use_postgres() {
	if ! start_postgres >pg-start.log 2>&1; then
		cat pg-start.log
		echo "Bail out! cannot start PostgreSQL"
		exit 1
	fi
	DB_URL=$PG_URL
}

start_postgres() {
	test -x "$PG_BIN/initdb" || { say "no PostgreSQL 15 in $PG_BIN"; return 1; }
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gp-pg.XXXXXX") || return 1
	chmod 755 "$PG_DIR"
	if test "$(id -u)" = 0; then
		chown postgres "$PG_DIR" || return 1
	fi
	PG_PORT=$(free_port)
	as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 \
		--no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
	pg_ctl_do start >/dev/null || { cat "$PG_DIR/log"; return 1; }
	PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
	export PG_URL PG_PORT
	test_set_prereq POSTGRES
}

api() {
	local method=$1 path=$2 data=$3
	if test -n "$data"; then
		curl -s $CURL_TLS -o out.json -w '%{http_code}' -X "$method" \
			-H "X-API-Key: $KEY" -H "Content-Type: application/json" \
			--data-binary "$data" "$SERVER_URL$path"
	else
		curl -s $CURL_TLS -o out.json -w '%{http_code}' -X "$method" \
			-H "X-API-Key: $KEY" "$SERVER_URL$path"
	fi
}

# expect_status CODE METHOD PATH [BODY]: api, and check the status
expect_status() {
	local want=$1 got
	shift
	got=$(api "$@")
	test "$got" = "$want" && return 0
	echo "expected HTTP $want from $1 $2, got $got:"
	cat out.json
	return 1
}
