"""A seeded random-action driver for the whole window (the monkey test and bench).

:class:`Monkey` plays random user actions on a real :func:`gui.app.build_main_window`:
play/pause, step, reset, speed changes, undo/redo, lab switches, lesson opens,
presentation toggles, the labs' own menu actions (add, duplicate, remove, resample,
vary...), and edits through the labs (landscape, optimizer hyperparameters). Every draw
comes from one ``np.random.Generator``, so a run is repeatable action for action (what
the worker threads did in between is not).

While it runs it counts what went wrong:

* exceptions: ``sys.excepthook`` (an exception in a slot lands there), and warnings or
  worse from Qt's message handler;
* stalls: a 10 ms timer measures how late the event loop serves it (the lag probe); a lag
  above ``stall_ms`` is a stall; the GUI thread's CPU time per action (``cpu_ms``, worst
  per kind) tells an action's own cost from waiting for the CPU or the GIL;
* memory: the resident set size (``/proc/self/statm``), sampled every ``every`` actions.

Dialogs that would block are replaced by a scripted stand-in that answers "cancel".
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QEvent,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "resources" / "scenarios").glob("*.json"))
SPEEDS = (None, 1.0, 10.0, 100.0, 1000.0, 20.0)
LANDSCAPES = ("rosenbrock", "himmelblau", "beale", "rastrigin", "quadratic", "saddle")
# Qt messages that are the offscreen platform talking, not the app going wrong.
BENIGN_QT = ("propagateSizeHints", "QFont::setPointSizeF")


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux; 0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class _Dialogs:
    """Answers every file dialog with "cancel"; alerts are counted, not shown."""

    def __init__(self) -> None:
        self.alerts: list[tuple[str, str, str]] = []

    def open_path(self, *args):
        return None

    def save_path(self, *args):
        return None

    def alert(self, parent, level, title, text):
        self.alerts.append((level, title, text))

    def lesson_details(self, *args, **kw):
        return None


class LagProbe:
    """How late a 10 ms timer fires: the event loop's longest stall."""

    def __init__(self, interval_ms: int = 10) -> None:
        self.interval = interval_ms
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self.lags: list[float] = []
        self._last = 0

    def start(self) -> None:
        self._clock.start()
        self._last = self._clock.elapsed()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = self._clock.elapsed()
        self.lags.append(max(0.0, now - self._last - self.interval))
        self._last = now

    def take_max(self) -> float:
        """Longest lag (ms) since the last call."""
        m = max(self.lags, default=0.0)
        self.lags.clear()
        return m


@dataclass
class MonkeyReport:
    actions: int = 0
    exceptions: list[str] = field(default_factory=list)
    #: The full traceback of each exception, for the failure message.
    tracebacks: list[str] = field(default_factory=list)
    qt_messages: list[str] = field(default_factory=list)
    stalls: list[tuple[int, str, float]] = field(default_factory=list)
    memory: list[tuple[int, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    #: Worst CPU time (ms) of the GUI thread per kind of action, the events it posted
    #: included: the stall the action itself causes, which neither machine load nor the
    #: workers' share of the GIL inflates (the lag probe's wall time counts both).
    cpu_ms: dict[str, float] = field(default_factory=dict)

    def growth_after(self, first: int) -> float:
        """Memory growth (MB) from the sample at ``first`` actions to the largest after."""
        base = next((m for n, m in self.memory if n >= first), None)
        if base is None:
            return 0.0
        return max(m for n, m in self.memory if n >= first) - base


class Monkey:
    """Random actions on ``window`` from ``np.random.default_rng(seed)``.

    Parameters
    ----------
    window : MainWindow
        Built with :func:`gui.app.build_main_window`, shown.
    seed : int
    stall_ms : float
        An event-loop lag above this counts as a stall.
    settle_ms : int
        Event-loop time given after each action (the labs draw, the worker steps).
    weights : dict or None
        Relative frequency of each kind of action by name (see :attr:`DEFAULT_WEIGHTS`);
        missing names keep their default, 0 leaves a kind out.
    speeds : tuple
        Speeds (steps per second, ``None`` = full) the ``speed`` action picks from.
    """

    #: How often each kind of action is drawn, relative to the others.
    DEFAULT_WEIGHTS: ClassVar[dict[str, float]] = {
        "play": 8,
        "step": 4,
        "reset": 2,
        "speed": 4,
        "undo": 3,
        "redo": 2,
        "switch": 3,
        "lesson": 1,
        "presentation": 1,
        "lab-action": 6,
        "edit": 4,
        "hide-lesson": 1,
    }

    def __init__(
        self,
        window,
        seed: int = 0,
        stall_ms: float = 250.0,
        settle_ms: int = 5,
        weights: dict[str, float] | None = None,
        speeds: tuple[float | None, ...] = SPEEDS,
    ):
        self.window = window
        self.rng = np.random.default_rng(seed)
        self.stall_ms = float(stall_ms)
        self.settle_ms = int(settle_ms)
        self.report = MonkeyReport()
        self.speeds = tuple(speeds)
        window.dialogs = _Dialogs()
        self.probe = LagProbe()
        acts = {
            "play": self._play,
            "step": lambda: window.act_step.trigger(),
            "reset": lambda: window.act_reset.trigger(),
            "speed": self._speed,
            "undo": lambda: window.act_undo.trigger(),
            "redo": lambda: window.act_redo.trigger(),
            "switch": self._switch,
            "lesson": self._lesson,
            "presentation": self._presentation,
            "lab-action": self._lab_action,
            "edit": self._edit,
            "hide-lesson": lambda: window.lessons.act_hide.trigger(),
        }
        chosen = {**self.DEFAULT_WEIGHTS, **(weights or {})}
        unknown = set(chosen) - set(acts)
        if unknown:
            raise ValueError(f"unknown actions {sorted(unknown)}; known: {sorted(acts)}")
        self._actions = [(chosen[k], k, fn) for k, fn in acts.items() if chosen[k] > 0]
        w = np.array([a[0] for a in self._actions], dtype=float)
        self._p = w / w.sum()

    # ------------------------------------------------------------------ actions
    def _play(self):
        self.window.act_play.trigger()

    def _speed(self):
        self.window.set_speed(self.speeds[self.rng.integers(len(self.speeds))])

    def _switch(self):
        tabs = self.window.tabs
        tabs.setCurrentIndex(int(self.rng.integers(tabs.count())))

    def _lesson(self):
        if LESSONS:
            self.window.lessons.open_file(LESSONS[self.rng.integers(len(LESSONS))])

    def _presentation(self):
        self.window.set_presentation(not self.window.presentation)

    def _lab_action(self):
        lab = self.window.current_lab()
        if lab is None:
            return
        acts = [a for a in lab.lab_actions() if a is not None and a.isEnabled()]
        acts = [a for a in acts if "…" not in a.text()]  # those open dialogs
        if acts:
            acts[self.rng.integers(len(acts))].trigger()

    def _edit(self):
        lab = self.window.current_lab()
        if lab is None:
            return
        if hasattr(lab, "set_landscape"):
            lab.set_landscape(LANDSCAPES[self.rng.integers(len(LANDSCAPES))], None)
            return
        from engine.session.net_session import SetColumnHyper

        cols = lab.session.columns
        if cols:
            i = int(self.rng.integers(len(cols)))
            lr = float(10 ** self.rng.uniform(-4, 0))
            lab.edit(SetColumnHyper(i, "lr", lr))

    # ------------------------------------------------------------------ running
    def run(self, n: int, every: int = 500, log=None) -> MonkeyReport:
        """Play ``n`` actions; sample memory every ``every`` actions (and print it with
        ``log``, a callable taking one line)."""
        app = QApplication.instance()
        rep = self.report
        old_hook = sys.excepthook

        def hook(tp, value, tb):
            rep.exceptions.append("".join(traceback.format_exception_only(tp, value)).strip())
            rep.tracebacks.append("".join(traceback.format_exception(tp, value, tb)))

        def on_qt(mode, context, message):
            if mode != QtMsgType.QtDebugMsg and not any(b in message for b in BENIGN_QT):
                rep.qt_messages.append(message)

        sys.excepthook = hook
        old_handler = qInstallMessageHandler(on_qt)
        self.probe.start()
        try:
            rep.memory.append((0, rss_mb()))
            for k in range(1, n + 1):
                j = int(self.rng.choice(len(self._actions), p=self._p))
                _, name, act = self._actions[j]
                rep.counts[name] = rep.counts.get(name, 0) + 1
                self.probe.take_max()
                t0 = time.perf_counter()
                c0 = time.thread_time()
                try:
                    act()
                except Exception as exc:  # an action raising directly (not via a slot)
                    rep.exceptions.append(f"{name}: {type(exc).__name__}: {exc}")
                    rep.tracebacks.append("".join(traceback.format_exception(exc)))
                deadline = time.perf_counter() + self.settle_ms / 1000
                while True:
                    app.processEvents()
                    # What the running event loop does between turns: processEvents()
                    # alone never deletes what deleteLater() queued (an app in exec() does).
                    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                    if time.perf_counter() >= deadline:
                        break
                    time.sleep(0.001)
                # The action itself ran on the event loop's thread: its time is a stall too.
                spent = time.perf_counter() - t0
                cpu = (time.thread_time() - c0) * 1000
                rep.cpu_ms[name] = max(rep.cpu_ms.get(name, 0.0), cpu)
                rep.seconds[name] = rep.seconds.get(name, 0.0) + spent
                lag = max(self.probe.take_max(), spent * 1000 - self.settle_ms)
                if lag > self.stall_ms:
                    rep.stalls.append((k, name, lag))
                rep.actions = k
                if k % every == 0:
                    rep.memory.append((k, rss_mb()))
                    if log is not None:
                        log(
                            f"{k:6d} actions  rss {rep.memory[-1][1]:7.1f} MB  "
                            f"exceptions {len(rep.exceptions)}  stalls {len(rep.stalls)}"
                        )
        finally:
            self.probe.stop()
            sys.excepthook = old_hook
            qInstallMessageHandler(old_handler)
        return rep
