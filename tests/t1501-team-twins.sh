#!/bin/sh
test_description='a pattern both extracted here and pulled from the team shows once'
. ./lib.sh
. "$TEST_SRC"/lib-sync.sh

test_expect_success 'setup: a server, a repository that pushed, a clone that pulls' '
	start_server &&
	add_key alice >key &&
	KEY=$(cat key) &&
	git init -q one &&
	test_commit -C one "fix: handle empty input" src/p.py "x = 1" &&
	test_commit -C one "Add feature flag" src/f.py "y = 2" &&
	git -C one patterns extract --quiet &&
	GIT_PATTERNS_API_KEY=$KEY git -C one patterns sync --quiet --remote "$SERVER_URL" &&
	git clone -q one two &&
	GIT_PATTERNS_API_KEY=$KEY git -C two patterns sync --quiet --remote "$SERVER_URL" &&
	git -C two patterns list --origin team >team &&
	test_line_count = 2 team
'

test_expect_success 'after extracting the same history, list and export show each once' '
	git -C two patterns extract --quiet &&
	git -C two patterns list >list &&
	test_line_count = 2 list &&
	test_grep -v "\[team" list &&
	git -C two patterns export >out.jsonl &&
	test_line_count = 2 out.jsonl &&
	git -C two patterns search empty >found &&
	test_line_count = 1 found &&
	git -C two patterns stats >stats &&
	test_grep "^Patterns: +2 \(2 local, 0 from the team\)$" stats
'

test_expect_success 'a team pattern with no local twin still shows' '
	KEY=$(cat key) &&
	test_commit -C one "fix: off by one in loop" src/l.py "for i in range(3): pass" &&
	git -C one patterns extract --quiet &&
	GIT_PATTERNS_API_KEY=$KEY git -C one patterns sync --quiet --remote "$SERVER_URL" &&
	GIT_PATTERNS_API_KEY=$KEY git -C two patterns sync --quiet --remote "$SERVER_URL" &&
	git -C two patterns list >list &&
	test_line_count = 3 list &&
	test_grep "\[team, 0 helpful\]  fix: off by one in loop$" list &&
	git -C two patterns export >out.jsonl &&
	test_line_count = 3 out.jsonl &&
	git -C two patterns export --no-team >local.jsonl &&
	test_line_count = 2 local.jsonl
'

test_expect_success 'show finds a pattern kept both locally and from the team' '
	id=$(git -C two patterns list --origin local --type bug_fix --json | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"patterns\"][0][\"pattern_id\"])") &&
	git -C two patterns show $id >out &&
	test_grep "^pattern $id$" out
'

test_expect_success 'show says a vote is queued until sync sends it' '
	KEY=$(cat key) &&
	id=$(git -C two patterns list --origin local --type bug_fix --json | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"patterns\"][0][\"pattern_id\"])") &&
	git -C two patterns show $id >before &&
	test_grep -v "^Feedback:" before &&
	git -C two patterns feedback $id --not-helpful &&
	git -C two patterns show $id >queued &&
	test_grep "^Feedback: +not helpful \(queued" queued &&
	git -C two patterns show --json $id >queued.json &&
	test "$(json_get queued.json "d[\"queued_feedback\"]")" = not-helpful &&
	GIT_PATTERNS_API_KEY=$KEY git -C two patterns sync --quiet --remote "$SERVER_URL" &&
	git -C two patterns show $id >sent &&
	test_grep -v "^Feedback:" sent
'

test_done
