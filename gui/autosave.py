"""Autosave and restore: the labs' sessions, the lesson, the window, the speed.

What is saved: both sessions (:meth:`engine.session.Session.to_json`), the open lesson,
the current lab, the window's geometry, the speed, presentation mode, the export folder, the
line width and each lab's view settings (loss-plot smoothing, :meth:`gui.lab.Lab.view_state`).
Command-line flags win over the file (:meth:`Autosave.pin`).
When: at most :data:`SAVE_DELAY_MS` after a change (a timer started by the first change and
not pushed back by later ones, so steady editing still saves) and on quit; atomically, to
:func:`gui.user_paths.state_file`. The restore runs after the first paint, so the first
frame does not wait for it; a file that cannot be used is set aside with a one-line message
(:mod:`engine.session.state`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, QTimer
from PySide6.QtGui import QGuiApplication

from engine.scenario import scenario_from_dict
from engine.session import LandscapeSession, NetworkSession
from engine.session.state import read_state, reject, write_state
from gui.line_width import check_line_width
from gui.panels.smoothing_control import SLIDER_MAX
from gui.user_paths import state_file

if TYPE_CHECKING:
    # The window's type is named, not imported: the main window imports this module.
    from PySide6.QtWidgets import QMainWindow as MainWindow

__all__ = ["SAVE_DELAY_MS", "Autosave"]

#: Session classes by the key their JSON is saved under.
SESSIONS = {"landscape": LandscapeSession, "network": NetworkSession}

#: Longest time between a change and its save (kill -9 loses at most this much).
SAVE_DELAY_MS = 1500


def _geometry(w) -> dict:
    # Plain numbers, not saveGeometry(): Qt clamps that blob to the screen it finds at
    # restore time, and a size is what a teacher set up for the projector.
    full = w.isMaximized() or w.isFullScreen()
    g = w.normalGeometry() if full else w.geometry()
    pos = g.topLeft() if full else w.pos()  # move() takes the frame's corner, as pos() gives
    return {
        "x": pos.x(),
        "y": pos.y(),
        "width": g.width(),
        "height": g.height(),
        "maximized": w.isMaximized(),
    }


def _check_geometry(g) -> dict | None:
    if g is None:
        return None
    keys = ("x", "y", "width", "height")
    if not isinstance(g, dict) or not all(
        isinstance(g.get(k), int) and not isinstance(g.get(k), bool) for k in keys
    ):
        raise ValueError("geometry must hold whole numbers x, y, width and height")
    if g["width"] < 100 or g["height"] < 100:
        raise ValueError(f"window size {g['width']}x{g['height']} is too small")
    return g


def _set_geometry(w, g: dict) -> None:
    w.resize(g["width"], g["height"])
    # Only onto a screen that is still there (a projector may have been unplugged).
    if QGuiApplication.screenAt(QPoint(g["x"] + 20, g["y"] + 20)) is not None:
        w.move(g["x"], g["y"])
    if g.get("maximized"):
        w.showMaximized()


def _check_smoothing(weight) -> None:
    if weight is None:
        return
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise ValueError(f"smoothing must be a number; got {weight!r}")
    if not 0.0 <= weight <= SLIDER_MAX:
        raise ValueError(f"smoothing must be between 0 and {SLIDER_MAX}; got {weight!r}")


class Autosave(QObject):
    """Saves ``window``'s state after changes and on quit, and restores it.

    Parameters
    ----------
    window : gui.main_window.MainWindow
    path : path, optional
        The state file (default :func:`gui.user_paths.state_file`).
    """

    def __init__(self, window: MainWindow, path: str | Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.path = Path(path) if path is not None else state_file()
        self.saves = 0
        self._enabled = True
        self._failed = False
        self._restored = False
        #: Parts of the state the command line set: restore leaves them as they are.
        self.pinned: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        window.state_changed.connect(self.schedule)

    # ------------------------------------------------------------------ saving
    def schedule(self) -> None:
        """Save soon (at most SAVE_DELAY_MS from the first unsaved change)."""
        # Nothing before the restore: it must not be overwritten by the start-up defaults.
        if self._enabled and self._restored and not self._timer.isActive():
            self._timer.start()

    def collect(self) -> dict:
        """The state as a JSON-safe dict (what :meth:`save_now` writes)."""
        w = self.window
        state: dict = {
            "current_lab": w.tabs.currentIndex(),
            "geometry": _geometry(w),
            "speed": w.speed(),
            "presentation": w.presentation,
            "export_folder": str(w.exporter.folder) if w.exporter.folder else None,
            "line_width": w.line_width.width,
            "views": w.view_states(),
        }
        lesson = w.lessons.current
        state["lesson"] = lesson.to_dict() if lesson is not None else None
        for key, session in {**w.pending_sessions(), **w.sessions()}.items():
            state[key] = session.to_json()
        return state

    def save_now(self) -> bool:
        """Write the state now; a failure is reported once in the status bar."""
        self._timer.stop()
        if not (self._enabled and self._restored):
            return False
        try:
            write_state(self.path, self.collect())
        except (OSError, ValueError) as exc:
            if not self._failed:
                self._failed = True
                self.window.show_message(f"cannot autosave to {self.path}: {exc}", "warning")
            return False
        self._failed = False
        self.saves += 1
        return True

    def disable(self) -> None:
        """Neither save nor restore from now on (the self-test, a session started fresh)."""
        self._enabled = False
        self._timer.stop()

    def pin(self, *parts: str) -> None:
        """Keep ``parts`` ("presentation", "geometry") as they are at restore: what the
        command line asked for (``--presentation``, ``--fullscreen``) wins over the file."""
        unknown = set(parts) - {"presentation", "geometry"}
        if unknown:
            raise ValueError(f"cannot pin {sorted(unknown)}: only presentation and geometry")
        self.pinned.update(parts)

    # ------------------------------------------------------------------ restoring
    def restore(self) -> str:
        """Apply the saved state, if any; returns the status message ("" when none)."""
        if not self._enabled or self._restored:
            return ""
        self._restored = True
        state, message = read_state(self.path)
        if state is None:
            if message:
                self.window.show_message(message, "warning")
            return message
        w = self.window
        try:
            self._apply(w, state)
        except (ValueError, TypeError, KeyError) as exc:
            message = reject(self.path, f"could not be applied ({exc})")
            w.show_message(message, "warning")
            return message
        w.show_message("restored the last session")
        return ""

    def _apply(self, w: MainWindow, state: dict) -> None:
        # Check every part first, so a bad file changes nothing.
        made = w.sessions()
        sessions = {}
        for kind, cls in SESSIONS.items():
            d = state.get(kind)
            if d is None:
                continue
            if kind in made:
                sessions[kind] = made[kind].config_from_json(d)
            else:
                sessions[kind] = cls.from_json(d)
        lesson = state.get("lesson")
        scenario = scenario_from_dict(lesson, "saved lesson") if lesson is not None else None
        speed = state.get("speed")
        if speed is not None and (isinstance(speed, bool) or not isinstance(speed, int | float)):
            raise ValueError(f"speed must be a number or null; got {speed!r}")
        index = state.get("current_lab", 0)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < w.tabs.count():
            raise ValueError(f"there is no lab {index!r}")
        geometry = _check_geometry(state.get("geometry"))
        folder = state.get("export_folder")
        if folder is not None and not isinstance(folder, str):
            raise ValueError("export_folder must be a path")
        line_width = check_line_width(state.get("line_width"))
        views = state.get("views") or {}
        if not isinstance(views, dict) or not all(isinstance(v, dict) for v in views.values()):
            raise ValueError("views must map each lab to its settings")
        for view in views.values():
            _check_smoothing(view.get("smoothing"))

        if geometry is not None and "geometry" not in self.pinned:
            _set_geometry(w, geometry)
        for kind, value in sessions.items():
            if kind in made:
                made[kind].replace(value, "")
            else:
                w.set_pending_session(kind, value)
        w.set_speed(speed)
        if "presentation" not in self.pinned:
            w.set_presentation(bool(state.get("presentation", False)))
        w.line_width.set_width(line_width)
        w.set_view_states({k: v for k, v in views.items() if k in SESSIONS})
        w.exporter.folder = Path(folder) if folder else None
        if scenario is not None:
            w.lessons.show_lesson(scenario)
        w.tabs.setCurrentIndex(index)
