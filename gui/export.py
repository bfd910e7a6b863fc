"""File > Export: screenshots (PNG), trajectories (CSV) and recordings (GIF / MP4).

A recording shows the whole window, the current lab (the default) or one of the lab's
panels (:meth:`gui.lab.Lab.recordable_panels`), chosen in Export > Recording options, as a
GIF at :data:`GIF_FPS` or an MP4 at one of :data:`gui.recorder.MP4_FPS`.

Screenshots use ``QWidget.grab`` (pyqtgraph's SVG exporter is broken on Qt 6.11). The CSV
is the lab's own (:meth:`gui.lab.Lab.export_csv`): the landscape lab's trajectories, the
network lab's losses per step and layer statistics (:mod:`engine.tables`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel, QMenu, QWidget

if TYPE_CHECKING:
    from gui.services import WindowServices

__all__ = ["GIF_FPS", "LAB", "WINDOW", "Exporter", "encode_png", "save_screenshot"]

#: Frames per second of a GIF recording (smooth enough, files a projector laptop can play).
GIF_FPS = 15.0
#: Recording targets besides a panel's name.
WINDOW, LAB = "Whole window", "Current lab"


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

    def __init__(self, window: WindowServices) -> None:
        super().__init__(window)
        self.window = window
        self._recorder = None
        self._rec_t0 = 0.0
        #: What a recording shows: :data:`WINDOW`, :data:`LAB` or a panel's name.
        self.record_target = LAB
        #: Frames per second of an MP4 recording (one of gui.recorder.MP4_FPS).
        self.mp4_fps = 30.0
        self.options_menu = QMenu("Recording &options", window.window_widget())
        self.options_menu.aboutToShow.connect(self._fill_options)
        #: Folder of the last data export (None: the user's documents); autosaved.
        self.folder: Path | None = None
        self.act_screenshot_lab = window.add_action(
            "Save screenshot of the &lab…",
            "Ctrl+Alt+S",
            self._on_screenshot_lab,
            tip="Save the lab's view (without menus and toolbar) as PNG",
        )
        self.act_export_csv = window.add_action(
            "Export &data (CSV)…",
            "Ctrl+E",
            self._on_export_csv,
            tip="The lab's data: trajectories of the runs, or the network's losses and layers",
        )
        self.act_record = window.add_action(
            "&Record animation…",
            "Ctrl+Shift+R",
            self._on_record_toggled,
            icon_name="camera",
            checkable=True,
            tip="Record the lab (or the window, or a panel: Recording options) as GIF or MP4; "
            "again to stop",
        )
        self.rec_label = QLabel("● REC")
        self.rec_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.rec_label.setVisible(False)
        window.add_status_widget(self.rec_label)

    # ------------------------------------------------------------------ screenshots
    def screenshot(self, path: str | Path, lab_only: bool = False) -> bool:
        widget = self.window.current_lab() if lab_only else self.window.window_widget()
        if widget is None:
            widget = self.window.window_widget()
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
            self.window.window_widget(),
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
            self.window.window_widget(),
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
        """The recorder of the recording in progress (or of the last one)."""
        if self._recorder is None:
            self._recorder = self._make_recorder(GIF_FPS)
        return self._recorder

    def _make_recorder(self, fps: float):
        from gui.recorder import Recorder

        rec = Recorder(fps, parent=self)
        rec.failed.connect(self._on_record_failed)
        rec.frame_written.connect(self._on_frame_written)
        return rec

    @property
    def recording(self) -> bool:
        return self._recorder is not None and self._recorder.recording

    def record_widget(self, target: str | None = None) -> QWidget:
        """The widget ``target`` names (default :attr:`record_target`).

        Raises ValueError if it names a panel the current lab does not have.
        """
        target = self.record_target if target is None else target
        lab = self.window.current_lab()
        if target == WINDOW or (target == LAB and lab is None):
            return self.window.window_widget()
        if target == LAB:
            return lab
        panels = lab.recordable_panels() if lab is not None else {}
        if target not in panels:
            names = ", ".join([WINDOW, LAB, *panels])
            raise ValueError(f"cannot record {target!r}: choose one of {names}")
        return panels[target]

    def set_mp4_fps(self, fps: float) -> None:
        """MP4 recordings at ``fps`` frames/s; ValueError unless one of MP4_FPS."""
        from gui.recorder import MP4_FPS

        if fps not in MP4_FPS:
            raise ValueError(f"MP4 frame rate must be one of {MP4_FPS}; got {fps!r}")
        self.mp4_fps = float(fps)

    def start_recording(
        self, path: str | Path, timer: bool = True, target: str | None = None
    ) -> bool:
        """Record ``target`` (default :attr:`record_target`) into ``path`` (.gif at
        :data:`GIF_FPS` or .mp4 at :attr:`mp4_fps`); returns success."""
        if self.recording:
            self._error("Cannot record", "already recording; stop first")
            return False
        try:
            widget = self.record_widget(target)
            fps = self.mp4_fps if str(path).lower().endswith(".mp4") else GIF_FPS
            if self._recorder is not None:
                self._recorder.deleteLater()
            self._recorder = self._make_recorder(fps)
            self._recorder.start(widget, path, timer=timer)
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

    def _fill_options(self) -> None:
        """Targets of the lab showing now, and the MP4 frame rates (radio groups)."""
        from gui.recorder import MP4_FPS

        self.options_menu.clear()
        lab = self.window.current_lab()
        panels = list(lab.recordable_panels()) if lab is not None else []
        targets = QActionGroup(self.options_menu)
        for name in [WINDOW, LAB, *panels]:
            act = QAction(name if name in (WINDOW, LAB) else f"Panel: {name}", targets)
            act.setCheckable(True)
            act.setChecked(name == self.record_target)
            act.triggered.connect(lambda _=False, n=name: setattr(self, "record_target", n))
            self.options_menu.addAction(act)
        self.options_menu.addSeparator()
        rates = QActionGroup(self.options_menu)
        gif = QAction(f"GIF at {GIF_FPS:g} fps", self.options_menu)
        gif.setEnabled(False)
        self.options_menu.addAction(gif)
        for fps in MP4_FPS:
            act = QAction(f"MP4 at {fps:g} fps", rates)
            act.setCheckable(True)
            act.setChecked(fps == self.mp4_fps)
            act.triggered.connect(lambda _=False, f=fps: self.set_mp4_fps(f))
            self.options_menu.addAction(act)

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
            self.window.window_widget(),
            "Record animation",
            videos_dir() / f"descent-lab-{_stamp()}.gif",
            f"Animated GIF, {GIF_FPS:g} fps (*.gif);;"
            f"MP4 video at {self.mp4_fps:g} fps, needs ffmpeg (*.mp4)",
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
        self.window.dialogs.alert(self.window.window_widget(), "error", title, text)

    def shutdown(self) -> None:
        if self.recording:
            self.stop_recording()
