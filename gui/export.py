"""File > Export: screenshots (PNG), trajectories (CSV) and recordings (GIF / MP4).

Screenshots use ``QWidget.grab`` (pyqtgraph's SVG exporter is broken on Qt 6.11). The CSV
is the lab's own (:meth:`gui.lab.Lab.export_csv`): the landscape lab's trajectories, the
network lab's losses per step and layer statistics (:mod:`engine.tables`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from gui.main_window import MainWindow

__all__ = ["Exporter", "encode_png", "save_screenshot"]


def encode_png(image) -> bytes:
    """``image`` (a QPixmap or QImage) encoded as PNG bytes; OSError if Qt cannot."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buf, "PNG")  # Qt returns False instead of raising
    buf.close()
    if not ok or data.isEmpty():
        raise OSError("the image could not be encoded as PNG")
    return bytes(data.data())


def save_screenshot(widget: QWidget, path: str | Path) -> None:
    """Save what ``widget`` shows as a PNG, atomically.

    The picture is encoded in memory and written with
    :func:`engine.atomic.write_bytes_atomically`: a full disk or a read-only folder leaves
    an existing file as it was and no partial one, and the SaveError says which in one
    line (``QImage.save`` straight to the file left a truncated PNG over the old one).

    Raises
    ------
    OSError
        :class:`engine.atomic.SaveError` when the file cannot be written.
    """
    from engine.atomic import write_bytes_atomically

    write_bytes_atomically(path, encode_png(widget.grab()))


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


class Exporter(QObject):
    """The export actions of ``window`` and the recording in progress."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._recorder = None
        self._rec_t0 = 0.0
        #: Folder of the last data export (None: the user's documents); autosaved.
        self.folder: Path | None = None
        self.act_screenshot_lab = window._action(
            "Save screenshot of the &lab…",
            "Ctrl+Alt+S",
            self._on_screenshot_lab,
            tip="Save the lab's view (without menus and toolbar) as PNG",
        )
        self.act_export_csv = window._action(
            "Export &data (CSV)…",
            "Ctrl+E",
            self._on_export_csv,
            tip="The lab's data: trajectories of the runs, or the network's losses and layers",
        )
        self.act_record = window._action(
            "&Record animation…",
            "Ctrl+Shift+R",
            self._on_record_toggled,
            icon_name="camera",
            checkable=True,
            tip="Record the lab's view as GIF (or MP4 with ffmpeg); again to stop",
        )
        self.rec_label = QLabel("● REC")
        self.rec_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.rec_label.setVisible(False)
        window.statusBar().addPermanentWidget(self.rec_label)

    # ------------------------------------------------------------------ screenshots
    def screenshot(self, path: str | Path, lab_only: bool = False) -> bool:
        widget = self.window.current_lab() if lab_only else self.window
        if widget is None:
            widget = self.window
        try:
            save_screenshot(widget, path)
        except OSError as exc:
            self._error("Cannot save screenshot", str(exc))
            return False
        self.window.show_message(f"saved {path}")
        return True

    def _ask_screenshot(self, lab_only: bool) -> None:
        from gui.user_paths import pictures_dir

        path = self.window.dialogs.save_path(
            self.window,
            "Save screenshot",
            pictures_dir() / f"descent-lab-{_stamp()}.png",
            "PNG image (*.png)",
        )
        if path:
            self.screenshot(path if path.lower().endswith(".png") else path + ".png", lab_only)

    def _on_screenshot_lab(self) -> None:
        self._ask_screenshot(True)

    # ------------------------------------------------------------------ CSV
    def export_trajectories(self, path: str | Path) -> bool:
        """Write the current lab's data as CSV (:meth:`gui.lab.Lab.export_csv`)."""
        lab = self.window.current_lab()
        if lab is None:
            self._error("Nothing to export", "no lab is showing")
            return False
        try:
            text = lab.export_csv(path)
        except ValueError as exc:
            self._error("Nothing to export", str(exc))
            return False
        except OSError as exc:
            self._error("Cannot export", f"could not write {path}: {exc.strerror or exc}")
            return False
        self.window.show_message(text)
        return True

    def _kind(self) -> str:
        session = getattr(self.window.current_lab(), "session", None)
        return {"landscape": "trajectories", "network": "network"}.get(
            getattr(session, "KIND", ""), "data"
        )

    def _on_export_csv(self) -> None:
        from gui.user_paths import documents_dir

        path = self.window.dialogs.save_path(
            self.window,
            "Export data",
            (self.folder if self.folder is not None and self.folder.is_dir() else documents_dir())
            / f"descent-lab-{self._kind()}-{_stamp()}.csv",
            "CSV table (*.csv)",
        )
        if path:
            self.folder = Path(path).parent
            self.export_trajectories(path)

    # ------------------------------------------------------------------ recording
    @property
    def recorder(self):
        if self._recorder is None:
            from gui.recorder import Recorder

            self._recorder = Recorder(parent=self)
            self._recorder.failed.connect(self._on_record_failed)
            self._recorder.frame_written.connect(self._on_frame_written)
        return self._recorder

    @property
    def recording(self) -> bool:
        return self._recorder is not None and self._recorder.recording

    def start_recording(self, path: str | Path, timer: bool = True) -> bool:
        """Record the current lab's view into ``path`` (.gif or .mp4); returns success."""
        widget = self.window.current_lab() or self.window
        try:
            self.recorder.start(widget, path, timer=timer)
        except (ValueError, OSError) as exc:
            self._set_checked(False)
            self._error("Cannot record", str(exc))
            return False
        self._rec_t0 = time.perf_counter()
        self._set_checked(True)
        self.rec_label.setText("● REC")
        self.rec_label.setVisible(True)
        self.window.show_message(f"recording to {path}; Ctrl+Shift+R stops")
        return True

    def stop_recording(self) -> Path | None:
        path = self._recorder.stop() if self._recorder is not None else None
        self._set_checked(False)
        self.rec_label.setVisible(False)
        if path is not None:
            self.window.show_message(f"saved {path} ({self._recorder.frames} frames)")
        return path

    def _set_checked(self, on: bool) -> None:
        from PySide6.QtCore import QSignalBlocker

        with QSignalBlocker(self.act_record):
            self.act_record.setChecked(on)
        self.act_record.setText("Stop &recording" if on else "&Record animation…")

    def _on_record_toggled(self, on: bool) -> None:
        if not on:
            self.stop_recording()
            return
        from gui.user_paths import videos_dir

        path = self.window.dialogs.save_path(
            self.window,
            "Record animation",
            videos_dir() / f"descent-lab-{_stamp()}.gif",
            "Animated GIF (*.gif);;MP4 video, needs ffmpeg (*.mp4)",
        )
        if not path:
            self._set_checked(False)
            return
        if not path.lower().endswith((".gif", ".mp4")):
            path += ".gif"
        self.start_recording(path)

    def _on_frame_written(self, n: int) -> None:
        secs = int(time.perf_counter() - self._rec_t0)
        self.rec_label.setText(f"● REC {secs // 60}:{secs % 60:02d}")

    def _on_record_failed(self, text: str) -> None:
        self._set_checked(False)
        self.rec_label.setVisible(False)
        self._error("Recording failed", text)

    def _error(self, title: str, text: str) -> None:
        self.window.show_message(text, "error")
        self.window.dialogs.alert(self.window, "error", title, text)

    def shutdown(self) -> None:
        if self.recording:
            self.stop_recording()
