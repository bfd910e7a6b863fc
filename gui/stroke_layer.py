"""One graphics item that draws many polylines and markers in a single paint call.

A pyqtgraph curve is a Python object per line: every ``setData`` re-runs bounds, geometry
and signal bookkeeping, and every frame the scene asks each item for its bounding rect and
calls its Python ``paint``. With a dozen lines and markers per run and eight runs that
bookkeeping, not the drawing, was most of the GUI thread's time per frame.

:class:`StrokeLayer` instead takes plain arrays. Its ``paint`` maps all of them to device
pixels with one affine transform in numpy, then strokes them with one-pixel cosmetic pens,
Qt's fast path. A line wider than a pixel is drawn as a few one-pixel strokes shifted by
whole device pixels (see :data:`OFFSETS`): an antialiased wide pen goes through Qt's general
stroker, which measured 50 times slower (eight 3000-point curves: 6.5 ms at width 1,
351 ms at width 2). Markers are fixed-size symbol paths drawn at their device position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform

from gui.plotting import simplify_polyline

# Device-pixel offsets giving a line of about 1, 2, 3 and 4 pixels in every direction.
OFFSETS: dict[int, tuple[tuple[float, float], ...]] = {
    1: ((0.0, 0.0),),
    2: ((0.0, 0.0), (0.75, 0.0), (0.0, 0.75)),
    3: ((-0.75, 0.0), (0.75, 0.0), (0.0, -0.75), (0.0, 0.75), (0.0, 0.0)),
    4: ((-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0), (-0.5, -0.5), (0.5, 0.5), (0.0, 0.0)),
}

# Device coordinates are clamped to this many pixels: Qt's rasteriser slows to a crawl (or
# draws nothing) on the huge coordinates a diverging run produces, and a clamped segment
# still shows the run leaving the view in the right direction.
DEVICE_LIMIT = 30_000.0


def offsets_for(thickness: float) -> tuple[tuple[float, float], ...]:
    """The one-pixel strokes that make a line about ``thickness`` pixels wide (1 to 4)."""
    return OFFSETS[max(1, min(4, round(thickness)))]


def symbol_path(symbol: str, size: float) -> QPainterPath:
    """pyqtgraph's marker ``symbol`` scaled to ``size`` pixels (y pointing down the screen)."""
    return QTransform.fromScale(size, size).map(Symbols[symbol])


def cosmetic(pen: QPen) -> QPen:
    """A copy of ``pen``, one device pixel wide (its dash pattern kept in pixels)."""
    pen = QPen(pen)
    pen.setWidthF(1.0)
    pen.setCosmetic(True)
    return pen


@dataclass(frozen=True)
class Stroke:
    """One polyline: ``x`` and ``y`` (shape (n,)) in the item's data coordinates."""

    x: np.ndarray
    y: np.ndarray
    pen: QPen
    offsets: tuple[tuple[float, float], ...] = OFFSETS[1]


@dataclass(frozen=True)
class Marker:
    """A fixed-size symbol centred on (x, y), in data coordinates."""

    x: float
    y: float
    path: QPainterPath
    pen: QPen
    brush: QBrush


def to_device(x: np.ndarray, y: np.ndarray, t: QTransform) -> np.ndarray:
    """Map data points to device pixels with an affine ``t``, clamped and made finite.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
    t : QTransform
        Affine (no perspective), as QPainter.transform() gives inside paint.

    Returns
    -------
    ndarray, shape (n, 2)
        Device coordinates, each within +-DEVICE_LIMIT; NaN goes to -DEVICE_LIMIT.
    """
    out = np.empty((len(x), 2))
    _fill_device(out, x, y, _coefficients(t))
    return out


def _coefficients(t: QTransform) -> tuple[float, float, float, float, float, float]:
    return (t.m11(), t.m21(), t.dx(), t.m12(), t.m22(), t.dy())


def _fill_device(out: np.ndarray, x: np.ndarray, y: np.ndarray, c) -> None:
    m11, m21, dx, m12, m22, dy = c
    ox, oy = out[:, 0], out[:, 1]
    with np.errstate(all="ignore"):
        np.multiply(x, m11, out=ox)
        if m21:
            ox += m21 * y
        ox += dx
        np.multiply(y, m22, out=oy)
        if m12:
            oy += m12 * x
        oy += dy
    # fmax/fmin ignore NaN, so this both clamps and replaces NaN (by -DEVICE_LIMIT).
    np.fmax(out, -DEVICE_LIMIT, out=out)
    np.fmin(out, DEVICE_LIMIT, out=out)


class StrokeLayer(pg.GraphicsObject):
    """Polylines and markers of many runs, set as arrays and drawn in one ``paint``.

    The item covers the view it lives in (its bounding rect follows the view range), so
    call :meth:`set_content` with new arrays each frame and nothing else. Arrays are used
    as given until the next call: pass arrays that will not be overwritten before then.
    """

    def __init__(self, antialias: bool = True) -> None:
        super().__init__()
        self._strokes: tuple[Stroke, ...] = ()
        self._markers: tuple[Marker, ...] = ()
        self._antialias = bool(antialias)
        self._rect: QRectF | None = None
        self._polys: list[tuple[QPolygonF, np.ndarray]] = []

    def set_content(self, strokes=(), markers=()) -> None:
        """Replace what is drawn (sequences of :class:`Stroke` and :class:`Marker`)."""
        self._strokes = tuple(strokes)
        self._markers = tuple(markers)
        self.update()

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        return self._strokes

    @property
    def markers(self) -> tuple[Marker, ...]:
        return self._markers

    # -------------------------------------------------------------- geometry
    def viewRangeChanged(self) -> None:
        self.prepareGeometryChange()
        self._rect = None

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        self._rect = None

    def boundingRect(self) -> QRectF:
        # The view's rectangle, a little larger for markers at its edge: constant while the
        # view is, so a new frame costs no bounds computation at all.
        if self._rect is None:
            vr = self.viewRect()
            if vr is None:
                return QRectF()
            self._rect = vr.adjusted(
                -0.05 * vr.width(), -0.05 * vr.height(), 0.05 * vr.width(), 0.05 * vr.height()
            )
        return self._rect

    # -------------------------------------------------------------- drawing
    def _polygon(self, k: int, n: int) -> tuple[QPolygonF, np.ndarray]:
        """The k-th reusable polygon, sized to n points, with a numpy view of its memory."""
        if k < len(self._polys):
            poly, view = self._polys[k]
            if len(poly) != n:
                poly.resize(n)
                view = ndarray_from_qpolygonf(poly)
                self._polys[k] = (poly, view)
            return poly, view
        poly = create_qpolygonf(n)
        view = ndarray_from_qpolygonf(poly)
        self._polys.append((poly, view))
        return poly, view

    def paint(self, p: QPainter, opt, widget=None) -> None:
        if not self._strokes and not self._markers:
            return
        c = _coefficients(p.transform())
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
        try:
            k = 0
            for s in self._strokes:
                n = len(s.x)
                if n < 2:
                    continue
                # Polygons are reused frame to frame (tails keep their length), and filled
                # in place: no per-frame allocation on Qt's side.
                poly, view = self._polygon(k, n)
                k += 1
                _fill_device(view, s.x, s.y, c)
                p.setPen(s.pen)
                for dx, dy in s.offsets:
                    p.setTransform(QTransform.fromTranslate(dx, dy))
                    p.drawPolyline(poly)
            if self._markers:
                self._draw_markers(p, c)
        finally:
            p.restore()

    def _draw_markers(self, p: QPainter, c) -> None:
        m = self._markers
        pos = np.empty((len(m), 2))
        _fill_device(
            pos,
            np.fromiter((k.x for k in m), float, len(m)),
            np.fromiter((k.y for k in m), float, len(m)),
            c,
        )
        for k, (px, py) in zip(m, pos.tolist(), strict=True):
            p.setTransform(QTransform.fromTranslate(px, py))
            p.setPen(k.pen)
            p.setBrush(k.brush)
            p.drawPath(k.path)


@dataclass(frozen=True)
class GrowingStroke:
    """A polyline that only grows: ``stamp`` (shape (n,), increasing) dates each point.

    A later :meth:`GrowingStrokeLayer.set_content` with the same ``key`` whose stamps go on
    from the last ones drawn adds only the new points; stamps that went back (a reset)
    start the line again.
    """

    key: object
    x: np.ndarray
    y: np.ndarray
    stamp: np.ndarray
    pen: QPen
    offsets: tuple[tuple[float, float], ...] = OFFSETS[1]


class GrowingStrokeLayer(StrokeLayer):
    """Polylines that only grow (trajectories, loss curves), kept drawn in a device image.

    Redrawing a long dashed curve every frame costs time in proportion to its length; this
    layer draws each line once into an image of the view's pixels and then, frame after
    frame, only the segments added since (dashes carried on with the pen's dash offset), so
    a frame costs the new points and one image blit. The whole image is drawn again only
    when the device transform changes (zoom, pan, resize, another screen or an export),
    when a line starts over, or after :meth:`restart`.
    """

    def __init__(self, antialias: bool = True) -> None:
        super().__init__(antialias)
        self._growing: tuple[GrowingStroke, ...] = ()
        self._image: QImage | None = None
        self._key: tuple | None = None
        # Per line key: (last stamp drawn, last device point (x, y), dash length so far).
        self._drawn: dict[object, tuple[float, float, float, float]] = {}
        self.full_redraws = 0

    def set_content(self, strokes=(), markers=()) -> None:
        """Replace the lines (:class:`GrowingStroke`); markers are not supported."""
        self._growing = tuple(strokes)
        self.update()

    @property
    def strokes(self) -> tuple[GrowingStroke, ...]:
        return self._growing

    def restart(self) -> None:
        """Draw everything again at the next paint (after a style change)."""
        self._key = None
        self.update()

    def paint(self, p: QPainter, opt, widget=None) -> None:
        t = p.transform()
        dev = widget if widget is not None else p.device()
        if dev is None or dev.width() <= 0 or dev.height() <= 0:
            return
        # The image covers the part of the device the view shows, not the whole widget:
        # it is blended in every frame, so every pixel of it costs.
        area = t.mapRect(self.boundingRect()).toAlignedRect()
        area = area.intersected(QRect(0, 0, dev.width(), dev.height()))
        if area.isEmpty():
            return
        dpr = dev.devicePixelRatioF()
        key = (_coefficients(t), area.x(), area.y(), area.width(), area.height(), dpr)
        # A line whose stamps went back in time (a reset) is drawn anew, and so, since its
        # old pixels are in the same image, is everything else.
        rewound = any(
            len(s.stamp) and s.key in self._drawn and s.stamp[-1] < self._drawn[s.key][0]
            for s in self._growing
        )
        if key != self._key or self._image is None or rewound:
            size = QSize(round(area.width() * dpr), round(area.height() * dpr))
            if self._image is None or self._image.size() != size:
                self._image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            # In logical pixels, like the painter's own transform.
            self._image.setDevicePixelRatio(dpr)
            self._image.fill(Qt.GlobalColor.transparent)
            self._key = key
            self._drawn.clear()
            self.full_redraws += 1
        # Device coordinates relative to the image's corner.
        c = list(_coefficients(t))
        c[2] -= area.x()
        c[5] -= area.y()
        ip = QPainter(self._image)
        try:
            ip.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
            for s in self._growing:
                self._grow(ip, s, c)
        finally:
            ip.end()
        p.save()
        p.resetTransform()
        p.drawImage(QPointF(area.x(), area.y()), self._image)
        p.restore()

    def _grow(self, ip: QPainter, s: GrowingStroke, c) -> None:
        n = len(s.x)
        if n == 0:
            return
        last = self._drawn.get(s.key)
        if last is None:
            pts = np.empty((n, 2))
            _fill_device(pts, s.x, s.y, c)
            # A whole line: keep one point per pixel travelled (a crawling trajectory has
            # thousands per pixel); the stroke stays the same to a pixel.
            pts = pts[simplify_polyline(pts[:, 0], pts[:, 1], 1.0, 1.0)]
            dash = 0.0
        else:
            first = int(np.searchsorted(s.stamp, last[0], side="right"))
            if first >= n:
                return
            # The new points, joined to the last one drawn.
            pts = np.empty((n - first + 1, 2))
            pts[0] = last[1:3]
            _fill_device(pts[1:], s.x[first:], s.y[first:], c)
            dash = last[3]
        if len(pts) > 1:
            pen = s.pen
            pattern = pen.dashPattern() if pen.style() != Qt.PenStyle.SolidLine else []
            if pattern:
                # Carry the dashes on from where the line stopped.
                pen = QPen(pen)
                pen.setDashOffset(dash % sum(pattern))
            poly = create_qpolygonf(len(pts))
            ndarray_from_qpolygonf(poly)[:] = pts
            ip.setPen(pen)
            for dx, dy in s.offsets:
                ip.setTransform(QTransform.fromTranslate(dx, dy))
                ip.drawPolyline(poly)
            # Qt's cosmetic stroker counts dashes in pixels along the major axis of each
            # segment, not in Euclidean length.
            dash += float(np.abs(np.diff(pts, axis=0)).max(axis=1).sum())
        self._drawn[s.key] = (float(s.stamp[-1]), float(pts[-1, 0]), float(pts[-1, 1]), dash)
