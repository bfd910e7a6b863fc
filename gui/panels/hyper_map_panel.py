"""Hyperparameter map: final loss or steps to tolerance over a grid of two hyperparameters.

The map (:func:`engine.maps.hyper_map`) runs on a worker like the basin map (through
:class:`~gui.panels.map_window.MapJob`) and is drawn progressively
(:func:`engine.map_image.hyper_rgb`) with a colour bar. A log axis is drawn in log10
coordinates with the axis labelled in powers of ten. The selected run's own setting is
marked (in the spirit of Distill's "Why Momentum Really Works"), and clicking a pixel asks
the lab to give the run those two values (``hyper_chosen``), one undoable edit.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.guards import ResourceError, check_map
from engine.landscapes import Landscape
from engine.map_image import (
    DIVERGED_COLOUR,
    LEFT_COLOUR,
    NONE_COLOUR,
    hyper_range,
    hyper_rgb,
    viridis,
)
from engine.maps import DIVERGED, LEFT, MAX_GRID, hyper_axes, hyper_map, parse_axis
from engine.optimizers import OPTIMIZERS
from engine.runs import RunConfig
from gui.panels.map_window import MapWindow, swatch

QUANTITIES = (("loss", "final loss"), ("steps", "steps to tolerance"))
DEFAULT_GRID = 40


def run_value(run: RunConfig, name: str) -> float:
    """The run's value of map axis ``name`` (``beta1``/``beta2``: an item of ``betas``)."""
    hyper = run.resolved_hyper()
    if name in ("beta1", "beta2"):
        return float(hyper["betas"][int(name[-1]) - 1])
    return float(hyper[name])


def with_values(run: RunConfig, values: dict[str, float]) -> RunConfig:
    """``run`` with map axes ``values`` set (beta1/beta2 written into ``betas``)."""
    hyper = dict(run.hyper)
    for name, v in values.items():
        if name in ("beta1", "beta2"):
            betas = list(hyper.get("betas", run.resolved_hyper()["betas"]))
            betas[int(name[-1]) - 1] = float(v)
            hyper["betas"] = tuple(betas)
        else:
            hyper[name] = float(v)
    return replace(run, hyper=hyper)


def default_range(optimizer: str, name: str, value: float) -> tuple[float, float, bool]:
    """A first range for axis ``name`` around the run's ``value``: (lo, hi, log).

    A log parameter (lr, eps) spans from a hundredth to ten times the value; a parameter in
    [0, 1] (momentum, betas, alpha) its whole interval short of 1; anything else 0 to twice
    the value.
    """
    specs = {p.name: p for p in OPTIMIZERS[optimizer].params}
    spec = specs.get("betas" if name in ("beta1", "beta2") else name)
    if spec is not None and spec.log:
        v = value if value > 0 else float(spec.default or 1e-3)
        hi = v * 10.0 if spec.max is None else min(v * 10.0, float(spec.max))
        return v / 100.0, hi, True
    lo = float(spec.min) if spec is not None and spec.min is not None else 0.0
    if spec is not None and spec.max is not None and float(spec.max) <= 1.0:
        return lo, 0.999 if name == "beta2" else 0.99, False
    return lo, max(2.0 * value, lo + 1.0), False


def log_ticks(values: np.ndarray) -> list[list[tuple[float, str]]]:
    """Ticks of a log axis drawn in log10 coordinates: 1, 2 and 5 times each power of ten
    labelled with the value as typed (pyqtgraph's own labels every minor tick: unreadable)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    major, minor = [], []
    for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in range(1, 10):
            v = m * 10.0**k
            if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
                (major if m in (1, 2, 5) else minor).append((math.log10(v), f"{v:g}"))
    return [major, [(x, "") for x, _ in minor]]


class _AxisRow:
    """The chooser of one axis: name, range, number of values, log."""

    def __init__(self, grid: QGridLayout, row: int, label: str) -> None:
        self.name = QComboBox()
        self.lo, self.hi = QLineEdit(), QLineEdit()
        for edit in (self.lo, self.hi):
            edit.setMaximumWidth(90)
        self.n = QSpinBox()
        self.n.setRange(2, MAX_GRID)
        self.n.setValue(DEFAULT_GRID)
        self.log = QCheckBox("log")
        for col, w in enumerate(
            (QLabel(label), self.name, QLabel("from"), self.lo, QLabel("to"), self.hi)
        ):
            grid.addWidget(w, row, col)
        grid.addWidget(self.n, row, 6)
        grid.addWidget(self.log, row, 7)

    def text(self) -> str:
        suffix = "log" if self.log.isChecked() else ""
        lo, hi = self.lo.text().strip(), self.hi.text().strip()
        return f"{self.name.currentText()}={lo}:{hi}:{self.n.value()}{suffix}"

    def set_range(self, lo: float, hi: float, log: bool) -> None:
        self.lo.setText(f"{lo:.4g}")
        self.hi.setText(f"{hi:.4g}")
        self.log.setChecked(log)


class HyperMapPanel(MapWindow):
    """A window with the hyperparameter map of the selected run on the current landscape.

    Signals
    -------
    hyper_chosen(int, dict)
        A pixel was clicked: give run ``row`` these ``{axis name: value}``.
    message(str, str)
        ``(level, text)`` for the status bar.
    """

    hyper_chosen = Signal(int, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Hyperparameter map", (820, 680))
        self._landscape: Landscape | None = None
        self._run: RunConfig | None = None
        self._row = 0
        self._start: tuple[float, float] | None = None

        lay = QVBoxLayout(self)
        grid = QGridLayout()
        self.x_row = _AxisRow(grid, 0, "across")
        self.y_row = _AxisRow(grid, 1, "up")
        lay.addLayout(grid)
        for r in (self.x_row, self.y_row):
            r.name.activated.connect(lambda _i, r=r: self._on_axis_chosen(r))
        row = QHBoxLayout()
        self.quantity = QComboBox()
        for key, text in QUANTITIES:
            self.quantity.addItem(text, key)
        self.quantity.currentIndexChanged.connect(self._redraw)
        self.steps = QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setValue(500)
        self.steps.setSingleStep(100)
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        for w in (QLabel("colour by"), self.quantity, QLabel("steps"), self.steps):
            row.addWidget(w)
        row.addWidget(self.compute_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.title = QLabel("")
        lay.addWidget(self.title)

        self.view = pg.GraphicsLayoutWidget()
        self.plot = self.view.addPlot(row=0, col=0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.marker = pg.ScatterPlotItem(symbol="+", size=22, pen=pg.mkPen("w", width=3))
        self.marker_ring = pg.ScatterPlotItem(symbol="o", size=22, pen=pg.mkPen("k", width=2))
        self.marker_ring.setBrush(None)
        self.marker_label = pg.TextItem("current", color="w", anchor=(0, 1), fill=(0, 0, 0, 150))
        for item in (self.marker_ring, self.marker, self.marker_label):
            item.setZValue(10)
            self.plot.addItem(item)
        self.bar = self.view.addPlot(row=0, col=1)
        self.bar.setMaximumWidth(110)
        self.bar.setMouseEnabled(False, False)
        self.bar.hideAxis("bottom")
        self.bar.hideAxis("left")
        self.bar.showAxis("right")
        self.bar.hideButtons()
        # hyperparameter values read as typed: no "(x0.001)" unit prefix on the axes
        for plot, side in ((self.plot, "bottom"), (self.plot, "left"), (self.bar, "right")):
            plot.getAxis(side).enableAutoSIPrefix(False)
        self.bar_image = pg.ImageItem(axisOrder="row-major")
        self.bar.addItem(self.bar_image)
        self.view.scene().sigMouseClicked.connect(self._on_click)
        lay.addWidget(self.view, 1)
        self.legend = QLabel("")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        lay.addWidget(self.legend)
        self.status = QLabel("")
        self.status.setObjectName("Hint")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

    # ------------------------------------------------------------------ subject
    def set_subject(
        self,
        landscape: Landscape,
        run: RunConfig,
        row: int,
        title: str = "",
        start: tuple[float, float] | None = None,
    ) -> None:
        """The landscape, run ``row`` and the start point the next map uses.

        A new optimizer refills the axis choosers (lr across and the next hyperparameter up,
        ranges around the run's values); the same optimizer keeps what the user chose.
        """
        same = self._run is not None and self._run.optimizer == run.optimizer
        self._landscape, self._row, self._start = landscape, int(row), start
        self._run = run
        self.title.setText(f"{title or run.optimizer} on {landscape.title}")
        if not same:
            names = hyper_axes(run.optimizer)
            for r, pick in ((self.x_row, 0), (self.y_row, 1)):
                r.name.clear()
                r.name.addItems(names)
                r.name.setCurrentIndex(min(pick, len(names) - 1))
                self._on_axis_chosen(r)
        self._place_marker()

    def set_run(self, run: RunConfig) -> None:
        """The selected run changed (an edit, undo): move the marker."""
        if self._run is not None and run.optimizer != self._run.optimizer:
            return  # another optimizer: the map is of the old one; reopen for a new map
        self._run = run
        self._place_marker()

    def _on_axis_chosen(self, r: _AxisRow) -> None:
        if self._run is None or not r.name.currentText():
            return
        name = r.name.currentText()
        r.set_range(*default_range(self._run.optimizer, name, run_value(self._run, name)))

    # ------------------------------------------------------------------ computing
    def compute(self) -> bool:
        """Start computing the map on a worker (the old one is stopped); False if refused."""
        if self._landscape is None or self._run is None:
            return False
        steps = int(self.steps.value())
        try:
            xa, ya = parse_axis(self.x_row.text()), parse_axis(self.y_row.text())
            n = len(xa.values) * len(ya.values)
            check_map(n, arrays=12, flops_per_point=200.0 * steps, what="hyperparameter map")
            gen = hyper_map(
                self._landscape,
                replace(self._run, batch_size=0),
                xa,
                ya,
                start=self._start,
                steps=steps,
                every=max(1, steps // 20),
            )
        except (ResourceError, ValueError) as exc:
            return self._refuse(exc)
        self._start_worker(gen, "hyperparameter map")
        self.status.setText(
            f"computing {len(xa.values)} × {len(ya.values)} settings, {steps:,} steps each…"
        )
        return True

    # ------------------------------------------------------------------ drawing
    @staticmethod
    def _coords(axis) -> np.ndarray:
        return np.log10(axis.values) if axis.log else np.asarray(axis.values, dtype=np.float64)

    def marker_position(self) -> tuple[float, float] | None:
        """Where the marker is drawn, in plot coordinates (log10 on a log axis), or None."""
        snap, run = self.snapshot, self._run
        if snap is None or run is None:
            return None
        out = []
        for axis in (snap.x_axis, snap.y_axis):
            v = run_value(run, axis.name)
            if axis.log and not v > 0:
                return None
            out.append(math.log10(v) if axis.log else v)
        return out[0], out[1]

    def _place_marker(self) -> None:
        pos = self.marker_position()
        for item in (self.marker, self.marker_ring):
            item.setData(*([[pos[0]], [pos[1]]] if pos else [[], []]))
        self.marker_label.setVisible(pos is not None)
        if pos is not None:
            self.marker_label.setPos(*pos)

    def draw(self, snap) -> None:
        """Show ``snap`` (a hyper MapSnapshot) coloured by the chosen quantity."""
        self.snapshot = snap
        quantity = self.quantity.currentData()
        rgb = hyper_rgb(snap, quantity)[::-1]  # hyper_rgb puts y up for a picture
        cx, cy = self._coords(snap.x_axis), self._coords(snap.y_axis)
        dx = (cx[-1] - cx[0]) / max(1, len(cx) - 1)
        dy = (cy[-1] - cy[0]) / max(1, len(cy) - 1)
        self.image.setImage(rgb, autoLevels=False, levels=(0, 255))
        self.image.setRect(cx[0] - dx / 2, cy[0] - dy / 2, dx * len(cx), dy * len(cy))
        for side, axis in (("bottom", snap.x_axis), ("left", snap.y_axis)):
            self.plot.getAxis(side).setTicks(log_ticks(axis.values) if axis.log else None)
        self.plot.setLabel("bottom", snap.x_axis.name)
        self.plot.setLabel("left", snap.y_axis.name)
        self._place_marker()
        self._draw_bar(snap, quantity)
        self._set_legend(snap)
        done = "done" if snap.done else "computing"
        self.status.setText(
            f"step {snap.step:,} of {snap.steps:,} ({done}); + marks the run's setting; "
            "click a pixel to give the run those values (Ctrl+Z takes it back)"
        )

    def _redraw(self) -> None:
        if self.snapshot is not None:
            self.draw(self.snapshot)

    def _draw_bar(self, snap, quantity: str) -> None:
        span = hyper_range(snap, quantity)
        self.bar_image.setVisible(span is not None)
        if span is None:
            return
        lo, hi = span
        hi = hi if hi > lo else lo + 1.0
        t = np.linspace(0.0, 1.0, 256)
        rgb = np.clip(np.rint(viridis(t)), 0, 255).astype(np.uint8)[:, None, :]
        self.bar_image.setImage(rgb, autoLevels=False, levels=(0, 255))
        self.bar_image.setRect(0.0, lo, 1.0, hi - lo)
        self.bar.setYRange(lo, hi, padding=0)
        axis = self.bar.getAxis("right")
        # loss is log10(loss - lowest): the axis reads it back in powers of ten
        axis.setLogMode(quantity == "loss")
        axis.setLabel("final loss − lowest" if quantity == "loss" else "steps to tolerance")

    def _set_legend(self, snap) -> None:
        quantity = self.quantity.currentData()
        parts = [f"{swatch(DIVERGED_COLOUR)} diverged ({int(np.sum(snap.outcome == DIVERGED)):,})"]
        if (snap.outcome == LEFT).any():
            left = int(np.sum(snap.outcome == LEFT))
            parts.append(f"{swatch(LEFT_COLOUR)} left the view downhill ({left:,})")
        if quantity == "steps":
            never = int(np.sum((snap.steps_to < 0) & (snap.outcome >= -1)))
            parts.append(
                f"{swatch(NONE_COLOUR)} never within {snap.tol:g} of a minimum ({never:,})"
            )
        self.legend.setText("&nbsp;&nbsp; ".join(parts))

    # ------------------------------------------------------------------ clicking
    def choose_pixel(self, i: int, j: int) -> dict[str, float] | None:
        """Emit ``hyper_chosen`` with the values of column ``i``, row ``j`` of the map."""
        snap = self.snapshot
        if snap is None or not (0 <= j < snap.shape[0] and 0 <= i < snap.shape[1]):
            return None
        values = {
            snap.x_axis.name: float(snap.x_axis.values[i]),
            snap.y_axis.name: float(snap.y_axis.values[j]),
        }
        self.hyper_chosen.emit(self._row, values)
        return values

    def _on_click(self, event) -> None:
        snap = self.snapshot
        if snap is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if not self.plot.sceneBoundingRect().contains(event.scenePos()):
            return
        p = self.plot.vb.mapSceneToView(event.scenePos())
        cx, cy = self._coords(snap.x_axis), self._coords(snap.y_axis)
        hx, hy = abs(cx[1] - cx[0]) / 2, abs(cy[1] - cy[0]) / 2
        if cx[0] - hx <= p.x() <= cx[-1] + hx and cy[0] - hy <= p.y() <= cy[-1] + hy:
            i = int(np.argmin(np.abs(cx - p.x())))
            j = int(np.argmin(np.abs(cy - p.y())))
            self.choose_pixel(i, j)
