#!/usr/bin/env python3
"""Score the classifier against commits judged by hand (bench/judged/*.tsv).

  classify-score.py sample OWNER/NAME [--seed N] [--n 40]
      draw commits to judge from the repository's history (non-merge):
      N uniformly, and N of those the built classifier labels bug_fix
      (bench/judged/*.tsv were drawn with seed 12 from the classifier before
      the rules of 2026-12 and seed 7 or 13 after them); prints
      "<commit>\t?\t<sample>\t<subject>" lines to be judged.
  classify-score.py score [FILE.tsv ...]
      run the built classifier on every judged commit and print, per set
      (dev / held-out): precision per label, the accepted-label rate and
      the share of real fixes and features left unknown.

A judged file starts with "# repo: OWNER/NAME" and "# set: dev|held-out";
then one line per commit: commit id, true label, sample ("uniform";
"bug_fix": drawn from the bug_fix labels of the classifier before the
rules of CLASSIFY_VERSION 2; "bug_fix-v2": from those of version 2), a
short reason. Histories are read from the fetched snapshot
(/work/.mirror/OWNER+NAME/repo, or $CLASSIFY_MIRRORS/OWNER+NAME/repo).
The classifier is build/bench/classify-commits (the real classify.o).
"""
import collections
import glob
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.environ.get("CLASSIFY_TOOL",
                      os.path.join(HERE, "..", "build", "bench", "classify-commits"))
MIRRORS = os.environ.get("CLASSIFY_MIRRORS", "/work/.mirror")
LABELS = ["bug_fix", "feature_addition", "refactoring", "optimization",
          "security", "documentation", "testing", "unknown"]


def mirror(repo):
    return os.path.join(MIRRORS, repo.replace("/", "+"), "repo")


def git(repo, *args, data=None):
    return subprocess.run(["git", "--git-dir", mirror(repo), *args], input=data,
                          check=True, capture_output=True).stdout


def records(repo, commits, with_paths=True):
    """The classifier's input for commits (subject, body, changed paths)."""
    fmt = "--format=%x1e%H%x1f%s%x1f%b%x1f"
    args = ["-c", "diff.renames=true", "log", "--no-walk=unsorted", fmt, "--stdin"]
    if with_paths:
        args.append("--name-only")
    out = git(repo, *args, data=("\n".join(commits) + "\n").encode())
    if not with_paths:
        out = out.replace(b"\x1f\n", b"\x1f?\n").replace(b"\x1f\x1e", b"\x1f?\x1e")
        if out.endswith(b"\x1f"):
            out += b"?"
    return out


def classify(repo, commits, with_paths=True):
    out = subprocess.run([TOOL], input=records(repo, commits, with_paths),
                         check=True, capture_output=True).stdout.decode()
    res = {}
    for line in out.splitlines():
        c, label, rule = line.split("\t")
        res[c] = (label, rule)
    return res


def sample(repo, seed, n):
    commits = git(repo, "rev-list", "--no-merges", "HEAD").decode().split()
    rng = random.Random(seed)
    uniform = rng.sample(commits, n)
    labels = classify(repo, commits)
    fixes = [c for c in commits if labels[c][0] == "bug_fix" and c not in uniform]
    fixes = rng.sample(fixes, n)
    subj = dict(line.split("\t", 1) for line in git(
        repo, "log", "--no-walk=unsorted", "--format=%H\t%s", *uniform, *fixes)
        .decode(errors="replace").splitlines())
    for s, cs in (("uniform", uniform), ("bug_fix", fixes)):
        for c in cs:
            print(f"{c}\t?\t{s}\t{subj[c]}")


def read_judged(path):
    meta, rows = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                k, _, v = line[1:].partition(":")
                meta[k.strip()] = v.strip()
            elif line.strip():
                c, label, smp, reason = (line.split("\t") + [""] * 4)[:4]
                assert label in LABELS, f"{path}: bad label {label!r}"
                rows.append((c, label, smp, reason))
    return meta, rows


def pct(a, b):
    return f"{100.0 * a / b:5.1f}% ({a}/{b})" if b else "    -"


def score(files):
    sets = collections.OrderedDict()
    for path in files:
        meta, rows = read_judged(path)
        got = classify(meta["repo"], [r[0] for r in rows])
        for c, truth, smp, reason in rows:
            sets.setdefault(meta["set"], []).append(
                (meta["repo"], c, truth, smp, got[c][0], got[c][1], reason))
    for name, rows in sets.items():
        repos = sorted({r[0] for r in rows})
        print(f"== {name} set: {', '.join(repos)} ({len(rows)} judged commits)")
        print("precision per label (every judged commit the classifier gives it):")
        for label in LABELS:
            mine = [r for r in rows if r[4] == label]
            print(f"  {label:17} {pct(sum(r[2] == label for r in mine), len(mine))}")
        for smp in sorted({r[3] for r in rows}):
            mine = [r for r in rows if r[3] == smp and r[4] == "bug_fix"]
            ok = sum(r[2] == "bug_fix" for r in mine)
            print(f"bug_fix precision on the {smp} sample: {pct(ok, len(mine))}")
        uni = [r for r in rows if r[3] == "uniform"]
        ok = sum(r[2] == r[4] for r in uni)
        print(f"accepted label (uniform sample): {pct(ok, len(uni))}")
        real = [r for r in uni if r[2] in ("bug_fix", "feature_addition")]
        left = sum(r[4] == "unknown" for r in real)
        print(f"real fixes+features left unknown (uniform sample): {pct(left, len(real))}")
        if os.environ.get("VERBOSE"):
            for r in rows:
                if r[2] != r[4]:
                    print(f"  MISS {r[0]} {r[1][:10]} truth={r[2]} got={r[4]} ({r[5]}) {r[6]}")
        print()


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "sample":
        args = sys.argv[3:]
        seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 12
        n = int(args[args.index("--n") + 1]) if "--n" in args else 40
        sample(sys.argv[2], seed, n)
    elif len(sys.argv) >= 2 and sys.argv[1] == "score":
        score(sys.argv[2:] or sorted(glob.glob(os.path.join(HERE, "judged", "*.tsv"))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
