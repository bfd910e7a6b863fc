"""Cost of the teaching read-outs next to the work they accompany, measured in one run.

Landscape lab: one lockstep step of the eight-run race vs one ``Race.stability()`` (exact
Hessians, eigenpairs, thresholds) vs one ``Race.explain(i)`` (the live equation).
Network lab: one training step of the default two-hidden-layer network vs one sharpness
estimate (20 power iterations, 40 gradient evaluations on the 256-point statistics batch)
vs one learning-rate range test of 100 steps. Also the batched-vs-looped speed of the new
optimizers on a 100-run race. Usage: ``python bench/teaching_bench.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import engine  # noqa: F401  (one BLAS thread before numpy)
from engine.datasets import TaskConfig
from engine.nn.lr_range import network_range_test
from engine.nn.mlp import MLPConfig
from engine.nn.sharpness import network_sharpness
from engine.nn.training import Comparison, TrainConfig
from engine.runs import Race, RaceConfig, RunConfig, eight_run_race


def per_call(fn, seconds: float) -> float:
    """Mean seconds per call of ``fn`` over about ``seconds``."""
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return dt / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0)
    s = ap.parse_args(argv).seconds

    race = Race(eight_run_race())
    step = per_call(lambda: race.step(1), s)
    stab = per_call(race.stability, s)
    expl = per_call(lambda: race.explain(0), s)
    print("landscape lab, eight-run race (ms per call):")
    print(f"  step {step * 1e3:8.3f}   stability {stab * 1e3:8.3f}   explain {expl * 1e3:8.3f}")
    print(f"  stability / step = {stab / step:5.2f}   explain / step = {expl / step:5.2f}")

    cfg = TrainConfig("net", MLPConfig(hidden=(32, 32)), batch_size=64)
    comp = Comparison(TaskConfig("spirals", n=512), [cfg])
    col = comp._cols[0]  # the bench reads the column's buffers directly
    x, y = comp.data.x_train[:256], comp.data.y_train[:256]
    train = per_call(lambda: comp.step(1), s)
    sharp = per_call(
        lambda: network_sharpness(col.net, col.loss, x, y, col.flat, col.state, iters=20), s
    )
    rng_test = per_call(
        lambda: network_range_test(
            col.net,
            col.loss,
            comp.data.x_train,
            comp.data.y_train,
            col.flat,
            col.state,
            batch_size=64,
            n_steps=100,
        ),
        s,
    )
    print("network lab, 2 x 32 hidden, spirals (ms per call):")
    print(
        f"  train step {train * 1e3:8.3f}   sharpness(20 it) {sharp * 1e3:8.3f}   "
        f"range test(100) {rng_test * 1e3:8.1f}"
    )
    print(f"  sharpness / train step = {sharp / train:6.1f}")

    print("100-run race, new optimizers: run-steps/s lockstep vs one race per run, ratio")
    for name in (
        "radam",
        "adamax",
        "rprop",
        "lion",
        "adabelief",
        "signsgd",
        "lookahead",
        "schedule_free_adamw",
    ):
        lrs = np.geomspace(1e-4, 1e-3, 100)
        runs = tuple(RunConfig(name, {"lr": float(v)}) for v in lrs)
        big = Race(RaceConfig(runs=runs, tol=0.0))
        alone = [Race(RaceConfig(runs=(r,), tol=0.0)) for r in runs[:10]]
        t_big = per_call(lambda b=big: b.step(10), s / 2) / (10 * 100)
        t_one = per_call(lambda a=alone: [r.step(10) for r in a], s / 2) / (10 * 10)
        print(f"  {name:<20} {1 / t_big:10.0f} {1 / t_one:10.0f} {t_one / t_big:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
