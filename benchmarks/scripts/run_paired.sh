#!/usr/bin/env bash
# The targets of benchmarks/README.md measured pairwise (paired.py): each peer and fineturn take turns on the
# same workload, so both see the same host. Needs benchmarks/target/benchmarks.jar (./mvnw package) and Debian's
# python3 with numpy and torch 1.13 (benchmarks/peers/setup.sh). About 13 minutes with the defaults.
#   benchmarks/scripts/run_paired.sh [ROUNDS] [SECONDS] > paired.log
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-10}
SECONDS_PER_TURN=${2:-2}
PY=/usr/bin/python3
OUT=${OUT:-/tmp}
for t in 1 2; do
  workloads="gemm:512 gemm:1024 gemm:2048 conv:resnet:forward+backward conv:cifar:forward+backward"
  if [ "$t" = 2 ]; then
    workloads="$workloads step:head step:partial step:full step:inference"
  fi
  # shellcheck disable=SC2086
  "$PY" "$ROOT/benchmarks/scripts/paired.py" --threads "$t" --rounds "$ROUNDS" --seconds "$SECONDS_PER_TURN" \
      --json "$OUT/paired-$t.json" $workloads 2>&1 | grep -v -E '^(WARNING|INFO)'
done
