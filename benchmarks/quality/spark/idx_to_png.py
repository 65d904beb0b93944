#!/usr/bin/env python3
"""Writes an IDX image/label pair as a folder of class subfolders of greyscale PNG files.

Usage: idx_to_png.py IMAGES_IDX LABELS_IDX OUT_DIR
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from prepare_data import read_idx  # noqa: E402


def png(width, height, pixels):
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def main():
    images, labels, out = sys.argv[1:4]
    pixels = read_idx(images)
    classes = read_idx(labels)
    n, h, w = pixels.shape
    if n != len(classes):
        raise SystemExit(f"{images}: {n} images but {labels}: {len(classes)} labels")
    for i in range(n):
        folder = os.path.join(out, f"class{classes[i]}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{i:05d}.png"), "wb") as f:
            f.write(png(w, h, pixels[i].tobytes()))
    print(f"{n} images of {h}x{w} in {len(set(classes.tolist()))} classes written to {out}")


if __name__ == "__main__":
    main()
