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

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform

from engine.drawing import simplify_polyline

#: Widest line :func:`offsets_for` makes; wider requests get this.
MAX_WIDTH = 6.0


def _disc_offsets(width: float) -> tuple[tuple[float, float], ...]:
    """One-pixel strokes that together make a line about ``width`` pixels wide.

    A one-pixel stroke shifted across its direction by offsets spanning ``s`` pixels, no
    two more than a pixel apart, inks about ``s + 1`` pixels. So: strokes on the axes at
    radii ``r, r - 1, ...`` (with ``r = (width - 1) / 2``) and the centre, whose offsets
    across a line at any angle are at most a pixel apart, plus four on the diagonals of
    the outer ring so that a line at 45 degrees is as wide as a level one. Offsets are
    rounded to 1/16 pixel: binary fractions, so the painter's translations add up exactly.
    """
    r = 0.5 * (width - 1.0)
    out: list[tuple[float, float]] = []
    if r >= 0.5:
        d = r * 0.70710678
        out += [(-d, -d), (d, d), (-d, d), (d, -d)]
    while r > 1e-9:
        out += [(-r, 0.0), (r, 0.0), (0.0, -r), (0.0, r)]
        r -= 1.0
    out.append((0.0, 0.0))
    return tuple((round(dx * 16) / 16, round(dy * 16) / 16) for dx, dy in out)


# Device-pixel offsets for lines 1 to MAX_WIDTH pixels wide, in half-pixel steps.
OFFSETS: dict[float, tuple[tuple[float, float], ...]] = {
    k / 2: _disc_offsets(k / 2) for k in range(2, int(2 * MAX_WIDTH) + 1)
}
# Two pixels, the loss curves' width, in three strokes instead of nine (as wide, a little
# thinner at 45 degrees): those curves are redrawn whole at display rate.
OFFSETS[2] = ((0.0, 0.0), (0.75, 0.0), (0.0, 0.75))

# Device coordinates are clamped to this many pixels: Qt's rasteriser slows to a crawl (or
# draws nothing) on the huge coordinates a diverging run produces, and a clamped segment
# still shows the run leaving the view in the right direction.
DEVICE_LIMIT = 30_000.0


def offsets_for(thickness: float) -> tuple[tuple[float, float], ...]:
    """The one-pixel strokes that make a line about ``thickness`` pixels wide.

    ``thickness`` is rounded to half a pixel and kept within 1 to :data:`MAX_WIDTH`
    (NaN gives 1).
    """
    t = float(thickness)
    if not t >= 1.0:
        return OFFSETS[1]
    return OFFSETS[min(MAX_WIDTH, math.floor(2.0 * t + 0.5) / 2.0)]


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
    with np.errstate(all="ignore"):
        _fill_device(out, x, y, _coefficients(t))
    return out


def _offset_reach(offsets: tuple[tuple[float, float], ...]) -> float:
    return max(max(abs(dx), abs(dy)) for dx, dy in offsets)


# Marker paths and pens live as long as their panel's style: their reach is worked out once.
_MARKER_REACH: dict[tuple[int, int], tuple[QPainterPath, QPen, float]] = {}


def _marker_reach(path: QPainterPath, pen: QPen) -> float:
    hit = _MARKER_REACH.get((id(path), id(pen)))
    if hit is not None and hit[0] is path and hit[1] is pen:
        return hit[2]
    r = path.boundingRect()
    reach = max(abs(r.left()), abs(r.right()), abs(r.top()), abs(r.bottom()))
    reach += 0.5 * max(pen.widthF(), 1.0)
    if len(_MARKER_REACH) > 4096:
        _MARKER_REACH.clear()
    _MARKER_REACH[(id(path), id(pen))] = (path, pen, reach)
    return reach


def _extent(xs: list, ys: list, px: tuple[float, float] | None, reach_px: float) -> QRectF:
    """The rectangle around the points of ``xs``, ``ys`` (lists of arrays of shape (n,)),
    widened by ``reach_px`` device pixels of ``px`` data units each.

    NaN is ignored and +-inf taken as +-1e300 (the view clips it); no point at all gives the
    null rect. Without a pixel size (the item is not shown yet) the extent is unbounded.
    """
    if px is None:
        return QRectF(-1e300, -1e300, 2e300, 2e300)
    if not any(len(a) for a in xs):
        return QRectF()
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    # fmin/fmax skip NaN; an all-NaN array gives NaN.
    lo_hi = np.array([np.fmin.reduce(x), np.fmax.reduce(x), np.fmin.reduce(y), np.fmax.reduce(y)])
    if np.isnan(lo_hi).any():
        return QRectF()
    x0, x1, y0, y1 = np.clip(lo_hi, -1e300, 1e300).tolist()
    mx, my = reach_px * px[0], reach_px * px[1]
    return QRectF(x0 - mx, y0 - my, (x1 - x0) + 2 * mx, (y1 - y0) + 2 * my)


def _coefficients(t: QTransform) -> tuple[float, float, float, float, float, float]:
    return (t.m11(), t.m21(), t.dx(), t.m12(), t.m22(), t.dy())


def _fill_device(out: np.ndarray, x: np.ndarray, y: np.ndarray, c) -> None:
    # Callers hold np.errstate(all="ignore"): inf * 0 and the like end at the clamp.
    m11, m21, dx, m12, m22, dy = c
    ox, oy = out[:, 0], out[:, 1]
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

    By default the item covers the view it lives in (its bounding rect follows the view
    range), so call :meth:`set_content` with new arrays each frame and nothing else. With
    ``tight=True`` its bounding rect is instead the content's extent (plus the pixels its
    strokes and markers reach beyond their points): the view then repaints only what the
    content covered before and after, not every pixel of a 1920x1080 plot each frame.
    Arrays are used as given until the next call: pass arrays that will not be overwritten
    before then.
    """

    def __init__(self, antialias: bool = True, tight: bool = False) -> None:
        super().__init__()
        self._strokes: tuple[Stroke, ...] = ()
        self._markers: tuple[Marker, ...] = ()
        self._antialias = bool(antialias)
        self._tight = bool(tight)
        self._rect: QRectF | None = None
        self._content: QRectF | None = None  # tight mode: extent of the content, data units
        self._px: tuple[float, float] | None = None  # data units per device pixel (x, y)
        self._polys: list[tuple[QPolygonF, np.ndarray]] = []
        self._points: tuple | None = None  # see _joined_points

    def set_content(self, strokes=(), markers=()) -> None:
        """Replace what is drawn (sequences of :class:`Stroke` and :class:`Marker`)."""
        self._strokes = tuple(strokes)
        self._markers = tuple(markers)
        self._points = None
        if self._tight:
            content = self._content_rect()
            if content != self._content:
                # Qt repaints the old rect and the new one.
                self.prepareGeometryChange()
                self._content = content
                self._rect = None
        self.update()

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        return self._strokes

    @property
    def markers(self) -> tuple[Marker, ...]:
        return self._markers

    # -------------------------------------------------------------- geometry
    def viewRangeChanged(self) -> None:
        super().viewRangeChanged()
        self._view_moved()

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self._view_moved()

    def _view_moved(self) -> None:
        # pyqtgraph's viewRect() is cached until viewTransformChanged; the range signal
        # can come first, so drop that cache here as well.
        self._cachedView = None
        self.prepareGeometryChange()
        # The content's pixel margin is in data units: it changes with the view too.
        self._rect = self._content = self._px = None

    def pixel_size(self) -> tuple[float, float] | None:
        """Data units per device pixel along x and y (None while the item is not shown)."""
        if self._px is None:
            t = self.deviceTransform_()
            if t is None or not t.m11() or not t.m22():
                return None
            # Views here are never rotated: the diagonal is the whole scale.
            self._px = (1.0 / abs(t.m11()), 1.0 / abs(t.m22()))
        return self._px

    def reach_px(self) -> float:
        """How far, in device pixels, drawing reaches beyond the content's points."""
        reach = 0.0
        for offsets in {id(s.offsets): s.offsets for s in self._strokes}.values():
            reach = max(reach, _offset_reach(offsets))
        for m in self._markers:
            reach = max(reach, _marker_reach(m.path, m.pen))
        # Antialiasing touches one pixel more, and Qt rounds exposed rects outwards.
        return reach + 2.0

    def _joined_points(self) -> tuple[list[Stroke], list[int], np.ndarray, np.ndarray]:
        """The strokes that get drawn (two points or more), their lengths, and all their
        x and y joined (shape (sum of lengths,)): worked out once per content, used by
        both the bounds and the paint."""
        if self._points is None:
            drawn = [s for s in self._strokes if len(s.x) >= 2]
            if drawn:
                xs = np.concatenate([s.x for s in drawn])
                ys = np.concatenate([s.y for s in drawn])
            else:
                xs = ys = np.empty(0)
            self._points = (drawn, [len(s.x) for s in drawn], xs, ys)
        return self._points

    def _content_rect(self) -> QRectF:
        """Extent of the strokes and markers in data units, widened by :meth:`reach_px`."""
        _, _, x, y = self._joined_points()
        xs, ys = [x], [y]
        if self._markers:
            xs.append(np.fromiter((m.x for m in self._markers), float, len(self._markers)))
            ys.append(np.fromiter((m.y for m in self._markers), float, len(self._markers)))
        return _extent(xs, ys, self.pixel_size(), self.reach_px())

    def boundingRect(self) -> QRectF:
        # The view's rectangle, a little larger for markers at its edge: constant while the
        # view is, so a new frame costs no bounds computation at all. In tight mode, the
        # part of it that the content covers.
        if self._rect is None:
            vr = self.viewRect()
            if vr is None:
                return QRectF()
            self._rect = vr.adjusted(
                -0.05 * vr.width(), -0.05 * vr.height(), 0.05 * vr.width(), 0.05 * vr.height()
            )
            if self._tight:
                if self._content is None:
                    self._content = self._content_rect()
                self._rect = self._rect.intersected(self._content)
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
            with np.errstate(all="ignore"):
                if self._joined_points()[0]:
                    self._draw_strokes(p, c)
                if self._markers:
                    self._draw_markers(p, c)
        finally:
            p.restore()

    def _draw_strokes(self, p: QPainter, c) -> None:
        # Every point mapped to device pixels in one go, then copied into polygons that
        # are reused frame to frame (tails keep their length): a handful of numpy calls
        # per frame instead of a handful per line, and no allocation on Qt's side.
        strokes, counts, xs, ys = self._joined_points()
        dev = np.empty((len(xs), 2))
        _fill_device(dev, xs, ys, c)
        a = 0
        at = (0.0, 0.0)  # the painter's translation (exact: offsets are binary fractions)
        for k, (s, n) in enumerate(zip(strokes, counts, strict=True)):
            poly, view = self._polygon(k, n)
            view[:] = dev[a : a + n]
            a += n
            p.setPen(s.pen)
            for off in s.offsets:
                if off != at:
                    p.translate(off[0] - at[0], off[1] - at[1])
                    at = off
                p.drawPolyline(poly)

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

    :meth:`set_content` asks the view to repaint only the rectangle the new segments cover,
    so with other items that are also tight (``StrokeLayer(tight=True)``) a frame repaints
    a few small rectangles of the view instead of all of it.
    """

    def __init__(self, antialias: bool = True) -> None:
        super().__init__(antialias)
        self._growing: tuple[GrowingStroke, ...] = ()
        self._image: QImage | None = None
        self._key: tuple | None = None
        # Per line key: (last stamp drawn, last device point x, y, dash length so far,
        # last data point x, y).
        self._drawn: dict[object, tuple[float, float, float, float, float, float]] = {}
        self._dash_pens: dict[object, tuple[QPen, QPen]] = {}
        self._at = (0.0, 0.0)  # the image painter's translation while drawing
        # _pending() as last worked out; valid until the content or the drawing changes.
        self._pending_now: list | None = None
        self.full_redraws = 0

    def set_content(self, strokes=(), markers=()) -> None:
        """Replace the lines (:class:`GrowingStroke`); markers are not supported."""
        self._growing = tuple(strokes)
        self._pending_now = None
        dirty = self._dirty_rect()
        if dirty is None:
            self.update()
        elif not dirty.isEmpty():
            self.update(dirty)

    @property
    def strokes(self) -> tuple[GrowingStroke, ...]:
        return self._growing

    def restart(self) -> None:
        """Draw everything again at the next paint (after a style change)."""
        self._key = None
        self.update()

    def _pending(self) -> list[tuple[GrowingStroke, int, tuple]] | None:
        """Each line with points not drawn yet: (line, index of its first new point, its
        drawn state); None if something must be drawn whole (a new line, a line that
        started over, or nothing drawn yet)."""
        if self._key is None or self._image is None:
            return None
        if self._pending_now is not None:
            return self._pending_now
        out = []
        for s in self._growing:
            n = len(s.stamp)
            if n == 0:
                continue
            last = self._drawn.get(s.key)
            if last is None or s.stamp[-1] < last[0]:
                return None
            first = int(s.stamp.searchsorted(last[0], side="right"))
            if first < n:
                out.append((s, first, last))
        self._pending_now = out
        return out

    def _dirty_rect(self) -> QRectF | None:
        """Where the next paint will draw (data units); None for everywhere."""
        pending = self._pending()
        px = self._px
        if pending is None or px is None:
            return None
        if not pending:
            return QRectF()
        xs, ys = [np.array([last[4] for _, _, last in pending])], []
        ys.append(np.array([last[5] for _, _, last in pending]))
        for s, first, _ in pending:
            xs.append(s.x[first:])
            ys.append(s.y[first:])
        reach = max(_offset_reach(s.offsets) for s, _, _ in pending) + 2.0
        return _extent(xs, ys, px, reach)

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
        pending = self._pending() if key == self._key else None
        # Whatever happens next, the drawn state changes.
        self._pending_now = None
        if pending is None:
            size = QSize(round(area.width() * dpr), round(area.height() * dpr))
            if self._image is None or self._image.size() != size:
                self._image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            # In logical pixels, like the painter's own transform.
            self._image.setDevicePixelRatio(dpr)
            self._image.fill(Qt.GlobalColor.transparent)
            self._key = key
            self._drawn.clear()
            self.full_redraws += 1
        if t.m11() and t.m22():
            self._px = (1.0 / abs(t.m11()), 1.0 / abs(t.m22()))
        # Device coordinates relative to the image's corner.
        c = list(_coefficients(t))
        c[2] -= area.x()
        c[5] -= area.y()
        if pending is None or pending:
            ip = QPainter(self._image)
            self._at = (0.0, 0.0)
            try:
                ip.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
                with np.errstate(all="ignore"):
                    if pending is None:
                        for s in self._growing:
                            if len(s.x):
                                self._draw_whole(ip, s, c)
                    else:
                        self._draw_additions(ip, pending, c)
            finally:
                ip.end()
        p.save()
        p.resetTransform()
        p.drawImage(QPointF(area.x(), area.y()), self._image)
        p.restore()

    def _draw_whole(self, ip: QPainter, s: GrowingStroke, c) -> None:
        pts = np.empty((len(s.x), 2))
        _fill_device(pts, s.x, s.y, c)
        # A whole line: keep one point per pixel travelled (a crawling trajectory has
        # thousands per pixel); the stroke stays the same to a pixel.
        pts = pts[simplify_polyline(pts[:, 0], pts[:, 1], 1.0, 1.0)]
        poly = create_qpolygonf(len(pts))
        ndarray_from_qpolygonf(poly)[:] = pts
        self._stroke(ip, s, poly, 0.0)
        self._drawn[s.key] = (
            float(s.stamp[-1]),
            float(pts[-1, 0]),
            float(pts[-1, 1]),
            _dash_length(pts),
            float(s.x[-1]),
            float(s.y[-1]),
        )

    def _draw_additions(self, ip: QPainter, pending, c) -> None:
        """Every line's new points, joined to its last drawn one: mapped in one go."""
        counts = np.array([len(s.x) - first + 1 for s, first, _ in pending])
        ends = np.cumsum(counts)
        starts = ends - counts
        xs = np.concatenate([a for s, first, _ in pending for a in (_ZERO, s.x[first:])])
        ys = np.concatenate([a for s, first, _ in pending for a in (_ZERO, s.y[first:])])
        pts = np.empty((len(xs), 2))
        _fill_device(pts, xs, ys, c)
        pts[starts] = [(last[1], last[2]) for _, _, last in pending]
        # Qt's cosmetic stroker counts dashes in pixels along the major axis of each
        # segment, not in Euclidean length.
        seg = np.abs(np.diff(pts, axis=0)).max(axis=1)
        run = np.concatenate(([0.0], np.cumsum(seg)))
        lengths = run[ends - 1] - run[starts]
        for k, ((s, _, last), a, b, length) in enumerate(
            zip(pending, starts.tolist(), ends.tolist(), lengths.tolist(), strict=True)
        ):
            # Reused polygons, one per line, filled in place.
            poly, view = self._polygon(k, b - a)
            view[:] = pts[a:b]
            self._stroke(ip, s, poly, last[3])
            self._drawn[s.key] = (
                float(s.stamp[-1]),
                float(pts[b - 1, 0]),
                float(pts[b - 1, 1]),
                last[3] + length,
                float(s.x[-1]),
                float(s.y[-1]),
            )

    def _stroke(self, ip: QPainter, s: GrowingStroke, poly: QPolygonF, dash: float) -> None:
        if len(poly) < 2:
            return
        pen = s.pen
        if pen.style() != Qt.PenStyle.SolidLine:
            pattern = pen.dashPattern()
            if pattern:
                # Carry the dashes on from where the line stopped (on a copy kept per
                # line, so the caller's pen stays as it was).
                mine = self._dash_pens.get(s.key)
                if mine is None or mine[0] is not pen:
                    mine = (pen, QPen(pen))
                    self._dash_pens[s.key] = mine
                pen = mine[1]
                pen.setDashOffset(dash % sum(pattern))
        ip.setPen(pen)
        at = self._at
        for off in s.offsets:
            if off != at:
                ip.translate(off[0] - at[0], off[1] - at[1])
                at = off
            ip.drawPolyline(poly)
        self._at = at


_ZERO = np.zeros(1)


def _dash_length(pts: np.ndarray) -> float:
    """Length of a device polyline (shape (n, 2)) as Qt's cosmetic stroker counts dashes:
    pixels along the major axis of each segment."""
    if len(pts) < 2:
        return 0.0
    return float(np.abs(np.diff(pts, axis=0)).max(axis=1).sum())
