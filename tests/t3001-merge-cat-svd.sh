#!/bin/sh
test_description='merge-adapters --method cat and svd: exact LoRA deltas, ranks, config'
. ./lib.sh

PYTHONPATH=$TEST_SRC:$TRASH
export PYTHONPATH

test_expect_success NUMPY 'set up PEFT adapters of ranks 4, 8 and 2 (one with rslora)' '
	"$PYTHON" - <<-\EOF
	import json, os, numpy as np, st
	rng = np.random.default_rng(7)
	mods = {"q_proj": (24, 16), "v_proj": (12, 16)}
	specs = [("u1", 4, 8, False, "F32"), ("u2", 8, 16, True, "F32"), ("u3", 2, 4, False, "BF16")]
	for name, r, alpha, rs, dt in specs:
	    os.makedirs(name, exist_ok=True)
	    t = {"base_model.model.score.weight": (dt, rng.standard_normal((3, 16)))}
	    for m, (out, inp) in mods.items():
	        if name == "u3" and m == "v_proj":
	            continue  # u3 does not adapt v_proj
	        p = "base_model.model.layers.0.self_attn.%s." % m
	        t[p + "lora_A.weight"] = (dt, rng.standard_normal((r, inp)))
	        t[p + "lora_B.weight"] = (dt, rng.standard_normal((out, r)))
	    st.write(name + "/adapter_model.safetensors", t, {"format": "pt"})
	    json.dump({"peft_type": "LORA", "r": r, "lora_alpha": alpha, "use_rslora": rs,
	               "target_modules": ["q_proj", "v_proj"]}, open(name + "/adapter_config.json", "w"))
	EOF
'

# deltas.py: the exact weighted deltas of the inputs (by module), and the
# merged ones (B.A) of an output
cat >deltas.py <<\EOF
import json, sys, numpy as np, st

def deltas(weights):
    w = np.array(weights) / sum(weights)
    out = {}
    for i, name in enumerate(("u1", "u2", "u3")):
        t, _, _, _ = st.read(name + "/adapter_model.safetensors")
        c = json.load(open(name + "/adapter_config.json"))
        for k in t:
            if not k.endswith("lora_A.weight"):
                continue
            base = k[: -len("lora_A.weight")]
            A, B = t[k], t[base + "lora_B.weight"]
            r = A.shape[0]
            s = c["lora_alpha"] / (np.sqrt(r) if c["use_rslora"] else r)
            out[base] = out.get(base, 0) + w[i] * s * (B @ A)
    return out

def merged(path):
    t, _, meta, _ = st.read(path)
    return {k[: -len("lora_A.weight")]: t[k[: -len("lora_A.weight")] + "lora_B.weight"] @ t[k]
            for k in t if k.endswith("lora_A.weight")}, t, meta
EOF

test_expect_success NUMPY 'cat: B.A equals the weighted sum of scaled deltas, exactly' '
	git patterns merge-adapters --method cat --adapters u1 u2 u3 --weights 2 1 1 \
		--dtype f32 --output catted/ 2>err &&
	test_grep "LoRA pair .base_model.model.layers.0.self_attn.v_proj.lora_A.weight. is only in 2 of 3" err &&
	"$PYTHON" - <<-\EOF
	import json, numpy as np
	from deltas import deltas, merged
	want = deltas([2, 1, 1])
	got, t, meta = merged("catted/adapter_model.safetensors")
	assert sorted(got) == sorted(want)
	for k in want:
	    err = np.max(np.abs(got[k] - want[k])) / np.max(np.abs(want[k]))
	    assert err < 1e-5, (k, err)
	q = "base_model.model.layers.0.self_attn.q_proj."
	assert t[q + "lora_A.weight"].shape == (14, 16), t[q + "lora_A.weight"].shape
	assert t[q + "lora_B.weight"].shape == (24, 14)
	c = json.load(open("catted/adapter_config.json"))
	assert c["r"] == 14 and c["lora_alpha"] == 14 and c["use_rslora"] is False, c
	assert c["target_modules"] == ["q_proj", "v_proj"]
	assert meta["merge_method"] == "cat"
	EOF
'

test_expect_success NUMPY 'cat: non-LoRA tensors are merged linearly' '
	"$PYTHON" - <<-\EOF
	import numpy as np, st
	got, _, _, _ = st.read("catted/adapter_model.safetensors")
	ins = [st.read(n + "/adapter_model.safetensors")[0]["base_model.model.score.weight"] for n in ("u1", "u2", "u3")]
	want = 0.5 * ins[0] + 0.25 * ins[1] + 0.25 * ins[2]
	assert np.allclose(got["base_model.model.score.weight"], want, rtol=1e-6, atol=1e-6)
	EOF
'

test_expect_success NUMPY 'cat keeps the inputs dtype (BF16 with F32 gives F32)' '
	git patterns merge-adapters --method cat --adapters u1 u3 --output c2.safetensors &&
	"$PYTHON" -c "import st; _, dt, _, _ = st.read(\"c2.safetensors\"); assert set(dt.values()) == {\"F32\"}, dt" &&
	test -f adapter_config.json
'

test_expect_success NUMPY 'svd at full rank reproduces the exact delta' '
	git patterns merge-adapters --method svd --rank 14 --adapters u1 u2 u3 \
		--dtype f32 --output full/ &&
	"$PYTHON" - <<-\EOF
	import json, numpy as np
	from deltas import deltas, merged
	want = deltas([1, 1, 1])
	got, t, _ = merged("full/adapter_model.safetensors")
	for k in want:
	    err = np.max(np.abs(got[k] - want[k])) / np.max(np.abs(want[k]))
	    assert err < 1e-5, (k, err)
	c = json.load(open("full/adapter_config.json"))
	assert c["r"] == 14 and c["lora_alpha"] == 14, c
	EOF
'

test_expect_success NUMPY 'svd truncates the exact weighted delta to rank r' '
	git patterns merge-adapters --method svd --adapters u1 u2 u3 --success-rates 0.9 0.5 0.2 \
		--dtype f32 --output svd8/ &&
	git patterns merge-adapters --method svd --rank 2 --adapters u1 u2 u3 \
		--success-rates 0.9 0.5 0.2 --dtype f32 --output svd2/ &&
	"$PYTHON" - <<-\EOF
	import json, numpy as np
	from deltas import deltas, merged
	want = deltas([0.9, 0.5, 0.2])
	for d, r in (("svd8", 8), ("svd2", 2)):
	    got, t, _ = merged(d + "/adapter_model.safetensors")
	    for k, D in want.items():
	        U, S, Vt = np.linalg.svd(D)
	        trunc = (U[:, :r] * S[:r]) @ Vt[:r]
	        err = np.max(np.abs(got[k] - trunc)) / np.max(np.abs(D))
	        assert err < 1e-5, (d, k, err)
	        assert t[k + "lora_A.weight"].shape[0] == r
	    assert json.load(open(d + "/adapter_config.json"))["r"] == r
	EOF
'

test_expect_success NUMPY 'cat: conv and embedding LoRA factors stack along the rank too' '
	"$PYTHON" - <<-\EOF &&
	import json, os, numpy as np, st
	rng = np.random.default_rng(3)
	for n, r in (("k1", 2), ("k2", 3)):
	    os.makedirs(n, exist_ok=True)
	    st.write(n + "/adapter_model.safetensors", {
	        "conv.lora_A.weight": ("F32", rng.standard_normal((r, 4, 3, 3))),
	        "conv.lora_B.weight": ("F32", rng.standard_normal((5, r, 1, 1))),
	        "emb.lora_embedding_A": ("F32", rng.standard_normal((r, 10))),
	        "emb.lora_embedding_B": ("F32", rng.standard_normal((6, r)))})
	    json.dump({"r": r, "lora_alpha": 2 * r}, open(n + "/adapter_config.json", "w"))
	EOF
	git patterns merge-adapters --method cat --adapters k1 k2 --weights 3 1 --output kc/ &&
	"$PYTHON" - <<-\EOF
	import numpy as np, st
	w = [0.75, 0.25]
	ins = [st.read(n + "/adapter_model.safetensors")[0] for n in ("k1", "k2")]
	got = st.read("kc/adapter_model.safetensors")[0]
	for a, b, out in (("conv.lora_A.weight", "conv.lora_B.weight", 5), ("emb.lora_embedding_A", "emb.lora_embedding_B", 6)):
	    d = lambda t: t[b].reshape(out, -1) @ t[a].reshape(t[a].shape[0], -1)
	    want = sum(w[i] * 2.0 * d(ins[i]) for i in range(2))
	    assert got[a].shape[0] == 5 and got[b].shape[1] == 5, got[a].shape
	    assert np.allclose(d(got), want, rtol=1e-5, atol=1e-5), a
	EOF
'

test_expect_success NUMPY 'cat: a lora_A without its lora_B is an error naming it' '
	"$PYTHON" - <<-\EOF &&
	import numpy as np, st
	st.write("half.safetensors", {"m.lora_A.weight": ("F32", np.ones((2, 3)))})
	st.write("full.safetensors", {"m.lora_A.weight": ("F32", np.ones((2, 3))), "m.lora_B.weight": ("F32", np.ones((4, 2)))})
	EOF
	mkdir h8 &&
	test_must_fail git patterns merge-adapters --method cat --adapters full.safetensors half.safetensors \
		--output h8/h.safetensors 2>err &&
	test_grep "half.safetensors: tensor .m.lora_A.weight. has no matching .m.lora_B.weight." err &&
	! test -e h8/h.safetensors
'

test_expect_success NUMPY '--rank without svd is a usage error' '
	test_expect_code 129 git patterns merge-adapters --method cat --rank 2 --adapters u1 u2 \
		--output r.safetensors 2>err &&
	test_grep "needs --method svd" err
'

test_expect_success NUMPY 'one warning per input without adapter_config.json, not one per module' '
	mkdir quiet && cd quiet &&
	"$PYTHON" - <<-\EOF &&
	import json, os, numpy as np, st
	def lora(seed, r):
	    g = np.random.default_rng(seed)
	    t = {}
	    for m in ("q_proj", "k_proj", "v_proj", "o_proj"):
	        p = "base_model.model.layers.0.self_attn." + m
	        t[p + ".lora_A.weight"] = ("F32", g.standard_normal((r, 8)))
	        t[p + ".lora_B.weight"] = ("F32", g.standard_normal((8, r)))
	    return t
	st.write("a.safetensors", lora(1, 4))
	st.write("b.safetensors", lora(2, 4))
	os.mkdir("peft")
	st.write("peft/adapter_model.safetensors", lora(3, 4))
	json.dump({"peft_type": "LORA", "r": 4, "lora_alpha": 8}, open("peft/adapter_config.json", "w"))
	EOF
	git patterns merge-adapters --method cat --adapters a.safetensors peft \
		--output one/ -q 2>err &&
	grep "adapter_config.json" err >warnings &&
	test_line_count = 1 warnings &&
	test_grep "no adapter_config.json for a.safetensors" warnings &&
	git patterns merge-adapters --method svd --adapters a.safetensors b.safetensors \
		--output two/ -q 2>err &&
	grep "adapter_config.json" err >warnings &&
	test_line_count = 2 warnings &&
	test_grep "for a.safetensors" warnings &&
	test_grep "for b.safetensors" warnings
'

test_expect_success NUMPY 'a cat merge never leaves an adapter beside a config that disagrees with it' '
	cd quiet &&
	mkdir out &&
	git patterns merge-adapters --method cat --adapters a.safetensors b.safetensors \
		--output out/cat.safetensors -q 2>/dev/null &&
	"$PYTHON" -c "import json; assert json.load(open(\"out/adapter_config.json\"))[\"r\"] == 8" &&
	cp out/adapter_config.json config.before &&
	ls out >files.before &&
	test_must_fail git patterns merge-adapters --method cat --adapters a.safetensors b.safetensors \
		peft --output out/cat3.safetensors 2>err &&
	test_grep "describes .out/cat.safetensors. too" err &&
	test_grep "folder of its own" err &&
	test_cmp config.before out/adapter_config.json &&
	ls -A out >files.after &&
	test_cmp files.before files.after &&
	git patterns merge-adapters --method cat --adapters a.safetensors b.safetensors peft \
		--output out/cat.safetensors -q 2>/dev/null &&
	"$PYTHON" -c "import json; assert json.load(open(\"out/adapter_config.json\"))[\"r\"] == 12" &&
	ls -A out >files.after &&
	test_cmp files.before files.after &&
	git patterns merge-adapters --method cat --adapters a.safetensors b.safetensors peft \
		--output out/peft3/ -q 2>/dev/null &&
	ls -A out/peft3 >peft.files &&
	printf "%s\n" adapter_config.json adapter_model.safetensors adapter_model.safetensors.meta.json >expect &&
	test_cmp expect peft.files &&
	"$PYTHON" -c "import json; assert json.load(open(\"out/adapter_config.json\"))[\"r\"] == 12"
'

test_expect_success NUMPY 'meta.json records the inputs as given, not as absolute paths' '
	cd quiet &&
	git patterns merge-adapters --adapters a.safetensors ./peft --output m.safetensors -q 2>/dev/null &&
	"$PYTHON" -c "
import json
d = json.load(open(\"m.safetensors.meta.json\"))
assert d[\"adapters\"] == [\"a.safetensors\", \"./peft\"], d[\"adapters\"]
assert d[\"parents\"] == [\"a.safetensors\", \"./peft\"], d[\"parents\"]
" &&
	! grep -F "$PWD" m.safetensors.meta.json
'

test_expect_success NUMPY 'a linear merge without configs does not land beside a config of another adapter' '
	"$PYTHON" - <<-\EOF &&
	import numpy as np, st
	rng = np.random.default_rng(3)
	for n in ("x1", "x2"):
	    st.write(n + ".safetensors", {
	        "base_model.model.layers.0.self_attn.q_proj.lora_A.weight": ("F32", rng.standard_normal((3, 16))),
	        "base_model.model.layers.0.self_attn.q_proj.lora_B.weight": ("F32", rng.standard_normal((24, 3)))})
	EOF
	git patterns merge-adapters --no-record -q --method cat --adapters u1 u2 --output stale/ 2>/dev/null &&
	cp stale/adapter_model.safetensors stale.before &&
	cp stale/adapter_config.json config.before &&
	test_must_fail git patterns merge-adapters --no-record -q --adapters x1.safetensors x2.safetensors \
		--output stale/ 2>err &&
	test_grep "stale/adapter_config.json" err &&
	cmp stale.before stale/adapter_model.safetensors &&
	test_cmp config.before stale/adapter_config.json &&
	test_must_fail git patterns merge-adapters --no-record -q --adapters x1.safetensors x2.safetensors \
		--output stale/adapter_model.safetensors 2>err &&
	test_grep "stale/adapter_config.json" err &&
	cmp stale.before stale/adapter_model.safetensors &&
	test -z "$(ls stale | grep "\.tmp-")" &&
	git patterns merge-adapters --no-record -q --adapters x1.safetensors x2.safetensors \
		--output fresh/ 2>/dev/null &&
	! test -e fresh/adapter_config.json
'

test_done
