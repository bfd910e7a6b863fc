"""Monkey benchmark: seeded random GUI actions on the real window, offscreen.

Prints, every ``--every`` actions, the resident memory, the exceptions and the stalls so
far; at the end the growth after the first 500 actions (target: < 150 MB after 6,000),
the worst event-loop lag per kind of action (target: presentation toggles <= 250 ms), and
what the host's hypervisor took meanwhile (steal). The driver is tests/gui/monkey.py.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/monkey_bench.py [--actions 10000]
        [--seed 0] [--every 500] [--size 1280x720]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The bench must not read or overwrite the user's autosave.
os.environ.setdefault("DESCENTLAB_STATE_DIR", tempfile.mkdtemp(prefix="descentlab-bench-"))

import engine  # noqa: F401  (pins BLAS to one thread: must load before numpy)

# isort: split
from host import StealMeter

from gui.app import build_main_window, make_app
from tests.gui.monkey import Monkey


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--actions", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--every", type=int, default=500)
    p.add_argument("--size", default="1280x720")
    args = p.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    app = make_app([])
    window = build_main_window()
    window.resize(width, height)
    window.show()
    app.processEvents()
    monkey = Monkey(window, seed=args.seed, settle_ms=2)
    steal = StealMeter()
    steal.start()
    t0 = time.perf_counter()
    rep = monkey.run(args.actions, every=args.every, log=lambda line: print(line, flush=True))
    seconds = time.perf_counter() - t0
    stolen = steal.stop()
    window.shutdown()
    first = next((m for n, m in rep.memory if n >= 500), rep.memory[0][1])
    print(f"actions {rep.actions} in {seconds:.0f} s (host steal {stolen:.1f} %)")
    print(f"exceptions {len(rep.exceptions)}  qt warnings {len(rep.qt_messages)}")
    for text in rep.exceptions[:10] + rep.qt_messages[:10]:
        print(f"  {text}")
    print(
        f"memory: start {rep.memory[0][1]:.0f} MB, after 500 {first:.0f} MB, "
        f"end {rep.memory[-1][1]:.0f} MB, growth after 500 {rep.growth_after(500):+.0f} MB"
    )
    print(f"stalls over {monkey.stall_ms:.0f} ms: {len(rep.stalls)}")
    worst: dict[str, float] = {}
    for _, name, lag in rep.stalls:
        worst[name] = max(worst.get(name, 0.0), lag)
    for name in sorted(rep.counts):
        mean_ms = 1000 * rep.seconds.get(name, 0.0) / max(rep.counts[name], 1)
        print(
            f"  {name:13s} x{rep.counts[name]:5d}  mean {mean_ms:7.1f} ms  "
            f"worst stall {worst.get(name, 0.0):7.0f} ms"
        )
    return 0 if not rep.exceptions else 1


if __name__ == "__main__":
    sys.exit(main())
