#!/usr/bin/env python3
"""Gathers one data set's `fineturn finetune --json` runs (written by run_quality.sh into RUNS: per strategy
TAG.out, the CLI's stdout whose JSON line holds accuracy, epochs, seconds; TAG.err; TAG.meta.json with the
exit code and wall time) into results/<dataset>-fineturn.json.

Usage: collect_fineturn.py --dataset NAME --runs RUNS --out JSON --strategies "features head ..." [...]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def last_json_line(path):
    try:
        with open(path) as f:
            lines = [l for l in f.read().splitlines() if l.startswith("{")]
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            continue
    return None


def error_line(path):
    try:
        with open(path) as f:
            lines = [l.strip() for l in f.read().splitlines()
                     if l.strip() and not l.startswith("WARNING: Using incubator modules")]
    except FileNotFoundError:
        return None
    # the first line that names an exception or an error is usually the telling one; else the last line
    for l in lines:
        if "Exception" in l or "Error" in l or l.lower().startswith("error"):
            return l
    return lines[-1] if lines else None


def git(*args):
    try:
        return subprocess.run(["git", "-C", HERE, *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", required=True)
    p.add_argument("--runs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--strategies", required=True)
    p.add_argument("--model", default="bundled:mobilenet_v2")
    p.add_argument("--cut", default="block_13_expand_relu")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--partial-k", help="K of partial:K, a block count or the last frozen module's name")
    p.add_argument("--frozen-until")
    p.add_argument("--source")
    p.add_argument("--extra-args", default="", help="the FINETURN_ARGS every run got, if any")
    a = p.parse_args()

    runs = {}
    for s in a.strategies.split():
        tag = s.replace(":", "-")
        with open(os.path.join(a.runs, tag + ".meta.json")) as f:
            meta = json.load(f)
        r = {"strategy_arg": s, "exit_code": meta["exit_code"], "wall_seconds": round(meta["wall_ms"] / 1000, 1)}
        out = last_json_line(os.path.join(a.runs, tag + ".out"))
        if meta["exit_code"] == 0 and out is not None:
            r.update({"strategy": out.get("strategy"), "accuracy": out.get("accuracy"), "top5": out.get("top5"),
                      "loss": out.get("loss"), "epochs": out.get("epochs"),
                      "seconds": round(out["seconds"], 1) if out.get("seconds") is not None else None})
            if out.get("escalated_from"):
                r["escalated_from"] = out["escalated_from"]
        else:
            r["error"] = error_line(os.path.join(a.runs, tag + ".err")) or "no JSON result line"
        arch = os.path.join(a.runs, tag, "model", "architecture.json")
        if os.path.exists(arch):
            with open(arch) as f:
                recipe = json.load(f)
            r["preprocess"] = recipe.get("preprocess")
            r["cut"] = recipe.get("cut")
        key = "partial" if s.startswith("partial") else s
        runs[key] = r

    source = None
    if a.source and os.path.exists(a.source):
        with open(a.source) as f:
            source = json.load(f)
    result = {
        "dataset": a.dataset,
        "fineturn": "fineturn finetune --json, each strategy with its defaults, one process each",
        "extra_args": a.extra_args,
        "model": a.model,
        "cut": a.cut,
        "size": a.size,
        "partial_k": int(a.partial_k) if a.partial_k and a.partial_k.isdigit() else a.partial_k,
        "partial_frozen_until": a.frozen_until,
        "n_train": source["train"]["n"] if source else None,
        "n_test": source["test"]["n"] if source else None,
        "data_source": source["source"] if source else None,
        "commit": git("rev-parse", "--short", "HEAD"),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": runs,
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    for k, r in runs.items():
        acc = f"{r['accuracy']:.4f}" if r.get("accuracy") is not None else "FAILED: " + r.get("error", "")
        print(f"{a.dataset} {k:>8}: {acc}  ({r.get('strategy', '-')}, {r.get('epochs', '-')} epochs, "
              f"{r['wall_seconds']} s wall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
