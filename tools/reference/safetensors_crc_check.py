#!/usr/bin/env python3
"""Reads safetensors files the way the reference implementation validates them, and verifies the CRC-32
checksums Descent records in their metadata -- with the Python standard library only (struct, json, zlib),
so it runs where neither the `safetensors` package nor PyTorch is installed.

    python3 tools/reference/safetensors_crc_check.py FILE...

For each file it checks the layout (8-byte little-endian header size, a JSON object of
{"dtype", "shape", "data_offsets"} entries and a string-to-string "__metadata__", tensors tiling the data
area exactly) and, when the metadata records Descent's checksums, that

  descent.crc32.tensor:NAME  = zlib.crc32 of the tensor's bytes,
  descent.crc32.meta:KEY     = zlib.crc32 of the UTF-8 bytes of metadata value KEY,
  descent.crc32.header       = zlib.crc32 of the header bytes with these eight digits replaced by "00000000",

each as eight lowercase hex digits. Prints one line per file ("OK ..." or the problem); exits 1 if any
file fails. This is an independent reading of the format: it shares no code with Descent.
"""
import json
import math
import struct
import sys
import zlib

MAX_HEADER = 100_000_000
SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
PREFIX = "descent.crc32."
HEADER_KEY = PREFIX + "header"


class Bad(Exception):
    pass


def hexcrc(data):
    return "%08x" % (zlib.crc32(data) & 0xFFFFFFFF)


def check(path):
    blob = open(path, "rb").read()
    if len(blob) < 8:
        raise Bad("shorter than the 8-byte header size")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER or n > len(blob) - 8:
        raise Bad(f"header size {n} does not fit a file of {len(blob)} bytes")
    raw = blob[8 : 8 + n]

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise Bad(f"duplicate keys {keys}")
        return dict(pairs)

    header = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    if not isinstance(header, dict):
        raise Bad("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise Bad("metadata values must be strings")
    data = blob[8 + n :]
    spans = []
    for name, info in header.items():
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in SIZES or any(not isinstance(d, int) or d < 0 for d in shape):
            raise Bad(f"{name}: dtype {dtype} or shape {shape} invalid")
        if end - begin != math.prod(shape) * SIZES[dtype]:
            raise Bad(f"{name}: offsets [{begin}, {end}] do not match shape {shape} of {dtype}")
        spans.append((begin, end, name))
    expected = 0
    for begin, end, name in sorted(spans):
        if begin != expected:
            raise Bad(f"{name}: begins at {begin}, expected {expected} (hole or overlap)")
        expected = end
    if expected != len(data):
        raise Bad(f"the tensors cover {expected} of {len(data)} data bytes")

    sums = {k: v for k, v in metadata.items() if k.startswith(PREFIX)}
    if not sums:
        return f"OK {len(header)} tensors, no checksums recorded (not verified)"
    marker = b'"' + HEADER_KEY.encode() + b'":"'
    at = raw.find(marker)
    if at < 0 or raw.find(marker, at + 1) >= 0:
        raise Bad("the header checksum is missing or repeated")
    at += len(marker)
    zeroed = raw[:at] + b"00000000" + raw[at + 8 :]
    if hexcrc(zeroed) != sums.get(HEADER_KEY):
        raise Bad(f"header CRC-32 {hexcrc(zeroed)} != recorded {sums.get(HEADER_KEY)}")
    for name, (begin, end) in ((k, v["data_offsets"]) for k, v in header.items()):
        want = sums.get(PREFIX + "tensor:" + name)
        if hexcrc(data[begin:end]) != want:
            raise Bad(f"tensor {name}: CRC-32 {hexcrc(data[begin:end])} != recorded {want}")
    plain = {k: v for k, v in metadata.items() if not k.startswith(PREFIX)}
    for key, value in plain.items():
        want = sums.get(PREFIX + "meta:" + key)
        if hexcrc(value.encode("utf-8")) != want:
            raise Bad(f"metadata {key}: CRC-32 {hexcrc(value.encode('utf-8'))} != recorded {want}")
    if len(sums) != 1 + len(header) + len(plain):
        raise Bad(f"{len(sums)} checksums for {len(header)} tensors and {len(plain)} metadata values")
    return f"OK {len(header)} tensors, {len(plain)} metadata values, {len(data)} data bytes; all {len(sums)} CRC-32 checksums verified"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    failed = 0
    for path in sys.argv[1:]:
        try:
            print(f"{path}: {check(path)}")
        except (Bad, ValueError, KeyError, TypeError, struct.error) as e:
            print(f"{path}: FAILED: {e}")
            failed += 1
    sys.exit(1 if failed else 0)
