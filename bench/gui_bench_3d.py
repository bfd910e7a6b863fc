"""GUI benchmark of the 3-D view: eight runs racing on the surface, on a real X server.

Frames are counted as paints reaching the GL widget (``paintGL`` calls) while a race of eight
runs (``engine.runs.eight_run_race``) is stepped on a display-rate timer, each tick feeding
the new snapshot to the panel as the landscape lab does. Two pacings side by side: the lab's
(a 16 ms timer: the target is 60 frames/s) and flat out (a 0 ms timer: what the machine
could give). For each it prints frames/s, race steps/s, and where a frame's time goes:
building the snapshot (engine), the panel's per-frame update, and the GL paint; plus the
host's steal time. Needs an X server with OpenGL (Mesa's llvmpipe is enough): without
DISPLAY it starts ``Xvfb :96`` itself and stops it at the end.

    .venv/bin/python bench/gui_bench_3d.py [--seconds 8] [--size 1920x1080]
        [--steps-per-frame 5] [--screenshot docs/screenshots/landscape-3d.png] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
XVFB_DISPLAY = ":96"


def ensure_display() -> subprocess.Popen | None:
    """Use $DISPLAY, or start Xvfb on :96 (returned, to be stopped by the caller)."""
    if os.environ.get("DISPLAY"):
        return None
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        sys.exit("no DISPLAY and no Xvfb: install xvfb (apt-get install -y xvfb) or set DISPLAY")
    os.environ["DISPLAY"] = XVFB_DISPLAY
    if Path(f"/tmp/.X11-unix/X{XVFB_DISPLAY[1:]}").exists():
        return None  # already running (started by someone else): use it, leave it
    proc = subprocess.Popen(
        [xvfb, XVFB_DISPLAY, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{XVFB_DISPLAY[1:]}").exists():
            break
        time.sleep(0.05)
    return proc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=8.0, help="measured time per pacing")
    p.add_argument("--size", default="1920x1080")
    p.add_argument("--steps-per-frame", type=int, default=5, help="race steps per tick")
    p.add_argument("--presentation", action="store_true")
    p.add_argument("--screenshot", help="save a PNG of the view after the first pacing")
    p.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    args = p.parse_args(argv)
    xvfb = ensure_display()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        return run(args)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)


def run(args: argparse.Namespace) -> int:
    import engine  # noqa: F401  (pins BLAS to one thread: must load before numpy)

    # isort: split
    from host import StealMeter
    from PySide6.QtCore import Qt, QTimer

    from engine.runs import Race, eight_run_race
    from gui import theme
    from gui.app import make_app
    from gui.gl_check import opengl_available

    app = make_app([])
    ok, why = opengl_available()
    if not ok:
        print(why)
        return 1
    from gui.panels.surface3d_panel import Surface3DPanel

    w, h = (int(v) for v in args.size.lower().split("x"))
    config = eight_run_race()
    race = Race(config)
    panel = Surface3DPanel()
    panel.set_landscape(config.build_landscape())
    panel.set_runs([theme.run_style(i) for i in range(len(config.runs))])
    panel.set_start_marker(race.snapshot().positions[0])
    if args.presentation:
        panel.set_presentation(True)
    panel.resize(w, h)
    panel.show()
    view = panel.view
    paint_time = [0.0]
    original = view.paintGL

    def timed_paint(*a, **k):
        t = time.perf_counter()
        original(*a, **k)
        paint_time[0] += time.perf_counter() - t

    view.paintGL = timed_paint
    t_end = time.perf_counter() + 1.0
    while time.perf_counter() < t_end:
        app.processEvents()

    print(
        f"3-D bench: 8 runs on {config.build_landscape().title}, {args.size}, "
        f"{args.steps_per_frame} steps per tick, {args.seconds:g} s each, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}; {why}"
    )
    print(
        f"{'pacing':>12} {'frames/s':>9} {'steps/s':>8} {'engine':>9} {'update':>9} "
        f"{'paintGL':>9} {'GUI CPU':>9} {'points':>8} {'steal':>6}"
    )
    profiler = cProfile.Profile() if args.profile else None
    for name, interval in (("timer 16 ms", 16), ("flat out", 0)):
        stats = {"engine": 0.0, "update": 0.0, "ticks": 0}

        def tick(stats: dict = stats) -> None:
            t0 = time.perf_counter()
            race.step(args.steps_per_frame)
            snap = race.snapshot()
            t1 = time.perf_counter()
            panel.update_snapshot(snap)
            view.update()
            stats["engine"] += t1 - t0
            stats["update"] += time.perf_counter() - t1
            stats["ticks"] += 1

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(interval)
        timer.timeout.connect(tick)
        steal = StealMeter()
        paints0, step0, paint_time[0] = view.paints, race.snapshot().step, 0.0
        steal.start()
        cpu0, t0 = time.thread_time(), time.perf_counter()
        timer.start()
        if profiler is not None and interval == 16:
            profiler.enable()
        t_end = t0 + args.seconds
        while time.perf_counter() < t_end:
            app.processEvents()
        if profiler is not None and interval == 16:
            profiler.disable()
        timer.stop()
        dt = time.perf_counter() - t0
        cpu = time.thread_time() - cpu0
        steal.stop()
        frames = view.paints - paints0
        n_ticks = max(1, stats["ticks"])
        points = sum(len(panel.line_points(i)) for i in range(8))
        print(
            f"{name:>12} {frames / dt:9.1f} {(race.snapshot().step - step0) / dt:8.0f} "
            f"{1000 * stats['engine'] / n_ticks:7.2f}ms {1000 * stats['update'] / n_ticks:7.2f}ms "
            f"{1000 * paint_time[0] / max(1, frames):7.2f}ms {1000 * cpu / max(1, frames):7.2f}ms "
            f"{points:8d} {steal.percent:5.1f}%"
        )
        if args.screenshot and interval == 16:
            out = Path(args.screenshot)
            out.parent.mkdir(parents=True, exist_ok=True)
            app.processEvents()
            panel.grab_panel().save(str(out))
            print(f"   screenshot: {out}")
    print(
        "   engine = race.step + snapshot per tick; update = Surface3DPanel.update_snapshot; "
        "paintGL = the GL paint per frame (the window's composition comes on top); "
        "GUI CPU = GUI-thread CPU per frame"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
    panel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
