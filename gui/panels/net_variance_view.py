"""Variance per layer on a log axis: measured activations, theory at init, and gradients.

Three series over the layers (hidden layers, then the output):

* activation variance measured on the statistics batch (the column's colour, solid, ●);
* the variance mean-field theory predicts at initialisation for this initializer (dark grey,
  dashed, ○): where the measured points leave it, training has moved the network;
* the variance of the per-example gradient with respect to each layer's pre-activation
  (the column's colour, dotted, ▲): a slope towards the input means vanishing gradients,
  the other way exploding ones.

Values are drawn as ``log10`` in pre-allocated buffers; zeros and infinities are clamped to
``1e-300`` and ``1e300`` so the plot never warns and a collapsed layer stays visible at the
bottom of the axis.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from gui import theme
from gui.graphics import MarkerItem, use_decade_ticks
from gui.panels.net_histogram_view import layer_ticks
from gui.plotting import snapped_range

FLOOR, CEIL = -300.0, 300.0


def log_clamped(values: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``log10(values)`` into ``out``, NaN kept, 0 and inf clamped to +-300 decades."""
    np.copyto(out, values)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log10(out, out=out)
    nan = np.isnan(values)
    np.clip(out, FLOOR, CEIL, out=out)
    out[nan] = np.nan
    return out


def sticky_range(
    current: tuple[float, float] | None, lo: float, hi: float, log: bool
) -> tuple[float, float]:
    """An axis range for data in [lo, hi] that changes as rarely as possible.

    It grows (to :func:`~gui.plotting.snapped_range`) only when the data leave it and
    shrinks only when they fill less than a quarter of it: every change of range repaints
    the axis and its grid, the most expensive thing in a small plot.
    """
    if current is not None:
        a, b = current
        inside = a <= lo and hi <= b
        if inside and (hi - lo) >= 0.25 * (b - a):
            return current
        if not inside:
            # Grow over what was shown too, so the range does not swing back and forth.
            lo, hi = min(lo, a), max(hi, b)
    return snapped_range(lo, hi, log)


class NetVarianceView:
    """The variance plot of one column.

    Lines are plain curves and points are :class:`~gui.graphics.MarkerItem` s moved with
    ``setPos``: a ScatterPlotItem rebuilt per picture cost several times more.
    """

    SERIES = ("theory", "grad", "act")

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getAxis("left").setLogMode(True)
        use_decade_ticks(plot.getAxis("left"))
        # A short plot: decade labels sit near the ends; draw them rather than drop them.
        plot.getAxis("left").setStyle(hideOverlappingLabels=False)
        plot.showGrid(x=False, y=True, alpha=0.2)
        self.n = 0
        self._range: tuple[float, float] | None = None
        self._x = np.zeros(0)
        self._y = {k: np.zeros(0) for k in self.SERIES}
        self._buf = np.zeros(0)
        self.lines = {k: pg.PlotCurveItem(connect="finite") for k in self.SERIES}
        self.markers: dict[str, list[MarkerItem]] = {k: [] for k in self.SERIES}
        for z, k in enumerate(self.SERIES):
            self.lines[k].setZValue(z)
            plot.addItem(self.lines[k])
        self._scale = theme.NORMAL
        self._colour = QColor(theme.INK)
        self.set_scale(theme.NORMAL, None)

    def set_scale(self, scale: theme.Scale, style: theme.RunStyle | None) -> None:
        """Pens and markers for ``scale`` in the column's ``style``."""
        self._scale = scale
        if style is not None:
            self._colour = QColor(style.colour)
        colour = self._colour
        w = 1.5 * scale.factor
        grey = QColor(theme.MUTED)
        self.lines["theory"].setPen(pg.mkPen(grey, width=w, style=Qt.PenStyle.DashLine))
        self.lines["act"].setPen(pg.mkPen(colour, width=w + 0.5))
        self.lines["grad"].setPen(pg.mkPen(colour, width=w, style=Qt.PenStyle.DotLine))
        for k in self.SERIES:
            for m in self.markers[k]:
                self._style_marker(k, m)

    def _style_marker(self, kind: str, m: MarkerItem) -> None:
        size = 6.0 * self._scale.factor
        if kind == "theory":
            m.set_size(size)
            m.set_style(pg.mkBrush("#ffffff"), pg.mkPen(theme.MUTED, width=1.2))
        elif kind == "act":
            m.set_size(size + 1)
            m.set_style(pg.mkBrush(self._colour), pg.mkPen(theme.INK, width=0.8))
        else:
            m.set_size(size + 1)
            m.set_style(pg.mkBrush(self._colour.lighter(130)), pg.mkPen(theme.INK, width=0.8))

    def set_layers(self, n_layers: int) -> None:
        """``n_layers`` dense layers (hidden + output)."""
        self.n = n_layers
        self._x = np.arange(1, n_layers + 1, dtype=np.float64)
        self._y = {k: np.zeros(n_layers) for k in self.SERIES}
        self._buf = np.zeros(n_layers)
        for k in self.SERIES:
            for m in self.markers[k]:
                self.plot.removeItem(m)
            self.markers[k] = []
            for _ in range(n_layers):
                m = MarkerItem({"theory": "o", "act": "o", "grad": "t"}[k])
                m.setZValue(10 + self.SERIES.index(k))
                m.setVisible(False)
                self._style_marker(k, m)
                self.plot.addItem(m)
                self.markers[k].append(m)
            self.lines[k].setData([], [])
        self._range = None
        self.plot.setXRange(0.5, n_layers + 0.5, padding=0.0)
        ticks = layer_ticks(n_layers - 1)
        if ticks and n_layers - 1 - ticks[-1][0] < 1:
            ticks = ticks[:-1] if len(ticks) > 1 else ticks
        ticks = [*ticks, (n_layers, "out")]
        self.plot.getAxis("bottom").setTicks([ticks, []])

    def show(self, layers) -> None:
        if len(layers) != self.n:
            return
        fields = {"act": "act_var", "theory": "theory_act_var", "grad": "grad_pre_var"}
        lo, hi = math.inf, -math.inf
        for k in self.SERIES:
            name = fields[k]
            for j, layer in enumerate(layers):
                self._buf[j] = getattr(layer, name)
            y = log_clamped(self._buf, self._y[k])
            self.lines[k].setData(self._x, y)
            for j, m in enumerate(self.markers[k]):
                v = float(y[j])
                if math.isnan(v):
                    m.setVisible(False)
                else:
                    m.setPos(j + 1.0, v)
                    m.setVisible(True)
                    lo, hi = min(lo, v), max(hi, v)
        if lo <= hi:
            r = sticky_range(self._range, lo, hi, True)
            if r != self._range:
                self._range = r
                self.plot.setYRange(*r, padding=0.1)
