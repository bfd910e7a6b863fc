"""The network lab's loss and accuracy curves, smoothed as TensorBoard does."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gui import theme


@pytest.fixture
def panel(app, qtbot):
    from gui.panels.net_curves_panel import NetCurvesPanel

    p = NetCurvesPanel()
    qtbot.addWidget(p)
    p.resize(500, 400)
    p.show()
    p.set_columns([theme.run_style(0), theme.run_style(1)])
    return p


def _debiased_ema(values, w):
    """The definition, point by point (NaN skipped and passed through)."""
    avg, k, out = 0.0, 0, []
    for v in values:
        if math.isnan(v):
            out.append(v)
            continue
        k += 1
        avg = w * avg + (1 - w) * v
        out.append(avg / (1 - w**k))
    return np.array(out)


def test_each_series_is_drawn_as_the_ema_of_its_points_with_the_raw_faint_behind(panel):
    rng = np.random.default_rng(3)
    loss = np.exp(-np.arange(120) / 40) * rng.uniform(0.5, 2.0, 120)
    acc = np.clip(np.linspace(0.3, 0.95, 120) + rng.normal(0, 0.05, 120), 0, 1)
    panel.set_smoothing(0.6)
    for step in range(120):
        panel.append(0, step, (loss[step], math.nan, acc[step], math.nan))  # no val set
        panel.append(1, step, (2 * loss[step], 3 * loss[step], acc[step], acc[step]))
        if step % 25 == 0:
            panel.redraw()
    panel.redraw()
    x, raw = panel.series(0, 0)
    np.testing.assert_allclose(raw, np.log10(loss), rtol=1e-12)
    _, smoothed = panel.series(0, 0, smoothed=True)
    np.testing.assert_allclose(smoothed, _debiased_ema(np.log10(loss), 0.6), rtol=1e-10)
    _, acc_s = panel.series(0, 2, smoothed=True)
    np.testing.assert_allclose(acc_s, _debiased_ema(acc, 0.6), rtol=1e-10)
    assert np.isnan(panel.series(0, 1, smoothed=True)[1]).all()  # no validation: gaps
    # What the loss layer draws: faint raw copies, then the smoothed lines.
    strokes = panel.layers[0].strokes
    colour = theme.run_style(0)
    faint = [s for s in strokes if s.pen.color() == colour.tint(0.75)]
    bold = [s for s in strokes if s.pen.color().name() == colour.colour.lower()]
    assert len(faint) == 1 and len(bold) == 1
    np.testing.assert_allclose(faint[0].y, raw)
    np.testing.assert_allclose(bold[0].y, smoothed)
    np.testing.assert_array_equal(bold[0].x, x)
    # The end marker is on the last raw value.
    assert panel.ends.markers[0].y == pytest.approx(np.log10(loss[-1]))


def test_changing_the_weight_re_smooths_and_a_restart_starts_the_average_again(panel):
    for step in range(30):
        panel.append(0, step, (1.0 + step % 3, math.nan, 0.5, math.nan))
    panel.set_smoothing(0.9)
    _, raw = panel.series(0, 0)
    np.testing.assert_allclose(panel.series(0, 0, smoothed=True)[1], _debiased_ema(raw, 0.9))
    assert panel.smoothing_control.slider.value() == 90
    panel.append(0, 0, (5.0, math.nan, 0.5, math.nan))  # back to step 0: a restart
    assert panel.series(0, 0, smoothed=True)[1] == pytest.approx([math.log10(5.0)])
    panel.set_smoothing(0.0)
    panel.redraw()
    assert all(s.pen.color() != theme.run_style(0).tint(0.75) for s in panel.layers[0].strokes)
    with pytest.raises(ValueError, match="smoothing"):
        panel.set_smoothing(2.0)
