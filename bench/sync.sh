#!/bin/sh
# bench/sync.sh [N]: time git patterns sync against a local team server
# (SQLite backend, loopback, plain http):
#   push N patterns (default 100,000), pull them into a fresh clone, then a
#   sync with nothing new. Uses the binary in build/bin (run make first).
#
# The history is made with git fast-import: N/10 commits, each changing 10
# small C files, so that extraction gives exactly N patterns.
set -e
N=${1:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BIN=$ROOT/build/bin
test -x "$BIN/git-patterns" || { echo "no $BIN/git-patterns: run make" >&2; exit 1; }
PATH=$BIN:$PATH
server_work sync

now() { date +%s.%N; }
# server-side time of the requests logged from line $1 on
server_ms() {
	tail -n +"$1" "$WORK/access.log" | grep -o '"duration_ms":[0-9.]*' | cut -d: -f2 |
		awk '{ s += $1 } END { printf "%.0f", s }'
}
cpu() { awk '{ printf "%.2f", $1 + $2 }' "$WORK/cpu"; }
# the server's CPU time so far (user+sys, seconds), from /proc
server_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$SERVER_PID/stat"
}
scpu() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }
elapsed() { echo "$1 $2" | awk '{ printf "%.3f", $2 - $1 }'; }

commits=$((N / 10))
t0=$(now)
fix_history repo "$commits"
t1=$(now)
git -C repo patterns extract --quiet
t2=$(now)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "history: $commits commits, $(elapsed $t0 $t1) s; extract: $(elapsed $t1 $t2) s"

start_server git-patterns "$WORK/access.log"

from=1
s0=$(server_cpu)
t0=$(now)
/usr/bin/time -f "%U %S" -o "$WORK/cpu" git -C repo patterns sync --push --quiet --remote "$URL"
t1=$(now)
pushed=$(sqlite3 repo/.git/patterns/patterns.db "SELECT count(*) FROM pushed")
echo "push $pushed patterns: $(elapsed $t0 $t1) s ($(wc -l <"$WORK/access.log") requests, $(server_ms 1) ms of it in the server; client CPU $(cpu) s, server CPU $(scpu "$s0" "$(server_cpu)") s)"

git clone -q repo fresh
from=$(( $(wc -l <"$WORK/access.log") + 1 ))
s0=$(server_cpu)
t0=$(now)
/usr/bin/time -f "%U %S" -o "$WORK/cpu" git -C fresh patterns sync --pull --quiet --remote "$URL"
t1=$(now)
pulled=$(sqlite3 fresh/.git/patterns/patterns.db "SELECT count(*) FROM patterns WHERE origin = 'team'")
echo "pull $pulled patterns into a fresh clone: $(elapsed $t0 $t1) s ($(( $(wc -l <"$WORK/access.log") - from + 1 )) requests, $(server_ms $from) ms of it in the server; client CPU $(cpu) s, server CPU $(scpu "$s0" "$(server_cpu)") s)"

# the pusher's first sync after its push: its own changes are skipped, not
# downloaded again
from=$(( $(wc -l <"$WORK/access.log") + 1 ))
t0=$(now)
/usr/bin/time -f "%U %S" -o "$WORK/cpu" git -C repo patterns sync --quiet --remote "$URL"
t1=$(now)
echo "first sync of the pusher after its push: $(elapsed $t0 $t1) s ($(( $(wc -l <"$WORK/access.log") - from + 1 )) requests; client CPU $(cpu) s)"
before=$(wc -l <"$WORK/access.log")
best=
for run in 1 2 3 4 5; do
	t0=$(now)
	git -C fresh patterns sync --quiet --remote "$URL"
	t1=$(now)
	e=$(elapsed $t0 $t1)
	best=$(printf '%s\n%s\n' "$best" "$e" | awk 'NF && (m == "" || $1 < m) { m = $1 } END { print m }')
done
after=$(wc -l <"$WORK/access.log")
echo "sync with nothing new (the fresh clone): best of 5 $best s ($(( (after - before) / 5 )) request each)"
best=
for run in 1 2 3 4 5; do
	t0=$(now)
	git -C repo patterns sync --quiet --remote "$URL"
	t1=$(now)
	e=$(elapsed $t0 $t1)
	best=$(printf '%s\n%s\n' "$best" "$e" | awk 'NF && (m == "" || $1 < m) { m = $1 } END { print m }')
done
echo "sync with nothing new (the pusher, $N local patterns all pushed): best of 5 $best s"
