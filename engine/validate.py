"""One validation layer for every input: command line, lesson files, GUI fields, autosave.

Everything a user can type or a file can hold passes through here before it reaches a
config: types, ranges, finite numbers, text and list lengths, nesting depth. A refusal is
always a :class:`ValidationError`, a :class:`ValueError` whose message is ONE line naming
the field and what it accepts, so the CLI prints it, the GUI puts it in an alert or a
field's tooltip, and nothing half-applies.

Ranges come from the config specs (:class:`engine.params.ParamSpec`, and the ``spec_field``
metadata of the frozen config dataclasses); the caps come from :mod:`engine.limits`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np

from engine import limits
from engine.params import ParamSpec

__all__ = [
    "ValidationError",
    "check_depth",
    "check_int",
    "check_list",
    "check_number",
    "check_text",
    "field_spec",
    "json_depth",
    "one_line",
    "parse_json",
    "parse_number",
    "sanitize_text",
    "validate_field",
]


def one_line(text: Any, max_chars: int = 300) -> str:
    """``text`` as one printable line of at most ``max_chars`` characters.

    Line breaks and other control characters become spaces, runs of spaces collapse, and
    characters no terminal can print (lone surrogates from undecodable bytes) become
    U+FFFD, so the message can always be written to any stream.
    """
    s = sanitize_text(str(text), max_chars, keep_empty=True)
    return s


class ValidationError(ValueError):
    """A refused input. ``str(exc)`` is one line naming the field and the accepted range.

    Attributes
    ----------
    field : str
        Path of the field (``"columns[1].mlp.hidden"``, ``"--steps"``), or ``""``.
    """

    def __init__(self, message: str, field: str = "") -> None:
        self.field = field
        msg = one_line(message)
        if field and not msg.startswith(field):
            msg = f"{field}: {msg}"
        super().__init__(one_line(msg))


# ------------------------------------------------------------------------------ text

_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


def sanitize_text(text: str, max_chars: int, *, keep_empty: bool = False) -> str:
    """A label or title safe to show, print and write to UTF-8: one line, bounded.

    Lone surrogates (how Python carries bytes that are not UTF-8 in ``sys.argv``) become
    U+FFFD; control and format characters (newlines, tabs, ANSI escapes, bidi overrides)
    become spaces; whitespace collapses; the result is stripped and cut to ``max_chars``
    characters (an ellipsis marks a cut).

    Parameters
    ----------
    text : str
    max_chars : int
        At least 1.
    keep_empty : bool
        Return ``""`` for empty input instead of raising.

    Raises
    ------
    ValidationError
        If ``text`` is not a string, or (unless ``keep_empty``) is empty once cleaned.
    """
    if not isinstance(text, str):
        raise ValidationError(f"expected text; got {type(text).__name__}")
    s = _SURROGATE.sub("\ufffd", text)
    if not s.isprintable():
        s = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in s)
    s = _SPACES.sub(" ", s).strip()
    if len(s) > max_chars:
        s = s[: max(max_chars - 1, 0)].rstrip() + "\u2026"
    if not s and not keep_empty:
        raise ValidationError("must not be empty")
    return s


def check_text(value: Any, field: str, max_chars: int, *, allow_empty: bool = True) -> str:
    """A string of at most ``max_chars`` characters (refused, not cut, when longer)."""
    if not isinstance(value, str):
        raise ValidationError(
            f"must be text of at most {max_chars} characters; got {_kind(value)}", field
        )
    if len(value) > max_chars:
        raise ValidationError(f"must be at most {max_chars} characters; got {len(value):,}", field)
    if not allow_empty and not value.strip():
        raise ValidationError("must not be empty", field)
    return value


# ------------------------------------------------------------------------------ numbers


def _kind(value: Any) -> str:
    """A short description of a value for a message (never the whole of a huge value)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        r = repr(value)
        return r if len(r) <= 40 else f"a {len(str(abs(int(value))))}-digit number"
    if isinstance(value, str):
        r = repr(value if len(value) <= 30 else value[:30] + "...")
        return one_line(r, 40)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _num(v: float) -> str:
    # Whole bounds (seeds, counts) in full: 4294967295, not 4.29497e+09.
    if float(v).is_integer() and abs(v) < 1e16:
        return str(int(v))
    return f"{v:g}"


def _range_text(lo: float | None, hi: float | None, lo_open: bool = False) -> str:
    a = "-inf" if lo is None else _num(lo)
    b = "inf" if hi is None else _num(hi)
    return f"{'(' if lo_open or lo is None else '['}{a}, {b}]"


def check_int(value: Any, field: str, lo: int | None = None, hi: int | None = None) -> int:
    """A whole number (JSON int, or a float with no fraction) in ``[lo, hi]``."""
    want = f"must be a whole number in {_range_text(lo, hi)}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValidationError(f"{want}; got {_kind(value)}", field)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or value != math.floor(value):
            raise ValidationError(f"{want}; got {_kind(float(value))}", field)
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValidationError(f"{want}; got {_kind(value)}", field)
    return v


def check_number(
    value: Any,
    field: str,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
) -> float:
    """A finite number in ``[lo, hi]`` (``(lo, hi]`` if ``lo_open``)."""
    want = f"must be a finite number in {_range_text(lo, hi, lo_open)}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValidationError(f"{want}; got {_kind(value)}", field)
    try:
        v = float(value)
    except OverflowError:  # an int too large for a double
        raise ValidationError(f"{want}; got {_kind(value)}", field) from None
    if not math.isfinite(v):
        raise ValidationError(f"{want}; got {v!r}", field)
    if (lo is not None and (v < lo or (lo_open and v == lo))) or (hi is not None and v > hi):
        raise ValidationError(f"{want}; got {_num(v)}", field)
    return v


def check_list(value: Any, field: str, max_items: int, min_items: int = 0) -> list:
    """A JSON list of ``min_items`` to ``max_items`` entries."""
    if not isinstance(value, list):
        raise ValidationError(
            f"must be a list of {min_items} to {max_items} items; got {_kind(value)}", field
        )
    if not min_items <= len(value) <= max_items:
        raise ValidationError(
            f"must be a list of {min_items} to {max_items} items; got {len(value):,}", field
        )
    return value


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": "", "\u202f": "", "\u2009": ""})


def parse_number(text: str, decimal_point: str = ".", *, field: str = "number") -> float:
    """Read a number typed by a person, in the user's locale or in C.

    ``"0,5"`` and ``"0.5"`` both read as 0.5 whatever the locale, as long as that cannot
    mean anything else. A single ``,`` or ``.`` that is *not* the locale's decimal point,
    with one to three digits before it (the first not 0) and exactly three after it
    (``"1,234"`` under an English locale, ``"1.234"`` under a German one), may be a
    thousands separator, so it is refused with a message saying how to write it. In the
    locale's own decimal point it is a decimal (``"1,234"`` is 1.234 under German).
    Thousands separators are never accepted, exponents are (``"1e-3"``, ``"2,5e-3"``),
    a Unicode minus sign is read as ``-``.

    Parameters
    ----------
    text : str
    decimal_point : {".", ","}
        The user's locale's decimal point (``QLocale().decimalPoint()`` in the GUI).
    field : str
        Name for the error message.

    Returns
    -------
    float
        A finite number.

    Raises
    ------
    ValidationError
        One line naming ``field``: not a number, ambiguous, or not finite.
    """
    if decimal_point not in (".", ","):
        raise ValidationError(f"decimal point must be '.' or ','; got {decimal_point!r}")
    if not isinstance(text, str):
        raise ValidationError(f"expected text; got {_kind(text)}", field)
    s = text.strip().translate(_MINUS).replace(" ", "")
    if len(s) > 64 or not _NUMBER.fullmatch(s):
        raise ValidationError(f"must be a number like 0.5 or 1e-3; got {_kind(text)}", field)
    mantissa = re.split("[eE]", s)[0]
    sep = next((c for c in mantissa if c in ".,"), None)
    if sep is not None and sep != decimal_point and _GROUPED.fullmatch(mantissa):
        other = mantissa.replace(sep, "")
        raise ValidationError(
            f"{text.strip()!r} is ambiguous (a decimal or a thousands separator?): write "
            f"{mantissa.replace(sep, decimal_point)} for the decimal or {other} without "
            f"separators",
            field,
        )
    v = float(s.replace(",", "."))
    if not math.isfinite(v):
        raise ValidationError(f"must be finite; got {text.strip()!r}", field)
    return v


# ------------------------------------------------------------------------------ specs


def field_spec(cls: type, name: str) -> ParamSpec:
    """The :class:`ParamSpec` of a config dataclass field declared with ``spec_field``.

    Lets a GUI field or an autosave reader validate one field of e.g. :class:`TaskConfig`
    from the same range the dataclass documents.

    Raises
    ------
    KeyError
        If ``cls`` has no such field or it carries no range metadata.
    """
    f = next((f for f in dataclasses.fields(cls) if f.name == name), None)
    if f is None or not f.metadata or f.default is dataclasses.MISSING:
        raise KeyError(f"{cls.__name__}.{name} has no spec")
    meta = dict(f.metadata)
    default = f.default
    kind = meta.pop("kind", None)
    if kind is None:
        if meta.get("choices"):
            kind = "choice"
        elif isinstance(default, bool):
            kind = "bool"
        elif isinstance(default, int):
            kind = "int"
        else:
            kind = "float"
    keep = {k: v for k, v in meta.items() if k in ParamSpec.__dataclass_fields__}
    return ParamSpec(name=name, default=default, kind=kind, **keep)


def validate_field(
    spec: ParamSpec, value: Any, field: str = "", *, decimal_point: str = "."
) -> Any:
    """``value`` checked against ``spec``; text is read with :func:`parse_number`.

    This is what a GUI field calls with the text the user typed, and what a file reader
    calls with a JSON value. Returns the converted value.

    Raises
    ------
    ValidationError
        One line: ``"<field>: lr must be a number in (0, 10]; got 20"``.
    """
    name = field or spec.name
    if isinstance(value, str) and spec.kind in ("float", "int"):
        value = parse_number(value, decimal_point, field=name)
    if isinstance(value, str) and len(value) > limits.MAX_TEXT_CHARS:
        raise ValidationError(f"must be {spec.describe_type()}; got a long text", name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) > 2**63:
            raise ValidationError(f"must be {spec.describe_type()}; got {_kind(value)}", name)
    try:
        return spec.validate(value)
    except (ValueError, TypeError, OverflowError) as exc:
        msg = str(exc)
        if msg.startswith(spec.name):
            msg = msg[len(spec.name) :].lstrip(": ")
        raise ValidationError(msg, name) from None


# ------------------------------------------------------------------------------ JSON

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` in a JSON text, without parsing it.

    Linear in the text and never recursive, so a 1,000-deep document is measured (and
    refused) before :func:`json.loads` could hit Python's recursion limit.
    """
    bare = _STRING.sub("", text)
    codes = np.frombuffer(bare.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    step = np.zeros(codes.shape, dtype=np.int64)
    step[(codes == ord("[")) | (codes == ord("{"))] = 1
    step[(codes == ord("]")) | (codes == ord("}"))] = -1
    if step.size == 0:
        return 0
    return int(np.cumsum(step).max(initial=0))


def check_depth(
    value: Any,
    field: str = "document",
    max_depth: int = limits.MAX_JSON_DEPTH,
    max_items: int | None = None,
) -> None:
    """Refuse parsed data nested deeper than ``max_depth`` or, if ``max_items`` is given,
    holding a longer list anywhere (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            if d > max_depth:
                raise ValidationError(f"nested deeper than {max_depth} levels", field)
            if max_items is not None and isinstance(v, list) and len(v) > max_items:
                raise ValidationError(f"a list holds {len(v):,} items; at most {max_items}", field)
            items = v.values() if isinstance(v, Mapping) else v
            stack.extend((x, d + 1) for x in items)


def _refuse_constant(name: str) -> float:
    raise ValidationError(f"{name} is not a number JSON allows (use a finite number)")


def _finite_float(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):  # 1e400 reads as inf
        short = text if len(text) <= 20 else text[:20] + "..."
        raise ValidationError(f"{short} is too large for a number (use a finite number)")
    return v


def parse_json(
    text: str | bytes,
    source: str = "document",
    *,
    max_bytes: int = limits.MAX_LESSON_FILE_BYTES,
    max_depth: int = limits.MAX_JSON_DEPTH,
) -> Any:
    """Parse a JSON document from an untrusted source, bounded in size and depth.

    ``NaN``, ``Infinity`` and ``-Infinity`` (which Python's json accepts by default) are
    refused; so are a document over ``max_bytes`` and nesting over ``max_depth``.

    Raises
    ------
    ValidationError
        One line starting with ``source``.
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise ValidationError(
                f"{len(text):,} bytes; a lesson file may hold at most {max_bytes:,}", source
            )
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("not a UTF-8 text file", source) from None
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise ValidationError(f"longer than {max_bytes:,} bytes", source)
    depth = json_depth(text)
    if depth > max_depth:
        raise ValidationError(f"nested {depth} levels deep; at most {max_depth}", source)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValidationError as exc:
        raise ValidationError(str(exc), source) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", source
        ) from None
    except (RecursionError, ValueError) as exc:  # belt and braces: depth is checked above
        raise ValidationError(f"not valid JSON ({type(exc).__name__})", source) from None
