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
from typing import Any, NamedTuple

import numpy as np

from engine.params import ParamSpec, validate_params

__all__ = [
    "PLATEAU_EPS",
    "SCHEDULES",
    "WARMUP_PARAMS",
    "PlateauState",
    "Schedule",
    "ScheduleSpec",
    "make_schedule",
    "plateau_observe",
    "plateau_start",
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
    "multistep": ScheduleSpec(
        "multistep",
        "Multi-step decay (MultiStepLR)",
        "The learning rate is multiplied by gamma at each of two chosen updates (the "
        "milestones): the classic 'divide by ten at epochs 100 and 150' recipe.",
        (
            ParamSpec(
                "milestones",
                (100.0, 200.0),
                kind="pair",
                min=0.0,
                label="milestones",
                help="The two update numbers at which the rate drops (whole numbers).",
            ),
            ParamSpec(
                "gamma", 0.1, min=0.0, max=1.0, label="gamma", help="Factor applied at each drop."
            ),
        ),
    ),
    "linear": ScheduleSpec(
        "linear",
        "Linear (LinearLR)",
        "The factor moves in a straight line from start_factor to end_factor over "
        "total_iters updates and then stays: a warm-up or a linear decay.",
        (
            ParamSpec(
                "start_factor",
                1.0 / 3.0,
                min=0.0,
                max=1.0,
                min_exclusive=True,
                label="start factor",
                help="Factor of the base learning rate at the first update.",
            ),
            ParamSpec(
                "end_factor",
                1.0,
                min=0.0,
                max=1.0,
                label="end factor",
                help="Factor reached after total_iters updates.",
            ),
            ParamSpec(
                "total_iters",
                5,
                kind="int",
                min=1,
                label="total iters",
                help="Updates the straight line takes.",
            ),
        ),
    ),
    "polynomial": ScheduleSpec(
        "polynomial",
        "Polynomial decay (PolynomialLR)",
        "The factor (1 - t / total_iters) ** power falls to zero at total_iters and stays "
        "there; power 1 is a straight line, larger powers drop faster at first.",
        (
            ParamSpec(
                "total_iters",
                5,
                kind="int",
                min=1,
                label="total iters",
                help="Updates until the rate reaches zero.",
            ),
            ParamSpec("power", 1.0, min=0.0, label="power", help="Exponent of the decay."),
        ),
    ),
    "onecycle": ScheduleSpec(
        "onecycle",
        "One cycle (OneCycleLR)",
        "Smith's 1cycle policy: the rate climbs from max_lr/div_factor to max_lr over the "
        "first pct_start of total_steps, then anneals far below the start (learning rate "
        "only; momentum is not cycled).",
        (
            ParamSpec(
                "max_lr",
                0.0,
                min=0.0,
                log=False,
                label="max lr",
                help="Peak learning rate; 0 uses the optimizer's learning rate as the peak.",
            ),
            ParamSpec(
                "total_steps",
                1000,
                kind="int",
                min=2,
                label="total steps",
                help="Length of the cycle in updates; later updates keep the final rate.",
            ),
            ParamSpec(
                "pct_start",
                0.3,
                min=0.0,
                max=1.0,
                label="pct start",
                help="Fraction of the cycle spent climbing.",
            ),
            ParamSpec(
                "anneal_strategy",
                "cos",
                kind="choice",
                choices=("cos", "linear"),
                label="anneal",
                help="Shape of both phases.",
            ),
            ParamSpec(
                "div_factor",
                25.0,
                min=0.0,
                min_exclusive=True,
                label="div factor",
                help="The cycle starts at max_lr / div_factor.",
            ),
            ParamSpec(
                "final_div_factor",
                1e4,
                min=0.0,
                min_exclusive=True,
                label="final div factor",
                help="The cycle ends at max_lr / div_factor / final_div_factor.",
            ),
        ),
    ),
    "plateau": ScheduleSpec(
        "plateau",
        "Reduce on plateau (ReduceLROnPlateau)",
        "Watches the run's loss: when it has not improved for more than patience updates, "
        "the rate is multiplied by factor. Reacts to the run instead of following a clock.",
        (
            ParamSpec(
                "mode",
                "min",
                kind="choice",
                choices=("min", "max"),
                label="mode",
                help="Whether a lower (min) or higher (max) value counts as progress.",
            ),
            ParamSpec(
                "factor",
                0.1,
                min=0.0,
                max=1.0,
                label="factor",
                help="Factor applied at each reduction (must be < 1).",
            ),
            ParamSpec(
                "patience",
                10,
                kind="int",
                min=0,
                label="patience",
                help="Updates without improvement tolerated before a reduction.",
            ),
            ParamSpec(
                "threshold",
                1e-4,
                min=0.0,
                label="threshold",
                help="Smallest change that counts as an improvement.",
            ),
            ParamSpec(
                "threshold_mode",
                "rel",
                kind="choice",
                choices=("rel", "abs"),
                label="threshold mode",
                help="rel: relative to the best value so far; abs: absolute.",
            ),
            ParamSpec(
                "cooldown",
                0,
                kind="int",
                min=0,
                label="cooldown",
                help="Updates to wait after a reduction before counting again.",
            ),
            ParamSpec(
                "min_lr", 0.0, min=0.0, label="min lr", help="Learning rate never goes below."
            ),
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
        if self.kind == "onecycle":
            return self._onecycle(base_lr, t)
        if self.kind == "plateau":
            # the losses decide (plateau_observe); as a function of t alone it is the base
            for k in np.ravel(t).tolist():
                _as_step(k)
            if np.ndim(base_lr) == 0 and np.ndim(t) == 0:
                return base_lr
            shape = np.broadcast_shapes(np.shape(base_lr), np.shape(t))
            return np.broadcast_to(np.asarray(base_lr, np.float64), shape).copy()
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

    def _onecycle(self, base_lr, t):
        """OneCycleLR's get_lr with ``last_epoch = t`` (two phases, no momentum cycling);
        ``t`` past ``total_steps`` keeps the value at ``total_steps``."""
        p = self.params
        peak = p["max_lr"] if p["max_lr"] > 0 else base_lr
        if np.ndim(t) == 0 and np.ndim(peak) == 0:
            return _onecycle_lr(p, float(peak), _as_step(t))
        if np.ndim(t) == 0:
            return _onecycle_lr(p, np.asarray(peak, np.float64), _as_step(t))
        steps = np.asarray(t)
        if not np.issubdtype(steps.dtype, np.integer):
            raise ValueError(f"t must be whole update numbers; got dtype {steps.dtype}")
        b, ts = np.broadcast_arrays(np.asarray(peak, np.float64), steps)
        out = [
            _onecycle_lr(p, x, _as_step(k))
            for x, k in zip(b.ravel().tolist(), ts.ravel().tolist(), strict=True)
        ]
        return np.array(out, dtype=np.float64).reshape(b.shape)

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
        if kind == "multistep":
            lo, hi = sorted(p["milestones"])
            return p["gamma"] ** ((t >= lo) + (t >= hi))
        if kind == "linear":
            a, b, n = p["start_factor"], p["end_factor"], p["total_iters"]
            return a + (b - a) * min(n, t) / n
        if kind == "polynomial":
            n = p["total_iters"]
            return (1.0 - min(n, t) / n) ** p["power"]
        if kind == "cosine_restarts":
            t_cur, t_i = _restart_position(t, p["T_0"], p["T_mult"])
            return (1.0 + math.cos(math.pi * t_cur / t_i)) / 2.0
        raise ValueError(f"schedule kind {kind!r} is not known")


def _onecycle_lr(p: Mapping[str, Any], max_lr: Any, t: int) -> Any:
    initial = max_lr / p["div_factor"]
    low = initial / p["final_div_factor"]
    t = min(t, p["total_steps"])
    end1 = float(p["pct_start"] * p["total_steps"]) - 1
    end2 = p["total_steps"] - 1
    if t <= end1:
        pct, start, end = (t - 0.0) / (end1 - 0.0), initial, max_lr
    else:
        pct, start, end = (t - end1) / (end2 - end1), max_lr, low
    if p["anneal_strategy"] == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


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
    _check_kind(key, resolved, warm["warmup_steps"], owner)
    return Schedule(key, resolved, warm["warmup_steps"], warm["warmup_start_factor"])


def _check_kind(key: str, p: Mapping[str, Any], warmup_steps: int, owner: str) -> None:
    """Rules that tie several parameters together."""
    if key in ("onecycle", "plateau") and warmup_steps > 0:
        raise ValueError(f"{owner}: has no warm-up (set warmup_steps to 0)")
    if key == "multistep":
        for m in p["milestones"]:
            if m != int(m):
                raise ValueError(f"{owner}: milestones must be whole numbers; got {m:g}")
    if key == "onecycle":
        rise = p["pct_start"] * p["total_steps"]
        if not 1.0 < rise < p["total_steps"]:
            raise ValueError(
                f"{owner}: pct_start * total_steps must be between 1 and total_steps "
                f"(got {rise:g}); each phase needs at least one update"
            )
    if key == "plateau" and p["factor"] >= 1.0:
        raise ValueError(f"{owner}: factor must be < 1; got {p['factor']:g}")


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


# ----------------------------------------------------------------------------- plateau

PLATEAU_EPS = 1e-8
"""ReduceLROnPlateau's ``eps``: a reduction smaller than this is skipped."""


class PlateauState(NamedTuple):
    """What ReduceLROnPlateau remembers, one entry per run.

    Attributes
    ----------
    best : float or ndarray, shape (n_runs, 1)
        Best loss so far (``inf`` for mode min, ``-inf`` for max, before any).
    num_bad : int or int ndarray
        Updates since the last improvement.
    cooldown : int or int ndarray
        Updates of cooldown left.
    lrs : tuple
        The current learning rate of each scheduled field (``lr``; adam_sgd's ``sgd_lr``).
    """

    best: Any
    num_bad: Any
    cooldown: Any
    lrs: tuple


def plateau_start(schedule: Schedule, base_lrs: tuple, runs: int | None) -> PlateauState:
    """The plateau state before the first loss is seen.

    Parameters
    ----------
    schedule : Schedule
        Of kind ``"plateau"``.
    base_lrs : tuple of float or ndarray
        Starting learning rate of each scheduled field.
    runs : int or None
        Number of runs for per-run arrays of shape ``(runs, 1)``; ``None`` keeps scalars
        (one run, scalar learning rates).
    """
    worse = math.inf if schedule.params["mode"] == "min" else -math.inf
    if runs is None:
        return PlateauState(worse, 0, 0, tuple(base_lrs))
    shape = (runs, 1)
    return PlateauState(
        np.full(shape, worse),
        np.zeros(shape, dtype=np.int64),
        np.zeros(shape, dtype=np.int64),
        tuple(np.broadcast_to(np.asarray(b, np.float64), shape).copy() for b in base_lrs),
    )


def plateau_observe(schedule: Schedule, state: PlateauState, loss: Any) -> PlateauState:
    """ReduceLROnPlateau.step(loss): count bad updates, reduce after ``patience``.

    Parameters
    ----------
    schedule : Schedule
        Of kind ``"plateau"``.
    state : PlateauState
    loss : float, or ndarray shaped like ``state.best`` (one loss per run)

    Returns
    -------
    PlateauState
        Non-finite losses count as not better, as in PyTorch.
    """
    p = schedule.params
    if np.ndim(state.best) == 0:
        return _plateau_scalar(p, state, float(loss))
    a = np.asarray(loss, dtype=np.float64).reshape(np.shape(state.best))
    best = state.best
    thr = p["threshold"]
    with np.errstate(invalid="ignore"):
        if p["mode"] == "min":
            better = a < (best * (1.0 - thr) if p["threshold_mode"] == "rel" else best - thr)
        else:
            better = a > (best * (thr + 1.0) if p["threshold_mode"] == "rel" else best + thr)
    best = np.where(better, a, best)
    num_bad = np.where(better, 0, state.num_bad + 1)
    cooling = state.cooldown > 0
    cooldown = np.where(cooling, state.cooldown - 1, state.cooldown)
    num_bad = np.where(cooling, 0, num_bad)
    reduce = num_bad > p["patience"]
    lrs = []
    for old in state.lrs:
        new = np.maximum(old * p["factor"], p["min_lr"])
        lrs.append(np.where(reduce & (old - new > PLATEAU_EPS), new, old))
    cooldown = np.where(reduce, p["cooldown"], cooldown)
    num_bad = np.where(reduce, 0, num_bad)
    return PlateauState(best, num_bad, cooldown, tuple(lrs))


def _plateau_scalar(p: Mapping[str, Any], s: PlateauState, a: float) -> PlateauState:
    best, thr = s.best, p["threshold"]
    if p["mode"] == "min":
        better = a < (best * (1.0 - thr) if p["threshold_mode"] == "rel" else best - thr)
    else:
        better = a > (best * (thr + 1.0) if p["threshold_mode"] == "rel" else best + thr)
    num_bad, cooldown = (0, s.cooldown) if better else (s.num_bad + 1, s.cooldown)
    best = a if better else best
    if cooldown > 0:
        cooldown -= 1
        num_bad = 0
    lrs = s.lrs
    if num_bad > p["patience"]:
        out = []
        for old in lrs:
            new = max(old * p["factor"], p["min_lr"])
            out.append(new if old - new > PLATEAU_EPS else old)
        lrs = tuple(out)
        cooldown = p["cooldown"]
        num_bad = 0
    return PlateauState(best, num_bad, cooldown, lrs)
