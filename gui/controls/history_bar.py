"""The history bar of both labs: a slider over the recorded steps and a button back to live.

Moving the slider left of its end shows an older picture (the lab keeps training); the
"Live" button, the End key or dragging to the end return to the newest one.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget


class HistoryBar(QWidget):
    """Slider over ``n`` recorded pictures.

    Signals
    -------
    scrubbed(int)
        The user picked picture ``index`` (0 = oldest).
    live_requested()
        The user asked for the newest picture, following on.
    """

    scrubbed = Signal(int)
    live_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.setSpacing(8)
        title = QLabel("History")
        title.setObjectName("Hint")
        lay.addWidget(title)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setToolTip(
            "Scrub back through the recorded pictures (Shift+Left / Shift+Right); "
            "training goes on meanwhile"
        )
        self.slider.valueChanged.connect(self._on_value)
        lay.addWidget(self.slider, 1)
        self.position = QLabel("live")
        self.position.setMinimumWidth(self.position.fontMetrics().horizontalAdvance("0" * 24))
        lay.addWidget(self.position)
        self.live_button = QPushButton("Live")
        self.live_button.setCheckable(True)
        self.live_button.setChecked(True)
        self.live_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.live_button.setToolTip("Back to the newest picture (End)")
        self.live_button.clicked.connect(self._on_live_clicked)
        lay.addWidget(self.live_button)
        self._live = True

    @property
    def live(self) -> bool:
        return self._live

    def set_count(self, n: int) -> None:
        """``n`` pictures recorded; when live, the handle stays at the newest."""
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, max(n - 1, 0))
            if self._live:
                self.slider.setValue(max(n - 1, 0))

    def set_index(self, index: int) -> None:
        """Put the handle on ``index`` without emitting (history thinned out meanwhile)."""
        with QSignalBlocker(self.slider):
            self.slider.setValue(index)

    def set_position_text(self, text: str) -> None:
        self.position.setText(text)

    def set_live(self, live: bool) -> None:
        self._live = bool(live)
        with QSignalBlocker(self.live_button):
            self.live_button.setChecked(self._live)
        if self._live:
            with QSignalBlocker(self.slider):
                self.slider.setValue(self.slider.maximum())

    def _on_value(self, value: int) -> None:
        if value >= self.slider.maximum():
            self.set_live(True)
            self.live_requested.emit()
        else:
            self.set_live(False)
            self.scrubbed.emit(value)

    def _on_live_clicked(self) -> None:
        self.set_live(True)
        self.live_requested.emit()

    def step_by(self, delta: int) -> None:
        """Move the handle by ``delta`` pictures (keyboard scrubbing)."""
        self.slider.setValue(min(max(self.slider.value() + delta, 0), self.slider.maximum()))
