# tests/lib-projects-api.sh: the team server's cross-project learning API
# (SPEC §8), run once per backend (t5004 SQLite, t5005 PostgreSQL). The
# caller sources lib.sh and lib-server.sh and sets DB_URL.

ALICE=$(git patterns server add-key alice --db "$DB_URL" 2>keys.err)
BOB=$(git patterns server add-key bob --db "$DB_URL" 2>>keys.err)
CAROL=$(git patterns server add-key carol --db "$DB_URL" 2>>keys.err)
ADMIN=$(git patterns server add-key root --admin --db "$DB_URL" 2>>keys.err)
KEY=$ALICE
export ALICE BOB CAROL ADMIN KEY

start_server "$DB_URL" --threads 8

# xp.py ACTION...: small HTTP steps; ids are kept in ids.json between steps
cat >xp.py <<'EOF'
import json, os, sys, requests
url = os.environ["SERVER_URL"]
KEYS = {k.lower(): os.environ[k] for k in ("ALICE", "BOB", "CAROL", "ADMIN")}
ids = json.load(open("ids.json")) if os.path.exists("ids.json") else {}
def call(method, path, who="alice", body=None, params=None):
    r = requests.request(method, url + path, params=params, timeout=30,
                         headers={"X-API-Key": KEYS[who]}, json=body)
    return r.status_code, (r.json() if r.content else None)
def save():
    json.dump(ids, open("ids.json", "w"))
def project(name, who, repo_url, language, framework, domain, want=201):
    st, d = call("POST", "/projects", who, {"repo_url": repo_url, "language": language,
                 "framework": framework, "domain": domain})
    assert st == want, (st, d)
    ids[name] = d["id"]
    save()
    return d
def pattern(name, who, proj, code, ptype="bug_fix", conf=0.8, want=201):
    body = {"problem_type": ptype, "code_before": code, "code_after": code + " fixed",
            "confidence": conf, "commit_msg": "fix " + name, "file_path": name + ".py",
            "language": "python"}
    if proj:
        body["project_id"] = ids[proj]
    st, d = call("POST", "/patterns", who, body)
    assert st == want, (st, d)
    ids[name] = d["id"]
    save()
    return d
EOF

test_expect_success 'POST /projects creates (201), then updates the same canonical URL (200)' '
	cat >t1.py <<-\EOF &&
	exec(open("xp.py").read())
	d = project("web", "alice", "https://alice:s3cret@GitHub.com/team/web.git", "Python", "Django", "web")
	assert d["repo_url"] == "https://GitHub.com/team/web.git", d
	assert d["canonical_url"] == "github.com/team/web", d
	assert d["created_by"] == "alice"
	for spelling in ("git@github.com:team/web", "https://tok:x@GITHUB.COM/team/web/",
	                 "ssh://git@github.com:22/team/web.git"):
	    st, e = call("POST", "/projects", "alice", {"repo_url": spelling, "language": "python",
	                 "framework": "django", "domain": "web"})
	    assert st == 200 and e["id"] == d["id"], (st, e)
	st, e = call("GET", "/projects/" + d["id"])
	assert st == 200 and e["canonical_url"] == "github.com/team/web" and e["language"] == "python", e
	st, e = call("GET", "/projects")
	assert e["total"] == 1 and e["page"] == 1 and e["per_page"] == 20, e
	EOF
	python3 t1.py &&
	! grep -e s3cret -e "tok:x" server.log
'

test_expect_success 'a project is updated only by its creator or an admin (403)' '
	cat >t2.py <<-\EOF &&
	exec(open("xp.py").read())
	st, d = call("POST", "/projects", "bob", {"repo_url": "git@github.com:team/web.git",
	             "language": "go"})
	assert st == 403, (st, d)
	st, d = call("POST", "/projects", "admin", {"repo_url": "git@github.com:team/web.git",
	             "language": "python", "framework": "django", "domain": "web",
	             "languages": [{"language": "python", "share": 0.854}, {"language": "c", "share": 0.146}]})
	assert st == 200, (st, d)
	assert d["languages"] == [{"language": "python", "share": 0.85}, {"language": "c", "share": 0.15}], d
	assert d["created_by"] == "alice"
	# a teammate finds it by any spelling of its URL
	st, d = call("GET", "/projects", "bob", params={"repo_url": "https://u:p@GITHUB.com/team/web/"})
	assert st == 200 and [p["id"] for p in d["projects"]] == [ids["web"]] and d["total"] == 1, d
	st, d = call("GET", "/projects", "bob", params={"repo_url": "https://github.com/team/other"})
	assert st == 200 and d["projects"] == [] and d["total"] == 0, d
	EOF
	python3 t2.py
'

test_expect_success 'projects: 401 without a key, 404 unknown, 422 invalid fields, 413 too many' '
	cat >t3.py <<-\EOF &&
	exec(open("xp.py").read())
	assert requests.get(url + "/projects").status_code == 401
	assert requests.get(url + "/projects/" + ids["web"] + "/similar").status_code == 401
	assert call("GET", "/projects/00000000-0000-0000-0000-000000000000")[0] == 404
	assert call("GET", "/projects/nope/similar")[0] == 404
	assert call("GET", "/projects/00000000-0000-0000-0000-000000000000/suggestions")[0] == 404
	assert call("POST", "/projects", "alice", {"language": "python"})[0] == 422
	assert call("POST", "/projects", "alice", {"repo_url": 5})[0] == 422
	assert call("POST", "/projects", "alice", {"repo_url": "h/x", "languages": {"a": 1}})[0] == 422
	assert call("POST", "/projects", "alice", {"repo_url": "h/" + "x" * 5000})[0] == 422
	assert call("GET", "/projects/" + ids["web"] + "/similar", params={"min_similarity": "2"})[0] == 422
	assert call("GET", "/projects/" + ids["web"] + "/suggestions", params={"limit": "0"})[0] == 422
	many = [{"target_project_id": ids["web"], "pattern_id": ids["web"]}] * 1001
	assert call("POST", "/applications", "alice", many)[0] == 413
	st, d = call("POST", "/patterns", "alice", {"problem_type": "bug_fix", "code_before": "a",
	             "code_after": "b", "project_id": "00000000-0000-0000-0000-000000000000"})
	assert st == 422, (st, d)
	EOF
	python3 t3.py
'

test_expect_success 'similar: the seed examples, case-insensitive, by score then newest' '
	cat >t4.py <<-\EOF &&
	exec(open("xp.py").read())
	project("api", "bob", "https://h.example/team/api", "PYTHON", "flask", "Backend")
	project("numpy", "carol", "https://h.example/team/numpy", "python", "NumPy", "data")
	project("js", "carol", "https://h.example/team/js", "JavaScript", "React", "WEB")
	project("twin", "bob", "https://h.example/team/twin", "python", "DJANGO", "Web")
	project("empty", "bob", "https://h.example/team/empty", "", "", "")
	st, d = call("GET", "/projects/" + ids["web"] + "/similar", params={"min_similarity": "0"})
	assert st == 200 and d["project_id"] == ids["web"]
	got = [(p["project_id"], p["similarity_score"], p["language_match"], p["framework_match"],
	        p["domain_match"]) for p in d["similar_projects"]]
	want = [(ids["twin"], 1.0, True, True, True), (ids["api"], 0.7, True, False, False),
	        (ids["numpy"], 0.4, True, False, False), (ids["js"], 0.3, False, False, True)]
	assert got == want, got
	assert set(d["similar_projects"][0]) == {"project_id", "repo_url", "language", "framework",
	        "domain", "similarity_score", "language_match", "framework_match", "domain_match"}
	# defaults: min_similarity 0.5, limit 10
	st, d = call("GET", "/projects/" + ids["web"] + "/similar")
	assert [p["project_id"] for p in d["similar_projects"]] == [ids["twin"], ids["api"]], d
	st, d = call("GET", "/projects/" + ids["web"] + "/similar", params={"min_similarity": "0.7", "limit": "1"})
	assert [p["project_id"] for p in d["similar_projects"]] == [ids["twin"]], d
	# the empty profile matches nothing, not even another empty one
	st, d = call("GET", "/projects/" + ids["empty"] + "/similar", params={"min_similarity": "0"})
	assert d["similar_projects"] == [], d
	# equal scores: the newest first
	project("twin2", "carol", "https://h.example/team/twin2", "python", "django", "web")
	st, d = call("GET", "/projects/" + ids["web"] + "/similar")
	assert [p["project_id"] for p in d["similar_projects"][:2]] == [ids["twin2"], ids["twin"]], d
	EOF
	python3 t4.py
'

test_expect_success 'suggestions: never its own patterns nor a solution it has; filtered; ranked' '
	cat >t5.py <<-\EOF &&
	exec(open("xp.py").read())
	pattern("own", "alice", "web", "own code", conf=0.99)
	pattern("a_hi", "bob", "api", "api high", conf=0.9)
	pattern("a_lo", "bob", "api", "api low", conf=0.6)
	pattern("a_feat", "bob", "api", "api feature", ptype="feature_addition", conf=0.9)
	pattern("a_weak", "bob", "api", "api weak", conf=0.3)
	pattern("t_mid", "bob", "twin", "twin mid", conf=0.7)
	pattern("shared", "bob", "twin", "shared code", conf=0.95)
	pattern("n_hi", "carol", "numpy", "numpy code", conf=1.0)
	# alice pushes the same solution from web: web has it now (200, merged)
	d = pattern("shared_again", "alice", "web", "shared code", want=200)
	assert d["id"] == ids["shared"] and d["project_id"] == ids["twin"], d
	st, d = call("GET", "/projects/" + ids["web"] + "/suggestions")
	assert st == 200 and d["project_id"] == ids["web"]
	got = [s["pattern_id"] for s in d["suggestions"]]
	# twin (1.0): t_mid 0.7*0.5=0.35; api (0.7): a_hi 0.315, a_feat 0.315, a_lo 0.21;
	# equal scores: success_count, then newest
	want = [ids[n] for n in ("t_mid", "a_feat", "a_hi", "a_lo")]
	assert got == want, (got, want)
	s = d["suggestions"][0]
	assert set(s) == {"pattern_id", "pattern_type", "commit_msg", "file_path", "language",
	        "confidence", "similarity_score", "source_project_id", "success_rate",
	        "usage_count", "success_count", "score"}, s
	assert (s["similarity_score"], s["source_project_id"], s["success_rate"], s["usage_count"],
	        s["score"], s["confidence"]) == (1.0, ids["twin"], 0.5, 0, 0.35, 0.7), s
	st, d = call("GET", "/projects/" + ids["web"] + "/suggestions",
	             params=[("pattern_type", "feature_addition"), ("pattern_type", "refactoring")])
	assert [s["pattern_id"] for s in d["suggestions"]] == [ids["a_feat"]], d
	st, d = call("GET", "/projects/" + ids["web"] + "/suggestions", params={"min_confidence": "0.85"})
	assert [s["pattern_id"] for s in d["suggestions"]] == [ids["a_feat"], ids["a_hi"]], d
	st, d = call("GET", "/projects/" + ids["web"] + "/suggestions", params={"min_similarity": "0.9"})
	assert [s["pattern_id"] for s in d["suggestions"]] == [ids["t_mid"]], d
	st, d = call("GET", "/projects/" + ids["web"] + "/suggestions", params={"min_similarity": "0.3", "min_confidence": "0.2"})
	want = [ids[n] for n in ("t_mid", "a_feat", "a_hi", "a_lo", "n_hi", "a_weak")]
	assert [s["pattern_id"] for s in d["suggestions"]] == want, d
	st, d = call("GET", "/projects/" + ids["web"] + "/suggestions", params={"limit": "2"})
	assert [s["pattern_id"] for s in d["suggestions"]] == want[:2], d
	# it records nothing
	st, d = call("GET", "/projects/" + ids["web"] + "/insights")
	assert d["statistics"]["total_suggestions"] == 0, d["statistics"]
	EOF
	python3 t5.py
'

test_expect_success 'applications: one record per (target, pattern); applied goes false to true once' '
	cat >t6.py <<-\EOF &&
	exec(open("xp.py").read())
	s = {"target_project_id": ids["web"], "pattern_id": ids["a_lo"], "applied": False}
	st, a = call("POST", "/applications", "alice", s)
	assert st == 200 and a["applied"] is False and a["applied_at"] is None, a
	assert a["source_project_id"] == ids["api"] and a["similarity_score"] == 0.7, a
	st, d = call("POST", "/applications", "alice", [s, s])
	assert st == 200 and len(d["applications"]) == 2
	st, d = call("GET", "/projects/" + ids["web"] + "/insights")
	assert d["statistics"]["total_suggestions"] == 1, d["statistics"]
	st, a1 = call("POST", "/applications", "alice", dict(s, applied=True))
	assert a1["applied"] is True and a1["applied_at"], a1
	st, a2 = call("POST", "/applications", "alice", dict(s, applied=True))
	assert a2["applied_at"] == a1["applied_at"], (a1, a2)
	st, a3 = call("POST", "/applications", "alice", s)
	assert a3["applied"] is True, a3
	st, d = call("GET", "/projects/" + ids["web"] + "/insights")
	assert (d["statistics"]["total_suggestions"], d["statistics"]["total_applied"]) == (1, 1), d
	# an applied pattern is no longer suggested
	st, d = call("GET", "/projects/" + ids["web"] + "/suggestions")
	assert ids["a_lo"] not in [x["pattern_id"] for x in d["suggestions"]], d
	assert call("POST", "/applications", "alice", {"target_project_id": ids["web"],
	            "pattern_id": "00000000-0000-0000-0000-000000000000"})[0] == 404
	assert call("POST", "/applications", "alice", {"target_project_id": ids["web"]})[0] == 422
	EOF
	python3 t6.py
'

test_expect_success 'outcomes: 409 unless applied there; +0.05 / -0.10, clamped, two decimals' '
	cat >t7.py <<-\EOF &&
	exec(open("xp.py").read())
	def outcome(p, target, ok, want=200):
	    st, d = call("POST", "/patterns/" + ids[p] + "/outcome", "alice",
	                 {"target_project_id": ids[target], "success": ok})
	    assert st == want, (st, d)
	    return d
	outcome("a_hi", "web", True, want=409)
	outcome("a_lo", "api", True, want=409)
	assert call("POST", "/patterns/00000000-0000-0000-0000-000000000000/outcome", "alice",
	            {"target_project_id": ids["web"], "success": True})[0] == 404
	assert call("POST", "/patterns/" + ids["a_lo"] + "/outcome", "alice", {"success": 1})[0] == 422
	confs = [outcome("a_lo", "web", ok)["confidence"] for ok in (True, True, False)]
	assert confs == [0.65, 0.7, 0.6], confs
	d = outcome("a_lo", "web", False)
	assert (d["confidence"], d["outcome_successes"], d["outcome_failures"]) == (0.5, 2, 2), d
	assert d["last_used"]
	for _ in range(7):
	    d = outcome("a_lo", "web", False)
	assert d["confidence"] == 0.0, d
	for _ in range(25):
	    d = outcome("a_lo", "web", True)
	assert d["confidence"] == 1.0, d
	st, d = call("GET", "/projects/" + ids["web"] + "/insights")
	st_ = d["statistics"]
	assert (st_["successes"], st_["failures"]) == (27, 9), st_
	assert d["applied_patterns"] == [{"pattern_id": ids["a_lo"], "source_project_id": ids["api"],
	        "applied_at": d["applied_patterns"][0]["applied_at"], "outcome": "success"}], d
	EOF
	python3 t7.py
'

test_expect_success 'a pattern with only failed outcomes ranks below an unused one (0 stays 0)' '
	cat >t8.py <<-\EOF &&
	exec(open("xp.py").read())
	# twin2 learns from twin: t_mid (0.7, unused) and shared (0.95)
	st, d = call("GET", "/projects/" + ids["twin2"] + "/suggestions")
	order = [s["pattern_id"] for s in d["suggestions"]]
	assert order.index(ids["shared"]) < order.index(ids["t_mid"]), order
	call("POST", "/applications", "carol", {"target_project_id": ids["numpy"],
	     "pattern_id": ids["shared"], "applied": True})
	st, d = call("POST", "/patterns/" + ids["shared"] + "/outcome", "carol",
	             {"target_project_id": ids["numpy"], "success": False})
	assert st == 200 and d["confidence"] == 0.85, d
	st, d = call("GET", "/projects/" + ids["twin2"] + "/suggestions")
	by = {s["pattern_id"]: s for s in d["suggestions"]}
	assert by[ids["shared"]]["success_rate"] == 0 and by[ids["shared"]]["score"] == 0, by
	assert by[ids["shared"]]["usage_count"] == 1
	order = [s["pattern_id"] for s in d["suggestions"]]
	assert order.index(ids["shared"]) > order.index(ids["t_mid"]), order
	EOF
	python3 t8.py
'

cat >conc.py <<'EOF'
# 50 outcomes at once, through every server given: each counts once.
import json, sys, requests, concurrent.futures as cf
exec(open("xp.py").read())
urls = sys.argv[1:]
pattern("conc", "bob", "api", "concurrent code", conf=0.5)
call("POST", "/applications", "alice", {"target_project_id": ids["web"],
     "pattern_id": ids["conc"], "applied": True})
def one(i):
    r = requests.post(urls[i % len(urls)] + "/patterns/" + ids["conc"] + "/outcome",
                      headers={"X-API-Key": KEYS["alice"]}, timeout=60,
                      json={"target_project_id": ids["web"], "success": i % 5 != 0})
    return r.status_code
with cf.ThreadPoolExecutor(50) as ex:
    codes = list(ex.map(one, range(50)))
assert codes == [200] * 50, codes
st, d = call("GET", "/patterns/" + ids["conc"])
assert (d["outcome_successes"], d["outcome_failures"]) == (40, 10), d
st, d = call("GET", "/projects/" + ids["web"] + "/insights")
assert (d["statistics"]["successes"], d["statistics"]["failures"]) == (67, 19), d["statistics"]
EOF

test_expect_success 'the change feed carries a deletion once, as {"id", "deleted": true}' '
	cat >t9.py <<-\EOF &&
	exec(open("xp.py").read())
	def feed(since, **kw):
	    st, d = call("GET", "/patterns", "bob", params=dict(dict(since=since, limit=1000), **kw))
	    assert st == 200, d
	    return d
	d = feed(0)
	while d["has_more"]:
	    d = feed(d["next_since"])
	cursor = d["next_since"]
	pattern("doomed", "bob", "api", "doomed code")
	pattern("kept", "bob", "api", "kept code")
	assert call("DELETE", "/patterns/" + ids["doomed"], "alice")[0] == 403
	assert call("DELETE", "/patterns/" + ids["doomed"], "bob")[0] == 204
	d = feed(cursor)
	assert d["patterns"][-1] == {"id": ids["doomed"], "deleted": True}, d["patterns"]
	assert [p["id"] for p in d["patterns"]] == [ids["kept"], ids["doomed"]], d["patterns"]
	assert d["total"] == 2 and d["has_more"] is False, d
	# once: a cursor past it no longer shows it, and filters do not hide it
	assert feed(d["next_since"])["patterns"] == []
	assert feed(cursor, problem_type="security")["patterns"] == [{"id": ids["doomed"], "deleted": True}]
	d = feed(cursor, limit=1)
	assert d["has_more"] is True and [p["id"] for p in d["patterns"]] == [ids["kept"]]
	d = feed(d["next_since"], limit=1)
	assert d["patterns"] == [{"id": ids["doomed"], "deleted": True}] and d["has_more"] is False, d
	assert call("GET", "/patterns/" + ids["doomed"])[0] == 404
	EOF
	python3 t9.py
'
