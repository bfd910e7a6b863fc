"""Editors built from the engine's dataclasses and ParamSpecs."""

from __future__ import annotations

import dataclasses

import pytest
from superqt import QLabeledDoubleSlider

from engine.landscapes import LANDSCAPES
from engine.optimizers import OPTIMIZERS
from engine.runs import RaceConfig, RunConfig, ScheduleConfig
from engine.schedules import SCHEDULES
from gui.controls.landscape_editor import RACE_FIELD_SPECS, LandscapeEditor
from gui.controls.param_control import LogSlider, ParamControl
from gui.controls.run_editor import RunEditor, field_names_with_controls


@pytest.fixture
def editor(app, qtbot):
    ed = RunEditor()
    qtbot.addWidget(ed)
    ed.set_run(0, RunConfig("adam", {"lr": 0.05}))
    return ed


def test_every_runconfig_field_has_a_control(editor):
    assert field_names_with_controls(editor) == {f.name for f in dataclasses.fields(RunConfig)}


def test_every_race_setting_has_a_control():
    editable = {f.name for f in dataclasses.fields(RaceConfig)} - {
        "landscape",
        "landscape_params",
        "runs",
        "start",
    }
    assert editable == set(RACE_FIELD_SPECS)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_hyperparameter_rows_follow_the_optimizer_spec(editor, qtbot, name):
    editor.set_run(0, RunConfig("adam" if name == "sgd" else "sgd"))
    idx = editor.opt_combo.findData(name)
    with qtbot.waitSignal(editor.run_edited, timeout=2000) as sig:
        editor.opt_combo.setCurrentIndex(idx)
    spec = OPTIMIZERS[name]
    assert list(editor.hyper_form.controls) == [p.name for p in spec.params]
    index, run = sig.args
    assert index == 0 and run.optimizer == name and dict(run.hyper) == {}
    # The learning rate is on a log scale, as its spec says.
    assert isinstance(editor.hyper_form.controls["lr"]._parts[0], LogSlider)


def test_schedule_rows_follow_the_schedule_spec(editor, qtbot):
    for name, spec in SCHEDULES.items():
        editor.sched_combo.setCurrentIndex(editor.sched_combo.findData(name))
        assert list(editor.sched_form.controls) == [p.name for p in spec.params]
    editor.sched_combo.setCurrentIndex(editor.sched_combo.findData("step"))
    run = editor.current_config()
    assert run.schedule == ScheduleConfig("step", {"step_size": 100, "gamma": 0.1})


def test_log_slider_moves_in_decades(app, qtbot):
    spec = OPTIMIZERS["sgd"].params[0]
    ctl = ParamControl(spec, "optimizer sgd")
    qtbot.addWidget(ctl)
    s = ctl._parts[0].slider
    s.setValue(s.minimum())
    lo = ctl.value()
    s.setValue(s.maximum())
    hi = ctl.value()
    assert lo == pytest.approx(1e-7) and hi == pytest.approx(10.0)
    s.setValue((s.minimum() + s.maximum()) // 2)
    assert ctl.value() == pytest.approx(1e-3, rel=0.05)


def test_slider_at_its_extreme_gives_a_message_not_a_crash(editor, qtbot):
    betas = editor.hyper_form.controls["betas"]
    beta2 = betas._parts[1]
    assert isinstance(beta2, QLabeledDoubleSlider)
    errors = []
    editor.invalid.connect(errors.append)
    edited = []
    editor.run_edited.connect(lambda i, r: edited.append(r))
    beta2.setValue(beta2.maximum())  # beta2 = 1: the running average never forgets
    qtbot.waitUntil(lambda: bool(errors))
    assert "betas" in errors[-1]
    assert not editor.error.isHidden() and edited == []


def test_typed_values_are_validated_by_the_spec(editor, qtbot):
    errors = []
    editor.invalid.connect(errors.append)
    editor.field_controls["seed"].set_value(7)
    lr = editor.hyper_form.controls["lr"]
    lr.set_text("1e-2")
    qtbot.waitUntil(lambda: editor.current_config().hyper.get("lr") == 0.01)
    lr.set_text("0")
    qtbot.waitUntil(lambda: bool(errors))
    assert "lr: must be > 0" in errors[-1]


def test_optional_fields_are_off_until_ticked(editor, qtbot):
    clip = editor.field_controls["clip_norm"]
    assert editor.current_config().clip_norm is None
    with qtbot.waitSignal(editor.run_edited, timeout=2000) as sig:
        clip.check.setChecked(True)
    assert sig.args[1].clip_norm == 1.0
    noise = editor.field_controls["noise_std"]
    assert editor.current_config().noise_std == 0.0
    noise.check.setChecked(True)
    assert editor.current_config().noise_std == 1.0


def test_landscape_editor_builds_its_parameters(app, qtbot):
    ed = LandscapeEditor()
    qtbot.addWidget(ed)
    for name, spec in LANDSCAPES.items():
        ed.set_config(RaceConfig(landscape=name))
        assert list(ed.params.controls) == [p.name for p in spec.params]
        assert ed.description.text() == spec.description
