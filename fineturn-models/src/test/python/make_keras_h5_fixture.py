#!/usr/bin/env python3
"""Writes the Keras HDF5 test fixtures of fineturn-models (needs numpy, torch and h5py; not TensorFlow).

1. small_cnn.h5: a small functional CNN with seeded random weights, written with h5py in the layout
   Keras 2 `model.save("x.h5")` writes, plus small_cnn_weights.h5 (the `save_weights` layout),
   small_cnn.json (`model.to_json()`), an NHWC input and the expected logits and softmax output.
   The expected outputs come from two independent implementations that must agree: numpy directly
   in Keras' channels-last layouts (NHWC, HWIO), and torch.nn.functional after converting to
   NCHW/OIHW with TF 'same' padding (the odd pixel goes to the bottom/right).
2. mobilenet_v2.h5: the bundled TF.js MobileNetV2 (uint8-quantized) dequantized in float32 exactly as
   the TF.js importer does (min + scale * q) and re-packed in the Keras `model.save` layout.

Usage: python3 make_keras_h5_fixture.py [OUT_DIR]   (default: ../resources/fixtures/keras_h5)
"""
import json
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MOBILENET = os.path.join(HERE, "..", "..", "main", "resources", "dev", "fineturn", "models", "pretrained",
                         "mobilenet_v2")
KERAS_VERSION = "2.12.0"
H, W, C = 12, 11, 3


def layer(cls, name, inbound, **config):
    config = {"name": name, "trainable": True, "dtype": "float32", **config}
    return {"class_name": cls, "config": config, "name": name,
            "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}


def conv_config(filters, kernel, strides, padding, activation="linear", use_bias=True):
    return dict(filters=filters, kernel_size=list(kernel), strides=list(strides), padding=padding,
                data_format="channels_last", dilation_rate=[1, 1], groups=1, activation=activation,
                use_bias=use_bias, kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
                bias_initializer={"class_name": "Zeros", "config": {}}, kernel_regularizer=None,
                bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)


def bn_config():
    return dict(axis=[3], momentum=0.99, epsilon=0.001, center=True, scale=True,
                beta_initializer={"class_name": "Zeros", "config": {}},
                gamma_initializer={"class_name": "Ones", "config": {}},
                moving_mean_initializer={"class_name": "Zeros", "config": {}},
                moving_variance_initializer={"class_name": "Ones", "config": {}},
                beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None)


def dense_config(units, activation):
    return dict(units=units, activation=activation, use_bias=True,
                kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
                bias_initializer={"class_name": "Zeros", "config": {}}, kernel_regularizer=None,
                bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)


def small_model():
    dw = dict(kernel_size=[3, 3], strides=[1, 1], padding="same", data_format="channels_last",
              dilation_rate=[1, 1], groups=1, activation="linear", use_bias=False,
              bias_initializer={"class_name": "Zeros", "config": {}}, bias_regularizer=None,
              activity_regularizer=None, bias_constraint=None, depth_multiplier=2,
              depthwise_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
              depthwise_regularizer=None, depthwise_constraint=None)
    relu6 = dict(max_value=6.0, negative_slope=0.0, threshold=0.0)
    layers = [
        {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, H, W, C], "dtype": "float32", "sparse": False, "ragged": False,
                    "name": "input_1"}},
        layer("Conv2D", "conv1", ["input_1"], **conv_config(8, (3, 3), (2, 2), "same", use_bias=False)),
        layer("BatchNormalization", "bn1", ["conv1"], **bn_config()),
        layer("ReLU", "relu1", ["bn1"], **relu6),
        layer("DepthwiseConv2D", "dw", ["relu1"], **dw),
        layer("BatchNormalization", "bn2", ["dw"], **bn_config()),
        layer("ReLU", "relu2", ["bn2"], **relu6),
        layer("Conv2D", "pw", ["relu2"], **conv_config(8, (1, 1), (1, 1), "valid")),
        layer("Add", "add", ["relu1", "pw"]),
        layer("ZeroPadding2D", "zp", ["add"], padding=[[1, 2], [0, 1]], data_format="channels_last"),
        layer("Conv2D", "conv3", ["zp"], **conv_config(12, (3, 2), (1, 1), "valid", activation="relu")),
        layer("MaxPooling2D", "pool", ["conv3"], pool_size=[2, 2], padding="valid", strides=[2, 2],
              data_format="channels_last"),
        layer("GlobalAveragePooling2D", "gap", ["pool"], data_format="channels_last", keepdims=False),
        layer("Dense", "fc1", ["gap"], **dense_config(16, "relu")),
        layer("Dense", "out", ["fc1"], **dense_config(5, "softmax")),
    ]
    return {"class_name": "Functional", "config": {"name": "small_cnn", "layers": layers,
                                                    "input_layers": [["input_1", 0, 0]],
                                                    "output_layers": [["out", 0, 0]]}}


def small_weights(rng):
    def normal(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    def bn(ch):
        return [("gamma", rng.uniform(0.5, 1.5, ch)), ("beta", rng.normal(0, 0.3, ch)),
                ("moving_mean", rng.normal(0, 0.3, ch)), ("moving_variance", rng.uniform(0.5, 1.5, ch))]

    w = {
        "conv1": [("kernel", normal((3, 3, C, 8), 27))],
        "bn1": bn(8),
        "dw": [("depthwise_kernel", normal((3, 3, 8, 2), 9))],
        "bn2": bn(16),
        "pw": [("kernel", normal((1, 1, 16, 8), 16)), ("bias", rng.normal(0, 0.3, 8))],
        "conv3": [("kernel", normal((3, 2, 8, 12), 48)), ("bias", rng.normal(0, 0.3, 12))],
        "fc1": [("kernel", normal((12, 16), 12)), ("bias", rng.normal(0, 0.3, 16))],
        "out": [("kernel", normal((16, 5), 16)), ("bias", rng.normal(0, 0.3, 5))],
    }
    return {k: [(n, np.asarray(v, np.float32)) for n, v in ws] for k, ws in w.items()}


# ---- reference 1: numpy in Keras' own layouts (NHWC activations, HWIO / HWCM kernels) ----

def same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def np_pad(x, top, bottom, left, right):
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def np_windows(x, kh, kw, s):
    oh = (x.shape[1] - kh) // s + 1
    ow = (x.shape[2] - kw) // s + 1
    for y in range(kh):
        for z in range(kw):
            yield y, z, x[:, y:y + s * (oh - 1) + 1:s, z:z + s * (ow - 1) + 1:s, :]


def np_conv(x, k, s, same, bias=None):
    kh, kw = k.shape[:2]
    if same:
        x = np_pad(x, *same_pads(x.shape[1], kh, s), *same_pads(x.shape[2], kw, s))
    out = sum(np.einsum("nhwc,co->nhwo", win, k[y, z]) for y, z, win in np_windows(x, kh, kw, s))
    return out if bias is None else out + bias


def np_depthwise(x, k, same):
    kh, kw, ch, mult = k.shape
    if same:
        x = np_pad(x, *same_pads(x.shape[1], kh, 1), *same_pads(x.shape[2], kw, 1))
    out = sum(win[..., :, None] * k[y, z] for y, z, win in np_windows(x, kh, kw, 1))
    return out.reshape(out.shape[:3] + (ch * mult,))


def np_bn(x, gamma, beta, mean, var):
    return gamma * (x - mean) / np.sqrt(var + 1e-3) + beta


def np_forward(x, w):
    p = {layer: dict(ws) for layer, ws in w.items()}
    p = {layer: {n: v.astype(np.float64) for n, v in ws.items()} for layer, ws in p.items()}
    bn = lambda v, name: np_bn(v, *(p[name][k] for k in ("gamma", "beta", "moving_mean", "moving_variance")))
    relu6 = lambda v: np.clip(v, 0, 6)
    a1 = relu6(bn(np_conv(x, p["conv1"]["kernel"], 2, True), "bn1"))
    a2 = relu6(bn(np_depthwise(a1, p["dw"]["depthwise_kernel"], True), "bn2"))
    a3 = a1 + np_conv(a2, p["pw"]["kernel"], 1, False, p["pw"]["bias"])
    a4 = np.maximum(np_conv(np_pad(a3, 1, 2, 0, 1), p["conv3"]["kernel"], 1, False, p["conv3"]["bias"]), 0)
    n, h, wd, ch = a4.shape
    a5 = a4[:, :h // 2 * 2, :wd // 2 * 2, :].reshape(n, h // 2, 2, wd // 2, 2, ch).max(axis=(2, 4))
    f = np.maximum(a5.mean(axis=(1, 2)) @ p["fc1"]["kernel"] + p["fc1"]["bias"], 0)
    return f @ p["out"]["kernel"] + p["out"]["bias"], a1


# ---- reference 2: torch.nn.functional in NCHW after converting every layout ----

def t_same_conv(x, w_oihw, stride, groups=1, bias=None):
    kh, kw = w_oihw.shape[2:]
    top, bottom = same_pads(x.shape[2], kh, stride)
    left, right = same_pads(x.shape[3], kw, stride)
    return F.conv2d(F.pad(x, (left, right, top, bottom)), w_oihw, bias, stride=stride, groups=groups)


def torch_forward(x_nhwc, w):
    t = {layer: {n: torch.tensor(v, dtype=torch.float64) for n, v in ws} for layer, ws in w.items()}
    oihw = lambda k: k.permute(3, 2, 0, 1)
    bn = lambda v, name: F.batch_norm(v, t[name]["moving_mean"], t[name]["moving_variance"], t[name]["gamma"],
                                      t[name]["beta"], training=False, eps=1e-3)
    x = torch.tensor(x_nhwc, dtype=torch.float64).permute(0, 3, 1, 2)
    a1 = F.hardtanh(bn(t_same_conv(x, oihw(t["conv1"]["kernel"]), 2), "bn1"), 0, 6)
    dk = t["dw"]["depthwise_kernel"]
    dw_oihw = dk.permute(2, 3, 0, 1).reshape(dk.shape[2] * dk.shape[3], 1, dk.shape[0], dk.shape[1])
    a2 = F.hardtanh(bn(t_same_conv(a1, dw_oihw, 1, groups=dk.shape[2]), "bn2"), 0, 6)
    a3 = a1 + F.conv2d(a2, oihw(t["pw"]["kernel"]), t["pw"]["bias"])
    a4 = F.relu(F.conv2d(F.pad(a3, (0, 1, 1, 2)), oihw(t["conv3"]["kernel"]), t["conv3"]["bias"]))
    f = F.relu(F.linear(F.max_pool2d(a4, 2).mean(dim=(2, 3)), t["fc1"]["kernel"].T, t["fc1"]["bias"]))
    return F.linear(f, t["out"]["kernel"].T, t["out"]["bias"]).numpy()


# ---- h5 writing, as Keras 2's hdf5_format.save_model_to_hdf5 / save_weights_to_hdf5_group ----

def save_weights_to_group(group, layer_names, weights, keras_version, dtype=None, compress=False):
    group.attrs["layer_names"] = [n.encode("utf8") for n in layer_names]
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = keras_version.encode("utf8")
    for name in sorted(layer_names):
        g = group.create_group(name)
        ws = weights.get(name, [])
        weight_names = [f"{name}/{n}:0".encode("utf8") for n, _ in ws]
        g.attrs["weight_names"] = weight_names
        for wn, (_, v) in zip(weight_names, ws):
            opts = dict(compression="gzip", compression_opts=9, shuffle=True) if compress else {}
            d = g.create_dataset(wn.decode("utf8"), v.shape, dtype=dtype or v.dtype, **opts)
            d[:] = v


def save_model(path, model_config, weights, keras_version, training_config=None, compress=False):
    names = [l["config"].get("name", l.get("name")) for l in model_config["config"]["layers"]]
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version.encode("utf8")
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        save_weights_to_group(f.create_group("model_weights"), names, weights, keras_version, compress=compress)


def write_npy(path, a):
    np.save(path, np.ascontiguousarray(a, dtype="<f4"))


def write_broken(out, config, weights):
    """Files that must fail to load: a layer without one of its weights, a weight of the wrong shape, no Keras model."""
    missing = {**weights, "conv3": [w for w in weights["conv3"] if w[0] != "bias"]}
    save_model(os.path.join(out, "small_cnn_missing_weight.h5"), config, missing, KERAS_VERSION)
    wrong = {**weights, "fc1": [(n, v[:, :15] if n == "kernel" else v) for n, v in weights["fc1"]]}
    save_model(os.path.join(out, "small_cnn_wrong_shape.h5"), config, wrong, KERAS_VERSION)
    with h5py.File(os.path.join(out, "not_keras.h5"), "w") as f:
        f.create_dataset("data", data=np.arange(6, dtype=np.float32).reshape(2, 3))


def make_small(out):
    rng = np.random.default_rng(20240611)
    config = small_model()
    weights = small_weights(rng)
    x = rng.uniform(-3, 3, (2, H, W, C)).astype(np.float32)

    logits_np, a1 = np_forward(x.astype(np.float64), weights)
    logits_t = torch_forward(x, weights)
    gap = np.abs(logits_np - logits_t).max()
    assert gap < 1e-9 * max(1.0, np.abs(logits_np).max()), f"numpy and torch references differ by {gap}"
    clipped = float((a1 >= 6).mean())
    assert 0 < clipped < 0.5, f"ReLU6 clips {clipped:.2%} of conv1's outputs; the weights should make it clip some"
    probs = np.exp(logits_np - logits_np.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)

    save_model(os.path.join(out, "small_cnn.h5"), config, weights, KERAS_VERSION)
    names = [l["config"]["name"] for l in config["config"]["layers"]]
    with h5py.File(os.path.join(out, "small_cnn_weights.h5"), "w") as f:
        save_weights_to_group(f, names, weights, KERAS_VERSION)
    with open(os.path.join(out, "small_cnn.json"), "w") as f:
        json.dump({**config, "keras_version": KERAS_VERSION, "backend": "tensorflow"}, f)
    write_broken(out, config, weights)
    write_npy(os.path.join(out, "small_cnn_x.npy"), x)
    write_npy(os.path.join(out, "small_cnn_logits.npy"), logits_np)
    write_npy(os.path.join(out, "small_cnn_y.npy"), probs)
    print(f"small_cnn: numpy/torch max difference {gap:.2e}; ReLU6 clips {clipped:.1%}; logits {logits_np[0]}")


def make_mobilenet(out):
    with open(os.path.join(MOBILENET, "model.json")) as f:
        model = json.load(f)
    raw = np.fromfile(os.path.join(MOBILENET, "weights.bin"), dtype=np.uint8)
    weights = {}
    offset = 0
    for group in model["weightsManifest"]:
        for w in group["weights"]:
            n = int(np.prod(w["shape"]))
            q = w["quantization"]
            assert q["dtype"] == "uint8" and w["dtype"] == "float32", w
            values = np.float32(q["min"]) + np.float32(q["scale"]) * raw[offset:offset + n].astype(np.float32)
            offset += n
            layer_name, weight_name = w["name"].split("/")
            weights.setdefault(layer_name, []).append((weight_name, values.reshape(w["shape"])))
    assert offset == raw.size, (offset, raw.size)
    topology = model["modelTopology"]
    path = os.path.join(out, "mobilenet_v2.h5")
    save_model(path, topology["model_config"], weights, topology["keras_version"],
               topology.get("training_config"), compress=True)
    print(f"mobilenet_v2: {offset} weights in {len(weights)} layers, {os.path.getsize(path)} bytes")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "resources", "fixtures", "keras_h5")
    os.makedirs(out, exist_ok=True)
    make_small(out)
    make_mobilenet(out)


if __name__ == "__main__":
    main()
