"""Layers as pure forward/backward pairs.

Every layer has ``forward(x, params, train) -> (y, cache)`` and
``backward(dy, cache) -> (dx, grads)``; ``params`` and ``grads`` are dicts keyed by the
layer's own parameter names (``"W"``, ``"b"``). Nothing is stored on the layer object
between calls, so one object serves any number of networks. Batch normalisation keeps
running statistics and lives in :mod:`engine.nn.batchnorm`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.nn.activations import get_activation

_ONES: dict[tuple[int, str], np.ndarray] = {}
_F64 = np.dtype(np.float64)


def _ones(n: int, dtype: np.dtype = _F64) -> np.ndarray:
    """A cached read-only vector of n ones (a BLAS matrix-vector product sums the columns
    several times faster than ``np.sum(axis=0)``); of the summed array's dtype, since a
    mixed-precision product would leave BLAS."""
    key = (n, dtype.char)
    v = _ONES.get(key)
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = _ONES[key] = np.ones(n, dtype)
        v.flags.writeable = False
    return v


def column_sums(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a.sum(axis=0)`` for a 2-D array, through BLAS.

    Parameters
    ----------
    a : ndarray, shape (n, d)
    out : ndarray, shape (d,), optional

    Returns
    -------
    ndarray, shape (d,)
    """
    return np.matmul(_ones(a.shape[0], a.dtype), a, out=out)


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine map ``y = x @ W + b``.

    Parameters
    ----------
    x : ndarray, shape (n, fan_in)
    W : ndarray, shape (fan_in, fan_out)
    b : ndarray, shape (fan_out,)

    Returns
    -------
    ndarray, shape (n, fan_out)
    """
    y = x @ W
    y += b
    return y


def dense_backward(
    dy: np.ndarray,
    x: np.ndarray,
    W: np.ndarray,
    *,
    need_dx: bool = True,
    dW: np.ndarray | None = None,
    db: np.ndarray | None = None,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of ``y = x @ W + b``.

    Parameters
    ----------
    dy : ndarray, shape (n, fan_out)
        Gradient of the loss with respect to ``y``.
    x : ndarray, shape (n, fan_in)
        The forward input.
    W : ndarray, shape (fan_in, fan_out)
    need_dx : bool
        Skip the input gradient (the first layer of a network does not need it).
    dW, db : ndarray, optional
        Buffers to write the weight and bias gradients into (views of a flat gradient).

    Returns
    -------
    dx : ndarray, shape (n, fan_in), or None
    dW : ndarray, shape (fan_in, fan_out)
    db : ndarray, shape (fan_out,)
    """
    dW = np.matmul(x.T, dy, out=dW)
    db = column_sums(dy, out=db)
    dx = dy @ W.T if need_dx else None
    return dx, dW, db


class Dense:
    """Fully connected layer ``y = x @ W + b`` with ``W`` shaped (fan_in, fan_out)."""

    param_names = ("W", "b")

    def __init__(self, fan_in: int, fan_out: int) -> None:
        self.fan_in = int(fan_in)
        self.fan_out = int(fan_out)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W": (self.fan_in, self.fan_out), "b": (self.fan_out,)}

    def forward(
        self, x: np.ndarray, params: dict[str, np.ndarray], train: bool = True
    ) -> tuple[np.ndarray, Any]:
        """``(y, cache)``; ``x`` (n, fan_in) -> ``y`` (n, fan_out)."""
        W = params["W"]
        return dense_forward(x, W, params["b"]), (x, W)

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """``(dx, {"W": dW, "b": db})`` from ``dy`` (n, fan_out)."""
        x, W = cache
        dx, dW, db = dense_backward(dy, x, W)
        return dx, {"W": dW, "b": db}


class Activation:
    """Elementwise nonlinearity from :data:`engine.nn.activations.ACTIVATIONS`."""

    param_names = ()

    def __init__(self, name: str, **params: Any) -> None:
        self.name = name
        self._fwd, self._bwd = get_activation(name).bind(params)

    def forward(
        self, x: np.ndarray, params: dict[str, np.ndarray] | None = None, train: bool = True
    ) -> tuple[np.ndarray, Any]:
        """``(a, cache)`` with ``a = phi(x)``, any shape."""
        a = self._fwd(x)
        return a, (x, a)

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """``(dx, {})`` with ``dx = dy * phi'(x)``."""
        x, a = cache
        return self._bwd(dy, x, a), {}
