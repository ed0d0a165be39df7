#!/bin/sh
test_description='git patterns server (keys) and serve: options and errors'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

test_expect_success 'server without a subcommand is a usage error' '
	test_expect_code 129 git patterns server 2>err &&
	test_grep "add-key" err &&
	test_expect_code 129 git patterns server frob 2>err &&
	test_grep "unknown subcommand" err
'

test_expect_success 'add-key needs exactly one user' '
	test_expect_code 129 git patterns server add-key --db sqlite:k.db 2>err &&
	test_expect_code 129 git patterns server add-key a b --db sqlite:k.db 2>err
'

test_expect_success 'add-key refuses a user name with control characters, or none' '
	test_expect_code 1 git patterns server add-key "$(printf "mallory\n9 root yes")" \
		--db sqlite:k.db >out 2>err &&
	test_grep "invalid user name .1 to 255 bytes of UTF-8, no control characters." err &&
	test_must_be_empty out &&
	test_expect_code 1 git patterns server add-key "$(printf "eve\033[2J")" --db sqlite:k.db 2>err &&
	test_expect_code 1 git patterns server add-key "" --db sqlite:k.db 2>err &&
	git patterns server list-keys --db sqlite:k.db >keys &&
	! grep -e mallory -e eve keys
'

test_expect_success 'the default database is patterns-server.db in the current folder' '
	mkdir here && (cd here && git patterns server add-key carol >key 2>err) &&
	test -f here/patterns-server.db &&
	test_grep "shown only this once" here/err &&
	(cd here && git patterns server list-keys) >list &&
	test_grep "carol" list
'

test_expect_success 'the key is 32 random bytes; only its SHA-256 is stored' '
	git patterns server add-key dave --db sqlite:k.db >key 2>/dev/null &&
	grep -E "^gp_[0-9a-f]{64}$" key &&
	sqlite3 k.db "SELECT key_hash FROM api_keys" >stored &&
	printf "%s" "$(cat key)" | sha256sum | cut -d" " -f1 >expect &&
	test_cmp expect stored &&
	! grep -r -F "$(cat key | cut -c4-)" k.db*
'

test_expect_success 'revoke-key: bad ids' '
	test_must_fail git patterns server revoke-key abc --db sqlite:k.db 2>err &&
	test_grep "invalid key id" err &&
	test_must_fail git patterns server revoke-key 42 --db sqlite:k.db 2>err &&
	test_grep "no key with id 42" err &&
	git patterns server revoke-key 1 --db sqlite:k.db 2>err &&
	git patterns server revoke-key 1 --db sqlite:k.db 2>err
'

test_expect_success 'an unsupported database URL is an error naming it' '
	test_must_fail git patterns server list-keys --db mysql://x 2>err &&
	test_grep "fatal: unsupported database URL .mysql://x." err &&
	test_must_fail git patterns serve --db sqlite: 2>err &&
	test_grep "names no file" err
'

test_expect_success 'an unreachable PostgreSQL is an error (no password shown)' '
	port=$(free_port) &&
	test_must_fail git patterns server list-keys --db "postgresql://u:s3cret@127.0.0.1:$port/db" 2>err &&
	test_grep "cannot connect to PostgreSQL" err &&
	! grep s3cret err
'

test_expect_success 'serve: bad --listen and --threads' '
	test_must_fail git patterns serve --listen nonsense --db sqlite:k.db 2>err &&
	test_grep "listen" err &&
	test_expect_code 129 git patterns serve --threads 0 --db sqlite:k.db 2>err
'

test_expect_success 'serve: a port over 65535 is an error, not another port' '
	for port in 65536 70000 99999; do
		test_must_fail timeout 5 git patterns serve --listen 127.0.0.1:$port \
			--db sqlite:k.db 2>err &&
		test_grep "bad --listen .127.0.0.1:$port." err || return 1
	done &&
	test_must_fail timeout 5 git patterns serve --listen "[::1]:65537" --db sqlite:k.db 2>err &&
	test_grep "bad --listen" err
'

test_expect_success 'serve: a port in use is an error' '
	port=$(free_port) &&
	{ "$PYTHON" -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", $port)); s.listen(1)
open(\"ready\", \"w\").close(); time.sleep(3)" & } &&
	i=0 && while ! test -f ready && test $i -lt 100; do sleep 0.05; i=$((i + 1)); done &&
	test_must_fail git patterns serve --listen 127.0.0.1:$port --db sqlite:k.db 2>err &&
	test_grep "cannot listen on 127.0.0.1:$port" err
'

test_done
