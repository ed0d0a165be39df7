#!/bin/sh
test_description='web interface (/ui/) as the team server deploys it: behind a proxy, odd requests'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

DB_URL="sqlite:$TRASH/ui.db"
ALICE_KEY=$(git patterns server add-key alice --admin --db "$DB_URL" 2>/dev/null)
start_server "$DB_URL"

# ui METHOD PATH [CURL ARGS...]: the status; the page in page.html, cookies in jar.txt
ui() {
	local method=$1 path=$2
	shift 2
	curl -s -o page.html -D headers.txt -w '%{http_code}' -X "$method" \
		-b jar.txt -c jar.txt "$@" "$SERVER_URL$path"
}

# Behind a load balancer that ends TLS (SPEC §6), the browser is at
# https://HOST and the server, on plain HTTP, sees Host: HOST.
test_expect_success 'behind a TLS proxy: sign in and vote from https://HOST' '
	host=patterns.example.com &&
	test "$(ui POST /ui/login -H "Host: $host" -H "Origin: https://$host" \
		--data-urlencode "key=$ALICE_KEY")" = 303 &&
	curl -s -H "X-API-Key: $ALICE_KEY" -H "Content-Type: application/json" \
		-d "{\"problem_type\": \"bug_fix\", \"code_before\": \"a\", \"code_after\": \"b\"}" \
		"$SERVER_URL/patterns" >p.json &&
	id=$(json_get p.json "d[\"id\"]") &&
	test "$(ui GET "/ui/patterns/$id" -H "Host: $host")" = 200 &&
	t=$(sed -n "s/.*name=\"csrf\" value=\"\([0-9a-f]*\)\".*/\1/p" page.html | head -n 1) &&
	test "$(ui POST "/ui/patterns/$id/vote" -H "Host: $host" \
		-H "Origin: https://$host" -d "csrf=$t&helpful=1")" = 303 &&
	test "$(ui POST "/ui/patterns/$id/vote" -H "Host: $host" \
		-H "Referer: https://$host/ui/patterns/$id" -d "csrf=$t&helpful=1")" = 303 &&
	curl -s -H "X-API-Key: $ALICE_KEY" "$SERVER_URL/patterns/$id" >p.json &&
	test "$(json_get p.json "d[\"success_count\"]")" = 1
'

test_expect_success 'behind a TLS proxy: another host is still refused' '
	test "$(ui POST /ui/login -H "Host: patterns.example.com" \
		-H "Origin: https://evil.example.com" --data-urlencode "key=$ALICE_KEY")" = 403
'

test_done
