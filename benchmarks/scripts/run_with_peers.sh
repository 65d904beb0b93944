#!/usr/bin/env bash
# One run on this machine: each family of benchmarks right after the same family of the peers (PyTorch 1.13,
# numpy/OpenBLAS), so a peer's figure and fineturn's are minutes apart, not the length of the whole run.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=$ROOT/benchmarks/peers
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=$ROOT/benchmarks/target/benchmarks.jar
COMMON="-f 1 -wi 2 -w 1 -i 3 -r 2 -foe false"
cd "$PEERS"
source "$PEERS/env.sh"
echo "### peers sgemm $(date -u +%FT%TZ)"
REPEATS=3 bash sgemm/run_sgemm.sh
echo "### fineturn gemm $(date -u +%FT%TZ)"
machine_probe
$J --add-modules jdk.incubator.vector -jar $JAR GemmBenchmark -p backend=cpu,opencl -p n=128,256,512,1024,2048 -p threads=1,2 $COMMON -rf json -rff /tmp/bench-gemm.json 2>&1 | grep -E "^Gemm|^Benchmark"
$J --add-modules jdk.incubator.vector -jar $JAR GemmBenchmark -p backend=reference -p n=128,256 -p threads=1 $COMMON -rf json -rff /tmp/bench-gemm-ref.json 2>&1 | grep -E "^Gemm"
$J --add-modules jdk.incubator.vector -jar $JAR GemmBenchmark -p backend=opencl -p n=128,256 -p threads=2 -p queue=8 $COMMON -rf json -rff /tmp/bench-gemm-queued.json 2>&1 | grep -E "^Gemm"
echo "### peers conv $(date -u +%FT%TZ)"
cd "$PEERS"
REPEATS=3 bash conv/run_conv.sh
echo "### fineturn conv $(date -u +%FT%TZ)"
machine_probe
# The large layers need a few seconds of warm-up before C2 has compiled every path (1 s left their first iterations 20-40% slow).
$J --add-modules jdk.incubator.vector -jar $JAR ConvBenchmark -p backend=cpu,opencl -p threads=1,2 -f 1 -wi 3 -w 2 -i 3 -r 2 -foe false -rf json -rff /tmp/bench-conv.json 2>&1 | grep -E "^Conv|^Benchmark"
echo "### peers finetune $(date -u +%FT%TZ)"
cd "$PEERS"
REPEATS=3 SIZES=64 bash finetune/run_finetune.sh
echo "### fineturn resnet $(date -u +%FT%TZ)"
machine_probe
$J --add-modules jdk.incubator.vector -jar $JAR ResNetStepBenchmark -p backend=cpu,opencl -p threads=2 -f 1 -wi 1 -w 5 -i 5 -r 3 -foe false -rf json -rff /tmp/bench-resnet.json 2>&1 | grep -E "^ResNet|^Benchmark"
echo "### done $(date -u +%FT%TZ)"
