#!/bin/sh
test_description='team server over HTTPS (libmicrohttpd TLS)'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	>openssl.log 2>&1 || { cat openssl.log; echo "Bail out! openssl"; exit 1; }
DB_URL="sqlite:$TRASH/tls.db"
KEY=$(git patterns server add-key alice --db "$DB_URL" 2>/dev/null)
ALICE=$KEY ADMIN=$(git patterns server add-key root --admin --db "$DB_URL" 2>/dev/null)
export KEY ALICE ADMIN

test_expect_success '--tls-cert without --tls-key is a usage error' '
	test_expect_code 129 git patterns serve --tls-cert cert.pem --db "$DB_URL" 2>err &&
	test_grep "go together" err
'

test_expect_success 'an unreadable certificate is an error naming it' '
	test_must_fail git patterns serve --listen 127.0.0.1:$(free_port) --tls-cert nope.pem \
		--tls-key key.pem --db "$DB_URL" 2>err &&
	test_grep "nope.pem" err
'

SERVER_SCHEME=https CURL_TLS="--cacert $TRASH/cert.pem"
export CURL_TLS
start_server "$DB_URL" --tls-cert "$TRASH/cert.pem" --tls-key "$TRASH/key.pem"

test_expect_success 'a client that trusts the certificate works' '
	curl -s --cacert cert.pem "$SERVER_URL/health" >h.json &&
	test "$(json_get h.json "d[\"status\"]")" = healthy &&
	expect_status 201 POST /patterns "{\"problem_type\":\"bug_fix\",\"code_before\":\"tls\",\"code_after\":\"x\"}" &&
	CA=$TRASH/cert.pem "$PYTHON" -c "
import os, requests
r = requests.get(os.environ[\"SERVER_URL\"] + \"/patterns\", headers={\"X-API-Key\": os.environ[\"KEY\"]}, verify=os.environ[\"CA\"])
assert r.status_code == 200 and r.json()[\"total\"] == 1, r.text"
'

test_expect_success 'a client that does not trust it is refused' '
	test_expect_code 60 curl -s "$SERVER_URL/health" &&
	"$PYTHON" -c "
import os, requests, sys
try:
    requests.get(os.environ[\"SERVER_URL\"] + \"/health\", timeout=10)
except requests.exceptions.SSLError:
    sys.exit(0)
sys.exit(1)"
'

test_expect_success 'plain HTTP to the HTTPS port gets no answer' '
	code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 "http://127.0.0.1:$SERVER_PORT/health") ;
	test "$code" != 200
'

test_expect_success 'concurrent HTTPS clients' '
	CA=$TRASH/cert.pem "$PYTHON" -c "
import os, requests, concurrent.futures as cf
url, key, ca = os.environ[\"SERVER_URL\"], os.environ[\"KEY\"], os.environ[\"CA\"]
def one(i):
    return requests.post(url + \"/patterns\", headers={\"X-API-Key\": key}, verify=ca,
        json={\"problem_type\": \"bug_fix\", \"code_before\": \"t%d\" % i, \"code_after\": \"x\"}).status_code
with cf.ThreadPoolExecutor(20) as ex:
    codes = list(ex.map(one, range(200)))
assert codes.count(201) == 200, codes" &&
	expect_status 200 GET "/patterns?limit=1" &&
	test "$(json_get out.json "d[\"total\"]")" = 201
'

stop_server
echo $? >stop.rc
test_expect_success 'SIGTERM stops the HTTPS server cleanly' '
	test "$(cat stop.rc)" = 0
'
test_done
