#!/usr/bin/env bash
# B. SGEMM GFLOP/s, n = 128..2048, 1 and 2 threads: numpy->OpenBLAS, torch.mm (->OpenBLAS), pure Java (JDK 25).
# Optional: SIZES=128,256 JAVA_KERNELS=vec ./run_sgemm.sh
set -euo pipefail
source "$(dirname "$0")/../env.sh"
SIZES=${SIZES:-128,256,512,1024,2048}
for t in 1 2; do
  machine_probe
  "${BENV[@]}" OPENBLAS_NUM_THREADS=$t "$PY" "$PEERS_DIR/sgemm/sgemm_numpy.py" --sizes "$SIZES" --repeats "$REPEATS"
  "${BENV[@]}" OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t "$PY" "$PEERS_DIR/sgemm/sgemm_torch.py" --threads $t --sizes "$SIZES" --repeats "$REPEATS"
done
