"""A network comparison as a JSON-safe dictionary, and back, validated field by field.

The dictionary is what a scenario file holds under ``"network"``::

    {"task": {"name": "spirals", "n": 600, "noise": 0.1, "val_fraction": 0.2,
              "seed": 0, "params": {}},
     "columns": [{"label": "Xavier", "mlp": {"hidden": [32, 32], ...},
                  "optimizer": "sgd", "hyper": {"lr": 0.05}, ...}, ...]}

Every field of :class:`~engine.datasets.TaskConfig`, :class:`~engine.nn.training.TrainConfig`
and :class:`~engine.nn.mlp.MLPConfig` is written, so a round trip gives back equal configs.
On reading, fields may be left out (their defaults apply), but unknown fields, values of the
wrong JSON type and values the engine rejects all raise :class:`ValueError` with the path of
the field (``columns[2].mlp.hidden: ...``). The frozen config dataclasses stay the one source
of truth: this module only converts and delegates validation to their constructors.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.datasets import TASKS, TaskConfig
from engine.limits import MAX_HEADLESS_COLUMNS
from engine.nn.mlp import MLPConfig
from engine.nn.muon import NET_OPTIMIZERS
from engine.nn.training import TrainConfig

__all__ = [
    "MAX_COLUMNS",
    "NetworkConfig",
    "comparison_from_dict",
    "comparison_to_dict",
    "fit_columns",
]

#: Most columns a comparison file may hold (a lesson holds at most
#: :data:`engine.limits.MAX_COLUMNS`, what a lab shows).
MAX_COLUMNS = MAX_HEADLESS_COLUMNS

# Expected JSON type of every field: "int", "float", "str", "bool", "dict", "ints" (a list of
# whole numbers), "float?" (a number or null), "mlp" (a nested network object).
_TASK_TYPES = {
    "name": "str",
    "n": "int",
    "noise": "float",
    "val_fraction": "float",
    "seed": "int",
    "params": "dict",
}
_MLP_TYPES = {
    "input_size": "int",
    "hidden": "ints",
    "output_size": "int",
    "activation": "str",
    "activation_params": "dict",
    "init": "str",
    "init_params": "dict",
    "bias_init": "float",
    "batchnorm": "str",
    "bn_momentum": "float",
    "bn_eps": "float",
}
_TRAIN_TYPES = {
    "label": "str",
    "mlp": "mlp",
    "optimizer": "str",
    "hyper": "dict",
    "schedule": "str",
    "schedule_params": "dict",
    "clip_norm": "float?",
    "batch_size": "int",
    "seed": "int",
}


def _check_tables() -> None:
    # A new config field without an entry here would be silently dropped from files.
    for cls, table in (
        (TaskConfig, _TASK_TYPES),
        (MLPConfig, _MLP_TYPES),
        (TrainConfig, _TRAIN_TYPES),
    ):
        names = {f.name for f in dataclasses.fields(cls)}
        if names != set(table):
            raise RuntimeError(f"config_io: fields of {cls.__name__} changed: {sorted(names)}")


_check_tables()


# ------------------------------------------------------------------------------ writing


def _json_value(v: Any, where: str) -> Any:
    """A parameter value as JSON: tuples become lists, numpy scalars plain numbers."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{where}: {v!r} cannot be written to JSON")
        return v
    if hasattr(v, "item") and callable(v.item):  # numpy scalar
        return _json_value(v.item(), where)
    if isinstance(v, tuple | list):
        return [_json_value(x, where) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _json_value(x, f"{where}.{k}") for k, x in v.items()}
    raise ValueError(f"{where}: cannot write a {type(v).__name__} to JSON")


def _fields_to_dict(obj: Any, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, MLPConfig):
            out[f.name] = _fields_to_dict(v, f"{where}.{f.name}")
        else:
            out[f.name] = _json_value(v, f"{where}.{f.name}")
    return out


def comparison_to_dict(task: TaskConfig, columns: Sequence[TrainConfig]) -> dict[str, Any]:
    """The comparison as a JSON-safe dictionary (lists, dicts, str, numbers, bool, None).

    Parameters
    ----------
    task : TaskConfig
    columns : sequence of TrainConfig
        One to :data:`MAX_COLUMNS` columns.

    Returns
    -------
    dict
        ``{"task": {...}, "columns": [{...}, ...]}`` with every field of every config.

    Raises
    ------
    ValueError
        If ``task`` or a column is not the right type, or there are no columns.
    """
    if not isinstance(task, TaskConfig):
        raise ValueError(f"task must be a TaskConfig; got {type(task).__name__}")
    columns = list(columns)
    if not 1 <= len(columns) <= MAX_COLUMNS:
        raise ValueError(f"columns: need 1 to {MAX_COLUMNS} columns; got {len(columns)}")
    for i, c in enumerate(columns):
        if not isinstance(c, TrainConfig):
            raise ValueError(f"columns[{i}] must be a TrainConfig; got {type(c).__name__}")
    return {
        "task": _fields_to_dict(task, "task"),
        "columns": [_fields_to_dict(c, f"columns[{i}]") for i, c in enumerate(columns)],
    }


# ------------------------------------------------------------------------------ reading


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _plain(v: Any, where: str) -> Any:
    """A parameter value from JSON: lists become tuples; only scalars and lists allowed."""
    if v is None or isinstance(v, bool | str):
        return v
    if _is_number(v):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{where} must be finite; got {v!r}")
        if isinstance(v, int) and abs(v) > 2**63:
            raise ValueError(
                f"{where} must be a number in range; got one with {len(str(v))} digits"
            )
        return v
    if isinstance(v, list):
        return tuple(_plain(x, where) for x in v)
    raise ValueError(f"{where} must be a number, string, true/false or a list; got {v!r}")


def _convert(value: Any, kind: str, where: str) -> Any:
    """Check the JSON type of ``value`` against ``kind`` and convert it for the engine."""
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"{where} must be a string; got {value!r}")
        return value
    if kind == "int":
        if not _is_int(value):
            raise ValueError(f"{where} must be a whole number; got {value!r}")
        return value
    if kind in ("float", "float?"):
        if value is None and kind == "float?":
            return None
        if not _is_number(value):
            extra = " or null" if kind == "float?" else ""
            raise ValueError(f"{where} must be a number{extra}; got {value!r}")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int too large for a double
            finite = False
        if not finite:
            got = repr(value) if isinstance(value, float) else "a number out of range"
            raise ValueError(f"{where} must be finite; got {got}")
        return value
    if kind == "ints":
        if not isinstance(value, list) or not all(_is_int(v) for v in value):
            raise ValueError(f"{where} must be a list of whole numbers; got {value!r}")
        return tuple(value)
    if kind == "dict":
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be an object; got {value!r}")
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):  # pragma: no cover - JSON keys are strings
                raise ValueError(f"{where}: keys must be strings; got {k!r}")
            out[k] = _plain(v, f"{where}.{k}")
        return out
    raise AssertionError(kind)  # pragma: no cover


def _object(d: Any, types: Mapping[str, str], where: str) -> dict[str, Any]:
    """Type-checked, converted keyword arguments for a config class."""
    if not isinstance(d, dict):
        raise ValueError(f"{where} must be an object; got {type(d).__name__}")
    unknown = sorted(k for k in d if k not in types)
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(types)})")
    kw: dict[str, Any] = {}
    for name, value in d.items():
        kind = types[name]
        if kind == "mlp":
            kw[name] = _mlp(value, f"{where}.{name}")
        else:
            kw[name] = _convert(value, kind, f"{where}.{name}")
    return kw


def _build(cls: type, kw: dict[str, Any], where: str) -> Any:
    try:
        return cls(**kw)
    except ValueError as exc:
        msg = str(exc)
        # The engine says "mlp: hidden must be ..." or "task: n must be ..."; keep the field
        # and put our path in front of it.
        for prefix in ("mlp: ", "train: ", "task: "):
            if msg.startswith(prefix):
                msg = msg[len(prefix) :]
                break
        raise ValueError(f"{where}: {msg}") from None


def _mlp(d: Any, where: str) -> MLPConfig:
    return _build(MLPConfig, _object(d, _MLP_TYPES, where), where)


def _hyper(optimizer: str, hyper: dict[str, Any], where: str) -> dict[str, Any]:
    """Hyperparameters converted by the optimizer's specs (pairs become tuples of floats).

    Only the names given are kept, so a round trip returns the same dictionary.
    """
    spec = NET_OPTIMIZERS.get(optimizer)
    if spec is None:
        return hyper  # TrainConfig names the unknown optimizer
    by_name = {p.name: p for p in spec.params}
    out = {}
    for k, v in hyper.items():
        p = by_name.get(k)
        if p is None:
            raise ValueError(
                f"{where}.{k}: unknown hyperparameter of {optimizer} "
                f"(accepted: {', '.join(by_name)})"
            )
        try:
            out[k] = p.validate(v)
        except ValueError as exc:
            raise ValueError(f"{where}.{exc}") from None
    return out


def _task(d: Any) -> TaskConfig:
    return _build(TaskConfig, _object(d, _TASK_TYPES, "task"), "task")


def _column(d: Any, where: str) -> TrainConfig:
    kw = _object(d, _TRAIN_TYPES, where)
    if "hyper" in kw:
        kw["hyper"] = _hyper(kw.get("optimizer", "adam"), kw["hyper"], f"{where}.hyper")
    return _build(TrainConfig, kw, where)


def comparison_from_dict(d: Any) -> tuple[TaskConfig, tuple[TrainConfig, ...]]:
    """Validate a dictionary written by :func:`comparison_to_dict` (or by hand).

    Parameters
    ----------
    d : dict
        ``{"task": {...}, "columns": [{...}, ...]}``; fields left out take their defaults.

    Returns
    -------
    (TaskConfig, tuple of TrainConfig)

    Raises
    ------
    ValueError
        For a missing or unknown section or field, a value of the wrong type, or a value
        the engine rejects; the message starts with the field's path, e.g.
        ``columns[1].mlp.batchnorm: ...``.
    """
    if not isinstance(d, dict):
        raise ValueError(f"network must be an object; got {type(d).__name__}")
    unknown = sorted(k for k in d if k not in ("task", "columns"))
    if unknown:
        raise ValueError(f"network: unknown field {unknown[0]!r} (known: task, columns)")
    if "task" not in d:
        raise ValueError("network: missing field 'task'")
    if "columns" not in d:
        raise ValueError("network: missing field 'columns'")
    task = _task(d["task"])
    cols = d["columns"]
    if not isinstance(cols, list):
        raise ValueError(f"columns must be a list; got {type(cols).__name__}")
    if not 1 <= len(cols) <= MAX_COLUMNS:
        raise ValueError(f"columns: need 1 to {MAX_COLUMNS} columns; got {len(cols)}")
    columns = tuple(_column(c, f"columns[{i}]") for i, c in enumerate(cols))
    return task, columns


# ------------------------------------------------------------------------------ typed form


def fit_columns(task: TaskConfig, columns: Sequence[TrainConfig]) -> tuple[TrainConfig, ...]:
    """``columns`` with input and output sizes set for ``task`` (as the engine does)."""
    spec = TASKS[task.name]
    n_in, n_out = spec.input_size, spec.n_outputs(task.params)
    out = []
    for c in columns:
        if c.mlp.input_size != n_in or c.mlp.output_size != n_out:
            mlp = dataclasses.replace(c.mlp, input_size=n_in, output_size=n_out)
            c = dataclasses.replace(c, mlp=mlp)
        out.append(c)
    return tuple(out)


@dataclass(frozen=True)
class NetworkConfig:
    """A network comparison, typed: the data and the columns trained on it.

    The one type for "task + columns": what the network lab's session holds
    (:class:`engine.session.NetworkSession`), what a lesson's ``"network"`` section is once
    read (:attr:`engine.scenario.Scenario.network`) and what the CLI trains. The columns'
    input and output sizes are set for the task on construction
    (:func:`fit_columns`), as the engine would size the networks anyway,
    so two configs that train the same networks compare equal.

    Attributes
    ----------
    task : TaskConfig
    columns : tuple of TrainConfig
        One to :data:`MAX_COLUMNS` columns (the lab shows fewer: its session checks
        :data:`engine.limits.MAX_COLUMNS`).

    Raises
    ------
    ValueError
        If ``task`` or a column is not the right type, or the count is out of range.
    """

    task: TaskConfig
    columns: tuple[TrainConfig, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.task, TaskConfig):
            raise ValueError(f"task must be a TaskConfig; got {type(self.task).__name__}")
        cols = tuple(self.columns)
        if not 1 <= len(cols) <= MAX_COLUMNS:
            raise ValueError(f"columns: need 1 to {MAX_COLUMNS} columns; got {len(cols)}")
        for i, c in enumerate(cols):
            if not isinstance(c, TrainConfig):
                raise ValueError(f"columns[{i}] must be a TrainConfig; got {type(c).__name__}")
        object.__setattr__(self, "columns", fit_columns(self.task, cols))

    @classmethod
    def from_dict(cls, d: Any) -> NetworkConfig:
        """Validate a ``"network"`` section (:func:`comparison_from_dict`).

        Raises
        ------
        ValueError
            Naming the field's path, e.g. ``columns[1].mlp.batchnorm: ...``.
        """
        return cls(*comparison_from_dict(d))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe dictionary (:func:`comparison_to_dict`)."""
        return comparison_to_dict(self.task, self.columns)
