# tests/lib-web-ui.sh: the web interface's checks over plain HTTP (curl),
# run once per backend (t8000 SQLite, which then drives Chromium; t8001
# PostgreSQL). The caller sources lib.sh and lib-server.sh, sets DB_URL,
# and defines session_hashes (print the token hashes the database keeps).

PYTHONPATH=$TEST_SRC
export PYTHONPATH
ALICE_KEY=$(git patterns server add-key alice --admin --db "$DB_URL" 2>keys.err)
BOB_KEY=$(git patterns server add-key bob --db "$DB_URL" 2>>keys.err)
export ALICE_KEY BOB_KEY
start_server "$DB_URL" --adapter-dir "$TRASH/adapters"
ORIGIN=$SERVER_URL

# ui METHOD PATH [CURL ARGS...]: status to stdout, body in page.html,
# headers in headers.txt; the cookie jar is $JAR (default jar.txt)
ui() {
	local method=$1 path=$2
	shift 2
	curl -s -o page.html -D headers.txt -w '%{http_code}' -X "$method" \
		-b "${JAR:-jar.txt}" -c "${JAR:-jar.txt}" "$@" "$SERVER_URL$path"
}

# sign_in KEY: a session in $JAR (posted from this origin)
sign_in() {
	rm -f "${JAR:-jar.txt}" &&
	test "$(ui POST /ui/login -H "Origin: $ORIGIN" --data-urlencode "key=$1")" = 303
}

# the CSRF token of the last page fetched
csrf() {
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' page.html | head -n 1
}

helpful_count() {
	curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/patterns/$1" >p.json &&
	json_get p.json 'd["success_count"]'
}

version_id() {
	curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/adapters" >ids.json &&
	json_get ids.json "[v[\"id\"] for v in d[\"versions\"] if v[\"version_name\"] == \"$1\"][0]"
}

active_name() {
	curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/adapters" >act.json &&
	json_get act.json '[v["version_name"] for v in d["versions"] if v["is_active"]][0]'
}

test_expect_success 'set up: 41 patterns (one hostile) and three adapter versions' '
	"$PYTHON" - <<-\EOF &&
	import json
	p = []
	def add(t, msg, lang, before, after, path="src/app.py"):
	    p.append({"problem_type": t, "commit_msg": msg, "language": lang, "file_path": path,
	              "code_before": before, "code_after": after, "confidence": 0.8})
	for i in range(3):
	    add("bug_fix", "Fix timeout in client %d" % i, "python",
	        "conn = open(host)\n", "conn = open(host, timeout=%d)\n" % (i + 5))
	add("feature_addition", "Add retry to fetch\n\nA flaky network is no reason to fail.",
	    "python", "def fetch(url):\n    return get(url)\n# end",
	    "def fetch(url):\n    return get(url, retries=3)\n# end\nlog()")
	for i in range(5):
	    add("security", "Escape shell argument %d" % i, "go" if i < 2 else "python",
	        "run(cmd + arg%d)\n" % i, "run(cmd, quote(arg%d))\n" % i, "cmd/main.go")
	for i in range(31):
	    add(["refactoring", "optimization", "testing"][i % 3], "Tidy module %d" % i,
	        "javascript", "let a%d = 1;\nuse(a%d);\n" % (i, i), "use(1);\n", "lib/m%d.js" % i)
	json.dump(p, open("patterns.json", "w"))
	json.dump({"problem_type": "bug_fix",
	           "commit_msg": "<img src=x onerror=\"window.__pwned=3\"> fix",
	           "language": "html", "file_path": "x\"><script>window.__pwned=4</script>",
	           "code_before": "<script>window.__pwned=1</script>\n",
	           "code_after": "<img src=x onerror=\"window.__pwned=2\">\n"},
	          open("evil.json", "w"))
	EOF
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		--data-binary @patterns.json "$SERVER_URL/patterns" >put.json &&
	test "$(json_get put.json "d[\"created\"]")" = 40 &&
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		--data-binary @evil.json "$SERVER_URL/patterns" >evil-put.json &&
	EVIL_ID=$(json_get evil-put.json "d[\"id\"]") &&
	VOTE_ID=$(curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/patterns?q=client+1" |
		"$PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"patterns\"][0][\"id\"])") &&
	echo "$EVIL_ID" >evil.id && echo "$VOTE_ID" >vote.id &&
	"$PYTHON" -c "
import st, numpy as np
for n, s in ((\"v0\", 1), (\"v1\", 2)):
    g = np.random.default_rng(s)
    st.write(n + \".safetensors\", {\"layer.lora_A.weight\": (\"F32\", g.standard_normal((4, 8))),
                                   \"layer.lora_B.weight\": (\"F32\", g.standard_normal((8, 4)))})
" &&
	GIT_PATTERNS_API_KEY=$ALICE_KEY git patterns adapters push v0.safetensors --name v0 \
		--remote "$SERVER_URL" >/dev/null &&
	GIT_PATTERNS_API_KEY=$ALICE_KEY git patterns adapters push v1.safetensors --name v1 \
		--remote "$SERVER_URL" >/dev/null &&
	curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/adapters" >a.json &&
	ids=$(json_get a.json "\",\".join(\"\\\"%s\\\"\" % v[\"id\"] for v in d[\"versions\"])") &&
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		-d "{\"adapter_ids\": [$ids], \"weights\": [0.5, 0.5], \"method\": \"linear\", \"version_name\": \"merged\"}" \
		"$SERVER_URL/adapters/merge" >merge.json &&
	curl -sf -X POST -H "X-API-Key: $ALICE_KEY" \
		"$SERVER_URL/adapters/$(json_get merge.json "d[\"id\"]")/activate" >/dev/null &&
	test "$(active_name)" = merged
'

test_expect_success 'pages need a session: /ui/ sends the browser to the sign-in form' '
	test "$(ui GET /ui/)" = 303 &&
	grep -i "^Location: /ui/login" headers.txt &&
	test "$(ui GET /ui/login)" = 200 &&
	grep "<form method=\"post\" action=\"/ui/login\">" page.html
'

test_expect_success 'every page carries the CSP and the other security headers' '
	grep -i "^Content-Security-Policy: default-src .self.; frame-ancestors .none." headers.txt &&
	grep -i "^X-Content-Type-Options: nosniff" headers.txt &&
	! grep -i "<script\|style=" page.html
'

test_expect_success 'a wrong key cannot sign in, and gets no cookie' '
	rm -f jar.txt &&
	test "$(ui POST /ui/login -H "Origin: $ORIGIN" --data-urlencode "key=gp_wrong")" = 401 &&
	! grep -i "^Set-Cookie" headers.txt &&
	grep "That key is not valid" page.html
'

test_expect_success 'signing in sets a HttpOnly, SameSite=Strict cookie for /ui/ (no Secure over http)' '
	sign_in "$ALICE_KEY" &&
	grep -i "^Set-Cookie: gp_session=[0-9a-f]\{64\}; Path=/ui/; Max-Age=28800; HttpOnly; SameSite=Strict" headers.txt &&
	! grep -i "^Set-Cookie:.*Secure" headers.txt &&
	test "$(ui GET /ui/)" = 200 &&
	grep "Patterns" page.html
'

test_expect_success 'the key is never in a page or the log; only its hash is stored' '
	! grep -F "$ALICE_KEY" page.html &&
	! grep -F "$ALICE_KEY" "$TRASH/server.log" &&
	grep "\"path\":\"/ui/\",\"status\":200,.*\"user\":\"alice\"" "$TRASH/server.log" &&
	token=$(sed -n "s/.*gp_session\t//p" jar.txt) &&
	test -n "$token" &&
	session_hashes >hashes &&
	grep -x "$(printf %s "$token" | sha256sum | cut -d" " -f1)" hashes &&
	! grep -F "$token" hashes
'

test_expect_success 'sign-in from another origin is refused' '
	rm -f jar.txt &&
	test "$(ui POST /ui/login -H "Origin: http://evil.example" --data-urlencode "key=$ALICE_KEY")" = 403 &&
	! grep -i "^Set-Cookie" headers.txt
'

VOTE_ID=$(cat vote.id)
test_expect_success 'a vote with the session token from this origin counts (the control)' '
	sign_in "$ALICE_KEY" &&
	ui GET "/ui/patterns/$VOTE_ID" >/dev/null && t=$(csrf) && test -n "$t" &&
	test "$(ui POST "/ui/patterns/$VOTE_ID/vote" -H "Origin: $ORIGIN" -d "csrf=$t&helpful=1")" = 303 &&
	test "$(helpful_count "$VOTE_ID")" = 1
'

test_expect_success 'a form without its CSRF token is refused' '
	test "$(ui POST "/ui/patterns/$VOTE_ID/vote" -H "Origin: $ORIGIN" -d "helpful=0")" = 403 &&
	grep "security token" page.html &&
	test "$(helpful_count "$VOTE_ID")" = 1
'

test_expect_success "a form with another session's token is refused" '
	JAR=bob.txt sign_in "$BOB_KEY" &&
	JAR=bob.txt ui GET "/ui/patterns/$VOTE_ID" >/dev/null && bob_token=$(csrf) &&
	ui GET "/ui/patterns/$VOTE_ID" >/dev/null && test "$bob_token" != "$(csrf)" &&
	test "$(ui POST "/ui/patterns/$VOTE_ID/vote" -H "Origin: $ORIGIN" -d "csrf=$bob_token&helpful=0")" = 403 &&
	test "$(helpful_count "$VOTE_ID")" = 1
'

test_expect_success 'a form from another origin, or from nowhere, is refused' '
	ui GET "/ui/patterns/$VOTE_ID" >/dev/null && t=$(csrf) &&
	test "$(ui POST "/ui/patterns/$VOTE_ID/vote" -H "Origin: http://evil.example" -d "csrf=$t&helpful=0")" = 403 &&
	grep "not sent from this site" page.html &&
	test "$(ui POST "/ui/patterns/$VOTE_ID/vote" -H "Referer: http://127.0.0.1.evil.example/ui/" -d "csrf=$t&helpful=0")" = 403 &&
	test "$(ui POST "/ui/patterns/$VOTE_ID/vote" -d "csrf=$t&helpful=0")" = 403 &&
	test "$(helpful_count "$VOTE_ID")" = 1 &&
	test "$(ui POST "/ui/patterns/$VOTE_ID/vote" -H "Referer: $ORIGIN/ui/patterns/$VOTE_ID" -d "csrf=$t&helpful=0")" = 303 &&
	test "$(helpful_count "$VOTE_ID")" = 0
'

test_expect_success 'a member cannot activate or roll back, whatever the page shows' '
	JAR=bob.txt ui GET /ui/adapters >/dev/null && t=$(csrf) && test -n "$t" &&
	! grep "activate\|rollback" page.html &&
	v1=$(version_id v1) && test -n "$v1" &&
	test "$(JAR=bob.txt ui POST "/ui/adapters/$v1/activate" -H "Origin: $ORIGIN" -d "csrf=$t")" = 403 &&
	grep "Only an admin" page.html &&
	test "$(JAR=bob.txt ui POST /ui/adapters/rollback -H "Origin: $ORIGIN" -d "csrf=$t")" = 403 &&
	test "$(JAR=bob.txt ui GET /ui/keys)" = 403 &&
	test "$(active_name)" = merged
'

test_expect_success 'an admin can activate and roll back' '
	ui GET /ui/adapters >/dev/null && t=$(csrf) && v1=$(version_id v1) &&
	test "$(ui POST "/ui/adapters/$v1/activate" -H "Origin: $ORIGIN" -d "csrf=$t")" = 303 &&
	test "$(active_name)" = v1 &&
	test "$(ui POST /ui/adapters/rollback -H "Origin: $ORIGIN" -d "csrf=$t")" = 303 &&
	test "$(active_name)" = merged
'

test_expect_success 'keys: a member cannot revoke; an admin can, and that ends its sessions' '
	carol=$(git patterns server add-key carol --db "$DB_URL") &&
	JAR=carol.txt sign_in "$carol" &&
	JAR=carol.txt ui GET /ui/ >/dev/null && t=$(csrf) &&
	git patterns server list-keys --json --db "$DB_URL" >keys.json &&
	id=$(json_get keys.json "[k[\"id\"] for k in d[\"keys\"] if k[\"user\"] == \"carol\"][0]") &&
	test "$(JAR=carol.txt ui POST "/ui/keys/$id/revoke" -H "Origin: $ORIGIN" -d "csrf=$t")" = 403 &&
	test "$(JAR=carol.txt ui GET /ui/)" = 200 &&
	ui GET /ui/keys >/dev/null && t=$(csrf) &&
	grep "action=\"/ui/keys/$id/revoke\"" page.html &&
	test "$(ui POST "/ui/keys/$id/revoke" -H "Origin: $ORIGIN" -d "helpful=1")" = 403 &&
	test "$(JAR=carol.txt ui GET /ui/)" = 200 &&
	test "$(ui POST "/ui/keys/$id/revoke" -H "Origin: $ORIGIN" -d "csrf=$t")" = 303 &&
	test "$(JAR=carol.txt ui GET /ui/)" = 303 &&
	ui GET /ui/keys >/dev/null &&
	! grep "action=\"/ui/keys/$id/revoke\"" page.html
'

test_expect_success 'sign-out deletes the session: the old cookie no longer works' '
	cp jar.txt old-jar.txt &&
	ui GET /ui/ >/dev/null && t=$(csrf) &&
	test "$(ui POST /ui/logout -H "Origin: $ORIGIN" -d "csrf=$t")" = 303 &&
	grep -i "^Set-Cookie: gp_session=; Path=/ui/; Max-Age=0" headers.txt &&
	test "$(JAR=old-jar.txt ui GET /ui/)" = 303 &&
	grep -i "^Location: /ui/login" headers.txt &&
	test "$(JAR=old-jar.txt ui POST "/ui/patterns/$VOTE_ID/vote" -H "Origin: $ORIGIN" -d "csrf=$t&helpful=1")" = 403
'

test_expect_success 'a revoked key ends its sessions' '
	test "$(JAR=bob.txt ui GET /ui/)" = 200 &&
	git patterns server revoke-key 2 --db "$DB_URL" &&
	test "$(JAR=bob.txt ui GET /ui/)" = 303
'

test_expect_success 'sessions expire (--session-ttl)' '
	port=$(free_port) &&
	{ git patterns serve --listen 127.0.0.1:$port --db "$DB_URL" --session-ttl 3 \
		--adapter-dir "$TRASH/adapters" 2>>"$TRASH/server.log" & } &&
	echo $! >>"$EXTRA_PIDS" &&
	wait_for_health http://127.0.0.1:$port &&
	rm -f short.txt &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -c short.txt -H "Origin: http://127.0.0.1:$port" \
		--data-urlencode "key=$ALICE_KEY" http://127.0.0.1:$port/ui/login)" = 303 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -b short.txt http://127.0.0.1:$port/ui/)" = 200 &&
	sleep 4 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -b short.txt http://127.0.0.1:$port/ui/)" = 303
'

test_expect_success 'stored text is escaped in every page (curl view)' '
	sign_in "$ALICE_KEY" &&
	ui GET "/ui/patterns/$(cat evil.id)" >/dev/null &&
	! grep "<script\|<img" page.html &&
	grep -F "&lt;script&gt;window.__pwned=1&lt;/script&gt;" page.html &&
	grep -F "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" page.html &&
	ui GET "/ui/?q=pwned" >/dev/null &&
	! grep "<script\|<img" page.html &&
	grep -F "x&quot;&gt;&lt;script&gt;" page.html
'

test_expect_success 'form bodies are bounded, unknown pages and assets are 404' '
	head -c 70000 /dev/zero | tr "\0" a >big.txt &&
	test "$(ui POST /ui/login -H "Origin: $ORIGIN" --data-binary @big.txt)" = 413 &&
	test "$(ui GET /ui/assets/nope.css)" = 404 &&
	test "$(ui GET /ui/assets/style.css)" = 200 &&
	grep -i "^Content-Type: text/css" headers.txt &&
	for path in /ui/pattern /ui/keys/1 "/ui/%3Cscript%3Ealert(1)%3C/script%3E"; do
		test "$(ui GET "$path")" = 404 &&
		grep -i "^Content-Type: text/html" headers.txt &&
		grep -i "^Content-Security-Policy: default-src .self." headers.txt &&
		grep -i "^X-Frame-Options: DENY" headers.txt &&
		grep "No such page" page.html &&
		! grep -i "<script\|detail" page.html || return 1
	done &&
	test "$(ui DELETE /ui/)" = 405 &&
	grep -i "^Allow: GET" headers.txt &&
	grep -i "^Content-Type: text/html" headers.txt &&
	test "$(ui GET /nope)" = 404 &&
	grep -i "^Content-Type: application/json" headers.txt
'


# post_project JSON: the new project's id
post_project() {
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" -d "$1" \
		"$SERVER_URL/projects" >project.json &&
	json_get project.json 'd["id"]'
}

test_expect_success 'projects: the list, and a project with its similar projects and suggestions' '
	sign_in "$ALICE_KEY" &&
	web=$(post_project "{\"repo_url\": \"https://git.example/team/web.git\", \"language\": \"python\", \"framework\": \"django\", \"domain\": \"web\"}") &&
	api=$(post_project "{\"repo_url\": \"https://git.example/team/api\", \"language\": \"python\", \"framework\": \"flask\", \"domain\": \"backend\"}") &&
	evil=$(post_project "{\"repo_url\": \"https://git.example/x/<script>alert(1)</script>\", \"language\": \"python\", \"framework\": \"<img src=x onerror=alert(2)>\", \"domain\": \"ml\"}") &&
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		-d "{\"problem_type\": \"bug_fix\", \"code_before\": \"s = get()\", \"code_after\": \"s = cached()\", \"commit_msg\": \"fix: cache the session\", \"confidence\": 0.9, \"project_id\": \"$api\"}" \
		"$SERVER_URL/patterns" >sp.json &&
	sp=$(json_get sp.json "d[\"id\"]") &&
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		-d "{\"problem_type\": \"optimization\", \"code_before\": \"for x in xs: q(x)\", \"code_after\": \"q_many(xs)\", \"commit_msg\": \"perf: batch the queries\", \"confidence\": 0.8, \"project_id\": \"$api\"}" \
		"$SERVER_URL/patterns" >ap.json &&
	ap=$(json_get ap.json "d[\"id\"]") &&
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		-d "{\"target_project_id\": \"$web\", \"pattern_id\": \"$ap\", \"applied\": true}" \
		"$SERVER_URL/applications" >/dev/null &&
	curl -sf -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		-d "{\"target_project_id\": \"$web\", \"success\": true}" \
		"$SERVER_URL/patterns/$ap/outcome" >/dev/null &&
	test "$(ui GET /ui/projects)" = 200 &&
	grep -F "team/web" page.html && grep -F "team/api" page.html &&
	! grep "<script\|<img" page.html &&
	grep -F "&lt;script&gt;alert(1)&lt;/script&gt;" page.html &&
	test "$(ui GET "/ui/projects/$web")" = 200 &&
	grep -F "/ui/projects/$api" page.html &&
	grep -F "<td class=\"num\">0.70</td>" page.html &&
	grep -F "<a href=\"/ui/patterns/$sp\">fix: cache the session</a>" page.html &&
	! grep "<script\|<img" page.html &&
	grep -F "/ui/?project=$web" page.html &&
	grep -F "<table class=\"applied\">" page.html &&
	grep -F "<a href=\"/ui/patterns/$ap\">$ap</a>" page.html &&
	grep -F "<td>success</td>" page.html &&
	grep -F "<td><a href=\"/ui/projects/$api\">https://git.example/team/api</a></td>" page.html &&
	grep -F "<strong>1</strong> similar project<" page.html &&
	grep -F "<strong>1</strong> success<" page.html &&
	! grep -F "perf: batch the queries" page.html &&
	test "$(ui GET /ui/projects/00000000-0000-4000-8000-000000000000)" = 404 &&
	test "$(ui GET /ui/projects/not-a-uuid)" = 404
'
