"""A titled panel frame shared by every panel: title row, body, optional footer."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.panels.elided_label import ElidedLabel


class Card(QFrame):
    """White rounded frame with a bold title, a body widget and a muted footer line."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(4)
        head = QHBoxLayout()
        head.setContentsMargins(2, 0, 2, 0)
        # Short of room, whole words go (never part of a number); the tooltip keeps all.
        self.title_label = ElidedLabel(title)
        self.title_label.setObjectName("CardTitle")
        head.addWidget(self.title_label)
        head.addStretch(1)
        self.head_layout = head
        lay.addLayout(head)
        self.body_layout = lay
        self.footer = QLabel("")
        self.footer.setObjectName("Hint")
        self.footer.setWordWrap(False)
        # Long hints must never widen the window: they are cut off instead.
        self.footer.setMinimumWidth(10)

    def set_title(self, text: str) -> None:
        self.title_label.setText(text)

    def add_body(self, widget: QWidget, stretch: int = 1) -> None:
        self.body_layout.addWidget(widget, stretch)

    def add_footer(self) -> QLabel:
        self.body_layout.addWidget(self.footer)
        return self.footer
