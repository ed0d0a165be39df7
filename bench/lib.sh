# bench/lib.sh: what the benchmark scripts share. Source it once WORK is
# the script's temporary folder.

# store_set_aside REPO: STORE is REPO's pattern store. It is moved into
# $WORK while the benchmark makes stores of its own, and on exit put back
# as it was (or removed, if REPO had none), with $WORK removed.
store_set_aside() {
	STORE=$(git -C "$1" rev-parse --git-common-dir)
	case $STORE in /*) ;; *) STORE=$1/$STORE ;; esac
	STORE=$STORE/patterns
	trap 'rm -rf "$STORE"; test ! -e "$WORK/saved-store" || mv "$WORK/saved-store" "$STORE"; rm -rf "$WORK"' EXIT
	test ! -e "$STORE" || mv "$STORE" "$WORK/saved-store"
}

# measure NAME CMD...: run CMD (its output dropped; its errors shown if it
# fails, and the script stops) and keep "wall user sys" in $WORK/NAME.
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %U %S" -o "$WORK/$name" "$@" >/dev/null 2>"$WORK/$name.err" || {
		cat "$WORK/$name.err" >&2; exit 1; }
}
wall() { cut -d" " -f1 "$WORK/$1"; }
cpu() { /usr/bin/python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) + float(sys.argv[2])))" $(cut -d" " -f2,3 "$WORK/$1"); }
# median_of NAME: the round i (of $ROUNDS, measured as NAME.i) of median wall time
median_of() {
	for i in $(seq "$ROUNDS"); do echo "$(wall "$1.$i") $i"; done |
		sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p" | cut -d" " -f2
}

# The stores a benchmark makes are measured as the command leaves them:
# the search index that a large extract or sync would build afterwards in
# a detached process (patterns.autoIndex) would run into the next
# measurement. Searches measured here index on their first run, as before.
GIT_CONFIG_PARAMETERS="${GIT_CONFIG_PARAMETERS:+$GIT_CONFIG_PARAMETERS }'patterns.autoindex=0'"
export GIT_CONFIG_PARAMETERS

# fix_history DIR COMMITS: a new repository DIR (branch main) of COMMITS
# "fix: bug N" commits, each changing 10 small C files (COMMITS * 10
# patterns), made with git fast-import and checked out
fix_history() {
	git init -q -b main "$1"
	/usr/bin/python3 - "$2" <<'PY' | git -C "$1" fast-import --quiet
import sys
out = sys.stdout.buffer
for i in range(int(sys.argv[1])):
    out.write(b"commit refs/heads/main\ncommitter B <b@example.com> %d +0000\n" % (1700000000 + i))
    msg = b"fix: bug %d\n" % i
    out.write(b"data %d\n%s" % (len(msg), msg))
    for j in range(10):
        body = b"int f%d(int x)\n{\n\treturn x + %d;\n}\n" % (j, i)
        out.write(b"M 100644 inline src/f%d.c\ndata %d\n%s\n" % (j, len(body), body))
PY
	git -C "$1" reset -q --hard
}

# server_work NAME: a new temporary $WORK, made the current folder, with a
# git identity and configuration of its own; on exit the server whose pid
# is $SERVER_PID (if set) is stopped and $WORK removed
server_work() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-bench-$1.XXXXXX")
	SERVER_PID=
	trap 'test -n "$SERVER_PID" && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
	cd "$WORK"
	export HOME=$WORK GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$WORK/.gitconfig LC_ALL=C
	git config --global user.name Bench && git config --global user.email bench@example.com
}

# start_server BIN ACCESS_LOG: BIN serves $WORK/server.db (SQLite) on a free
# loopback port, its access log in ACCESS_LOG ("none": none); sets
# SERVER_PID, URL and GIT_PATTERNS_API_KEY (a new key), once it answers
start_server() {
	local port i=0
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	GIT_PATTERNS_API_KEY=$("$1" server add-key bench --db "sqlite:$WORK/server.db" 2>/dev/null |
		grep -o 'gp_[0-9a-f]*')
	export GIT_PATTERNS_API_KEY
	"$1" serve --listen "127.0.0.1:$port" --db "sqlite:$WORK/server.db" --access-log "$2" \
		>"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	until curl -s -o /dev/null "http://127.0.0.1:$port/health"; do
		sleep 0.1; i=$((i + 1)); test $i -lt 100 || return 1
	done
	URL=http://127.0.0.1:$port
}
