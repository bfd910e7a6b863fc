"""A one-line label that, short of room, drops whole words, never part of a number.

A QLabel with no room clips its text at the edge: a column header "lr 0.05" showed
"lr 0.0", a wrong number. This label shows the longest run of whole words that fits, with
" …" after it (:func:`engine.display.elide_words`), and the full text in its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from engine.display import elide_words


class ElidedLabel(QLabel):
    """A QLabel whose :meth:`setText` keeps the full text and shows what fits by words.

    :meth:`text` returns the full text; :meth:`shown_text` what is on screen. The tooltip
    is the full text whenever words are dropped (or the tooltip given with
    :meth:`set_tooltip`, which always wins).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._tip: str | None = None
        # Asks for its full text's width but takes less: a long text must not widen the
        # window (a minimum of 10 pixels, not the text's).
        self.setMinimumWidth(10)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def sizeHint(self) -> QSize:
        # The full text's, not the elided one's: once short of room, the label must be
        # able to grow back when room comes.
        h = super().sizeHint()
        m = self.contentsMargins()
        w = self.fontMetrics().horizontalAdvance(self._full) + m.left() + m.right() + 4
        return QSize(max(w, 10), h.height())

    def setText(self, text: str) -> None:
        self._full = str(text)
        self._fit()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        return super().text()

    def set_tooltip(self, tip: str | None) -> None:
        """A tooltip shown whatever fits (None: the full text when words are dropped)."""
        self._tip = tip
        self._fit()

    def _fit(self) -> None:
        m = self.contentsMargins()
        room = self.width() - m.left() - m.right() - 2 * self.margin() - 2
        shown = elide_words(self._full, self.fontMetrics().horizontalAdvance, room)
        if super().text() != shown:
            super().setText(shown)
        if self._tip is not None:
            self.setToolTip(self._tip)
        else:
            self.setToolTip(self._full if shown != self._full else "")

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
