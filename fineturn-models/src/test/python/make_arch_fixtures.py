"""Reference fixtures for dev.fineturn.models.arch, from torchvision 0.14 (PyTorch 1.13).

    /usr/bin/python3 make_arch_fixtures.py            # committed fixtures -> ../resources/fixtures/arch
    /usr/bin/python3 make_arch_fixtures.py --full DIR  # full-size resnet18 and mobilenet_v2 -> DIR

Committed (small enough for the repository):
  torchvision_keys.json     state-dict names and shapes of resnet18/34/50, mobilenet_v2, vgg11_bn, vgg16_bn
  adaptive_avg_pool.json    F.adaptive_avg_pool2d to 7x7: outputs and input gradients
  <case>.safetensors        state dict of a narrow torchvision model (same module names, fewer channels)
  <case>.io.safetensors     "input" and "logits" for that model in eval mode

Narrow models reuse torchvision's own blocks, _make_layer, make_layers and forward; only the channel
counts shrink so that the weights stay small. The full-size models are generated at test time.

Weights are seeded random (no pretrained downloads). Batch-norm affine parameters are randomised,
running statistics are calibrated on random batches and then perturbed, and zero biases are
redrawn, so eval mode exercises every parameter and buffer. Logits are computed in float64 from
the float32 weights and input, so they are the exact answer for the stored float32 values.
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.models.vgg import VGG, cfgs, make_layers

HERE = os.path.dirname(os.path.abspath(__file__))
COMMITTED = os.path.join(HERE, "..", "resources", "fixtures", "arch")


def write_safetensors(path, tensors):
    """Hand-written safetensors: u64 LE header length, JSON header, raw little-endian float32."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def randomise(model, calibration_shape):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
            if isinstance(m, nn.Linear):
                m.reset_parameters()
            if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
                m.bias.uniform_(-0.1, 0.1)
        bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batches
        model.train()
        for _ in range(3):
            model(torch.randn(*calibration_shape))
        for bn in bns:
            bn.momentum = 0.1
            bn.running_mean.add_(torch.empty_like(bn.running_mean).uniform_(-0.1, 0.1))
            bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.8, 1.25))
    model.eval()


def write_case(out_dir, name, model, input_shape):
    randomise(model, input_shape)
    x = torch.randn(*input_shape)
    with torch.no_grad():
        logits32 = model(x)
        exact = model.double()(x.double())
    model.float()
    write_safetensors(os.path.join(out_dir, name + ".safetensors"), model.state_dict())
    write_safetensors(os.path.join(out_dir, name + ".io.safetensors"), {"input": x, "logits": exact})
    err = (logits32.double() - exact).abs().max().item() / exact.abs().max().item()
    print(f"{name}: max |logit| {exact.abs().max().item():.4f}, PyTorch float32 relative error {err:.2e}")


def narrow_resnet(block, layers, width, num_classes):
    """torchvision's ResNet with base width `width` instead of 64."""
    m = ResNet(block, layers, num_classes=num_classes)
    m.inplanes = width
    m.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(width)
    m.layer1 = m._make_layer(block, width, layers[0])
    m.layer2 = m._make_layer(block, width * 2, layers[1], stride=2)
    m.layer3 = m._make_layer(block, width * 4, layers[2], stride=2)
    m.layer4 = m._make_layer(block, width * 8, layers[3], stride=2)
    m.fc = nn.Linear(width * 8 * block.expansion, num_classes)
    return m


def narrow_vgg(cfg, divisor, hidden, num_classes):
    """torchvision's VGG with batch norm, every conv width and the hidden width shrunk."""
    narrow = [v if v == "M" else v // divisor for v in cfg]
    m = VGG(make_layers(narrow, batch_norm=True), num_classes=num_classes)
    m.classifier[0] = nn.Linear(narrow[-2] * 7 * 7, hidden)
    m.classifier[3] = nn.Linear(hidden, hidden)
    m.classifier[6] = nn.Linear(hidden, num_classes)
    return m


def keys_fixture():
    models = {
        "resnet18": torchvision.models.resnet18,
        "resnet34": torchvision.models.resnet34,
        "resnet50": torchvision.models.resnet50,
        "mobilenet_v2": torchvision.models.mobilenet_v2,
        "vgg11_bn": torchvision.models.vgg11_bn,
        "vgg16_bn": torchvision.models.vgg16_bn,
    }
    out = {"torchvision_version": torchvision.__version__}
    for name, make in models.items():
        out[name] = {k: list(v.shape) for k, v in make().state_dict().items()}
    with open(os.path.join(COMMITTED, "torchvision_keys.json"), "w") as f:
        json.dump(out, f, indent=0)


def adaptive_pool_fixture():
    cases = []
    for shape in ([2, 3, 10, 9], [1, 2, 3, 5], [1, 2, 14, 21], [1, 1, 7, 7], [1, 2, 1, 1], [1, 1, 16, 12]):
        x = torch.randn(*shape, requires_grad=True)
        y = F.adaptive_avg_pool2d(x, (7, 7))
        w = torch.randn_like(y)
        (y * w).sum().backward()
        cases.append({"input_shape": shape, "input": x.detach().reshape(-1).tolist(),
                      "output": y.detach().reshape(-1).tolist(), "upstream": w.reshape(-1).tolist(),
                      "input_grad": x.grad.reshape(-1).tolist()})
    with open(os.path.join(COMMITTED, "adaptive_avg_pool.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "output_size": [7, 7], "cases": cases}, f)


def committed():
    os.makedirs(COMMITTED, exist_ok=True)
    torch.manual_seed(2024)
    keys_fixture()
    adaptive_pool_fixture()
    write_case(COMMITTED, "mobilenet_v2_w025", torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.25),
               [2, 3, 96, 96])
    write_case(COMMITTED, "resnet18_w4", narrow_resnet(BasicBlock, [2, 2, 2, 2], 4, 10), [2, 3, 64, 64])
    write_case(COMMITTED, "resnet50_w4", narrow_resnet(Bottleneck, [3, 4, 6, 3], 4, 10), [2, 3, 64, 64])
    write_case(COMMITTED, "vgg11_bn_d16", narrow_vgg(cfgs["A"], 16, 16, 10), [2, 3, 64, 64])


def full(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(7)
    write_case(out_dir, "resnet18", torchvision.models.resnet18(), [2, 3, 64, 64])
    write_case(out_dir, "mobilenet_v2", torchvision.models.mobilenet_v2(), [2, 3, 96, 96])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--full":
        full(sys.argv[2])
    elif len(sys.argv) == 1:
        committed()
    else:
        sys.exit(__doc__)
