#!/usr/bin/env python3
"""Paired timing: a peer and fineturn take turns on the same workload in one run, round by round.

A shared host moves by up to 2x within minutes, so figures of a peer and of fineturn taken
minutes apart (run_with_peers.sh) give ratios that move as much. Here both stay loaded and warm, in this
process (numpy/OpenBLAS, PyTorch 1.13) and in one JVM (benchmarks.jar's PairedWorker, which runs the JMH
benchmarks' own states), and take turns of SECONDS each, the first turn alternating from round to round.
Each round gives one ratio fineturn/peer from two turns seconds apart; the report is the median ratio and its
quartiles over the rounds, after one warm-up round that is dropped.

The peers' workloads are those of benchmarks/peers: sgemm/sgemm_numpy.py (numpy matmul), conv/conv_torch.py
(F.conv2d, forward+backward = y.backward(g) with x and w requiring grad) and finetune/finetune_torch.py
(torchvision resnet18(num_classes=10), 64x64, batch 32, SGD; infer = eval + no_grad). infer:MODEL puts
fineturn's inference (eval, no graph, fused convolutions: what predict runs) next to torchvision's resnet18 or
mobilenet_v2 (num_classes=10, random weights) in eval + no_grad, 64x64, batch 32. ort:PASS:MODEL puts it next to
ONNX Runtime's CPU session on fineturn's ONNX export of the same model with the same weights (intra-op threads =
THREADS, inter-op 1, every graph optimisation), run by a second fineturn JVM: PASS inference runs fineturn to the
logits, features to the pooled features (the backbone feature extraction runs), ONNX Runtime always to the logits.

Usage (one thread count per process: OpenBLAS reads its thread count when numpy loads):
  benchmarks/scripts/paired.py --threads 1 [--rounds 10] [--seconds 2] [--json out.json] [--jvm-opt OPT]...
                               [--openblas-coretype NAME] WORKLOAD...
On an AVX-512 machine, --jvm-opt=-XX:UseAVX=2 --openblas-coretype Haswell pairs the two AVX2 SGEMMs.
WORKLOAD: gemm:N | conv:LAYER:forward|forward+backward | step:head|partial|full|inference | infer:MODEL
          | ort:inference|features:MODEL
LAYER: resnet | cifar | N,C,K,H,kernel,stride,pad (a square convolution, e.g. 32,64,64,16,3,1,1)
MODEL: resnet18 | mobilenet_v2
Refuses to run unless numpy calls OpenBLAS (benchmarks/peers/openblas.py).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, required=True)
ap.add_argument("--rounds", type=int, default=10)
ap.add_argument("--seconds", type=float, default=2.0)
ap.add_argument("--json")
ap.add_argument("--jar", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target",
                                              "benchmarks.jar"))
ap.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"),
                                               "bin", "java"))
ap.add_argument("--jvm-opt", action="append", default=[], help="an extra option for the fineturn JVM (repeatable)")
ap.add_argument("--openblas-coretype", help="the OpenBLAS kernels to run (OPENBLAS_CORETYPE, e.g. Haswell for AVX2 "
                                            "next to a JVM under -XX:UseAVX=2); by default OpenBLAS detects the core")
ap.add_argument("workloads", nargs="+")
args = ap.parse_args()

# Before numpy loads, as the peers' run scripts do: the thread count, and OpenBLAS left to detect the core.
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ.pop("OPENBLAS_L2_SIZE", None)
if args.openblas_coretype:
    os.environ["OPENBLAS_CORETYPE"] = args.openblas_coretype
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from openblas import require_openblas  # noqa: E402

require_openblas()
try:
    from threadpoolctl import threadpool_info
    OPENBLAS_KERNELS = next((d.get("architecture") for d in threadpool_info() if d.get("internal_api") == "openblas"),
                            None) or "unknown"
except ImportError:
    OPENBLAS_KERNELS = "unknown"
torch.set_num_threads(args.threads)
torch.manual_seed(0)

CONV = {"resnet": (32, 64, 64, 56, 56), "cifar": (64, 64, 64, 32, 32)}  # N, C, K, H, W as conv_torch.py
MODELS = {"resnet18": torchvision.models.resnet18, "mobilenet_v2": torchvision.models.mobilenet_v2}


def peer_gemm(n):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    return "numpy/OpenBLAS", (lambda: np.matmul(a, b, out=c)), 2.0 * n ** 3, "FLOP"


def conv_layer(layer):
    """N, C, K, H, kernel, stride, pad of a named layer or of "N,C,K,H,kernel,stride,pad"."""
    if layer in CONV:
        n, c, k, h, _ = CONV[layer]
        return n, c, k, h, 3, 1, 1
    v = [int(t) for t in layer.split(",")]
    if len(v) != 7:
        raise SystemExit(f"unknown conv layer {layer}: resnet, cifar or N,C,K,H,kernel,stride,pad")
    return tuple(v)


def peer_conv(layer, pass_):
    n, c, k, h, r, s, pad = conv_layer(layer)
    out = (h + 2 * pad - r) // s + 1
    x = torch.randn(n, c, h, h)
    wt = torch.randn(k, c, r, r) * 0.05
    g = torch.randn(n, k, out, out)
    xg = x.clone().requires_grad_(True)
    wg = wt.clone().requires_grad_(True)
    flop = 2.0 * n * k * c * r * r * out * out

    def fwd():
        with torch.no_grad():
            return F.conv2d(x, wt, stride=s, padding=pad)

    def fwd_bwd():
        xg.grad = None
        wg.grad = None
        F.conv2d(xg, wg, stride=s, padding=pad).backward(g)

    if pass_ == "forward":
        return "PyTorch", fwd, flop, "FLOP"
    return "PyTorch", fwd_bwd, 3 * flop, "FLOP"


def peer_step(mode, batch=32, size=64):
    model = torchvision.models.resnet18(num_classes=10)
    x = torch.randn(batch, 3, size, size)
    y = torch.randint(0, 10, (batch,))
    loss_fn = torch.nn.CrossEntropyLoss()
    if mode == "head":
        for p in model.parameters():
            p.requires_grad_(False)
        for p in model.fc.parameters():
            p.requires_grad_(True)
        opt = torch.optim.SGD(model.fc.parameters(), lr=1e-3)
    elif mode == "partial":
        for m in (model.conv1, model.bn1, model.layer1, model.layer2):
            for p in m.parameters():
                p.requires_grad_(False)
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3, momentum=0.9)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    if mode == "inference":
        model.eval()

        def step():
            with torch.no_grad():
                return model(x)
    else:
        model.train()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
    return "PyTorch", step, batch, "img"


def peer_infer(model, batch=32, size=64):
    if model not in MODELS:
        raise SystemExit(f"unknown model {model}: {', '.join(MODELS)}")
    net = MODELS[model](num_classes=10).eval()
    x = torch.randn(batch, 3, size, size)

    def infer():
        with torch.no_grad():
            return net(x)
    return "PyTorch", infer, batch, "img"


def peer(workload):
    kind, *rest = workload.split(":")
    if kind == "gemm":
        return peer_gemm(int(rest[0]))
    if kind == "conv":
        return peer_conv(rest[0], rest[1])
    if kind == "step":
        return peer_step(rest[0])
    if kind == "infer":
        return peer_infer(rest[0])
    raise SystemExit(f"unknown workload {workload}")


def fineturn_setup(workload):
    """The worker's setup command for a workload, less the thread count."""
    kind, *rest = workload.split(":")
    if kind == "ort":
        if len(rest) != 2 or rest[0] not in ("inference", "features"):
            raise SystemExit(f"unknown workload {workload}: ort:inference|features:MODEL")
        return f"setup {'infer' if rest[0] == 'inference' else 'features'} {rest[1]}"
    return f"setup {kind} {' '.join(rest)}"


def peer_turns(workload, ort):
    """(name, turn, units per call, unit): turn(seconds) runs the peer for that long, -> (calls, seconds)."""
    kind, *rest = workload.split(":")
    if kind == "ort":
        units, unit, *about = ort.ask(f"setup ort {rest[1]} {args.threads}", "READY")
        name = about[0] if about else "onnxruntime"

        def turn(seconds):
            calls, elapsed = ort.ask(f"run {seconds}", "RESULT")
            return int(calls), float(elapsed)
        return name, turn, float(units), unit
    name, fn, units, unit = peer(workload)
    fn()
    run_peer(fn, 2.0)
    return name, (lambda seconds: run_peer(fn, seconds)), units, unit


def run_peer(fn, seconds):
    t0 = time.perf_counter()
    end = t0 + seconds
    calls = 0
    while True:
        fn()
        calls += 1
        now = time.perf_counter()
        if now >= end:
            return calls, now - t0


class Worker:
    def __init__(self):
        self.p = subprocess.Popen([args.java, *args.jvm_opt, "--add-modules", "jdk.incubator.vector",
                                   "--enable-native-access=ALL-UNNAMED", "-cp", args.jar,
                                   "dev.fineturn.bench.PairedWorker"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, line, expect):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        while True:
            answer = self.p.stdout.readline()
            if not answer:
                raise SystemExit(f"the fineturn worker ended on '{line}'")
            if answer.startswith(expect + " "):
                return answer.split()[1:]
            if answer.startswith("ERROR"):
                raise SystemExit(f"fineturn worker: {answer.strip()} on '{line}'")

    def close(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.flush()
        self.p.wait(timeout=30)


def quartiles(v):
    s = sorted(v)
    n = len(s)
    return s[n // 4], statistics.median(s), s[(3 * n) // 4]


def main():
    worker = Worker()
    ort = Worker() if any(w.startswith("ort:") for w in args.workloads) else None
    results = []
    print(f"# paired run {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} threads={args.threads} "
          f"rounds={args.rounds} (+1 warm-up) x {args.seconds} s per turn; torch {torch.__version__}, "
          f"numpy {np.__version__}; OpenBLAS kernels {OPENBLAS_KERNELS}; JVM options {' '.join(args.jvm_opt) or 'none'}; "
          f"load {open('/proc/loadavg').read().split()[:3]}", flush=True)
    for workload in args.workloads:
        name, turn, peer_units, peer_unit = peer_turns(workload, ort)
        units, unit = worker.ask(f"{fineturn_setup(workload)} {args.threads}", "READY")[:2]
        units = float(units)
        assert unit == peer_unit and abs(units - peer_units) < 1e-6 * units, (units, peer_units)
        scale = 1e-9 if unit == "FLOP" else 1.0
        ours, theirs, ratios = [], [], []
        for r in range(args.rounds + 1):
            def fineturn_turn():
                calls, elapsed = worker.ask(f"run {args.seconds}", "RESULT")
                return int(calls) * units * scale / float(elapsed)

            def peer_turn():
                calls, elapsed = turn(args.seconds)
                return calls * units * scale / elapsed

            if r % 2 == 0:
                p = peer_turn()
                f = fineturn_turn()
            else:
                f = fineturn_turn()
                p = peer_turn()
            if r == 0:
                continue
            ours.append(f)
            theirs.append(p)
            ratios.append(f / p)
        label = "GFLOP/s" if unit == "FLOP" else unit + "/s"
        q = quartiles(ratios)
        print(f"PAIRED {workload} threads={args.threads} {name} {statistics.median(theirs):.1f} {label} "
              f"fineturn {statistics.median(ours):.1f} {label} ratio median {q[1]:.3f} [quartiles {q[0]:.3f} "
              f"{q[2]:.3f}] min {min(ratios):.3f} max {max(ratios):.3f} rounds {len(ratios)}", flush=True)
        results.append({"workload": workload, "threads": args.threads, "peer": name, "unit": label,
                        "peer_scores": theirs, "fineturn_scores": ours, "ratios": ratios})
    worker.close()
    if ort:
        ort.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results}, f, indent=1)


main()
