#!/bin/sh
test_description='merge-adapters --method linear: values, dtypes, weights, partial keys, usage'
. ./lib.sh

PYTHONPATH=$TEST_SRC
export PYTHONPATH

test_expect_success NUMPY 'set up adapters (F32, F16, BF16, F64)' '
	"$PYTHON" - <<-\EOF
	import numpy as np, st
	rng = np.random.default_rng(1)
	x = [rng.standard_normal((4, 3)) for _ in range(3)]
	big = [rng.standard_normal((1000, 700)) for _ in range(3)]
	for dt in ("F32", "F16", "BF16", "F64"):
	    for i, n in enumerate("abc"):
	        t = {"m.x": (dt, x[i]), "m.big": (dt, big[i]), "m.s": (dt, np.array(float(i + 1)))}
	        if n != "b":
	            t["only.ac"] = (dt, x[i][0])
	        st.write("%s-%s.safetensors" % (n, dt), t, {"format": "pt"})
	np.save("x.npy", np.array(x))
	np.save("big.npy", np.array(big))
	EOF
'

# check OUT DTYPE W1 W2 W3 RTOL: every tensor of OUT is the weighted sum
check_linear() {
	"$PYTHON" - "$@" <<-\EOF
	import sys, numpy as np, st
	out, dt, w, rtol = sys.argv[1], sys.argv[2], [float(v) for v in sys.argv[3:6]], float(sys.argv[6])
	w = np.array(w) / sum(w)
	x, big = np.load("x.npy"), np.load("big.npy")
	src = sys.argv[7] if len(sys.argv) > 7 else dt
	q = lambda a: st.quantise(src, a)
	got, dtypes, meta, _ = st.read(out)
	want = {
	    "m.x": sum(w[i] * q(x[i]) for i in range(3)),
	    "m.big": sum(w[i] * q(big[i]) for i in range(3)),
	    "m.s": np.array(sum(w[i] * (i + 1) for i in range(3))),
	    "only.ac": (w[0] * q(x[0][0]) + w[2] * q(x[2][0])) / (w[0] + w[2]),
	}
	assert sorted(got) == sorted(want), sorted(got)
	for k in want:
	    assert dtypes[k] == dt, (k, dtypes[k], dt)
	    assert got[k].shape == want[k].shape, (k, got[k].shape)
	    # rounding of the output dtype, plus f32 arithmetic
	    tol = rtol * np.abs(want[k]) + 1e-6 * np.max(np.abs(want[k]))
	    assert np.all(np.abs(got[k] - want[k]) <= tol), (k, np.max(np.abs(got[k] - want[k]) - tol))
	print("ok", meta)
	EOF
}

test_expect_success NUMPY 'F32: weighted sum, partial key renormalised with a warning' '
	git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors c-F32.safetensors \
		--weights 1 2 1 --output out.safetensors 2>err &&
	check_linear out.safetensors F32 1 2 1 1e-7 &&
	test_grep "warning: tensor .only.ac. is only in 2 of 3 adapters" err
'

test_expect_success NUMPY 'F16 in, F16 out (within F16 rounding)' '
	git patterns merge-adapters --adapters a-F16.safetensors b-F16.safetensors c-F16.safetensors \
		--weights 0.5 0.25 0.25 --output f16.safetensors &&
	check_linear f16.safetensors F16 0.5 0.25 0.25 0.0005
'

test_expect_success NUMPY 'BF16 in, BF16 out (within BF16 rounding)' '
	git patterns merge-adapters --adapters a-BF16.safetensors b-BF16.safetensors c-BF16.safetensors \
		--success-rates 0.9 0.6 0.3 --output bf16.safetensors &&
	check_linear bf16.safetensors BF16 0.9 0.6 0.3 0.004
'

test_expect_success NUMPY 'F64 in, F64 out, computed in f64' '
	git patterns merge-adapters --adapters a-F64.safetensors b-F64.safetensors c-F64.safetensors \
		--weights 3 1 1 --output f64.safetensors &&
	check_linear f64.safetensors F64 3 1 1 1e-12
'

test_expect_success NUMPY '--dtype bf16 from F32 inputs; --threads 1 gives the same bytes' '
	git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors c-F32.safetensors \
		--dtype bf16 --output d.safetensors &&
	check_linear d.safetensors BF16 1 1 1 0.004 F32 &&
	git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors c-F32.safetensors \
		--dtype bf16 --threads 1 --output d1.safetensors &&
	cmp d.safetensors d1.safetensors
'

test_expect_success NUMPY 'mixed dtypes: F16 and BF16 inputs give F32' '
	git patterns merge-adapters --adapters a-F16.safetensors b-BF16.safetensors \
		--output mixed.safetensors &&
	"$PYTHON" - <<-\EOF
	import numpy as np, st
	x = np.load("x.npy")
	got, dt, _, _ = st.read("mixed.safetensors")
	assert dt["m.x"] == "F32", dt
	want = 0.5 * st.quantise("F16", x[0]) + 0.5 * st.quantise("BF16", x[1])
	assert np.allclose(got["m.x"], want, rtol=1e-6, atol=1e-7)
	EOF
'

test_expect_success NUMPY 'metadata and meta.json record method, weights, parents' '
	"$PYTHON" - <<-\EOF
	import json, st
	_, _, meta, hraw = st.read("bf16.safetensors")
	assert (8 + len(hraw)) % 8 == 0, len(hraw)
	assert meta["merge_method"] == "linear", meta
	w = json.loads(meta["merge_weights"])
	assert [round(v, 6) for v in w] == [0.5, 0.333333, 0.166667], w
	assert json.loads(meta["merge_parents"]) == ["a-BF16.safetensors", "b-BF16.safetensors", "c-BF16.safetensors"]
	m = json.load(open("bf16.safetensors.meta.json"))
	assert m["method"] == "linear" and m["weights"] == w and len(m["parents"]) == 3, m
	EOF
'

test_expect_success NUMPY 'equal weights by default; the output mode follows the umask' '
	umask 022 &&
	git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors c-F32.safetensors \
		--output eq.safetensors &&
	check_linear eq.safetensors F32 1 1 1 1e-7 &&
	test "$(stat -c %a eq.safetensors eq.safetensors.meta.json)" = "644
644"
'

test_expect_success NUMPY 'PEFT folders in, a folder out' '
	mkdir -p pa pb &&
	cp a-F32.safetensors pa/adapter_model.safetensors &&
	cp b-F32.safetensors pb/adapter_model.safetensors &&
	echo "{\"r\": 4, \"lora_alpha\": 8, \"peft_type\": \"LORA\"}" >pa/adapter_config.json &&
	cp pa/adapter_config.json pb/ &&
	git patterns merge-adapters --adapters pa pb/ --output team/ &&
	test -f team/adapter_model.safetensors &&
	test -f team/adapter_config.json &&
	test -f team/adapter_model.safetensors.meta.json
'

test_expect_success NUMPY 'a shape mismatch names the tensor; nothing is written' '
	"$PYTHON" -c "import numpy as np, st; st.write(\"odd.safetensors\", {\"m.x\": (\"F32\", np.zeros((3, 4)))})" &&
	test_must_fail git patterns merge-adapters --adapters a-F32.safetensors odd.safetensors \
		--output bad.safetensors 2>err &&
	test_grep "fatal: tensor .m.x.: shape \[3, 4\] in odd.safetensors differs from \[4, 3\]" err &&
	! test -e bad.safetensors && ! test -e bad.safetensors.meta.json &&
	test -z "$(ls | grep tmp-)"
'

test_expect_success NUMPY 'an integer tensor is a clear error' '
	"$PYTHON" -c "import numpy as np, st; st.write(\"int.safetensors\", {\"m.x\": (\"I64\", np.zeros((4, 3)))})" &&
	test_must_fail git patterns merge-adapters --adapters a-F32.safetensors int.safetensors \
		--output bad.safetensors 2>err &&
	test_grep "tensor .m.x. has dtype I64; merging reads F64, F32, F16 and BF16" err &&
	! test -e bad.safetensors
'

test_expect_success NUMPY 'usage errors exit 129' '
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors \
		--weights 1 --output u.safetensors 2>err &&
	test_grep "1 weights for 2 adapters" err &&
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors \
		--weights 1 1 --success-rates 1 1 --output u.safetensors 2>err &&
	test_grep "cannot be used together" err &&
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors \
		--weights 1 -1 --output u.safetensors 2>err &&
	test_grep "weights sum to zero" err &&
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors \
		--weights x --output u.safetensors 2>err &&
	test_grep "is not a number" err &&
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors 2>err &&
	test_grep "output is required" err &&
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors \
		--method avg --output u.safetensors 2>err &&
	test_grep "unknown method" err &&
	! test -e u.safetensors
'

test_expect_success NUMPY 'the output may not be an input, by name or by hard link' '
	cp a-F32.safetensors keep.safetensors &&
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors \
		--output a-F32.safetensors 2>err &&
	test_grep "the output .a-F32.safetensors. is the input" err &&
	ln a-F32.safetensors link.safetensors &&
	test_expect_code 129 git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors \
		--output link.safetensors 2>err &&
	test_grep "is the input .a-F32.safetensors." err &&
	cmp a-F32.safetensors keep.safetensors
'

test_expect_success NUMPY 'memory stays bounded: three 64 MiB inputs, peak RSS well below their size' '
	"$PYTHON" - <<-\EOF
	import resource, subprocess, numpy as np, st
	block = np.random.default_rng(5).standard_normal(1 << 20, dtype=np.float32)
	for i, n in enumerate("xyz"):
	    st.write(n + "-big.safetensors", {"w": ("F16", np.tile(block * (i + 1), 32))})
	subprocess.run(["git", "patterns", "merge-adapters", "--adapters", "x-big.safetensors",
	                "y-big.safetensors", "z-big.safetensors", "--output", "xyz.safetensors",
	                "--no-record", "--quiet"], check=True)
	rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB
	assert rss < 48 * 1024, "peak RSS %d KiB" % rss
	def data(p):
	    n = int.from_bytes(open(p, "rb").read(8), "little")
	    return np.memmap(p, dtype="<f2", mode="r", offset=8 + n)
	got = data("xyz.safetensors")
	want = st.quantise("F16", block) * 2
	for k in (0, 31):
	    assert np.allclose(got[k << 20:(k + 1) << 20], want, rtol=2e-3, atol=1e-3), k
	EOF
	rm -f ?-big.safetensors xyz.safetensors*
'

test_expect_success NUMPY 'outside a repository: written, and a warning that no version is recorded' '
	git patterns merge-adapters --adapters a-F32.safetensors b-F32.safetensors \
		--output norepo.safetensors 2>err &&
	test_grep "not in a git repository.*no adapter version is recorded" err &&
	test -f norepo.safetensors
'

test_done
