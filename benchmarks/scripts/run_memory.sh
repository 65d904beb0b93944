#!/usr/bin/env bash
# Memory of the ResNet-18 steps (64x64, batch 32; inference, head-only, partial, full) in fineturn and PyTorch:
#   ALLOC step:MODE threads=T BYTES B/step          fineturn's bytes allocated per step: JMH -prof gc,
#                                                   gc.alloc.rate.norm of ResNetStepBenchmark
#   HEAP step:MODE threads=T peak-live X MiB at POINT rest Y MiB
#                                                   fineturn's peak live heap in one step (PeakHeap, SerialGC)
#   RSS step:MODE threads=T PyTorch peak X MiB after-import Y MiB
#                                                   PyTorch's peak RSS (finetune_torch.py, one process per mode;
#                                                   torch 1.13's CPU allocator keeps no statistics)
# Needs benchmarks/target/benchmarks.jar and Debian's python3 with torch 1.13. About 3 minutes.
#   benchmarks/scripts/run_memory.sh > memory.log
set -eu -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/benchmarks/target/benchmarks.jar
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
PY=/usr/bin/python3
OUT=${OUT:-/tmp}
THREADS=${THREADS:-2}
MODES="inference head partial full"
echo "# memory run $(date -u +%FT%TZ) threads=$THREADS; ResNet-18 64x64 batch 32; $("$JAVA" -version 2>&1 | head -1);" \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" -jar "$JAR" ResNetStepBenchmark -p mode=inference,head,partial,full -p threads="$THREADS" \
    -f 1 -wi 2 -w 2 -i 3 -r 2 -prof gc -rf json -rff "$OUT/memory-alloc.json" > "$OUT/memory-jmh.log" 2>&1
"$PY" - "$OUT/memory-alloc.json" <<'PYEOF'
import json, sys
for r in json.load(open(sys.argv[1])):
    m = {k.lstrip("\u00b7"): v for k, v in r["secondaryMetrics"].items()}["gc.alloc.rate.norm"]
    assert m["scoreUnit"] == "B/op", m["scoreUnit"]
    p = r["params"]
    print(f"ALLOC step:{p['mode']} threads={p['threads']} {m['score']:.0f} B/step")
PYEOF
# One JVM per mode: what one mode's model leaves behind (the backend's packs of its constant weights go only at
# the collection after the one that finds their weights unreachable) must not count in the next mode's peak.
for mode in $MODES; do
  "$JAVA" -XX:+UseSerialGC -Xmx4g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$JAR" \
      dev.fineturn.bench.PeakHeap --threads "$THREADS" "$mode" 2>&1 | grep '^HEAP '
done
for mode in $MODES; do
  peer_mode=$mode
  [ "$mode" = inference ] && peer_mode=infer
  OPENBLAS_NUM_THREADS=$THREADS "$PY" "$ROOT/benchmarks/peers/finetune/finetune_torch.py" --mode "$peer_mode" \
      --size 64 --batch 32 --threads "$THREADS" --repeats 1 --min-time 0.5 2>&1 |
    sed -n -E "s/^RESULT .* peakRSS=([0-9]+) MiB \(after import ([0-9]+) MiB\).*/RSS step:$mode threads=$THREADS PyTorch peak \1 MiB after-import \2 MiB/p"
done
