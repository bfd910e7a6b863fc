"""Variance per layer on a log axis: measured activations, theory at init, and gradients.

Three series over the layers (hidden layers, then the output):

* activation variance measured on the statistics batch (the column's colour, solid, ●);
* the variance mean-field theory predicts at initialisation for this initializer (dark grey,
  dashed, ○): where the measured points leave it, training has moved the network;
* the variance of the per-example gradient with respect to each layer's pre-activation
  (the column's colour, dotted, ▲): a slope towards the input means vanishing gradients,
  the other way exploding ones.

Values are drawn as ``log10``. An exact zero (a zero-initialised network's variance) has no
place on a log axis: it is drawn on a row of its own below the lowest decade, labelled
``0``, so the axis says 0 where the value is 0 (it used to stretch to ``10⁻²¹⁴``).
Infinities are clamped to ``1e300``; NaN (no theory for this initializer) leaves a gap.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QPen

from engine.display import sticky_range
from engine.series import finite_runs
from gui import theme
from gui.graphics import use_decade_ticks
from gui.panels.net_histogram_view import layer_ticks
from gui.stroke_layer import Marker, Stroke, StrokeLayer, cosmetic, offsets_for, symbol_path

FLOOR, CEIL = -300.0, 300.0
SYMBOLS = {"theory": "o", "act": "o", "grad": "t"}


def log_clamped(values: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``log10(values)`` into ``out``, NaN kept, 0 and inf clamped to +-300 decades."""
    np.copyto(out, values)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log10(out, out=out)
    nan = np.isnan(values)
    np.clip(out, FLOOR, CEIL, out=out)
    out[nan] = np.nan
    return out


MINOR_TICK_PX = 36  # below this many pixels per decade, only whole decades get ticks


def sparse_decade_ticks(axis: pg.AxisItem, zero_row=lambda: None) -> None:
    """Decade labels (:func:`~gui.graphics.use_decade_ticks`) with the 2..9 minor ticks and
    their grid lines left out where decades are too close to tell them apart: a short plot
    over many decades would otherwise draw and re-lay dozens of them.

    ``zero_row()`` gives the axis value where exact zeros are drawn (or None): it gets a
    major tick labelled ``0``.
    """
    use_decade_ticks(axis)
    decades = axis.logTickValues
    decade_strings = axis.logTickStrings

    def tick_values(min_val: float, max_val: float, size: float, std_ticks):
        levels = decades(min_val, max_val, size, std_ticks)
        if size < MINOR_TICK_PX * max(max_val - min_val, 1e-12):
            levels = [levels[0], (None, [])]
        z = zero_row()
        if z is not None and min_val <= z <= max_val:
            # Decades too close to the zero row would print on top of its label.
            spacing, major = levels[0]
            gap = 0.35 * max(spacing, 1.0)
            major = [z] + [v for v in major if v - z > gap]
            levels = [(spacing, major), levels[1]]
        return levels

    def tick_strings(values, scale, spacing):
        z = zero_row()
        out = decade_strings(values, scale, spacing)
        if z is not None:
            out = ["0" if abs(v - z) < 1e-9 else s for v, s in zip(values, out, strict=True)]
        return out

    axis.logTickValues = tick_values
    axis.logTickStrings = tick_strings


def zero_row_below(lo: float, hi: float) -> float:
    """Axis value (log10 units) of the row for exact zeros under a range ``lo..hi``: half a
    decade or a sixth of the span below ``lo``, whichever is more."""
    return lo - max(0.5, (hi - lo) / 6.0)


class NetVarianceView:
    """The variance plot of one column.

    The three lines and every marker are one :class:`~gui.stroke_layer.StrokeLayer`: a
    picture costs one ``set_content`` and the repaint one Python ``paint`` call, where a
    curve item per series and a marker item per point cost dozens.
    """

    SERIES = ("theory", "grad", "act")

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getAxis("left").setLogMode(True)
        self._zero_row: float | None = None
        sparse_decade_ticks(plot.getAxis("left"), lambda: self._zero_row)
        # A short plot: decade labels sit near the ends; draw them rather than drop them.
        plot.getAxis("left").setStyle(hideOverlappingLabels=False)
        plot.showGrid(x=False, y=True, alpha=0.2)
        self.n = 0
        self._range: tuple[float, float] | None = None
        self._x = np.zeros(0)
        self._y = {k: np.zeros(0) for k in self.SERIES}
        self.layer = StrokeLayer(antialias=True)
        plot.addItem(self.layer, ignoreBounds=True)
        self._scale = theme.NORMAL
        self._colour = QColor(theme.INK)
        self._pens: dict[str, tuple[QPen, tuple]] = {}
        self._marks: dict[str, tuple] = {}
        self.set_scale(theme.NORMAL, None)

    def set_scale(self, scale: theme.Scale, style: theme.RunStyle | None) -> None:
        """Pens and markers for ``scale`` in the column's ``style``."""
        self._scale = scale
        if style is not None:
            self._colour = QColor(style.colour)
        colour = self._colour
        w = 1.5 * scale.factor

        def line(c: QColor, width: float, dashes: list[float] | None) -> tuple[QPen, tuple]:
            pen = cosmetic(QPen(c))
            if dashes:
                # Qt counts dashes in pen widths: scale them as a pen of ``width`` would.
                pen.setDashPattern([d * width for d in dashes])
            return pen, offsets_for(width)

        self._pens = {
            "theory": line(QColor(theme.MUTED), w, [4.0, 2.0]),
            "act": line(colour, w + 0.5, None),
            "grad": line(colour, w, [1.0, 2.0]),
        }
        size = 6.0 * scale.factor

        def mark(kind: str, size: float, brush: QBrush, pen: QPen) -> tuple:
            pen = QPen(pen)
            pen.setCosmetic(True)
            return symbol_path(SYMBOLS[kind], size), pen, brush

        self._marks = {
            "theory": mark("theory", size, pg.mkBrush("#ffffff"), pg.mkPen(theme.MUTED, width=1.2)),
            "act": mark("act", size + 1, pg.mkBrush(colour), pg.mkPen(theme.INK, width=0.8)),
            "grad": mark(
                "grad", size + 1, pg.mkBrush(colour.lighter(130)), pg.mkPen(theme.INK, width=0.8)
            ),
        }
        self._draw()

    def set_layers(self, n_layers: int) -> None:
        """``n_layers`` dense layers (hidden + output)."""
        self.n = n_layers
        self._x = np.arange(1, n_layers + 1, dtype=np.float64)
        self._y = {k: np.full(n_layers, np.nan) for k in self.SERIES}
        self.layer.set_content()
        self._range = self._zero_row = None
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
        buf = np.empty(self.n)
        zeros = {}
        for k in self.SERIES:
            name = fields[k]
            for j, layer in enumerate(layers):
                buf[j] = getattr(layer, name)
            zeros[k] = buf == 0.0
            y = log_clamped(buf, np.empty(self.n))
            y[zeros[k]] = np.nan  # placed on the zero row below, once the range is known
            self._y[k] = y
        values = np.concatenate([self._y[k] for k in self.SERIES])
        values = values[~np.isnan(values)]
        r = self._range
        if values.size:
            r = sticky_range(self._range, float(values.min()), float(values.max()), True)
        elif r is None:
            r = (-1.0, 1.0)
        any_zero = any(z.any() for z in zeros.values())
        zero_row = zero_row_below(*r) if any_zero else None
        for k in self.SERIES:
            self._y[k][zeros[k]] = zero_row if any_zero else np.nan
        if (r, zero_row) != (self._range, self._zero_row):
            self._range, self._zero_row = r, zero_row
            self.plot.setYRange(r[0] if zero_row is None else zero_row, r[1], padding=0.1)
            self.plot.getAxis("left").picture = None
            self.plot.getAxis("left").update()
        self._draw()

    @property
    def zero_row(self) -> float | None:
        """Axis value where exact zeros are drawn (labelled 0), None when there are none."""
        return self._zero_row

    def _draw(self) -> None:
        strokes, markers = [], []
        x = self._x
        for k in self.SERIES:
            y = self._y[k]
            if len(y) != len(x):
                continue
            pen, offsets = self._pens[k]
            for xs, ys in finite_runs(x, y):
                strokes.append(Stroke(xs, ys, pen, offsets))
        # Markers over every line, in series order (as the lines).
        for k in self.SERIES:
            y = self._y[k]
            if len(y) != len(x):
                continue
            path, pen, brush = self._marks[k]
            for xj, yj in zip(x.tolist(), y.tolist(), strict=True):
                if not math.isnan(yj):
                    markers.append(Marker(xj, yj, path, pen, brush))
        self.layer.set_content(strokes, markers)
