#!/usr/bin/python3
"""Regenerates fineturn-core/src/test/resources/fixtures/lr_schedules.json from real PyTorch schedulers.

Run with a Python that has torch (the fixture records the version that made it), from the repository root:

    /usr/bin/python3 fineturn-core/src/test/python/lr_schedules.py

Every per-step case drives an SGD optimiser with base lr 0.1 and records the lr in force at each optimiser
step t = 0, 1, ... (read before opt.step(); sched.step() after it), which is what LrSchedule.factor(t) * 0.1
must reproduce. Plateau cases record the lr after each epoch's sched.step(metric).
"""
import json
import os
import subprocess
import sys
import warnings

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

BASE_LR = 0.1
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "lr_schedules.json")


def optimiser():
    p = torch.nn.Parameter(torch.zeros(1))
    return SGD([p], lr=BASE_LR, momentum=0.9)


def per_step(make, steps):
    opt = optimiser()
    sched = make(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def plateau(metrics, **kw):
    opt = optimiser()
    sched = S.ReduceLROnPlateau(opt, **kw)
    lrs = []
    for m in metrics:
        opt.step()
        sched.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def torch_package():
    """The distribution package that provided torch, when there is one (Debian reports 1.13.1 as '1.13.0a0')."""
    try:
        out = subprocess.run(["dpkg-query", "-S", torch.__file__], capture_output=True, text=True, check=True)
        pkg = out.stdout.split(":")[0]
        ver = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True,
                             check=True).stdout
        return "%s %s" % (pkg, ver)
    except (OSError, subprocess.CalledProcessError):
        return None


def main():
    warnings.simplefilter("ignore")
    cases = []

    def add(name, java, torch_call, lrs, **extra):
        case = {"name": name, "java": java, "torch": torch_call, "lrs": lrs}
        case.update(extra)
        cases.append(case)

    add("step", {"stepSize": 7, "gamma": 0.5}, "StepLR(step_size=7, gamma=0.5)",
        per_step(lambda o: S.StepLR(o, step_size=7, gamma=0.5), 40))
    add("exp", {"gamma": 0.9}, "ExponentialLR(gamma=0.9)",
        per_step(lambda o: S.ExponentialLR(o, gamma=0.9), 40))
    # Past T_max torch's recursive CosineAnnealingLR climbs back up (the un-restarted SGDR cosine);
    # fineturn's CosineLr clamps at eta_min, so only steps 0..T_max are compared ("compareSteps").
    add("cosine", {"totalSteps": 30, "minFactor": 0.01}, "CosineAnnealingLR(T_max=30, eta_min=0.001)",
        per_step(lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.001), 40), compareSteps=31)
    add("warmup_cosine", {"warmupSteps": 5, "startFactor": 0.1, "totalSteps": 35, "minFactor": 0.01},
        "SequentialLR([LinearLR(start_factor=0.1, total_iters=5), CosineAnnealingLR(T_max=35, eta_min=0.001)],"
        " milestones=[5])",
        per_step(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                              S.CosineAnnealingLR(o, T_max=35, eta_min=0.001)],
                                          milestones=[5]), 40))
    for strategy in ("cos", "linear"):
        add("onecycle_" + strategy,
            {"totalSteps": 40, "pctStart": 0.3, "divFactor": 25.0, "finalDivFactor": 1e4, "cosine": strategy == "cos"},
            "OneCycleLR(max_lr=0.1, total_steps=40, anneal_strategy='%s')" % strategy,
            per_step(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=40, anneal_strategy=strategy), 40))
    # A phase boundary that is not an integer: end_step = 0.25 * 30 - 1 = 6.5.
    add("onecycle_frac_linear",
        {"totalSteps": 30, "pctStart": 0.25, "divFactor": 10.0, "finalDivFactor": 100.0, "cosine": False},
        "OneCycleLR(max_lr=0.1, total_steps=30, pct_start=0.25, div_factor=10, final_div_factor=100,"
        " anneal_strategy='linear')",
        per_step(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=30, pct_start=0.25, div_factor=10.0,
                                        final_div_factor=100.0, anneal_strategy="linear"), 30))

    # Improvements, an improvement smaller than the 1e-4 relative threshold (not counted), and several cuts.
    loss = [1.0, 0.9, 0.8, 0.81, 0.8, 0.79995, 0.7, 0.7, 0.71, 0.69999, 0.7, 0.6, 0.6, 0.6, 0.6,
            0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.55]
    add("plateau_min", {"factor": 0.5, "patience": 2, "threshold": 1e-4, "minFactor": 0.0, "maximize": False},
        "ReduceLROnPlateau(mode='min', factor=0.5, patience=2, threshold=1e-4)",
        plateau(loss, mode="min", factor=0.5, patience=2, threshold=1e-4), metrics=loss)
    acc = [0.5, 0.6, 0.6, 0.6, 0.7, 0.7005, 0.7, 0.71, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.72, 0.7]
    add("plateau_max_floor",
        {"factor": 0.3, "patience": 1, "threshold": 1e-3, "minFactor": 0.02, "maximize": True},
        "ReduceLROnPlateau(mode='max', factor=0.3, patience=1, threshold=1e-3, min_lr=0.002)",
        plateau(acc, mode="max", factor=0.3, patience=1, threshold=1e-3, min_lr=0.002), metrics=acc)

    fixture = {
        "generator": "fineturn-core/src/test/python/lr_schedules.py",
        "torch": torch.__version__,
        "torchPackage": torch_package(),
        "python": sys.version.split()[0],
        "baseLr": BASE_LR,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote %s (torch %s, %d cases)" % (os.path.normpath(OUT), torch.__version__, len(cases)))


if __name__ == "__main__":
    main()
