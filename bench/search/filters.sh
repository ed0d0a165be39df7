#!/bin/sh
# bench/search/filters.sh REPO [BIN...]: the time of one question
# ("how do I fix a memory leak", about 10,000 hits on redis) searched with
# each filter of search, by each binary, on REPO as it is (a repository
# already extracted: its store is searched in place). Prints the answers
# given and the median wall and CPU time (the whole git-patterns process,
# getrusage) of five runs.
#
#   sh bench/search/filters.sh /tmp/redis.git /tmp/old/git-patterns build/bin/git-patterns
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
test $# -ge 1 || { echo "usage: bench/search/filters.sh REPO [BIN...]" >&2; exit 129; }
REPO=$1
shift
test $# -ge 1 || set -- "$HERE/../../build/bin/git-patterns"
PYTHONPATH=$HERE /usr/bin/python3 - "$REPO" "$@" <<'PY'
import subprocess, sys
from timing import median_times
repo, binaries = sys.argv[1], sys.argv[2:]
question = "how do I fix a memory leak"
filters = [[], ["--language", "tcl"], ["--role", "test"], ["--role", "docs"], ["--code-only"],
           ["--type", "feature_addition"], ["--language", "python"], ["-n", "20"]]
for args in filters:
    if not args or args[0] != "-n":
        args = ["-n", "5"] + args
    for binary in binaries:
        cmd = [binary, "search", "--repo-path", repo] + args + [question]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        wall, cpu = median_times(cmd)
        print("%-28s %3d answers %6.1f ms wall %6.1f ms cpu  %s"
              % (" ".join(args), len(out.splitlines()), 1000 * wall, 1000 * cpu, binary))
PY
