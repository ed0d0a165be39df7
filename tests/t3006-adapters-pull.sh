#!/bin/sh
test_description='adapters pull: the file named by -o is replaced only by a verified download'
. ./lib.sh
. "$TEST_SRC/lib-server.sh"

start_adapter_server

# a safetensors file by hand: one F32 tensor of n values v
mk() {
	"$PYTHON" - "$1" "$2" <<-\EOF
	import json, struct, sys
	v = float(sys.argv[2])
	data = struct.pack("<4f", v, v, v, v)
	h = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
	open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + data)
	EOF
}

test_expect_success 'push a version' '
	mk one.safetensors 1 &&
	git patterns adapters push one.safetensors --name one --remote "$SERVER_URL" -q &&
	git patterns adapters pull one -o pulled.safetensors --remote "$SERVER_URL" -q &&
	cmp one.safetensors pulled.safetensors
'

test_expect_success 'a download that does not match the record leaves the old file in place' '
	echo "my adapter" >mine.safetensors &&
	cp mine.safetensors mine.before &&
	file=$(ls adapters/*.safetensors) &&
	cp "$file" stored.bak &&
	mk "$file" 2 &&
	test_must_fail git patterns adapters pull one -o mine.safetensors --remote "$SERVER_URL" 2>err &&
	test_grep "does not match the server.s record" err &&
	test_cmp mine.before mine.safetensors &&
	test -z "$(ls | grep "^mine\.safetensors\.")"
'
cp stored.bak "$(ls adapters/*.safetensors)"

if test "$(id -u)" = 0 && mknod null c 1 3 2>/dev/null; then
	test_set_prereq MKNOD
fi
test_expect_success MKNOD 'a device as -o is refused; the device stays' '
	test_must_fail git patterns adapters pull one -o null --remote "$SERVER_URL" 2>err &&
	test_grep "null.* exists and is not a regular file" err &&
	test -c null
'

test_expect_success 'a FIFO as -o is refused; the FIFO stays' '
	mkfifo fifo.safetensors &&
	test_must_fail timeout 20 git patterns adapters pull one -o fifo.safetensors \
		--remote "$SERVER_URL" 2>err &&
	test_grep "fifo.safetensors.* exists and is not a regular file" err &&
	test -p fifo.safetensors
'

test_expect_success 'an existing regular file is replaced by a good download' '
	git patterns adapters pull --active -o mine.safetensors --remote "$SERVER_URL" -q &&
	cmp one.safetensors mine.safetensors
'

test_expect_success 'an empty -o is a usage error, before anything is downloaded' '
	test_expect_code 129 git patterns adapters pull one -o "" --remote "$SERVER_URL" 2>err &&
	test_grep "pull needs -o <file>" err &&
	test -z "$(ls -A | grep "^\.tmp-")"
'

stop_server
test_done
