#!/bin/sh
test_description='git patterns sync over HTTPS: verified against patterns.caInfo, refused without it'
. ./lib.sh

# A private CA and a certificate for localhost signed by it (not for
# 127.0.0.1, so that the host name check can be seen to work).
make_certs() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test CA" \
		-keyout ca.key -out ca.pem >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout server.key -out server.csr >/dev/null 2>&1 &&
	printf "subjectAltName=DNS:localhost\n" >san.ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days 2 -extfile san.ext -out server.pem >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Other CA" \
		-keyout other.key -out other.pem >/dev/null 2>&1
}
make_certs || { echo "Bail out! cannot make test certificates with openssl"; exit 1; }

SERVER_SCHEME=https
SERVER_HOST=localhost
CURL_TLS="--cacert $TRASH/ca.pem"
. "$TEST_SRC/lib-sync.sh"
start_server --tls-cert "$TRASH/server.pem" --tls-key "$TRASH/server.key" || exit 1
KEY=$(add_key dave)
ADMIN_KEY=$KEY
export GIT_PATTERNS_API_KEY=$KEY

test_expect_success 'setup: a repository with patterns' '
	git init -q repo &&
	test_commit -C repo "fix: handle empty list" src/a.py "a = []" &&
	test_commit -C repo "feat: add sum" src/a.py "a = sum([])" &&
	git -C repo patterns extract --quiet &&
	git -C repo config patterns.remote "$SERVER_URL" &&
	git -C repo config patterns.httpRetries 0
'

test_expect_success 'without the private CA the server is not trusted: refused, nothing sent' '
	test_expect_code 1 git -C repo patterns sync 2>err &&
	test_grep "^error: cannot reach team server https://localhost:$SERVER_PORT: .*(certificate|SSL)" err &&
	test_grep "git config patterns.caInfo /path/to/ca.pem" err &&
	test "$(server_total)" = 0
'

test_expect_success 'a CA bundle that did not sign the certificate is refused too' '
	test_expect_code 1 git -C repo -c patterns.caInfo="$TRASH/other.pem" patterns sync 2>err &&
	test_grep "certificate" err
'

test_expect_success 'with patterns.caInfo the sync goes through' '
	git -C repo config patterns.caInfo "$TRASH/ca.pem" &&
	git -C repo patterns sync --json >out.json &&
	test "$(json_get out.json "d[\"pushed\"]")" = 2 &&
	test "$(server_total)" = 2
'

test_expect_success 'the host name is verified: 127.0.0.1 is not in the certificate' '
	test_expect_code 1 git -C repo patterns sync --remote "https://127.0.0.1:$SERVER_PORT" 2>err &&
	test_grep "cannot reach team server .*(certificate|match|name)" err
'

test_expect_success 'adapters push against the private CA names patterns.caInfo too' '
	printf "\010\000\000\000\000\000\000\000{}      " >empty.safetensors &&
	test_expect_code 1 git -C repo -c patterns.caInfo= patterns adapters push "$TRASH/empty.safetensors" --name v1 2>err &&
	test_grep "cannot reach team server .*patterns.caInfo" err
'

test_expect_success 'plain http to the TLS port fails cleanly' '
	test_expect_code 1 git -C repo patterns sync --remote "http://127.0.0.1:$SERVER_PORT" 2>err &&
	test_grep "^error: " err
'

test_done
