#!/usr/bin/python3
"""bench/merge_numpy.py: the NumPy baseline for bench/merge.sh.

A linear merge of safetensors files the way one would write it in NumPy:
np.memmap over each input tensor, weighted sum in float32, converted to
the input dtype and written out (in chunks of 64M elements, so it does not
need three tensors' worth of RAM). Supports F32/F16 (what the bench uses).

usage: merge_numpy.py OUT W1,W2,... IN1 IN2 ...
"""
import json
import os
import struct
import sys

import numpy as np

DT = {"F32": np.float32, "F16": np.float16, "F64": np.float64}
CHUNK = 64 << 20


def header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)), 8 + n


def main():
    out, weights, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    w = np.array([float(x) for x in weights.split(",")])
    w = (w / w.sum()).astype(np.float32)
    heads = [header(p) for p in inputs]
    h0 = {k: v for k, v in heads[0][0].items() if k != "__metadata__"}
    names = sorted(h0)
    outh, off = {}, 0
    for k in names:
        n = h0[k]["data_offsets"][1] - h0[k]["data_offsets"][0]
        outh[k] = {"dtype": h0[k]["dtype"], "shape": h0[k]["shape"], "data_offsets": [off, off + n]}
        off += n
    hb = json.dumps(outh).encode()
    hb += b" " * (-len(hb) % 8)
    with open(out + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb)
        for k in names:
            dt = DT[h0[k]["dtype"]]
            count = int(np.prod(h0[k]["shape"], dtype=np.int64))
            maps = [np.memmap(p, dtype=dt, mode="r", offset=start + h[k]["data_offsets"][0], shape=(count,))
                    for p, (h, start) in zip(inputs, heads)]
            for s in range(0, count, CHUNK):
                e = min(count, s + CHUNK)
                acc = w[0] * maps[0][s:e].astype(np.float32)
                for i in range(1, len(maps)):
                    acc += w[i] * maps[i][s:e].astype(np.float32)
                f.write(acc.astype(dt).tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    main()
