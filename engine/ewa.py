"""Exponentially weighted averages: the one idea behind momentum, RMSprop and Adam.

``v_t = beta v_{t-1} + (1 - beta) x_t`` from ``v_0 = 0`` averages roughly the last
``1 / (1 - beta)`` values; dividing by ``1 - beta^t`` removes the pull towards zero at the
start (Kingma & Ba 2015, section 3). A heavy-ball velocity in PyTorch's form
``b_t = mu b_{t-1} + g_t`` (``b_1 = g_1``) is exactly ``EWA_mu(g)_t / (1 - mu)``, which is
how the averaging lesson ties a momentum run's velocity to the average of its gradients.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "ewa",
    "ewa_many",
    "ewa_weights",
    "momentum_velocity",
    "noisy_series",
    "velocity_as_ewa",
    "window",
]


def _beta(beta: float) -> float:
    b = float(beta)
    if not (math.isfinite(b) and 0.0 <= b < 1.0):
        raise ValueError(f"beta must be in [0, 1); got {beta!r}")
    return b


def noisy_series(n: int = 365, seed: int = 0, noise: float = 4.0) -> np.ndarray:
    """A seeded noisy seasonal series, like a year of daily temperatures or prices.

    Parameters
    ----------
    n : int >= 1
        Length.
    seed : int
        Seed of the ``np.random.Generator`` drawing the noise.
    noise : float >= 0
        Standard deviation of the Gaussian noise.

    Returns
    -------
    ndarray, shape (n,)
        ``15 - 10 cos(2 pi t / 365) + 3 sin(2 pi t / 45) + noise * N(0, 1)``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number >= 1; got {n!r}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be >= 0; got {noise!r}")
    t = np.arange(n, dtype=np.float64)
    rng = np.random.default_rng(int(seed))
    trend = 15.0 - 10.0 * np.cos(2 * np.pi * t / 365.0) + 3.0 * np.sin(2 * np.pi * t / 45.0)
    return trend + noise * rng.standard_normal(n)


def window(beta: float) -> float:
    """Effective averaging window ``1 / (1 - beta)`` (beta 0.9 -> 10 values)."""
    return 1.0 / (1.0 - _beta(beta))


def ewa(x: np.ndarray, beta: float, bias_correction: bool = False) -> np.ndarray:
    """Exponentially weighted average of a series along its first axis.

    Parameters
    ----------
    x : ndarray, shape (n, ...)
    beta : float in [0, 1)
    bias_correction : bool
        Divide ``v_t`` by ``1 - beta^t`` (t from 1).

    Returns
    -------
    ndarray, shape (n, ...)
        ``v_t`` for t = 1..n.
    """
    b = _beta(beta)
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    v = np.zeros(x.shape[1:])
    for t in range(x.shape[0]):
        v = b * v + (1.0 - b) * x[t]
        out[t] = v / (1.0 - b ** (t + 1)) if bias_correction else v
    return out


def ewa_many(
    x: np.ndarray, betas: Sequence[float] = (0.5, 0.9, 0.98), bias_correction: bool = False
) -> np.ndarray:
    """:func:`ewa` of a 1-d series for several betas.

    Returns
    -------
    ndarray, shape (len(betas), n)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"series must be 1-d; got shape {x.shape}")
    return np.array([ewa(x, b, bias_correction) for b in betas]).reshape(len(betas), x.size)


def ewa_weights(beta: float, t: int, bias_correction: bool = False) -> np.ndarray:
    """Weight each of ``x_1..x_t`` gets in ``v_t``: ``(1 - beta) beta^(t - i)``.

    Returns
    -------
    ndarray, shape (t,)
        Sums to ``1 - beta^t`` (to 1 with bias correction).
    """
    b = _beta(beta)
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t must be a whole number >= 1; got {t!r}")
    w = (1.0 - b) * b ** np.arange(t - 1, -1, -1, dtype=np.float64)
    return w / (1.0 - b**t) if bias_correction else w


def momentum_velocity(grads: np.ndarray, momentum: float) -> np.ndarray:
    """PyTorch's heavy-ball buffer ``b_t = mu b_{t-1} + g_t``, ``b_1 = g_1`` (no dampening).

    Parameters
    ----------
    grads : ndarray, shape (n, ...)
        Gradients of updates 1..n.
    momentum : float in [0, 1)

    Returns
    -------
    ndarray, shape (n, ...)
    """
    mu = _beta(momentum)
    g = np.asarray(grads, dtype=np.float64)
    out = np.empty_like(g)
    b = np.zeros(g.shape[1:])
    for t in range(g.shape[0]):
        b = g[t].copy() if t == 0 else mu * b + g[t]
        out[t] = b
    return out


def velocity_as_ewa(grads: np.ndarray, momentum: float) -> tuple[np.ndarray, float]:
    """A momentum run's velocity written as a multiple of the EWA of its gradients.

    Parameters
    ----------
    grads : ndarray, shape (n, ...)
    momentum : float in [0, 1)

    Returns
    -------
    average : ndarray, shape (n, ...)
        ``EWA_mu(g)`` without bias correction.
    scale : float
        ``1 / (1 - mu)``: the velocity is ``scale * average``, exactly.
    """
    mu = _beta(momentum)
    return ewa(grads, mu), 1.0 / (1.0 - mu)
