#!/bin/sh
test_description='apply and outcome queued while the server is down, then refused by it'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
KEY=$(add_key alice)

# repo NAME URL: a repository of its own, a project on the server
repo() {
	git init -q "$1" &&
	git -C "$1" remote add origin "$2" &&
	git -C "$1" config patterns.remote "$SERVER_URL" &&
	git -C "$1" config patterns.apiKey "$KEY"
}

test_expect_success 'setup: a project with a fix on the server, another one beside it' '
	repo lib https://git.example/team/lib.git &&
	test_commit -C lib "add parser" lib/parse.py "def parse(s): return s.split()" &&
	test_commit -C lib "fix: parse None" lib/parse.py "def parse(s): return (s or \"\").split()" &&
	git -C lib patterns extract --quiet &&
	git -C lib patterns sync --quiet &&
	sqlite3 lib/.git/patterns/patterns.db "SELECT server_id FROM patterns WHERE commit_msg = '"'"'fix: parse None'"'"'" >uuid &&
	test "$(wc -c <uuid)" = 37 &&
	repo app https://git.example/team/app.git &&
	test_commit -C app "add main" app/main.py "print(1)" &&
	git -C app patterns sync --quiet
'

test_expect_success 'what the server refuses at the next sync is dropped, and said so' '
	uuid=$(cat uuid) &&
	stop_server &&
	git -C app patterns outcome "$uuid" --success >out &&
	test_grep "queued" out &&
	git -C app patterns apply -q 01234567-89ab-7def-8123-456789abcdef 2>err &&
	test_grep "queued" err &&
	start_server &&
	git -C app patterns sync --json >sync.json 2>err &&
	test "$(json_get sync.json "(d[\"applications_sent\"], d[\"applications_pending\"], d[\"applications_refused\"])")" = "(0, 0, 2)" &&
	test_grep "^warning: dropped from the queue, the outcome of $uuid: .*409" err &&
	test_grep "^warning: dropped from the queue, the application of 01234567-89ab-7def-8123-456789abcdef: .*404" err &&
	git -C app patterns sync >out 2>err &&
	! grep -e queue out err
'

test_expect_success 'the text summary counts them' '
	stop_server &&
	git -C app patterns outcome "$(cat uuid)" --failure >out &&
	start_server &&
	git -C app patterns sync >out 2>err &&
	test_grep "^Sent 0 queued applications and outcomes, 0 still queued, 1 refused\\.$" out &&
	test_grep "^warning: dropped from the queue, the outcome of $(cat uuid)" err
'

test_expect_success 'outcome sends the queue first, and says what was refused' '
	stop_server &&
	git -C app patterns apply -q 01234567-89ab-7def-8123-456789abcdef 2>err &&
	test_grep "queued" err &&
	start_server &&
	git -C app patterns apply -q "$(cat uuid)" &&
	git -C app patterns outcome "$(cat uuid)" --success >out 2>err &&
	test_grep "^Recorded a success of $(cat uuid)" out &&
	test_grep "^warning: dropped from the queue, the application of 01234567-89ab-7def-8123-456789abcdef: .*404" err
'

test_expect_success 'another project with control bytes in its profile and patterns cannot drive the terminal' '
	git -C app config patterns.domain web &&
	printf "%s" "{\"repo_url\":\"https://evil.example/x\\u001b[2J\",\"language\":\"python\",
		\"framework\":\"\\u001b]0;owned\\u0007\",\"domain\":\"web\"}" >evil.json &&
	curl -s -f -o evil.out -X POST -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
		--data-binary @evil.json "$SERVER_URL/projects" &&
	evil=$(json_get evil.out "d[\"id\"]") &&
	printf "%s" "[{\"problem_type\":\"bug_fix\",\"project_id\":\"$evil\",\"confidence\":0.9,
		\"code_before\":\"x = 3\\n\",\"code_after\":\"x = 4\\n\",\"language\":\"python\",
		\"file_path\":\"e\\u001b[2J.py\",\"commit_msg\":\"fix: \\u001b]0;title\\u0007 evil\"}]" >evil.json &&
	curl -s -f -o /dev/null -X POST -H "X-API-Key: $KEY" -H "Content-Type: application/json" \
		--data-binary @evil.json "$SERVER_URL/patterns" &&
	git -C app patterns similar >out &&
	git -C app patterns suggest --min-confidence 0 >>out &&
	git -C app patterns insights >>out &&
	test_grep "evil.example" out &&
	test_grep "fix: .* evil" out &&
	! grep "$(printf "\033")" out &&
	! grep "$(printf "\007")" out
'

test_expect_success 'a rebuilt server: the project is registered again, not unknown for good' '
	stop_server &&
	mv "$SERVER_DB" "$SERVER_DB.old" &&
	rm -f "$SERVER_DB-wal" "$SERVER_DB-shm" &&
	key=$(add_key alice) &&
	start_server &&
	for r in lib app; do git -C $r config patterns.apiKey "$key" || return 1; done &&
	git -C app patterns similar --json >similar.json &&
	test "$(json_get similar.json "d[\"similar_projects\"]")" = "[]" &&
	test_commit -C lib "fix: parse bytes" lib/parse.py "def parse(s): return (s or b\"\").split()" &&
	git -C lib patterns extract --quiet &&
	git -C lib patterns sync --json >sync.json 2>err &&
	test "$(json_get sync.json "(d[\"pushed\"] > 0, d[\"rejected\"])")" = "(True, 0)" &&
	! grep "no known project" err
'

test_done
