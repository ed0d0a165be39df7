#!/usr/bin/env python3
"""A seed-style baseline for bench/extract.sh: extraction the way the seed's
scripts/extract_patterns_from_git.py worked, with git subprocesses per
commit and per file (git log once; per commit the changed files; per file
the old and the new blob). Output is JSONL like extract's, with the seed's
fields. Only for timing: it has the seed's flaws (substring keywords, '|'
in subjects), on purpose.

    bench/seed_extract.py --repo-path DIR --output FILE [--since-date DATE] [--rev RANGE]
"""
import argparse
import hashlib
import json
import subprocess

BUG = ["fix", "bug", "hotfix", "patch", "resolve"]
FEATURE = ["feat", "add", "implement", "enhance"]


def git(repo, *args):
    return subprocess.run(["git", "-C", repo] + list(args), capture_output=True).stdout


def classify(msg):
    m = msg.lower()
    if any(k in m for k in BUG):
        return "bug_fix"
    if any(k in m for k in FEATURE):
        return "feature_addition"
    return "unknown"


def confidence(ptype, before, after):
    c = 0.5
    if ptype == "bug_fix":
        c += 0.2
    if ptype == "feature_addition":
        c += 0.15
    if before and after:
        c += 0.15
    n = max(len(before), len(after))
    if n > 100:
        c += 0.1
    if n > 500:
        c += 0.1
    return round(min(c, 1.0), 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo-path", default=".")
    ap.add_argument("--output", default="patterns.jsonl")
    ap.add_argument("--since-date")
    ap.add_argument("--rev", default="HEAD", help="what to walk, as git log takes it")
    a = ap.parse_args()
    args = ["log", "--no-merges", "--pretty=format:%H|%s|%ae|%ad", "--date=format:%Y-%m-%d %H:%M:%S"]
    if a.since_date:
        args.append("--since=" + a.since_date)
    args.append(a.rev)
    out = open(a.output, "w")
    for line in git(a.repo_path, *args).decode("utf-8", "replace").splitlines():
        h, subject, email, date = line.split("|")[:4]
        ptype = classify(subject)
        if ptype == "unknown":
            continue
        files = git(a.repo_path, "diff-tree", "--no-commit-id", "--name-only", "-r",
                    "--root", h).decode("utf-8", "replace").split()
        for f in files:
            before = git(a.repo_path, "show", "%s^:%s" % (h, f)).decode("utf-8", "replace")
            after = git(a.repo_path, "show", "%s:%s" % (h, f)).decode("utf-8", "replace")
            rec = {
                "pattern_id": hashlib.sha256(("%s:%s" % (h, f)).encode()).hexdigest()[:16],
                "problem_type": ptype, "before_code": before, "after_code": after,
                "commit_msg": subject, "author": email, "date": date,
                "confidence": confidence(ptype, before, after),
            }
            out.write(json.dumps(rec) + "\n")
    out.close()


if __name__ == "__main__":
    main()
