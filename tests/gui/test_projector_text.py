"""Text a projector shows whole (issue 12): run names, the curves' title, axis labels.

Each check measures the shown text with the widget's own font against the room Qt gives
it, so a font or layout change that clips a word or a digit fails here.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QFontMetricsF

from engine.display import format_value
from gui import theme
from gui.panels.run_table_panel import C_LOSS, C_RUN, C_STATUS
from tests.gui.helpers import wait_for_snapshot

SADDLE = "resources/scenarios/03_saddle_escape.json"


def _settle(qtbot, window, size):
    for _ in range(2):
        window.resize(*size)
        qtbot.wait(50)


def test_every_run_name_is_whole_at_1280x720_in_presentation(make_window, qtbot):
    window, lab = make_window(size=(1280, 720))
    window.set_presentation(True)
    assert window.lessons.open_file(SADDLE)
    _settle(qtbot, window, (1280, 720))
    lab.bridge.step_once(300)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step >= 300)
    losses = [format_value(float(v)) for v in snap.losses]
    qtbot.waitUntil(lambda: [lab.table.table.item(r, C_LOSS).text() for r in range(4)] == losses)
    panel, t = lab.table, lab.table.table
    fm = t.fontMetrics()
    shown = [t.item(r, C_RUN).text() for r in range(t.rowCount())]
    assert len(shown) == 4 and len(set(shown)) == 4, shown  # no two runs look the same
    for r, text in enumerate(shown):
        name, _, title = panel._rows[r]
        assert "…" not in text and text in (name, title), (text, name, title)
        # Whole within its cell: the swatch, the cell's padding and the text fit.
        icon = t.iconSize().width() + 8
        assert fm.horizontalAdvance(text) + icon + panel._cell_pad() <= t.columnWidth(C_RUN)
    for r in range(t.rowCount()):
        # The loss keeps every digit: it is the engine's value, and it fits its column.
        loss = t.item(r, C_LOSS).text()
        assert loss == losses[r]
        assert fm.horizontalAdvance(loss) + panel._cell_pad() <= t.columnWidth(C_LOSS)
        status = t.item(r, C_STATUS).text()
        assert fm.horizontalAdvance(status) + panel._cell_pad() <= t.columnWidth(C_STATUS)
    # The run that slid off the saddle still names the step it left at, whole.
    left = [r for r in range(snap.n_runs) if snap.status[r] == "left"]
    assert left
    for r in left:
        k = panel.metrics[r].left_view_at
        assert t.item(r, C_STATUS).text().endswith(f" {k:,}")
    assert t.fontInfo().pixelSize() >= 18


def _snap(status, k, n=1):
    return SimpleNamespace(
        n_runs=n,
        status=[status] * n,
        event_step=[k] * n,
        step=k,
        positions=np.zeros((n, 2)),
        losses=np.ones(n),
        histories=[[]] * n,
    )


@pytest.mark.parametrize(
    ("status", "k", "short"),
    [("left", 1234, "left at 1,234"), ("diverged", 87, "diverged 87")],
)
def test_a_narrow_status_column_shortens_its_words_never_the_step(app, qtbot, status, k, short):
    from gui.panels.run_table_panel import RunTablePanel

    panel = RunTablePanel()
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    panel.set_runs([theme.run_style(0)], [("SGD", "lr=0.1", "SGD lr=0.1")])
    panel.update_snapshot(_snap(status, k))
    t = panel.table
    fm = t.fontMetrics()
    long = f"{'left the view' if status == 'left' else status} at step {k:,}"
    assert t.item(0, C_STATUS).text() == long and t.item(0, C_STATUS).toolTip() == ""
    # Just room for the shortest wording: the step is there whole, the rest in the tooltip.
    t.setColumnWidth(C_STATUS, int(fm.horizontalAdvance(short)) + panel._cell_pad() + 1)
    assert t.item(0, C_STATUS).text() == short
    assert t.item(0, C_STATUS).toolTip() == long
    t.setColumnWidth(C_STATUS, 900)
    assert t.item(0, C_STATUS).text() == long


@pytest.fixture
def curves(app, qtbot):
    from gui.panels.net_curves_panel import NetCurvesPanel

    p = NetCurvesPanel()
    qtbot.addWidget(p)
    p.apply_scale(theme.PRESENTATION)
    p.set_columns([theme.run_style(0), theme.run_style(1)])
    p.show()
    return p


def _head_fits(panel):
    """The title shown whole, and the smoothing control's label and value whole."""
    title = panel.title_label
    assert title.shown_text() == title.text(), title.shown_text()
    c = panel.smoothing_control
    for label in (c.label, c.value_label):
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    assert c.slider.width() >= c.slider.minimumWidth() > 0
    assert title.geometry().right() < panel.mapTo(panel, c.geometry().topLeft()).x() or (
        panel.head_controls_wrapped()
    )


@pytest.mark.parametrize("width", [300, 380, 900])
def test_curves_title_and_smoothing_control_are_both_readable(curves, qtbot, width):
    curves.resize(width, 500)
    qtbot.wait(20)
    _head_fits(curves)
    # Wide enough, the control stays in the title row (no plot height spent on a row).
    title_w = curves.title_label.sizeHint().width()
    control_w = curves.smoothing_control.minimumSizeHint().width()
    assert curves.head_controls_wrapped() == (title_w + control_w + 30 > width)
    if curves.head_controls_wrapped():
        c = curves.smoothing_control.geometry()
        assert c.top() >= curves.title_label.geometry().bottom()


def test_network_lab_curves_title_is_whole_at_1280x720_in_presentation(app, qtbot):
    from gui.app import build_main_window

    window = build_main_window()
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.lessons.open_file("resources/scenarios/11_init_lesson.json")
        window.set_presentation(True)
        _settle(qtbot, window, (1280, 720))
        curves = window.current_lab().curves
        assert curves.isVisible()
        _head_fits(curves)
    finally:
        window.shutdown()


@pytest.mark.parametrize("series", [0, 1])
def test_internals_axis_label_is_the_longest_that_fits_whole(app, qtbot, series):
    from gui.panels.internals_panel import SERIES, InternalsPanel

    panel = InternalsPanel()
    qtbot.addWidget(panel)
    panel.apply_scale(theme.PRESENTATION)
    panel.show_series(series)
    panel.show()
    forms = SERIES[series][0]
    seen = set()
    for h in (700, 260, 200, 160):
        panel.resize(500, h)
        qtbot.wait(20)
        axis = panel.plot.getAxis("left")
        room = axis.geometry().height()
        fm = QFontMetricsF(axis.label.font())
        label = panel.y_label()
        assert label in forms
        seen.add(label)
        i = forms.index(label)
        assert fm.horizontalAdvance(label) + 8 <= room or i == len(forms) - 1
        # No longer form would have fitted.
        assert all(fm.horizontalAdvance(f) + 8 > room for f in forms[:i])
    assert forms[0] in seen and len(seen) > 1  # full when tall, shorter when short
