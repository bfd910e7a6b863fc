"""Gradient transforms applied in front of an optimizer: noise, then clipping.

Pure functions on gradient arrays plus the state record that carries their settings. The
optimizer composition itself (``with_schedule``, ``with_clipping``, ``with_gradient_noise``)
lives in :mod:`engine.optimizers`; the order there is fixed: noise -> clip by value -> clip
by norm -> (scheduled learning rate) -> optimizer.

"Per run" means per row: for arrays of ``ndim >= 2`` axis 0 indexes independent runs (a
race's ``(n_runs, 2)`` points, or a ``(1, P)`` flat network), for ``ndim <= 1`` the whole
array is one run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "NORM_EPS",
    "TransformState",
    "Transforms",
    "clip_by_norm",
    "clip_by_value",
    "gradient_noise",
    "n_runs",
    "transform_grads",
]

NORM_EPS = 1e-6
"""Added to the norm before dividing, as ``torch.nn.utils.clip_grad_norm_`` does."""


@dataclass(frozen=True)
class Transforms:
    """Settings of the transforms wrapped around one optimizer (``None`` = off)."""

    schedule: Any = None
    clip_value: float | np.ndarray | None = None
    clip_norm: float | np.ndarray | None = None
    noise_std: float | np.ndarray | None = None
    seeds: tuple[int, ...] = ()


class TransformState(NamedTuple):
    """State of an optimizer composed with transforms.

    Attributes
    ----------
    inner : NamedTuple
        The plain optimizer's state; its ``step`` field is the update counter ``t``.
    schedule : engine.schedules.Schedule or None
        Learning-rate schedule applied to the optimizer's learning-rate fields.
    base_lr : tuple
        Base values of those fields (``lr``, and ``sgd_lr`` for adam_sgd), scalars or arrays.
    clip_value, clip_norm, noise_std : float, ndarray or None
        Transform settings (``None`` = off); arrays broadcast against the parameters.
    seeds : tuple of int
        One noise seed per run.
    plateau : engine.schedules.PlateauState or None
        What a ``plateau`` schedule remembers of the losses it was fed (None otherwise).
    """

    inner: Any
    schedule: Any
    base_lr: tuple
    clip_value: Any
    clip_norm: Any
    noise_std: Any
    seeds: tuple[int, ...]
    plateau: Any = None


def n_runs(shape: tuple[int, ...]) -> int:
    """Number of runs in an array of this shape (rows if ``ndim >= 2``, else 1)."""
    return shape[0] if len(shape) >= 2 else 1


def clip_by_value(grads: np.ndarray, clip_value: float | np.ndarray) -> np.ndarray:
    """Clamp every gradient entry into ``[-clip_value, clip_value]``.

    Same as ``torch.nn.utils.clip_grad_value_``.

    Parameters
    ----------
    grads : ndarray, any shape
    clip_value : float or array broadcastable to ``grads`` (e.g. ``(n_runs, 1)``)

    Returns
    -------
    ndarray, shaped like ``grads``
    """
    return np.clip(grads, -clip_value, clip_value)


def clip_by_norm(grads: np.ndarray, max_norm: float | np.ndarray) -> np.ndarray:
    """Rescale each run's gradient so that its 2-norm is at most ``max_norm``.

    Follows ``torch.nn.utils.clip_grad_norm_``: ``g * min(1, max_norm / (norm + 1e-6))``,
    with the norm taken per run (over all axes but 0 when ``ndim >= 2``, else over all).

    Parameters
    ----------
    grads : ndarray, shape ``(n_runs, ...)`` or ``(P,)``
    max_norm : float or array broadcastable to ``(n_runs, 1, ...)``

    Returns
    -------
    ndarray, shaped like ``grads``
    """
    if grads.ndim >= 2:
        axes = tuple(range(1, grads.ndim))
        norm = np.sqrt(np.sum(grads * grads, axis=axes, keepdims=True))
    else:
        norm = np.sqrt(np.sum(grads * grads))
    coef = np.minimum(max_norm / (norm + NORM_EPS), 1.0)
    return grads * coef


def gradient_noise(
    shape: tuple[int, ...], std: float | np.ndarray, seeds: Sequence[int], t: int
) -> np.ndarray:
    """Gaussian gradient noise ``N(0, std^2)`` for update ``t``, counter-based per run.

    Run ``r``'s noise comes from ``np.random.default_rng([seeds[r], t])``, so it depends only
    on its own seed and the update number: a run gets the same noise alone or in a batch,
    and calling twice gives the same array.

    Parameters
    ----------
    shape : tuple of int
        Gradient shape, ``(n_runs, ...)`` or ``(P,)`` (one run).
    std : float or array broadcastable to ``shape``
    seeds : sequence of int
        ``n_runs`` seeds (one for a 0-d or 1-d shape).
    t : int
        Update number, 0 for the first update.

    Returns
    -------
    ndarray of float64, ``shape``
    """
    if len(seeds) != n_runs(shape):
        raise ValueError(f"seeds: need one seed per run ({n_runs(shape)}); got {len(seeds)}")
    if len(shape) >= 2:
        z = np.empty(shape, dtype=np.float64)
        for r, seed in enumerate(seeds):
            z[r] = np.random.default_rng([seed, t]).standard_normal(shape[1:])
    else:
        z = np.random.default_rng([seeds[0], t]).standard_normal(shape)
    return std * z


def transform_grads(grads: np.ndarray, state: TransformState, t: int) -> np.ndarray:
    """Apply noise, then value clipping, then norm clipping, as configured in ``state``."""
    g = grads
    if state.noise_std is not None:
        g = g + gradient_noise(g.shape, state.noise_std, state.seeds, t)
    if state.clip_value is not None:
        g = clip_by_value(g, state.clip_value)
    if state.clip_norm is not None:
        g = clip_by_norm(g, state.clip_norm)
    return g
