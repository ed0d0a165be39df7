#!/bin/sh
test_description='recall --team: POST /patterns/recall on the SQLite and PostgreSQL servers, and after a pull'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

CORPUS=$TEST_SRC/recall-corpus
VARIANT="$PYTHON $TEST_SRC/recall-variants.py"

if start_postgres >pg-start.log 2>&1; then
	test_set_prereq POSTGRES
else
	say "no PostgreSQL: $(tail -n 3 pg-start.log)"
fi

# rank FILE JSON [ORIGIN]: 1-based rank of the first hit on FILE (of ORIGIN)
rank() {
	"$PYTHON" -c '
import json, sys
hits = json.load(open(sys.argv[2]))["hits"]
want = sys.argv[3] if len(sys.argv) > 3 else None
print(next((i + 1 for i, h in enumerate(hits) if h["file_path"] == sys.argv[1]
            and (want is None or h["origin"] == want)), 0))' "$@"
}

# team_flow DB NAME: alice shares a fix of pool.go through the server (on
# DB); bob finds it with --team, and locally once he pulled
team_flow() {
	db=$1 name=$2 &&
	key=$(git patterns server add-key alice --db "$db" 2>/dev/null | grep -o "gp_[0-9a-f]*") &&
	test -n "$key" &&
	git init -q $name-project &&
	git -C $name-project config patterns.contextLines 100 &&
	test_commit -C $name-project "Add readme" README "x" &&
	git clone -q $name-project $name-alice &&
	git clone -q $name-project $name-bob &&
	for r in $name-alice $name-bob; do
		git -C $r config patterns.contextLines 100 &&
		git -C $r config patterns.remote "$SERVER_URL" &&
		git -C $r config patterns.apiKey "$key" || return 1
	done &&
	cp "$CORPUS/pool.go" $name-alice/pool.go && git -C $name-alice add pool.go &&
	git -C $name-alice commit -qm "Add the pool" &&
	$VARIANT fix "$CORPUS/pool.go" >$name-alice/pool.go &&
	git -C $name-alice commit -qam "fix: pool Get without a connection" &&
	git -C $name-alice patterns extract --quiet &&
	git -C $name-alice patterns sync --push --quiet &&
	$VARIANT reformat "$CORPUS/pool.go" >query.go &&

	git -C $name-bob patterns recall --file "$TRASH/query.go" --json >local.json &&
	test "$(rank pool.go local.json)" = 0 &&
	git -C $name-bob patterns recall --team --file "$TRASH/query.go" --json >team.json &&
	test "$(rank pool.go team.json team)" = 1 &&
	test "$(json_get team.json "d[\"hits\"][0][\"score\"]")" = 1.0 &&
	test "$(json_get team.json "d[\"hits\"][0][\"commit_msg\"]")" = "fix: pool Get without a connection" &&
	git -C $name-bob patterns recall --team --file "$TRASH/query.go" >team.txt &&
	test_grep "^1.00 [0-9a-f]{16} bug_fix pool.go [0-9a-f]{12} \[team\] fix: pool Get" team.txt &&

	$VARIANT rename "$CORPUS/pool.go" >renamed.go &&
	git -C $name-bob patterns recall --team --file "$TRASH/renamed.go" --json >team.json &&
	test "$(rank pool.go team.json team)" = 1 &&

	git -C $name-bob patterns sync --pull --quiet &&
	git -C $name-bob patterns recall --file "$TRASH/query.go" --json >pulled.json &&
	test "$(rank pool.go pulled.json team)" = 1 &&
	git -C $name-bob patterns recall --team --file "$TRASH/query.go" --json >both.json &&
	test "$(json_get both.json "d[\"count\"]")" = 1
}

# recall_api NAME: the route's checks of its input
recall_api() {
	KEY=$key &&
	expect_status 200 POST /patterns/recall "{\"code\":\"qqq\",\"language\":\"go\"}" &&
	test "$(json_get out.json "d[\"count\"]")" = 0 &&
	expect_status 422 POST /patterns/recall "{\"code\":5}" &&
	expect_status 422 POST /patterns/recall "{\"code\":\"x\",\"limit\":0}" &&
	expect_status 422 POST /patterns/recall "{\"code\":\"x\",\"limit\":2.5}" &&
	expect_status 422 POST /patterns/recall "{\"code\":\"x\",\"problem_type\":\"nope\"}" &&
	expect_status 400 POST /patterns/recall "not json" &&
	KEY=wrong && expect_status 401 POST /patterns/recall "{\"code\":\"x\"}"
}

start_server "sqlite:$TRASH/server.db" --access-log none || exit 1

test_expect_success 'SQLite server: found with --team, and locally after a pull' '
	team_flow "sqlite:$TRASH/server.db" sq
'

# The server scores a pattern read as one piece, the client hunk by hunk,
# so the two scores of one pattern may differ: it still shows as local.
test_expect_success 'a pattern pushed from here shows once, as local, with --team' '
	key=$(git patterns server add-key carol --db "sqlite:$TRASH/server.db" 2>/dev/null | grep -o "gp_[0-9a-f]*") &&
	git init -q geo &&
	git -C geo config patterns.remote "$SERVER_URL" &&
	git -C geo config patterns.apiKey "$key" &&
	{ echo "/* geo.c: radius queries" && echo " * Copyright" &&
	  seq -f " * line %g" 1 8 && echo " */" &&
	  echo "static void store(client *c, robj *zobj, robj *key, long n) {" &&
	  echo "    if (n) {" && echo "        setKey(c->db,key,zobj);" &&
	  echo "        decrRefCount(zobj);" &&
	  echo "        notifyKeyspaceEvent(NOTIFY_ZSET,\"georadiusstore\",key,c->db->id);" &&
	  echo "        server.dirty += n;" && echo "    }" && echo "}"; } >geo/geo.c &&
	git -C geo add geo.c && test_tick && git -C geo commit -qm "Add geo" &&
	sed -i -e "s/line 1\$/line one/" -e "s/setKey(c->db,key,zobj);/setKey(c->db,key,zobj,0);/" geo/geo.c &&
	test_tick && git -C geo commit -qam "Fix the TTL kept by geo stores" &&
	git -C geo patterns extract --quiet &&
	git -C geo patterns sync --push --quiet &&
	sed -n "/setKey/,/dirty/p" geo/geo.c >geo-query.c &&
	git -C geo patterns recall --file "$TRASH/geo-query.c" --json >local.json &&
	test "$(rank geo.c local.json local)" = 1 &&
	git -C geo patterns recall --team --file "$TRASH/geo-query.c" --json >team.json &&
	test "$(rank geo.c team.json)" = 1 &&
	test "$(rank geo.c team.json local)" = 1 &&
	test "$(json_get team.json "sum(h[\"file_path\"] == \"geo.c\" for h in d[\"hits\"])")" = 1
'

test_expect_success 'SQLite server: the route checks its input' '
	key=$(git patterns server add-key bob --db "sqlite:$TRASH/server.db" 2>/dev/null | grep -o "gp_[0-9a-f]*") &&
	recall_api
'

test_expect_success 'a team pattern with control bytes in its fields cannot drive the terminal' '
	key=$(git patterns server add-key mallory --db "sqlite:$TRASH/server.db" 2>/dev/null | grep -o "gp_[0-9a-f]*") &&
	printf "%s" "[{\"problem_type\":\"bug_fix\",\"language\":\"c\",
		\"code_before\":\"int esc(int *p) {\\n\\treturn *p + 1;\\n}\\n\",
		\"code_after\":\"int esc(int *p) {\\n\\tif (!p) return 0;\\n\\treturn *p + 1;\\n}\\n\",
		\"file_path\":\"a\\u001b[2J\\u001b]0;owned\\u0007.c\",
		\"pattern_id\":\"\\u001b[31m\",
		\"commit_msg\":\"fix: esc\\u001b[2J\"}]" >esc.json &&
	curl -s -f -o /dev/null -X POST -H "X-API-Key: $key" -H "Content-Type: application/json" \
		--data-binary @esc.json "$SERVER_URL/patterns" &&
	git init -q esc &&
	git -C esc config patterns.remote "$SERVER_URL" &&
	git -C esc config patterns.apiKey "$key" &&
	test_commit -C esc "Add readme" README "x" &&
	printf "int esc(int *p) {\n\treturn *p + 1;\n}\n" >esc.c &&
	git -C esc patterns recall --team --file "$TRASH/esc.c" >out &&
	test_grep "fix: esc" out &&
	! grep "$(printf "\033")" out &&
	! grep "$(printf "\007")" out
'

# top_team DIR: the server id of the newest team pattern of DIR's store
top_team() {
	sqlite3 -cmd ".timeout 10000" "$1/.git/patterns/patterns.db" \
		"SELECT server_id FROM patterns WHERE origin = 'team' ORDER BY id DESC LIMIT 1"
}

# delete_on_server DIR: an admin deletes the newest team pattern of DIR
delete_on_server() {
	uuid=$(top_team "$1") &&
	test -n "$uuid" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -X DELETE -H "X-API-Key: $admin" \
		"$SERVER_URL/patterns/$uuid")" = 204
}

test_expect_success 'recall after a pull dropped the newest patterns, and pulled others in their place' '
	admin=$(git patterns server add-key root --admin --db "sqlite:$TRASH/server.db" 2>/dev/null | grep -o "gp_[0-9a-f]*") &&
	key=$(git patterns server add-key carol --db "sqlite:$TRASH/server.db" 2>/dev/null | grep -o "gp_[0-9a-f]*") &&
	git init -q del-project &&
	test_commit -C del-project "Add readme" README "x" &&
	git clone -q del-project del-alice &&
	git clone -q del-project del-bob &&
	for r in del-alice del-bob; do
		git -C $r config patterns.remote "$SERVER_URL" &&
		git -C $r config patterns.apiKey "$key" || return 1
	done &&
	test_commit -C del-alice "Add cache" cache.py "def get(k): return store[k]" &&
	test_commit -C del-alice "fix: a missing key" cache.py "def get(k): return store.get(k)" &&
	test_commit -C del-alice "Add queue" queue.py "def pop(q): return q.items.pop(0)" &&
	test_commit -C del-alice "fix: pop from an empty queue" queue.py "def pop(q): return q.items.pop(0) if q.items else None" &&
	git -C del-alice patterns extract --quiet &&
	git -C del-alice patterns sync --quiet &&
	git -C del-bob patterns sync --quiet &&
	git -C del-bob patterns recall --file "$TRASH/del-alice/cache.py" >/dev/null &&

	delete_on_server del-bob &&
	git -C del-bob patterns sync >out &&
	test_grep "dropped 1 deleted" out &&
	printf "def get(k): return store[k]\n" >query.py &&
	git -C del-bob patterns recall --file "$TRASH/query.py" --json >q.json &&
	test "$(json_get q.json "d[\"hits\"][0][\"commit_msg\"]")" = "fix: a missing key" &&

	# the dropped row id is given again to the next pattern pulled
	delete_on_server del-bob &&
	test_commit -C del-alice "fix: pop from an empty queue, again" queue.py "def pop(q): return q.items.pop(0) if q and q.items else None" &&
	git -C del-alice patterns extract --quiet &&
	git -C del-alice patterns sync --quiet &&
	git -C del-bob patterns sync --quiet &&
	printf "def pop(q): return q.items.pop(0) if q.items else None\n" >query.py &&
	git -C del-bob patterns recall --file "$TRASH/query.py" --json >q.json &&
	test "$(json_get q.json "d[\"hits\"][0][\"commit_msg\"]")" = "fix: pop from an empty queue, again" &&
	test "$(json_get q.json "d[\"hits\"][0][\"score\"]")" = 1.0
'

stop_server
if test_have_prereq POSTGRES; then
	start_server "$PG_URL" --access-log none || exit 1
fi

test_expect_success POSTGRES 'PostgreSQL server: found with --team, and locally after a pull' '
	team_flow "$PG_URL" pg
'

test_expect_success POSTGRES 'PostgreSQL server: the route checks its input' '
	key=$(git patterns server add-key bob --db "$PG_URL" 2>/dev/null | grep -o "gp_[0-9a-f]*") &&
	recall_api
'

test_expect_success '--team without a server is a clear error' '
	git init -q lone &&
	echo "int x;" >lone/a.c && git -C lone add a.c && git -C lone commit -qm a &&
	echo "int y;" >lone/a.c && git -C lone add a.c &&
	test_expect_code 1 git -C lone patterns recall --team 2>err &&
	test_grep "no team server" err
'

test_done
