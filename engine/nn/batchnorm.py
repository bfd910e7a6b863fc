"""Batch normalisation over a batch of feature vectors, with PyTorch's ``BatchNorm1d`` rules.

Training mode normalises with the batch mean and the *biased* batch variance, and moves the
running statistics by ``running = (1 - momentum) * running + momentum * batch`` with the
*unbiased* batch variance (``n / (n - 1)`` times the biased one). Evaluation mode
normalises with the running statistics. ``y = gamma * (x - mean) / sqrt(var + eps) + beta``.
Running statistics start at mean 0 and variance 1, gamma at 1 and beta at 0.

The running statistics are explicit state: forward returns the new state instead of
mutating anything, so a statistics pass can run in training mode without disturbing it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.nn.layers import column_sums

MOMENTUM = 0.1
EPS = 1e-5


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    train: bool,
    momentum: float = MOMENTUM,
    eps: float = EPS,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, Any, tuple[np.ndarray, np.ndarray]]:
    """Normalise ``x`` feature by feature.

    Parameters
    ----------
    x : ndarray, shape (n, d)
    gamma, beta : ndarray, shape (d,)
        Learnable scale and shift.
    running_mean, running_var : ndarray, shape (d,)
        Running statistics (not modified).
    train : bool
        Batch statistics (and updated running statistics) if true, running ones if false.
    momentum, eps : float
    out : ndarray, shape (n, d), optional
        Where to write ``y`` (may be a strided view).

    Returns
    -------
    y : ndarray, shape (n, d)
    cache : object
        For :func:`batchnorm_backward`.
    state : tuple of ndarray
        ``(new_running_mean, new_running_var)``; the inputs themselves in eval mode.

    Raises
    ------
    ValueError
        In training mode with a batch of one (the variance is undefined; PyTorch raises too).
    """
    n = x.shape[0]
    if train:
        if n < 2:
            raise ValueError("batchnorm: training needs a batch of at least 2 examples")
        mean = column_sums(x) / n
        xc = x - mean
        var = np.einsum("ij,ij->j", xc, xc) / n
        inv_std = 1.0 / np.sqrt(var + eps)
        new_mean = (1.0 - momentum) * running_mean + momentum * mean
        new_var = (1.0 - momentum) * running_var + momentum * (var * (n / (n - 1)))
        state = (new_mean, new_var)
    else:
        inv_std = 1.0 / np.sqrt(running_var + eps)
        xc = x - running_mean
        state = (running_mean, running_var)
    # y = gamma * xhat + beta with xhat = xc * inv_std, folded into one pass over the batch
    y = np.multiply(xc, gamma * inv_std, out=out)
    y += beta
    return y, (xc, gamma, inv_std, train), state


def batchnorm_backward(
    dy: np.ndarray,
    cache: Any,
    *,
    dgamma: np.ndarray | None = None,
    dbeta: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of :func:`batchnorm_forward`.

    Parameters
    ----------
    dy : ndarray, shape (n, d)
    cache : object
        From the forward pass.
    dgamma, dbeta : ndarray, shape (d,), optional
        Buffers to write the parameter gradients into.

    Returns
    -------
    dx : ndarray, shape (n, d)
    dgamma, dbeta : ndarray, shape (d,)

    Notes
    -----
    In training mode the batch mean and variance depend on every example, which gives
    ``dx = gamma * inv_std * (dy - mean(dy) - xhat * mean(dy * xhat))``; in eval mode
    the running statistics are constants and ``dx = gamma * inv_std * dy``.
    """
    xc, gamma, inv_std, train = cache
    n = dy.shape[0]
    dbeta = column_sums(dy, out=dbeta)
    # dgamma = sum(dy * xhat) with xhat = xc * inv_std
    dgamma = np.einsum("ij,ij->j", dy, xc, out=dgamma)
    dgamma *= inv_std
    scale = gamma * inv_std
    if train:
        dx = dy - dbeta / n
        dx -= xc * (inv_std * dgamma / n)
        dx *= scale
    else:
        dx = dy * scale
    return dx, dgamma, dbeta


class BatchNorm:
    """Batch-norm layer: parameters ``gamma``/``beta``, state ``running_mean``/``running_var``.

    ``forward(x, params, train, state) -> (y, cache, new_state)`` is the layer contract
    with the state made explicit; ``backward(dy, cache) -> (dx, grads)``.
    """

    param_names = ("gamma", "beta")
    state_names = ("running_mean", "running_var")

    def __init__(self, dim: int, momentum: float = MOMENTUM, eps: float = EPS) -> None:
        self.dim = int(dim)
        self.momentum = float(momentum)
        self.eps = float(eps)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {"gamma": (self.dim,), "beta": (self.dim,)}

    def init_params(self) -> dict[str, np.ndarray]:
        return {"gamma": np.ones(self.dim), "beta": np.zeros(self.dim)}

    def init_state(self) -> dict[str, np.ndarray]:
        return {"running_mean": np.zeros(self.dim), "running_var": np.ones(self.dim)}

    def forward(
        self,
        x: np.ndarray,
        params: dict[str, np.ndarray],
        train: bool,
        state: dict[str, np.ndarray],
    ) -> tuple[np.ndarray, Any, dict[str, np.ndarray]]:
        y, cache, (m, v) = batchnorm_forward(
            x,
            params["gamma"],
            params["beta"],
            state["running_mean"],
            state["running_var"],
            train,
            self.momentum,
            self.eps,
        )
        return y, cache, {"running_mean": m, "running_var": v}

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        dx, dg, db = batchnorm_backward(dy, cache)
        return dx, {"gamma": dg, "beta": db}
