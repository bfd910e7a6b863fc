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
        # Controls that give way to the title (add_head_control), in the title row while
        # both fit whole, else in this row under it.
        self.sub_head = QHBoxLayout()
        self.sub_head.setContentsMargins(2, 0, 2, 0)
        lay.addLayout(self.sub_head)
        self._yielding: list[QWidget] = []
        self.footer = QLabel("")
        self.footer.setObjectName("Hint")
        self.footer.setWordWrap(False)
        # Long hints must never widen the window: they are cut off instead.
        self.footer.setMinimumWidth(10)

    def set_title(self, text: str) -> None:
        self.title_label.setText(text)
        self._place_head_controls()

    def add_head_control(self, widget: QWidget) -> None:
        """Put ``widget`` at the end of the title row; when the title and the row's widgets
        do not all fit whole, it moves to a row under the title instead of cutting the
        title (the network lab's "Loss" was cut to "L" by its smoothing slider)."""
        self._yielding.append(widget)
        self.head_layout.addWidget(widget)
        self._place_head_controls()

    def head_controls_wrapped(self) -> bool:
        """Whether the controls of :meth:`add_head_control` sit under the title."""
        return any(self.sub_head.indexOf(w) >= 0 for w in self._yielding)

    def _place_head_controls(self) -> None:
        if not self._yielding:
            return
        head = self.head_layout
        need = self.title_label.sizeHint().width()
        shown = 1
        for i in range(head.count()):
            w = head.itemAt(i).widget()
            if w is not None and w is not self.title_label and not w.isHidden():
                need += w.minimumSizeHint().width()
                shown += 1
        for w in self._yielding:
            if self.sub_head.indexOf(w) >= 0 and not w.isHidden():
                need += w.minimumSizeHint().width()
                shown += 1
        m = self.body_layout.contentsMargins()
        need += (shown - 1) * max(head.spacing(), 6) + m.left() + m.right() + 4
        # Under the title only if that shows the title whole: else the plot's height
        # would be spent for nothing.
        alone = self.title_label.sizeHint().width() + m.left() + m.right() + 4
        wrap = need > self.width() and alone <= self.width()
        if wrap == self.head_controls_wrapped():
            return
        for w in self._yielding:
            (head if wrap else self.sub_head).removeWidget(w)
            if wrap:
                self.sub_head.addWidget(w, 1)
            else:
                head.addWidget(w)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_head_controls()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._place_head_controls()

    def add_body(self, widget: QWidget, stretch: int = 1) -> None:
        self.body_layout.addWidget(widget, stretch)

    def add_footer(self) -> QLabel:
        self.body_layout.addWidget(self.footer)
        return self.footer
