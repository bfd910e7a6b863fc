"""Series as plots keep them: bounded buffers of samples, their finite stretches and their
peak-decimated form.

A plot that follows a run for hours must neither grow without bound nor draw one point per
step; these rules are pure numpy and tested without a window.
"""

from __future__ import annotations

import numpy as np

#: Samples a :class:`SeriesBuffer` holds before it halves.
SERIES_CAPACITY = 2048


class SeriesBuffer:
    """``n`` series sampled together, bounded by halving (no growth, no np.append)."""

    def __init__(self, n: int, capacity: int = SERIES_CAPACITY, series: int = 2) -> None:
        self.capacity = capacity
        self.steps = np.zeros(capacity)
        self.values = np.zeros((series, n, capacity))
        self.count = 0
        self.stride = 1
        self._offered = 0
        self.last_step = -1

    def add(self, step: int, values: np.ndarray) -> None:
        """Record one sample; ``values`` has shape (series, n)."""
        if step <= self.last_step:
            return
        self.last_step = step
        keep = self._offered % self.stride == 0
        self._offered += 1
        if not keep:
            return
        if self.count == self.capacity:
            half = self.capacity // 2
            self.steps[:half] = self.steps[::2]
            self.values[:, :, :half] = self.values[:, :, ::2]
            self.count = half
            self.stride *= 2
        self.steps[self.count] = step
        self.values[:, :, self.count] = values
        self.count += 1


def finite_spans(y: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges ``[a, b)`` of the runs of finite values in ``y``.

    Parameters
    ----------
    y : ndarray, shape (m,)

    Returns
    -------
    list of (int, int)
        In order; a curve drawn per span leaves a gap wherever ``y`` is NaN or infinite.
    """
    ok = np.isfinite(y)
    if ok.all():
        return [(0, len(y))] if len(y) else []
    edges = np.diff(ok.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def finite_runs(x: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The stretches of a polyline between non-finite values of ``y`` (gaps, not zeros).

    Parameters
    ----------
    x, y : ndarray, shape (m,)

    Returns
    -------
    list of (ndarray, ndarray)
        Views of ``x`` and ``y`` per run of :func:`finite_spans`, in order.
    """
    return [(x[a:b], y[a:b]) for a, b in finite_spans(y)]


def peak_decimate(
    x: np.ndarray, y: np.ndarray, x0: float, x1: float, buckets: int
) -> tuple[np.ndarray, np.ndarray]:
    """Thin a curve to the lowest and highest value per screen column (peak mode).

    Parameters
    ----------
    x : ndarray, shape (n,)
        Increasing.
    y : ndarray, shape (n,)
        NaN entries are ignored inside a bucket (a bucket of NaN stays NaN: a gap).
    x0, x1 : float
        Range split into ``buckets`` equal columns (about one per pixel).
    buckets : int

    Returns
    -------
    (ndarray, ndarray)
        ``x, y`` unchanged if ``n <= 2 * buckets``; otherwise two points per non-empty
        bucket, at the bucket's first x, its minimum then its maximum. The drawn band is
        the same to a pixel, at a bounded cost however long the curve grows.
    """
    n = len(x)
    if n <= 2 * buckets or x1 <= x0:
        return x, y
    b = np.floor((x - x0) * (buckets / (x1 - x0))).astype(np.intp)
    starts = np.flatnonzero(np.diff(b, prepend=b[0] - 1))
    lo = np.fmin.reduceat(y, starts)
    hi = np.fmax.reduceat(y, starts)
    xd = np.repeat(x[starts], 2)
    yd = np.empty(2 * len(starts))
    yd[0::2] = lo
    yd[1::2] = hi
    return xd, yd
