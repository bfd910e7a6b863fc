"""Step size and effective learning rate of every run over time (one at a time).

The engine's history holds positions and losses, not optimizer internals, so this panel
records its own series from the snapshots it is shown: bounded buffers that, when full, keep
every other sample and carry on at half the rate (the same thinning as the trajectories).

* step size: the length of the last update, ``|Δθ|``;
* effective learning rate: the per-coordinate step size the optimizer applied
  (``lr`` for SGD, ``lr / (sqrt(v̂) + eps)`` for Adam...), averaged over the two
  coordinates, as the engine reports it.

Both are log scale; a toggle in the title row picks which one the plot shows, so the plot
keeps a readable height next to the loss curves.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QToolButton, QWidget

from engine.display import nice_ceil, sticky_range
from engine.series import SERIES_CAPACITY, SeriesBuffer, finite_spans
from gui import theme
from gui.graphics import fit_left_label, speed_up_plot, use_decade_ticks
from gui.panels.card import Card
from gui.stroke_layer import GrowingStroke, GrowingStrokeLayer, cosmetic, offsets_for

# Each series' axis label, longest first (a short plot shows the longest that fits whole,
# gui.graphics.fit_left_label), and the name on its toggle.
SERIES = (
    (("|Δθ| (log scale)", "|Δθ| (log)", "|Δθ|"), "step size"),
    (
        ("effective lr (log scale)", "effective lr (log)", "eff. lr (log)", "eff. lr"),
        "effective lr",
    ),
)
# One line under the plot (the right column is short at 1280x720); the rest as its tooltip.
ARROW_LEGEND = "Arrows · dark: −∇f · dashed: −momentum · run colour: the update Δθ"
ARROW_DETAILS = (
    "Arrows at each head. Dark: −∇f, the steepest descent direction. Dashed: −momentum "
    "(the velocity, or Adam's first moment m). Run colour: the update Δθ the optimizer "
    "applied. Directions are exact; lengths are compressed so that short vectors stay visible."
)


class InternalsPanel(Card):
    """One log plot of a per-run optimizer quantity against the step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Optimizer internals", parent)
        self._scale = theme.NORMAL
        self.series = 0
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for k, (_, short) in enumerate(SERIES):
            b = QToolButton()
            b.setText(short)
            b.setCheckable(True)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setChecked(k == 0)
            self.group.addButton(b, k)
            self.head_layout.addWidget(b)
        self.group.idClicked.connect(self.show_series)

        self._compact = False
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumSize(*theme.MIN_PLOT)
        self.plot_widget.setBackground(theme.PANEL_BG)
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        speed_up_plot(self.plot)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        # All runs' curves in one item that draws only what each update adds (see
        # gui.stroke_layer); the ranges are sticky, so the curves are rarely drawn whole.
        self.layer = GrowingStrokeLayer()
        self.layer.setZValue(10)
        self.plot.addItem(self.layer)
        self.plot.getAxis("left").setLogMode(True)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        use_decade_ticks(self.plot.getAxis("left"))
        self.plot.setLabel("bottom", "step")
        self.plot.disableAutoRange()
        self.add_body(self.plot_widget)
        self.plot.getViewBox().sigResized.connect(self._fit_y_label)
        self.add_footer()
        self.footer.setWordWrap(True)
        self.footer.setText(ARROW_LEGEND)
        self.footer.setToolTip(ARROW_DETAILS)
        self._pens: list[tuple] = []
        self._styles: list[theme.RunStyle] = []
        self.buffer = SeriesBuffer(0)
        self._y = np.zeros((0, SERIES_CAPACITY))
        self._range = None
        self.show_series(0)
        self.apply_scale(theme.NORMAL)

    def show_series(self, k: int) -> None:
        self.series = int(k)
        self.group.button(self.series).setChecked(True)
        self.plot.setLabel("left", SERIES[self.series][0][0])
        self._fit_y_label()
        self._range = None
        self.layer.restart()
        self.redraw()

    def y_label(self) -> str:
        """The axis label as shown."""
        return self.plot.getAxis("left").labelText

    def _fit_y_label(self, *_args) -> None:
        fit_left_label(self.plot, SERIES[self.series][0], self.plot_widget.height() - 40)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_footer()
        self._fit_y_label()

    def _fit_footer(self) -> None:
        """The arrow legend under the plot only where the card has room for both: in a
        short column the card is squeezed below its minimum, and the legend's two lines would
        be drawn over the plot's axis. Without room the legend is the card's tooltip."""
        if self._compact:
            return
        lay = self.body_layout
        m = lay.contentsMargins()
        width = max(1, self.width() - m.left() - m.right())
        # A word-wrapped label's size hint is for a narrow width: ask for the real one.
        wrap = self.footer.wordWrap()
        need = self.footer.heightForWidth(width) if wrap else self.footer.sizeHint().height()
        used = m.top() + m.bottom() + self.head_layout.sizeHint().height() + 2 * lay.spacing()
        room = self.height() - used - self.plot_widget.minimumHeight()
        show = need <= room
        if show != self.footer.isVisibleTo(self):
            self.footer.setVisible(show)
            self.setToolTip("" if show else f"{ARROW_LEGEND}\n{ARROW_DETAILS}")

    def set_runs(self, styles: list[theme.RunStyle]) -> None:
        self._styles = list(styles)
        self.clear()
        self._style()

    def clear(self) -> None:
        n = len(self._styles)
        self.buffer = SeriesBuffer(n)
        self._y = np.zeros((n, SERIES_CAPACITY))
        self._range = None
        self.layer.restart()

    def _style(self) -> None:
        t = self._scale.thickness
        self._pens = [
            (cosmetic(st.pen(width=1.0, dash_scale=t)), offsets_for(t)) for st in self._styles
        ]
        self.layer.restart()
        self.redraw()

    def curves(self) -> list[GrowingStroke]:
        """What the plot shows: one polyline per run and stretch of finite values."""
        return list(self.layer.strokes)

    def record(self, snap) -> None:
        """Add one sample from a snapshot (cheap; call for every snapshot)."""
        if snap.n_runs != len(self._styles) or snap.step == 0:
            return
        upd = np.asarray(snap.updates)
        step = np.hypot(upd[:, 0], upd[:, 1])
        eff = np.asarray(snap.effective_lr)
        with np.errstate(all="ignore"):
            lr = np.where(np.all(np.isfinite(eff), axis=1), eff.mean(axis=1), snap.lrs)
        # A frozen (converged or diverged) run has nothing to show.
        frozen = np.array([s != "running" for s in snap.status])
        step = np.where(frozen, np.nan, step)
        lr = np.where(frozen, np.nan, lr)
        self.buffer.add(snap.step, np.stack([step, lr]))

    def redraw(self) -> None:
        buf = self.buffer
        m = buf.count
        if m == 0 or not self._pens:
            self.layer.set_content()
            return
        x = buf.steps[:m]
        y = self._y[:, :m]
        with np.errstate(all="ignore"):
            # Exact zeros cannot sit on a log axis; they show at 1e-30.
            np.log10(np.maximum(buf.values[self.series, :, :m], 1e-30), out=y)
        strokes = []
        for i, (pen, offsets) in enumerate(self._pens):
            # A gap wherever a run was frozen (its values are NaN there). Each stretch is
            # its own line, named by the step it starts at.
            for a, b in finite_spans(y[i]):
                xs = x[a:b]
                strokes.append(GrowingStroke((i, float(xs[0])), xs, y[i, a:b], xs, pen, offsets))
        # Sticky ranges: the axes and grid are re-laid (and the curves drawn whole) a few
        # times, not whenever the values cross a half decade.
        fin = y[np.isfinite(y)]
        if fin.size:
            xr = (0.0, nice_ceil(max(float(x[-1]), 10.0)))
            yr = sticky_range(
                self._range[1] if self._range else None, float(fin.min()), float(fin.max()), True
            )
            if self._range != (xr, yr):
                self._range = (xr, yr)
                self.plot.setRange(xRange=xr, yRange=yr, padding=0.02)
        self.layer.set_content(strokes)

    def set_compact(self, on: bool) -> None:
        """Presentation: the arrow legend moves to the tooltip so the plot keeps its height
        (at 1280x720 its two lines left the plot under 150 px)."""
        self._compact = bool(on)
        self.footer.setVisible(not on)
        self.setToolTip(f"{ARROW_LEGEND}\n{ARROW_DETAILS}" if on else "")
        if not on:
            self._fit_footer()

    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        theme.style_plot(self.plot, scale)
        self._fit_y_label()
        self._style()
