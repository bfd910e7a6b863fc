"""Landscape lab in presentation at projector sizes: every plot at least 160x150 (issue 12).

Three stacked plots and the run table did not fit at 1280x720 under a lesson banner (the
internals plot was 46 px high, the window grew past the screen); in presentation the
right column's plots are tabs over the table.
"""

from __future__ import annotations

import pytest

from gui import theme

LESSONS = ["01_rosenbrock_valley.json", "03_saddle_escape.json", "04_minibatch_noise.json"]


def _settle(qtbot, window, size):
    window.resize(*size)
    qtbot.wait(50)
    window.resize(*size)
    qtbot.wait(50)


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_every_plot_fits_at_projector_sizes(make_window, qtbot, size):
    window, lab = make_window(size=size)
    window.set_presentation(True)
    for lesson in LESSONS:
        window.lessons.open_file(f"resources/scenarios/{lesson}")
        lab.set_internals_visible(False)
        lab.set_internals_visible(True)
        _settle(qtbot, window, size)
        _check_fits(qtbot, window, lab, size, lesson)


def _check_fits(qtbot, window, lab, size, lesson):
    # The window did not have to grow: the layout's minimum fits the screen.
    assert (window.width(), window.height()) == size
    assert lab.current_plot_tab() is lab.internals  # switched on: brought to the front
    w, h = theme.MIN_PLOT
    shown = [lab.loss, lab.internals] + ([lab.regression] if "minibatch" in lesson else [])
    assert lab.regression.isHidden() == ("minibatch" not in lesson)
    for panel in [lab.surface, *shown]:
        if panel is not lab.surface:
            lab.show_plot_tab(panel)
            qtbot.wait(10)
        pw = panel.plot_widget
        assert pw.isVisible(), panel
        assert pw.width() >= w and pw.height() >= h, (panel, pw.width(), pw.height())
    # Text is at least 18 px in presentation (tab titles, the run table).
    for widget in (lab.plot_tabs.tabBar(), lab.table.table):
        assert widget.fontInfo().pixelSize() >= 18, widget
    # Every run's row is shown whole, none scrolled away.
    table = lab.table.table
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    assert table.viewport().height() >= rows


def test_tabs_follow_panels_and_normal_mode_restores_the_stack(make_window, qtbot):
    window, lab = make_window(size=(1280, 720))
    window.set_presentation(True)
    tabs = lab.plot_tabs
    assert not tabs.tabBar().isVisible()  # only the loss: no tab bar to read
    lab.set_internals_visible(True)
    assert tabs.tabBar().isVisible() and lab.current_plot_tab() is lab.internals
    lab.set_internals_visible(False)
    assert lab.current_plot_tab() is lab.loss
    lab.set_landscape("regression", {})
    assert tabs.isTabVisible(tabs.indexOf(lab.plot_tabs.pages[lab.regression]))
    window.set_presentation(False)
    _settle(qtbot, window, (1280, 720))
    assert lab.current_plot_tab() is None and not tabs.isVisible()
    assert lab.loss.parent() is lab.right and lab.regression.parent() is lab.right
    assert lab.loss.isVisible() and lab.regression.isVisible() and lab.internals.isHidden()
    assert lab.table.parent() is lab.centre and lab.table.title_label.isVisible()
