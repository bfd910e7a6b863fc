"""Learning-rate schedules as closed forms of the update number.

A :class:`Schedule` maps the update number ``t`` (``t = 0`` for the first update) to the
learning rate that update uses. The kinds follow PyTorch's ``torch.optim.lr_scheduler``
(StepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts) and Keras'
``InverseTimeDecay``, evaluated in closed form per optimizer update, which is what PyTorch's
schedulers give when ``scheduler.step()`` follows every ``optimizer.step()``.

An optional linear warm-up (PyTorch's ``LinearLR`` chained in front with ``SequentialLR``)
runs first: for ``t < warmup_steps`` the factor climbs linearly from ``warmup_start_factor``
towards 1, and the main schedule then starts afresh at ``t - warmup_steps``.

Every scalar ``t`` is evaluated with Python's :mod:`math`, and an array of ``t`` element by
element through the same code, so a schedule gives identical bits however it is called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.params import ParamSpec, validate_params

__all__ = [
    "SCHEDULES",
    "WARMUP_PARAMS",
    "Schedule",
    "ScheduleSpec",
    "make_schedule",
    "schedule_from_dict",
    "schedule_to_dict",
]


@dataclass(frozen=True)
class ScheduleSpec:
    """Registry entry describing one schedule kind for the GUI and the CLI."""

    name: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]


_ETA_MIN = ParamSpec(
    "eta_min",
    0.0,
    min=0.0,
    label="eta_min",
    help="Absolute learning rate at the bottom of each cosine (as in PyTorch).",
)

SCHEDULES: dict[str, ScheduleSpec] = {
    "constant": ScheduleSpec(
        "constant",
        "Constant",
        "The learning rate never changes. Good as a baseline to see what a schedule adds.",
        (),
    ),
    "step": ScheduleSpec(
        "step",
        "Step decay (StepLR)",
        "The learning rate is multiplied by gamma every step_size updates, giving a "
        "staircase: long stretches of steady progress punctuated by sudden slow-downs.",
        (
            ParamSpec(
                "step_size",
                100,
                kind="int",
                min=1,
                label="step size",
                help="Updates between two drops.",
            ),
            ParamSpec(
                "gamma", 0.1, min=0.0, max=1.0, label="gamma", help="Factor applied at each drop."
            ),
        ),
    ),
    "exponential": ScheduleSpec(
        "exponential",
        "Exponential decay (ExponentialLR)",
        "Every update multiplies the learning rate by gamma, a smooth geometric decay that "
        "eventually freezes the parameters in place.",
        (
            ParamSpec(
                "gamma",
                0.99,
                min=0.0,
                max=1.0,
                label="gamma",
                help="Factor applied after every update.",
            ),
        ),
    ),
    "inverse_time": ScheduleSpec(
        "inverse_time",
        "Inverse-time decay",
        "The learning rate shrinks like 1/t, lr / (1 + decay_rate * t / decay_steps): the "
        "classic Robbins-Monro rate that is small enough to settle but large enough to "
        "keep moving.",
        (
            ParamSpec(
                "decay_rate",
                1.0,
                min=0.0,
                label="decay rate",
                help="How much the rate has shrunk (relative) after decay_steps updates.",
            ),
            ParamSpec(
                "decay_steps",
                100,
                kind="int",
                min=1,
                label="decay steps",
                help="Time scale of the decay, in updates.",
            ),
        ),
    ),
    "cosine": ScheduleSpec(
        "cosine",
        "Cosine annealing (CosineAnnealingLR)",
        "The learning rate follows half a cosine from its base value down to eta_min over "
        "T_max updates (Loshchilov & Hutter 2017); as in PyTorch it climbs back up after "
        "T_max, so set T_max to the run length for a single decay.",
        (
            ParamSpec(
                "T_max", 500, kind="int", min=1, label="T_max", help="Updates in half a period."
            ),
            _ETA_MIN,
        ),
    ),
    "cosine_restarts": ScheduleSpec(
        "cosine_restarts",
        "Cosine with warm restarts (SGDR)",
        "Cosine annealing that jumps back to the base learning rate at the end of every "
        "cycle, each cycle T_mult times longer than the last (Loshchilov & Hutter 2017, "
        "SGDR); the restarts can kick the parameters out of a poor basin.",
        (
            ParamSpec(
                "T_0", 100, kind="int", min=1, label="T_0", help="Length of the first cycle."
            ),
            ParamSpec(
                "T_mult",
                1,
                kind="int",
                min=1,
                label="T_mult",
                help="Each cycle is this many times longer than the previous one.",
            ),
            _ETA_MIN,
        ),
    ),
}

_WARMUP_STEPS = ParamSpec(
    "warmup_steps",
    0,
    kind="int",
    min=0,
    label="warm-up steps",
    help="Updates of linear warm-up before the schedule starts.",
)
_WARMUP_START = ParamSpec(
    "warmup_start_factor",
    0.1,
    min=0.0,
    max=1.0,
    min_exclusive=True,
    label="warm-up start",
    help="Fraction of the base learning rate used at the first update of the warm-up.",
)
WARMUP_PARAMS: tuple[ParamSpec, ...] = (_WARMUP_STEPS, _WARMUP_START)

_ABSOLUTE_ETA_MIN = ("cosine", "cosine_restarts")


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule (use :func:`make_schedule` to build a validated one).

    Attributes
    ----------
    kind : str
        A key of :data:`SCHEDULES`.
    params : dict
        The kind's parameters with defaults filled in.
    warmup_steps : int
        Number of linear warm-up updates in front of the schedule.
    warmup_start_factor : float
        Warm-up factor at ``t = 0``, in (0, 1].
    """

    kind: str
    params: dict = field(default_factory=dict)
    warmup_steps: int = 0
    warmup_start_factor: float = 0.1

    def factor(self, t: int | np.ndarray) -> float | np.ndarray:
        """Multiplier of the base learning rate at update ``t``, warm-up included.

        For the cosine kinds ``eta_min`` is an absolute learning rate, so their factor is the
        learning rate for a base learning rate of 1 (``lr(1.0, t)``).

        Parameters
        ----------
        t : int or int array of any shape
            Update number, 0 for the first update.

        Returns
        -------
        float, or float64 array shaped like ``t``
        """
        return self.lr(1.0, t)

    def lr(self, base_lr: float | np.ndarray, t: int | np.ndarray) -> float | np.ndarray:
        """Learning rate used at update ``t`` for base learning rate ``base_lr``.

        ``base_lr * factor`` during warm-up and for every kind except the cosine ones, where
        ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2`` as in PyTorch.

        Parameters
        ----------
        base_lr : float or array
            Base learning rate; an array (e.g. shape ``(n_runs, 1)``) broadcasts.
        t : int or int array
            Update number (0 for the first update); an array is evaluated element-wise.

        Returns
        -------
        float or ndarray
            Shaped like ``np.broadcast(base_lr, t)``.
        """
        if np.ndim(t) == 0:
            warm, shape = self._scalar(_as_step(t))
            return _combine(base_lr, warm, shape, self.params.get("eta_min", 0.0))
        steps = np.asarray(t)
        if not np.issubdtype(steps.dtype, np.integer):
            raise ValueError(f"t must be whole update numbers; got dtype {steps.dtype}")
        flat = [self._scalar(_as_step(s)) for s in steps.ravel().tolist()]
        warm = np.array([w for w, _ in flat], dtype=np.float64).reshape(steps.shape)
        shape_ = np.array([s for _, s in flat], dtype=np.float64).reshape(steps.shape)
        is_warm = np.array([s is None for _, s in flat]).reshape(steps.shape)
        eta_min = self.params.get("eta_min", 0.0)
        base = np.asarray(base_lr, dtype=np.float64)
        if self.kind in _ABSOLUTE_ETA_MIN:
            main = eta_min + (base - eta_min) * shape_
        else:
            main = base * shape_
        return np.where(is_warm, base * warm, main)

    def _scalar(self, t: int) -> tuple[float, float | None]:
        """(warm-up factor, None) during warm-up, else (1.0, main-schedule shape value)."""
        w = self.warmup_steps
        if t < w:
            s = self.warmup_start_factor
            # PyTorch's LinearLR closed form with end_factor = 1 and total_iters = w
            return s + (1.0 - s) * t / w, None
        return 1.0, self._main(t - w)

    def _main(self, t: int) -> float:
        p = self.params
        kind = self.kind
        if kind == "constant":
            return 1.0
        if kind == "step":
            return p["gamma"] ** (t // p["step_size"])
        if kind == "exponential":
            return p["gamma"] ** t
        if kind == "inverse_time":
            return 1.0 / (1.0 + p["decay_rate"] * t / p["decay_steps"])
        if kind == "cosine":
            return (1.0 + math.cos(math.pi * t / p["T_max"])) / 2.0
        if kind == "cosine_restarts":
            t_cur, t_i = _restart_position(t, p["T_0"], p["T_mult"])
            return (1.0 + math.cos(math.pi * t_cur / t_i)) / 2.0
        raise ValueError(f"schedule kind {kind!r} is not known")


def _restart_position(t: int, t_0: int, t_mult: int) -> tuple[int, int]:
    """Position ``T_cur`` inside the current SGDR cycle of length ``T_i``.

    Integer arithmetic, so cycle boundaries are exact (PyTorch's closed form takes a
    floating-point logarithm, which can land one cycle short at a boundary).
    """
    if t_mult == 1:
        return t % t_0, t_0
    t_i = t_0
    while t >= t_i:
        t -= t_i
        t_i *= t_mult
    return t, t_i


def _combine(base_lr, warm: float, shape: float | None, eta_min: float):
    if shape is None:
        return base_lr * warm
    return _main_lr(base_lr, shape, eta_min)


def _main_lr(base_lr, shape: float, eta_min: float):
    if eta_min == 0.0:
        return base_lr * shape
    return eta_min + (base_lr - eta_min) * shape


def _as_step(t: Any) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise ValueError(f"t must be a whole update number; got {t!r}")
    t = int(t)
    if t < 0:
        raise ValueError(f"t must be >= 0; got {t}")
    return t


def make_schedule(
    kind: str = "constant",
    *,
    warmup_steps: int = 0,
    warmup_start_factor: float = 0.1,
    **params: Any,
) -> Schedule:
    """Build a validated :class:`Schedule`.

    Parameters
    ----------
    kind : str
        A key of :data:`SCHEDULES` (case-insensitive).
    warmup_steps : int
        Linear warm-up updates in front of the schedule (0 = none).
    warmup_start_factor : float
        Warm-up factor at the first update, in (0, 1].
    **params
        The kind's parameters (see ``SCHEDULES[kind].params``); strings are parsed.

    Raises
    ------
    ValueError
        Unknown kind (the message lists the known ones), unknown parameter or bad value.
    """
    key = str(kind).strip().lower()
    if key not in SCHEDULES:
        raise ValueError(f"unknown schedule {kind!r}; known: {', '.join(SCHEDULES)}")
    owner = f"schedule {key}"
    resolved = validate_params(SCHEDULES[key].params, params, owner)
    warm = validate_params(
        WARMUP_PARAMS,
        {"warmup_steps": warmup_steps, "warmup_start_factor": warmup_start_factor},
        owner,
    )
    return Schedule(key, resolved, warm["warmup_steps"], warm["warmup_start_factor"])


def schedule_from_dict(d: Mapping[str, Any]) -> Schedule:
    """Inverse of :func:`schedule_to_dict` (validated)."""
    d = dict(d)
    kind = d.pop("kind", "constant")
    params = dict(d.pop("params", {}))
    return make_schedule(kind, **d, **params)


def schedule_to_dict(s: Schedule) -> dict[str, Any]:
    """Plain JSON-ready description of ``s``."""
    return {
        "kind": s.kind,
        "params": dict(s.params),
        "warmup_steps": s.warmup_steps,
        "warmup_start_factor": s.warmup_start_factor,
    }
