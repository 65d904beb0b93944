#!/usr/bin/env python3
"""Writes scikit-learn's bundled digits (1797 grey 8x8 images, values 0..16, 10 classes) in the
quality benchmark's data set format, as OUT/train and OUT/test.

Each image is scaled to [0, 1] (value / 16), upsampled to SIZE x SIZE (bilinear by default, half-pixel
centres as in TF's resize_bilinear / PyTorch's align_corners=False, or nearest), and repeated to 3 channels.
The split is stratified and deterministic (scikit-learn train_test_split, random_state=SEED).

Format of each split folder: images.f32 (little-endian float32, NCHW [N, 3, H, W]), labels.i32
(little-endian int32 [N]) and meta.json {"n", "channels", "height", "width", "classes"}.

Usage: make_digits_dataset.py OUT [--size 64] [--train 1000] [--seed 0] [--resize bilinear|nearest]
                              [--range 0,1]
"""
import argparse
import json
import os
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def resize_weights(src, dst, mode):
    """A [dst, src] matrix that resamples a length-src axis to dst samples."""
    m = np.zeros((dst, src), dtype=np.float64)
    scale = src / dst
    for i in range(dst):
        x = (i + 0.5) * scale - 0.5
        if mode == "nearest":
            m[i, min(int(np.floor((i + 0.5) * scale)), src - 1)] = 1.0
            continue
        x = min(max(x, 0.0), src - 1.0)
        lo = int(np.floor(x))
        hi = min(lo + 1, src - 1)
        frac = x - lo
        m[i, lo] += 1.0 - frac
        m[i, hi] += frac
    return m


def write_split(folder, images, labels, classes):
    os.makedirs(folder, exist_ok=True)
    n, c, h, w = images.shape
    images.astype("<f4").tofile(os.path.join(folder, "images.f32"))
    labels.astype("<i4").tofile(os.path.join(folder, "labels.i32"))
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump({"n": n, "channels": c, "height": h, "width": w, "classes": classes,
                   "source": "sklearn.datasets.load_digits"}, f, indent=2)
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--train", type=int, default=1000, help="training images; the rest (797) are the test split")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resize", choices=["bilinear", "nearest"], default="bilinear")
    p.add_argument("--range", default="0,1", help="pixel range LO,HI the [0, 1] values are mapped to")
    a = p.parse_args()
    lo, hi = (float(v) for v in a.range.split(","))

    digits = load_digits()
    x = digits.images.astype(np.float64) / 16.0  # [1797, 8, 8] in [0, 1]
    y = digits.target.astype(np.int64)
    r = resize_weights(8, a.size, a.resize)
    up = np.einsum("ij,njk,lk->nil", r, x, r)  # [N, size, size]
    up = lo + (hi - lo) * up
    imgs = np.repeat(up[:, None, :, :], 3, axis=1).astype(np.float32)  # NCHW

    idx = np.arange(len(y))
    tr, te = train_test_split(idx, train_size=a.train, stratify=y, random_state=a.seed)
    tr.sort()
    te.sort()
    classes = int(y.max()) + 1
    write_split(os.path.join(a.out, "train"), imgs[tr], y[tr], classes)
    write_split(os.path.join(a.out, "test"), imgs[te], y[te], classes)
    print(f"digits: {len(tr)} train / {len(te)} test, 3x{a.size}x{a.size} ({a.resize}, range [{lo:g}, {hi:g}]), "
          f"{classes} classes -> {a.out}")


if __name__ == "__main__":
    sys.exit(main())
