"""Muon's orthogonalisation made visible: each hidden layer's update singular values.

Muon (Jordan et al. 2024) replaces a hidden matrix's momentum update by its nearest
semi-orthogonal matrix (five Newton-Schulz iterations), so every direction of the update
gets about the same size. Dashed with hollow markers: the singular values of the momentum
update, largest first; solid: after orthogonalisation (times ``sqrt(max(1, out/in))``).
One colour (and marker) per layer. The worker carries the spectra in every frame
(:attr:`engine.nn.paced.NetFrame.spectra`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from gui import theme
from gui.graphics import use_decade_ticks
from gui.panels.card import Card

TINY = 1e-12  # log axis floor
NOT_MUON = "Not a Muon column: choose optimizer muon to see its update spectra."
WAITING = "Muon column: press Space (or Step) to train; spectra appear after one update."
EXPLAIN = (
    "Dashed: singular values of the momentum update (they span {span:.2g} decades); "
    "solid: after Newton–Schulz, {lifted} of {total} are near 1 ({lo:.2g}–{hi:.2g}): "
    "those directions move alike."
)
#: Five iterations multiply a small singular value by at most 3.4445^5 (about 480), so
#: directions much weaker than the largest stay small: say so when some do.
WEAK = (
    " The rest were below about 1/500 of the largest: five iterations lift a small "
    "value by at most 3.4445⁵ ≈ 480×, so they stay small."
)
#: An orthogonalised singular value at least this is counted as "near 1".
NEAR_ONE = 0.5


class MuonSpectraPanel(Card):
    """Log plot of before/after singular values of each hidden layer's last update."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Muon update spectra", parent)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground(theme.PANEL_BG)
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLogMode(y=True)
        use_decade_ticks(self.plot.getAxis("left"))
        self.plot.setLabel("left", "singular value")
        self.plot.setLabel("bottom", "index (largest first)")
        self.legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="8pt")
        self.add_body(self.plot_widget, 1)
        self.verdict = QLabel(NOT_MUON)
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("SpectraVerdict")
        self.body_layout.addWidget(self.verdict)
        self.items: list[pg.PlotDataItem] = []
        self.setMinimumSize(*theme.MIN_PLOT)
        self._key = None

    def show_spectra(self, spectra, label: str, muon: bool) -> None:
        """Draw ``spectra`` (tuple of :class:`engine.nn.range_job.LayerSpectrum`)."""
        key = (id(spectra), label, muon)
        if key == self._key:
            return
        self._key = key
        self.set_title(f"Muon update spectra · {label}")
        for item in self.items:
            self.plot.removeItem(item)
        self.items = []
        self.legend.clear()
        if not spectra:
            self.verdict.setText(WAITING if muon else NOT_MUON)
            return
        for k, s in enumerate(spectra):
            style = theme.run_style(k)
            x = np.arange(1, len(s.before) + 1, dtype=np.float64)
            before = np.maximum(s.before, TINY)
            after = np.maximum(s.after, TINY)
            dashed = pg.PlotDataItem(
                x,
                before,
                pen=pg.mkPen(style.colour, width=1.5, style=Qt.PenStyle.DashLine),
                symbol=style.symbol,
                symbolSize=6,
                symbolPen=pg.mkPen(style.colour, width=1.5),
                symbolBrush=None,
            )
            solid = pg.PlotDataItem(
                x,
                after,
                pen=pg.mkPen(style.colour, width=2.5),
                symbol=style.symbol,
                symbolSize=6,
                symbolPen=None,
                symbolBrush=pg.mkBrush(style.colour),
                name=s.name,
            )
            for item in (dashed, solid):
                self.plot.addItem(item)
                self.items.append(item)
        self.verdict.setText(self.explain(spectra))

    @staticmethod
    def explain(spectra) -> str:
        """One line: how many decades the update spans before, and where it sits after."""
        before = np.concatenate([s.before for s in spectra])
        after = np.concatenate([s.after for s in spectra])
        pos = before[before > 0]
        span = float(np.log10(pos.max() / pos.min())) if pos.size else 0.0
        near = after[after >= NEAR_ONE]
        lo, hi = (float(near.min()), float(near.max())) if near.size else (0.0, 0.0)
        text = EXPLAIN.format(span=span, lifted=near.size, total=after.size, lo=lo, hi=hi)
        return text + (WEAK if near.size < after.size else "")

    def apply_scale(self, scale: theme.Scale) -> None:
        font = self.verdict.font()
        font.setPointSizeF(scale.font_pt)
        self.verdict.setFont(font)
        theme.style_plot(self.plot, scale)
