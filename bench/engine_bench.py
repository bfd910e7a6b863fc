"""Race engine throughput: run-steps per second for 1, 10 and 100 runs on Rosenbrock.

Prints, for each race size, the lockstep (vectorised) figure and the figure for stepping
each run as its own race in a Python loop, measured side by side in this one process, and
their ratio. Usage: ``python bench/engine_bench.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import engine  # noqa: F401  (one BLAS thread before numpy)
from engine.runs import Race, RaceConfig, RunConfig

KINDS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "nadam", "amsgrad")


def make_runs(n: int, mixed: bool) -> tuple[RunConfig, ...]:
    lrs = np.geomspace(1e-4, 1e-3, n)
    if mixed:
        return tuple(RunConfig(KINDS[i % len(KINDS)], {"lr": float(lrs[i])}) for i in range(n))
    return tuple(RunConfig("adam", {"lr": float(lrs[i])}) for i in range(n))


def run_steps_per_second(races: list[Race], seconds: float, batch: int = 50) -> float:
    """Run-steps per second of stepping every race in ``races`` in turn."""
    n_runs = sum(len(r.config.runs) for r in races)
    steps = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for race in races:
            race.step(batch)
        steps += batch
    return steps * n_runs / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=1.5)
    args = ap.parse_args()
    # tol=0 and a far bound keep every run stepping for the whole measurement
    print(f"{'race':<26}{'lockstep steps/s':>18}{'one loop per run':>18}{'ratio':>8}")
    for mixed in (False, True):
        for n in (1, 10, 100):
            runs = make_runs(n, mixed)
            cfg = RaceConfig("rosenbrock", runs=runs, start=(-1.5, 2.0), tol=0.0)
            lock = run_steps_per_second([Race(cfg)], args.seconds)
            alone = [
                Race(RaceConfig("rosenbrock", runs=(r,), start=(-1.5, 2.0), tol=0.0)) for r in runs
            ]
            loop = run_steps_per_second(alone, args.seconds)
            kind = "8 optimizer kinds" if mixed else "adam, varied lr"
            print(f"{n:>4} runs, {kind:<18}{lock:>18,.0f}{loop:>18,.0f}{lock / loop:>7.1f}x")


if __name__ == "__main__":
    main()
