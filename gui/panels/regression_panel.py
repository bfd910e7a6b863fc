"""The regression landscape's data: points, the true line, and each run's current line.

A point ``(w, b)`` of the loss surface *is* a line ``y = w x + b``; watching the lines move
while the points move on the surface connects the two pictures.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QWidget

from gui import theme
from gui.graphics import speed_up_plot
from gui.panels.card import Card
from gui.stroke_layer import Stroke, StrokeLayer, cosmetic, offsets_for


class RegressionPanel(Card):
    """Scatter of the data with the true, least-squares and current lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data and fitted lines", parent)
        self._scale = theme.NORMAL
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumSize(*theme.MIN_PLOT)
        self.plot_widget.setBackground(theme.PANEL_BG)
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        speed_up_plot(self.plot_item)
        self.plot_item.showGrid(x=True, y=True, alpha=0.2)
        self.plot_item.setLabel("bottom", "x")
        self.plot_item.setLabel("left", "y")
        self.legend = self.plot_item.addLegend(
            offset=(-8, -8),
            labelTextColor=theme.INK,
            brush=pg.mkBrush(255, 255, 255, 220),
            pen=pg.mkPen(theme.GRID),
        )
        self.add_body(self.plot_widget)
        self.points = pg.ScatterPlotItem(size=6, brush=pg.mkBrush(90, 100, 115, 140), pen=None)
        # The data are fixed per landscape: blit them, don't repaint 100 symbols per frame.
        self.points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot_item.addItem(self.points)
        self.true_line = pg.PlotCurveItem()
        self.lsq_line = pg.PlotCurveItem()
        for it in (self.true_line, self.lsq_line):
            it.setZValue(5)
            self.plot_item.addItem(it)
        # Every run's current line in one item (see gui.stroke_layer).
        self.layer = StrokeLayer()
        self.layer.setZValue(10)
        self.plot_item.addItem(self.layer)
        self._pens: list[tuple] = []
        self._styles: list[theme.RunStyle] = []
        self._xr = np.array([-1.0, 1.0])
        self.apply_scale(theme.NORMAL)

    def set_landscape(self, landscape) -> None:
        x, y = np.asarray(landscape.x), np.asarray(landscape.y)
        self.points.setData(x, y)
        pad = 0.05 * (x.max() - x.min())
        self._xr = np.array([x.min() - pad, x.max() + pad])
        tp, ls = landscape.true_point, landscape.least_squares
        self.true_line.setData(self._xr, tp.x * self._xr + tp.y)
        self.lsq_line.setData(self._xr, ls.x * self._xr + ls.y)
        self._true = (tp.x, tp.y)
        self._lsq = (ls.x, ls.y)
        ypad = 0.1 * (y.max() - y.min())
        self.plot_item.setXRange(*self._xr, padding=0)
        self.plot_item.setYRange(y.min() - ypad, y.max() + ypad, padding=0)
        self.plot_item.disableAutoRange()
        self._rebuild_legend()

    def set_runs(self, styles: list[theme.RunStyle], labels: list[str]) -> None:
        self._styles = list(styles)
        self._labels = list(labels)
        self.layer.set_content()
        self._style()

    def lines(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The drawn lines as (x, y) end points, in run order (runs with no finite
        position have none)."""
        return [(s.x, s.y) for s in self.layer.strokes]

    def _style(self) -> None:
        s = self._scale
        self.true_line.setPen(pg.mkPen(theme.INK, width=s.thickness, style=Qt.PenStyle.DashLine))
        self.lsq_line.setPen(pg.mkPen("#8c959f", width=s.thickness, style=Qt.PenStyle.DotLine))
        self._pens = [
            (cosmetic(st.pen(width=1.0, dash_scale=s.thickness)), offsets_for(s.thickness))
            for st in self._styles
        ]
        self._rebuild_legend()

    def _rebuild_legend(self) -> None:
        self.legend.clear()
        if not hasattr(self, "_true"):
            return
        self.legend.addItem(self.true_line, "true line")
        self.legend.addItem(self.lsq_line, "least squares")
        self.set_title(
            f"Data · true line w={self._true[0]:g}, b={self._true[1]:g} · least squares "
            f"w={self._lsq[0]:.3f}, b={self._lsq[1]:.3f}"
        )

    def update_snapshot(self, snap) -> None:
        if len(self._styles) != snap.n_runs:
            return
        xr = self._xr
        # A fresh array each frame: the layer keeps the rows it was given until the next.
        with np.errstate(all="ignore"):
            ys = snap.positions[:, 0:1] * xr[None, :] + snap.positions[:, 1:2]
        # A diverging run's line may be astronomically steep; the layer clamps it to the
        # screen, and a NaN line (no position) is left out.
        self.layer.set_content(
            Stroke(xr, ys[i], pen, offsets)
            for i, (pen, offsets) in enumerate(self._pens)
            if np.isfinite(ys[i]).all()
        )

    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        theme.style_plot(self.plot_item, scale)
        self.legend.setLabelTextSize(f"{scale.axis_pt:.1f}pt")
        self.points.setSize(6 * (1 + 0.5 * (scale.factor - 1)))
        self._style()
