"""Geometry for drawing, in data coordinates: iso-lines, thinned polylines, arrows, edge
pins and the pale class-region image.

Pure numpy, so it is tested against hand-worked cases without a window; the panels turn
the arrays into Qt items.
"""

from __future__ import annotations

import math

import numpy as np

# How far a certain class region goes from white towards its class colour.
REGION_STRENGTH = 0.55


def contour_segments(
    z: np.ndarray, levels: np.ndarray, xs: np.ndarray, ys: np.ndarray
) -> np.ndarray:
    """Iso-lines of a gridded surface as line segments (vectorised marching squares).

    Parameters
    ----------
    z : ndarray, shape (ny, nx)
        Row-major samples, ``z[j, i] = f(xs[i], ys[j])``; non-finite cells are skipped.
    levels : ndarray, shape (k,)
    xs : ndarray, shape (nx,)
    ys : ndarray, shape (ny,)

    Returns
    -------
    ndarray, shape (2 * m, 2)
        Segment end points in pairs (for ``connect="pairs"``), in data coordinates.
    """
    z = np.asarray(z, dtype=np.float64)
    a = z[:-1, :-1]  # (x_i, y_j)
    b = z[:-1, 1:]  # (x_i+1, y_j)
    c = z[1:, 1:]  # (x_i+1, y_j+1)
    d = z[1:, :-1]  # (x_i, y_j+1)
    finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
    x0 = np.broadcast_to(xs[:-1][None, :], a.shape)
    x1 = np.broadcast_to(xs[1:][None, :], a.shape)
    y0 = np.broadcast_to(ys[:-1][:, None], a.shape)
    y1 = np.broadcast_to(ys[1:][:, None], a.shape)
    out = []
    with np.errstate(all="ignore"):
        for level in np.asarray(levels, dtype=np.float64).ravel():
            pa, pb, pc, pd = a > level, b > level, c > level, d > level
            cross = np.stack([pa != pb, pb != pc, pd != pc, pa != pd], axis=-1)
            cross &= finite[..., None]
            count = cross.sum(axis=-1)
            sel = count >= 2
            if not sel.any():
                continue
            aa, bb, cc, dd = a[sel], b[sel], c[sel], d[sel]
            xa, xb, ya, yb = x0[sel], x1[sel], y0[sel], y1[sel]
            t_bot = (level - aa) / (bb - aa)
            t_rgt = (level - bb) / (cc - bb)
            t_top = (level - dd) / (cc - dd)
            t_lft = (level - aa) / (dd - aa)
            pts = np.empty((aa.size, 4, 2))
            pts[:, 0, 0] = xa + t_bot * (xb - xa)
            pts[:, 0, 1] = ya
            pts[:, 1, 0] = xb
            pts[:, 1, 1] = ya + t_rgt * (yb - ya)
            pts[:, 2, 0] = xa + t_top * (xb - xa)
            pts[:, 2, 1] = yb
            pts[:, 3, 0] = xa
            pts[:, 3, 1] = ya + t_lft * (yb - ya)
            cr = cross[sel]
            cnt = count[sel]
            rows = np.arange(aa.size)
            two = cnt == 2
            if two.any():
                first = np.argmax(cr[two], axis=1)
                rest = cr[two].copy()
                rest[np.arange(rest.shape[0]), first] = False
                second = np.argmax(rest, axis=1)
                r2 = rows[two]
                seg = np.empty((r2.size, 2, 2))
                seg[:, 0] = pts[r2, first]
                seg[:, 1] = pts[r2, second]
                out.append(seg.reshape(-1, 2))
            four = cnt == 4
            if four.any():
                r4 = rows[four]
                centre = 0.25 * (aa[r4] + bb[r4] + cc[r4] + dd[r4])
                # Corners a and c on one side: the centre decides whether they connect.
                joined = (centre > level) == (aa[r4] > level)
                seg = np.empty((r4.size, 2, 2, 2))
                # joined: cut off corners b (bottom, right) and d (top, left)
                # else:   cut off corners a (bottom, left) and c (right, top)
                seg[:, 0, 0] = pts[r4, 0]
                seg[:, 0, 1] = np.where(joined[:, None], pts[r4, 1], pts[r4, 3])
                seg[:, 1, 0] = pts[r4, 2]
                seg[:, 1, 1] = np.where(joined[:, None], pts[r4, 3], pts[r4, 1])
                out.append(seg.reshape(-1, 2))
    if not out:
        return np.empty((0, 2))
    return np.concatenate(out)


def simplify_polyline(
    x: np.ndarray, y: np.ndarray, px: float, py: float, tol_px: float = 1.0
) -> np.ndarray:
    """Indices of the points that are at least ``tol_px`` screen pixels of path apart.

    Keeps the first and last points and one point per ``tol_px`` of travelled screen
    distance, so the drawn stroke is the same to a pixel while a trajectory that crawls
    (thousands of sub-pixel steps) costs only as many segments as it has pixels of length.

    Parameters
    ----------
    x, y : ndarray, shape (m,)
    px, py : float
        Data units per pixel along x and y.

    Returns
    -------
    ndarray of int, shape (k,), k <= m
    """
    m = len(x)
    if m <= 2:
        return np.arange(m)
    px = abs(float(px)) or 1.0
    py = abs(float(py)) or 1.0
    with np.errstate(all="ignore"):
        d = np.hypot(np.diff(x) / px, np.diff(y) / py)
    d = np.nan_to_num(d, nan=0.0, posinf=1e9)
    bucket = np.floor(np.concatenate(([0.0], np.cumsum(d))) / tol_px)
    keep = np.flatnonzero(np.diff(bucket, prepend=-1.0) != 0)
    if keep[-1] != m - 1:
        keep = np.concatenate((keep, [m - 1]))
    return keep


def arrow_segments(
    origins: np.ndarray,
    vectors: np.ndarray,
    pixel: tuple[float, float],
    head_px: float = 9.0,
    min_px: float = 3.0,
) -> np.ndarray:
    """Shaft and two head strokes of each arrow, as pairs of points.

    Parameters
    ----------
    origins, vectors : ndarray, shape (n, 2)
        Tails and (already scaled) vectors in data coordinates; rows with a non-finite
        value or shorter than ``min_px`` on screen are left out.
    pixel : (float, float)
        Data units per screen pixel along x and y, so heads look the same at any zoom.
    head_px : float
        Length of the head strokes in pixels.

    Returns
    -------
    ndarray, shape (6 * k, 2)
        Three segments per drawn arrow, for ``connect="pairs"``.
    """
    px, py = (abs(float(pixel[0])) or 1.0), (abs(float(pixel[1])) or 1.0)
    o = np.asarray(origins, dtype=np.float64)
    v = np.asarray(vectors, dtype=np.float64)
    ok = np.all(np.isfinite(o), axis=1) & np.all(np.isfinite(v), axis=1)
    o, v = o[ok], v[ok]
    # Work in screen pixels, where angles are true.
    sv = np.stack([v[:, 0] / px, v[:, 1] / py], axis=1)
    length = np.hypot(sv[:, 0], sv[:, 1])
    keep = length >= min_px
    o, v, sv, length = o[keep], v[keep], sv[keep], length[keep]
    out = np.empty((len(o), 6, 2))
    tip = o + v
    out[:, 0] = o
    out[:, 1] = tip
    unit = sv / length[:, None]
    head = np.minimum(head_px, 0.6 * length)[:, None]
    for k, ang in enumerate((math.radians(152), math.radians(-152))):
        ca, sa = math.cos(ang), math.sin(ang)
        rot = np.stack([unit[:, 0] * ca - unit[:, 1] * sa, unit[:, 0] * sa + unit[:, 1] * ca], 1)
        stroke = rot * head
        out[:, 2 + 2 * k] = tip
        out[:, 3 + 2 * k, 0] = tip[:, 0] + stroke[:, 0] * px
        out[:, 3 + 2 * k, 1] = tip[:, 1] + stroke[:, 1] * py
    return out.reshape(-1, 2)


def edge_pin(
    point, view: tuple[float, float, float, float], pixel: tuple[float, float], inset_px: float
) -> tuple[tuple[float, float], bool]:
    """Where to draw a marker for ``point`` so that it stays in ``view``.

    A point inside the view stays where it is. A point outside is pinned where the line
    from the view's centre to it meets the view's edge moved ``inset_px`` pixels inwards:
    the marker then lies on the way to the point, and an arrow from the marker along that
    line points at it.

    Parameters
    ----------
    point : array_like, shape (2,)
    view : (x0, x1, y0, y1)
        The visible range in data units.
    pixel : (float, float)
        Data units per pixel along x and y.
    inset_px : float

    Returns
    -------
    ((float, float), bool)
        The marker's position and whether the point is outside the view. A non-finite
        point is returned as it is, as not outside (nothing sensible to point at).
    """
    x, y = float(point[0]), float(point[1])
    x0, x1, y0, y1 = (float(v) for v in view)
    if not (math.isfinite(x) and math.isfinite(y)) or (x0 <= x <= x1 and y0 <= y <= y1):
        return (x, y), False
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    hx = max(0.5 * (x1 - x0) - inset_px * abs(pixel[0]), 0.0)
    hy = max(0.5 * (y1 - y0) - inset_px * abs(pixel[1]), 0.0)
    dx, dy = x - cx, y - cy
    # The largest t with the point c + t d inside the inset rectangle.
    t = min(hx / abs(dx) if dx else math.inf, hy / abs(dy) if dy else math.inf)
    return (cx + t * dx, cy + t * dy), True


def region_image(prob: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Pale RGB image of class probabilities.

    Parameters
    ----------
    prob : ndarray, shape (gy, gx, k)
        Probabilities (rows of the grid; row 0 at the lowest y).
    rgb : ndarray, shape (k, 3)
        Class colours, 0-255.

    Returns
    -------
    ndarray of uint8, shape (gy, gx, 3)
        White where the net is unsure (uniform probabilities), tinted towards the likeliest
        class as it grows certain.
    """
    k = prob.shape[-1]
    p = np.nan_to_num(prob, nan=1.0 / k)
    mix = p @ rgb  # probability-weighted class colour
    # certainty: 0 for a uniform distribution, 1 for a one-hot one
    certainty = (p.max(axis=-1, keepdims=True) - 1.0 / k) * (k / (k - 1.0)) if k > 1 else 1.0
    alpha = REGION_STRENGTH * np.clip(certainty, 0.0, 1.0)
    out = 255.0 * (1.0 - alpha) + mix * alpha
    return np.clip(out, 0, 255).astype(np.uint8)
