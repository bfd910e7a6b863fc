"""StrokeLayer draws polylines and markers where the view's transform puts them."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPen, QTransform

from gui.stroke_layer import (
    DEVICE_LIMIT,
    MAX_WIDTH,
    OFFSETS,
    GrowingStroke,
    GrowingStrokeLayer,
    Marker,
    Stroke,
    StrokeLayer,
    cosmetic,
    offsets_for,
    symbol_path,
    to_device,
)
from tests.gui.helpers import bare_plot, device_point, grab_rgb

RED = QColor(220, 0, 0)
BLUE = QColor(0, 0, 220)


def test_to_device_is_the_affine_map_clamped():
    t = QTransform(2.0, 0.0, 0.0, -3.0, 10.0, 20.0)  # m11 m12 m21 m22 dx dy
    x = np.array([0.0, 1.0, 2.0, np.nan, 1e30])
    y = np.array([0.0, 1.0, -1.0, 0.0, 0.0])
    d = to_device(x, y, t)
    for i in range(3):
        p = t.map(QPointF(x[i], y[i]))
        assert d[i, 0] == pytest.approx(p.x()) and d[i, 1] == pytest.approx(p.y())
    assert d[3, 0] == -DEVICE_LIMIT  # NaN pinned, not passed to Qt
    assert d[4, 0] == DEVICE_LIMIT
    assert np.isfinite(d).all()


def test_offsets_make_wider_lines_and_stay_in_range():
    assert offsets_for(0.2) == OFFSETS[1] and offsets_for(float("nan")) == OFFSETS[1]
    assert offsets_for(99) == OFFSETS[MAX_WIDTH]
    assert offsets_for(2.4) == OFFSETS[2.5] and offsets_for(3.8) == OFFSETS[4]
    spans = [max(dy for _, dy in OFFSETS[k]) - min(dy for _, dy in OFFSETS[k]) for k in OFFSETS]
    assert spans == sorted(spans) and spans[0] == 0.0


@pytest.mark.parametrize("width", [1.0, 2.5, 3.0, 4.0, 5.0, 6.0])
def test_a_line_inks_as_many_pixels_across_as_its_width(app, qtbot, width):
    """Measured on screen: the ink summed across a level or upright line is its width
    (within half a pixel), and a line at 45 degrees is not much thinner."""
    plot = bare_plot(qtbot, (0, 100), (0, 100), size=(300, 300))
    layer = StrokeLayer()
    plot.addItem(layer)
    pen = cosmetic(QPen(QColor(0, 0, 0)))
    ink = {}
    for name, x, y in (
        ("level", (10.0, 90.0), (50.0, 50.0)),
        ("upright", (50.0, 50.0), (10.0, 90.0)),
        ("diagonal", (10.0, 90.0), (10.0, 90.0)),
    ):
        layer.set_content([Stroke(np.array(x), np.array(y), pen, offsets_for(width))])
        app.processEvents()
        dark = (255.0 - grab_rgb(plot).mean(axis=2)) / 255.0
        if name == "level":
            ink[name] = dark[:, 150].sum()
        elif name == "upright":
            ink[name] = dark[150, :].sum()
        else:  # a row crosses a 45-degree line over sqrt(2) times its width
            ink[name] = dark[150, :].sum() / np.sqrt(2)
    assert abs(ink["level"] - width) <= 0.5 and abs(ink["upright"] - width) <= 0.5, ink
    assert ink["diagonal"] >= 0.7 * width, ink


def test_a_dotted_line_stays_dotted_when_bold(app, qtbot):
    """RMSprop's dotted and Adam's dash-dot styles at a projector's 4 px: along the line,
    ink and gap alternate, each several pixels long, and the ink is the run's full colour."""
    from gui.theme import run_style

    plot = bare_plot(qtbot, (0, 100), (0, 100), size=(400, 300))
    layer = StrokeLayer(antialias=False)
    plot.addItem(layer)
    for index in (2, 3):  # dotted, dash-dot
        st = run_style(index)
        pen = cosmetic(st.pen(width=1.0, dash_scale=4.0))
        layer.set_content([Stroke(np.array([5.0, 95.0]), np.array([50.0, 50.0]), pen, OFFSETS[4])])
        app.processEvents()
        arr = grab_rgb(plot)
        _, y = device_point(plot, 0.0, 50.0)
        row = _near(arr[round(y)], st.qcolor(), tol=40)[40:360]
        assert 0.25 < row.mean() < 0.8, row.mean()
        edges = np.flatnonzero(np.diff(row.astype(int)))
        pieces = np.diff(edges)
        assert len(pieces) >= 10 and pieces.min() >= 3, pieces


@pytest.fixture
def plot(app, qtbot):
    return bare_plot(qtbot, (0, 10), (0, 10))


def _near(arr, colour: QColor, tol=60):
    rgb = np.array([colour.red(), colour.green(), colour.blue()])
    return np.abs(arr.astype(int) - rgb).sum(axis=-1) < tol


def test_strokes_and_markers_land_on_their_data_positions(plot, app, qtbot):
    layer = StrokeLayer(antialias=False)
    plot.addItem(layer)
    pen = cosmetic(QPen(RED, 5.0))
    assert pen.widthF() == 1.0 and pen.isCosmetic()
    x = np.array([1.0, 9.0, np.nan])  # a NaN point must not break the drawing
    y = np.array([5.0, 5.0, 5.0])
    marker = Marker(5.0, 2.0, symbol_path("s", 12.0), QPen(Qt.PenStyle.NoPen), pg.mkBrush(BLUE))
    layer.set_content([Stroke(x[:2], y[:2], pen, OFFSETS[3])], [marker])
    app.processEvents()
    arr = grab_rgb(plot)
    red = _near(arr, RED)
    x0, y5 = device_point(plot, 1.0, 5.0)
    x1, _ = device_point(plot, 9.0, 5.0)
    rows = np.flatnonzero(red.any(axis=1))
    # A three-pixel line centred on the row of y = 5, spanning x = 1..9 on screen.
    assert rows.min() >= round(y5) - 2 and rows.max() <= round(y5) + 2 and len(rows) >= 2
    cols = np.flatnonzero(red.any(axis=0))
    assert abs(cols.min() - x0) <= 2 and abs(cols.max() - x1) <= 2
    blue = np.argwhere(_near(arr, BLUE))
    mx, my = device_point(plot, 5.0, 2.0)
    cy, cx = blue.mean(axis=0)
    assert abs(cx - mx) <= 1.5 and abs(cy - my) <= 1.5
    assert 8 <= blue[:, 1].max() - blue[:, 1].min() + 1 <= 14  # a 12-pixel square

    # New content replaces the old; the NaN stroke draws (pinned), nothing raises.
    layer.set_content([Stroke(x, y, pen)], [])
    app.processEvents()
    arr = grab_rgb(plot)
    assert not _near(arr, BLUE).any()
    assert _near(arr, RED).any()


def test_polygons_are_reused_across_frames(plot, app):
    layer = StrokeLayer()
    plot.addItem(layer)
    pen = cosmetic(QPen(RED))
    x = np.linspace(0, 10, 50)
    for k in range(5):
        layer.set_content([Stroke(x, np.full(50, float(k)), pen)], [])
        plot.grab()
    assert len(layer._polys) == 1
    poly, view = layer._polys[0]
    assert len(poly) == 50 and view.shape == (50, 2)


def _grow_image(plot, app, layer, chunks, pen):
    for x, y, stamp in chunks:
        layer.set_content([GrowingStroke(0, x, y, stamp, pen)])
        app.processEvents()
        plot.repaint()
    return grab_rgb(plot)


def test_a_growing_line_drawn_in_pieces_looks_like_one_drawn_whole(plot, app):
    pen = cosmetic(QPen(RED))
    pen.setDashPattern([6.0, 3.0])
    t = np.linspace(0.0, 1.0, 301)
    x, y = 1 + 8 * t, 5 + 3 * np.sin(6 * t)
    whole = GrowingStrokeLayer(antialias=False)
    plot.addItem(whole)
    img_whole = _grow_image(plot, app, whole, [(x, y, t)], pen)
    plot.removeItem(whole)
    pieces = GrowingStrokeLayer(antialias=False)
    plot.addItem(pieces)
    # Each update passes the whole line so far; only the new points get drawn.
    chunks = [(x[:k], y[:k], t[:k]) for k in (40, 41, 150, 301)]
    img_pieces = _grow_image(plot, app, pieces, chunks, pen)
    assert pieces.full_redraws == 1  # one full draw, then only additions
    a, b = _near(img_whole, RED), _near(img_pieces, RED)
    assert a.sum() > 200
    # Nearly the same pixels: the dashes carry on across the joins (dashes that lost their
    # phase at the joins measured 223 of 268 pixels apart; carried on, 29).
    assert (a ^ b).sum() <= 0.2 * a.sum()


def test_a_growing_line_starts_over_when_its_stamps_go_back_or_the_view_moves(plot, app):
    pen = cosmetic(QPen(RED))
    layer = GrowingStrokeLayer(antialias=False)
    plot.addItem(layer)
    x = np.array([1.0, 9.0])
    _grow_image(plot, app, layer, [(x, np.array([8.0, 8.0]), np.array([0.0, 10.0]))], pen)
    # A reset: stamps start again from 0, the old line must vanish.
    arr = _grow_image(plot, app, layer, [(x, np.array([2.0, 2.0]), np.array([0.0, 1.0]))], pen)
    red_rows = np.flatnonzero(_near(arr, RED).any(axis=1))
    _, y2 = device_point(plot, 1.0, 2.0)
    assert abs(red_rows.mean() - y2) <= 2
    assert layer.full_redraws == 2
    # Zooming changes the device transform: everything is drawn again, in the new place.
    plot.getPlotItem().getViewBox().setRange(xRange=(0, 20), yRange=(0, 20), padding=0)
    app.processEvents()
    plot.repaint()
    assert layer.full_redraws == 3
    arr = grab_rgb(plot)
    cols = np.flatnonzero(_near(arr, RED).any(axis=0))
    x9, _ = device_point(plot, 9.0, 2.0)
    assert abs(cols.max() - x9) <= 2
