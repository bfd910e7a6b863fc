"""A Descent Lab process for the process-life tests: ``python life_probe.py MODE``.

It starts through ``main.main`` and :func:`gui.app.run` (the app's own start: autosave
on, signal handlers), with the window wrapped so that, once the first frame is painted,
the probe acts:

* ``close-heavy``: opens a network comparison whose every step is long (4x512 layers,
  batch 40,000), plays it, and closes the window while a step is running;
* ``sigint`` / ``sigterm``: changes the landscape lab (Himmelblau), waits until the
  worker is busy with a heavy step, then sends itself the signal.

Before acting it prints ``ACT <time.time()> <busy>`` on a line of its own and flushes, so
the parent can time the exit from that moment; ``busy`` is 1 if the network lab's worker
was inside a batch of steps at that moment.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

import engine  # noqa: F401  (as main.py: BLAS pinned before numpy loads)
import gui.app
import main as entry
from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.training import TrainConfig
from engine.session.net_session import OpenComparison

#: A comparison whose single step takes seconds on one core: the issue's 4x512 layers, with
#: the largest batch the resource guard lets the lab build (its batch of 40,000 is now
#: refused before it is built: about 2.8 GB).
HEAVY = OpenComparison(
    task=TaskConfig(name="spirals", n=10_000, val_fraction=0.2),
    columns=(TrainConfig(mlp=MLPConfig(hidden=(512,) * 4), batch_size=8_000),),
    title="heavy",
)


#: When the probe strikes after Play (the comparison is built by then, a step under way).
STRIKE_MS = 1500


def _act(window, mode: str) -> None:
    window.tabs.setCurrentIndex(1)
    net = window.lab_at(1)
    if mode != "close-heavy":
        window.lab_at(0).set_landscape("himmelblau", {})
    if not net.edit(HEAVY):
        print("REFUSED", flush=True)
    window.act_play.setChecked(True)

    def strike() -> None:
        busy = int(net.bridge.is_alive and net.bridge._gate.locked())
        print(f"ACT {time.time()!r} {busy}", flush=True)
        if mode == "close-heavy":
            window.close()
        else:
            os.kill(os.getpid(), signal.SIGINT if mode == "sigint" else signal.SIGTERM)

    # Long enough for the comparison to be built and a step to be under way.
    QTimer.singleShot(STRIKE_MS, strike)


def main(mode: str) -> int:
    build = gui.app.build_main_window

    def build_and_arm():
        window = build()
        window.first_frame_painted.connect(
            lambda: QTimer.singleShot(100, lambda: _act(window, mode))
        )
        return window

    gui.app.build_main_window = build_and_arm
    return entry.main([])


if __name__ == "__main__":
    code = main(sys.argv[1])
    print(f"EXIT {time.time()!r} {code}", flush=True)
    sys.exit(code)
