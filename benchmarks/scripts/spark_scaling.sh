#!/usr/bin/env bash
# Scaling of fineturn-spark from 1 to 2 executors (local-cluster) and a model of larger clusters.
# Usage: benchmarks/scripts/spark_scaling.sh OUT.md [IMAGES_PER_CLASS] [CORES]
# Environment: MODEL (mobilenet_v2, the default, or resnet18), FROZEN (leading child modules frozen in the
# data-parallel step; ResNet-18: 9 trains the head only, 6 freezes through layer2), PIN=1 (run the
# 1-executor measurement on CPU 0 alone and the 2-executor one on CPUs 0 and 1, with taskset, so that one
# executor cannot borrow the core the second would use: each executor gets one core in both runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:?usage: spark_scaling.sh OUT.md [IMAGES_PER_CLASS] [CORES]}")
per_class="${2:-40}"
cores="${3:-$(nproc)}"
cp_file=$(mktemp)
# One reactor run: the fineturn modules resolve to their target/classes folders; the last module written is fineturn-spark.
./mvnw -B -q -o -pl fineturn-spark -am test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" \
  -Dmdep.includeScope=test
classpath="fineturn-spark/target/test-classes:fineturn-spark/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
props=(-Dfineturn.bench.model="${MODEL:-mobilenet_v2}")
[ -z "${FROZEN:-}" ] || props+=(-Dfineturn.bench.frozen="$FROZEN")
spark_home=$(mktemp -d)
bench() {
  SPARK_HOME="$spark_home" SPARK_TESTING=1 SPARK_SCALA_VERSION=2.13 \
    "$@" "${JAVA_HOME:+$JAVA_HOME/bin/}java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Xmx2g "${props[@]}" -Dlog4j.configurationFile=fineturn-spark/target/test-classes/log4j2.properties \
    -cp "$classpath" dev.fineturn.spark.SparkScalingBenchmark "$out" "$per_class" "$cores"
}
if [ "${PIN:-0}" = 1 ]; then
  command -v taskset >/dev/null || { echo "spark_scaling: PIN=1 needs taskset (util-linux)" >&2; exit 2; }
  single=$(mktemp)
  props+=(-Dfineturn.bench.single="$single")
  (props+=(-Dfineturn.bench.only-single=1); bench taskset -c 0)
  props+=("-Dfineturn.bench.pinning=the 1-executor run (driver and executor) on CPU 0, the 2-executor run on CPUs 0 and 1")
  bench taskset -c 0,1
  rm -f "$single"
else
  bench env
fi
rmdir "$spark_home"
