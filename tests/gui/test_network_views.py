"""The network lab's plot items: images, bars, variance lines and axis ranges, drawn for real.

Each check compares what lands on screen (or in the item) with positions and colours worked
out by hand from the data, not with the code's own intermediate results.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.nn.stats import LayerStats
from gui import theme
from gui.panels.net_health_view import bars_path
from gui.panels.net_histogram_view import stacked_path
from gui.panels.net_image_item import RGBImageItem, lookup
from gui.panels.net_variance_view import NetVarianceView
from tests.gui.helpers import bare_plot, device_point, grab_rgb


@pytest.fixture
def plot(app, qtbot):
    return bare_plot(qtbot, (0, 4), (0, 2))


def _pixel(w, arr, x, y) -> np.ndarray:
    px, py = device_point(w, x, y)
    return arr[round(py), round(px)]


def test_lookup_takes_floor_of_value_times_table_length():
    table = np.arange(4 * 3, dtype=np.uint8).reshape(4, 3)  # entry k is (3k, 3k+1, 3k+2)
    got = lookup(np.array([0.0, 0.24, 0.25, 0.99, 1.0, 7.0, -1.0, np.nan]), table)
    # floor(4 v) clipped to [0, 3]: 0, 0, 1, 3, 3 (1.0 would be 4), 3, 0; NaN -> 0
    np.testing.assert_array_equal(got[:, 0], [0, 0, 3, 9, 9, 9, 0, 0])
    assert got.dtype == np.uint8 and got.shape == (8, 3)


def test_image_pixels_cover_their_cells_row_zero_at_the_rect_origin(plot, app):
    item = RGBImageItem()
    plot.addItem(item)
    red, green, blue, black = (255, 0, 0), (0, 200, 0), (0, 0, 255), (0, 0, 0)
    # rows are y, columns are x; row 0 sits at the rectangle's y (the bottom here)
    img = np.array([[red, green], [blue, black]], dtype=np.uint8)
    item.set_image(img)
    item.set_rect(0.0, 0.0, 4.0, 2.0)  # each pixel is a 2 x 1 cell
    app.processEvents()
    arr = grab_rgb(plot)
    np.testing.assert_array_equal(_pixel(plot, arr, 1.0, 0.5), red)
    np.testing.assert_array_equal(_pixel(plot, arr, 3.0, 0.5), green)
    np.testing.assert_array_equal(_pixel(plot, arr, 1.0, 1.5), blue)
    np.testing.assert_array_equal(_pixel(plot, arr, 3.0, 1.5), black)
    # a new image of another shape is placed on the same rectangle
    item.set_image(np.array([[green]], dtype=np.uint8))
    app.processEvents()
    arr = grab_rgb(plot)
    for x, y in ((0.3, 0.2), (3.7, 1.8)):
        np.testing.assert_array_equal(_pixel(plot, arr, x, y), green)


def test_bars_path_is_one_rectangle_per_nonzero_height():
    path = bars_path(np.array([0.5, 0.0, 1.0]), width=0.6)
    polys = path.toFillPolygons()
    assert len(polys) == 2  # the empty layer draws nothing
    rects = sorted(
        (r.left(), r.top(), r.width(), r.height()) for r in (p.boundingRect() for p in polys)
    )
    # bars centred on x = 1 and x = 3, from 0 up to their heights
    assert rects[0] == pytest.approx((0.7, 0.0, 0.6, 0.5))
    assert rects[1] == pytest.approx((2.7, 0.0, 0.6, 1.0))


def test_stacked_path_outlines_each_layer_on_its_own_baseline():
    scaled = np.array([[1.0, 0.5], [0.0, 0.25]])
    path = stacked_path(scaled, np.array([0.0, 1.0, 2.0]))
    pts = [(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())]
    # layer 1 stands on y = 1.5 and rises by 0.92 per unit; layer 2 on y = 2.5
    top1, half1 = 1.5 - 0.92, 1.5 - 0.46
    want1 = [(0, 1.5), (0, top1), (1, top1), (1, half1), (2, half1), (2, 1.5)]
    want2 = [(0, 2.5), (0, 2.5), (1, 2.5), (1, 2.5 - 0.23), (2, 2.5 - 0.23), (2, 2.5)]
    np.testing.assert_allclose(pts, want1 + want2, atol=1e-12)
    # two subpaths: the second starts with a move, not a line from the first
    assert path.elementAt(6).isMoveTo() and not path.elementAt(5).isMoveTo()


def _layer(name, act_var, theory, grad):
    h = np.full(4, 0.25)
    e = np.linspace(-1, 1, 5)
    return LayerStats(
        name, 8, 0.0, act_var, 0.0, act_var, h, e, h, e, math.nan, 0.0, grad, grad, 1.0, 1.0,
        0.1, theory, theory,
    )  # fmt: skip


def test_variance_view_draws_log10_values_and_leaves_gaps_for_missing_theory(plot, app):
    view = NetVarianceView(plot.getPlotItem())
    view.set_scale(theme.NORMAL, theme.run_style(0))
    view.set_layers(3)
    layers = (
        _layer("fc1", 1.0, math.nan, 1e-2),
        _layer("fc2", 1e-4, math.nan, 1e-3),
        _layer("fc3", 1e-6, math.nan, 10.0),
    )
    view.show(layers)
    strokes, markers = view.layer.strokes, view.layer.markers
    # no theory (NaN) -> no theory line or markers; activations and gradients: 3 each
    assert len(strokes) == 2 and len(markers) == 6
    got = np.array(sorted((m.x, m.y) for m in markers))
    want = sorted([(1.0, 0.0), (2.0, -4.0), (3.0, -6.0), (1.0, -2.0), (2.0, -3.0), (3.0, 1.0)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    lo, hi = view._range
    assert lo <= -6.0 and hi >= 1.0  # every point within the axis range
    assert view.zero_row is None


def _axis_labels(plot_item, lo, hi):
    axis = plot_item.getAxis("left")
    labels = []
    for spacing, values in axis.tickValues(lo, hi, 200):
        labels += [s for s in axis.tickStrings(values, 1.0, spacing) if s]
    return labels


def test_an_exactly_zero_variance_is_shown_as_0_not_a_tiny_power_of_ten(plot, app):
    """A zero-initialised net: activation variance exactly 0 in every hidden layer."""
    view = NetVarianceView(plot.getPlotItem())
    view.set_scale(theme.NORMAL, theme.run_style(0))
    view.set_layers(3)
    view.show((_layer("fc1", 0.0, math.nan, 1e-2), _layer("fc2", 0.0, math.nan, 1e-3),
               _layer("fc3", 0.25, math.nan, 0.0)))  # fmt: skip
    z = view.zero_row
    lo, hi = view._range
    assert z is not None and z < lo and hi - z < 10  # the axis spans the data, not 300 decades
    on_zero = sorted((m.x, m.y) for m in view.layer.markers if m.y == z)
    assert [x for x, _ in on_zero] == [1.0, 2.0, 3.0]  # act fc1, fc2 and grad fc3
    (y0, y1) = plot.getPlotItem().getViewBox().viewRange()[1]
    labels = _axis_labels(plot.getPlotItem(), y0, y1)
    assert "0" in labels
    # The lowest decade labelled is near the smallest non-zero value (1e-3), no 10⁻²¹⁴.
    assert not any(s.startswith("10⁻") and len(s) > 4 for s in labels), labels
    # All zero: still a labelled 0 row, and a finite default range.
    view.show((_layer("fc1", 0.0, 0.0, 0.0), _layer("fc2", 0.0, 0.0, 0.0),
               _layer("fc3", 0.0, 0.0, 0.0)))  # fmt: skip
    assert view.zero_row is not None and all(m.y == view.zero_row for m in view.layer.markers)
