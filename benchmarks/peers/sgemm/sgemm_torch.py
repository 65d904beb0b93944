#!/usr/bin/env python3
"""SGEMM GFLOP/s through PyTorch torch.mm (float32, CPU).

Debian's torch 1.13.1 is built with BLAS_INFO=generic, i.e. torch.mm calls sgemm_ from the system
libblas.so.3 (OpenBLAS via update-alternatives after setup.sh). OpenBLAS takes its thread count from
OPENBLAS_NUM_THREADS, not from torch.set_num_threads, so run_sgemm.sh sets both to the same value.
Usage: OPENBLAS_NUM_THREADS=2 /usr/bin/python3 sgemm_torch.py --threads 2 [--sizes ...] [--repeats 7]
"""
import argparse, os, statistics, sys, time
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, required=True)
ap.add_argument("--sizes", default="128,256,512,1024,2048")
ap.add_argument("--repeats", type=int, default=7)
ap.add_argument("--min-time", type=float, default=0.25)
args = ap.parse_args()
# Refuse to run unless numpy calls OpenBLAS (peers/openblas.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy  # noqa: E402
from openblas import require_openblas  # noqa: E402
require_openblas()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

blas = "unknown"
try:
    from threadpoolctl import threadpool_info
    blas = "; ".join(f"{d['internal_api']} {d.get('version') or ''} arch={d.get('architecture', '-')} threads={d['num_threads']}"
                     for d in threadpool_info())
except ImportError:
    pass
print(f"# torch {torch.__version__} get_num_threads={torch.get_num_threads()} "
      f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '<unset>')} pools: {blas}")

for n in [int(s) for s in args.sizes.split(",")]:
    a = torch.randn(n, n); b = torch.randn(n, n); c = torch.empty(n, n)
    flop = 2.0 * n * n * n
    with torch.no_grad():
        torch.mm(a, b, out=c)
        t0 = time.perf_counter(); torch.mm(a, b, out=c); one = time.perf_counter() - t0
        inner = max(1, int(args.min_time / max(one, 1e-6)))
        g = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for _ in range(inner):
                torch.mm(a, b, out=c)
            g.append(flop * inner / (time.perf_counter() - t0) / 1e9)
    err = (c[:4].double() - a[:4].double() @ b.double()).abs().max().item()
    print(f"RESULT torch-mm sgemm n={n} threads={args.threads} min={min(g):.1f} median={statistics.median(g):.1f} "
          f"max={max(g):.1f} GFLOP/s (repeats={args.repeats} x{inner}, maxabs err={err:.1e})")
