"""The network lab end to end: real window, real worker thread, offscreen.

Truths checked here come from outside the GUI code: the mean-field argument for the step-0
histograms (N(0, 0.01^2) weights shrink each tanh layer's input by sqrt(32) * 0.01; N(0, 1)
weights drive 32-input units deep into saturation), hand-worked re-binning and peak
thinning, and the engine's own configs read back from the worker.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.presets import (
    batchnorm_lesson,
    headlines,
    init_lesson,
    vary_batchnorm,
    vary_init,
    vary_lr,
)
from engine.nn.training import TrainConfig
from gui.app import image_is_blank


@pytest.fixture
def make_net_window(app, qtbot):
    """Factory: a shown MainWindow holding a NetworkLab (default: the init lesson)."""
    from gui.main_window import MainWindow
    from gui.network_lab import NetworkLab

    made = []

    def _make(task=None, columns=None, size=(1280, 720)):
        window = MainWindow()
        lab = NetworkLab(task, columns)
        window.add_lab("Network lab", lab)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window, lab

    yield _make
    for window in made:
        window.shutdown()


def wait_frame(qtbot, lab, predicate, timeout=15000):
    qtbot.waitUntil(
        lambda: lab.last_frame is not None and predicate(lab.last_frame), timeout=timeout
    )
    return lab.last_frame


def engine_columns(qtbot, lab):
    """The worker's own column configs, read on the worker thread."""
    got = []
    lab.bridge.submit(lambda eng: eng.columns, on_result=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    return got[0]


def pictures_shown(lab):
    return all(p._shown is not None for p in lab.panels)


def image_array(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)


# ------------------------------------------------------------------------ pure helpers


def test_headlines_name_what_differs():
    _, cols = init_lesson()
    assert headlines(cols) == ["N(0, 0.01²)", "N(0, 1²)", "Xavier", "He"]
    _, cols = batchnorm_lesson()
    assert headlines(cols) == ["no BN", "BN before act"]
    base = cols[0]
    assert headlines(vary_lr(base)) == ["lr 0.1", "lr 1", "lr 10", "lr 100"]
    assert headlines(vary_batchnorm(base)) == ["no BN", "BN before act", "BN after act"]
    assert [c.mlp.init for c in vary_init(base)] == [
        "normal",
        "normal",
        "xavier_normal",
        "he_normal",
    ]
    named = dataclasses.replace(base, label="mine")
    assert headlines([named, base])[0] == "mine"


# ------------------------------------------------------------------------ the lab


def test_lab_opens_with_the_init_lesson_at_step_zero(make_net_window, qtbot):
    window, lab = make_net_window()
    task, cols = init_lesson()
    assert lab.task == task
    assert [c.mlp.init for c in lab.columns] == [c.mlp.init for c in cols]
    assert [c.mlp.hidden for c in lab.columns] == [(32,) * 10] * 4
    assert len(lab.panels) == 4
    assert [p.title.text() for p in lab.panels] == ["N(0, 0.01²)", "N(0, 1²)", "Xavier", "He"]
    assert window.current_lab() is lab
    assert lab.lesson_combo.currentData() == "init"
    frame = wait_frame(qtbot, lab, lambda f: all(p is not None for p in f.pictures))
    assert frame.step == 0
    assert not lab.is_running()


def test_step_zero_histograms_show_vanishing_and_saturation_before_play(make_net_window, qtbot):
    _, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    frame = lab.last_frame
    assert frame.step == 0 and all(c.step == 0 for c in frame.columns)
    small, big, xavier = (lab.panels[i].hist.matrix for i in (0, 1, 2))
    centres = 0.5 * (lab.panels[0].hist.edges[:-1] + lab.panels[0].hist.edges[1:])
    # N(0, 0.01^2): each layer's pre-activation has std sqrt(32) * 0.01 * (input std), so
    # from layer 2 on |a| < 0.05: all mass in the two bins next to zero.
    near_zero = np.abs(centres) < 0.05
    for row in small[1:]:
        assert row[near_zero].sum() == pytest.approx(1.0)
    # N(0, 1): pre-activations of std ~ sqrt(32 * 0.8) ~ 5 put most entries in |a| > 0.95,
    # the two end bins (Gaussian tail: P(|z| > 1.83 sigma_1) ~ 0.7 for sigma ~ 5).
    for row in big[2:]:
        assert row[0] + row[-1] > 0.6
    # Xavier keeps the ends almost empty (no saturation at init).
    for row in xavier:
        assert row[0] + row[-1] < 0.01
    # tanh bins are the activation's range, shared with the engine: an exact copy.
    layer = frame.pictures[1].layers[4]
    np.testing.assert_array_equal(big[4], layer.hist)


def test_playing_changes_histograms_and_loss_curves(make_net_window, qtbot):
    window, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    before = lab.panels[2].hist.matrix.copy()
    window.set_speed(None)
    window.act_play.trigger()
    assert lab.is_running()
    qtbot.waitUntil(
        lambda: lab.panels[2]._shown is not None and lab.panels[2]._shown.step >= 40,
        timeout=30000,
    )
    qtbot.waitUntil(lambda: len(lab.curves.points(2)[0]) >= 3, timeout=15000)
    window.act_play.trigger()
    assert not lab.is_running()
    assert not np.array_equal(lab.panels[2].hist.matrix, before)
    steps, losses = lab.curves.points(2)
    assert steps[0] == 0 and np.all(np.diff(steps) > 0)
    assert np.isfinite(losses).all()
    # the first point is the loss of the initial weights: ~ln 2 for two balanced classes
    assert losses[0] == pytest.approx(math.log(2), abs=0.15)


def test_adding_and_removing_columns(make_net_window, qtbot):
    _, lab = make_net_window()
    lab.select_column(2)
    lab.act_add.trigger()
    assert len(lab.columns) == 5 and len(lab.panels) == 5
    assert lab.columns[4].mlp == lab.columns[2].mlp
    assert lab.columns[4].seed == 1
    cols = engine_columns(qtbot, lab)
    assert len(cols) == 5 and cols[4].seed == 1
    lab.remove_column(0)
    assert len(lab.columns) == 4 and len(lab.panels) == 4
    assert [c.mlp.init for c in lab.columns] == [
        "normal",
        "xavier_normal",
        "he_normal",
        "xavier_normal",
    ]
    cols = engine_columns(qtbot, lab)
    assert [c.mlp.init for c in cols] == [c.mlp.init for c in lab.columns]
    lab.duplicate_column(1)
    assert len(lab.columns) == 5 and lab.columns[4] == lab.columns[1]
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice values are Linux's")
def test_training_runs_below_the_gui_threads_priority(make_net_window, qtbot):
    from gui.worker import WORKER_NICE

    _, lab = make_net_window()
    got = []
    lab.bridge.submit(
        lambda eng: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
        on_result=got.append,
    )
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert got[0] == min(gui + WORKER_NICE, 19)  # the worker, not the GUI thread, went down


def test_clicking_in_a_columns_plots_selects_it(make_net_window, qtbot):
    _, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    assert lab.selected == 0
    viewport = lab.panels[2].view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=viewport.rect().center())
    assert lab.selected == 2 and lab.editor.index == 2
    assert lab.panels[2]._selected and not lab.panels[0]._selected


def test_toggling_batch_norm_changes_only_that_column(make_net_window, qtbot):
    _, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    before = engine_columns(qtbot, lab)
    lab.select_column(2)
    qtbot.waitUntil(lambda: lab.editor.index == 2)
    combo = lab.editor.bn_combo
    combo.setCurrentIndex(combo.findData("before"))
    qtbot.waitUntil(lambda: lab.columns[2].mlp.batchnorm == "before")
    after = engine_columns(qtbot, lab)
    assert after[2].mlp.batchnorm == "before"
    assert dataclasses.replace(after[2], mlp=before[2].mlp) == before[2]
    for i in (0, 1, 3):
        assert after[i] == before[i]
    # the header now says what differs
    assert "BN before act" in lab.panels[2].title.text()


def test_learning_rate_change_applies_live(make_net_window, qtbot):
    window, lab = make_net_window()
    window.set_speed(None)
    window.act_play.trigger()
    wait_frame(qtbot, lab, lambda f: f.step >= 5)
    lab.select_column(3)
    qtbot.waitUntil(lambda: lab.editor.index == 3)
    lab.editor.hyper_form.controls["lr"].set_text("0.02")
    qtbot.waitUntil(lambda: engine_columns(qtbot, lab)[3].hyper["lr"] == 0.02, timeout=10000)
    frame = wait_frame(qtbot, lab, lambda f: f.columns[3].lr == 0.02)
    # live: column 4 kept training (no restart) and the others kept their rates
    assert frame.columns[3].step >= 5
    assert [c.lr for c in frame.columns[:3]] == [0.05, 0.05, 0.05]
    window.act_play.trigger()


def test_history_slider_shows_an_older_picture_and_returns_to_live(make_net_window, qtbot):
    window, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    window.set_speed(None)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: len(lab._history) >= 4, timeout=30000)
    window.act_play.trigger()
    qtbot.waitUntil(
        lambda: pictures_shown(lab) and lab.panels[0]._shown is lab.last_frame.pictures[0]
    )
    live = lab.last_frame
    bar = lab.history_bar
    # while live the bar may lag behind the recording; paused, it holds every picture
    qtbot.waitUntil(lambda: bar.slider.maximum() == len(lab._history) - 1)
    bar.slider.setValue(0)
    assert lab.viewing_history
    old = lab.shown_frame
    assert old is lab._history[0] and old.step < live.step
    for i, p in enumerate(lab.panels):
        assert p._shown is old.pictures[i]
    assert "step" in bar.position.text()
    assert lab.curves.cursor[0].isVisible()
    lab.act_live.trigger()
    assert not lab.viewing_history and bar.live
    for i, p in enumerate(lab.panels):
        assert p._shown is live.pictures[i]
    assert not lab.curves.cursor[0].isVisible()


def test_a_diverging_column_is_flagged_while_the_others_continue(make_net_window, qtbot):
    task = TaskConfig("spirals", n=400, noise=0.1)
    cols = [
        TrainConfig(
            "",
            MLPConfig(hidden=(32,) * 6, activation="relu", init="he_normal", batchnorm=bn),
            optimizer="sgd",
            hyper={"lr": 2.0},
            batch_size=64,
        )
        for bn in ("off", "before")
    ]
    window, lab = make_net_window(task, cols)
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    window.set_speed(None)
    window.act_play.trigger()
    frame = wait_frame(qtbot, lab, lambda f: f.columns[0].status == "diverged", timeout=30000)
    at = frame.columns[0].diverged_at
    later = wait_frame(qtbot, lab, lambda f: f.columns[1].step > frame.columns[1].step + 20)
    assert later.columns[0].status == "diverged" and later.columns[0].diverged_at == at
    assert later.columns[1].status == "running"
    assert lab.is_running()
    window.act_play.trigger()
    qtbot.waitUntil(lambda: "diverged at step" in lab.panels[0].status.text())
    assert f"step {at:,}" in lab.panels[0].status.text()
    assert "diverged" not in lab.panels[1].status.text()
    # the last good picture stays: finite statistics from before the divergence
    shown = lab.panels[0]._shown
    assert shown.status == "running" and math.isfinite(shown.train_loss)
    assert shown.step <= at
    assert any(level == "warning" and "column 1" in text for level, text in messages)


@pytest.mark.parametrize("lesson", ["init", "batchnorm"])
def test_screenshot_of_each_default_view_has_one_column_per_configuration(
    make_net_window, qtbot, lesson
):
    window, lab = make_net_window()
    lab.load_lesson(lesson)
    n = len(lab.columns)
    qtbot.waitUntil(lambda: len(lab.panels) == n and pictures_shown(lab), timeout=15000)
    img = window.grab().toImage()
    assert image_is_blank(img) is None
    arr = image_array(img)
    dpr = img.devicePixelRatio()
    lefts = []
    for i, panel in enumerate(lab.panels):
        assert panel.isVisible() and panel.width() > 100
        top_left = panel.mapTo(window, panel.rect().topLeft())
        lefts.append(top_left.x())
        x0, y0 = round(top_left.x() * dpr), round(top_left.y() * dpr)
        x1, y1 = round((top_left.x() + panel.width()) * dpr), round((top_left.y() + 40) * dpr)
        header = arr[y0:y1, x0:x1]
        # the column's own colour is in its header (swatch and title) ...
        want = QColor(lab.panels[i].style_.colour)
        rgb = np.array([want.red(), want.green(), want.blue()])
        assert np.abs(header - rgb).sum(axis=-1).min() <= 30, f"column {i + 1}"
    # ... and the columns stand side by side, left to right
    assert lefts == sorted(lefts) and len(set(lefts)) == n


def test_presentation_mode_hides_the_settings_and_keeps_every_column(make_net_window, qtbot):
    window, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    window.set_presentation(True)
    assert not lab.sidebar.isVisible()
    assert all(p.isVisible() for p in lab.panels)
    assert image_is_blank(window.grab().toImage()) is None
    window.set_presentation(False)
    assert lab.sidebar.isVisible()


def test_resample_weights_draws_a_new_init(make_net_window, qtbot):
    _, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    first = lab.last_frame.pictures[3].layers[0].act_var
    lab.act_resample.trigger()
    assert [c.seed for c in lab.columns] == [1, 1, 1, 1]
    assert [c.seed for c in engine_columns(qtbot, lab)] == [1, 1, 1, 1]
    frame = wait_frame(qtbot, lab, lambda f: all(p is not None for p in f.pictures))
    assert frame.step == 0
    assert frame.pictures[3].layers[0].act_var != first


def test_load_comparison_rejects_bad_input_with_a_message(make_net_window, qtbot):
    _, lab = make_net_window()
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    before = lab.columns
    assert not lab.load_comparison(lab.task, [])
    assert lab.columns == before
    assert any(level == "error" and "columns" in text for level, text in messages)
    task, cols = batchnorm_lesson()
    assert lab.load_comparison(task, cols)
    assert len(lab.panels) == 2 and lab.lesson_combo.currentData() == "batchnorm"


def test_the_shipped_network_lessons_open_and_save_back(make_net_window, qtbot):
    from engine.scenario import Scenario, builtin_scenarios

    _, lab = make_net_window()
    lessons = [(p, s) for p, s in builtin_scenarios() if s.network is not None]
    assert [p.name for p, _ in lessons][:3] == [
        "11_init_lesson.json",
        "12_batchnorm_lesson.json",
        "13_batchnorm_divergence.json",
    ]
    for _path, scenario in lessons:
        lab.apply_scenario(scenario)
        assert len(lab.panels) == len(scenario.network.columns)
        # saving gives back the very section that was opened
        assert lab.scenario_section() == {"network": scenario.network.to_dict()}
    assert lab.lesson_combo.currentData() == ""  # the divergence lesson is not a built-in one
    with pytest.raises(ValueError, match="no network section"):
        lab.apply_scenario(Scenario("race only", network=None))


def test_scrubbing_names_exactly_the_step_each_picture_shows(make_net_window, qtbot):
    window, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    window.set_speed(None)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: len(lab._history) >= 3, timeout=30000)
    window.act_play.trigger()
    bar = lab.history_bar
    qtbot.waitUntil(lambda: bar.slider.maximum() == len(lab._history) - 1)
    bar.slider.setValue(1)
    view = lab.shown_frame
    steps = sorted({p.step for p in view.pictures})
    text = bar.position.text()
    for s in (steps[0], steps[-1]):
        assert f"{s:,}" in text
    for panel, pic in zip(lab.panels, view.pictures, strict=True):
        assert panel._shown is pic
        # the header's loss is the picture's own, not a later one
        assert f"loss {pic.train_loss:.3g}" in panel.status.text()
        if len(steps) > 1:
            assert f"step {pic.step:,}" in panel.status.text()


def test_lr_100_is_flagged_diverging_in_the_header_and_the_status_bar(make_net_window, qtbot):
    task, cols = init_lesson()
    cols = [dataclasses.replace(c, hyper={**c.hyper, "lr": 100.0}) for c in cols[:2]]
    window, lab = make_net_window(task, cols)
    messages = []
    lab.message.connect(lambda kind, text: messages.append((kind, text)))
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    window.set_speed(None)
    window.act_play.trigger()
    frame = wait_frame(qtbot, lab, lambda f: "diverging" in [c.status for c in f.columns])
    i = [c.status for c in frame.columns].index("diverging")
    qtbot.waitUntil(lambda: any("is diverging" in t for _, t in messages), timeout=10000)
    window.act_play.trigger()
    # paused, the header tells the newest status of the column
    qtbot.waitUntil(
        lambda: (
            ("⚠ diverging" in lab.panels[i].status.text())
            == (lab.last_frame.columns[i].status == "diverging")
            and lab.panels[i].status.text().endswith(f"{lab.last_frame.columns[i].train_loss:.3g}")
        ),
        timeout=10000,
    )
    kind, text = next(m for m in messages if "is diverging" in m[1])
    assert kind == "warning" and f"column {i + 1}" in text and "100x" in text


def test_a_network_over_the_size_budget_is_refused_without_freezing(make_net_window, qtbot):
    import time

    _window, lab = make_net_window()
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    errors = []
    lab.message.connect(lambda kind, text: errors.append(text) if kind == "error" else None)
    before = lab.columns
    for width, depth in ((2048, 10), (4096, 64)):
        c = lab.columns[0]
        big = dataclasses.replace(c, mlp=dataclasses.replace(c.mlp, hidden=(width,) * depth))
        t0 = time.perf_counter()
        lab.set_column(0, big)
        # building 2048 x 10 took 7.9 s on the GUI thread; the estimate is arithmetic
        assert time.perf_counter() - t0 < 0.5
        assert lab.columns == before
        assert "too big" in errors[-1] and "GB" in errors[-1] and "\n" not in errors[-1]


def test_presentation_at_1280x720_keeps_every_plot_at_least_160x150(make_net_window, qtbot):
    window, lab = make_net_window(size=(1280, 720))
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    window.set_presentation(True)
    qtbot.wait(200)
    assert all(p.across for p in lab.panels)
    for p in lab.panels:
        for plot in p.plots:
            assert plot.vb.width() >= 160 - 0.5 and plot.vb.height() >= 150 - 0.5
    # the variance axis spans every layer (10 hidden + output)
    x0, x1 = lab.panels[0].plots[1].vb.viewRange()[0]
    assert x0 <= 1 and x1 >= 11
    window.set_presentation(False)
    qtbot.wait(50)
    assert not any(p.across for p in lab.panels)


@pytest.mark.parametrize("depth", [1, 2])
def test_shallow_networks_show_and_train(make_net_window, qtbot, depth):
    """One hidden layer used to raise in the layer-axis ticks while the lab was shown, and
    PySide6 then crashed the process while reporting the error from inside showEvent."""
    from gui.panels.net_histogram_view import layer_ticks

    assert layer_ticks(1) == [(1, "1")]
    assert layer_ticks(2) == [(1, "1"), (2, "2")]
    cols = [TrainConfig(mlp=MLPConfig(hidden=(8,) * depth)) for _ in range(2)]
    _window, lab = make_net_window(TaskConfig("spirals", n=120), cols)
    lab.set_running(True)
    frame = wait_frame(qtbot, lab, lambda f: f.step >= 20)
    assert all(len(c.layers) >= depth for c in frame.columns if c.layers)


def test_presentation_at_1024x768_with_six_columns_fits_without_sideways_scrolling(
    make_net_window, qtbot
):
    """A row of four plots (~900 px) and the curves (~300 px) do not fit side by side in
    1024 px: the curves become the last row, loss and accuracy side by side."""
    task, cols = init_lesson()
    six = list(cols) + [dataclasses.replace(cols[0], seed=s) for s in (7, 8)]
    window, lab = make_net_window(task, six, size=(1024, 768))
    qtbot.waitUntil(lambda: pictures_shown(lab), timeout=15000)
    window.set_presentation(True)
    qtbot.wait(200)
    assert len(lab.panels) == 6
    assert lab.columns_scroll.horizontalScrollBar().maximum() == 0
    for p in lab.panels:
        assert p.across
        for plot in p.plots:
            assert plot.vb.width() >= 160 - 0.5 and plot.vb.height() >= 150 - 0.5
        regions = p.plots[3].vb
        assert min(regions.width(), regions.height()) >= 160 - 0.5
    # the curves sit under the rows, after the last column, each plot full size
    assert lab.curves.parent() is lab.columns_box and lab.curves.across
    assert lab.columns_layout.indexOf(lab.curves) == lab.columns_layout.count() - 1
    for plot in (lab.curves.loss_plot, lab.curves.acc_plot):
        assert plot.vb.width() >= 160 - 0.5 and plot.vb.height() >= 150 - 0.5
    # wide again (1920x1080): the curves go back beside the rows, stacked
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: lab.curves.parent() is lab.row, timeout=3000)
    assert not lab.curves.across
    assert lab.columns_scroll.horizontalScrollBar().maximum() == 0
    window.set_presentation(False)
    qtbot.wait(50)
    assert lab.curves.parent() is lab.row and not lab.curves.across
