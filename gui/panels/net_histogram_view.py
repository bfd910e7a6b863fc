"""Activation histograms of every hidden layer, on bins shared by all layers.

The engine bins each layer on its own edges, fixed at initialisation (for tanh and sigmoid
the activation's range, for unbounded activations the range seen at step 0 with room to
grow). To compare layers, and columns, the histograms are moved onto one set of *shared*
edges per activation (:func:`engine.histograms.shared_range`). Where a layer's edges already
are the shared ones (tanh, sigmoid) this is an exact copy; otherwise
:func:`engine.histograms.rebin` spreads each bin's mass evenly over its width, and mass
beyond the shared range lands in the end bins, as the engine does with outliers. A
vanishing layer thus shows as one bright bin at 0 and an
exploding one as mass piled against the ends.

Two views of the same (layers x bins) matrix, switched with :meth:`set_mode`:

* ``"strip"``: a heat strip, one row per layer (layer 1 at the top), each row scaled to its
  own peak so a spread-out layer is as visible as a collapsed one;
* ``"stacked"``: small filled histograms stacked in the same order, heights scaled to each
  layer's peak.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem

from engine.histograms import rebin
from gui import theme
from gui.panels.net_image_item import RGBImageItem, lookup

BINS = 40


def layer_ticks(n: int, first: int = 1) -> list[tuple[int, str]]:
    """About four labelled layers from ``first`` to ``n``, always both ends."""
    if n < first:
        return []
    step = max(1, math.ceil((n - first) / 3))
    ticks = list(range(first, n, step))
    if ticks and n - ticks[-1] < 0.6 * step and len(ticks) > 1:
        ticks.pop()
    ticks.append(n)
    return [(k, str(k)) for k in ticks]


def stacked_path(scaled: np.ndarray, edges: np.ndarray) -> QPainterPath:
    """Filled step outlines of each row of ``scaled`` (values in [0, 1]), one per layer.

    Row ``k`` stands on the baseline ``k + 3/2`` of an inverted axis and rises by up to
    0.92 of a row, so neighbouring layers never overlap.

    Parameters
    ----------
    scaled : ndarray, shape (layers, bins)
    edges : ndarray, shape (bins + 1,)
    """
    n, bins = scaled.shape
    # per row: (e0, base), then (e_j, y_j), (e_j+1, y_j) for every bin, then (e_bins, base)
    xs = np.empty((n, 2 * bins + 2))
    xs[:, 0] = edges[0]
    xs[:, 1:-1:2] = edges[:-1]
    xs[:, 2:-1:2] = edges[1:]
    xs[:, -1] = edges[-1]
    base = np.arange(n, dtype=np.float64)[:, None] + 1.5
    ys = np.empty_like(xs)
    ys[:, 0:1] = base
    ys[:, -1:] = base
    top = base - 0.92 * scaled
    ys[:, 1:-1:2] = top
    ys[:, 2:-1:2] = top
    connect = np.ones(xs.shape, dtype=np.int32)
    connect[:, -1] = 0  # each row its own subpath (closed along its baseline when filled)
    return pg.arrayToQPath(xs.ravel(), ys.ravel(), connect=connect.ravel())


class NetHistogramView:
    """The histogram plot of one column: a heat strip and a stacked view of the same data.

    Parameters
    ----------
    plot : pyqtgraph.PlotItem
        The plot to draw in (owned by the column panel).
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.mode = "strip"
        self.n_layers = 0
        self.edges = np.linspace(-1.0, 1.0, BINS + 1)
        self.matrix = np.zeros((0, BINS))
        self._style: theme.RunStyle | None = None
        self._lut = np.zeros((256, 3), dtype=np.uint8)
        self.image = RGBImageItem()
        self.image.setZValue(-10)
        plot.addItem(self.image, ignoreBounds=True)
        # Every layer's filled histogram is one subpath of one path item, painted by Qt
        # alone (a filled curve item per layer costs Python calls on every repaint).
        self.stacked = QGraphicsPathItem()
        self.stacked.setVisible(False)
        plot.addItem(self.stacked, ignoreBounds=True)
        plot.invertY(True)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        left = plot.getAxis("left")
        left.setStyle(tickLength=0)

    def set_style(self, style: theme.RunStyle) -> None:
        """Colour the view for its column (white to the column's colour)."""
        self._style = style
        c = QColor(style.colour)
        stops = np.array([0.0, 0.35, 1.0])
        white = np.array([255, 255, 255, 255])
        full = np.array([c.red(), c.green(), c.blue(), 255])
        mid = (0.55 * white + 0.45 * full).round()
        # Darken the peak a little so yellow and sky blue still read as "a lot".
        dark = (full * 0.8).round()
        cmap = pg.ColorMap(stops, np.stack([white, mid, dark]).astype(np.ubyte))
        self._lut = np.asarray(cmap.getLookupTable(nPts=256))[:, :3].astype(np.uint8)
        pen = pg.mkPen(QColor(style.colour).darker(130), width=1, cosmetic=True)
        brush = pg.mkBrush(style.qcolor(140))
        self.stacked.setPen(pen)
        self.stacked.setBrush(brush)
        self._draw()

    def set_layers(self, n_layers: int, value_range: tuple[float, float]) -> None:
        """Prepare for ``n_layers`` hidden layers binned on ``value_range`` (no frame loop)."""
        lo, hi = value_range
        self.edges = np.linspace(lo, hi, BINS + 1)
        self.n_layers = n_layers
        self.matrix = np.zeros((n_layers, BINS))
        self.image.set_rect(lo, 0.5, hi - lo, max(n_layers, 1))
        if self._style is not None:
            self.set_style(self._style)
        else:
            self._draw()
        self.plot.setXRange(lo, hi, padding=0.0)
        self.plot.setYRange(0.5, n_layers + 0.5, padding=0.0)
        self.plot.getAxis("left").setTicks([layer_ticks(n_layers), []])

    def set_mode(self, mode: str) -> None:
        if mode not in ("strip", "stacked"):
            raise ValueError(f"histogram mode must be strip or stacked; got {mode!r}")
        self.mode = mode
        self.image.setVisible(mode == "strip")
        self.stacked.setVisible(mode == "stacked")
        self._draw()

    def show(self, layers) -> None:
        """Draw the hidden layers of ``layers`` (a tuple of LayerStats, output last)."""
        hidden = layers[: self.n_layers]
        m = self.matrix
        for k, layer in enumerate(hidden):
            m[k] = rebin(layer.hist, layer.edges, self.edges)
        self._draw()

    def _draw(self) -> None:
        m = self.matrix
        if m.shape[0] == 0:
            self.image.clear()
            self.stacked.setPath(QPainterPath())
            return
        peak = m.max(axis=1, keepdims=True)
        scaled = np.divide(m, peak, out=np.zeros_like(m), where=peak > 0)
        if self.mode == "strip":
            self.image.set_image(lookup(scaled, self._lut))
        else:
            self.stacked.setPath(stacked_path(scaled, self.edges))
