#!/usr/bin/env bash
# A/B of two builds of the cpu backend in one JVM. Build each with ./mvnw package and keep a copy of
# benchmarks/target/benchmarks.jar, then:
#   benchmarks/ab/ab.sh OLD.jar NEW.jar SECONDS WORKLOAD...
# WORKLOAD: gemm:N, fwd|ffwd|bd|bw:C,K,H,kernel,stride,pad (batch 32; ffwd: the fused inference forward with a
# shift and ReLU), e.g. fwd:64,64,16,3,1,1, or
# step:head|partial|full|inference (a ResNet-18 step at 64x64, batch 32)
# AB_JAVA_OPTS: extra JVM options, e.g. AB_JAVA_OPTS=-Dfineturn.cpu.threads=1
# AB_RUNS: JVMs to run (default 1). One JVM compiles each build's kernels once, and where that code lands
# can make one build a few percent faster than the other for the JVM's lifetime: two copies of the same jar
# have read 0.96-1.07 in one JVM. With AB_RUNS > 1 the builds swap class-loader slots from run to run and
# the summary gives, per workload, the median of the runs' medians and their range.
set -eu
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
here=$(cd "$(dirname "$0")" && pwd)
runs=${AB_RUNS:-1}
old=$1
new=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$JAVA_HOME/bin/javac" -d "$out/workload" -cp "$old" "$here/Workload.java"
"$JAVA_HOME/bin/javac" -d "$out" "$here/AB.java"
for ((r = 1; r <= runs; r++)); do
  if ((r % 2 == 1)); then a=$old b=$new; else a=$new b=$old; fi
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" ${AB_JAVA_OPTS:-} --add-modules jdk.incubator.vector -Dab.classes="$out/workload/" -cp "$out" \
      AB "$a" "$b" "$@" 2>&1 | grep -v -E '^(WARNING|INFO)|Backends select' | tee "$out/run$r.txt"
done
if ((runs > 1)); then
  python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
ratios, old_ms, new_ms = {}, {}, {}
for r in range(1, runs + 1):
    for line in open(f"{out}/run{r}.txt"):
        m = re.match(r"(\S+)\s+A\s+([0-9.]+) ms\s+B\s+([0-9.]+) ms\s+B/A median ([0-9.]+)", line)
        if m:
            # Odd runs load NEW as B; even runs load it as A, so their ratio is inverted.
            a, b, v = float(m.group(2)), float(m.group(3)), float(m.group(4))
            ratios.setdefault(m.group(1), []).append(v if r % 2 == 1 else 1 / v)
            old_ms.setdefault(m.group(1), []).append(a if r % 2 == 1 else b)
            new_ms.setdefault(m.group(1), []).append(b if r % 2 == 1 else a)
print(f"NEW/OLD over {runs} JVMs (builds swapping slots): median of the runs' medians [min max]")
for w, v in ratios.items():
    print(f"{w:24s} {statistics.median(v):.3f} [{min(v):.3f} {max(v):.3f}]  runs: " + " ".join(f"{x:.3f}" for x in v))
for w, v in ratios.items():
    print(f"AB {w} old {statistics.median(old_ms[w]):.2f} ms new {statistics.median(new_ms[w]):.2f} ms "
          f"time new/old median {statistics.median(v):.3f} min {min(v):.3f} max {max(v):.3f} runs {len(v)}")
PY
fi
