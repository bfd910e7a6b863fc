"""Basin map: where the selected run's optimizer ends from every start point of a grid.

The map (:func:`engine.maps.basin_map`, a generator of progressive
:class:`~engine.maps.MapSnapshot`) runs on a worker through :class:`gui.worker.EngineBridge`
(:class:`MapJob` adapts the generator to the bridge's ``step``/``snapshot``); a display timer
pulls the newest snapshot and draws it as an image (:func:`engine.map_image.basin_rgb`).
Clicking a pixel asks the race to start there (``start_requested``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
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
    OUTCOME_COLOURS,
    basin_rgb,
)
from engine.maps import DIVERGED, LEFT, MAX_GRID, NONE, basin_map
from engine.runs import RunConfig
from gui.panels.map_window import MapWindow, swatch


class BasinMapPanel(MapWindow):
    """A window with the basin map of one optimizer setting on the current landscape.

    Signals
    -------
    start_requested(float, float)
        A pixel was clicked: start the race from its start point.
    message(str, str)
        ``(level, text)`` for the status bar.
    """

    start_requested = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Basin map", (760, 640))
        self._landscape: Landscape | None = None
        self._run: RunConfig | None = None

        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.grid = QSpinBox()
        self.grid.setRange(2, MAX_GRID)
        self.grid.setValue(100)
        self.grid.setSuffix(" per side")
        self.steps = QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setValue(1000)
        self.steps.setSingleStep(100)
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        for w in (QLabel("grid"), self.grid, QLabel("steps"), self.steps, self.compute_button):
            row.addWidget(w)
        row.addStretch(1)
        lay.addLayout(row)
        self.title = QLabel("")
        lay.addWidget(self.title)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(False)
        self.plot.setLabel("bottom", "x₀ (start)")
        self.plot.setLabel("left", "y₀ (start)")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.minima = pg.ScatterPlotItem(symbol="star", size=14, brush="w", pen="k")
        self.plot.addItem(self.minima)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        lay.addWidget(self.plot, 1)
        self.legend = QLabel("")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        lay.addWidget(self.legend)
        self.status = QLabel("")
        self.status.setObjectName("Hint")
        lay.addWidget(self.status)

    def set_subject(self, landscape: Landscape, run: RunConfig, title: str = "") -> None:
        """The landscape and the run whose optimizer settings the next map uses."""
        self._landscape, self._run = landscape, run
        self.title.setText(f"{title or run.optimizer} on {landscape.title}")

    def compute(self) -> bool:
        """Start computing the map on a worker (the old one is stopped); False if refused."""
        if self._landscape is None or self._run is None:
            return False
        n, steps = int(self.grid.value()), int(self.steps.value())
        try:
            # per start: position, start, loss, outcome, steps, diverged step, gradient
            check_map(n * n, arrays=12, flops_per_point=200.0 * steps, what="basin map")
            run = replace(self._run, start=None, batch_size=0)
            gen = basin_map(self._landscape, run, grid=n, steps=steps, every=max(1, steps // 20))
        except (ResourceError, ValueError) as exc:
            return self._refuse(exc)
        self._start_worker(gen, "basin map")
        self.status.setText(f"computing {n} × {n} starts, {steps:,} steps each…")
        self._set_legend()
        return True

    def draw(self, snap) -> None:
        """Show ``snap`` (a basins MapSnapshot)."""
        self.snapshot = snap
        rgb = basin_rgb(snap)[::-1]  # basin_rgb puts y up for a picture; the plot's y is up
        xa, ya = snap.x_axis.values, snap.y_axis.values
        dx = (xa[-1] - xa[0]) / max(1, len(xa) - 1)
        dy = (ya[-1] - ya[0]) / max(1, len(ya) - 1)
        self.image.setImage(rgb, autoLevels=False, levels=(0, 255))
        self.image.setRect(xa[0] - dx / 2, ya[0] - dy / 2, dx * len(xa), dy * len(ya))
        self.minima.setData([m.x for m in snap.minima], [m.y for m in snap.minima])
        counts = [int(np.sum(snap.outcome == k)) for k in range(len(snap.minima))]
        self._set_legend(counts, snap)
        done = "done" if snap.done else "computing"
        self.status.setText(
            f"step {snap.step:,} of {snap.steps:,} ({done}); darker = more steps to converge; "
            "click a pixel to race from there"
        )

    def _set_legend(self, counts=None, snap=None) -> None:
        land = self._landscape
        if land is None:
            return
        parts = []
        for k, m in enumerate(land.minima):
            c = OUTCOME_COLOURS[k % len(OUTCOME_COLOURS)]
            n = f" ({counts[k]:,})" if counts else ""
            parts.append(f"{swatch(c)} #{k + 1} ({m.x:.4g}, {m.y:.4g}){n}")
        for code, colour, label in (
            (NONE, NONE_COLOUR, "no listed minimum"),
            (DIVERGED, DIVERGED_COLOUR, "diverged"),
            (LEFT, LEFT_COLOUR, "left the view downhill"),
        ):
            if code == LEFT and not (snap is not None and (snap.outcome == LEFT).any()):
                continue  # only bottomless surfaces have it: no legend entry for nothing
            n = f" ({int(np.sum(snap.outcome == code)):,})" if snap is not None else ""
            parts.append(f"{swatch(colour)} {label}{n}")
        self.legend.setText("&nbsp;&nbsp; ".join(parts))

    def start_at_pixel(self, i: int, j: int) -> tuple[float, float] | None:
        """Emit ``start_requested`` with the start of column ``i``, row ``j`` of the map."""
        snap = self.snapshot
        if snap is None or not (0 <= j < snap.shape[0] and 0 <= i < snap.shape[1]):
            return None
        x, y = (float(v) for v in snap.starts[j, i])
        self.start_requested.emit(x, y)
        return x, y

    def _on_click(self, event) -> None:
        snap = self.snapshot
        if snap is None or event.button() != Qt.MouseButton.LeftButton:
            return
        p = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        xa, ya = snap.x_axis.values, snap.y_axis.values
        i = int(np.argmin(np.abs(xa - p.x())))
        j = int(np.argmin(np.abs(ya - p.y())))
        if xa[0] - (xa[1] - xa[0]) <= p.x() <= xa[-1] + (xa[1] - xa[0]):
            self.start_at_pixel(i, j)
