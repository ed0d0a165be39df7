#!/bin/sh
test_description='a merge refused by the team server names versions, not the server'"'"'s files'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

start_adapter_server

# a safetensors file by hand: tensor w, F32, n values
mk() {
	"$PYTHON" - "$1" "$2" <<-\EOF
	import json, struct, sys
	n = int(sys.argv[2])
	h = json.dumps({"w": {"dtype": "F32", "shape": [n], "data_offsets": [0, 4 * n]}}).encode()
	open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"\0" * (4 * n))
	EOF
}

test_expect_success 'shapes that differ: the error names both versions' '
	mk four.safetensors 4 &&
	mk eight.safetensors 8 &&
	git patterns adapters push four.safetensors --name four --remote "$SERVER_URL" -q &&
	git patterns adapters push eight.safetensors --name eight --remote "$SERVER_URL" -q &&
	test_must_fail git patterns adapters merge --remote "$SERVER_URL" four eight \
		--version-name both 2>err &&
	test_grep "422" err &&
	test_grep "tensor .w.: shape \[8\] in version .eight. differs from \[4\] in version .four." err &&
	! grep -F "$TRASH" err
'

stop_server
test_done
