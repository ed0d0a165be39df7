#!/bin/bash
# bench/hook.sh: what the hooks cost a commit.
#
#   bench/hook.sh [COMMITS] [SMALL] [BIGFILES]     (defaults 10000 25 2000)
#
# Builds a repository of COMMITS commits (a tree of 3,000+ files) with git
# fast-import, extracts it
# into the store, installs the hooks, then measures:
#  1. SMALL pairs of small commits (one file changed), each pair one commit
#     with the hooks and one without (core.hooksPath pointing at an empty
#     folder), alternating; reports the median of (hooked - unhooked);
#  2. a commit that changes BIGFILES files, with and without the hooks, and
#     how long after the hooked commit returns its patterns are in the store.
# Uses build/bin/git-patterns (run make first). Work files: bench/out/hook.
set -euo pipefail

COMMITS=${1:-10000}
SMALL=${2:-25}
BIGFILES=${3:-2000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
OUT=$ROOT/bench/out/hook
PATH=$ROOT/build/bin:$PATH
export PATH
test -x "$ROOT/build/bin/git-patterns" || { echo "run make first" >&2; exit 1; }

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$OUT/gitconfig
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_PATTERNS_HOOK

rm -rf "$OUT"
mkdir -p "$OUT/nohooks"
git config --global init.defaultBranch main
git config --global gc.auto 0
git config --global maintenance.auto false
cd "$OUT"

now() { echo "${EPOCHREALTIME/./}"; }   # microseconds
# CPU time from perf (0.01 ms) when it works, else GNU time (10 ms steps)
PERF=
perf stat -x, -e task-clock -o /dev/null true 2>/dev/null && PERF=1

# --- 1. a repository of $COMMITS commits --------------------------------
echo "building a repository of $COMMITS commits (fast-import)..."
t0=$(now)
git init -q repo
/usr/bin/python3 - "$COMMITS" <<'PY' | git -C repo fast-import --quiet
import sys
n = int(sys.argv[1])
kinds = ["fix: handle empty input in", "feat: add option to", "perf: speed up",
         "refactor: simplify", "docs: explain", "Update"]
files = 200
content = {}
out = sys.stdout
t = 1500000000
# a tree of realistic size: 3,000 files in 60 folders, then the history
out.write("commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\n" % t)
msg = b"feat: add the library\n"
out.write("data %d\n" % len(msg)); out.flush(); sys.stdout.buffer.write(msg)
for d in range(60):
    for f in range(50):
        data = ("/* lib %d/%d */\nint lib_%d_%d;\n" % (d, f, d, f)).encode()
        out.write("M 100644 inline lib/d%02d/f%03d.c\ndata %d\n" % (d, f, len(data))); out.flush()
        sys.stdout.buffer.write(data)
out.write("\n")
for i in range(1, n + 1):
    f = i % files
    path = "src/mod%03d.c" % f
    lines = content.get(path, ["/* module %d */" % f, "int v%d;" % f])
    lines = lines[-40:] + ["int f%d_%d(int x) { return x + %d; }" % (f, i, i)]
    content[path] = lines
    data = ("\n".join(lines) + "\n").encode()
    msg = ("%s mod%03d (change %d)\n" % (kinds[i % len(kinds)], f, i)).encode()
    t += 60
    out.write("commit refs/heads/main\n")
    out.write("committer Bench <bench@example.com> %d +0000\n" % t)
    out.write("data %d\n" % len(msg)); out.flush()
    sys.stdout.buffer.write(msg)
    out.write("M 100644 inline %s\n" % path)
    out.write("data %d\n" % len(data)); out.flush()
    sys.stdout.buffer.write(data)
    out.write("\n")
out.flush()
PY
git -C repo reset -q --hard main
echo "  $(git -C repo rev-list --count HEAD) commits in $(( ($(now) - t0) / 1000 )) ms"

echo "extracting them into the store..."
# the commit of step 3 is a real change of BIGFILES files, not a mechanical
# one (patterns.maxCommitFiles, default 100, would make it unknown: no
# patterns to wait for); set before the first run, so no relabelling follows
git -C repo config patterns.maxCommitFiles $((BIGFILES + 1))
t0=$(now)
git -C repo patterns extract --quiet
echo "  $(sqlite3 repo/.git/patterns/patterns.db 'SELECT count(*) FROM patterns') patterns in $(( ($(now) - t0) / 1000 )) ms"

git -C repo patterns hook install >/dev/null
git -C repo config core.hooksPath "$OUT/repo/.git/hooks"

# --- 2. small commits, hooked and not -----------------------------------
# commit_time HOOKS MSG -> "<wall us> <cpu us>": elapsed time, and the CPU
# time (user + system) of git and the processes it waited for (the hooks;
# not a detached background process). CPU time does not depend on what
# else the machine runs; wall time does.
commit_time() {
	local a b cpu
	a=$(now)
	if test -n "$PERF"; then
		# task-clock of git and the children it waited for, in ms
		perf stat -x, -e task-clock -o "$OUT/time.out" \
			git -C repo -c core.hooksPath="$1" commit -q -m "$2"
		b=$(now)
		cpu=$(awk -F, '/task-clock/ {printf "%d", $1 * 1000}' "$OUT/time.out")
	else
		/usr/bin/time -f "%U %S" -o "$OUT/time.out" \
			git -C repo -c core.hooksPath="$1" commit -q -m "$2"
		b=$(now)
		cpu=$(awk '{printf "%d", ($1 + $2) * 1000000}' "$OUT/time.out")
	fi
	echo "$((b - a)) $cpu"
}
echo "timing $SMALL pairs of small commits (load average: $(cut -d' ' -f1-3 /proc/loadavg))..."
: >small.txt
for i in $(seq 1 "$SMALL"); do
	f=src/mod$(printf %03d $((i % 200))).c
	echo "int bench_h$i;" >>"repo/$f" && git -C repo add "$f"
	h=$(commit_time "$OUT/repo/.git/hooks" "fix: bench hooked $i")
	b=$(now)
	# the hook works in the background: wait until the pattern is in
	head=$(git -C repo rev-parse HEAD)
	until test "$(sqlite3 repo/.git/patterns/patterns.db "SELECT count(*) FROM patterns WHERE commit_id = '$head'" 2>/dev/null)" = 1; do
		test $(( $(now) - b )) -gt 20000000 && { echo "error: $head not in the store after 20 s" >&2; exit 1; }
		sleep 0.002
	done
	l=$(( $(now) - b ))
	echo "int bench_u$i;" >>"repo/$f" && git -C repo add "$f"
	u=$(commit_time "$OUT/nohooks" "fix: bench unhooked $i")
	echo "$h $u $l" >>small.txt   # wall cpu (hooked), wall cpu (unhooked), landed after
done
# every hooked commit's pattern must be in the store
n=$(sqlite3 repo/.git/patterns/patterns.db "SELECT count(*) FROM patterns WHERE commit_msg LIKE 'fix: bench hooked %'")
test "$n" = "$SMALL" || { echo "error: only $n of $SMALL hooked commits are in the store" >&2; exit 1; }
/usr/bin/python3 - small.txt <<'PY'
import statistics, sys
rows = [tuple(int(x) / 1000 for x in l.split()) for l in open(sys.argv[1]) if l.strip()]
med = statistics.median
for name, i in (("wall", 0), ("cpu", 1)):
    d = [r[i] - r[i + 2] for r in rows]
    print("  %-4s hooked %.1f ms, unhooked %.1f ms (medians); hooked - unhooked, median over"
          " %d pairs: %.1f ms (min %.1f, max %.1f)"
          % (name, med(r[i] for r in rows), med(r[i + 2] for r in rows), len(d), med(d),
             min(d), max(d)))
lat = [r[4] for r in rows]
print("  pattern in the store after the hooked commit returned: median %.1f ms (max %.1f)"
      % (med(lat), max(lat)))
PY

# --- 3. a commit of $BIGFILES files -------------------------------------
big_change() { # $1: tag
	mkdir -p repo/big
	for i in $(seq 1 "$BIGFILES"); do
		printf 'int big_%s_%d(void) { return %d; }\n' "$1" "$i" "$i" >>"repo/big/f$i.c"
	done
	git -C repo add big
}
echo "timing a commit of $BIGFILES files..."
big_change u
u=$(commit_time "$OUT/nohooks" "feat: add $BIGFILES files, unhooked")
big_change h
a=$(now)
h=$(commit_time "$OUT/repo/.git/hooks" "feat: add $BIGFILES files, hooked")
b=$(now)
head=$(git -C repo rev-parse HEAD)
while :; do
	n=$(sqlite3 repo/.git/patterns/patterns.db "SELECT count(*) FROM patterns WHERE commit_id = '$head'" 2>/dev/null || echo 0)
	test "$n" -ge "$BIGFILES" && break
	test $(( $(now) - b )) -gt 120000000 && { echo "error: patterns not in the store after 120 s ($n)" >&2; exit 1; }
	sleep 0.01
done
c=$(now)
read uw uc <<<"$u"
read hw hc <<<"$h"
echo "  unhooked commit: $((uw / 1000)) ms wall, $((uc / 1000)) ms cpu"
echo "  hooked commit:   $((hw / 1000)) ms wall, $((hc / 1000)) ms cpu (returns $(( (hw - uw) / 1000 )) ms after the unhooked one)"
echo "  its $n patterns in the store $(( (c - b) / 1000 )) ms after the commit returned"
if test -s repo/.git/patterns/hook.log; then
	echo "hook.log:"; cat repo/.git/patterns/hook.log
fi
