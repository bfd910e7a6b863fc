"""Drawn on the loss surface: each head's Hessian eigenvectors and schedule-free's points.

* A cross at every head: the two eigenvectors of the exact 2x2 Hessian, each arm as long as
  its eigenvalue relative to the larger of the two (the view's 7 % for the larger), solid
  for positive curvature, dashed red for negative (a saddle direction).
* For a schedule-free AdamW run: its base sequence z (triangle) and averaged iterate x
  (square), joined through y (the head, where the gradient is taken; y = β₁x + (1−β₁)z).

Both come with the snapshot (:class:`engine.race_views.StabilityView`,
``RaceSnapshot.sf_points``); nothing is computed here but the drawing.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui import theme

ARM = 0.07  # the larger eigenvalue's arm, as a fraction of the view's smaller side
NEGATIVE = "#d55e00"  # Okabe-Ito vermillion


def cross_segments(
    heads: np.ndarray, values: np.ndarray, vectors: np.ndarray, arm: float
) -> tuple[np.ndarray, np.ndarray]:
    """Segment end points of the eigenvector crosses.

    Parameters
    ----------
    heads : ndarray, shape (n, 2)
    values : ndarray, shape (n, 2)
        Eigenvalues (ascending).
    vectors : ndarray, shape (n, 2, 2)
        ``[i, :, k]`` is the eigenvector of ``values[i, k]``.
    arm : float
        Half-length of the larger-magnitude eigenvalue's segment, in data units.

    Returns
    -------
    positive, negative : ndarray, shape (2 * m, 2)
        Pairs of end points (draw with ``connect="pairs"``), split by the eigenvalue's sign.
    """
    pos, neg = [], []
    for i in range(len(heads)):
        lam = values[i]
        big = np.max(np.abs(lam))
        if not (np.all(np.isfinite(lam)) and np.all(np.isfinite(heads[i])) and big > 0):
            continue
        for k in range(2):
            half = arm * abs(lam[k]) / big * vectors[i, :, k]
            seg = [heads[i] - half, heads[i] + half]
            (pos if lam[k] >= 0 else neg).extend(seg)
    empty = np.zeros((0, 2))
    return (np.array(pos) if pos else empty, np.array(neg) if neg else empty)


class CurvatureOverlay:
    """Items added to a plot: crosses (toggle) and schedule-free points (always)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.crosses_on = False
        self.pos_item = pg.PlotDataItem(pen=pg.mkPen(theme.INK, width=2.5), connect="pairs")
        self.neg_item = pg.PlotDataItem(
            pen=pg.mkPen(NEGATIVE, width=2.5, style=Qt.PenStyle.DashLine), connect="pairs"
        )
        self.sf_lines = pg.PlotDataItem(
            pen=pg.mkPen(theme.INK, width=1.5, style=Qt.PenStyle.DotLine), connect="pairs"
        )
        self.sf_points = pg.ScatterPlotItem(pxMode=True)
        for z, item in enumerate((self.sf_lines, self.sf_points, self.neg_item, self.pos_item)):
            item.setZValue(40 + z)
            plot.addItem(item)

    def set_crosses_visible(self, on: bool) -> None:
        self.crosses_on = bool(on)
        self.pos_item.setVisible(self.crosses_on)
        self.neg_item.setVisible(self.crosses_on)

    def update_snapshot(self, snap, window: tuple[float, float, float, float]) -> None:
        """Redraw from ``snap``; ``window`` is the view (x0, x1, y0, y1) for the arm length."""
        x0, x1, y0, y1 = window
        arm = ARM * min(abs(x1 - x0), abs(y1 - y0))
        st = getattr(snap, "stability", None)
        if self.crosses_on and st is not None and len(st.eigenvalues) == snap.n_runs:
            pos, neg = cross_segments(snap.positions, st.eigenvalues, st.eigenvectors, arm)
            self.pos_item.setData(pos[:, 0], pos[:, 1]) if len(pos) else self.pos_item.setData()
            self.neg_item.setData(neg[:, 0], neg[:, 1]) if len(neg) else self.neg_item.setData()
        pts = getattr(snap, "sf_points", None)
        if pts is None:
            self.sf_lines.setData()
            self.sf_points.clear()
            return
        rows = [i for i in range(len(pts)) if np.all(np.isfinite(pts[i]))]
        lines, spots = [], []
        for i in rows:
            y, x, z = pts[i]
            lines += [z, y, y, x]
            spots.append({"pos": tuple(x), "symbol": "s", "size": 12, "brush": "#ffffff"})
            spots.append({"pos": tuple(z), "symbol": "t", "size": 13, "brush": theme.INK})
        if lines:
            a = np.array(lines)
            self.sf_lines.setData(a[:, 0], a[:, 1])
        else:
            self.sf_lines.setData()
        self.sf_points.setData(spots, pen=pg.mkPen(theme.INK, width=1.5))
