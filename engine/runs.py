"""Races: one landscape, many optimizer runs stepped in lockstep, immutable snapshots out.

The race groups runs that share an optimizer kind (and its boolean switches) so that ten
runs cost a handful of vectorised numpy calls per step, not a Python loop per run. Every
per-run quantity (learning rate, noise seed, clipping threshold) lives in arrays with one
row per run, so a run's trajectory is bit-for-bit what it would be if it raced alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from engine import curvature as _curvature
from engine import landscapes as _landscapes
from engine import optimizers as _optimizers
from engine import race_views as _views
from engine import schedules as _schedules
from engine.optim import equation as _equation
from engine.run_fields import RUN_FIELD_OFF, RUN_FIELD_SPECS
from engine.trajectory import History, TrajectoryBuffer

# "left": a run whose numbers are all finite but that went beyond ``far_bound`` downhill (a
# surface without a bottom, like the saddle's) has left the picture; that is no divergence.
STATUSES = ("running", "converged", "diverged", "left")


def _frozen_map(m: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True)
class ScheduleConfig:
    """A learning-rate schedule by name, as :func:`engine.schedules.make_schedule` takes it."""

    kind: str = "constant"
    params: Mapping[str, Any] = field(default_factory=dict)
    warmup_steps: int = 0
    warmup_start_factor: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_map(self.params))

    def build(self) -> _schedules.Schedule:
        return _schedules.make_schedule(
            self.kind,
            warmup_steps=self.warmup_steps,
            warmup_start_factor=self.warmup_start_factor,
            **dict(self.params),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "params": dict(self.params),
            "warmup_steps": self.warmup_steps,
            "warmup_start_factor": self.warmup_start_factor,
        }


@dataclass(frozen=True)
class RunConfig:
    """One contestant of a race.

    Attributes
    ----------
    optimizer : str
        Registry name in :data:`engine.optimizers.OPTIMIZERS`.
    hyper : mapping
        Hyperparameters that differ from the optimizer's PyTorch defaults.
    schedule : ScheduleConfig
        Learning-rate schedule (constant by default).
    clip_value, clip_norm : float or None
        Gradient clipping by value and by this run's gradient norm.
    noise_std : float
        Standard deviation of Gaussian noise added to every gradient.
    batch_size : int
        Mini-batch size on a data-backed landscape; 0 means the full data set.
    start : (float, float) or None
        Start point; ``None`` uses the race's start.
    seed : int
        Seed of this run's gradient noise and mini-batch order.
    label : str
        Name shown in the legend; empty means one is made from the optimizer and lr.
    """

    optimizer: str = "sgd"
    hyper: Mapping[str, Any] = field(default_factory=dict)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    clip_value: float | None = None
    clip_norm: float | None = None
    noise_std: float = 0.0
    batch_size: int = 0
    start: tuple[float, float] | None = None
    seed: int = 0
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "optimizer", str(self.optimizer).strip().lower())
        object.__setattr__(self, "hyper", _frozen_map(self.hyper))
        if self.start is not None:
            object.__setattr__(self, "start", (float(self.start[0]), float(self.start[1])))

    @property
    def display_label(self) -> str:
        if self.label:
            return self.label
        lr = self.resolved_hyper().get("lr")
        return f"{self.optimizer} lr={lr:g}" if lr is not None else self.optimizer

    def resolved_hyper(self) -> dict[str, Any]:
        """All hyperparameters with defaults filled in (validated)."""
        return dict(_optimizers.make_optimizer(self.optimizer, **dict(self.hyper)).hyper)

    def validate(self) -> None:
        """Raise ValueError naming the first invalid setting."""
        _optimizers.make_optimizer(self.optimizer, **dict(self.hyper))
        self.schedule.build()
        for name, spec in RUN_FIELD_SPECS.items():
            value = getattr(self, name)
            if name == "label" or (name in RUN_FIELD_OFF and value == RUN_FIELD_OFF[name]):
                continue
            # A seed must be a whole-number type: numpy's generators refuse a float 3.0
            # later, deep in the worker, where a lesson file's text would parse it.
            whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
            try:
                if name == "seed" and not whole:
                    raise ValueError
                spec.validate(value)
            except ValueError:
                kind = "two finite numbers" if spec.kind == "pair" else spec.describe_type()
                raise ValueError(
                    f"{name} must be {kind}"
                    + (" or off" if name in RUN_FIELD_OFF else "")
                    + f"; got {value!r}"
                ) from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer,
            "hyper": {k: list(v) if isinstance(v, tuple) else v for k, v in self.hyper.items()},
            "schedule": self.schedule.to_dict(),
            "clip_value": self.clip_value,
            "clip_norm": self.clip_norm,
            "noise_std": self.noise_std,
            "batch_size": self.batch_size,
            "start": list(self.start) if self.start is not None else None,
            "seed": self.seed,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RunConfig:
        d = dict(d)
        unknown = set(d) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"run: unknown field {sorted(unknown)[0]!r}")
        if "schedule" in d and d["schedule"] is not None:
            sched = dict(d["schedule"])
            bad = set(sched) - set(ScheduleConfig.__dataclass_fields__)
            if bad:
                raise ValueError(f"schedule: unknown field {sorted(bad)[0]!r}")
            d["schedule"] = ScheduleConfig(**sched)
        if d.get("start") is not None:
            start = d["start"]
            if len(start) != 2:
                raise ValueError(f"run start must be two numbers; got {start!r}")
            d["start"] = (float(start[0]), float(start[1]))
        hyper = dict(d.get("hyper") or {})
        d["hyper"] = {k: tuple(v) if isinstance(v, list) else v for k, v in hyper.items()}
        return cls(**d)


def default_runs() -> tuple[RunConfig, ...]:
    """The opening race on Rosenbrock: each contestant tuned so the lesson shows.

    Plain SGD crawls along the curved valley, momentum overshoots and then follows it,
    RMSprop's per-coordinate scaling zig-zags, Adam combines both.
    """
    return (
        RunConfig("sgd", {"lr": 1e-3}),
        RunConfig("momentum", {"lr": 1e-3, "momentum": 0.9}),
        RunConfig("rmsprop", {"lr": 1e-2}),
        RunConfig("adam", {"lr": 5e-2}),
    )


def eight_run_race() -> RaceConfig:
    """Eight optimizers on Rosenbrock that keep going (``tol=0``: none is declared converged).

    The busiest ordinary race: the GUI benchmark runs it at full speed, and the rendering
    tests use it where every run must still be moving.
    """
    runs = (
        RunConfig("sgd", {"lr": 1e-3}),
        RunConfig("momentum", {"lr": 1e-3, "momentum": 0.9}),
        RunConfig("nesterov", {"lr": 1e-3, "momentum": 0.9}),
        RunConfig("rmsprop", {"lr": 1e-2}),
        RunConfig("adagrad", {"lr": 0.5}),
        RunConfig("adam", {"lr": 5e-2}),
        RunConfig("adamw", {"lr": 5e-2}),
        RunConfig("nadam", {"lr": 5e-2}),
    )
    return RaceConfig(runs=runs, tol=0.0)


@dataclass(frozen=True)
class RaceConfig:
    """A landscape and the runs racing over it: the unit a scenario saves."""

    landscape: str = "rosenbrock"
    landscape_params: Mapping[str, Any] = field(default_factory=dict)
    runs: tuple[RunConfig, ...] = field(default_factory=default_runs)
    start: tuple[float, float] | None = None
    tol: float = 1e-6
    far_bound: float = 1e6

    def __post_init__(self) -> None:
        object.__setattr__(self, "landscape", str(self.landscape).strip().lower())
        object.__setattr__(self, "landscape_params", _frozen_map(self.landscape_params))
        object.__setattr__(self, "runs", tuple(self.runs))
        if self.start is not None:
            object.__setattr__(self, "start", (float(self.start[0]), float(self.start[1])))

    def build_landscape(self) -> _landscapes.Landscape:
        return _landscapes.make_landscape(self.landscape, **dict(self.landscape_params))

    def validate(self) -> None:
        """Raise ValueError naming the first invalid setting (landscape, run, tolerance)."""
        self.build_landscape()
        if not self.runs:
            raise ValueError("a race needs at least one run")
        for i, run in enumerate(self.runs):
            try:
                run.validate()
            except ValueError as exc:
                raise ValueError(f"run {i + 1} ({run.optimizer}): {exc}") from None
        if not (math.isfinite(self.tol) and self.tol >= 0):
            raise ValueError(f"tol must be >= 0; got {self.tol!r}")
        if not (math.isfinite(self.far_bound) and self.far_bound > 0):
            raise ValueError(f"far_bound must be > 0; got {self.far_bound!r}")
        if self.start is not None and not all(math.isfinite(v) for v in self.start):
            raise ValueError(f"start must be two finite numbers; got {self.start!r}")

    def with_run(self, i: int, run: RunConfig) -> RaceConfig:
        runs = list(self.runs)
        runs[i] = run
        return replace(self, runs=tuple(runs))

    def to_dict(self) -> dict[str, Any]:
        return {
            "landscape": self.landscape,
            "landscape_params": dict(self.landscape_params),
            "runs": [r.to_dict() for r in self.runs],
            "start": list(self.start) if self.start is not None else None,
            "tol": self.tol,
            "far_bound": self.far_bound,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RaceConfig:
        d = dict(d)
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"race: unknown field {sorted(unknown)[0]!r}")
        if "runs" in d:
            if not isinstance(d["runs"], list):
                raise ValueError("race: 'runs' must be a list")
            d["runs"] = tuple(RunConfig.from_dict(r) for r in d["runs"])
        if d.get("start") is not None:
            if len(d["start"]) != 2:
                raise ValueError(f"race start must be two numbers; got {d['start']!r}")
            d["start"] = (float(d["start"][0]), float(d["start"][1]))
        return cls(**d)


@dataclass(frozen=True)
class RaceSnapshot:
    """Everything worth drawing about a race at one step. Arrays are read-only.

    Attributes
    ----------
    step : int
        Updates applied so far (0 = at the start points).
    generation : int
        Incremented by every reset or structural change, so a consumer can drop stale frames.
    labels, optimizers : tuple of str, length n_runs
    positions : ndarray, shape (n_runs, 2)
        Current points (the last finite point for a diverged run).
    losses : ndarray, shape (n_runs,)
        Full-data loss at ``positions``.
    grads : ndarray, shape (n_runs, 2)
        Full-data gradient at ``positions``.
    updates : ndarray, shape (n_runs, 2)
        The last step taken (new minus old position); zeros at step 0.
    lrs : ndarray, shape (n_runs,)
        Learning rate the next update will use (schedule and decay applied).
    velocity, first_moment, second_moment, effective_lr : ndarray, shape (n_runs, 2)
        Optimizer internals; NaN rows where an optimizer has no such quantity.
    status : tuple of str
        ``"running"``, ``"converged"``, ``"diverged"`` (loss, gradient or step not finite, or
        beyond ``far_bound`` uphill of its start) or ``"left"`` (beyond ``far_bound`` with
        every number finite and its loss below its start's: it slid off a surface without a
        bottom and stopped) per run.
    event_step : tuple of (int or None)
        Step at which a run converged, diverged or left.
    histories : tuple of History
        Each run's bounded trajectory (decimated past plus the recent points exactly).
    stability : StabilityView or None
        Curvature against each run's stability limit (see :mod:`engine.race_views`).
    sf_points : ndarray, shape (n_runs, 3, 2), or None
        Schedule-free AdamW's y, x, z per run (NaN rows for other optimizers).
    equation : Equation or None
        The next update of run ``explained_row`` written out with its numbers.
    """

    step: int
    generation: int
    labels: tuple[str, ...]
    optimizers: tuple[str, ...]
    positions: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    updates: np.ndarray
    lrs: np.ndarray
    velocity: np.ndarray
    first_moment: np.ndarray
    second_moment: np.ndarray
    effective_lr: np.ndarray
    status: tuple[str, ...]
    event_step: tuple[int | None, ...]
    histories: tuple[History, ...]
    stability: _views.StabilityView | None = None
    sf_points: np.ndarray | None = None
    equation: _equation.Equation | None = None
    explained_row: int = -1

    @property
    def n_runs(self) -> int:
        return len(self.labels)

    @property
    def grad_norms(self) -> np.ndarray:
        return np.sqrt(np.sum(self.grads * self.grads, axis=-1))


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.flags.writeable = False
    return a


_INSPECT_KEYS = ("velocity", "first_moment", "second_moment", "effective_lr")


def _group_key(run: RunConfig, hyper: dict[str, Any]) -> tuple:
    """Runs with equal keys share one vectorised optimizer; float hypers may differ."""
    spec = _optimizers.OPTIMIZERS[run.optimizer]
    fixed = tuple((p.name, hyper[p.name]) for p in spec.params if p.kind != "float")
    return (
        run.optimizer,
        fixed,
        repr(run.schedule.to_dict()),
        run.clip_value,
        run.clip_norm,
        run.noise_std > 0,
    )


class _Group:
    """Runs that share one optimizer kind, stepped by one batched update call."""

    def __init__(self, rows: list[int], runs: list[RunConfig], params: np.ndarray) -> None:
        self.rows = np.asarray(rows, dtype=np.intp)
        first = runs[0]
        hypers = [r.resolved_hyper() for r in runs]
        spec = _optimizers.OPTIMIZERS[first.optimizer]
        self.float_names = [p.name for p in spec.params if p.kind == "float"]
        merged = dict(hypers[0])
        for name in self.float_names:
            merged[name] = np.array([[h[name]] for h in hypers], dtype=np.float64)
        opt = _optimizers.make_optimizer(first.optimizer, **merged)
        if first.schedule.kind != "constant" or first.schedule.warmup_steps > 0:
            opt = _optimizers.with_schedule(opt, first.schedule.build())
        if first.clip_value is not None or first.clip_norm is not None:
            opt = _optimizers.with_clipping(
                opt, clip_value=first.clip_value, clip_norm=first.clip_norm
            )
        if first.noise_std > 0:
            std = np.array([[r.noise_std] for r in runs], dtype=np.float64)
            opt = _optimizers.with_gradient_noise(opt, std, [int(r.seed) for r in runs])
        self.opt = opt
        self.state = opt.init(params)
        self.hypers = hypers

    def update(self, grads: np.ndarray, params: np.ndarray, losses: np.ndarray) -> np.ndarray:
        # losses at params, shape (k,): only a plateau schedule reads them
        new, self.state = self.opt.update(grads, self.state, params, loss=losses)
        return new

    def set_row_hyper(self, local: int, hyper: dict[str, Any]) -> None:
        changes = {}
        for name in self.float_names:
            if hyper[name] != self.hypers[local][name]:
                col = np.array([[h[name]] for h in self.hypers], dtype=np.float64)
                col[local, 0] = hyper[name]
                changes[name] = col
        self.hypers[local] = hyper
        if changes:
            self.opt, self.state = _optimizers.set_hyper(self.opt, self.state, **changes)

    def inspect(self) -> dict[str, np.ndarray]:
        return _optimizers.inspect(self.state)

    def lrs(self) -> np.ndarray:
        """Learning rate of the next update per run, shape (k,)."""
        lr = np.asarray(_optimizers.current_lr(self.state), dtype=np.float64)
        if lr.size not in (1, len(self.rows)):
            return np.full(len(self.rows), np.nan)
        return np.broadcast_to(lr.reshape(-1), (len(self.rows),))


class Race:
    """A mutable race, owned by one thread; :meth:`snapshot` hands out immutable views.

    Parameters
    ----------
    config : RaceConfig
        Validated eagerly; a bad config raises ValueError before anything runs.
    recent : int
        Points kept exactly at the end of each trajectory.
    decimated : int
        Capacity of the thinned-out older part of each trajectory.
    """

    def __init__(self, config: RaceConfig, recent: int = 1000, decimated: int = 2000) -> None:
        config.validate()
        self._recent = recent
        self._decimated = decimated
        self.generation = 0
        self.explained_row = 0  # the run whose live equation snapshots carry (-1: none)
        self._stability = _views.StabilityTracker()
        self._load(config)

    # ----------------------------------------------------------------- set-up
    def _load(self, config: RaceConfig) -> None:
        self.config = config
        self.landscape = config.build_landscape()
        n = len(config.runs)
        default_start = config.start if config.start is not None else self.landscape.start
        starts = [r.start if r.start is not None else default_start for r in config.runs]
        self.params = np.array(starts, dtype=np.float64).reshape(n, 2)
        self.step_count = 0
        self.status = ["running"] * n
        self.event_step: list[int | None] = [None] * n
        self.active = np.ones(n, dtype=bool)
        self.updates = np.zeros((n, 2))
        self._build_groups(list(range(n)))
        self._batches: dict[int, _BatchSampler] = {}
        if self.landscape.stochastic:
            self._build_samplers()
        self._evaluate()
        self._start_losses = self.losses.copy()
        self.lrs = np.full(n, np.nan)
        self.history = TrajectoryBuffer(n, recent=self._recent, decimated=self._decimated)
        self._check_status()
        self._record()
        self._stability.reset()
        self._stability.observe(self, force=True)

    def _build_groups(self, rows: list[int]) -> None:
        buckets: dict[tuple, list[int]] = {}
        for i in rows:
            run = self.config.runs[i]
            buckets.setdefault(_group_key(run, run.resolved_hyper()), []).append(i)
        self.groups = [
            _Group(rows_, [self.config.runs[i] for i in rows_], self.params[rows_])
            for rows_ in buckets.values()
        ]
        self._row_group = {
            int(r): (gi, local)
            for gi, g in enumerate(self.groups)
            for local, r in enumerate(g.rows)
        }

    def _build_samplers(self) -> None:
        n_data = len(self.landscape.x)
        by_size: dict[int, list[int]] = {}
        for i, run in enumerate(self.config.runs):
            b = run.batch_size
            if 0 < b < n_data:
                by_size.setdefault(b, []).append(i)
        self._batches = {
            b: _BatchSampler(rows, b, n_data, [self.config.runs[i].seed for i in rows])
            for b, rows in by_size.items()
        }

    # ------------------------------------------------------------- stepping
    def _evaluate(self) -> None:
        with np.errstate(all="ignore"):
            self.losses = np.asarray(self.landscape.value(self.params), dtype=np.float64)
            self.grads = np.asarray(self.landscape.grad(self.params), dtype=np.float64)
            self.grad_norms = np.sqrt(np.einsum("ij,ij->i", self.grads, self.grads))

    def _step_grads(self) -> np.ndarray:
        """Gradients the optimizers see: full-data, or each run's mini-batch."""
        if not self._batches:
            return self.grads
        g = self.grads.copy()
        for sampler in self._batches.values():
            idx = sampler.next()
            g[sampler.rows] = self.landscape.batch_grad(self.params[sampler.rows], idx)
        return g

    def step(self, n: int = 1) -> None:
        """Apply ``n`` lockstep updates to every running run."""
        # Diverging runs legitimately overflow; they are detected and frozen below.
        with np.errstate(all="ignore"):
            for _ in range(int(n)):
                if not self.active.any():
                    return
                self._step_once()

    def _step_once(self) -> None:
        grads = self._step_grads()
        new = self.params.copy()
        for g in self.groups:
            new[g.rows] = g.update(grads[g.rows], self.params[g.rows], self.losses[g.rows])
        self.step_count += 1
        # Frozen runs keep their point; rows never mix, so others are unaffected.
        ok = self.active & np.isfinite(new).all(axis=1)
        old = self.params
        self.params = np.where(ok[:, None], new, old)
        self.updates = self.params - old
        self._evaluate()
        self._check_status(newly_nonfinite=self.active & ~ok)
        self._record()
        self._stability.observe(self)

    def _check_status(self, newly_nonfinite: np.ndarray | None = None) -> None:
        gn = self.grad_norms
        bad = ~np.isfinite(self.losses) | ~np.isfinite(gn)
        if newly_nonfinite is not None:
            bad |= newly_nonfinite
        bad &= self.active
        # Beyond the bound, every number finite and lower than where it started: the run
        # slid downhill off a surface without a bottom (the saddle lesson's runs) and left
        # the view; that is not a divergence. Beyond it uphill is one (a too-large step).
        beyond = self.active & ~bad & (np.abs(self.params).max(axis=1) > self.config.far_bound)
        downhill = self.losses < self._start_losses
        far = beyond & downhill
        bad |= beyond & ~downhill
        done = self.active & ~bad & ~far & (gn < self.config.tol)
        if not (bad.any() or far.any() or done.any()):
            return
        for mask, status in ((bad, "diverged"), (far, "left"), (done, "converged")):
            for i in np.flatnonzero(mask):
                self.status[i] = status
                self.event_step[i] = self.step_count
        self.active &= ~(bad | far | done)

    def _refresh_lrs(self) -> None:
        for g in self.groups:
            self.lrs[g.rows] = g.lrs()

    def _record(self) -> None:
        self.history.append(self.step_count, self.params, self.losses, self.grad_norms)

    # ---------------------------------------------------------- live changes
    def set_run(self, i: int, run: RunConfig) -> None:
        """Change run ``i`` while racing.

        A new value for a float hyperparameter (lr, momentum, betas' neighbours...) takes
        effect at the next update and keeps the optimizer's memory. Anything else (another
        optimizer, schedule, clipping, noise, batch size) restarts that run's optimizer state
        from its current point; its position and history are kept. A new start point moves
        the run back to step 0 only through :meth:`reset`.
        """
        run.validate()
        old = self.config.runs[i]
        self.config = self.config.with_run(i, run)
        hyper = run.resolved_hyper()
        gi, local = self._row_group[i]
        g = self.groups[gi]
        same_group = _group_key(run, hyper) == _group_key(old, old.resolved_hyper()) and (
            run.batch_size == old.batch_size and run.seed == old.seed
        )
        if same_group:
            g.set_row_hyper(local, hyper)
        else:
            self._split_off(i)
            if self.landscape.stochastic:
                self._build_samplers()
        self._refresh_lrs()

    def _split_off(self, i: int) -> None:
        """Move run ``i`` to a group of its own with fresh optimizer state."""
        gi, _ = self._row_group[i]
        g = self.groups.pop(gi)
        keep_local = [k for k, r in enumerate(g.rows) if r != i]
        if keep_local:
            # The others keep their optimizer memory: slice the batched state by rows.
            keep = [int(g.rows[k]) for k in keep_local]
            ng = _Group(keep, [self.config.runs[r] for r in keep], self.params[keep])
            ng.state = _slice_state(g.state, keep_local, len(g.rows))
            self.groups.append(ng)
        self.groups.append(_Group([i], [self.config.runs[i]], self.params[[i]]))
        self._row_group = {
            int(r): (gi_, local)
            for gi_, gg in enumerate(self.groups)
            for local, r in enumerate(gg.rows)
        }
        if self.status[i] == "converged":
            self.status[i] = "running"
            self.event_step[i] = None
            self.active[i] = True

    def reset(self, config: RaceConfig | None = None) -> None:
        """Back to step 0, with a new config if given (validated first)."""
        config = config if config is not None else self.config
        config.validate()
        self.generation += 1
        self._load(config)

    def set_start(self, xy: Sequence[float]) -> None:
        """Move every run's start to ``xy`` and restart the race at step 0."""
        x, y = float(xy[0]), float(xy[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"start must be two finite numbers; got {xy!r}")
        runs = tuple(replace(r, start=None) for r in self.config.runs)
        self.reset(replace(self.config, start=(x, y), runs=runs))

    # ------------------------------------------------------------- reading
    def snapshot(self) -> RaceSnapshot:
        n = len(self.config.runs)
        self._refresh_lrs()
        extra = {k: np.full((n, 2), np.nan) for k in _INSPECT_KEYS}
        for g in self.groups:
            info = g.inspect()
            for k in _INSPECT_KEYS:
                if k in info:
                    v = np.asarray(info[k], dtype=np.float64)
                    extra[k][g.rows] = np.broadcast_to(v, (len(g.rows), 2))
        return RaceSnapshot(
            step=self.step_count,
            generation=self.generation,
            labels=tuple(r.display_label for r in self.config.runs),
            optimizers=tuple(r.optimizer for r in self.config.runs),
            positions=_readonly(self.params),
            losses=_readonly(self.losses),
            grads=_readonly(self.grads),
            updates=_readonly(self.updates),
            lrs=_readonly(self.lrs),
            velocity=_readonly(extra["velocity"]),
            first_moment=_readonly(extra["first_moment"]),
            second_moment=_readonly(extra["second_moment"]),
            effective_lr=_readonly(extra["effective_lr"]),
            status=tuple(self.status),
            event_step=tuple(self.event_step),
            histories=self.history.histories(),
            stability=self._stability.observe(self, force=True) or self._stability.view(),
            sf_points=_views.schedule_free_points(self),
            equation=self.explain(row) if 0 <= (row := self.explained_row) < n else None,
            explained_row=self.explained_row,
        )

    def stability(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Curvature at every head against each run's stability threshold.

        Returns
        -------
        eigenvalues : ndarray, shape (n_runs, 2)
            Exact Hessian eigenvalues at the heads, ascending.
        eigenvectors : ndarray, shape (n_runs, 2, 2)
            ``[i, :, k]`` belongs to ``eigenvalues[i, k]``.
        sharpness : ndarray, shape (n_runs,)
            ``lam_max(H)``, or ``lam_max(P^-1 H)`` for Adam-family runs.
        threshold : ndarray, shape (n_runs,)
            2/lr, (2 + 2 mu)/lr, ... (NaN where no threshold is defined).
            See :func:`engine.curvature.stability`.
        """
        with np.errstate(all="ignore"):
            h = np.asarray(self.landscape.hessian(self.params), dtype=np.float64)
            values, vectors = _curvature.hessian_eigen(h)
            n = len(self.config.runs)
            sharp, thr = np.full(n, np.nan), np.full(n, np.nan)
            for g in self.groups:
                st = _curvature.stability(g.opt.name, g.state, h[g.rows])
                sharp[g.rows], thr[g.rows] = st.sharpness, st.threshold
        return values, vectors, sharp, thr

    def explain(self, i: int) -> _equation.Equation:
        """The next update of run ``i`` written out with its numbers (nothing is applied).

        Uses the full-data gradient at the current point.
        """
        gi, local = self._row_group[int(i)]
        g = self.groups[gi]
        with np.errstate(all="ignore"):
            eq, _, _ = _equation.explain_update(
                g.opt,
                g.state,
                self.grads[g.rows],
                self.params[g.rows],
                local,
                loss=self.losses[g.rows],
            )
        return eq

    def inspect_point(self, xy: Sequence[float]) -> tuple[np.ndarray, str]:
        """Hessian eigenvalues (ascending, shape (2,)) and verdict at ``xy``."""
        h = self.landscape.hessian(np.asarray(xy, dtype=np.float64).reshape(2))
        return _landscapes.hessian_verdict(h)


def _slice_state(state: Any, rows: list[int], k: int) -> Any:
    """Keep ``rows`` of every per-run array in a (possibly nested) optimizer state."""
    if isinstance(state, np.ndarray):
        if state.ndim >= 1 and state.shape[0] == k:
            return state[rows]
        return state
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(_slice_state(v, rows, k) for v in state))
    if isinstance(state, tuple):
        return tuple(_slice_state(v, rows, k) for v in state)
    if isinstance(state, list):
        if len(state) == k:
            return [state[r] for r in rows]
        return [_slice_state(v, rows, k) for v in state]
    return state


class _BatchSampler:
    """Epoch-shuffled mini-batches for runs that share a batch size.

    Each run draws its own permutation from its own seeded generator at every epoch, so
    its batches are the same whether it races alone or with others. All runs of one batch
    size start a new epoch on the same step, so a step's indices are one slice of an
    ``(n_runs, n_data)`` permutation table. The last partial batch of an epoch is dropped.
    """

    def __init__(self, rows: list[int], batch: int, n_data: int, seeds: list[int]) -> None:
        self.rows = np.asarray(rows, dtype=np.intp)
        self.batch = batch
        self.n_data = n_data
        self.rngs = [np.random.default_rng([int(s), 0xBA7C4]) for s in seeds]
        self.per_epoch = n_data // batch
        self.cursor = self.per_epoch
        self.perm = np.empty((len(rows), n_data), dtype=np.intp)

    def next(self) -> np.ndarray:
        """Indices of the next batch, shape (n_runs_in_group, batch)."""
        if self.cursor >= self.per_epoch:
            for r, rng in enumerate(self.rngs):
                self.perm[r] = rng.permutation(self.n_data)
            self.cursor = 0
        c = self.cursor
        self.cursor += 1
        return self.perm[:, c * self.batch : (c + 1) * self.batch]


def simulate(
    config: RaceConfig, steps: int | None = None, every: int = 1
) -> Iterator[RaceSnapshot]:
    """Run a race, yielding a snapshot at step 0 and then every ``every`` steps.

    Parameters
    ----------
    config : RaceConfig
    steps : int or None
        Stop after this many steps (``None``: run until every run has stopped).
    every : int
        Steps between snapshots; cancellation (closing the generator) happens between yields.
    """
    if every < 1:
        raise ValueError(f"every must be >= 1; got {every}")
    race = Race(config)
    yield race.snapshot()
    while (steps is None or race.step_count < steps) and race.active.any():
        n = every if steps is None else min(every, steps - race.step_count)
        race.step(n)
        yield race.snapshot()
