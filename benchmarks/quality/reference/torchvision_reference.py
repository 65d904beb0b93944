#!/usr/bin/env python3
"""Reference transfer in PyTorch for a torchvision architecture: ResNet-18 with the weights fineturn gets as
`--model resnet18 --weights WEIGHTS`, on the same images and split.

Two references, as torch_finetune.py gives for the bundled MobileNetV2:
1. linear probe: the average-pooled 512 features of the frozen network (eval mode), then
   probe_sklearn.fit_probe (StandardScaler, multinomial LogisticRegression, C by stratified 5-fold CV);
2. fine-tuning by the Keras transfer-learning guide's recipe (torch_finetune.train): the new head alone with
   Adam at 1e-3 (early stopping, patience 5), then from that head the layers after FREEZE_THROUGH (partial) or
   all layers (full) with Adam at 1e-5 for up to 10 epochs (patience 3), batch norm in inference mode, the
   best validation epoch kept; validation is a stratified 20% of the training split.

DATA_DIR holds train/ and test/ as IdxToRaw writes them with `--preprocess none` (pixels in [0, 1]); the
images are normalised here with ImageNet's mean and std, the convention of torchvision weights and the
preprocessing fineturn records for them.

Usage: torchvision_reference.py DATA_DIR WEIGHTS_PTH OUT_JSON [--freeze-through layer2]
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
    import torch.nn as nn
    import torchvision
except ImportError:
    sys.exit("torchvision_reference.py: PyTorch and torchvision are needed "
             "(Debian: apt-get install python3-torch python3-torchvision)")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probe_sklearn  # noqa: E402
import torch_finetune as recipe  # noqa: E402

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
STAGES = ["conv1", "bn1", "layer1", "layer2", "layer3", "layer4"]


def normalise(x):
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def resnet18_classifier(weights, classes):
    net = torchvision.models.resnet18(num_classes=10)
    state = torch.load(weights, map_location="cpu")
    net.fc = nn.Linear(512, state["fc.weight"].shape[0])
    net.load_state_dict(state)
    backbone = nn.Sequential()
    for name in ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"]:
        backbone.add_module(name, getattr(net, name))
    return recipe.Classifier(backbone.eval(), 512, classes)


@torch.no_grad()
def features(model, x, batch=128):
    model.eval()
    return torch.cat([model.features(x[i:i + batch]) for i in range(0, len(x), batch)]).numpy().astype(np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data")
    ap.add_argument("weights")
    ap.add_argument("out")
    ap.add_argument("--freeze-through", default="layer2", choices=STAGES[:-1])
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", os.cpu_count() or 1)))
    x, y, classes = recipe.read_split(os.path.join(a.data, "train"))
    xt, yt, _ = recipe.read_split(os.path.join(a.data, "test"))
    x, xt = normalise(x), normalise(xt)
    log = (lambda s: print(s, file=sys.stderr)) if a.verbose else (lambda s: None)
    with open(a.weights, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    result = {"dataset": os.path.basename(os.path.normpath(a.data)), "architecture": "resnet18",
              "weights_sha256": sha, "size": int(x.shape[-1]), "freeze_through": a.freeze_through,
              "reference": "PyTorch %s / torchvision %s" % (torch.__version__, torchvision.__version__),
              "n_train": int(len(y)), "n_test": int(len(yt)), "strategies": {}}

    model = resnet18_classifier(a.weights, classes)
    t0 = time.time()
    search, test_acc, secs = probe_sklearn.fit_probe(features(model, x), y.numpy(), features(model, xt),
                                                     yt.numpy(), 5)
    result["probe"] = {"test_accuracy": round(test_acc, 6), "C": float(search.best_params_["logisticregression__C"]),
                       "cv_accuracy": round(float(search.best_score_), 6), "seconds": round(time.time() - t0, 2)}
    log("probe: %s" % result["probe"])

    tr, va = recipe.stratified_split(y.numpy(), 0.2, 0)
    xtr, ytr, xva, yva = x[tr], y[tr], x[va], y[va]
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    t0 = time.time()
    log("head")
    val, best_epoch, epochs = recipe.train(model, model.head.parameters(), 1e-3, xtr, ytr, xva, yva, 50, 5, 1, log)
    head_state = {k: v.clone() for k, v in model.state_dict().items()}
    result["strategies"]["head"] = {"test_accuracy": recipe.accuracy(model, xt, yt), "validation_accuracy": val,
                                    "best_epoch": best_epoch, "epochs": epochs, "seconds": time.time() - t0}
    trainable_from = STAGES.index(a.freeze_through) + 1
    for strategy in ("partial", "full"):
        model.load_state_dict(head_state)
        trainable = set(STAGES[trainable_from:]) if strategy == "partial" else set(STAGES)
        params = list(model.head.parameters())
        for name in STAGES:
            for p in getattr(model.backbone, name).parameters():
                p.requires_grad_(name in trainable)
                if name in trainable:
                    params.append(p)
        t0 = time.time()
        log(strategy)
        val, best_epoch, epochs = recipe.train(model, params, 1e-5, xtr, ytr, xva, yva, 10, 3, 2, log)
        result["strategies"][strategy] = {"test_accuracy": recipe.accuracy(model, xt, yt),
                                          "validation_accuracy": val, "best_epoch": best_epoch, "epochs": epochs,
                                          "seconds": time.time() - t0}
    result["versions"] = {"torch": torch.__version__, "torchvision": torchvision.__version__,
                          "numpy": np.__version__, "sklearn": probe_sklearn.sklearn.__version__}
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    os.replace(tmp, a.out)
    print(json.dumps(dict(probe=result["probe"]["test_accuracy"],
                          **{k: v["test_accuracy"] for k, v in result["strategies"].items()})))


if __name__ == "__main__":
    main()
