"""Learning-rate range test (Smith 2017): loss against an exponentially growing lr.

The network lab's worker runs the sweep on a copy of the selected column's weights
(:func:`engine.nn.range_job.column_range_test`); this panel draws the result: each
mini-batch loss (faint dots), their smoothed average (solid), and a vertical line at the
suggested learning rate, fastai's "valley": well inside the longest descent of the
smoothed loss. "Apply"
asks the lab to set that learning rate on the column (an undoable session edit).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from gui import theme
from gui.panels.card import Card

IDLE = "Press Run test: the lr grows from 1e-6 to 10 over 100 steps on a copy of the column."
LR_LABELS = {-6: "1e-6", -4: "1e-4", -2: "0.01", 0: "1"}
#: A smoothed loss that never falls this fraction below its start has no real descent.
WEAK_DROP = 0.05
RUNNING = "Running the range test on a copy of {label}…"


class LrRangePanel(Card):
    """Log-x plot of a :class:`engine.nn.lr_range.RangeTestResult` with Run and Apply.

    Signals
    -------
    run_requested()
        The user asks for a new test of the selected column.
    apply_requested(float)
        The user applies the suggested learning rate.
    """

    run_requested = Signal()
    apply_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Learning-rate range test", parent)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground(theme.PANEL_BG)
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLogMode(x=True)
        # every other decade labelled: seven labels overlap on a narrow (projector) panel
        self.plot.getAxis("bottom").setTicks(
            [
                [(float(d), LR_LABELS.get(d, "")) for d in range(-6, 2, 2)],
                [(float(d), "") for d in range(-7, 2)],
            ]
        )
        self.plot.setLabel("left", "training loss")
        self.plot.setLabel("bottom", "learning rate")
        self.add_body(self.plot_widget, 1)
        self.raw = pg.PlotDataItem(pen=None, symbol="o", symbolSize=3, symbolPen=None)
        self.smooth = pg.PlotDataItem()
        self.marker = pg.InfiniteLine(angle=90, movable=False)
        self.marker.setVisible(False)
        for item in (self.raw, self.smooth, self.marker):
            self.plot.addItem(item)
        self.verdict = QLabel(IDLE)
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("RangeVerdict")
        self.body_layout.addWidget(self.verdict)
        row = QHBoxLayout()
        self.run_button = QPushButton("Run test")
        self.run_button.setToolTip("Sweep the learning rate on a copy of the selected column")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("Set the suggested learning rate on the column (undoable)")
        for b in (self.run_button, self.apply_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row.addWidget(b)
        row.addStretch(1)
        self.body_layout.addLayout(row)
        self.run_button.clicked.connect(self.run_requested)
        self.apply_button.clicked.connect(self._on_apply)
        self.setMinimumSize(*theme.MIN_PLOT)
        self.result = None
        self.column = -1

    # ------------------------------------------------------------------ drawing
    def clear(self, text: str = IDLE) -> None:
        """No result (the column changed, or a new test started)."""
        self.result = None
        self.raw.setData([], [])
        self.smooth.setData([], [])
        self.marker.setVisible(False)
        self.apply_button.setEnabled(False)
        self.verdict.setText(text)

    def set_running(self, label: str) -> None:
        self.clear(RUNNING.format(label=label))
        self.run_button.setEnabled(False)

    def show_error(self, text: str) -> None:
        self.clear(text)
        self.run_button.setEnabled(True)

    def show_result(self, result, column: int, style: theme.RunStyle, label: str) -> None:
        """Draw ``result`` of column ``column``."""
        self.result, self.column = result, column
        self.run_button.setEnabled(True)
        self.set_title(f"Learning-rate range test · {label}")
        lrs = np.asarray(result.lrs, dtype=np.float64)
        colour = style.colour
        self.raw.setData(lrs, result.losses, symbolBrush=pg.mkBrush(theme.MUTED))
        self.smooth.setData(lrs, result.smoothed, pen=pg.mkPen(colour, width=2.5))
        # The blown-up end can be 100x the rest: frame the smoothed curve instead.
        sm = np.asarray(result.smoothed, dtype=np.float64)
        sm = sm[np.isfinite(sm)]
        if sm.size:
            lo, hi = float(sm.min()), float(max(sm[0], np.median(sm))) * 1.5
            self.plot.setYRange(max(lo - 0.1 * (hi - lo), 0.0), hi, padding=0)
        self.plot.setXRange(math.log10(lrs[0]), math.log10(lrs[-1]), padding=0.02)
        lr = result.suggested_lr
        ok = math.isfinite(lr) and lr > 0
        self.marker.setVisible(ok)
        self.apply_button.setEnabled(ok)
        if ok:
            self.marker.setPen(pg.mkPen(theme.INK, width=2, style=Qt.PenStyle.DashLine))
            self.marker.setValue(math.log10(lr))
        self.verdict.setText(self.explain(result))

    @staticmethod
    def explain(result) -> str:
        """One line: the suggestion and where the sweep stopped."""
        lr = result.suggested_lr
        if not (math.isfinite(lr) and lr > 0):
            return "Too few steps before the loss blew up: no suggestion (try a lower start)."
        end = (
            f"the loss blew up at lr {result.lrs[-1]:.3g}"
            if result.diverged_at is not None
            else f"the sweep ended at lr {result.lrs[-1]:.3g}"
        )
        sm = np.asarray(result.smoothed, dtype=np.float64)
        # Below a WEAK_DROP fall from the start, the steepest point is batch noise.
        weak = sm.size and np.nanmin(sm) > (1 - WEAK_DROP) * sm[0]
        note = (
            " The loss barely falls before it blows up: the suggestion is weak; "
            "try from fresh weights (New weights) or another optimizer."
            if weak
            else ""
        )
        return (
            f"Suggested lr {lr:.3g} (dashed): well inside the longest descent of the "
            "smoothed loss; "
            f"lowest at {result.min_loss_lr:.3g}; {end}.{note}"
        )

    def _on_apply(self) -> None:
        if self.result is not None:
            self.apply_requested.emit(float(self.result.suggested_lr))

    def apply_scale(self, scale: theme.Scale) -> None:
        font = self.verdict.font()
        font.setPointSizeF(scale.font_pt)
        self.verdict.setFont(font)
        theme.style_plot(self.plot, scale)
