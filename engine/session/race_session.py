"""The landscape lab's session: one :class:`~engine.runs.RaceConfig` and its edits.

Edits are frozen dataclasses; :meth:`LandscapeSession.apply` returns an
:class:`~engine.session.base.EditResult` whose ``command`` is a :class:`RaceCommand`:
``"live"`` (the worker calls ``Race.set_run``: a float hyperparameter keeps the optimizer's
memory, anything else restarts that run's optimizer where it stands) or ``"restart"``
(``Race.reset(config)``: back to step 0; ``landscape_changed`` tells views to redraw the
surface).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from engine.landscapes import LANDSCAPES
from engine.landscapes.formula import FORMULA_NAME
from engine.optimizers import OPTIMIZERS
from engine.runs import RaceConfig, RunConfig
from engine.session.base import Session
from engine.session.describe import format_hyper, hyper_label

__all__ = [
    "MAX_RUNS",
    "AddRun",
    "DuplicateRun",
    "LandscapeSession",
    "RaceCommand",
    "RemoveRun",
    "ReplaceRace",
    "SetHyper",
    "SetLandscape",
    "SetRaceSettings",
    "SetRun",
    "SetRunField",
    "SetStart",
]

#: Most runs a race may have (more would not tell apart on a projector).
MAX_RUNS = 16

# Words for a run's fields in messages ("batch size of run 2 → 8").
_FIELD_WORDS = {
    "optimizer": "optimizer",
    "schedule": "schedule",
    "clip_value": "clipping by value",
    "clip_norm": "clipping by norm",
    "noise_std": "gradient noise",
    "batch_size": "batch size",
    "start": "start",
    "seed": "seed",
    "label": "name",
}


@dataclass(frozen=True)
class RaceCommand:
    """What the worker must do after a change.

    Attributes
    ----------
    kind : {"live", "restart"}
        ``"live"``: ``race.set_run(run, config.runs[run])``; ``"restart"``:
        ``race.reset(config)``.
    run : int or None
        The run a live change is for.
    landscape_changed : bool
        The landscape (or its parameters) changed: views rebuild the surface.
    """

    kind: str
    run: int | None = None
    landscape_changed: bool = False


# ------------------------------------------------------------------------------ edits


@dataclass(frozen=True)
class SetRun:
    """Run ``run`` (0-based) becomes ``config``."""

    run: int
    config: RunConfig


@dataclass(frozen=True)
class SetHyper:
    """Hyperparameter ``name`` of run ``run`` becomes ``value``."""

    run: int
    name: str
    value: Any


@dataclass(frozen=True)
class SetRunField:
    """Field ``field`` of run ``run`` (optimizer, schedule, clip_value, ...) becomes ``value``.

    A new optimizer keeps the hyperparameters it shares with the old one (lr, ...).
    """

    run: int
    field: str
    value: Any


@dataclass(frozen=True)
class AddRun:
    """A new run: ``optimizer``, or the first optimizer no run uses yet."""

    optimizer: str | None = None


@dataclass(frozen=True)
class DuplicateRun:
    """A copy of run ``run`` with the next noise seed, added at the end."""

    run: int


@dataclass(frozen=True)
class RemoveRun:
    run: int


@dataclass(frozen=True)
class SetStart:
    """Every run starts at (x, y); the race restarts there."""

    x: float
    y: float


@dataclass(frozen=True)
class SetLandscape:
    """Another landscape (or the same with other parameters), at its own start."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetRaceSettings:
    """Convergence tolerance and divergence bound (None keeps a value)."""

    tol: float | None = None
    far_bound: float | None = None


@dataclass(frozen=True)
class ReplaceRace:
    """A whole new race (a lesson opened); ``title`` names it in the undo entry."""

    config: RaceConfig
    title: str = "lesson"


def _check_run(cfg: RaceConfig, i: Any) -> int:
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(cfg.runs):
        raise ValueError(f"there is no run {i!r} (runs are 0 to {len(cfg.runs) - 1})")
    return i


def _describe_run_change(i: int, old: RunConfig, new: RunConfig) -> str:
    """``"learning rate of run 1 → 10"`` when one thing changed, else a summary."""
    who = f"run {i + 1}"
    if new.optimizer != old.optimizer:
        return f"optimizer of {who} → {OPTIMIZERS[new.optimizer].title}"
    changes = []
    for name in sorted(set(old.hyper) | set(new.hyper)):
        if old.hyper.get(name) != new.hyper.get(name):
            v = new.hyper.get(name)
            text = format_hyper(v) if v is not None else "default"
            changes.append(f"{hyper_label(new.optimizer, name)} of {who} → {text}")
    for f in fields(RunConfig):
        if f.name in ("optimizer", "hyper"):
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            if f.name == "schedule":
                text = b.kind + (f" (warm-up {b.warmup_steps})" if b.warmup_steps else "")
            elif b is None:
                text = "off"
            elif isinstance(b, float):
                text = f"{b:g}"
            elif isinstance(b, tuple):
                text = f"({b[0]:g}, {b[1]:g})"
            else:
                text = str(b) if b != "" else "automatic"
            changes.append(f"{_FIELD_WORDS.get(f.name, f.name)} of {who} → {text}")
    if len(changes) == 1:
        return changes[0]
    return f"settings of {who}" if changes else f"{who} unchanged"


class LandscapeSession(Session[RaceConfig]):
    """The landscape lab's race as a headless model (see the module docstring).

    Parameters
    ----------
    config : RaceConfig, optional
        The default is the opening race on Rosenbrock.
    history_limit : int
        Edits kept for undo.
    """

    KIND = "landscape"

    def __init__(self, config: RaceConfig | None = None, history_limit: int = 200) -> None:
        super().__init__(config if config is not None else RaceConfig(), history_limit)

    # ---------------------------------------------------------------- hooks
    def _validate(self, config: RaceConfig) -> RaceConfig:
        if not isinstance(config, RaceConfig):
            raise ValueError(f"expected a RaceConfig; got {type(config).__name__}")
        if len(config.runs) > MAX_RUNS:
            raise ValueError(f"at most {MAX_RUNS} runs; got {len(config.runs)}")
        config.validate()
        return config

    def _command(self, old: RaceConfig, new: RaceConfig) -> RaceCommand:
        if (old.landscape, old.landscape_params) != (new.landscape, new.landscape_params):
            return RaceCommand("restart", landscape_changed=True)
        if (old.start, old.tol, old.far_bound, len(old.runs)) != (
            new.start,
            new.tol,
            new.far_bound,
            len(new.runs),
        ):
            return RaceCommand("restart")
        changed = [i for i, (a, b) in enumerate(zip(old.runs, new.runs, strict=True)) if a != b]
        # A run's own start point only takes effect from step 0.
        if len(changed) == 1 and old.runs[changed[0]].start == new.runs[changed[0]].start:
            return RaceCommand("live", run=changed[0])
        return RaceCommand("restart")

    @classmethod
    def default_config(cls) -> RaceConfig:
        return RaceConfig()

    def _to_dict(self, config: RaceConfig) -> dict:
        return config.to_dict()

    def _from_dict(self, d: Mapping[str, Any]) -> RaceConfig:
        return RaceConfig.from_dict(d)

    # ---------------------------------------------------------------- edits
    def _edit(self, edit: Any) -> tuple[RaceConfig, str, int | None]:
        cfg = self._config
        n = len(cfg.runs)
        if isinstance(edit, SetRun):
            i = _check_run(cfg, edit.run)
            if not isinstance(edit.config, RunConfig):
                raise ValueError(f"expected a RunConfig; got {type(edit.config).__name__}")
            return (
                cfg.with_run(i, edit.config),
                _describe_run_change(i, cfg.runs[i], edit.config),
                i,
            )
        if isinstance(edit, SetHyper):
            i = _check_run(cfg, edit.run)
            run = cfg.runs[i]
            names = {p.name for p in OPTIMIZERS[run.optimizer].params}
            if edit.name not in names:
                raise ValueError(
                    f"{OPTIMIZERS[run.optimizer].title} has no hyperparameter {edit.name!r}"
                )
            new = replace(run, hyper={**run.hyper, edit.name: edit.value})
            return cfg.with_run(i, new), _describe_run_change(i, run, new), i
        if isinstance(edit, SetRunField):
            i = _check_run(cfg, edit.run)
            run = cfg.runs[i]
            if edit.field not in _FIELD_WORDS:
                raise ValueError(f"a run has no setting {edit.field!r}")
            value = edit.value
            if edit.field == "optimizer":
                name = str(value).strip().lower()
                if name not in OPTIMIZERS:
                    raise ValueError(f"unknown optimizer {value!r}")
                keep = {p.name for p in OPTIMIZERS[name].params}
                new = replace(
                    run, optimizer=name, hyper={k: v for k, v in run.hyper.items() if k in keep}
                )
            else:
                new = replace(run, **{edit.field: value})
            return cfg.with_run(i, new), _describe_run_change(i, run, new), i
        if isinstance(edit, AddRun):
            if n >= MAX_RUNS:
                raise ValueError(f"at most {MAX_RUNS} runs")
            used = {r.optimizer for r in cfg.runs}
            name = edit.optimizer or next((k for k in OPTIMIZERS if k not in used), "sgd")
            if name not in OPTIMIZERS:
                raise ValueError(f"unknown optimizer {name!r}")
            run = RunConfig(name, seed=n)
            label = f"add run {n + 1} ({OPTIMIZERS[name].title})"
            return replace(cfg, runs=(*cfg.runs, run)), label, n
        if isinstance(edit, DuplicateRun):
            i = _check_run(cfg, edit.run)
            if n >= MAX_RUNS:
                raise ValueError(f"at most {MAX_RUNS} runs")
            src = cfg.runs[i]
            run = replace(src, seed=src.seed + 1, label="")
            return replace(cfg, runs=(*cfg.runs, run)), f"duplicate run {i + 1}", n
        if isinstance(edit, RemoveRun):
            i = _check_run(cfg, edit.run)
            if n <= 1:
                raise ValueError("a race needs at least one run")
            runs = tuple(r for k, r in enumerate(cfg.runs) if k != i)
            return replace(cfg, runs=runs), f"remove run {i + 1}", min(i, n - 2)
        if isinstance(edit, SetStart):
            x, y = float(edit.x), float(edit.y)
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError(f"start must be two finite numbers; got ({edit.x}, {edit.y})")
            runs = tuple(replace(r, start=None) for r in cfg.runs)
            new = replace(cfg, start=(x, y), runs=runs)
            return new, f"start → ({x:.4g}, {y:.4g})", None
        if isinstance(edit, SetLandscape):
            name = str(edit.name).strip().lower()
            if name not in LANDSCAPES and name != FORMULA_NAME:
                raise ValueError(f"unknown landscape {edit.name!r}")
            runs = tuple(replace(r, start=None) for r in cfg.runs)
            new = replace(
                cfg, landscape=name, landscape_params=dict(edit.params), start=None, runs=runs
            )
            if name == FORMULA_NAME:
                # A typed surface: its FormulaError (one line, with the column) refuses it.
                return new, f"landscape → {new.build_landscape().title}", None
            if name == cfg.landscape:
                label = f"{LANDSCAPES[name].title} settings"
            else:
                label = f"landscape → {LANDSCAPES[name].title}"
            return new, label, None
        if isinstance(edit, SetRaceSettings):
            values = {
                k: float(v)
                for k, v in (("tol", edit.tol), ("far_bound", edit.far_bound))
                if v is not None
            }
            words = {"tol": "tolerance", "far_bound": "divergence bound"}
            label = ", ".join(f"{words[k]} → {v:g}" for k, v in values.items()) or "race settings"
            return replace(cfg, **values), label, None
        if isinstance(edit, ReplaceRace):
            if not isinstance(edit.config, RaceConfig):
                raise ValueError(f"expected a RaceConfig; got {type(edit.config).__name__}")
            return edit.config, f"open {edit.title}", 0
        raise ValueError(f"the landscape lab cannot apply {type(edit).__name__}")
