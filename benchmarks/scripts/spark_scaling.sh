#!/usr/bin/env bash
# Scaling of fineturn-spark from 1 to 2 executors (local-cluster) and a model of larger clusters.
# Usage: benchmarks/scripts/spark_scaling.sh OUT.md [IMAGES_PER_CLASS] [CORES]
# Environment: MODEL (mobilenet_v2, the default, or resnet18), FROZEN (leading child modules frozen in the
# data-parallel step; ResNet-18: 9 trains the head only, 6 freezes through layer2).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:?usage: spark_scaling.sh OUT.md [IMAGES_PER_CLASS] [CORES]}")
cp_file=$(mktemp)
# One reactor run: the fineturn modules resolve to their target/classes folders; the last module written is fineturn-spark.
./mvnw -B -q -o -pl fineturn-spark -am test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" \
  -Dmdep.includeScope=test
classpath="fineturn-spark/target/test-classes:fineturn-spark/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
props=(-Dfineturn.bench.model="${MODEL:-mobilenet_v2}")
[ -z "${FROZEN:-}" ] || props+=(-Dfineturn.bench.frozen="$FROZEN")
spark_home=$(mktemp -d)
SPARK_HOME="$spark_home" SPARK_TESTING=1 SPARK_SCALA_VERSION=2.13 \
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g "${props[@]}" \
  -Dlog4j.configurationFile=fineturn-spark/target/test-classes/log4j2.properties \
  -cp "$classpath" dev.fineturn.spark.SparkScalingBenchmark "$out" "${2:-40}" "${3:-$(nproc)}"
rmdir "$spark_home"
