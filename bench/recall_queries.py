#!/usr/bin/env python3
"""bench/recall_queries.py BIN REPO STORE N SEED EXHAUSTIVE_N

The recall benchmark's queries: N real fixes are drawn (seeded) from the
store of REPO, among the local bug_fix patterns in C whose before_code has
5 to 200 lines. Each before_code is modified four ways by
tests/recall-variants.py (reformatted with other comments; every identifier
renamed and every literal changed; a statement added; one removed), and
each variant is asked with "git patterns recall --file Q.c --json".

A query is answered at rank r when the r-th hit is its pattern, or a
pattern with the same before_code bytes (the store holds byte-identical
before_codes under several commits: no method can tell them apart).
Prints recall@1 and recall@3 per kind, the median in-process query time
(took_ms: lookup and scoring) and the median wall time of the whole
command, and, on the first EXHAUSTIVE_N reformatted queries, the same with
--exhaustive (every pattern scored) for the speed-up and to check that the
index finds what exhaustive scoring finds.
"""
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = os.path.join(HERE, "..", "tests", "recall-variants.py")
KINDS = ["reformat", "rename", "add", "remove"]


def main():
    binary, repo, store, n, seed, exhaustive_n = sys.argv[1:7]
    n, exhaustive_n = int(n), int(exhaustive_n)
    db = sqlite3.connect(store)
    db.text_factory = lambda b: b.decode("utf-8", "replace")
    rows = db.execute(
        "SELECT pattern_id, before_code FROM patterns WHERE origin = 'local' AND obsolete = 0"
        " AND problem_type = 'bug_fix' AND language = 'c' ORDER BY id").fetchall()
    rows = [(pid, code) for pid, code in rows if 5 <= code.count("\n") <= 200]
    same = {}
    for pid, code in db.execute("SELECT pattern_id, before_code FROM patterns"):
        same.setdefault(code, set()).add(pid)
    eligible = len(rows)
    random.Random(int(seed)).shuffle(rows)
    rows = rows[:n]
    print("queries: %d fixes x %d kinds, drawn from %d eligible C bug fixes"
          % (len(rows), len(KINDS), eligible))
    work = tempfile.mkdtemp(prefix="gp-recall-bench.")
    took = {k: [] for k in KINDS}
    wall = []
    ranks = {k: [] for k in KINDS}
    ex_took, ex_agree = [], 0
    for i, (pid, code) in enumerate(rows):
        src = os.path.join(work, "orig.c")
        with open(src, "w") as f:
            f.write(code)
        good = same.get(code, {pid})
        for kind in KINDS:
            q = os.path.join(work, "q.c")
            with open(q, "w") as f:
                subprocess.run([sys.executable, VARIANTS, kind, src], stdout=f, check=True)
            t = time.monotonic()
            out = subprocess.run([binary, "recall", "--repo-path", repo, "--file", q,
                                  "--json", "--limit", "3"],
                                 capture_output=True, check=True).stdout
            wall.append((time.monotonic() - t) * 1000)
            d = json.loads(out)
            took[kind].append(d["took_ms"])
            ranks[kind].append(next((r + 1 for r, h in enumerate(d["hits"])
                                     if h["pattern_id"] in good), 0))
            if os.environ.get("RECALL_BENCH_DEBUG") and ranks[kind][-1] != 1:
                print("miss", kind, pid, [(h["pattern_id"], h["score"]) for h in d["hits"]],
                      file=sys.stderr)
            if kind == "reformat" and i < exhaustive_n:
                out = subprocess.run([binary, "recall", "--repo-path", repo, "--file", q,
                                      "--json", "--limit", "3", "--exhaustive"],
                                     capture_output=True, check=True).stdout
                e = json.loads(out)
                ex_took.append(e["took_ms"])
                ex_agree += bool(e["hits"]) and bool(d["hits"]) and \
                    e["hits"][0]["score"] == d["hits"][0]["score"]
    print("%-10s %9s %9s %12s" % ("kind", "recall@1", "recall@3", "median ms"))
    for kind in KINDS:
        r = ranks[kind]
        print("%-10s %9.3f %9.3f %12.2f" % (
            kind, sum(x == 1 for x in r) / len(r), sum(1 <= x <= 3 for x in r) / len(r),
            statistics.median(took[kind])))
    alltook = [t for k in KINDS for t in took[k]]
    print("median query (lookup + scoring, in process): %.2f ms; p90 %.2f ms"
          % (statistics.median(alltook), statistics.quantiles(alltook, n=10)[-1]))
    print("median command wall time (process start, store open, query, print): %.1f ms"
          % statistics.median(wall))
    if ex_took:
        idx = statistics.median(took["reformat"][:len(ex_took)])
        print("exhaustive scoring (every pattern), %d queries: median %.1f ms, %.0fx the"
              " index's %.2f ms; same best score in %d of %d"
              % (len(ex_took), statistics.median(ex_took), statistics.median(ex_took) / idx,
                 idx, ex_agree, len(ex_took)))


main()
