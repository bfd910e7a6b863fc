"""Undo/redo of whole configurations, and plain-Python change listeners.

A session's config is a frozen value, so history stores configs, not inverse operations:
undoing an edit puts back the config from before it, which is exact by construction (no
inverse to get wrong) and cheap (configs share their unchanged parts).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["HISTORY_LIMIT", "Listeners", "UndoStack"]

#: Most edits a session remembers; the oldest fall off first.
HISTORY_LIMIT = 200

C = TypeVar("C")


@dataclass(frozen=True)
class _Entry(Generic[C]):
    label: str
    before: C
    after: C


class UndoStack(Generic[C]):
    """Bounded undo and redo stacks of ``(label, before, after)`` entries.

    Parameters
    ----------
    limit : int
        Entries kept on the undo stack (the oldest are dropped beyond it).
    """

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        if int(limit) < 1:
            raise ValueError(f"history limit must be >= 1; got {limit!r}")
        self._undo: deque[_Entry[C]] = deque(maxlen=int(limit))
        self._redo: list[_Entry[C]] = []

    def push(self, label: str, before: C, after: C) -> None:
        """Record an edit; a new edit forgets what could be redone."""
        self._undo.append(_Entry(label, before, after))
        self._redo.clear()

    def undo(self) -> _Entry[C] | None:
        if not self._undo:
            return None
        e = self._undo.pop()
        self._redo.append(e)
        return e

    def redo(self) -> _Entry[C] | None:
        if not self._redo:
            return None
        e = self._redo.pop()
        self._undo.append(e)
        return e

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()

    @property
    def undo_label(self) -> str | None:
        """Label of the edit :meth:`undo` would take back (None if nothing)."""
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def __len__(self) -> int:
        return len(self._undo)


class Listeners:
    """Callables told about every change, in the order they were added.

    A listener that raises does not stop the others; the first error is raised after all
    were called, so a broken view cannot leave the other views stale.
    """

    def __init__(self) -> None:
        self._fns: list[Callable] = []

    def add(self, fn: Callable) -> Callable[[], None]:
        """Add ``fn``; returns a function that removes it again."""
        self._fns.append(fn)
        return lambda: self.remove(fn)

    def remove(self, fn: Callable) -> None:
        if fn in self._fns:
            self._fns.remove(fn)

    def emit(self, *args) -> None:
        error = None
        for fn in list(self._fns):
            try:
                fn(*args)
            except Exception as exc:
                error = error or exc
        if error is not None:
            raise error
