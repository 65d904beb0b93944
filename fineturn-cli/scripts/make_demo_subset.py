"""Cuts the demo's bundled Fashion-MNIST subset from Debian's dataset-fashion-mnist package.

/usr/bin/python3 fineturn-cli/scripts/make_demo_subset.py
Takes the first TRAIN images of the training set and the first TEST of the test set, balanced per
class, and writes them as gzipped IDX files next to the demo resources.
"""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
DST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "fineturn",
                   "cli", "demo", "fashion-mnist")
PER_CLASS = {"train": 120, "t10k": 50}


def read(prefix):
    with gzip.open(os.path.join(SRC, prefix + "-images-idx3-ubyte.gz")) as f:
        magic, n, h, w = struct.unpack(">IIII", f.read(16))
        images = f.read(n * h * w)
    with gzip.open(os.path.join(SRC, prefix + "-labels-idx1-ubyte.gz")) as f:
        magic, n2 = struct.unpack(">II", f.read(8))
        labels = f.read(n2)
    return images, labels, h, w


for prefix, per_class in PER_CLASS.items():
    images, labels, h, w = read(prefix)
    counts = [0] * 10
    keep = []
    for i, label in enumerate(labels):
        if counts[label] < per_class:
            counts[label] += 1
            keep.append(i)
        if len(keep) == per_class * 10:
            break
    name = "train" if prefix == "train" else "test"
    with gzip.GzipFile(os.path.join(DST, name + "-images-idx3-ubyte.gz"), "wb", mtime=0) as f:
        f.write(struct.pack(">IIII", 2051, len(keep), h, w))
        for i in keep:
            f.write(images[i * h * w:(i + 1) * h * w])
    with gzip.GzipFile(os.path.join(DST, name + "-labels-idx1-ubyte.gz"), "wb", mtime=0) as f:
        f.write(struct.pack(">II", 2049, len(keep)))
        f.write(bytes(labels[i] for i in keep))
    print(name, len(keep), "images")
