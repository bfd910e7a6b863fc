"""Typed descriptions of tunable parameters, shared by every engine registry.

A :class:`ParamSpec` says what a hyperparameter is (type, default, range, log scale, help),
so the GUI can build a control for it, the CLI can parse it, and the engine can validate it
eagerly with a :class:`ValueError` that names the parameter and its owner.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("float", "int", "bool", "choice", "pair")


@dataclass(frozen=True)
class ParamSpec:
    """One tunable parameter.

    Parameters
    ----------
    name : str
        Keyword name, as in PyTorch where one exists (``lr``, ``betas``, ``weight_decay``).
    default : float, int, bool, str or tuple of two floats
        Value used when none is given.
    kind : {"float", "int", "bool", "choice", "pair"}
        Value type; ``pair`` is a tuple of two floats (e.g. Adam's ``betas``).
    min, max : float or None
        Inclusive bounds (each element of a pair is checked against them).
    log : bool
        Whether a slider for it should move on a log scale.
    choices : tuple of str
        Allowed values for ``kind="choice"``.
    label : str
        Short human name for a control; defaults to ``name``.
    help : str
        One sentence for a tooltip or ``--list``.
    min_exclusive : bool
        If true, ``min`` itself is not allowed (e.g. a learning rate must be > 0).
    """

    name: str
    default: Any
    kind: str = "float"
    min: float | None = None
    max: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()
    label: str = ""
    help: str = ""
    min_exclusive: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r} for {self.name!r}")

    @property
    def display(self) -> str:
        return self.label or self.name

    def validate(self, value: Any, owner: str = "") -> Any:
        """Return ``value`` converted to this parameter's type, or raise ValueError."""
        where = f"{owner}: " if owner else ""
        try:
            if self.kind == "bool":
                if isinstance(value, str):
                    low = value.strip().lower()
                    if low in ("1", "true", "yes", "on"):
                        return True
                    if low in ("0", "false", "no", "off"):
                        return False
                    raise ValueError
                if isinstance(value, (bool, int)) and value in (0, 1):
                    return bool(value)
                raise ValueError
            if self.kind == "choice":
                value = str(value)
                if value not in self.choices:
                    raise ValueError(
                        f"{where}{self.name} must be one of {', '.join(self.choices)}; "
                        f"got {_short(value)}"
                    )
                return value
            if self.kind == "pair":
                if isinstance(value, str):
                    parts = value.replace("/", " ").replace(";", " ").split()
                else:
                    parts = list(value)
                if len(parts) != 2:
                    raise ValueError
                pair = tuple(float(v) for v in parts)
                for v in pair:
                    self._check_range(v, where)
                return pair
            if self.kind == "int":
                if isinstance(value, bool):
                    raise ValueError
                f = float(value)
                if not math.isfinite(f) or f != int(f):
                    raise ValueError
                v = int(f)
                self._check_range(v, where)
                return v
            if isinstance(value, bool):
                raise ValueError
            v = float(value)
            self._check_range(v, where)
            return v
        except ValueError as exc:
            if exc.args and str(exc.args[0]).startswith(where + self.name):
                raise
            raise ValueError(
                f"{where}{self.name} must be {self.describe_type()}; got {_short(value)}"
            ) from None
        except (TypeError, OverflowError):  # OverflowError: an int too large for a double
            raise ValueError(
                f"{where}{self.name} must be {self.describe_type()}; got {_short(value)}"
            ) from None

    def _check_range(self, v: float, where: str) -> None:
        if not math.isfinite(v):
            raise ValueError(f"{where}{self.name} must be finite; got {v!r}")
        low = self.min is not None and (v < self.min or (self.min_exclusive and v == self.min))
        high = self.max is not None and v > self.max
        if not (low or high):
            return
        if self.min is not None and self.max is not None:
            # Both bounds: name the whole range, not just the side that was crossed.
            raise ValueError(f"{where}{self.name} must be in {self._range()}; got {self._num(v)}")
        if low:
            op = ">" if self.min_exclusive else ">="
            raise ValueError(
                f"{where}{self.name} must be {op} {self._num(self.min)}; got {self._num(v)}"
            )
        raise ValueError(f"{where}{self.name} must be <= {self._num(self.max)}; got {self._num(v)}")

    def _num(self, v: float) -> str:
        # Whole-number parameters (seeds, steps) read badly as 4.29497e+09.
        if self.kind == "int" and float(v).is_integer() and abs(v) < 1e16:
            return str(int(v))
        return f"{v:g}"

    def _range(self) -> str:
        lo = "-inf" if self.min is None else self._num(self.min)
        hi = "inf" if self.max is None else self._num(self.max)
        lb = "(" if self.min_exclusive or self.min is None else "["
        return f"{lb}{lo}, {hi}]"

    def describe_type(self) -> str:
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        rng = self._range()
        if self.kind == "pair":
            return f"two numbers in {rng} (e.g. 0.9/0.999)"
        if self.kind == "int":
            return f"a whole number in {rng}"
        return f"a number in {rng}"

    def describe(self) -> str:
        """One line for ``--list``: name, type, default and help."""
        d = self.default
        if self.kind == "pair":
            d = "/".join(f"{v:g}" for v in d)
        elif self.kind == "float":
            d = f"{d:g}"
        return f"{self.name}={d}  ({self.describe_type()}) {self.help}".rstrip()


def _short(value: Any) -> str:
    """``repr(value)``, cut so that a message stays one short line whatever the input."""
    r = repr(value)
    return r if len(r) <= 40 else r[:37] + "..."


def validate_params(
    specs: Iterable[ParamSpec], given: Mapping[str, Any] | None, owner: str
) -> dict[str, Any]:
    """Fill defaults, convert types and reject unknown names.

    Parameters
    ----------
    specs : iterable of ParamSpec
        What ``owner`` accepts.
    given : mapping or None
        User-supplied values (strings are parsed).
    owner : str
        Name used in error messages, e.g. ``"optimizer adam"``.

    Returns
    -------
    dict
        Every parameter of ``specs``, in spec order.

    Raises
    ------
    ValueError
        On an unknown name or an invalid value; the message names both.
    """
    specs = tuple(specs)
    by_name = {s.name: s for s in specs}
    given = dict(given or {})
    unknown = [k for k in given if k not in by_name]
    if unknown:
        known = ", ".join(by_name) or "none"
        raise ValueError(f"{owner}: unknown parameter {unknown[0]!r} (accepted: {known})")
    return {
        s.name: s.validate(given[s.name], owner) if s.name in given else s.default for s in specs
    }


def parse_assignments(text: str, owner: str = "") -> dict[str, str]:
    """Parse ``"lr=0.01,betas=0.9/0.999"`` into ``{"lr": "0.01", "betas": "0.9/0.999"}``.

    Raises
    ------
    ValueError
        If an item is not of the form ``name=value`` or a name repeats.
    """
    out: dict[str, str] = {}
    text = text.strip()
    if not text:
        return out
    for item in text.split(","):
        if "=" not in item:
            where = f"{owner}: " if owner else ""
            raise ValueError(f"{where}expected name=value, got {item.strip()!r}")
        k, v = item.split("=", 1)
        k = k.strip()
        if not k or k in out:
            where = f"{owner}: " if owner else ""
            raise ValueError(f"{where}empty or repeated parameter name {k!r}")
        out[k] = v.strip()
    return out


def spec_field(default: Any, **meta: Any) -> Any:
    """A dataclass field whose metadata carries a ParamSpec-like description for the GUI."""
    return field(default=default, metadata=meta)
