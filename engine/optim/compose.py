"""Building, composing and live-editing optimizers.

:func:`make_optimizer` validates against the registry; :func:`with_schedule`,
:func:`with_clipping` and :func:`with_gradient_noise` wrap an optimizer in one fixed order,
gradient noise -> clip by value -> clip by norm -> optimizer with the scheduled learning rate;
:func:`set_hyper` changes hyperparameters mid-run keeping the buffers; :func:`inspect` and
:func:`current_lr` read a state for display.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from engine.optim import kinds
from engine.optim.kinds import ALGORITHMS as _ALGORITHMS
from engine.optim.kinds import KINDS as _KINDS
from engine.optim.kinds import LOOKAHEAD_OWN, LookaheadState
from engine.optim.modern import RpropState
from engine.optim.registry import OPTIMIZERS, Optimizer
from engine.optim.rules import AdagradState
from engine.params import ParamSpec
from engine.schedules import Schedule, plateau_observe, plateau_start
from engine.transforms import Transforms, TransformState, n_runs, transform_grads

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
            if spec.max == 1.0 and np.any(np.asarray(out[-1]) >= 1.0):
                raise ValueError(f"{owner}: {spec.name}[{i}] must be in [0, 1); got {v!r}")
        return tuple(out)
    if _is_batch(value):
        if spec.kind != "float":
            raise ValueError(f"{owner}: {spec.name} must be a single value, not an array")
        return _float_array(value, spec, owner)
    if isinstance(value, np.ndarray):  # 0-d
        value = value.item()
    return spec.validate(value, owner)


def _specs(name: str, inner: str | None = None) -> dict[str, ParamSpec]:
    """Accepted hyperparameters: the registry's, and for lookahead its inner rule's too."""
    specs = {s.name: s for s in OPTIMIZERS[name].params}
    if name == "lookahead":
        inner_specs = {s.name: s for s in OPTIMIZERS[inner or "adam"].params}
        specs = {**inner_specs, **specs}
    return specs


def _validate(
    name: str, given: Mapping[str, Any], owner: str, inner: str | None = None
) -> dict[str, Any]:
    specs = _specs(name, inner)
    unknown = [k for k in given if k not in specs]
    if unknown:
        raise ValueError(
            f"{owner}: unknown parameter {unknown[0]!r} (accepted: {', '.join(specs)})"
        )
    return {k: _validate_one(specs[k], v, owner) for k, v in given.items()}


def _check_combination(name: str, hyper: Mapping[str, Any], owner: str) -> None:
    flags = {**hyper, **_KINDS[name][1]}
    if name == "lookahead":
        inner = {k: v for k, v in hyper.items() if k not in LOOKAHEAD_OWN or k == "lr"}
        _check_combination(hyper["inner"], inner, owner)
    if name == "rprop":
        lo, hi = (np.asarray(v) for v in flags["etas"])
        if np.any(lo >= 1) or np.any(lo <= 0) or np.any(hi <= 1):
            raise ValueError(
                f"{owner}: etas must be (eta-, eta+) with 0 < eta- < 1 < eta+; "
                f"got {flags['etas']!r}"
            )
        lo, hi = (np.asarray(v) for v in flags["step_sizes"])
        if np.any(lo > hi):
            raise ValueError(
                f"{owner}: step_sizes must be (min, max) with min <= max; "
                f"got {flags['step_sizes']!r}"
            )
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
        state = kinds.fresh_state(self.name, params, self.hyper)
        algo = _ALGORITHMS[type(state)]
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
        base_lr = tuple(getattr(state, f) for f in algo.lr_fields)
        return TransformState(
            state,
            t.schedule,
            base_lr,
            t.clip_value,
            t.clip_norm,
            t.noise_std,
            t.seeds,
            _plateau_start(t.schedule, base_lr, params.shape),
        )


def _plateau_start(schedule, base_lr: tuple, shape: tuple[int, ...]):
    if schedule is None or schedule.kind != "plateau":
        return None
    scalar = len(shape) < 2 or (shape[0] == 1 and all(np.ndim(b) == 0 for b in base_lr))
    return plateau_start(schedule, base_lr, None if scalar else shape[0])


def _scheduled_lrs(state: TransformState, algo, t: int) -> dict[str, Any]:
    if state.plateau is not None:
        return dict(zip(algo.lr_fields, state.plateau.lrs, strict=True))
    return {f: state.schedule.lr(b, t) for f, b in zip(algo.lr_fields, state.base_lr, strict=True)}


def _update(grads: np.ndarray, state, params: np.ndarray, loss: Any = None):
    """``update(grads, state, params, loss=None) -> (new_params, new_state)``; pure.

    ``loss`` is the loss at ``params`` (one per run, shape ``(n_runs,)``, or a float for
    one run); only a ``plateau`` schedule reads it, and then it is required: after the
    update the schedule sees it, as ``scheduler.step(loss)`` after ``optimizer.step()``.
    """
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
            inner = inner._replace(**_scheduled_lrs(state, algo, t))
        new_params, inner = algo.update(g, inner, params)
        plateau = state.plateau
        if plateau is not None:
            if loss is None:
                raise ValueError(
                    "a plateau schedule needs the loss: update(grads, state, params, loss=...)"
                )
            plateau = plateau_observe(state.schedule, plateau, loss)
        return new_params, state._replace(inner=inner, plateau=plateau)
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
    inner = None
    if key == "lookahead":
        inner = _validate_one(_specs(key)["inner"], hyper.get("inner", "adam"), owner)
    resolved = {s.name: s.default for s in _specs(key, inner).values()}
    resolved.update(_validate(key, hyper, owner, inner))
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
    inner_name = base_hyper.get("inner")
    if "inner" in hyper and hyper["inner"] != inner_name:
        raise ValueError(f"{owner}: the inner optimizer cannot change mid-run (restart instead)")
    changes = _validate(name, hyper, owner, inner_name)
    merged = {**base_hyper, **changes}
    _check_combination(name, merged, owner)

    inner = state.inner if isinstance(state, TransformState) else state
    if type(inner) is not _KINDS[name][0]:
        raise ValueError(f"{owner}: state of type {type(inner).__name__} does not belong to it")
    _check_shapes(changes, kinds.buffer(inner).shape, owner)
    fields = dict(changes)
    inner = _apply_fields(inner, fields)

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
        kinds.buffer(inner).shape,
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
    plateau = state.plateau if isinstance(state, TransformState) else None
    if t.schedule is None or t.schedule.kind != "plateau":
        plateau = None
    elif (
        plateau is None
        or extra.get("schedule") is not None
        or any(f in fields for f in algo.lr_fields)
    ):
        # a new plateau schedule, or a new base rate, starts the watch afresh
        plateau = _plateau_start(t.schedule, base_lr, kinds.buffer(inner).shape)
    return new_opt, TransformState(
        inner, t.schedule, base_lr, t.clip_value, t.clip_norm, t.noise_std, t.seeds, plateau
    )


def _apply_fields(inner, fields: dict[str, Any]):
    """Write validated hyperparameters into a plain state, routing lookahead's inner ones."""
    if isinstance(inner, LookaheadState):
        own = {k: v for k, v in fields.items() if k in inner._fields}
        rest = {k: v for k, v in fields.items() if k not in LOOKAHEAD_OWN}
        if "lr" in fields:
            rest["lr"] = fields["lr"]
        own.pop("inner", None)
        return inner._replace(**own, inner=_apply_fields(inner.inner, rest))
    if isinstance(inner, AdagradState) and "initial_accumulator_value" in fields:
        if inner.step == 0:
            fields["sum"] = np.zeros(inner.sum.shape) + fields["initial_accumulator_value"]
    if isinstance(inner, RpropState) and "lr" in fields and inner.step == 0:
        # Rprop's lr is only its initial step size, as in torch
        fields["step_size"] = np.zeros(inner.step_size.shape) + fields["lr"]
    return inner._replace(**fields)


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
            inner = inner._replace(**_scheduled_lrs(state, algo, inner.step))
        return algo.next_lr(inner)
    return _ALGORITHMS[type(state)].next_lr(state)
