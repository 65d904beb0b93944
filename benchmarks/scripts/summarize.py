#!/usr/bin/env python3
"""Writes benchmarks/RESULTS.md from the raw logs in benchmarks/results/.

A log is named DATE-KIND-LABEL-COMMIT.log (2026-12-06-zen4-paired-end-run3-4e9a028.log): the day it was
measured, the machine kind (a key of KINDS), a free label and the commit measured. Its lines:
  # paired run 2026-12-06T14:13:36Z threads=1 ...; torch 1.13.0a0, numpy 1.24.2; ...   (paired.py's header)
  # peers: ...                                                                          (peer versions, when no header says)
  # source: ...                                                                         (where the lines come from)
  PAIRED WORKLOAD threads=T PEER X UNIT fineturn Y UNIT ratio median R [quartiles Q1 Q3] [min A max B] rounds N
  # ab old COMMIT new COMMIT; ...     (an A/B log's header; new "this": the commit that adds the log)
  AB WORKLOAD old X ms new Y ms time new/old median R min A max B runs N                (ab.sh with AB_RUNS > 1)
  ALLOC step:MODE threads=T BYTES B/step                                                (run_memory.sh)
  HEAP step:MODE threads=T peak-live X MiB at POINT rest Y MiB                          (run_memory.sh)
  RSS step:MODE threads=T PyTorch peak X MiB after-import Y MiB                         (run_memory.sh)
Other lines are ignored. A log without a date or commit in its name takes them from the commit that added it.

For each machine kind RESULTS.md holds the newest A/B log's table (two builds of fineturn, benchmarks/ab),
the newest log's table of the kernel targets (SGEMM, the two conv layers), the newest log's table of the
ResNet-18 steps' targets, the newest log's table of inference against PyTorch and ONNX Runtime (infer:, ort:), the newest
log's table of single convolution layers, the newest memory log's table, each when there is one, and the list of
every log of that kind. Older figures stay in those logs and in git.

Usage: summarize.py [--results DIR] [--out FILE] [--check]
  --check   exit 1, writing nothing, when FILE differs from what the logs give
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)

KINDS = {
    "zen3": ("Zen 3, AVX2",
             "2 vCPUs of an AMD EPYC (Zen 3) under KVM, AVX2 + FMA, no AVX-512, 24 GiB. JDK 25 prefers 256-bit "
             "vectors (8 floats) and the cpu backend's GEMM takes its 2 x 5 tile; OpenBLAS runs its Zen (AVX2) "
             "kernels."),
    "zen4": ("Zen 4, AVX-512",
             "2 vCPUs of an AMD EPYC family 25 model 17 (Zen 4, Genoa) under KVM, AVX-512 (F, DQ, BW, VL, VNNI, "
             "BF16), 32 KB L1d and 1 MB L2 per core, 32 MB L3, 24 GiB. JDK 25 prefers 512-bit vectors (16 floats) "
             "and the cpu backend's GEMM takes its 4 x 4 tile; OpenBLAS 0.3.21 runs its Cooperlake (AVX-512) "
             "kernels and PyTorch's oneDNN its AVX-512 convolutions."),
    "zen5": ("Zen 5, AVX-512",
             "2 vCPUs of an AMD EPYC family 26 (Zen 5) under KVM, AVX-512 (F, DQ, BW, VL, VNNI, BF16, VP2INTERSECT), "
             "23 GiB, shared with other builds; 1 MB L2 per core, an FMA peak of 114 GFLOP/s per core on 256-bit "
             "vectors and 225 on 512-bit (benchmarks/peers/peak). JDK 25 prefers 512-bit vectors (16 floats) and "
             "the cpu backend's GEMM takes its 4 x 4 tile; OpenBLAS 0.3.21, left to detect the core, runs its "
             "Cooperlake (AVX-512) kernels."),
    "zen5avx2": ("Zen 5 held to AVX2",
                 "The Zen 5 machine above with both sides held to AVX2: the JVM under -XX:UseAVX=2 (256-bit vectors, "
                 "16 vector registers, the cpu backend's 2 x 5 tile) and OpenBLAS 0.3.21 on its Haswell kernels "
                 "(paired.py --openblas-coretype Haswell)."),
    "xeon": ("Intel Xeon, AVX-512",
             "2 vCPUs of an Intel Xeon under a hypervisor (family 6, AVX-512 F, DQ, BW, VL, VNNI, BF16, FP16 and AMX), "
             "48 KB L1d and 2 MB L2 per core, 480 MB L3 shared with other tenants, 23 GiB; an FMA peak of 213 GFLOP/s "
             "per core on 512-bit vectors (two FMA ports). JDK 25 prefers 512-bit vectors and the cpu backend's GEMM "
             "takes its 4 x 4 tile; OpenBLAS 0.3.21 runs its SkylakeX kernels. A 512-bit load that straddles two "
             "cache lines costs two loads here, which the AMD machines above hardly notice."),
    "xeonavx2": ("Intel Xeon held to AVX2",
                 "The Xeon machine above with both sides held to AVX2: the JVM under -XX:UseAVX=2 (256-bit vectors, "
                 "16 vector registers, the cpu backend's 2 x 5 tile) and OpenBLAS 0.3.21 on its Haswell kernels "
                 "(paired.py --openblas-coretype Haswell)."),
    "gpu": ("GPU, CUDA",
            "One NVIDIA GPU with the bundle of benchmarks/scripts/gpu/prepare.sh: SGEMM n = 4096 against torch.mm "
            "fp32 (TF32 off), ResNet-18 at 224x224, batch 64, full and head-only, against PyTorch eager fp32."),
}

NAME = re.compile(r"^(?:(\d{4}-\d{2}-\d{2})-)?([a-z0-9]+)-(.*?)(?:-([0-9a-f]{7,40}))?\.log$")
HEADER = re.compile(r"^# paired run (\S+) threads=(\d+) rounds=(\d+) .*?; torch (\S+), numpy ([^;]+);"
                    r"(?: OpenBLAS kernels ([^;]+);)?")
PAIRED = re.compile(r"^PAIRED (\S+) threads=(\d+) (\S+) ([\d.]+) (\S+) fineturn ([\d.]+) \S+ ratio median ([\d.]+) "
                    r"\[quartiles ([\d.]+) ([\d.]+)\](?: min ([\d.]+) max ([\d.]+))? rounds (\d+)\s*$")
LAYERS = {"resnet": "ResNet layer: N=32, C=K=64, 56x56, 3x3", "cifar": "CIFAR layer: N=64, C=K=64, 32x32, 3x3"}
AB_HEADER = re.compile(r"^# ab old (\S+) new (\S+); (.*)$")
AB = re.compile(r"^AB (\S+) old ([\d.]+) ms new ([\d.]+) ms time new/old median ([\d.]+) min ([\d.]+) max ([\d.]+) "
                r"runs (\d+)\s*$")
MODELS = {"mobilenetv2": "MobileNetV2 64x64 batch 32, inference"}
NETWORKS = {"resnet18": "ResNet-18", "mobilenet_v2": "MobileNetV2"}
PASSES = {"inference": "inference", "features": "features (backbone to the pooled features) against inference"}
MEMORY = re.compile(r"^(ALLOC|HEAP|RSS) step:(\S+) threads=(\d+) (.*)$")
ALLOC = re.compile(r"^([\d.]+) B/step\s*$")
HEAP_LINE = re.compile(r"^peak-live ([\d.]+) MiB at (.+) rest ([\d.]+) MiB\s*$")
RSS = re.compile(r"^PyTorch peak ([\d.]+) MiB after-import ([\d.]+) MiB\s*$")
STEP_TARGETS = {"head": 1.3, "inference": 1.3, "partial": 1.2, "full": 1.0}
STEPS = {"head": "head-only", "partial": "partial (conv1 to layer2 frozen)", "full": "full", "inference": "inference"}


class Row:
    def __init__(self, m):
        (self.workload, threads, self.peer, peer, self.unit, ours, median, q1, q3, lo, hi, rounds) = m.groups()
        self.threads = int(threads)
        self.peer_score, self.score = float(peer), float(ours)
        self.median, self.q1, self.q3 = float(median), float(q1), float(q3)
        self.range = f"{float(lo):.3f}-{float(hi):.3f}" if lo else "-"
        self.rounds = int(rounds)

    def per_layer(self):
        parts = self.workload.split(":")
        return parts[0] == "conv" and parts[1] not in LAYERS

    def inference(self):
        """Inference against PyTorch or ONNX Runtime (infer:MODEL, ort:PASS:MODEL), which has no target."""
        return self.workload.split(":")[0] in ("infer", "ort")

    def targeted(self):
        return not self.per_layer() and not self.inference()

    def target(self):
        """The ratio fineturn/peer that benchmarks/README.md sets for this workload, or None."""
        kind = self.workload.split(":")[0]
        if kind == "gemm":
            return 0.9
        if kind == "conv" and not self.per_layer() and self.workload.endswith(":forward+backward"):
            return 1.0
        if kind == "step":
            return STEP_TARGETS.get(self.workload.split(":")[1], 1.0)
        if self.workload == "infer:mobilenet_v2" and self.peer == "PyTorch":
            return 1.0
        if self.workload.startswith("ort:features:"):
            return 1.0
        return None

    def title(self):
        parts = self.workload.split(":")
        if parts[0] == "gemm":
            return f"SGEMM n = {parts[1]}"
        if parts[0] == "step":
            return f"ResNet-18 64x64 batch 32, {STEPS.get(parts[1], parts[1])}"
        if parts[0] == "infer":
            return f"{NETWORKS.get(parts[1], parts[1])} 64x64 batch 32, inference"
        if parts[0] == "ort":
            return f"{NETWORKS.get(parts[2], parts[2])} 64x64 batch 32, {PASSES.get(parts[1], parts[1])}"
        if parts[0] == "conv":
            what = "fwd+bwd" if parts[2] == "forward+backward" else "fwd"
            if parts[1] in LAYERS:
                return f"{LAYERS[parts[1]]}, {what}"
            n, c, k, h, r, s, p = parts[1].split(",")
            return f"{r}x{r} stride {s} pad {p}, {c} -> {k} channels, {h}x{h}, N={n}, {what}"
        return self.workload


class AbRow:
    def __init__(self, m):
        self.workload = m.group(1)
        self.old_ms, self.new_ms = float(m.group(2)), float(m.group(3))
        self.median, self.lo, self.hi = float(m.group(4)), float(m.group(5)), float(m.group(6))
        self.runs = int(m.group(7))

    def title(self):
        parts = self.workload.split(":")
        if parts[0] == "step":
            return f"ResNet-18 64x64 batch 32, {STEPS.get(parts[1], parts[1])}"
        if parts[0] == "infer":
            return MODELS.get(parts[1], self.workload)
        return self.workload


class Memory:
    """The memory figures of one ResNet-18 mode: bytes allocated per step, peak live heap, PyTorch's peak RSS."""

    def __init__(self, mode, threads):
        self.mode, self.threads = mode, threads
        self.alloc = self.heap = self.where = self.rest = self.rss = self.rss_import = None


class Log:
    def __init__(self, path):
        self.path = path
        self.file = os.path.basename(path)
        m = NAME.match(self.file)
        if not m:
            raise SystemExit(f"{path}: name is not DATE-KIND-LABEL-COMMIT.log")
        date, self.kind, self.label, commit = m.groups()
        if self.kind not in KINDS:
            raise SystemExit(f"{path}: unknown machine kind '{self.kind}' (known: {', '.join(KINDS)})")
        self.date = date or added(path, "%cs")
        self.commit = commit or added(path, "%h")
        self.started = None
        self.peers = None
        self.source = None
        self.rows = []
        self.ab_rows = []
        self.ab = None
        self.memory = {}
        with open(path) as f:
            for n, line in enumerate(f, 1):
                self.read(line.rstrip("\n"), n)

    def read(self, line, n):
        h = HEADER.match(line)
        if h:
            if self.started is None:
                self.started = h.group(1).replace("T", " ").rstrip("Z")[:16] + " UTC"
            kernels = f", OpenBLAS kernels {h.group(6)}" if h.group(6) else ""
            self.peers = self.peers or f"torch {h.group(4)}, numpy {h.group(5)}{kernels}"
        elif line.startswith("# peers: "):
            self.peers = line[len("# peers: "):]
        elif line.startswith("# source: "):
            self.source = line[len("# source: "):]
        elif AB_HEADER.match(line):
            self.ab = AB_HEADER.match(line).groups()
        elif line.startswith("AB "):
            m = AB.match(line)
            if not m:
                raise SystemExit(f"{self.path}:{n}: unreadable AB line: {line}")
            self.ab_rows.append(AbRow(m))
        elif MEMORY.match(line):
            self.read_memory(MEMORY.match(line), line, n)
        elif line.startswith("# memory run "):
            self.started = self.started or line.split()[3].replace("T", " ").rstrip("Z")[:16] + " UTC"
        elif line.startswith("PAIRED "):
            m = PAIRED.match(line)
            if not m:
                raise SystemExit(f"{self.path}:{n}: unreadable PAIRED line: {line}")
            self.rows.append(Row(m))

    def read_memory(self, m, line, n):
        what, mode, threads, rest = m.groups()
        entry = self.memory.setdefault(mode, Memory(mode, int(threads)))
        pattern = {"ALLOC": ALLOC, "HEAP": HEAP_LINE, "RSS": RSS}[what]
        f = pattern.match(rest)
        if not f:
            raise SystemExit(f"{self.path}:{n}: unreadable {what} line: {line}")
        if what == "ALLOC":
            entry.alloc = float(f.group(1))
        elif what == "HEAP":
            entry.heap, entry.where, entry.rest = float(f.group(1)), f.group(2), float(f.group(3))
        else:
            entry.rss, entry.rss_import = float(f.group(1)), float(f.group(2))

    def workloads(self):
        return len(self.rows) + len(self.ab_rows) + len(self.memory)

    def when(self):
        return self.started or self.date

    def order(self):
        return self.when(), self.file


def added(path, fmt):
    """A field of the commit that added the file to git, for logs whose name lacks it."""
    try:
        out = subprocess.run(["git", "-C", os.path.dirname(path), "log", "--diff-filter=A", "--follow",
                              f"--format={fmt}", "--", os.path.basename(path)],
                             capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
    return out[-1] if out else "unknown"


def table(log, rows, with_target):
    head = (f"From `results/{log.file}`: commit {log.commit}, measured {log.when()}; "
            f"peers: {log.peers or 'not recorded in the log'}.")
    out = [head]
    if log.source:
        out.append(f"Source: {log.source}.")
    out.append("")
    cols = ["workload", "threads", "peer", "peer figure", "fineturn", "fineturn / peer, median [quartiles]",
            "min-max", "rounds"]
    if with_target:
        cols.append("target")
    out.append("| " + " | ".join(cols) + " |")
    out.append("|" + " --- |" * len(cols))
    for r in rows:
        cells = [r.title(), str(r.threads), r.peer, f"{r.peer_score:.1f} {r.unit}", f"{r.score:.1f} {r.unit}",
                 f"{r.median:.3f} [{r.q1:.3f}-{r.q3:.3f}]", r.range, str(r.rounds)]
        if with_target:
            t = r.target()
            cells.append("-" if t is None else f">= {t:.1f}: {'met' if r.median >= t else 'not met'}")
        out.append("| " + " | ".join(cells) + " |")
    return out


def ab_table(log):
    old, new, note = log.ab or ("?", log.commit, "")
    new = log.commit if new == "this" else new
    out = [f"From `results/{log.file}`: build {new} against {old}, measured {log.when()}; {note}.", ""]
    if log.source:
        out += [f"Source: {log.source}.", ""]
    out.append("| workload | old | new | time new / old, median of the JVMs' medians | min-max | JVMs |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    for r in log.ab_rows:
        out.append(f"| {r.title()} | {r.old_ms:.1f} ms | {r.new_ms:.1f} ms | {r.median:.3f} | {r.lo:.3f}-{r.hi:.3f} "
                   f"| {r.runs} |")
    return out


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, spec, unit=""):
    return "-" if v is None else f"{v:{spec}}{unit}"


def memory_table(log):
    out = [f"From `results/{log.file}`: commit {log.commit}, measured {log.when()}; ResNet-18 64x64, batch 32.", ""]
    if log.source:
        out += [f"Source: {log.source}.", ""]
    out.append("| workload | threads | fineturn allocated per step | fineturn peak live heap | at | over inference "
               "| fineturn live between steps | PyTorch peak RSS | over inference | PyTorch RSS above import "
               "| over inference |")
    out.append("|" + " --- |" * 11)
    base = log.memory.get("inference") or Memory("inference", 0)
    base_growth = base.rss - base.rss_import if base.rss is not None else None
    known = ["inference", "head", "partial", "full"]
    order = [m for m in known if m in log.memory] + [m for m in log.memory if m not in known]
    for mode in order:
        e = log.memory[mode]
        growth = e.rss - e.rss_import if e.rss is not None else None
        out.append(f"| ResNet-18 64x64 batch 32, {STEPS.get(mode, mode)} | {e.threads} "
                   f"| {fmt(None if e.alloc is None else e.alloc / 1e6, '.1f', ' MB')} | {fmt(e.heap, '.1f', ' MiB')} "
                   f"| {e.where or '-'} | {fmt(ratio(e.heap, base.heap), '.2f')} | {fmt(e.rest, '.1f', ' MiB')} "
                   f"| {fmt(e.rss, '.0f', ' MiB')} | {fmt(ratio(e.rss, base.rss), '.2f')} "
                   f"| {fmt(growth, '.0f', ' MiB')} | {fmt(ratio(growth, base_growth), '.2f')} |")
    out.append("")
    head = log.memory.get("head")
    full = log.memory.get("full")
    if head and head.heap and base.heap:
        r = head.heap / base.heap
        out.append(f"- Head-only step over inference, peak live heap: {r:.2f} (target <= 1.1: "
                   f"{'met' if r <= 1.1 else 'not met'}).")
    if full and full.heap and base.heap and full.rss and base.rss:
        r, peer = full.heap / base.heap, full.rss / base.rss
        growth = ratio(full.rss - full.rss_import, base.rss - base.rss_import)
        out.append(f"- Full step over inference, peak live heap: {r:.2f}; PyTorch's, peak RSS: {peer:.2f} "
                   f"(target <= PyTorch's: {'met' if r <= peer else 'not met'}); PyTorch's RSS above its "
                   f"after-import level: {fmt(growth, '.2f')}.")
    return out


TARGET_GROUPS = [
    ("Targets: SGEMM and convolution layers", lambda r: r.targeted() and r.workload.split(":")[0] != "step"),
    ("Targets: ResNet-18 steps", lambda r: r.targeted() and r.workload.split(":")[0] == "step"),
]


def newest(logs, pick):
    chosen = [g for g in logs if any(pick(r) for r in g.rows)]
    return max(chosen, key=Log.order) if chosen else None


def sort_key(r):
    kind = r.workload.split(":")[0]
    return r.threads, ["gemm", "conv", "step"].index(kind) if kind in ("gemm", "conv", "step") else 3


def inference_key(r):
    parts = r.workload.split(":")
    model = parts[-1]
    return (r.threads, list(NETWORKS).index(model) if model in NETWORKS else len(NETWORKS), parts[0] == "ort",
            list(PASSES).index(parts[1]) if parts[0] == "ort" and parts[1] in PASSES else len(PASSES))


def render(results):
    logs = [Log(os.path.join(results, f)) for f in sorted(os.listdir(results)) if f.endswith(".log")]
    out = ["# Benchmark results", "",
           "Generated by `benchmarks/scripts/summarize.py` from the raw logs in `benchmarks/results/`; do not edit "
           "by hand. `benchmarks/README.md` says what each workload is, how the figures are measured and how to "
           "read them. Each ratio is fineturn's figure over the peer's, from turns taken in alternation on the "
           "same host (above 1: fineturn is faster).", ""]
    for kind, (title, machine) in KINDS.items():
        mine = sorted((g for g in logs if g.kind == kind), key=Log.order)
        out += [f"## {title}", "", machine, ""]
        if not mine:
            out += ["Not measured yet: `benchmarks/results/` holds no log of this kind.", ""]
            continue
        abs_ = [g for g in mine if g.ab_rows]
        if abs_:
            out += ["### A/B of the newest change", ""]
            out += ab_table(max(abs_, key=Log.order))
            out.append("")
        for heading, pick in TARGET_GROUPS:
            targets = newest(mine, pick)
            if targets:
                out += [f"### {heading}", ""]
                out += table(targets, sorted((r for r in targets.rows if pick(r)), key=sort_key), True)
                out.append("")
        inference = newest(mine, Row.inference)
        if inference:
            out += ["### Inference against PyTorch and ONNX Runtime", ""]
            out += table(inference, sorted((r for r in inference.rows if r.inference()), key=inference_key), True)
            out.append("")
        layers = newest(mine, Row.per_layer)
        if layers:
            out += ["### Single convolution layers", ""]
            out += table(layers, [r for r in layers.rows if r.per_layer()], False)
            out.append("")
        memory = [g for g in mine if g.memory]
        if memory:
            out += ["### Memory", ""]
            out += memory_table(max(memory, key=Log.order))
            out.append("")
        out += ["### Raw logs", "", "| log | commit | measured | workloads |", "| --- | --- | --- | --- |"]
        for g in mine:
            out.append(f"| `{g.file}` | {g.commit} | {g.when()} | {g.workloads()} |")
        out.append("")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--results", default=os.path.join(BENCH, "results"))
    p.add_argument("--out", default=os.path.join(BENCH, "RESULTS.md"))
    p.add_argument("--check", action="store_true")
    a = p.parse_args()
    text = render(a.results)
    if a.check:
        current = open(a.out).read() if os.path.exists(a.out) else ""
        if current != text:
            print(f"{a.out} is stale: run benchmarks/scripts/summarize.py", file=sys.stderr)
            return 1
        return 0
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(a.out)), prefix=".RESULTS.", suffix=".md")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
