"""A smoothing slider for loss plots: 0 to 0.99 with its value shown beside it.

The weight is TensorBoard's: each plotted point is a debiased exponential moving average
with weight ``w`` on the past (:mod:`engine.smoothing`); 0 shows the raw curve alone.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from gui import theme

#: Highest weight the slider offers (the engine allows up to engine.smoothing.MAX_WEIGHT).
SLIDER_MAX = 0.99
_STEPS = 99  # slider positions: hundredths


class SmoothingControl(QWidget):
    """ "Smoothing" label, a slider of hundredths from 0 to :data:`SLIDER_MAX`, its number.

    Signals
    -------
    weight_changed(float)
        The viewer moved the slider (not emitted by :meth:`set_weight`).
    """

    weight_changed = Signal(float)

    def __init__(self, weight: float = 0.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.label = QLabel("Smoothing")
        self.label.setObjectName("Hint")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, _STEPS)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(10)
        # Mouse only: single-key shortcuts (Space, R, N) must reach the app, not the slider.
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setToolTip(
            "Smoothing of the curves (debiased exponential moving average, as TensorBoard):"
            " 0 = raw; the raw curve stays faint behind the smoothed one"
        )
        self.value_label = QLabel()
        self.value_label.setObjectName("Hint")
        lay.addWidget(self.label)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.value_label)
        self.slider.valueChanged.connect(self._on_value_changed)
        self.apply_scale(theme.NORMAL)
        self.set_weight(weight)

    @property
    def weight(self) -> float:
        return self.slider.value() / 100.0

    def set_weight(self, weight: float) -> None:
        """Show ``weight`` (rounded to hundredths, within 0..SLIDER_MAX) without emitting.

        Raises
        ------
        ValueError
            ``weight`` is not a number in [0, SLIDER_MAX].
        """
        w = float(weight)
        if not 0.0 <= w <= SLIDER_MAX:
            raise ValueError(f"smoothing must be between 0 and {SLIDER_MAX}; got {weight!r}")
        with QSignalBlocker(self.slider):
            self.slider.setValue(round(w * 100))
        self._show_value()

    def _on_value_changed(self, _value: int) -> None:
        self._show_value()
        self.weight_changed.emit(self.weight)

    def _show_value(self) -> None:
        self.value_label.setText(f"{self.weight:.2f}")

    def apply_scale(self, scale: theme.Scale) -> None:
        # Room for "0.99" at the scale's font, so the number never shifts the slider.
        self.value_label.setMinimumWidth(self.value_label.fontMetrics().horizontalAdvance("0.00"))
        self.slider.setMinimumWidth(int(70 * scale.factor))
