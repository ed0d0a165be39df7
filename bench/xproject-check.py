# bench/xproject-check.py URL_A URL_B KEY [KEY2 KEY3] [--populate N]
# Differential check for the cross-project endpoints: two servers (say the
# build of main and this one) on ONE database must answer
# GET /projects/{id}/similar, /suggestions and /insights identically, for
# every project and a spread of parameters (types, thresholds, limits).
# With --populate N, first fill the database through URL_A with N varied
# projects (mixed-case and empty fields), patterns with tied and varied
# confidences, solutions shared between projects, helpful votes from up to
# three users, suggestions, applications and outcomes (rates of 0, 1 and
# in between), so that every ranking rule and tie-break is exercised.
import json, random, sys, requests

args = [a for a in sys.argv[1:] if not a.startswith("--")]
populate = 0
if "--populate" in sys.argv:
    populate = int(sys.argv[sys.argv.index("--populate") + 1])
    args.remove(str(populate))
url_a, url_b, keys = args[0], args[1], args[2:]
S = requests.Session()
H = lambda k: {"X-API-Key": k, "Content-Type": "application/json"}
rnd = random.Random(8)
LANGS = ["python", "Python", "javascript", "go", "", "rust"]
FWS = ["django", "Flask", "fastapi", "react", "VUE", "express", "koa", "", "gin", "spring"]
DOMS = ["web", "Backend", "api", "rest", "data", "etl", "ml", "", "frontend"]
TYPES = ["bug_fix", "feature_addition", "refactoring", "optimization", "security"]


def call(method, url, path, key=None, body=None, params=None):
    r = S.request(method, url + path, headers=H(key or keys[0]), params=params,
                  data=None if body is None else json.dumps(body), timeout=60)
    return r.status_code, r.json() if r.content else None


def fill():
    ids = []
    for i in range(populate):
        st, p = call("POST", url_a, "/projects", keys[i % len(keys)], {
            "repo_url": "https://git.example/check/r%d.git" % i,
            "language": rnd.choice(LANGS), "framework": rnd.choice(FWS),
            "domain": rnd.choice(DOMS)})
        assert st in (200, 201), p
        ids.append(p["id"])
    pats = []
    for i, pid in enumerate(ids):
        batch = []
        for k in range(rnd.randint(0, 40)):
            # a few shared solutions: the same code pushed by two projects
            sol = rnd.randint(0, 30) if rnd.random() < 0.15 else "%d_%d" % (i, k)
            batch.append({"problem_type": rnd.choice(TYPES),
                          "code_before": "def f%s(x):\n    return x\n" % sol,
                          "code_after": "def f%s(x):\n    return x + 1\n" % sol,
                          "confidence": rnd.choice([0.5, 0.6, 0.7, 0.7, 0.8, 0.9, 1.0,
                                                    round(rnd.uniform(0, 1), 2)]),
                          "commit_msg": "fix: %d of %d" % (k, i),
                          "file_path": "m%d.py" % k, "language": "python",
                          "project_id": pid})
        if batch:
            st, d = call("POST", url_a, "/patterns", keys[i % len(keys)], batch)
            assert st in (200, 201), d
            pats += [(pid, x["id"]) for x in d["results"] if x["created"]]
    for _, pat in rnd.sample(pats, min(len(pats), len(pats) // 4)):
        for k in keys:
            if rnd.random() < 0.5:
                call("POST", url_a, "/patterns/%s/feedback" % pat, k,
                     {"helpful": rnd.random() < 0.7})
    n_out = 0
    for _ in range(len(pats) // 2):
        target = rnd.choice(ids)
        src, pat = rnd.choice(pats)
        applied = rnd.random() < 0.6
        st, _ = call("POST", url_a, "/applications", None,
                     {"target_project_id": target, "pattern_id": pat, "applied": applied})
        assert st == 200
        if applied:
            for _ in range(rnd.randint(0, 3)):
                st, _ = call("POST", url_a, "/patterns/%s/outcome" % pat, None,
                             {"target_project_id": target, "success": rnd.random() < 0.5})
                assert st == 200, st
                n_out += 1
    print("populated %d projects, %d patterns, %d outcomes" % (len(ids), len(pats), n_out))


def all_projects():
    ids, page = [], 1
    while True:
        st, d = call("GET", url_a, "/projects", params={"limit": 200, "page": page})
        if not d["projects"]:
            return ids
        ids += [p["id"] for p in d["projects"]]
        page += 1


if populate:
    fill()
ids = all_projects()
checks = 0
PARAMS = [None, {"limit": "200"}, {"limit": "1"}, {"min_similarity": "0"},
          {"min_similarity": "0.3", "min_confidence": "0", "limit": "200"},
          {"min_similarity": "0.7", "limit": "5"}, {"min_confidence": "0.9"},
          {"pattern_type": ["bug_fix", "security"], "limit": "7"},
          {"pattern_type": "refactoring", "min_similarity": "0.15", "limit": "50"}]
for n, pid in enumerate(ids if len(ids) <= 400 else rnd.sample(ids, 400)):
    for what, plist in (("similar", [None, {"min_similarity": "0", "limit": "200"},
                                     {"min_similarity": "0.85", "limit": "3"}]),
                        ("suggestions", PARAMS), ("insights", [None])):
        for params in plist:
            a = call("GET", url_a, "/projects/%s/%s" % (pid, what), params=params)
            b = call("GET", url_b, "/projects/%s/%s" % (pid, what), params=params)
            if a != b:
                print("DIFFERENT: %s %s %s\nA: %s\nB: %s" % (pid, what, params,
                      json.dumps(a)[:2000], json.dumps(b)[:2000]))
                sys.exit(1)
            checks += 1
# unknown and odd ids answer alike too
for odd in ["00000000-0000-0000-0000-000000000000", "nope", ids[0].upper() if ids else "x"]:
    for what in ("similar", "suggestions", "insights"):
        a = call("GET", url_a, "/projects/%s/%s" % (odd, what))
        b = call("GET", url_b, "/projects/%s/%s" % (odd, what))
        assert a == b, (odd, what, a, b)
        checks += 1
print("identical: %d answers compared over %d projects" % (checks, len(ids)))
