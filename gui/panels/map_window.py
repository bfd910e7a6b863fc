"""What the basin map and the hyperparameter map windows share: a map computed on a worker.

A map (:func:`engine.maps.basin_map` or :func:`~engine.maps.hyper_map`, generators of
progressive :class:`~engine.maps.MapSnapshot`) runs on a worker through
:class:`gui.worker.EngineBridge`; :class:`MapJob` adapts the generator to the bridge's
``step``/``snapshot``, and a display timer pulls the newest snapshot for ``draw``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from gui.worker import EngineBridge

FRAME_MS = 50  # the map creeps in: 20 Hz is plenty


class MapJob:
    """A map generator as an engine the bridge can drive: one ``step`` is one snapshot."""

    def __init__(self, generator) -> None:
        self._gen = generator
        self._snap = None
        self.done = False

    def step(self, n: int = 1) -> None:
        for _ in range(max(1, int(n))):
            if self.done:
                return
            try:
                self._snap = next(self._gen)
            except StopIteration:
                self.done = True
                return
            self.done = self._snap.done

    def snapshot(self):
        return self._snap


def swatch(rgb) -> str:
    """A small block of colour ``rgb`` (0-255 each) for a rich-text legend."""
    r, g, b = (int(v) for v in rgb)
    return f'<span style="background-color: rgb({r},{g},{b})">&nbsp;&nbsp;&nbsp;&nbsp;</span>'


class MapWindow(QWidget):
    """A window that computes one map on a worker and draws its snapshots as they come.

    A subclass builds its controls, keeps ``self.status`` (a QLabel) and implements
    ``draw(snapshot)``; ``compute`` builds the generator and hands it to :meth:`_run`.

    Signals
    -------
    message(str, str)
        ``(level, text)`` for the status bar.
    """

    message = Signal(str, str)

    def __init__(self, parent: QWidget | None, title: str, size: tuple[int, int]) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(title)
        self.resize(*size)
        self.bridge: EngineBridge | None = None
        self.job: MapJob | None = None
        self.snapshot = None
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._on_frame)

    def draw(self, snap) -> None:
        raise NotImplementedError

    def _refuse(self, exc: Exception) -> bool:
        """A map that cannot be computed: say why in one line, here and in the status bar."""
        self.status.setText(str(exc))
        self.message.emit("error", str(exc))
        return False

    def _start_worker(self, generator, what: str) -> None:
        """Stop the map being computed, if any, and compute ``generator`` on a worker."""
        self.stop()
        self.job = MapJob(generator)
        self.snapshot = None
        self.bridge = EngineBridge(self.job, stop_when=lambda job: job.done, parent=self)
        self.bridge.failed.connect(lambda text: self.message.emit("error", f"{what}: {text}"))
        self.bridge.start()
        self.bridge.set_running(True)
        self.timer.start()

    def _on_frame(self) -> None:
        if self.bridge is None:
            return
        snap = self.bridge.take()
        if snap is not None:
            self.draw(snap)
        if self.snapshot is not None and self.snapshot.done:
            self.timer.stop()

    def stop(self) -> None:
        """Stop the worker (the map drawn so far stays)."""
        self.timer.stop()
        if self.bridge is not None:
            self.bridge.stop()
            self.bridge.deleteLater()
            self.bridge = None

    def closeEvent(self, event) -> None:
        self.stop()
        super().closeEvent(event)
