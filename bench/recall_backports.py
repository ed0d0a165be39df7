#!/usr/bin/env python3
"""bench/recall_backports.py BIN REPO [KIND]

Recall asked as a user asks it, with answers nobody chose: the backports
of a history. A release branch's commit made with "git cherry-pick -x"
names the fix it was taken from ("(cherry picked from commit X)"). Asked
"git patterns recall C --json" (the old side of C's hunks, each changed
file a query, as the manual says), recall should point at X: the code C
changes on the release branch is the code X changed on the main line,
often not byte for byte (older surroundings, a conflict resolved).

REPO's store must hold its HEAD's history (git patterns extract; the
default store will do) and REPO the other branches (a clone has them as
origin/*). Every non-merge commit reachable from some ref but not from
HEAD whose message names a commit X that has patterns in the store is
asked once, in commit order (no sampling: the set is what the history
holds). The answer at rank r is found when the r-th hit is one of X's
patterns, or a pattern whose before_code is byte-identical to one of
X's (reverts and other cherry-picks on the main line; nothing can tell
those apart).

Printed, for all the backports and split by whether the backport's
patch is X's (same "git patch-id --stable") or adapted: recall@1,
recall@3, and the median in-process time (took_ms). KIND limits the
backports to those whose changed files include one of that language
(by extension: c, py, js, go, rs; default: any).
"""
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys

TRAILER = re.compile(r"cherry picked from commit ([0-9a-f]{40})")
EXTENSIONS = {"c": (".c", ".h"), "py": (".py",), "js": (".js", ".ts"),
              "go": (".go",), "rs": (".rs",)}


def git(repo, *args, data=None):
    return subprocess.run(["git", "-C", repo] + list(args), input=data,
                          capture_output=True, check=True).stdout


def patch_id(repo, commit):
    diff = git(repo, "diff-tree", "-p", "--no-color", commit)
    out = git(repo, "patch-id", "--stable", data=diff).split()
    return out[0].decode() if out else None


def store_path(repo):
    common = git(repo, "rev-parse", "--git-common-dir").decode().strip()
    if not os.path.isabs(common):
        common = os.path.join(repo, common)
    return os.path.join(common, "patterns", "patterns.db")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    kind = sys.argv[3] if len(sys.argv) > 3 else None
    if kind and kind not in EXTENSIONS:
        sys.exit("unknown KIND %s (one of %s)" % (kind, ", ".join(EXTENSIONS)))

    db = sqlite3.connect("file:%s?mode=ro" % store_path(repo), uri=True)
    db.text_factory = bytes
    before = {}
    for commit, code in db.execute(
            "SELECT commit_id, before_code FROM patterns"
            " WHERE origin = 'local' AND obsolete = 0"):
        before.setdefault(commit.decode(), set()).add(code)

    log = git(repo, "log", "--all", "--not", "HEAD", "--no-merges", "--reverse",
              "--grep=cherry picked from commit", "--format=%H%x00%B%x01").decode(
                  "utf-8", "replace")
    asks = []
    for entry in log.split("\x01"):
        entry = entry.strip("\n")
        if not entry:
            continue
        commit, body = entry.split("\x00", 1)
        picked = [x for x in TRAILER.findall(body) if x in before]
        if len(picked) != 1:
            continue
        if kind:
            files = git(repo, "diff-tree", "--no-commit-id", "-r", "--name-only",
                        commit).decode("utf-8", "replace").split("\n")
            if not any(f.endswith(EXTENSIONS[kind]) for f in files):
                continue
        asks.append((commit, picked[0]))

    results = {"same patch": [], "adapted": []}
    took = []
    for commit, fix in asks:
        group = "same patch" if patch_id(repo, commit) == patch_id(repo, fix) else "adapted"
        out = subprocess.run([binary, "recall", commit, "--json", "-n", "3"], cwd=repo,
                             capture_output=True)
        if out.returncode:
            sys.exit("recall %s failed: %s" % (commit, out.stderr.decode("utf-8", "replace")))
        answer = json.loads(out.stdout)
        took.append(answer.get("took_ms", 0))
        rank = None
        for r, hit in enumerate(answer.get("hits", []), 1):
            code = hit.get("before_code", "").encode("utf-8", "surrogateescape")
            if hit.get("commit") == fix or code in before[fix]:
                rank = r
                break
        results[group].append(rank)

    print("backports asked: %d (of commits off HEAD naming a fix with patterns%s)"
          % (len(asks), ", touching %s files" % kind if kind else ""))
    print("%-12s %6s %9s %9s" % ("", "n", "recall@1", "recall@3"))
    everything = results["same patch"] + results["adapted"]
    for name, ranks in list(results.items()) + [("all", everything)]:
        if not ranks:
            continue
        at1 = sum(1 for r in ranks if r == 1) / len(ranks)
        at3 = sum(1 for r in ranks if r is not None and r <= 3) / len(ranks)
        print("%-12s %6d %9.3f %9.3f" % (name, len(ranks), at1, at3))
    if took:
        print("median took_ms %.1f" % statistics.median(took))


if __name__ == "__main__":
    main()
