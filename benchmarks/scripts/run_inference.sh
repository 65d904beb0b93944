#!/usr/bin/env bash
# Inference against the peers, measured pairwise (paired.py) on 2 threads, 64x64, batch 32: fineturn's fused
# no-grad inference next to PyTorch (torchvision's resnet18 and mobilenet_v2, random weights) and next to ONNX
# Runtime on fineturn's ONNX export of the same model; fineturn's feature extraction (the backbone to the pooled
# features) next to ONNX Runtime's inference. Needs benchmarks/target/benchmarks.jar (./mvnw package) and
# Debian's python3 with numpy and torch 1.13 (benchmarks/peers/setup.sh). About 4 minutes with the defaults.
#   benchmarks/scripts/run_inference.sh [ROUNDS] [SECONDS] > inference.log
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-5}
SECONDS_PER_TURN=${2:-2}
PY=/usr/bin/python3
OUT=${OUT:-/tmp}
"$PY" "$ROOT/benchmarks/scripts/paired.py" --threads 2 --rounds "$ROUNDS" --seconds "$SECONDS_PER_TURN" \
    --json "$OUT/paired-inference.json" infer:resnet18 infer:mobilenet_v2 ort:inference:resnet18 \
    ort:features:resnet18 ort:inference:mobilenet_v2 ort:features:mobilenet_v2 2>&1 | grep -v -E '^(WARNING|INFO)'
