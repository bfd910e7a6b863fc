"""Network engine before/after: training steps and snapshots of an older revision beside now.

Run: ``.venv/bin/python bench/engine_ab_bench.py [REV]`` (default: 75e2bf2, the code before
issue 16). The older ``engine/`` is exported with ``git archive`` into a temporary folder;
each version then runs in its own process, alternately, several rounds, and the best time of
each is printed side by side (alternating exposes both to the same machine load). Figures:
ms per Adam step of the nn_bench networks in float64 (the default precision), and ms per
snapshot of 4 columns of 10x64 tanh (spirals, 64^2 grid) with layer statistics, and with
statistics and decision regions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 4

CHILD = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
import engine
from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.training import Comparison, TrainConfig
TASK = TaskConfig("spirals", n=2000, noise=0.1)
out = []
for hidden, bn, batch in (((64,)*6, "off", 128), ((64,)*6, "before", 128), ((128,)*10, "off", 256)):
    cfg = TrainConfig("b", MLPConfig(hidden=hidden, batchnorm=bn), "adam", {"lr": 1e-3},
                      batch_size=batch)
    c = Comparison(TASK, [cfg])
    c.step(10)
    best = 1e9
    for _ in range(5):
        t = time.perf_counter(); c.step(40); best = min(best, (time.perf_counter() - t) / 40)
    out.append(best * 1e3)
cfgs = [TrainConfig(f"c{i}", MLPConfig(hidden=(64,)*10, activation="tanh"), seed=i)
        for i in range(4)]
comp = Comparison(TaskConfig("spirals"), cfgs, grid_size=64)
for parts in (dict(boundary=False, layers=True), dict(boundary=True, layers=True)):
    best = 1e9
    for _ in range(5):
        comp.step(1); t = time.perf_counter(); comp.snapshot(**parts)
        best = min(best, time.perf_counter() - t)
    out.append(best * 1e3)
print(json.dumps(out))
"""
NAMES = (
    "2-6x64-2 ReLU step",
    "2-6x64-2 ReLU+BN step",
    "2-10x128-2 ReLU step",
    "snapshot + layer stats",
    "snapshot + stats + regions",
)


def main(argv: list[str]) -> int:
    rev = argv[0] if argv else "75e2bf2"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with tempfile.TemporaryDirectory(prefix="descentlab-ab-") as d:
        tar = Path(d) / "engine.tar"
        with open(tar, "wb") as fh:
            subprocess.run(["git", "archive", rev, "engine"], cwd=ROOT, stdout=fh, check=True)
        with tarfile.open(tar) as t:
            t.extractall(d, filter="data")
        res: dict[str, list[list[float]]] = {"before": [], "after": []}
        for _ in range(ROUNDS):
            for key, path in (("before", d), ("after", str(ROOT))):
                r = subprocess.run(
                    [sys.executable, "-c", CHILD, path],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                res[key].append(json.loads(r.stdout))
    print(f"engine {rev} (before) vs working tree (after); ms, best of {ROUNDS} alternating runs")
    print(f"{'':<30}{'before':>9}{'after':>9}{'after/before':>14}")
    for i, name in enumerate(NAMES):
        b = min(r[i] for r in res["before"])
        a = min(r[i] for r in res["after"])
        print(f"{name:<30}{b:>9.3f}{a:>9.3f}{a / b:>14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
