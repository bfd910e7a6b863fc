"""Stationary points found numerically: Newton's method from a grid, deduplicated, classified.

For a surface whose critical points are not known in closed form (a formula typed by a
user), Newton's method on the exact gradient and Hessian is started from every point of a
grid over the window, all at once (points of shape ``(n, 2)``). Starts that converge are
merged when they land on the same point, and each point is classified by its Hessian
(:func:`~engine.landscapes.base.hessian_verdict`). Where the Hessian is singular (``x^4``
at the origin, the monkey saddle) the second-order test cannot decide, and the point is
classified by comparing values on a small ring around it instead.
"""

from __future__ import annotations

import math

import numpy as np

from engine.landscapes.base import CriticalPoint, Landscape, hessian_verdict

__all__ = ["find_critical_points"]


def _newton(land: Landscape, p: np.ndarray, iters: int) -> np.ndarray:
    """``iters`` Newton steps on every row of ``p`` (shape (n, 2)); singular rows stop."""
    p = p.copy()
    with np.errstate(all="ignore"):
        for _ in range(iters):
            g = land.grad(p)
            h = land.hessian(p)
            a, b, d = h[:, 0, 0], h[:, 0, 1], h[:, 1, 1]
            det = a * d - b * b
            scale = np.maximum(np.abs(a) * np.abs(d), b * b)
            ok = np.isfinite(det) & (np.abs(det) > 1e-14 * scale) & np.isfinite(g).all(axis=1)
            safe = np.where(ok, det, 1.0)
            sx = (d * g[:, 0] - b * g[:, 1]) / safe
            sy = (a * g[:, 1] - b * g[:, 0]) / safe
            step = np.where(ok[:, None], np.stack([sx, sy], axis=1), 0.0)
            p = p - step
    return p


def _ring_verdict(land: Landscape, p: np.ndarray, radius: float) -> str:
    """Minimum, maximum or saddle by the values on a ring of 32 points around ``p``."""
    t = np.linspace(0.0, 2.0 * math.pi, 32, endpoint=False)
    ring = p + radius * np.stack([np.cos(t), np.sin(t)], axis=1)
    diff = land.value(ring) - float(land.value(p))
    if not np.all(np.isfinite(diff)):
        return "saddle"
    if np.all(diff >= 0.0):
        return "minimum"
    if np.all(diff <= 0.0):
        return "maximum"
    return "saddle"


def find_critical_points(
    land: Landscape,
    window: tuple[float, float, float, float] | None = None,
    grid: int = 25,
    max_points: int = 60,
) -> tuple[tuple[CriticalPoint, ...], tuple[CriticalPoint, ...]]:
    """Stationary points of ``land`` inside ``window``, as (minima, saddles-and-maxima).

    Parameters
    ----------
    land : Landscape
        Needs only ``value``, ``grad`` and ``hessian``.
    window : tuple of 4 floats, optional
        ``(xmin, xmax, ymin, ymax)``; defaults to ``land.window``.
    grid : int
        Newton starts per axis (``grid**2`` in all, run together).
    max_points : int
        At most this many points are returned (lowest values first within each list), so a
        periodic surface over a wide window cannot flood the picture.

    Returns
    -------
    minima : tuple of CriticalPoint
        Sorted by value. The lowest are ``"global minimum"`` only if nothing sampled on a
        window three times as wide goes lower; otherwise all are ``"local minimum"``.
    others : tuple of CriticalPoint
        Saddles (degenerate points that are neither minima nor maxima count as saddles) and
        local maxima, sorted by value.
    """
    xmin, xmax, ymin, ymax = land.window if window is None else window
    span = max(xmax - xmin, ymax - ymin)
    xs = np.linspace(xmin, xmax, grid)
    ys = np.linspace(ymin, ymax, grid)
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    p = _newton(land, starts, 60)
    g = land.grad(p)
    with np.errstate(all="ignore"):
        gscale = np.nanmedian(np.linalg.norm(land.grad(starts), axis=1))
        gtol = 1e-8 * max(1.0, float(gscale) if math.isfinite(gscale) else 1.0)
        gn = np.linalg.norm(g, axis=1)
    margin = 1e-9 * span
    inside = (
        (p[:, 0] >= xmin - margin)
        & (p[:, 0] <= xmax + margin)
        & (p[:, 1] >= ymin - margin)
        & (p[:, 1] <= ymax + margin)
    )
    good = np.isfinite(gn) & (gn <= gtol) & inside & np.isfinite(land.value(p))
    cand = p[good][np.argsort(gn[good], kind="stable")]
    merge = 1e-5 * span
    found: list[np.ndarray] = []
    for q in cand:  # best-converged first, so each cluster is represented by its best point
        if all(np.max(np.abs(q - f)) > merge for f in found):
            found.append(q)
    minima, others = [], []
    for q in found:
        v = float(land.value(q))
        _, verdict = hessian_verdict(land.hessian(q))
        if verdict == "degenerate":
            verdict = _ring_verdict(land, q, 1e-3 * span)
        if verdict == "minimum":
            minima.append((v, q))
        else:
            others.append((v, q, "local maximum" if verdict == "maximum" else "saddle"))
    minima.sort(key=lambda t: t[0])
    others.sort(key=lambda t: t[0])
    minima, others = minima[:max_points], others[: max(0, max_points - len(minima))]
    bounded = False
    if minima:
        wide = (xmin - span, xmax + span, ymin - span, ymax + span)
        _, _, z = land.grid(4 * grid, 4 * grid, wide)
        lowest = minima[0][0]
        tol = 1e-9 * max(1.0, abs(lowest))
        bounded = bool(np.all(np.isfinite(z)) and z.min() >= lowest - tol)
    out_min = []
    for v, q in minima:
        is_global = bounded and v <= minima[0][0] + 1e-9 * max(1.0, abs(minima[0][0]))
        kind = "global minimum" if is_global else "local minimum"
        out_min.append(CriticalPoint(float(q[0]), float(q[1]), v, kind))
    out_other = tuple(CriticalPoint(float(q[0]), float(q[1]), v, k) for v, q, k in others)
    return tuple(out_min), out_other
