#!/usr/bin/python3
# tests/search_check.py: the text search of the team server (GET /patterns?q=
# and /ui/?q=) against a model of it: a case-insensitive substring of the
# commit message, the file path or either code, ranked by success_count then
# newest. Used by tests/lib-server-search.sh.
#
#   search_check.py seed STATE        store the patterns, write STATE
#   search_check.py vote STATE ID...  vote helpful (as the key's user)
#   search_check.py delete STATE ID   delete one
#   search_check.py check STATE       every query of QUERIES, every filter,
#                                     through the API and through /ui/
#   search_check.py ids STATE WORD    the ids the model finds for WORD
import json, os, re, sys, urllib.parse
import requests

URL, KEY = os.environ["SERVER_URL"], os.environ["KEY"]
H = {"X-API-Key": KEY, "Content-Type": "application/json"}
S = requests.Session()
TYPES = ("bug_fix", "feature_addition", "refactoring")
LANGS = ("python", "c", "go")

# words and where they are (each in no other pattern)
SPECIAL = [
    dict(commit_msg="fix: zebra crossing", file_path="a/plain.c", code_before="x", code_after="y"),
    dict(commit_msg="tidy", file_path="src/quokka/main.c", code_before="x1", code_after="y1"),
    dict(commit_msg="tidy", file_path="b/plain.c", code_before="int narwhal = 1;", code_after="int n = 1;"),
    dict(commit_msg="tidy", file_path="c/plain.c", code_before="a = 1", code_after="a = wombat(1)"),
    dict(commit_msg="trap", code_before="abcXbcd and bcdXabc", code_after="-"),
    dict(commit_msg="real", code_before="the abcd one", code_after="-"),
    dict(commit_msg="two letters", code_before="jqj", code_after="-"),
    dict(commit_msg="MixedCase Title", code_before="Ab", code_after="-"),
    dict(commit_msg="percent", code_before="done: 100% of it", code_after="a_b = c"),
    dict(commit_msg='say "hi" now', code_before="back\\slash", code_after="-"),
    dict(commit_msg="accents", code_before="naïve café", code_after="日本語のテキスト"),
    dict(commit_msg="long", code_before="for (int i = 0; i < nr_items; i++) total += items[i].weight * factor;",
         code_after="-"),
    dict(commit_msg=None, file_path=None, code_before="only code: okapi", code_after="-"),
]
QUERIES = ["zebra", "ZEBRA", "quokka", "narwhal", "wombat", "abcd", "bcd", "jq", "j", "q",
           "mixedcase", "100%", "%", "_", "a_b", "\\", '"hi"', "café", "本語", "日本語のテ",
           "i < nr_items; i++) total += items[i].weight * fac", "okapi", "heron", "egret",
           "common", "HERON", "x = 1", "x = 12", "nothing-here", "fill", "fill 1", "fill 12"]
FILTERS = ["", "&problem_type=bug_fix", "&language=go", "&limit=7&page=2",
           "&problem_type=refactoring&language=c&limit=3", "&min_confidence=0.7"]


def text_of(p):
    return [p.get(k) for k in ("commit_msg", "file_path", "code_before", "code_after")]


def post(items):
    r = S.post(URL + "/patterns", headers=H, data=json.dumps(items))
    assert r.status_code in (200, 201), r.text
    return [x["id"] for x in r.json()["results"]]


def seed(state):
    pats = []
    for i in range(700):
        p = dict(problem_type=TYPES[i % 3], language=LANGS[i % 3 if i % 7 else 2],
                 commit_msg="fill %d" % i, file_path="src/f%d.py" % i,
                 code_before="x = %d" % i, code_after="x = %d  # common" % (i + 1),
                 confidence=(0.5, 0.75, 1.0)[i % 3])
        if i % 2 == 0:
            p["code_after"] += " heron"     # 350: more than an index lookup takes
        if i % 23 == 0:
            p["commit_msg"] += " egret"     # 31: looked up in the index
        pats.append(p)
    for k, p in enumerate(SPECIAL):
        p = {key: v for key, v in p.items() if v is not None}
        p.update(problem_type=TYPES[k % 3], language=LANGS[k % 3], confidence=0.9)
        pats.append(p)
    model = []
    for start in range(0, len(pats), 250):   # several batches
        batch = pats[start:start + 250]
        for p, pid in zip(batch, post(batch)):
            model.append(dict(p, id=pid, votes=0))
    json.dump(model, open(state, "w"))


def ranked(model):
    # success_count, then newest (stored order)
    order = sorted(range(len(model)), key=lambda i: (-model[i]["votes"], -i))
    return [model[i] for i in order]


def matches(p, q):
    return any(t is not None and q.lower() in t.lower() for t in text_of(p))


def expected(model, q, filt):
    f = dict(urllib.parse.parse_qsl(filt.lstrip("&")))
    rows = [p for p in ranked(model) if matches(p, q)
            and ("problem_type" not in f or p["problem_type"] == f["problem_type"])
            and ("language" not in f or p.get("language") == f["language"])
            and ("min_confidence" not in f or p["confidence"] >= float(f["min_confidence"]))]
    limit, page = int(f.get("limit", 20)), int(f.get("page", 1))
    return len(rows), [p["id"] for p in rows[(page - 1) * limit:page * limit]]


def ui_ids(q, page=1):
    r = S.get(URL + "/ui/", params={"q": q, "page": page},
              cookies={"gp_session": os.environ["TOKEN"]})
    assert r.status_code == 200, (q, r.status_code)
    return re.findall(r'href="/ui/patterns/([0-9a-f-]{36})"', r.text)


def check(state):
    model = json.load(open(state))
    bad = 0
    for q in QUERIES:
        for filt in FILTERS:
            want = expected(model, q, filt)
            r = S.get(URL + "/patterns?q=" + urllib.parse.quote(q) + filt, headers=H)
            assert r.status_code == 200, r.text
            d = r.json()
            got = (d["total"], [p["id"] for p in d["patterns"]])
            if got != want:
                bad += 1
                print("API q=%r%s: got %d %s, want %d %s" % (q, filt, got[0], got[1][:5],
                                                           want[0], want[1][:5]))
        for page in (1, 2):
            rows = [p["id"] for p in ranked(model) if matches(p, q)]
            want = rows[(page - 1) * 25:page * 25]
            got = ui_ids(q, page)
            if got != want:
                bad += 1
                print("UI q=%r page %d: got %d %s, want %d %s" % (q, page, len(got), got[:3],
                                                               len(want), want[:3]))
    print("%d queries differ" % bad)
    return bad == 0


def main():
    cmd, state = sys.argv[1], sys.argv[2]
    if cmd == "seed":
        seed(state)
    elif cmd == "vote":
        model = json.load(open(state))
        for pid in sys.argv[3:]:
            r = S.post(URL + "/patterns/%s/feedback" % pid, headers=H, data='{"helpful": true}')
            assert r.status_code == 200, r.text
            next(p for p in model if p["id"] == pid)["votes"] = r.json()["success_count"]
        json.dump(model, open(state, "w"))
    elif cmd == "delete":
        model = json.load(open(state))
        r = S.delete(URL + "/patterns/" + sys.argv[3], headers=H)
        assert r.status_code == 204, r.text
        model = [p for p in model if p["id"] != sys.argv[3]]
        json.dump(model, open(state, "w"))
    elif cmd == "check":
        sys.exit(0 if check(state) else 1)
    elif cmd == "ids":
        model = json.load(open(state))
        for p in ranked(model):
            if matches(p, sys.argv[3]):
                print(p["id"])
    elif cmd == "repost":
        # the same solutions again: merged, never a second row to find
        model = json.load(open(state))
        items = [{k: v for k, v in p.items() if k not in ("id", "votes")} for p in model[-20:]]
        ids = post(items)
        assert ids == [p["id"] for p in model[-20:]], "re-posted patterns got new ids"


main()
