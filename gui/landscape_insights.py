"""The landscape lab's curvature and live-equation views, wired in one place.

:class:`LandscapeInsights` builds the equation panel, the stability plot and the curvature
overlay on the surface, adds their two View actions and feeds them from each snapshot. The
lab keeps a handful of one-line hooks (construct, set runs, draw, select, scale). All the
numbers come from the worker through the snapshot; selecting a run tells the worker which
run's equation to write out.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction

from gui import theme
from gui.panels.curvature_overlay import CurvatureOverlay
from gui.panels.equation_panel import EquationPanel
from gui.panels.stability_panel import StabilityPanel

EQUATION_KEY = "E"
CURVATURE_KEY = "K"


def _explain_row(row: int):
    def command(race) -> None:
        race.explained_row = row

    return command


class LandscapeInsights:
    """Equation panel, stability panel and curvature crosses of one landscape lab."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self.equation = EquationPanel()
        self.stability = StabilityPanel()
        self.equation.setVisible(False)
        self.stability.setVisible(False)
        lab.right.addWidget(self.equation)
        lab.right.addWidget(self.stability)
        self.overlay = CurvatureOverlay(lab.surface.plot_widget.getPlotItem())
        self.overlay.set_crosses_visible(False)
        self.act_equation = lab._lab_action(
            "Show live &equation",
            EQUATION_KEY,
            self.set_equation_visible,
            checkable=True,
            tip="The selected run's update rule with its current numbers",
        )
        self.act_curvature = lab._lab_action(
            "Show &curvature and stability",
            CURVATURE_KEY,
            self.set_curvature_visible,
            checkable=True,
            tip="Hessian eigenvectors at each head; sharpness against each run's limit 2/lr…",
        )

    @property
    def panels(self) -> list:
        """The panels in the lab's right column, in their order there."""
        return [self.equation, self.stability]

    @property
    def weights(self) -> dict:
        """Their shares of the right column's height (the loss plot has 3)."""
        return {self.equation: 2.5, self.stability: 2.5}

    def actions(self) -> list[QAction]:
        return [self.act_equation, self.act_curvature]

    def set_equation_visible(self, on: bool) -> None:
        with QSignalBlocker(self.act_equation):
            self.act_equation.setChecked(bool(on))
        self.equation.setVisible(bool(on))
        self._refresh(self.equation)

    def set_curvature_visible(self, on: bool) -> None:
        with QSignalBlocker(self.act_curvature):
            self.act_curvature.setChecked(bool(on))
        self.stability.setVisible(bool(on))
        self.overlay.set_crosses_visible(bool(on))
        self._refresh(self.stability)

    def _refresh(self, panel) -> None:
        share = getattr(self.lab, "_share_right", None)
        if share is not None:
            share()
        snap = self.lab.last_snapshot
        if snap is not None:
            self.draw(snap, live=False)

    def set_runs(self, styles: list[theme.RunStyle]) -> None:
        self.stability.set_runs(styles)
        self.equation.clear()

    def select(self, row: int) -> None:
        """Make ``row`` the run whose equation the worker writes out."""
        self.lab.bridge.submit(_explain_row(int(row)), key="explain-row")
        self.stability.set_selected(row)

    def draw(self, snap, live: bool, phase: int = 0) -> None:
        """Per frame: the overlay always; the panels every few frames while racing."""
        self.overlay.update_snapshot(snap, self.lab.surface.view_window())
        self.stability.record(snap)
        if not live or phase in (2, 5):
            if self.equation.isVisible():
                self.equation.update_snapshot(snap)
            if self.stability.isVisible():
                self.stability.redraw()

    def apply_scale(self, scale: theme.Scale) -> None:
        self.equation.apply_scale(scale)
        self.stability.apply_scale(scale)
