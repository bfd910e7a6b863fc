"""A small RGB image shown on a data rectangle, painted by Qt alone (no Python per paint).

pyqtgraph's ImageItem runs Python on every repaint (``paint``, ``boundingRect``, the level
and lookup-table checks of ``render``) and every ``setImage``; the network lab's images are
tiny (40 x 10 histogram bins, a 48 x 48 decision grid) and already coloured in numpy, so
a :class:`QGraphicsPixmapItem` scaled onto the data rectangle does the same job with all of
its painting in C++.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsPixmapItem


class RGBImageItem(QGraphicsPixmapItem):
    """An ``(h, w, 3)`` uint8 image whose pixel ``[r, c]`` covers one cell of a data rect.

    Row 0 lies at the rectangle's ``y`` (the top on an inverted axis, the bottom on a
    normal one), as pyqtgraph's row-major ImageItem; pixels are drawn as sharp cells.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self._shape: tuple[int, int] | None = None
        self._rect = (0.0, 0.0, 1.0, 1.0)

    def set_image(self, rgb: np.ndarray) -> None:
        """Show ``rgb`` (shape (h, w, 3), uint8) on the rectangle set by :meth:`set_rect`."""
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        h, w = rgb.shape[:2]
        # QImage borrows the buffer; QPixmap.fromImage copies it before we return.
        img = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self.setPixmap(QPixmap.fromImage(img))
        if self._shape != (h, w):
            self._shape = (h, w)
            self._place()

    def set_rect(self, x: float, y: float, width: float, height: float) -> None:
        """The data rectangle the whole image covers."""
        self._rect = (float(x), float(y), float(width), float(height))
        self._place()

    def clear(self) -> None:
        self.setPixmap(QPixmap())
        self._shape = None

    def _place(self) -> None:
        if self._shape is None:
            return
        h, w = self._shape
        x, y, width, height = self._rect
        self.setTransform(QTransform(width / w, 0.0, 0.0, height / h, x, y))


def lookup(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Colours of ``values`` in [0, 1] from a lookup ``table`` of shape (n, 3 or 4).

    Value ``v`` takes entry ``floor(v * n)`` clipped to ``[0, n - 1]`` (pyqtgraph's rule for
    levels (0, 1)); NaN takes entry 0.

    Returns
    -------
    ndarray of uint8, shape values.shape + (3,)
    """
    n = table.shape[0]
    idx = np.nan_to_num(np.asarray(values, dtype=np.float64) * n, nan=0.0)
    idx = np.clip(idx, 0, n - 1).astype(np.intp)
    return np.ascontiguousarray(table[idx, :3], dtype=np.uint8)
