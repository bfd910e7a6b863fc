"""Losses as forward/backward pairs, averaged over the batch as PyTorch's defaults do.

``forward(out, target) -> (loss, cache)`` and ``backward(cache) -> dout``, the gradient of
the mean loss with respect to the network output.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax, shifted by the row maximum so nothing overflows.

    Parameters
    ----------
    z : ndarray, shape (n, k)

    Returns
    -------
    ndarray, shape (n, k)
    """
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax probabilities, shape (n, k)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


_ROWS: dict[int, np.ndarray] = {}


def _rows(n: int) -> np.ndarray:
    """Cached read-only ``arange(n)`` (row indices for picking each row's label)."""
    r = _ROWS.get(n)
    if r is None:
        if len(_ROWS) > 64:
            _ROWS.clear()
        r = _ROWS[n] = np.arange(n)
        r.flags.writeable = False
    return r


class SoftmaxCrossEntropy:
    """``mean_i -log softmax(z_i)[y_i]`` (``torch.nn.CrossEntropyLoss()`` on logits)."""

    name = "cross_entropy"

    def forward(self, logits: np.ndarray, y: np.ndarray) -> tuple[float, Any]:
        """Loss for logits (n, k) and integer labels y (n,)."""
        n = logits.shape[0]
        s = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(s)
        tot = e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = float(np.mean(np.log(tot[:, 0]) - s[rows, y]))
        e /= tot
        return loss, (e, y, rows)

    def backward(self, cache: Any) -> np.ndarray:
        """``(softmax(z) - onehot(y)) / n``, shape (n, k)."""
        p, y, rows = cache
        d = p.copy()
        d[rows, y] -= 1.0
        d /= p.shape[0]
        return d

    def forward_backward(self, logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """``(loss, dlogits)`` in one pass (the training loop's fused form of the pair)."""
        n = logits.shape[0]
        s = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(s)
        tot = e.sum(axis=1)
        rows = _rows(n)
        loss = float((np.log(tot) - s[rows, y]).sum()) / n
        e /= (tot * n)[:, None]
        e[rows, y] -= 1.0 / n
        return loss, e


class MeanSquaredError:
    """``mean((out - target)^2)`` over every element (``torch.nn.MSELoss()``)."""

    name = "mse"

    def forward(self, out: np.ndarray, target: np.ndarray) -> tuple[float, Any]:
        """Loss for predictions and targets of the same shape (n, d)."""
        diff = out - target
        return float(np.mean(diff * diff)), diff

    def backward(self, cache: Any) -> np.ndarray:
        """``2 (out - target) / (n d)``."""
        diff = cache
        return diff * (2.0 / diff.size)

    def forward_backward(self, out: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        """``(loss, dout)`` in one pass."""
        diff = out - target
        loss = float(np.vdot(diff, diff)) / diff.size
        diff *= 2.0 / diff.size
        return loss, diff


LOSSES = {"cross_entropy": SoftmaxCrossEntropy, "mse": MeanSquaredError}
