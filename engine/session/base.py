"""What every lab session shares: the config, apply/undo/redo, listeners and JSON.

A session holds one frozen config. :meth:`Session.apply` turns an edit into a new config,
validates it once, records it for undo, and tells the listeners an :class:`EditResult`:
the new config, the worker command that makes the engine match it, and a human message.
The command is derived from the old and the new config alone (:meth:`Session._command`),
so an undo or redo gets the right command with no extra rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from engine.session.history import HISTORY_LIMIT, Listeners, UndoStack

__all__ = ["SCHEMA_VERSION", "EditResult", "Session"]

#: Version of the JSON a session writes (:meth:`Session.to_json`); newer ones are refused.
SCHEMA_VERSION = 1

C = TypeVar("C")


@dataclass(frozen=True)
class EditResult(Generic[C]):
    """What one change did.

    Attributes
    ----------
    config : config
        The session's config after the change.
    previous : config
        The config before it.
    command : command
        What the worker must do so the engine matches ``config`` (lab specific).
    message : str
        One line for the status bar ("learning rate of run 1 → 10").
    select : int or None
        Row or column the views should select (a run just added, ...), if any.
    source : {"edit", "undo", "redo", "replace"}
        How the change came about.
    """

    config: C
    previous: C
    command: Any
    message: str
    select: int | None = None
    source: str = "edit"


class Session(Generic[C]):
    """Base of the lab sessions; subclasses define the edits and the commands.

    Parameters
    ----------
    config : config
        The starting config (validated).
    history_limit : int
        Edits kept for undo.
    """

    #: ``"kind"`` in the session's JSON.
    KIND: ClassVar[str] = ""

    def __init__(self, config: C, history_limit: int = HISTORY_LIMIT) -> None:
        self._validate(config)
        self._config = config
        self._history: UndoStack[C] = UndoStack(history_limit)
        self._listeners = Listeners()

    # ---------------------------------------------------------------- subclass hooks
    def _edit(self, edit: Any) -> tuple[C, str, int | None]:
        """``(new config, label, row to select)`` for ``edit``; ValueError if impossible."""
        raise NotImplementedError

    def _validate(self, config: C) -> C:
        """Raise ValueError naming the first bad setting; may return a normalised config."""
        raise NotImplementedError

    def _command(self, old: C, new: C) -> Any:
        """The worker command that turns an engine running ``old`` into one running ``new``."""
        raise NotImplementedError

    def _to_dict(self, config: C) -> dict:
        raise NotImplementedError

    @classmethod
    def default_config(cls) -> C:
        """The config a fresh lab opens with."""
        raise NotImplementedError

    def _from_dict(self, d: Mapping[str, Any]) -> C:
        raise NotImplementedError

    # ---------------------------------------------------------------- reading
    @property
    def config(self) -> C:
        return self._config

    @property
    def can_undo(self) -> bool:
        return self._history.undo_label is not None

    @property
    def can_redo(self) -> bool:
        return self._history.redo_label is not None

    @property
    def undo_label(self) -> str | None:
        return self._history.undo_label

    @property
    def redo_label(self) -> str | None:
        return self._history.redo_label

    def subscribe(self, fn: Callable[[EditResult[C]], None]) -> Callable[[], None]:
        """Call ``fn(result)`` after every change; returns the unsubscribe function."""
        return self._listeners.add(fn)

    # ---------------------------------------------------------------- changing
    def apply(self, edit: Any) -> EditResult[C]:
        """Apply ``edit``: validate, record for undo, notify; returns what it did.

        An edit that changes nothing returns a result with command ``None`` and records
        and notifies nothing.

        Raises
        ------
        ValueError
            The edit is impossible or its result invalid (one line; the session is
            unchanged).
        """
        old = self._config
        new, label, select = self._edit(edit)
        new = self._validate(new)
        if new == old:
            return EditResult(old, old, None, "", select, "edit")
        self._history.push(label, old, new)
        return self._set(new, label, select, "edit")

    def undo(self) -> EditResult[C] | None:
        """Take back the newest edit (None if there is none)."""
        e = self._history.undo()
        if e is None:
            return None
        return self._set(e.before, f"undo: {e.label}", None, "undo")

    def redo(self) -> EditResult[C] | None:
        """Apply again the edit undone last (None if there is none)."""
        e = self._history.redo()
        if e is None:
            return None
        return self._set(e.after, f"redo: {e.label}", None, "redo")

    def replace(self, config: C, message: str = "") -> EditResult[C]:
        """Make ``config`` current and forget the history (restore, start fresh).

        Raises ValueError (session unchanged) if ``config`` is invalid.
        """
        config = self._validate(config)
        self._history.clear()
        return self._set(config, message, 0, "replace")

    def start_fresh(self) -> EditResult[C]:
        """Back to :meth:`default_config`, history forgotten."""
        return self.replace(self.default_config(), "started fresh")

    def _set(self, config: C, message: str, select: int | None, source: str) -> EditResult[C]:
        old = self._config
        self._config = config
        result = EditResult(config, old, self._command(old, config), message, select, source)
        self._listeners.emit(result)
        return result

    # ---------------------------------------------------------------- JSON
    def to_json(self) -> dict:
        """``{"schema": 1, "kind": ..., "config": {...}}``: JSON-safe, for autosave."""
        return {"schema": SCHEMA_VERSION, "kind": self.KIND, "config": self._to_dict(self._config)}

    def config_from_json(self, d: Any) -> C:
        """The config in ``d`` (as :meth:`to_json` writes it), validated.

        Raises
        ------
        ValueError
            Not a session of this kind, a newer schema, or an invalid config.
        """
        if not isinstance(d, Mapping):
            raise ValueError(f"{self.KIND} session: expected an object; got {type(d).__name__}")
        schema = d.get("schema")
        if not isinstance(schema, int) or isinstance(schema, bool):
            raise ValueError(f"{self.KIND} session: 'schema' must be a whole number")
        if schema > SCHEMA_VERSION:
            raise ValueError(
                f"{self.KIND} session: schema {schema} is newer than this app's ({SCHEMA_VERSION})"
            )
        if d.get("kind") != self.KIND:
            raise ValueError(f"expected a {self.KIND} session; got {d.get('kind')!r}")
        try:
            return self._validate(self._from_dict(d.get("config") or {}))
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"{self.KIND} session: {exc}") from None

    @classmethod
    def from_json(cls, d: Any, history_limit: int = HISTORY_LIMIT):
        """A new session from :meth:`to_json`'s output (ValueError if unusable)."""
        probe = cls.__new__(cls)
        return cls(probe.config_from_json(d), history_limit=history_limit)
