"""The network lab's session: a task and the columns trained on it, and their edits.

:meth:`NetworkSession.apply` returns an :class:`~engine.session.base.EditResult` whose
``command`` is a :class:`NetCommand`: ``"hyper"`` (an optimizer setting changed live:
``Comparison.set_hyper``), ``"column"`` (one column restarts from a new network at its own
step 0), ``"load"`` (a new comparison at step 0) or ``"none"`` (only a label changed:
nothing for the worker).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.datasets import TaskConfig
from engine.guards import check_comparison
from engine.nn.config_io import NetworkConfig, fit_columns
from engine.nn.muon import NET_OPTIMIZERS as OPTIMIZERS
from engine.nn.presets import MAX_COLUMNS, VARIATIONS, aspects, init_lesson
from engine.nn.training import Comparison, TrainConfig
from engine.params import validate_params
from engine.session.base import Session
from engine.session.describe import format_hyper, hyper_label

__all__ = [
    "AddColumn",
    "DuplicateColumn",
    "NetCommand",
    "NetworkConfig",
    "NetworkSession",
    "OpenComparison",
    "RemoveColumn",
    "Resample",
    "SetColumn",
    "SetColumnHyper",
    "SetTask",
    "Vary",
]


@dataclass(frozen=True)
class NetCommand:
    """What the worker must do after a change.

    Attributes
    ----------
    kind : {"none", "hyper", "column", "load"}
    column : int or None
        The column of a ``"hyper"`` or ``"column"`` command.
    hyper : mapping or None
        The column's complete, validated hyperparameters (``"hyper"``).
    """

    kind: str
    column: int | None = None
    hyper: Mapping[str, Any] | None = None


# ------------------------------------------------------------------------------ edits


@dataclass(frozen=True)
class SetTask:
    """New data for every column (back to step 0)."""

    task: TaskConfig


@dataclass(frozen=True)
class SetColumn:
    """Column ``column`` becomes ``config``."""

    column: int
    config: TrainConfig


@dataclass(frozen=True)
class SetColumnHyper:
    """Optimizer hyperparameter ``name`` of column ``column`` becomes ``value`` (live)."""

    column: int
    name: str
    value: Any


@dataclass(frozen=True)
class AddColumn:
    """A column like column ``source``, with the next unused init seed."""

    source: int = 0


@dataclass(frozen=True)
class DuplicateColumn:
    """An exact copy of column ``column``, added at the end."""

    column: int


@dataclass(frozen=True)
class RemoveColumn:
    column: int


@dataclass(frozen=True)
class Vary:
    """Columns built from column ``column`` varying only ``what`` (init, batchnorm, lr)."""

    column: int
    what: str


@dataclass(frozen=True)
class Resample:
    """New initial weights for every column (each seed + 1), back to step 0."""


@dataclass(frozen=True)
class OpenComparison:
    """A whole new comparison (a lesson); ``title`` names it in the undo entry."""

    task: TaskConfig
    columns: tuple[TrainConfig, ...]
    title: str = "lesson"


def _check_column(cfg: NetworkConfig, i: Any) -> int:
    n = len(cfg.columns)
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
        raise ValueError(f"there is no column {i!r} (columns are 0 to {n - 1})")
    return i


def _narrow(cfg: TrainConfig, width: int = 4) -> TrainConfig:
    """``cfg`` with every hidden layer at most ``width`` units (cheap to build)."""
    hidden = tuple(min(h, width) for h in cfg.mlp.hidden)
    return dataclasses.replace(cfg, mlp=dataclasses.replace(cfg.mlp, hidden=hidden))


def _only_hyper_differs(old: TrainConfig, new: TrainConfig) -> bool:
    return new.optimizer == old.optimizer and (
        dataclasses.replace(old, hyper=new.hyper, label=new.label) == new
    )


def _describe_column_change(i: int, old: TrainConfig, new: TrainConfig) -> str:
    who = f"column {i + 1}"
    if _only_hyper_differs(old, new) and old.label == new.label:
        # Compare with the defaults filled in: a normalised dict lists every name.
        defaults = {p.name: p.default for p in OPTIMIZERS[new.optimizer].params}
        a, b = {**defaults, **old.hyper}, {**defaults, **new.hyper}
        diff = [k for k in b if a.get(k) != b[k]]
        if len(diff) == 1:
            label = hyper_label(new.optimizer, diff[0])
            return f"{label} of {who} → {format_hyper(b[diff[0]])}"
    if dataclasses.replace(old, label=new.label) == new:
        return f"name of {who} → {new.label or 'automatic'}"
    # What the column headings would say about the settings that changed ("all zero").
    changed = [b for (_, a), (_, b) in zip(aspects(old), aspects(new), strict=True) if a != b]
    return f"{who} → {', '.join(t for t in changed if t) or 'new settings'}"


class NetworkSession(Session[NetworkConfig]):
    """The network lab's comparison as a headless model (see the module docstring).

    Parameters
    ----------
    config : NetworkConfig, optional
        The default is the initialisation lesson.
    history_limit : int
        Edits kept for undo.
    """

    KIND = "network"

    def __init__(self, config: NetworkConfig | None = None, history_limit: int = 200) -> None:
        super().__init__(config if config is not None else self.default_config(), history_limit)

    @classmethod
    def default_config(cls) -> NetworkConfig:
        return NetworkConfig(*init_lesson())

    @property
    def task(self) -> TaskConfig:
        return self._config.task

    @property
    def columns(self) -> tuple[TrainConfig, ...]:
        return self._config.columns

    # ---------------------------------------------------------------- hooks
    def _validate(self, config: NetworkConfig) -> NetworkConfig:
        if not isinstance(config, NetworkConfig):
            raise ValueError(f"expected a NetworkConfig; got {type(config).__name__}")
        n = len(config.columns)
        if not 1 <= n <= MAX_COLUMNS:
            raise ValueError(f"columns: need 1 to {MAX_COLUMNS} columns; got {n}")
        # The size guard first: it needs the shapes alone, and refuses (one line, with the
        # estimate) before anything is allocated.
        check_comparison(config.task, config.columns)
        # Building the data and each network is the engine's own validation; columns the
        # current config already holds for the same task were built before. The network is
        # built at most 4 wide: every name and setting is checked the same (widths are
        # checked by MLPConfig itself), and the caller's thread is never held by a big
        # allocation (the lab builds the real network on its worker).
        current = getattr(self, "_config", None)
        known = list(current.columns) if current is not None and current.task == config.task else []
        for col in config.columns:
            if col not in known:
                Comparison(config.task, [_narrow(col)], grid_size=2, stats_size=2)
                known.append(col)
        return config

    def _command(self, old: NetworkConfig, new: NetworkConfig) -> NetCommand:
        if old.task != new.task or len(old.columns) != len(new.columns):
            return NetCommand("load")
        changed = [
            k for k, (a, b) in enumerate(zip(old.columns, new.columns, strict=True)) if a != b
        ]
        if not changed:
            return NetCommand("none")
        if len(changed) > 1:
            return NetCommand("load")
        i = changed[0]
        a, b = old.columns[i], new.columns[i]
        if dataclasses.replace(a, label=b.label) == b:
            return NetCommand("none", column=i)
        if _only_hyper_differs(a, b):
            return NetCommand("hyper", column=i, hyper=dict(b.hyper))
        return NetCommand("column", column=i)

    def _to_dict(self, config: NetworkConfig) -> dict:
        return config.to_dict()

    def _from_dict(self, d: Mapping[str, Any]) -> NetworkConfig:
        return NetworkConfig.from_dict(d)

    # ---------------------------------------------------------------- edits
    def _edit(self, edit: Any) -> tuple[NetworkConfig, str, int | None]:
        cfg = self._config
        cols = cfg.columns
        n = len(cols)
        if isinstance(edit, SetTask):
            if not isinstance(edit.task, TaskConfig):
                raise ValueError(f"expected a TaskConfig; got {type(edit.task).__name__}")
            return NetworkConfig(edit.task, cols), f"data → {edit.task.name}", None
        if isinstance(edit, SetColumn | SetColumnHyper):
            i = _check_column(cfg, edit.column)
            old = cols[i]
            if isinstance(edit, SetColumn):
                if not isinstance(edit.config, TrainConfig):
                    raise ValueError(f"expected a TrainConfig; got {type(edit.config).__name__}")
                new = fit_columns(cfg.task, [edit.config])[0]
            else:
                new = dataclasses.replace(old, hyper={**old.hyper, edit.name: edit.value})
            if _only_hyper_differs(old, new) and new.hyper != old.hyper:
                # Complete and normalised, as the engine will hold them (a live change).
                spec = OPTIMIZERS[new.optimizer]
                hyper = validate_params(spec.params, new.hyper, f"optimizer {new.optimizer}")
                new = dataclasses.replace(new, hyper=hyper)
            columns = (*cols[:i], new, *cols[i + 1 :])
            return NetworkConfig(cfg.task, columns), _describe_column_change(i, old, new), i
        if isinstance(edit, AddColumn):
            src = cols[_check_column(cfg, edit.source)]
            if n >= MAX_COLUMNS:
                raise ValueError(f"at most {MAX_COLUMNS} columns")
            new = dataclasses.replace(src, seed=(max(c.seed for c in cols) + 1) % 2**31)
            return NetworkConfig(cfg.task, (*cols, new)), f"add column {n + 1}", n
        if isinstance(edit, DuplicateColumn):
            i = _check_column(cfg, edit.column)
            if n >= MAX_COLUMNS:
                raise ValueError(f"at most {MAX_COLUMNS} columns")
            return NetworkConfig(cfg.task, (*cols, cols[i])), f"duplicate column {i + 1}", n
        if isinstance(edit, RemoveColumn):
            i = _check_column(cfg, edit.column)
            if n <= 1:
                raise ValueError("a comparison needs at least one column")
            rest = tuple(c for k, c in enumerate(cols) if k != i)
            return NetworkConfig(cfg.task, rest), f"remove column {i + 1}", min(i, n - 2)
        if isinstance(edit, Vary):
            i = _check_column(cfg, edit.column)
            if edit.what not in VARIATIONS:
                raise ValueError(f"cannot vary {edit.what!r} (choose from {', '.join(VARIATIONS)})")
            title, fn = VARIATIONS[edit.what]
            return NetworkConfig(cfg.task, fn(cols[i])), f"vary {title}", 0
        if isinstance(edit, Resample):
            new = tuple(dataclasses.replace(c, seed=(c.seed + 1) % 2**32) for c in cols)
            return NetworkConfig(cfg.task, new), "new initial weights", None
        if isinstance(edit, OpenComparison):
            return NetworkConfig(edit.task, tuple(edit.columns)), f"open {edit.title}", 0
        raise ValueError(f"the network lab cannot apply {type(edit).__name__}")
