# tests/st.py: safetensors by hand for the tests (no safetensors package):
# 8-byte little-endian header length, JSON header, data.
#
#   st.py gen OUT SPEC...        see gen() below
#   import st; st.write(path, {"name": ("F16", array)}, metadata)
import json
import struct
import sys

import numpy as np

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "U8": 1}


def to_bytes(dtype, a):
    a = np.ascontiguousarray(a)
    if dtype == "F64":
        return a.astype("<f8").tobytes()
    if dtype == "F32":
        return a.astype("<f4").tobytes()
    if dtype == "F16":
        return a.astype("<f2").tobytes()
    if dtype == "BF16":
        b = a.astype("<f4").view("<u4").astype(np.uint64)
        b = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
        return b.astype("<u2").tobytes()
    if dtype == "I64":
        return a.astype("<i8").tobytes()
    raise ValueError(dtype)


def from_bytes(dtype, raw, shape):
    if dtype == "F64":
        a = np.frombuffer(raw, "<f8")
    elif dtype == "F32":
        a = np.frombuffer(raw, "<f4")
    elif dtype == "F16":
        a = np.frombuffer(raw, "<f2")
    elif dtype == "BF16":
        a = (np.frombuffer(raw, "<u2").astype("<u4") << 16).view("<f4")
    else:
        raise ValueError(dtype)
    return a.astype(np.float64).reshape(shape)


def quantise(dtype, a):
    """The values a takes once stored as dtype."""
    return from_bytes(dtype, to_bytes(dtype, a), np.shape(a))


def write(path, tensors, metadata=None):
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for name in sorted(tensors):
        dtype, a = tensors[name]
        raw = to_bytes(dtype, a)
        header[name] = {"dtype": dtype, "shape": list(np.shape(a)),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def read(path):
    """(tensors as float64 arrays, dtypes, metadata, raw header bytes)"""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    hraw = blob[8:8 + n]
    header = json.loads(hraw)
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    out, dtypes = {}, {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = from_bytes(info["dtype"], data[b:e], info["shape"])
        dtypes[name] = info["dtype"]
    return out, dtypes, meta, hraw
