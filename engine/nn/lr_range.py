"""Learning-rate range test (Smith 2017, Cyclical Learning Rates for Training Neural
Networks, WACV, section 3.3; the "LR finder" of fastai).

The learning rate grows exponentially from ``lr_min`` to ``lr_max`` over ``n_steps``
updates while the loss is recorded; the sweep stops once the smoothed loss exceeds
``diverge_factor`` times its best value. The suggestion is the learning rate where the
smoothed loss falls fastest against log(lr), which lies below the divergence point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.optimizers import make_optimizer, set_hyper

__all__ = [
    "RangeTestResult",
    "lr_range_test",
    "network_range_test",
    "sweep_lrs",
    "valley_index",
]


@dataclass(frozen=True)
class RangeTestResult:
    """Outcome of a range test.

    Attributes
    ----------
    lrs, losses, smoothed : ndarray, shape (k,)
        Learning rate of each update made, the loss before it, and its bias-corrected
        exponential average (``k <= n_steps``).
    suggested_lr : float
        Steepest descent of ``smoothed`` against log(lr) (NaN if fewer than 3 points).
    min_loss_lr : float
        Learning rate at the lowest smoothed loss.
    diverged_at : int or None
        Update at which the sweep stopped on divergence.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    min_loss_lr: float
    diverged_at: int | None


def sweep_lrs(lr_min: float, lr_max: float, n_steps: int) -> np.ndarray:
    """``lr_min * (lr_max / lr_min) ** (i / (n_steps - 1))``, shape (n_steps,)."""
    if not (0 < lr_min < lr_max and math.isfinite(lr_max)):
        raise ValueError(f"need 0 < lr_min < lr_max; got {lr_min!r}, {lr_max!r}")
    if isinstance(n_steps, bool) or int(n_steps) != n_steps or n_steps < 2:
        raise ValueError(f"n_steps must be a whole number >= 2; got {n_steps!r}")
    i = np.arange(int(n_steps), dtype=np.float64)
    return lr_min * (lr_max / lr_min) ** (i / (n_steps - 1))


def lr_range_test(
    loss_and_grad: Callable[[np.ndarray, int], tuple[float, np.ndarray]],
    params: np.ndarray,
    *,
    optimizer: str = "sgd",
    hyper: dict[str, Any] | None = None,
    lr_min: float = 1e-6,
    lr_max: float = 10.0,
    n_steps: int = 100,
    smoothing: float = 0.98,
    diverge_factor: float = 4.0,
    skip_start: int = 0,
    skip_end: int = 0,
    suggest: str = "steepest",
) -> RangeTestResult:
    """Run the sweep on a copy of ``params``.

    Parameters
    ----------
    loss_and_grad : callable
        ``loss_and_grad(params, step) -> (loss, grad)``, grad shaped like params.
    params : ndarray, any shape (e.g. (1, P))
        Starting parameters (not modified).
    optimizer, hyper :
        Registry name and hyperparameters other than ``lr``.
    smoothing : float in [0, 1)
        Beta of the loss average.
    diverge_factor : float > 1
    skip_start, skip_end : int >= 0
        Points left out of the suggestion at each end (fastai's ``lr_find`` leaves out 10
        and 5: the average's start-up is mostly batch noise and its end the blow-up). With
        fewer than 3 points left, the whole curve is used.
    suggest : {"steepest", "valley"}
        ``"steepest"``: where the smoothed loss falls fastest against log(lr);
        ``"valley"``: fastai's ``valley`` rule (its default since 2.5), robust to a noisy
        start: half-way into the second third of the longest decreasing run of the
        smoothed loss (:func:`valley_index`).
    """
    lrs = sweep_lrs(lr_min, lr_max, n_steps)
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1); got {smoothing!r}")
    if not diverge_factor > 1:
        raise ValueError(f"diverge_factor must be > 1; got {diverge_factor!r}")
    for name, skip in (("skip_start", skip_start), ("skip_end", skip_end)):
        if isinstance(skip, bool) or int(skip) != skip or skip < 0:
            raise ValueError(f"{name} must be a whole number >= 0; got {skip!r}")
    if suggest not in ("steepest", "valley"):
        raise ValueError(f"suggest must be 'steepest' or 'valley'; got {suggest!r}")
    opt = make_optimizer(optimizer, **{**(hyper or {}), "lr": float(lrs[0])})
    p = np.array(params, dtype=np.float64)
    state = opt.init(p)
    losses, smooth = [], []
    avg, best, diverged = 0.0, math.inf, None
    with np.errstate(all="ignore"):
        for i, lr in enumerate(lrs):
            opt, state = set_hyper(opt, state, lr=float(lr))
            loss, grad = loss_and_grad(p, i)
            loss = float(loss)
            if not math.isfinite(loss):
                diverged = i
                break
            avg = smoothing * avg + (1 - smoothing) * loss
            s = avg / (1 - smoothing ** (i + 1))
            losses.append(loss)
            smooth.append(s)
            if s > diverge_factor * best:
                diverged = i
                break
            best = min(best, s)
            p, state = opt.update(np.asarray(grad, dtype=np.float64), state, p)
    k = len(losses)
    used, smoothed = lrs[:k], np.array(smooth)
    a, b = (int(skip_start), k - int(skip_end)) if k - skip_start - skip_end >= 3 else (0, k)
    if k >= 3 and suggest == "valley":
        suggested = float(used[a + valley_index(smoothed[a:b])])
    elif k >= 3:
        slope = np.gradient(smoothed[a:b], np.log(used[a:b]))
        suggested = float(used[a + int(np.argmin(slope))])
    else:
        suggested = math.nan
    min_lr = float(used[int(np.argmin(smoothed))]) if k else math.nan
    return RangeTestResult(used, np.array(losses), smoothed, suggested, min_lr, diverged)


def valley_index(losses: np.ndarray) -> int:
    """fastai's ``valley``: an index in the longest decreasing run of ``losses`` (n,).

    The longest strictly decreasing subsequence runs over indices ``start..end``; the
    answer is ``start + int(s) + int(s / 2)`` with ``s = (end - start) / 3``.
    """
    v = np.asarray(losses, dtype=np.float64)
    n = v.size
    lds = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if v[i] < v[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    # fastai's start is one before the run; with no decrease at all that is -1
    return max(max_start + int(sections) + int(sections / 2), 0)


def network_range_test(
    net: Any,
    loss_fn: Any,
    x: np.ndarray,
    y: np.ndarray,
    flat: np.ndarray,
    state: dict,
    *,
    batch_size: int = 32,
    seed: int = 0,
    **kwargs: Any,
) -> RangeTestResult:
    """:func:`lr_range_test` for an :class:`engine.nn.mlp.MLP` on seeded mini-batches.

    Batch-norm running statistics are carried through the sweep on a copy of ``state``.
    """
    n = x.shape[0]
    if isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size!r}")
    rng = np.random.default_rng(seed)
    gbuf = np.zeros((1, net.n_params))
    gbound = net.bind(gbuf)
    st = {"state": dict(state)}

    def loss_and_grad(p: np.ndarray, step: int):
        idx = rng.choice(n, size=min(batch_size, n), replace=False)
        gbuf[...] = 0.0
        loss, st["state"] = net.loss_and_grads(
            x[idx], y[idx], loss_fn, net.bind(p), st["state"], gbound
        )
        return loss, gbuf.copy()

    return lr_range_test(loss_and_grad, np.asarray(flat).reshape(1, -1), **kwargs)
