# Sourced by the run_*.sh scripts. Common settings for the peer benchmarks.
# Debian's python3, which has python3-torch, numpy and threadpoolctl (setup.sh); another python3 on PATH may not.
PY=${PY:-/usr/bin/python3}
REPEATS=${REPEATS:-7}
PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=${BUILD_DIR:-/tmp/peers-build}
mkdir -p "$BUILD_DIR"
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set, are dropped for the benchmark commands only, so that
# OpenBLAS detects the core itself.
BENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

# Quick look at the machine's state right now: 2-thread FMA peak, 3 repeats (a shared host moves from minute to minute).
machine_probe() {
  if [ ! -x "$BUILD_DIR/fma_peak" ]; then
    gcc -O3 -mavx2 -mfma -fopenmp "$PEERS_DIR/peak/fma_peak.c" -o "$BUILD_DIR/fma_peak"
  fi
  echo "# machine probe $(date +%T) load=$(cut -d' ' -f1-3 /proc/loadavg): $("$BUILD_DIR/fma_peak" 2 3 | grep RESULT)"
}
