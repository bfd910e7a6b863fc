"""The landscape lab: optimizers racing live over a 2-D loss surface.

The lab keeps the race's configuration (a frozen :class:`~engine.runs.RaceConfig`) as the one
source of truth on the GUI side. Every user action makes a new configuration, validates it
here (a bad value becomes a message, never an exception), and sends the worker the
matching :class:`~engine.runs.Race` call as a command: ``set_run`` for a live change,
``reset`` for anything structural. The worker owns the race; the lab only reads snapshots.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QScrollArea, QSplitter, QVBoxLayout, QWidget

from engine.display import format_value
from engine.landscapes import LANDSCAPES, Landscape, describe_point, hessian_verdict
from engine.runs import Race, RaceConfig, RunConfig
from engine.session.describe import run_hyper_text, run_name, run_title
from engine.session.race_session import (
    MAX_RUNS,
    AddRun,
    DuplicateRun,
    LandscapeSession,
    RemoveRun,
    ReplaceRace,
    SetLandscape,
    SetRaceSettings,
    SetRun,
    SetStart,
)
from engine.tables import (
    RESULTS_COLUMNS,
    TRAJECTORY_COLUMNS,
    results_path,
    results_rows,
    trajectory_rows,
    write_csv,
)
from gui import theme
from gui.controls.landscape_editor import LandscapeEditor, show_surface_in_combo
from gui.controls.run_editor import RunEditor
from gui.lab import BridgedLab
from gui.land_lab_history import LandHistoryMixin
from gui.land_lab_layout import LandLayoutMixin
from gui.land_lab_maps import LandMapsMixin
from gui.landscape_insights import LandscapeInsights
from gui.panels.card import Card
from gui.panels.internals_panel import InternalsPanel
from gui.panels.landscape_panel import LandscapePanel
from gui.panels.loss_panel import LossPanel
from gui.panels.regression_panel import RegressionPanel
from gui.panels.run_table_panel import RunTablePanel
from gui.surface3d_host import Surface3DHost
from gui.worker import EngineBridge

FRAME_MS = 16  # ~60 Hz display pull
TABLE_MAX_AGE_S = 0.5  # the table is read, not watched: 10 Hz, this is the backstop
HALF_FRAME_MS = 8  # deferred panel updates run this long after the frame that asked


def _race_done(race: Race) -> bool:
    return not bool(race.active.any())


class LandscapeLab(LandMapsMixin, LandHistoryMixin, LandLayoutMixin, BridgedLab):
    """Optimizer race over a landscape, with every panel of issue 3.

    Parameters
    ----------
    config : RaceConfig, optional
        Starting race; the default is Rosenbrock with SGD, momentum, RMSprop and Adam.
    """

    menu_title = "&Landscape"
    stopped_text = "the race stopped"
    finished_text = "every run has stopped (converged or diverged)"
    scenario_keys = ("race",)

    def __init__(
        self,
        config: RaceConfig | None = None,
        parent: QWidget | None = None,
        session: LandscapeSession | None = None,
    ) -> None:
        super().__init__(parent)
        # The session holds the race's config; this lab only draws it and sends it edits.
        self.session = session if session is not None else LandscapeSession(config)
        config = self.session.config
        self.landscape: Landscape = config.build_landscape()
        self._styles: list[theme.RunStyle] = []
        self._status: tuple[str, ...] = ()
        self._last_snap = None
        self._frames = 0
        self._fps = 0.0
        self._sps = 0.0
        self._rate_t = time.perf_counter()
        self._rate_frames = 0
        self._rate_step = 0
        self._table_t = 0.0
        self._running = False

        self.bridge = EngineBridge(Race(config), stop_when=_race_done, parent=self)
        self.bridge.warning.connect(lambda text: self.message.emit("warning", text))
        self.bridge.failed.connect(self._on_engine_failed)
        self.bridge.running_changed.connect(self._on_bridge_stopped)

        self._build_ui()
        self._build_history()
        self._build_actions()
        self.insights = LandscapeInsights(self)
        self._apply_structure(landscape_changed=True)
        self.table.select_row(0)

        self.frame_timer = QTimer(self)
        self.frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.frame_timer.setInterval(FRAME_MS)
        self.frame_timer.timeout.connect(self._on_frame)
        self.session.subscribe(self._on_session_changed)
        self.bridge.start()
        self.frame_timer.start()

    @property
    def config(self) -> RaceConfig:
        """The race as the session holds it (read-only: change it with :meth:`edit`)."""
        return self.session.config

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        self.surface = LandscapePanel()
        self.loss = LossPanel()
        self.table = RunTablePanel()
        self.internals = InternalsPanel()
        self.regression = RegressionPanel()
        self.internals.setVisible(False)
        self.regression.setVisible(False)

        self.editor = RunEditor()
        self.landscape_editor = LandscapeEditor()
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_lay.setSpacing(8)
        self.landscape_card = Card("Race")
        self.landscape_card.title_label.setVisible(False)
        self.landscape_card.add_body(self.landscape_editor, 0)
        self.editor_card = Card("Run")
        self.editor_card.title_label.setVisible(False)
        self.editor_card.add_body(self.editor, 1)
        side_lay.addWidget(self.landscape_card)
        side_lay.addWidget(self.editor_card, 1)
        self.sidebar = QScrollArea()
        self.sidebar.setWidget(side)
        self.sidebar.setWidgetResizable(True)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setMinimumWidth(290)

        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.loss)
        self.right.addWidget(self.regression)
        self.right.addWidget(self.internals)
        self.right.setChildrenCollapsible(False)

        self.top = QSplitter(Qt.Orientation.Horizontal)
        self.top.addWidget(self.surface)
        self.top.addWidget(self.right)
        self.top.setStretchFactor(0, 3)
        self.top.setStretchFactor(1, 2)
        self.top.setChildrenCollapsible(False)

        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.centre.addWidget(self.top)
        self.centre.addWidget(self.table)
        self.centre.setStretchFactor(0, 4)
        self.centre.setStretchFactor(1, 1)
        self.centre.setChildrenCollapsible(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.centre)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 1000])
        self.splitter.setChildrenCollapsible(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.splitter)

        self.surface.start_requested.connect(self.set_start)
        self.surface.inspect_requested.connect(self.inspect_point)
        self.table.selected.connect(self._on_run_selected)
        self.table.add_requested.connect(self.add_run)
        self.table.duplicate_requested.connect(self.duplicate_run)
        self.table.remove_requested.connect(self.remove_run)
        self.editor.run_edited.connect(self.set_run)
        self.editor.invalid.connect(lambda text: self.message.emit("error", text))
        self.landscape_editor.landscape_chosen.connect(self.set_landscape)
        self.landscape_editor.race_settings_edited.connect(self._on_race_settings)
        self.landscape_editor.invalid.connect(lambda text: self.message.emit("error", text))

    def _build_actions(self) -> None:
        self.act_add = self._lab_action("&Add run", "Ctrl+N", self.add_run, "add")
        self.act_duplicate = self._lab_action(
            "&Duplicate run",
            "Ctrl+D",
            lambda: self.duplicate_run(self.table.current_row()),
            "duplicate",
        )
        self.act_remove = self._lab_action(
            "Re&move run",
            ["Del", "Ctrl+Backspace"],
            lambda: self.remove_run(self.table.current_row()),
            "remove",
        )
        self.act_internals = self._lab_action(
            "Show &internals",
            "I",
            self.set_internals_visible,
            "internals",
            checkable=True,
            tip="Gradient, update and momentum arrows; step size and effective learning rate",
        )
        self.act_inspect = self._lab_action(
            "In&spect mode",
            "H",
            self.surface.set_inspect_mode,
            "inspect",
            checkable=True,
            tip="Click shows the Hessian's eigenvalues (also Shift+click)",
        )
        self.act_reset_view = self._lab_action(
            "Reset &view",
            ["Home", "0"],
            self.surface.reset_view,
            "home",
            tip="Zoom back to the landscape's window",
        )
        self.act_next = self._lab_action(
            "&Next landscape", ["PgDown", "N"], lambda: self._cycle_landscape(1)
        )
        self.act_prev = self._lab_action(
            "&Previous landscape", ["PgUp", "P"], lambda: self._cycle_landscape(-1)
        )
        self.act_sidebar = self._lab_action(
            "Show &settings panel",
            "F9",
            self.set_sidebar_visible,
            checkable=True,
            tip="Show or hide the landscape and run settings",
        )
        with QSignalBlocker(self.act_sidebar):
            self.act_sidebar.setChecked(True)
        self.act_3d = self._lab_action(
            "&3-D view",
            "Ctrl+3",
            self.set_3d_visible,
            checkable=True,
            tip="A rotatable 3-D surface beside the 2-D map, the race riding on it",
        )
        self.surface3d = Surface3DHost(self.top, self.surface, self.act_3d, self.message.emit)
        self.act_basin = self._lab_action(
            "&Basin map…",
            "Ctrl+Shift+B",
            self.show_basin_map,
            tip="Where the selected run's optimizer ends from every start point",
        )
        self.act_hyper = self._lab_action(
            "&Hyperparameter map…",
            "Ctrl+Shift+M",
            self.show_hyper_map,
            tip="Final loss or steps over a grid of two of the selected run's hyperparameters",
        )
        self.act_formula = self._lab_action(
            "New surface from &formula…",
            "Ctrl+Shift+E",
            lambda: self.ask_formula(),
            tip="Type f(x, y): race on it with exact derivatives",
        )
        self.landscape_combo = QComboBox()
        self.landscape_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.landscape_combo.setToolTip("Loss surface (PgUp / PgDown)")
        for name, spec in LANDSCAPES.items():
            self.landscape_combo.addItem(spec.title, name)
        self.landscape_combo.currentIndexChanged.connect(
            lambda: self.set_landscape(self.landscape_combo.currentData(), {})
        )

    def lab_actions(self) -> list[QAction | None]:
        return [
            self.act_next,
            self.act_prev,
            self.act_formula,
            None,
            self.act_add,
            self.act_duplicate,
            self.act_remove,
            None,
            self.act_internals,
            *self.insights.actions(),
            self.act_inspect,
            self.act_reset_view,
            self.act_sidebar,
            self.act_3d,
            self.act_basin,
            self.act_hyper,
        ]

    def toolbar_actions(self) -> list:
        return [self.landscape_combo, self.act_internals, self.act_inspect, self.act_reset_view]

    # ------------------------------------------------------------------ structure
    def _apply_structure(self, landscape_changed: bool = False) -> None:
        """Make panels match ``self.config`` (after a reset-type change)."""
        cfg = self.config
        n = len(cfg.runs)
        if landscape_changed:
            self.surface.set_landscape(self.landscape)
            self.loss.set_landscape(self.landscape)
            self.table.set_landscape(self.landscape)
            stochastic = self.landscape.stochastic
            if self.regression.isHidden() == stochastic:
                self.regression.setVisible(stochastic)
                self._share_right()
            if stochastic:
                self.regression.set_landscape(self.landscape)
            show_surface_in_combo(self.landscape_combo, cfg)
            self.landscape_editor.set_config(cfg)
            self.editor.forget()  # batch size shows on data landscapes only: rebuild
        if len(self._styles) != n or landscape_changed:
            self._styles = [theme.run_style(i) for i in range(n)]
            labels = [run_title(r) for r in cfg.runs]
            self.surface.set_runs(self._styles)
            self.loss.set_runs(self._styles, labels)
            self.internals.set_runs(self._styles)
            self.insights.set_runs(self._styles)
            self.regression.set_runs(self._styles, labels)
            self.surface3d.set_runs(self._styles)
        else:
            self.internals.clear()
        self._refresh_labels()
        # A restarted race draws its trajectories afresh (not on from the old ones).
        self.surface.restart_trails()
        start = cfg.start if cfg.start is not None else self.landscape.start
        self.surface.set_start_marker(start)
        if landscape_changed:
            self.surface3d.set_landscape(self.landscape, self._styles, start)
        self.surface3d.restart(start)
        self._status = ()
        self.act_remove.setEnabled(n > 1)
        self.act_add.setEnabled(n < MAX_RUNS)
        self.act_duplicate.setEnabled(n < MAX_RUNS)

    def _refresh_labels(self) -> None:
        cfg = self.config
        rows = [(run_name(r), run_hyper_text(r), run_title(r)) for r in cfg.runs]
        if self.table.table.rowCount() != len(rows):
            self.table.set_runs(self._styles, rows)
        else:
            for i, row in enumerate(rows):
                self.table.set_row_text(i, *row)
        labels = [run_title(r) for r in cfg.runs]
        self.loss.set_labels(labels)
        self.regression.set_runs(self._styles, labels) if self.regression.isVisible() else None
        self._on_run_selected(self.table.current_row())

    def _restart(self, config: RaceConfig, landscape_changed: bool = False) -> None:
        """Make the panels and the worker's race match ``config`` at step 0."""
        if landscape_changed:
            self.landscape = config.build_landscape()
        self._apply_structure(landscape_changed)
        self._forget_history()
        self.bridge.reset_warnings()
        self.bridge.submit(lambda race: race.reset(config), invalidate=True, key="reset")

    # ------------------------------------------------------------------ commands
    def _on_session_changed(self, result) -> None:
        """Follow the session: tell the worker (the result's command) and redraw."""
        cmd = result.command
        cfg = result.config
        if cmd.kind == "live":
            i, run = cmd.run, cfg.runs[cmd.run]
            self.bridge.submit(
                lambda race: race.set_run(i, run),
                on_error=lambda text: self.message.emit("error", f"run {i + 1}: {text}"),
            )
            self._refresh_labels()
            if self._status and i < len(self._status) and self._status[i] == "diverged":
                self.message.emit(
                    "warning",
                    f"run {i + 1} has diverged; press R to race again with the new settings",
                )
        else:
            if self._running:
                self.set_running(False)
            self._restart(cfg, landscape_changed=cmd.landscape_changed)
        if result.select is not None:
            self.table.select_row(result.select)
        elif cmd.kind != "live":
            self.table.select_row(min(max(self.table.current_row(), 0), len(cfg.runs) - 1))
        if result.message:
            self.message.emit("info", self._describe(result))
        self.session_changed.emit()

    def _describe(self, result) -> str:
        text = result.message
        if result.source == "edit" and text.startswith("start → "):
            x, y = result.config.start
            f = float(self.landscape.value(np.array([x, y])))
            text = f"start moved to ({x:.4g}, {y:.4g}), loss {format_value(f)}"
        return text

    def set_start(self, x: float, y: float) -> None:
        """Move every run's start to (x, y) and restart the race there."""
        self.edit(SetStart(x, y))

    def set_landscape(self, name: str, params: dict | None = None) -> None:
        params = dict(params or {})
        if name == self.config.landscape and params == dict(self.config.landscape_params):
            return
        self.edit(SetLandscape(name, params))

    def _cycle_landscape(self, delta: int) -> None:
        names = list(LANDSCAPES)
        now = self.config.landscape
        # From a formula surface (not in the list) the next is the first, the previous the last.
        at = names.index(now) if now in names else (-1 if delta > 0 else len(names))
        i = (at + delta) % len(names)
        self.set_landscape(names[i], {})

    def apply_formula(self, text: str) -> str | None:
        """Race on f(x, y) = ``text`` (undoable); returns None, or the one-line error
        (shown next to the editor's formula field too) when the lab is left as it was."""
        errors: list[str] = []
        self.landscape_editor.invalid.connect(errors.append)
        try:
            ok = self.landscape_editor.use_formula(text)
        finally:
            self.landscape_editor.invalid.disconnect(errors.append)
        return None if ok else (errors[-1] if errors else "the formula was not used")

    def ask_formula(self) -> None:
        """File > New surface from formula…: a dialog; OK races on the formula."""
        from gui.formula_dialog import FormulaDialog

        expr = str(self.config.landscape_params.get("expr", ""))
        FormulaDialog(self.apply_formula, expr, self).exec()

    def _on_race_settings(self, values: dict) -> None:
        self.edit(SetRaceSettings(**values))

    def set_run(self, i: int, run: RunConfig) -> None:
        """Change run ``i``; applies live (start point changes restart the race)."""
        if 0 <= i < len(self.config.runs):
            self.edit(SetRun(i, run))

    def add_run(self) -> None:
        self.edit(AddRun())

    def duplicate_run(self, i: int) -> None:
        n = len(self.config.runs)
        self.edit(DuplicateRun(i if 0 <= i < n else n - 1))

    def remove_run(self, i: int) -> None:
        n = len(self.config.runs)
        self.edit(RemoveRun(i if 0 <= i < n else n - 1))

    def export_csv(self, path) -> str:
        """Write every run's recorded points to ``path``; returns the status-bar text.

        Raises ValueError if the race has no snapshot yet, OSError if unwritable.
        """
        snap = self._last_snap
        if snap is None:
            raise ValueError("no trajectories yet: run the landscape lab first")
        runs = self.config.runs
        labels = [run_title(r) for r in runs] if len(runs) == snap.n_runs else None
        write_csv(path, TRAJECTORY_COLUMNS, trajectory_rows(snap, labels))
        results = results_path(path)
        write_csv(results, RESULTS_COLUMNS, results_rows(snap, self.landscape, labels))
        return f"saved {path} and {results.name} (step {snap.step:,})"

    def scenario_section(self) -> dict:
        """``{"race": config}``: the race as a lesson saves it."""
        return {"race": self.config}

    def apply_scenario(self, scenario) -> None:
        """Reset to ``scenario.race`` at step 0, paused; ValueError leaves the race as it was."""
        cfg = scenario.race
        if cfg is None:
            raise ValueError("this lesson has no 'race' section for the landscape lab")
        cfg.validate()
        if self._running:
            self.set_running(False)
        title = getattr(scenario, "title", "") or "lesson"
        if cfg == self.config:
            self._restart(cfg, landscape_changed=True)
            self.table.select_row(0)
            return
        self.session.apply(ReplaceRace(cfg, title))

    def inspect_point(self, x: float, y: float) -> None:
        """Show the Hessian's eigenvalues at (x, y) and what the point is.

        A verdict (minimum, maximum, saddle) only where the gradient vanishes; elsewhere
        the curvature is described as a shape (:func:`engine.landscapes.describe_point`).
        """
        x, y = self._snap_to_marked(x, y)
        x, y = x + 0.0, y + 0.0  # -0.0 would print as "-0": exactly zero is shown as 0
        p = np.array([x, y], dtype=np.float64)
        h = self.landscape.hessian(p)
        eig, _ = hessian_verdict(h)
        _, what = describe_point(self.landscape.grad(p), h)
        lam = f"λ₁ = {format_value(float(eig[0]))}   λ₂ = {format_value(float(eig[1]))}"
        self.surface.show_inspection((x, y), f"Hessian at ({x:.4g}, {y:.4g})\n{lam}\n{what}")
        self.message.emit(
            "info", f"({x:.4g}, {y:.4g}): {what.replace(chr(10), '; ')}; eigenvalues {lam}"
        )

    def _snap_to_marked(self, x: float, y: float) -> tuple[float, float]:
        """A click within ~1.5% of the view of a marked stationary point means that point.

        No click lands exactly where the gradient vanishes; without this, inspecting the
        saddle marker would always (truthfully) say "not a stationary point".
        """
        (x0, x1), (y0, y1) = self.surface.view.viewRange()
        radius = 0.015 * max(abs(x1 - x0), abs(y1 - y0))
        marked = (*self.landscape.minima, *self.landscape.saddles)
        best = min(marked, key=lambda c: math.hypot(c.x - x, c.y - y), default=None)
        if best is not None and math.hypot(best.x - x, best.y - y) <= radius:
            return best.x, best.y
        return x, y

    def set_internals_visible(self, on: bool) -> None:
        with QSignalBlocker(self.act_internals):
            self.act_internals.setChecked(bool(on))
        self.surface.set_internals_visible(on)
        self.internals.setVisible(bool(on))
        self._share_right()
        if on:
            self.internals.redraw()

    def _on_run_selected(self, row: int) -> None:
        if 0 <= row < len(self.config.runs):
            run = self.config.runs[row]
            n_data = len(self.landscape.x) if self.landscape.stochastic else None
            self.editor.set_run(
                row, run, self._styles[row], run_title(run), self.landscape.stochastic, n_data
            )
            self.insights.select(row)

    def smoothing_control(self):
        return self.loss.smoothing_control

    def recordable_panels(self) -> dict:
        return {"Surface": self.surface, "Loss plot": self.loss, "Run table": self.table}

    # ------------------------------------------------------------------ transport
    def set_running(self, running: bool) -> None:
        running = bool(running)
        if running and self._status and all(s != "running" for s in self._status):
            self.message.emit("info", "every run has stopped: press R to race again")
            running = False
        self._running = running
        if running:
            self.go_live()
        self.bridge.set_running(running)
        self.running_changed.emit(running)

    def reset(self) -> None:
        """Back to step 0, paused (press play to race again)."""
        if self._running:
            self.set_running(False)
        self._restart(self.config)
        self.message.emit("info", "reset to step 0")

    def current_step(self) -> int:
        return 0 if self._last_snap is None else int(self._last_snap.step)

    @property
    def last_snapshot(self):
        return self._last_snap

    # ------------------------------------------------------------------ frames
    def _on_frame(self) -> None:
        snap = self.bridge.take()
        now = time.perf_counter()
        self._update_rates(now)
        if snap is None or snap.n_runs != len(self._styles):
            return
        self._last_snap = snap
        if self._history_holds(snap):
            return  # a recorded step is on screen; the race goes on behind it
        self._frames += 1
        # Keep the worker off the GIL while this frame is built and painted.
        self.bridge.hold()
        try:
            self._draw_frame(snap, now)
        finally:
            self.bridge.release()

    def _draw_frame(self, snap, now: float) -> None:
        # Heads, tails and trajectories move every frame. The rest creeps along on screen
        # and is spread over a cycle of six frames (10-20 Hz each at 60 fps): loss curves,
        # internals and the table, one per frame at most, and each in its own
        # turn of the event loop half a frame later, so that no turn blocks the loop for
        # longer than one panel's drawing (a 5 ms timer's p99 lag measures exactly that).
        # While paused every snapshot is a deliberate step: draw everything now.
        phase = self._frames % 6
        live = self._running
        self.surface.update_snapshot(snap)
        self.surface3d.update_snapshot(snap)
        views = [self.surface.plot_widget]
        self.internals.record(snap)
        self.insights.draw(snap, live, phase)
        if self.regression.isVisible():
            self.regression.update_snapshot(snap)
            views.append(self.regression.plot_widget)
        changed = snap.status != self._status
        if changed:
            self._report_status(snap)
        self.step_changed.emit(int(snap.step))
        if not live:
            self._draw_loss(snap)
            self._draw_internals(snap)
            self._draw_table(snap)
            views += [self.loss.plot_widget, self.internals.plot_widget]
        elif phase in (0, 3):
            self._later(self._draw_loss, snap, self.loss.plot_widget)
        elif phase in (1, 4) and self.internals.isVisible():
            self._later(self._draw_internals, snap, self.internals.plot_widget)
        if live and (changed or phase == 2 or now - self._table_t >= TABLE_MAX_AGE_S):
            self._later(self._draw_table, snap, None)
        if self.isVisible():
            self._paint_now(*views)

    def _later(self, draw, snap, view) -> None:
        """Run ``draw(snap)`` and paint ``view`` in a later turn of the event loop."""
        QTimer.singleShot(HALF_FRAME_MS, lambda: self._draw_deferred(draw, snap, view))

    def _draw_deferred(self, draw, snap, view) -> None:
        if snap.n_runs != len(self._styles):
            return  # the runs changed meanwhile
        self.bridge.hold()
        try:
            draw(snap)
            if self.isVisible():
                self._paint_now(*([view] if view is not None else []))
        finally:
            self.bridge.release()

    def _draw_loss(self, snap) -> None:
        self.loss.update_snapshot(snap)

    def _draw_internals(self, snap) -> None:
        if self.internals.isVisible():
            self.internals.redraw()

    def _draw_table(self, snap) -> None:
        self._table_t = time.perf_counter()
        self.table.update_snapshot(snap)

    def _report_status(self, snap) -> None:
        old = self._status
        self._status = snap.status
        if len(old) != len(snap.status):
            return
        for i, (a, b) in enumerate(zip(old, snap.status, strict=True)):
            if a == b:
                continue
            name = run_title(self.config.runs[i]) if i < len(self.config.runs) else f"run {i + 1}"
            if b == "diverged":
                self.message.emit(
                    "warning",
                    f"run {i + 1} ({name}) diverged at step {snap.event_step[i]}: its steps grew "
                    "without bound. Try a smaller learning rate or gradient clipping.",
                )
            elif b == "converged":
                self.message.emit(
                    "info", f"run {i + 1} ({name}) converged at step {snap.event_step[i]:,}"
                )
            elif b == "left":
                self.message.emit(
                    "info",
                    f"run {i + 1} ({name}) left the view and stopped at step "
                    f"{snap.event_step[i]:,}: it slid downhill off a surface without a bottom "
                    "(not a divergence)",
                )

    # ------------------------------------------------------------------ presentation
    def set_scale(self, scale: theme.Scale) -> None:
        super().set_scale(scale)
        for panel in (
            self.surface,
            self.loss,
            self.table,
            self.internals,
            self.regression,
            self.editor,
            self.landscape_editor,
        ):
            panel.apply_scale(scale)
        self.insights.apply_scale(scale)
        self.surface3d.apply_scale(scale)
        self.sidebar.setMinimumWidth(int(290 * (1 + 0.45 * (scale.factor - 1))))

    def set_presentation(self, on: bool) -> None:
        # The projected picture is the race; the settings come back with F9. The run table
        # moves under the plots on the right, so the surface can take the full height,
        # and the plots there become tabs (see _arrange).
        self.internals.set_compact(bool(on))
        self._arrange(bool(on))
        self._hide_sidebar_for_presentation(on)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._fit_splitters)

    def self_test_check(self) -> str | None:
        snap = self._last_snap
        if snap is None or self._frames == 0:
            return "no frame was drawn"
        if snap.step <= 0:
            return "the race did not advance"
        return None

    def set_3d_visible(self, on: bool) -> bool:
        """View > 3-D view: beside the 2-D map, or a one-line reason and 2-D only."""
        cfg = self.config
        start = cfg.start if cfg.start is not None else self.landscape.start
        return self.surface3d.set_visible(on, self.landscape, self._styles, start, self._scale)

    def shutdown(self) -> None:
        self.surface3d.shutdown()
        self._stop_maps()
        super().shutdown()
