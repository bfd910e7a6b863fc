"""Application set-up: Qt and pyqtgraph options, theme, the main window, and ``--self-test``.

``run(argv)`` is what ``main.py`` calls when no ``--headless`` or ``--list`` is given::

    python main.py                          open the window
    python main.py --presentation           start in presentation mode (large fonts)
    python main.py --fullscreen             start full screen
    python main.py --self-test OUT.png      run the default race for ~2 s offscreen, save a
                                            screenshot, check it, exit 0 (1 on failure)

Imports are static (no importlib) so PyInstaller finds every module.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from engine import APP_NAME, __version__
from gui import keys, theme
from gui.lab import Lab
from gui.landscape_lab import LandscapeLab
from gui.main_window import MainWindow
from gui.signals import install_signal_handlers
from gui.worker import exit_now_if_abandoned


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``, in a source tree or a PyInstaller bundle (``_MEIPASS``)."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parents[1]
    return root.joinpath("resources", *parts)


def configure_pyqtgraph() -> None:
    pg.setConfigOptions(
        imageAxisOrder="row-major",
        antialias=True,
        background=theme.PANEL_BG,
        foreground=theme.INK,
        exitCleanup=False,
    )


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), styled for Descent Lab."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        # The 3-D view's GL shader programs are compiled once per process (pyqtgraph caches
        # them): every GL widget must share one context group to use them.
        QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *(argv or [])])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    # Re-styling an application re-polishes every live widget (1-2 s once a few windows
    # exist), so only apply what differs: make_app may be called again (tests, self-test).
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    configure_pyqtgraph()
    keys.install(app)  # single keys act on the app, never type into a field
    f = app.font()
    if f.pointSizeF() != theme.NORMAL.font_pt:
        f.setPointSizeF(theme.NORMAL.font_pt)
        app.setFont(f)
    sheet = theme.stylesheet()
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    return app


def make_network_lab(session=None) -> Lab:
    """The network lab, imported on first use (``build_main_window`` adds it lazily).

    Importing and building it took 0.2-0.4 s of the start (measured), and the first frame
    shows the landscape lab. The import is still a static statement, so PyInstaller finds it.
    ``session`` is a restored :class:`engine.session.NetworkSession`, if any.
    """
    from gui.network_lab import NetworkLab

    return NetworkLab(session=session)


def build_main_window() -> MainWindow:
    """The main window: the landscape lab, and the network lab made when first shown."""
    window = MainWindow()
    window.add_lab("Landscape lab", LandscapeLab())
    window.add_lazy_lab(
        "Network lab",
        lambda: make_network_lab(window.take_pending_session("network")),
        scenario_keys=("network",),
    )
    return window


def resume_gc() -> None:
    """Turn garbage collection back on once the window is up (main.py pauses it).

    What the start made (modules, classes, the window) lives as long as the app, so it is
    frozen out of the collector's sight (:func:`gc.freeze`) instead of being walked again
    by every full collection while the labs run.
    """
    gc.freeze()
    gc.enable()


FIRST_FRAME_VAR = "DESCENTLAB_FIRST_FRAME_FILE"


class FirstFrameStamp(QObject):
    """Write ``"<time.time()> <time.process_time()>"`` to ``path`` after the first paint.

    The stamp is taken in a zero-timer after the first paint event, i.e. once the event
    loop has finished that paint; bench/bundle_bench.py reads it. The second number, the
    CPU seconds this process has used, barely moves with other programs' load, which the
    wall-clock time does a lot on a shared machine.
    """

    def __init__(self, window, path: str | os.PathLike) -> None:
        super().__init__(window)
        self.path = Path(path)
        self._window = window
        self._seen = False
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if not self._seen and obj is self._window and event.type() == QEvent.Type.Paint:
            self._seen = True
            QTimer.singleShot(0, self._write)
        return False

    def _write(self) -> None:
        self._window.removeEventFilter(self)
        try:
            self.path.write_text(f"{time.time()!r} {time.process_time()!r}", encoding="utf-8")
        except OSError as exc:
            print(f"{FIRST_FRAME_VAR}: cannot write {self.path}: {exc}", file=sys.stderr)


def install_first_frame_stamp(window) -> FirstFrameStamp | None:
    """Stamp the first frame if ``DESCENTLAB_FIRST_FRAME_FILE`` is set."""
    path = os.environ.get(FIRST_FRAME_VAR)
    return FirstFrameStamp(window, path) if path else None


def image_is_blank(img: QImage) -> str | None:
    """``None`` if ``img`` looks like a drawn window, else why not."""
    if img.isNull() or img.width() < 100 or img.height() < 100:
        return "the screenshot is empty"
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    arr = arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., :3]
    if float(arr.std()) < 8.0:
        return "the screenshot is (nearly) one colour"
    colours = np.unique(arr[::4, ::4].reshape(-1, 3), axis=0)
    if len(colours) < 64:
        return f"the screenshot has only {len(colours)} colours"
    return None


def self_test(window: MainWindow, out: Path, seconds: float = 2.0) -> int:
    """Show ``window``, race for ``seconds``, save a screenshot to ``out`` and check it."""
    app = QApplication.instance()
    result = {"code": 1, "message": "the self-test did not finish"}

    def finish() -> None:
        lab = window.current_lab()
        problems = []
        problem = lab.self_test_check() if lab is not None else "no lab"
        if problem:
            problems.append(problem)
        img = window.grab().toImage()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not img.save(str(out), "PNG"):
            problems.append(f"could not write {out}")
        blank = image_is_blank(img)
        if blank:
            problems.append(blank)
        if problems:
            result.update(code=1, message="; ".join(problems))
        else:
            step = lab.current_step()
            result.update(
                code=0,
                message=f"ok: {step} steps, {lab.frames_drawn} frames, screenshot {out} "
                f"({img.width()}x{img.height()})",
            )
        app.quit()

    def watchdog() -> None:
        why = "timed out" if result.get("playing") else "timed out: the window never painted"
        result.update(code=1, message=f"the self-test {why}")
        app.quit()

    def play() -> None:
        result["playing"] = True
        if window.current_lab() is not None:
            window.act_play.setChecked(True)
        QTimer.singleShot(int(seconds * 1000), finish)

    window.resize(1280, 720)
    window.set_speed(None)
    # Press play once the window is on screen, as a user would: a race started before the
    # first paint competes with it for the interpreter (measured: +0.15-0.2 s to the first
    # frame on two cores), which no real start-up does.
    window.first_frame_painted.connect(play)
    window.show()
    QTimer.singleShot(int(seconds * 1000) + 30000, watchdog)
    app.exec()
    window.shutdown()
    stream = sys.stdout if result["code"] == 0 else sys.stderr
    print(f"self-test: {result['message']}", file=stream)
    return int(result["code"])


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="main.py", description=f"{APP_NAME} desktop app")
    p.add_argument(
        "--self-test",
        metavar="OUT.png",
        type=Path,
        help="run the default race offscreen for ~2 s, save a screenshot, exit 0 if ok",
    )
    p.add_argument("--self-test-seconds", type=float, default=2.0, help=argparse.SUPPRESS)
    p.add_argument("--presentation", action="store_true", help="start in presentation mode")
    p.add_argument("--fullscreen", action="store_true", help="start full screen")
    return p.parse_known_args(argv)


def run(argv: list[str] | None = None) -> int:
    """Start the GUI; returns the process exit status."""
    args, qt_args = parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.self_test is not None and not os.environ.get("QT_QPA_PLATFORM"):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = make_app(qt_args)
    window = build_main_window()
    window._first_frame_stamp = install_first_frame_stamp(window)
    window.first_frame_painted.connect(resume_gc)
    if args.self_test is None:
        # The self-test runs the defaults: it neither reads nor writes the user's session.
        autosave = window.enable_autosave()
        app.aboutToQuit.connect(autosave.save_now)
        # What the command line asks for wins over what the last session left.
        autosave.pin(*(["presentation"] if args.presentation else []))
        autosave.pin(*(["geometry"] if args.fullscreen else []))
    app.aboutToQuit.connect(window.shutdown)
    # Ctrl+C and SIGTERM quit as a close does: autosave, workers stopped (gui/signals.py).
    window._signal_quitter = install_signal_handlers(window)
    if args.presentation:
        window.set_presentation(True)
    if args.self_test is not None:
        return self_test(window, args.self_test, args.self_test_seconds)
    if args.fullscreen:
        window.act_fullscreen.setChecked(True)
    else:
        window.resize(1440, 900)
        window.show()
    code = app.exec()
    window.shutdown()
    exit_now_if_abandoned(int(code))  # a worker still in a long step: see gui/worker.py
    return int(code)
