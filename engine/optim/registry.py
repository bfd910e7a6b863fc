"""Optimizer registry: what each optimizer is called, cites and takes as hyperparameters.

One :class:`OptimizerSpec` per name in :data:`OPTIMIZERS`; the GUI builds its editors and the
CLI its ``--list`` from these specs, and :func:`engine.optim.compose.make_optimizer` validates
against them. The arithmetic lives in :mod:`engine.optim.rules` and :mod:`engine.optim.modern`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from engine.params import ParamSpec


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
    "radam": OptimizerSpec(
        "radam",
        "RAdam",
        "Adam whose adaptive step is switched on gradually: while too few squared gradients "
        "have been seen to trust their average, it takes momentum-SGD steps, then a "
        "rectified Adam step. A built-in warm-up.",
        "Liu et al. (2020), On the Variance of the Adaptive Learning Rate and Beyond, ICLR; "
        "as torch.optim.RAdam.",
        (
            _lr(1e-3),
            _BETAS,
            _eps(1e-8),
            _weight_decay(0.0),
            ParamSpec(
                "decoupled_weight_decay",
                False,
                kind="bool",
                label="decoupled decay",
                help="Shrink the parameters by lr * weight_decay (AdamW-style) instead of "
                "adding an L2 term to the gradient.",
            ),
        ),
    ),
    "adamax": OptimizerSpec(
        "adamax",
        "Adamax",
        "Adam with the root-mean-square replaced by a running maximum of |g|: the step is "
        "bounded by lr and ignores rare huge gradients once they have decayed away.",
        "Kingma & Ba (2015), Adam, section 7.1 (AdaMax); as torch.optim.Adamax.",
        (_lr(2e-3), _BETAS, _eps(1e-8), _weight_decay(0.0)),
    ),
    "rprop": OptimizerSpec(
        "rprop",
        "Rprop",
        "Uses only the sign of each gradient coordinate: its own step size grows while the "
        "sign holds and shrinks when it flips. Full-batch only in spirit.",
        "Riedmiller & Braun (1993), A Direct Adaptive Method for Faster Backpropagation "
        "Learning: The RPROP Algorithm, ICNN; as torch.optim.Rprop.",
        (
            ParamSpec(
                "lr",
                1e-2,
                min=0.0,
                min_exclusive=True,
                log=True,
                label="initial step",
                help="Initial step size of every coordinate (not changed by schedules).",
            ),
            ParamSpec(
                "etas",
                (0.5, 1.2),
                kind="pair",
                min=0.0,
                label="etas",
                help="(eta-, eta+): step-size factors on a sign flip (< 1) and on a kept "
                "sign (> 1).",
            ),
            ParamSpec(
                "step_sizes",
                (1e-6, 50.0),
                kind="pair",
                min=0.0,
                label="step sizes",
                help="(min, max) bounds of each coordinate's step size.",
            ),
        ),
    ),
    "lion": OptimizerSpec(
        "lion",
        "Lion",
        "Steps by lr times the sign of a blend of momentum and gradient, so every coordinate "
        "moves the same distance; found by program search. Wants a ~10x smaller lr than Adam.",
        "Chen et al. (2023), Symbolic Discovery of Optimization Algorithms, NeurIPS; as "
        "lucidrains/lion-pytorch.",
        (
            _lr(1e-4),
            dataclasses.replace(_BETAS, default=(0.9, 0.99)),
            _weight_decay(0.0, decoupled=True),
        ),
    ),
    "adabelief": OptimizerSpec(
        "adabelief",
        "AdaBelief",
        "Adam that divides by how far the gradient strays from its running mean (the "
        "'belief') rather than by its size: big steps where gradients agree, small where "
        "they surprise.",
        "Zhuang et al. (2020), AdaBelief Optimizer: Adapting Stepsizes by the Belief in "
        "Observed Gradients, NeurIPS, Algorithm 2 (reference juntang-zhuang/"
        "Adabelief-Optimizer).",
        (_lr(1e-3), _BETAS, _eps(1e-16), _weight_decay(0.0)),
    ),
    "signsgd": OptimizerSpec(
        "signsgd",
        "signSGD",
        "Steps by lr against the sign of each gradient coordinate: every coordinate moves "
        "exactly lr, however steep or flat.",
        "Bernstein, Wang, Azizzadenesheli & Anandkumar (2018), signSGD: Compressed "
        "Optimisation for Non-Convex Problems, ICML.",
        (_lr(1e-3),),
    ),
    "lookahead": OptimizerSpec(
        "lookahead",
        "Lookahead",
        "Lets an inner optimizer take k fast steps, then pulls slow weights a fraction alpha "
        "towards where it got and restarts it from there: k steps forward, one step back. "
        "Other hyperparameters given are passed to the inner optimizer.",
        "Zhang, Lucas, Hinton & Ba (2019), Lookahead Optimizer: k steps forward, 1 step "
        "back, NeurIPS (reference michaelrzhang/lookahead).",
        (
            _lr(1e-3),
            ParamSpec(
                "inner",
                "adam",
                kind="choice",
                choices=(),  # filled below with every other optimizer
                label="inner optimizer",
                help="The optimizer that takes the fast steps.",
            ),
            ParamSpec("k", 5, kind="int", min=1, label="k", help="Fast steps between two syncs."),
            ParamSpec(
                "alpha",
                0.5,
                min=0.0,
                max=1.0,
                label="alpha",
                help="Fraction of the way from the slow to the fast weights at a sync.",
            ),
        ),
    ),
    "schedule_free_adamw": OptimizerSpec(
        "schedule_free_adamw",
        "Schedule-free AdamW",
        "Needs no learning-rate schedule: a base sequence z takes AdamW steps, x is a running "
        "average of z, and the gradient is taken in between, at y = beta1 x + (1-beta1) z.",
        "Defazio et al. (2024), The Road Less Scheduled, NeurIPS; as facebookresearch/"
        "schedule_free's AdamWScheduleFreeReference.",
        (
            _lr(2.5e-3),
            _BETAS,
            _eps(1e-8),
            _weight_decay(0.0),
            ParamSpec(
                "warmup_steps",
                0,
                kind="int",
                min=0,
                label="warm-up steps",
                help="Linear learning-rate warm-up length.",
            ),
            ParamSpec(
                "r", 0.0, min=0.0, label="r", help="Average with weights (k+1)^r (0 = uniform)."
            ),
            ParamSpec(
                "weight_lr_power",
                2.0,
                min=0.0,
                label="weight lr power",
                help="Weights in the average are proportional to lr_max ** this power.",
            ),
            ParamSpec(
                "decay_at_z",
                False,
                kind="bool",
                label="decay at z",
                help="Take weight decay at z instead of at y.",
            ),
        ),
    ),
}

_la = OPTIMIZERS["lookahead"]
_inner = dataclasses.replace(
    _la.params[1], choices=tuple(n for n in OPTIMIZERS if n != "lookahead")
)
OPTIMIZERS["lookahead"] = dataclasses.replace(_la, params=(_la.params[0], _inner, *_la.params[2:]))
del _la, _inner
