"""Loss against step for every run, in the run's colour, line style and marker.

What is plotted is chosen per landscape to stay honest on a log axis:

* minimum value known and 0: the loss itself, log scale;
* minimum value known and not 0 (Goldstein-Price's 3, a regression's residual error, a
  negative minimum): the gap ``f - f*`` to it, log scale, with ``f*`` in the label;
* no known minimum (a saddle unbounded below): the loss, linear scale.

The log is taken here into pre-allocated buffers and the axis only labels powers of ten,
so nothing on the hot path warns about ``log10(0)`` and no array grows per frame.

Smoothing (:meth:`LossPanel.set_smoothing`, the slider in the title row) draws TensorBoard's
debiased EMA (:mod:`engine.smoothing`) in the run's style with the raw curve faint behind
it. It averages the values as the axis shows them (``log10`` on a log axis, a geometric
mean): an average of the raw loss of a run falling thirty decades would be pinned by its
first values (1e3 at weight 0.9 still weighs 1e3 * 0.9**300 = 2e-11 after 300 points) and
show a floor the run went far below. The average is taken incrementally as points arrive,
so it covers every point taken, also those a full buffer later thins out.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsItem, QWidget

from engine.display import format_value, nice_ceil, sticky_range
from engine.landscapes import Landscape
from engine.smoothing import EmaSmoother
from gui import theme
from gui.graphics import fit_left_label, speed_up_plot, use_decade_ticks
from gui.panels.card import Card
from gui.panels.smoothing_control import SmoothingControl
from gui.stroke_layer import (
    GrowingStroke,
    GrowingStrokeLayer,
    Marker,
    StrokeLayer,
    cosmetic,
    offsets_for,
    symbol_path,
)

CAPACITY = 4096  # points per run buffer; thinned to half when full
# The loss axis's label, then shorter ones for a plot too short for it: pyqtgraph clips a
# rotated label at the plot's height ("ss f (log" on a 1280x720 projector).
Y_LABELS = {
    "loss f (linear)": ("loss f (linear)", "loss f", "f"),
    "loss f (log scale)": ("loss f (log scale)", "loss f (log)", "f (log)", "f"),
    "f − f* (log scale)": ("f − f* (log scale)", "f − f* (log)", "f − f*"),
}


class LossPanel(Card):
    """Loss curves of all runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Loss", parent)
        self._scale = theme.NORMAL
        self.mode = "log"
        self.f_star = 0.0
        self._floor = 1e-300
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumSize(*theme.MIN_PLOT)
        self.plot_widget.setBackground(theme.PANEL_BG)
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        speed_up_plot(self.plot_item)
        use_decade_ticks(self.plot_item.getAxis("left"))
        self.plot_item.showGrid(x=True, y=True, alpha=0.25)
        self.plot_item.setLabel("bottom", "step")
        # Every run's curve in one item that draws only the new segments of each update
        # (the axes' ranges are sticky, so the curves rarely need drawing whole), and the
        # end markers in another whose bounds are tight: an update repaints a few small
        # rectangles of the plot (see gui.stroke_layer).
        self.layer = GrowingStrokeLayer()
        self.layer.setZValue(10)
        self.plot_item.addItem(self.layer)
        self.ends = StrokeLayer(tight=True)
        self.ends.setZValue(11)
        self.plot_item.addItem(self.ends)
        self.legend = self.plot_item.addLegend(
            offset=(-8, 8),
            labelTextColor=theme.INK,
            brush=pg.mkBrush(255, 255, 255, 220),
            pen=pg.mkPen(theme.GRID),
        )
        self.add_body(self.plot_widget)
        self.plot_item.disableAutoRange()
        self._follow = True
        self._range = None
        self._y_labels: tuple[str, ...] = Y_LABELS["loss f (log scale)"]
        self.plot_item.getViewBox().sigRangeChangedManually.connect(self._on_manual_range)
        self.plot_item.getViewBox().sigResized.connect(self._fit_y_label)
        self._legend_allowed = True
        self._updates = 0
        self._legend_corner = (1, 0)
        self._counts: list[int] = []
        self._last: list[float] = []  # per run: the last step taken into its buffer
        self._extent = np.empty((0, 2))  # per run: lowest and highest y taken so far
        self._generation = None
        self._styles: list[theme.RunStyle] = []
        self._labels: list[str] = []
        self._pens: list[tuple] = []  # per run: (pen, offsets, marker path, marker pen, brush)
        self._x = np.empty((0, CAPACITY))
        self._y = np.empty((0, CAPACITY))
        self._s = np.empty((0, CAPACITY))  # smoothed y, same points
        self._smoothing = 0.0
        self._smoothers: list[EmaSmoother] = []
        self._raw_pens: list[QPen] = []
        self.smoothing_control = SmoothingControl()
        self.smoothing_control.weight_changed.connect(self.set_smoothing)
        self.add_head_control(self.smoothing_control)
        self.apply_scale(theme.NORMAL)

    def set_landscape(self, landscape: Landscape) -> None:
        f_star = landscape.f_min
        if not math.isfinite(f_star):
            self.mode, self.f_star = "linear", 0.0
            label = "loss f (linear)"
        elif f_star == 0.0:
            self.mode, self.f_star = "log", 0.0
            # Exact zeros cannot sit on a log axis; show them at 1e-30.
            self._floor = 1e-30
            label = "loss f (log scale)"
        else:
            self.mode, self.f_star = "gap", float(f_star)
            # Below a few ulps of f* the gap is rounding noise, not progress.
            self._floor = 4.0 * np.finfo(float).eps * abs(f_star)
            label = "f − f* (log scale)"
        self.plot_item.getAxis("left").setLogMode(self.mode != "linear")
        self._clear()
        self.follow()
        self._y_labels = Y_LABELS[label]
        self._fit_y_label()
        if self.mode == "gap":
            self.set_title(f"Loss · gap to the minimum f* = {format_value(f_star)}")
        else:
            self.set_title("Loss")

    def set_runs(self, styles: list[theme.RunStyle], labels: list[str]) -> None:
        """Allocate one buffer per run (only when the runs change)."""
        n = len(styles)
        self._x = np.zeros((n, CAPACITY))
        self._y = np.zeros((n, CAPACITY))
        self._s = np.zeros((n, CAPACITY))
        self._styles = list(styles)
        self._clear()
        self._labels = list(labels)
        self.layer.set_content()
        self.ends.set_content()
        self._style_curves()

    def _clear(self) -> None:
        """Empty every run's buffer: the next snapshot is taken whole."""
        n = len(self._x)
        self._counts = [0] * n
        self._last = [-math.inf] * n
        self._extent = np.tile([math.inf, -math.inf], (n, 1))
        self._generation = None
        self._smoothers = [EmaSmoother(self._smoothing) for _ in range(n)]
        self.layer.restart()

    @property
    def n_curves(self) -> int:
        return len(self._styles)

    def curve_data(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run ``i``'s plotted points (step, y as on the axis: log10 on a log axis)."""
        m = self._counts[i]
        return self._x[i, :m].copy(), self._y[i, :m].copy()

    def smoothed_data(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run ``i``'s smoothed curve as drawn (step, y on the axis); equal to
        :func:`curve_data` when smoothing is 0."""
        m = self._counts[i]
        return self._x[i, :m].copy(), self._s[i, :m].copy()

    @property
    def smoothing(self) -> float:
        return self._smoothing

    def set_smoothing(self, weight: float) -> None:
        """Draw curves smoothed with EMA weight ``weight`` (0: raw), the raw ones faint.

        Re-smooths the points kept in the buffers (the same as smoothing the whole history
        until a buffer first fills and is thinned).

        Raises
        ------
        ValueError
            ``weight`` outside [0, engine.smoothing.MAX_WEIGHT].
        """
        smoothers = [EmaSmoother(weight) for _ in range(len(self._x))]  # validates
        self._smoothing = smoothers[0].weight if smoothers else EmaSmoother(weight).weight
        for i, sm in enumerate(smoothers):
            m = self._counts[i] if i < len(self._counts) else 0
            self._s[i, :m] = sm.extend(self._y[i, :m])
        self._smoothers = smoothers
        if abs(self.smoothing_control.weight - self._smoothing) > 5e-3:
            self.smoothing_control.set_weight(min(self._smoothing, 0.99))
        self.layer.restart()
        self._draw()

    def set_labels(self, labels: list[str]) -> None:
        if list(labels) != self._labels:
            self._labels = list(labels)
            self._rebuild_legend()

    def _style_curves(self) -> None:
        s = self._scale
        self._pens = [
            (
                cosmetic(st.pen(width=1.0, dash_scale=s.thickness)),
                offsets_for(s.thickness),
                symbol_path(st.symbol, s.marker),
                cosmetic(st.symbol_pen(1.2)),
                pg.mkBrush(st.qcolor()),
            )
            for st in self._styles
        ]
        # The raw curve behind a smoothed one: one pixel, solid, a pale tint (opaque, so
        # where it crosses itself it does not darken).
        self._raw_pens = []
        for st in self._styles:
            pen = cosmetic(st.pen(width=1.0, dashed=False))
            pen.setColor(st.tint(0.7))
            self._raw_pens.append(pen)
        self._rebuild_legend()
        self.layer.restart()
        self._draw()

    def _rebuild_legend(self) -> None:
        # Legend samples show line style and marker together, as the runs are drawn.
        s = self._scale
        self.legend.clear()
        for st, label in zip(self._styles, self._labels, strict=True):
            sample = pg.PlotDataItem(
                [],
                [],
                pen=st.pen(width=s.thickness),
                symbol=st.symbol,
                symbolBrush=st.qcolor(),
                symbolPen=st.symbol_pen(1.0),
                symbolSize=s.marker * 0.8,
            )
            self.legend.addItem(sample, label)
        # The curves under the legend change every frame; its samples and labels do not.
        for sample, text in self.legend.items:
            for item in (sample, text, text.item):
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._fit_legend()

    def update_snapshot(self, snap) -> None:
        """Take the points each run added since the last snapshot (a new race: all of
        them) and draw them."""
        if len(self._styles) != snap.n_runs:
            return
        if snap.generation != self._generation:
            self._clear()
            self._generation = snap.generation
        for i in range(snap.n_runs):
            hist = snap.histories[i]
            steps = hist.steps
            if not len(steps):
                continue
            # The engine thins old history, never the points after the last one taken.
            first = int(steps.searchsorted(self._last[i], side="right"))
            if first < len(steps):
                self._append(i, steps[first:], self._plotted(hist.loss[first:]))
        self._follow_data(snap.status)
        self._draw()

    def _plotted(self, loss: np.ndarray) -> np.ndarray:
        """Loss values as the axis shows them (log10 of the loss or of the gap), shape (k,)."""
        if self.mode == "linear":
            # fmin/fmax skip NaN: NaN and +-inf end at the clamp.
            return np.fmax(np.fmin(loss, 1e300), -1e300)
        y = np.fmin(loss - self.f_star, 1e300)
        np.fmax(y, self._floor, out=y)
        return np.log10(y, out=y)

    def _append(self, i: int, x: np.ndarray, y: np.ndarray) -> None:
        m = self._counts[i]
        total = m + len(x)
        if total > CAPACITY:
            # Keep an even spread of about half the capacity, the newest point included.
            xs = np.concatenate((self._x[i, :m], x))
            ys = np.concatenate((self._y[i, :m], y))
            ss = np.concatenate((self._s[i, :m], self._smoothers[i].extend(y)))
            keep = np.unique(np.linspace(0, total - 1, CAPACITY // 2).astype(int))
            m = len(keep)
            self._x[i, :m] = xs[keep]
            self._y[i, :m] = ys[keep]
            self._s[i, :m] = ss[keep]
        else:
            self._x[i, m:total] = x
            self._y[i, m:total] = y
            self._s[i, m:total] = self._smoothers[i].extend(y)
            m = total
        self._counts[i] = m
        self._last[i] = float(x[-1])
        lo, hi = self._extent[i]
        self._extent[i] = (min(lo, float(y.min())), max(hi, float(y.max())))

    def _draw(self) -> None:
        """Hand the layers each run's curve (stamped by step) and end marker."""
        if len(self._pens) != len(self._counts):
            return
        strokes, ends = [], []
        smooth = self._smoothing > 0.0
        if smooth:
            # Every raw curve under every smoothed one.
            for i, pen in enumerate(self._raw_pens):
                m = self._counts[i]
                if m:
                    x = self._x[i, :m]
                    strokes.append(GrowingStroke(("raw", i), x, self._y[i, :m], x, pen))
        for i, (pen, offsets, path, mpen, brush) in enumerate(self._pens):
            m = self._counts[i]
            if not m:
                continue
            x, y = self._x[i, :m], (self._s if smooth else self._y)[i, :m]
            strokes.append(GrowingStroke(i, x, y, x, pen, offsets))
            # The marker stays on the last raw value: the loss the run has now.
            ends.append(Marker(float(x[-1]), float(self._y[i, m - 1]), path, mpen, brush))
        self.layer.set_content(strokes)
        self.ends.set_content((), ends)

    def _follow_data(self, status) -> None:
        if not self._follow or not any(self._counts):
            return
        xmax = max(self._last)
        # A diverged run's loss (1e56...) would squash every other curve flat: it may
        # leave the plot at the top; the table says what happened.
        rows = [st != "diverged" for st in status]
        if not any(rows):
            rows = [True] * len(status)
        ext = self._extent[np.array(rows) & (np.array(self._counts) > 0)]
        if not len(ext):
            return
        ymin, ymax = float(ext[:, 0].min()), float(ext[:, 1].max())
        xr = (0.0, nice_ceil(max(xmax, 10.0)))
        # Sticky: a falling loss crosses a half decade every few hundred steps, and each
        # new range re-lays both axes and their grid (12-20 ms at 1920x1080, measured).
        yr = sticky_range(
            self._range[1] if self._range else None, ymin, ymax, self.mode != "linear"
        )
        if (xr, yr) != self._range:
            self._range = (xr, yr)
            self.plot_item.setRange(xRange=xr, yRange=yr, padding=0.02)
        self._updates += 1
        if self._updates % 20 == 1:
            # Curves move slowly: choosing the legend's corner once a second is plenty.
            self._place_legend()

    def follow(self) -> None:
        """Go back to following the data after the user zoomed or panned."""
        self._follow = True
        self._range = None

    def _on_manual_range(self, *args) -> None:
        self._follow = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_legend()
        self._fit_y_label()

    def y_label(self) -> str:
        """The loss axis's label as shown."""
        return self.plot_item.getAxis("left").labelText

    def _fit_y_label(self, *_args) -> None:
        """The longest of the label's forms that fits the axis's height, whole."""
        fit_left_label(self.plot_item, self._y_labels, self.plot_widget.height() - 40)

    def set_legend_allowed(self, on: bool) -> None:
        """Presentation mode puts the run table right below: no legend needed then."""
        self._legend_allowed = bool(on)
        self._fit_legend()

    def _fit_legend(self) -> None:
        # A legend wider than half the plot would hide the curves; the run table (always
        # on screen, with the same swatches) then serves as the legend.
        w = self.legend.boundingRect().width()
        fits = w <= 0.55 * self.plot_item.getViewBox().width()
        self.legend.setVisible(self._legend_allowed and fits and bool(self._labels))

    def _place_legend(self) -> None:
        """Move the legend to the corner of the plot that the curves cross least."""
        if not self.legend.isVisible():
            return
        vb = self.plot_item.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        br = self.legend.boundingRect()
        fw = min(1.0, (br.width() + 16) / max(vb.width(), 1.0))
        fh = min(1.0, (br.height() + 16) / max(vb.height(), 1.0))
        corners = {
            (1, 0): (x1 - fw * (x1 - x0), x1, y1 - fh * (y1 - y0), y1),  # top right
            (0, 0): (x0, x0 + fw * (x1 - x0), y1 - fh * (y1 - y0), y1),  # top left
            (1, 1): (x1 - fw * (x1 - x0), x1, y0, y0 + fh * (y1 - y0)),  # bottom right
            (0, 1): (x0, x0 + fw * (x1 - x0), y0, y0 + fh * (y1 - y0)),  # bottom left
        }
        best, best_n = None, None
        for corner, (ax, bx, ay, by) in corners.items():
            n = 0
            for i, m in enumerate(self._counts):
                x, y = self._x[i, :m], self._y[i, :m]
                n += int(np.count_nonzero((x >= ax) & (x <= bx) & (y >= ay) & (y <= by)))
            if best_n is None or n < best_n:
                best, best_n = corner, n
        if best != self._legend_corner:
            self._legend_corner = best
            cx, cy = best
            self.legend.anchor(
                itemPos=(cx, cy), parentPos=(cx, cy), offset=(-8 if cx else 8, -8 if cy else 8)
            )

    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        theme.style_plot(self.plot_item, scale)
        self.legend.setLabelTextSize(f"{scale.axis_pt:.1f}pt")
        self.smoothing_control.apply_scale(scale)
        self._fit_y_label()
        if self._styles:
            self._style_curves()
