"""Snapshot cost of the network lab's default comparison: 4 columns of 10x64 tanh on spirals.

Run: ``.venv/bin/python bench/snapshot_bench.py`` (prints a table; no assertions).

Each figure is the best of several repeats of ``Comparison.snapshot`` right after a step
(so nothing is cached), in milliseconds for all four columns. Two rows, measured in turn in
the same run: the display-only parts (layer statistics, decision regions) in float64, as
they were computed before issue 16, and in float32 (``engine.nn.training.DISPLAY_DTYPE``,
the default now). Columns: losses only; losses + layer statistics; losses + statistics +
decision regions on a 64 x 64 grid; and the statistics and regions parts alone.
Figures measured before issue 16 on the development machine (the old code, float64):
losses 9.9, + layer statistics 35.2, + regions 83.9 ms.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import numpy as np  # noqa: E402

import engine  # noqa: E402,F401  (pins BLAS to one thread)
import engine.nn.training as training  # noqa: E402
from engine.datasets import TaskConfig  # noqa: E402
from engine.nn.mlp import MLPConfig  # noqa: E402

REPEATS = 12
PARTS = {
    "losses": dict(boundary=False, layers=False),
    "+ stats": dict(boundary=False, layers=True),
    "+ regions": dict(boundary=True, layers=True),
}


def comparison(hidden=(64,) * 10, columns: int = 4) -> training.Comparison:
    cfgs = [
        training.TrainConfig(f"c{i}", MLPConfig(hidden=hidden, activation="tanh"), seed=i)
        for i in range(columns)
    ]
    return training.Comparison(TaskConfig("spirals"), cfgs, grid_size=64)


def snapshot_ms(comp: training.Comparison, dtype, **parts: bool) -> float:
    """Milliseconds of one ``snapshot(**parts)`` after a step, display parts in ``dtype``."""
    training.DISPLAY_DTYPE = dtype
    comp.step(1)
    t = time.perf_counter()
    comp.snapshot(**parts)
    return (time.perf_counter() - t) * 1e3


def main() -> None:
    print(f"numpy {np.__version__}; 4 columns 10x64 tanh, spirals (600 points), grid 64^2")
    default = training.DISPLAY_DTYPE
    rows = {"float64 display (before)": np.float64, "float32 display (now)": np.float32}
    comps = {name: comparison() for name in rows}
    best = {(name, part): float("inf") for name in rows for part in PARTS}
    for _ in range(REPEATS):  # alternate, so both rows see the same machine conditions
        for part, kw in PARTS.items():
            for name, dtype in rows.items():
                ms = snapshot_ms(comps[name], dtype, **kw)
                best[name, part] = min(best[name, part], ms)
    training.DISPLAY_DTYPE = default
    print(
        f"{'ms per snapshot':<26}{'losses':>8}{'+ stats':>9}{'+ regions':>11}"
        f"{'stats':>8}{'regions':>9}"
    )
    for name in rows:
        lo, st, rg = (best[name, p] for p in PARTS)
        print(f"{name:<26}{lo:>8.1f}{st:>9.1f}{rg:>11.1f}{st - lo:>8.1f}{rg - st:>9.1f}")


if __name__ == "__main__":
    main()
