"""Plot helpers shared by the panels: item caching, decade ticks, a plot with a backdrop.

Thick trajectories are drawn by :mod:`gui.stroke_layer`.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPixmapCache
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
)

from engine.display import decade_label, decade_ticks
from gui import theme

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


def log_step_plot(left_label: str) -> pg.PlotWidget:
    """A small plot of a log-scale quantity against the step, set up as every card's is.

    Panel background, no focus, menu or auto-range button, a faint grid, decade labels on
    the log axis (:func:`use_decade_ticks`), ``left_label`` on the left and "step" below.
    """
    widget = pg.PlotWidget()
    widget.setBackground(theme.PANEL_BG)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    plot = widget.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setLogMode(y=True)
    use_decade_ticks(plot.getAxis("left"))
    plot.setLabel("left", left_label)
    plot.setLabel("bottom", "step")
    return widget


def fit_left_label(plot_item: pg.PlotItem, labels: tuple[str, ...], fallback: float) -> str:
    """Show on the left axis the longest of ``labels`` (longest first) that fits its
    height whole, else the last; return the one shown.

    pyqtgraph clips a rotated label at the plot's height ("ss f (log" on a 1280x720
    projector), which can read as another quantity. ``fallback`` is the room in pixels
    assumed before the axis has been laid out.
    """
    axis = plot_item.getAxis("left")
    room = axis.geometry().height() or fallback
    metrics = QFontMetricsF(axis.label.font())
    text = next((t for t in labels if metrics.horizontalAdvance(t) + 8 <= room), labels[-1])
    if axis.labelText != text or not axis.label.isVisible():
        plot_item.setLabel("left", text)
    return text


def use_decade_ticks(axis: pg.AxisItem) -> None:
    """Label a log axis at whole decades only (minor ticks stay, unlabelled).

    pyqtgraph labels the 2..9 minor ticks whenever fewer than three tick levels exist,
    which on a short plot piles labels on top of each other.
    """

    def tick_values(min_val: float, max_val: float, size: float, std_ticks):
        return decade_ticks(min_val, max_val, size)

    def tick_strings(values, scale, spacing):
        return [decade_label(v) for v in values]

    axis.logTickValues = tick_values
    axis.logTickStrings = tick_strings
    axis.picture = None
    axis.update()


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
