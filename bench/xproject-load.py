# bench/xproject-load.py URL KEY PROJECTS PATTERNS OUT
# Fill a team server for bench/xproject.sh: PROJECTS projects with varied
# profiles (8 languages, their frameworks, 8 domains), then PATTERNS
# patterns spread evenly over them (pushed in batches of 1000, tagged with
# their project). Writes the project ids to OUT, one per line.
import json, os, random, sys, time, requests
url, key, nproj, npat, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
H = {"X-API-Key": key, "Content-Type": "application/json"}
S = requests.Session()
rnd = random.Random(14)
LANGS = {"python": ["django", "flask", "fastapi", "numpy", "pytorch"],
         "javascript": ["react", "vue", "express", "koa", "nextjs"],
         "typescript": ["angular", "react", "nestjs", "svelte", "express"],
         "go": ["gin", "echo", "fiber", "", ""],
         "java": ["spring", "springboot", "", "", ""],
         "ruby": ["rails", "sinatra", "", "", ""],
         "rust": ["actix", "axum", "rocket", "", ""],
         "c": ["", "", "", "", ""]}
DOMAINS = ["web", "backend", "api", "rest", "data", "ml", "frontend", "etl"]
TYPES = ["bug_fix", "feature_addition", "refactoring", "optimization", "security", "testing"]
cobol = os.environ.get("COBOL")  # projects unlike any other
if cobol:
    LANGS, DOMAINS = {"cobol": [""]}, ["mainframe"]
t0 = time.time()
ids = []
for i in range(nproj):
    lang = rnd.choice(sorted(LANGS))
    body = {"repo_url": "https://git.example/%steam%d/repo%d.git" % ("cobol" if cobol else "", i % 37, i),
            "language": lang, "framework": rnd.choice(LANGS[lang]),
            "domain": rnd.choice(DOMAINS)}
    r = S.post(url + "/projects", headers=H, data=json.dumps(body))
    assert r.status_code in (200, 201), r.text
    ids.append(r.json()["id"])
t1 = time.time()
per = npat // nproj
batch = []
def flush():
    r = S.post(url + "/patterns", headers=H, data=json.dumps(batch), timeout=300)
    assert r.status_code in (200, 201), r.text[:200]
    batch.clear()
n = 0
for i, pid in enumerate(ids):
    for k in range(per):
        batch.append({"problem_type": rnd.choice(TYPES),
                      "code_before": "%sdef f%d_%d(x):\n    return x\n" % ("cobol " if cobol else "", i, k),
                      "code_after": "def f%d_%d(x):\n    return x + %d\n" % (i, k, k),
                      "confidence": round(rnd.uniform(0.3, 1.0), 2),
                      "commit_msg": "fix: case %d of project %d" % (k, i),
                      "file_path": "src/m%d.py" % k, "language": "python",
                      "project_id": pid})
        n += 1
        if len(batch) == 1000:
            flush()
if batch:
    flush()
t2 = time.time()
open(out, "w").write("\n".join(ids) + "\n")
print("loaded %d projects in %.1f s, %d patterns in %.1f s (%.0f/s)" %
      (nproj, t1 - t0, n, t2 - t1, n / (t2 - t1)))
