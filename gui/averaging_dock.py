"""Where the averaging lesson's panel lives: a dock beside the labs, shown with its lesson.

The Lessons menu calls :func:`show_averaging` when a lesson has an ``averaging`` section and
:func:`hide_averaging` when another lesson opens. The panel follows the landscape lab's
race (its momentum run is the one replayed) and the window's presentation scale.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from engine.averaging import AveragingConfig
from gui import theme
from gui.panels.averaging_panel import AveragingPanel

OBJECT_NAME = "AveragingDock"
#: Share of the window's width the dock takes when it first shows (the lab keeps the rest).
WIDTH_SHARE = 0.42


class AveragingDock(QDockWidget):
    """A closable dock holding one :class:`AveragingPanel`, wired to a window."""

    def __init__(self, window) -> None:
        super().__init__("Averaging lesson", window)
        self.setObjectName(OBJECT_NAME)
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.window_ = window
        self.panel = AveragingPanel()
        self.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        window.presentation_changed.connect(self._on_presentation)
        self._lab = None
        self._on_presentation(window.presentation)

    def follow(self, lab) -> None:
        """Replay the momentum run of ``lab``'s race, now and after each of its edits."""
        if self._lab is not None:
            self._lab.session_changed.disconnect(self._on_lab_changed)
        self._lab = lab
        if lab is not None:
            lab.session_changed.connect(self._on_lab_changed)
        self._on_lab_changed()

    def _on_lab_changed(self) -> None:
        cfg = getattr(self._lab, "config", None) if self._lab is not None else None
        if cfg != self.panel._race:
            self.panel.set_race(cfg)

    def _on_presentation(self, on: bool) -> None:
        self.panel.apply_scale(theme.PRESENTATION if on else theme.NORMAL)


def show_averaging(window, config: AveragingConfig, lab=None) -> AveragingDock:
    """Show (making it once) the window's averaging dock with ``config``; returns it."""
    dock = window.findChild(AveragingDock, OBJECT_NAME)
    first = dock is None
    if first:
        dock = AveragingDock(window)
    dock.panel.set_config(config)
    dock.follow(lab)
    dock.show()
    if first:
        width = int(window.width() * WIDTH_SHARE)
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
    return dock


def hide_averaging(window) -> None:
    """Hide the averaging dock if there is one (another lesson opened)."""
    dock = window.findChild(AveragingDock, OBJECT_NAME)
    if dock is not None:
        dock.follow(None)
        dock.hide()
