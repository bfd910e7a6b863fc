"""Debiased exponential moving average for noisy curves, as TensorBoard's smoothing slider does it.

A raw mini-batch loss curve jumps from step to step; its trend is easier to read through an
exponentially weighted average ``s_t = w s_{t-1} + (1 - w) x_t``. Started from ``s_0 = 0``
that average is biased towards zero for its first ~1/(1-w) points, so, like TensorBoard and
like Adam's bias correction, each value is divided by ``1 - w**k`` where ``k`` counts the
finite points seen so far. Non-finite points (a diverged run's NaN or inf) pass through
unchanged and do not enter the average.

The work is done in blocks with a small lower-triangular matrix, so smoothing a few thousand
points costs a handful of numpy calls rather than a Python loop per point, and a growing curve
is smoothed incrementally (`EmaSmoother.extend`) with the same result as smoothing it whole.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_WEIGHT", "EmaSmoother", "ema_smooth"]

#: Weights at or above 1 would freeze the average at its first point.
MAX_WEIGHT = 0.999
_BLOCK = 128


def _check_weight(weight: float) -> float:
    w = float(weight)
    if not (0.0 <= w <= MAX_WEIGHT):
        raise ValueError(f"smoothing weight must be between 0 and {MAX_WEIGHT}, got {weight!r}")
    return w


class EmaSmoother:
    """Incremental debiased EMA: feed new points, get their smoothed values.

    Parameters
    ----------
    weight : float
        The weight ``w`` of the previous average, in [0, MAX_WEIGHT]; 0 means no smoothing.
    """

    def __init__(self, weight: float) -> None:
        self.weight = _check_weight(weight)
        self._last = 0.0  # the biased running average
        self._count = 0  # finite points seen
        w = self.weight
        i = np.arange(_BLOCK)
        # T[i, k] = (1 - w) w^(i - k) for k <= i: the block's own contribution
        with np.errstate(under="ignore"):
            lag = np.subtract.outer(i, i).astype(float)
            self._tri = np.where(lag >= 0, (1.0 - w) * w ** np.maximum(lag, 0), 0.0)
            self._carry = w ** (i + 1.0)  # what the previous average still weighs

    def reset(self) -> None:
        """Forget every point fed so far."""
        self._last, self._count = 0.0, 0

    def extend(self, values: np.ndarray) -> np.ndarray:
        """Smooth the next points of the curve.

        Parameters
        ----------
        values : ndarray, shape (n,)
            The next raw points.

        Returns
        -------
        ndarray, shape (n,)
            Their debiased smoothed values (non-finite points returned unchanged).
        """
        x = np.asarray(values, dtype=float).ravel()
        out = np.empty_like(x)
        if self.weight == 0.0:
            out[:] = x
            finite = np.isfinite(x)
            if finite.any():
                self._last = float(x[finite][-1])
                self._count += int(finite.sum())
            return out
        for start in range(0, len(x), _BLOCK):
            block = x[start : start + _BLOCK]
            if np.all(np.isfinite(block)):
                out[start : start + len(block)] = self._block(block)
            else:
                out[start : start + len(block)] = self._loop(block)
        return out

    def _block(self, block: np.ndarray) -> np.ndarray:
        n = len(block)
        biased = self._tri[:n, :n] @ block + self._carry[:n] * self._last
        counts = self._count + np.arange(1, n + 1)
        self._last = float(biased[-1])
        self._count += n
        return biased / (1.0 - self.weight**counts)

    def _loop(self, block: np.ndarray) -> np.ndarray:
        out = block.copy()
        w = self.weight
        for i, v in enumerate(block):
            if np.isfinite(v):
                self._last = w * self._last + (1.0 - w) * v
                self._count += 1
                out[i] = self._last / (1.0 - w**self._count)
        return out


def ema_smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased EMA of a whole curve.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Raw points in order.
    weight : float
        Weight of the previous average, in [0, MAX_WEIGHT].

    Returns
    -------
    ndarray, shape (n,)
        Smoothed values; non-finite points pass through unchanged.
    """
    return EmaSmoother(weight).extend(values)
