#!/usr/bin/env python3
"""Draw the uniform sample of a blind held-out set (bench/judged/*.tsv).

Usage: bench/judged/draw.py GIT_DIR [N] [SEED]

The non-merge commits reachable from HEAD, in `git rev-list --no-merges HEAD`
order, then random.Random(SEED).sample(commits, N); defaults N=75, SEED=2026.
Prints one commit id per line, in sample order.
"""
import random
import subprocess
import sys


def draw(git_dir, n=75, seed=2026):
    out = subprocess.run(["git", "--git-dir", git_dir, "rev-list", "--no-merges", "HEAD"],
                         check=True, capture_output=True, text=True).stdout
    commits = out.split()
    return random.Random(seed).sample(commits, n)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    n = int(argv[2]) if len(argv) > 2 else 75
    seed = int(argv[3]) if len(argv) > 3 else 2026
    try:
        for c in draw(argv[1], n, seed):
            print(c)
    except BrokenPipeError:   # e.g. piped into head
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
