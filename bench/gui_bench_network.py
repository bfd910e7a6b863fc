"""GUI benchmark: the network lab at full speed with four 10-layer columns, offscreen.

For each window size it prints display frames per second (display ticks that drew something
new: while running a tick draws one part of one column's picture, the shared loss curves
when a column brought a new point, or the headers with new numbers),
column pictures redrawn per second (histograms, variances, units, decision regions of one
column), worker snapshots taken per second, training steps per second, the lag of a 5 ms
timer (how late the event loop serves it: p50 and p99) and the process memory (RSS) at
start and end.
Repaints are also counted where the screen receives them: paint events reaching each
column view's viewport (an event filter), per column and in total, beside the distinct
pictures each column showed (a repaint without a new picture teaches nothing), and the
age of the decision regions behind the step shown (p50 / max, in ms: steps behind the
newest step over the steps per second).
Targets: >= 60 frames/s and p99 lag <= 16 ms at 1280x720; >= 30 repaints per second of
each column at 1920x1080 on a real X server (run with DISPLAY set and
QT_QPA_PLATFORM=xcb); regions <= 250 ms behind.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_bench_network.py [--seconds 10]
        [--sizes 1280x720,1920x1080] [--presentation] [--stacked]

``run_case(width, height, seconds)`` returns the figures as a dict (used by gui_bench.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: F401  (pins BLAS to one thread: must load before numpy)

# isort: split
import numpy as np
import psutil
from host import StealMeter
from PySide6.QtCore import QEvent, QObject, Qt, QTimer

from engine.nn.presets import init_lesson
from gui.app import make_app
from gui.main_window import MainWindow
from gui.network_lab import NetworkLab

COLUMNS = 4
LAYERS = 10


class PaintCounter(QObject):
    """Counts paint events reaching each watched widget (the column views' viewports)."""

    def __init__(self, widgets) -> None:
        super().__init__()
        self.counts = [0] * len(widgets)
        self.on = False
        self._index = {id(w): k for k, w in enumerate(widgets)}
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if self.on and event.type() == QEvent.Type.Paint:
            k = self._index.get(id(obj))
            if k is not None:
                self.counts[k] += 1
        return False


def run_case(
    width: int, height: int, seconds: float, presentation: bool = False, stacked: bool = False
) -> dict:
    """Run the default comparison (four 10-layer tanh columns) at full speed.

    Returns
    -------
    dict
        ``fps`` (display frames per second), ``pictures_per_s`` (column pictures redrawn
        per second), ``snapshots_per_s`` (frames received from the worker),
        ``steps_per_s``, ``lag_p50``/``lag_p99``/``lag_max`` (ms), ``rss0``/``rss1`` (MB)
        and ``columns``.
    """
    app = make_app([])
    proc = psutil.Process()
    window = MainWindow()
    task, columns = init_lesson()
    lab = NetworkLab(task, columns)
    window.add_lab("Network lab", lab)
    window.resize(width, height)
    window.show()
    if presentation:
        window.set_presentation(True)
    if stacked:
        lab.set_stacked(True)
    window.set_speed(None)
    # Let the window settle (and the step-0 picture arrive) before measuring.
    t_end = time.perf_counter() + 1.0
    while time.perf_counter() < t_end:
        app.processEvents()
    rss0 = proc.memory_info().rss
    window.act_play.setChecked(True)

    ticks: list[float] = []
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    state: dict = {}
    steal = StealMeter()
    painter = PaintCounter([p.view.viewport() for p in lab.panels])
    shown: list[set] = [set() for _ in lab.panels]
    ages: list[float] = []

    def sample() -> None:
        # distinct pictures each column showed, and how far its regions lag the step shown
        f = lab.last_frame
        if f is None:
            return
        for k, p in enumerate(lab.panels):
            shown[k].add(id(p._shown))
        if state.get("t0") and lab.current_step() > 0:
            rate = (lab.current_step() - state["steps0"]) / max(
                time.perf_counter() - state["t0"], 1e-3
            )
            if rate > 0:
                behind = [f.step - pic.step for pic in f.pictures if pic is not None]
                ages.append(1000.0 * max(behind, default=0) / rate)

    sampler = QTimer()
    sampler.setInterval(5)
    sampler.timeout.connect(sample)

    def start() -> None:
        steal.start()
        state["t0"] = time.perf_counter()
        state["frames0"] = lab.frames_drawn
        state["pictures0"] = lab.pictures_drawn
        state["snaps0"] = lab.snapshots_taken
        state["steps0"] = lab.current_step()
        painter.on = True
        for s in shown:
            s.clear()
        probe.start()
        sampler.start()

    def stop() -> None:
        probe.stop()
        sampler.stop()
        painter.on = False
        state["t1"] = time.perf_counter()
        state["frames1"] = lab.frames_drawn
        state["pictures1"] = lab.pictures_drawn
        state["snaps1"] = lab.snapshots_taken
        state["steps1"] = lab.current_step()
        steal.stop()
        app.quit()

    QTimer.singleShot(500, start)  # skip the first half second (warm-up)
    QTimer.singleShot(int(500 + seconds * 1000), stop)
    app.exec()
    rss1 = proc.memory_info().rss
    window.shutdown()
    window.close()
    window.deleteLater()
    app.processEvents()

    dt = state["t1"] - state["t0"]
    gaps = np.diff(np.asarray(ticks)) * 1000.0
    lag = np.maximum(gaps - 5.0, 0.0) if len(gaps) else np.array([np.nan])
    return {
        "fps": (state["frames1"] - state["frames0"]) / dt,
        "pictures_per_s": (state["pictures1"] - state["pictures0"]) / dt,
        "snapshots_per_s": (state["snaps1"] - state["snaps0"]) / dt,
        "steps_per_s": (state["steps1"] - state["steps0"]) / dt,
        "lag_p50": float(np.percentile(lag, 50)),
        "lag_p99": float(np.percentile(lag, 99)),
        "lag_max": float(lag.max()),
        "rss0": rss0 / 2**20,
        "rss1": rss1 / 2**20,
        "columns": len(columns),
        "paints_per_s": [c / dt for c in painter.counts],
        "distinct_per_s": [len(s) / dt for s in shown],
        "region_age_p50": float(np.percentile(ages, 50)) if ages else float("nan"),
        "region_age_max": float(np.max(ages)) if ages else float("nan"),
        "steal": steal.percent,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=10.0, help="measured time per size")
    p.add_argument("--sizes", default="1280x720,1920x1080")
    p.add_argument("--presentation", action="store_true", help="in presentation mode")
    p.add_argument("--stacked", action="store_true", help="stacked histograms, not strips")
    args = p.parse_args(argv)
    print(
        f"GUI bench, network lab: {COLUMNS} columns of {LAYERS}-layer nets, full speed, "
        f"{args.seconds:g} s per size, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        + (", presentation" if args.presentation else "")
        + (", stacked histograms" if args.stacked else "")
    )
    print(
        f"{'size':>10} {'frames/s':>9} {'pictures/s':>10} {'snaps/s':>8} {'steps/s':>8} "
        f"{'lag p50':>8} "
        f"{'lag p99':>8} {'lag max':>8} {'RSS start':>10} {'RSS end':>9} {'steal':>6}"
    )
    for spec in args.sizes.split(","):
        w, h = (int(v) for v in spec.lower().split("x"))
        r = run_case(w, h, args.seconds, args.presentation, args.stacked)
        print(
            f"{spec:>10} {r['fps']:9.1f} {r['pictures_per_s']:10.1f} "
            f"{r['snapshots_per_s']:8.1f} {r['steps_per_s']:8.0f} "
            f"{r['lag_p50']:6.1f}ms {r['lag_p99']:6.1f}ms {r['lag_max']:6.1f}ms "
            f"{r['rss0']:8.1f}MB {r['rss1']:7.1f}MB {r['steal']:5.1f}%"
        )
        per = " ".join(f"{v:5.1f}" for v in r["paints_per_s"])
        new = " ".join(f"{v:5.1f}" for v in r["distinct_per_s"])
        print(
            f"{'':>10} repaints/s per column (paint events on each view): {per}  "
            f"total {sum(r['paints_per_s']):.1f}\n"
            f"{'':>10} new pictures/s per column: {new}  total {sum(r['distinct_per_s']):.1f}\n"
            f"{'':>10} regions behind the step shown: p50 {r['region_age_p50']:.0f} ms, "
            f"max {r['region_age_max']:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
