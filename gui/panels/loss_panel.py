"""Loss against step for every run, in the run's colour, line style and marker.

What is plotted is chosen per landscape to stay honest on a log axis:

* minimum value known and 0: the loss itself, log scale;
* minimum value known and not 0 (Goldstein-Price's 3, a regression's residual error, a
  negative minimum): the gap ``f - f*`` to it, log scale, with ``f*`` in the label;
* no known minimum (a saddle unbounded below): the loss, linear scale.

The log is taken here into pre-allocated buffers and the axis only labels powers of ten,
so nothing on the hot path warns about ``log10(0)`` and no array grows per frame.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from engine.landscapes import Landscape
from gui import theme
from gui.graphics import MarkerItem, ThickPlotDataItem, speed_up_plot, use_decade_ticks
from gui.panels.card import Card
from gui.plotting import format_value, nice_ceil, snapped_range

CAPACITY = 4096  # points per run buffer (the engine keeps at most recent + decimated)


class LossPanel(Card):
    """Loss curves of all runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Loss", parent)
        self._scale = theme.NORMAL
        self.mode = "log"
        self.f_star = 0.0
        self._floor = 1e-300
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground(theme.PANEL_BG)
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        speed_up_plot(self.plot_item)
        use_decade_ticks(self.plot_item.getAxis("left"))
        self.plot_item.showGrid(x=True, y=True, alpha=0.25)
        self.plot_item.setDownsampling(auto=True, mode="peak")
        self.plot_item.setClipToView(True)
        self.plot_item.setLabel("bottom", "step")
        self.legend = self.plot_item.addLegend(
            offset=(-8, 8),
            labelTextColor=theme.INK,
            brush=pg.mkBrush(255, 255, 255, 220),
            pen=pg.mkPen(theme.GRID),
        )
        self.add_body(self.plot_widget)
        self.plot_item.disableAutoRange()
        self._follow = True
        self._range = None
        self.plot_item.getViewBox().sigRangeChangedManually.connect(self._on_manual_range)
        self._legend_allowed = True
        self._updates = 0
        self._legend_corner = (1, 0)
        self._counts: list[int] = []
        self._curves: list[ThickPlotDataItem] = []
        self._styles: list[theme.RunStyle] = []
        self._labels: list[str] = []
        self._ends: list[MarkerItem] = []
        self._x = np.empty((0, CAPACITY))
        self._y = np.empty((0, CAPACITY))
        self.apply_scale(theme.NORMAL)

    def set_landscape(self, landscape: Landscape) -> None:
        f_star = landscape.f_min
        if not math.isfinite(f_star):
            self.mode, self.f_star = "linear", 0.0
            label = "loss f (linear)"
        elif f_star == 0.0:
            self.mode, self.f_star = "log", 0.0
            # Exact zeros cannot sit on a log axis; show them at 1e-30.
            self._floor = 1e-30
            label = "loss f (log scale)"
        else:
            self.mode, self.f_star = "gap", float(f_star)
            # Below a few ulps of f* the gap is rounding noise, not progress.
            self._floor = 4.0 * np.finfo(float).eps * abs(f_star)
            label = "f − f* (log scale)"
        self.plot_item.getAxis("left").setLogMode(self.mode != "linear")
        self.follow()
        self.plot_item.setLabel("left", label)
        if self.mode == "gap":
            self.set_title(f"Loss · gap to the minimum f* = {format_value(f_star)}")
        else:
            self.set_title("Loss")

    def set_runs(self, styles: list[theme.RunStyle], labels: list[str]) -> None:
        """Create one curve and one end marker per run (only when the runs change)."""
        for c in self._curves:
            self.plot_item.removeItem(c)
        for e in self._ends:
            self.plot_item.removeItem(e)
        self._curves, self._ends = [], []
        n = len(styles)
        self._x = np.zeros((n, CAPACITY))
        self._y = np.zeros((n, CAPACITY))
        self._counts = [0] * n
        for st in styles:
            curve = ThickPlotDataItem([], [], thickness=self._scale.thickness)
            curve.setZValue(10 + st.index)
            self.plot_item.addItem(curve)
            curve.opts["autoDownsampleFactor"] = (
                0.5  # peak mode keeps 2 points per bin: ~1 per pixel
            )
            end = MarkerItem(st.symbol)
            end.setZValue(30)
            self.plot_item.addItem(end)
            self._curves.append(curve)
            self._ends.append(end)
        self._styles = list(styles)
        self._labels = list(labels)
        self._style_curves()

    def set_labels(self, labels: list[str]) -> None:
        if list(labels) != self._labels:
            self._labels = list(labels)
            self._rebuild_legend()

    def _style_curves(self) -> None:
        s = self._scale
        for st, curve, end in zip(self._styles, self._curves, self._ends, strict=True):
            curve.setPen(st.pen(width=1.0, dash_scale=s.thickness))
            curve.set_thickness(s.thickness)
            end.set_size(s.marker)
            end.set_style(pg.mkBrush(st.qcolor()), st.symbol_pen(1.2))
        self._rebuild_legend()

    def _rebuild_legend(self) -> None:
        # Legend samples show line style and marker together, as the runs are drawn.
        s = self._scale
        self.legend.clear()
        for st, label in zip(self._styles, self._labels, strict=True):
            sample = pg.PlotDataItem(
                [],
                [],
                pen=st.pen(width=s.thickness),
                symbol=st.symbol,
                symbolBrush=st.qcolor(),
                symbolPen=st.symbol_pen(1.0),
                symbolSize=s.marker * 0.8,
            )
            self.legend.addItem(sample, label)
        self._fit_legend()

    def update_snapshot(self, snap) -> None:
        if len(self._curves) != snap.n_runs:
            return
        xmax, ymin, ymax = 0.0, math.inf, -math.inf
        for i, (curve, end) in enumerate(zip(self._curves, self._ends, strict=True)):
            hist = snap.histories[i]
            m = min(len(hist), CAPACITY)
            x = self._x[i, :m]
            y = self._y[i, :m]
            np.copyto(x, hist.steps[-m:], casting="unsafe")
            loss = hist.loss[-m:]
            if self.mode == "linear":
                np.copyto(y, loss)
                np.nan_to_num(y, copy=False, nan=0.0, posinf=1e300, neginf=-1e300)
            else:
                np.subtract(loss, self.f_star, out=y)
                np.nan_to_num(y, copy=False, nan=1e300, posinf=1e300, neginf=self._floor)
                np.maximum(y, self._floor, out=y)
                np.log10(y, out=y)
            curve.setData(x, y, skipFiniteCheck=True)
            self._counts[i] = m
            if m:
                # Moving the item is far cheaper than ScatterPlotItem.setData every frame.
                end.setPos(float(x[m - 1]), float(y[m - 1]))
                xmax = max(xmax, float(x[m - 1]))
                # A diverged run's loss (1e56...) would squash every other curve flat:
                # it may leave the plot at the top; the table says what happened.
                if snap.status[i] != "diverged" or all(st == "diverged" for st in snap.status):
                    ymin = min(ymin, float(y.min()))
                    ymax = max(ymax, float(y.max()))
        self._follow_data(xmax, ymin, ymax)

    def _follow_data(self, xmax: float, ymin: float, ymax: float) -> None:
        if not self._follow or ymin > ymax:
            return
        xr = (0.0, nice_ceil(max(xmax, 10.0)))
        yr = snapped_range(ymin, ymax, self.mode != "linear")
        if (xr, yr) != self._range:
            self._range = (xr, yr)
            self.plot_item.setRange(xRange=xr, yRange=yr, padding=0.02)
        self._updates += 1
        if self._updates % 20 == 1:
            # Curves move slowly: choosing the legend's corner once a second is plenty.
            self._place_legend()

    def follow(self) -> None:
        """Go back to following the data after the user zoomed or panned."""
        self._follow = True
        self._range = None

    def _on_manual_range(self, *args) -> None:
        self._follow = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    def set_legend_allowed(self, on: bool) -> None:
        """Presentation mode puts the run table right below: no legend needed then."""
        self._legend_allowed = bool(on)
        self._fit_legend()

    def _fit_legend(self) -> None:
        # A legend wider than half the plot would hide the curves; the run table (always
        # on screen, with the same swatches) then serves as the legend.
        w = self.legend.boundingRect().width()
        fits = w <= 0.55 * self.plot_item.getViewBox().width()
        self.legend.setVisible(self._legend_allowed and fits and bool(self._labels))

    def _place_legend(self) -> None:
        """Move the legend to the corner of the plot that the curves cross least."""
        if not self.legend.isVisible():
            return
        vb = self.plot_item.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        br = self.legend.boundingRect()
        fw = min(1.0, (br.width() + 16) / max(vb.width(), 1.0))
        fh = min(1.0, (br.height() + 16) / max(vb.height(), 1.0))
        corners = {
            (1, 0): (x1 - fw * (x1 - x0), x1, y1 - fh * (y1 - y0), y1),  # top right
            (0, 0): (x0, x0 + fw * (x1 - x0), y1 - fh * (y1 - y0), y1),  # top left
            (1, 1): (x1 - fw * (x1 - x0), x1, y0, y0 + fh * (y1 - y0)),  # bottom right
            (0, 1): (x0, x0 + fw * (x1 - x0), y0, y0 + fh * (y1 - y0)),  # bottom left
        }
        best, best_n = None, None
        for corner, (ax, bx, ay, by) in corners.items():
            n = 0
            for i, m in enumerate(self._counts):
                x, y = self._x[i, :m], self._y[i, :m]
                n += int(np.count_nonzero((x >= ax) & (x <= bx) & (y >= ay) & (y <= by)))
            if best_n is None or n < best_n:
                best, best_n = corner, n
        if best != self._legend_corner:
            self._legend_corner = best
            cx, cy = best
            self.legend.anchor(
                itemPos=(cx, cy), parentPos=(cx, cy), offset=(-8 if cx else 8, -8 if cy else 8)
            )

    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        theme.style_plot(self.plot_item, scale)
        self.legend.setLabelTextSize(f"{scale.axis_pt:.1f}pt")
        if self._curves:
            self._style_curves()
