"""Generates PyTorch 1.13 reference values for fineturn's nn layers and optimisers.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 nn_optim_fixtures.py
Writes ../resources/fixtures/nn_optim.json (small: a tiny CNN and a few optimiser steps).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
out = {"torch_version": torch.__version__}


def tolist(t):
    return t.detach().reshape(-1).tolist()


class TinyCnn(nn.Module):
    """conv-bn-relu6-maxpool, depthwise conv with asymmetric pad, residual, dropout-free head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2, 2)
        self.pad = nn.ZeroPad2d((0, 1, 0, 1))  # left, right, top, bottom
        self.dw = nn.Conv2d(8, 8, 3, stride=2, padding=0, groups=8, bias=True)
        self.pw = nn.Conv2d(8, 12, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(12)
        self.fc = nn.Linear(12, 5)

    def forward(self, x):
        x = F.relu6(self.bn1(self.conv1(x)))
        x = self.pool(x)
        x = self.pw(self.dw(self.pad(x)))
        x = F.hardswish(self.bn2(x)) + x
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


model = TinyCnn()
with torch.no_grad():
    for bn in (model.bn1, model.bn2):
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
        bn.running_mean.uniform_(-0.2, 0.2)
        bn.running_var.uniform_(0.5, 2.0)
x = torch.randn(4, 3, 12, 12)
labels = torch.tensor([0, 3, 4, 1])
state = {k: {"shape": list(v.shape), "data": tolist(v)} for k, v in model.state_dict().items()}

cases = {}
for mode in ("train", "eval"):
    m = TinyCnn()
    m.load_state_dict(model.state_dict())
    m.train(mode == "train")
    logits = m(x)
    loss = F.cross_entropy(logits, labels, label_smoothing=0.1)
    loss.backward()
    cases[mode] = {
        "logits": tolist(logits),
        "loss": loss.item(),
        "grads": {k: tolist(p.grad) for k, p in m.named_parameters()},
        "buffers_after": {k: tolist(b) for k, b in m.named_buffers()},
    }
out["tiny_cnn"] = {"state_dict": state, "input": {"shape": list(x.shape), "data": tolist(x)},
                   "labels": labels.tolist(), "label_smoothing": 0.1, "cases": cases}

# Optimisers: one parameter, a fixed sequence of gradients.
p0 = torch.randn(7)
grads = [torch.randn(7) for _ in range(5)]
opt_cases = []
configs = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001)),
    ("adamw", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
    ("adamw", dict(lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.0)),
]
for name, kw in configs:
    p = p0.clone().requires_grad_(True)
    opt = torch.optim.SGD([p], **kw) if name == "sgd" else torch.optim.AdamW([p], **kw)
    traj = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        traj.append(tolist(p))
    opt_cases.append({"optimizer": name, "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()},
                      "trajectory": traj})
out["optimizers"] = {"p0": tolist(p0), "grads": [tolist(g) for g in grads], "cases": opt_cases}

# Gradient clipping by norm.
ps = [torch.randn(3, 4, requires_grad=True), torch.randn(5, requires_grad=True)]
for p in ps:
    p.grad = torch.randn_like(p) * 3
before = [tolist(p.grad) for p in ps]
norm = torch.nn.utils.clip_grad_norm_(ps, 1.5)
out["clip_grad_norm"] = {"shapes": [list(p.shape) for p in ps], "grads": before, "max_norm": 1.5,
                         "norm": norm.item(), "clipped": [tolist(p.grad) for p in ps]}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "nn_optim.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")
