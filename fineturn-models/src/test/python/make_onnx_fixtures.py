"""Writes the ONNX parity fixtures under src/test/resources/fixtures/onnx (run with /usr/bin/python3).

Needs PyTorch 1.13, torchvision, numpy and Debian's python3-onnx (for the external-data copy).
Each model is seeded, random, in eval mode; for each one the folder holds the .onnx file, the
input x.npy (NCHW float32) and PyTorch's logits y.npy.

  tiny_cnn_opset11   opset 11, dynamic batch (Shape/Gather/Unsqueeze/Concat/Reshape flatten),
                     BatchNormalization nodes kept (TrainingMode.PRESERVE)
  tiny_cnn_opset13   opset 13, fixed batch, BatchNorm folded into Conv by the exporter, weights
                     in an external data file
  mobilenet_v2       torchvision mobilenet_v2(width_mult=0.25, num_classes=10), opset 13,
                     dynamic batch
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "onnx")


class TinyCnn(nn.Module):
    """Conv/BN/ReLU, max and average pooling, hardswish, a residual add, concat, flatten, linear."""

    def __init__(self, classes=5):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.branch = nn.Conv2d(8, 8, 3, padding=1)
        self.branch_bn = nn.BatchNorm2d(8)
        self.side = nn.Conv2d(8, 4, 1)
        self.pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.down = nn.Conv2d(12, 16, 3, stride=2, groups=4)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.gate = nn.Conv2d(16, 16, 1)
        self.fc = nn.Linear(16 * 3 * 3, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.stem(x))))
        x = x + F.hardswish(self.branch_bn(self.branch(x)))
        x = torch.cat([x, F.relu6(self.side(x))], dim=1)
        x = F.leaky_relu(self.down(self.pad(x)), 0.1)
        x = self.avg(x)
        x = x * torch.sigmoid(self.gate(x))
        x = x.view(x.size(0), -1)
        return self.fc(x)


def randomize_batchnorm(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def save(name, model, x, opset, dynamic_batch, preserve_bn=False, external=False):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    model.eval()
    with torch.no_grad():
        y = model(x)
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "logits": {0: "batch"}}
    if preserve_bn:
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True, **kwargs)
    if external:
        m = onnx.load(path)
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="weights.bin", size_threshold=256)
    onnx.checker.check_model(path)
    np.save(os.path.join(folder, "x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(folder, "y.npy"), y.numpy().astype(np.float32))
    ops = sorted({n.op_type for n in onnx.load(path, load_external_data=False).graph.node})
    print(name, "opset", opset, "ops:", " ".join(ops), file=sys.stderr)


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    tiny = TinyCnn()
    randomize_batchnorm(tiny, gen)
    x_tiny = torch.randn(2, 3, 16, 16, generator=gen)
    save("tiny_cnn_opset11", tiny, x_tiny, 11, dynamic_batch=True, preserve_bn=True)
    save("tiny_cnn_opset13", tiny, x_tiny, 13, dynamic_batch=False, external=True)

    torch.manual_seed(1)
    mobilenet = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=10)
    randomize_batchnorm(mobilenet, gen)
    x_mobile = torch.randn(2, 3, 64, 64, generator=gen)
    save("mobilenet_v2", mobilenet, x_mobile, 13, dynamic_batch=True)


if __name__ == "__main__":
    main()
