"""Training steps per second of the classroom networks, numpy engine vs PyTorch on one thread.

Run: ``.venv/bin/python bench/nn_bench.py`` (prints a table; no assertions). Each figure is
the best of several timed repeats, which filters out other processes on a busy machine.
The engine is timed in float64 (``np64``, the default, 1e-10 parity with PyTorch float64)
and float32 (``np32``, ``Comparison(precision="float32")``). The PyTorch figures (when
torch is installed) use ``torch.set_num_threads(1)``, the same architecture, Adam and
cross-entropy, in float32 (its default) and float64, measured in the same run, each
contender in turn. Issue 16's target: np/t32 <= 1 at every size and <= 0.5 for the small
networks. Snapshot costs are printed too (bench/snapshot_bench.py has the detail).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"  # before numpy (or torch) loads

import numpy as np  # noqa: E402

import engine  # noqa: E402,F401  (pins BLAS to one thread)
from engine.datasets import TaskConfig  # noqa: E402
from engine.nn.mlp import MLPConfig  # noqa: E402
from engine.nn.training import Comparison, TrainConfig  # noqa: E402

NETS = [
    # label, hidden, batch norm, batch size
    ("2-6x64-2 ReLU, batch 128", (64,) * 6, "off", 128),
    ("2-6x64-2 ReLU + BN, batch 128", (64,) * 6, "before", 128),
    ("2-10x128-2 ReLU, batch 256", (128,) * 10, "off", 256),
]
TASK = TaskConfig("spirals", n=2000, noise=0.1)
REPEATS = 15
STEPS = 50


def _time(fn, steps: int) -> float:
    t = time.perf_counter()
    fn(steps)
    return (time.perf_counter() - t) / steps * 1e3


def interleaved_best(fns: list, steps: int = STEPS, repeats: int = REPEATS) -> list[float]:
    """Best-of-``repeats`` ms per step of each ``fn(steps)``, timed in turn.

    Alternating the contenders exposes them to the same machine conditions, so their ratio
    holds even when other processes slow everything down for a while.
    """
    for fn in fns:
        fn(10)  # warm-up
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], _time(fn, steps))
    return best


def numpy_runner(hidden, bn, batch, precision="float64"):
    cfg = TrainConfig(
        "bench", MLPConfig(hidden=hidden, batchnorm=bn), "adam", {"lr": 1e-3}, batch_size=batch
    )
    return Comparison(TASK, [cfg], precision=precision).step


def torch_runner(torch, hidden, bn, batch, dtype):
    torch.manual_seed(0)
    sizes = (2, *hidden, 2)
    layers = []
    for i in range(1, len(sizes)):
        layers.append(torch.nn.Linear(sizes[i - 1], sizes[i], dtype=dtype))
        if i < len(sizes) - 1:
            if bn == "before":
                layers.append(torch.nn.BatchNorm1d(sizes[i], dtype=dtype))
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    comp = Comparison(TASK, [TrainConfig("d", MLPConfig(hidden=(4,)))])
    x = torch.tensor(comp.data.x_train, dtype=dtype)
    y = torch.tensor(comp.data.y_train)
    rng = np.random.default_rng(0)
    batches = [torch.tensor(rng.choice(x.shape[0], batch, replace=False)) for _ in range(64)]
    loss_fn = torch.nn.CrossEntropyLoss()

    def run(n: int) -> None:
        for k in range(n):
            idx = batches[k % 64]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()

    return run


def snapshot_ms(hidden, activation: str, columns: int, **parts: bool) -> float:
    """Best-of milliseconds per ``snapshot(**parts)`` after a step (the cache defeated)."""
    cfgs = [
        TrainConfig(f"c{i}", MLPConfig(hidden=hidden, activation=activation), seed=i)
        for i in range(columns)
    ]
    comp = Comparison(TaskConfig("spirals"), cfgs, grid_size=64)
    best = float("inf")
    for _ in range(REPEATS):
        comp.step(1)
        t = time.perf_counter()
        comp.snapshot(**parts)
        best = min(best, time.perf_counter() - t)
    return best * 1e3


def main() -> None:
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    print(f"numpy {np.__version__}" + (f", torch {torch.__version__}" if torch else ", no torch"))
    print("ms per training step (Adam); np64/np32 = numpy engine in float64/float32")
    print(
        f"{'network':<32}{'np64':>8}{'np32':>8}"
        + (
            f"{'torch32':>9}{'torch64':>9}{'np64/t64':>9}{'np64/t32':>9}{'np32/t32':>9}"
            if torch
            else ""
        )
    )
    for label, hidden, bn, batch in NETS:
        fns = [numpy_runner(hidden, bn, batch), numpy_runner(hidden, bn, batch, "float32")]
        if torch:
            fns += [
                torch_runner(torch, hidden, bn, batch, t) for t in (torch.float32, torch.float64)
            ]
        ms = interleaved_best(fns)
        line = f"{label:<32}{ms[0]:>8.3f}{ms[1]:>8.3f}"
        if torch:
            line += (
                f"{ms[2]:>9.3f}{ms[3]:>9.3f}"
                f"{ms[0] / ms[3]:>9.2f}{ms[0] / ms[2]:>9.2f}{ms[1] / ms[2]:>9.2f}"
            )
        print(line, flush=True)
    print()
    print("snapshot cost, 4 columns on spirals (600 points), ms per snapshot:")
    print(f"  {'network':<12}{'losses only':>13}{'+ layer stats':>15}{'+ boundary 64^2':>17}")
    for hidden, name in (((64,) * 10, "10x64 tanh"), ((128,) * 10, "10x128 tanh")):
        light = snapshot_ms(hidden, "tanh", 4, boundary=False, layers=False)
        stats = snapshot_ms(hidden, "tanh", 4, boundary=False, layers=True)
        full = snapshot_ms(hidden, "tanh", 4, boundary=True, layers=True)
        print(f"  {name:<12}{light:>13.1f}{stats:>15.1f}{full:>17.1f}")


if __name__ == "__main__":
    main()
