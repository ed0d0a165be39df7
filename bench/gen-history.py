#!/usr/bin/env python3
"""Generate a git repository with a synthetic but code-like history, fast,
through git fast-import.

    bench/gen-history.py DIR [COMMITS] [SEED]

Each commit edits one to three of ~80 source files (C, Python, JavaScript,
Go, shell): replaced, inserted and deleted lines at a few places; now and
then a file is added, renamed or deleted, or a merge is made. Subjects mix
bug fixes, features, refactorings, docs and unclassified ones, so that
extraction sees what a real history gives it. Deterministic for a seed.
"""
import os
import random
import subprocess
import sys

def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    exts = [("c", "int f%d(int x) { return x + %d; }"),
            ("py", "def f%d(x):\n    return x + %d"),
            ("js", "function f%d(x) { return x + %d; }"),
            ("go", "func F%d(x int) int { return x + %d }"),
            ("sh", "f%d() { echo $(( $1 + %d )); }")]
    words = ["parser", "cache", "lookup", "config", "buffer", "index", "stream",
             "server", "client", "token", "queue", "loader", "writer", "path"]
    subjects = [
        (0.30, "Fix %s crash on empty input"), (0.08, "fix(%s): handle None case"),
        (0.15, "Add %s option"), (0.07, "feat: implement %s support"),
        (0.06, "Refactor %s handling"), (0.04, "perf: speed up %s"),
        (0.30, "Update %s"),
    ]
    files = {}
    def new_file(i):
        ext, tmpl = exts[i % len(exts)]
        path = "src/mod%d/file%d.%s" % (i % 9, i, ext)
        body = []
        for k in range(rng.randint(60, 200)):
            body.append((tmpl % (k, rng.randint(0, 999))).split("\n"))
        files[path] = [l for b in body for l in b]
        return path
    for i in range(80):
        new_file(i)
    next_file = 80

    os.makedirs(out, exist_ok=True)
    subprocess.run(["git", "init", "-q", out], check=True)
    fi = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE)
    w = fi.stdin.write
    def data(b):
        w(b"data %d\n" % len(b))
        w(b)
        w(b"\n")
    t = 1500000000
    mark = 0
    # the first commit adds every file
    pending = {p: "M" for p in files}
    side = None
    for c in range(n):
        mark += 1
        t += rng.randint(30, 3000)
        if c:
            pending = {}
            for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
                path = rng.choice(sorted(files))
                lines = files[path]
                for _ in range(rng.randint(1, 3)):
                    at = rng.randrange(len(lines))
                    op = rng.random()
                    if op < 0.5:
                        lines[at] = lines[at].replace("+", "-", 1) + "  /* %d */" % c
                    elif op < 0.8:
                        lines.insert(at, "    // note %d on %s" % (c, rng.choice(words)))
                    elif len(lines) > 20:
                        del lines[at]
                pending[path] = "M"
            r = rng.random()
            if r < 0.02:
                pending[new_file(next_file)] = "M"
                next_file += 1
            elif r < 0.03:
                old = rng.choice(sorted(files))
                new = old.replace("file", "renamed%d_" % c)
                files[new] = files.pop(old)
                pending.pop(old, None)
                pending[old] = "D"
                pending[new] = "M"
            elif r < 0.035 and len(files) > 40:
                old = rng.choice(sorted(files))
                del files[old]
                pending[old] = "D"
        x = rng.random()
        for p, tmpl in subjects:
            if x < p:
                break
            x -= p
        subject = tmpl % rng.choice(words)
        branch = "refs/heads/main"
        w(b"commit %s\nmark :%d\n" % (branch.encode(), mark))
        w(b"author Dev %d <dev%d@example.com> %d +0200\n" % (c % 7, c % 7, t))
        w(b"committer Dev %d <dev%d@example.com> %d +0200\n" % (c % 7, c % 7, t))
        data(("%s\n\nBody of commit %d.\n" % (subject, c)).encode())
        if c == 0:
            pass
        elif side and c % 500 == 0:
            w(b"from :%d\nmerge :%d\n" % (mark - 1, side))
        else:
            w(b"from :%d\n" % (mark - 1))
        if c % 500 == 250:
            side = mark
        for p, op in sorted(pending.items()):
            if op == "D":
                w(b"D %s\n" % p.encode())
            else:
                w(b"M 100644 inline %s\n" % p.encode())
                data(("\n".join(files[p]) + "\n").encode())
    w(b"reset refs/heads/main\nfrom :%d\n" % mark)
    fi.stdin.close()
    if fi.wait():
        sys.exit("fast-import failed")
    subprocess.run(["git", "-C", out, "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    subprocess.run(["git", "-C", out, "checkout", "-q", "-f", "main"], check=True)

if __name__ == "__main__":
    main()
