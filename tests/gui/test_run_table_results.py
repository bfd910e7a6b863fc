"""The runs table's results columns and the "left the view" status, in the real lab."""

from __future__ import annotations

import csv

import numpy as np

from engine.runs import RaceConfig, RunConfig
from gui.panels.run_table_panel import C_NEAR, C_OUT, C_PATH, C_STATUS, C_TOL
from tests.gui.helpers import wait_for_snapshot


def test_results_columns_show_the_run_metrics_and_are_exported(make_window, qtbot, tmp_path):
    config = RaceConfig(
        "booth", runs=(RunConfig("sgd", {"lr": 0.02}),), start=(-4.0, -3.0), tol=0.0
    )
    _window, lab = make_window(config, size=(1920, 1080))
    lab.bridge.step_once(300)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step >= 300)
    qtbot.waitUntil(lambda: lab.table.table.item(0, C_TOL).text() != "")
    t = lab.table.table
    # Booth's only minimum (1, 3): SGD lr 0.02 settles there well within 300 steps.
    x, y = snap.positions[0]
    assert t.item(0, C_NEAR).text().startswith("#1 · ")
    assert "(1, 3)" in t.item(0, C_NEAR).toolTip()
    assert np.hypot(x - 1, y - 3) < 1e-2
    assert int(t.item(0, C_TOL).text().replace(",", "")) < 300
    xy = snap.histories[0].xy
    length = float(np.sum(np.hypot(*np.diff(xy, axis=0).T)))
    assert abs(float(t.item(0, C_PATH).text()) - length) < 1e-3 * length  # shown rounded
    assert t.item(0, C_OUT).text() == ""
    assert not t.isColumnHidden(C_TOL)
    path = tmp_path / "race.csv"
    lab.export_csv(path)
    with (tmp_path / "race-results.csv").open(newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert int(row["steps_to_tol"]) == int(t.item(0, C_TOL).text().replace(",", ""))
    assert float(row["path_length"]) == length


def test_a_run_that_slides_off_the_saddle_left_the_view_not_diverged(make_window, qtbot):
    config = RaceConfig(
        "saddle", runs=(RunConfig("sgd", {"lr": 0.1}),), start=(0.0, 0.5), far_bound=50.0
    )
    _window, lab = make_window(config)
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    lab.bridge.step_once(60)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.status[0] != "running")
    assert snap.status[0] == "left"
    # y = 0.5 * 1.2^k first leaves the window's |y| <= 2 at the k below.
    k = next(k for k in range(1, 100) if 0.5 * 1.2**k > 2.0)
    qtbot.waitUntil(lambda: lab.table.table.item(0, C_STATUS).text().startswith("left"))
    assert lab.table.table.item(0, C_STATUS).text() == f"left the view at step {k}"
    assert lab.table.table.item(0, C_OUT).text() == str(k)
    assert not any("diverged" in text for _, text in messages)
    assert any("left the view" in text for _, text in messages)
