"""LandscapeSession: every edit kind, the commands it gives the worker, undo/redo, JSON.

The commands are checked against the engine itself: applying a result's command to a
:class:`~engine.runs.Race` that ran the old config must leave the race running exactly the
new config, live (step kept) or restarted (step 0) as the command says.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.runs import Race, RaceConfig, RunConfig
from engine.session import MAX_RUNS, SCHEMA_VERSION, LandscapeSession
from engine.session.race_session import (
    AddRun,
    DuplicateRun,
    RemoveRun,
    ReplaceRace,
    SetHyper,
    SetLandscape,
    SetRaceSettings,
    SetRun,
    SetRunField,
    SetStart,
)


def _apply_command(race: Race, result) -> None:
    cmd = result.command
    if cmd.kind == "live":
        race.set_run(cmd.run, result.config.runs[cmd.run])
    elif cmd.kind == "restart":
        race.reset(result.config)


def _stepped(session: LandscapeSession, n: int = 5) -> Race:
    race = Race(session.config)
    race.step(n)
    return race


def test_learning_rate_edit_is_live_and_labelled():
    s = LandscapeSession()
    race = _stepped(s)
    r = s.apply(SetHyper(0, "lr", 10.0))
    assert r.message == "learning rate of run 1 → 10"
    assert r.command.kind == "live" and r.command.run == 0
    assert s.config.runs[0].hyper["lr"] == 10.0
    assert s.undo_label == "learning rate of run 1 → 10"
    _apply_command(race, r)
    assert race.config == s.config
    assert race.step_count == 5  # a live change keeps the race going


def test_live_change_matches_the_engine_taking_the_new_lr_from_the_next_step():
    # Independent truth: plain SGD is x <- x - lr * grad; after the edit the next step
    # must use the new learning rate on the landscape's own gradient.
    s = LandscapeSession(RaceConfig(runs=(RunConfig("sgd", {"lr": 1e-3}),)))
    race = _stepped(s, 3)
    r = s.apply(SetHyper(0, "lr", 0.01))
    _apply_command(race, r)
    before = race.params.copy()
    g = race.landscape.grad(before)
    race.step(1)
    np.testing.assert_allclose(race.params, before - 0.01 * g, rtol=0, atol=1e-15)


def test_set_run_field_optimizer_keeps_shared_hyperparameters():
    s = LandscapeSession()
    r = s.apply(SetRunField(0, "optimizer", "adam"))
    assert s.config.runs[0].optimizer == "adam"
    assert s.config.runs[0].hyper["lr"] == 1e-3
    assert r.message == "optimizer of run 1 → Adam"
    assert r.command.kind == "live"


def test_set_run_field_batch_size_and_seed_and_label():
    s = LandscapeSession(RaceConfig(landscape="regression"))
    r = s.apply(SetRunField(1, "batch_size", 8))
    assert r.message == "batch size of run 2 → 8" and r.command.kind == "live"
    r = s.apply(SetRunField(1, "label", "mine"))
    assert r.message == "name of run 2 → mine"
    with pytest.raises(ValueError, match="no setting"):
        s.apply(SetRunField(0, "colour", 1))


def test_run_start_point_restarts():
    s = LandscapeSession()
    r = s.apply(SetRunField(2, "start", (0.5, 0.5)))
    assert r.command.kind == "restart" and not r.command.landscape_changed
    race = _stepped(s)
    _apply_command(race, r)
    assert race.step_count == 0 and race.config == s.config
    np.testing.assert_array_equal(race.params[2], [0.5, 0.5])


def test_set_run_whole_config():
    s = LandscapeSession()
    new = RunConfig("rmsprop", {"lr": 0.05}, seed=3)
    r = s.apply(SetRun(3, new))
    assert s.config.runs[3] == new and r.command.kind == "live" and r.select == 3
    assert r.message == "optimizer of run 4 → RMSprop"


def test_add_duplicate_remove():
    s = LandscapeSession()
    n = len(s.config.runs)
    r = s.apply(AddRun())
    assert len(s.config.runs) == n + 1 and r.select == n and r.command.kind == "restart"
    used = {run.optimizer for run in s.config.runs[:n]}
    assert s.config.runs[n].optimizer not in used
    r = s.apply(DuplicateRun(0))
    dup = s.config.runs[-1]
    assert dup.optimizer == s.config.runs[0].optimizer
    assert dup.seed == s.config.runs[0].seed + 1 and dup.label == ""
    r = s.apply(RemoveRun(0))
    assert len(s.config.runs) == n + 1 and r.select == 0
    assert r.message == "remove run 1"


def test_run_count_limits():
    s = LandscapeSession(RaceConfig(runs=(RunConfig(),)))
    with pytest.raises(ValueError, match="at least one run"):
        s.apply(RemoveRun(0))
    for _ in range(MAX_RUNS - 1):
        s.apply(DuplicateRun(0))
    with pytest.raises(ValueError, match=f"at most {MAX_RUNS}"):
        s.apply(AddRun())
    with pytest.raises(ValueError, match=f"at most {MAX_RUNS}"):
        s.apply(DuplicateRun(0))


def test_set_start_restarts_every_run_there():
    s = LandscapeSession(RaceConfig(runs=(RunConfig(start=(1.0, 1.0)), RunConfig("adam"))))
    r = s.apply(SetStart(-1.0, 2.0))
    assert r.command.kind == "restart"
    assert s.config.start == (-1.0, 2.0)
    assert all(run.start is None for run in s.config.runs)
    assert r.message == "start → (-1, 2)"
    with pytest.raises(ValueError, match="finite"):
        s.apply(SetStart(float("nan"), 0.0))


def test_set_landscape_and_its_params():
    s = LandscapeSession()
    s.apply(SetStart(0.1, 0.2))
    r = s.apply(SetLandscape("himmelblau"))
    assert r.command.kind == "restart" and r.command.landscape_changed
    assert s.config.landscape == "himmelblau" and s.config.start is None
    assert r.message == "landscape → Himmelblau"
    with pytest.raises(ValueError, match="unknown landscape"):
        s.apply(SetLandscape("nowhere"))


def test_landscape_params_are_validated_by_the_engine():
    s = LandscapeSession()
    with pytest.raises(ValueError):
        s.apply(SetLandscape("rosenbrock", {"a": "x"}))
    assert s.config == RaceConfig()
    assert not s.can_undo


def test_race_settings():
    s = LandscapeSession()
    r = s.apply(SetRaceSettings(tol=1e-3))
    assert s.config.tol == 1e-3 and r.command.kind == "restart"
    assert r.message == "tolerance → 0.001"
    with pytest.raises(ValueError, match="tol"):
        s.apply(SetRaceSettings(tol=-1.0))


def test_replace_race_is_undoable_and_resets_the_landscape():
    s = LandscapeSession()
    lesson = RaceConfig(landscape="beale", runs=(RunConfig("adam", {"lr": 0.01}),))
    r = s.apply(ReplaceRace(lesson, "Beale lesson"))
    assert s.config == lesson and r.command.landscape_changed
    assert s.undo_label == "open Beale lesson"
    s.undo()
    assert s.config == RaceConfig()


def test_invalid_edit_leaves_the_session_unchanged_and_says_why():
    s = LandscapeSession()
    seen = []
    s.subscribe(seen.append)
    with pytest.raises(ValueError, match="lr"):
        s.apply(SetHyper(0, "lr", -1.0))
    with pytest.raises(ValueError, match="no hyperparameter"):
        s.apply(SetHyper(0, "betas", (0.9, 0.99)))
    with pytest.raises(ValueError, match="no run 9"):
        s.apply(SetHyper(9, "lr", 1.0))
    with pytest.raises(ValueError, match="cannot apply"):
        s.apply("lr=10")
    assert s.config == RaceConfig() and not s.can_undo and seen == []


def test_no_op_edit_records_nothing():
    s = LandscapeSession()
    r = s.apply(SetHyper(0, "lr", s.config.runs[0].hyper["lr"]))
    assert r.command is None and not s.can_undo


def test_listeners_undo_redo_labels_and_commands():
    s = LandscapeSession()
    seen = []
    unsubscribe = s.subscribe(seen.append)
    s.apply(SetHyper(1, "lr", 0.5))
    s.apply(AddRun("adam"))
    assert s.undo_label == "add run 5 (Adam)"
    u = s.undo()
    assert u.message == "undo: add run 5 (Adam)" and u.command.kind == "restart"
    assert s.redo_label == "add run 5 (Adam)"
    u = s.undo()
    assert u.command.kind == "live" and u.command.run == 1
    assert s.config == RaceConfig() and s.undo() is None
    r = s.redo()
    assert r.message == "redo: learning rate of run 2 → 0.5"
    assert [x.source for x in seen] == ["edit", "edit", "undo", "undo", "redo"]
    # A new edit forgets the redo stack.
    s.apply(SetStart(0.0, 0.0))
    assert not s.can_redo
    unsubscribe()
    s.undo()
    assert len(seen) == 6


def test_history_is_bounded():
    s = LandscapeSession(history_limit=3)
    for k in range(5):
        s.apply(SetHyper(0, "lr", 0.1 * (k + 1)))
    undone = 0
    while s.undo() is not None:
        undone += 1
    assert undone == 3
    assert s.config.runs[0].hyper["lr"] == pytest.approx(0.2)


def test_json_round_trip_and_refusals():
    s = LandscapeSession()
    s.apply(SetLandscape("beale"))
    s.apply(SetHyper(0, "lr", 0.02))
    text = json.dumps(s.to_json())
    back = LandscapeSession.from_json(json.loads(text))
    assert back.config == s.config and not back.can_undo
    d = json.loads(text)
    with pytest.raises(ValueError, match="newer"):
        LandscapeSession.from_json({**d, "schema": SCHEMA_VERSION + 1})
    with pytest.raises(ValueError, match="expected a landscape session"):
        LandscapeSession.from_json({**d, "kind": "network"})
    with pytest.raises(ValueError):
        LandscapeSession.from_json({**d, "config": {"landscape": "nowhere"}})
    with pytest.raises(ValueError):
        LandscapeSession.from_json([1, 2])


def test_replace_forgets_history():
    s = LandscapeSession()
    s.apply(SetHyper(0, "lr", 0.5))
    r = s.replace(RaceConfig(), "start fresh")
    assert r.source == "replace" and not s.can_undo and s.config == RaceConfig()


# ------------------------------------------------------------------ property: undo all

_OPTS = ["sgd", "adam", "rmsprop"]
_NOISE = [0.0, 0.1, -1.0]
_edits = st.one_of(
    st.builds(SetHyper, st.integers(0, 5), st.just("lr"), st.sampled_from([1e-4, 0.01, 0.3])),
    st.builds(
        SetRunField,
        st.integers(0, 5),
        st.just("optimizer"),
        st.sampled_from(["sgd", "adam", "rmsprop"]),
    ),
    st.builds(
        SetRunField, st.integers(0, 5), st.just("noise_std"), st.sampled_from([0.0, 0.1, -1.0])
    ),
    st.builds(AddRun),
    st.builds(DuplicateRun, st.integers(0, 5)),
    st.builds(RemoveRun, st.integers(0, 5)),
    st.builds(SetStart, st.sampled_from([-1.0, 0.5]), st.sampled_from([0.0, 2.0])),
    st.builds(SetLandscape, st.sampled_from(["rosenbrock", "himmelblau", "beale"])),
    st.builds(SetRaceSettings, st.sampled_from([None, 1e-4]), st.sampled_from([None, 1e3])),
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(_edits, max_size=12))
def test_undo_all_gives_the_initial_config_and_redo_all_the_final_one(edits):
    s = LandscapeSession()
    initial = s.config
    applied = 0
    race = Race(initial)
    for e in edits:
        try:
            r = s.apply(e)
        except ValueError:
            continue
        if r.command is not None:
            applied += 1
            _apply_command(race, r)
            assert race.config == s.config  # the command keeps the engine in step
    final = s.config
    for _ in range(applied):
        r = s.undo()
        _apply_command(race, r)
        assert race.config == s.config
    assert s.undo() is None and s.config == initial
    for _ in range(applied):
        s.redo()
    assert s.redo() is None and s.config == final
