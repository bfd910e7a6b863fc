"""Fraction of unhealthy units per hidden layer: dead ReLUs or saturated tanh/sigmoid units.

The engine's definitions (``engine.nn.stats``): a ReLU-family unit is *dead* if its
pre-activation is <= 0 for every example of the statistics batch; a tanh (sigmoid) entry is
*saturated* if ``|a| > 0.99`` (``a`` outside [0.01, 0.99]). Other activations have no such
notion and the plot says so instead of drawing zeros.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from engine.nn.activations import get_activation
from gui import theme


def health_kind(activation: str) -> str:
    """``"dead"``, ``"saturated"`` or ``""`` for ``activation``."""
    return get_activation(activation).health


BAR_WIDTH = 0.7


def bars_path(heights: np.ndarray, width: float = BAR_WIDTH) -> QPainterPath:
    """Bars of ``heights`` at x = 1, 2, ... (``width`` wide, from 0 up), as one path."""
    path = QPainterPath()
    for k, h in enumerate(heights.tolist()):
        if h > 0:
            path.addRect(k + 1 - width / 2, 0.0, width, h)
    return path


class NetHealthView:
    """Bars of the dead or saturated fraction of each hidden layer.

    The bars are one path item, painted by Qt without calling back into Python (a
    BarGraphItem re-records a picture in Python on every change and paints from Python).
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.showGrid(x=False, y=True, alpha=0.2)
        plot.setYRange(0.0, 1.0, padding=0.02)
        plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "½"), (1.0, "1")], []])
        self.kind = ""
        self.n = 0
        self._heights = np.zeros(0)
        self.bars = QGraphicsPathItem()
        self.bars.setPen(QPen(Qt.PenStyle.NoPen))
        plot.addItem(self.bars, ignoreBounds=True)
        self.na = pg.TextItem("", color=theme.MUTED, anchor=(0.5, 0.5))
        plot.addItem(self.na)

    def set_style(self, style: theme.RunStyle) -> None:
        # No outline: an empty layer shows nothing, not a stub that reads as a dash.
        self.bars.setBrush(pg.mkBrush(QColor(style.colour).darker(105)))

    def set_layers(self, n_hidden: int, activation: str) -> None:
        self.n = n_hidden
        self.kind = health_kind(activation)
        self._heights = np.zeros(n_hidden)
        self.bars.setPath(QPainterPath())
        # Same x slots as the variance plot above it (which also has the output layer),
        # so its layer labels serve both plots and this one needs no axis of its own.
        self.plot.setXRange(0.5, n_hidden + 1.5, padding=0.0)
        self.plot.hideAxis("bottom")
        self.na.setText("" if self.kind else f"n/a for {activation}")
        self.na.setVisible(not self.kind)
        self.na.setPos(0.5 + 0.5 * (n_hidden + 1), 0.5)
        self.bars.setVisible(bool(self.kind))

    @property
    def title(self) -> str:
        return {"dead": "dead units", "saturated": "saturated units"}.get(self.kind, "units")

    @property
    def tooltip(self) -> str:
        if self.kind == "dead":
            return "share of units that output 0 for every example of the statistics batch"
        if self.kind == "saturated":
            return (
                "share of activations on the flat tails (|tanh| > 0.99, sigmoid < 0.01 or > 0.99)"
            )
        return "this activation has no dead or saturated regime"

    def show(self, layers) -> None:
        if not self.kind or self.n == 0:
            return
        h = self._heights
        for k, layer in enumerate(layers[: self.n]):
            v = layer.dead_fraction if self.kind == "dead" else layer.saturated_fraction
            h[k] = v if math.isfinite(v) else 0.0
        self.bars.setPath(bars_path(h))
