"""The loss surface in 3-D: a rotatable surface with the race riding on it.

Height is what the 2-D heatmap colours (``log10(f - f*)`` on surfaces with a log colour
scale, else ``f``), clipped to the same kind of percentile range, and the surface is coloured
with the heatmap's colour map, so both views read alike. The surface and its contour lines are
built once per landscape. Per frame only the runs change: each trajectory is a
:class:`GrowingLine` whose vertex buffer is allocated once and receives only the new points;
heads are one small scatter item.

Only create this panel after :func:`gui.gl_check.opengl_available` said yes: on a platform
without OpenGL, creating the GL widget can abort the process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage, QMatrix4x4, QPainter, QPixmap
from PySide6.QtOpenGL import QOpenGLWindow
from PySide6.QtWidgets import QWidget

from engine.drawing import contour_segments
from engine.landscapes import Landscape
from gui import theme
from gui.gl_check import opengl_available  # noqa: F401  (re-exported for the labs)
from gui.panels.card import Card

GRID_N = 100  # surface samples along the longer side
N_CONTOURS = 14
CLIP_PERCENTILES = (0.5, 99.5)  # the 2-D heatmap's colour levels
BOX_HEIGHT = 0.55  # height of the surface box relative to its longer side
LINE_CAPACITY = 4096  # first vertex buffer size per run; doubles as needed
LINE_MAX_POINTS = 200_000  # past this a line restarts from the race's bounded history
CAMERA = {"distance": 4.4, "elevation": 32.0, "azimuth": -62.0}
HINT = "Drag: rotate · wheel: zoom · Ctrl+drag: pan"

# Depth test on, and the surface pushed back a little in depth so lines drawn exactly on it
# (contours, trajectories) win the depth test instead of flickering in and out (z-fighting).
_SURFACE_GL = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: False,
    GL.GL_CULL_FACE: False,
    GL.GL_POLYGON_OFFSET_FILL: True,
    "glPolygonOffset": (1.0, 2.0),
}
_LINE_GL = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: True,
    "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
    "glDepthFunc": (GL.GL_LEQUAL,),
}
# Heads and critical points are always in sight, even behind a ridge.
_MARKER_GL = {
    GL.GL_DEPTH_TEST: False,
    GL.GL_BLEND: True,
    "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
}

# The heatmap's pale colours under soft light from the viewer's upper left: enough shading
# to read the shape, never dark enough to hide a run colour.
_LIT = gl.shaders.ShaderProgram(
    "descent-lit",
    [
        gl.shaders.VertexShader(
            """
            uniform mat4 u_mvp;
            uniform mat3 u_normal;
            attribute vec4 a_position;
            attribute vec3 a_normal;
            attribute vec4 a_color;
            varying vec4 v_color;
            varying vec3 v_normal;
            void main() {
                v_normal = normalize(u_normal * a_normal);
                v_color = a_color;
                gl_Position = u_mvp * a_position;
            }
            """
        ),
        gl.shaders.FragmentShader(
            """
            #ifdef GL_ES
            precision mediump float;
            #endif
            varying vec4 v_color;
            varying vec3 v_normal;
            void main() {
                float p = abs(dot(normalize(v_normal), normalize(vec3(-0.4, 0.5, 1.0))));
                gl_FragColor = vec4(v_color.rgb * (0.62 + 0.38 * p), v_color.a);
            }
            """
        ),
    ],
)


@dataclass(frozen=True)
class HeightMap:
    """From loss to drawn height: the 2-D heatmap's display value, clipped to its levels.

    Attributes
    ----------
    is_log : bool
        Heights are ``log10(max(f - offset, floor))`` when true, else ``f``.
    offset : float
        The ``f*`` subtracted on a log scale (0 when linear).
    floor : float
        Smallest gap ``f - offset`` a log height resolves.
    lo, hi : float
        Heights are clipped to ``[lo, hi]``; non-finite losses go to ``hi``.
    """

    is_log: bool
    offset: float
    floor: float
    lo: float
    hi: float

    def __call__(self, f: np.ndarray) -> np.ndarray:
        """Heights of losses ``f`` (any shape), float64."""
        f = np.asarray(f, dtype=np.float64)
        with np.errstate(all="ignore"):
            d = np.log10(np.maximum(f - self.offset, self.floor)) if self.is_log else f
        return np.clip(np.where(np.isfinite(d), d, self.hi), self.lo, self.hi)

    @classmethod
    def for_grid(cls, z: np.ndarray, landscape: Landscape) -> HeightMap:
        """The map for a sampled surface ``z`` (any shape), as the 2-D view scales it."""
        finite = z[np.isfinite(z)]
        is_log = bool(landscape.log_scale)
        offset, floor = 0.0, 0.0
        if is_log:
            offset = landscape.f_min
            if not math.isfinite(offset):
                offset = float(finite.min()) if finite.size else 0.0
            span = float(finite.max() - offset) if finite.size else 1.0
            floor = max(span * 1e-12, 1e-300)
        raw = cls(is_log, offset, floor, -math.inf, math.inf)
        with np.errstate(all="ignore"):
            d = raw(finite) if finite.size else np.zeros(1)
        d = d[np.isfinite(d)]
        lo, hi = np.percentile(d, CLIP_PERCENTILES) if d.size else (0.0, 1.0)
        lo, hi = float(lo), float(hi)
        if not hi > lo:
            hi = lo + 1.0
        return cls(is_log, offset, floor, lo, hi)

    def label(self) -> str:
        if not self.is_log:
            return "height: loss f"
        if self.offset == 0:
            return "height: log10 f"
        return f"height: log10(f − f*), f* = {self.offset:.6g}"


class GrowingLine(gl.GLLinePlotItem):
    """A line strip that only grows: new points are written behind the old ones in a vertex
    buffer allocated for many more, so a frame uploads what it added and nothing else.
    """

    def __init__(self, **kwds) -> None:
        super().__init__(**kwds)
        self._buf = np.empty((LINE_CAPACITY, 3), dtype=np.float32)
        self._n = 0
        self._uploaded = 0  # points already in the GPU buffer
        self._gpu_capacity = 0

    def __len__(self) -> int:
        return self._n

    def points(self) -> np.ndarray:
        """The points drawn, shape (n, 3), in data coordinates (x, y, height)."""
        return self._buf[: self._n]

    def clear(self) -> None:
        self._n = 0
        self._uploaded = 0
        self.pos = None
        self.update()

    def append(self, pts: np.ndarray) -> None:
        """Add points, shape (k, 3), at the end of the line."""
        k = len(pts)
        if k == 0:
            return
        need = self._n + k
        if need > len(self._buf):
            grown = np.empty((max(need, 2 * len(self._buf)), 3), dtype=np.float32)
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n : need] = pts
        self._n = need
        # ``pos`` is a view: GLLinePlotItem draws len(pos) vertices from the GPU buffer.
        self.pos = self._buf[:need]
        self.dirty_bits |= gl.items.GLLinePlotItem.DirtyFlag.POSITION
        self.update()

    def upload_vbo(self, vbo, arr) -> None:
        if vbo is not self.m_vbo_position or arr is None:
            super().upload_vbo(vbo, arr)
            return
        if not vbo.isCreated():
            vbo.create()
        vbo.bind()
        if self._gpu_capacity != len(self._buf):
            vbo.allocate(self._buf.nbytes)
            self._gpu_capacity = len(self._buf)
            self._uploaded = 0
        start = min(self._uploaded, self._n)
        new = self._buf[start : self._n]
        if len(new):
            vbo.write(start * 12, new, new.nbytes)
        self._uploaded = self._n
        vbo.release()


class SurfaceView(GLViewMixin, QOpenGLWindow):
    """The GL view: pyqtgraph's GLViewWidget behaviour on a ``QOpenGLWindow``.

    A native GL window in a widget container, not a ``QOpenGLWidget``: a QOpenGLWidget makes
    Qt composite the whole top-level window through OpenGL every frame, which with software GL
    (Mesa llvmpipe) at 1920x1080 halves the frame rate (bench/gui_bench_3d.py measured 4 vs
    8.5 frames/s on the same surface). Counts the frames it paints (``paints``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintGL(self, *args, **kwargs) -> None:
        super().paintGL(*args, **kwargs)
        self.paints += 1


def _rgba(colour: str | QColor, alpha: float = 1.0) -> tuple[float, float, float, float]:
    c = QColor(colour)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


class Surface3DPanel(Card):
    """A rotatable 3-D surface of one landscape with the race drawn on it.

    Fed like :class:`gui.panels.landscape_panel.LandscapePanel`: ``set_landscape``, then
    ``set_runs`` when the set of runs changes, then ``update_snapshot`` every frame.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Loss surface · 3-D", parent)
        self._scale = theme.NORMAL
        self._landscape: Landscape | None = None
        self._heights: HeightMap | None = None
        self._styles: list[theme.RunStyle] = []
        self._lines: list[GrowingLine] = []
        self._last_step: list[int] = []
        self._generation: int | None = None
        self._last_snapshot = None
        self._heads_xyz = np.empty((0, 3))
        self._transform = QMatrix4x4()

        self.view = SurfaceView()
        self.view.setBackgroundColor(theme.PANEL_BG)
        self.view.setCameraPosition(**CAMERA)
        self.view_container = QWidget.createWindowContainer(self.view, self)
        self.view_container.setMinimumSize(120, 90)
        self.add_body(self.view_container)
        self.add_footer()

        self.surface = gl.GLSurfacePlotItem(
            shader=_LIT, computeNormals=True, smooth=True, glOptions=_SURFACE_GL
        )
        self.contours = gl.GLLinePlotItem(mode="lines", glOptions=_LINE_GL)
        self.contours.setData(color=tuple(c / 255 for c in theme.CONTOUR_COLOUR), width=1.0)
        # Markers draw after everything else (higher depth value) and ignore the depth test.
        self.critical = gl.GLScatterPlotItem(pxMode=True, glOptions=_MARKER_GL)
        self.critical.setDepthValue(10)
        self.start_marker = gl.GLScatterPlotItem(pxMode=True, glOptions=_MARKER_GL)
        self.start_marker.setDepthValue(11)
        # A head is a dark disc under a coloured one: pale colours stay visible on the map.
        self.head_rims = gl.GLScatterPlotItem(pxMode=True, glOptions=_MARKER_GL)
        self.head_rims.setDepthValue(20)
        self.heads = gl.GLScatterPlotItem(pxMode=True, glOptions=_MARKER_GL)
        self.heads.setDepthValue(21)
        for item in (
            self.surface,
            self.contours,
            self.critical,
            self.start_marker,
            self.head_rims,
            self.heads,
        ):
            item.setVisible(False)
            self.view.addItem(item)
        self.apply_scale(theme.NORMAL)

    # ------------------------------------------------------------------ landscape
    def set_landscape(self, landscape: Landscape) -> None:
        """Show a new surface (its default window) and forget the trajectories drawn."""
        self._landscape = landscape
        self.set_title(f"Loss surface · 3-D · {landscape.title}")
        xmin, xmax, ymin, ymax = landscape.window
        aspect = (ymax - ymin) / (xmax - xmin)
        nx = GRID_N if aspect <= 1 else max(16, round(GRID_N / aspect))
        ny = max(16, round(GRID_N * aspect)) if aspect <= 1 else GRID_N
        xs, ys, z = landscape.grid(nx, ny)
        hm = HeightMap.for_grid(z, landscape)
        self._heights = hm
        h = hm(z)  # (ny, nx), row-major like the 2-D heatmap
        t = (h - hm.lo) / (hm.hi - hm.lo)
        colours = theme.heatmap_colormap().map(t.T, mode="float")  # (nx, ny, 4)
        # GLSurfacePlotItem takes z[i, j] at (x[i], y[j]): the transpose of the grid.
        self.surface.setData(x=xs, y=ys, z=h.T, colors=colours)
        levels = np.linspace(hm.lo, hm.hi, N_CONTOURS + 2)[1:-1]
        # One call per level, so each segment's height is its level exactly.
        parts = []
        for level in levels:
            seg = contour_segments(h, np.array([level]), xs, ys)
            parts.append(np.column_stack([seg, np.full(len(seg), level)]))
        pts = np.concatenate(parts) if parts else np.empty((0, 3))
        self.contours.setData(pos=pts)
        self.contours.setVisible(len(pts) > 0)
        self._place_box()
        self._place_critical_points()
        self.surface.setVisible(True)
        self.footer.setText(f"{hm.label()}     {HINT}")
        self.restart_trails()
        if self._last_snapshot is not None:
            self.update_snapshot(self._last_snapshot)

    def height_map(self) -> HeightMap | None:
        """The map from loss to height in use (None before a landscape is set)."""
        return self._heights

    def surface_grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The surface drawn: xs (nx,), ys (ny,) and heights (ny, nx), row-major."""
        return self.surface._x, self.surface._y, np.asarray(self.surface._z).T

    def _place_box(self) -> None:
        # Every item keeps data coordinates (x, y, height); one transform fits them into
        # a box whose longer side is 2 with equal x and y scales, as the 2-D view has.
        xmin, xmax, ymin, ymax = self._landscape.window
        hm = self._heights
        s = 2.0 / max(xmax - xmin, ymax - ymin)
        sz = 2.0 * BOX_HEIGHT / (hm.hi - hm.lo)
        tr = QMatrix4x4()
        tr.scale(s, s, sz)
        tr.translate(-(xmin + xmax) / 2, -(ymin + ymax) / 2, -(hm.lo + hm.hi) / 2)
        self._transform = tr
        for item in self._items():
            item.setTransform(tr)

    def _items(self) -> list:
        return [
            self.surface,
            self.contours,
            self.critical,
            self.start_marker,
            self.head_rims,
            self.heads,
            *self._lines,
        ]

    def _place_critical_points(self) -> None:
        ls = self._landscape
        points = list(ls.minima) + list(ls.saddles)
        if not points:
            self.critical.setVisible(False)
            return
        xy = np.array([[p.x, p.y] for p in points], dtype=float)
        pts = np.column_stack([xy, self._heights(ls.value(xy))])
        colour = np.array(
            [_rgba("#ffffff") if "minimum" in p.kind else _rgba(theme.INK) for p in points]
        )
        self.critical.setData(pos=pts, color=colour, size=self._scale.marker)
        self.critical.setVisible(True)

    def reset_view(self) -> None:
        """Back to the default camera."""
        self.view.setCameraPosition(pos=gl.Vector(0, 0, 0), **CAMERA)

    # ------------------------------------------------------------------ runs
    def set_runs(self, styles: list[theme.RunStyle]) -> None:
        """Create the per-run lines (only when the set of runs changes)."""
        for line in self._lines:
            self.view.removeItem(line)
        self._styles = list(styles)
        self._lines = []
        for _ in styles:
            line = GrowingLine(glOptions=_LINE_GL, mode="line_strip", antialias=True)
            line.setTransform(self._transform)
            line.setDepthValue(5)
            self.view.addItem(line)
            self._lines.append(line)
        self._last_step = [-1] * len(styles)
        self._style_runs()

    def _style_runs(self) -> None:
        width = float(self._scale.thickness + 1)
        for line, st in zip(self._lines, self._styles, strict=True):
            line.setData(color=_rgba(st.colour), width=width)
        n = len(self._styles)
        self._head_colours = np.array([_rgba(st.colour) for st in self._styles]).reshape(n, 4)
        self._rim_colours = np.array(
            [_rgba(theme.INK if st.colour != "#000000" else "#ffffff") for st in self._styles]
        ).reshape(n, 4)

    def restart_trails(self) -> None:
        """The race starts over: draw the trajectories afresh from the next snapshot."""
        for line in self._lines:
            line.clear()
        self._last_step = [-1] * len(self._lines)

    def line_points(self, i: int) -> np.ndarray:
        """Run ``i``'s trajectory as drawn, shape (n, 3): x, y and height."""
        return self._lines[i].points()

    def head_points(self) -> np.ndarray:
        """Every run's head as drawn, shape (n_runs, 3): x, y and height."""
        return self._heads_xyz

    def head_position(self, i: int) -> tuple[float, float]:
        """Where run ``i``'s head marker is drawn, in data coordinates (x, y)."""
        return float(self._heads_xyz[i, 0]), float(self._heads_xyz[i, 1])

    def update_snapshot(self, snap) -> None:
        """Draw one frame of the race: trajectories grow and heads move.

        Parameters
        ----------
        snap : engine.runs.RaceSnapshot
            ``positions`` (n_runs, 2), ``status`` and ``histories`` are read.
        """
        self._last_snapshot = snap
        if self._landscape is None or len(self._lines) != snap.n_runs:
            return
        if snap.generation != self._generation:
            self._generation = snap.generation
            self.restart_trails()
        xmin, xmax, ymin, ymax = self._landscape.window
        lo, hi = np.array([xmin, ymin]), np.array([xmax, ymax])
        hm = self._heights
        for i, line in enumerate(self._lines):
            hist = snap.histories[i]
            m = len(hist)
            if m == 0:
                continue
            steps = hist.steps
            last = self._last_step[i]
            if steps[-1] < last or len(line) + m > LINE_MAX_POINTS:
                # An older race, or a line grown too long: start over from the history.
                line.clear()
                last = -1
            k0 = int(np.searchsorted(steps, last, side="right"))
            if k0 >= m:
                continue
            # Outside the window there is no surface: such points ride its edge.
            xy = np.minimum(np.maximum(hist.xy[k0:], lo), hi)
            line.append(np.column_stack([xy, hm(hist.loss[k0:])]))
            self._last_step[i] = int(steps[-1])
        pos = np.minimum(np.maximum(np.asarray(snap.positions, dtype=float), lo), hi)
        self._heads_xyz = np.column_stack([pos, hm(self._landscape.value(pos))])
        colours = self._head_colours.copy()
        diverged = np.array([s == "diverged" for s in snap.status])
        colours[diverged] = _rgba("#ffffff")
        size = self._scale.marker * 1.3
        self.heads.setData(pos=self._heads_xyz, color=colours, size=size)
        self.head_rims.setData(pos=self._heads_xyz, color=self._rim_colours, size=size + 4)
        self.heads.setVisible(True)
        self.head_rims.setVisible(True)

    # ------------------------------------------------------------------ interaction
    def set_start_marker(self, xy: tuple[float, float]) -> None:
        """Mark the start point on the surface."""
        if self._landscape is None:
            return
        p = np.array([[float(xy[0]), float(xy[1])]])
        pts = np.column_stack([p, self._heights(self._landscape.value(p))])
        self.start_marker.setData(pos=pts, color=_rgba(theme.INK), size=self._scale.marker * 0.8)
        self.start_marker.setVisible(True)

    def grab_image(self) -> QImage:
        """The GL view's current frame as an image."""
        return self.view.grabFramebuffer()

    def grab_panel(self) -> QPixmap:
        """The whole panel as shown (``QWidget.grab`` leaves the native GL window blank)."""
        pix = self.grab()
        painter = QPainter(pix)
        frame = self.grab_image()
        frame.setDevicePixelRatio(pix.devicePixelRatio())
        painter.drawImage(self.view_container.mapTo(self, QPoint(0, 0)), frame)
        painter.end()
        return pix

    def shutdown(self) -> None:
        """Free the GPU buffers while the GL context still exists (call before deleting the
        panel; Qt otherwise frees them after the context is gone, which can crash at exit).
        """
        if self.view.context() is not None:
            self.view.makeCurrent()
            for item in self._items():
                for name in ("m_vbo_position", "m_vbo_color", "m_vbo_size"):
                    vbo = getattr(item, name, None)
                    if vbo is not None and vbo.isCreated():
                        vbo.destroy()
                self.view.removeItem(item)
            self.view.doneCurrent()
        self._lines = []
        self.view_container.setParent(None)
        self.view_container.deleteLater()

    # ------------------------------------------------------------------ presentation
    def apply_scale(self, scale: theme.Scale) -> None:
        """Line widths and marker sizes for ``scale`` (presentation mode enlarges them)."""
        self._scale = scale
        if self._landscape is not None:
            self._place_critical_points()
        self._style_runs()
        if self._last_snapshot is not None:
            self.update_snapshot(self._last_snapshot)

    def set_presentation(self, on: bool) -> None:
        self.apply_scale(theme.PRESENTATION if on else theme.NORMAL)
