"""Colours, line styles, markers, fonts and the style sheet, in one place.

Runs are told apart by three cues at once, so colour is never the only one: the Okabe-Ito
palette (Okabe & Ito 2008, safe for the common forms of colour blindness), a line style and a
marker shape. The heatmap uses a pale, nearly neutral colour map so that every run colour
stays readable on top of it, yellow included (head markers get a dark outline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QLabel,
    QStatusBar,
    QTabBar,
    QToolBar,
    QToolButton,
    QWidget,
)

from gui.stroke_layer import MAX_WIDTH

# Okabe-Ito, reordered so the first four (the default race) are the most distinct on a pale
# background; yellow, the weakest on white, comes last but one.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
COLOUR_NAMES: tuple[str, ...] = (
    "blue",
    "vermillion",
    "green",
    "purple",
    "orange",
    "sky blue",
    "yellow",
    "black",
)
# Dash patterns in units of the pen width (Qt's convention); empty = solid.
DASHES: tuple[tuple[float, ...], ...] = (
    (),
    (5.0, 2.5),
    (1.2, 2.0),
    (6.0, 2.0, 1.2, 2.0),
    (3.0, 2.0),
    (8.0, 2.5, 1.2, 2.0, 1.2, 2.5),
    (1.2, 1.2),
    (10.0, 3.0),
)
DASH_NAMES = (
    "solid",
    "dashed",
    "dotted",
    "dash-dot",
    "short dash",
    "dash-dot-dot",
    "fine dot",
    "long dash",
)
SYMBOLS: tuple[str, ...] = ("o", "s", "t", "d", "p", "h", "star", "t1")
SYMBOL_NAMES = (
    "circle",
    "square",
    "triangle",
    "diamond",
    "pentagon",
    "hexagon",
    "star",
    "triangle up",
)

INK = "#1f2328"  # text and axes
MUTED = "#57606a"
GRID = "#d0d7de"
PANEL_BG = "#ffffff"
WINDOW_BG = "#f6f8fa"
ACCENT = "#0072B2"
ERROR = "#b3261e"
WARNING = "#8a5a00"

# Pale-to-slate map: low loss (where the runs spend their time) is near white.
HEATMAP_STOPS = (
    (0.00, (255, 255, 255)),
    (0.18, (236, 241, 245)),
    (0.42, (203, 214, 226)),
    (0.68, (150, 166, 187)),
    (1.00, (84, 99, 122)),
)
CONTOUR_COLOUR = (60, 72, 92, 110)


@dataclass(frozen=True)
class RunStyle:
    """How one run is drawn everywhere: colour, dash pattern and marker."""

    index: int
    colour: str
    dash: tuple[float, ...]
    symbol: str
    description: str

    def qcolor(self, alpha: int = 255) -> QColor:
        c = QColor(self.colour)
        c.setAlpha(alpha)
        return c

    def pen(
        self, width: float = 2.0, alpha: int = 255, dashed: bool = True, dash_scale: float = 1.0
    ) -> QPen:
        pen = QPen(self.qcolor(alpha))
        pen.setWidthF(width)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if self.dash else Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if dashed and self.dash:
            # Qt measures dashes in pen widths; a thick line drawn as 1-pixel strokes
            # (gui.stroke_layer) passes its thickness as dash_scale.
            pen.setDashPattern([d * dash_scale for d in self.dash])
        return pen

    def tint(self, fraction: float) -> QColor:
        """The colour mixed with white: 0 gives the colour, 1 gives white (opaque fading)."""
        c = QColor(self.colour)
        f = min(max(fraction, 0.0), 1.0)
        return QColor(
            round(c.red() + (255 - c.red()) * f),
            round(c.green() + (255 - c.green()) * f),
            round(c.blue() + (255 - c.blue()) * f),
        )

    def symbol_pen(self, width: float = 1.5) -> QPen:
        # A dark outline keeps pale colours (yellow, sky blue) visible on a pale map.
        pen = QPen(QColor(INK if self.colour != "#000000" else "#ffffff"))
        pen.setWidthF(width)
        pen.setCosmetic(True)
        return pen


def run_style(i: int) -> RunStyle:
    """Style of run ``i`` (0-based); cycles after eight runs with a shifted dash pattern."""
    k = i % len(OKABE_ITO)
    # After a full cycle, pair each colour with another dash and symbol so pairs stay unique.
    shift = (i // len(OKABE_ITO)) * 3
    d = (k + shift) % len(DASHES)
    s = (k + shift) % len(SYMBOLS)
    desc = f"{COLOUR_NAMES[k]}, {DASH_NAMES[d]} line, {SYMBOL_NAMES[s]} marker"
    return RunStyle(i, OKABE_ITO[k], DASHES[d], SYMBOLS[s], desc)


def heatmap_colormap() -> pg.ColorMap:
    pos = np.array([p for p, _ in HEATMAP_STOPS])
    cols = np.array([c for _, c in HEATMAP_STOPS], dtype=np.ubyte)
    return pg.ColorMap(pos, cols, name="descent-pale")


@dataclass(frozen=True)
class Scale:
    """Sizes that grow in presentation mode (a projector seen from the back row)."""

    factor: float = 1.0

    @property
    def font_pt(self) -> float:
        return 10.0 * self.factor

    @property
    def axis_pt(self) -> float:
        return 9.5 * self.factor

    @property
    def title_pt(self) -> float:
        return 11.0 * self.factor

    @property
    def thickness(self) -> int:
        """Width in pixels of a run's main line (see gui.stroke_layer)."""
        return 2 if self.factor < 1.3 else 3

    @property
    def line_width(self) -> float:
        """Default width in pixels of a trajectory on the loss surface (a View setting
        overrides it): bold enough to follow from the back of a room, full colour."""
        return LINE_WIDTH_NORMAL if self.factor < 1.3 else LINE_WIDTH_PRESENTATION

    @property
    def marker(self) -> float:
        return 11.0 * (1.0 + 0.6 * (self.factor - 1.0))


#: Smallest plot (width, height) in pixels: readable on a 1280x720 projector.
MIN_PLOT = (160, 150)
#: Smallest text height in pixels in presentation mode (at 96 dpi, 1 pt = 4/3 px).
MIN_PRESENTATION_TEXT_PX = 18

# Trajectory widths (pixels): the defaults, and the range the View menu offers.
LINE_WIDTH_NORMAL = 2.5
LINE_WIDTH_PRESENTATION = 4.0
LINE_WIDTH_RANGE = (1.0, MAX_WIDTH)
LINE_WIDTH_CHOICES = (1.5, 2.5, 3.0, 4.0, 5.0, 6.0)

NORMAL = Scale(1.0)
PRESENTATION = Scale(1.5)


def font(pt: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(pt)
    f.setBold(bold)
    return f


def style_plot(plot_item: pg.PlotItem, scale: Scale) -> None:
    """Axis fonts, colours and title size of a pyqtgraph plot for the current scale.

    Only what differs is set: each setter re-lays the axis out and re-renders its label
    (about 0.4 ms an axis, and a presentation toggle styles some 150 axes).
    """
    f = font(scale.axis_pt)
    offset = int(4 * scale.factor)
    muted, ink = QColor(MUTED), QColor(INK)
    for name in ("left", "bottom", "right", "top"):
        ax = plot_item.getAxis(name)
        if ax.style.get("tickFont") != f:
            ax.setTickFont(f)
        if ax.pen().color() != muted:
            ax.setPen(pg.mkPen(MUTED))
        # setPen also colours the axis label; setTextPen (after it) makes that INK again.
        if ax.textPen().color() != ink or ax.labelStyle.get("color") != ink.name():
            ax.setTextPen(pg.mkPen(INK))
        if ax.label.font() != f:
            ax.label.setFont(f)
        # pyqtgraph keeps (horizontal, vertical) and sets the one of the axis' orientation.
        if ax.style["tickTextOffset"][0 if name in ("left", "right") else 1] != offset:
            ax.setStyle(tickTextOffset=offset)
        # Plain numbers: an SI multiplier in the axis label is easy to miss on a projector.
        if ax.autoSIPrefix:
            ax.enableAutoSIPrefix(False)


#: Dynamic property on top-level windows that switches the style sheet's presentation rules.
PRESENTATION_PROPERTY = "presentation"


def _scaled_rules(scale: Scale, prefix: str) -> str:
    """The rules whose sizes depend on ``scale``, each selector under ``prefix``.

    Only these differ between the modes; they are the reason a toggle must re-polish
    anything at all, so :func:`scaled_widgets` must find every widget they can match.
    """
    f = scale.factor
    return f"""
{prefix}QToolBar {{ spacing: {int(4 * f)}px; padding: {int(3 * f)}px; }}
{prefix}QToolBar QToolButton {{ padding: {int(3 * f)}px {int(6 * f)}px; }}
{prefix}QStatusBar QLabel {{ padding: 0 {int(6 * f)}px; }}
{prefix}QTabBar::tab {{ padding: {int(5 * f)}px {int(14 * f)}px; }}
{prefix}QLabel#CardTitle {{ font-size: {scale.title_pt:.1f}pt; }}
{prefix}QHeaderView::section {{ padding: {int(3 * f)}px {int(6 * f)}px; }}
"""


def stylesheet() -> str:
    """Application style sheet (Fusion base), for both modes; set once.

    Setting an application style sheet re-polishes every widget (0.9-1.2 s with both labs
    built, measured by bench/presentation_bench.py), so the sheet never changes: the body
    text size comes from the application font (:func:`apply_scale`), and the few sizes
    that grow for a projector are rules under ``[presentation="true"]`` on the window,
    which a toggle re-polishes alone.
    """
    return (
        f"""
QMainWindow, QDialog {{ background: {WINDOW_BG}; }}
QWidget {{ color: {INK}; }}
QToolBar {{ background: {PANEL_BG}; border: none; border-bottom: 1px solid {GRID}; }}
QToolBar QToolButton {{ border-radius: 4px; }}
QToolBar QToolButton:hover {{ background: #eaeef2; }}
QToolBar QToolButton:checked {{ background: #dbe9f6; }}
QStatusBar {{ background: {PANEL_BG}; border-top: 1px solid {GRID}; }}
QStatusBar QLabel {{ color: {MUTED}; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ border: 1px solid transparent; border-bottom: 2px solid transparent; }}
QTabBar::tab:selected {{ border-bottom: 2px solid {ACCENT}; font-weight: bold; }}
QFrame#Card {{ background: {PANEL_BG}; border: 1px solid {GRID}; border-radius: 6px; }}
QToolButton#SectionHeader {{ font-weight: bold; border: none; padding: 3px 0; }}
QLabel#CardTitle {{ font-weight: bold; }}
QLabel#Hint {{ color: {MUTED}; }}
QLabel#Error {{ color: {ERROR}; font-weight: bold; }}
QLabel#Warning {{ color: {WARNING}; }}
QTableView {{ background: {PANEL_BG}; border: none; gridline-color: #eef1f4;
            selection-background-color: #dbe9f6; selection-color: {INK}; }}
QHeaderView::section {{ background: {WINDOW_BG}; border: none; border-bottom: 1px solid {GRID};
            font-weight: bold; }}
QScrollArea {{ border: none; background: transparent; }}
QLineEdit[invalid="true"], QDoubleSpinBox[invalid="true"] {{ border: 1px solid {ERROR}; }}
"""
        + _scaled_rules(NORMAL, "")
        + _scaled_rules(PRESENTATION, f'*[{PRESENTATION_PROPERTY}="true"] ')
    )


def is_scaled(widget: QWidget) -> bool:
    """Whether a rule of :func:`_scaled_rules` can match ``widget`` (kept next to them)."""
    if isinstance(widget, (QToolBar, QTabBar, QHeaderView)):
        return True
    if isinstance(widget, QToolButton):
        return _has_ancestor(widget, QToolBar)
    if isinstance(widget, QLabel):
        return widget.objectName() == "CardTitle" or _has_ancestor(widget, QStatusBar)
    return False


def _has_ancestor(widget: QWidget, cls: type) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, cls):
            return True
        parent = parent.parentWidget()
    return False


def set_presentation_style(app: QApplication, on: bool, root: QWidget | None = None) -> int:
    """Switch every widget to the presentation sizes (``on``) or the normal ones.

    Under an application style sheet Qt does not pass a font change from parent to child
    (each widget's font was resolved once, when it was polished), so every widget gets the
    body size directly: about 0.02 ms a widget, against 0.5 ms to re-polish it. The
    application font serves widgets made later. The presentation rules of
    :func:`stylesheet` follow :data:`PRESENTATION_PROPERTY` on each top-level window, and
    only the widgets they match are re-polished. Returns how many were.
    """
    scale = PRESENTATION if on else NORMAL
    pt = scale.font_pt
    f = app.font()
    if f.pointSizeF() != pt:
        f.setPointSizeF(pt)
        app.setFont(f)
    targets = []
    # Only the window's own widgets (dialogs and panels it parents included): the app's list
    # also holds widgets of windows being torn down, and restyling those aborted Qt.
    widgets = app.allWidgets() if root is None else [root, *root.findChildren(QWidget)]
    tops = app.topLevelWidgets() if root is None else [w for w in widgets if w.isWindow()]
    for w in widgets:
        f = w.font()
        if f.pointSizeF() != pt:
            # The widget's own font with the new size: bold or a family it set stays.
            f.setPointSizeF(pt)
            w.setFont(f)
            if isinstance(w, QLabel):
                # A label without text keeps the size hint of its old font (Qt drops it on
                # a font change only for text labels); a re-style dropped it: so does this.
                w.setIndent(w.indent())
        if is_scaled(w):
            targets.append(w)
    changed = set()
    for window in tops:
        if bool(window.property(PRESENTATION_PROPERTY)) != on:
            window.setProperty(PRESENTATION_PROPERTY, on)
            changed.add(window)
    count = 0
    for w in targets:
        if w.window() in changed:
            repolish(w)
            count += 1
    return count


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet to ``widget`` alone, as an application re-style would."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    # What QWidget::setStyle sends: tab bars, buttons and layouts drop cached sizes.
    QApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))
    widget.updateGeometry()
    widget.update()
