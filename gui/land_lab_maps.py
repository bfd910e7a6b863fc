"""The landscape lab's convergence maps: the basin map and the hyperparameter map windows.

A mixin of :class:`gui.landscape_lab.LandscapeLab` (it uses the lab's session, table and
landscape), kept apart because it is one job of the lab's: open a map of the selected run,
keep its marker on the run as the session changes, and turn a click on a map into an edit.
"""

from __future__ import annotations

from engine.session.describe import run_title
from engine.session.race_session import SetRun


class LandMapsMixin:
    """Basin and hyperparameter map windows of the landscape lab."""

    basin_panel = None
    hyper_panel = None

    def _selected_run(self):
        row = min(max(self.table.current_row(), 0), len(self.config.runs) - 1)
        return row, self.config.runs[row]

    def show_basin_map(self, compute: bool = True):
        """Open the basin map of the selected run's settings on this landscape."""
        from gui.panels.basin_map_panel import BasinMapPanel

        if self.basin_panel is None:
            self.basin_panel = BasinMapPanel(self)
            self.basin_panel.start_requested.connect(self.set_start)
            self.basin_panel.message.connect(self.message.emit)
        _row, run = self._selected_run()
        self.basin_panel.set_subject(self.landscape, run, run_title(run))
        self.basin_panel.show()
        self.basin_panel.raise_()
        if compute:
            self.basin_panel.compute()
        return self.basin_panel

    def show_hyper_map(self, compute: bool = True):
        """Open the hyperparameter map of the selected run, from its start point."""
        from gui.panels.hyper_map_panel import HyperMapPanel

        if self.hyper_panel is None:
            self.hyper_panel = HyperMapPanel(self)
            self.hyper_panel.hyper_chosen.connect(self.set_hyper_values)
            self.hyper_panel.message.connect(self.message.emit)
            self.session.subscribe(self._maps_follow_session)
        row, run = self._selected_run()
        start = run.start if run.start is not None else self.config.start
        self.hyper_panel.set_subject(self.landscape, run, row, run_title(run), start)
        self.hyper_panel.show()
        self.hyper_panel.raise_()
        if compute:
            self.hyper_panel.compute()
        return self.hyper_panel

    def set_hyper_values(self, row: int, values: dict) -> bool:
        """Give run ``row`` the hyperparameters ``values`` (map axis names), one edit."""
        from gui.panels.hyper_map_panel import with_values

        if not 0 <= row < len(self.config.runs):
            return False
        # one SetRun rather than a SetHyper per axis: a single undo takes the click back
        return self.edit(SetRun(row, with_values(self.config.runs[row], values)))

    def _maps_follow_session(self, result) -> None:
        panel = self.hyper_panel
        if panel is not None and 0 <= panel._row < len(result.config.runs):
            panel.set_run(result.config.runs[panel._row])

    def _stop_maps(self) -> None:
        for panel in (self.basin_panel, self.hyper_panel):
            if panel is not None:
                panel.stop()
