"""The network lab's settings: the data (shared by every column) and the selected column.

Controls come from the engine's descriptions: the task's parameters from
``TASKS[name].params``, the other task settings from :class:`~engine.datasets.TaskConfig`'s
field metadata, activation, initializer, optimizer and schedule parameters from their
registries' ParamSpecs. Each edit changes only the setting it belongs to
(``dataclasses.replace`` on the current config), is validated by the engine's own
constructors, and is emitted at once if valid; a bad value shows the engine's message and
is not applied.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import TASKS, TaskConfig
from engine.nn.activations import ACTIVATIONS
from engine.nn.initializers import INITIALIZERS
from engine.nn.mlp import (  # the engine's limits, written once there
    BATCHNORM_PLACEMENTS,
    MAX_DEPTH,
    MAX_WIDTH,
    MLPConfig,
)
from engine.nn.muon import NET_OPTIMIZERS as OPTIMIZERS
from engine.nn.training import TrainConfig
from engine.params import ParamSpec, validate_params
from engine.schedules import SCHEDULES, WARMUP_PARAMS
from gui import theme
from gui.controls.form import Section, SpecForm
from gui.controls.param_control import ParamControl
from gui.panels.net_column_panel import readable


def spec_from_field(cls: type, name: str, kind: str, **override: Any) -> ParamSpec:
    """A ParamSpec from a config dataclass field's ``spec_field`` metadata."""
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    meta = dict(f.metadata)
    kw = {
        "kind": kind,
        "min": meta.get("min"),
        "max": meta.get("max"),
        "log": meta.get("log", False),
        "choices": tuple(meta.get("choices", ())),
        "label": meta.get("label", name),
        "help": meta.get("help", ""),
    }
    kw.update(override)
    return ParamSpec(name, f.default, **kw)


TASK_SPECS: tuple[ParamSpec, ...] = (
    spec_from_field(TaskConfig, "n", "int", max=5000, label="Points"),
    spec_from_field(TaskConfig, "noise", "float"),
    spec_from_field(TaskConfig, "val_fraction", "float"),
    spec_from_field(TaskConfig, "seed", "int", max=2**31 - 1),
)
DEPTH_SPEC = ParamSpec(
    "depth", 10, kind="int", min=0, max=MAX_DEPTH, label="Hidden layers", help="how many"
)
WIDTH_SPEC = ParamSpec(
    "width", 32, kind="int", min=1, max=MAX_WIDTH, label="Width", help="units per hidden layer"
)
BIAS_SPEC = spec_from_field(MLPConfig, "bias_init", "float", min=-1.0, max=1.0)
BATCH_SPEC = spec_from_field(TrainConfig, "batch_size", "int", max=5000)
SEED_SPEC = spec_from_field(TrainConfig, "seed", "int", max=2**31 - 1)
BN_TEXT = {
    "off": "off",
    "before": "before the activation",
    "after": "after the activation",
}


def _combo(items: list[tuple[str, str]], tip: str = "") -> QComboBox:
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
    for text, data in items:
        box.addItem(text, data)
    box.setToolTip(tip)
    return box


class NetEditor(QWidget):
    """Data settings and the selected column's settings.

    Signals
    -------
    task_edited(object)
        A valid new :class:`TaskConfig`.
    column_edited(int, object)
        ``(index, TrainConfig)``: a valid new configuration of column ``index``.
    invalid(str)
        What is wrong with a setting as typed (the engine's message).
    """

    task_edited = Signal(object)
    column_edited = Signal(int, object)
    invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task = TaskConfig()
        self._index = -1
        self._cfg = TrainConfig()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)

        # -- data
        self.data_section = Section("Data (shared by every column)")
        self.task_combo = _combo([(k, k) for k in TASKS], "toy data set")
        for i, spec in enumerate(TASKS.values()):
            self.task_combo.setItemData(i, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.task_combo.currentIndexChanged.connect(self._on_task_name)
        self.data_section.form.addRow("task", self.task_combo)
        self.task_params = SpecForm()
        self.task_params.edited.connect(self._on_task_edited)
        self.data_section.form.addRow(self.task_params)
        self.task_form = SpecForm()
        self.task_form.build(TASK_SPECS, "task")
        self.task_form.edited.connect(self._on_task_edited)
        self.data_section.form.addRow(self.task_form)
        lay.addWidget(self.data_section)

        # -- column header and actions
        self.header = QLabel("Column")
        self.header.setObjectName("CardTitle")
        self.header.setWordWrap(True)
        lay.addSpacing(4)
        lay.addWidget(self.header)
        self.hint = QLabel("Click a column to edit it.")
        self.hint.setObjectName("Hint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.buttons = QGridLayout()
        self.buttons.setContentsMargins(0, 0, 0, 0)
        self.buttons.setSpacing(4)
        lay.addLayout(self.buttons)

        # -- network
        self.net_section = Section("Network")
        self.depth = ParamControl(DEPTH_SPEC, "network")
        self.width = ParamControl(WIDTH_SPEC, "network")
        self.depth.edited.connect(self._on_layers)
        self.width.edited.connect(self._on_layers)
        self.net_section.form.addRow(DEPTH_SPEC.label, self.depth)
        self.net_section.form.addRow(WIDTH_SPEC.label, self.width)
        self.act_combo = _combo([(k, k) for k in ACTIVATIONS], "nonlinearity of every layer")
        for i, spec in enumerate(ACTIVATIONS.values()):
            self.act_combo.setItemData(i, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.act_combo.currentIndexChanged.connect(self._on_activation)
        self.net_section.form.addRow("activation", self.act_combo)
        self.act_params = SpecForm()
        self.act_params.edited.connect(self._on_activation_params)
        self.net_section.form.addRow(self.act_params)
        self.bn_combo = _combo(
            [(BN_TEXT[k], k) for k in BATCHNORM_PLACEMENTS], "batch norm on every hidden layer"
        )
        self.bn_combo.currentIndexChanged.connect(self._on_batchnorm)
        self.net_section.form.addRow("batch norm", self.bn_combo)
        lay.addWidget(self.net_section)

        # -- initialisation
        self.init_section = Section("Initialization")
        self.init_combo = _combo([(k, k) for k in INITIALIZERS], "how the weights are drawn")
        for i, spec in enumerate(INITIALIZERS.values()):
            self.init_combo.setItemData(i, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.init_combo.currentIndexChanged.connect(self._on_init)
        self.init_section.form.addRow("initializer", self.init_combo)
        self.init_params = SpecForm()
        self.init_params.edited.connect(self._on_init_params)
        self.init_section.form.addRow(self.init_params)
        self.bias = ParamControl(BIAS_SPEC, "network")
        self.bias.edited.connect(self._on_bias)
        self.init_section.form.addRow(BIAS_SPEC.label, self.bias)
        self.seed = ParamControl(SEED_SPEC, "column")
        self.seed.edited.connect(self._on_seed)
        self.init_section.form.addRow(SEED_SPEC.label, self.seed)
        lay.addWidget(self.init_section)

        # -- training
        self.train_section = Section("Training")
        self.opt_combo = _combo([(s.title, k) for k, s in OPTIMIZERS.items()], "update rule")
        self.opt_combo.currentIndexChanged.connect(self._on_optimizer)
        self.train_section.form.addRow("optimizer", self.opt_combo)
        self.hyper_form = SpecForm()
        self.hyper_form.edited.connect(self._on_hyper)
        self.train_section.form.addRow(self.hyper_form)
        self.batch = ParamControl(BATCH_SPEC, "column")
        self.batch.edited.connect(self._on_batch)
        self.train_section.form.addRow(BATCH_SPEC.label, self.batch)
        self.sched_combo = _combo([(s.title, k) for k, s in SCHEDULES.items()], "lr schedule")
        self.sched_combo.currentIndexChanged.connect(self._on_schedule)
        self.train_section.form.addRow("schedule", self.sched_combo)
        self.sched_form = SpecForm()
        self.sched_form.edited.connect(self._on_schedule_params)
        self.train_section.form.addRow(self.sched_form)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("automatic: what differs")
        self.label_edit.editingFinished.connect(self._on_label)
        self.train_section.form.addRow("label", self.label_edit)
        lay.addWidget(self.train_section)

        self.error = QLabel("")
        self.error.setObjectName("Error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        lay.addStretch(1)

    # ------------------------------------------------------------------ actions
    def set_actions(self, actions: list) -> None:
        """Show ``actions`` as a grid of buttons under the column header."""
        for k, act in enumerate(actions):
            b = QToolButton()
            b.setDefaultAction(act)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setSizePolicy(
                b.sizePolicy().horizontalPolicy().Expanding, b.sizePolicy().verticalPolicy()
            )
            self.buttons.addWidget(b, k // 2, k % 2)

    # ------------------------------------------------------------------ binding
    @property
    def index(self) -> int:
        return self._index

    def set_task(self, task: TaskConfig) -> None:
        """Show ``task`` without emitting."""
        self._task = task
        with QSignalBlocker(self.task_combo):
            self.task_combo.setCurrentIndex(self.task_combo.findData(task.name))
        self.task_params.build(TASKS[task.name].params, f"task {task.name}")
        self.task_params.set_values(validate_params(TASKS[task.name].params, task.params, "task"))
        self.task_form.set_values({s.name: getattr(task, s.name) for s in TASK_SPECS})

    def set_column(self, index: int, cfg: TrainConfig, style: theme.RunStyle, title: str) -> None:
        """Show column ``index`` without emitting."""
        self._index = index
        self._cfg = cfg
        c = readable(style.colour)
        self.header.setText(f"Column {index + 1}: {title}")
        self.header.setStyleSheet(f"color: {c};")
        self.hint.setText(
            f"{style.description}. Optimizer settings apply at once; any other change "
            "restarts this column alone."
        )
        mlp = cfg.mlp
        h = mlp.hidden
        self.depth.set_value(len(h))
        self.width.set_value(h[0] if h else WIDTH_SPEC.default)
        self.width.setEnabled(bool(h))
        with QSignalBlocker(self.act_combo):
            self.act_combo.setCurrentIndex(self.act_combo.findData(mlp.activation))
        spec = ACTIVATIONS[mlp.activation]
        self.act_params.build(spec.params, f"activation {mlp.activation}")
        self.act_params.set_values(validate_params(spec.params, mlp.activation_params, "act"))
        with QSignalBlocker(self.bn_combo):
            self.bn_combo.setCurrentIndex(self.bn_combo.findData(mlp.batchnorm))
        with QSignalBlocker(self.init_combo):
            self.init_combo.setCurrentIndex(self.init_combo.findData(mlp.init))
        self.init_params.build(INITIALIZERS[mlp.init].params, f"init {mlp.init}")
        self.init_params.set_values(mlp.resolved_init_params)
        self.bias.set_value(float(mlp.bias_init))
        self.seed.set_value(int(cfg.seed))
        with QSignalBlocker(self.opt_combo):
            self.opt_combo.setCurrentIndex(self.opt_combo.findData(cfg.optimizer))
        ospec = OPTIMIZERS[cfg.optimizer]
        self.hyper_form.build(ospec.params, f"optimizer {cfg.optimizer}")
        self.hyper_form.set_values(validate_params(ospec.params, cfg.hyper, "optimizer"))
        self.batch.set_value(int(cfg.batch_size))
        with QSignalBlocker(self.sched_combo):
            self.sched_combo.setCurrentIndex(self.sched_combo.findData(cfg.schedule))
        self._build_schedule(cfg.schedule)
        with QSignalBlocker(self.label_edit):
            self.label_edit.setText(cfg.label)
        self._show_error("")

    def _build_schedule(self, kind: str) -> None:
        specs = SCHEDULES[kind].params + (WARMUP_PARAMS if kind != "constant" else ())
        self.sched_form.build(specs, f"schedule {kind}")
        given = dict(self._cfg.schedule_params)
        self.sched_form.set_values({s.name: given.get(s.name, s.default) for s in specs})

    # ------------------------------------------------------------------ task edits
    def _on_task_name(self) -> None:
        name = self.task_combo.currentData()
        self.task_params.build(TASKS[name].params, f"task {name}")
        self._emit_task(name)

    def _on_task_edited(self, *_args) -> None:
        self._emit_task(self.task_combo.currentData())

    def _emit_task(self, name: str) -> None:
        try:
            values = self.task_form.values()
            params = self.task_params.changed_values()
            task = TaskConfig(name=name, params=params, **values)
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return
        self._show_error("")
        if task != self._task:
            self._task = task
            self.task_edited.emit(task)

    # ------------------------------------------------------------------ column edits
    def _apply(self, mlp_changes: dict | None = None, **changes: Any) -> None:
        """Replace the given settings of the current column and emit it if valid."""
        if self._index < 0:
            return
        cfg = self._cfg
        try:
            if mlp_changes:
                changes["mlp"] = dataclasses.replace(cfg.mlp, **mlp_changes)
            new = dataclasses.replace(cfg, **changes)
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return
        self._show_error("")
        if new != cfg:
            self._cfg = new
            self.column_edited.emit(self._index, new)

    def _values(self, form: SpecForm) -> dict | None:
        try:
            return form.changed_values()
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return None

    def _control(self, ctl: ParamControl):
        try:
            return ctl.value()
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return None

    def _on_layers(self) -> None:
        d, w = self._control(self.depth), self._control(self.width)
        if d is None or w is None:
            return
        self.width.setEnabled(d > 0)
        self._apply({"hidden": (w,) * d})

    def _on_activation(self) -> None:
        name = self.act_combo.currentData()
        spec = ACTIVATIONS[name]
        self.act_params.build(spec.params, f"activation {name}")
        self._apply({"activation": name, "activation_params": {}})

    def _on_activation_params(self, *_args) -> None:
        p = self._values(self.act_params)
        if p is not None:
            self._apply({"activation_params": p})

    def _on_batchnorm(self) -> None:
        bn = self.bn_combo.currentData()
        changes = {}
        if bn != "off" and self._cfg.batch_size < 2:
            changes["batch_size"] = 2
        self._apply({"batchnorm": bn}, **changes)

    def _on_init(self) -> None:
        name = self.init_combo.currentData()
        self.init_params.build(INITIALIZERS[name].params, f"init {name}")
        self._apply({"init": name, "init_params": {}})

    def _on_init_params(self, *_args) -> None:
        p = self._values(self.init_params)
        if p is not None:
            self._apply({"init_params": p})

    def _on_bias(self) -> None:
        v = self._control(self.bias)
        if v is not None:
            self._apply({"bias_init": float(v)})

    def _on_seed(self) -> None:
        v = self._control(self.seed)
        if v is not None:
            self._apply(seed=int(v))

    def _on_optimizer(self) -> None:
        name = self.opt_combo.currentData()
        spec = OPTIMIZERS[name]
        self.hyper_form.build(spec.params, f"optimizer {name}")
        # A new optimizer starts from PyTorch's defaults (its lr means something else).
        hyper = {p.name: p.default for p in spec.params}
        self.hyper_form.set_values(hyper)
        self._apply(optimizer=name, hyper=hyper)

    def _on_hyper(self, *_args) -> None:
        try:
            hyper = self.hyper_form.values()
        except ValueError as exc:
            self._show_error(str(exc))
            self.invalid.emit(str(exc))
            return
        self._apply(hyper=hyper)

    def _on_batch(self) -> None:
        v = self._control(self.batch)
        if v is not None:
            self._apply(batch_size=int(v))

    def _on_schedule(self) -> None:
        kind = self.sched_combo.currentData()
        specs = SCHEDULES[kind].params + (WARMUP_PARAMS if kind != "constant" else ())
        self.sched_form.build(specs, f"schedule {kind}")
        self._apply(schedule=kind, schedule_params={})

    def _on_schedule_params(self, *_args) -> None:
        p = self._values(self.sched_form)
        if p is not None:
            self._apply(schedule_params=p)

    def _on_label(self) -> None:
        self._apply(label=self.label_edit.text().strip())

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def apply_scale(self, scale: theme.Scale) -> None:
        for s in (self.data_section, self.net_section, self.init_section, self.train_section):
            s.refresh()
