#!/usr/bin/env bash
# Regenerates the committed PTX from src/main/cuda/kernels.cu, which includes the kernels shared with
# OpenCL (../kernels). Needs nvcc (CUDA 12 or newer).
# The PTX targets compute_80 so that any Ampere-or-newer driver can JIT it.
set -euo pipefail
cd "$(dirname "$0")"
nvcc -ptx -arch=compute_80 -o src/main/resources/dev/fineturn/cuda/kernels.ptx src/main/cuda/kernels.cu
echo "wrote src/main/resources/dev/fineturn/cuda/kernels.ptx"
