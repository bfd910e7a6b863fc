"""The autosave file: read it without ever failing, write it atomically.

The file is one JSON object ``{"schema": 1, "kind": "descent-lab-state", ...}`` whose other
keys the app defines (the two sessions, the open lesson, window and speed). A file that
cannot be used (unreadable, not JSON, another kind, a newer schema) is renamed aside so
that the next save does not overwrite what a newer version or a person may still want, and
the reader gets a one-line reason instead of an exception.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from engine.atomic import write_atomically

__all__ = ["STATE_KIND", "STATE_SCHEMA", "read_state", "reject", "set_aside", "write_state"]

STATE_SCHEMA = 1
STATE_KIND = "descent-lab-state"


def set_aside(path: str | os.PathLike) -> Path | None:
    """Rename ``path`` to ``<name>.unusable-<time>`` beside it; None if that failed too."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for k in range(100):
        target = path.with_name(f"{path.name}.unusable-{stamp}" + (f"-{k}" if k else ""))
        if target.exists():
            continue
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target
    return None


def _check(d: Any) -> dict:
    if not isinstance(d, dict):
        raise ValueError("not a JSON object")
    if d.get("kind") != STATE_KIND:
        raise ValueError(f"not a Descent Lab session (kind {d.get('kind')!r})")
    schema = d.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise ValueError("no schema version")
    if schema > STATE_SCHEMA:
        raise ValueError(f"written by a newer version (schema {schema} > {STATE_SCHEMA})")
    return d


def read_state(path: str | os.PathLike) -> tuple[dict | None, str]:
    """The saved state and ``""``, or ``None`` and a one-line reason (the file set aside).

    A missing file is ``(None, "")``: the first start is not an error.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return None, _aside(path, f"could not be read ({reason})")
    try:
        return _check(json.loads(text)), ""
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        return None, _aside(path, f"is unusable ({str(exc).splitlines()[0]})")


def reject(path: str | os.PathLike, why: str) -> str:
    """Set aside a state file whose content the app could not apply; the one-line message."""
    return _aside(Path(path), why)


def _aside(path: Path, why: str) -> str:
    moved = set_aside(path)
    where = f"; kept as {moved.name}" if moved is not None else ""
    return f"the saved session {why}: starting fresh{where}"


def write_state(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` (with schema and kind added) atomically, making the folder if needed.

    Raises OSError if it cannot be written; the old file is then untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"schema": STATE_SCHEMA, "kind": STATE_KIND, **state}
    text = json.dumps(data, indent=1, allow_nan=False)
    write_atomically(path, lambda fh: fh.write(text))
