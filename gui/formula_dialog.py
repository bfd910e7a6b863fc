"""File > "New surface from formula…": a small dialog that takes f(x, y).

The dialog only collects text; the lab's landscape editor checks it
(:meth:`gui.controls.landscape_editor.LandscapeEditor.use_formula`). A formula it refuses
keeps the dialog open with the one-line message (and its column) under the field.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.controls.landscape_editor import FORMULA_EXAMPLE, FORMULA_HELP


class FormulaDialog(QDialog):
    """Ask for f(x, y); OK hands the text to ``use`` and closes only if it was used.

    Parameters
    ----------
    use : callable (str) -> str or None
        Applies the formula; returns None on success or the one-line error to show.
    text : str
        The formula to start from (the current one, if the race is on a formula).
    """

    def __init__(
        self, use: Callable[[str], str | None], text: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New surface from formula")
        self._use = use
        lay = QVBoxLayout(self)
        hint = QLabel(FORMULA_HELP)
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        lay.addWidget(QLabel("f(x, y) ="))
        self.field = QLineEdit(text)
        self.field.setPlaceholderText(f"e.g. {FORMULA_EXAMPLE}")
        self.field.setMinimumWidth(420)
        lay.addWidget(self.field)
        self.error = QLabel("")
        self.error.setObjectName("Error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        lay.addWidget(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def accept(self) -> None:
        problem = self._use(self.field.text())
        if problem:
            self.error.setText(problem)
            self.error.setVisible(True)
            self.field.setFocus()
            return
        super().accept()
