#!/usr/bin/env python3
"""Linear probe on pooled backbone features: scikit-learn's multinomial LogisticRegression (lbfgs, L2)
on StandardScaler-ed features, C chosen by stratified 5-fold cross-validation on the training split over
np.logspace(-4, 2, 7), refitted on the whole training split and scored on the test split.

Each of TRAIN and TEST is a feature folder written by tfjs_features.js: features.json ({"shape": [N, F]}),
features.f32 (little-endian float32 [N, F]) and labels.i32 (little-endian int32 [N]).

Usage: probe_sklearn.py TRAIN TEST --dataset NAME [--out JSON]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

C_GRID = np.logspace(-4, 2, 7)


def read_features(folder):
    with open(os.path.join(folder, "features.json")) as f:
        header = json.load(f)
    n, d = header["shape"]
    x = np.fromfile(os.path.join(folder, header.get("features", "features.f32")), dtype="<f4")
    y = np.fromfile(os.path.join(folder, header.get("labels", "labels.i32")), dtype="<i4")
    if x.size != n * d or y.size != n:
        raise SystemExit(f"probe_sklearn: {folder}: {x.size} values / {y.size} labels, header says [{n}, {d}]")
    if not np.all(np.isfinite(x)):
        raise SystemExit(f"probe_sklearn: {folder}: non-finite features")
    return x.reshape(n, d).astype(np.float64), y.astype(np.int64), header


def fit_probe(xtr, ytr, xte, yte, folds):
    """The grid search on the training split, refitted; returns (search, test accuracy, seconds)."""
    t0 = time.perf_counter()
    # lbfgs on more than two classes fits the multinomial (softmax) loss; scikit-learn >= 1.5 deprecates
    # multi_class="multinomial", which names that default, so it is passed only where it is not the default.
    lr_args = dict(solver="lbfgs", penalty="l2", max_iter=5000)
    if tuple(int(v) for v in sklearn.__version__.split(".")[:2]) < (1, 5):
        lr_args["multi_class"] = "multinomial"
    pipe = make_pipeline(StandardScaler(), LogisticRegression(**lr_args))
    search = GridSearchCV(pipe, {"logisticregression__C": C_GRID},
                          cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=0),
                          scoring="accuracy", refit=True, n_jobs=1)
    search.fit(xtr, ytr)
    test_acc = float(search.score(xte, yte))
    secs = time.perf_counter() - t0
    return search, test_acc, secs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("train")
    p.add_argument("test")
    p.add_argument("--dataset", required=True)
    p.add_argument("--out")
    p.add_argument("--folds", type=int, default=5)
    a = p.parse_args()

    xtr, ytr, htr = read_features(a.train)
    xte, yte, _ = read_features(a.test)
    if xtr.shape[1] != xte.shape[1]:
        raise SystemExit(f"probe_sklearn: feature widths differ: {xtr.shape[1]} vs {xte.shape[1]}")

    search, test_acc, secs = fit_probe(xtr, ytr, xte, yte, a.folds)
    best_c = float(search.best_params_["logisticregression__C"])
    result = {
        "dataset": a.dataset,
        "reference": "tfjs-4.22 features + sklearn LogisticRegression",
        "C": best_c,
        "cv_accuracy": round(float(search.best_score_), 6),
        "test_accuracy": round(test_acc, 6),
        "n_train": int(len(ytr)),
        "n_test": int(len(yte)),
        "features": int(xtr.shape[1]),
        "layer": htr.get("layer"),
        "input": htr.get("input"),
        "tfjs": htr.get("tfjs"),
        "sklearn": sklearn.__version__,
        "cv": f"stratified {a.folds}-fold (shuffled, random_state 0), C in logspace(-4, 2, 7), StandardScaler",
        "cv_accuracy_by_C": {f"{c:g}": round(float(s), 6)
                             for c, s in zip(C_GRID, search.cv_results_["mean_test_score"])},
        "probe_seconds": round(secs, 2),
    }
    for c, s in result["cv_accuracy_by_C"].items():
        print(f"  C={c:>7}: cv accuracy {s:.4f}")
    print(f"{a.dataset}: C={best_c:g}, cv accuracy {result['cv_accuracy']:.4f}, "
          f"test accuracy {result['test_accuracy']:.4f} (n_train {result['n_train']}, n_test {result['n_test']}, "
          f"{xtr.shape[1]} features, probe {secs:.1f} s)")
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
