"""Choice of landscape, its parameters (from ``LANDSCAPES[name].params``) and race settings.

Besides the built-in surfaces the picker offers "Your formula": a field takes f(x, y) as text
(:mod:`engine.landscapes.formula`), and the view window becomes the parameters. A formula the
parser refuses shows its one-line message (with the column) under the field and changes
nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qdebounced

from engine.landscapes import LANDSCAPES, make_landscape
from engine.landscapes.formula import FORMULA_NAME, FORMULA_PARAMS
from engine.params import ParamSpec
from engine.runs import RaceConfig
from gui import theme
from gui.controls.form import Section, SpecForm

# RaceConfig's own tunable fields (the landscape and runs have their own editors).
RACE_FIELD_SPECS: dict[str, ParamSpec] = {
    "tol": ParamSpec(
        "tol",
        1e-6,
        min=0.0,
        log=True,
        label="converged when |∇f| <",
        help="A run stops, converged, when its gradient norm falls below this.",
    ),
    "far_bound": ParamSpec(
        "far_bound",
        1e6,
        min=0.0,
        min_exclusive=True,
        log=True,
        label="diverged beyond",
        help="A run stops, diverged, when a coordinate leaves [-bound, bound] or the loss "
        "is not finite. A run past it that went downhill all the way (a surface "
        "without a bottom) stops as 'left the view', not diverged.",
    ),
}
FORMULA_TITLE = "Your formula f(x, y)"
FORMULA_EXAMPLE = "(x^2 - 1)^2 + 2*y^2"
FORMULA_HELP = (
    "f(x, y) with + - * / ^ (or **), pi, e and sin cos tan exp log sqrt abs tanh sinh "
    "cosh arctan min max relu. Enter uses it; its gradient and Hessian are exact."
)


def formula_params(expr: str, window: dict | None = None) -> dict:
    """``landscape_params`` of a formula surface: the expression and its view window."""
    params = {p.name: p.default for p in FORMULA_PARAMS}
    params.update({k: float(v) for k, v in (window or {}).items() if k in params})
    return {"expr": expr, **params}


class LandscapeEditor(QWidget):
    """Landscape picker with its description and parameters, and the race settings.

    Signals
    -------
    landscape_chosen(str, dict)
        A new landscape name (or new parameters) that validate.
    race_settings_edited(dict)
        New ``tol`` / ``far_bound`` values.
    invalid(str)
    """

    landscape_chosen = Signal(str, dict)
    race_settings_edited = Signal(dict)
    invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.section = Section("Landscape")
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(8)
        for name, spec in LANDSCAPES.items():
            self.combo.addItem(spec.title, name)
        self.combo.addItem(FORMULA_TITLE, FORMULA_NAME)
        self.combo.currentIndexChanged.connect(self._on_combo)
        self.section.form.addRow("surface", self.combo)
        self.formula = QLineEdit()
        self.formula.setPlaceholderText(f"f(x, y), e.g. {FORMULA_EXAMPLE}")
        self.formula.setToolTip(FORMULA_HELP)
        self.formula.setClearButtonEnabled(True)
        self.formula.returnPressed.connect(self._on_formula_entered)
        self.formula_use = QPushButton("Use")
        self.formula_use.setToolTip("Race on this formula (Enter)")
        self.formula_use.clicked.connect(self._on_formula_entered)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.formula, 1)
        row.addWidget(self.formula_use)
        self.section.form.addRow("f(x, y) =", row)
        self.formula_error = QLabel("")
        self.formula_error.setObjectName("Error")
        self.formula_error.setWordWrap(True)
        self.formula_error.setVisible(False)
        self.section.form.addRow(self.formula_error)
        self._config: RaceConfig | None = None
        self.description = QLabel("")
        self.description.setObjectName("Hint")
        self.description.setWordWrap(True)
        self.section.form.addRow(self.description)
        self.params = SpecForm()
        self.params.edited.connect(self._on_params_edited)
        self.section.form.addRow(self.params)
        lay.addWidget(self.section)

        self.race_section = Section("Stopping rules", expanded=False)
        self.race_form = SpecForm()
        self.race_form.build(RACE_FIELD_SPECS.values(), "race")
        self.race_form.edited.connect(self._on_race_edited)
        self.race_section.form.addRow(self.race_form)
        lay.addWidget(self.race_section)
        self.error = QLabel("")
        self.error.setObjectName("Error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)

    def set_config(self, config: RaceConfig) -> None:
        """Show ``config``'s landscape and settings without emitting."""
        self._config = config
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(self.combo.findData(config.landscape))
        if config.landscape == FORMULA_NAME:
            params = formula_params("", config.landscape_params)
            self.description.setText(config.build_landscape().description)
            self.params.build(FORMULA_PARAMS, "formula view")
            self.params.set_values({k: v for k, v in params.items() if k != "expr"})
            self.formula.setText(str(config.landscape_params.get("expr", "")))
        else:
            spec = LANDSCAPES[config.landscape]
            self.description.setText(spec.description)
            self.params.build(spec.params, f"landscape {config.landscape}")
            self.params.set_values({p.name: p.default for p in spec.params})
            self.params.set_values(dict(config.landscape_params))
        self.race_form.set_values({"tol": config.tol, "far_bound": config.far_bound})
        self._show_error("")
        self._show_formula_error("")
        self.section.refresh()

    def current_name(self) -> str:
        return self.combo.currentData()

    def _on_combo(self) -> None:
        name = self.combo.currentData()
        self._show_error("")
        if name == FORMULA_NAME:
            # The formula in the field (or an example) becomes the surface; a bad one leaves
            # the race as it was, and the picker goes back to show it.
            if not self.formula.text().strip():
                self.formula.setText(FORMULA_EXAMPLE)
            if not self.use_formula(self.formula.text()) and self._config is not None:
                with QSignalBlocker(self.combo):
                    self.combo.setCurrentIndex(self.combo.findData(self._config.landscape))
            self.formula.setFocus()
            return
        spec = LANDSCAPES[name]
        self.description.setText(spec.description)
        self.params.build(spec.params, f"landscape {name}")
        self.section.refresh()
        self.landscape_chosen.emit(name, {})

    def use_formula(self, text: str) -> bool:
        """Check ``text`` as f(x, y) and emit it as the new landscape.

        A formula keeps the current formula surface's view window. An error shows its one-line
        message under the field, is emitted as ``invalid`` and changes nothing. Returns
        whether the formula was used.
        """
        cfg = self._config
        window = cfg.landscape_params if cfg is not None and cfg.landscape == FORMULA_NAME else {}
        params = formula_params(str(text), window)
        try:
            land = make_landscape(FORMULA_NAME, **params)
        except ValueError as exc:  # FormulaError: one line naming the column
            self._show_formula_error(str(exc))
            self.invalid.emit(f"formula: {exc}")
            return False
        self._show_formula_error("")
        self.landscape_chosen.emit(FORMULA_NAME, formula_params(land.params["expr"], window))
        return True

    def _on_formula_entered(self) -> None:
        self.use_formula(self.formula.text())

    def _show_formula_error(self, text: str) -> None:
        self.formula_error.setText(text)
        self.formula_error.setVisible(bool(text))

    @qdebounced(timeout=250)
    def _on_params_edited(self, *args) -> None:
        # Debounced (superqt): each change rebuilds the surface and restarts the race, so
        # wait until a slider comes to rest.
        try:
            values = self.params.changed_values()
            if self.current_name() == FORMULA_NAME:
                cfg = self._config
                expr = cfg.landscape_params.get("expr", "") if cfg is not None else ""
                values = formula_params(str(expr), self.params.values())
            make_landscape(self.current_name(), **values)
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return
        self._show_error("")
        self.landscape_chosen.emit(self.current_name(), values)

    def _on_race_edited(self, *args) -> None:
        try:
            values = self.race_form.values()
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return
        self._show_error("")
        self.race_settings_edited.emit(values)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def apply_scale(self, scale: theme.Scale) -> None:
        self.section.refresh()
        self.race_section.refresh()


FORMULA_COMBO_CHARS = 30  # room for "f(x, y) = …" in the toolbar's combo, in digit widths


def show_surface_in_combo(combo: QComboBox, config: RaceConfig) -> None:
    """Make the toolbar's landscape ``combo`` (built-ins only) show ``config``'s surface.

    A formula surface is not in the list: an extra last item "f(x, y) = …" (elided at words,
    never mid-number; the whole formula in its tooltip) stands for it while it is current,
    and goes when a built-in surface is chosen. Emits no signal.
    """
    from PySide6.QtCore import Qt

    from engine.display import elide_words

    with QSignalBlocker(combo):
        at = combo.findData(FORMULA_NAME)
        if config.landscape != FORMULA_NAME:
            if at >= 0:
                combo.removeItem(at)
            combo.setCurrentIndex(combo.findData(config.landscape))
            return
        full = f"f(x, y) = {config.landscape_params.get('expr', '')}"
        fm = combo.fontMetrics()
        text = elide_words(
            full, fm.horizontalAdvance, fm.horizontalAdvance("0" * FORMULA_COMBO_CHARS)
        )
        if at < 0:
            combo.addItem(text, FORMULA_NAME)
            at = combo.count() - 1
        combo.setItemText(at, text)
        combo.setItemData(at, full, Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(at)
