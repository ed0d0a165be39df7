#!/bin/sh
# bench/search/precision.sh REPO [BIN...]: precision at 5 and search time
# of git patterns search on the ten judged questions of questions.tsv.
#
# For each binary (default: this tree's build), a bare clone of REPO is
# extracted whole with that binary (the default extraction, as a user runs
# it), then each question is asked (search --json -n 5); a result counts
# when its commit subject matches the judged answer. Prints, per binary,
# the hits per question, precision at 5 (hits / 5, a missing answer counts
# as a miss), and the median wall and CPU time of a search (the whole
# git-patterns process) over five runs each.
#
#   sh bench/search/precision.sh /path/to/redis /tmp/old/git-patterns build/bin/git-patterns
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
test $# -ge 1 || { echo "usage: bench/search/precision.sh REPO [BIN...]" >&2; exit 129; }
REPO=$1
shift
test $# -ge 1 || set -- "$HERE/../../build/bin/git-patterns"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-search.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

n=0
for bin in "$@"; do
	n=$((n + 1))
	git clone -q --bare "$REPO" "$WORK/repo$n.git"
	"$bin" extract --repo-path "$WORK/repo$n.git" -q --all
	echo "== $bin"
	/usr/bin/python3 - "$bin" "$WORK/repo$n.git" "$HERE/questions.tsv" <<'PY'
import json, os, re, statistics, subprocess, sys, time
binary, repo, questions = sys.argv[1:4]
total = 0
times, cpu_times = [], []
for line in open(questions, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    question, answer = line.rstrip("\n").split("\t")
    cmd = [binary, "search", "--repo-path", repo, "--json", "-n", "5", question]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    walls, cpus = [], []
    for _ in range(5):
        t, c = time.perf_counter(), os.times()
        subprocess.run(cmd, capture_output=True, check=True)
        c2 = os.times()
        walls.append(time.perf_counter() - t)
        cpus.append(c2.children_user - c.children_user + c2.children_system - c.children_system)
    times.append(statistics.median(walls))
    cpu_times.append(statistics.median(cpus))
    results = json.loads(out)["patterns"]
    hits = sum(1 for r in results if re.search(answer, r["commit_msg"], re.I))
    total += hits
    print("%d/5  %5.1f ms wall %5.1f ms cpu  %s" % (hits, 1000 * statistics.median(walls),
                                               1000 * statistics.median(cpus), question))
    for r in results:
        mark = "+" if re.search(answer, r["commit_msg"], re.I) else "-"
        print("       %s %s %s" % (mark, r["file_path"], r["commit_msg"][:70]))
print("precision at 5: %d/50 = %.2f; search (whole process) median %.1f ms wall, "
      "%.1f ms cpu; slowest %.1f ms wall, %.1f ms cpu"
      % (total, total / 50, 1000 * statistics.median(times), 1000 * statistics.median(cpu_times),
         1000 * max(times), 1000 * max(cpu_times)))
PY
done
