#!/bin/sh
test_description='web interface at /ui/: sessions, CSRF, escaping, admin rules, in a real Chromium'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

# Not a prerequisite: without a browser this script fails, never skips.
test_expect_success 'chromium, chromedriver and selenium are installed (CI installs them)' '
	test -x /usr/bin/chromium &&
	test -x /usr/bin/chromedriver &&
	"$PYTHON" -c "import selenium"
'

DB_URL="sqlite:$TRASH/server.db"
session_hashes() {
	sqlite3 "$TRASH/server.db" "SELECT token_hash FROM ui_sessions"
}
. "$TEST_SRC/lib-web-ui.sh"

test_expect_success 'under TLS the cookie is Secure and the origin is https' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
		-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		>openssl.log 2>&1 &&
	port=$(free_port) &&
	{ git patterns serve --listen 127.0.0.1:$port --db "$DB_URL" --tls-cert cert.pem \
		--tls-key key.pem --adapter-dir "$TRASH/adapters" 2>>"$TRASH/server.log" & } &&
	echo $! >>"$EXTRA_PIDS" &&
	CURL_TLS="--cacert cert.pem" wait_for_health https://127.0.0.1:$port &&
	test "$(curl -s --cacert cert.pem -o /dev/null -D tls-h.txt -w "%{http_code}" \
		-H "Origin: http://127.0.0.1:$port" --data-urlencode "key=$ALICE_KEY" \
		https://127.0.0.1:$port/ui/login)" = 403 &&
	test "$(curl -s --cacert cert.pem -o /dev/null -D tls-h.txt -w "%{http_code}" \
		-H "Origin: https://127.0.0.1:$port" --data-urlencode "key=$ALICE_KEY" \
		https://127.0.0.1:$port/ui/login)" = 303 &&
	grep -i "^Set-Cookie: gp_session=[0-9a-f]*; Path=/ui/; Max-Age=[0-9]*; HttpOnly; SameSite=Strict; Secure" tls-h.txt
'

# Screenshots are kept (outside the trash folder) for people to look at.
SHOTS=${GIT_PATTERNS_BUILD:-$TRASH}/web-screenshots
mkdir -p "$SHOTS" && rm -f "$SHOTS"/*.png
export SHOTS

# bob's key was revoked above: the browser's member gets a new one
test_expect_success 'the browser session (Chromium) runs' '
	BOB_KEY=$(git patterns server add-key bob --db "$DB_URL") &&
	SERVER_URL=$SERVER_URL ALICE_KEY=$ALICE_KEY BOB_KEY=$BOB_KEY EVIL_ID=$(cat evil.id) \
		SHOTS=$SHOTS timeout 300 "$PYTHON" "$TEST_SRC/web_ui.py" >browser.out 2>&1;
	cat results.txt && test -s results.txt
'

while read -r status rest; do
	name=${rest%%: *}
	case "$status" in
	ok)
		test_expect_success "browser: $name" 'true' ;;
	*)
		name=${rest#ok }
		why=${name#*: }
		test_expect_success "browser: ${name%%: *}" "echo \"\$why\"; false" ;;
	esac
done <results.txt

test_expect_success 'browser screenshots were saved' '
	for f in list-1280 pattern-1280 project-1280 adapters-1280 list-375 pattern-375; do
		test -s "$SHOTS/$f.png" || return 1
	done
'

test_done
