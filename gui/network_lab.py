"""The network lab: configurations of one network trained side by side, layer by layer.

Two to six columns train in lockstep on the same data; each column shows its activation
histograms, variances against theory, dead or saturated units and decision regions, and a
shared panel overlays every column's loss and accuracy. Before play the columns show step
0: the forward pass of the initial weights, the initialisation lesson on its own.

The worker runs :class:`~engine.nn.paced.NetEngine` (paced snapshots). The GUI takes the
newest :class:`~engine.nn.paced.NetFrame` at display rate and books its losses; drawing is
split into jobs (one part of one column's picture, the shared curves, the headers) and a
tick does at most one of them while running, so no tick blocks the event loop for long
however many columns there are.

The comparison (task and columns) lives in a :class:`~engine.session.NetworkSession`: the
lab sends it edits and draws what it says; the session's command tells the worker what to
do (a live hyperparameter change, one column restarted, or a new comparison).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import Dataset, TaskConfig, make_dataset
from engine.nn.config_io import comparison_to_dict, fit_columns
from engine.nn.paced import NetEngine, NetFrame, all_diverged
from engine.nn.presets import (
    LESSONS,
    MAX_COLUMNS,
    VARIATIONS,
    headlines,
    init_lesson,
    shared_text,
    task_text,
)
from engine.nn.training import ColumnSnapshot, TrainConfig
from engine.session.net_session import (
    AddColumn,
    DuplicateColumn,
    NetworkConfig,
    NetworkSession,
    OpenComparison,
    RemoveColumn,
    Resample,
    SetColumn,
    SetTask,
    Vary,
)
from engine.tables import (
    LAYER_COLUMNS,
    LOSS_COLUMNS,
    LossLog,
    layer_rows,
    loss_rows,
    write_csv,
)
from gui import theme
from gui.controls.history_bar import HistoryBar
from gui.controls.net_editor import NetEditor
from gui.lab import BridgedLab
from gui.net_insights import NetLrRange, NetMuonSpectra
from gui.net_lab_drawing import NetDrawMixin
from gui.net_lab_history import NetHistoryMixin
from gui.net_lab_layout import place_curves
from gui.net_sharpness import NetSharpness
from gui.panels.net_column_panel import NetColumnPanel
from gui.panels.net_curves_panel import NetCurvesPanel
from gui.worker import EngineBridge

FRAME_MS = 16
SIDEBAR_W = 300


# ------------------------------------------------------------------------------ the lab


class NetworkLab(NetHistoryMixin, NetDrawMixin, BridgedLab):
    """Side-by-side training of network configurations with per-layer statistics.

    Parameters
    ----------
    task, columns : optional
        The comparison to open with; the default is the initialisation lesson.
    """

    menu_title = "&Network"
    stopped_text = "training stopped"
    finished_text = "every column has diverged"
    #: Scenario sections this lab opens and saves.
    scenario_keys = ("network",)

    def __init__(
        self,
        task: TaskConfig | None = None,
        columns: Sequence[TrainConfig] | None = None,
        parent: QWidget | None = None,
        session: NetworkSession | None = None,
    ) -> None:
        super().__init__(parent)
        if session is None:
            if task is None or columns is None:
                task, columns = init_lesson()
            self._check(task, columns)
            session = NetworkSession(NetworkConfig(task, tuple(columns)))
        # The session holds the comparison; this lab draws it and sends it edits.
        self.session = session
        task = self.session.task
        self.data: Dataset = make_dataset(task)
        self._data_task = task
        self._generation = 0
        self._styles: list[theme.RunStyle] = []
        self._panels: list[NetColumnPanel] = []
        self._selected = 0
        self._running = False
        self._frame: NetFrame | None = None
        self._last_cols: list[ColumnSnapshot | None] = []
        self._status: tuple[str, ...] = ()
        self._history: list[NetFrame] = []
        self._history_t = 0.0  # when the history bar last took the count
        self._view: NetFrame | None = None  # a recorded frame shown instead of live
        self._next_job = 0
        self._snapshots = 0
        self._curves_dirty = self._texts_dirty = False
        self._curves_t = self._texts_t = 0.0
        self._frames = 0
        self._fps = 0.0
        self._sps = 0.0
        self._pictures_drawn = 0
        self._rate_t = time.perf_counter()
        self._rate_frames = 0
        self._rate_step = 0
        self._hist_mode = "strip"
        self._across = False

        self.session.subscribe(self._on_session_changed)
        self.engine = NetEngine(task, self.columns)
        self.bridge = EngineBridge(self.engine, stop_when=all_diverged, parent=self)
        self.bridge.warning.connect(lambda text: self.message.emit("warning", text))
        self.bridge.failed.connect(self._on_engine_failed)
        self.bridge.running_changed.connect(self._on_bridge_stopped)

        self._built = False
        self._build_ui()
        self._build_actions()
        self.sharpness = NetSharpness(self)
        self.lr_range = NetLrRange(self)
        self.muon_spectra = NetMuonSpectra(self)
        self._apply_structure()

        self.frame_timer = QTimer(self)
        self.frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.frame_timer.setInterval(FRAME_MS)
        self.frame_timer.timeout.connect(self._on_frame)
        # The worker and the display timer start when the lab is first shown: a lab in a
        # hidden tab must not take time from the one on screen.
        self._started = False

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.bridge.start()
            self.frame_timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._built:
            self._built = True
            self._apply_structure()
        self._start()

    @staticmethod
    def _check(task, columns) -> None:
        if not isinstance(task, TaskConfig):
            raise ValueError(f"task must be a TaskConfig; got {type(task).__name__}")
        columns = list(columns)
        if not 1 <= len(columns) <= MAX_COLUMNS:
            raise ValueError(f"columns: need 1 to {MAX_COLUMNS} columns; got {len(columns)}")
        for c in columns:
            if not isinstance(c, TrainConfig):
                raise ValueError(f"columns: expected TrainConfig items; got {type(c).__name__}")

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        self.editor = NetEditor()
        self.editor.task_edited.connect(self.set_task)
        self.editor.column_edited.connect(self.set_column)
        self.editor.invalid.connect(lambda text: self.message.emit("error", text))
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(4, 4, 8, 4)
        side_lay.addWidget(self.editor)
        self.sidebar = QScrollArea()
        self.sidebar.setWidget(side)
        self.sidebar.setWidgetResizable(True)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setMinimumWidth(SIDEBAR_W)

        self.subtitle = QLabel("")
        self.subtitle.setObjectName("Hint")
        self.subtitle.setMinimumWidth(10)
        self.subtitle.setSizePolicy(
            self.subtitle.sizePolicy().horizontalPolicy().Ignored,
            self.subtitle.sizePolicy().verticalPolicy().Preferred,
        )
        self.key = QLabel(
            f"<span style='color:{theme.MUTED}'>variance (log scale): "
            f"<b>●</b> activations measured · ○ theory for the initial weights · "
            f"<b>▲</b> gradients (dloss/dpre-activation)</span>"
        )
        self.key.setMinimumWidth(10)
        self.key.setSizePolicy(
            self.key.sizePolicy().horizontalPolicy().Ignored,
            self.key.sizePolicy().verticalPolicy().Preferred,
        )
        self.columns_box = QWidget()
        self.columns_layout = QHBoxLayout(self.columns_box)
        self.columns_layout.setContentsMargins(0, 0, 0, 0)
        self.columns_layout.setSpacing(6)
        self.curves = NetCurvesPanel()
        # In presentation the columns become rows of plots side by side and scroll (see
        # NetColumnPanel.set_across): each plot keeps a size the back of a room can read.
        self.columns_scroll = QScrollArea()
        self.columns_scroll.setWidget(self.columns_box)
        self.columns_scroll.setWidgetResizable(True)
        self.columns_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.columns_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.row = QSplitter(Qt.Orientation.Horizontal)
        self.row.addWidget(self.columns_scroll)
        self.row.addWidget(self.curves)
        self.row.setChildrenCollapsible(False)
        self.row.setStretchFactor(0, 4)
        self.row.setStretchFactor(1, 1)
        self.history_bar = HistoryBar()
        self.history_bar.slider.sliderPressed.connect(self._sync_history_bar)
        self.history_bar.scrubbed.connect(self._on_scrub)
        self.history_bar.live_requested.connect(self.go_live)

        centre = QWidget()
        c_lay = QVBoxLayout(centre)
        c_lay.setContentsMargins(0, 0, 0, 0)
        c_lay.setSpacing(4)
        c_lay.addWidget(self.subtitle)
        c_lay.addWidget(self.key)
        c_lay.addWidget(self.row, 1)
        c_lay.addWidget(self.history_bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(centre)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([SIDEBAR_W, 1000])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.splitter)

    def _build_actions(self) -> None:
        a = self._lab_action
        self.act_add = a(
            "&Add column",
            "Ctrl+Shift+N",
            self.add_column,
            "add",
            tip="Add a column like the selected one, with the next init seed",
        )
        self.act_duplicate = a(
            "&Duplicate column",
            "Ctrl+Shift+D",
            lambda: self.duplicate_column(self._selected),
            "duplicate",
            tip="Add an exact copy of the selected column",
        )
        self.act_remove = a(
            "Re&move column",
            "Shift+Del",
            lambda: self.remove_column(self._selected),
            "remove",
            tip="Remove the selected column",
        )
        self.act_resample = a(
            "Resample &weights",
            "W",
            self.resample,
            tip="Draw new initial weights for every column (next seed) and go back to step 0",
        )
        self.act_vary = {
            key: a(
                f"Vary {what}",
                f"Ctrl+Shift+{letter}",
                lambda _=False, k=key: self.vary(k),
                tip=f"Columns from the selected one, varying {what} only",
            )
            for (key, (what, _fn)), letter in zip(VARIATIONS.items(), "IBL", strict=True)
        }
        self.act_lessons = {
            key: a(
                f"{title} lesson",
                f"Ctrl+{k + 1}",
                lambda _=False, name=key: self.load_lesson(name),
                tip=f"Open the built-in {title.lower()} comparison",
            )
            for k, (key, (title, _fn)) in enumerate(LESSONS.items())
        }
        self.act_stacked = a(
            "&Stacked histograms",
            "V",
            self.set_stacked,
            checkable=True,
            tip="Show each layer's histogram as a small plot instead of a heat strip",
        )
        self.act_back = a("History &back", "Shift+Left", lambda: self._scrub_by(-1))
        self.act_forward = a("History &forward", "Shift+Right", lambda: self._scrub_by(1))
        self.act_live = a("Back to &live", "End", self.go_live, tip="Show the newest picture")
        self.act_sidebar = a(
            "Show &settings panel",
            ["F9", "Ctrl+F9"],
            self.set_sidebar_visible,
            checkable=True,
            tip="Show or hide the data and column settings",
        )
        with QSignalBlocker(self.act_sidebar):
            self.act_sidebar.setChecked(True)
        # Short words for buttons (the menus keep the full text).
        for act, short in (
            (self.act_add, "Add"),
            (self.act_duplicate, "Duplicate"),
            (self.act_remove, "Remove"),
            (self.act_resample, "New weights"),
            (self.act_vary["init"], "Vary init"),
            (self.act_vary["batchnorm"], "Vary BN"),
            (self.act_vary["lr"], "Vary lr"),
            (self.act_stacked, "Stacked"),
        ):
            act.setIconText(short)
        self.lesson_combo = QComboBox()
        self.lesson_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lesson_combo.setToolTip("Built-in comparisons (Ctrl+1, Ctrl+2)")
        for key, (title, _fn) in LESSONS.items():
            self.lesson_combo.addItem(f"Lesson: {title}", key)
        self.lesson_combo.addItem("Own comparison", "")
        self.lesson_combo.activated.connect(self._on_lesson_chosen)
        self.editor.set_actions(
            [
                self.act_add,
                self.act_duplicate,
                self.act_remove,
                self.act_resample,
                *self.act_vary.values(),
            ]
        )

    def lab_actions(self) -> list[QAction | None]:
        return [
            *self.act_lessons.values(),
            None,
            self.act_add,
            self.act_duplicate,
            self.act_remove,
            None,
            *self.act_vary.values(),
            self.act_resample,
            None,
            self.act_stacked,
            self.act_back,
            self.act_forward,
            self.act_live,
            self.act_sidebar,
            self.sharpness.action,
            self.lr_range.action,
            self.muon_spectra.action,
        ]

    def toolbar_actions(self) -> list:
        return [self.lesson_combo, self.act_resample, self.act_stacked]

    # ------------------------------------------------------------------ structure
    def _apply_structure(self) -> None:
        """Make the panels match ``self.task`` and ``self.columns`` (nothing in flight).

        Before the lab is first shown only the settings follow; the column panels (about
        half a second of pyqtgraph set-up for four columns) are built on first show, so a
        lab in a hidden tab does not slow the application's start.
        """
        n = len(self.columns)
        self._styles = [theme.run_style(i) for i in range(n)]
        if not self._built:
            self._status = ()
            self._warned_diverging: set[int] = set()
            self._start_losses: dict[int, float] = {}
            self._frame = None
            self._last_cols = [None] * n
            self.loss_log = LossLog(n)
            self._selected = min(self._selected, n - 1)
            self._refresh_texts()
            self.select_column(self._selected)
            self.editor.set_task(self.task)
            return
        while len(self._panels) > n:
            p = self._panels.pop()
            self.columns_layout.removeWidget(p)
            # Out of sight at once: deleteLater waits for the event loop, and a load
            # started from a callback would show the orphan on top of the new columns.
            p.hide()
            p.setParent(None)
            p.deleteLater()
        for i in range(n):
            if i >= len(self._panels):
                p = NetColumnPanel(i, self._styles[i])
                p.clicked.connect(self.select_column)
                p.apply_scale(self._scale)
                p.set_across(self._across)
                self.columns_layout.addWidget(p, 1)
                self._panels.append(p)
            p = self._panels[i]
            p.set_style(i, self._styles[i])
            p.set_structure(self.columns[i], self.data)
            p.set_hist_mode(self._hist_mode)
        self.curves.set_columns(self._styles)
        self.curves.set_regression(self.data.kind == "regression")
        self._last_cols = [None] * n
        self.loss_log = LossLog(n)
        self._status = ()
        self._warned_diverging = set()
        self._start_losses = {}
        self._frame = None
        self._clear_history()
        self._refresh_texts()
        self._selected = min(self._selected, n - 1)
        self.select_column(self._selected)
        self.act_remove.setEnabled(n > 1)
        self.act_add.setEnabled(n < MAX_COLUMNS)
        self.act_duplicate.setEnabled(n < MAX_COLUMNS)
        w = sum(self.row.sizes()) or 1000
        share = 1.0 / (n + 1.15)
        self.row.setSizes([int(w * (1 - share)), int(w * share)])
        if self._across:
            self.set_across(True)
        self.editor.set_task(self.task)

    def _refresh_texts(self) -> None:
        heads = headlines(self.columns)
        if self._built:
            for p, text, cfg in zip(self._panels, heads, self.columns, strict=True):
                p.set_headline(text, f"{text}\n{headlines([cfg])[0]}")
        shared = shared_text(self.columns) if len(self.columns) > 1 else ""
        self.subtitle.setText(
            f"<b>{task_text(self.task)}</b>" + (f" · every column: {shared}" if shared else "")
        )
        key = self._lesson_key()
        with QSignalBlocker(self.lesson_combo):
            self.lesson_combo.setCurrentIndex(self.lesson_combo.findData(key))

    def _lesson_key(self) -> str:
        for key, (_title, fn) in LESSONS.items():
            task, cols = fn()
            if task == self.task and fit_columns(task, cols) == self.columns:
                return key
        return ""

    @property
    def task(self) -> TaskConfig:
        return self.session.task

    @property
    def columns(self) -> tuple[TrainConfig, ...]:
        return self.session.columns

    def _restart(self, task: TaskConfig, columns: Sequence[TrainConfig]) -> None:
        """Make the panels and the worker match the session's comparison at step 0."""
        if self._running:
            self.set_running(False)
        if task != self._data_task:
            self.data, self._data_task = make_dataset(task), task
        self._generation += 1
        gen = self._generation
        self._apply_structure()
        self.bridge.reset_warnings()
        self.bridge.submit(
            lambda eng: eng.load(task, columns, gen),
            invalidate=True,
            key="load",
            on_error=lambda text: self.message.emit("error", f"could not start: {text}"),
        )

    # ------------------------------------------------------------------ commands
    def _on_session_changed(self, result) -> None:
        """Follow the session: tell the worker (the result's command) and redraw."""
        cmd = result.command
        cfg = result.config
        if result.select is not None:
            self._selected = result.select
        if cmd.kind == "load":
            self._restart(cfg.task, cfg.columns)
        elif cmd.kind == "hyper":
            i, hyper = cmd.column, dict(cmd.hyper)
            self.bridge.submit(
                lambda eng: eng.set_hyper(i, hyper),
                on_error=lambda text: self.message.emit("error", f"column {i + 1}: {text}"),
            )
        elif cmd.kind == "column":
            self._restart_column(cmd.column, cfg.columns[cmd.column])
        self._refresh_texts()
        self.select_column(min(self._selected, len(cfg.columns) - 1))
        if result.message:
            self.message.emit("info", self._describe(result))
        self.session_changed.emit()

    def _describe(self, result) -> str:
        kind = result.command.kind
        if result.source != "edit":
            return result.message
        if kind == "hyper":
            return f"{result.message}: applies from now on"
        if kind == "column":
            return f"{result.message}: column {result.command.column + 1} restarts"
        if kind == "load":
            return f"{result.message}: every column is back at step 0"
        return result.message

    def _restart_column(self, i: int, cfg: TrainConfig) -> None:
        self._generation += 1
        gen = self._generation
        if self._built:
            self._panels[i].set_structure(cfg, None)
            self._panels[i].clear_picture()
            self.curves.reset_column(i)
            self.curves.redraw()
        self.loss_log.clear(i)
        self._last_cols[i] = None
        self._warned_diverging.discard(i)
        self._clear_history()
        self.bridge.submit(
            lambda eng: eng.set_column(i, cfg, gen),
            invalidate=True,
            on_error=lambda text: self.message.emit("error", f"column {i + 1}: {text}"),
        )

    def load_comparison(self, task: TaskConfig, columns: Sequence[TrainConfig], title="") -> bool:
        """Open ``task`` and ``columns`` (e.g. from a scenario) at step 0, paused.

        Returns whether it was valid (otherwise the error goes to the status bar).
        """
        try:
            self._check(task, columns)
            cfg = NetworkConfig(task, tuple(columns))
        except ValueError as exc:
            self.message.emit("error", str(exc))
            return False
        if cfg == self.session.config:
            self._selected = 0
            self._restart(cfg.task, cfg.columns)
            return True
        return self.edit(OpenComparison(cfg.task, cfg.columns, title or "comparison"))

    def export_csv(self, path) -> str:
        """Write every column's losses and accuracies per step to ``path`` and the newest
        layer statistics to ``<path>-layers.csv``; returns the status-bar text.

        Raises ValueError if nothing has been trained yet, OSError if a file cannot be
        written.
        """
        if self._frame is None:
            raise ValueError("nothing to export yet: train the network lab first")
        path = Path(path)
        heads = headlines(self.columns)
        layers_path = path.with_name(f"{path.stem}-layers{path.suffix or '.csv'}")
        write_csv(path, LOSS_COLUMNS, loss_rows(self.loss_log, heads))
        write_csv(layers_path, LAYER_COLUMNS, layer_rows(self._frame.pictures, heads))
        return f"saved {path} and {layers_path.name} (step {self._frame.step:,})"

    def scenario_section(self) -> dict:
        """``{"network": ...}``: the comparison as a scenario's JSON section."""
        return {"network": comparison_to_dict(self.task, self.columns)}

    def apply_scenario(self, scenario) -> None:
        """Open the scenario's network section at step 0, paused (ValueError if invalid)."""
        if scenario.network is None:
            raise ValueError("the lesson has no network section")
        task, columns = scenario.network.task, scenario.network.columns
        title = getattr(scenario, "title", "") or "lesson"
        if not self.load_comparison(task, columns, title):
            raise ValueError("the network lab cannot open this comparison")

    def load_lesson(self, key: str) -> None:
        title, fn = LESSONS[key]
        task, cols = fn()
        if self.load_comparison(task, cols, f"{title} lesson"):
            self.message.emit("info", f"{title} lesson: press Space to train")

    def _on_lesson_chosen(self, index: int) -> None:
        key = self.lesson_combo.itemData(index)
        if key:
            self.load_lesson(key)
        else:
            self._refresh_texts()

    def set_task(self, task: TaskConfig) -> None:
        """New data for every column: back to step 0."""
        if task != self.task:
            self.edit(SetTask(task))

    def set_column(self, i: int, cfg: TrainConfig) -> None:
        """Change column ``i``: a learning-rate or other optimizer setting applies live;
        anything else restarts that column alone from a new network."""
        if 0 <= i < len(self.columns):
            self.edit(SetColumn(i, cfg))

    def select_column(self, i: int) -> None:
        if not 0 <= i < len(self.columns):
            return
        self._selected = i
        for k, p in enumerate(self._panels):
            p.set_selected(k == i)
        heads = headlines(self.columns)
        self.editor.set_column(i, self.columns[i], self._styles[i], heads[i])
        self.sharpness.refresh()
        self.lr_range.refresh()
        self.muon_spectra.refresh()

    @property
    def selected(self) -> int:
        return self._selected

    def add_column(self) -> None:
        self.edit(AddColumn(self._selected))

    def duplicate_column(self, i: int) -> None:
        n = len(self.columns)
        self.edit(DuplicateColumn(i if 0 <= i < n else n - 1))

    def remove_column(self, i: int) -> None:
        n = len(self.columns)
        self.edit(RemoveColumn(i if 0 <= i < n else n - 1))

    def vary(self, what: str) -> None:
        """Columns built from the selected one, varying only ``what`` (init, batchnorm, lr)."""
        self.edit(Vary(self._selected, what))

    def resample(self) -> None:
        """New initial weights for every column (each seed + 1), back to step 0."""
        self.edit(Resample())

    def set_stacked(self, on: bool) -> None:
        with QSignalBlocker(self.act_stacked):
            self.act_stacked.setChecked(bool(on))
        self._hist_mode = "stacked" if on else "strip"
        for p in self._panels:
            p.set_hist_mode(self._hist_mode)

    def smoothing_control(self):
        return self.curves.smoothing_control

    def recordable_panels(self) -> dict:
        cols = {f"Column {i + 1}": p for i, p in enumerate(self._panels)}
        return {"Loss and accuracy curves": self.curves, **cols}

    # ------------------------------------------------------------------ transport
    def set_running(self, running: bool) -> None:
        running = bool(running)
        if running and self._status and all(s == "diverged" for s in self._status):
            self.message.emit("info", "every column has diverged: press R to start again")
            running = False
        self._running = running
        if not running:
            self._sync_history_bar()
        self.bridge.submit(lambda eng: eng.set_live(running), key="live")
        self.bridge.set_running(running)
        self.running_changed.emit(running)

    def reset(self) -> None:
        """Back to step 0 with the same weights, paused."""
        self._restart(self.task, self.columns)
        self.message.emit("info", "reset to step 0")

    def current_step(self) -> int:
        return 0 if self._frame is None else int(self._frame.step)

    @property
    def snapshots_taken(self) -> int:
        """Frames received from the worker (each brings some column's new numbers)."""
        return self._snapshots

    @property
    def pictures_drawn(self) -> int:
        """Column pictures (histograms, variances, units) redrawn so far."""
        return self._pictures_drawn

    @property
    def last_frame(self) -> NetFrame | None:
        return self._frame

    @property
    def panels(self) -> list[NetColumnPanel]:
        return list(self._panels)

    # ------------------------------------------------------------------ presentation
    def set_scale(self, scale: theme.Scale) -> None:
        super().set_scale(scale)
        for p in self._panels:
            p.apply_scale(scale)
        self.curves.apply_scale(scale)
        self.sharpness.apply_scale(scale)
        self.lr_range.apply_scale(scale)
        self.muon_spectra.apply_scale(scale)
        self.editor.apply_scale(scale)
        self.sidebar.setMinimumWidth(int(SIDEBAR_W * (1 + 0.45 * (scale.factor - 1))))

    def set_presentation(self, on: bool) -> None:
        # The projected picture is the comparison; the settings come back with F9.
        self._hide_sidebar_for_presentation(on)
        self.set_across(on)

    def set_across(self, on: bool) -> None:
        """Columns as rows of side-by-side plots that scroll (presentation), or columns."""
        self._across = bool(on)
        self.columns_layout.setDirection(
            QBoxLayout.Direction.TopToBottom if on else QBoxLayout.Direction.LeftToRight
        )
        for p in self._panels:
            p.set_across(on)
        # The variance key is each row's own title's job in rows; it stays in columns.
        self.key.setVisible(not on)
        if on:
            # rows need the width: the shared curves take the least that keeps them legible
            total = sum(self.row.sizes()) or self.width()
            cw = max(self.curves.minimumSizeHint().width(), 240)
            self.row.setSizes([max(total - cw, 0), cw])
        # too narrow for rows and curves side by side (1024x768): the curves go under
        place_curves(self)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._across:
            place_curves(self)

    def self_test_check(self) -> str | None:
        if self._frame is None or self._frames == 0:
            return "no frame was drawn"
        if self._frame.step <= 0:
            return "training did not advance"
        return None

    def _on_finished(self) -> None:
        self.bridge.submit(lambda eng: eng.set_live(False), key="live")

    def shutdown(self) -> None:
        self._started = True  # never start after shut-down
        super().shutdown()
