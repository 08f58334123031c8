#!/usr/bin/env python3
"""Independent safetensors writer and checker, for checking Descent's safetensors files by hand.

It follows the format as documented by huggingface/safetensors (README "Format" and the reference
reader in safetensors/src/tensor.rs), using only struct + json to parse and torch.frombuffer to
turn bytes into tensors; the `safetensors` Python package is not needed.

    # write the reference file the test suite reads (tests/Descent.Tests/Training/Data/):
    python3 tools/safetensors_check.py write-reference tests/Descent.Tests/Training/Data/reference.safetensors

    # check any file against the format (strictly) and print its tensors:
    python3 tools/safetensors_check.py check FILE

    # ... and compare its tensors and metadata exactly with the reference ones (e.g. a file
    # that Descent read from the reference file and wrote back with Safetensors.Write):
    python3 tools/safetensors_check.py check FILE --compare-reference

The reference file is written the way the reference implementation writes files (data ordered by
dtype size, then by name; header padded with spaces to a multiple of 8 bytes), except that the
header lists the tensors by name with "__metadata__" last, so that header order and data order
differ, and non-ASCII metadata is escaped as \\uXXXX: a reader must handle both.
"""
import json
import math
import struct
import sys

import torch

MAX_HEADER = 100_000_000
DTYPES = {"F32": (torch.float32, 4, "f"), "F64": (torch.float64, 8, "d")}
OTHER_DTYPES = {"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "I64", "U64"}

# Values chosen to be written from simple formulas, so a test can state them independently.
REFERENCE = {
    "layer.weight": ("F32", [2, 3], [i * 0.25 - 0.5 for i in range(6)]),
    "layer.bias": ("F32", [3], [1.5, -2.0, 0.1]),
    "scale": ("F64", [], [math.pi]),
    "empty": ("F32", [0, 4], []),
    "moments": ("F64", [2, 2, 2], [1.0 / (i + 1) for i in range(8)]),
}
REFERENCE_METADATA = {"format": "pt", "note": "written by tools/safetensors_check.py", "unicode": "Δθ → ∇f"}


def write_reference(path):
    order = sorted(REFERENCE, key=lambda n: (-DTYPES[REFERENCE[n][0]][1], n))
    data = bytearray()
    offsets = {}
    for name in order:
        dtype, shape, values = REFERENCE[name]
        assert math.prod(shape) == len(values)
        begin = len(data)
        data += struct.pack("<%d%s" % (len(values), DTYPES[dtype][2]), *values)
        offsets[name] = [begin, len(data)]
    header = {}
    for name in sorted(REFERENCE):
        dtype, shape, _ = REFERENCE[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": offsets[name]}
    header["__metadata__"] = REFERENCE_METADATA
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)
    print(f"wrote {path}: header {len(text)} bytes, data {len(data)} bytes")


def fail(path, message):
    sys.exit(f"{path}: {message}")


def read(path):
    """Parse and check a safetensors file; return ({name: tensor} in header order, metadata)."""
    blob = open(path, "rb").read()
    if len(blob) < 8:
        fail(path, "shorter than 8 bytes")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER or n > len(blob) - 8:
        fail(path, f"header size {n} too large for a file of {len(blob)} bytes")
    if n % 8 != 0:
        print(f"note: header size {n} is not a multiple of 8 (allowed, but the reference pads it)")
    raw = blob[8 : 8 + n]
    text = raw.decode("utf-8")
    if not text.startswith("{"):
        fail(path, "header does not start with '{'")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            fail(path, f"duplicate keys in {keys}")
        return dict(pairs)

    header = json.loads(text, object_pairs_hook=no_duplicates)
    metadata = header.pop("__metadata__", None) or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail(path, "metadata values must be strings")
    data = blob[8 + n :]
    entries = []
    for name, info in header.items():
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            fail(path, f"{name}: dtype {dtype} ({'known, not F32/F64' if dtype in OTHER_DTYPES else 'unknown'})")
        if any(not isinstance(d, int) or d < 0 for d in shape):
            fail(path, f"{name}: bad shape {shape}")
        size = DTYPES[dtype][1]
        if end - begin != math.prod(shape) * size:
            fail(path, f"{name}: offsets [{begin}, {end}] do not match shape {shape} x {size} bytes")
        if (8 + n + begin) % size != 0:
            print(f"note: {name} is not aligned to {size} bytes in the file")
        entries.append((begin, end, name))
    expected = 0
    for begin, end, name in sorted(entries):
        if begin != expected:
            fail(path, f"{name}: begins at {begin}, expected {expected} (hole or overlap)")
        expected = end
    if expected != len(data):
        fail(path, f"tensors cover {expected} of {len(data)} data bytes")
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]][0]
        chunk = bytearray(data[begin:end])
        t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"])
    return tensors, metadata


def check(path, compare_reference):
    tensors, metadata = read(path)
    for name, t in tensors.items():
        shown = t.flatten()[:6].tolist()
        print(f"{name}: {str(t.dtype).replace('torch.', '')} {list(t.shape)} {shown}{' ...' if t.numel() > 6 else ''}")
    print(f"metadata: {metadata}")
    if compare_reference:
        if list(tensors) != list(sorted(REFERENCE)):
            fail(path, f"tensor names {list(tensors)} differ from the reference {sorted(REFERENCE)}")
        for name, (dtype, shape, values) in REFERENCE.items():
            want = torch.tensor(values, dtype=DTYPES[dtype][0]).reshape(shape)
            if tensors[name].dtype != want.dtype or not torch.equal(tensors[name], want):
                fail(path, f"{name}: {tensors[name]} differs from the reference {want}")
        # Descent adds its CRC-32 checksums (descent.crc32.*) to every file it writes; they are checked by
        # tools/reference/safetensors_crc_check.py, and left out of this comparison.
        metadata = {k: v for k, v in metadata.items() if not k.startswith("descent.crc32.")}
        if metadata != REFERENCE_METADATA:
            fail(path, f"metadata {metadata} differs from the reference {REFERENCE_METADATA}")
        print("matches the reference tensors and metadata exactly")
    print(f"{path}: OK")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "write-reference":
        write_reference(sys.argv[2])
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3:] == ["--compare-reference"])
    else:
        sys.exit(__doc__)
