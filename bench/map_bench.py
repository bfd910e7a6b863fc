"""Basin map cost: the whole ``--map basins`` command against a plain numpy Adam loop.

Measures, side by side in one run and alternating so that both see the same host load:

- **command**: ``main.py --headless --map basins --landscape himmelblau --optimizer
  adam:lr=0.05 --grid 200 --steps 1000 --out map.csv`` in a fresh process (interpreter
  start, imports, validation, 40,000 runs x 1,000 steps with the race's divergence and
  basin tracking, and the 40,000-row CSV);
- **plain loop**: the same 40,000 starts and 1,000 Adam steps on Himmelblau written as a bare
  vectorised numpy loop (PyTorch's Adam, analytic gradient, nothing else), in a fresh process.

Both children run with their bytecode cached (a fresh ``PYTHONPYCACHEPREFIX``, filled by one
uncounted run first), as an installed or bundled app runs; a shell with
``PYTHONDONTWRITEBYTECODE=1`` would otherwise recompile every engine module on every run.
It prints wall time and CPU time of each (CPU time is what the code costs; wall time also
holds what a busy shared host takes), the best of ``--repeat`` rounds, their ratios
(target: command <= 1.5x the plain loop) and the host's steal share.
Usage: ``python bench/map_bench.py [--repeat 3] [--grid 200] [--steps 1000]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.host import StealMeter  # noqa: E402

PLAIN = r"""
import sys
import numpy as np
n, steps = int(sys.argv[1]), int(sys.argv[2])
xs = np.linspace(-5.0, 5.0, n)
p = np.stack(np.meshgrid(xs, xs), axis=-1).reshape(-1, 2)
m = np.zeros_like(p)
v = np.zeros_like(p)
g = np.empty_like(p)
lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
for t in range(1, steps + 1):
    x, y = p[:, 0], p[:, 1]
    u = x * x + y - 11.0
    w = x + y * y - 7.0
    g[:, 0] = 4.0 * x * u + 2.0 * w
    g[:, 1] = 2.0 * u + 4.0 * y * w
    m = b1 * m + (1.0 - b1) * g
    v = b2 * v + (1.0 - b2) * g * g
    p = p - lr * (m / (1.0 - b1**t)) / (np.sqrt(v / (1.0 - b2**t)) + eps)
print(float(np.abs(p).sum()))
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of a child process (CPU from the children's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--grid", type=int, default=200)
    ap.add_argument("--steps", type=int, default=1000)
    args = ap.parse_args()
    env_py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "map.csv")
        command = [
            env_py, "main.py", "--headless", "--map", "basins", "--landscape", "himmelblau",
            "--optimizer", "adam:lr=0.05", "--grid", str(args.grid), "--steps",
            str(args.steps), "--out", out,
        ]  # fmt: skip
        plain = [env_py, "-c", PLAIN, str(args.grid), str(args.steps)]
        best = {"command": [float("inf")] * 2, "plain": [float("inf")] * 2}
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
        timed(command, env)  # fills the bytecode cache; not counted
        steal = StealMeter()
        steal.start()
        for _ in range(args.repeat):
            for name, cmd in (("plain", plain), ("command", command)):
                wall, cpu = timed(cmd, env)
                best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
        stolen = steal.stop()
        rows = sum(1 for _ in open(out)) - 1
    n = args.grid * args.grid
    print(f"basin map: {n} starts x {args.steps} Adam steps on Himmelblau ({rows} CSV rows)")
    print(f"best of {args.repeat}, alternating     wall s    CPU s")
    print(f"  plain numpy Adam loop       {best['plain'][0]:8.2f} {best['plain'][1]:8.2f}")
    print(f"  main.py --map basins (all)  {best['command'][0]:8.2f} {best['command'][1]:8.2f}")
    rw = best["command"][0] / best["plain"][0]
    rc = best["command"][1] / best["plain"][1]
    print(f"  ratio command / plain       {rw:8.2f} {rc:8.2f}   (target <= 1.5)")
    print(f"host steal during the measurement: {stolen:.1f} %")


if __name__ == "__main__":
    main()
