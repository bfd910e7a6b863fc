"""The averaging lesson's panel: a noisy series with its averages, and momentum as one.

Top: the seeded noisy series (dots) and its exponentially weighted average for each beta
(editable), each labelled with its window 1/(1−β); a switch turns bias correction on and
off, so the start-up pull towards 0 appears and goes. Bottom: the landscape race's momentum
run, replayed by the engine: its velocity (lines) and the average of its gradients times
1/(1−μ) (dots) on top of each other. Every number comes from :mod:`engine.averaging`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from engine import limits
from engine.averaging import AveragingConfig, AveragingView, averaging_view
from engine.validate import parse_number
from gui import theme
from gui.panels.card import Card

SERIES_COLOUR = "#8c959f"
AXES = ("x", "y")


def _beta_text(b: float) -> str:
    return f"{b:g}"


class AveragingPanel(Card):
    """Series, averages, bias-correction switch, and a momentum run's velocity as an average.

    Signals
    -------
    config_changed(object)
        The new :class:`AveragingConfig` after an accepted edit.
    """

    config_changed = Signal(object)

    def __init__(self, config: AveragingConfig | None = None, parent: QWidget | None = None):
        super().__init__("Exponentially weighted averages", parent)
        self._config = config or AveragingConfig()
        self._race = None
        self.view: AveragingView | None = None
        self.error = ""

        row = QHBoxLayout()
        row.addWidget(QLabel("β"))
        self.beta_fields: list[QLineEdit] = []
        for i in range(3):
            f = QLineEdit()
            f.setObjectName(f"AveragingBeta{i}")
            f.setToolTip(f"β of average {i + 1}, in [0, {limits.MAX_AVERAGING_BETA:g}]")
            f.setMaximumWidth(70)
            f.editingFinished.connect(self._on_betas_edited)
            self.beta_fields.append(f)
            row.addWidget(f)
        self.bias = QCheckBox("bias correction ÷(1−βᵗ)")
        self.bias.setToolTip("Divide each average by 1 − β^t: removes the start-up pull to 0")
        self.bias.toggled.connect(self._on_bias_toggled)
        row.addWidget(self.bias)
        row.addStretch(1)
        self.body_layout.addLayout(row)

        self._series_widget, self.series_plot = self._plot("day", "value")
        self.add_body(self._series_widget, 3)
        self._velocity_widget, self.velocity_plot = self._plot("step", "velocity")
        self.add_body(self._velocity_widget, 2)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setObjectName("AveragingNote")
        self.body_layout.addWidget(self.note)
        self.add_footer()
        self.setMinimumSize(*theme.MIN_PLOT)
        self.set_config(self._config)

    @staticmethod
    def _plot(bottom: str, left: str) -> tuple[pg.PlotWidget, pg.PlotItem]:
        w = pg.PlotWidget()
        w.setBackground(theme.PANEL_BG)
        w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        plot = w.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setLabel("bottom", bottom)
        plot.setLabel("left", left)
        if bottom == "day":
            legend = plot.addLegend(offset=(8, 8))
            # the series fills the plot: the legend must stay readable over it
            legend.setBrush(pg.mkBrush(255, 255, 255, 215))
        return w, plot

    # ------------------------------------------------------------------ model
    @property
    def config(self) -> AveragingConfig:
        return self._config

    def set_config(self, config: AveragingConfig) -> None:
        """Show ``config`` (fields follow it without echoing an edit)."""
        self._config = config
        for i, f in enumerate(self.beta_fields):
            with QSignalBlocker(f):
                f.setText(_beta_text(config.betas[i]) if i < len(config.betas) else "")
        with QSignalBlocker(self.bias):
            self.bias.setChecked(config.bias_correction)
        self._recompute()

    def set_race(self, race) -> None:
        """The landscape race whose momentum run the lower plot replays (None: no plot)."""
        self._race = race
        self._recompute()

    def _edit(self, **changes) -> None:
        try:
            config = self._config.replace(**changes)
        except ValueError as exc:
            self._refuse(str(exc))
            return
        self.set_config(config)
        self.config_changed.emit(config)

    def _refuse(self, message: str) -> None:
        self.set_config(self._config)  # fields back to the values in force
        self.error = message
        self.footer.setText(message)
        self.footer.setStyleSheet(f"color: {theme.ERROR}")

    def _on_betas_edited(self) -> None:
        betas = []
        for i, f in enumerate(self.beta_fields):
            text = f.text().strip()
            if not text:
                continue
            try:
                betas.append(parse_number(text, field=f"β {i + 1}"))
            except ValueError as exc:
                self._refuse(str(exc))
                return
        if tuple(betas) != self._config.betas:
            self._edit(betas=tuple(betas))

    def _on_bias_toggled(self, on: bool) -> None:
        self._edit(bias_correction=bool(on))

    # ------------------------------------------------------------------ drawing
    def _recompute(self) -> None:
        self.view = averaging_view(self._config, self._race)
        self.error = ""
        self.footer.setStyleSheet("")
        self.footer.setText(
            "dots: the data; lines: v ← βv + (1−β)x, averaging about the last 1/(1−β) values"
        )
        self._draw()

    def _draw(self) -> None:
        v = self.view
        plot = self.series_plot
        plot.clear()
        plot.legend.clear()
        days = np.arange(1, v.series.size + 1)
        dots = pg.ScatterPlotItem(
            days, v.series, size=4, pen=None, brush=pg.mkBrush(SERIES_COLOUR), name="data"
        )
        plot.addItem(dots)
        for k, (beta, w) in enumerate(zip(v.config.betas, v.windows, strict=True)):
            style = theme.run_style(k)
            item = pg.PlotDataItem(
                days, v.averages[k], pen=style.pen(2.5), name=f"β = {beta:g} (≈{w:.3g} values)"
            )
            plot.addItem(item)
        self._draw_velocity()
        self._explain()

    def _draw_velocity(self) -> None:
        plot = self.velocity_plot
        plot.clear()
        tr = self.view.trace
        self._velocity_widget.setVisible(tr is not None)
        if tr is None:
            return
        steps = np.arange(1, tr.velocity.shape[0] + 1)
        for a in range(len(AXES)):
            style = theme.run_style(4 + a)
            plot.addItem(pg.PlotDataItem(steps, tr.velocity[:, a], pen=style.pen(2.5)))
            plot.addItem(
                pg.ScatterPlotItem(
                    steps,
                    tr.scale * tr.average[:, a],
                    size=7,
                    symbol=style.symbol,
                    pen=style.symbol_pen(),
                    brush=pg.mkBrush(style.colour),
                )
            )
        # colour names the coordinate; the legend would cover the curves
        x_name, y_name = (theme.COLOUR_NAMES[(4 + a) % len(theme.COLOUR_NAMES)] for a in (0, 1))
        plot.setTitle(
            f"momentum μ={tr.momentum:g}: velocity b (lines) = {tr.scale:.4g} × EWA of g (dots);"
            f" {x_name} x, {y_name} y"
        )

    def _explain(self) -> None:
        v = self.view
        cfg = v.config
        if cfg.bias_correction:
            text = "Bias-corrected: every average starts at the data"
        else:
            shares = ", ".join(f"{100 * (1 - b):.3g}%" for b in cfg.betas)
            text = f"Uncorrected: day 1 holds {shares} of the value (1−β)"
        tr = v.trace
        if tr is not None:
            text += f"; |b − EWA/(1−μ)| ≤ {tr.max_gap:.0e}"
        self.note.setText(text)

    def apply_scale(self, scale: theme.Scale) -> None:
        for w in (self.note, self.bias, *self.beta_fields):
            font = w.font()
            font.setPointSizeF(scale.font_pt)
            w.setFont(font)
        for plot in (self.series_plot, self.velocity_plot):
            theme.style_plot(plot, scale)
