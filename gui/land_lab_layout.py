"""The landscape lab's layout: the right column in normal and in presentation mode.

A mixin of :class:`gui.landscape_lab.LandscapeLab`, kept apart so the lab module stays
about what the lab does; it reads the lab's panels (``loss``, ``regression``, ``internals``,
``insights``, ``table``) and splitters (``right``, ``centre``) and owns nothing else.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from engine.session.describe import run_title
from gui.panels.plot_tabs import PlotTabs


class LandLayoutMixin:
    """Normal stacking, presentation tabs and the splitters' shares."""

    def _arrange(self, presentation: bool) -> None:
        """Normal: loss, data and internals stacked on the right, the table under all.

        Presentation (1280x720 or 1024x768 with a lesson banner): three stacked plots and
        the table do not fit at 160x150 each (the internals plot was 46 px high), so the
        plots become tabs (:class:`PlotTabs`) over the run table.
        """
        if presentation and self.table.parent() is not self.right:
            tabs = self._plot_tabs()
            tabs.adopt()
            self.right.insertWidget(0, tabs)
            tabs.show()
            self.right.addWidget(self.table)
            self.right.setStretchFactor(self.right.indexOf(self.table), 1)
            self.table.set_compact(True)
            # Its column header says "Run": the card's title row would cost a table row.
            self.table.title_label.setVisible(False)
            self.loss.set_legend_allowed(False)
        elif not presentation and self.table.parent() is not self.centre:
            self.plot_tabs.hide()
            for k, panel in enumerate(self.plot_tabs.panels):
                hidden = panel.isHidden()
                self.right.insertWidget(k, panel)
                panel.setVisible(not hidden)
            self.centre.addWidget(self.table)
            self.table.set_compact(False)
            self.table.title_label.setVisible(True)
            self.loss.set_legend_allowed(True)
        self._fit_splitters()
        # Again once the window has its final geometry (before it is shown, sizes are 0).
        QTimer.singleShot(0, self._fit_splitters)

    def _plot_tabs(self) -> PlotTabs:
        if getattr(self, "plot_tabs", None) is None:
            plots = [(self.loss, "Loss"), (self.regression, "Data"), (self.internals, "Internals")]
            extra = self.insights.panels  # the equation and the stability plot, in that order
            plots += list(zip(extra, ("Equation", "Stability"), strict=True))
            self.plot_tabs = PlotTabs(plots, forward=(self.internals, *extra))
            self.plot_tabs.panel_shown.connect(self._on_plot_tab)
        return self.plot_tabs

    def _presenting(self) -> bool:
        return self.table.parent() is self.right

    def current_plot_tab(self) -> QWidget | None:
        """The plot in front in the presentation tabs, or None outside presentation."""
        return self.plot_tabs.current_panel() if self._presenting() else None

    def show_plot_tab(self, panel: QWidget) -> None:
        """Bring ``panel`` (loss, regression or internals) to the front in presentation."""
        if self._presenting():
            self.plot_tabs.show_panel(panel)

    def _on_plot_tab(self, panel: QWidget) -> None:
        # A plot in a hidden tab is not drawn (it is not visible): draw it when it shows.
        snap = self._last_snap
        if panel is self.internals:
            self.internals.redraw()
        elif snap is None or snap.n_runs != len(self._styles):
            return
        elif panel is self.regression and self.landscape.stochastic:
            self.regression.set_runs(self._styles, [run_title(r) for r in self.config.runs])
            self.regression.update_snapshot(snap)
        elif panel is self.loss:
            self.loss.update_snapshot(snap)

    def _fit_splitters(self) -> None:
        presentation = self._presenting()
        w = sum(self.top.sizes()) or self.width()
        share = 0.53 if presentation else 0.6
        self.top.setSizes([int(w * share), w - int(w * share)])
        if not presentation:
            self._share_right()
            return
        # The table takes the height of its rows; the tabbed plots above take the rest.
        h = sum(self.right.sizes()) or self.height()
        need = self.table.table.maximumHeight() + int(60 * self._scale.factor)
        # The plots keep their minimum (160x150 and their card); the table gets the rest,
        # at most its rows' height (it scrolls past four rows).
        tabs_min = self.plot_tabs.minimumSizeHint().height()
        table = max(min(need, h - tabs_min), self.table.minimumSizeHint().height())
        self.right.setSizes(
            [
                table
                if self.right.widget(i) is self.table
                else h - table
                if self.right.widget(i) is self.plot_tabs
                else 0
                for i in range(self.right.count())
            ]
        )

    def _share_right(self) -> None:
        """Share the right column among the plots shown in it (normal mode).

        A panel that appears (the regression data, the internals plot) would otherwise get
        only its minimum height: at 1280x720 the internals plot was ten pixels high. In
        presentation a panel that appears gets its tab, and the tab is shown.
        """
        if self._presenting():
            self.plot_tabs.sync()  # a panel switched on or off: its tab follows
            return
        weights = {self.loss: 3.0, self.regression: 2.0, self.internals: 2.5}
        weights.update(self.insights.weights)
        h = sum(self.right.sizes())
        if h <= 0:
            return  # not laid out yet: showEvent comes back here
        shown = {p: wt for p, wt in weights.items() if not p.isHidden()}
        total = sum(shown.values())
        self.right.setSizes(
            [
                int(h * shown[self.right.widget(i)] / total) if self.right.widget(i) in shown else 0
                for i in range(self.right.count())
            ]
        )
