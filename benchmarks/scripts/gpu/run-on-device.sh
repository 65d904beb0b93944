#!/usr/bin/env bash
# Runs on a GPU machine from the repository root, with the .device/ bundle of prepare.sh in place; needs only
# the NVIDIA driver (and python3 with torch for the PyTorch figures). The bundle's jlinked JRE is unpacked on
# first use. Every log goes to $OUT (./device-out when unset).
set -u
D=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$PWD/device-out}
mkdir -p "$OUT"
cd "$D"
[ -d jre ] || tar xzf jre.tgz
J="$D/jre/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector"
{ nvidia-smi; date -u; nproc; } > "$OUT/machine.txt" 2>&1
# 1. The tagged CUDA tests: conformance kit, training step without transfers, 1,000-step memory test.
FINETURN_REQUIRE_CUDA=1 timeout 240 $J -jar junit-console.jar execute \
    --class-path "test/cuda:$(ls test/*.jar | tr '\n' ':')benchmarks.jar" \
    --select-package dev.fineturn.cuda --include-tag cuda --details=tree --disable-banner \
    > "$OUT/cuda-tests.txt" 2>&1
echo "cuda tests exit $?" >> "$OUT/cuda-tests.txt"
# 2. fineturn on the GPU: SGEMM 4096, ResNet-18 224x224 batch 64 full and head-only.
BACKEND=${FINETURN_DEVICE_BACKEND:-cuda}
timeout 150 $J -jar benchmarks.jar GemmBenchmark -p backend=$BACKEND -p n=4096 -f 1 -wi 3 -w 1 -i 5 -r 1 \
    -rf json -rff "$OUT/gemm.json" > "$OUT/gemm.txt" 2>&1
timeout 240 $J -jar benchmarks.jar ResNetStepBenchmark -p backend=$BACKEND -p mode=full,head -p size=224 \
    -p batch=64 -f 1 -wi 2 -w 3 -i 3 -r 3 -jvmArgsAppend -Xmx16g -rf json -rff "$OUT/resnet.json" \
    > "$OUT/resnet.txt" 2>&1
# 3. PyTorch on the same GPU, in the same call.
timeout 120 python3 torch_peer.py > "$OUT/torch.txt" 2>&1
grep -hE "^(Gemm|ResNet)|Tests (successful|failed|skipped)|RESULT" "$OUT"/*.txt
