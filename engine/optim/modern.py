"""States and update rules of the newer optimizers: RAdam, Adamax, Rprop, Lion, AdaBelief,
signSGD and schedule-free AdamW.

Same contract as :mod:`engine.optim.rules`: NamedTuple states holding buffers, the update
counter ``step`` and every hyperparameter; pure ``update(g, state, p) -> (new_p, state)``;
float hyperparameters may be arrays broadcasting against the parameters, and powers of
scalars go through :func:`engine.optim.rules.pow_` so a batched row equals the run alone.
The wrapper ``lookahead`` dispatches to any other rule and lives in :mod:`engine.optim.kinds`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from engine.optim.rules import Algorithm, adam_moments, l2, pow_, sqrt_

# ----------------------------------------------------------------------------- states


class RAdamState(NamedTuple):
    """State of radam (exp_avg, exp_avg_sq as in torch.optim.RAdam)."""

    lr: Any
    betas: tuple
    eps: Any
    weight_decay: Any
    decoupled_weight_decay: bool
    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    applied_lr: Any


class AdamaxState(NamedTuple):
    """State of adamax (exp_avg, exp_inf as in torch.optim.Adamax)."""

    lr: Any
    betas: tuple
    eps: Any
    weight_decay: Any
    step: int
    exp_avg: np.ndarray
    exp_inf: np.ndarray
    applied_lr: Any


class RpropState(NamedTuple):
    """State of rprop (prev and step_size as in torch.optim.Rprop; step_size starts at lr)."""

    lr: Any
    etas: tuple
    step_sizes: tuple
    step: int
    prev: np.ndarray
    step_size: np.ndarray


class LionState(NamedTuple):
    """State of lion (exp_avg as in lucidrains/lion-pytorch)."""

    lr: Any
    betas: tuple
    weight_decay: Any
    step: int
    exp_avg: np.ndarray
    applied_lr: Any


class AdaBeliefState(NamedTuple):
    """State of adabelief: m (exp_avg) and s, the running variance of g around m."""

    lr: Any
    betas: tuple
    eps: Any
    weight_decay: Any
    step: int
    exp_avg: np.ndarray
    exp_avg_var: np.ndarray
    applied_lr: Any


class SignSGDState(NamedTuple):
    """State of signsgd: nothing but the learning rate and the counter."""

    lr: Any
    step: int
    last_sign: np.ndarray


class ScheduleFreeState(NamedTuple):
    """State of schedule_free_adamw, as facebookresearch/schedule_free's reference AdamW.

    The parameters the caller holds are y, where the gradient is taken; ``z`` is the base
    (SGD-like) sequence, ``x`` the weighted average of z that is evaluated at the end.
    """

    lr: Any
    betas: tuple
    eps: Any
    weight_decay: Any
    warmup_steps: int
    r: Any
    weight_lr_power: Any
    decay_at_z: bool
    step: int
    z: np.ndarray
    x: np.ndarray
    exp_avg_sq: np.ndarray
    lr_max: Any
    weight_sum: Any
    applied_lr: Any


# ----------------------------------------------------------------------------- updates


def _radam_update(g, s: RAdamState, p):
    """RAdam as torch.optim.RAdam (Liu et al. 2020, On the Variance of the Adaptive
    Learning Rate and Beyond, ICLR): rectified Adam step when rho_t > 5, else an SGD-with-
    momentum step on the bias-corrected m; ``decoupled_weight_decay`` as AdamW."""
    step = s.step + 1
    b1, b2 = s.betas
    if np.ndim(s.weight_decay) > 0 or s.weight_decay != 0:
        if s.decoupled_weight_decay:
            p = p * (1 - s.lr * s.weight_decay)
        else:
            g = l2(g, p, s.weight_decay)
    m, v = adam_moments(g, s.exp_avg, s.exp_avg_sq, s.betas)
    bc1 = 1 - pow_(b1, step)
    bc2 = 1 - pow_(b2, step)
    m_hat = m / bc1
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * step * pow_(b2, step) / bc2
    adaptive = sqrt_(bc2) / (np.sqrt(v) + s.eps)
    if np.ndim(rho_t) == 0:
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            new_p = p - m_hat * s.lr * adaptive * rect
            eff = s.lr * adaptive * rect / bc1
        else:
            new_p = p - m_hat * s.lr
            eff = np.broadcast_to(s.lr / bc1, np.shape(p))
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            rect = np.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
        on = rho_t > 5.0
        new_p = np.where(on, p - m_hat * s.lr * adaptive * rect, p - m_hat * s.lr)
        eff = np.where(on, s.lr * adaptive * rect / bc1, s.lr / bc1 + 0 * adaptive)
    return new_p, s._replace(step=step, exp_avg=m, exp_avg_sq=v, applied_lr=eff)


def _adamax_update(g, s: AdamaxState, p):
    """Adamax as torch.optim.Adamax (Kingma & Ba 2015, section 7.1): the infinity-norm
    variant, u = max(beta2 u, |g| + eps), step lr / (1 - beta1^t) * m / u."""
    step = s.step + 1
    b1, b2 = s.betas
    g = l2(g, p, s.weight_decay)
    m = b1 * s.exp_avg + (1 - b1) * g
    u = np.maximum(b2 * s.exp_inf, np.abs(g) + s.eps)
    clr = s.lr / (1 - pow_(b1, step))
    new_p = p - clr * (m / u)
    return new_p, s._replace(step=step, exp_avg=m, exp_inf=u, applied_lr=clr / u)


def _rprop_update(g, s: RpropState, p):
    """Rprop as torch.optim.Rprop (Riedmiller & Braun 1993, iRprop- variant): each
    coordinate's step size grows by eta+ while the gradient keeps its sign and shrinks by
    eta- when it flips, and after a flip that coordinate skips its move."""
    eta_minus, eta_plus = s.etas
    lo, hi = s.step_sizes
    prod = np.sign(g * s.prev)
    factor = np.where(prod > 0, eta_plus, np.where(prod < 0, eta_minus, 1.0))
    factor = np.broadcast_to(factor, np.shape(g))
    size = np.clip(s.step_size * factor, lo, hi)
    g = np.where(prod < 0, 0.0, g)
    new_p = p - np.sign(g) * size
    return new_p, s._replace(step=s.step + 1, prev=g, step_size=size)


def _lion_update(g, s: LionState, p):
    """Lion (Chen et al. 2023, Symbolic Discovery of Optimization Algorithms, NeurIPS) as
    lucidrains/lion-pytorch: decoupled decay, then lr * sign(beta1 m + (1 - beta1) g), then
    m <- beta2 m + (1 - beta2) g."""
    b1, b2 = s.betas
    if np.ndim(s.weight_decay) > 0 or s.weight_decay != 0:
        p = p * (1 - s.lr * s.weight_decay)
    direction = np.sign(b1 * s.exp_avg + (1 - b1) * g)
    new_p = p - s.lr * direction
    m = b2 * s.exp_avg + (1 - b2) * g
    return new_p, s._replace(step=s.step + 1, exp_avg=m, applied_lr=s.lr)


def _adabelief_update(g, s: AdaBeliefState, p):
    """AdaBelief (Zhuang et al. 2020, AdaBelief Optimizer: Adapting Stepsizes by the Belief
    in Observed Gradients, NeurIPS), Algorithm 2 without rectification: L2 decay added to
    g; s <- beta2 s + (1 - beta2)(g - m)^2 + eps with the new m; step lr m_hat/(sqrt(s_hat)
    + eps) (reference: juntang-zhuang/Adabelief-Optimizer)."""
    step = s.step + 1
    b1, b2 = s.betas
    g = l2(g, p, s.weight_decay)
    m = b1 * s.exp_avg + (1 - b1) * g
    r = g - m
    var = b2 * s.exp_avg_var + (1 - b2) * (r * r) + s.eps
    bc1 = 1 - pow_(b1, step)
    bc2 = 1 - pow_(b2, step)
    denom = np.sqrt(var / bc2) + s.eps
    new_p = p - s.lr * (m / bc1) / denom
    return new_p, s._replace(step=step, exp_avg=m, exp_avg_var=var, applied_lr=s.lr / denom)


def _signsgd_update(g, s: SignSGDState, p):
    """signSGD (Bernstein et al. 2018, signSGD: Compressed Optimisation for Non-Convex
    Problems, ICML): p <- p - lr sign(g)."""
    d = np.sign(g)
    return p - s.lr * d, s._replace(step=s.step + 1, last_sign=d)


def _schedule_free_update(g, s: ScheduleFreeState, p):
    """Schedule-free AdamW (Defazio et al. 2024, The Road Less Scheduled, NeurIPS) as
    facebookresearch/schedule_free's ``AdamWScheduleFreeReference``: the gradient is taken
    at y = p; decay at y (or z) shrinks z; z takes an Adam-normalised step with lr scaled by
    warm-up and sqrt(1 - beta2^(k+1)); x averages z with weight (k+1)^r lr_max^power;
    y = beta1 x + (1 - beta1) z."""
    k = s.step
    b1, b2 = s.betas
    w = s.warmup_steps
    sched = (k + 1) / w if k < w else 1.0
    lr = s.lr * sched * sqrt_(1 - pow_(b2, k + 1))
    lr_max = np.maximum(lr, s.lr_max) if np.ndim(lr) or np.ndim(s.lr_max) else max(lr, s.lr_max)
    weight = pow_(k + 1, s.r) * pow_(lr_max, s.weight_lr_power)
    weight_sum = s.weight_sum + weight
    if np.ndim(weight_sum) == 0:
        ckp1 = weight / weight_sum if weight_sum != 0 else 0.0
    else:
        safe = np.where(weight_sum != 0, weight_sum, 1.0)
        ckp1 = np.where(weight_sum != 0, weight / safe, 0.0)
    z = s.z
    if np.ndim(s.weight_decay) > 0 or s.weight_decay != 0:
        z = z - (lr * s.weight_decay) * (z if s.decay_at_z else p)
    v = b2 * s.exp_avg_sq + (1 - b2) * (g * g)
    denom = np.sqrt(v) + s.eps
    z = z - lr * (g / denom)
    x = (1 - ckp1) * s.x + ckp1 * z
    y = b1 * x + (1 - b1) * z
    return y, s._replace(
        step=k + 1,
        z=z,
        x=x,
        exp_avg_sq=v,
        lr_max=lr_max,
        weight_sum=weight_sum,
        applied_lr=lr / denom,
    )


# ----------------------------------------------------------------------------- inspect


def _effective(s, buffer: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.asarray(s.applied_lr, dtype=np.float64), buffer.shape)


def _adam_like_inspect(s):
    return {
        "first_moment": s.exp_avg,
        "second_moment": s.exp_avg_sq,
        "effective_lr": _effective(s, s.exp_avg),
    }


def _adamax_inspect(s: AdamaxState):
    return {
        "first_moment": s.exp_avg,
        "second_moment": s.exp_inf,
        "effective_lr": _effective(s, s.exp_avg),
    }


def _rprop_inspect(s: RpropState):
    return {"effective_lr": s.step_size}


def _lion_inspect(s: LionState):
    return {"velocity": s.exp_avg, "effective_lr": _effective(s, s.exp_avg)}


def _adabelief_inspect(s: AdaBeliefState):
    return {
        "first_moment": s.exp_avg,
        "second_moment": s.exp_avg_var,
        "effective_lr": _effective(s, s.exp_avg),
    }


def _signsgd_inspect(s: SignSGDState):
    return {"effective_lr": np.broadcast_to(np.asarray(s.lr, np.float64), s.last_sign.shape)}


def _schedule_free_inspect(s: ScheduleFreeState):
    y = s.x * s.betas[0] + (1 - s.betas[0]) * s.z
    return {
        "second_moment": s.exp_avg_sq,
        "effective_lr": _effective(s, s.z),
        "y": y,
        "x": s.x,
        "z": s.z,
    }


def _schedule_free_next_lr(s: ScheduleFreeState):
    w = s.warmup_steps
    return s.lr * ((s.step + 1) / w if s.step < w else 1.0)


def _plain_lr(s):
    return s.lr


MODERN_ALGORITHMS: dict[type, Algorithm] = {
    RAdamState: Algorithm(_radam_update, _adam_like_inspect, _plain_lr),
    AdamaxState: Algorithm(_adamax_update, _adamax_inspect, _plain_lr),
    RpropState: Algorithm(_rprop_update, _rprop_inspect, _plain_lr, ()),
    LionState: Algorithm(_lion_update, _lion_inspect, _plain_lr),
    AdaBeliefState: Algorithm(_adabelief_update, _adabelief_inspect, _plain_lr),
    SignSGDState: Algorithm(_signsgd_update, _signsgd_inspect, _plain_lr),
    ScheduleFreeState: Algorithm(
        _schedule_free_update, _schedule_free_inspect, _schedule_free_next_lr
    ),
}

MODERN_BUFFER_FIELD: dict[type, str] = {
    RAdamState: "exp_avg",
    AdamaxState: "exp_avg",
    RpropState: "prev",
    LionState: "exp_avg",
    AdaBeliefState: "exp_avg",
    SignSGDState: "last_sign",
    ScheduleFreeState: "z",
}

MODERN_KINDS: dict[str, tuple[type, dict[str, Any]]] = {
    "radam": (RAdamState, {}),
    "adamax": (AdamaxState, {}),
    "rprop": (RpropState, {}),
    "lion": (LionState, {}),
    "adabelief": (AdaBeliefState, {}),
    "signsgd": (SignSGDState, {}),
    "schedule_free_adamw": (ScheduleFreeState, {}),
}

MODERN_FRESH: dict[str, Any] = {"lr_max": -1.0, "weight_sum": 0.0}


def fresh_modern(state, params: np.ndarray):
    """Initial buffers that are not zero: Rprop's step sizes start at lr; schedule-free's
    z and x start at the parameters."""
    if isinstance(state, RpropState):
        return state._replace(step_size=np.zeros(params.shape) + state.lr)
    if isinstance(state, ScheduleFreeState):
        return state._replace(z=params.copy(), x=params.copy())
    return state
