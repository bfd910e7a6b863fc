"""Choice of landscape, its parameters (from ``LANDSCAPES[name].params``) and race settings."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget
from superqt.utils import qdebounced

from engine.landscapes import LANDSCAPES, make_landscape
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
        "is not finite.",
    ),
}


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
        self.combo.currentIndexChanged.connect(self._on_combo)
        self.section.form.addRow("surface", self.combo)
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
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(self.combo.findData(config.landscape))
        spec = LANDSCAPES[config.landscape]
        self.description.setText(spec.description)
        self.params.build(spec.params, f"landscape {config.landscape}")
        self.params.set_values({p.name: p.default for p in spec.params})
        self.params.set_values(dict(config.landscape_params))
        self.race_form.set_values({"tol": config.tol, "far_bound": config.far_bound})
        self._show_error("")
        self.section.refresh()

    def current_name(self) -> str:
        return self.combo.currentData()

    def _on_combo(self) -> None:
        name = self.combo.currentData()
        spec = LANDSCAPES[name]
        self.description.setText(spec.description)
        self.params.build(spec.params, f"landscape {name}")
        self.section.refresh()
        self._show_error("")
        self.landscape_chosen.emit(name, {})

    @qdebounced(timeout=250)
    def _on_params_edited(self, *args) -> None:
        # Debounced (superqt): each change rebuilds the surface and restarts the race, so
        # wait until a slider comes to rest.
        try:
            values = self.params.changed_values()
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
