"""Sharpness over training: the selected column's top Hessian eigenvalue against its limit.

Cohen et al. (2021), "edge of stability": with full-batch gradient descent the sharpness
climbs until it meets 2/lr and then hovers there. Solid: the measured sharpness; dashed:
the limit, the same thresholds as the landscape lab (2/lr for SGD, (2+2μ)/lr with heavy-ball
momentum, the Nesterov form; for adaptive optimizers 2/lr, since their preconditioned limit
is not computed here); a ring marks the first step it reached the limit. The worker
measures every N steps (:class:`engine.nn.paced.NetEngine`); this panel only draws the
track in the frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from engine.nn.sharpness_track import RULE_TEXT
from gui import theme
from gui.graphics import log_step_plot
from gui.panels.card import Card

TINY = 1e-12  # log axis floor
WAITING = "Measuring every {every} steps: press Space (or Step) to train."


class SharpnessPanel(Card):
    """Log plot of one column's sharpness track and its limit 2/lr."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sharpness (solid) vs its limit (dashed)", parent)
        self.plot_widget = log_step_plot("λmax")
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self.add_body(self.plot_widget, 1)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("SharpnessVerdict")
        self.body_layout.addWidget(self.verdict)
        self.solid = pg.PlotDataItem(symbol="o", symbolSize=5)
        self.dashed = pg.PlotDataItem()
        self.ring = pg.ScatterPlotItem(size=16, pxMode=True)
        for item in (self.solid, self.dashed, self.ring):
            self.plot.addItem(item)
        self.ring.setZValue(20)
        self.setMinimumSize(*theme.MIN_PLOT)
        self.every = 0
        self._key = None

    def show_track(self, track, style: theme.RunStyle, label: str, every: int) -> None:
        """Draw ``track`` (an :class:`engine.nn.sharpness_track.SharpnessTrack`) or wait."""
        self.every = every
        key = (id(track), style.index, label)
        limit = RULE_TEXT.get(getattr(track, "rule", "gd"), "2/lr") if track else "2/lr"
        if key == self._key:
            return
        self._key = key
        self.set_title(f"Sharpness vs {limit} · {label}")
        if track is None or len(track) == 0:
            for item in (self.solid, self.dashed, self.ring):
                item.setData([], [])
            self.verdict.setText(WAITING.format(every=every))
            return
        steps, values, limits = track.arrays()
        with np.errstate(invalid="ignore"):
            values = np.maximum(values, TINY)
        colour = style.colour
        self.solid.setData(
            steps,
            values,
            pen=pg.mkPen(colour, width=2.5),
            symbolBrush=pg.mkBrush(colour),
            symbolPen=None,
            connect="finite",
        )
        self.dashed.setData(
            steps, limits, pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine)
        )
        k = track.first_crossing()
        if k is None:
            self.ring.setData([])
        else:
            j = track.steps.index(k)
            self.ring.setData(
                [
                    {
                        "pos": (k, np.log10(values[j])),
                        "pen": pg.mkPen(theme.INK, width=2),
                        "brush": pg.mkBrush(colour),
                    }
                ]
            )
        self.verdict.setText(self.explain(track))

    @staticmethod
    def explain(track) -> str:
        """One line: where the sharpness stands against the column's limit."""
        v, lim, step = track.values[-1], track.limits[-1], track.steps[-1]
        rule = getattr(track, "rule", "gd")
        name = RULE_TEXT.get(rule, "2/lr")
        k = track.first_crossing()
        if not np.isfinite(v):
            return f"step {step:,}: sharpness not measurable (parameters not finite)"
        head = f"step {step:,}: λmax {v:.3g}, {name} {lim:.3g}"
        if rule == "adaptive":
            # Cohen et al. 2022: Adam's limit is on the preconditioned sharpness.
            note = (
                "; 2/lr is plain gradient descent's limit: this optimizer rescales each "
                "direction, and its preconditioned limit is not computed in the network lab"
            )
        else:
            note = ""
        if k is None:
            return f"{head}: below the limit, stable along every direction{note}"
        return (
            f"{head}: reached {name} at step {k:,}, the edge of stability: along the sharpest "
            f"direction each step overshoots, so the loss wobbles or climbs{note}"
        )

    def apply_scale(self, scale: theme.Scale) -> None:
        font = self.verdict.font()
        font.setPointSizeF(scale.font_pt)
        self.verdict.setFont(font)
        theme.style_plot(self.plot, scale)
