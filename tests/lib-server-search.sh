# tests/lib-server-search.sh: the team server's text search (GET
# /patterns?q=, /ui/?q=), run once per backend (t5010 SQLite, t5011
# PostgreSQL). The caller sources lib.sh and lib-server.sh, sets DB_URL and
# defines downgrade (take the database back to schema version 6, before the
# search index) and index_names (the search index's parts, one a line).
# tests/search_check.py holds the patterns and the model of the answers.

KEY=$(git patterns server add-key alice --admin --db "$DB_URL" 2>keys.err)
export KEY
start_server "$DB_URL"

# a signed-in session for /ui/
sign_in_ui() {
	rm -f jar.txt &&
	curl -s -o /dev/null -c jar.txt -H "Origin: $SERVER_URL" --data-urlencode "key=$KEY" \
		"$SERVER_URL/ui/login" &&
	TOKEN=$(sed -n 's/.*gp_session\t//p' jar.txt) &&
	test -n "$TOKEN" &&
	export TOKEN
}
check() { "$PYTHON" "$TEST_SRC/search_check.py" "$@"; }
sign_in_ui

test_expect_success 'seed: 713 patterns in three batches; signed in' '
	test -n "$TOKEN" &&
	check seed model.json
'

test_expect_success 'a word in the message, the path, one code only, or in none: the API and /ui/ agree with the model' '
	check check model.json
'

test_expect_success 'a rare word finds its one pattern, whatever the case; a word split across a row finds nothing' '
	check ids model.json narwhal >want &&
	test_line_count = 1 want &&
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=NarWhal" >got.json &&
	json_get got.json "\"\\n\".join(p[\"id\"] for p in d[\"patterns\"])" >got &&
	test_cmp want got &&
	test "$(json_get got.json "d[\"total\"]")" = 1 &&
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=abcd" >abcd.json &&
	test "$(json_get abcd.json "[p[\"code_before\"] for p in d[\"patterns\"]] == [\"the abcd one\"]")" = True
'

test_expect_success 'a 1 or 2 character term (no trigram) still finds its patterns' '
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=jq" >jq.json &&
	test "$(json_get jq.json "[p[\"commit_msg\"] for p in d[\"patterns\"]] == [\"two letters\"]")" = True &&
	curl -s -b "gp_session=$TOKEN" "$SERVER_URL/ui/?q=jq" >jq.html &&
	test $(grep -c "href=\"/ui/patterns/" jq.html) = 1
'

test_expect_success 'votes reorder the results of rare and common words alike' '
	check ids model.json egret >egret &&
	check ids model.json heron >heron &&
	check vote model.json $(sed -n 20p egret) $(sed -n 100p heron) $(tail -n 1 heron) &&
	check ids model.json heron >heron2 &&
	test "$(head -n 1 heron2)" = "$(sed -n 100p heron)" &&
	check check model.json
'

test_expect_success 'a deleted pattern is found no more, by a rare word or a common one' '
	check delete model.json "$(check ids model.json narwhal)" &&
	check delete model.json "$(sed -n 3p egret)" &&
	check delete model.json "$(sed -n 1p heron)" &&
	check ids model.json narwhal >none &&
	test_must_be_empty none &&
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=narwhal" >gone.json &&
	test "$(json_get gone.json "d[\"total\"]")" = 0 &&
	curl -s -b "gp_session=$TOKEN" "$SERVER_URL/ui/?q=narwhal" >gone.html &&
	! grep "href=\"/ui/patterns/" gone.html &&
	check check model.json
'

test_expect_success 'patterns posted again are merged: no second row to find' '
	check repost model.json &&
	check check model.json
'

test_expect_success 'the index is part of the schema' '
	index_names >names &&
	test -s names
'

# back to schema version 6 (no search index), then open it again
stop_server
downgrade >downgrade.log 2>&1
index_names >names6
start_server "$DB_URL"
sign_in_ui

test_expect_success 'a database of schema version 6 gets the index on open, filled with its patterns' '
	cat downgrade.log &&
	test_must_be_empty names6 &&
	index_names >names7 &&
	test_cmp names names7 &&
	check check model.json
'

test_expect_success 'new patterns after the migration are found too' '
	"$PYTHON" - <<-\EOF &&
	import json, os, requests
	r = requests.post(os.environ["SERVER_URL"] + "/patterns", headers={"X-API-Key": os.environ["KEY"]},
	                  json=[{"problem_type": "bug_fix", "code_before": "a", "code_after": "pangolin %d" % i}
	                        for i in range(3)])
	assert r.status_code == 201, r.text
	EOF
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=pangolin" >p.json &&
	test "$(json_get p.json "d[\"total\"]")" = 3 &&
	test "$(json_get p.json "[p[\"code_after\"] for p in d[\"patterns\"]] == [\"pangolin 2\", \"pangolin 1\", \"pangolin 0\"]")" = True
'

test_expect_success 'on /ui/ a 1 or 2 character term is looked for in the 5,000 best ranked patterns (of the type, language or project asked) only, and the page says so; the API looks everywhere' '
	"$PYTHON" - <<-\EOF &&
	import json, os, requests
	for start in range(0, 5000, 500):
	    r = requests.post(os.environ["SERVER_URL"] + "/patterns", headers={"X-API-Key": os.environ["KEY"]},
	                      json=[{"problem_type": "feature_addition", "commit_msg": "newer %d" % i,
	                             "code_before": "b", "code_after": "c %d" % i}
	                            for i in range(start, start + 500)])
	    assert r.status_code == 201, r.text
	EOF
	curl -s -H "X-API-Key: $KEY" "$SERVER_URL/patterns?q=jq" >jq-api.json &&
	test "$(json_get jq-api.json "[p[\"commit_msg\"] for p in d[\"patterns\"]] == [\"two letters\"]")" = True &&
	curl -s -b "gp_session=$TOKEN" "$SERVER_URL/ui/?q=jq" >jq-old.html &&
	! grep "href=\"/ui/patterns/" jq-old.html &&
	grep "looks at the 5,000 best ranked patterns only" jq-old.html &&
	# with a type, the 5,000 best ranked of that type: the old pattern is one
	ty=$(json_get jq-api.json "d[\"patterns\"][0][\"problem_type\"]") &&
	test "$ty" != feature_addition &&
	curl -s -b "gp_session=$TOKEN" "$SERVER_URL/ui/?q=jq&type=$ty" >jq-typed.html &&
	test $(grep -c "href=\"/ui/patterns/" jq-typed.html) = 1 &&
	curl -s -b "gp_session=$TOKEN" "$SERVER_URL/ui/?q=c%204999" >c.html &&
	test $(grep -c "href=\"/ui/patterns/" c.html) = 1 &&
	! grep "best ranked patterns only" c.html &&
	curl -s -b "gp_session=$TOKEN" "$SERVER_URL/ui/?q=c%20" >c2.html &&
	test $(grep -c "href=\"/ui/patterns/" c2.html) = 25 &&
	check vote model.json "$(check ids model.json "two letters")" &&
	curl -s -b "gp_session=$TOKEN" "$SERVER_URL/ui/?q=jq" >jq-voted.html &&
	test $(grep -c "href=\"/ui/patterns/" jq-voted.html) = 1
'
