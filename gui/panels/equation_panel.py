"""The live equation: the selected run's next update written out with its numbers.

The numbers come with the snapshot (the worker writes them out with
:meth:`engine.runs.Race.explain`); this panel only shows the rich text. It is the same at
speed, when paused and when stepping one update at a time, and grows with the
presentation scale.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QWidget

from gui import theme
from gui.panels.card import Card

DIGITS = 4  # significant digits: enough to follow a step, few enough to read from afar
EMPTY = "Select a run in the table to see its update rule with the numbers."


class EquationPanel(Card):
    """Rich-text update rule of one run, refreshed from each snapshot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Update rule", parent)
        self.text = QLabel(EMPTY)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setObjectName("EquationText")
        scroll = QScrollArea()
        scroll.setWidget(self.text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.add_body(scroll, 1)
        self.add_footer().setText("the next update; η_eff is the step size per coordinate")
        self._html = ""
        self._key: tuple | None = None
        self.setMinimumSize(*theme.MIN_PLOT)

    @property
    def html(self) -> str:
        """The rich text shown now."""
        return self._html

    def update_snapshot(self, snap) -> None:
        """Show ``snap.equation`` (the run the worker explains), if it changed."""
        eq = getattr(snap, "equation", None)
        row = getattr(snap, "explained_row", -1)
        key = (snap.generation, snap.step, row)
        if key == self._key:
            return
        self._key = key
        if eq is None:
            self._set("<p>" + EMPTY + "</p>")
            return
        label = snap.labels[row] if 0 <= row < snap.n_runs else ""
        status = snap.status[row] if 0 <= row < snap.n_runs else "running"
        note = "" if status == "running" else f" <i>({status}: no further updates)</i>"
        self.set_title(f"Update rule · {label}")
        self._set(eq.to_html(DIGITS) + note)

    def clear(self) -> None:
        self._key = None
        self.set_title("Update rule")
        self._set("<p>" + EMPTY + "</p>")

    def _set(self, html: str) -> None:
        if html != self._html:
            self._html = html
            self.text.setText(html)

    def apply_scale(self, scale: theme.Scale) -> None:
        font = self.text.font()
        font.setPointSizeF(scale.font_pt * 1.1)
        self.text.setFont(font)
