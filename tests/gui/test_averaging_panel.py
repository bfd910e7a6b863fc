"""The averaging lesson in the window: opens with its dock, edits, bias switch, momentum tie."""

from __future__ import annotations

import numpy as np
import pytest

from engine.scenario import builtin_dir


@pytest.fixture
def lesson_window(make_window):
    window, lab = make_window()
    assert window.lessons.open_file(builtin_dir() / "09_averaging.json")
    from gui.averaging_dock import AveragingDock

    dock = window.findChild(AveragingDock)
    return window, lab, dock


def test_lesson_opens_the_panel_with_its_series_and_momentum_run(lesson_window):
    _window, _lab, dock = lesson_window
    assert dock.isVisible()
    panel = dock.panel
    assert panel.config.betas == (0.5, 0.9, 0.98)
    assert [f.text() for f in panel.beta_fields] == ["0.5", "0.9", "0.98"]
    tr = panel.view.trace
    assert tr is not None and tr.momentum == 0.9
    np.testing.assert_allclose(tr.velocity, 10 * tr.average, rtol=1e-10, atol=1e-12)
    # the legend tells each window 1/(1 - beta)
    names = [item.name() for item in panel.series_plot.listDataItems()]
    assert any("≈10 values" in str(n) for n in names)
    assert any("≈50 values" in str(n) for n in names)


def test_bias_switch_shows_and_removes_the_startup_bias(lesson_window, qtbot):
    _w, _lab, dock = lesson_window
    panel = dock.panel
    x0 = panel.view.series[0]
    assert panel.view.averages[2, 0] == pytest.approx(0.02 * x0)  # (1 - 0.98) x_1
    panel.bias.setChecked(True)
    assert panel.config.bias_correction
    assert panel.view.averages[2, 0] == pytest.approx(x0)


def test_beta_edits_apply_and_bad_ones_are_refused_in_one_line(lesson_window, qtbot):
    _w, _lab, dock = lesson_window
    panel = dock.panel
    field = panel.beta_fields[1]
    field.setText("0.75")
    field.editingFinished.emit()
    assert panel.config.betas == (0.5, 0.75, 0.98)
    assert panel.view.windows[1] == pytest.approx(4.0)
    field.setText("1.5")
    field.editingFinished.emit()
    assert panel.config.betas == (0.5, 0.75, 0.98)
    assert "betas[1]" in panel.error and "\n" not in panel.error
    assert field.text() == "0.75"
    field.setText("abc")
    field.editingFinished.emit()
    assert panel.error and panel.config.betas == (0.5, 0.75, 0.98)


def test_the_panel_follows_the_race_and_goes_with_another_lesson(lesson_window):
    window, lab, dock = lesson_window
    from engine.session.race_session import SetHyper

    assert lab.edit(SetHyper(1, "momentum", 0.5))
    tr = dock.panel.view.trace
    assert tr.momentum == 0.5 and tr.scale == pytest.approx(2.0)
    np.testing.assert_allclose(tr.velocity, 2 * tr.average, rtol=1e-10, atol=1e-12)
    window.lessons.open_file(builtin_dir() / "01_rosenbrock_valley.json")
    assert not dock.isVisible()
