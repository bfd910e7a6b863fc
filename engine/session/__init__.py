"""Lab sessions: each lab's config as a headless model with edits, undo/redo and JSON.

The GUI's labs are views of these: an editor sends an edit to :meth:`Session.apply`, the
session validates it once, records it for undo and tells its listeners the new config, the
command for the worker and a message. Pure Python and numpy: tested without a window.
"""

from engine.session.base import SCHEMA_VERSION, EditResult, Session
from engine.session.history import HISTORY_LIMIT, Listeners, UndoStack
from engine.session.net_session import NetCommand, NetworkConfig, NetworkSession
from engine.session.race_session import MAX_RUNS, LandscapeSession, RaceCommand

__all__ = [
    "HISTORY_LIMIT",
    "MAX_RUNS",
    "SCHEMA_VERSION",
    "EditResult",
    "LandscapeSession",
    "Listeners",
    "NetCommand",
    "NetworkConfig",
    "NetworkSession",
    "RaceCommand",
    "Session",
    "UndoStack",
]
