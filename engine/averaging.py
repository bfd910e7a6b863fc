"""The averaging lesson's model: a noisy series, its averages, and a momentum run's velocity.

:class:`AveragingConfig` is what a lesson file's ``"averaging"`` section holds (and what the
panel edits); :func:`averaging_view` computes everything the panel draws, so each number on
screen is tested here without a window. The tie to the landscape lab replays the lesson's
momentum run with the race engine itself (:func:`momentum_trace`): its recorded heavy-ball
buffer is set beside ``EWA_mu(g) / (1 - mu)`` of the gradients it used, which
:mod:`engine.ewa` shows is the same sequence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import ewa as _ewa
from engine import limits
from engine.validate import ValidationError, check_int, check_list, check_number

__all__ = [
    "AveragingConfig",
    "AveragingView",
    "MomentumTrace",
    "averaging_view",
    "momentum_row",
    "momentum_trace",
]

_FIELDS = ("n", "seed", "noise", "betas", "bias_correction", "momentum_steps")


@dataclass(frozen=True)
class AveragingConfig:
    """The averaging lesson's set-up.

    Attributes
    ----------
    n : int
        Length of the noisy series (days).
    seed : int
        Seed of the series' noise.
    noise : float >= 0
        Standard deviation of the noise.
    betas : tuple of float in [0, MAX_BETA]
        One average per beta.
    bias_correction : bool
        Divide each average by ``1 - beta^t``.
    momentum_steps : int
        Steps of the lesson's momentum run replayed for the velocity plot.
    """

    n: int = 365
    seed: int = 0
    noise: float = 4.0
    betas: tuple[float, ...] = (0.5, 0.9, 0.98)
    bias_correction: bool = False
    momentum_steps: int = 60

    def __post_init__(self) -> None:
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))
        self.validate()

    def validate(self) -> None:
        """Raise ValidationError (a ValueError) naming the first field out of range."""
        check_int(self.n, "averaging.n", 2, limits.MAX_AVERAGING_POINTS)
        check_int(self.seed, "averaging.seed", 0, limits.SEED_MAX)
        check_number(self.noise, "averaging.noise", 0.0, 1e6)
        check_list(list(self.betas), "averaging.betas", limits.MAX_AVERAGING_BETAS, 1)
        for i, b in enumerate(self.betas):
            check_number(b, f"averaging.betas[{i}]", 0.0, limits.MAX_AVERAGING_BETA)
        if not isinstance(self.bias_correction, bool):
            raise ValidationError("must be true or false", "averaging.bias_correction")
        check_int(self.momentum_steps, "averaging.momentum_steps", 1, limits.MAX_AVERAGING_POINTS)

    def replace(self, **changes: Any) -> AveragingConfig:
        """A copy with ``changes`` (validated)."""
        return AveragingConfig(**{**self.to_dict(), **changes})

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "seed": self.seed,
            "noise": self.noise,
            "betas": list(self.betas),
            "bias_correction": self.bias_correction,
            "momentum_steps": self.momentum_steps,
        }

    @classmethod
    def from_dict(cls, d: Any, where: str = "averaging") -> AveragingConfig:
        """Check a lesson file's section (JSON types, ranges) and build the config.

        Raises
        ------
        ValidationError
            One line naming the field (``averaging.betas[1]: must be ...``).
        """
        if not isinstance(d, Mapping):
            raise ValidationError("must be an object", where)
        unknown = sorted(str(k) for k in d if k not in _FIELDS)
        if unknown:
            raise ValidationError(
                f"unknown field {unknown[0][:40]!r} (known: {', '.join(_FIELDS)})", where
            )
        kw: dict[str, Any] = {}
        for name in ("n", "seed", "momentum_steps"):
            if name in d:
                kw[name] = check_int(d[name], f"{where}.{name}")
        if "noise" in d:
            kw["noise"] = check_number(d["noise"], f"{where}.noise")
        if "betas" in d:
            betas = check_list(d["betas"], f"{where}.betas", limits.MAX_AVERAGING_BETAS, 1)
            kw["betas"] = tuple(
                check_number(b, f"{where}.betas[{i}]", 0.0, limits.MAX_AVERAGING_BETA)
                for i, b in enumerate(betas)
            )
        if "bias_correction" in d:
            if not isinstance(d["bias_correction"], bool):
                raise ValidationError("must be true or false", f"{where}.bias_correction")
            kw["bias_correction"] = d["bias_correction"]
        return cls(**kw)


@dataclass(frozen=True)
class MomentumTrace:
    """A momentum run's velocity beside the average of its gradients.

    Attributes
    ----------
    label : str
        The run's label in the race.
    momentum : float
        Its ``mu``.
    grads : ndarray, shape (steps, 2)
        The gradient each update used (update t uses ``grads[t - 1]``).
    velocity : ndarray, shape (steps, 2)
        The optimizer's heavy-ball buffer after each update, as the race recorded it.
    average : ndarray, shape (steps, 2)
        ``EWA_mu(grads)`` without bias correction.
    scale : float
        ``1 / (1 - mu)``: ``velocity == scale * average`` to rounding.
    """

    label: str
    momentum: float
    grads: np.ndarray
    velocity: np.ndarray
    average: np.ndarray
    scale: float

    @property
    def max_gap(self) -> float:
        """Largest ``|velocity - scale * average|`` (rounding only)."""
        return float(np.max(np.abs(self.velocity - self.scale * self.average), initial=0.0))


@dataclass(frozen=True)
class AveragingView:
    """Everything the averaging panel draws.

    Attributes
    ----------
    series : ndarray, shape (n,)
    averages : ndarray, shape (len(betas), n)
        With or without bias correction, as configured.
    uncorrected : ndarray, shape (len(betas), n)
        Always without: the start-up bias is ``uncorrected - corrected``.
    windows : tuple of float
        ``1 / (1 - beta)`` per beta.
    trace : MomentumTrace or None
    """

    config: AveragingConfig
    series: np.ndarray
    averages: np.ndarray
    uncorrected: np.ndarray
    windows: tuple[float, ...]
    trace: MomentumTrace | None = field(default=None)


def momentum_row(race: Any) -> int | None:
    """Index of the first heavy-ball run (optimizer ``momentum``, mu > 0, no dampening)."""
    if race is None:
        return None
    for i, run in enumerate(race.runs):
        if run.optimizer != "momentum":
            continue
        hyper = run.resolved_hyper()
        if hyper.get("momentum", 0) > 0 and hyper.get("dampening", 0) == 0:
            return i
    return None


def momentum_trace(race: Any, steps: int, row: int | None = None) -> MomentumTrace | None:
    """Replay ``race``'s momentum run for ``steps`` updates and record what it averaged.

    Parameters
    ----------
    race : engine.runs.RaceConfig or None
    steps : int >= 1
    row : int, optional
        The run; the first heavy-ball run by default.

    Returns
    -------
    MomentumTrace or None
        None when the race has no heavy-ball run.
    """
    from engine.runs import Race, RaceConfig

    row = momentum_row(race) if row is None else row
    if row is None:
        return None
    run = race.runs[row]
    # Only the one run is replayed: a race's runs never interact.
    alone = Race(RaceConfig.from_dict({**race.to_dict(), "runs": [run.to_dict()]}))
    grads = np.empty((steps, 2))
    velocity = np.empty((steps, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            grads[t] = alone.snapshot().grads[0]
            alone.step(1)
            velocity[t] = alone.snapshot().velocity[0]
    mu = float(run.resolved_hyper()["momentum"])
    average, scale = _ewa.velocity_as_ewa(grads, mu)
    return MomentumTrace(run.display_label, mu, grads, velocity, average, scale)


def averaging_view(config: AveragingConfig, race: Any = None) -> AveragingView:
    """Compute the series, its averages and (given a race) the momentum trace.

    Parameters
    ----------
    config : AveragingConfig
    race : engine.runs.RaceConfig, optional
        The landscape race whose momentum run is replayed.
    """
    series = _ewa.noisy_series(config.n, config.seed, config.noise)
    raw = _ewa.ewa_many(series, config.betas, bias_correction=False)
    averages = (
        _ewa.ewa_many(series, config.betas, bias_correction=True) if config.bias_correction else raw
    )
    windows = tuple(_ewa.window(b) for b in config.betas)
    trace = momentum_trace(race, config.momentum_steps) if race is not None else None
    return AveragingView(config, series, averages, raw, windows, trace)


def startup_bias(beta: float, t: int) -> float:
    """Factor ``1 - beta^t`` by which the uncorrected average of a constant falls short."""
    if not (math.isfinite(beta) and 0 <= beta < 1):
        raise ValueError(f"beta must be in [0, 1); got {beta!r}")
    return 1.0 - beta**t
