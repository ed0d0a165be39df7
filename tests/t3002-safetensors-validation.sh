#!/bin/sh
test_description='merge-adapters refuses malformed safetensors: one file per rule'
. ./lib.sh

PYTHONPATH=$TEST_SRC
export PYTHONPATH

test_expect_success NUMPY 'set up a good adapter and one malformed file per rule' '
	"$PYTHON" - <<-\EOF
	import json, struct, numpy as np, st
	st.write("good.safetensors", {"w": ("F16", np.ones(2))})
	def raw(name, header, data=b"", hlen=None):
	    h = header if isinstance(header, bytes) else json.dumps(header).encode()
	    n = len(h) if hlen is None else hlen
	    open(name + ".safetensors", "wb").write(struct.pack("<Q", n) + h + data)
	t = lambda dt, shape, b, e: {"dtype": dt, "shape": shape, "data_offsets": [b, e]}
	raw("hlen-limit", b"{}", hlen=100000001)
	raw("hlen-past-end", b"{}", hlen=4096)
	open("short.safetensors", "wb").write(b"\x02\x00")
	raw("not-object", b"[\"w\"]")
	raw("bad-json", b"{\"w\": {\"dtype\": \"F16\",")
	raw("dtype", {"w": t("F17", [2], 0, 4)}, b"\0" * 4)
	raw("size", {"w": t("F16", [3], 0, 4)}, b"\0" * 4)
	raw("hole", {"w": t("F16", [2], 4, 8)}, b"\0" * 8)
	raw("overlap", {"v": t("F16", [2], 0, 4), "w": t("F16", [2], 2, 6)}, b"\0" * 6)
	raw("trailing", {"w": t("F16", [2], 0, 4)}, b"\0" * 6)
	raw("truncated", {"w": t("F16", [4], 0, 8)}, b"\0" * 4)
	raw("duplicate", b"{\"w\": %s, \"w\": %s}" % (json.dumps(t("F16", [2], 0, 4)).encode(), json.dumps(t("F16", [2], 4, 8)).encode()), b"\0" * 8)
	raw("nul-name", b"{\"w\\u0000x\": %s}" % json.dumps(t("F16", [2], 0, 4)).encode(), b"\0" * 4)
	raw("metadata", {"__metadata__": {"k": ["list"]}, "w": t("F16", [2], 0, 4)}, b"\0" * 4)
	raw("overflow", {"w": t("F16", [2**40, 2**40], 0, 4)}, b"\0" * 4)
	EOF
'

# refused FILE 'message pattern'
refused() {
	rm -f out.safetensors &&
	test_expect_code 1 git patterns merge-adapters --adapters good.safetensors "$1.safetensors" \
		--output out.safetensors 2>err &&
	test_grep "^fatal: $1.safetensors: $2" err &&
	! test -e out.safetensors && ! test -e out.safetensors.meta.json &&
	test -z "$(ls | grep "\.tmp-")"
}

test_expect_success NUMPY 'header length above 100,000,000' '
	refused hlen-limit "header length 100000001 exceeds the limit of 100000000 bytes"
'
test_expect_success NUMPY 'header length past the end of the file' '
	refused hlen-past-end "header length 4096 runs past the end of the file"
'
test_expect_success NUMPY 'file shorter than the length field' '
	refused short "file too short for the 8-byte header length"
'
test_expect_success NUMPY 'header not a JSON object' '
	refused not-object "header is not a JSON object"
'
test_expect_success NUMPY 'header not valid JSON' '
	refused bad-json "header is not valid JSON: .* at byte [0-9]+"
'
test_expect_success NUMPY 'unknown dtype' '
	refused dtype "tensor .w.: unknown dtype \"F17\""
'
test_expect_success NUMPY 'shape times dtype size differs from the byte range' '
	refused size "tensor .w.: shape times dtype size is 6 bytes but data_offsets \[0, 4\] hold 4"
'
test_expect_success NUMPY 'a hole before the first range' '
	refused hole "tensor .w.: data_offsets \[4, 8\] leave a hole: ranges must be contiguous from 0"
'
test_expect_success NUMPY 'overlapping ranges' '
	refused overlap "tensor .w.: data_offsets \[2, 6\] overlap another tensor"
'
test_expect_success NUMPY 'data after the last range' '
	refused trailing "tensor .w.: last range ends at 4 but the data section has 6 bytes"
'
test_expect_success NUMPY 'last range past the end of the file' '
	refused truncated "tensor .w.: last range ends at 8 but the data section has 4 bytes"
'
test_expect_success NUMPY 'duplicate tensor names' '
	refused duplicate "tensor .w.: duplicate tensor name"
'
test_expect_success NUMPY 'NUL in a tensor name' '
	refused nul-name "tensor \"w\\\\u0000x\": tensor name contains NUL"
'
test_expect_success NUMPY '__metadata__ values other than strings' '
	refused metadata "__metadata__ value .k. is not a string"
'
test_expect_success NUMPY 'shape product overflowing 64 bits' '
	refused overflow "tensor .w.: shape overflows 64 bits"
'
test_expect_success NUMPY 'a failed merge into a new folder removes the folder' '
	test_expect_code 1 git patterns merge-adapters --adapters good.safetensors size.safetensors \
		--output newdir/ 2>err &&
	test_grep "size.safetensors: tensor .w.: shape times dtype size" err &&
	! test -e newdir
'

test_expect_success NUMPY 'a missing input names the file' '
	test_expect_code 1 git patterns merge-adapters --adapters good.safetensors nothere.safetensors \
		--output out.safetensors 2>err &&
	test_grep "^fatal: cannot read adapter .nothere.safetensors.: No such file" err
'

test_expect_success NUMPY 'a field name with a NUL is not the field it starts with' '
	"$PYTHON" - <<-\EOF &&
	import json, struct
	h = json.dumps({"w": {"dtypeNUL": "F16", "shape": [2], "data_offsets": [0, 4]}}).encode()
	h = h.replace(b"NUL", b"\\u0000x")
	open("nul-field.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"\0" * 4)
	EOF
	refused nul-field "tensor .w.: missing field .dtype."
'

test_done
