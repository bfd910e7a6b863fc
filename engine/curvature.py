"""Curvature at each run's head and the learning rate it tolerates.

On a quadratic with top Hessian eigenvalue ``lam``, gradient descent with step ``lr`` is
stable only while ``lam < 2 / lr``; heavy-ball momentum ``mu`` (PyTorch form) while
``lam < (2 + 2 mu) / lr``; Nesterov momentum while ``lam < (2 + 2 mu) / (lr (1 + 2 mu))``
(Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of
Stability, ICLR, appendix). For Adam-family runs the relevant curvature is the
preconditioned sharpness ``lam_max(P^-1 H)`` with ``P = diag(sqrt(v_hat) + eps)``, against
``(2 + 2 beta1) / ((1 - beta1) lr)`` (Cohen et al. 2022, Adaptive Gradient Methods at the
Edge of Stability, arXiv:2207.14484: 38/lr for beta1 = 0.9). The paper's preconditioner also
carries Adam's first-moment bias correction, ``(1 - beta1^t) diag(sqrt(v_hat) + eps)``; that
factor tends to 1 within a few dozen updates and is left out here, as the lab's plot shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.optimizers import TransformState, current_lr

__all__ = [
    "ADAM_FAMILY",
    "Stability",
    "first_crossing",
    "hessian_eigen",
    "momentum_threshold",
    "stability",
]

ADAM_FAMILY = ("adam", "adamw", "amsgrad", "nadam", "radam", "adam_sgd")
"""Optimizers whose curvature is measured after Adam's diagonal preconditioner."""


def hessian_eigen(hessians: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues and eigenvectors of symmetric 2x2 Hessians, in closed form.

    Parameters
    ----------
    hessians : ndarray, shape (n, 2, 2)

    Returns
    -------
    values : ndarray, shape (n, 2)
        Ascending.
    vectors : ndarray, shape (n, 2, 2)
        ``vectors[i, :, k]`` is the unit eigenvector of ``values[i, k]``.
    """
    h = np.asarray(hessians, dtype=np.float64)
    if h.ndim != 3 or h.shape[1:] != (2, 2):
        raise ValueError(f"hessians must have shape (n, 2, 2); got {h.shape}")
    a, b, d = h[:, 0, 0], 0.5 * (h[:, 0, 1] + h[:, 1, 0]), h[:, 1, 1]
    mean = 0.5 * (a + d)
    radius = np.hypot(0.5 * (a - d), b)
    values = np.stack([mean - radius, mean + radius], axis=1)
    # angle of the top eigenvector: tan(2 theta) = 2b / (a - d)
    theta = 0.5 * np.arctan2(2 * b, a - d)
    c, s = np.cos(theta), np.sin(theta)
    top = np.stack([c, s], axis=1)
    low = np.stack([-s, c], axis=1)
    vectors = np.stack([low, top], axis=2)
    return values, vectors


@dataclass(frozen=True)
class Stability:
    """Sharpness against the threshold for a group of runs (one optimizer kind).

    Attributes
    ----------
    sharpness : ndarray, shape (n,)
        ``lam_max(H)`` (SGD, momentum) or ``lam_max(P^-1 H)`` (Adam family).
    threshold : ndarray, shape (n,)
        Stability limit for the current learning rate (NaN where none is defined).
    kind : str
        ``"gd"``, ``"heavy_ball"``, ``"nesterov"``, ``"preconditioned"`` or ``"none"``.
    """

    sharpness: np.ndarray
    threshold: np.ndarray
    kind: str

    @property
    def unstable(self) -> np.ndarray:
        """Runs past their threshold, shape (n,)."""
        with np.errstate(invalid="ignore"):
            return self.sharpness > self.threshold


def _per_run(value: Any, n: int) -> np.ndarray:
    """A scalar or a per-run hyperparameter column (n, 1) as shape (n,)."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        return np.full(n, float(a))
    return np.broadcast_to(a.reshape(a.shape[0], -1)[:, 0], (n,)).copy()


def momentum_threshold(lr: Any, momentum: Any = 0.0, nesterov: bool = False) -> np.ndarray:
    """Largest stable curvature of (momentum) gradient descent on a quadratic.

    Parameters
    ----------
    lr, momentum : float or ndarray, shape (n,)
        Learning rate of the next update and PyTorch's momentum ``mu`` (0: plain GD).
    nesterov : bool

    Returns
    -------
    ndarray, shape (n,) or ()
        ``2 / lr`` (GD), ``(2 + 2 mu) / lr`` (heavy ball) or
        ``(2 + 2 mu) / (lr (1 + 2 mu))`` (Nesterov).
    """
    lr = np.asarray(lr, dtype=np.float64)
    mu = np.asarray(momentum, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if nesterov:
            return (2 + 2 * mu) / (lr * (1 + 2 * mu))
        return (2 + 2 * mu) / lr


def stability(name: str, state: Any, hessians: np.ndarray) -> Stability:
    """Sharpness and stability threshold of each run of one optimizer group.

    Parameters
    ----------
    name : str
        Registry name of the group's optimizer.
    state : optimizer state for params of shape (n, 2) (plain or composed)
    hessians : ndarray, shape (n, 2, 2)
        Exact Hessians at the runs' current points.

    Returns
    -------
    Stability
        ``threshold`` uses the learning rate of the next update (schedule included).
    """
    h = np.asarray(hessians, dtype=np.float64)
    n = h.shape[0]
    inner = state.inner if isinstance(state, TransformState) else state
    lr = _per_run(current_lr(state), n)
    values, _ = hessian_eigen(h)
    top = values[:, 1]
    if name in ("sgd", "momentum", "nesterov"):
        mu = _per_run(inner.momentum, n)
        if inner.nesterov:
            return Stability(top, momentum_threshold(lr, mu, True), "nesterov")
        return Stability(top, momentum_threshold(lr, mu), "heavy_ball" if np.any(mu) else "gd")
    if name in ADAM_FAMILY and inner.step > 0:
        if name == "adam_sgd" and inner.step >= inner.switch_step:
            mu = _per_run(inner.momentum, n)
            return Stability(top, (2 + 2 * mu) / lr, "heavy_ball")
        b1, b2 = (_per_run(b, n) for b in inner.betas)
        v = inner.max_exp_avg_sq if getattr(inner, "amsgrad", False) else inner.exp_avg_sq
        v_hat = np.asarray(v) / (1 - b2[:, None] ** inner.step)
        p = np.sqrt(v_hat) + _per_run(inner.eps, n)[:, None]
        scale = 1.0 / np.sqrt(p)
        # P^-1/2 H P^-1/2 has the eigenvalues of P^-1 H and stays symmetric
        pre = h * scale[:, :, None] * scale[:, None, :]
        sharp = hessian_eigen(pre)[0][:, 1]
        return Stability(sharp, (2 + 2 * b1) / ((1 - b1) * lr), "preconditioned")
    return Stability(top, np.full(n, np.nan), "none")


def first_crossing(sharpness: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Index of the first record where each run's sharpness exceeds its threshold.

    Parameters
    ----------
    sharpness, threshold : ndarray, shape (n_records, n_runs)

    Returns
    -------
    ndarray of int, shape (n_runs,)
        -1 for runs that never cross.
    """
    s = np.asarray(sharpness, dtype=np.float64)
    t = np.asarray(threshold, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        over = s > t
    first = np.argmax(over, axis=0)
    return np.where(over.any(axis=0), first, -1)
