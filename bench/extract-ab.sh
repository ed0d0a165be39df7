#!/bin/sh
# bench/extract-ab.sh REPO N BINARY...: compare git-patterns builds on one
# full extraction (--include-unknown, fresh store), the builds taking turns
# N times, and print each one's median wall and cpu seconds (cpu with its
# git diff-tree processes). Taking turns run by run, both builds see the
# same drift of a shared machine. The store of REPO is moved aside and put
# back afterwards.
set -e
test $# -ge 3 || { echo "usage: bench/extract-ab.sh REPO N BINARY..." >&2; exit 129; }
REPO=$(cd "$1" && pwd)
N=$2
shift 2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-ab.XXXXXX")
. "$(dirname "$0")/lib.sh"
store_set_aside "$REPO"

for i in $(seq "$N"); do
	k=0
	for bin in "$@"; do
		k=$((k + 1))
		rm -rf "$STORE"
		/usr/bin/time -f "%e %U %S" -o "$WORK/t" "$bin" extract --repo-path "$REPO" \
			--include-unknown -q
		echo "$(cat "$WORK/t")" >>"$WORK/runs.$k"
	done
done
k=0
for bin in "$@"; do
	k=$((k + 1))
	/usr/bin/python3 - "$bin" "$WORK/runs.$k" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[2])]
wall = statistics.median(float(r[0]) for r in runs)
cpu = statistics.median(float(r[1]) + float(r[2]) for r in runs)
print("%-40s wall %.2f s  cpu %.2f s  (median of %d)" % (sys.argv[1], wall, cpu, len(runs)))
PY
done
echo "load average: $(cut -d" " -f1-3 /proc/loadavg)"
