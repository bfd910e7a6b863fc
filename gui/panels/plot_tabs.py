"""Plots as tabs: how a column too short for its stacked plots shows each one whole."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget


class PlotTabs(QTabWidget):
    """One tab per plot panel; a panel's own hidden flag says whether its tab is shown.

    Each panel sits in a page of its own, so the tab widget shows and hides the pages
    while ``panel.isHidden()`` keeps meaning "switched off" to the lab that owns it.

    Parameters
    ----------
    panels : list of (QWidget, str)
        The panels and their tab titles, in tab order.
    forward : tuple of QWidget
        Panels brought to the front when they are switched on (the internals: the user
        pressed I to see them).

    Signals
    -------
    panel_shown(QWidget)
        The panel now in front (it was not drawn while hidden: draw it).
    """

    panel_shown = Signal(QWidget)

    def __init__(self, panels: list[tuple[QWidget, str]], forward: tuple = ()) -> None:
        super().__init__()
        self.setDocumentMode(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.panels = [p for p, _ in panels]
        self.pages: dict[QWidget, QWidget] = {}
        self._on: dict[QWidget, bool] = {}
        self._forward = forward
        for panel, title in panels:
            page = QWidget()
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self.pages[panel] = page
            self.addTab(page, title)
        self.currentChanged.connect(lambda _i: self._emit_shown())
        self.hide()

    def adopt(self) -> None:
        """Move every panel into its page (each keeps its hidden flag)."""
        for panel in self.panels:
            hidden = panel.isHidden()
            self.pages[panel].layout().addWidget(panel)
            panel.setVisible(not hidden)
        self.sync()

    def sync(self) -> None:
        """Tabs follow the panels that are on; the tab bar shows only with two or more."""
        for panel in self.panels:
            on = not panel.isHidden()
            self.setTabVisible(self.indexOf(self.pages[panel]), on)
            if on and self._on.get(panel) is False and panel in self._forward:
                self.setCurrentWidget(self.pages[panel])
            self._on[panel] = on
        if not self.isTabVisible(self.currentIndex()):
            first = next((p for p in self.panels if not p.isHidden()), self.panels[0])
            self.setCurrentWidget(self.pages[first])
        n_on = sum(self.isTabVisible(i) for i in range(self.count()))
        self.tabBar().setVisible(n_on > 1)

    def current_panel(self) -> QWidget | None:
        page = self.currentWidget()
        return next((p for p, pg_ in self.pages.items() if pg_ is page), None)

    def show_panel(self, panel: QWidget) -> None:
        """Bring ``panel`` to the front if it is on."""
        if panel in self.pages and not panel.isHidden():
            self.setCurrentWidget(self.pages[panel])

    def _emit_shown(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            self.panel_shown.emit(panel)
