"""One editor widget per :class:`engine.params.ParamSpec`, chosen from the spec alone.

=========================  ==========================================================
spec                       control
=========================  ==========================================================
float, ``log=True``        log-scale slider + exact text field (superqt has no log
                           slider, so :class:`LogSlider` maps decades onto a QSlider)
float, both bounds         superqt ``QLabeledDoubleSlider`` (slider and editable value
                           in one widget, with the spec's range)
float, open range          text field
int                        spin box (text field when the range exceeds 32 bits)
bool                       check box
choice                     combo box
pair                       two float controls side by side
=========================  ==========================================================

Every control validates through :func:`engine.validate.validate_field` and shows the
engine's own one-line message (field and range) inline, in red, without applying the value;
nothing a user types can raise past it. Numbers are read in the user's locale and in C
(``"0,5"`` and ``"0.5"`` under a German locale, :func:`engine.validate.parse_number`), and
number fields refuse keystrokes that cannot be part of a number (letters, spaces), so a
single-key shortcut pressed in one acts on the app instead (:mod:`gui.keys`).
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLocale, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QWidget,
)
from superqt.sliders import QLabeledDoubleSlider  # not `superqt`: its __init__ loads every widget

from engine.params import ParamSpec
from engine.validate import ValidationError, parse_number, validate_field

INT32 = 2**31 - 1

# What a number may be typed with: digits, both decimal points, an exponent, signs (a
# Unicode minus too). Anything else (a letter, a space) is refused as it is typed.
NUMBER_CHARS = frozenset("0123456789.,eE+-\u2212")


def decimal_point() -> str:
    """The user's decimal point (``QLocale()``'s, which ``QLocale.setDefault`` changes)."""
    dp = QLocale().decimalPoint()
    return dp if dp in (".", ",") else "."


def parse_field(text: str, field: str) -> float:
    """``text`` read as a number in the user's locale or in C; one-line ValidationError."""
    return parse_number(text, decimal_point(), field=field)


class NumberValidator(QValidator):
    """Refuses keystrokes that cannot belong to a number; whole texts are judged later.

    A text made of number characters is always Acceptable, so Enter still emits
    ``editingFinished`` and a malformed number ("1,234" under an English locale) gets the
    engine's one-line message instead of a field that silently ignores Enter.
    """

    def validate(self, text: str, pos: int):
        ok = all(c in NUMBER_CHARS for c in text)
        return (QValidator.State.Acceptable if ok else QValidator.State.Invalid), text, pos


def is_number_field(widget: QWidget | None) -> bool:
    """Whether ``widget`` is a text field that only takes numbers (for :mod:`gui.keys`)."""
    return isinstance(widget, QLineEdit) and isinstance(widget.validator(), NumberValidator)


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if 1e-4 <= a < 1e6:
        return f"{v:.6g}"
    return f"{v:.4g}"


def log_range(spec: ParamSpec) -> tuple[float, float]:
    """Slider range of a log-scale float: the spec's bounds, else four decades either side."""
    d = abs(float(spec.default[0] if spec.kind == "pair" else spec.default)) or 1e-3
    lo = spec.min if spec.min is not None and spec.min > 0 else d * 1e-4
    hi = spec.max if spec.max is not None else d * 1e4
    return float(lo), float(hi)


class _Field(QLineEdit):
    """Text field that shows an invalid state through a dynamic property."""

    def __init__(self, numeric: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if numeric:
            self.setValidator(NumberValidator(self))

    def set_invalid(self, bad: bool) -> None:
        if self.property("invalid") != bad:
            self.setProperty("invalid", bad)
            self.style().unpolish(self)
            self.style().polish(self)


class LogSlider(QWidget):
    """A float on a log scale: slider over decades plus a text field for exact values."""

    edited = Signal()

    STEPS = 600

    def __init__(self, lo: float, hi: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lo, self._hi = math.log10(lo), math.log10(hi)
        self._value = 10**self._lo
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, self.STEPS)
        self.slider.valueChanged.connect(self._on_slider)
        self.field = _Field(numeric=True)
        self.field.setMaximumWidth(90)
        self.field.editingFinished.connect(self._on_field)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.field)

    def _to_pos(self, v: float) -> int:
        if not (v > 0 and math.isfinite(v)):
            return 0
        t = (math.log10(v) - self._lo) / (self._hi - self._lo)
        return round(min(max(t, 0.0), 1.0) * self.STEPS)

    def _on_slider(self, pos: int) -> None:
        v = 10 ** (self._lo + (self._hi - self._lo) * pos / self.STEPS)
        # Snap to 3 significant digits: nobody means lr = 0.0012589254.
        v = float(f"{v:.2g}") if pos not in (0, self.STEPS) else v
        self._value = v
        with QSignalBlocker(self.field):
            self.field.setText(_fmt(v))
        self.edited.emit()

    def _on_field(self) -> None:
        self.edited.emit()

    def text_value(self) -> str:
        return self.field.text()

    def set_value(self, v: float) -> None:
        self._value = float(v)
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._to_pos(float(v)))
        with QSignalBlocker(self.field):
            self.field.setText(_fmt(float(v)))


class LocaleDoubleSlider(QLabeledDoubleSlider):
    """superqt's labeled slider whose number field reads the user's locale and C.

    superqt's own field runs ``float(text)`` on Enter (a ValueError on "0,5") and clamps
    what it reads to the range. Here the typed text is kept as :attr:`pending` and read by
    :meth:`ParamControl.value` through :func:`~engine.validate.validate_field`, so "0,5"
    works and 5 on a [0, 1] slider is refused with the range, not silently made 1.
    """

    typed = Signal()

    def __init__(self, orientation=Qt.Orientation.Horizontal, parent=None) -> None:
        super().__init__(orientation, parent)
        self.pending: str | None = None
        label = self._label
        label.editingFinished.disconnect(label._editing_finished)
        label.setValidator(NumberValidator(label))
        label.editingFinished.connect(self._on_label_edited)
        self._label_sheet = label.styleSheet()

    @property
    def field(self) -> QLineEdit:
        """The number field beside the slider."""
        return self._label

    def _on_label_edited(self) -> None:
        text = self._label.text()
        if text == self._label._format_value(self._label.value()):
            if self.pending is not None:  # typed back to the value the slider holds
                self.pending = None
                self.typed.emit()
            return  # focus left without a change
        self.pending = text
        self.typed.emit()

    def set_invalid(self, bad: bool) -> None:
        extra = "" if not bad else " color: #b3261e; font-weight: bold;"
        self._label.setStyleSheet(self._label_sheet + extra)


class ParamControl(QWidget):
    """An editor for one ParamSpec.

    Signals
    -------
    edited()
        The user changed the value (call :meth:`value` to read and validate it).
    """

    edited = Signal()

    def __init__(self, spec: ParamSpec, owner: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.owner = owner
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self._parts: list[Any] = []
        self.setToolTip(spec.help)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        k = spec.kind
        if k == "bool":
            w = QCheckBox()
            w.toggled.connect(self.edited)
            self._parts.append(w)
        elif k == "choice":
            w = QComboBox()
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(8)
            w.addItems(list(spec.choices))
            w.currentIndexChanged.connect(self.edited)
            self._parts.append(w)
        elif k == "int":
            lo = int(spec.min) if spec.min is not None else -INT32
            hi = int(spec.max) if spec.max is not None else INT32
            if lo >= -INT32 and hi <= INT32:
                w = QSpinBox()
                w.setRange(lo, hi)
                w.setKeyboardTracking(False)
                w.valueChanged.connect(self.edited)
            else:
                w = _Field(numeric=True)
                w.editingFinished.connect(self.edited)
            self._parts.append(w)
        elif k in ("float", "pair"):
            for _ in range(2 if k == "pair" else 1):
                self._parts.append(self._float_part())
        for w in self._parts:
            lay.addWidget(w, 1)
        self.set_value(spec.default)

    def _float_part(self) -> QWidget:
        spec = self.spec
        if spec.log:
            lo, hi = log_range(spec)
            w = LogSlider(lo, hi)
            w.edited.connect(self.edited)
            return w
        if spec.min is not None and spec.max is not None:
            w = LocaleDoubleSlider(Qt.Orientation.Horizontal)
            w.setRange(float(spec.min), float(spec.max))
            span = float(spec.max) - float(spec.min)
            decimals = 3 if span <= 2 else 2
            w.setDecimals(decimals)
            w.setSingleStep(10 ** (-decimals))
            w.setEdgeLabelMode(QLabeledDoubleSlider.EdgeLabelMode.LabelIsValue)
            w.valueChanged.connect(lambda _v: self._on_slider_moved(w))
            w.typed.connect(self.edited)
            return w
        w = _Field(numeric=True)
        w.editingFinished.connect(self.edited)
        return w

    def _on_slider_moved(self, w: LocaleDoubleSlider) -> None:
        w.pending = None  # a drag replaces whatever was typed
        self.edited.emit()

    # ------------------------------------------------------------------ values
    @staticmethod
    def _part_raw(w: QWidget) -> Any:
        if isinstance(w, LogSlider):
            return w.text_value()
        if isinstance(w, LocaleDoubleSlider):
            return w.pending if w.pending is not None else float(w.value())
        if isinstance(w, QLabeledDoubleSlider):
            return float(w.value())
        if isinstance(w, QLineEdit):
            return w.text()
        if isinstance(w, QSpinBox):
            return int(w.value())
        if isinstance(w, QCheckBox):
            return bool(w.isChecked())
        if isinstance(w, QComboBox):
            return w.currentText()
        raise TypeError(type(w))

    def raw(self) -> Any:
        if self.spec.kind == "pair":
            return tuple(self._part_raw(w) for w in self._parts)
        return self._part_raw(self._parts[0])

    @property
    def field_name(self) -> str:
        """How refusals name this field: ``"adam lr"``, or ``"lr"`` without an owner."""
        return f"{self.owner} {self.spec.name}" if self.owner else self.spec.name

    def value(self) -> Any:
        """The validated value; raises ValueError with the engine's one-line message.

        Typed text is read in the user's locale and in C (:func:`parse_field`).
        """
        raw = self.raw()
        try:
            if self.spec.kind == "pair":
                raw = tuple(
                    parse_field(r, self.field_name) if isinstance(r, str) else r for r in raw
                )
            v = validate_field(self.spec, raw, self.field_name, decimal_point=decimal_point())
        except ValidationError:
            self.set_invalid(True)
            raise
        self.set_invalid(False)
        for w in self._parts:
            if isinstance(w, LocaleDoubleSlider) and w.pending is not None:
                self.set_value(v)  # the slider shows what was typed, now accepted
                break
        return v

    def set_invalid(self, bad: bool) -> None:
        for w in self._parts:
            if isinstance(w, LocaleDoubleSlider):
                w.set_invalid(bad)
                continue
            target = w.field if isinstance(w, LogSlider) else w
            if isinstance(target, _Field):
                target.set_invalid(bad)

    def set_value(self, v: Any) -> None:
        values = tuple(v) if self.spec.kind == "pair" else (v,)
        for w, x in zip(self._parts, values, strict=True):
            with QSignalBlocker(w):
                if isinstance(w, LogSlider):
                    w.set_value(float(x))
                elif isinstance(w, QLabeledDoubleSlider):
                    if isinstance(w, LocaleDoubleSlider):
                        w.pending = None
                    w.setValue(float(x))
                elif isinstance(w, QLineEdit):
                    w.setText(_fmt(x) if isinstance(x, float) else str(x))
                elif isinstance(w, QSpinBox):
                    w.setValue(int(x))
                elif isinstance(w, QCheckBox):
                    w.setChecked(bool(x))
                elif isinstance(w, QComboBox):
                    w.setCurrentText(str(x))
        self.set_invalid(False)

    def set_text(self, text: str) -> None:
        """Type ``text`` into the (first) text field as a user would (tests, scripting)."""
        w = self._parts[0]
        field = w.field if isinstance(w, (LogSlider, LocaleDoubleSlider)) else w
        if not isinstance(field, QLineEdit):
            raise TypeError(f"{self.spec.name} has no text field")
        field.setText(text)
        field.editingFinished.emit()
