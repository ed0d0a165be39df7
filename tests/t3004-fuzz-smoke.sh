#!/bin/sh
test_description='make fuzz: a short libFuzzer run on the safetensors parser finds nothing'
. ./lib.sh

if command -v clang >/dev/null 2>&1 && command -v make >/dev/null 2>&1; then
	test_set_prereq CLANG
fi

test_expect_success CLANG 'fuzz the safetensors parser for 15 seconds' '
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$SRC_ROOT" fuzz FUZZ_TIME=15 >log 2>&1 ||
	{ tail -n 40 log; false; } &&
	test_grep "^Done [0-9]+ runs" log &&
	test_grep -v "ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)" log
'

test_done
