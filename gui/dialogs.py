"""File choosers and alerts behind one small object, so tests can replace them.

The main window asks ``window.dialogs`` instead of calling QFileDialog or QMessageBox
itself; a test swaps in an object with the same three methods that returns a prepared path
and records the alerts. Alerts are non-modal (``open``), so nothing blocks the event loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class Dialogs:
    """The real dialogs. Replace the instance (``window.dialogs``) to script them."""

    def open_path(self, parent: QWidget, title: str, folder: Path, filters: str) -> str | None:
        """A file to open, or ``None`` if the user cancelled."""
        path, _ = QFileDialog.getOpenFileName(parent, title, str(folder), filters)
        return path or None

    def save_path(self, parent: QWidget, title: str, suggested: Path, filters: str) -> str | None:
        """Where to save, or ``None`` if the user cancelled."""
        path, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
        return path or None

    def alert(self, parent: QWidget, level: str, title: str, text: str) -> None:
        """Tell the user something went wrong (``level`` is ``"error"`` or ``"warning"``)."""
        icon = QMessageBox.Icon.Critical if level == "error" else QMessageBox.Icon.Warning
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
