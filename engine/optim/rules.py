"""States and update rules of the classic optimizers (SGD to AMSGrad), PyTorch's arithmetic.

Each state is a NamedTuple holding the buffers, the update counter ``step`` and every
hyperparameter; each ``_x_update(g, state, p) -> (new_p, new_state)`` is pure. Float
hyperparameters may be arrays broadcasting against the parameters (one row per run).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

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


def pow_(base: Any, exp: Any) -> Any:
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


def sqrt_(x: Any) -> Any:
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


def l2(grads: np.ndarray, params: np.ndarray, weight_decay: Any) -> np.ndarray:
    """Coupled weight decay, PyTorch's ``grad.add(param, alpha=weight_decay)``."""
    if np.ndim(weight_decay) == 0:
        return grads + weight_decay * params if weight_decay != 0 else grads
    # rows with no decay must not see 0 * params (it would turn inf params into nan)
    return np.where(weight_decay != 0, grads + weight_decay * params, grads)


def momentum_step(
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
    g = l2(g, p, s.weight_decay)
    d, v, is_set = momentum_step(g, s.velocity, s.velocity_set, s.momentum, s.dampening, s.nesterov)
    new_p = p - s.lr * d
    return new_p, s._replace(step=s.step + 1, velocity=v, velocity_set=is_set, applied_lr=s.lr)


def _adagrad_update(g, s: AdagradState, p):
    """Adagrad as torch.optim.Adagrad (Duchi, Hazan & Singer 2011), with lr_decay."""
    step = s.step + 1
    g = l2(g, p, s.weight_decay)
    clr = s.lr / (1 + (step - 1) * s.lr_decay)
    total = s.sum + g * g
    std = np.sqrt(total) + s.eps
    new_p = p - clr * (g / std)
    return new_p, s._replace(step=step, sum=total, applied_lr=clr / std)


def _rmsprop_update(g, s: RMSpropState, p):
    """RMSprop as torch.optim.RMSprop (Tieleman & Hinton 2012; centered: Graves 2013),
    eps outside the square root, momentum buffer starting at zero."""
    a = s.alpha
    g = l2(g, p, s.weight_decay)
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
    g = l2(g, p, s.weight_decay)
    sq = rho * s.square_avg + (1 - rho) * (g * g)
    std = np.sqrt(sq + s.eps)
    scale = np.sqrt(s.acc_delta + s.eps) / std
    delta = scale * g
    acc = rho * s.acc_delta + (1 - rho) * (delta * delta)
    new_p = p - s.lr * delta
    return new_p, s._replace(step=s.step + 1, square_avg=sq, acc_delta=acc, applied_lr=s.lr * scale)


def adam_moments(g, exp_avg, exp_avg_sq, betas):
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
        g = l2(g, p, s.weight_decay)
    b1, b2 = s.betas
    # The operations of b1 m + (1 - b1) g, b2 v + (1 - b2) g^2 and
    # p - (lr / bc1) (m / (sqrt(v) / sqrt(bc2) + eps)), in PyTorch's order, written into
    # fresh arrays with ``out=``: the same roundings, a third of the temporaries (this is
    # the hot loop of a 40,000-run basin map). The state's arrays are never written.
    m = np.multiply(s.exp_avg, b1)
    tmp = np.multiply(g, 1 - b1)
    m += tmp
    v = np.multiply(s.exp_avg_sq, b2)
    np.multiply(g, g, out=tmp)
    tmp *= 1 - b2
    v += tmp
    bc1 = 1 - pow_(b1, step)
    bc2_sqrt = sqrt_(1 - pow_(b2, step))
    vmax = s.max_exp_avg_sq
    if s.amsgrad:
        vmax = np.maximum(vmax, v)
        denom = np.sqrt(vmax)
    else:
        denom = np.sqrt(v)
    denom /= bc2_sqrt
    denom += s.eps
    new_p = np.divide(m, denom)
    new_p *= s.lr / bc1
    np.subtract(p, new_p, out=new_p)
    return new_p, s._replace(
        step=step, exp_avg=m, exp_avg_sq=v, max_exp_avg_sq=vmax, applied_lr=s.lr / denom
    )


def _nadam_update(g, s: NAdamState, p):
    """NAdam as torch.optim.NAdam (Dozat 2016): mu_t = beta1 (1 - 0.96^(t psi) / 2) and the
    running product of mu, eps added after the square root of v_hat."""
    step = s.step + 1
    b1, b2 = s.betas
    bc2 = 1 - pow_(b2, step)
    g = l2(g, p, s.weight_decay)
    mu = b1 * (1.0 - 0.5 * pow_(0.96, step * s.momentum_decay))
    mu_next = b1 * (1.0 - 0.5 * pow_(0.96, (step + 1) * s.momentum_decay))
    mu_product = s.mu_product * mu
    m, v = adam_moments(g, s.exp_avg, s.exp_avg_sq, s.betas)
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
        m, v = adam_moments(g, s.exp_avg, s.exp_avg_sq, s.betas)
        bc1 = 1 - pow_(s.betas[0], step)
        bc2_sqrt = sqrt_(1 - pow_(s.betas[1], step))
        denom = np.sqrt(v) / bc2_sqrt + s.eps
        new_p = p - (s.lr / bc1) * (m / denom)
        return new_p, s._replace(step=step, exp_avg=m, exp_avg_sq=v, applied_lr=s.lr / denom)
    d, vel, is_set = momentum_step(g, s.velocity, s.velocity_set, s.momentum, 0.0, False)
    new_p = p - s.sgd_lr * d
    return new_p, s._replace(step=step, velocity=vel, velocity_set=is_set, applied_lr=s.sgd_lr)


# ----------------------------------------------------------------------------- per-algorithm


_FRESH = {"step": 0, "applied_lr": 0.0, "velocity_set": False, "mu_product": 1.0}


def fresh_state(cls: type, params: np.ndarray, hyper: Mapping[str, Any]):
    """A state before the first update: hyperparameters from ``hyper``, buffers zero."""
    values = {}
    for f in cls._fields:
        if f in hyper:
            values[f] = hyper[f]
        elif f in _FRESH:
            values[f] = _FRESH[f]
        elif f == "sum":  # Adagrad's accumulator starts at initial_accumulator_value
            values[f] = np.zeros_like(params) + hyper["initial_accumulator_value"]
        else:
            # zeros_like keeps the parameters' memory layout: a basin map steps
            # column-major (n_runs, 2) parameters so that x and y are contiguous
            values[f] = np.zeros_like(params)
    return cls(**values)


BUFFER_FIELD = {
    SGDState: "velocity",
    AdagradState: "sum",
    RMSpropState: "square_avg",
    AdadeltaState: "square_avg",
    AdamState: "exp_avg",
    NAdamState: "exp_avg",
    AdamSGDState: "exp_avg",
}


def _buffer(s) -> np.ndarray:
    """A parameter-shaped buffer of a classic state (gives the parameter shape)."""
    return getattr(s, BUFFER_FIELD[type(s)])


def effective(s) -> np.ndarray:
    return np.broadcast_to(np.asarray(s.applied_lr, dtype=np.float64), _buffer(s).shape)


def _sgd_inspect(s: SGDState):
    out = {}
    if np.any(np.asarray(s.momentum) != 0) or np.any(s.velocity_set):
        out["velocity"] = s.velocity
    out["effective_lr"] = effective(s)
    return out


def _adagrad_inspect(s: AdagradState):
    return {"second_moment": s.sum, "effective_lr": effective(s)}


def _rmsprop_inspect(s: RMSpropState):
    out = {}
    if np.any(np.asarray(s.momentum) > 0):
        out["velocity"] = s.momentum_buffer
    if s.centered:
        out["first_moment"] = s.grad_avg
    out["second_moment"] = s.square_avg
    out["effective_lr"] = effective(s)
    return out


def _adadelta_inspect(s: AdadeltaState):
    return {"second_moment": s.square_avg, "effective_lr": effective(s)}


def _adam_inspect(s):
    return {
        "first_moment": s.exp_avg,
        "second_moment": s.exp_avg_sq,
        "effective_lr": effective(s),
    }


def _adam_sgd_inspect(s: AdamSGDState):
    return {"velocity": s.velocity, **_adam_inspect(s)}


def _plain_lr(s):
    return s.lr


@dataclass(frozen=True)
class Algorithm:
    """How one state class updates, reports and schedules: the rule's table entry.

    ``lr_fields`` are the state fields a schedule drives (empty: the rule has no schedulable
    learning rate, e.g. Rprop, whose ``lr`` is only the initial step size).
    """

    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]
    inspect: Callable[[Any], dict]
    next_lr: Callable[[Any], Any]
    lr_fields: tuple[str, ...] = ("lr",)


ALGORITHMS: dict[type, Algorithm] = {
    SGDState: Algorithm(_sgd_update, _sgd_inspect, _plain_lr),
    AdagradState: Algorithm(
        _adagrad_update,
        _adagrad_inspect,
        lambda s: s.lr / (1 + s.step * s.lr_decay),
    ),
    RMSpropState: Algorithm(_rmsprop_update, _rmsprop_inspect, _plain_lr),
    AdadeltaState: Algorithm(_adadelta_update, _adadelta_inspect, _plain_lr),
    AdamState: Algorithm(_adam_update, _adam_inspect, _plain_lr),
    NAdamState: Algorithm(_nadam_update, _adam_inspect, _plain_lr),
    AdamSGDState: Algorithm(
        _adam_sgd_update,
        _adam_sgd_inspect,
        lambda s: s.lr if s.step < s.switch_step else s.sgd_lr,
        ("lr", "sgd_lr"),
    ),
}

# registry name -> (state class, flags fixed by the name rather than tunable)
KINDS: dict[str, tuple[type, dict[str, Any]]] = {
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
