"""What the network computes on the data: decision regions (2-D) or the fitted curve (1-D).

Classification: the class probabilities on the engine's grid are shown as a pale mixture
of the class colours (certain regions full, uncertain ones washed out), the 50 % line of a
two-class problem as a dark contour, and the data on top: training points filled,
validation points hollow, one marker shape per class. Regression: the data as dots and the
network's curve in the column's colour.

The data items are set once per task; per picture only the image, the contour and the curve
get new arrays.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from engine.datasets import Dataset
from engine.drawing import contour_segments, region_image
from gui import theme
from gui.panels.net_image_item import RGBImageItem

# Class colours: blue and orange first (the pair most distinct for every colour vision),
# then the rest of Okabe-Ito. Regions use them washed out, points at full strength.
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
CLASS_SYMBOLS = ("o", "t", "s", "d", "p", "h", "star")


def class_rgb(k: int) -> np.ndarray:
    """(k, 3) float RGB of the first ``k`` class colours (cycling)."""
    out = np.empty((k, 3))
    for i in range(k):
        c = QColor(CLASS_COLOURS[i % len(CLASS_COLOURS)])
        out[i] = (c.red(), c.green(), c.blue())
    return out


class NetBoundaryView:
    """The data plot of one column."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        # The data's coordinates mean nothing to the lesson: the room goes to the picture.
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        self.kind = "classification"
        # The image and the contour change with every picture: items Qt paints on its own,
        # with no Python call per repaint (pyqtgraph's image and curve items make several).
        self.image = RGBImageItem()
        self.image.setZValue(-10)
        plot.addItem(self.image, ignoreBounds=True)
        self.contour = QGraphicsPathItem()
        self.contour.setPen(pg.mkPen(theme.INK, width=1.3, cosmetic=True))
        self.contour.setZValue(15)  # over the points: the boundary is the news
        plot.addItem(self.contour, ignoreBounds=True)
        self.train_pts = pg.ScatterPlotItem(pxMode=True)
        self.train_pts.setZValue(10)
        self.val_pts = pg.ScatterPlotItem(pxMode=True)
        self.val_pts.setZValue(11)
        for pts in (self.train_pts, self.val_pts):
            # The points never move: repaint them from a pixmap when the regions change.
            pts.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.addItem(pts)
        self.curve = pg.PlotDataItem()
        self.curve.setZValue(20)
        plot.addItem(self.curve)
        self._rgb = class_rgb(2)
        self._extent = (0.0, 1.0, 0.0, 1.0)
        self._data: Dataset | None = None
        self._point_size = 5.0
        self._grid_shape: tuple[int, int] | None = None

    def set_style(self, style: theme.RunStyle, scale: theme.Scale) -> None:
        self.curve.setPen(pg.mkPen(style.colour, width=2.5 * scale.factor))
        self._point_size = 3.6 * (1 + 0.5 * (scale.factor - 1))
        if self._data is not None:
            self._draw_data()

    def set_data(self, data: Dataset) -> None:
        """Draw the data set (once per task) and frame the plot on its extent."""
        self._data = data
        self.kind = data.kind
        self._extent = data.extent
        self._rgb = class_rgb(max(data.n_outputs, 2))
        x0, x1, y0, y1 = data.extent
        self._grid_shape = None
        self.image.setVisible(self.kind == "classification")
        self.contour.setVisible(self.kind == "classification")
        self.curve.setVisible(self.kind == "regression")
        self.image.clear()
        self.contour.setPath(QPainterPath())
        self.curve.setData([], [])
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.0)
        self.plot.getViewBox().setAspectLocked(self.kind == "classification")
        self._draw_data()

    def _draw_data(self) -> None:
        d = self._data
        s = self._point_size
        if d.kind == "regression":
            grey = QColor(theme.MUTED)
            grey.setAlpha(150)
            self.train_pts.setData(
                x=d.x_train[:, 0],
                y=d.y_train[:, 0],
                size=s * 0.8,
                brush=pg.mkBrush(grey),
                pen=pg.mkPen(None),
                symbol="o",
            )
            self.val_pts.setData(
                x=d.x_val[:, 0],
                y=d.y_val[:, 0],
                size=s * 0.8,
                brush=pg.mkBrush(None),
                pen=pg.mkPen(grey, width=1),
                symbol="o",
            )
            return
        for items, x, y, filled in (
            (self.train_pts, d.x_train, d.y_train, True),
            (self.val_pts, d.x_val, d.y_val, False),
        ):
            spots = []
            for c in range(max(d.n_outputs, 2)):
                sel = y == c
                if not np.any(sel):
                    continue
                col = QColor(CLASS_COLOURS[c % len(CLASS_COLOURS)])
                spots.append(
                    {
                        "x": x[sel, 0],
                        "y": x[sel, 1],
                        "symbol": CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)],
                        "brush": pg.mkBrush(col) if filled else pg.mkBrush("#ffffff"),
                        "pen": pg.mkPen(col.darker(170) if filled else col, width=0.8),
                    }
                )
            xs = np.concatenate([sp["x"] for sp in spots]) if spots else np.zeros(0)
            ys = np.concatenate([sp["y"] for sp in spots]) if spots else np.zeros(0)
            symbols, brushes, pens = [], [], []
            for sp in spots:
                k = len(sp["x"])
                symbols += [sp["symbol"]] * k
                brushes += [sp["brush"]] * k
                pens += [sp["pen"]] * k
            items.setData(x=xs, y=ys, symbol=symbols, brush=brushes, pen=pens, size=s)

    def show(self, col, boundary: np.ndarray | None) -> None:
        """Draw column snapshot ``col`` with the latest decision grid ``boundary``."""
        if self.kind == "regression":
            if col.curve_x is not None and col.curve_y is not None:
                y = np.nan_to_num(col.curve_y, nan=0.0, posinf=1e6, neginf=-1e6)
                self.curve.setData(col.curve_x, np.clip(y, -1e6, 1e6))
            return
        if boundary is None:
            return
        if boundary.shape[:2] != self._grid_shape:
            # Grid values sit at the pixel centres: the image reaches half a cell further.
            self._grid_shape = boundary.shape[:2]
            gy, gx = self._grid_shape
            x0, x1, y0, y1 = self._extent
            dx, dy = (x1 - x0) / max(gx - 1, 1), (y1 - y0) / max(gy - 1, 1)
            self.image.set_rect(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy)
        self.image.set_image(region_image(boundary, self._rgb))
        path = QPainterPath()
        if boundary.shape[-1] == 2:
            gy, gx = boundary.shape[:2]
            x0, x1, y0, y1 = self._extent
            segs = contour_segments(
                boundary[..., 1], np.array([0.5]), np.linspace(x0, x1, gx), np.linspace(y0, y1, gy)
            )
            if len(segs):
                path = pg.arrayToQPath(segs[:, 0], segs[:, 1], connect="pairs")
        self.contour.setPath(path)
