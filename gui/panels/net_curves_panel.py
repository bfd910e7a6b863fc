"""Loss and accuracy of every column over the steps, overlaid (the shared panel).

Each column draws in its own colour, dash pattern and end marker (the same cues as its
header); training curves are thick, validation curves thin and paler in the same style.
The loss axis is logarithmic (``log10`` taken here into the buffers, decade labels only).

Points arrive one per new picture of a column and go into pre-allocated buffers; when a
buffer is full every other point is dropped (the curve keeps its shape with half the
resolution), so memory stays bounded however long the lab runs.

Every line and end marker of a plot is one :class:`~gui.stroke_layer.StrokeLayer`: a redraw
re-thins only the columns that got new points and repaints with one Python call per plot.

Smoothing (:meth:`NetCurvesPanel.set_smoothing`, the slider in the title row) draws every
series as TensorBoard's debiased EMA (:mod:`engine.smoothing`) of its values as plotted
(``log10`` of the loss, the accuracy itself), taken incrementally point by point, with the
raw series faint behind it.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from engine.display import nice_ceil, sticky_range
from engine.series import finite_runs, peak_decimate
from engine.smoothing import EmaSmoother
from gui import theme
from gui.graphics import speed_up_plot, use_decade_ticks
from gui.panels.card import Card
from gui.panels.smoothing_control import SmoothingControl
from gui.stroke_layer import Marker, Stroke, StrokeLayer, cosmetic, offsets_for, symbol_path

CAPACITY = 2048  # points per column and series
LOSS_FLOOR = 1e-12
# series: train loss, val loss, train acc, val acc
N_SERIES = 4


def step_text(v: float) -> str:
    """``0``, ``500``, ``2.5k``, ``10k``, ``1M``: short step labels for a narrow axis."""
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


class NetCurvesPanel(Card):
    """Training and validation loss (top) and accuracy (bottom) of every column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Loss and accuracy", parent)
        self._scale = theme.NORMAL
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(theme.PANEL_BG)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.ci.layout.setContentsMargins(0, 0, 0, 0)
        # Two plots stacked, each at least theme.MIN_PLOT.
        self.view.setMinimumSize(theme.MIN_PLOT[0], 2 * theme.MIN_PLOT[1])
        self.add_body(self.view)
        self.add_footer()
        self.footer.setText("thick: train, thin: val")
        self.footer.setToolTip("thick lines: training set; thin pale lines: validation set")
        self.loss_plot = self.view.addPlot(row=0, col=0, viewBox=pg.ViewBox(enableMenu=False))
        self.acc_plot = self.view.addPlot(row=1, col=0, viewBox=pg.ViewBox(enableMenu=False))
        for plot in (self.loss_plot, self.acc_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            # No vertical grid: the step axis changes range as training goes on, and an
            # axis repaints its grid lines with it (the dearest part of this panel).
            plot.showGrid(x=False, y=True, alpha=0.2)
            plot.setMouseEnabled(x=False, y=False)
            plot.disableAutoRange()
            # Our step labels include both ends: draw them even at the edge, with room on
            # the right for the last one.
            plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)
            plot.setContentsMargins(0, 0, 14, 0)
            speed_up_plot(plot)
        self.loss_plot.getAxis("left").setLogMode(True)
        use_decade_ticks(self.loss_plot.getAxis("left"))
        self.loss_plot.setLabel("left", "loss")
        self.acc_plot.setLabel("left", "accuracy")
        self.acc_plot.setLabel("bottom", "step")
        self.acc_plot.setXLink(self.loss_plot)
        # Room above 100 % and below 0 % for their labels.
        self.acc_plot.setYRange(-0.07, 1.07, padding=0.0)
        self.acc_plot.getAxis("left").setStyle(hideOverlappingLabels=False)
        self.acc_plot.getAxis("left").setTicks(
            [[(0.0, "0%"), (0.5, "50%"), (1.0, "100%")], [(0.25, ""), (0.75, "")]]
        )
        self.cursor = [
            pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.INK, width=1, style=Qt.PenStyle.DashLine))
            for _ in range(2)
        ]
        for plot, line in zip((self.loss_plot, self.acc_plot), self.cursor, strict=True):
            line.setVisible(False)
            line.setZValue(50)
            plot.addItem(line, ignoreBounds=True)
        # Lines without antialiasing (long polylines, redrawn at display rate: a quarter
        # cheaper, and as pyqtgraph's curves drew them); the end markers smooth, on top.
        self.layers = (StrokeLayer(antialias=False), StrokeLayer(antialias=False))
        self.ends = StrokeLayer()
        for plot, layer in zip((self.loss_plot, self.acc_plot), self.layers, strict=True):
            layer.setZValue(10)
            plot.addItem(layer, ignoreBounds=True)
        self.ends.setZValue(60)
        self.loss_plot.addItem(self.ends, ignoreBounds=True)
        self._styles: list[theme.RunStyle] = []
        # per column and series: the thinned curve as drawn, (x, y) or None
        self._thinned: list[list[tuple[np.ndarray, np.ndarray] | None]] = []
        self._pens: list[tuple] = []  # per column: (train pen, offsets, val pen, marker)
        self._x = np.zeros((0, CAPACITY))
        self._y = np.zeros((0, N_SERIES, CAPACITY))
        self._n = np.zeros(0, dtype=int)
        self._dirty: set[int] = set()
        self._xrange: tuple[float, float] | None = None
        self._yrange: tuple[float, float] | None = None
        self._regression = False
        self._across = False
        self._s = np.zeros((0, N_SERIES, CAPACITY))  # smoothed _y
        self._smoothing = 0.0
        self._smoothers: list[list[EmaSmoother]] = []
        self._raw: list[list[tuple[np.ndarray, np.ndarray] | None]] = []  # thinned raw
        self._raw_pens: list[object] = []
        self.smoothing_control = SmoothingControl()
        self.smoothing_control.weight_changed.connect(self.set_smoothing)
        self.add_head_control(self.smoothing_control)
        self.apply_scale(theme.NORMAL)

    # ------------------------------------------------------------------ structure
    def set_columns(self, styles: list[theme.RunStyle]) -> None:
        """One set of curves per column (only when the columns change)."""
        n = len(styles)
        self._styles = list(styles)
        self._x = np.zeros((n, CAPACITY))
        self._y = np.zeros((n, N_SERIES, CAPACITY))
        self._s = np.zeros((n, N_SERIES, CAPACITY))
        self._n = np.zeros(n, dtype=int)
        self._thinned = [[None] * N_SERIES for _ in range(n)]
        self._raw = [[None] * N_SERIES for _ in range(n)]
        self._smoothers = [self._new_smoothers() for _ in range(n)]
        self._style_curves()
        self._xrange = self._yrange = None
        self._dirty = set(range(n))
        self.redraw()

    def set_regression(self, on: bool) -> None:
        """Regression has no accuracy: the loss plot then takes the whole panel."""
        on = bool(on)
        if on == self._regression:
            return
        self._regression = on
        if on:
            self.view.removeItem(self.acc_plot)
            self.loss_plot.setLabel("bottom", "step")
        else:
            self.view.addItem(self.acc_plot, row=1, col=0)
            self.loss_plot.setLabel("bottom", "")
        self.set_title("Loss" if on else "Loss and accuracy")

    def _style_curves(self) -> None:
        s = self._scale
        self._pens = []
        for st in self._styles:
            # Training lines are the scale's thickness, drawn as 1-pixel strokes (dashes
            # scaled to match); validation lines one pale pixel.
            train = cosmetic(st.pen(width=1.0, dash_scale=s.thickness))
            val = cosmetic(st.pen(width=1.0, dash_scale=1.0))
            val.setColor(st.tint(0.45))
            mark = (symbol_path(st.symbol, s.marker), st.symbol_pen(1.2), pg.mkBrush(st.qcolor()))
            self._pens.append((train, offsets_for(s.thickness), val, mark))
        self._raw_pens = []
        for st in self._styles:
            raw = cosmetic(st.pen(width=1.0, dashed=False))
            raw.setColor(st.tint(0.75))
            self._raw_pens.append(raw)
        self._compose()

    # ------------------------------------------------------------------ smoothing
    def _new_smoothers(self) -> list[EmaSmoother]:
        return [EmaSmoother(self._smoothing) for _ in range(N_SERIES)]

    @property
    def smoothing(self) -> float:
        return self._smoothing

    def set_smoothing(self, weight: float) -> None:
        """Draw every series smoothed with EMA weight ``weight`` (0: raw), raw ones faint.

        Raises
        ------
        ValueError
            ``weight`` outside [0, engine.smoothing.MAX_WEIGHT].
        """
        self._smoothing = EmaSmoother(weight).weight  # validates
        self._smoothers = []
        for i in range(len(self._n)):
            sm = self._new_smoothers()
            n = int(self._n[i])
            for k in range(N_SERIES):
                self._s[i, k, :n] = sm[k].extend(self._y[i, k, :n])
            self._smoothers.append(sm)
        if abs(self.smoothing_control.weight - self._smoothing) > 5e-3:
            self.smoothing_control.set_weight(min(self._smoothing, 0.99))
        self._dirty = set(range(len(self._n)))
        self.redraw()

    def series(self, i: int, k: int, smoothed: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Column ``i``'s series ``k`` (train loss, val loss, train acc, val acc) as plotted:
        steps and values on the axis (``log10`` for losses), raw or smoothed (copies)."""
        n = int(self._n[i])
        return self._x[i, :n].copy(), (self._s if smoothed else self._y)[i, k, :n].copy()

    # ------------------------------------------------------------------ data
    def reset_column(self, i: int) -> None:
        """Forget column ``i``'s points (it restarted from step 0)."""
        if 0 <= i < len(self._n):
            self._n[i] = 0
            self._smoothers[i] = self._new_smoothers()
            self._dirty.add(i)

    def append(self, i: int, step: int, values: tuple[float, float, float, float]) -> None:
        """Add a point: ``(train_loss, val_loss, train_acc, val_acc)`` at ``step``."""
        n = self._n[i]
        if n and self._x[i, n - 1] >= step:
            if self._x[i, n - 1] == step:
                return
            n = self._n[i] = 0  # went back in time: a restart
            self._smoothers[i] = self._new_smoothers()
        if n == CAPACITY:
            keep = np.r_[0 : CAPACITY - 1 : 2, CAPACITY - 1]
            m = len(keep)
            self._x[i, :m] = self._x[i, keep]
            self._y[i, :, :m] = self._y[i][:, keep]
            self._s[i, :, :m] = self._s[i][:, keep]
            n = m
        self._x[i, n] = step
        y = self._y[i, :, n]
        for k, v in enumerate(values):
            if not math.isfinite(v):
                y[k] = np.nan  # e.g. no validation set: a gap, not a point at infinity
            elif k < 2:
                y[k] = math.log10(min(max(v, LOSS_FLOOR), 1e300))
            else:
                y[k] = v
        sm = self._smoothers[i]
        for k in range(N_SERIES):
            # One point at a time (a picture brings one): NaN passes through unchanged.
            self._s[i, k, n] = sm[k].extend(y[k : k + 1])[0]
        self._n[i] = n + 1
        self._dirty.add(i)

    def redraw(self) -> None:
        """Push new points of the columns that changed to their curves."""
        if not self._dirty:
            return
        self._follow()
        # Two points (min and max) per bucket of two pixels: about one point per pixel.
        buckets = max(int(self.loss_plot.getViewBox().width()) // 2, 40)
        x0, x1 = self._xrange if self._xrange else (0.0, 1.0)
        for i in sorted(self._dirty):
            if i >= len(self._thinned):
                continue
            n = int(self._n[i])
            x = self._x[i, :n]
            smooth = self._smoothing > 0.0
            for k in range(N_SERIES):
                y = self._y[i, k, :n]
                self._raw[i][k] = None
                if n == 0 or (k >= 2 and self._regression) or np.isnan(y).all():
                    self._thinned[i][k] = None
                    continue
                if smooth:
                    xd, yd = peak_decimate(x, y, x0, x1, buckets)
                    self._raw[i][k] = (np.array(xd), np.array(yd))
                    y = self._s[i, k, :n]
                xd, yd = peak_decimate(x, y, x0, x1, buckets)
                # copies: the buffers change under the layer before the next redraw
                self._thinned[i][k] = (np.array(xd), np.array(yd))
        self._dirty.clear()
        self._compose()

    def _compose(self) -> None:
        """Hand every column's thinned curves and end markers to the two layers."""
        loss, acc = [], []
        # Raw series (when smoothing) faint under everything.
        for i, pen in enumerate(self._raw_pens):
            if i >= len(self._raw):
                continue
            for k, curve in enumerate(self._raw[i]):
                if curve is not None:
                    out = loss if k < 2 else acc
                    out.extend(Stroke(x, y, pen) for x, y in finite_runs(*curve))
        for order in (1, 0):  # validation lines under every training line
            for i, pens in enumerate(self._pens):
                if i >= len(self._thinned):
                    continue
                train_pen, offsets, val_pen, _ = pens
                pen, offs = (train_pen, offsets) if order == 0 else (val_pen, offsets_for(1))
                for k in (order, order + 2):
                    curve = self._thinned[i][k]
                    if curve is None:
                        continue
                    out = loss if k < 2 else acc
                    out.extend(Stroke(x, y, pen, offs) for x, y in finite_runs(*curve))
        ends = []
        for i, pens in enumerate(self._pens):
            n = int(self._n[i]) if i < len(self._n) else 0
            y = float(self._y[i, 0, n - 1]) if n else math.nan
            if n and math.isfinite(y):
                path, pen, brush = pens[3]
                ends.append(Marker(float(self._x[i, n - 1]), y, path, pen, brush))
        self.layers[0].set_content(loss)
        self.layers[1].set_content(acc)
        self.ends.set_content((), ends)

    def _follow(self) -> None:
        n = self._n
        if not len(n) or not n.any():
            return
        xmax = max(float(self._x[i, n[i] - 1]) for i in range(len(n)) if n[i])
        xr = (0.0, nice_ceil(max(xmax, 10.0)))
        if xr != self._xrange:
            self._xrange = xr
            self.loss_plot.setXRange(*xr, padding=0.02)
            # Three labels whatever the width: pyqtgraph crowds a narrow axis.
            ticks = [(v, step_text(v)) for v in (0.0, xr[1] / 2, xr[1])]
            for plot in (self.loss_plot, self.acc_plot):
                plot.getAxis("bottom").setTicks([ticks, []])
        lo, hi = math.inf, -math.inf
        for i in range(len(n)):
            if n[i]:
                ys = self._y[i, :2, : n[i]]
                ys = ys[np.isfinite(ys)]
                if ys.size:
                    lo, hi = min(lo, float(ys.min())), max(hi, float(ys.max()))
        if lo <= hi:
            yr = sticky_range(self._yrange, lo, hi, True)
            if yr != self._yrange:
                self._yrange = yr
                self.loss_plot.setYRange(*yr, padding=0.03)

    def points(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Steps and training losses recorded for column ``i`` (copies; for tests)."""
        n = int(self._n[i])
        return self._x[i, :n].copy(), 10.0 ** self._y[i, 0, :n]

    def set_cursor(self, step: float | None) -> None:
        """Mark the step shown from history (``None``: live, no mark)."""
        for line in self.cursor:
            line.setVisible(step is not None)
            if step is not None:
                line.setPos(step)

    # ------------------------------------------------------------------ look
    def set_across(self, on: bool) -> None:
        """Loss and accuracy side by side (a row under the network lab's rows, where the
        screen is too narrow for the curves beside them) or stacked (a column)."""
        on = bool(on)
        if on == self._across:
            return
        self._across = on
        ci = self.view.ci
        ci.removeItem(self.acc_plot)
        ci.addItem(self.acc_plot, row=0 if on else 1, col=1 if on else 0)
        self.loss_plot.setLabel("bottom", "step" if on else None)
        self._fix_min_size()

    def _fix_min_size(self) -> None:
        w, h = theme.MIN_PLOT
        for plot in (self.loss_plot, self.acc_plot):
            plot.vb.setMinimumSize(w if self._across else 0, h if self._across else 0)
        if not self._across:
            self.view.setMinimumSize(w, 2 * h)
            return
        # a row: each view box at least MIN_PLOT, plus the axes around it (measured on
        # the scale's fonts, as the column rows do)
        axis = QFontMetrics(theme.font(self._scale.axis_pt))
        left = axis.horizontalAdvance("10⁻¹⁴") + 2 * axis.height() + 14
        self.view.setMinimumSize(2 * (w + left) + 28, h + 3 * axis.height() + 16)

    @property
    def across(self) -> bool:
        return self._across

    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        for plot in (self.loss_plot, self.acc_plot):
            theme.style_plot(plot, scale)
        self.smoothing_control.apply_scale(scale)
        self._style_curves()
        self._fix_min_size()
        self._place_head_controls()
