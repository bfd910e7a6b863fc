"""View > Line width: how thick the trajectories are drawn, for every lab with a surface.

The choices are :data:`gui.theme.LINE_WIDTH_CHOICES` plus "Default" (the scale's own width,
thicker in presentation mode). The choice applies to each lab's
:meth:`gui.panels.landscape_panel.LandscapePanel.set_line_width` (``lab.surface``), to labs
made later too, and is remembered by the autosave (:meth:`LineWidthMenu.set_width`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from gui import theme

if TYPE_CHECKING:
    from gui.lab import Lab
    from gui.services import WindowServices

__all__ = ["LineWidthMenu", "check_line_width"]


def check_line_width(px) -> float | None:
    """``px`` as a line width (``None``: the default); ValueError if it is not a choice."""
    if px is None:
        return None
    if isinstance(px, bool) or not isinstance(px, int | float):
        raise ValueError(f"line width must be a number of pixels or null; got {px!r}")
    if float(px) not in theme.LINE_WIDTH_CHOICES:
        choices = ", ".join(f"{c:g}" for c in theme.LINE_WIDTH_CHOICES)
        raise ValueError(f"line width must be one of {choices} pixels; got {px!r}")
    return float(px)


class LineWidthMenu(QObject):
    """The "Line width" submenu of ``window`` (a :class:`~gui.services.WindowServices`).

    Signals
    -------
    changed(object)
        The width chosen: pixels, or ``None`` for the default.
    """

    changed = Signal(object)

    def __init__(self, window: WindowServices) -> None:
        super().__init__(window.window_widget())
        self.window = window
        self._px: float | None = None
        self.menu = QMenu("&Line width", window.window_widget())
        self.menu.setToolTipsVisible(True)
        group = QActionGroup(self.menu)
        group.setExclusive(True)
        self.actions: dict[float | None, QAction] = {}
        for px in (None, *theme.LINE_WIDTH_CHOICES):
            act = QAction("&Default" if px is None else f"{px:g} px", self.menu)
            act.setCheckable(True)
            act.setToolTip(
                "The scale's own width (thicker in presentation mode)"
                if px is None
                else f"Trajectories {px:g} pixels wide"
            )
            act.triggered.connect(lambda _=False, w=px: self.set_width(w))
            group.addAction(act)
            self.menu.addAction(act)
            self.actions[px] = act
        self.actions[None].setChecked(True)

    @property
    def width(self) -> float | None:
        """Pixels chosen, or ``None`` for the default."""
        return self._px

    def set_width(self, px: float | None) -> None:
        """Draw every lab's trajectories ``px`` wide (``None``: default); ValueError if
        ``px`` is not one of the choices."""
        px = check_line_width(px)
        self.actions[px].setChecked(True)
        changed = px != self._px
        self._px = px
        for lab in self.window.labs:
            self.apply_to(lab)
        if changed:
            self.changed.emit(px)

    def apply_to(self, lab: Lab) -> None:
        """Give ``lab`` the chosen width (labs without a surface are left alone)."""
        surface = getattr(lab, "surface", None)
        if surface is not None and callable(getattr(surface, "set_line_width", None)):
            surface.set_line_width(self._px)
