"""The loss plot: what it plots in each mode, taken piece by piece from snapshots."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from engine.landscapes import make_landscape
from engine.runs import Race, RaceConfig
from engine.trajectory import History
from gui import theme


def _snap(histories, generation=0, status=None):
    n = len(histories)
    return SimpleNamespace(
        n_runs=n,
        generation=generation,
        histories=tuple(histories),
        status=tuple(status or ["running"] * n),
    )


def _history(steps, loss):
    steps = np.asarray(steps, dtype=np.int64)
    xy = np.zeros((len(steps), 2))
    loss = np.asarray(loss, float)
    return History(steps=steps, xy=xy, loss=loss, grad_norm=np.zeros_like(loss))


@pytest.fixture
def panel(app, qtbot):
    from gui.panels.loss_panel import LossPanel

    p = LossPanel()
    qtbot.addWidget(p)
    p.resize(500, 350)
    p.show()
    return p


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # f* = 0: the loss itself on a log axis
        ("rosenbrock", lambda f: np.log10(f)),
        # f* = 3: the gap to it on a log axis
        ("goldstein_price", lambda f: np.log10(f - 3.0)),
        # no minimum (a saddle): the loss itself on a linear axis
        ("saddle", lambda f: f),
    ],
)
def test_each_mode_plots_the_values_the_axis_promises(panel, name, expected):
    landscape = make_landscape(name)
    panel.set_landscape(landscape)
    panel.set_runs([theme.run_style(0)], ["a"])
    loss = (
        np.array([200.0, 12.0, 3.5, 3.25])
        if name != "saddle"
        else np.array([1.0, -2.0, -5.0, -9.5])
    )
    panel.update_snapshot(_snap([_history([0, 1, 2, 3], loss)]))
    x, y = panel.curve_data(0)
    np.testing.assert_array_equal(x, [0, 1, 2, 3])
    np.testing.assert_allclose(y, expected(loss), rtol=1e-14)
    assert panel.plot_item.getAxis("left").logMode == (name != "saddle")


def test_exact_zeros_and_non_finite_losses_are_clamped_not_lost(panel):
    panel.set_landscape(make_landscape("rosenbrock"))
    panel.set_runs([theme.run_style(0)], ["a"])
    panel.update_snapshot(_snap([_history([0, 1, 2], [0.0, math.inf, math.nan])]))
    _, y = panel.curve_data(0)
    # 0 sits at the 1e-30 floor; inf and NaN at the 1e300 ceiling.
    np.testing.assert_array_equal(y, [-30.0, 300.0, 300.0])


def test_only_new_points_are_taken_and_thinned_history_is_left_alone(panel):
    panel.set_landscape(make_landscape("rosenbrock"))
    panel.set_runs([theme.run_style(0)], ["a"])
    panel.update_snapshot(_snap([_history(np.arange(10), 10.0 ** -np.arange(10))]))
    # The engine has since thinned its old points (every other one kept) and added three:
    # the panel keeps what it took and appends the new ones.
    steps = np.r_[np.arange(0, 10, 2), 10, 11, 12]
    panel.update_snapshot(_snap([_history(steps, 10.0 ** -steps.astype(float))]))
    x, y = panel.curve_data(0)
    np.testing.assert_array_equal(x, np.arange(13))
    np.testing.assert_allclose(y, -np.arange(13.0), atol=1e-14)
    # A snapshot with nothing new changes nothing.
    panel.update_snapshot(_snap([_history(steps, 10.0 ** -steps.astype(float))]))
    assert len(panel.curve_data(0)[0]) == 13


def test_a_new_race_starts_the_curves_afresh(panel):
    panel.set_landscape(make_landscape("rosenbrock"))
    panel.set_runs([theme.run_style(0)], ["a"])
    panel.update_snapshot(_snap([_history(np.arange(50), np.ones(50))], generation=1))
    # After a reset the new race may already be past the old one's last step.
    panel.update_snapshot(_snap([_history(np.arange(80), np.full(80, 0.1))], generation=2))
    x, y = panel.curve_data(0)
    np.testing.assert_array_equal(x, np.arange(80))
    np.testing.assert_allclose(y, -1.0)


def test_a_full_buffer_keeps_an_even_spread_ending_at_the_newest_point(panel):
    from gui.panels.loss_panel import CAPACITY

    panel.set_landscape(make_landscape("rosenbrock"))
    panel.set_runs([theme.run_style(0)], ["a"])
    n = CAPACITY + 100
    for k in range(0, n, 500):
        steps = np.arange(k, min(k + 500, n))
        panel.update_snapshot(_snap([_history(steps, np.exp(-steps / 1000.0))]))
    x, y = panel.curve_data(0)
    assert len(x) <= CAPACITY
    assert x[0] == 0 and x[-1] == n - 1
    assert np.all(np.diff(x) > 0)
    np.testing.assert_allclose(y, np.log10(np.exp(-x / 1000.0)), rtol=1e-12)


def test_the_range_covers_every_run_but_a_diverged_one(panel):
    panel.set_landscape(make_landscape("rosenbrock"))
    panel.set_runs([theme.run_style(0), theme.run_style(1)], ["a", "b"])
    h_ok = _history([0, 1, 2], [1e2, 1e0, 1e-3])
    h_bad = _history([0, 1, 2], [1e2, 1e30, 1e56])
    panel.update_snapshot(_snap([h_ok, h_bad], status=["running", "diverged"]))
    (_, _), (y0, y1) = panel.plot_item.getViewBox().viewRange()
    assert y0 <= -3 and 2 <= y1 < 10
    # Once every run has diverged, they all count.
    panel.update_snapshot(
        _snap([_history([0, 1, 2, 3], [1e2, 1e0, 1e-3, 1e40]), h_bad], status=["diverged"] * 2)
    )
    (_, _), (y0, y1) = panel.plot_item.getViewBox().viewRange()
    assert y1 >= 56


def test_curves_of_a_real_race_match_its_history(panel):
    race = Race(RaceConfig())
    panel.set_landscape(race.landscape)
    panel.set_runs([theme.run_style(i) for i in range(4)], list("abcd"))
    for _ in range(5):
        race.step(40)
        panel.update_snapshot(race.snapshot())
    snap = race.snapshot()
    for i in range(4):
        x, y = panel.curve_data(i)
        np.testing.assert_array_equal(x, snap.histories[i].steps)
        np.testing.assert_allclose(y, np.log10(np.maximum(snap.histories[i].loss, 1e-30)))


def test_smoothed_curves_are_the_debiased_ema_of_the_plotted_values(panel):
    """Fed in pieces (as the race streams), the drawn smoothed curve is ema_smooth of the
    whole raw curve, the raw curve is drawn faint behind it, and the end marker stays on
    the last raw value."""
    from engine.smoothing import ema_smooth

    panel.set_landscape(make_landscape("rosenbrock"))
    panel.set_runs([theme.run_style(0), theme.run_style(1)], ["a", "b"])
    panel.set_smoothing(0.8)
    rng = np.random.default_rng(5)
    steps = np.arange(400)
    losses = [np.exp(-steps / 80) * rng.uniform(0.2, 5.0, 400) for _ in range(2)]
    for end in (1, 2, 50, 51, 230, 400):
        panel.update_snapshot(_snap([_history(steps[:end], loss[:end]) for loss in losses]))
    for i, loss in enumerate(losses):
        x, y = panel.curve_data(i)
        np.testing.assert_allclose(y, np.log10(loss), rtol=1e-12)
        xs, ys = panel.smoothed_data(i)
        np.testing.assert_array_equal(xs, x)
        # Independent of the panel's incremental path: the definition, point by point.
        w, avg, want = 0.8, 0.0, []
        for k, v in enumerate(np.log10(loss), start=1):
            avg = w * avg + (1 - w) * v
            want.append(avg / (1 - w**k))
        np.testing.assert_allclose(ys, want, rtol=1e-10)
        np.testing.assert_allclose(ys, ema_smooth(y, 0.8), rtol=1e-12)
    drawn = {s.key: s for s in panel.layer.strokes}
    np.testing.assert_allclose(drawn[0].y, panel.smoothed_data(0)[1])
    np.testing.assert_allclose(drawn[("raw", 0)].y, panel.curve_data(0)[1])
    faint = drawn[("raw", 0)].pen.color()
    assert faint == theme.run_style(0).tint(0.7) and drawn[0].pen.color().name() == "#0072b2"
    assert panel.ends.markers[0].y == pytest.approx(np.log10(losses[0][-1]))
    # Back to raw: no faint copies, the raw values drawn in the run's style.
    panel.set_smoothing(0.0)
    drawn = {s.key: s for s in panel.layer.strokes}
    assert set(drawn) == {0, 1}
    np.testing.assert_allclose(drawn[1].y, panel.curve_data(1)[1])


def test_the_slider_sets_the_smoothing_and_bad_weights_are_refused(panel):
    panel.set_landscape(make_landscape("rosenbrock"))
    panel.set_runs([theme.run_style(0)], ["a"])
    panel.smoothing_control.slider.setValue(60)
    assert panel.smoothing == pytest.approx(0.6)
    assert panel.smoothing_control.value_label.text() == "0.60"
    panel.set_smoothing(0.25)
    assert panel.smoothing_control.slider.value() == 25
    for bad in (-0.1, 1.0, float("nan")):
        with pytest.raises(ValueError, match="smoothing"):
            panel.set_smoothing(bad)
    assert panel.smoothing == 0.25


@pytest.mark.parametrize("height", [230, 330, 700])
def test_the_loss_axis_label_is_never_clipped(panel, qtbot, height):
    """A rotated axis label longer than the plot is clipped by pyqtgraph ("ss f (log" at
    1280x720): the panel shows the longest form of its label that fits, whole."""
    from PySide6.QtGui import QFontMetricsF

    from gui.panels.loss_panel import Y_LABELS

    panel.apply_scale(theme.PRESENTATION)
    panel.set_landscape(make_landscape("rosenbrock"))
    panel.resize(500, height)
    qtbot.wait(30)
    axis = panel.plot_item.getAxis("left")
    shown = panel.y_label()
    assert shown in Y_LABELS["loss f (log scale)"]
    length = QFontMetricsF(axis.label.font()).horizontalAdvance(shown)
    assert length <= axis.geometry().height()
    if height == 700:
        assert shown == "loss f (log scale)"
    pw = panel.plot_widget
    assert pw.minimumWidth() >= theme.MIN_PLOT[0] and pw.minimumHeight() >= theme.MIN_PLOT[1]


def test_presentation_text_is_at_least_18_pixels(app):
    from PySide6.QtGui import QFontInfo

    s = theme.PRESENTATION
    for pt in (s.font_pt, s.axis_pt, s.title_pt):
        assert QFontInfo(theme.font(pt)).pixelSize() >= theme.MIN_PRESENTATION_TEXT_PX
