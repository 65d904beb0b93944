#!/usr/bin/env bash
# Reference accuracy of the bundled MobileNetV2 backbone on one data set: TF.js 4.22 pooled features at
# block_13_expand_relu for DATA_DIR/train and DATA_DIR/test, then scikit-learn's logistic-regression probe.
#
# Usage: run_reference.sh DATA_DIR OUT_JSON
# Environment: PYTHON (default: /usr/bin/python3 if it has scikit-learn, else python3),
#              BATCH (feature batch size, default 32),
#              FEATURES_DIR (keep the feature folders there; default: a temporary folder, removed at the end).
# Needs node >= 18 with npm (first run: the npm registry, for @tensorflow/tfjs) and python3 with
# numpy + scikit-learn (Debian: python3-sklearn).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "run_reference: $*" >&2; exit 2; }

[ $# -eq 2 ] || { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
data="$1"
out="$2"
[ -d "$data/train" ] && [ -d "$data/test" ] || die "$data must hold train/ and test/ (images.f32, labels.i32, meta.json)"

command -v node >/dev/null 2>&1 || die "node not found (need Node.js >= 18 with npm)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 18 ] || die "node $(node --version) is too old (need >= 18)"

if [ -z "${PYTHON:-}" ]; then
  for candidate in /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import numpy, sklearn' >/dev/null 2>&1; then
      PYTHON="$candidate"
      break
    fi
  done
  [ -n "${PYTHON:-}" ] || die "no python3 with numpy and scikit-learn (Debian: apt-get install python3-sklearn)"
else
  "$PYTHON" -c 'import numpy, sklearn' >/dev/null 2>&1 || die "$PYTHON lacks numpy or scikit-learn"
fi

if [ ! -f "$here/node_modules/@tensorflow/tfjs/package.json" ]; then
  command -v npm >/dev/null 2>&1 || die "npm not found (needed once to install @tensorflow/tfjs)"
  echo "run_reference: installing @tensorflow/tfjs into $here/node_modules" >&2
  (cd "$here" && npm ci --no-audit --no-fund >&2) || die "npm ci failed (is the npm registry reachable?)"
fi

if [ -n "${FEATURES_DIR:-}" ]; then
  feats="$FEATURES_DIR"
  mkdir -p "$feats"
else
  feats="$(mktemp -d)"
  trap 'rm -rf "$feats"' EXIT
fi

name="$(basename "$(cd "$data" && pwd)")"
start=$(date +%s)
for split in train test; do
  node "$here/tfjs_features.js" --data "$data/$split" --out "$feats/$split" --batch "${BATCH:-32}"
done
"$PYTHON" "$here/probe_sklearn.py" "$feats/train" "$feats/test" --dataset "$name" --out "$out"
echo "run_reference: $name done in $(( $(date +%s) - start )) s -> $out"
