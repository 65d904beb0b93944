#!/usr/bin/env python3
"""SGEMM GFLOP/s through numpy float32 matmul (-> cblas_sgemm of the system BLAS, OpenBLAS after setup.sh).

Thread count is taken from OPENBLAS_NUM_THREADS, which must be set before numpy is imported,
so run one process per thread count (see run_sgemm.sh). Prints one RESULT line per size.
Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 sgemm_numpy.py [--sizes 128,256,...] [--repeats 7]
"""
import argparse, ctypes, os, statistics, sys, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--sizes", default="128,256,512,1024,2048")
ap.add_argument("--repeats", type=int, default=7)
ap.add_argument("--min-time", type=float, default=0.25, help="seconds per timed repeat (inner loop grows to reach it)")
args = ap.parse_args()
# Refuse to run unless numpy calls OpenBLAS (peers/openblas.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy  # noqa: E402
from openblas import require_openblas  # noqa: E402
require_openblas()

# --- which BLAS / kernel is actually loaded ---
info = "unknown"
try:
    from threadpoolctl import threadpool_info
    blas = [d for d in threadpool_info() if d.get("user_api") == "blas"]
    if blas:
        d = blas[0]
        info = f"{d['internal_api']} {d.get('version')} arch={d.get('architecture')} threads={d['num_threads']} lib={d['filepath']}"
        try:
            lib = ctypes.CDLL(d["filepath"])
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info += f" | config='{lib.openblas_get_config().decode()}' core={lib.openblas_get_corename().decode()}"
        except Exception:
            pass
except ImportError:
    pass
threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
print(f"# numpy {np.__version__}; BLAS: {info}")
print(f"# OPENBLAS_NUM_THREADS={threads} OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '<unset>')} "
      f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '<unset>')}")

rng = np.random.default_rng(0)
for n in [int(s) for s in args.sizes.split(",")]:
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    flop = 2.0 * n * n * n
    np.matmul(a, b, out=c)  # warm-up
    t0 = time.perf_counter(); np.matmul(a, b, out=c); one = time.perf_counter() - t0
    inner = max(1, int(args.min_time / max(one, 1e-6)))
    g = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(a, b, out=c)
        g.append(flop * inner / (time.perf_counter() - t0) / 1e9)
    ref = a[:4].astype(np.float64) @ b.astype(np.float64)
    err = float(np.max(np.abs(c[:4] - ref)))
    print(f"RESULT numpy-openblas sgemm n={n} threads={threads} min={min(g):.1f} median={statistics.median(g):.1f} "
          f"max={max(g):.1f} GFLOP/s (repeats={args.repeats} x{inner}, maxabs err={err:.1e})")
