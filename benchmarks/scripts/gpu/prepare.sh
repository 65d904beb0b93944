#!/usr/bin/env bash
# Prepares the one-run bundle for the GPU machine (no Java, no Maven, no network there):
#   .device/jre.tgz            jlinked JDK 25 (../shared/device/make-jre.sh)
#   .device/benchmarks.jar     every module and its dependencies (JCuda natives included)
#   .device/test/              the CUDA module's test classes and the core conformance kit
#   .device/junit-console.jar  the JUnit Platform console launcher
#   .device/run-on-device.sh, torch_peer.py
# Then, with the device tool: run(command="bash .device/run-on-device.sh", carry=[".device"]).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=$ROOT/.device
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$JAVA_HOME/bin/jlink" ]; then JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
cd "$ROOT"
./mvnw -q -B install -DskipTests
rm -rf "$OUT"
mkdir -p "$OUT/test"
bash "$ROOT/../shared/device/make-jre.sh" "$OUT/jre.tgz" java.management,jdk.management,java.xml,java.naming,java.sql,java.compiler,jdk.zipfs
cp benchmarks/target/benchmarks.jar "$OUT/"
cp -r fineturn-backend-cuda/target/test-classes "$OUT/test/cuda"
cp fineturn-core/target/fineturn-core-*-tests.jar "$OUT/test/"
./mvnw -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
    -DoutputDirectory="$OUT" -Dmdep.stripVersion=true
mv "$OUT/junit-platform-console-standalone.jar" "$OUT/junit-console.jar"
cp benchmarks/scripts/gpu/run-on-device.sh benchmarks/scripts/gpu/torch_peer.py "$OUT/"
du -sh "$OUT"
