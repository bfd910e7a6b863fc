"""Functional optimizers with PyTorch's semantics.

An optimizer is a pair of pure functions in the style of optax's ``GradientTransformation``::

    opt = make_optimizer("adam", lr=0.01)
    state = opt.init(params)
    params, state = opt.update(grads, state, params)

``update`` never modifies its arguments. The state is a NamedTuple holding the buffers
(momentum, moment estimates, ...), the update counter ``step`` and every hyperparameter, so
:func:`set_hyper` can change a learning rate mid-run without losing the velocity.

The arithmetic follows the algorithm boxes of the ``torch.optim`` documentation (defaults,
where eps sits, bias correction with the step counter starting at 1, the momentum buffer
set to the raw gradient on its first step, coupled L2 weight decay except for AdamW).

Batching: every float hyperparameter may be an array that broadcasts against the parameters,
e.g. ``lr`` of shape ``(n_runs, 1)`` for params of shape ``(n_runs, 2)``. Each row of such a
batched update is bit-for-bit the update that row would get alone: the only
transcendental operation (``beta ** t``) is evaluated with Python's float power for every
distinct value, as PyTorch does, and all the rest is element-wise IEEE arithmetic.

Composition: :func:`with_schedule`, :func:`with_clipping` and :func:`with_gradient_noise`
wrap an optimizer in one fixed order, gradient noise -> clip by value -> clip by norm ->
optimizer with the scheduled learning rate, however many times and in whatever order they
are called.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from engine.params import ParamSpec
from engine.schedules import Schedule
from engine.transforms import Transforms, TransformState, n_runs, transform_grads

__all__ = [
    "OPTIMIZERS",
    "AdadeltaState",
    "AdagradState",
    "AdamSGDState",
    "AdamState",
    "NAdamState",
    "Optimizer",
    "OptimizerSpec",
    "RMSpropState",
    "SGDState",
    "TransformState",
    "current_lr",
    "inspect",
    "make_optimizer",
    "set_hyper",
    "with_clipping",
    "with_gradient_noise",
    "with_schedule",
]


class Optimizer(NamedTuple):
    """An optimizer as two pure functions plus its name and resolved hyperparameters.

    Attributes
    ----------
    name : str
        Canonical registry name (a key of :data:`OPTIMIZERS`).
    hyper : dict
        Hyperparameters with defaults filled (python scalars / tuples, or arrays when
        batched). For a composed optimizer these are the plain optimizer's, with ``lr`` the
        base learning rate of the schedule; ``make_optimizer(opt.name, **opt.hyper)``
        rebuilds the plain optimizer.
    init : callable
        ``init(params) -> state``.
    update : callable
        ``update(grads, state, params) -> (new_params, new_state)``.
    """

    name: str
    hyper: dict
    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]


@dataclass(frozen=True)
class OptimizerSpec:
    """Registry entry: what an optimizer is and which hyperparameters it takes."""

    name: str
    title: str
    description: str
    paper: str
    params: tuple[ParamSpec, ...]


# ----------------------------------------------------------------------------- registry


def _lr(default: float) -> ParamSpec:
    return ParamSpec(
        "lr",
        default,
        min=0.0,
        min_exclusive=True,
        log=True,
        label="learning rate",
        help="Step size multiplying the update direction.",
    )


def _eps(default: float) -> ParamSpec:
    return ParamSpec(
        "eps",
        default,
        min=0.0,
        log=True,
        label="epsilon",
        help="Added to the denominator so that it never divides by zero.",
    )


def _weight_decay(default: float, decoupled: bool = False) -> ParamSpec:
    how = (
        "decoupled: parameters shrink by lr*weight_decay each step"
        if decoupled
        else "L2 penalty: weight_decay * params is added to the gradient"
    )
    return ParamSpec(
        "weight_decay", default, min=0.0, label="weight decay", help=f"Weight decay ({how})."
    )


def _momentum(default: float) -> ParamSpec:
    return ParamSpec(
        "momentum",
        default,
        min=0.0,
        max=1.0,
        label="momentum",
        help="Fraction of the previous velocity kept at each step.",
    )


_DAMPENING = ParamSpec(
    "dampening",
    0.0,
    min=0.0,
    max=1.0,
    label="dampening",
    help="Fraction of each new gradient left out of the velocity (not on the first step).",
)
_NESTEROV = ParamSpec(
    "nesterov",
    False,
    kind="bool",
    label="Nesterov",
    help="Look ahead along the velocity before stepping (needs momentum > 0, dampening 0).",
)
_BETAS = ParamSpec(
    "betas",
    (0.9, 0.999),
    kind="pair",
    min=0.0,
    max=1.0,
    label="betas",
    help="Decay rates of the running averages of the gradient and its square, in [0, 1).",
)
_AMSGRAD = ParamSpec(
    "amsgrad",
    False,
    kind="bool",
    label="AMSGrad",
    help="Divide by the largest second moment seen so far (Reddi et al. 2018).",
)


def _sgd_params(momentum: float, nesterov: bool = True) -> tuple[ParamSpec, ...]:
    base = (_lr(1e-3), _momentum(momentum), _DAMPENING, _weight_decay(0.0))
    return (*base, _NESTEROV) if nesterov else base


_ADAM_PARAMS = (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(0.0))

OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec(
        "sgd",
        "SGD",
        "Plain gradient descent: step straight downhill by lr times the gradient. Simple and "
        "predictable, but slow along shallow valleys and jittery across steep ones.",
        "Robbins & Monro (1951), A Stochastic Approximation Method, Ann. Math. Statist. 22.",
        _sgd_params(0.0),
    ),
    "momentum": OptimizerSpec(
        "momentum",
        "SGD + momentum",
        "Keeps a velocity that accumulates past gradients, so steps grow along a consistent "
        "slope and oscillations across a ravine partly cancel.",
        "Polyak (1964), Some methods of speeding up the convergence of iteration methods; "
        "PyTorch form as in Sutskever et al. (2013), ICML.",
        _sgd_params(0.9),
    ),
    "nesterov": OptimizerSpec(
        "nesterov",
        "Nesterov momentum",
        "Momentum that corrects itself: the step uses the gradient plus the velocity once "
        "more, a look-ahead that brakes earlier before overshooting.",
        "Nesterov (1983), Soviet Math. Dokl. 27; Sutskever, Martens, Dahl & Hinton (2013), "
        "On the importance of initialization and momentum in deep learning, ICML.",
        _sgd_params(0.9, nesterov=False),
    ),
    "adagrad": OptimizerSpec(
        "adagrad",
        "Adagrad",
        "Divides each coordinate's step by the root of the sum of all its past squared "
        "gradients: rarely-moved coordinates keep big steps, busy ones slow down for good.",
        "Duchi, Hazan & Singer (2011), Adaptive Subgradient Methods for Online Learning and "
        "Stochastic Optimization, JMLR 12.",
        (
            _lr(1e-2),
            ParamSpec(
                "lr_decay",
                0.0,
                min=0.0,
                label="lr decay",
                help="Learning rate at step t is lr / (1 + (t - 1) * lr_decay).",
            ),
            _weight_decay(0.0),
            ParamSpec(
                "initial_accumulator_value",
                0.0,
                min=0.0,
                label="initial accumulator",
                help="Starting value of the sum of squared gradients.",
            ),
            _eps(1e-10),
        ),
    ),
    "rmsprop": OptimizerSpec(
        "rmsprop",
        "RMSprop",
        "Like Adagrad, but the squared gradients are averaged with exponentially fading "
        "weights, so the step size can recover after a steep stretch.",
        "Tieleman & Hinton (2012), Lecture 6.5 - RMSprop, COURSERA: Neural Networks for "
        "Machine Learning; centered form: Graves (2013), arXiv:1308.0850.",
        (
            _lr(1e-2),
            ParamSpec(
                "alpha",
                0.99,
                min=0.0,
                max=1.0,
                label="alpha",
                help="Decay rate of the running average of squared gradients.",
            ),
            _eps(1e-8),
            _weight_decay(0.0),
            _momentum(0.0),
            ParamSpec(
                "centered",
                False,
                kind="bool",
                label="centered",
                help="Divide by an estimate of the gradient's variance instead of its "
                "raw second moment.",
            ),
        ),
    ),
    "adadelta": OptimizerSpec(
        "adadelta",
        "Adadelta",
        "Scales each step by the ratio of the running RMS of past steps to the running RMS "
        "of gradients, so the units work out and lr=1 is a sensible default.",
        "Zeiler (2012), ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701.",
        (
            _lr(1.0),
            ParamSpec(
                "rho",
                0.9,
                min=0.0,
                max=1.0,
                label="rho",
                help="Decay rate of the running averages of squared gradients and steps.",
            ),
            _eps(1e-6),
            _weight_decay(0.0),
        ),
    ),
    "adam": OptimizerSpec(
        "adam",
        "Adam",
        "Momentum on the gradient (first moment) divided by the root of a running average "
        "of its square (second moment), both bias-corrected for their zero start.",
        "Kingma & Ba (2015), Adam: A Method for Stochastic Optimization, ICLR.",
        (*_ADAM_PARAMS, _AMSGRAD),
    ),
    "adamw": OptimizerSpec(
        "adamw",
        "AdamW",
        "Adam with the weight decay taken out of the gradient: parameters shrink directly "
        "by lr * weight_decay, so the adaptive scaling no longer weakens the decay.",
        "Loshchilov & Hutter (2019), Decoupled Weight Decay Regularization, ICLR.",
        (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(1e-2, decoupled=True), _AMSGRAD),
    ),
    "nadam": OptimizerSpec(
        "nadam",
        "NAdam",
        "Adam with a Nesterov-style look-ahead on the first moment, using a momentum "
        "coefficient that warms up over the first few hundred steps.",
        "Dozat (2016), Incorporating Nesterov Momentum into Adam, ICLR Workshop.",
        (
            _lr(2e-3),
            _BETAS,
            _eps(1e-8),
            _weight_decay(0.0),
            ParamSpec(
                "momentum_decay",
                4e-3,
                min=0.0,
                label="momentum decay",
                help="psi in mu_t = beta1 * (1 - 0.96 ** (t * psi) / 2).",
            ),
        ),
    ),
    "amsgrad": OptimizerSpec(
        "amsgrad",
        "AMSGrad",
        "Adam that never lets its second-moment estimate shrink (it divides by the largest "
        "value seen), which repairs Adam's failure to converge on some problems.",
        "Reddi, Kale & Kumar (2018), On the Convergence of Adam and Beyond, ICLR.",
        _ADAM_PARAMS,
    ),
    "adam_sgd": OptimizerSpec(
        "adam_sgd",
        "Adam -> SGD",
        "Adam for the first switch_step updates to get going fast, then SGD with momentum "
        "to settle; a simplified switch at a fixed step rather than the paper's automatic "
        "trigger and learning-rate estimate.",
        "After Keskar & Socher (2017), Improving Generalization Performance by Switching "
        "from Adam to SGD, arXiv:1712.07628 (simplified: fixed switch step).",
        (
            _lr(1e-3),
            _BETAS,
            _eps(1e-8),
            ParamSpec(
                "sgd_lr",
                1e-2,
                min=0.0,
                min_exclusive=True,
                log=True,
                label="SGD learning rate",
                help="Learning rate of the SGD phase.",
            ),
            _momentum(0.9),
            ParamSpec(
                "switch_step",
                100,
                kind="int",
                min=0,
                label="switch step",
                help="Number of Adam updates before switching to SGD.",
            ),
        ),
    ),
}


# ----------------------------------------------------------------------------- states


class SGDState(NamedTuple):
    """State of sgd / momentum / nesterov (``velocity`` is PyTorch's momentum_buffer)."""

    lr: Any
    momentum: Any
    dampening: Any
    weight_decay: Any
    nesterov: bool
    step: int
    velocity: np.ndarray
    velocity_set: Any  # bool (array): the buffer holds a value (PyTorch: buffer is not None)
    applied_lr: Any


class AdagradState(NamedTuple):
    """State of adagrad (``sum`` is PyTorch's state_sum)."""

    lr: Any
    lr_decay: Any
    weight_decay: Any
    initial_accumulator_value: Any
    eps: Any
    step: int
    sum: np.ndarray
    applied_lr: Any


class RMSpropState(NamedTuple):
    """State of rmsprop (square_avg, grad_avg and momentum_buffer as in PyTorch)."""

    lr: Any
    alpha: Any
    eps: Any
    weight_decay: Any
    momentum: Any
    centered: bool
    step: int
    square_avg: np.ndarray
    grad_avg: np.ndarray
    momentum_buffer: np.ndarray
    applied_lr: Any


class AdadeltaState(NamedTuple):
    """State of adadelta (square_avg and acc_delta as in PyTorch)."""

    lr: Any
    rho: Any
    eps: Any
    weight_decay: Any
    step: int
    square_avg: np.ndarray
    acc_delta: np.ndarray
    applied_lr: Any


class AdamState(NamedTuple):
    """State of adam / adamw / amsgrad (exp_avg, exp_avg_sq, max_exp_avg_sq as in PyTorch)."""

    lr: Any
    betas: tuple
    eps: Any
    weight_decay: Any
    amsgrad: bool
    decoupled: bool
    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray
    applied_lr: Any


class NAdamState(NamedTuple):
    """State of nadam (mu_product is the running product of the momentum schedule)."""

    lr: Any
    betas: tuple
    eps: Any
    weight_decay: Any
    momentum_decay: Any
    step: int
    mu_product: Any
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    applied_lr: Any


class AdamSGDState(NamedTuple):
    """State of adam_sgd: Adam's moments, then an SGD momentum buffer after the switch."""

    lr: Any
    betas: tuple
    eps: Any
    sgd_lr: Any
    momentum: Any
    switch_step: int
    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    velocity: np.ndarray
    velocity_set: Any
    applied_lr: Any


# ----------------------------------------------------------------------------- arithmetic


def _pow(base: Any, exp: Any) -> Any:
    """``base ** exp`` with Python's float power for every distinct value.

    PyTorch evaluates bias corrections as Python floats; using the same power for each
    distinct element makes a batched row bit-identical to the same run alone (numpy's
    vectorised ``power`` may differ from libm's by an ulp).
    """
    if np.ndim(base) == 0 and np.ndim(exp) == 0:
        return float(base) ** float(exp)
    b, e = np.broadcast_arrays(np.asarray(base, np.float64), np.asarray(exp, np.float64))
    if b.size <= 1024:
        # Hyperparameter arrays have one row per run: a dict beats np.unique by ~20x here.
        cache: dict[tuple[float, float], float] = {}
        out = []
        for x, y in zip(b.ravel().tolist(), e.ravel().tolist(), strict=True):
            v = cache.get((x, y))
            if v is None:
                v = cache[(x, y)] = x**y
            out.append(v)
        return np.array(out, dtype=np.float64).reshape(b.shape)
    pairs = np.stack([b.ravel(), e.ravel()], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    values = np.array([x**y for x, y in uniq.tolist()], dtype=np.float64)
    return values[inverse.ravel()].reshape(b.shape)


def _sqrt(x: Any) -> Any:
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


def _l2(grads: np.ndarray, params: np.ndarray, weight_decay: Any) -> np.ndarray:
    """Coupled weight decay, PyTorch's ``grad.add(param, alpha=weight_decay)``."""
    if np.ndim(weight_decay) == 0:
        return grads + weight_decay * params if weight_decay != 0 else grads
    # rows with no decay must not see 0 * params (it would turn inf params into nan)
    return np.where(weight_decay != 0, grads + weight_decay * params, grads)


def _momentum_step(
    g: np.ndarray, velocity: np.ndarray, is_set: Any, momentum: Any, dampening: Any, nesterov
) -> tuple[np.ndarray, np.ndarray, Any]:
    """PyTorch SGD momentum: returns (direction, new velocity, new is_set)."""
    if np.ndim(momentum) == 0 and np.ndim(is_set) == 0 and np.ndim(dampening) == 0:
        if momentum == 0:
            return g, velocity, is_set
        # first step: the buffer is the raw gradient, undamped (PyTorch's clone)
        v = momentum * velocity + (1 - dampening) * g if is_set else np.array(g, np.float64)
        return (g + momentum * v if nesterov else v), v, True
    on = np.asarray(momentum) != 0
    v_new = np.where(is_set, momentum * velocity + (1 - dampening) * g, g)
    v = np.where(on, v_new, velocity)
    direction = np.where(on, g + momentum * v if nesterov else v, g)
    return direction, v, np.logical_or(is_set, on)


# ----------------------------------------------------------------------------- updates


def _sgd_update(g, s: SGDState, p):
    """SGD with optional (Nesterov) momentum, torch.optim.SGD; Robbins & Monro 1951,
    Polyak 1964, Sutskever et al. 2013 (velocity form: b = mu b + (1 - tau) g, b1 = g)."""
    g = _l2(g, p, s.weight_decay)
    d, v, is_set = _momentum_step(
        g, s.velocity, s.velocity_set, s.momentum, s.dampening, s.nesterov
    )
    new_p = p - s.lr * d
    return new_p, s._replace(step=s.step + 1, velocity=v, velocity_set=is_set, applied_lr=s.lr)


def _adagrad_update(g, s: AdagradState, p):
    """Adagrad as torch.optim.Adagrad (Duchi, Hazan & Singer 2011), with lr_decay."""
    step = s.step + 1
    g = _l2(g, p, s.weight_decay)
    clr = s.lr / (1 + (step - 1) * s.lr_decay)
    total = s.sum + g * g
    std = np.sqrt(total) + s.eps
    new_p = p - clr * (g / std)
    return new_p, s._replace(step=step, sum=total, applied_lr=clr / std)


def _rmsprop_update(g, s: RMSpropState, p):
    """RMSprop as torch.optim.RMSprop (Tieleman & Hinton 2012; centered: Graves 2013),
    eps outside the square root, momentum buffer starting at zero."""
    a = s.alpha
    g = _l2(g, p, s.weight_decay)
    sq = a * s.square_avg + (1 - a) * (g * g)
    gavg = s.grad_avg
    if s.centered:
        gavg = a * gavg + (1 - a) * g
        avg = np.sqrt(sq - gavg * gavg) + s.eps
    else:
        avg = np.sqrt(sq) + s.eps
    m = s.momentum
    buf = s.momentum_buffer
    if np.ndim(m) == 0:
        if m > 0:
            buf = m * buf + g / avg
            d = buf
        else:
            d = g / avg
    else:
        on = m > 0
        buf = np.where(on, m * buf + g / avg, buf)
        d = np.where(on, buf, g / avg)
    new_p = p - s.lr * d
    return new_p, s._replace(
        step=s.step + 1,
        square_avg=sq,
        grad_avg=gavg,
        momentum_buffer=buf,
        applied_lr=s.lr / avg,
    )


def _adadelta_update(g, s: AdadeltaState, p):
    """Adadelta as torch.optim.Adadelta (Zeiler 2012), eps inside both square roots."""
    rho = s.rho
    g = _l2(g, p, s.weight_decay)
    sq = rho * s.square_avg + (1 - rho) * (g * g)
    std = np.sqrt(sq + s.eps)
    scale = np.sqrt(s.acc_delta + s.eps) / std
    delta = scale * g
    acc = rho * s.acc_delta + (1 - rho) * (delta * delta)
    new_p = p - s.lr * delta
    return new_p, s._replace(step=s.step + 1, square_avg=sq, acc_delta=acc, applied_lr=s.lr * scale)


def _adam_moments(g, exp_avg, exp_avg_sq, betas):
    b1, b2 = betas
    return b1 * exp_avg + (1 - b1) * g, b2 * exp_avg_sq + (1 - b2) * (g * g)


def _adam_update(g, s: AdamState, p):
    """Adam / AdamW / AMSGrad as torch.optim.Adam and AdamW (Kingma & Ba 2015; Loshchilov &
    Hutter 2019; Reddi et al. 2018): AMSGrad keeps the max of v (not of v_hat)."""
    step = s.step + 1
    if s.decoupled:
        if np.ndim(s.weight_decay) > 0 or s.weight_decay != 0:
            p = p * (1 - s.lr * s.weight_decay)
    else:
        g = _l2(g, p, s.weight_decay)
    m, v = _adam_moments(g, s.exp_avg, s.exp_avg_sq, s.betas)
    bc1 = 1 - _pow(s.betas[0], step)
    bc2_sqrt = _sqrt(1 - _pow(s.betas[1], step))
    vmax = s.max_exp_avg_sq
    if s.amsgrad:
        vmax = np.maximum(vmax, v)
        denom = np.sqrt(vmax) / bc2_sqrt + s.eps
    else:
        denom = np.sqrt(v) / bc2_sqrt + s.eps
    new_p = p - (s.lr / bc1) * (m / denom)
    return new_p, s._replace(
        step=step, exp_avg=m, exp_avg_sq=v, max_exp_avg_sq=vmax, applied_lr=s.lr / denom
    )


def _nadam_update(g, s: NAdamState, p):
    """NAdam as torch.optim.NAdam (Dozat 2016): mu_t = beta1 (1 - 0.96^(t psi) / 2) and the
    running product of mu, eps added after the square root of v_hat."""
    step = s.step + 1
    b1, b2 = s.betas
    bc2 = 1 - _pow(b2, step)
    g = _l2(g, p, s.weight_decay)
    mu = b1 * (1.0 - 0.5 * _pow(0.96, step * s.momentum_decay))
    mu_next = b1 * (1.0 - 0.5 * _pow(0.96, (step + 1) * s.momentum_decay))
    mu_product = s.mu_product * mu
    m, v = _adam_moments(g, s.exp_avg, s.exp_avg_sq, s.betas)
    denom = np.sqrt(v / bc2) + s.eps
    mu_product_next = mu_product * mu_next
    lr = s.lr
    new_p = p + (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
    new_p = new_p + ((-lr * mu_next) / (1.0 - mu_product_next)) * (m / denom)
    return new_p, s._replace(
        step=step, mu_product=mu_product, exp_avg=m, exp_avg_sq=v, applied_lr=lr / denom
    )


def _adam_sgd_update(g, s: AdamSGDState, p):
    """Adam for updates 1..switch_step, then SGD with momentum (after Keskar & Socher 2017,
    simplified to a fixed switch step; the SGD buffer starts at the first SGD gradient and
    Adam's moments stay frozen)."""
    step = s.step + 1
    if step <= s.switch_step:
        m, v = _adam_moments(g, s.exp_avg, s.exp_avg_sq, s.betas)
        bc1 = 1 - _pow(s.betas[0], step)
        bc2_sqrt = _sqrt(1 - _pow(s.betas[1], step))
        denom = np.sqrt(v) / bc2_sqrt + s.eps
        new_p = p - (s.lr / bc1) * (m / denom)
        return new_p, s._replace(step=step, exp_avg=m, exp_avg_sq=v, applied_lr=s.lr / denom)
    d, vel, is_set = _momentum_step(g, s.velocity, s.velocity_set, s.momentum, 0.0, False)
    new_p = p - s.sgd_lr * d
    return new_p, s._replace(step=step, velocity=vel, velocity_set=is_set, applied_lr=s.sgd_lr)


# ----------------------------------------------------------------------------- per-algorithm


_FRESH = {"step": 0, "applied_lr": 0.0, "velocity_set": False, "mu_product": 1.0}


def _fresh_state(cls: type, params: np.ndarray, hyper: Mapping[str, Any]):
    """A state before the first update: hyperparameters from ``hyper``, buffers zero."""
    values = {}
    for f in cls._fields:
        if f in hyper:
            values[f] = hyper[f]
        elif f in _FRESH:
            values[f] = _FRESH[f]
        elif f == "sum":  # Adagrad's accumulator starts at initial_accumulator_value
            values[f] = np.zeros(params.shape) + hyper["initial_accumulator_value"]
        else:
            values[f] = np.zeros(params.shape)
    return cls(**values)


_BUFFER_FIELD = {
    SGDState: "velocity",
    AdagradState: "sum",
    RMSpropState: "square_avg",
    AdadeltaState: "square_avg",
    AdamState: "exp_avg",
    NAdamState: "exp_avg",
    AdamSGDState: "exp_avg",
}


def _buffer(s) -> np.ndarray:
    """A parameter-shaped buffer of a plain state (gives the parameter shape)."""
    return getattr(s, _BUFFER_FIELD[type(s)])


def _effective(s) -> np.ndarray:
    return np.broadcast_to(np.asarray(s.applied_lr, dtype=np.float64), _buffer(s).shape)


def _sgd_inspect(s: SGDState):
    out = {}
    if np.any(np.asarray(s.momentum) != 0) or np.any(s.velocity_set):
        out["velocity"] = s.velocity
    out["effective_lr"] = _effective(s)
    return out


def _adagrad_inspect(s: AdagradState):
    return {"second_moment": s.sum, "effective_lr": _effective(s)}


def _rmsprop_inspect(s: RMSpropState):
    out = {}
    if np.any(np.asarray(s.momentum) > 0):
        out["velocity"] = s.momentum_buffer
    if s.centered:
        out["first_moment"] = s.grad_avg
    out["second_moment"] = s.square_avg
    out["effective_lr"] = _effective(s)
    return out


def _adadelta_inspect(s: AdadeltaState):
    return {"second_moment": s.square_avg, "effective_lr": _effective(s)}


def _adam_inspect(s):
    return {
        "first_moment": s.exp_avg,
        "second_moment": s.exp_avg_sq,
        "effective_lr": _effective(s),
    }


def _adam_sgd_inspect(s: AdamSGDState):
    return {"velocity": s.velocity, **_adam_inspect(s)}


def _plain_lr(s):
    return s.lr


@dataclass(frozen=True)
class _Algorithm:
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]
    inspect: Callable[[Any], dict]
    next_lr: Callable[[Any], Any]
    lr_fields: tuple[str, ...] = ("lr",)


_ALGORITHMS: dict[type, _Algorithm] = {
    SGDState: _Algorithm(_sgd_update, _sgd_inspect, _plain_lr),
    AdagradState: _Algorithm(
        _adagrad_update,
        _adagrad_inspect,
        lambda s: s.lr / (1 + s.step * s.lr_decay),
    ),
    RMSpropState: _Algorithm(_rmsprop_update, _rmsprop_inspect, _plain_lr),
    AdadeltaState: _Algorithm(_adadelta_update, _adadelta_inspect, _plain_lr),
    AdamState: _Algorithm(_adam_update, _adam_inspect, _plain_lr),
    NAdamState: _Algorithm(_nadam_update, _adam_inspect, _plain_lr),
    AdamSGDState: _Algorithm(
        _adam_sgd_update,
        _adam_sgd_inspect,
        lambda s: s.lr if s.step < s.switch_step else s.sgd_lr,
        ("lr", "sgd_lr"),
    ),
}

# registry name -> (state class, flags fixed by the name rather than tunable)
_KINDS: dict[str, tuple[type, dict[str, Any]]] = {
    "sgd": (SGDState, {}),
    "momentum": (SGDState, {}),
    "nesterov": (SGDState, {"nesterov": True}),
    "adagrad": (AdagradState, {}),
    "rmsprop": (RMSpropState, {}),
    "adadelta": (AdadeltaState, {}),
    "adam": (AdamState, {"decoupled": False}),
    "adamw": (AdamState, {"decoupled": True}),
    "nadam": (NAdamState, {}),
    "amsgrad": (AdamState, {"decoupled": False, "amsgrad": True}),
    "adam_sgd": (AdamSGDState, {}),
}


# ----------------------------------------------------------------------------- validation


def _canonical(name: str) -> str:
    key = str(name).strip().lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return key


def _float_array(value: Any, spec: ParamSpec, owner: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{owner}: {spec.name} must be {spec.describe_type()}; got {value!r}"
        ) from None
    for v in np.unique(arr).tolist():
        spec.validate(v, owner)
    arr.setflags(write=False)
    return arr


def _is_batch(value: Any) -> bool:
    return isinstance(value, (np.ndarray, list)) and np.ndim(value) > 0


def _validate_one(spec: ParamSpec, value: Any, owner: str) -> Any:
    if spec.kind == "pair" and not isinstance(value, str):
        if isinstance(value, np.ndarray) and value.shape == (2,):
            value = tuple(value.tolist())
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ValueError(f"{owner}: {spec.name} must be {spec.describe_type()}; got {value!r}")
        out = []
        for i, v in enumerate(value):
            item = dataclasses.replace(spec, name=f"{spec.name}[{i}]", kind="float")
            out.append(_float_array(v, item, owner) if _is_batch(v) else item.validate(v, owner))
            if np.any(np.asarray(out[-1]) >= 1.0):
                raise ValueError(f"{owner}: {spec.name}[{i}] must be in [0, 1); got {v!r}")
        return tuple(out)
    if _is_batch(value):
        if spec.kind != "float":
            raise ValueError(f"{owner}: {spec.name} must be a single value, not an array")
        return _float_array(value, spec, owner)
    if isinstance(value, np.ndarray):  # 0-d
        value = value.item()
    return spec.validate(value, owner)


def _validate(name: str, given: Mapping[str, Any], owner: str) -> dict[str, Any]:
    specs = {s.name: s for s in OPTIMIZERS[name].params}
    unknown = [k for k in given if k not in specs]
    if unknown:
        raise ValueError(
            f"{owner}: unknown parameter {unknown[0]!r} (accepted: {', '.join(specs)})"
        )
    return {k: _validate_one(specs[k], v, owner) for k, v in given.items()}


def _check_combination(name: str, hyper: Mapping[str, Any], owner: str) -> None:
    flags = {**hyper, **_KINDS[name][1]}
    if flags.get("nesterov"):
        momentum = np.asarray(flags["momentum"])
        dampening = np.asarray(flags["dampening"])
        if np.any(momentum <= 0) or np.any(dampening != 0):
            raise ValueError(
                f"{owner}: nesterov requires momentum > 0 and dampening = 0 "
                f"(got momentum={flags['momentum']!r}, dampening={flags['dampening']!r})"
            )


def _check_shapes(hyper: Mapping[str, Any], shape: tuple[int, ...], owner: str) -> None:
    for key, value in hyper.items():
        for i, v in enumerate(value if isinstance(value, tuple) else (value,)):
            if isinstance(v, np.ndarray) and v.ndim > 0:
                label = f"{key}[{i}]" if isinstance(value, tuple) else key
                try:
                    ok = np.broadcast_shapes(v.shape, shape) == tuple(shape)
                except ValueError:
                    ok = False
                if not ok:
                    raise ValueError(
                        f"{owner}: {label} of shape {v.shape} does not broadcast to the "
                        f"parameters' shape {tuple(shape)}"
                    )


# ----------------------------------------------------------------------------- construction


class _Init:
    """``init(params) -> state`` of a (possibly composed) optimizer."""

    __slots__ = ("hyper", "name", "transforms")

    def __init__(self, name: str, hyper: dict, transforms: Transforms | None):
        self.name = name
        self.hyper = hyper
        self.transforms = transforms

    def __call__(self, params: np.ndarray):
        params = np.asarray(params, dtype=np.float64)
        owner = f"optimizer {self.name}"
        _check_shapes(self.hyper, params.shape, owner)
        cls, fixed = _KINDS[self.name]
        algo = _ALGORITHMS[cls]
        state = _fresh_state(cls, params, {**self.hyper, **fixed})
        t = self.transforms
        if t is None:
            return state
        _check_shapes(
            {"clip_value": t.clip_value, "clip_norm": t.clip_norm, "noise_std": t.noise_std},
            params.shape,
            owner,
        )
        if t.noise_std is not None and len(t.seeds) != n_runs(params.shape):
            raise ValueError(
                f"{owner}: seeds must give one seed per run ({n_runs(params.shape)}); "
                f"got {len(t.seeds)}"
            )
        return TransformState(
            state,
            t.schedule,
            tuple(getattr(state, f) for f in algo.lr_fields),
            t.clip_value,
            t.clip_norm,
            t.noise_std,
            t.seeds,
        )


def _update(grads: np.ndarray, state, params: np.ndarray):
    """``update(grads, state, params) -> (new_params, new_state)``; pure."""
    grads = np.asarray(grads, dtype=np.float64)
    params = np.asarray(params, dtype=np.float64)
    if grads.shape != params.shape:
        raise ValueError(f"grads shape {grads.shape} differs from params shape {params.shape}")
    if isinstance(state, TransformState):
        inner = state.inner
        algo = _ALGORITHMS[type(inner)]
        t = inner.step
        g = transform_grads(grads, state, t)
        if state.schedule is not None:
            lrs = {
                f: state.schedule.lr(b, t)
                for f, b in zip(algo.lr_fields, state.base_lr, strict=True)
            }
            inner = inner._replace(**lrs)
        new_params, inner = algo.update(g, inner, params)
        return new_params, state._replace(inner=inner)
    return _ALGORITHMS[type(state)].update(grads, state, params)


def _build(name: str, hyper: dict, transforms: Transforms | None) -> Optimizer:
    t = transforms
    if t is not None and all(
        v is None for v in (t.schedule, t.clip_value, t.clip_norm, t.noise_std)
    ):
        transforms = None
    return Optimizer(name, dict(hyper), _Init(name, dict(hyper), transforms), _update)


def make_optimizer(name: str, **hyper: Any) -> Optimizer:
    """Build an optimizer from the registry.

    Parameters
    ----------
    name : str
        A key of :data:`OPTIMIZERS`, case-insensitive.
    **hyper
        Hyperparameters by their PyTorch names (see ``OPTIMIZERS[name].params``); missing ones
        take PyTorch's defaults. Strings are parsed (``betas="0.9/0.999"``). A float
        hyperparameter may be an array broadcastable to the parameters (e.g. ``lr`` of shape
        ``(n_runs, 1)``); for ``betas`` give a pair whose items may be arrays.

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        Unknown name (the message lists the known ones), unknown or invalid hyperparameter
        (the message names it), or nesterov without momentum or with dampening.
    """
    key = _canonical(name)
    owner = f"optimizer {key}"
    resolved = {s.name: s.default for s in OPTIMIZERS[key].params}
    resolved.update(_validate(key, hyper, owner))
    _check_combination(key, resolved, owner)
    return _build(key, resolved, None)


# ----------------------------------------------------------------------------- composition


def _parts(opt: Optimizer) -> tuple[str, dict, Transforms]:
    init = opt.init
    if not isinstance(init, _Init):
        raise TypeError("expected an Optimizer made by engine.optimizers.make_optimizer")
    return init.name, dict(init.hyper), init.transforms or Transforms()


def _positive(value: Any, name: str, allow_zero: bool = False) -> Any:
    if value is None:
        return None
    spec = ParamSpec(name, 1.0, min=0.0, min_exclusive=not allow_zero)
    return _validate_one(spec, value, "gradient transform")


def with_schedule(opt: Optimizer, schedule: Schedule | None) -> Optimizer:
    """Drive the optimizer's learning rate by ``schedule``.

    Update number ``t`` (0 for the first) uses ``schedule.lr(base_lr, t)``, with ``base_lr``
    the optimizer's ``lr`` (scalar or array); for adam_sgd ``sgd_lr`` is scheduled the same
    way. ``None`` removes a schedule.

    Returns
    -------
    Optimizer
        A new optimizer whose state is a :class:`TransformState`.
    """
    if schedule is not None and not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be an engine.schedules.Schedule; got {schedule!r}")
    name, hyper, t = _parts(opt)
    return _build(name, hyper, dataclasses.replace(t, schedule=schedule))


def with_clipping(
    opt: Optimizer,
    *,
    clip_value: float | np.ndarray | None = None,
    clip_norm: float | np.ndarray | None = None,
) -> Optimizer:
    """Clip gradients before the optimizer sees them (after any gradient noise).

    First by value (``torch.nn.utils.clip_grad_value_``), then by norm
    (``clip_grad_norm_``: ``g * min(1, clip_norm / (norm + 1e-6))``) with the norm taken
    per run. Both settings are replaced: ``None`` turns that clipping off.

    Parameters
    ----------
    clip_value, clip_norm : float > 0, array broadcastable to the parameters, or None
    """
    clip_value = _positive(clip_value, "clip_value")
    clip_norm = _positive(clip_norm, "clip_norm")
    name, hyper, t = _parts(opt)
    return _build(name, hyper, dataclasses.replace(t, clip_value=clip_value, clip_norm=clip_norm))


def with_gradient_noise(opt: Optimizer, std: float | np.ndarray, seeds: Sequence[int]) -> Optimizer:
    """Add Gaussian noise ``N(0, std^2)`` to the gradients (first of all transforms).

    Run ``r``'s noise at update ``t`` is drawn from ``np.random.default_rng([seeds[r], t])``,
    so updates stay pure and a run's noise is the same alone or batched.

    Parameters
    ----------
    std : float >= 0 or array broadcastable to the parameters (e.g. ``(n_runs, 1)``)
    seeds : sequence of int >= 0
        One per run: ``n_runs`` for parameters ``(n_runs, ...)``, one for 1-d parameters.
    """
    std = _positive(std, "std", allow_zero=True)
    try:
        seeds = tuple(int(s) for s in seeds)
    except (TypeError, ValueError):
        raise ValueError(f"seeds must be a sequence of whole numbers; got {seeds!r}") from None
    if not seeds or min(seeds) < 0:
        raise ValueError(f"seeds must be one or more integers >= 0; got {seeds!r}")
    name, hyper, t = _parts(opt)
    return _build(name, hyper, dataclasses.replace(t, noise_std=std, seeds=seeds))


# ----------------------------------------------------------------------------- live access

_TRANSFORM_KEYS = ("clip_value", "clip_norm", "noise_std", "schedule")


def set_hyper(opt: Optimizer, state, **hyper: Any) -> tuple[Optimizer, Any]:
    """Change hyperparameters of a running optimizer, keeping its buffers.

    Parameters
    ----------
    opt : Optimizer
    state : optimizer state (plain or :class:`TransformState`)
    **hyper
        Any of the optimizer's hyperparameters (validated as in :func:`make_optimizer`;
        arrays must broadcast to the parameters). Also ``clip_value``, ``clip_norm``,
        ``noise_std`` and ``schedule`` (a Schedule or None), which compose the optimizer if
        it was not yet composed (``noise_std`` needs :func:`with_gradient_noise` first).
        Under a schedule ``lr`` sets the schedule's base learning rate.

    Returns
    -------
    (Optimizer, state)
        The new values apply from the next update on.
    """
    name, base_hyper, t = _parts(opt)
    owner = f"optimizer {name}"
    extra = {k: hyper.pop(k) for k in _TRANSFORM_KEYS if k in hyper}
    changes = _validate(name, hyper, owner)
    merged = {**base_hyper, **changes}
    _check_combination(name, merged, owner)

    inner = state.inner if isinstance(state, TransformState) else state
    if type(inner) is not _KINDS[name][0]:
        raise ValueError(f"{owner}: state of type {type(inner).__name__} does not belong to it")
    _check_shapes(changes, _buffer(inner).shape, owner)
    fields = dict(changes)
    if isinstance(inner, AdagradState) and "initial_accumulator_value" in changes:
        if inner.step == 0:
            fields["sum"] = np.zeros(inner.sum.shape) + changes["initial_accumulator_value"]
    inner = inner._replace(**fields)

    if "schedule" in extra:
        if extra["schedule"] is not None and not isinstance(extra["schedule"], Schedule):
            raise ValueError("schedule must be an engine.schedules.Schedule or None")
        t = dataclasses.replace(t, schedule=extra["schedule"])
    if "clip_value" in extra:
        t = dataclasses.replace(t, clip_value=_positive(extra["clip_value"], "clip_value"))
    if "clip_norm" in extra:
        t = dataclasses.replace(t, clip_norm=_positive(extra["clip_norm"], "clip_norm"))
    if "noise_std" in extra:
        if not t.seeds:
            raise ValueError("noise_std: add gradient noise with with_gradient_noise first")
        t = dataclasses.replace(t, noise_std=_positive(extra["noise_std"], "noise_std", True))
    _check_shapes(
        {"clip_value": t.clip_value, "clip_norm": t.clip_norm, "noise_std": t.noise_std},
        _buffer(inner).shape,
        owner,
    )

    algo = _ALGORITHMS[type(inner)]
    if isinstance(state, TransformState):
        base_lr = tuple(
            fields.get(f, old) for f, old in zip(algo.lr_fields, state.base_lr, strict=True)
        )
        if state.schedule is not None and t.schedule is None:
            # the inner lr holds the last scheduled value; go back to the base
            inner = inner._replace(**dict(zip(algo.lr_fields, base_lr, strict=True)))
    else:
        base_lr = tuple(getattr(inner, f) for f in algo.lr_fields)
    new_opt = _build(name, merged, t)
    if new_opt.init.transforms is None:
        return new_opt, inner
    return new_opt, TransformState(
        inner, t.schedule, base_lr, t.clip_value, t.clip_norm, t.noise_std, t.seeds
    )


def _readonly(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


def inspect(state) -> dict[str, np.ndarray]:
    """Teaching quantities of an optimizer state, each shaped like the parameters.

    Keys (only those the optimizer has): ``"velocity"`` (momentum buffer), ``"first_moment"``
    (Adam's m, centered RMSprop's gradient average), ``"second_moment"`` (Adam's v, Adagrad's
    sum of squares, RMSprop/Adadelta's square average) and ``"effective_lr"`` (per-coordinate
    step size of the last update: ``lr`` for SGD, ``lr / (sqrt(v_hat) + eps)`` for Adam,
    ``lr * sqrt(acc_delta + eps) / sqrt(v + eps)`` for Adadelta; zeros before any update).

    Returns
    -------
    dict of str to read-only float64 arrays
    """
    inner = state.inner if isinstance(state, TransformState) else state
    out = _ALGORITHMS[type(inner)].inspect(inner)
    return {k: _readonly(np.asarray(v)) for k, v in out.items()}


def current_lr(state) -> float | np.ndarray:
    """Learning rate the next update will use.

    Includes the schedule (if composed), Adagrad's ``lr_decay`` and adam_sgd's switch to
    ``sgd_lr``. A float, or an array when the learning rate is batched.
    """
    if isinstance(state, TransformState):
        inner = state.inner
        algo = _ALGORITHMS[type(inner)]
        if state.schedule is not None:
            t = inner.step
            inner = inner._replace(
                **{
                    f: state.schedule.lr(b, t)
                    for f, b in zip(algo.lr_fields, state.base_lr, strict=True)
                }
            )
        return algo.next_lr(inner)
    return _ALGORITHMS[type(state)].next_lr(state)
