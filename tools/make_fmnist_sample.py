#!/usr/bin/env python3
"""Make the Fashion-MNIST sample bundled with Descent (src/Descent/Data/Sample/*.gz).

How it was made:

    python3 tools/make_fmnist_sample.py /usr/share/datasets/fashion-mnist src/Descent/Data/Sample

The source is the full Fashion-MNIST set as installed by Debian's dataset-fashion-mnist
package (60,000 training and 10,000 test images, gzip IDX files). From each split the script
draws a stratified sample with random.Random(SEED): 600 images per class from the training
set (6,000 in all) and 100 per class from the test set (1,000 in all). The chosen images keep
their original relative order (indices sorted), and are written as gzip IDX files with the
original file names, gzip mtime 0 and compression level 9, so running the script again gives
the same bytes. Only the Python standard library is used.
"""
import gzip
import random
import struct
import sys
from pathlib import Path

SEED = 20240607
CLASSES = 10
PER_CLASS = {"train": 600, "t10k": 100}


def read_idx(path):
    data = gzip.decompress(path.read_bytes())
    zero, dtype, ndims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims])
    body = data[4 + 4 * ndims:]
    size = 1
    for d in dims:
        size *= d
    if len(body) != size:
        raise SystemExit(f"{path}: expected {size} bytes of data, found {len(body)}")
    return list(dims), body


def write_idx(path, dims, body):
    header = struct.pack(">HBB", 0, 0x08, len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(header + body)


def sample_split(src, dst, prefix, rng):
    image_dims, images = read_idx(src / f"{prefix}-images-idx3-ubyte.gz")
    label_dims, labels = read_idx(src / f"{prefix}-labels-idx1-ubyte.gz")
    n = image_dims[0]
    if label_dims != [n] or image_dims[1:] != [28, 28]:
        raise SystemExit(f"{prefix}: inconsistent dimensions {image_dims} and {label_dims}")
    by_class = [[] for _ in range(CLASSES)]
    for i, y in enumerate(labels):
        by_class[y].append(i)
    chosen = []
    for c in range(CLASSES):
        chosen.extend(rng.sample(by_class[c], PER_CLASS[prefix]))
    chosen.sort()
    pixels = 28 * 28
    out_images = b"".join(images[i * pixels:(i + 1) * pixels] for i in chosen)
    out_labels = bytes(labels[i] for i in chosen)
    m = len(chosen)
    write_idx(dst / f"{prefix}-images-idx3-ubyte.gz", [m, 28, 28], out_images)
    write_idx(dst / f"{prefix}-labels-idx1-ubyte.gz", [m], out_labels)
    print(f"{prefix}: {m} images ({PER_CLASS[prefix]} per class)")


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
    dst = Path(sys.argv[2] if len(sys.argv) > 2 else "src/Descent/Data/Sample")
    dst.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    for prefix in ("train", "t10k"):
        sample_split(src, dst, prefix, rng)


if __name__ == "__main__":
    main()
