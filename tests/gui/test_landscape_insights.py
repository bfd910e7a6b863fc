"""Live equation, curvature crosses, stability plot and schedule-free points in the lab."""

from __future__ import annotations

import numpy as np
import pytest

from engine.runs import RaceConfig, RunConfig
from gui.panels.curvature_overlay import cross_segments
from tests.gui.helpers import wait_for_snapshot

# Hessian diag(1, 20) everywhere: lam_max = 20 exactly.
BOWL = {"landscape": "bowl", "landscape_params": {"condition": 20.0, "angle": 0.0}}


def _config():
    return RaceConfig(
        runs=(
            RunConfig("sgd", {"lr": 0.11}),  # 2/lr = 18.2 < lam_max = 20: crosses at once
            RunConfig("adam", {"lr": 0.05}),
            RunConfig("schedule_free_adamw", {"lr": 0.1}),
        ),
        start=(1.0, 1.0),
        **BOWL,
    )


def test_cross_segments_scale_arms_by_eigenvalue_and_split_by_sign():
    heads = np.array([[0.0, 0.0]])
    values = np.array([[-1.0, 4.0]])
    vectors = np.array([[[1.0, 0.0], [0.0, 1.0]]])  # columns: x axis for -1, y axis for 4
    pos, neg = cross_segments(heads, values, vectors, arm=2.0)
    assert pos.tolist() == [[0.0, -2.0], [0.0, 2.0]]  # the larger |lam| gets the full arm
    assert neg.tolist() == [[-0.5, 0.0], [0.5, 0.0]]  # 2 * 1/4
    # a flat or non-finite head draws nothing
    assert len(cross_segments(heads, np.zeros((1, 2)), vectors, 1.0)[0]) == 0


def test_equation_follows_the_selected_run_and_each_step(make_window, qtbot):
    window, lab = make_window(_config())
    lab.insights.set_equation_visible(True)
    assert lab.insights.equation.isVisible()
    lab.table.select_row(1)
    window.act_step.trigger()
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step >= 1 and s.explained_row == 1)
    qtbot.waitUntil(lambda: "Adam" in lab.insights.equation.html)
    html = lab.insights.equation.html
    assert f"update t = {snap.step + 1}" in html
    # the gradient printed is the run's gradient at its head, to 4 significant digits
    gx = f"{snap.grads[1, 0]:.4g}".replace("-", "&minus;")
    assert gx in html
    window.act_step.trigger()
    wait_for_snapshot(qtbot, lab, lambda s: s.step >= snap.step + 1)
    qtbot.waitUntil(lambda: f"update t = {snap.step + 2}" in lab.insights.equation.html)


def test_curvature_view_explains_the_crossing_and_draws_crosses(make_window, qtbot):
    window, lab = make_window(_config())
    lab.insights.set_curvature_visible(True)
    assert lab.insights.act_curvature.isChecked()
    for _ in range(3):
        window.act_step.trigger()
    wait_for_snapshot(qtbot, lab, lambda s: s.step >= 3)
    panel = lab.insights.stability
    qtbot.waitUntil(lambda: "crossed 2/lr at step 0" in panel.verdict.text())
    assert panel.buffer.count >= 1
    # sharpness recorded for SGD is the bowl's lam_max, its limit 2/lr
    i = panel.buffer.count - 1
    assert panel.buffer.values[0, 0, i] == pytest.approx(20.0)
    assert panel.buffer.values[1, 0, i] == pytest.approx(2 / 0.11)
    xs, _ = lab.insights.overlay.pos_item.getData()
    assert xs is not None and len(xs) == 2 * 2 * 3  # two arms per head, three heads
    # schedule-free: x and z drawn, joined through y
    assert len(lab.insights.overlay.sf_points.data) == 2
    lab.insights.set_curvature_visible(False)
    assert not lab.insights.overlay.pos_item.isVisible()


def test_presentation_mode_keeps_the_equation_large(make_window, qtbot):
    window, lab = make_window(_config())
    lab.insights.set_equation_visible(True)
    window.set_presentation(True)
    qtbot.waitUntil(lambda: lab.insights.equation.height() > 50)
    font = lab.insights.equation.text.font()
    assert font.pointSizeF() * 4 / 3 >= 18  # readable from the back of the room
