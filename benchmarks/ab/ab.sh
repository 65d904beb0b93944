#!/usr/bin/env bash
# A/B of two builds of the cpu backend in one JVM. Build each with ./mvnw install and keep a copy of
# benchmarks/target/benchmarks.jar, then:
#   benchmarks/ab/ab.sh OLD.jar NEW.jar SECONDS WORKLOAD...
# WORKLOAD: gemm:N, fwd|bd|bw:C,K,H,kernel,stride,pad (batch 32), e.g. fwd:64,64,16,3,1,1, or
# step:head|partial|full|inference (a ResNet-18 step at 64x64, batch 32)
# AB_JAVA_OPTS: extra JVM options, e.g. AB_JAVA_OPTS=-Dfineturn.cpu.threads=1
set -eu
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
"$JAVA_HOME/bin/javac" -d "$out/workload" -cp "$1" "$here/Workload.java"
"$JAVA_HOME/bin/javac" -d "$out" "$here/AB.java"
"$JAVA_HOME/bin/java" ${AB_JAVA_OPTS:-} --add-modules jdk.incubator.vector -Dab.classes="$out/workload/" -cp "$out" AB "$@" 2>&1 \
    | grep -v -E '^(WARNING|INFO)|Backends select'
rm -rf "$out"
