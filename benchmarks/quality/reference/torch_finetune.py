#!/usr/bin/env python3
"""Reference fine-tuning in PyTorch on the same backbone, images and split as fineturn.

The bundled TF.js MobileNetV2 (model.json + uint8-quantised weights.bin) is rebuilt as a PyTorch graph
up to a cut node, layer by layer from its Keras topology (TF 'same' padding, depthwise convolutions,
batch norm with Keras' epsilon, ReLU6, Add), then pooled and given a linear head. The recipe is the
Keras transfer-learning guide's, done carefully:

1. head: the backbone frozen (batch norm in inference mode), the head trained with Adam at 1e-3,
   batch 32, early stopping on validation accuracy (patience 5, best weights restored);
2. partial / full: from that head, the layers after FREEZE_THROUGH (partial) or all layers (full)
   unfrozen, batch norm kept in inference mode, Adam at 1e-5, up to 10 epochs, early stopping
   (patience 3, best weights restored).

Validation is a stratified 20% of the training split (seeded); the test split is scored once per
strategy. Usage:

    torch_finetune.py DATA_DIR OUT_JSON [--cut block_13_expand_relu] [--freeze-through block_10_project_BN]
    torch_finetune.py --self-check SPLIT_DIR TFJS_FEATURES_DIR   # parity with TF.js features
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("torch_finetune.py: PyTorch is missing (Debian: apt-get install python3-torch)")

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.normpath(os.path.join(
    HERE, "../../../fineturn-models/src/main/resources/dev/fineturn/models/pretrained/mobilenet_v2"))


def load_tfjs_weights(model_dir):
    with open(os.path.join(model_dir, "model.json")) as f:
        model = json.load(f)
    weights = {}
    for group in model["weightsManifest"]:
        blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q is None:
                v = np.frombuffer(blob, dtype=np.float32, count=n, offset=offset)
                offset += 4 * n
            elif q["dtype"] == "uint8":
                raw = np.frombuffer(blob, dtype=np.uint8, count=n, offset=offset)
                v = (raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"]))
                offset += n
            else:
                sys.exit("torch_finetune.py: unsupported quantisation " + q["dtype"])
            weights[w["name"]] = v.reshape(w["shape"]).astype(np.float32)
    return model["modelTopology"]["model_config"]["config"], weights


def same_padding(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class KerasConv(nn.Module):
    def __init__(self, cfg, kernel, bias, depthwise):
        super().__init__()
        k = torch.from_numpy(kernel)
        if depthwise:  # [kh, kw, C, mult] -> [C * mult, 1, kh, kw]
            kh, kw, c, m = k.shape
            w = k.permute(2, 3, 0, 1).reshape(c * m, 1, kh, kw)
            self.groups = c
        else:  # [kh, kw, in, out] -> [out, in, kh, kw]
            w = k.permute(3, 2, 0, 1)
            self.groups = 1
        self.weight = nn.Parameter(w.contiguous())
        self.bias = nn.Parameter(torch.from_numpy(bias)) if bias is not None else None
        self.stride = tuple(cfg["strides"])
        self.kernel = tuple(cfg["kernel_size"])
        self.same = cfg["padding"] == "same"
        if tuple(cfg.get("dilation_rate", (1, 1))) != (1, 1):
            sys.exit("torch_finetune.py: dilated convolutions are not supported")

    def forward(self, x):
        if self.same:
            t, b = same_padding(x.shape[2], self.kernel[0], self.stride[0])
            l, r = same_padding(x.shape[3], self.kernel[1], self.stride[1])
            x = F.pad(x, (l, r, t, b))
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, 1, self.groups)


class KerasBatchNorm(nn.BatchNorm2d):
    def __init__(self, cfg, w, name):
        gamma = w[name + "/gamma"]
        super().__init__(gamma.shape[0], eps=cfg["epsilon"], momentum=1 - cfg["momentum"])
        with torch.no_grad():
            self.weight.copy_(torch.from_numpy(gamma))
            self.bias.copy_(torch.from_numpy(w[name + "/beta"]))
            self.running_mean.copy_(torch.from_numpy(w[name + "/moving_mean"]))
            self.running_var.copy_(torch.from_numpy(w[name + "/moving_variance"]))


class Relu(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.max_value = cfg.get("max_value")
        if cfg.get("negative_slope", 0) or cfg.get("threshold", 0):
            sys.exit("torch_finetune.py: leaky or thresholded ReLU is not supported")

    def forward(self, x):
        return F.relu(x) if self.max_value is None else torch.clamp(x, 0, self.max_value)


class ZeroPad(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        (t, b), (l, r) = cfg["padding"]
        self.pad = (l, r, t, b)

    def forward(self, x):
        return F.pad(x, self.pad)


class KerasGraph(nn.Module):
    """The Keras functional graph up to (and including) the node `cut`, NCHW in, NCHW out."""

    def __init__(self, config, weights, cut):
        super().__init__()
        layers = {l["name"]: l for l in config["layers"]}
        if cut not in layers:
            sys.exit("torch_finetune.py: no layer '%s' in the model" % cut)
        keep, stack = set(), [cut]
        while stack:
            n = stack.pop()
            if n not in keep:
                keep.add(n)
                for node in layers[n]["inbound_nodes"]:
                    stack.extend(i[0] for i in node)
        self.order, self.inputs = [], {}
        self.layers = nn.ModuleDict()
        for l in config["layers"]:
            name, kind, cfg = l["name"], l["class_name"], l["config"]
            if name not in keep:
                continue
            self.order.append(name)
            self.inputs[name] = [i[0] for node in l["inbound_nodes"] for i in node]
            if kind == "InputLayer":
                self.input_name = name
                continue
            if kind == "Conv2D":
                m = KerasConv(cfg, weights[name + "/kernel"], weights.get(name + "/bias") if cfg["use_bias"] else None,
                              False)
            elif kind == "DepthwiseConv2D":
                m = KerasConv(cfg, weights[name + "/depthwise_kernel"],
                              weights.get(name + "/bias") if cfg["use_bias"] else None, True)
            elif kind == "BatchNormalization":
                m = KerasBatchNorm(cfg, weights, name)
            elif kind == "ReLU":
                m = Relu(cfg)
            elif kind == "ZeroPadding2D":
                m = ZeroPad(cfg)
            elif kind == "Add":
                m = nn.Identity()
            else:
                sys.exit("torch_finetune.py: layer %s of type %s is not supported" % (name, kind))
            self.layers[name.replace(".", "_")] = m
        self.cut = cut

    def forward(self, x):
        values = {}
        for name in self.order:
            if name == self.input_name:
                values[name] = x
                continue
            ins = [values[i] for i in self.inputs[name]]
            m = self.layers[name.replace(".", "_")]
            values[name] = sum(ins[1:], ins[0]) if len(ins) > 1 else m(ins[0])
        return values[self.cut]


class Classifier(nn.Module):
    def __init__(self, backbone, features, classes):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(features, classes)

    def features(self, x):
        return self.backbone(x).mean(dim=(2, 3))

    def forward(self, x):
        return self.head(self.features(x))


def read_split(d):
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    x = np.fromfile(os.path.join(d, "images.f32"), dtype="<f4").reshape(
        meta["n"], meta["channels"], meta["height"], meta["width"])
    y = np.fromfile(os.path.join(d, "labels.i32"), dtype="<i4")
    return torch.from_numpy(x.copy()), torch.from_numpy(y.astype(np.int64)), meta["classes"]


def stratified_split(y, fraction, seed):
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        val.extend(idx[:int(round(len(idx) * fraction))])
    val = np.sort(np.array(val))
    train = np.setdiff1d(np.arange(len(y)), val)
    return train, val


def set_inference_bn(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


@torch.no_grad()
def accuracy(model, x, y, batch=64):
    model.eval()
    correct = 0
    for i in range(0, len(y), batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(y)


def train(model, params, lr, x, y, xv, yv, max_epochs, patience, seed, log):
    """Adam on `params`, batch 32, early stopping on validation accuracy with the best weights restored."""
    opt = torch.optim.Adam(params, lr=lr)
    g = torch.Generator().manual_seed(seed)
    best = accuracy(model, xv, yv)
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    best_epoch, bad, epochs = 0, 0, 0
    for epoch in range(1, max_epochs + 1):
        model.train()
        set_inference_bn(model)
        perm = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), 32):
            b = perm[i:i + 32]
            loss = F.cross_entropy(model(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        epochs = epoch
        acc = accuracy(model, xv, yv)
        log("  epoch %d: val accuracy %.4f" % (epoch, acc))
        if acc > best:
            best, best_epoch, bad = acc, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= patience:
                break
    model.load_state_dict(best_state)
    return best, best_epoch, epochs


def build(config, weights, cut, classes):
    backbone = KerasGraph(config, weights, cut).eval()  # the probe must not move batch-norm statistics
    with torch.no_grad():
        f = backbone(torch.zeros(1, 3, 64, 64)).shape[1]
    return Classifier(backbone, f, classes)


def run(args):
    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", os.cpu_count() or 1)))
    config, weights = load_tfjs_weights(MODEL_DIR)
    x, y, classes = read_split(os.path.join(args.data, "train"))
    xt, yt, _ = read_split(os.path.join(args.data, "test"))
    tr, va = stratified_split(y.numpy(), 0.2, 0)
    xtr, ytr, xva, yva = x[tr], y[tr], x[va], y[va]
    log = (lambda s: print(s, file=sys.stderr)) if args.verbose else (lambda s: None)
    result = {"dataset": os.path.basename(os.path.normpath(args.data)), "cut": args.cut,
              "reference": "PyTorch %s, the Keras transfer-learning guide's recipe" % torch.__version__,
              "n_train": len(tr), "n_validation": len(va), "n_test": len(yt), "strategies": {}}

    model = build(config, weights, args.cut, classes)
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    t0 = time.time()
    log("head")
    val, best_epoch, epochs = train(model, model.head.parameters(), 1e-3, xtr, ytr, xva, yva, 50, 5, 1, log)
    head_state = {k: v.clone() for k, v in model.state_dict().items()}
    result["strategies"]["head"] = {"test_accuracy": accuracy(model, xt, yt), "validation_accuracy": val,
                                    "best_epoch": best_epoch, "epochs": epochs, "seconds": time.time() - t0}
    names = list(model.backbone.order)
    frozen_upto = names.index(args.freeze_through) if args.freeze_through in names else -1
    if frozen_upto < 0:
        sys.exit("torch_finetune.py: no layer '%s' before the cut" % args.freeze_through)
    for strategy in ("partial", "full"):
        model.load_state_dict(head_state)
        trainable = set(names[frozen_upto + 1:]) if strategy == "partial" else set(names)
        params = list(model.head.parameters())
        for name in names:
            key = name.replace(".", "_")
            if key in model.backbone.layers:
                for p in model.backbone.layers[key].parameters():
                    p.requires_grad_(name in trainable)
                    if name in trainable:
                        params.append(p)
        t0 = time.time()
        log(strategy)
        val, best_epoch, epochs = train(model, params, 1e-5, xtr, ytr, xva, yva, 10, 3, 2, log)
        result["strategies"][strategy] = {
            "test_accuracy": accuracy(model, xt, yt), "validation_accuracy": val, "best_epoch": best_epoch,
            "epochs": epochs, "seconds": time.time() - t0,
            "trainable_layers": sum(1 for n in names if n in trainable and n.replace(".", "_") in model.backbone.layers
                                    and any(True for _ in model.backbone.layers[n.replace(".", "_")].parameters()))}
    result["freeze_through"] = args.freeze_through
    result["versions"] = {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
    os.replace(tmp, args.out)
    print(json.dumps({k: v["test_accuracy"] for k, v in result["strategies"].items()}))


def self_check(split_dir, tfjs_dir):
    config, weights = load_tfjs_weights(MODEL_DIR)
    with open(os.path.join(tfjs_dir, "features.json")) as f:
        header = json.load(f)
    n, k = header["shape"]
    ref = np.fromfile(os.path.join(tfjs_dir, "features.f32"), dtype="<f4").reshape(n, k)
    x, _, classes = read_split(split_dir)
    model = build(config, weights, header.get("layer", "block_13_expand_relu"), classes).eval()
    with torch.no_grad():
        got = torch.cat([model.features(x[i:i + 32]) for i in range(0, n, 32)]).numpy()
    err = np.abs(got - ref).max() / max(np.abs(ref).max(), 1e-12)
    print("torch vs TF.js pooled features: %d x %d, max abs difference %.3g (%.3g of the largest feature)"
          % (n, k, np.abs(got - ref).max(), err))
    if not err < 1e-4:
        sys.exit("torch_finetune.py: the PyTorch rebuild disagrees with TF.js")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--cut", default="block_13_expand_relu")
    ap.add_argument("--freeze-through", default="block_10_project_BN")
    ap.add_argument("--self-check", nargs=2, metavar=("SPLIT_DIR", "TFJS_FEATURES_DIR"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.self_check:
        self_check(*args.self_check)
    elif args.data and args.out:
        run(args)
    else:
        ap.error("give DATA_DIR and OUT_JSON, or --self-check")


if __name__ == "__main__":
    main()
