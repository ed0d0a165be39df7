#!/bin/sh
# bench/search/precision.sh [-q QUESTIONS] [-x] REPO [BIN...]: precision
# at 5 and search time of git patterns search on judged questions
# (questions.tsv, the set the ranking was built on, by default; -q FILE for
# another, e.g. the held-out questions-heldout-redis.tsv).
#
# For each binary (default: this tree's build), a bare clone of REPO is
# extracted whole with that binary (the default extraction, as a user runs
# it), then each question is asked (search --json -n 5); a result counts
# when its commit subject matches the judged answer. Prints, per binary,
# the hits per question, precision at 5 (hits / 5, a missing answer counts
# as a miss), and the median wall and CPU time of a search (the whole
# git-patterns process) over five runs each.
#
# -x: REPO is a repository already extracted (its store is searched in
# place, by every binary; for trying rankings that share the store schema).
#
#   sh bench/search/precision.sh /path/to/redis /tmp/old/git-patterns build/bin/git-patterns
#   sh bench/search/precision.sh -q bench/search/questions-heldout-curl.tsv /path/to/curl ...
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
QUESTIONS=$HERE/questions.tsv
IN_PLACE=
while test $# -gt 0; do
	case $1 in
	-q) QUESTIONS=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	-x) IN_PLACE=1; shift ;;
	*) break ;;
	esac
done
usage="usage: bench/search/precision.sh [-q QUESTIONS] [-x] REPO [BIN...]"
test $# -ge 1 || { echo "$usage" >&2; exit 129; }
REPO=$1
shift
test $# -ge 1 || set -- "$HERE/../../build/bin/git-patterns"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-search.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

n=0
for bin in "$@"; do
	n=$((n + 1))
	if test -n "$IN_PLACE"; then
		repo=$REPO
	else
		repo=$WORK/repo$n.git
		git clone -q --bare "$REPO" "$repo"
		"$bin" extract --repo-path "$repo" -q --all
		# the full-text index is built by the first search: not timed
		"$bin" search --repo-path "$repo" -n 1 index >/dev/null || :
	fi
	echo "== $bin ($(basename "$QUESTIONS"))"
	PYTHONPATH=$HERE /usr/bin/python3 - "$bin" "$repo" "$QUESTIONS" <<'PY'
import json, re, statistics, subprocess, sys
from timing import median_times
binary, repo, questions = sys.argv[1:4]
total = asked = 0
times, cpu_times = [], []
for line in open(questions, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    question, answer = line.rstrip("\n").split("\t")
    asked += 1
    cmd = [binary, "search", "--repo-path", repo, "--json", "-n", "5", question]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    wall, cpu = median_times(cmd)
    times.append(wall)
    cpu_times.append(cpu)
    results = json.loads(out)["patterns"]
    hits = sum(1 for r in results if re.search(answer, r["commit_msg"], re.I))
    total += hits
    print("%d/5  %5.1f ms wall %5.1f ms cpu  %s" % (hits, 1000 * wall, 1000 * cpu, question))
    for r in results:
        mark = "+" if re.search(answer, r["commit_msg"], re.I) else "-"
        print("       %s %s %s" % (mark, r["file_path"], r["commit_msg"][:70]))
print("precision at 5: %d/%d = %.2f; search (whole process) median %.1f ms wall, "
      "%.1f ms cpu; slowest %.1f ms wall, %.1f ms cpu"
      % (total, 5 * asked, total / (5 * asked), 1000 * statistics.median(times), 1000 * statistics.median(cpu_times),
         1000 * max(times), 1000 * max(cpu_times)))
PY
done
