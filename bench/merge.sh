#!/bin/bash
# bench/merge.sh: linear merge of three 1 GiB F16 adapters.
#
# Side by side on the same (page-cached) files:
#   cat A B C > OUT                          the I/O floor
#   git patterns merge-adapters (linear)     wall time and peak RSS
#   bench/merge_numpy.py                     the NumPy memmap baseline
# Targets: ours <= 2x cat, peak RSS <= 256 MiB, >= 3x faster than NumPy.
#
#   bench/merge.sh [RUNS]     (RUNS of cat and of ours, default 3; NumPy once)
#
# Files live in a temporary folder (BENCH_TMP, default $TMPDIR or /tmp) and
# are deleted at the end. Needs ~8 GiB of free disk.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${1:-3}
PY=/usr/bin/python3
BIN=$ROOT/build/bin/git-patterns
[ -x "$BIN" ] || make -j2 >/dev/null
if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time (Debian package 'time')" >&2
	apt-get install -y -qq time >/dev/null
fi

T=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/gp-bench-merge.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

echo "generating three 1 GiB F16 adapters in $T ..." >&2
"$PY" - <<'PYEOF'
import json, struct, numpy as np
# one 1 GiB tensor (the streaming case) plus a few LoRA-sized ones, 1 GiB in all
big = (16384, 32768 - 64)
small = [("layers.%d.q_proj.lora_A.weight" % i, (16, 4096)) for i in range(64)]
tensors = [("embed.weight", big)] + small
for n, seed in (("a", 1), ("b", 2), ("c", 3)):
    rng = np.random.default_rng(seed)
    h, off = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in sorted(tensors):
        nb = int(np.prod(shape)) * 2
        h[name] = {"dtype": "F16", "shape": list(shape), "data_offsets": [off, off + nb]}
        off += nb
    hb = json.dumps(h).encode()
    hb += b" " * (-len(hb) % 8)
    with open(n + ".safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb)
        for name, shape in sorted(tensors):
            count = int(np.prod(shape))
            for s in range(0, count, 1 << 24):
                e = min(count, s + (1 << 24))
                f.write(rng.standard_normal(e - s, dtype=np.float32).astype("<f2").tobytes())
PYEOF
ls -l ./*.safetensors >&2
cat a.safetensors b.safetensors c.safetensors >/dev/null # warm the page cache

# run NAME CMD...: wall seconds and peak RSS (KiB) into $wall and $rss
run() {
	local name=$1
	shift
	/usr/bin/time -v -o time.txt "$@" >/dev/null 2>err.txt || { cat err.txt time.txt >&2; exit 1; }
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' time.txt)
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
	awk -v n="$name" -v w="$wall" -v r="$rss" 'BEGIN {printf "%-8s %7.2f s  %7.1f MiB peak RSS\n", n, w, r / 1024}'
}

cat_times=() our_times=() our_rss=()
for i in $(seq "$RUNS"); do
	rm -f cat.out merged.safetensors*
	run cat sh -c 'cat a.safetensors b.safetensors c.safetensors >cat.out'
	cat_times+=("$wall")
	rm -f cat.out
	run ours "$BIN" merge-adapters --adapters a.safetensors b.safetensors c.safetensors \
		--weights 0.5 0.3 0.2 --output merged.safetensors --no-record --quiet
	our_times+=("$wall")
	our_rss+=("$rss")
done
run numpy "$PY" "$ROOT/bench/merge_numpy.py" numpy.safetensors 0.5,0.3,0.2 \
	a.safetensors b.safetensors c.safetensors
np_time=$wall np_rss=$rss

# the two merges agree (within one F16 rounding step)
"$PY" - <<'PYEOF'
import numpy as np, json, struct
def data(p):
    with open(p, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
    return np.memmap(p, dtype="<f2", mode="r", offset=8 + n)
a, b = data("merged.safetensors"), data("numpy.safetensors")
assert a.shape == b.shape, (a.shape, b.shape)
idx = np.random.default_rng(0).integers(0, a.shape[0], 1 << 22)
x, y = a[idx].astype(np.float32), b[idx].astype(np.float32)
d = np.max(np.abs(x - y) / np.maximum(np.abs(y), 2.0 ** -14))
print("ours vs numpy: max relative difference %.2g on 4M sampled values" % d)
assert d <= 2.0 ** -10, d
PYEOF

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
c=$(median "${cat_times[@]}")
o=$(median "${our_times[@]}")
r=$(median "${our_rss[@]}")
echo
awk -v n="$RUNS" -v c="$c" -v o="$o" -v r="$r" -v np="$np_time" -v nr="$np_rss" 'BEGIN {
	printf "median of %d: cat %.2f s, ours %.2f s (%.2fx cat, target <= 2x), peak RSS %.0f MiB (target <= 256)\n", n, c, o, o / c, r / 1024
	printf "numpy %.2f s (%.1fx slower than ours, target >= 3x), numpy peak RSS %.0f MiB\n", np, np / o, nr / 1024
}'
