"""One column of the network lab: one configuration, its layers and its decision regions.

From top to bottom: a header with the column's line sample (colour, dash and marker, as in
the shared loss plots), what sets it apart from the other columns and its live status; then
four plots in one graphics view (one view per column keeps the repaint cheap): activation
histograms per layer, variances per layer, dead or saturated units per layer, and the data
with the network's decision regions or fitted curve.

Every item is created when the column's structure is set; a picture only updates arrays.
A diverged column keeps drawing its last good picture while the header says when it
diverged.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.datasets import Dataset
from engine.display import elide_words
from engine.histograms import shared_range
from engine.nn.training import ColumnSnapshot, TrainConfig
from gui import theme
from gui.graphics import speed_up_plot
from gui.panels.elided_label import ElidedLabel
from gui.panels.net_boundary_view import NetBoundaryView
from gui.panels.net_health_view import NetHealthView
from gui.panels.net_histogram_view import NetHistogramView
from gui.panels.net_variance_view import NetVarianceView

#: Parts of a picture that can be drawn on their own (see NetColumnPanel.show_part).
PARTS = ("hist", "var", "data")
# Relative heights of the four plots.
ROW_STRETCH = (30, 30, 15, 45)
#: Smallest plot (view box) in a presentation row, and the row's height that gives it:
#: a projector at 1280x720 cannot stack four plots of that size, so each column lays its
#: plots side by side and the columns stack (the lab scrolls them).
ROW_PLOT_MIN = (160, 150)


def readable(colour: str) -> str:
    """The colour, darkened where it is too pale for text on white (yellow, sky blue)."""
    c = QColor(colour)
    if c.lightnessF() > 0.62:
        c = c.darker(150)
    return c.name()


def swatch(style: theme.RunStyle, scale: theme.Scale) -> QPixmap:
    """A short line in the column's dash pattern with its marker in the middle."""
    f = scale.factor
    w, h = round(34 * f), round(16 * f)
    pm = QPixmap(w, h)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(style.pen(width=2.5 * f))
    p.drawLine(QPointF(1, h / 2), QPointF(w - 1, h / 2))
    size = 10.0 * f
    tr = QTransform.fromTranslate(w / 2, h / 2)
    tr.scale(size, size)
    p.setPen(style.symbol_pen(1.2))
    p.setBrush(QBrush(style.qcolor()))
    p.drawPath(tr.map(Symbols[style.symbol]))
    p.end()
    return pm


class StatusLine(QWidget):
    """One line of text that changes every few frames, drawn without the layout machinery.

    A QLabel asks its layout to run again on every new text; here a new text only
    repaints the line (measured: 0.3 ms instead of 4 ms per change).
    """

    def __init__(
        self, parent: QWidget | None = None, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft
    ) -> None:
        super().__init__(parent)
        self._text = ""
        self._colour = QColor(theme.MUTED)
        self._bold = False
        self._align = align
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def text(self) -> str:
        return self._text

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), self.fontMetrics().height() + 2)

    def set_text(self, text: str, colour: str, bold: bool = False) -> None:
        if (text, colour, bold) != (self._text, self._colour.name(), self._bold):
            self._text, self._colour, self._bold = text, QColor(colour), bold
            self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(theme.PANEL_BG))
        f = self.font()
        f.setBold(self._bold)
        p.setFont(f)
        p.setPen(self._colour)
        # Whole words or nothing: Qt's eliding cut numbers ("lr 0.05" to "lr 0.0…").
        text = elide_words(self._text, p.fontMetrics().horizontalAdvance, self.width())
        p.drawText(self.rect(), int(self._align | Qt.AlignmentFlag.AlignVCenter), text)
        p.end()


class _ClickableView(pg.GraphicsLayoutWidget):
    """The column's plots; a click anywhere in them selects the column too.

    (Overriding the press handler, unlike an event filter on the viewport, costs no Python
    call for each of the viewport's paint events.)
    """

    pressed = Signal()

    def mousePressEvent(self, event) -> None:
        self.pressed.emit()
        super().mousePressEvent(event)


class NetColumnPanel(QFrame):
    """One configuration's live pictures.

    Signals
    -------
    clicked(int)
        The user clicked the column (its index), to select it for editing.
    """

    clicked = Signal(int)

    def __init__(self, index: int, style: theme.RunStyle, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.index = index
        self.style_ = style
        self._scale = theme.NORMAL
        self._selected = False
        self._shown: ColumnSnapshot | None = None
        self._shown_var: ColumnSnapshot | None = None
        self._shown_data: ColumnSnapshot | None = None
        self._shown_boundary = None
        self._across = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(120)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 5, 6, 4)
        lay.setSpacing(2)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(6)
        self.swatch = QLabel()
        self.swatch.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        # Cut at words, never inside "lr 0.05" (a QLabel clipped it to "lr 0.0").
        self.title = ElidedLabel("")
        self.title.setObjectName("CardTitle")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.score = StatusLine(align=Qt.AlignmentFlag.AlignRight)
        self.score.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.score.setToolTip("training accuracy (regression: training loss)")
        head.addWidget(self.swatch)
        head.addWidget(self.title, 1)
        lay.addLayout(head)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.status = StatusLine()
        row.addWidget(self.status, 1)
        row.addWidget(self.score)
        lay.addLayout(row)
        self._fix_heights()

        self.view = _ClickableView()
        self.view.pressed.connect(lambda: self.clicked.emit(self.index))
        self.view.setBackground(theme.PANEL_BG)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.ci.layout.setContentsMargins(0, 0, 0, 0)
        self.view.ci.layout.setVerticalSpacing(0)
        lay.addWidget(self.view, 1)
        self.plots: list[pg.PlotItem] = []
        for r in range(4):
            # No context menus (they are never shown) saves most of the set-up time.
            plot = self.view.addPlot(row=r, col=0, viewBox=pg.ViewBox(enableMenu=False))
            plot.setMenuEnabled(False)
            plot.hideButtons()
            self.plots.append(plot)
            self.view.ci.layout.setRowStretchFactor(r, ROW_STRETCH[r])
        for plot in self.plots:
            speed_up_plot(plot)
        self.hist = NetHistogramView(self.plots[0])
        self.var = NetVarianceView(self.plots[1])
        self.health = NetHealthView(self.plots[2])
        self.data = NetBoundaryView(self.plots[3])
        self.set_style(index, style)

    # ------------------------------------------------------------------ structure
    def set_style(self, index: int, style: theme.RunStyle) -> None:
        self.index = index
        self.style_ = style
        self.hist.set_style(style)
        self.var.set_scale(self._scale, style)
        self.health.set_style(style)
        self.data.set_style(style, self._scale)
        self.swatch.setPixmap(swatch(style, self._scale))
        self.swatch.setToolTip(f"Column {index + 1}: {style.description}")
        self._restyle_frame()

    def set_structure(self, cfg: TrainConfig, data: Dataset | None) -> None:
        """Lay the plots out for ``cfg``'s layers and draw ``data`` (no frame loop)."""
        mlp = cfg.mlp
        n_hidden = len(mlp.hidden)
        self.hist.set_layers(n_hidden, shared_range(mlp.activation, dict(mlp.activation_params)))
        self.var.set_layers(n_hidden + 1)
        self.health.set_layers(n_hidden, mlp.activation)
        if data is not None:
            self.data.set_data(data)
        self.clear_picture()
        self._set_titles()

    def _set_titles(self) -> None:
        s = self._scale
        pt = f"{0.92 * s.axis_pt:.1f}pt"
        lo, hi = self.hist.edges[0], self.hist.edges[-1]
        ink, muted = theme.INK, theme.MUTED
        what = "decision regions" if self.data.kind == "classification" else "fitted curve"
        titles = (
            f"<span style='color:{ink}'>activations</span>"
            f"<span style='color:{muted}'> [{lo:g}, {hi:g}]</span>",
            f"<span style='color:{ink}'>variance</span>",
            f"<span style='color:{ink}'>{self.health.title}</span>",
            f"<span style='color:{ink}'>{what}</span>",
        )
        self.plots[2].setToolTip(self.health.tooltip)
        for plot, text in zip(self.plots, titles, strict=True):
            plot.setTitle(text, size=pt)
            # A long title must not widen the column (LabelItem's minimum is its text).
            plot.titleLabel.setMinimumWidth(0)

    def set_across(self, on: bool) -> None:
        """Plots side by side (a row of the presentation layout) or stacked (a column)."""
        on = bool(on)
        if on == self._across:
            return
        self._across = on
        ci = self.view.ci
        for plot in self.plots:
            ci.removeItem(plot)
        for k, plot in enumerate(self.plots):
            ci.addItem(plot, row=0 if on else k, col=k if on else 0)
        w, h = ROW_PLOT_MIN if on else (0, 0)
        for plot in self.plots:
            plot.vb.setMinimumSize(w, h)
        for k in range(4):
            ci.layout.setRowStretchFactor(k, 1 if on and k == 0 else (0 if on else ROW_STRETCH[k]))
            ci.layout.setColumnStretchFactor(k, 1 if on else (1 if k == 0 else 0))
        self._fix_min_size()

    @property
    def across(self) -> bool:
        return self._across

    def _fix_min_size(self) -> None:
        if not self._across:
            self.view.setMinimumHeight(0)
            self.setMinimumWidth(120)
            return
        # room around each view box: left axis, title, bottom axis (measured on the fonts)
        axis = QFontMetrics(theme.font(self._scale.axis_pt))
        title = QFontMetrics(theme.font(0.92 * self._scale.axis_pt))
        w, h = ROW_PLOT_MIN
        self.view.setMinimumHeight(h + title.height() + 2 * axis.height() + 16)
        self.setMinimumWidth(4 * (w + axis.horizontalAdvance("10⁻¹⁴") + 12) + 12)

    def set_headline(self, text: str, tooltip: str = "") -> None:
        self.title.setText(text)
        self.title.set_tooltip(tooltip or text)

    def set_hist_mode(self, mode: str) -> None:
        self.hist.set_mode(mode)

    def set_selected(self, on: bool) -> None:
        if on != self._selected:
            self._selected = on
            self._restyle_frame()

    def _restyle_frame(self) -> None:
        # No style sheet on the frame itself: it would put every child under the (slow)
        # style-sheet style. The selection border is painted in paintEvent.
        self.title.setStyleSheet(f"color: {readable(self.style_.colour)};")
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._selected:
            p = QPainter(self)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            pen = QPen(QColor(readable(self.style_.colour)))
            pen.setWidthF(2.5)
            p.setPen(pen)
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1.25, 1.25, -1.25, -1.25), 6, 6)
            p.end()

    # ------------------------------------------------------------------ pictures
    def pending(self, picture: ColumnSnapshot, boundary) -> list[str]:
        """Parts (:data:`PARTS`) that :meth:`show_part` would redraw for these objects."""
        out = []
        if picture is not self._shown:
            out.append("hist")
        if picture is not self._shown_var:
            out.append("var")
        if self.data.kind == "regression":
            if picture is not self._shown_data:
                out.append("data")
        elif boundary is not self._shown_boundary:
            out.append("data")
        return out

    def show_part(self, part: str, picture: ColumnSnapshot, boundary) -> None:
        """Draw one part of a picture: the histograms and unit bars, the variances, or
        the data plot (so a display tick can paint a quarter of a column, not all of it)."""
        if part == "hist":
            self._shown = picture
            self.hist.show(picture.layers)
            self.health.show(picture.layers)
        elif part == "var":
            self._shown_var = picture
            self.var.show(picture.layers)
        elif self.data.kind == "regression":
            self._shown_data = picture
            self.data.show(picture, None)
        else:
            self._shown_boundary = boundary
            self.data.show(picture, boundary)

    def show_picture(
        self,
        picture: ColumnSnapshot,
        boundary,
        latest: ColumnSnapshot | None = None,
        step: int | None = None,
    ) -> bool:
        """Draw every part of ``picture`` (and ``boundary``) that changed; header from
        ``latest``. Returns whether anything was drawn."""
        parts = self.pending(picture, boundary)
        for part in parts:
            self.show_part(part, picture, boundary)
        if parts:
            self.set_status(latest if latest is not None else picture, picture, step)
        return bool(parts)

    def set_status(
        self,
        latest: ColumnSnapshot,
        picture: ColumnSnapshot | None = None,
        step: int | None = None,
    ) -> None:
        """Header line: loss and accuracy, or when the column diverged.

        The column's own step is shown when it differs from the comparison's ``step``
        (a column restarted on its own) or when ``step`` is not given.
        """
        picture = picture if picture is not None else latest
        if latest.status == "diverged":
            text = f"✖ diverged at step {latest.diverged_at:,}"
            if picture is not latest and picture.step != latest.step:
                text += f", showing step {picture.step:,}"
            self.status.set_text(text, theme.ERROR, True)
            self.score.set_text("✖", theme.ERROR, True)
            return
        text = f"loss {latest.train_loss:.3g}"
        if step is None or latest.step != step:
            text = f"step {latest.step:,} · {text}"
        if latest.status == "diverging":
            self.status.set_text(f"⚠ diverging: {text}", theme.ERROR, True)
        else:
            self.status.set_text(text, theme.MUTED)
        acc = latest.train_acc
        self.score.set_text(f"{100 * acc:.0f}%" if math.isfinite(acc) else "", theme.INK, True)

    def clear_picture(self) -> None:
        self._shown = self._shown_var = self._shown_data = self._shown_boundary = None

    # ------------------------------------------------------------------ look
    def _fix_heights(self) -> None:
        # Fixed heights: a new status text must not make the layout run (it would re-lay
        # and repaint the whole column every frame). Measured on the scale's fonts, not
        # the widgets' (those follow the style sheet only once polished).
        s = self._scale
        text = QFontMetrics(theme.font(s.font_pt))
        bold = QFontMetrics(theme.font(s.font_pt, bold=True))
        title = QFontMetrics(theme.font(s.title_pt, bold=True))
        self.status.setFixedHeight(text.height() + 2)
        self.score.setFixedSize(bold.horizontalAdvance("100%") + 4, bold.height() + 2)
        self.title.setFixedHeight(title.height() + 4)

    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        self._fix_heights()
        for plot in self.plots:
            theme.style_plot(plot, scale)
        # One width for the three layer plots' left axes: their plot areas line up, and
        # the widest label (a decade like 10⁻¹⁴) always fits.
        axis_w = QFontMetrics(theme.font(scale.axis_pt)).horizontalAdvance("10⁻¹⁴") + 10
        for plot in self.plots[:3]:
            plot.getAxis("left").setWidth(axis_w)
        self.var.set_scale(scale, self.style_)
        self.data.set_style(self.style_, scale)
        self.swatch.setPixmap(swatch(self.style_, scale))
        self._set_titles()
        self._fix_min_size()

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.index)
        super().mousePressEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(240, 600)


__all__ = ["NetColumnPanel", "readable", "swatch"]
