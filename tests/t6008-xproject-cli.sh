#!/bin/sh
test_description='cross-project learning end to end: three repositories, three users, one server'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
ALICE_KEY=$(add_key alice)
BOB_KEY=$(add_key bob)
CAROL_KEY=$(add_key carol)
ADMIN_KEY=$ALICE_KEY

# repo NAME KEY URL DOMAIN: a repository of its own with a few fixes
repo() {
	git init -q "$1" &&
	git -C "$1" remote add origin "$3" &&
	git -C "$1" config patterns.remote "$SERVER_URL" &&
	git -C "$1" config patterns.apiKey "$2" &&
	git -C "$1" config patterns.domain "$4"
}

test_expect_success 'setup: a Django web app, a Flask backend, a FastAPI api' '
	repo shop "$ALICE_KEY" "https://alice:pw@git.example/team/shop.git" web &&
	test_commit -C shop "add requirements" requirements.txt "Django==4.2" &&
	test_commit -C shop "add views" shop/views.py "def index(r): return render(r)" &&
	test_commit -C shop "fix: escape the search query" shop/views.py "def index(r): return render(r, escape(r.q))" &&
	git -C shop patterns extract --quiet &&
	repo billing "$BOB_KEY" "git@git.example:team/billing.git" backend &&
	test_commit -C billing "add requirements" requirements.txt "flask>=3" &&
	test_commit -C billing "add invoice" billing/invoice.py "def total(items): return sum(items)" &&
	test_commit -C billing "fix: handle an empty invoice" billing/invoice.py "def total(items): return sum(items or [])" &&
	test_commit -C billing "fix: round totals to cents" billing/invoice.py "def total(items): return round(sum(items or []), 2)" &&
	git -C billing patterns extract --quiet &&
	repo api "$CAROL_KEY" "https://GIT.EXAMPLE/team/api/" api &&
	test_commit -C api "add pyproject" pyproject.toml "dependencies = [\"fastapi\"]" &&
	test_commit -C api "add route" api/main.py "def get(id): return db[id]" &&
	test_commit -C api "fix: 404 on a missing id" api/main.py "def get(id): return db.get(id) or abort(404)" &&
	git -C api patterns extract --quiet &&
	git -C shop patterns sync --quiet &&
	git -C billing patterns sync --quiet &&
	git -C api patterns sync --quiet
'

test_expect_success 'sync registered each project, without credentials, and tagged its patterns' '
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/projects" >projects.json &&
	test "$(json_get projects.json "sorted(p[\"canonical_url\"] for p in d[\"projects\"])")" = "['"'"'git.example/team/api'"'"', '"'"'git.example/team/billing'"'"', '"'"'git.example/team/shop'"'"']" &&
	! grep -e pw projects.json &&
	! grep -e "alice:pw" "$TRASH/access.log" "$TRASH/server.log" &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns?limit=200" >all.json &&
	test "$(json_get all.json "sum(1 for p in d[\"patterns\"] if not p[\"project_id\"])")" = 0
'

test_expect_success 'a clone of a project that names no domain keeps the domain another clone set' '
	git init -q shop2 &&
	git -C shop2 remote add origin "https://git.example/team/shop.git" &&
	git -C shop2 config patterns.remote "$SERVER_URL" &&
	git -C shop2 config patterns.apiKey "$ALICE_KEY" &&
	test_commit -C shop2 "add requirements" requirements.txt "Django==4.2" &&
	git -C shop2 patterns similar --json >/dev/null &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/projects" >projects.json &&
	test "$(json_get projects.json "[p[\"domain\"] for p in d[\"projects\"] if p[\"canonical_url\"] == \"git.example/team/shop\"]")" = "['"'"'web'"'"']"
'

test_expect_success 'each sees the others as similar, in the right order' '
	git -C shop patterns similar --json >s.json &&
	test "$(json_get s.json "[(p[\"repo_url\"], p[\"similarity_score\"]) for p in d[\"similar_projects\"]]")" = "[('"'"'git.example:team/billing.git'"'"', 0.7), ('"'"'https://GIT.EXAMPLE/team/api/'"'"', 0.55)]" &&
	git -C api patterns similar --json >s.json &&
	test "$(json_get s.json "[p[\"repo_url\"] for p in d[\"similar_projects\"]]")" = "['"'"'git.example:team/billing.git'"'"', '"'"'https://git.example/team/shop.git'"'"']" &&
	git -C shop patterns similar >out &&
	test_grep "^0.70  git.example:team/billing.git  \\(python, flask, backend\\)  match: language$" out
'

test_expect_success 'suggest: the others'"'"' patterns, never its own; recorded as suggestions' '
	git -C shop patterns suggest --type bug_fix --min-confidence 0 --json >sug.json &&
	test "$(json_get sug.json "len(d[\"suggestions\"])")" -ge 2 &&
	test "$(json_get sug.json "sorted(set(s[\"commit_msg\"].split(\":\")[0] for s in d[\"suggestions\"]))")" = "['"'"'fix'"'"']" &&
	! grep "escape the search" sug.json &&
	git -C shop patterns suggest --type bug_fix --min-confidence 0 >out &&
	test_grep "score 0\\.[0-9][0-9]  \\(similarity 0\\.70, confidence 0\\.[0-9][0-9], success rate 50\\.0%, used 0 times\\)" out &&
	git -C shop patterns insights --json >ins.json &&
	test "$(json_get ins.json "d[\"statistics\"][\"total_suggestions\"]")" = "$(json_get sug.json "len(d[\"suggestions\"])")"
'

test_expect_success 'apply takes a prefix, records once and prints the diff' '
	id=$(json_get sug.json "[s[\"pattern_id\"] for s in d[\"suggestions\"] if \"round\" in s[\"commit_msg\"]][0]") &&
	echo "$id" >id &&
	git -C shop patterns apply "$(echo $id | cut -c1-20)" >diff 2>err &&
	test_grep "^Recorded: pattern $id applied in this project.$" err &&
	test_grep "^--- a/billing/invoice.py$" diff &&
	test_grep "^-def total\\(items\\): return sum\\(items or \\[\\]\\)$" diff &&
	test_grep "^\\+def total\\(items\\): return round\\(sum\\(items or \\[\\]\\), 2\\)$" diff &&
	git -C shop patterns apply "$id" >/dev/null 2>&1 &&
	git -C shop patterns insights --json >ins.json &&
	test "$(json_get ins.json "d[\"statistics\"][\"total_applied\"]")" = 1 &&
	test_must_fail git -C shop patterns apply ffff 2>err &&
	test_grep "no team pattern id starts with" err
'

test_expect_success 'outcome moves the confidence; 409 where it was not applied' '
	id=$(cat id) &&
	before=$(curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns/$id" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"confidence\"])") &&
	git -C shop patterns outcome "$id" --success >out &&
	want=$(python3 -c "print(\"%.2f\" % min(1, round($before + 0.05, 2)))") &&
	test_grep "^Recorded a success of $id: confidence now $want \\(1 successes, 0 failures\\).$" out &&
	test_must_fail git -C api patterns outcome "$id" --failure 2>err &&
	test_grep "409.*not applied" err
'

test_expect_success 'insights shows it' '
	git -C shop patterns insights >out &&
	test_grep "^Similar projects: 2$" out &&
	test_grep "^Applied patterns: 1$" out &&
	test_grep "^  - $(cat id) applied .*, outcome: success$" out &&
	test_grep "^  Outcomes: 1 successes, 0 failures$" out &&
	test_grep "^  Application rate: [0-9.]*%$" out
'

test_expect_success 'apply and outcome are queued when the server is down, sent by the next sync' '
	id=$(json_get sug.json "[s[\"pattern_id\"] for s in d[\"suggestions\"] if \"empty\" in s[\"commit_msg\"]][0]") &&
	# pulled team patterns let apply show the diff without the server
	git -C shop patterns sync --quiet &&
	stop_server &&
	git -C shop patterns apply "$id" >diff 2>err &&
	test_grep "not reachable: the application of $id is queued" err &&
	test_grep "^\\+def total" diff &&
	git -C shop patterns outcome "$id" --failure >out &&
	test_grep "queued" out &&
	start_server &&
	git -C shop patterns sync --json >sync.json &&
	test "$(json_get sync.json "(d[\"applications_sent\"], d[\"applications_pending\"])")" = "(2, 0)" &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns/$id" >p.json &&
	test "$(json_get p.json "(d[\"outcome_successes\"], d[\"outcome_failures\"])")" = "(0, 1)" &&
	git -C shop patterns sync --json >sync.json &&
	test "$(json_get sync.json "d[\"applications_sent\"]")" = 0
'

test_expect_success 'a repository that pushed before it had a project gets its patterns tagged' '
	git init -q legacy &&
	git -C legacy config patterns.remote "$SERVER_URL" &&
	git -C legacy config patterns.apiKey "$BOB_KEY" &&
	test_commit -C legacy "fix: legacy bug" legacy/a.py "x = 2" &&
	git -C legacy patterns extract --quiet &&
	git -C legacy patterns sync --quiet &&
	uuid=$(sqlite3 legacy/.git/patterns/patterns.db "SELECT server_id FROM patterns WHERE origin = '"'"'local'"'"' AND file_path = '"'"'legacy/a.py'"'"'") &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns/$uuid" >p.json &&
	test "$(json_get p.json "d[\"project_id\"]")" = None &&
	git -C legacy remote add origin https://git.example/team/legacy.git &&
	git -C legacy patterns sync --quiet &&
	curl -s -H "X-API-Key: $ADMIN_KEY" "$SERVER_URL/patterns/$uuid" >p.json &&
	test "$(json_get p.json "d[\"project_id\"]")" = "$(sqlite3 legacy/.git/patterns/patterns.db "SELECT value FROM meta WHERE key = '"'"'xproject.id $SERVER_URL'"'"'")" &&
	requests_before=$(requests) &&
	git -C legacy patterns sync --quiet &&
	test $(($(requests) - requests_before)) = 1
'

test_expect_success 'the commands that need the server say so' '
	stop_server &&
	test_must_fail git -C shop patterns similar 2>err &&
	test_grep "^fatal: cannot reach team server" err &&
	start_server
'

test_done
