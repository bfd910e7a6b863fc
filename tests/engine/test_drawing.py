"""Drawing geometry (engine.drawing) against hand-worked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.drawing import (
    arrow_segments,
    contour_segments,
    edge_pin,
    region_image,
    simplify_polyline,
)


def test_contours_of_a_paraboloid_are_circles():
    xs = np.linspace(-2, 2, 201)
    ys = np.linspace(-2, 2, 161)
    z = xs[None, :] ** 2 + ys[:, None] ** 2
    seg = contour_segments(z, np.array([1.0, 2.25]), xs, ys)
    r = np.hypot(seg[:, 0], seg[:, 1])
    # Linear interpolation along cell edges: within a fraction of the grid step.
    near1, near15 = np.abs(r - 1.0) < 0.05, np.abs(r - 1.5) < 0.05
    assert np.all(near1 | near15)
    assert near1.sum() > 100 and near15.sum() > 100
    assert np.max(np.abs(r[near1] - 1.0)) < 4e-4
    # Segments come in pairs of end points that are one grid cell apart at most.
    d = np.hypot(*(seg[1::2] - seg[0::2]).T)
    assert d.max() <= math.hypot(0.02, 0.025) + 1e-12


def test_contour_of_a_plane_is_exact():
    xs = np.linspace(0, 1, 11)
    ys = np.linspace(0, 1, 11)
    z = xs[None, :] + 0 * ys[:, None]  # f = x
    seg = contour_segments(z, np.array([0.35]), xs, ys)
    np.testing.assert_allclose(seg[:, 0], 0.35, atol=1e-15)
    assert seg[:, 1].min() == 0.0 and seg[:, 1].max() == 1.0


def test_contours_skip_non_finite_cells():
    xs = np.linspace(0, 1, 5)
    z = np.tile(xs, (5, 1))
    z[2, 2] = np.nan
    seg = contour_segments(z, np.array([0.6]), xs, xs)
    assert np.isfinite(seg).all()


def test_arrow_has_a_shaft_and_a_symmetric_head():
    seg = arrow_segments(np.array([[0.0, 0.0]]), np.array([[10.0, 0.0]]), (0.1, 0.1), head_px=5)
    assert seg.shape == (6, 2)
    np.testing.assert_allclose(seg[0], (0, 0))
    np.testing.assert_allclose(seg[1], (10, 0))
    # Head strokes start at the tip, go back 5 px = 0.5 units at +-152 degrees.
    for k, sign in ((3, 1), (5, -1)):
        v = seg[k] - seg[1]
        assert math.hypot(*v) == pytest.approx(0.5)
        assert math.degrees(math.atan2(v[1], v[0])) == pytest.approx(sign * 152)


def test_tiny_and_invalid_arrows_are_dropped():
    seg = arrow_segments(
        np.array([[0.0, 0.0], [0.0, 0.0], [np.nan, 0.0]]),
        np.array([[0.01, 0.0], [1.0, 1.0], [1.0, 1.0]]),
        (0.1, 0.1),
    )
    assert seg.shape == (6, 2)


def test_simplify_keeps_ends_and_one_point_per_pixel():
    x = np.linspace(0, 10, 10001)  # 10 px long at 1 unit per px
    y = np.zeros_like(x)
    keep = simplify_polyline(x, y, 1.0, 1.0)
    assert keep[0] == 0 and keep[-1] == 10000
    assert 10 <= len(keep) <= 12
    # A zig-zag keeps its corners' worth of points.
    zx = np.arange(100.0)
    zy = np.where(np.arange(100) % 2, 5.0, 0.0)
    assert len(simplify_polyline(zx, zy, 1.0, 1.0)) == 100


def test_a_point_inside_the_view_is_not_pinned():
    assert edge_pin((1.0, 2.0), (0, 10, 0, 10), (0.1, 0.1), 20.0) == ((1.0, 2.0), False)
    assert edge_pin((math.nan, 2.0), (0, 10, 0, 10), (0.1, 0.1), 20.0)[1] is False


@pytest.mark.parametrize("point", [(100.0, 5.0), (-3.0, 40.0), (30.0, -30.0), (5.0, 1e300)])
def test_a_point_outside_is_pinned_inside_the_inset_edge_on_the_way_to_it(point):
    view, pixel, inset = (0.0, 10.0, 0.0, 10.0), (0.05, 0.05), 20.0  # inset = 1 data unit
    (x, y), off = edge_pin(point, view, pixel, inset)
    assert off
    # On the inset rectangle [1, 9] x [1, 9], on one of its sides...
    assert 1 - 1e-9 <= x <= 9 + 1e-9 and 1 - 1e-9 <= y <= 9 + 1e-9
    assert min(abs(x - 1), abs(x - 9), abs(y - 1), abs(y - 9)) < 1e-9
    # ...and on the ray from the centre to the point (cross product zero, same direction).
    d = np.array(point) - 5.0
    d /= np.abs(d).max()  # the direction is what counts (and 1e300 squared overflows)
    e = np.array([x, y]) - 5.0
    assert abs(d[0] * e[1] - d[1] * e[0]) <= 1e-9 * np.hypot(*d) * np.hypot(*e)
    assert d @ e > 0


def test_region_image_is_white_where_unsure_and_tinted_where_sure():
    rgb = np.array([[0.0, 0.0, 255.0], [255.0, 0.0, 0.0]])
    prob = np.array([[[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]]])
    img = region_image(prob, rgb)
    np.testing.assert_array_equal(img[0, 0], [255, 255, 255])
    # certain class 0: 255 (1 - a) + colour a with a = 0.55 -> blue channel stays 255
    a = 0.55
    pale = int(255 * (1 - a))  # the image is truncated to whole levels
    np.testing.assert_array_equal(img[0, 1], [pale, pale, 255])
    np.testing.assert_array_equal(img[0, 2], [255, pale, pale])
