#!/bin/sh
# bench/languages.sh REPO: the files of REPO's history that get no language.
#
# Extracts the whole history of a bare clone of REPO (every commit, unknown
# ones included; REPO itself is not touched) and prints, per file_role, how
# many distinct paths and patterns have language "", then every source and
# test path without a language (the SPEC §4 goal: none). Vendored paths are
# not extracted, so they are not counted.
#
#   sh bench/languages.sh /path/to/redis
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=${GIT_PATTERNS:-$HERE/../build/bin/git-patterns}
test $# = 1 || { echo "usage: bench/languages.sh REPO" >&2; exit 129; }
test -x "$BIN" || { echo "no $BIN: run make first" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gp-languages.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

git clone -q --bare "$1" "$WORK/repo.git"
"$BIN" extract --repo-path "$WORK/repo.git" -q --all --include-unknown -o "$WORK/all.jsonl"
/usr/bin/python3 - "$WORK/all.jsonl" <<'PY'
import collections, json, sys
paths = collections.defaultdict(set)
patterns = collections.Counter()
total = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    total[r["file_role"]] += 1
    if not r["language"]:
        paths[r["file_role"]].add(r["file_path"])
        patterns[r["file_role"]] += 1
print("%-8s %9s %12s %14s" % ("role", "patterns", "no language", "paths without"))
for role in ("source", "test", "docs", "build", "other"):
    print("%-8s %9d %12d %14d" % (role, total[role], patterns[role], len(paths[role])))
for role in ("source", "test"):
    for p in sorted(paths[role]):
        print("%s without a language: %s" % (role, p))
missing = len(paths["source"]) + len(paths["test"])
print("source and test paths without a language: %d" % missing)
PY
