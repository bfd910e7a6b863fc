"""The lesson banner: a lesson's title and what to watch for, across the top of the window.

Readable from the back of a room: the text is at least the title size, dark on a pale
accent, wrapped to the window's width, and the banner closes with its button or Esc.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from gui import theme


class LessonBanner(QFrame):
    """Dismissable banner showing a lesson.

    Signals
    -------
    dismissed()
        The viewer closed the banner.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LessonBanner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(14, 8, 8, 8)
        lay.setSpacing(10)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title_label = QLabel()
        self.title_label.setObjectName("LessonTitle")
        self.text_label = QLabel()
        self.text_label.setObjectName("LessonText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapped text must never widen the window.
        self.text_label.setMinimumWidth(10)
        text.addWidget(self.title_label)
        text.addWidget(self.text_label)
        lay.addLayout(text, 1)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide the lesson (Esc)")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._esc = QShortcut(QKeySequence("Esc"), self)
        self._esc.setContext(Qt.ShortcutContext.WindowShortcut)
        self._esc.activated.connect(self.dismiss)
        self._esc.setEnabled(False)
        self.apply_scale(theme.NORMAL)
        self.setVisible(False)

    def show_lesson(self, title: str, lesson: str, hint: str = "") -> None:
        """Show ``title`` and ``lesson`` (plus a muted ``hint`` line, e.g. what to press)."""
        self.title_label.setText(title)
        body = lesson.strip()
        if hint:
            body = f"{body}\n{hint}" if body else hint
        self.text_label.setText(body)
        self.text_label.setVisible(bool(body))
        self.setVisible(True)
        self._esc.setEnabled(True)

    def dismiss(self) -> None:
        if self.isVisible():
            self.setVisible(False)
            self._esc.setEnabled(False)
            self.dismissed.emit()

    def apply_scale(self, scale: theme.Scale) -> None:
        pad = int(8 * scale.factor)
        self.setStyleSheet(
            f"QFrame#LessonBanner {{ background: #e8f1fa; border: none;"
            f" border-bottom: 2px solid {theme.ACCENT}; }}"
            f"QLabel#LessonTitle {{ font-weight: bold; font-size: {scale.title_pt * 1.15:.1f}pt;"
            f" color: {theme.INK}; background: transparent; }}"
            f"QLabel#LessonText {{ font-size: {scale.title_pt:.1f}pt; color: {theme.INK};"
            f" background: transparent; }}"
            f"QToolButton {{ font-size: {scale.title_pt * 1.2:.1f}pt; padding: {pad // 2}px; }}"
        )
        self.layout().setContentsMargins(int(14 * scale.factor), pad, pad, pad)
