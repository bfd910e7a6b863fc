"""The lesson banner: a lesson's title and what to watch for, across the top of the window.

Readable from the back of a room: the text is at least the title size, dark on a pale
accent, wrapped to the window's width, and the banner closes with its button or Esc.

On a 1280x720 projector the full text took 188 of 720 pixels, squeezing every plot below
it, so the banner folds to one line (the title and a "more" button) and unfolds with a
click on either. It starts folded in presentation mode and unfolded otherwise; a click
stays the viewer's choice until the mode changes again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from engine.display import elide_words
from gui import theme

MORE = "more ▾"
LESS = "less ▴"


class _ClickableLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(ev)


class LessonBanner(QFrame):
    """Dismissable banner showing a lesson, folded to one line or unfolded.

    Signals
    -------
    dismissed()
        The viewer closed the banner.
    collapsed_changed(bool)
        The banner folded (True) or unfolded (False).
    """

    dismissed = Signal()
    collapsed_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LessonBanner")
        self._collapsed = False
        lay = QHBoxLayout(self)
        lay.setContentsMargins(14, 8, 8, 8)
        lay.setSpacing(10)
        text = QVBoxLayout()
        text.setSpacing(2)
        head = QHBoxLayout()
        head.setSpacing(10)
        self.title_label = _ClickableLabel()
        self.title_label.setObjectName("LessonTitle")
        self.title_label.setCursor(Qt.CursorShape.PointingHandCursor)
        # A long title must not widen the window: it wraps when unfolded, and is cut at a
        # word when folded (the full title is its tooltip).
        self.title_label.setMinimumWidth(10)
        self.title_label.clicked.connect(self.toggle_collapsed)
        self.more_button = QToolButton()
        self.more_button.setObjectName("LessonMore")
        self.more_button.setAutoRaise(True)
        self.more_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.more_button.clicked.connect(self.toggle_collapsed)
        head.addWidget(self.title_label, 1)
        head.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.text_label = QLabel()
        self.text_label.setObjectName("LessonText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapped text must never widen the window.
        self.text_label.setMinimumWidth(10)
        text.addLayout(head)
        text.addWidget(self.text_label)
        lay.addLayout(text, 1)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide the lesson (Esc)")
        self.close_button.setAutoRaise(True)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.dismiss)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._esc = QShortcut(QKeySequence("Esc"), self)
        self._esc.setContext(Qt.ShortcutContext.WindowShortcut)
        self._esc.activated.connect(self.dismiss)
        self._esc.setEnabled(False)
        self._title = ""
        self._body = ""
        self.apply_scale(theme.NORMAL)
        self.setVisible(False)

    def show_lesson(self, title: str, lesson: str, hint: str = "") -> None:
        """Show ``title`` and ``lesson`` (plus a muted ``hint`` line, e.g. what to press)."""
        self._title = title
        body = lesson.strip()
        if hint:
            body = f"{body}\n{hint}" if body else hint
        self._body = body
        self.title_label.setText(title)
        self.title_label.setToolTip(title)
        self.text_label.setText(body)
        self._refresh()
        self.setVisible(True)
        self._esc.setEnabled(True)

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    def set_collapsed(self, on: bool) -> None:
        """Fold the banner to one line (``True``) or show the whole lesson."""
        on = bool(on)
        if on != self._collapsed:
            self._collapsed = on
            self._refresh()
            self.collapsed_changed.emit(on)

    def toggle_collapsed(self) -> None:
        self.set_collapsed(not self._collapsed)

    def _refresh(self) -> None:
        folded = self._collapsed
        has_body = bool(self._body)
        self.text_label.setVisible(has_body and not folded)
        self.more_button.setVisible(has_body)
        self.more_button.setText(MORE if folded else LESS)
        self.more_button.setToolTip(
            "Show the whole lesson" if folded else "Fold the lesson to one line"
        )
        self.title_label.setWordWrap(not folded)
        self._fit_title()

    def _fit_title(self) -> None:
        # Folded: one line, cut at a word boundary with an ellipsis (never inside a word,
        # so a number in the title is never shown shortened).
        if not self._collapsed:
            self.title_label.setText(self._title)
            return
        width = self.title_label.width()
        fm = self.title_label.fontMetrics()
        self.title_label.setText(elide_words(self._title, fm.horizontalAdvance, width))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if self._collapsed:
            self._fit_title()

    def dismiss(self) -> None:
        if self.isVisible():
            self.setVisible(False)
            self._esc.setEnabled(False)
            self.dismissed.emit()

    def apply_scale(self, scale: theme.Scale) -> None:
        """Sizes for ``scale``; presentation mode folds the banner, normal mode unfolds it."""
        pad = int(8 * scale.factor)
        self.setStyleSheet(
            f"QFrame#LessonBanner {{ background: #e8f1fa; border: none;"
            f" border-bottom: 2px solid {theme.ACCENT}; }}"
            f"QLabel#LessonTitle {{ font-weight: bold; font-size: {scale.title_pt * 1.15:.1f}pt;"
            f" color: {theme.INK}; background: transparent; }}"
            f"QLabel#LessonText {{ font-size: {scale.title_pt:.1f}pt; color: {theme.INK};"
            f" background: transparent; }}"
            f"QToolButton {{ font-size: {scale.title_pt * 1.2:.1f}pt; padding: {pad // 2}px; }}"
            f"QToolButton#LessonMore {{ font-size: {scale.title_pt:.1f}pt;"
            f" color: {theme.ACCENT}; }}"
        )
        self.layout().setContentsMargins(int(14 * scale.factor), pad, pad, pad)
        self.set_collapsed(scale.factor >= theme.PRESENTATION.factor)
