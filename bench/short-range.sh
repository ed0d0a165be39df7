#!/bin/bash
# bench/short-range.sh [REPO [RANGE]]: time the extraction of a short range
# side by side with the seed-style script (bench/seed_extract.py) and
# git log -p of the same range, each on a fresh store:
#
#   git patterns extract --rev RANGE        (this build; BEFORE: another too)
#   python3 bench/seed_extract.py --rev RANGE
#   git log -p --no-merges RANGE >/dev/null
#   git diff-tree -p of only the commits the extraction had to diff (what
#   the diffs alone cost: the floor for any extraction that diffs them)
#   git cat-file --batch of the blobs those diffs read (old and new side of
#   every changed file): what reading them costs before any diffing
#
# The runs alternate, ROUNDS times each (default 3), and the median wall
# time of each is shown with its CPU time (user + system, children
# included). REPO defaults to a bare clone of redis made from the mirror
# (/tmp/short-redis.git); RANGE to HEAD~500..HEAD. Environment:
# GIT_PATTERNS (the binary; default ./git-patterns), BEFORE (a second
# binary to compare, e.g. a build of main), ROUNDS.
# The store of REPO is moved aside and put back afterwards.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=${GIT_PATTERNS:-$ROOT/git-patterns}
PY=/usr/bin/python3
ROUNDS=${ROUNDS:-3}
REPO=${1:-/tmp/short-redis.git}
RANGE=${2:-HEAD~500..HEAD}

test -x "$BIN" || { echo "no $BIN: run make first" >&2; exit 1; }
test -z "$BEFORE" || test -x "$BEFORE" || { echo "no $BEFORE" >&2; exit 1; }
if ! test -x /usr/bin/time; then
	echo "install Debian's time package first" >&2
	exit 1
fi
if ! test -d "$REPO"; then
	test $# -eq 0 || { echo "no repository $REPO" >&2; exit 1; }
	echo "cloning redis into $REPO ..." >&2
	git clone -q --bare /work/.mirror/redis+redis/repo "$REPO"
fi
REPO=$(cd "$REPO" && pwd)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-short.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
. "$HERE/lib.sh"
store_set_aside "$REPO"

commits=$(git -C "$REPO" rev-list --count --no-merges "$RANGE")
echo "repository: $REPO, range $RANGE ($commits commits without merges), $(nproc) cores"
git -C "$REPO" log -p --no-merges "$RANGE" >/dev/null # warm the page cache
loads=
for i in $(seq "$ROUNDS"); do
	loads="$loads $(cut -d" " -f1 /proc/loadavg)"
	rm -rf "$STORE"
	measure ours.$i "$BIN" extract --repo-path "$REPO" --rev "$RANGE" -q
	if test -n "$BEFORE"; then
		rm -rf "$STORE"
		measure before.$i "$BEFORE" extract --repo-path "$REPO" --rev "$RANGE" -q
	fi
	measure seed.$i "$PY" "$HERE/seed_extract.py" --repo-path "$REPO" --rev "$RANGE" \
		--output "$WORK/seed.jsonl"
	measure gitlog.$i git -C "$REPO" log -p --no-merges "$RANGE"
done
rm -rf "$STORE"
for n in ours before seed gitlog; do
	test -e "$WORK/$n.1" || continue
	cp "$WORK/$n.$(median_of $n)" "$WORK/$n"
done
patterns=$("$BIN" extract --repo-path "$REPO" --rev "$RANGE" -q -o - | wc -l)
# What the diffs alone cost: the commits that had to be diffed (not left
# out as unknown), through one git diff-tree with the extraction's options.
sqlite3 "$STORE/patterns.db" "SELECT commit_id FROM processed WHERE skipped_unknown = 0" \
	>"$WORK/diffed"
rm -rf "$STORE"
for i in $(seq "$ROUNDS"); do
	GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=268435456 \
	measure diffs.$i git --git-dir="$REPO" -c core.bare=true -c core.deltaBaseCacheLimit=32m \
		diff-tree --stdin --always --root -r -z --raw -p --no-abbrev --full-index -M50% -l1000 \
		--inter-hunk-context=0 --diff-algorithm=myers --indent-heuristic --no-textconv \
		--no-ext-diff --no-color -U3 <"$WORK/diffed"
done
cp "$WORK/diffs.$(median_of diffs)" "$WORK/diffs"
# What reading the blobs alone costs: every old and new blob of the files
# the diffed commits change, in one git cat-file.
git --git-dir="$REPO" diff-tree --stdin -r --raw -M50% -l1000 --no-abbrev <"$WORK/diffed" |
	awk '/^:/ { print $3; print $4 }' | grep -v '^0*$' >"$WORK/blobs"
for i in $(seq "$ROUNDS"); do
	measure blobs.$i git --git-dir="$REPO" -c core.deltaBaseCacheLimit=32m \
		cat-file --batch <"$WORK/blobs"
done
cp "$WORK/blobs.$(median_of blobs)" "$WORK/blobs.t"

ratio() { "$PY" -c "print('%.1f' % ($1 / $2))"; }
printf '\n%-44s %8s %8s %12s\n' "(median of $ROUNDS)" "wall s" "cpu s" "seed / this"
row() { printf '%-44s %8s %8s %12s\n' "$1" "$(wall $2)" "$(cpu $2)" "$(ratio "$(wall seed)" "$(wall $2)")x"; }
row "git patterns extract --rev $RANGE" ours
test -z "$BEFORE" || row "  before ($BEFORE)" before
row "bench/seed_extract.py --rev $RANGE" seed
row "git log -p --no-merges $RANGE" gitlog
row "git diff-tree -p of the $(wc -l <"$WORK/diffed") commits diffed" diffs
printf '%-44s %8s\n' "  on 2 cores at best (its cpu / 2)" \
	"$("$PY" -c "print('%.2f' % ($(cpu diffs) / 2))")"
printf '%-44s %8s %8s\n' "git cat-file of their $(wc -l <"$WORK/blobs") blobs ($(git --git-dir="$REPO" \
	cat-file --batch-check='%(objectsize)' <"$WORK/blobs" | awk '{ s += $1 } END { printf "%.0f", s / 1e6 }') MB)" \
	"$(wall blobs.t)" "$(cpu blobs.t)"
printf '%-44s %8s\n' "  on 2 cores at best (its cpu / 2)" \
	"$("$PY" -c "print('%.2f' % ($(cpu blobs.t) / 2))")"
printf '%-44s %8s\n' "30x the seed-style script would be" \
	"$("$PY" -c "print('%.2f' % ($(wall seed) / 30))")"
echo "patterns: $patterns (this build); seed-style records: $(wc -l < "$WORK/seed.jsonl")"
echo "load average at the start of each round:$loads; now $(cut -d" " -f1-3 /proc/loadavg)"
