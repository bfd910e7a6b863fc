"""File choosers and alerts behind one small object, so tests can replace them.

The main window asks ``window.dialogs`` instead of calling QFileDialog or QMessageBox
itself; a test swaps in an object with the same methods that returns a prepared path
and records the alerts. Alerts are non-modal (``open``), so nothing blocks the event loop.

:meth:`Dialogs.lesson_details` asks for a saved lesson's title and text
(:class:`LessonDialog`, checked by :func:`lesson_problem`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


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

    def lesson_details(
        self, parent: QWidget, title: str = "", text: str = ""
    ) -> tuple[str, str] | None:
        """Ask for a saved lesson's title and text (prefilled); ``None`` if cancelled."""
        dlg = LessonDialog(parent, title, text)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.values()


# Caps on what a saved lesson says: a title fits one line of the folded lesson banner and
# a menu item; a text fits the unfolded banner on a 1280x720 projector.
TITLE_MAX = 80
TEXT_MAX = 1200


def lesson_problem(title: str, text: str) -> str | None:
    """What is wrong with a lesson's ``title`` and ``text`` (one line), or None if fine.

    The title is taken stripped: it must not be empty, hold a line break, or exceed
    :data:`TITLE_MAX` characters; the text (stripped) may be empty, up to :data:`TEXT_MAX`.
    """
    t = title.strip()
    if not t:
        return "the lesson needs a title"
    if "\n" in t or "\r" in t:
        return "the title must be one line"
    if len(t) > TITLE_MAX:
        return f"the title is {len(t)} characters; at most {TITLE_MAX}"
    n = len(text.strip())
    if n > TEXT_MAX:
        return f"the text is {n} characters; at most {TEXT_MAX}"
    return None


class LessonDialog(QDialog):
    """Title (one line) and text of a lesson being saved, checked as they are typed: Save
    stays disabled and a one-line message says why while :func:`lesson_problem` objects."""

    def __init__(self, parent: QWidget | None = None, title: str = "", text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as lesson")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.title_edit = QLineEdit(title)
        self.title_edit.setPlaceholderText("e.g. Momentum overshoots the valley")
        self.text_edit = QPlainTextEdit(text)
        self.text_edit.setPlaceholderText("What should the class watch for?")
        self.text_edit.setTabChangesFocus(True)
        form.addRow("Title", self.title_edit)
        form.addRow("Text", self.text_edit)
        lay.addLayout(form)
        self.count_label = QLabel()
        self.count_label.setObjectName("Hint")
        self.problem_label = QLabel()
        self.problem_label.setObjectName("Error")
        lay.addWidget(self.count_label)
        lay.addWidget(self.problem_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.title_edit.textChanged.connect(self._check)
        self.text_edit.textChanged.connect(self._check)
        self._check()
        self.resize(520, 360)

    def values(self) -> tuple[str, str]:
        """(title, text) as they will be saved: stripped."""
        return self.title_edit.text().strip(), self.text_edit.toPlainText().strip()

    @property
    def problem(self) -> str | None:
        return lesson_problem(self.title_edit.text(), self.text_edit.toPlainText())

    def _check(self) -> None:
        problem = self.problem
        title, text = self.values()
        self.count_label.setText(
            f"title {len(title)}/{TITLE_MAX} · text {len(text)}/{TEXT_MAX} characters"
        )
        self.problem_label.setText(problem or "")
        self.problem_label.setVisible(problem is not None)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(problem is None)

    def accept(self) -> None:
        if self.problem is None:  # Enter in the title field must not save a bad lesson
            super().accept()
