"""Plot helpers shared by the panels: item caching, decade ticks, a plot with a backdrop.

Thick trajectories are drawn by :mod:`gui.stroke_layer`.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPixmapCache
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
)

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
