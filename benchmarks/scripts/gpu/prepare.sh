#!/usr/bin/env bash
# Prepares a self-contained bundle for a GPU machine that has no Java, no Maven and no network:
#   .device/jre.tgz            a JDK 25 runtime made here with jlink (java.base, jdk.incubator.vector, ...)
#   .device/benchmarks.jar     every module and its dependencies (JCuda natives included)
#   .device/test/              the CUDA module's test classes and the core conformance kit
#   .device/junit-console.jar  the JUnit Platform console launcher
#   .device/run-on-device.sh, torch_peer.py
# Copy .device/ to the GPU machine's checkout and run `bash .device/run-on-device.sh` from its root.
# Needs a JDK 25 with jlink: JAVA_HOME, else /usr/lib/jvm/temurin-25-jdk-amd64.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=$ROOT/.device
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$JAVA_HOME/bin/jlink" ]; then JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
if [ ! -x "$JAVA_HOME/bin/jlink" ]; then echo "prepare.sh: no jlink in $JAVA_HOME (a JDK 25 is needed)" >&2; exit 1; fi
# The modules the benchmarks, JMH and the JUnit console need.
MODULES=java.base,jdk.incubator.vector,jdk.unsupported,java.logging,java.management,jdk.management,java.xml,\
java.naming,java.sql,java.compiler,jdk.zipfs
cd "$ROOT"
./mvnw -q -B package -DskipTests
rm -rf "$OUT"
mkdir -p "$OUT/test"
runtime=$(mktemp -d)
trap 'rm -rf "$runtime"' EXIT
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-9 --output "$runtime/jre"
strip --strip-unneeded "$runtime/jre/lib/server/libjvm.so" 2>/dev/null || true
tar czf "$OUT/jre.tgz" -C "$runtime" jre
cp benchmarks/target/benchmarks.jar "$OUT/"
cp -r fineturn-backend-cuda/target/test-classes "$OUT/test/cuda"
cp fineturn-conformance/target/fineturn-conformance-*.jar "$OUT/test/"
./mvnw -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
    -DoutputDirectory="$OUT" -Dmdep.stripVersion=true
mv "$OUT/junit-platform-console-standalone.jar" "$OUT/junit-console.jar"
cp benchmarks/scripts/gpu/run-on-device.sh benchmarks/scripts/gpu/torch_peer.py "$OUT/"
du -sh "$OUT"
