"""Form building blocks: a foldable section and a spec-driven parameter form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.params import ParamSpec
from gui.controls.param_control import ParamControl


class Section(QWidget):
    """A titled group of controls that folds away under its header.

    superqt's QCollapsible was tried first: it animates a fixed maximum height taken from
    the content's size hint, which is wrong for word-wrapped descriptions (their height
    depends on the width), so text overlapped the next rows. A plain show/hide of the body
    lets the layout size it.
    """

    toggled = Signal(bool)

    def __init__(self, title: str, parent: QWidget | None = None, expanded: bool = True) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.header = QToolButton()
        self.header.setText(title)
        self.header.setCheckable(True)
        self.header.setChecked(expanded)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.header.setAutoRaise(True)
        self.header.setObjectName("SectionHeader")
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.toggled.connect(self._on_toggled)
        lay.addWidget(self.header)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(6, 0, 2, 6)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setHorizontalSpacing(10)
        self.form.setVerticalSpacing(5)
        lay.addWidget(self.body)
        self.body.setVisible(expanded)

    def _on_toggled(self, on: bool) -> None:
        self.header.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.body.setVisible(on)
        self.toggled.emit(on)

    def isExpanded(self) -> bool:
        return self.header.isChecked()

    def expand(self) -> None:
        self.header.setChecked(True)

    def collapse(self) -> None:
        self.header.setChecked(False)

    def refresh(self) -> None:
        """Kept for callers; the layout re-fits by itself."""
        self.body.updateGeometry()


class SpecForm(QWidget):
    """Rows of :class:`ParamControl` built from a tuple of ParamSpecs.

    Signals
    -------
    edited(str)
        Name of the parameter the user changed.
    """

    edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setHorizontalSpacing(10)
        self.layout_.setVerticalSpacing(5)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.controls: dict[str, ParamControl] = {}
        self._specs: tuple[ParamSpec, ...] = ()

    def build(self, specs: Iterable[ParamSpec], owner: str) -> None:
        """Replace the rows by one control per spec (nothing to do if they are the same)."""
        specs = tuple(specs)
        if specs and (specs, owner) == (self._specs, getattr(self, "_owner", None)):
            return
        self._owner = owner
        while self.layout_.rowCount():
            self.layout_.removeRow(0)
        self.controls = {}
        self._specs = tuple(specs)
        for spec in self._specs:
            ctl = ParamControl(spec, owner)
            ctl.edited.connect(lambda name=spec.name: self.edited.emit(name))
            label = QLabel(spec.display)
            label.setToolTip(spec.help)
            self.layout_.addRow(label, ctl)
            self.controls[spec.name] = ctl
        if not self._specs:
            none = QLabel("no parameters")
            none.setObjectName("Hint")
            self.layout_.addRow(none)

    def set_values(self, values: dict[str, Any]) -> None:
        for name, ctl in self.controls.items():
            if name in values:
                ctl.set_value(values[name])

    def values(self) -> dict[str, Any]:
        """Validated values of every control; raises ValueError naming the first bad one."""
        return {name: ctl.value() for name, ctl in self.controls.items()}

    def changed_values(self) -> dict[str, Any]:
        """Validated values that differ from the specs' defaults."""
        out = {}
        for spec in self._specs:
            v = self.controls[spec.name].value()
            if v != spec.default:
                out[spec.name] = v
        return out
