#!/usr/bin/env python3
"""Score the classifier against commits judged by hand (bench/judged/*.tsv).

  classify-score.py sample OWNER/NAME [--seed N] [--n 40]
      draw commits to judge from the repository's history (non-merge):
      N uniformly, and N of those the built classifier labels bug_fix
      (bench/judged/*.tsv were drawn with seed 12 from the classifier before
      the rules of 2026-12 and seed 7 or 13 after them); prints
      "<commit>\t?\t<sample>\t<subject>" lines to be judged.
  classify-score.py score [--one-set] [FILE.tsv ...]
      run the built classifier on every judged commit and print, per set
      (dev / held-out): precision per label, the accepted-label rate and
      the share of real fixes and features left unknown. --one-set scores
      every file as one set whatever its "# set:" line says (since version
      4 every judged file of bench/judged/ is dev data: the blind held-out
      sets were scored once, then read).

A judged file starts with "# repo: OWNER/NAME" and "# set: dev|held-out";
then one line per commit: commit id, true label, sample ("uniform";
"bug_fix": drawn from the bug_fix labels of the classifier before the
rules of CLASSIFY_VERSION 2; "bug_fix-v2": from those of version 2), a
short reason. The true label of a genuinely ambiguous commit may list
alternatives, "a|b", the primary (the judge's first choice) first.

Scoring with alternatives: a label is accepted when it is one of the
alternatives; per-label precision (and bug_fix precision per sample)
counts a hit when the classifier's label is among the alternatives; "real
fixes+features left unknown" counts the uniform commits whose PRIMARY
label is bug_fix or feature_addition that the classifier calls unknown,
unless unknown is itself an alternative. Every figure is printed for the
whole set and per history. Histories are read from the fetched snapshot
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
                alts = tuple(label.split("|"))
                for a in alts:
                    assert a in LABELS, f"{path}: bad label {a!r}"
                rows.append((c, alts, smp, reason))
    return meta, rows


def pct(a, b):
    return f"{100.0 * a / b:5.1f}% ({a}/{b})" if b else "    -"


def figures(rows, indent=""):
    """Print the figures of rows (repo, commit, alternatives, sample, got,
    rule, reason); the alternatives' first is the primary label."""
    print(f"{indent}precision per label (every judged commit the classifier gives it):")
    for label in LABELS:
        mine = [r for r in rows if r[4] == label]
        print(f"{indent}  {label:17} {pct(sum(label in r[2] for r in mine), len(mine))}")
    for smp in sorted({r[3] for r in rows}):
        mine = [r for r in rows if r[3] == smp and r[4] == "bug_fix"]
        ok = sum("bug_fix" in r[2] for r in mine)
        print(f"{indent}bug_fix precision on the {smp} sample: {pct(ok, len(mine))}")
    uni = [r for r in rows if r[3] == "uniform"]
    ok = sum(r[4] in r[2] for r in uni)
    print(f"{indent}accepted label (uniform sample): {pct(ok, len(uni))}")
    real = [r for r in uni if r[2][0] in ("bug_fix", "feature_addition")]
    left = sum(r[4] == "unknown" and "unknown" not in r[2] for r in real)
    print(f"{indent}real fixes+features left unknown (uniform sample): {pct(left, len(real))}")


def headline(rows):
    """bug_fix precision (all samples, uniform), accepted, left unknown."""
    fix = [r for r in rows if r[4] == "bug_fix"]
    ufix = [r for r in fix if r[3] == "uniform"]
    uni = [r for r in rows if r[3] == "uniform"]
    real = [r for r in uni if r[2][0] in ("bug_fix", "feature_addition")]
    return [pct(sum("bug_fix" in r[2] for r in fix), len(fix)),
            pct(sum("bug_fix" in r[2] for r in ufix), len(ufix)),
            pct(sum(r[4] in r[2] for r in uni), len(uni)),
            pct(sum(r[4] == "unknown" and "unknown" not in r[2] for r in real), len(real))]


def score(files, one_set=False):
    sets = collections.OrderedDict()
    for path in files:
        meta, rows = read_judged(path)
        got = classify(meta["repo"], [r[0] for r in rows])
        for c, truth, smp, reason in rows:
            sets.setdefault("all judged" if one_set else meta["set"], []).append(
                (meta["repo"], c, truth, smp, got[c][0], got[c][1], reason))
    for name, rows in sets.items():
        repos = sorted({r[0] for r in rows})
        print(f"== {name} set: {', '.join(repos)} ({len(rows)} judged commits)")
        figures(rows)
        if len(repos) > 1:
            print("per history: bug_fix precision (all samples; uniform), accepted, "
                  "fixes+features left unknown")
            for repo in repos:
                print(f"  {repo:18} " + "  ".join(headline([r for r in rows if r[0] == repo])))
        if os.environ.get("VERBOSE"):
            for r in rows:
                if r[4] not in r[2]:
                    print(f"  MISS {r[0]} {r[1][:10]} truth={'|'.join(r[2])} got={r[4]} "
                          f"({r[5]}) [{r[3]}] {r[6]}")
        print()


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "sample":
        args = sys.argv[3:]
        seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 12
        n = int(args[args.index("--n") + 1]) if "--n" in args else 40
        sample(sys.argv[2], seed, n)
    elif len(sys.argv) >= 2 and sys.argv[1] == "score":
        files = [a for a in sys.argv[2:] if a != "--one-set"]
        score(files or sorted(glob.glob(os.path.join(HERE, "judged", "*.tsv"))),
              "--one-set" in sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
