"""What the window's menus need from the window, as a protocol.

The Lessons and Export menus (:mod:`gui.lessons`, :mod:`gui.export`) and the autosave
(:mod:`gui.autosave`) are built by the main window and talk back to it. They depend on
this small protocol, never on :mod:`gui.main_window`, so there is no import cycle and a
test can drive a menu with any object that has these members.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QWidget

    from gui.dialogs import Dialogs
    from gui.lab import Lab
    from gui.panels.lesson_panel import LessonBanner

__all__ = ["WindowServices"]


@runtime_checkable
class WindowServices(Protocol):
    """The window as its menus see it (:class:`gui.main_window.MainWindow` is one).

    Attributes
    ----------
    dialogs : Dialogs
        File choosers, alerts and the lesson-details form (scriptable in tests).
    lesson_banner : LessonBanner
        The open lesson's text above the labs.
    state_changed : SignalInstance
        Emitted when something worth autosaving changed.
    """

    dialogs: Dialogs
    lesson_banner: LessonBanner
    state_changed: SignalInstance

    def add_action(
        self,
        text: str,
        shortcuts: list[str] | str | QKeySequence.StandardKey,
        slot: Callable,
        *,
        icon_name: str | None = None,
        checkable: bool = False,
        tip: str = "",
    ) -> QAction:
        """A window-wide action (its shortcut works with the menu bar hidden)."""
        ...

    def add_status_widget(self, widget: QWidget) -> None:
        """Put ``widget`` at the right of the status bar."""
        ...

    def show_message(self, text: str, level: str = "info") -> None:
        """One line in the status bar; level ``"info"``, ``"warning"`` or ``"error"``."""
        ...

    def window_widget(self) -> QWidget:
        """The top-level widget: parent of dialogs, what a whole-window picture shows."""
        ...

    def current_lab(self) -> Lab | None:
        """The lab showing, if any."""
        ...

    @property
    def labs(self) -> list[Lab]:
        """The labs made so far, in tab order."""
        ...

    def lab_for(self, key: str) -> Lab | None:
        """The lab that opens scenario section ``key`` (made on demand), or ``None``."""
        ...

    def show_lab(self, lab: Lab) -> None:
        """Bring ``lab``'s tab to the front."""
        ...
