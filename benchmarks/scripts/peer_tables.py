"""Markdown tables from benchmark runs: the peers' RESULT lines and fineturn's JMH JSON files.

One run:   python3 benchmarks/scripts/peer_tables.py bench.log bench-gemm.json bench-gemm-ref.json bench-gemm-queued.json bench-conv.json bench-resnet.json
Several:   python3 benchmarks/scripts/peer_tables.py run1.log r1-*.json -- run2.log r2-*.json -- ...
With several runs each cell is the median over the runs, with [lowest-highest]; each ratio is the
median of the per-run ratios, so peer and fineturn always come from the same run. fineturn's figure
in a run is the median of its JMH iterations, as each peer's is the median of its repeats.
"""
import json
import re
import statistics
import sys

CONV = {"resnet": 2 * 32 * 64 * 56 * 56 * 64 * 9, "cifar": 2 * 64 * 64 * 32 * 32 * 64 * 9,
        "depthwise": 2 * 32 * 144 * 56 * 56 * 9}


# Benchmark parameters that older result files do not have, with the value they then had.
DEFAULTS = {"queue": "1"}


class Run:
    def __init__(self, log, jsons):
        self.log = open(log).read()
        self.jmh = []
        for f in jsons:
            self.jmh += json.load(open(f))

    def peer(self, pattern):
        m = re.search(pattern + r".*?median=([0-9.]+)", self.log)
        return float(m.group(1)) if m else None

    def ours(self, bench, **params):
        for r in self.jmh:
            if not r["benchmark"].endswith(bench):
                continue
            p = r["params"]
            if all(str(p.get(k, DEFAULTS.get(k))) == str(v) for k, v in params.items()):
                # The median of the measured iterations, the statistic the peers report (JMH's own score
                # is their mean, which one iteration the host slowed down can move by a third).
                raw = [x for fork in r["primaryMetric"].get("rawData", []) for x in fork]
                return statistics.median(raw) if raw else r["primaryMetric"]["score"]
        return None

    def torch_conv(self, layer, pas, t):
        key = "fwd" if pas == "forward" else "fwd+bwd"
        m = re.search(rf"torch-conv3x3 {layer} N=\S+ C=\S+ K=\S+ HW=\S+ {re.escape(key)} threads={t} "
                      rf"min=\S+ median=([0-9.]+)", self.log)
        return CONV[layer] * (1 if pas == "forward" else 3) / (float(m.group(1)) * 1e6) if m else None


def cell(values, digits=1):
    v = [x for x in values if x is not None]
    if not v:
        return "-"
    med = statistics.median(v)
    if len(v) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} [{min(v):.{digits}f}-{max(v):.{digits}f}]"


def ratio(a, b):
    return a / b if a and b else None


def main(argv):
    groups, cur = [], []
    for a in argv:
        if a == "--":
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    groups.append(cur)
    runs = [Run(g[0], g[1:]) for g in groups if g]

    print("### SGEMM (GFLOP/s)\n")
    print("| n | threads | numpy/OpenBLAS | torch.mm | fineturn cpu | cpu/OpenBLAS | fineturn opencl (PoCL) "
          "| opencl/cpu | reference |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in (128, 256, 512, 1024, 2048):
        fl = 2.0 * n ** 3
        g = lambda ms: fl / (ms * 1e6) if ms else None
        for t in (1, 2):
            ob = [r.peer(rf"numpy-openblas sgemm n={n} threads={t} ") for r in runs]
            tm = [r.peer(rf"torch-mm sgemm n={n} threads={t} ") for r in runs]
            c = [g(r.ours("GemmBenchmark.gemm", backend="cpu", n=n, threads=t, queue=1)) for r in runs]
            o = [g(r.ours("GemmBenchmark.gemm", backend="opencl", n=n, threads=t, queue=1)) for r in runs]
            ref = [g(r.ours("GemmBenchmark.gemm", backend="reference", n=n, threads=1)) if t == 1 else None
                   for r in runs]
            print(f"| {n} | {t} | {cell(ob)} | {cell(tm)} | {cell(c)} | "
                  f"{cell([ratio(x, y) for x, y in zip(c, ob)], 2)} | {cell(o)} | "
                  f"{cell([ratio(x, y) for x, y in zip(o, c)], 2)} | {cell(ref)} |")

    print("\n### OpenCL GEMMs issued back to back (8 per synchronize, 2 threads; GFLOP/s per GEMM)\n")
    print("| n | fineturn cpu | opencl, one per synchronize | opencl, 8 per synchronize | queued opencl/cpu |")
    print("|---|---|---|---|---|")
    for n in (128, 256):
        fl = 2.0 * n ** 3
        c = [fl / (ms * 1e6) if ms else None
             for ms in (r.ours("GemmBenchmark.gemm", backend="cpu", n=n, threads=2, queue=1) for r in runs)]
        o = [fl / (ms * 1e6) if ms else None
             for ms in (r.ours("GemmBenchmark.gemm", backend="opencl", n=n, threads=2, queue=1) for r in runs)]
        q = [8 * fl / (ms * 1e6) if ms else None
             for ms in (r.ours("GemmBenchmark.gemm", backend="opencl", n=n, threads=2, queue=8) for r in runs)]
        print(f"| {n} | {cell(c)} | {cell(o)} | {cell(q)} | {cell([ratio(x, y) for x, y in zip(q, c)], 2)} |")

    print("\n### Convolution layers (GFLOP/s; forward+backward counts 3x the forward flops)\n")
    print("| layer | pass | threads | PyTorch 1.13 | fineturn cpu | cpu/PyTorch | fineturn opencl (PoCL) "
          "| opencl/cpu |")
    print("|---|---|---|---|---|---|---|---|")
    for layer in ("resnet", "cifar", "depthwise"):
        for pas in ("forward", "forward+backward"):
            fl = CONV[layer] * (1 if pas == "forward" else 3)
            g = lambda ms: fl / (ms * 1e6) if ms else None
            for t in (1, 2):
                pt = [r.torch_conv(layer, pas, t) for r in runs]
                c = [g(r.ours("ConvBenchmark.conv", backend="cpu", layer=layer, threads=t, **{"pass": pas}))
                     for r in runs]
                o = [g(r.ours("ConvBenchmark.conv", backend="opencl", layer=layer, threads=t, **{"pass": pas}))
                     for r in runs]
                print(f"| {layer} | {pas} | {t} | {cell(pt)} | {cell(c)} | "
                      f"{cell([ratio(x, y) for x, y in zip(c, pt)], 2)} | {cell(o)} | "
                      f"{cell([ratio(x, y) for x, y in zip(o, c)], 2)} |")

    print("\n### ResNet-18 at 64x64, batch 32, 2 threads (img/s)\n")
    print("| mode | PyTorch 1.13 | fineturn cpu | cpu/PyTorch | fineturn opencl (PoCL) | opencl/cpu |")
    print("|---|---|---|---|---|---|")
    for mode, pmode in (("head", "head"), ("partial", "partial"), ("full", "full"), ("inference", "infer")):
        g = lambda ms: 32 / (ms / 1000) if ms else None
        pt = [r.peer(rf"torch-resnet18 mode={pmode} size=64 ") for r in runs]
        c = [g(r.ours("ResNetStepBenchmark.step", backend="cpu", mode=mode)) for r in runs]
        o = [g(r.ours("ResNetStepBenchmark.step", backend="opencl", mode=mode)) for r in runs]
        print(f"| {mode} | {cell(pt)} | {cell(c)} | {cell([ratio(x, y) for x, y in zip(c, pt)], 2)} | "
              f"{cell(o)} | {cell([ratio(x, y) for x, y in zip(o, c)], 2)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
