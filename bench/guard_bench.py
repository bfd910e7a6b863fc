"""Resource guards: estimated vs measured memory and time, side by side in one run.

    python bench/guard_bench.py

For each network the guard's estimate (engine.guards, from shapes alone) is printed next
to the peak traced allocation (tracemalloc sees numpy's buffers) and the measured time of
one training step and one snapshot. The memory ratio must stay >= 1 (the guard never
under-estimates); the time columns show how pessimistic the time model is on this machine.
"""

from __future__ import annotations

import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.datasets import TaskConfig
from engine.guards import ResourceError, check_comparison, format_bytes
from engine.nn.mlp import MLPConfig
from engine.nn.training import Comparison, TrainConfig

CASES = [
    ("4x64, 600 pts", 600, (64,) * 4, 64, "off", 1),
    ("10x32 x4 columns (lesson)", 400, (32,) * 10, 64, "off", 4),
    ("4x256, 600 pts", 600, (256,) * 4, 64, "off", 1),
    ("2x512, 600 pts", 600, (512,) * 2, 64, "off", 1),
    ("4x256 batch 2000", 2500, (256,) * 4, 2000, "after", 1),
    ("4x64, 20000 pts", 20_000, (64,) * 4, 64, "off", 1),
    ("8x512, 600 pts", 600, (512,) * 8, 64, "off", 1),
]


def measure(n, hidden, batch, bn, cols):
    task = TaskConfig(n=n)
    columns = [
        TrainConfig(label=f"c{i}", mlp=MLPConfig(hidden=hidden, batchnorm=bn), batch_size=batch)
        for i in range(cols)
    ]
    est = check_comparison(task, columns)
    gc.collect()
    tracemalloc.start()
    comp = Comparison(task, columns)
    comp.snapshot()
    t0 = time.perf_counter()
    comp.step(3)
    t1 = time.perf_counter()
    comp.snapshot()
    t2 = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return est, peak, (t1 - t0) / 3, t2 - t1


def main() -> None:
    head = ("network", "est. memory", "measured", "ratio", "est. step", "step", "est. snap", "snap")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for name, n, hidden, batch, bn, cols in CASES:
        try:
            est, peak, step, snap = measure(n, hidden, batch, bn, cols)
        except ResourceError as exc:
            print(f"{name} | refused: {exc}")
            continue
        print(
            f"{name} | {format_bytes(est.bytes)} | {format_bytes(peak)} | "
            f"{est.bytes / peak:.2f}x | {est.step_seconds * 1e3:.1f} ms | {step * 1e3:.1f} ms | "
            f"{est.snapshot_seconds * 1e3:.0f} ms | {snap * 1e3:.0f} ms"
        )
    print()
    print("refused before allocating (the issue's reproductions):")
    for label, n, hidden, batch in (
        ("--layers 64x4096", 600, (4096,) * 64, 64),
        ("--layers 8x4096", 600, (4096,) * 8, 64),
        ("--n 100000 --batch-size 100000 --layers 4x1024", 100_000, (1024,) * 4, 100_000),
    ):
        t0 = time.perf_counter()
        try:
            check_comparison(
                TaskConfig(n=n), [TrainConfig(mlp=MLPConfig(hidden=hidden), batch_size=batch)]
            )
            msg = "accepted (!)"
        except ResourceError as exc:
            msg = str(exc)
        print(f"  {label}: {(time.perf_counter() - t0) * 1e6:.0f} us: {msg}")


if __name__ == "__main__":
    main()
