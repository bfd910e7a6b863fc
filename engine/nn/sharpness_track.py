"""Sharpness over training: each column's top Hessian eigenvalue against 2/lr, every N steps.

Cohen et al. (2021) show full-batch gradient descent raising the sharpness (largest
eigenvalue of the training loss's Hessian) until it reaches 2/lr, the largest curvature
its step size tolerates on a quadratic, and then hovering there ("edge of stability").
:func:`measure_column` takes one measurement of a column of a
:class:`engine.nn.training.Comparison` by power iteration on Hessian-vector products
(:func:`engine.nn.sharpness.network_sharpness`) on the full training set, reading the
column's parameters and batch-norm state without disturbing them;
:class:`SharpnessTrack` is the bounded, immutable series the network lab's worker carries
in its frames (:mod:`engine.nn.paced`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.curvature import momentum_threshold
from engine.nn.losses import MeanSquaredError, SoftmaxCrossEntropy
from engine.nn.mlp import MLP
from engine.nn.sharpness import network_sharpness

__all__ = [
    "MAX_POINTS",
    "RULE_TEXT",
    "SharpnessTrack",
    "column_limit",
    "measure_column",
    "stability_limit",
]

#: Most points one track keeps: past that, every other old point goes (the plot is small).
MAX_POINTS = 400


def stability_limit(lr: float) -> float:
    """``2 / lr``: gradient descent on a quadratic diverges along curvatures above it."""
    lr = float(lr)
    return 2.0 / lr if math.isfinite(lr) and lr > 0 else math.inf


#: What each limit rule is, for the panel's legend (``SharpnessTrack.rule``).
RULE_TEXT = {
    "gd": "2/lr",
    "heavy_ball": "(2+2μ)/lr",
    "nesterov": "(2+2μ)/(lr(1+2μ))",
    "adaptive": "2/lr",
}


def column_limit(comp, i: int, lr: float) -> tuple[float, str]:
    """Column ``i``'s stability limit for the learning rate ``lr`` of its next update.

    The same thresholds as the landscape lab (:func:`engine.curvature.momentum_threshold`):
    ``2/lr`` for SGD, ``(2+2mu)/lr`` with heavy-ball momentum, the Nesterov form with
    Nesterov. Adaptive optimizers (Adam family and the rest) get ``2/lr`` and rule
    ``"adaptive"``: their preconditioned sharpness is not computed in the network lab.

    Returns
    -------
    (float, str)
        The limit (inf for lr <= 0) and its rule, a key of :data:`RULE_TEXT`.
    """
    cfg = comp.columns[i]
    lr = float(lr)
    if cfg.optimizer in ("sgd", "momentum", "nesterov"):
        state = comp.optimizer_state(i)
        inner = getattr(state, "inner", state)
        mu, nesterov = float(inner.momentum), bool(inner.nesterov)
        if not (math.isfinite(lr) and lr > 0):
            return math.inf, "gd"
        rule = "nesterov" if nesterov and mu else ("heavy_ball" if mu else "gd")
        return float(momentum_threshold(lr, mu, nesterov and mu > 0)), rule
    return stability_limit(lr), "adaptive"


@dataclass(frozen=True)
class SharpnessTrack:
    """One column's measured sharpness and its limit 2/lr, step by step (immutable).

    Attributes
    ----------
    steps : tuple of int
    values : tuple of float
        Top Hessian eigenvalue at each step (NaN where it could not be measured).
    limits : tuple of float
        The stability limit (:func:`column_limit`) with the learning rate of the next
        update at that step.
    rule : str
        The newest point's limit rule, a key of :data:`RULE_TEXT`.
    """

    steps: tuple[int, ...] = ()
    values: tuple[float, ...] = ()
    limits: tuple[float, ...] = ()
    rule: str = "gd"

    def __len__(self) -> int:
        return len(self.steps)

    def add(self, step: int, value: float, limit: float, rule: str = "gd") -> SharpnessTrack:
        """This track with one more point (thinned to :data:`MAX_POINTS`)."""
        steps, values, limits = (
            (*self.steps, int(step)),
            (*self.values, float(value)),
            (*self.limits, float(limit)),
        )
        if len(steps) > MAX_POINTS:
            # keep the newest point; halve the older ones
            keep = [*range(0, len(steps) - 1, 2), len(steps) - 1]
            steps = tuple(steps[k] for k in keep)
            values = tuple(values[k] for k in keep)
            limits = tuple(limits[k] for k in keep)
        return SharpnessTrack(steps, values, limits, rule)

    def first_crossing(self) -> int | None:
        """First step whose sharpness reached its limit 2/lr, or None."""
        for s, v, lim in zip(self.steps, self.values, self.limits, strict=True):
            if math.isfinite(v) and v >= lim:
                return s
        return None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(steps, values, limits)`` as float arrays of shape (k,)."""
        return (
            np.asarray(self.steps, dtype=np.float64),
            np.asarray(self.values, dtype=np.float64),
            np.asarray(self.limits, dtype=np.float64),
        )


def measure_column(comp, i: int, *, iters: int = 20, seed: int = 0) -> float:
    """Top Hessian eigenvalue of column ``i``'s full-batch training loss, now.

    Parameters
    ----------
    comp : engine.nn.training.Comparison
    i : int
        Column index.
    iters : int
        Power-iteration steps (each costs two gradient passes over the training set).
    seed : int
        Seed of the starting vector.

    Returns
    -------
    float
        The eigenvalue of largest magnitude; NaN if the parameters are not finite.
    """
    cfg = comp.columns[i]
    params = comp.column_params(i)  # copies: training is not disturbed
    net = MLP(cfg.mlp)
    flat = np.zeros((1, net.n_params))
    for name, view in net.views(flat).items():
        view[...] = params[name]
    if not np.all(np.isfinite(flat)):
        return math.nan
    state = {k: np.array(v) for k, v in params.items() if k in net.init_state()}
    data = comp.data
    loss = MeanSquaredError() if data.kind == "regression" else SoftmaxCrossEntropy()
    res = network_sharpness(
        net, loss, data.x_train, data.y_train, flat, state, iters=iters, seed=seed
    )
    return float(res.value) if math.isfinite(res.value) else math.nan
