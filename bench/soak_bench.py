"""Soak benchmark: each lab runs at full speed for N minutes, printing memory every minute.

The landscape lab races its default runs, the network lab trains its default columns;
each lab plays for ``--minutes`` (default 30) while the display draws as usual. Every
minute it prints the resident memory, the step count and the worst event-loop lag of
that minute (a 10 ms timer, tests/gui/monkey.py's LagProbe); at the end, the growth
between the first minute and the last.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/soak_bench.py [--minutes 30]
        [--labs landscape,network]
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
os.environ.setdefault("DESCENTLAB_STATE_DIR", tempfile.mkdtemp(prefix="descentlab-soak-"))

import engine  # noqa: F401  (pins BLAS to one thread: must load before numpy)

# isort: split
from PySide6.QtCore import QEventLoop, QTimer

from gui.app import build_main_window, make_app
from tests.gui.monkey import LagProbe, rss_mb

LABS = {"landscape": 0, "network": 1}


def soak(window, app, index: int, minutes: float) -> list[float]:
    window.tabs.setCurrentIndex(index)
    window.set_speed(None)
    window.act_play.setChecked(True)
    probe = LagProbe()
    probe.start()
    samples = []
    for minute in range(1, int(minutes) + 1):
        loop = QEventLoop()
        QTimer.singleShot(60_000, loop.quit)
        loop.exec()  # the app's own event loop turns: frames, deferred deletes
        lab = window.current_lab()
        samples.append(rss_mb())
        print(
            f"  minute {minute:3d}  rss {samples[-1]:7.1f} MB  step {lab.current_step():>10,}  "
            f"worst lag {probe.take_max():6.0f} ms",
            flush=True,
        )
    probe.stop()
    window.act_play.setChecked(False)
    return samples


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--labs", default="landscape,network")
    args = p.parse_args(argv)
    app = make_app([])
    window = build_main_window()
    window.resize(1280, 720)
    window.show()
    app.processEvents()
    for name in args.labs.split(","):
        print(f"{name} lab, {args.minutes:g} minutes at full speed", flush=True)
        t0 = time.perf_counter()
        samples = soak(window, app, LABS[name], args.minutes)
        if samples:
            print(
                f"{name}: rss after minute 1 {samples[0]:.0f} MB, at the end {samples[-1]:.0f} MB "
                f"({samples[-1] - samples[0]:+.0f} MB) in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
