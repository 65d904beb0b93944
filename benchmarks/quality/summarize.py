#!/usr/bin/env python3
"""Writes RESULTS.md from the result files in results/: <dataset>-reference.json (run_reference.sh: TF.js 4.22
features + scikit-learn logistic regression), <dataset>-torch.json (reference/torch_finetune.py: the same
backbone fine-tuned in PyTorch by the Keras transfer-learning guide's recipe) and <dataset>-fineturn.json
(collect_fineturn.py: fineturn's strategies through its CLI). A missing file gives "-" cells.

Targets, each met / not met per data set:
  features      fineturn's features strategy >= reference - 1 point
  fine-tuning   best fine-tuned (partial, full) >= features
  auto          auto >= best strategy (features, head, partial, full) - 1 point
  PyTorch       each of fineturn's head, partial, full >= the PyTorch recipe's - 1 point

With results/resnet18/ (run_quality.sh --backbone resnet18: pretrain.json, <dataset>-torch.json from
reference/torchvision_reference.py and <dataset>-fineturn.json) a second section compares fineturn with PyTorch
on a torchvision ResNet-18: the same weights, images and split, the PyTorch linear probe and recipe.

Usage: summarize.py [--results DIR] [--out FILE]
"""
import argparse
import datetime
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["fashion", "mnist", "digits"]
STRATEGIES = ["features", "head", "partial", "full", "auto"]
POINT = 0.01


def load(pattern):
    out = {}
    for path in sorted(glob.glob(pattern)):
        with open(path) as f:
            d = json.load(f)
        out[d["dataset"]] = d
    return out


def git(*args):
    try:
        return subprocess.run(["git", "-C", HERE, *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Model name")), "unknown")
    except (OSError, subprocess.CalledProcessError):
        model = "unknown"
    return f"{model}, {os.cpu_count()} CPUs visible"


def acc(r):
    return r.get("accuracy") if r else None


def fmt(v):
    return f"{v:.3f}" if v is not None else "-"


def auto_pick(run):
    """What auto trained: its strategy, and the advised one it escalated from when the fit unfroze more."""
    pick = run.get("strategy")
    if pick and run.get("escalated_from"):
        return f"{pick} after {run['escalated_from']}"
    return pick


def target(ok, detail):
    if ok is None:
        return "n/a" + (f" ({detail})" if detail else "")
    return ("met" if ok else "**not met**") + f" ({detail})"


def resnet18_section(folder):
    """The torchvision ResNet-18 comparison: PyTorch's probe and recipe against fineturn's strategies."""
    torch_refs = load(os.path.join(folder, "*-torch.json"))
    fts = load(os.path.join(folder, "*-fineturn.json"))
    if not torch_refs and not fts:
        return []
    pretrain = {}
    if os.path.exists(os.path.join(folder, "pretrain.json")):
        with open(os.path.join(folder, "pretrain.json")) as f:
            pretrain = json.load(f)
    names = [n for n in ORDER if n in torch_refs or n in fts]
    lines = [
        "",
        "## A torchvision architecture: ResNet-18, the same weights in PyTorch and fineturn",
        "",
        "`torchvision.models.resnet18`, pretrained on MNIST by `reference/torchvision_pretrain.py` "
        + (f"({pretrain.get('train_images')} images, {pretrain.get('epochs')} epochs, {pretrain.get('size')}x"
           f"{pretrain.get('size')}, MNIST test accuracy {pretrain.get('mnist_test_accuracy_2000')} on 2,000 images; "
           f"`.pth` SHA-256 {str(pretrain.get('sha256'))[:12]}...)" if pretrain else "")
        + ", no torchvision download being at hand. fineturn loads it as `--model resnet18 --weights FILE` "
        "and preprocesses with ImageNet's mean and std, as for any torchvision weights; PyTorch "
        "(`reference/torchvision_reference.py`) feeds the same 32x32 images, normalised the same way. Reference "
        "probe: the pooled 512 features, StandardScaler and LogisticRegression with C by stratified 5-fold CV. "
        "Reference fine-tuning: the Keras guide's recipe as above, partial training `layer3`, `layer4` and the head "
        "(fineturn: `partial:layer2`). Test accuracy, PyTorch / fineturn (difference in points).",
        "",
        "| data set | train / test | probe / features | head | partial:layer2 | full | auto (pick) "
        "| features >= probe - 1 pt | fineturn >= PyTorch - 1 pt | best fine-tuned >= features where PyTorch's does "
        "| auto within 1 pt of best |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n in names:
        t = torch_refs.get(n, {})
        ft = fts.get(n, {})
        runs = ft.get("runs", {})
        a_ = {s: acc(runs.get(s)) for s in STRATEGIES}
        probe = t.get("probe", {}).get("test_accuracy")
        cells = [f"{t.get('n_train', ft.get('n_train'))} / {t.get('n_test', ft.get('n_test'))}"]
        gap = (a_["features"] - probe) * 100 if probe is not None and a_["features"] is not None else None
        cells.append(f"{fmt(probe)} / {fmt(a_['features'])}" + (f" ({gap:+.1f})" if gap is not None else ""))
        oks = []
        for s_ in ("head", "partial", "full"):
            ref_v = t.get("strategies", {}).get(s_, {}).get("test_accuracy")
            ft_v = a_[s_]
            if ref_v is None or ft_v is None:
                cells.append(f"{fmt(ref_v)} / {fmt(ft_v)}")
                continue
            d = (ft_v - ref_v) * 100
            oks.append(d >= -1.0 - 1e-9)
            cells.append(f"{fmt(ref_v)} / {fmt(ft_v)} ({d:+.1f})")
        pick = auto_pick(runs.get("auto", {}))
        cells.append(fmt(a_["auto"]) + (f" ({pick})" if pick else ""))
        cells.append(target(None if gap is None else gap >= -1.0 - 1e-9, f"{gap:+.1f} pts" if gap is not None else ""))
        cells.append(target(all(oks) if oks else None, f"{sum(oks)} of {len(oks)}"))
        ref_tuned = [t.get("strategies", {}).get(s_, {}).get("test_accuracy") for s_ in ("partial", "full")]
        ref_tuned = [v for v in ref_tuned if v is not None]
        tuned = [v for v in (a_["partial"], a_["full"]) if v is not None]
        if ref_tuned and probe is not None and max(ref_tuned) <= probe:
            cells.append(f"n/a (PyTorch's best fine-tune {fmt(max(ref_tuned))} <= its probe {fmt(probe)})")
        else:
            cells.append(target(None if not tuned or a_["features"] is None else max(tuned) >= a_["features"],
                                f"{fmt(max(tuned)) if tuned else '-'} vs {fmt(a_['features'])}"))
        done = [v for s_, v in a_.items() if s_ != "auto" and v is not None]
        best = max(done) if done else None
        cells.append(target(None if best is None or a_["auto"] is None else a_["auto"] >= best - POINT - 1e-9,
                            f"{(a_['auto'] - best) * 100:+.1f} pts" if best is not None and a_["auto"] is not None
                            else ""))
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines += ["", "Seconds, PyTorch (probe, head, partial, full; best epoch / epochs run) and fineturn (training / "
              "wall; epochs): " + "; ".join(
                  f"{n}: PyTorch probe {torch_refs[n]['probe']['seconds']:.0f} s, " + ", ".join(
                      f"{s_} {v['seconds']:.0f} s ({v['best_epoch']}/{v['epochs']} ep)"
                      for s_, v in torch_refs[n]["strategies"].items())
                  + "; fineturn " + ", ".join(
                      f"{s_} {r['seconds']} / {r['wall_seconds']} s ({r['epochs']} ep)"
                      for s_, r in fts.get(n, {}).get("runs", {}).items() if not r.get("error"))
                  for n in names if n in torch_refs) + "."]
    versions = sorted({t["reference"] for t in torch_refs.values() if t.get("reference")})
    if versions:
        lines += ["", f"Reference: {', '.join(versions)}; fineturn runs at "
                  f"{', '.join(sorted({f.get('commit') for f in fts.values() if f.get('commit')})) or '-'}."]
    return lines


def spark_section(folder):
    """Data-parallel fine-tuning on Spark against the same command run locally (spark/run_spark_quality.sh)."""
    runs = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as f:
            runs.append(json.load(f))
    if not runs:
        return []
    runs.sort(key=lambda r: (ORDER.index(r["dataset"]) if r["dataset"] in ORDER else 99, r["strategy"]))
    lines = [
        "",
        "## Data-parallel fine-tuning on Spark against the local trainer",
        "",
        "`spark/run_spark_quality.sh`: the same `fineturn finetune` (bundled MobileNetV2 cut at "
        "`block_13_expand_relu`, 64x64, the data set's training images as PNG class folders, every option at its "
        "default: the local recipe with augmentation) run locally and with `--spark MASTER`, the Spark run's batch "
        "per worker the local batch divided by the workers, so both take steps of the same global batch. Test "
        "accuracy on the data set's test images (the Spark model scored by `fineturn evaluate`); target: Spark "
        "within 1 point of local (one test image is 1/n of a point: differences of a few images are the draw "
        "of the shards and augmentation).",
        "",
        "| data set | strategy | master | global batch | local | Spark | Spark - local | Spark epochs (weights from) "
        "| head refit | local / Spark wall s | Spark within 1 pt |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for r in runs:
        lo, sp = r["local"].get("test_accuracy"), r["spark"].get("test_accuracy")
        diff = (sp - lo) / POINT if lo is not None and sp is not None else None
        refit = r["spark"].get("head_refit") or {}
        refit_text = f"{refit.get('features')} (C {refit.get('c'):g})" if refit.get("features") else "-"
        lines.append(
            f"| {r['dataset']} | {r['strategy']} | {r['master']} | {r['global_batch']} | {fmt(lo)} | {fmt(sp)} | "
            + (f"{diff:+.1f} pts" if diff is not None else "-")
            + f" | {r['spark'].get('epochs')} ({r['spark'].get('weights_from_epoch')}) | {refit_text} | "
            f"{r['local']['wall_ms'] / 1000:.0f} / {r['spark']['wall_ms'] / 1000:.0f} | "
            + target(None if diff is None else diff >= -1, f"{diff:+.1f} pts" if diff is not None else "")
            + " |")
    commits = sorted({r.get("commit") for r in runs if r.get("commit")})
    dates = sorted({r.get("date") for r in runs if r.get("date")})
    lines += ["", f"Runs at {', '.join(commits)} ({', '.join(dates)}). Spark epochs: run (1-based epoch kept, "
              "0: the MLlib start)."]
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--results", default=os.path.join(HERE, "results"))
    p.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    a = p.parse_args()

    refs = load(os.path.join(a.results, "*-reference.json"))
    fts = load(os.path.join(a.results, "*-fineturn.json"))
    torch_refs = load(os.path.join(a.results, "*-torch.json"))
    names = [n for n in ORDER if n in refs or n in fts] + sorted((set(refs) | set(fts)) - set(ORDER))

    pre = sorted({r.get("preprocess") for f in fts.values() for r in f["runs"].values() if r.get("preprocess")})
    partial_k = next((f.get("partial_k") for f in fts.values() if f.get("partial_k")), None)
    partial_col = f"partial:{partial_k}" if partial_k else "partial"
    lines = [
        "# Transfer-learning quality: results",
        "",
        "Generated by `summarize.py` from `results/*.json` (see README.md); do not edit by hand.",
        "",
        "Bundled MobileNetV2 cut at `block_13_expand_relu`, 64x64 inputs (grey repeated to RGB, bilinear resize, "
        "pixels in [0, 1]), the same images on both sides"
        + (f" (fineturn's model folders record the preprocessing `{pre[0]}`)" if len(pre) == 1 else "") + ". Test accuracy on each data set's held-out split.",
        "",
        f"| data set | train / test | reference probe (TF.js + sklearn) | features | head | {partial_col} | full "
        "| auto (pick) | features - reference | features >= ref - 1 pt | best fine-tuned >= features "
        "| auto within 1 pt of best |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    failures = []
    for n in names:
        ref = refs.get(n)
        ft = fts.get(n)
        runs = ft["runs"] if ft else {}
        ref_acc = ref["test_accuracy"] if ref else None
        a_ = {s: acc(runs.get(s)) for s in STRATEGIES}
        for s, r in runs.items():
            if r.get("error"):
                failures.append(f"- {n}, `{r['strategy_arg']}`: exit {r['exit_code']}: `{r['error']}`")
        sizes = (f"{ref['n_train']} / {ref['n_test']}" if ref
                 else f"{ft.get('n_train')} / {ft.get('n_test')}" if ft else "-")
        gap = (a_["features"] - ref_acc) * 100 if a_["features"] is not None and ref_acc is not None else None
        t1 = target(None if gap is None else gap >= -1.0 - 1e-9, f"{gap:+.1f} pts" if gap is not None else "")
        tuned = [v for v in (a_["partial"], a_["full"]) if v is not None]
        best_tuned = max(tuned) if tuned else None
        t2 = target(None if best_tuned is None or a_["features"] is None else best_tuned >= a_["features"],
                    f"{fmt(best_tuned)} vs {fmt(a_['features'])}" if best_tuned is not None else "")
        ref_tuned = [v.get("test_accuracy") for k, v in torch_refs.get(n, {}).get("strategies", {}).items()
                     if k in ("partial", "full") and v.get("test_accuracy") is not None]
        if t2.startswith("**not met**") and ref_tuned and ref_acc is not None and max(ref_tuned) <= ref_acc:
            t2 = (f"n/a: PyTorch's best fine-tune {fmt(max(ref_tuned))} <= the probe {fmt(ref_acc)} "
                  f"(fineturn {fmt(best_tuned)} vs {fmt(a_['features'])})")
        done = [v for s, v in a_.items() if s != "auto" and v is not None]
        best = max(done) if done else None
        t3 = target(None if best is None or a_["auto"] is None else a_["auto"] >= best - POINT - 1e-9,
                    f"{(a_['auto'] - best) * 100:+.1f} pts" if best is not None and a_["auto"] is not None else "")
        pick = auto_pick(runs.get("auto", {}))
        auto_cell = fmt(a_["auto"]) + (f" ({pick})" if pick else "")
        lines.append(f"| {n} | {sizes} | {fmt(ref_acc)} | {fmt(a_['features'])} | {fmt(a_['head'])} "
                     f"| {fmt(a_['partial'])} | {fmt(a_['full'])} | {auto_cell} "
                     f"| {f'{gap:+.1f} pts' if gap is not None else '-'} | {t1} | {t2} | {t3} |")

    if torch_refs:
        lines += [
            "",
            "## Fine-tuning against PyTorch",
            "",
            "The same backbone, images and cut rebuilt in PyTorch from the TF.js files (`reference/torch_finetune.py`; "
            "its pooled features equal TF.js' within 2e-5 of the largest) and fine-tuned as the Keras transfer-learning "
            "guide does it: the head alone with Adam at 1e-3 (early stopping, patience 5), then the layers after "
            "`block_10_project_BN` (partial) or all layers (full) with Adam at 1e-5 for up to 10 epochs (patience 3), "
            "batch norm in inference mode, best validation epoch kept, 20% of the training split held out. "
            "Test accuracy, PyTorch / fineturn (difference in points); target: fineturn at most 1 point below.",
            "",
            f"| data set | head | {partial_col} | full | fineturn >= PyTorch - 1 pt |",
            "| --- | --- | --- | --- | --- |",
        ]
        for n in names:
            t = torch_refs.get(n)
            runs = fts[n]["runs"] if n in fts else {}
            if not t:
                continue
            cells, oks = [], []
            for s_ in ("head", "partial", "full"):
                ref_v = t["strategies"].get(s_, {}).get("test_accuracy")
                ft_v = acc(runs.get(s_))
                if ref_v is None or ft_v is None:
                    cells.append(f"{fmt(ref_v)} / {fmt(ft_v)}")
                    continue
                d = (ft_v - ref_v) * 100
                oks.append(d >= -1.0 - 1e-9)
                cells.append(f"{fmt(ref_v)} / {fmt(ft_v)} ({d:+.1f})")
            ok = target(all(oks) if oks else None, f"{sum(oks)} of {len(oks)}")
            lines.append(f"| {n} | " + " | ".join(cells) + f" | {ok} |")
        lines += ["", "PyTorch epochs (best / run) and seconds: " + "; ".join(
            f"{n}: " + ", ".join(f"{s_} {v['best_epoch']}/{v['epochs']} ep {v['seconds']:.0f} s"
                                 for s_, v in torch_refs[n]["strategies"].items())
            for n in names if n in torch_refs) + "."]

    lines += [
        "",
        "Targets: fineturn's `features` within 1 point of the reference or above it; the best fine-tuned strategy "
        "(`partial`, `full`: the ones that update backbone weights) at least as good as `features` wherever the "
        "reference fine-tune (PyTorch, below) beats the reference probe; `auto` within "
        "1 point of the best of `features`, `head`, `partial`, `full`.",
        "",
        "## Time and epochs",
        "",
        "fineturn: training seconds (the CLI's `seconds`) / wall seconds of the whole process (JVM start, model "
        "load, data preparation, training, test scoring, saving) / epochs. Reference: the C chosen by "
        "cross-validation, its CV accuracy and the scikit-learn probe's seconds (TF.js feature extraction of both "
        "splits comes on top, at about 15 images/s).",
        "",
        f"| data set | reference C / CV acc / probe s | features | head | {partial_col} | full | auto |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n in names:
        ref = refs.get(n)
        runs = fts[n]["runs"] if n in fts else {}
        cells = []
        for s in STRATEGIES:
            r = runs.get(s)
            if not r:
                cells.append("-")
            elif r.get("error"):
                cells.append(f"failed ({r['wall_seconds']} s)")
            else:
                cells.append(f"{r['seconds']} / {r['wall_seconds']} s / {r['epochs']} ep")
        refcell = f"C={ref['C']:g} / {ref['cv_accuracy']:.3f} / {ref['probe_seconds']} s" if ref else "-"
        lines.append(f"| {n} | {refcell} | " + " | ".join(cells) + " |")

    lines += resnet18_section(os.path.join(a.results, "resnet18"))
    lines += spark_section(os.path.join(a.results, "spark"))

    if pre and pre != ["none"]:
        lines += ["", f"**Warning**: fineturn's runs preprocessed the inputs as {', '.join(pre)}, the reference "
                  "as `none` ([0, 1]); rerun the reference with a matching `PREPROCESS`."]

    if failures:
        lines += ["", "## Failed runs", ""] + failures

    tfjs = sorted({r.get("tfjs") for r in refs.values() if r.get("tfjs")})
    skl = sorted({r.get("sklearn") for r in refs.values() if r.get("sklearn")})
    ft_commits = sorted({f.get("commit") for f in fts.values() if f.get("commit")})
    ft_dates = sorted({f.get("date") for f in fts.values() if f.get("date")})
    lines += [
        "",
        "## Setup",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d')} (fineturn runs: "
        f"{', '.join(ft_dates) or '-'})",
        f"- commit: {git('rev-parse', '--short', 'HEAD')} (fineturn runs made at {', '.join(ft_commits) or '-'})",
        f"- machine: {machine()}",
        f"- reference: TF.js {', '.join(tfjs) or '4.22'} (pure-JavaScript CPU backend), scikit-learn "
        f"{', '.join(skl) or '-'}; LogisticRegression on StandardScaler-ed pooled features, C by stratified 5-fold CV",
        f"- PyTorch reference: {', '.join(sorted({t['versions']['torch'] for t in torch_refs.values()})) or '-'} "
        "(Debian python3-torch, CPU)",
        "- fineturn: `fineturn finetune --model bundled:mobilenet_v2 --cut block_13_expand_relu --size 64 "
        "--strategy S --json` with every other option at its default, one process per strategy"
        + (f"; `partial:{partial_k}` freezes the nodes up to and including `block_10_project_BN`" if partial_k else ""),
    ]
    extra = sorted({f.get("extra_args") for f in fts.values() if f.get("extra_args")})
    if extra:
        lines.append(f"- extra `finetune` options: {', '.join('`' + e + '`' for e in extra)}")
    lines += [
        "- data: " + "; ".join(f"{n}: {fts[n].get('data_source')}" for n in names if n in fts and fts[n].get("data_source")),
        "",
    ]
    with open(a.out, "w") as f:
        f.write("\n".join(lines))
    print(f"summarize: {len(names)} data set(s) -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
