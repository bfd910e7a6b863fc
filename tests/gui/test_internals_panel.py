"""The optimizer-internals plot: recorded series, their log values and gaps."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from gui import theme


def _snap(step, updates, status, eff=None):
    n = len(updates)
    return SimpleNamespace(
        n_runs=n,
        step=step,
        updates=np.asarray(updates, float),
        effective_lr=np.full((n, 2), np.nan) if eff is None else np.asarray(eff, float),
        lrs=np.full(n, 0.1),
        status=tuple(status),
    )


def test_frozen_run_leaves_a_gap_and_values_are_log_step_sizes(app, qtbot):
    from gui.panels.internals_panel import InternalsPanel

    panel = InternalsPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 300)
    panel.show()
    panel.set_runs([theme.run_style(0), theme.run_style(1)])
    for step in range(1, 11):
        status = ("running", "running" if step <= 5 else "converged")
        panel.record(_snap(step, [[3.0 * step, 4.0 * step], [0.5, 0.0]], status))
    panel.redraw()
    curves = panel.curves()
    assert len(curves) == 2
    first, second = curves
    # Run 1: |Δθ| = 5 * step, on a log axis.
    np.testing.assert_allclose(first.x, np.arange(1, 11))
    np.testing.assert_allclose(first.y, np.log10(5.0 * np.arange(1, 11)), rtol=1e-12)
    # Run 2 stopped after step 5: its curve ends there instead of dropping to a NaN.
    np.testing.assert_allclose(second.x, np.arange(1, 6))
    np.testing.assert_allclose(second.y, np.log10(0.5), rtol=1e-12)
    # The effective learning rate series is the mean over the two coordinates.
    panel.set_runs([theme.run_style(0)])
    panel.record(_snap(1, [[1.0, 0.0]], ("running",), eff=[[0.01, 0.03]]))
    panel.record(_snap(2, [[1.0, 0.0]], ("running",), eff=[[0.02, 0.06]]))
    panel.show_series(1)
    (curve,) = panel.curves()
    np.testing.assert_allclose(curve.y, np.log10([0.02, 0.04]), rtol=1e-12)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_arrow_legend_never_covers_the_plot(make_window, qtbot, size):
    """In a column too short for the plot and the legend's lines, the legend moves to the
    tooltip instead of being drawn over the plot's axis (it left 931 stale pixels there)."""
    from engine.runs import eight_run_race

    _window, lab = make_window(eight_run_race(), size=size)
    lab.act_internals.trigger()
    qtbot.waitUntil(lambda: lab.internals.isVisible(), timeout=5000)
    qtbot.wait(100)
    panel = lab.internals
    plot = panel.plot_widget.geometry()
    if panel.footer.isVisible():
        assert not panel.footer.geometry().intersects(plot)
        assert panel.toolTip() == ""
    else:
        assert "Arrows" in panel.toolTip()
    assert plot.height() >= 150
    if size == (1920, 1080):
        assert panel.footer.isVisible()  # room enough: the legend shows
