"""Presentation toggle benchmark: how long the event loop stalls when a teacher presses F5.

Builds the main window with both labs made (the network lab too, as after a first visit) and
a lesson open, then toggles presentation mode ``--toggles`` times. For each direction it
prints the wall time and the CPU time of the toggle plus the events it posts (layouts,
polish, paints), the worst of both, and the host's steal meanwhile. ``--profile`` adds the
top functions by cumulative time; ``--phases`` times each step of
``MainWindow.set_presentation`` separately (style, banner, toolbar, each lab).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/presentation_bench.py [--toggles 10]
        [--size 1280x720] [--profile] [--phases]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DESCENTLAB_STATE_DIR", tempfile.mkdtemp(prefix="descentlab-bench-"))

import engine  # noqa: F401  (pins BLAS to one thread: must load before numpy)

# isort: split
from host import StealMeter
from PySide6.QtCore import QCoreApplication, QEvent

from gui.app import build_main_window, make_app

LESSON = "resources/scenarios/01_rosenbrock_valley.json"


def settle(app) -> None:
    """Process what the toggle posted, deferred deletes included (as a running loop would)."""
    for _ in range(3):
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def toggle(app, window, on: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one toggle and the events it posted."""
    w0, c0 = time.perf_counter(), time.process_time()
    window.set_presentation(on)
    settle(app)
    return time.perf_counter() - w0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--toggles", type=int, default=10)
    p.add_argument("--size", default="1280x720")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--phases", action="store_true")
    args = p.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    app = make_app([])
    window = build_main_window()
    window.resize(width, height)
    window.show()
    settle(app)
    # Make the network lab (lazy) and come back: both labs are styled on every toggle.
    window.tabs.setCurrentIndex(1)
    settle(app)
    window.tabs.setCurrentIndex(0)
    window.lessons.open_file(LESSON)
    settle(app)
    toggle(app, window, True)  # first toggle: caches warm (fonts, glyphs)
    toggle(app, window, False)
    steal = StealMeter()
    steal.start()
    times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    prof = cProfile.Profile() if args.profile else None
    for k in range(args.toggles):
        on = k % 2 == 0
        if prof is not None:
            prof.enable()
        times[on].append(toggle(app, window, on))
        if prof is not None:
            prof.disable()
    stolen = steal.stop()
    if window.presentation:
        toggle(app, window, False)
    print(f"presentation toggles, {args.size}, both labs made, lesson open")
    print(f"{'direction':>16} {'wall mean':>10} {'wall max':>9} {'cpu mean':>9} {'cpu max':>8}")
    for on, label in ((True, "to presentation"), (False, "to normal")):
        wall = [w * 1000 for w, _ in times[on]]
        cpu = [c * 1000 for _, c in times[on]]
        print(
            f"{label:>16} {statistics.mean(wall):8.0f}ms {max(wall):7.0f}ms "
            f"{statistics.mean(cpu):7.0f}ms {max(cpu):6.0f}ms"
        )
    print(f"host steal {stolen:.1f} %  (target: every toggle < 250 ms)")
    # The hidden lab is styled when its tab is chosen: that switch carries its share.
    switch = []
    for on in (True, False):
        toggle(app, window, on)
        for index in (1, 0):
            c0 = time.process_time()
            window.tabs.setCurrentIndex(index)
            settle(app)
            switch.append((time.process_time() - c0) * 1000)
    print(
        f"tab switches after a toggle (the shown lab styled then), cpu ms: "
        f"{' '.join(f'{v:.0f}' for v in switch)}"
    )
    # What the old toggle's main part, an application re-style, costs on the same window.
    sheet = app.styleSheet()
    c0 = time.process_time()
    app.setStyleSheet(sheet + " ")
    settle(app)
    restyle = (time.process_time() - c0) * 1000
    app.setStyleSheet(sheet)
    settle(app)
    mean_cpu = statistics.mean(c * 1000 for v in times.values() for _, c in v)
    print(
        f"one application re-style (app.setStyleSheet, the old toggle's core): "
        f"{restyle:.0f} ms cpu, {restyle / mean_cpu:.1f}x a whole toggle now"
    )
    if args.phases:
        phases(app, window)
    if prof is not None:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    window.shutdown()
    return 0


def phases(app, window) -> None:
    """CPU ms of each step of a toggle, timed by wrapping the steps' methods."""
    from gui import theme

    labs = list(window.labs)
    targets = [(theme, "set_presentation_style"), (window.lesson_banner, "apply_scale")]
    targets += [(window, "_style_toolbar")]
    targets += [(lab, "set_scale") for lab in labs] + [(lab, "set_presentation") for lab in labs]
    spent: dict[str, float] = {}
    originals = [getattr(obj, name) for obj, name in targets]
    for (obj, name), method in zip(targets, originals, strict=True):
        key = f"{getattr(obj, '__name__', type(obj).__name__)}.{name}"

        def wrapped(*a, _m=method, _k=key, **kw):
            c0 = time.process_time()
            try:
                return _m(*a, **kw)
            finally:
                spent[_k] = spent.get(_k, 0.0) + time.process_time() - c0

        setattr(obj, name, wrapped)
    total = 0.0
    for on in (True, False, True, False):
        c0 = time.process_time()
        window.set_presentation(on)
        mid = time.process_time()
        settle(app)
        spent["(events after)"] = spent.get("(events after)", 0.0) + time.process_time() - mid
        total += time.process_time() - c0
    print("CPU per toggle by step (mean of 4):")
    for key, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {key:<40} {s / 4 * 1000:7.1f} ms")
    print(f"  {'total':<40} {total / 4 * 1000:7.1f} ms")
    for (obj, name), method in zip(targets, originals, strict=True):
        setattr(obj, name, method)


if __name__ == "__main__":
    raise SystemExit(main())
