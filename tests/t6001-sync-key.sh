#!/bin/sh
test_description='git patterns sync: the API key from the environment, config, or git credential helpers'
. ./lib.sh
. "$TEST_SRC/lib-sync.sh"

start_server || exit 1
KEY=$(add_key carol)
ADMIN_KEY=$KEY
export KEY

# A credential helper that answers with the key in helper.key and records
# every call (action and input) in helper.log.
cat >"$TRASH/helper" <<EOF_HELPER
#!/bin/sh
{ echo "== \$1"; cat; } >>"$TRASH/helper.log"
test "\$1" = get && test -s "$TRASH/helper.key" && echo "password=\$(cat "$TRASH/helper.key")"
exit 0
EOF_HELPER
chmod +x "$TRASH/helper"

test_expect_success 'setup: a repository with patterns' '
	git init -q repo &&
	test_commit -C repo "fix: parser crash" src/p.py "x = 1" &&
	test_commit -C repo "fix: parser crash again" src/p.py "x = 2" &&
	git -C repo patterns extract --quiet &&
	git -C repo config patterns.remote "$SERVER_URL"
'

test_expect_success 'the key from the credential helper; approved after the server took it' '
	git -C repo config credential.helper "$TRASH/helper" &&
	echo "$KEY" >helper.key &&
	: >helper.log &&
	git -C repo patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 2 &&
	grep "^== " helper.log >actions &&
	printf "== get\n== store\n" >expect &&
	test_cmp expect actions &&
	sed -n "/^== get/,/^== store/p" helper.log >get.in &&
	test_grep "^protocol=http$" get.in &&
	test_grep "^host=127.0.0.1:$SERVER_PORT$" get.in &&
	test_grep "^username=git-patterns$" get.in &&
	test_grep -v "^password=" get.in &&
	sed -n "/^== store/,\$p" helper.log >store.in &&
	test_grep "^password=$KEY$" store.in
'

test_expect_success 'a wrong key from the helper is rejected (erase), exit 1, nothing pushed' '
	test_commit -C repo "fix: parser crash thrice" src/p.py "x = 3" &&
	git -C repo patterns extract --quiet &&
	echo gp_0000wrong >helper.key &&
	: >helper.log &&
	test_expect_code 1 git -C repo patterns sync 2>err &&
	test_grep "refused the API key" err &&
	test_grep -v "gp_0000wrong" err &&
	grep "^== " helper.log >actions &&
	printf "== get\n== erase\n" >expect &&
	test_cmp expect actions &&
	test "$(sqlite3 repo/.git/patterns/patterns.db "SELECT count(*) FROM pushed")" = 2
'

test_expect_success 'a helper with no key: no prompt, and the 401 says how to give one' '
	: >helper.key &&
	test_expect_code 1 git -C repo patterns sync 2>err </dev/null &&
	test_grep "missing API key" err &&
	test_grep "GIT_PATTERNS_API_KEY" err
'

test_expect_success 'the key from the environment; the helper is not asked' '
	: >helper.log &&
	GIT_PATTERNS_API_KEY=$KEY git -C repo patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test_must_fail test -s helper.log
'

test_expect_success 'the key from patterns.apiKey; the environment wins over it' '
	test_commit -C repo "fix: parser crash four" src/p.py "x = 4" &&
	git -C repo patterns extract --quiet &&
	git -C repo config patterns.apiKey gp_0000wrong &&
	test_expect_code 1 git -C repo patterns sync 2>err &&
	test_grep "refused the API key" err &&
	GIT_PATTERNS_API_KEY=$KEY git -C repo patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test_commit -C repo "fix: parser crash five" src/p.py "x = 5" &&
	git -C repo patterns extract --quiet &&
	git -C repo config patterns.apiKey "$KEY" &&
	: >helper.log &&
	git -C repo patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 1 &&
	test_must_fail test -s helper.log
'

test_expect_success 'the key is never written to the store nor printed' '
	git -C repo patterns sync >out 2>err &&
	! grep -r -a -F "$KEY" repo/.git/patterns &&
	! grep -F "$KEY" out err
'

# the 401 names where the key came from, never the key, for sync and adapters
check_401() {
	grep -F "refused the API key from $1 (invalid API key)" err &&
	! grep -F "gp_0000wrong" err
}

test_expect_success 'a 401 names the key source: environment, config, helper, none' '
	test_commit -C repo "fix: parser crash six" src/p.py "x = 6" &&
	git -C repo patterns extract --quiet &&
	echo gp_0000wrong >helper.key &&
	GIT_PATTERNS_API_KEY=gp_0000wrong test_expect_code 1 git -C repo patterns sync 2>err &&
	check_401 "the environment (GIT_PATTERNS_API_KEY)" &&
	(cd repo && GIT_PATTERNS_API_KEY=gp_0000wrong test_expect_code 1 \
		git patterns adapters list --remote 2>../err) &&
	check_401 "the environment (GIT_PATTERNS_API_KEY)" &&
	test_grep "while listing adapter versions" err &&
	git -C repo config patterns.apiKey gp_0000wrong &&
	test_expect_code 1 git -C repo patterns sync 2>err &&
	check_401 "git config patterns.apiKey" &&
	(cd repo && test_expect_code 1 git patterns adapters list --remote 2>../err) &&
	check_401 "git config patterns.apiKey" &&
	git -C repo config --unset patterns.apiKey &&
	test_expect_code 1 git -C repo patterns sync 2>err &&
	check_401 "the git credential helper" &&
	(cd repo && test_expect_code 1 git patterns adapters pull --active -o a.st --remote 2>../err) &&
	check_401 "the git credential helper" &&
	: >helper.key &&
	test_expect_code 1 git -C repo patterns sync 2>err </dev/null &&
	test_grep "no key was found in GIT_PATTERNS_API_KEY, patterns.apiKey or a git credential helper" err &&
	git -C repo config patterns.apiKey "$KEY"
'

test_expect_success 'a key written into the remote URL is refused, never printed nor stored' '
	url=$(echo "$SERVER_URL" | sed "s|://|://git-patterns:$KEY@|") &&
	test_must_fail git -C repo patterns sync --remote "$url" >out 2>err &&
	test_grep "must not hold a password" err &&
	! grep -F "$KEY" out err &&
	! grep -r -a -F "$KEY" repo/.git/patterns &&
	git -C repo config patterns.remote "$url" &&
	test_must_fail git -C repo patterns sync >out 2>err &&
	! grep -F "$KEY" out err &&
	git -C repo config patterns.remote "$SERVER_URL"
'

test_done
