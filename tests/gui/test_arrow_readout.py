"""Hover read-out of the internals arrows: the exact vectors and their lengths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from engine.arrow_readout import arrow_readout, nearest_arrow
from tests.gui.helpers import wait_for_snapshot


def test_readout_gives_each_vector_and_its_length():
    text = arrow_readout("Adam", [3.0, -4.0], [0.6, 0.8], [np.nan, np.nan])
    assert text.startswith("Adam · ")
    assert "∇f (3, -4) |∇f| 5" in text
    assert "Δθ (0.6, 0.8) |Δθ| 1" in text
    assert "|m|" not in text  # no momentum kept: left out, not "nan"


def test_nearest_arrow_is_measured_to_the_shaft_in_pixels():
    shafts = np.array([[[0, 0], [100, 0]], [[0, 50], [0, 150]]], dtype=float)
    assert nearest_arrow((50, 5), shafts) == 0  # 5 px above the middle of the first
    assert nearest_arrow((3, 120), shafts) == 1
    assert nearest_arrow((120, 0), shafts) is None  # 20 px past the tip
    assert nearest_arrow((50, 30), shafts) is None
    assert nearest_arrow((0, 0), np.zeros((0, 2, 2))) is None


def test_hovering_an_arrow_shows_its_numbers(make_window, qtbot):
    _window, lab = make_window()
    lab.act_internals.trigger()
    lab.bridge.step_once(5)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step == 5)
    surface = lab.surface
    arrow = surface.arrows("update")[2]  # run 3's update arrow
    mid = ((arrow.x[0] + arrow.x[1]) / 2, (arrow.y[0] + arrow.y[1]) / 2)
    # run 3 is the arrow nearest that point unless another crosses it; find whose it is
    i = next(
        k
        for k in range(len(snap.positions))
        if tuple(snap.positions[k]) == (arrow.x[0], arrow.y[0])
    )
    scene = surface.view.mapViewToScene(QPointF(*mid))
    surface._on_mouse_moved(scene)
    text = surface.plot_widget.toolTip()
    assert text in surface.footer.text()
    g = np.asarray(snap.grads[i])
    u = np.asarray(snap.updates[i])
    assert snap.labels[i] in text
    assert f"|∇f| {math.hypot(*g):.4g}" in text
    assert f"|Δθ| {math.hypot(*u):.4g}" in text
    # away from every arrow: the usual position read-out
    x0, x1, y0, y1 = surface.view_window()
    far = surface.view.mapViewToScene(QPointF(x0 + 0.01 * (x1 - x0), y0 + 0.01 * (y1 - y0)))
    surface._on_mouse_moved(far)
    assert "loss =" in surface.footer.text() and "|∇f|" not in surface.footer.text()
    lab.act_internals.trigger()  # arrows hidden: no read-out
    surface._on_mouse_moved(scene)
    assert "|∇f|" not in surface.footer.text()


@pytest.fixture(autouse=True)
def _no_numpy_noise():
    with np.errstate(all="raise"):
        yield
