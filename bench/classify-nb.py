#!/usr/bin/env python3
"""A word model for the subjects no rule decides: measured, not taken.

Usage: bench/classify-nb.py FILE.tsv ...   (judged files, bench/judged/)

Trains a naive Bayes model on the subjects of the Conventional Commits of
five public histories (the type says the label: fix, feat, refactor, perf;
the header is stripped, so the model learns the words of the rest), then
labels the uniform-sample commits of the judged files that the built
classifier leaves unknown by rule "none", and prints, per margin between
the best and the second-best label, how many it would label, how many of
those a reader accepts, and how many were rightly unknown before.
See docs/benchmarks.md ("Classification"). Histories are read from
/work/.mirror (or $CLASSIFY_MIRRORS), as classify-score.py does.
"""
import re, subprocess, sys, math, collections
import importlib.util
HERE = __import__("os").path.dirname(__import__("os").path.abspath(__file__))
spec = importlib.util.spec_from_file_location("cs", __import__("os").path.join(HERE, "classify-score.py"))
cs = importlib.util.module_from_spec(spec); spec.loader.exec_module(cs)
TRAIN = ["vitejs+vite", "vuejs+core", "electron+electron", "helix-editor+helix", "axios+axios"]
CC = re.compile(r'^(fix|feat|refactor|perf|docs|test)(\([^)]*\))?!?:\s*(.*)$', re.I)
MAP = {"fix":"bug_fix","feat":"feature_addition","refactor":"refactoring","perf":"optimization","docs":"documentation","test":"testing"}
WORD = re.compile(r"[a-z][a-z0-9']*")
def words(s):
    s = re.sub(r'\(#\d+\)|#\d+', ' ', s.lower())
    s = re.sub(r'`[^`]*`', ' ', s)
    return [w for w in WORD.findall(s) if len(w) > 1]
def train():
    cnt = collections.Counter(); wc = collections.defaultdict(collections.Counter)
    for r in TRAIN:
        out = subprocess.run(["git","--git-dir",cs.mirror(r.replace("+", "/")),"log","--no-merges","--format=%s"],capture_output=True,text=True,errors="replace").stdout
        for s in out.splitlines():
            m = CC.match(s)
            if not m: continue
            if m.group(2) and m.group(2).strip("()").lower() in ("deps","deps-dev"): continue
            lab = MAP[m.group(1).lower()]
            ws = set(words(m.group(3)))
            if not ws: continue
            cnt[lab] += 1
            for w in ws: wc[lab][w] += 1
    return cnt, wc
cnt, wc = train()
print("training subjects per label:", dict(cnt))
vocab = set(w for c in wc.values() for w, n in c.items() if n >= 1)
def predict(s, labs=("bug_fix","feature_addition","refactoring","optimization")):
    # bernoulli-ish NB on present words only
    tot = sum(cnt[l] for l in labs)
    sc = {}
    for l in labs:
        v = math.log(cnt[l]/tot)
        for w in set(words(s)):
            if w not in vocab: continue
            v += math.log((wc[l][w] + 0.5) / (cnt[l] + 1.0))
        sc[l] = v
    best = sorted(sc.items(), key=lambda x: -x[1])
    return best[0][0], best[0][1]-best[1][1]
files = sys.argv[1:]
rows = []
for path in files:
    meta, rr = cs.read_judged(path)
    got = cs.classify(meta["repo"], [r[0] for r in rr])
    subj = dict(l.split("\t",1) for l in cs.git(meta["repo"], "log","--no-walk=unsorted","--format=%H\t%s", *[r[0] for r in rr]).decode(errors="replace").splitlines())
    for c, truth, smp, reason in rr:
        if smp != "uniform": continue
        if got[c] == ("unknown","none"):
            rows.append((meta["repo"], subj[c], truth) + predict(subj[c]))
for th in (0, 0.5, 1, 1.5, 2, 3):
    taken = [r for r in rows if r[4] >= th]
    ok = sum(r[3] in r[2] for r in taken)
    wasok = sum("unknown" in r[2] for r in taken)
    fixes = [r for r in taken if r[3]=="bug_fix"]
    print(f"th {th}: none={len(rows)} taken={len(taken)} right={ok} (were right as unknown: {wasok}); as bug_fix {len(fixes)} right {sum('bug_fix' in r[2] for r in fixes)}")
if "-v" in __import__("os").environ.get("V",""):
    for r in rows: print(f"{r[4]:.2f} {r[3]:17} {'|'.join(r[2]):25} {r[1][:80]}")
