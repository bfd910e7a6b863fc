"""The loss surface: heatmap, contours, colour bar, critical points, and the runs racing on it.

The heatmap and contours are computed once per landscape and view (re-rendered, debounced,
after a zoom or pan), never per frame. Per frame only the run items get new data: for each
run a faint full trajectory, a fading tail in three strengths, and a head marker; all items
are created when the set of runs changes, never in the frame loop.

Trajectories are drawn whole at full colour, :meth:`LandscapePanel.set_line_width` pixels
wide (by default the scale's, see :attr:`gui.theme.Scale.line_width`), in the run's dash
pattern scaled to that width; the newest points a little bolder. A head outside the view is
pinned to the view's edge with an arrow pointing to where it is.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QWidget
from superqt.utils import qdebounced, qthrottled

from engine.arrow_readout import arrow_readout, nearest_arrow
from engine.display import format_value
from engine.drawing import arrow_segments, contour_segments, edge_pin
from engine.landscapes import Landscape
from gui import theme
from gui.graphics import BackdropPlotWidget, speed_up_plot, use_decade_ticks
from gui.panels.card import Card
from gui.stroke_layer import (
    GrowingStroke,
    GrowingStrokeLayer,
    Marker,
    Stroke,
    StrokeLayer,
    cosmetic,
    offsets_for,
    symbol_path,
)

GRID_N = 300  # heatmap samples along the longer side
N_CONTOURS = 14
TAIL = 30  # newest points of each trajectory drawn bolder, the run's "head" stroke
TAIL_EXTRA_PX = 1.5  # how much bolder
EDGE_ARROW_PX = 16.0  # length of the arrow pointing to a head outside the view

MARKERS = {
    # kind: (symbol, size, brush, pen)
    "global minimum": ("star", 20, "#ffffff", theme.INK),
    "local minimum": ("star", 15, "#c8d1dc", theme.INK),
    "saddle": ("x", 14, theme.INK, "#ffffff"),
    "local maximum": ("t1", 13, "#ffffff", theme.INK),
    "reference": ("+", 16, theme.INK, "#ffffff"),
}
MARKER_GLYPHS = {
    "global minimum": "★ global minimum",
    "local minimum": "☆ local minimum",
    "saddle": "✕ saddle",
    "local maximum": "△ maximum",
    "reference": "+ true line",
}
ARROW_KINDS = ("grad", "update", "momentum")
ARROW_MIN_PX = 3.0  # shorter arrows are left out


def display_values(z: np.ndarray, landscape: Landscape) -> tuple[np.ndarray, bool, float]:
    """What the heatmap colours: ``log10(f - f*)`` for wide ranges, else ``f``.

    Returns
    -------
    d : ndarray, same shape as z
    is_log : bool
    offset : float
        The ``f*`` subtracted (0 when linear).
    """
    if not landscape.log_scale:
        return z, False, 0.0
    fmin = landscape.f_min
    finite = z[np.isfinite(z)]
    if not math.isfinite(fmin):
        fmin = float(finite.min()) if finite.size else 0.0
    gap = z - fmin
    span = float(finite.max() - fmin) if finite.size else 1.0
    floor = max(span * 1e-12, 1e-300)
    with np.errstate(all="ignore"):
        d = np.log10(np.maximum(gap, floor))
    return d, True, fmin


class LandscapePanel(Card):
    """Heatmap of one landscape with the race drawn over it.

    Signals
    -------
    start_requested(float, float)
        A click (or a drag of the start marker) asks to move every run's start there.
    inspect_requested(float, float)
        A Shift+click (or any click in inspect mode) asks for the Hessian verdict there.
    hover_text(str)
        Coordinates and loss under the mouse, for a status read-out.
    """

    start_requested = Signal(float, float)
    inspect_requested = Signal(float, float)
    hover_text = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Loss surface", parent)
        self._scale = theme.NORMAL
        self._landscape: Landscape | None = None
        self._inspect_mode = False
        self._internals = False
        self._styles: list[theme.RunStyle] = []
        self._runs: list[dict] = []
        self._last_snapshot = None
        self._line_width: float | None = None  # None: the scale's default
        self._edge_arrows: list[Stroke] = []

        self.plot_widget = BackdropPlotWidget()
        self.plot_widget.setMinimumSize(*theme.MIN_PLOT)
        self.plot_widget.setBackground(theme.PANEL_BG)
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        speed_up_plot(self.plot_item)
        self.view: pg.ViewBox = self.plot_item.getViewBox()
        self.view.setAspectLocked(True)
        self.view.disableAutoRange()
        self.add_body(self.plot_widget)
        self.add_footer()
        self.footer.setText(" ")

        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-20)
        self.plot_item.addItem(self.image)
        self.contours = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.contours.setPen(pg.mkPen(QColor(*theme.CONTOUR_COLOUR), width=1, cosmetic=True))
        self.contours.setZValue(-10)
        self.plot_item.addItem(self.contours)
        self.colorbar = pg.ColorBarItem(
            values=(0, 1),
            colorMap=theme.heatmap_colormap(),
            interactive=False,
            width=14,
            colorMapMenu=False,
        )
        self.colorbar.setImageItem(self.image, insert_in=self.plot_item)
        self.colorbar.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.colorbar.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        use_decade_ticks(self.colorbar.axis)

        # All runs' full trajectories in one item that draws only each frame's new
        # segments (see gui.stroke_layer.GrowingStrokeLayer); tails and heads in another,
        # redrawn every frame.
        self.trails = GrowingStrokeLayer()
        self.trails.setZValue(5)
        self.plot_item.addItem(self.trails)
        # Tight: a frame repaints only where tails and heads were and are.
        self.race = StrokeLayer(tight=True)
        self.race.setZValue(6)
        self.plot_item.addItem(self.race)
        self._diverged_brush = pg.mkBrush(255, 255, 255, 230)

        self.critical = pg.ScatterPlotItem(pxMode=True)
        self.critical.setZValue(30)
        self.plot_item.addItem(self.critical)
        # Heatmap, contours and critical points change only with the landscape or the view:
        # they are painted into the view's cached background, one opaque copy per frame.
        self.plot_widget.set_backdrop([self.image, self.contours, self.critical])
        self.view.sigRangeChanged.connect(self.plot_widget.refresh_backdrop)

        self.start_marker = pg.TargetItem(
            pos=(0, 0),
            size=16,
            symbol="crosshair",
            pen=pg.mkPen(theme.INK, width=2),
            hoverPen=pg.mkPen(theme.ACCENT, width=3),
            movable=True,
            label="start",
            labelOpts={"color": theme.INK, "offset": (10, -10), "anchor": (0, 1)},
        )
        self.start_marker.setZValue(40)
        self.start_marker.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.start_marker.sigPositionChanged.connect(self._on_start_dragged)
        self.start_marker.sigPositionChangeFinished.connect(self._on_start_drag_finished)
        self.plot_item.addItem(self.start_marker)

        # Internals overlay: every arrow of every kind in one layer (5-point polylines:
        # shaft, one head stroke, back to the tip, the other head stroke).
        self.arrow_layer = StrokeLayer(tight=True)
        self.arrow_layer.setZValue(35)
        self.arrow_layer.setVisible(False)
        self.plot_item.addItem(self.arrow_layer)
        self._arrow_pens: dict[str, QPen] = {}
        for kind, (colour, dash) in {
            "grad": (theme.INK, None),
            "momentum": ("#57606a", [3.0, 2.0]),
        }.items():
            pen = pg.mkPen(colour, width=1.0, cosmetic=True)
            if dash:
                pen.setDashPattern(dash)
            self._arrow_pens[kind] = pen
        self._arrows: dict[str, list[Stroke]] = {kind: [] for kind in ARROW_KINDS}

        self.inspect_marker = pg.ScatterPlotItem(
            size=14,
            symbol="d",
            brush=pg.mkBrush(255, 255, 255, 200),
            pen=pg.mkPen(theme.INK, width=2),
        )
        self.inspect_marker.setZValue(45)
        self.inspect_text = pg.TextItem(
            "",
            color=theme.INK,
            anchor=(0, 1),
            fill=pg.mkBrush(255, 255, 255, 225),
            border=pg.mkPen(theme.GRID),
        )
        self.inspect_text.setZValue(46)
        for it in (self.inspect_marker, self.inspect_text):
            it.setVisible(False)
            self.plot_item.addItem(it)

        self.plot_widget.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view.sigRangeChangedManually.connect(self._on_range_changed)
        self.view.sigResized.connect(self._on_range_changed)
        self._rendered_window: tuple[float, float, float, float] | None = None
        self._legend_text = ""
        self.apply_scale(theme.NORMAL)

    # ------------------------------------------------------------------ landscape
    def set_landscape(self, landscape: Landscape) -> None:
        """Show a new surface: reset the view to its window and render it."""
        self._landscape = landscape
        title = landscape.title
        self.set_title(f"Loss surface · {title}")
        xl, yl = ("w (slope)", "b (intercept)") if landscape.stochastic else ("x", "y")
        self.plot_item.setLabel("bottom", xl)
        self.plot_item.setLabel("left", yl)
        xmin, xmax, ymin, ymax = landscape.window
        sx, sy = xmax - xmin, ymax - ymin
        self.view.setLimits(
            xMin=xmin - 20 * sx,
            xMax=xmax + 20 * sx,
            yMin=ymin - 20 * sy,
            yMax=ymax + 20 * sy,
            minXRange=sx * 1e-5,
            minYRange=sy * 1e-5,
            maxXRange=sx * 40,
            maxYRange=sy * 40,
        )
        self._place_critical_points()
        self.hide_inspection()
        self.reset_view()

    def reset_view(self) -> None:
        if self._landscape is None:
            return
        xmin, xmax, ymin, ymax = self._landscape.window
        self.view.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)
        if not self.isVisible():
            # A hidden view's size, hence its aspect-locked window, is not final: the map
            # is drawn once it is shown (showEvent). At start this drew it twice, the first
            # time (~0.1 s of the first frame) for a window the shown view never had.
            self._rendered_window = None
            return
        self._render(self.view_window())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._rendered_window is None:
            self._render_if_stale()

    def _render_if_stale(self) -> None:
        if self._landscape is not None and self.isVisible():
            win = self.view_window()
            if win != self._rendered_window:
                self._render(win)

    def view_window(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.view.viewRange()
        return (x0, x1, y0, y1)

    @qdebounced(timeout=120)
    def _on_range_changed(self, *args) -> None:
        # Debounced (superqt): a wheel zoom fires dozens of range changes; render once.
        if self._landscape is not None:
            win = self.view_window()
            if win != self._rendered_window:
                self._render(win)
            if self._last_snapshot is not None:
                # Heads that left the view (or came back) move to or from its edge.
                self.update_snapshot(self._last_snapshot)

    def _render(self, window: tuple[float, float, float, float]) -> None:
        ls = self._landscape
        x0, _x1, y0, _y1 = window
        w = self.view.width() or 1.0
        h = self.view.height() or 1.0
        aspect = (h / w) if w > 0 else 1.0
        nx = GRID_N if aspect <= 1 else max(16, int(GRID_N / aspect))
        ny = max(16, int(nx * aspect)) if aspect <= 1 else GRID_N
        xs, ys, z = ls.grid(nx, ny, window)
        d, is_log, offset = display_values(z, ls)
        finite = d[np.isfinite(d)]
        if finite.size:
            lo, hi = np.percentile(finite, [0.5, 99.5])
        else:
            lo, hi = 0.0, 1.0
        if not hi > lo:
            hi = lo + 1.0
        d = np.where(np.isfinite(d), d, hi)
        self.image.setImage(d, levels=(lo, hi), autoLevels=False)
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, dx * nx, dy * ny))
        levels = np.linspace(lo, hi, N_CONTOURS + 2)[1:-1]
        seg = contour_segments(d, levels, xs, ys)
        if len(seg):
            self.contours.setData(seg[:, 0], seg[:, 1])
        else:
            self.contours.setData([], [])
        # Log mode first: levels of a linear surface read as decades would overflow 10**x
        # in the axis (the previous surface's mode is still set).
        self.colorbar.axis.setLogMode(bool(is_log))
        self.colorbar.setLevels((lo, hi))
        if is_log:
            if offset == 0:
                label = "loss f (log scale)"
            else:
                label = f"f − f* (log scale), f* = {format_value(offset)}"
        else:
            label = "loss f"
        self.colorbar.axis.setLabel(label)
        self._rendered_window = window
        self.plot_widget.refresh_backdrop()

    def _place_critical_points(self) -> None:
        ls = self._landscape
        points = list(ls.minima) + list(ls.saddles)
        ref = getattr(ls, "true_point", None)
        if ref is not None:
            points.append(ref)
        spots = []
        kinds = []
        f = 1.0 + 0.5 * (self._scale.factor - 1.0)
        for p in points:
            sym, size, brush, pen = MARKERS[p.kind]
            spots.append(
                {
                    "pos": (p.x, p.y),
                    "symbol": sym,
                    "size": size * f,
                    "brush": pg.mkBrush(brush),
                    "pen": pg.mkPen(pen, width=1.5),
                    "data": p,
                }
            )
            if p.kind not in kinds:
                kinds.append(p.kind)
        self.critical.setData(spots)
        self.plot_widget.refresh_backdrop()
        self._legend_text = "   ".join(MARKER_GLYPHS[k] for k in kinds)
        self._update_footer("")

    # ------------------------------------------------------------------ runs
    def set_runs(self, styles: list[theme.RunStyle]) -> None:
        """Create the per-run items (only when the set of runs changes)."""
        for run in self._runs:
            for it in run["items"]:
                self.plot_item.removeItem(it)
        self._styles = list(styles)
        self._runs = []
        self._last_snapshot = None  # it holds the old set of runs: never draw it again
        for st in styles:
            label = pg.TextItem("", color=theme.ERROR, anchor=(0, 1))
            label.setVisible(False)
            label.setZValue(21)
            items = [label]
            for it in items:
                self.plot_item.addItem(it)
            self._runs.append(
                {
                    "label": label,
                    "items": items,
                    "style": st,
                    "status": None,
                    "buf": np.empty((2, TAIL)),
                    "head": (math.nan, math.nan),
                    "off_view": False,
                }
            )
        self.trails.set_content()
        self.race.set_content()
        self._style_runs()

    @property
    def line_width(self) -> float:
        """Width in pixels of the trajectories as drawn now."""
        return self._scale.line_width if self._line_width is None else self._line_width

    def set_line_width(self, px: float | None) -> None:
        """Draw trajectories ``px`` pixels wide (the View menu's setting); ``None`` goes
        back to the scale's default (2.5 normally, 4 in presentation).

        Raises
        ------
        ValueError
            ``px`` is not a number within :data:`gui.theme.LINE_WIDTH_RANGE`.
        """
        if px is not None:
            lo, hi = theme.LINE_WIDTH_RANGE
            try:
                px = float(px)
            except (TypeError, ValueError):
                raise ValueError(f"line width must be a number of pixels; got {px!r}") from None
            if not lo <= px <= hi:
                raise ValueError(f"line width must be between {lo:g} and {hi:g} px; got {px:g}")
        self._line_width = px
        self._style_runs()

    def _style_runs(self) -> None:
        s = self._scale
        w = self.line_width
        for run in self._runs:
            st: theme.RunStyle = run["style"]
            # Whole trajectory at full colour, in the run's dash pattern measured in line
            # widths (Qt's rule), so dots and dashes grow with the line and stay visible.
            run["trail_pen"] = cosmetic(st.pen(width=1.0, dash_scale=w))
            run["trail_offsets"] = offsets_for(w)
            # The newest points bolder and solid: where the run is going now.
            run["tail_pen"] = cosmetic(st.pen(width=1.0, dashed=False))
            run["tail_offsets"] = offsets_for(w + TAIL_EXTRA_PX)
            run["head_path"] = symbol_path(st.symbol, s.marker * 1.3)
            run["head_pen"] = cosmetic(st.symbol_pen(1.5))
            run["head_brush"] = pg.mkBrush(st.qcolor())
            run["update_pen"] = cosmetic(st.pen(width=1.0, dashed=False))
            run["update_offsets"] = offsets_for(s.thickness + 1)
            run["edge_offsets"] = offsets_for(max(w, 2.5))
            run["label"].setFont(theme.font(s.axis_pt, bold=True))
            run["status"] = None
        self.trails.restart()
        if self._last_snapshot is not None:
            self.update_snapshot(self._last_snapshot)

    def restart_trails(self) -> None:
        """The race starts over: draw the trajectories afresh from the next snapshot."""
        self.trails.restart()

    def head_position(self, i: int) -> tuple[float, float]:
        """Where run ``i``'s head marker is drawn, in data coordinates."""
        return self._runs[i]["head"]

    def head_off_view(self, i: int) -> bool:
        """Whether run ``i``'s head is outside the view (its marker then sits at the edge)."""
        return self._runs[i]["off_view"]

    def edge_arrows(self) -> list[Stroke]:
        """The arrows drawn last for heads outside the view: 5-point polylines (tail at
        the pinned marker, tip, one barb, tip, other barb), in data coordinates."""
        return list(self._edge_arrows)

    def update_snapshot(self, snap) -> None:
        """Draw one frame of the race: trajectories grow, tails and heads move."""
        self._last_snapshot = snap
        if self._landscape is None or len(self._runs) != snap.n_runs:
            return
        xmin, xmax, ymin, ymax = self._landscape.window
        sx, sy = xmax - xmin, ymax - ymin
        # Clamp far-away points (a diverging run): the layers clamp again in device pixels.
        lo = np.array([xmin - 50 * sx, ymin - 50 * sy])
        hi = np.array([xmax + 50 * sx, ymax + 50 * sy])
        trails: list[GrowingStroke] = []
        tails: list[Stroke] = []
        heads: list[Marker] = []
        edge_arrows: list[Stroke] = []
        diverged_brush = self._diverged_brush
        # ufuncs, not np.clip: its Python wrapper costs more than the clipping here.
        positions = np.minimum(np.maximum(np.asarray(snap.positions, float), lo), hi)
        view = self.view_window()
        pixel = self.view.viewPixelSize()
        # A pinned head sits this far inside the edge: its marker and its arrow both show.
        inset = 0.65 * self._scale.marker * 1.3 + EDGE_ARROW_PX + 4.0
        for i, run in enumerate(self._runs):
            hist = snap.histories[i]
            m = len(hist)
            xy = hist.xy
            # The snapshot's arrays are read-only: the layer may keep them as they are.
            trails.append(
                GrowingStroke(
                    i, xy[:, 0], xy[:, 1], hist.steps, run["trail_pen"], run["trail_offsets"]
                )
            )
            # The bold tip: the last points, clamped into a small reused buffer.
            k0 = max(0, m - TAIL)
            buf = run["buf"][:, : m - k0]
            np.maximum(xy[k0:].T, lo[:, None], out=buf)
            np.minimum(buf, hi[:, None], out=buf)
            tails.append(Stroke(buf[0], buf[1], run["tail_pen"], run["tail_offsets"]))
            status = snap.status[i]
            diverged = status == "diverged"
            (hx, hy), off_view = edge_pin(positions[i], view, pixel, inset)
            run["off_view"] = off_view
            if off_view:
                # Its arrow starts at the marker and points to where the head really is.
                dx, dy = (positions[i][0] - hx) / pixel[0], (positions[i][1] - hy) / pixel[1]
                norm = math.hypot(dx, dy)
                if norm > 0:
                    vec = np.array(
                        [
                            [
                                dx / norm * EDGE_ARROW_PX * pixel[0],
                                dy / norm * EDGE_ARROW_PX * pixel[1],
                            ]
                        ]
                    )
                    seg = arrow_segments(np.array([[hx, hy]]), vec, pixel, 7.0, min_px=1.0)
                    seg = seg.reshape(-1, 6, 2)[:, [0, 1, 3, 4, 5]]
                    for line in seg:
                        edge_arrows.append(
                            Stroke(line[:, 0], line[:, 1], run["update_pen"], run["edge_offsets"])
                        )
            if diverged:
                label = run["label"]
                v0, v1, w0, w1 = view
                label.setAnchor(
                    (
                        1.0 if hx > 0.5 * (v0 + v1) else 0.0,
                        0.0 if hy > 0.5 * (w0 + w1) else 1.0,
                    )
                )
            run["head"] = (hx, hy)
            heads.append(
                Marker(
                    hx,
                    hy,
                    run["head_path"],
                    run["head_pen"],
                    diverged_brush if diverged else run["head_brush"],
                )
            )
            if status != run["status"]:
                run["status"] = status
                run["label"].setVisible(diverged)
                if diverged:
                    run["label"].setText(f"diverged at step {snap.event_step[i]}")
            if diverged:
                run["label"].setPos(hx, hy)
        self._edge_arrows = edge_arrows
        self.trails.set_content(trails)
        self.race.set_content(tails + edge_arrows, heads)
        if self._internals:
            self._draw_internals(snap)

    # ------------------------------------------------------------------ internals
    def set_internals_visible(self, on: bool) -> None:
        self._internals = bool(on)
        self.arrow_layer.setVisible(self._internals)
        self._update_footer("")
        if self._internals and self._last_snapshot is not None:
            self._draw_internals(self._last_snapshot)

    def arrows(self, kind: str) -> list[Stroke]:
        """The arrows of ``kind`` ("grad", "update" or "momentum") drawn last, one per run
        that has one: 5-point polylines from the head to the tip, then the two head strokes.
        """
        return list(self._arrows[kind])

    def _draw_internals(self, snap) -> None:
        pos = np.asarray(snap.positions)
        x0, x1, y0, y1 = self.view_window()
        target = 0.12 * min(x1 - x0, y1 - y0)
        px, py = self.view.viewPixelSize()
        head_px = 9.0 * (1.0 + 0.5 * (self._scale.factor - 1.0))
        mom = np.where(np.isfinite(snap.velocity), snap.velocity, snap.first_moment)
        vectors = {
            "grad": -np.asarray(snap.grads),
            "update": np.asarray(snap.updates),
            "momentum": -mom,
        }
        active = np.array([s == "running" for s in snap.status])
        thick = offsets_for(2)
        n = len(pos)
        kinds = tuple(vectors)
        # All kinds in one array, shape (kinds, runs, 2): one pass of numpy for them all.
        vec = np.where(active[None, :, None], np.stack([vectors[k] for k in kinds]), np.nan)
        with np.errstate(all="ignore"):
            norms = np.hypot(vec[..., 0], vec[..., 1])
            ok = np.isfinite(norms) & (norms > 0)
            top = np.where(ok, norms, 0.0).max(axis=1, keepdims=True)
            top[top == 0] = 1.0
            # Directions are exact. Lengths are compressed (fourth root of the ratio to the
            # longest of the kind, at least a fifth of the longest) because gradients of
            # runs a few steps apart can differ ten-thousandfold and would vanish at scale.
            rel = np.where(ok, np.maximum((norms / top) ** 0.25, 0.2), np.nan)
            scaled = (vec * (target * rel / norms)[..., None]).reshape(-1, 2)
            length = np.hypot(scaled[:, 0] / px, scaled[:, 1] / py)
        origins = np.tile(pos, (len(kinds), 1))
        # One call for all arrows; the rows it keeps (finite, at least ARROW_MIN_PX long on
        # screen) are worked out the same way here to know whose arrow is whose.
        drawn = np.flatnonzero(
            np.isfinite(origins).all(axis=1)
            & np.isfinite(scaled).all(axis=1)
            & (length >= ARROW_MIN_PX)
        )
        seg = arrow_segments(origins, scaled, (px, py), head_px, min_px=ARROW_MIN_PX)
        seg = seg.reshape(-1, 6, 2)[:, [0, 1, 3, 4, 5]]  # head, tip, barb, tip, barb
        self._arrows = {kind: [] for kind in kinds}
        # for the hover read-out: each drawn arrow's run and its head/tip in view units
        self._arrow_runs = [
            (row % n, line[0], line[1]) for row, line in zip(drawn, seg, strict=True)
        ]
        self._arrow_vectors = (
            tuple(getattr(snap, "labels", ())),
            np.asarray(snap.grads),
            np.asarray(snap.updates),
            mom,
        )
        for row, line in zip(drawn.tolist(), seg, strict=True):
            kind, i = kinds[row // n], row % n
            if kind == "update":
                pen, offsets = self._runs[i]["update_pen"], self._runs[i]["update_offsets"]
            else:
                pen, offsets = self._arrow_pens[kind], thick
            self._arrows[kind].append(Stroke(line[:, 0], line[:, 1], pen, offsets))
        # Update arrows (run colours) on top of the gradient and momentum ones.
        self.arrow_layer.set_content(
            self._arrows["grad"] + self._arrows["momentum"] + self._arrows["update"]
        )

    # ------------------------------------------------------------------ interaction
    def set_start_marker(self, xy: tuple[float, float]) -> None:
        with QSignalBlocker(self.start_marker):
            self.start_marker.setPos(float(xy[0]), float(xy[1]))

    def set_inspect_mode(self, on: bool) -> None:
        self._inspect_mode = bool(on)
        self.plot_widget.setCursor(
            Qt.CursorShape.WhatsThisCursor if on else Qt.CursorShape.ArrowCursor
        )

    def show_inspection(self, xy: tuple[float, float], text: str) -> None:
        self.inspect_marker.setData([xy[0]], [xy[1]])
        self.inspect_text.setText(text)
        # Place the box so it stays inside the view: shift it sideways as far as needed
        # and open it upwards when there is room above the point, else downwards.
        rect = self.view.sceneBoundingRect()
        p = self.view.mapViewToScene(QPointF(float(xy[0]), float(xy[1])))
        br = self.inspect_text.textItem.boundingRect()
        w, h = max(br.width(), 1.0), max(br.height(), 1.0)
        ax = min(max((p.x() + w - rect.right() + 4) / w, 0.0), 1.0)
        ay = 1.0 if p.y() - h - 8 >= rect.top() else 0.0
        self.inspect_text.setAnchor((ax, ay))
        self.inspect_text.setPos(float(xy[0]), float(xy[1]))
        self.inspect_marker.setVisible(True)
        self.inspect_text.setVisible(True)

    def hide_inspection(self) -> None:
        self.inspect_marker.setVisible(False)
        self.inspect_text.setVisible(False)

    def _on_scene_clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or self._landscape is None:
            return
        if not self.view.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = self.view.mapSceneToView(ev.scenePos())
        x, y = float(p.x()), float(p.y())
        if self._inspect_mode or ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.inspect_requested.emit(x, y)
        else:
            self.hide_inspection()
            self.start_requested.emit(x, y)
        ev.accept()

    @qthrottled(timeout=33)
    def _on_start_dragged(self, *args) -> None:
        # Throttled (superqt): a drag moves the marker every mouse event; restarting the
        # race 30 times a second is plenty.
        p = self.start_marker.pos()
        self.start_requested.emit(float(p.x()), float(p.y()))

    def _on_start_drag_finished(self, *args) -> None:
        p = self.start_marker.pos()
        self.start_requested.emit(float(p.x()), float(p.y()))

    def _on_mouse_moved(self, scene_pos) -> None:
        if self._landscape is None:
            return
        if not self.view.sceneBoundingRect().contains(scene_pos):
            self._update_footer("")
            return
        p = self.view.mapSceneToView(scene_pos)
        x, y = float(p.x()), float(p.y())
        arrow = self.arrow_text_at(x, y)
        if arrow:
            self._update_footer(arrow)
            self.hover_text.emit(arrow)
            self.plot_widget.setToolTip(arrow)
            return
        self.plot_widget.setToolTip("")
        f = float(self._landscape.value(np.array([x, y])))
        names = ("w", "b") if self._landscape.stochastic else ("x", "y")
        text = f"{names[0]} = {x:.4g}   {names[1]} = {y:.4g}   loss = {format_value(f)}"
        self._update_footer(text)
        self.hover_text.emit(text)

    def arrow_text_at(self, x: float, y: float) -> str:
        """Read-out of the internals arrow under view point ``(x, y)``, or ``""``."""
        runs = getattr(self, "_arrow_runs", ())
        if not (self._internals and runs):
            return ""
        px, py = self.view.viewPixelSize()
        shafts = np.array([[head, tip] for _i, head, tip in runs]) / (px, py)
        k = nearest_arrow((x / px, y / py), shafts)
        if k is None:
            return ""
        i = runs[k][0]
        labels, grads, updates, mom = self._arrow_vectors
        label = labels[i] if i < len(labels) else f"run {i + 1}"
        return arrow_readout(label, grads[i], updates[i], mom[i])

    def _update_footer(self, hover: str) -> None:
        parts = (
            [hover]
            if hover
            else ["Click: move start · Shift+click: inspect · drag: pan · wheel: zoom"]
        )
        if self._legend_text:
            parts.append(self._legend_text)
        self.footer.setText("     ".join(parts))

    # ------------------------------------------------------------------ presentation
    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        theme.style_plot(self.plot_item, scale)
        ax = self.colorbar.axis
        ax.setWidth(int(58 * scale.factor))
        ax.setTickFont(theme.font(scale.axis_pt))
        ax.label.setFont(theme.font(scale.axis_pt))
        ax.setPen(pg.mkPen(theme.MUTED))
        ax.setTextPen(pg.mkPen(theme.INK))
        self.inspect_text.setFont(theme.font(scale.axis_pt))
        self.start_marker.setLabel(
            "start", {"color": theme.INK, "offset": (10, -10), "anchor": (0, 1)}
        )
        if self._landscape is not None:
            self._place_critical_points()
        self._style_runs()
