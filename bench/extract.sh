#!/bin/sh
# bench/extract.sh [REPO]: time git patterns extract on a history of at
# least 10,000 commits and print the figures side by side:
#
#   extract --include-unknown (full history)  vs  git log -p --no-merges
#   extract (default)                         vs  a seed-style baseline
#                                                 (bench/seed_extract.py)
#   a no-op re-run; peak resident memory of each.
#
# Without REPO, a 10,000-commit repository is generated with git
# fast-import (bench/gen-history.py) and repacked as git gc would.
# The store of REPO is moved aside and put back afterwards.
# Environment: COMMITS (generated size, default 10000), JOBS (--jobs),
# BASELINE_COMMITS (run the baseline on the newest N commits only and
# scale; default: all).
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=${GIT_PATTERNS:-$ROOT/git-patterns}
PY=/usr/bin/python3
COMMITS=${COMMITS:-10000}

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
STORE=$(git -C "$REPO" rev-parse --git-common-dir)
case $STORE in /*) ;; *) STORE=$REPO/$STORE ;; esac
STORE=$STORE/patterns
if test -e "$STORE"; then
	mv "$STORE" "$WORK/saved-store"
	trap 'rm -rf "$STORE"; mv "$WORK/saved-store" "$STORE"; rm -rf "$WORK"' EXIT
fi
JOBS_OPT=${JOBS:+--jobs $JOBS}

# measure NAME CMD...: wall seconds and peak RSS (KiB) into $WORK/NAME
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %M" -o "$WORK/$name" "$@" >/dev/null 2>"$WORK/$name.err" || {
		cat "$WORK/$name.err" >&2; exit 1; }
}
wall() { cut -d" " -f1 "$WORK/$1"; }
rss() { echo $(( $(cut -d" " -f2 "$WORK/$1") / 1024 )); }

total=$(git -C "$REPO" rev-list --count HEAD)
nomerge=$(git -C "$REPO" rev-list --count --no-merges HEAD)
echo "repository: $REPO ($total commits, $nomerge without merges), $(nproc) cores"

git -C "$REPO" log -p --no-merges >/dev/null # warm the page cache
measure gitlog git -C "$REPO" log -p --no-merges
rm -rf "$STORE"
measure full "$BIN" extract --repo-path "$REPO" --include-unknown -q $JOBS_OPT
best=
for i in 1 2 3 4 5; do
	measure noop "$BIN" extract --repo-path "$REPO" --include-unknown -q
	w=$(wall noop)
	if test -z "$best" || "$PY" -c "import sys; sys.exit(not $w < $best)"; then best=$w; fi
done
rm -rf "$STORE"
measure default "$BIN" extract --repo-path "$REPO" -q $JOBS_OPT
patterns=$("$BIN" extract --repo-path "$REPO" -q -o - | wc -l)

if test -n "$BASELINE_COMMITS"; then
	since=$(git -C "$REPO" log --no-merges --format=%cI --skip=$((BASELINE_COMMITS - 1)) -1)
	measure seed $PY "$HERE/seed_extract.py" --repo-path "$REPO" --output "$WORK/seed.jsonl" --since-date "$since"
	done_commits=$(git -C "$REPO" rev-list --count --no-merges --since="$since" HEAD)
	seedwall=$("$PY" -c "print(round($(wall seed) * $nomerge / $done_commits, 2))")
	seednote="(measured on $done_commits commits, scaled)"
else
	measure seed $PY "$HERE/seed_extract.py" --repo-path "$REPO" --output "$WORK/seed.jsonl"
	seedwall=$(wall seed)
	seednote=""
fi

ratio() { "$PY" -c "print('%.2f' % ($1 / $2))"; }
printf '\n%-44s %10s %10s\n' "" "seconds" "peak MiB"
printf '%-44s %10s %10s\n' "git log -p --no-merges" "$(wall gitlog)" "$(rss gitlog)"
printf '%-44s %10s %10s\n' "extract --include-unknown (fresh store)" "$(wall full)" "$(rss full)"
printf '%-44s %10s\n' "  ratio extract / git log -p" "$(ratio "$(wall full)" "$(wall gitlog)")"
printf '%-44s %10s %10s\n' "seed-style baseline $seednote" "$seedwall" "$(rss seed)"
printf '%-44s %10s %10s\n' "extract (default, fresh store)" "$(wall default)" "$(rss default)"
printf '%-44s %10s\n' "  speed-up over the baseline" "$(ratio "$seedwall" "$(wall default)")x"
printf '%-44s %10s %10s\n' "no-op re-run (best of 5)" "$best" "$(rss noop)"
printf '%-44s %10s\n' "patterns (default)" "$patterns"
