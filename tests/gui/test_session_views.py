"""Every display of a lab follows its session: after an edit, an undo or a redo, the
editor's heading, slider and field, the table row, the legend and the exported CSV agree.
"""

from __future__ import annotations

import csv
import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.training import TrainConfig
from tests.gui.helpers import wait_for_snapshot
from tests.gui.test_lessons import ScriptedDialogs
from tests.gui.test_network_lab import make_net_window  # noqa: F401  (fixture)

CTRL = Qt.KeyboardModifier.ControlModifier


def _csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _landscape_views_say(lab, lr_text: str) -> None:
    """Heading, field, slider, table row and legend all show run 1 at ``lr_text``."""
    editor = lab.editor
    ctl = editor.hyper_form.controls["lr"]
    slider = ctl._parts[0]
    assert editor.header.text() == f"Run 1 · SGD lr={lr_text}"
    assert slider.field.text() == lr_text
    # Independent truth for the slider: its position on the log scale of the spec's range.
    lo, hi = slider._lo, slider._hi
    t = (math.log10(float(lr_text)) - lo) / (hi - lo)
    assert slider.slider.value() == round(min(max(t, 0.0), 1.0) * slider.STEPS)
    assert lab.table.table.item(0, 1).text().startswith(f"lr={lr_text}")
    assert lab.loss._labels[0] == f"SGD lr={lr_text}"


def test_lr_10_shows_everywhere_and_undo_redo_follow(make_window, qtbot, tmp_path):
    window, lab = make_window()
    window.dialogs = ScriptedDialogs()
    wait_for_snapshot(qtbot, lab, lambda s: True)
    lab.table.select_row(0)
    lab.editor.hyper_form.controls["lr"].set_text("10")
    qtbot.waitUntil(lambda: lab.config.runs[0].hyper.get("lr") == 10.0)
    _landscape_views_say(lab, "10")
    assert window.act_undo.text() == "&Undo: learning rate of run 1 → 10"
    assert window.act_undo.isEnabled() and not window.act_redo.isEnabled()

    lab.bridge.step_once(3)
    wait_for_snapshot(qtbot, lab, lambda s: s.step >= 3)
    path = tmp_path / "after.csv"
    assert window.exporter.export_trajectories(path)
    assert {r["label"] for r in _csv(path) if r["run"] == "1"} == {"SGD lr=10"}

    window.act_undo.trigger()
    assert lab.config.runs[0].hyper["lr"] == 0.001
    _landscape_views_say(lab, "0.001")
    assert window.act_redo.text() == "&Redo: learning rate of run 1 → 10"
    window.act_redo.trigger()
    _landscape_views_say(lab, "10")


def test_keyboard_undo_and_redo(make_window, qtbot):
    window, lab = make_window()
    lab.set_landscape("himmelblau", {})
    assert lab.config.landscape == "himmelblau"
    assert window.act_undo.text() == "&Undo: landscape → Himmelblau"
    wait_for_snapshot(qtbot, lab, lambda s: True)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: lab.config.landscape == "rosenbrock")
    assert lab.landscape_combo.currentData() == "rosenbrock"
    QTest.keyClick(window, Qt.Key.Key_Y, CTRL)
    qtbot.waitUntil(lambda: lab.config.landscape == "himmelblau")
    assert lab.landscape_combo.currentData() == "himmelblau"
    assert [k.toString() for k in window.act_redo.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_start_click_and_run_removal_are_undoable(make_window, qtbot):
    window, lab = make_window()
    before = lab.config
    lab.set_start(0.5, 0.5)
    lab.remove_run(1)
    assert len(lab.config.runs) == 3 and lab.table.table.rowCount() == 3
    lab.undo()
    assert len(lab.config.runs) == 4 and lab.table.table.rowCount() == 4
    lab.undo()
    assert lab.config == before
    assert window.act_undo.text() == "&Undo" and not window.act_undo.isEnabled()


# ------------------------------------------------------------------ network lab

TASK = TaskConfig("moons", n=80, noise=0.1, seed=0)


def _cols():
    mlp = MLPConfig(hidden=(8, 8), activation="tanh", init="xavier_normal")
    return [
        TrainConfig(label="", mlp=mlp, optimizer="sgd", hyper={"lr": 0.1}, batch_size=16, seed=k)
        for k in range(2)
    ]


def _net_views_agree(lab, i: int, expected: str) -> None:
    heads = [p.title.text() for p in lab.panels]
    assert expected in heads[i]
    assert lab.editor.header.text() == f"Column {i + 1}: {heads[i]}"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("init", "all zero"),
        ("width", "2×64"),
        ("batchnorm", "BN before act"),
    ],
)
def test_network_column_edit_shows_everywhere(
    make_net_window,  # noqa: F811
    qtbot,
    tmp_path,
    change,
    expected,
):
    window, lab = make_net_window(TASK, _cols())
    window.dialogs = ScriptedDialogs()
    lab.select_column(0)
    ed = lab.editor
    if change == "init":
        ed.init_combo.setCurrentIndex(ed.init_combo.findData("zeros"))
    elif change == "width":
        ed.width._parts[0].setValue(64)  # the spin box, as a user turns it
    else:
        ed.bn_combo.setCurrentIndex(ed.bn_combo.findData("before"))
    qtbot.waitUntil(lambda: expected in lab.panels[0].title.text())
    _net_views_agree(lab, 0, expected)
    # The edit is undoable and the menu says what it was.
    assert window.act_undo.text() == f"&Undo: column 1 → {expected}"
    lab.bridge.step_once(2)
    qtbot.waitUntil(lambda: lab.last_frame is not None and lab.last_frame.step >= 2)
    path = tmp_path / "net.csv"
    assert window.exporter.export_trajectories(path)
    rows = _csv(path)
    assert {r["label"] for r in rows if r["column"] == "1"} == {lab.panels[0].title.text()}
    layers = _csv(tmp_path / "net-layers.csv")
    assert {r["label"] for r in layers if r["column"] == "1"} == {lab.panels[0].title.text()}
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: expected not in lab.panels[0].title.text())
    assert expected not in lab.editor.header.text()
