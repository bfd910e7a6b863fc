"""GUI benchmark: the landscape lab at full speed with 8 runs, offscreen.

For each window size it prints frames drawn per second, engine steps per second, the lag of
a 5 ms timer (how late the event loop serves it: p50 and p99) and the process memory (RSS)
at start and end. Targets: >= 60 frames/s, p99 lag <= 16 ms, memory growth <= 20 MB/60 s.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_bench.py [--seconds 10]
        [--sizes 1280x720,1920x1080] [--internals] [--presentation]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: F401  (pins BLAS to one thread: must load before numpy)

# isort: split
import numpy as np
import psutil
from host import StealMeter
from PySide6.QtCore import Qt, QTimer

from engine.runs import RaceConfig, eight_run_race
from gui.app import make_app
from gui.landscape_lab import LandscapeLab
from gui.main_window import MainWindow


def bench_config(n_runs: int = 8) -> RaceConfig:
    """``n_runs`` runs that keep running (tol=0: nobody is declared converged): the eight
    of :func:`engine.runs.eight_run_race`, then the same optimizers again at half their
    learning rate."""
    base = eight_run_race()
    runs = list(base.runs)
    for k in range(len(runs), n_runs):
        r = base.runs[k % len(base.runs)]
        runs.append(replace(r, hyper={**r.hyper, "lr": r.hyper["lr"] / 2}))
    return replace(base, runs=tuple(runs[:n_runs]))


def measure(
    app,
    size: tuple[int, int],
    seconds: float,
    internals: bool,
    presentation: bool,
    n_runs: int = 8,
):
    proc = psutil.Process()
    window = MainWindow()
    lab = LandscapeLab(bench_config(n_runs))
    window.add_lab("Landscape lab", lab)
    window.resize(*size)
    window.show()
    if presentation:
        window.set_presentation(True)
    if internals:
        lab.set_internals_visible(True)
    window.set_speed(None)
    # Let the window settle before measuring.
    t_end = time.perf_counter() + 0.5
    while time.perf_counter() < t_end:
        app.processEvents()
    rss0 = proc.memory_info().rss
    window.act_play.setChecked(True)

    ticks: list[float] = []
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))

    state = {}

    steal = StealMeter()

    def start() -> None:
        steal.start()
        state["t0"] = time.perf_counter()
        state["frames0"] = lab.frames_drawn
        state["steps0"] = lab.current_step()
        state["cpu0"] = time.thread_time()
        probe.start()

    def stop() -> None:
        probe.stop()
        state["t1"] = time.perf_counter()
        state["frames1"] = lab.frames_drawn
        state["steps1"] = lab.current_step()
        state["cpu1"] = time.thread_time()
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
    status = lab.last_snapshot.status if lab.last_snapshot is not None else ()
    return {
        "fps": (state["frames1"] - state["frames0"]) / dt,
        "steps_per_s": (state["steps1"] - state["steps0"]) / dt,
        "lag_p50": float(np.percentile(lag, 50)),
        "lag_p99": float(np.percentile(lag, 99)),
        "lag_max": float(lag.max()),
        "rss0": rss0 / 2**20,
        "rss1": rss1 / 2**20,
        "running": sum(s == "running" for s in status),
        "steal": steal.percent,
        # CPU time of the GUI thread per frame drawn: what an idle machine would allow.
        "cpu_ms": 1000
        * (state["cpu1"] - state["cpu0"])
        / max(1, state["frames1"] - state["frames0"]),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=10.0, help="measured time per size")
    p.add_argument("--sizes", default="1280x720,1920x1080")
    p.add_argument("--internals", action="store_true", help="with the internals overlay on")
    p.add_argument("--presentation", action="store_true", help="in presentation mode")
    p.add_argument("--runs", type=int, default=8, help="runs racing (8 or more)")
    p.add_argument(
        "--lab", choices=("landscape", "network", "both"), default="both", help="which lab(s)"
    )
    args = p.parse_args(argv)
    app = make_app([])
    if args.lab == "network":
        return _network(args)
    print(
        f"GUI bench: {args.runs} runs, full speed, {args.seconds:g} s per size, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        + (", internals on" if args.internals else "")
        + (", presentation" if args.presentation else "")
    )
    print(
        f"{'size':>10} {'frames/s':>9} {'steps/s':>9} {'lag p50':>8} {'lag p99':>8} "
        f"{'lag max':>8} {'RSS start':>10} {'RSS end':>9} {'growth':>7} {'GUI CPU/frame':>14} "
        f"{'steal':>6}"
    )
    for spec in args.sizes.split(","):
        w, h = (int(v) for v in spec.lower().split("x"))
        r = measure(app, (w, h), args.seconds, args.internals, args.presentation, args.runs)
        print(
            f"{spec:>10} {r['fps']:9.1f} {r['steps_per_s']:9.0f} {r['lag_p50']:6.1f}ms "
            f"{r['lag_p99']:6.1f}ms {r['lag_max']:6.1f}ms {r['rss0']:8.1f}MB {r['rss1']:7.1f}MB "
            f"{r['rss1'] - r['rss0']:+5.1f}MB {r['cpu_ms']:11.1f}ms {r['steal']:5.1f}%"
        )
        if r["running"] < args.runs:
            print(f"   note: only {r['running']} of {args.runs} runs were still running at the end")
    if args.lab == "both":
        print()
        return _network(args)
    return 0


def _network(args: argparse.Namespace) -> int:
    """The network-lab case (four 10-layer columns at full speed), same sizes and time."""
    import gui_bench_network

    extra = ["--presentation"] if args.presentation else []
    return gui_bench_network.main(["--seconds", str(args.seconds), "--sizes", args.sizes, *extra])


if __name__ == "__main__":
    sys.exit(main())
