#!/bin/sh
# bench/extract.sh [REPO]: time git patterns extract on a history of at
# least 10,000 commits and print the figures side by side:
#
#   extract --include-unknown (full history)  vs  git log -p --no-merges
#   extract (default)                         vs  a seed-style baseline
#                                                 (bench/seed_extract.py)
#   a no-op re-run; peak resident memory of each (for the full extraction
#   also summed over its git diff processes, sampled every 10 ms).
#
# Without REPO, a 10,000-commit repository is generated with git
# fast-import (bench/gen-history.py) and repacked as git gc would.
# The store of REPO is moved aside and put back afterwards.
# Environment: COMMITS (generated size, default 10000), JOBS (--jobs),
# BASELINE_COMMITS (run the baseline on the newest N commits only and
# scale; default: all), ROUNDS (runs of git log -p and of the full
# extraction, alternating; the median of each is shown; default 5).
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=${GIT_PATTERNS:-$ROOT/git-patterns}
PY=/usr/bin/python3
COMMITS=${COMMITS:-10000}
ROUNDS=${ROUNDS:-5}

if ! test -x /usr/bin/time; then
	echo "installing Debian's time package (for peak memory)" >&2
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get install -y -qq time >/dev/null
fi
test -x "$BIN" || { echo "no $BIN: run make first" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if test $# -ge 1; then
	REPO=$(cd "$1" && pwd)
else
	REPO=$WORK/repo
	echo "generating $COMMITS commits in $REPO ..." >&2
	$PY "$HERE/gen-history.py" "$REPO" "$COMMITS" 42
	git -C "$REPO" repack -adfq --depth=50 --window=10
fi
. "$HERE/lib.sh"
store_set_aside "$REPO"
JOBS_OPT=${JOBS:+--jobs $JOBS}

# measure NAME CMD...: wall seconds and peak RSS (KiB) into $WORK/NAME
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %M %U %S" -o "$WORK/$name" "$@" >/dev/null 2>"$WORK/$name.err" || {
		cat "$WORK/$name.err" >&2; exit 1; }
}
wall() { cut -d" " -f1 "$WORK/$1"; }
rss() { echo $(( $(cut -d" " -f2 "$WORK/$1") / 1024 )); }
cpu() { "$PY" -c "import sys; u, s = sys.argv[1:3]; print('%.2f' % (float(u) + float(s)))" $(cut -d" " -f3,4 "$WORK/$1"); }

total=$(git -C "$REPO" rev-list --count HEAD)
nomerge=$(git -C "$REPO" rev-list --count --no-merges HEAD)
echo "repository: $REPO ($total commits, $nomerge without merges), $(nproc) cores"

# The two sides alternate, ROUNDS times each, and the run with the median
# wall time of each is shown: a shared machine's speed drifts by tens of
# percent within a minute, and alternating lets both see the same drift.
median_of() {
	name=$1
	for i in $(seq "$ROUNDS"); do echo "$(wall "$name.$i") $i"; done |
		sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p" | cut -d" " -f2
}
git -C "$REPO" log -p --no-merges >/dev/null # warm the page cache
for i in $(seq "$ROUNDS"); do
	measure gitlog.$i git -C "$REPO" log -p --no-merges
	rm -rf "$STORE"
	measure full.$i "$BIN" extract --repo-path "$REPO" --include-unknown -q $JOBS_OPT
done
cp "$WORK/gitlog.$(median_of gitlog)" "$WORK/gitlog"
cp "$WORK/full.$(median_of full)" "$WORK/full"
best=
for i in 1 2 3 4 5; do
	measure noop "$BIN" extract --repo-path "$REPO" --include-unknown -q
	w=$(wall noop)
	if test -z "$best" || "$PY" -c "import sys; sys.exit(not $w < $best)"; then best=$w; fi
done
# The diffs run in git diff-tree processes (for 256 commits or more): /usr/bin/time's
# peak is the largest single process. Sample the sum over the extraction and
# its workers: PSS (shared pages split between them) and RSS (counted twice).
rm -rf "$STORE"
"$BIN" extract --repo-path "$REPO" --include-unknown -q $JOBS_OPT &
xpid=$!
maxpss=0 maxrss=0
while kill -0 $xpid 2>/dev/null; do
	pss=0 rsum=0
	for p in $xpid $(ps -o pid= --ppid $xpid 2>/dev/null || true); do
		v=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || true)
		r=$(awk '/^VmRSS:/ {print $2}' /proc/$p/status 2>/dev/null || true)
		pss=$((pss + ${v:-0})) rsum=$((rsum + ${r:-0}))
	done
	test $pss -le $maxpss || maxpss=$pss
	test $rsum -le $maxrss || maxrss=$rsum
	sleep 0.01
done
wait $xpid
rm -rf "$STORE"
measure default "$BIN" extract --repo-path "$REPO" -q $JOBS_OPT
patterns=$("$BIN" extract --repo-path "$REPO" -q -o - | wc -l)

if test -n "$BASELINE_COMMITS"; then
	since=$(git -C "$REPO" log --no-merges --format=%cI --skip=$((BASELINE_COMMITS - 1)) -1)
	measure seed $PY "$HERE/seed_extract.py" --repo-path "$REPO" --output "$WORK/seed.jsonl" --since-date "$since"
	done_commits=$(git -C "$REPO" rev-list --count --no-merges --since="$since" HEAD)
	seedwall=$("$PY" -c "print(round($(wall seed) * $nomerge / $done_commits, 2))")
	seedcpu=$("$PY" -c "print(round($(cpu seed) * $nomerge / $done_commits, 2))")
	seednote="baseline measured on the newest $done_commits commits, scaled to all"
else
	measure seed $PY "$HERE/seed_extract.py" --repo-path "$REPO" --output "$WORK/seed.jsonl"
	seedwall=$(wall seed)
	seedcpu=$(cpu seed)
	seednote=""
fi

ratio() { "$PY" -c "print('%.2f' % ($1 / $2))"; }
printf '\n%-46s %9s %9s %9s\n' "" "wall s" "cpu s" "peak MiB"
row() { printf '%-46s %9s %9s %9s\n' "$1" "$(wall $2)" "$(cpu $2)" "$(rss $2)"; }
row "git log -p --no-merges (median of $ROUNDS)" gitlog
row "extract --include-unknown (median of $ROUNDS)" full
printf '%-46s %9s %9s %9s\n' "  all processes, summed: PSS / RSS" "" "" \
	"$((maxpss / 1024)) / $((maxrss / 1024))"
printf '%-46s %9s %9s\n' "  ratio extract / git log -p" "$(ratio "$(wall full)" "$(wall gitlog)")" \
	"$(ratio "$(cpu full)" "$(cpu gitlog)")"
printf '%-46s %9s %9s %9s\n' "seed-style baseline" "$seedwall" "$seedcpu" "$(rss seed)"
test -z "$seednote" || echo "  $seednote"
row "extract (default, fresh store)" default
printf '%-46s %9s\n' "  speed-up over the baseline" "$(ratio "$seedwall" "$(wall default)")x"
printf '%-46s %9s %9s %9s\n' "no-op re-run (best of 5)" "$best" "" "$(rss noop)"
printf '%-46s %9s\n' "patterns (default)" "$patterns"
echo "load average: $(cut -d" " -f1-3 /proc/loadavg)"
