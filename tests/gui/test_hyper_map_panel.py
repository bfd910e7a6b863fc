"""Hyperparameter map panel: the worker's map is engine.maps.hyper_map run directly, the
marker sits at the selected run's values (log10 on a log axis), and a click edits the run
through the session, one undoable edit."""

from __future__ import annotations

import math

import numpy as np

from engine.map_image import hyper_rgb
from engine.maps import Axis, hyper_map
from engine.runs import RaceConfig, RunConfig


def _computed(lab, qtbot, x, y, steps=60):
    panel = lab.show_hyper_map(compute=False)
    for row, (name, lo, hi, n, log) in ((panel.x_row, x), (panel.y_row, y)):
        row.name.setCurrentText(name)
        row.lo.setText(lo)
        row.hi.setText(hi)
        row.n.setValue(n)
        row.log.setChecked(log)
    panel.steps.setValue(steps)
    assert panel.compute()
    qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.done, timeout=20000)
    return panel


def test_small_map_equals_hyper_map_and_marker_and_click_edit_undo(make_window, qtbot):
    run = RunConfig("momentum", {"lr": 0.01, "momentum": 0.5})
    _w, lab = make_window(RaceConfig("bowl", runs=(run,), start=(1.5, 1.0)))
    # lr × momentum, lr on a log axis
    panel = _computed(
        lab, qtbot, ("lr", "0.001", "0.1", 5, True), ("momentum", "0", "0.9", 4, False)
    )
    snap = panel.snapshot
    xa, ya = Axis.logarithmic("lr", 1e-3, 0.1, 5), Axis.linear("momentum", 0.0, 0.9, 4)
    *_, direct = hyper_map(lab.landscape, run, xa, ya, start=(1.5, 1.0), steps=60)
    for field in ("positions", "loss", "outcome", "steps_to"):
        assert np.array_equal(getattr(snap, field), getattr(direct, field)), field
    assert np.allclose(snap.x_axis.values, np.geomspace(1e-3, 0.1, 5))
    # the picture is the engine's picture of that map (y up in the plot)
    assert np.array_equal(panel.image.image, hyper_rgb(direct)[::-1])
    # marker at the run's own values, the log axis in log10
    mx, my = panel.marker_position()
    assert math.isclose(mx, math.log10(0.01)) and my == 0.5
    xs, ys = panel.marker.getData()
    assert math.isclose(xs[0], math.log10(0.01)) and ys[0] == 0.5
    # a click on column 4 (lr 0.1), row 2 (momentum 0.6) edits the run, one undo restores
    values = panel.choose_pixel(4, 2)
    assert values == {"lr": float(xa.values[4]), "momentum": float(ya.values[2])}
    edited = lab.config.runs[0].resolved_hyper()
    assert edited["lr"] == xa.values[4] and edited["momentum"] == ya.values[2]
    mx, my = panel.marker_position()  # the marker follows the session
    assert math.isclose(mx, math.log10(xa.values[4])) and my == ya.values[2]
    lab.undo()
    back = lab.config.runs[0].resolved_hyper()
    assert back["lr"] == 0.01 and back["momentum"] == 0.5
    assert math.isclose(panel.marker_position()[0], math.log10(0.01))


def test_betas_axis_sets_one_item_of_betas(make_window, qtbot):
    run = RunConfig("adam", {"lr": 0.05, "betas": (0.9, 0.999)})
    _w, lab = make_window(RaceConfig("himmelblau", runs=(run,)))
    panel = _computed(
        lab, qtbot, ("lr", "0.01", "0.1", 3, True), ("beta2", "0.9", "0.999", 3, False), steps=20
    )
    assert panel.marker_position()[1] == 0.999
    panel.choose_pixel(0, 0)
    assert lab.config.runs[0].resolved_hyper()["betas"] == (0.9, 0.9)
    assert lab.config.runs[0].resolved_hyper()["lr"] == 0.01


def test_bad_axis_and_oversized_map_are_refused_in_one_line(make_window, qtbot):
    _w, lab = make_window()
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    panel = lab.show_hyper_map(compute=False)
    panel.x_row.lo.setText("abc")
    assert not panel.compute() and panel.bridge is None
    level, text = messages[-1]
    assert level == "error" and "\n" not in text and "lr" in text
    panel.x_row.lo.setText("0.001")
    panel.x_row.n.setValue(200)
    panel.y_row.n.setValue(200)
    panel.steps.setValue(100_000)
    assert not panel.compute() and panel.bridge is None
    level, text = messages[-1]
    assert level == "error" and "hyperparameter map" in text and "\n" not in text


def test_log_ticks_label_one_two_five_of_each_decade_in_range():
    from gui.panels.hyper_map_panel import log_ticks

    major, minor = log_ticks(np.geomspace(1e-3, 0.2, 7))
    labels = [t for _, t in major]
    assert labels == ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2"]
    assert all(math.isclose(x, math.log10(float(t))) for x, t in major)
    # 3, 4, 6, 7, 8, 9 of the two whole decades; none past 0.2
    assert len(minor) == 2 * 6 and all(t == "" for _, t in minor)
