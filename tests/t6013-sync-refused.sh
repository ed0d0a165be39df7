#!/bin/sh
test_description='git patterns sync: a pattern the team server refuses is named as a user names it, and the others are pushed'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"
trap 'server_cleanup' EXIT

# a server that takes at most 1 MiB a request
start_server "sqlite:$TRASH/server.db" --max-body 1 --access-log none || exit 1
key=$(git patterns server add-key alice --db "sqlite:$TRASH/server.db" 2>/dev/null)

test_expect_success 'setup: a clone with a pattern of 1.2 MiB and a small one' '
	test -n "$key" &&
	git init -q repo &&
	git -C repo config patterns.maxFileSize 4m &&
	git -C repo config patterns.remote "$SERVER_URL" &&
	git -C repo config patterns.apiKey "$key" &&
	"$PYTHON" -c "print(\"\\n\".join(\"int big%d = %d;\" % (j, j) for j in range(60000)))" >repo/big.c &&
	git -C repo add big.c && test_tick && git -C repo commit -q -m "feat: add big" &&
	echo "int small;" >repo/small.c &&
	git -C repo add small.c && test_tick && git -C repo commit -q -m "feat: add small" &&
	git -C repo patterns extract --quiet &&
	test "$(git -C repo patterns list | wc -l)" = 2
'

test_expect_success 'the refused pattern is named by id, file and commit; the other is pushed' '
	id=$(git -C repo patterns list | grep big.c | cut -d" " -f1) &&
	commit=$(git -C repo rev-parse --short=12 HEAD^) &&
	git -C repo patterns sync --push 2>err &&
	test_grep "warning: team server refused pattern $id .big.c, commit $commit.: request body too large" err &&
	! grep "row [0-9]" err &&
	git -C repo patterns show "$id" >/dev/null &&
	curl -sf -H "X-API-Key: $key" "$SERVER_URL/patterns?limit=10" >all.json &&
	test "$(json_get all.json "[p[\"file_path\"] for p in d[\"patterns\"]]")" = "['"'"'small.c'"'"']"
'

test_done
