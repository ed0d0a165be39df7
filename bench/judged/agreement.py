#!/usr/bin/env python3
"""How far two judges of the same commits agree: the ceiling of the
classifier's figures.

Usage: bench/judged/agreement.py FIRST.tsv SECOND.tsv [FIRST.tsv SECOND.tsv ...]

Each pair is one history judged twice, blind, by two judges
(bench/judged/GUIDE.md). The second judge's first choice is scored
against the first judge's labels exactly as bench/classify-score.py
scores the classifier: accepted when it is one of the first judge's
alternatives; bug_fix precision over the commits the second judge calls
bug_fix; fixes and features left unknown among the commits whose first
choice (first judge) is bug_fix or feature_addition. Then the other way
round, and how often the two first choices are the same.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import importlib.util

spec = importlib.util.spec_from_file_location(
    "classify_score", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "classify-score.py"))
cs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cs)


def score(truth, guess):
    """truth, guess: {commit: alternatives}; guess's first choice scored against truth."""
    common = [c for c in truth if c in guess]
    acc = sum(guess[c][0] in truth[c] for c in common)
    fix = [c for c in common if guess[c][0] == "bug_fix"]
    fix_ok = sum("bug_fix" in truth[c] for c in fix)
    real = [c for c in common if truth[c][0] in ("bug_fix", "feature_addition")]
    left = sum(guess[c][0] == "unknown" and "unknown" not in truth[c] for c in real)
    same = sum(guess[c][0] == truth[c][0] for c in common)
    return len(common), acc, (fix_ok, len(fix)), (left, len(real)), same


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.stderr.write(__doc__)
        return 2
    tot = {"ab": [0, 0, 0, 0, 0, 0, 0], "ba": [0, 0, 0, 0, 0, 0, 0]}
    print(f"{'history':24} {'direction':18} {'accepted':>16} {'bug_fix precision':>18} "
          f"{'left unknown':>14} {'same first':>14}")
    for a_path, b_path in zip(argv[1::2], argv[2::2]):
        meta, a_rows = cs.read_judged(a_path)
        _, b_rows = cs.read_judged(b_path)
        a = {r[0]: r[1] for r in a_rows if r[2] == "uniform"}
        b = {r[0]: r[1] for r in b_rows if r[2] == "uniform"}
        for key, truth, guess, name in (("ab", a, b, "second vs first"),
                                        ("ba", b, a, "first vs second")):
            n, acc, (fo, fn), (lo, ln), same = score(truth, guess)
            t = tot[key]
            for i, v in enumerate((n, acc, fo, fn, lo, ln, same)):
                t[i] += v
            print(f"{meta['repo']:24} {name:18} {cs.pct(acc, n):>16} {cs.pct(fo, fn):>18} "
                  f"{cs.pct(lo, ln):>14} {cs.pct(same, n):>14}")
    for key, name in (("ab", "second vs first"), ("ba", "first vs second")):
        n, acc, fo, fn, lo, ln, same = tot[key]
        print(f"{'all':24} {name:18} {cs.pct(acc, n):>16} {cs.pct(fo, fn):>18} "
              f"{cs.pct(lo, ln):>14} {cs.pct(same, n):>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
