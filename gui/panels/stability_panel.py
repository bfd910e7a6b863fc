"""Curvature along each run against the largest it tolerates at its learning rate.

Solid: each run's sharpness (``λmax`` of the Hessian at its head, or ``λmax(P⁻¹H)`` after
Adam's preconditioner); dashed, same colour: its stability limit (2/lr, (2+2μ)/lr,
(2+2β₁)/((1−β₁)lr)). A ring marks where a run first crossed; the line under the plot says
what that means. Values come with the snapshot (the worker measures them, see
:mod:`engine.race_views`); this panel records its own bounded series from the snapshots.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from engine.series import SeriesBuffer
from gui import theme
from gui.graphics import log_step_plot
from gui.panels.card import Card

TINY = 1e-12  # log axis floor: sharpness can be 0 on a flat direction


class StabilityPanel(Card):
    """Log plot of sharpness and stability threshold per run, with first crossings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Curvature (solid) vs stability limit (dashed)", parent)
        self.plot_widget = log_step_plot("λmax")
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self.add_body(self.plot_widget, 1)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("StabilityVerdict")
        self.body_layout.addWidget(self.verdict)
        self.setMinimumSize(*theme.MIN_PLOT)
        self._styles: list[theme.RunStyle] = []
        self._curves: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        self._rings = pg.ScatterPlotItem(size=16, pxMode=True)
        self._rings.setZValue(20)
        self.plot.addItem(self._rings)
        self.buffer = SeriesBuffer(0)
        self._generation = -1
        self._last = None
        self.selected = 0
        self.lines: list[str] = []

    def set_runs(self, styles: list[theme.RunStyle]) -> None:
        for a, b in self._curves:
            self.plot.removeItem(a)
            self.plot.removeItem(b)
        self._styles = list(styles)
        self._curves = []
        for s in self._styles:
            solid = pg.PlotDataItem(pen=pg.mkPen(s.colour, width=2))
            dashed = pg.PlotDataItem(pen=pg.mkPen(s.colour, width=1.5, style=Qt.PenStyle.DashLine))
            self.plot.addItem(solid)
            self.plot.addItem(dashed)
            self._curves.append((solid, dashed))
        self.clear()

    def clear(self) -> None:
        self.buffer = SeriesBuffer(len(self._styles), series=2)
        self._last = None
        self.lines = []
        self.verdict.setText("")
        self._rings.clear()
        for a, b in self._curves:
            a.setData([], [])
            b.setData([], [])

    def set_selected(self, row: int) -> None:
        """Whose verdict the line under the plot tells when no run has crossed."""
        self.selected = int(row)
        self._explain()

    def record(self, snap) -> None:
        """Add the snapshot's measurement (cheap: call every frame)."""
        st = getattr(snap, "stability", None)
        if st is None or len(st.sharpness) != len(self._styles):
            return
        if snap.generation != self._generation or st.step < self.buffer.last_step:
            self._generation = snap.generation
            self.clear()
        self.buffer.add(st.step, np.stack([st.sharpness, st.threshold]))
        self._last = (st, snap.labels)

    def redraw(self) -> None:
        b = self.buffer
        n = b.count
        if n == 0 or self._last is None:
            return
        x = b.steps[:n]
        spots = []
        st = self._last[0]
        for i, (solid, dashed) in enumerate(self._curves):
            with np.errstate(invalid="ignore"):
                s = np.maximum(b.values[0, i, :n], TINY)
                t = np.maximum(b.values[1, i, :n], TINY)
            solid.setData(x, s, connect="finite")
            dashed.setData(x, t, connect="finite")
            k = st.crossed_step[i]
            if k is not None:
                j = int(np.searchsorted(x, k))
                j = min(j, n - 1)
                y = float(np.maximum(b.values[0, i, j], TINY))
                if np.isfinite(y):
                    spots.append(
                        {
                            "pos": (x[j], np.log10(y)),
                            "pen": pg.mkPen(theme.INK, width=2),
                            "brush": pg.mkBrush(self._styles[i].colour),
                            "symbol": "o",
                        }
                    )
        self._rings.setData(spots)
        self._explain()

    def _explain(self) -> None:
        if self._last is None:
            return
        st, labels = self._last
        crossed = [i for i, k in enumerate(st.crossed_step) if k is not None]
        self.lines = [st.explain(i, labels[i]) for i in range(len(labels))]
        # the most recent crossing is the news; otherwise the selected run's standing
        if crossed:
            i = max(crossed, key=lambda r: st.crossed_step[r])
        else:
            i = self.selected if 0 <= self.selected < len(labels) else 0
        if self.lines:
            self.verdict.setText(self.lines[i])
            self.verdict.setToolTip("\n".join(self.lines))

    def apply_scale(self, scale: theme.Scale) -> None:
        font = self.verdict.font()
        font.setPointSizeF(scale.font_pt)
        self.verdict.setFont(font)
        axis_font = self.plot.getAxis("left").label.font()
        axis_font.setPointSizeF(scale.axis_pt)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setTickFont(axis_font)
