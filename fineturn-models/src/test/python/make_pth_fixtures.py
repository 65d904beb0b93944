"""Writes the weight-file fixtures for fineturn-models' importers, from real PyTorch 1.13 and NumPy.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 make_pth_fixtures.py
Writes ../resources/fixtures/pth/: .pth state dicts (plain, nested with views and mixed dtypes,
legacy non-zip, and a hand-built malicious pickle), .npy/.npz arrays, a tiny ONNX export, a
hand-written safetensors file, a TF.js model.json, and expected.json with every value.
"""
import collections
import io
import json
import os
import struct
import zipfile

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "pth")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(2024)
np.random.seed(2024)
expected = {"torch_version": torch.__version__, "numpy_version": np.__version__}


def path(name):
    return os.path.join(OUT, name)


def described(t):
    t = torch.as_tensor(t)
    return {"shape": list(t.shape), "data": t.detach().float().reshape(-1).tolist()}


# ---- tiny.pth: a model whose names fineturn's Sequential reproduces, with its eval output ----------
tiny = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
with torch.no_grad():
    tiny[1].weight.uniform_(0.5, 1.5)
    tiny[1].bias.uniform_(-0.5, 0.5)
    tiny[1].running_mean.uniform_(-0.2, 0.2)
    tiny[1].running_var.uniform_(0.5, 2.0)
    tiny[1].num_batches_tracked.fill_(7)
tiny.eval()
tiny_input = torch.randn(2, 3, 5, 5)
with torch.no_grad():
    tiny_output = tiny(tiny_input)
torch.save(tiny.state_dict(), path("tiny.pth"))
expected["tiny"] = {
    "tensors": {k: described(v) for k, v in tiny.state_dict().items()},
    "input": described(tiny_input),
    "output": described(tiny_output),
}

# ---- nested.pth: a training checkpoint around a state dict of views and mixed dtypes -------------
base = torch.arange(24, dtype=torch.float32) * 0.5 - 3
model = collections.OrderedDict()
model["module.features.0.weight"] = torch.randn(3, 5).t()  # [5, 3], strides (1, 5)
model["module.features.0.bias"] = base[5:11]  # storage offset 5 into 24 shared floats
model["module.features.1.weight"] = base[12:24].view(3, 4)[:, ::2]  # offset 12, strides (4, 2)
model["module.half"] = torch.tensor([0.5, -1.25, 65504.0, 6.1e-5]).half()
model["module.bf16"] = torch.tensor([1.5, -2.25, 3.0e5]).bfloat16()
model["module.double"] = torch.tensor([[0.1, 0.2], [1e-3, 7.0]], dtype=torch.float64)
model["module.bn.num_batches_tracked"] = torch.tensor(12345)  # int64 scalar buffer
model["module.ints"] = torch.tensor([-3, 7, 2 ** 20], dtype=torch.int32)
model["module.bytes"] = torch.tensor([0, 255, 7], dtype=torch.uint8)
model["module.mask"] = torch.tensor([True, False, True])
model["module.param"] = nn.Parameter(torch.randn(2, 2))
assert not model["module.features.0.weight"].is_contiguous()
assert model["module.features.1.weight"].storage_offset() == 12
checkpoint = {
    "epoch": 7,
    "best_acc": 0.875,
    "args": ["--lr", "0.1"],
    "flags": (True, False, None),
    "big": 2 ** 40,
    "optimizer": {"state": {0: {"momentum_buffer": torch.randn(3)}}, "param_groups": [{"lr": 0.1, "params": [0]}]},
    "model": model,
}
torch.save(checkpoint, path("nested.pth"))
expected["nested"] = {"key": "model", "tensors": {k: described(v) for k, v in model.items()}}

# ---- proto4.pth: the tiny state dict through pickle protocol 4 (FRAME, STACK_GLOBAL, MEMOIZE) -----
torch.save(tiny.state_dict(), path("proto4.pth"), pickle_protocol=4)

# ---- ambiguous.pth: two state dicts side by side, so the caller must name one --------------------
torch.save({"encoder": collections.OrderedDict(w=torch.tensor([1.0, 2.0])),
            "decoder": collections.OrderedDict(w=torch.tensor([[3.0], [4.0]]))}, path("ambiguous.pth"))

# ---- legacy.pth: the pre-1.6 (non-zip) format, which fineturn rejects -----------------------------
torch.save(collections.OrderedDict(w=torch.ones(2)), path("legacy.pth"), _use_new_zipfile_serialization=False)

# ---- malicious.pth: a torch-shaped zip whose pickle calls os.system('echo pwned') -----------------
# Built byte by byte and never unpickled: GLOBAL 'os system', the argument tuple, REDUCE.
evil = (b"\x80\x02" + b"cos\nsystem\nq\x00" + b"X\x0a\x00\x00\x00echo pwnedq\x01" + b"\x85q\x02" + b"Rq\x03" + b".")


def write_zip(name, entries):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_STORED) as z:
        for entry, data in entries:
            info = zipfile.ZipInfo(entry, date_time=(2024, 1, 1, 0, 0, 0))
            z.writestr(info, data)


write_zip("malicious.pth", [("archive/data.pkl", evil), ("archive/version", b"3\n")])

# ---- NumPy: every supported dtype, both byte orders, header versions 1-3, npz stored/deflated -----
arrays = collections.OrderedDict()
arrays["f4"] = np.array([[1.5, -2.0, 3.25], [0.0, 1e-7, -1e8]], dtype="<f4")
arrays["f8"] = np.array([0.1, -2.5, 12345.678], dtype="<f8")
arrays["f2"] = np.array([[0.5, -1.0], [65504.0, 6.1e-5]], dtype="<f2")
arrays["i8"] = np.array([-5, 0, 2 ** 24, 123456789], dtype="<i8")
arrays["i4"] = np.array([[-1, 2], [3, -2 ** 31]], dtype="<i4")
arrays["u1"] = np.array([0, 1, 200, 255], dtype="|u1")
arrays["b1"] = np.array([True, False, False, True], dtype="|b1")
arrays["be_f4"] = np.array([[1.0, -2.5], [3.75, 1e-3]], dtype=">f4")
arrays["be_i8"] = np.array([-7, 2 ** 40], dtype=">i8")
arrays["scalar"] = np.array(4.5, dtype="<f4")
arrays["empty"] = np.zeros((0, 3), dtype="<f4")
arrays["big3d"] = np.random.randn(2, 3, 4).astype("<f4")
expected["npy"] = {}
for name, a in arrays.items():
    np.save(path(name + ".npy"), a)
    expected["npy"][name] = {"shape": list(a.shape), "data": a.astype(np.float32).reshape(-1).tolist()}
for version in [(2, 0), (3, 0)]:
    name = "v%d" % version[0]
    with open(path(name + ".npy"), "wb") as f:
        np.lib.format.write_array(f, arrays["f4"], version=version)
    expected["npy"][name] = expected["npy"]["f4"]
np.save(path("fortran.npy"), np.asfortranarray(arrays["f4"]))
np.savez(path("arrays.npz"), **{"conv.weight": arrays["big3d"], "conv.bias": arrays["f8"], "steps": arrays["i8"]})
np.savez_compressed(path("compressed.npz"), **{"fc.weight": arrays["f4"], "fc.bias": arrays["f2"][0]})
expected["npz"] = {
    "arrays": {"conv.weight": expected["npy"]["big3d"], "conv.bias": expected["npy"]["f8"],
               "steps": expected["npy"]["i8"]},
    "compressed": {"fc.weight": expected["npy"]["f4"],
                   "fc.bias": {"shape": [2], "data": arrays["f2"][0].astype(np.float32).tolist()}},
}

# ---- tiny.safetensors: the same state dict, written by hand (F32 except the I64 counter) --------
header, blobs, offset = {}, [], 0
for k, v in tiny.state_dict().items():
    raw = v.numpy().astype("<i8" if v.dtype == torch.int64 else "<f4").tobytes()
    header[k] = {"dtype": "I64" if v.dtype == torch.int64 else "F32", "shape": list(v.shape),
                 "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
header_bytes = json.dumps(header, separators=(",", ":")).encode()
header_bytes += b" " * (-len(header_bytes) % 8)
with open(path("tiny.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(blobs))

# ---- tiny.onnx and a TF.js model.json, for format detection only ---------------------------------
onnx_bytes = io.BytesIO()
torch.onnx.export(nn.Linear(2, 2), torch.zeros(1, 2), onnx_bytes)
with open(path("tiny.onnx"), "wb") as f:
    f.write(onnx_bytes.getvalue())
with open(path("model.json"), "w") as f:
    json.dump({"format": "layers-model", "modelTopology": {"class_name": "Sequential", "config": {"layers": []}},
               "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": []}]}, f)

with open(path("expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")

total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
print("wrote %d files, %d bytes, to %s" % (len(os.listdir(OUT)), total, os.path.normpath(OUT)))
assert total < 200_000
