"""The landscape lab's 3-D view, beside the 2-D heatmap: made on demand, fed alongside it.

OpenGL is asked about only when the user first turns the view on
(:func:`gui.gl_check.opengl_available`: a child process, it can take seconds); where it is
unavailable the one-line reason goes to the status bar, the action unchecks and the lab
stays 2-D. :mod:`gui.panels.surface3d_panel` is imported only after a yes, since creating a
GL widget where OpenGL does not work can abort the process.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QSplitter

from gui import gl_check, theme


class Surface3DHost:
    """Owns the optional :class:`~gui.panels.surface3d_panel.Surface3DPanel` of a lab.

    Parameters
    ----------
    splitter : QSplitter
        Where the panel goes, right after ``beside`` (the 2-D panel).
    beside : QWidget
    action : QAction
        The checkable View > 3-D view action (unchecked here when unavailable).
    say : callable (level, text)
        The lab's message signal's ``emit``.
    """

    def __init__(self, splitter: QSplitter, beside, action, say: Callable[[str, str], None]):
        self.splitter, self.beside, self.action, self.say = splitter, beside, action, say
        self.panel = None
        self.reason = ""

    @property
    def shown(self) -> bool:
        return self.panel is not None and not self.panel.isHidden()

    def set_visible(self, on: bool, landscape, styles, start, scale: theme.Scale) -> bool:
        """Show (making it the first time) or hide the 3-D view; returns whether it shows."""
        if on and self.panel is None:
            ok, self.reason = gl_check.opengl_available()
            if not ok:
                self.say("warning", self.reason)
                with QSignalBlocker(self.action):
                    self.action.setChecked(False)
                return False
            from gui.panels.surface3d_panel import Surface3DPanel

            self.panel = Surface3DPanel()
            self.splitter.insertWidget(self.splitter.indexOf(self.beside) + 1, self.panel)
            self.panel.apply_scale(scale)
            self.set_landscape(landscape, styles, start)
            self.say("info", f"3-D view: {self.reason}")
        if self.panel is not None:
            self.panel.setVisible(bool(on))
            n = self.splitter.count()
            if on:
                w = sum(self.splitter.sizes()) or 1200
                left = self.splitter.indexOf(self.beside)
                sizes = [0] * n
                sizes[left] = sizes[left + 1] = int(w * 0.34)
                rest = [i for i in range(n) if i not in (left, left + 1)]
                for i in rest:
                    sizes[i] = (w - 2 * int(w * 0.34)) // max(1, len(rest))
                self.splitter.setSizes(sizes)
        with QSignalBlocker(self.action):
            self.action.setChecked(self.shown)
        return self.shown

    def set_landscape(self, landscape, styles, start) -> None:
        if self.panel is None:
            return
        self.panel.set_landscape(landscape)
        self.panel.set_runs(styles)
        self.panel.restart_trails()
        self.panel.set_start_marker(tuple(start))

    def set_runs(self, styles) -> None:
        if self.panel is not None:
            self.panel.set_runs(styles)

    def restart(self, start) -> None:
        if self.panel is not None:
            self.panel.restart_trails()
            self.panel.set_start_marker(tuple(start))

    def update_snapshot(self, snap) -> None:
        if self.shown:
            self.panel.update_snapshot(snap)
            self.panel.view.update()

    def apply_scale(self, scale: theme.Scale) -> None:
        if self.panel is not None:
            self.panel.apply_scale(scale)

    def shutdown(self) -> None:
        if self.panel is not None:
            self.panel.shutdown()
            self.panel.setParent(None)
            self.panel.deleteLater()
            self.panel = None
