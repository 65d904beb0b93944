"""Markdown tables from one benchmark run: the peers' RESULT lines and fineturn's JMH JSON files.

python3 benchmarks/scripts/summarize.py bench.log bench-gemm.json bench-gemm-ref.json bench-conv.json bench-resnet.json
"""
import json
import re
import sys

log = open(sys.argv[1]).read()
jmh = []
for f in sys.argv[2:]:
    jmh += json.load(open(f))


def peer(pattern):
    m = re.search(pattern + r".*?median=([0-9.]+)", log)
    return float(m.group(1)) if m else None


CONV = {"resnet": 2 * 32 * 64 * 56 * 56 * 64 * 9, "cifar": 2 * 64 * 64 * 32 * 32 * 64 * 9,
        "depthwise": 2 * 32 * 144 * 56 * 56 * 9}


def ours(bench, **params):
    for r in jmh:
        if not r["benchmark"].endswith(bench):
            continue
        p = r["params"]
        if all(str(p.get(k)) == str(v) for k, v in params.items()):
            return r["primaryMetric"]["score"]
    return None


print("### SGEMM (GFLOP/s)\n")
print("| n | threads | numpy/OpenBLAS | torch.mm | fineturn cpu | ratio cpu/OpenBLAS | fineturn opencl (PoCL) | opencl/cpu | reference |")
print("|---|---|---|---|---|---|---|---|---|")
for n in (128, 256, 512, 1024, 2048):
    for t in (1, 2):
        ob = peer(rf"numpy-openblas sgemm n={n} threads={t} ")
        tm = peer(rf"torch-mm sgemm n={n} threads={t} ")
        fl = 2.0 * n ** 3
        c = ours("GemmBenchmark.gemm", backend="cpu", n=n, threads=t)
        o = ours("GemmBenchmark.gemm", backend="opencl", n=n, threads=t)
        ref = ours("GemmBenchmark.gemm", backend="reference", n=n, threads=1) if t == 1 else None
        g = lambda ms: f"{fl / (ms * 1e6):.1f}" if ms else "-"
        ratio = f"{fl / (c * 1e6) / ob:.2f}" if c and ob else "-"
        oc = f"{c / o:.2f}" if c and o else "-"
        print(f"| {n} | {t} | {ob or '-'} | {tm or '-'} | {g(c)} | {ratio} | {g(o)} | {oc} | {g(ref)} |")

print("\n### Convolution layers (GFLOP/s; forward+backward counts 3x the forward flops)\n")
print("| layer | pass | threads | PyTorch 1.13 | fineturn cpu | ratio | fineturn opencl (PoCL) | opencl/cpu |")
print("|---|---|---|---|---|---|---|---|")
for layer in ("resnet", "cifar", "depthwise"):
    for pas in ("forward", "forward+backward"):
        for t in (1, 2):
            key = "fwd" if pas == "forward" else "fwd+bwd"
            pt = None
            m = re.search(rf"torch-conv3x3 {layer} N=\S+ C=\S+ K=\S+ HW=\S+ {re.escape(key)} threads={t} "
                          rf"min=\S+ median=([0-9.]+)", log)
            if m:
                pt = CONV[layer] * (1 if pas == "forward" else 3) / (float(m.group(1)) * 1e6)
            fl = CONV[layer] * (1 if pas == "forward" else 3)
            c = ours("ConvBenchmark.conv", backend="cpu", layer=layer, threads=t, **{"pass": pas})
            o = ours("ConvBenchmark.conv", backend="opencl", layer=layer, threads=t, **{"pass": pas})
            g = lambda ms: f"{fl / (ms * 1e6):.1f}" if ms else "-"
            ratio = f"{fl / (c * 1e6) / pt:.2f}" if c and pt else "-"
            oc = f"{c / o:.2f}" if c and o else "-"
            print(f"| {layer} | {pas} | {t} | {f'{pt:.1f}' if pt else '-'} | {g(c)} | {ratio} | {g(o)} | {oc} |")

print("\n### ResNet-18 at 64x64, batch 32, 2 threads (img/s)\n")
print("| mode | PyTorch 1.13 | fineturn cpu | ratio | fineturn opencl (PoCL) | opencl/cpu |")
print("|---|---|---|---|---|---|")
for mode, pmode in (("head", "head"), ("partial", "partial"), ("full", "full"), ("inference", "infer")):
    pt = peer(rf"torch-resnet18 mode={pmode} size=64 ")
    c = ours("ResNetStepBenchmark.step", backend="cpu", mode=mode)
    o = ours("ResNetStepBenchmark.step", backend="opencl", mode=mode)
    g = lambda ms: f"{32 / (ms / 1000):.1f}" if ms else "-"
    ratio = f"{32 / (c / 1000) / pt:.2f}" if c and pt else "-"
    oc = f"{c / o:.2f}" if c and o else "-"
    print(f"| {mode} | {pt or '-'} | {g(c)} | {ratio} | {g(o)} | {oc} |")
