"""Every newer optimizer and schedule can be chosen and edited live in the run editor,
and Muon in the network column editor; each edit reaches the worker's engine."""

from __future__ import annotations

import pytest

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.training import TrainConfig
from tests.gui.test_network_lab import engine_columns, make_net_window  # noqa: F401

NEW_OPTIMIZERS = (
    "radam",
    "adamax",
    "rprop",
    "lion",
    "adabelief",
    "signsgd",
    "lookahead",
    "schedule_free_adamw",
)
# each schedule with one of its float parameters and a new value
NEW_SCHEDULES = {
    "multistep": ("gamma", 0.5),
    "linear": ("start_factor", 0.5),
    "polynomial": ("power", 2.0),
    "onecycle": ("pct_start", 0.4),
    "plateau": ("factor", 0.5),
}


def _engine_run(qtbot, lab, i):
    got = []
    lab.bridge.submit(lambda race: race.config.runs[i], on_result=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    return got[0]


def _type(control, value):
    """Enter ``value`` as a user would: in the text field, or on the slider."""
    try:
        control.set_text(str(value))
    except TypeError:
        control._parts[0].setValue(float(value))  # a labelled slider: drag to the value


def _choose(combo, name):
    idx = combo.findData(name)
    assert idx >= 0, f"{name} is not offered"
    combo.setCurrentIndex(idx)


@pytest.mark.parametrize("name", NEW_OPTIMIZERS)
def test_new_optimizer_is_chosen_and_its_lr_edited_live(make_window, qtbot, name):
    _window, lab = make_window()
    lab.table.select_row(0)
    qtbot.waitUntil(lambda: lab.editor.index == 0)
    _choose(lab.editor.opt_combo, name)
    qtbot.waitUntil(lambda: lab.config.runs[0].optimizer == name)
    assert _engine_run(qtbot, lab, 0).optimizer == name
    lab.editor.hyper_form.controls["lr"].set_text("0.0123")
    qtbot.waitUntil(lambda: lab.config.runs[0].hyper.get("lr") == 0.0123)
    assert _engine_run(qtbot, lab, 0).resolved_hyper()["lr"] == 0.0123
    assert not lab.editor.error.isVisible()
    lab.step_once()
    qtbot.waitUntil(
        lambda: (
            lab.last_snapshot is not None
            and lab.last_snapshot.step >= 1
            and lab.last_snapshot.lrs[0] == 0.0123
        ),
        timeout=10000,
    )


@pytest.mark.parametrize("kind", sorted(NEW_SCHEDULES))
def test_new_schedule_is_chosen_and_edited_live(make_window, qtbot, kind):
    _window, lab = make_window()
    lab.table.select_row(1)
    qtbot.waitUntil(lambda: lab.editor.index == 1)
    _choose(lab.editor.sched_combo, kind)
    qtbot.waitUntil(lambda: lab.config.runs[1].schedule.kind == kind)
    param, value = NEW_SCHEDULES[kind]
    _type(lab.editor.sched_form.controls[param], value)
    qtbot.waitUntil(lambda: dict(lab.config.runs[1].schedule.params).get(param) == value)
    run = _engine_run(qtbot, lab, 1)
    assert run.schedule.kind == kind and dict(run.schedule.params)[param] == value
    assert not lab.editor.error.isVisible()


def test_muon_is_chosen_and_edited_live_in_the_column_editor(make_net_window, qtbot):  # noqa: F811
    cols = (
        TrainConfig(label="a", mlp=MLPConfig(hidden=(8, 8)), optimizer="adam"),
        TrainConfig(label="b", mlp=MLPConfig(hidden=(8, 8)), optimizer="sgd"),
    )
    _window, lab = make_net_window(TaskConfig("moons", n=60, seed=1), cols)
    lab.select_column(1)
    qtbot.waitUntil(lambda: lab.editor.index == 1)
    _choose(lab.editor.opt_combo, "muon")
    qtbot.waitUntil(lambda: lab.columns[1].optimizer == "muon")
    qtbot.waitUntil(lambda: engine_columns(qtbot, lab)[1].optimizer == "muon", timeout=10000)
    assert "momentum" in lab.editor.hyper_form.controls
    lab.editor.hyper_form.controls["adam_lr"].set_text("0.0042")
    qtbot.waitUntil(
        lambda: engine_columns(qtbot, lab)[1].hyper.get("adam_lr") == 0.0042, timeout=10000
    )
    assert lab.columns[1].hyper["adam_lr"] == 0.0042
    assert "muon" in lab.editor.header.text().lower() or lab.columns[1].optimizer == "muon"
