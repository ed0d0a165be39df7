#!/bin/sh
test_description='the include rule of docs/architecture.md holds'
. ./lib.sh

test_expect_success 'every include in src/ follows the layer rule' '
	"$SRC_ROOT"/.ci/check-layers >out 2>err ||
	{ cat err; false; } &&
	test_grep "every include follows the rule" out
'

test_expect_success 'the check refuses a server file that includes the client' '
	mkdir -p fake/.ci fake/src/server fake/src/client &&
	cp "$SRC_ROOT"/.ci/check-layers fake/.ci/ &&
	printf "#include \"client/http.h\"\n" >fake/src/server/bad.c &&
	printf "#include \"common/util.h\"\n" >fake/src/client/http.h &&
	test_expect_code 1 fake/.ci/check-layers 2>err &&
	test_grep "server/bad.c:1: server may not include client/http.h" err
'

test_expect_success 'the check refuses an include that does not name its folder' '
	mkdir -p fake2/.ci fake2/src/common &&
	cp "$SRC_ROOT"/.ci/check-layers fake2/.ci/ &&
	printf "#include \"strbuf.h\"\n" >fake2/src/common/util.c &&
	test_expect_code 1 fake2/.ci/check-layers 2>err &&
	test_grep "does not name its folder" err
'

test_done
