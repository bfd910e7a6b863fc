"""Where the app puts what the user makes: screenshots, recordings, lessons.

Everything goes to the user's own folders (platformdirs), never beside the executable: a
frozen app may sit in a read-only place, and files there vanish with an update. The
autosaved session lives in the user's state folder (:func:`state_file`). platformdirs is
imported on first use so that start-up does not pay for it.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine import APP_NAME

__all__ = [
    "STATE_DIR_VAR",
    "documents_dir",
    "lessons_dir",
    "pictures_dir",
    "settings",
    "state_file",
    "videos_dir",
]

#: Environment variable naming the folder of the autosave file (tests set it per test).
STATE_DIR_VAR = "DESCENTLAB_STATE_DIR"


def _existing_or_home(path: str | None) -> Path:
    p = Path(path) if path else Path.home()
    return p if p.is_dir() else Path.home()


def documents_dir() -> Path:
    """The user's documents folder (home if the platform has none)."""
    import platformdirs

    return _existing_or_home(platformdirs.user_documents_dir())


def pictures_dir() -> Path:
    """Default folder for screenshots: Pictures, else Documents."""
    import platformdirs

    p = Path(platformdirs.user_pictures_dir())
    return p if p.is_dir() else documents_dir()


def videos_dir() -> Path:
    """Default folder for recordings: Videos, else Documents."""
    import platformdirs

    p = Path(platformdirs.user_videos_dir())
    return p if p.is_dir() else documents_dir()


def lessons_dir(create: bool = False) -> Path:
    """``Documents/Descent Lab``: where saved lessons go by default.

    Parameters
    ----------
    create : bool
        Make the folder if it is missing (only when about to save there).
    """
    p = documents_dir() / APP_NAME
    if create:
        try:
            p.mkdir(parents=True, exist_ok=True)
        except OSError:
            return documents_dir()
    return p if p.is_dir() else documents_dir()


def state_file() -> Path:
    """The autosave file: ``$DESCENTLAB_STATE_DIR/session.json``, else in the user's state
    folder (platformdirs ``user_state_dir``). The folder is made when first written."""
    override = os.environ.get(STATE_DIR_VAR)
    if override:
        return Path(override) / "session.json"
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "session.json"


def settings():
    """The app's per-user QSettings (organisation and application named after the app)."""
    from PySide6.QtCore import QSettings

    return QSettings(APP_NAME, APP_NAME)
