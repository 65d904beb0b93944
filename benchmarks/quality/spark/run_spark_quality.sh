#!/usr/bin/env bash
# Data-parallel fine-tuning on Spark against the local trainer: the same command, the same images, the
# same recipe, scored on the same test images.
#
# Usage: run_spark_quality.sh [DATASET [STRATEGY...]]
#   DATASET   fashion (default), mnist or digits: the IDX files run_quality.sh prepares under work/idx/,
#             written once as PNG class folders under work/png/ (Spark reads image folders)
#   STRATEGY  default: partial:98 full
# Environment: MASTER (default local[2]), WRAP (a command prefix for every heavy step, e.g. "flock LOCKFILE").
# Each strategy runs `fineturn finetune` locally and with --spark MASTER; the Spark run's batch size per
# worker is the local batch size divided by the workers, so both take steps of the same global batch.
# Results: results/spark/DATASET-STRATEGY.json; summarize.py puts them into RESULTS.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
quality="$(cd "$here/.." && pwd)"
root="$(cd "$quality/../.." && pwd)"
ds="${1:-fashion}"
shift || true
strategies=("$@")
[ "${#strategies[@]}" -gt 0 ] || strategies=(partial:98 full)
master="${MASTER:-local[2]}"
workers="$(sed -n 's/^local\[\([0-9]*\)\]$/\1/p' <<< "$master")"
[ -n "$workers" ] || { echo "run_spark_quality: MASTER must be local[N] here, got $master" >&2; exit 2; }
batch=32
[ $((batch % workers)) = 0 ] || { echo "run_spark_quality: $workers workers do not divide the batch of $batch" >&2; exit 2; }
wrap=(${WRAP:-})
idx="$quality/work/idx/$ds"
png="$quality/work/png/$ds"
runs="$quality/work/runs/spark/$ds"
out_dir="$quality/results/spark"
[ -d "$idx/train" ] || { echo "run_spark_quality: no $idx; run run_quality.sh --fineturn-only $ds first" >&2; exit 2; }
if [ ! -d "$png/test" ]; then
  for split in train test; do
    images=$(ls "$idx/$split"/*images*) labels=$(ls "$idx/$split"/*labels*)
    python3 "$here/idx_to_png.py" "$images" "$labels" "$png/$split.tmp"
    mv "$png/$split.tmp" "$png/$split"
  done
fi
cp_file=$(mktemp)
(cd "$root" && "${wrap[@]}" ./mvnw -B -q -o -pl fineturn-spark -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test)
classpath="$root/fineturn-spark/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
java_bin="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
spark_cli=("$java_bin" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow -Xmx3g
  -Dlog4j.configurationFile="$root/fineturn-spark/src/test/resources/log4j2.properties"
  -cp "$classpath" dev.fineturn.cli.Main)
common=(--model bundled:mobilenet_v2 --cut block_13_expand_relu --size 64 --json --quiet)
mkdir -p "$runs" "$out_dir"
for s in "${strategies[@]}"; do
  tag="${s//:/-}"
  rm -rf "$runs/local-$tag" "$runs/spark-$tag"
  t0=$(date +%s%N)
  "${wrap[@]}" "$root/fineturn" finetune "${common[@]}" --data "$png/train" --test-data "$png/test" --strategy "$s" \
    --batch-size "$batch" --out "$runs/local-$tag" > "$runs/local-$tag.out" 2> "$runs/local-$tag.err"
  t1=$(date +%s%N)
  "${wrap[@]}" "${spark_cli[@]}" finetune "${common[@]}" --spark "$master" --data "$png/train" --strategy "$s" --batch-size $((batch / workers)) \
    --out "$runs/spark-$tag" > "$runs/spark-$tag.out" 2> "$runs/spark-$tag.err"
  t2=$(date +%s%N)
  "${wrap[@]}" "$root/fineturn" evaluate --model "$runs/spark-$tag/model" --data "$png/test" --json --quiet \
    > "$runs/spark-$tag.test.out" 2> "$runs/spark-$tag.test.err"
  python3 - "$ds" "$s" "$master" "$workers" "$batch" "$runs/local-$tag.out" "$runs/spark-$tag.out" \
    "$runs/spark-$tag.test.out" $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) "$out_dir/$ds-$tag.json" <<'PY'
import json, subprocess, sys, datetime
ds, s, master, workers, batch, local_out, spark_out, test_out, local_ms, spark_ms, out = sys.argv[1:]
def last_json(path):
    lines = [l for l in open(path) if l.startswith("{")]
    if not lines:
        raise SystemExit(f"run_spark_quality: no JSON line in {path}")
    return json.loads(lines[-1])
local, spark, test = last_json(local_out), last_json(spark_out), last_json(test_out)
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
result = {
    "dataset": ds, "strategy": s, "master": master, "workers": int(workers), "global_batch": int(batch),
    "local": {"test_accuracy": local.get("accuracy"), "epochs": local.get("epochs"), "wall_ms": int(local_ms)},
    "spark": {"test_accuracy": test.get("accuracy"), "validation_accuracy": spark.get("accuracy"),
              "epochs": spark.get("epochs"), "weights_from_epoch": spark.get("weights_from_epoch"),
              "optimizer": spark.get("optimizer"), "augment": spark.get("augment"),
              "head_refit": spark.get("head_refit"), "wall_ms": int(spark_ms)},
    "commit": commit, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
}
json.dump(result, open(out, "w"), indent=2)
print(json.dumps(result))
PY
done
