#!/usr/bin/env python3
"""Pretrains a torchvision ResNet-18 on MNIST, to serve as the "pretrained torchvision architecture" whose
transfer fineturn and PyTorch are compared on (see torchvision_reference.py).

No torchvision weights are bundled with PyTorch, so the backbone is made here, deterministically: the first
PER_CLASS images of each digit from the MNIST training file, resized to SIZE x SIZE (bilinear), grey repeated
to RGB, scaled to [0, 1] and normalised with ImageNet's mean and std (the input convention of torchvision
weights, which fineturn's `--model resnet18 --weights` assumes); `torchvision.models.resnet18(num_classes=10)`
unchanged; SGD with momentum 0.9, weight decay 5e-4, batch 128, a one-cycle learning rate peaking at 0.1,
EPOCHS epochs, seed 0. The state dict is written with torch.save (a regular `.pth` checkpoint), atomically.

Usage: torchvision_pretrain.py MNIST_DATA_DIR OUT_PTH [--per-class 2000] [--epochs 3] [--size 32]
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn.functional as F
    import torchvision
except ImportError:
    sys.exit("torchvision_pretrain.py: PyTorch and torchvision are needed "
             "(Debian: apt-get install python3-torch python3-torchvision)")

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        sys.exit("torchvision_pretrain.py: %s holds %d bytes, its header says %s" % (path, body.size, shape))
    return body.reshape(shape)


def to_input(images, size):
    """uint8 [N, H, W] -> normalised float [N, 3, size, size], as torchvision weights expect."""
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False).repeat(1, 3, 1, 1)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def first_per_class(labels, per_class):
    picked = []
    for c in range(10):
        idx = np.flatnonzero(labels == c)[:per_class]
        if len(idx) < per_class:
            sys.exit("torchvision_pretrain.py: only %d images of digit %d" % (len(idx), c))
        picked.extend(idx)
    return np.sort(np.array(picked))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mnist", help="folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-*")
    ap.add_argument("out")
    ap.add_argument("--per-class", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--size", type=int, default=32)
    a = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", os.cpu_count() or 1)))
    images = read_idx(os.path.join(a.mnist, "train-images-idx3-ubyte"))
    labels = read_idx(os.path.join(a.mnist, "train-labels-idx1-ubyte")).astype(np.int64)
    rows = first_per_class(labels, a.per_class)
    x, y = to_input(images[rows], a.size), torch.from_numpy(labels[rows])
    test_images = read_idx(os.path.join(a.mnist, "t10k-images-idx3-ubyte"))[:2000]
    test_labels = torch.from_numpy(read_idx(os.path.join(a.mnist, "t10k-labels-idx1-ubyte"))[:2000].astype(np.int64))
    xt = to_input(test_images, a.size)

    model = torchvision.models.resnet18(num_classes=10)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    steps_per_epoch = (len(y) + 127) // 128
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=a.epochs * steps_per_epoch)
    g = torch.Generator().manual_seed(0)
    t0 = time.time()
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(len(y), generator=g)
        total = 0.0
        for i in range(0, len(y), 128):
            b = perm[i:i + 128]
            loss = F.cross_entropy(model(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(b)
        print("epoch %d: train loss %.4f (%.0f s)" % (epoch + 1, total / len(y), time.time() - t0), file=sys.stderr)
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xt[i:i + 256]).argmax(1) for i in range(0, len(xt), 256)])
    test_accuracy = (pred == test_labels).float().mean().item()

    tmp = a.out + ".tmp"
    torch.save(model.state_dict(), tmp)
    os.replace(tmp, a.out)
    with open(a.out, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    print(json.dumps({"weights": a.out, "sha256": sha, "train_images": len(y), "epochs": a.epochs, "size": a.size,
                      "mnist_test_accuracy_2000": round(test_accuracy, 4), "seconds": round(time.time() - t0, 1),
                      "torch": torch.__version__, "torchvision": torchvision.__version__}))


if __name__ == "__main__":
    main()
