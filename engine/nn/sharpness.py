"""Sharpness of the training loss: its top Hessian eigenvalue, by power iteration.

Cohen et al. (2021), Gradient Descent on Neural Networks Typically Occurs at the Edge of
Stability (ICLR), track the largest Hessian eigenvalue of the full-batch training loss
against 2/lr. The Hessian is never formed: power iteration only needs Hessian-vector
products, taken here as central differences of the analytic gradient,
``Hv ~ (g(w + h v) - g(w - h v)) / (2 h)``, exact for a quadratic loss and accurate to
O(h^2) otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SharpnessResult", "network_grad_fn", "network_sharpness", "top_hessian_eigenvalue"]


@dataclass(frozen=True)
class SharpnessResult:
    """Top Hessian eigenpair estimate.

    Attributes
    ----------
    value : float
        The eigenvalue of largest magnitude (the sharpness once it dominates).
    vector : ndarray, shape (P,)
        Its unit eigenvector.
    iterations : int
        Power-iteration steps used.
    converged : bool
        Whether successive estimates agreed to ``tol`` (relative).
    """

    value: float
    vector: np.ndarray
    iterations: int
    converged: bool


def hvp(grad_fn: Callable[[np.ndarray], np.ndarray], w: np.ndarray, v: np.ndarray, h: float):
    """Hessian-vector product by a central difference of gradients, shape like ``w``."""
    return (grad_fn(w + h * v) - grad_fn(w - h * v)) / (2.0 * h)


def top_hessian_eigenvalue(
    grad_fn: Callable[[np.ndarray], np.ndarray],
    w: np.ndarray,
    *,
    iters: int = 50,
    tol: float = 1e-6,
    rel_step: float = 1e-4,
    seed: int = 0,
) -> SharpnessResult:
    """Power iteration on Hessian-vector products.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(w) -> gradient``, both of shape (P,); must not change any state.
    w : ndarray, shape (P,)
        Point at which the Hessian is taken.
    iters : int >= 1
        Maximum number of iterations.
    tol : float > 0
        Stop when the Rayleigh quotient changes by less than ``tol`` relative.
    rel_step : float > 0
        Difference step ``h = rel_step * max(1, |w|)`` along the unit vector.
    seed : int
        Seed of the random start vector.

    Returns
    -------
    SharpnessResult
    """
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    if w.size == 0:
        raise ValueError("sharpness needs at least one parameter")
    if isinstance(iters, bool) or int(iters) != iters or iters < 1:
        raise ValueError(f"iters must be a whole number >= 1; got {iters!r}")
    if not (tol > 0 and rel_step > 0):
        raise ValueError("tol and rel_step must be > 0")
    h = rel_step * max(1.0, float(np.linalg.norm(w)))
    v = np.random.default_rng(seed).standard_normal(w.size)
    v /= np.linalg.norm(v)
    value, converged, k = 0.0, False, 0
    for k in range(1, int(iters) + 1):
        hv = hvp(grad_fn, w, v, h)
        new = float(v @ hv)
        norm = float(np.linalg.norm(hv))
        if not (math.isfinite(norm) and norm > 0):
            return SharpnessResult(new if math.isfinite(new) else math.nan, v, k, False)
        done = k > 1 and abs(new - value) <= tol * max(abs(new), 1e-300)
        value = new
        v = hv / norm
        if done:
            converged = True
            break
    value = float(v @ hvp(grad_fn, w, v, h))
    return SharpnessResult(value, v, k, converged)


def network_grad_fn(net: Any, loss_fn: Any, x: np.ndarray, y: np.ndarray, state: dict):
    """``grad_fn`` of the training-mode loss of an :class:`engine.nn.mlp.MLP` on ``(x, y)``.

    Batch-norm statistics come from the batch (training mode); ``state`` is read, never
    written, so measuring the sharpness does not disturb training.

    Returns
    -------
    callable
        ``grad_fn(flat) -> flat gradient``, both of shape (n_params,).
    """
    pbuf = np.zeros((1, net.n_params))
    gbuf = np.zeros((1, net.n_params))
    pbound, gbound = net.bind(pbuf), net.bind(gbuf)

    def grad_fn(flat: np.ndarray) -> np.ndarray:
        pbuf[0] = flat
        gbuf[...] = 0.0
        net.loss_and_grads(x, y, loss_fn, pbound, dict(state), gbound)
        return gbuf[0].copy()

    return grad_fn


def network_sharpness(
    net: Any,
    loss_fn: Any,
    x: np.ndarray,
    y: np.ndarray,
    flat: np.ndarray,
    state: dict,
    *,
    iters: int = 20,
    seed: int = 0,
) -> SharpnessResult:
    """Top Hessian eigenvalue of the loss on ``(x, y)`` at parameters ``flat`` (1, P)."""
    with np.errstate(all="ignore"):
        return top_hessian_eigenvalue(
            network_grad_fn(net, loss_fn, x, y, state),
            np.asarray(flat).reshape(-1),
            iters=iters,
            seed=seed,
        )
