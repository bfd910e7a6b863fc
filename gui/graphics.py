"""Fast graphics items for the frame loop.

Qt's raster engine strokes a one-pixel cosmetic pen on a fast path; any wider antialiased pen
goes through the general stroker, which measured 50 times slower here (eight 3000-point
curves: 6.5 ms at width 1, 351 ms at width 2). :class:`ThickCurveItem` therefore draws a
thick line as a few one-pixel strokes of the same path shifted by whole device pixels: the
path is built once, dash patterns stay in phase, and the cost grows with the thickness
instead of exploding.

:class:`MarkerItem` is a run's head marker: a fixed symbol that ignores the view transform
and is moved with ``setPos``, instead of a ScatterPlotItem rebuilt by ``setData`` each frame.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen, QPixmapCache, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
)

# Device-pixel offsets giving a line of about 1, 2, 3 and 4 pixels in every direction.
_OFFSETS: dict[int, tuple[tuple[float, float], ...]] = {
    1: ((0.0, 0.0),),
    2: ((0.0, 0.0), (0.75, 0.0), (0.0, 0.75)),
    3: ((-0.75, 0.0), (0.75, 0.0), (0.0, -0.75), (0.0, 0.75), (0.0, 0.0)),
    4: ((-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0), (-0.5, -0.5), (0.5, 0.5), (0.0, 0.0)),
}


class ThickCurveItem(pg.PlotCurveItem):
    """A PlotCurveItem whose line is ``thickness`` device pixels wide, drawn cheaply.

    The pen must be cosmetic; its width is forced to 1 and :meth:`set_thickness` sets how
    wide the line looks. Use it for opaque lines: overlapping translucent strokes would
    add up.
    """

    def __init__(self, *args, thickness: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._offsets = _OFFSETS[1]
        self.set_thickness(thickness)

    def set_thickness(self, thickness: float) -> None:
        k = max(1, min(4, round(thickness)))
        self._offsets = _OFFSETS[k]
        self._pad = 1.0 if k > 1 else 0.0
        self.prepareGeometryChange()
        self.update()

    def setPen(self, *args, **kwargs) -> None:
        pen = pg.mkPen(*args, **kwargs)
        pen.setWidthF(1.0)
        pen.setCosmetic(True)
        super().setPen(pen)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        # The frame loop's data are finite (clamped before setData), so plain min/max do;
        # pyqtgraph's general version pays for nanmin and a warnings context each call.
        if frac < 1.0 or orthoRange is not None or self.opts["fillLevel"] is not None:
            return super().dataBounds(ax, frac, orthoRange)
        cache = self._boundsCache[ax]
        if cache is not None and cache[0] == (frac, orthoRange):
            return cache[1]
        x, y = self.getData()
        if x is None or len(x) == 0:
            return (None, None)
        d = x if ax == 0 else y
        lo, hi = float(d.min()), float(d.max())
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return super().dataBounds(ax, frac, orthoRange)
        self._boundsCache[ax] = [(frac, orthoRange), (lo, hi)]
        return (lo, hi)

    def pixelPadding(self) -> float:
        return super().pixelPadding() + self._pad

    def viewTransformChanged(self) -> None:
        self._pixel = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        # As pyqtgraph's, but the pixel size is kept until the view changes: new data
        # every frame must not cost a device-transform inversion per curve.
        if self._boundingRect is None:
            xmn, xmx = self.dataBounds(0)
            ymn, ymx = self.dataBounds(1)
            if xmn is None or ymn is None:
                return QRectF()
            if getattr(self, "_pixel", None) is None:
                pv = self.pixelVectors()
                try:
                    self._pixel = tuple(0.0 if v is None else v.length() for v in pv)
                except OverflowError:
                    self._pixel = (0.0, 0.0)
            pad = self.pixelPadding()
            px, py = self._pixel[0] * pad, self._pixel[1] * pad
            self._boundingRect = QRectF(xmn - px, ymn - py, 2 * px + xmx - xmn, 2 * py + ymx - ymn)
        return self._boundingRect

    def paint(self, p: QPainter, opt, widget) -> None:
        pen = self.opts["pen"]
        simple = (
            self.opts["fillLevel"] is None
            and self.opts["shadowPen"] is None
            and self.opts["compositionMode"] is None
            and not self.opts["stepMode"]
        )
        if not simple or self._exportOpts is not False:
            # Anything unusual (fills, exports): pyqtgraph's own paint, once per offset.
            base = p.transform()
            for dx, dy in self._offsets:
                p.setTransform(base * QTransform.fromTranslate(dx, dy))
                super().paint(p, opt, widget)
            p.setTransform(base)
            return
        if self.xData is None or len(self.xData) == 0 or pen is None:
            return
        # The fast path: one QPainterPath, stroked once per offset with a 1-pixel pen.
        path = self.getPath()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, bool(self.opts["antialias"]))
        p.setPen(pen)
        if len(self._offsets) == 1:
            p.drawPath(path)
            return
        base = p.transform()
        for dx, dy in self._offsets:
            p.setTransform(base * QTransform.fromTranslate(dx, dy))
            p.drawPath(path)
        p.setTransform(base)


class MarkerItem(QGraphicsPathItem):
    """A marker of fixed screen size (pyqtgraph symbol name), moved with ``setPos``."""

    def __init__(self, symbol: str = "o", size: float = 12.0) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self._symbol = symbol
        self._size = size
        self._rebuild()

    def _rebuild(self) -> None:
        # pyqtgraph's symbol paths are unit-sized with y pointing down the screen.
        tr = QTransform.fromScale(self._size, self._size)
        self.setPath(tr.map(Symbols[self._symbol]))

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self._rebuild()

    def set_size(self, size: float) -> None:
        self._size = float(size)
        self._rebuild()

    def set_style(self, brush: QBrush, pen: QPen) -> None:
        self.setBrush(brush)
        pen = QPen(pen)
        pen.setCosmetic(True)
        self.setPen(pen)

    def paint(self, p: QPainter, opt, widget=None) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        super().paint(p, opt, widget)

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-2, -2, 2, 2)


class ThickPlotDataItem(pg.PlotDataItem):
    """A PlotDataItem (downsampling, clip-to-view) whose curve is a :class:`ThickCurveItem`."""

    def __init__(self, *args, thickness: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        old = self.curve
        old.setParentItem(None)
        self.curve = ThickCurveItem(thickness=thickness)
        self.curve.setParentItem(self)
        self.curve.sigClicked.connect(self.sigClicked)
        self.updateItems()

    def set_thickness(self, thickness: float) -> None:
        self.curve.set_thickness(thickness)


# Item caches live in QPixmapCache, 10 MB by default. A plot-sized pixmap at 1920x1080 is
# about 2.7 MB, so the heatmap, contours, trajectories, axes and legends of both plots did
# not fit: they evicted one another and were re-rendered every few frames (measured: the
# landscape's paint went from 5 to 17 ms on those frames).
PIXMAP_CACHE_KB = 96 * 1024


def speed_up_plot(plot_item: pg.PlotItem) -> None:
    """Cache axis pictures (tick labels and grid) as pixmaps and drop the scene's index.

    An axis is re-laid only when its range changes (the panels snap ranges so that is
    rare), yet without a cache it replays its whole picture, grid lines and text, whenever a
    curve under it moves. The scene's BSP index only pays off for static scenes; ours move
    every frame. Also makes the pixmap cache large enough for every cached item.

    Views repaint the bounding rectangle of what changed, not the exact region: items that
    draw only where they changed (``StrokeLayer(tight=True)``, growing layers) leave a few
    scattered rectangles, and Qt's raster engine strokes antialiased lines several times
    slower under a many-rectangle clip than under one rectangle (measured at 1920x1080 with
    the internals overlay: 11 ms a frame with the exact region, 6 ms with its bounds).
    """
    if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
        QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
    for name in ("left", "bottom", "right", "top"):
        ax = plot_item.getAxis(name)
        ax.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    scene = plot_item.scene()
    if scene is not None:
        scene.setItemIndexMethod(scene.ItemIndexMethod.NoIndex)
        for view in scene.views():
            view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)


# Labelled decades on one axis at most; a range of 600 decades (a run far out of range)
# once made the old tick code list every one of them and freeze the window.
MAX_DECADE_TICKS = 12


def decade_ticks(min_val: float, max_val: float, size: float) -> list:
    """Ticks of a log axis showing ``log10`` values ``min_val..max_val`` on ``size`` pixels.

    Returns
    -------
    list
        pyqtgraph's tick levels: ``[(spacing, majors), (None, minors)]``. Majors are whole
        decades, every ``spacing``-th one so that at most about one per 28 pixels and never
        more than :data:`MAX_DECADE_TICKS` are labelled; minors (log10 of 2..9 times a
        decade) only when the range spans six decades or fewer. The work is bounded by the
        number of ticks returned, not by the range, and a non-finite or empty range gives
        no ticks.
    """
    if not (math.isfinite(min_val) and math.isfinite(max_val)) or max_val < min_val:
        return [(1.0, []), (None, [])]
    lo, hi = math.ceil(min_val), math.floor(max_val)
    room = min(MAX_DECADE_TICKS, max(2, int(size // 28) if math.isfinite(size) else 2))
    count = hi - lo + 1  # whole decades inside the range
    step = max(1, math.ceil(count / room))
    # Multiples of the step, so the labelled decades stay put while the range moves.
    first = math.ceil(lo / step) * step
    major = [float(v) for v in range(first, hi + 1, step)]
    minor = []
    if max_val - min_val <= 6:
        for v in range(math.floor(min_val), math.ceil(max_val)):
            minor.extend(v + math.log10(k) for k in range(2, 10))
        minor = [m for m in minor if min_val < m < max_val]
    return [(1.0 * step, major), (None, minor)]


def use_decade_ticks(axis: pg.AxisItem) -> None:
    """Label a log axis at whole decades only (minor ticks stay, unlabelled).

    pyqtgraph labels the 2..9 minor ticks whenever fewer than three tick levels exist,
    which on a short plot piles labels on top of each other.
    """

    def tick_values(min_val: float, max_val: float, size: float, std_ticks):
        return decade_ticks(min_val, max_val, size)

    def tick_strings(values, scale, spacing):
        out = []
        for v in values:
            if abs(v - round(v)) > 1e-9:
                out.append("")
                continue
            e = round(v)
            if -3 <= e <= 3:
                out.append(f"{10.0**e:g}")
            else:
                out.append("10" + str(e).translate(_SUPERSCRIPT))
        return out

    axis.logTickValues = tick_values
    axis.logTickStrings = tick_strings
    axis.picture = None
    axis.update()


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class BackdropPlotWidget(pg.PlotWidget):
    """A PlotWidget that paints chosen static items into the view's cached background.

    QGraphicsView keeps its background in one opaque pixmap of the viewport's size and
    copies it at the start of every paint. Items moved there (:meth:`set_backdrop`) are
    painted only when :meth:`refresh_backdrop` is called (after a zoom, a pan or new
    content), instead of being blended in one by one each frame: at 1920x1080 each full-view
    item pixmap cost 0.3-0.6 ms per frame. The items stay in the scene, hidden.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._backdrop: list[QGraphicsItem] = []

    def set_backdrop(self, items: list[QGraphicsItem]) -> None:
        """Paint ``items`` (bottom first) into the background instead of the scene."""
        self._backdrop = list(items)
        for item in self._backdrop:
            item.setVisible(False)
        self.refresh_backdrop()

    def refresh_backdrop(self) -> None:
        """Repaint the background (the backdrop items or the view changed)."""
        self.resetCachedContent()
        self.viewport().update()

    def drawBackground(self, p: QPainter, rect: QRectF) -> None:
        super().drawBackground(p, rect)
        if not self._backdrop:
            return
        vb = self.getPlotItem().getViewBox()
        p.save()
        try:
            # Only the view box: items never draw over the axes (the scene would clip them).
            p.setClipRect(vb.sceneBoundingRect(), Qt.ClipOperation.IntersectClip)
            base = p.transform()
            for item in self._backdrop:
                p.setTransform(item.sceneTransform() * base)
                item.paint(p, QStyleOptionGraphicsItem(), self.viewport())
        finally:
            p.restore()
