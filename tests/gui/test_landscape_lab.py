"""The landscape lab end to end: real window, real worker thread, offscreen."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from engine.landscapes import LANDSCAPES, make_landscape
from engine.runs import RaceConfig
from tests.gui.helpers import frame_ticks, wait_for_snapshot


def rosenbrock_grad(x, y, a=1.0, b=100.0):
    """d/dx and d/dy of (a - x)^2 + b (y - x^2)^2, worked by hand."""
    return (-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x))


def test_window_opens_with_the_default_race(make_window):
    window, lab = make_window()
    assert lab.config == RaceConfig()
    assert lab.config.landscape == "rosenbrock"
    assert [r.optimizer for r in lab.config.runs] == ["sgd", "momentum", "rmsprop", "adam"]
    assert lab.table.table.rowCount() == 4
    assert lab.table.table.item(1, 0).text() == "SGD + momentum"
    assert "Rosenbrock" in lab.surface.title_label.text()
    assert window.current_lab() is lab


def test_first_frame_is_at_the_start(make_window, qtbot):
    """Every run starts at Rosenbrock's classic point (-1.2, 1)."""
    _, lab = make_window()
    snap = wait_for_snapshot(qtbot, lab, lambda s: True)
    assert snap.step == 0
    np.testing.assert_array_equal(snap.positions, np.tile([-1.2, 1.0], (4, 1)))


def test_click_on_the_surface_moves_every_start(make_window, qtbot):
    _, lab = make_window()
    wait_for_snapshot(qtbot, lab, lambda s: True)
    view = lab.surface.view
    target = (0.5, 2.0)
    scene_pt = view.mapViewToScene(QPointF(*target))
    widget_pt = lab.surface.plot_widget.mapFromScene(scene_pt)
    QTest.mouseClick(
        lab.surface.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(widget_pt)
    )
    qtbot.waitUntil(lambda: lab.config.start is not None)
    # The click lands on a whole pixel: the start is the target to within one pixel.
    px, py = view.viewPixelSize()
    sx, sy = lab.config.start
    assert abs(sx - target[0]) <= 1.5 * px and abs(sy - target[1]) <= 1.5 * py
    snap = wait_for_snapshot(
        qtbot, lab, lambda s: s.step == 0 and np.allclose(s.positions[0], (sx, sy), atol=0)
    )
    np.testing.assert_array_equal(snap.positions, np.tile([sx, sy], (4, 1)))
    start_item = lab.surface.start_marker.pos()
    assert (start_item.x(), start_item.y()) == pytest.approx((sx, sy))


def test_play_advances_and_pause_stops(make_window, qtbot):
    window, lab = make_window()
    window.set_speed(None)
    window.act_play.trigger()
    assert lab.is_running()
    wait_for_snapshot(qtbot, lab, lambda s: s.step >= 50)
    window.act_play.trigger()
    assert not lab.is_running()
    # Let any batch in flight land, then the step must not move any more.
    frame_ticks(qtbot, lab, 5)
    held = lab.last_snapshot.step
    frame_ticks(qtbot, lab, 10)
    assert lab.last_snapshot.step == held
    assert lab.bridge.running is False


def test_single_step_is_one_exact_sgd_update(make_window, qtbot):
    window, lab = make_window()
    wait_for_snapshot(qtbot, lab, lambda s: True)
    window.act_step.trigger()
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step == 1)
    frame_ticks(qtbot, lab, 5)
    assert lab.last_snapshot.step == 1
    # Plain SGD, lr = 1e-3: x1 = x0 - lr * grad f(x0), the gradient worked by hand.
    gx, gy = rosenbrock_grad(-1.2, 1.0)
    assert (gx, gy) == pytest.approx((-215.6, -88.0))
    np.testing.assert_allclose(snap.positions[0], (-1.2 - 1e-3 * gx, 1.0 - 1e-3 * gy), rtol=1e-15)


def test_reset_returns_to_step_zero(make_window, qtbot):
    window, lab = make_window()
    window.set_speed(None)
    window.act_play.trigger()
    wait_for_snapshot(qtbot, lab, lambda s: s.step >= 30)
    window.act_reset.trigger()
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step == 0)
    np.testing.assert_array_equal(snap.positions, np.tile([-1.2, 1.0], (4, 1)))
    # Reset pauses: the race waits at step 0 for play.
    assert not lab.is_running() and not window.act_play.isChecked()
    frame_ticks(qtbot, lab, 5)
    assert lab.last_snapshot.step == 0


def test_switching_landscape_redraws(make_window, qtbot):
    _window, lab = make_window()
    wait_for_snapshot(qtbot, lab, lambda s: True)
    before = lab.surface.image.image.copy()
    index = lab.landscape_combo.findData("himmelblau")
    lab.landscape_combo.setCurrentIndex(index)
    ref = make_landscape("himmelblau")
    snap = wait_for_snapshot(qtbot, lab, lambda s: np.array_equal(s.positions[0], ref.start))
    assert snap.step == 0
    assert lab.config.landscape == "himmelblau"
    assert "Himmelblau" in lab.surface.title_label.text()
    assert not np.array_equal(lab.surface.image.image, before)
    marks = lab.surface.critical.data
    assert len(marks) == len(ref.minima) + len(ref.saddles)
    xs = sorted(round(float(p["x"]), 9) for p in marks)
    assert xs == sorted(round(p.x, 9) for p in (*ref.minima, *ref.saddles))
    # The run editor's landscape section follows.
    assert lab.landscape_editor.current_name() == "himmelblau"


def test_every_landscape_renders(make_window, qtbot):
    _, lab = make_window()
    for name in LANDSCAPES:
        lab.set_landscape(name, {})
        img = lab.surface.image.image
        assert img is not None and np.isfinite(img).all(), name
        assert img.std() > 0, name


def test_lr_10_diverges_while_the_others_continue(make_window, qtbot):
    window, lab = make_window()
    wait_for_snapshot(qtbot, lab, lambda s: True)
    lab.table.select_row(0)
    lr = lab.editor.hyper_form.controls["lr"]
    lr.set_text("10")
    qtbot.waitUntil(lambda: lab.config.runs[0].hyper.get("lr") == 10.0)
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    window.set_speed(None)
    window.act_play.trigger()
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.status[0] == "diverged" and s.step > 20)
    assert snap.status[1:] == ("running", "running", "running")
    later = wait_for_snapshot(qtbot, lab, lambda s: s.step > snap.step + 20)
    assert later.status[0] == "diverged"
    assert later.event_step[0] == snap.event_step[0]
    assert all(np.isfinite(later.losses[1:]))
    qtbot.waitUntil(lambda: lab.table.table.item(0, 2).text().startswith("diverged at step"))
    assert lab.table.table.item(1, 2).text() == "running"
    assert any(level == "warning" and "diverged" in text for level, text in messages)
    assert lab.surface._runs[0]["label"].isVisible()
    window.act_play.trigger()


def test_hyperparameter_change_takes_effect_while_running(make_window, qtbot):
    window, lab = make_window()
    window.set_speed(500)
    window.act_play.trigger()
    first = wait_for_snapshot(qtbot, lab, lambda s: s.step >= 10)
    lab.table.select_row(1)
    qtbot.waitUntil(lambda: lab.editor.index == 1)
    lab.editor.hyper_form.controls["lr"].set_text("0.0002")
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.lrs[1] == 2e-4)
    # Live: the race went on (no reset) and only run 2 changed.
    assert snap.step > first.step
    assert lab.config.runs[1].hyper["lr"] == 2e-4
    assert lab.config.runs[1].resolved_hyper()["momentum"] == 0.9
    np.testing.assert_array_equal(snap.lrs[[0, 2, 3]], [1e-3, 1e-2, 5e-2])
    assert lab.bridge.running
    window.act_play.trigger()


def test_invalid_value_is_reported_not_applied(make_window, qtbot):
    _, lab = make_window()
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    lab.table.select_row(3)
    qtbot.waitUntil(lambda: lab.editor.index == 3)
    before = lab.config
    lab.editor.hyper_form.controls["lr"].set_text("abc")
    qtbot.waitUntil(lambda: lab.editor.error.isVisible())
    assert "lr" in lab.editor.error.text()
    assert lab.config == before
    lab.editor.hyper_form.controls["lr"].set_text("-1")
    qtbot.waitUntil(lambda: "> 0" in lab.editor.error.text())
    assert any(level == "error" and "lr" in text for level, text in messages)
    assert lab.config == before


def test_add_duplicate_remove_runs(make_window, qtbot):
    _window, lab = make_window()
    lab.act_add.trigger()
    assert len(lab.config.runs) == 5
    assert lab.config.runs[4].optimizer not in {"sgd", "momentum", "rmsprop", "adam"}
    lab.duplicate_run(1)
    assert lab.config.runs[5].optimizer == "momentum"
    assert lab.config.runs[5].hyper == lab.config.runs[1].hyper
    assert lab.table.table.rowCount() == 6
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.n_runs == 6)
    assert snap.step == 0
    lab.remove_run(0)
    assert [r.optimizer for r in lab.config.runs][:3] == ["momentum", "rmsprop", "adam"]
    wait_for_snapshot(qtbot, lab, lambda s: s.n_runs == 5)
    assert lab.loss.n_curves == 5 and len(lab.surface._runs) == 5


def test_inspector_gives_the_hessian_at_the_minimum(make_window, qtbot):
    _, lab = make_window()
    lab.inspect_point(1.0, 1.0)
    text = lab.surface.inspect_text.textItem.toPlainText()
    assert "MINIMUM" in text
    # Rosenbrock's Hessian at (1, 1) is [[802, -400], [-400, 200]]: eigenvalues by hand.
    tr, det = 1002.0, 802.0 * 200.0 - 400.0**2
    lo = (tr - math.sqrt(tr * tr - 4 * det)) / 2
    hi = (tr + math.sqrt(tr * tr - 4 * det)) / 2
    assert f"{lo:.4g}" in text and f"{hi:.4g}" in text


def test_shift_click_inspects_instead_of_moving_the_start(make_window, qtbot):
    _, lab = make_window()
    lab.set_landscape("saddle", {})
    view = lab.surface.view
    scene_pt = view.mapViewToScene(QPointF(0.0, 0.0))
    widget_pt = lab.surface.plot_widget.mapFromScene(scene_pt)
    QTest.mouseClick(
        lab.surface.plot_widget.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        QPoint(widget_pt),
    )
    qtbot.waitUntil(lambda: lab.surface.inspect_text.isVisible())
    assert "SADDLE" in lab.surface.inspect_text.textItem.toPlainText()
    assert lab.config.start is None


def test_regression_view_shows_data_and_each_runs_line(make_window, qtbot):
    _, lab = make_window()
    lab.set_landscape("regression", {})
    assert lab.regression.isVisible()
    ls = make_landscape("regression")
    xs, ys = lab.regression.points.getData()
    np.testing.assert_array_equal(xs, ls.x)
    np.testing.assert_array_equal(ys, ls.y)
    tx, ty = lab.regression.true_line.getData()
    np.testing.assert_allclose(ty, ls.true_point.x * tx + ls.true_point.y, rtol=1e-12)
    lab.bridge.step_once(25)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step == 25)
    lines = lab.regression.lines()
    assert len(lines) == snap.n_runs
    for i, (lx, ly) in enumerate(lines):
        w, b = snap.positions[i]
        np.testing.assert_allclose(ly, w * lx + b, rtol=1e-12, atol=1e-12)
    # Batch size is offered on this landscape only.
    assert not lab.editor.field_rows["batch_size"][1].isHidden()
    lab.set_landscape("rosenbrock", {})
    assert not lab.regression.isVisible()
    assert lab.editor.field_rows["batch_size"][1].isHidden()


def test_internals_overlay_draws_arrows_and_series(make_window, qtbot):
    _window, lab = make_window()
    lab.act_internals.trigger()
    assert lab.internals.isVisible()
    lab.bridge.step_once(20)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step == 20)
    grad = lab.surface.arrows("grad")
    assert len(grad) == 4  # one arrow per running run
    x, y = grad[0].x, grad[0].y
    # Run 1's arrow starts at its head and its shaft points along -grad f there.
    assert (x[0], y[0]) == tuple(snap.positions[0])
    g = -np.asarray(snap.grads[0])
    shaft = np.array([x[1] - x[0], y[1] - y[0]])
    cos = shaft @ g / (np.linalg.norm(shaft) * np.linalg.norm(g))
    assert cos == pytest.approx(1.0, abs=1e-9)
    # Both barbs leave the tip backwards (152 degrees from the shaft) and end equally far.
    for barb in ((x[2], y[2]), (x[4], y[4])):
        assert (x[3], y[3]) == (x[1], y[1])
        b = np.array([barb[0] - x[1], barb[1] - y[1]])
        assert b @ shaft < 0
    # Lengths: the longest gradient arrow spans 12% of the view's shorter side; the others
    # the fourth root of their ratio to it (at least a fifth).
    x0, x1, y0, y1 = lab.surface.view_window()
    target = 0.12 * min(x1 - x0, y1 - y0)
    norms = np.hypot(*np.asarray(snap.grads).T)
    for arrow, n in zip(grad, norms, strict=True):
        got = math.hypot(arrow.x[1] - arrow.x[0], arrow.y[1] - arrow.y[0])
        want = target * max((n / norms.max()) ** 0.25, 0.2)
        assert got == pytest.approx(want, rel=1e-9)
    assert len(lab.surface.arrows("update")) == 4
    assert lab.internals.buffer.count >= 1
    # Momentum has a velocity, Adam a first moment: both get a momentum arrow; plain SGD
    # and RMSprop (momentum 0) have none.
    assert len(lab.surface.arrows("momentum")) == 2
    lab.act_internals.trigger()
    assert not lab.internals.isVisible()


def test_presentation_mode_scales_fonts_and_moves_the_table(make_window, qtbot):
    window, lab = make_window()
    small = lab.font().pointSizeF()
    window.act_presentation.trigger()
    assert window.presentation
    assert lab.font().pointSizeF() > small * 1.3
    assert lab.table.parent() is lab.right
    assert not lab.sidebar.isVisible()
    window.act_presentation.trigger()
    assert lab.table.parent() is lab.centre
    assert lab.sidebar.isVisible()


def test_every_action_has_a_shortcut(make_window):
    window, _lab = make_window()
    actions = window.actions()
    assert len(actions) >= 20
    missing = [a.text() for a in actions if not a.shortcuts()]
    assert missing == []
    keys = [s.toString() for a in actions for s in a.shortcuts()]
    assert len(keys) == len(set(keys)), "two actions share a shortcut"
    for needed in ("Space", "Right", "R", "F11", "F5"):
        assert needed in keys


def test_closing_while_running_stops_the_worker(make_window, qtbot):
    window, lab = make_window()
    window.set_speed(None)
    window.act_play.trigger()
    wait_for_snapshot(qtbot, lab, lambda s: s.step > 10)
    assert lab.bridge.is_alive
    window.close()
    assert not lab.bridge.is_alive
    assert not lab.frame_timer.isActive()


def test_hover_shows_coordinates_and_loss(make_window, qtbot):
    _, lab = make_window()
    view = lab.surface.view
    p = lab.surface.plot_widget.mapFromScene(view.mapViewToScene(QPointF(1.0, 1.0)))
    QTest.mouseMove(lab.surface.plot_widget.viewport(), QPoint(p))
    qtbot.waitUntil(lambda: "loss =" in lab.surface.footer.text())
    text = lab.surface.footer.text()
    # Near the minimum (1, 1) the loss is small; the read-out names x and y.
    assert "x = " in text and "y = " in text
    x = float(text.split("x = ")[1].split()[0])
    y = float(text.split("y = ")[1].split()[0])
    px, py = view.viewPixelSize()
    assert abs(x - 1.0) <= 1.5 * px and abs(y - 1.0) <= 1.5 * py
    # The loss shown is f at the exact point under the pixel, to the 4 digits displayed.
    exact = view.mapSceneToView(lab.surface.plot_widget.mapToScene(p))
    ex, ey = exact.x(), exact.y()
    loss = float(text.split("loss = ")[1].split()[0])
    assert loss == pytest.approx((1 - ex) ** 2 + 100 * (ey - ex * ex) ** 2, rel=1e-3)


def test_zoom_and_reset_view(make_window, qtbot):
    _, lab = make_window()
    view = lab.surface.view
    view.scaleBy((0.25, 0.25))
    (x0, x1), _ = view.viewRange()
    assert x1 - x0 < 2.0
    lab.act_reset_view.trigger()
    (x0, x1), (y0, y1) = view.viewRange()
    xmin, xmax, ymin, ymax = lab.landscape.window
    # Aspect is locked, so one axis shows exactly the window and the other at least it.
    assert x0 <= xmin + 1e-9 and x1 >= xmax - 1e-9
    assert y0 <= ymin + 1e-9 and y1 >= ymax - 1e-9
    assert min(x1 - x0 - (xmax - xmin), y1 - y0 - (ymax - ymin)) == pytest.approx(0, abs=1e-9)


def test_keyboard_drives_the_transport(make_window, qtbot):
    window, lab = make_window()
    wait_for_snapshot(qtbot, lab, lambda s: True)
    window.activateWindow()
    window.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Right)
    wait_for_snapshot(qtbot, lab, lambda s: s.step == 1)
    window.set_speed(None)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert lab.is_running()
    wait_for_snapshot(qtbot, lab, lambda s: s.step > 5)
    QTest.keyClick(window, Qt.Key.Key_R)
    assert not lab.is_running()
    wait_for_snapshot(qtbot, lab, lambda s: s.step == 0)


def test_dragging_the_start_marker_restarts_there(make_window, qtbot):
    _, lab = make_window()
    wait_for_snapshot(qtbot, lab, lambda s: True)
    lab.surface.start_marker.setPos(QPointF(-0.5, 2.5))  # as a drag does, step by step
    qtbot.waitUntil(lambda: lab.config.start == (-0.5, 2.5))
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.positions[0][1] == 2.5)
    np.testing.assert_array_equal(snap.positions, np.tile([-0.5, 2.5], (4, 1)))


def test_panels_that_appear_share_the_right_column_loss_first(make_window, qtbot):
    """Choosing the regression landscape, or turning the internals on, adds a panel to the
    right-hand column: the loss plot, the main one, keeps the largest share, and the others
    get at least half of its height. At 1920x1080: at 1280x720 every plot now keeps its
    160x150 minimum, which leaves no room for shares (presentation uses tabs there)."""
    _window, lab = make_window(size=(1920, 1080))
    qtbot.wait(50)
    lab.landscape_combo.setCurrentIndex(lab.landscape_combo.findData("regression"))
    qtbot.waitUntil(lambda: lab.regression.isVisible())
    lab.act_internals.trigger()
    qtbot.wait(50)
    loss, data, internals = lab.loss.height(), lab.regression.height(), lab.internals.height()
    assert loss >= 1.15 * max(data, internals), (loss, data, internals)
    assert min(data, internals) >= 0.5 * loss, (loss, data, internals)
    # Back to one panel: the loss plot takes the column again.
    lab.act_internals.trigger()
    lab.landscape_combo.setCurrentIndex(lab.landscape_combo.findData("rosenbrock"))
    qtbot.waitUntil(lambda: not lab.regression.isVisible())
    qtbot.wait(50)
    assert lab.loss.height() >= 0.9 * sum(lab.right.sizes())
