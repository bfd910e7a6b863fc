"""Editor of one run, built from ``RunConfig``'s fields and the engine's ParamSpecs.

Optimizer hyperparameters come from ``OPTIMIZERS[name].params``, schedule parameters from
``SCHEDULES[kind].params`` and ``WARMUP_PARAMS``; the other ``RunConfig`` fields are walked
with :func:`dataclasses.fields` and each gets a control from :data:`RUN_FIELD_SPECS` (a test
checks that no field is left without one). Every change is validated with
``RunConfig.validate`` and, if valid, sent at once (throttled) so it applies while running.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qthrottled

from engine.optimizers import OPTIMIZERS
from engine.params import ParamSpec
from engine.run_fields import RUN_FIELD_OFF, RUN_FIELD_SPECS, STRUCTURED_RUN_FIELDS
from engine.runs import RunConfig, ScheduleConfig
from engine.schedules import SCHEDULES, WARMUP_PARAMS
from gui import theme
from gui.controls.form import Section, SpecForm
from gui.controls.param_control import ParamControl

# The run's own settings, each a control built from the engine's one spec list; fields that
# can be off get a tick box (their "off" value from the same module).
OPTIONAL_FIELDS = RUN_FIELD_OFF
STRUCTURED_FIELDS = STRUCTURED_RUN_FIELDS


class OptionalControl(QWidget):
    """A tick box that enables a ParamControl; unticked means the field is off."""

    edited = Signal()

    def __init__(self, spec: ParamSpec, owner: str) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox()
        self.check.setToolTip(f"Use {spec.display}")
        self.control = ParamControl(spec, owner)
        self.control.setEnabled(False)
        self.check.toggled.connect(self._on_toggled)
        self.control.edited.connect(self.edited)
        lay.addWidget(self.check)
        lay.addWidget(self.control, 1)

    def _on_toggled(self, on: bool) -> None:
        self.control.setEnabled(on)
        self.edited.emit()

    def value(self, off: Any) -> Any:
        return self.control.value() if self.check.isChecked() else off

    def set_value(self, v: Any, off: Any) -> None:
        on = v is not None and v != off
        with QSignalBlocker(self.check):
            self.check.setChecked(on)
        self.control.setEnabled(on)
        if on:
            self.control.set_value(v)


class RunEditor(QWidget):
    """Edits the selected run; changes apply live.

    Signals
    -------
    run_edited(int, object)
        ``(index, RunConfig)``: a valid new configuration for run ``index``.
    invalid(str)
        The settings as typed are not valid; the message names the parameter.
    """

    run_edited = Signal(int, object)
    invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index = -1
        self._run = RunConfig()
        self._stochastic = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)

        self.header = QLabel("No run selected")
        self.header.setObjectName("CardTitle")
        self.header.setWordWrap(True)
        lay.addWidget(self.header)
        self.style_hint = QLabel("")
        self.style_hint.setObjectName("Hint")
        lay.addWidget(self.style_hint)

        # -- optimizer
        self.opt_section = Section("Optimizer")
        self.opt_combo = QComboBox()
        self.opt_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.opt_combo.setMinimumContentsLength(8)
        for name, spec in OPTIMIZERS.items():
            self.opt_combo.addItem(spec.title, name)
        self.opt_combo.currentIndexChanged.connect(self._on_optimizer_changed)
        self.opt_section.form.addRow("algorithm", self.opt_combo)
        self.opt_help = QLabel("")
        self.opt_help.setObjectName("Hint")
        self.opt_help.setWordWrap(True)
        self.opt_section.form.addRow(self.opt_help)
        self.hyper_form = SpecForm()
        self.hyper_form.edited.connect(self._on_edited)
        self.opt_section.form.addRow(self.hyper_form)
        lay.addWidget(self.opt_section)

        # -- schedule
        self.sched_section = Section("Learning-rate schedule", expanded=False)
        self.sched_combo = QComboBox()
        self.sched_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.sched_combo.setMinimumContentsLength(8)
        for name, spec in SCHEDULES.items():
            self.sched_combo.addItem(spec.title, name)
        self.sched_combo.currentIndexChanged.connect(self._on_schedule_changed)
        self.sched_section.form.addRow("schedule", self.sched_combo)
        self.sched_form = SpecForm()
        self.sched_form.edited.connect(self._on_edited)
        self.sched_section.form.addRow(self.sched_form)
        self.warm_form = SpecForm()
        self.warm_form.build(WARMUP_PARAMS, "schedule")
        self.warm_form.edited.connect(self._on_edited)
        self.sched_section.form.addRow(self.warm_form)
        lay.addWidget(self.sched_section)

        # -- the remaining RunConfig fields, walked from the dataclass
        self.grad_section = Section("Gradient", expanded=False)
        self.run_section = Section("Start, seed and label", expanded=False)
        self.field_controls: dict[str, Any] = {}
        self.field_rows: dict[str, tuple[QLabel, QWidget]] = {}
        for f in dataclasses.fields(RunConfig):
            if f.name in STRUCTURED_FIELDS:
                continue
            spec = RUN_FIELD_SPECS[f.name]  # KeyError here = a new field without a control
            section = (
                self.run_section if f.name in ("start", "seed", "label") else self.grad_section
            )
            if f.name == "label":
                ctl = QLineEdit()
                ctl.setPlaceholderText("automatic")
                ctl.editingFinished.connect(self._on_edited)
            elif f.name in OPTIONAL_FIELDS:
                ctl = OptionalControl(spec, "run")
                ctl.edited.connect(self._on_edited)
            else:
                ctl = ParamControl(spec, "run")
                ctl.edited.connect(self._on_edited)
            label = QLabel(spec.display)
            label.setToolTip(spec.help)
            ctl.setToolTip(spec.help)
            section.form.addRow(label, ctl)
            self.field_controls[f.name] = ctl
            self.field_rows[f.name] = (label, ctl)
        lay.addWidget(self.grad_section)
        lay.addWidget(self.run_section)

        self.error = QLabel("")
        self.error.setObjectName("Error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        lay.addStretch(1)
        self.setEnabled(False)

    # ------------------------------------------------------------------ binding
    @property
    def index(self) -> int:
        return self._index

    def forget(self) -> None:
        """Make the next :meth:`set_run` refill every control, even for the same run."""
        self._index = -1

    def set_run(
        self,
        index: int,
        run: RunConfig,
        style: theme.RunStyle | None = None,
        title: str = "",
        stochastic: bool = False,
        n_data: int | None = None,
    ) -> None:
        """Show ``run`` (index ``index``) in the controls without emitting anything."""
        self._index = index
        self._run = run
        self._stochastic = stochastic
        self.setEnabled(index >= 0)
        self.header.setText(f"Run {index + 1} · {title}" if title else f"Run {index + 1}")
        if style is not None:
            self.header.setStyleSheet(
                f"color: {style.colour if style.colour != '#F0E442' else '#8a7d00'};"
            )
            self.style_hint.setText(style.description)
        with QSignalBlocker(self.opt_combo):
            self.opt_combo.setCurrentIndex(self.opt_combo.findData(run.optimizer))
        self._build_hyper(run.optimizer)
        self.hyper_form.set_values(run.resolved_hyper())
        with QSignalBlocker(self.sched_combo):
            self.sched_combo.setCurrentIndex(self.sched_combo.findData(run.schedule.kind))
        self._build_schedule(run.schedule.kind)
        self.sched_form.set_values(dict(run.schedule.params))
        self.warm_form.set_values(
            {
                "warmup_steps": run.schedule.warmup_steps,
                "warmup_start_factor": run.schedule.warmup_start_factor,
            }
        )
        for name, ctl in self.field_controls.items():
            v = getattr(run, name)
            if isinstance(ctl, QLineEdit):
                with QSignalBlocker(ctl):
                    ctl.setText(str(v))
            elif isinstance(ctl, OptionalControl):
                ctl.set_value(v, OPTIONAL_FIELDS[name])
            else:
                ctl.set_value(v)
        label, ctl = self.field_rows["batch_size"]
        label.setVisible(stochastic)
        ctl.setVisible(stochastic)
        if stochastic and n_data:
            ctl.setToolTip(f"Data points per mini-batch (1..{n_data}); 0 uses all {n_data}.")
        self._show_error("")
        for s in (self.opt_section, self.sched_section, self.grad_section, self.run_section):
            s.refresh()

    def _build_hyper(self, optimizer: str) -> None:
        spec = OPTIMIZERS[optimizer]
        self.hyper_form.build(spec.params, f"optimizer {optimizer}")
        self.opt_help.setText(spec.description)
        self.opt_help.setToolTip(spec.paper)
        self.opt_section.refresh()

    def _build_schedule(self, kind: str) -> None:
        self.sched_form.build(SCHEDULES[kind].params, f"schedule {kind}")
        self.sched_section.refresh()

    def _on_optimizer_changed(self) -> None:
        name = self.opt_combo.currentData()
        self._build_hyper(name)
        # A new optimizer starts from its PyTorch defaults (its lr means something else).
        self.hyper_form.set_values({p.name: p.default for p in OPTIMIZERS[name].params})
        self._emit()

    def _on_schedule_changed(self) -> None:
        self._build_schedule(self.sched_combo.currentData())
        self._emit()

    def _on_edited(self, *args) -> None:
        self._emit()

    # ------------------------------------------------------------------ output
    def current_config(self) -> RunConfig:
        """The run as the controls describe it; raises ValueError naming the bad setting."""
        name = self.opt_combo.currentData()
        hyper = self.hyper_form.changed_values()
        kind = self.sched_combo.currentData()
        warm = self.warm_form.values()
        schedule = ScheduleConfig(
            kind, self.sched_form.values(), warm["warmup_steps"], warm["warmup_start_factor"]
        )
        fields: dict[str, Any] = {}
        for fname, ctl in self.field_controls.items():
            if isinstance(ctl, QLineEdit):
                fields[fname] = ctl.text().strip()
            elif isinstance(ctl, OptionalControl):
                fields[fname] = ctl.value(OPTIONAL_FIELDS[fname])
            else:
                fields[fname] = ctl.value()
        if not self._stochastic:
            fields["batch_size"] = self._run.batch_size
        run = RunConfig(optimizer=name, hyper=hyper, schedule=schedule, **fields)
        run.validate()
        return run

    @qthrottled(timeout=50)
    def _emit(self) -> None:
        # Throttled (superqt): dragging a slider must not queue hundreds of live changes.
        if self._index < 0:
            return
        try:
            run = self.current_config()
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return
        self._show_error("")
        if run != self._run:
            self._run = run
            self.run_edited.emit(self._index, run)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def apply_scale(self, scale: theme.Scale) -> None:
        for s in (self.opt_section, self.sched_section, self.grad_section, self.run_section):
            s.refresh()


def field_names_with_controls(editor: RunEditor) -> set[str]:
    """RunConfig fields the editor can set (for tests)."""
    return set(editor.field_controls) | set(STRUCTURED_FIELDS)


__all__ = ["OPTIONAL_FIELDS", "RUN_FIELD_SPECS", "RunEditor", "field_names_with_controls"]
