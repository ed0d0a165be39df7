#!/bin/sh
# bench/recall.sh REPO: the recall index on a real history (redis/redis is
# the reference: its whole history, extract --include-unknown).
#
#   1. extraction time with the index built (extract catches it up), against
#      git log -p --no-merges over the same history, alternating ROUNDS
#      times (medians); and the index build alone (from an unindexed copy);
#   2. the index's share of the store's size (SQLite's dbstat);
#   3. recall@1 / recall@3 and query times on modified real fixes
#      (bench/recall_queries.py: QUERIES fixes x 4 kinds of change), and the
#      speed-up over scoring every pattern (EXHAUSTIVE queries).
# The store of REPO is moved aside and put back afterwards.
# Environment: ROUNDS (default 3), QUERIES (default 100), EXHAUSTIVE
# (default 10), SEED (default 42).
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=${GIT_PATTERNS:-$ROOT/git-patterns}
PY=/usr/bin/python3
ROUNDS=${ROUNDS:-3}
QUERIES=${QUERIES:-100}
EXHAUSTIVE=${EXHAUSTIVE:-10}
SEED=${SEED:-42}

test $# = 1 || { echo "usage: bench/recall.sh REPO (a clone of redis/redis)" >&2; exit 129; }
test -x "$BIN" || { echo "no $BIN: run make first" >&2; exit 1; }
REPO=$(cd "$1" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-bench-recall.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
. "$HERE/lib.sh"
store_set_aside "$REPO"
DB=$STORE/patterns.db
ratio() { "$PY" -c "print('%.2f' % ($1 / $2))"; }

echo "repository: $REPO ($(git -C "$REPO" rev-list --count --no-merges HEAD) commits without merges), $(nproc) cores"
git -C "$REPO" log -p --no-merges >/dev/null # warm the page cache
for i in $(seq "$ROUNDS"); do
	measure gitlog.$i git -C "$REPO" log -p --no-merges
	rm -rf "$STORE"
	measure full.$i "$BIN" extract --repo-path "$REPO" --include-unknown -q
done
cp "$WORK/gitlog.$(median_of gitlog)" "$WORK/gitlog"
cp "$WORK/full.$(median_of full)" "$WORK/full"

# the index alone: drop it, then let recall rebuild it (first use)
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$WORK/indexed.db"
size_with=$(stat -c %s "$DB")
index_bytes=$(sqlite3 "$DB" "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'recall_postings%'")
postings=$(sqlite3 "$DB" "SELECT count(*) FROM recall_postings")
patterns=$(sqlite3 "$DB" "SELECT count(*) FROM patterns")
sqlite3 "$DB" "DELETE FROM recall_postings; DELETE FROM meta WHERE key = 'recall.indexed_upto'; VACUUM" 
size_without=$(stat -c %s "$DB")
echo 'x' >"$WORK/q.c"
measure build "$BIN" recall --repo-path "$REPO" --file "$WORK/q.c"
cp "$WORK/indexed.db" "$DB"

printf '\n%-52s %9s %9s\n' "" "wall s" "cpu s"
printf '%-52s %9s %9s\n' "git log -p --no-merges (median of $ROUNDS)" "$(wall gitlog)" "$(cpu gitlog)"
printf '%-52s %9s %9s\n' "extract --include-unknown, index built (median)" "$(wall full)" "$(cpu full)"
printf '%-52s %9s %9s\n' "  ratio extract / git log -p" "$(ratio "$(wall full)" "$(wall gitlog)")" \
	"$(ratio "$(cpu full)" "$(cpu gitlog)")"
printf '%-52s %9s %9s\n' "index build alone ($patterns patterns, first use)" "$(wall build)" "$(cpu build)"
echo "store: $size_without bytes without the index, $size_with with it" \
	"(+$(ratio "$(( (size_with - size_without) * 100 ))" "$size_without")%);" \
	"recall_postings: $postings postings, $index_bytes bytes of pages"
echo
"$PY" "$HERE/recall_queries.py" "$BIN" "$REPO" "$DB" "$QUERIES" "$SEED" "$EXHAUSTIVE"
echo "load average: $(cut -d" " -f1-3 /proc/loadavg)"
