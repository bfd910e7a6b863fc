"""NetworkSession: every edit kind, its worker command checked against the engine, undo.

The worker side is :class:`~engine.nn.paced.NetEngine`; applying a result's command to an
engine that ran the old comparison must leave it training exactly the new columns.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.paced import NetEngine
from engine.nn.presets import MAX_COLUMNS, batchnorm_lesson, init_lesson
from engine.nn.training import TrainConfig
from engine.session import NetworkConfig, NetworkSession
from engine.session.net_session import (
    AddColumn,
    DuplicateColumn,
    OpenComparison,
    RemoveColumn,
    Resample,
    SetColumn,
    SetColumnHyper,
    SetTask,
    Vary,
)

TASK = TaskConfig("moons", n=60, noise=0.1, seed=0)


def _col(**kw) -> TrainConfig:
    base = dict(
        mlp=MLPConfig(hidden=(4, 4), activation="tanh", init="xavier_normal"),
        optimizer="sgd",
        hyper={"lr": 0.1},
        batch_size=16,
        seed=0,
        label="",
    )
    return TrainConfig(**{**base, **kw})


def _session(n: int = 2) -> NetworkSession:
    return NetworkSession(NetworkConfig(TASK, tuple(_col(seed=k) for k in range(n))))


def _apply(engine: NetEngine, result, gen: int) -> None:
    cmd = result.command
    cfg = result.config
    if cmd.kind == "hyper":
        engine.set_hyper(cmd.column, dict(cmd.hyper))
    elif cmd.kind == "column":
        engine.set_column(cmd.column, cfg.columns[cmd.column], gen)
    elif cmd.kind == "load":
        engine.load(cfg.task, cfg.columns, gen)


def _engine_columns(engine: NetEngine):
    # The engine's columns, compared without labels (labels never reach the worker).
    return [dataclasses.replace(c, label="") for c in engine.columns]


def test_hyper_edit_is_live_and_the_engine_holds_the_same_column():
    s = _session()
    eng = NetEngine(s.task, s.columns)
    eng.step(3)
    r = s.apply(SetColumnHyper(0, "lr", 0.5))
    assert r.message == "learning rate of column 1 → 0.5"
    assert r.command.kind == "hyper" and r.command.column == 0
    _apply(eng, r, 1)
    assert eng.step_count == 3  # trained on, not restarted
    assert eng.columns[0].hyper == s.columns[0].hyper
    assert eng.columns[0] == s.columns[0]


def test_structural_column_edit_restarts_that_column_alone():
    s = _session()
    eng = NetEngine(s.task, s.columns)
    eng.step(2)
    new = dataclasses.replace(
        s.columns[1], mlp=dataclasses.replace(s.columns[1].mlp, batchnorm="before")
    )
    r = s.apply(SetColumn(1, new))
    assert r.command.kind == "column" and r.command.column == 1 and r.select == 1
    assert r.message == "column 2 → BN before act"
    _apply(eng, r, 1)
    assert _engine_columns(eng) == [dataclasses.replace(c, label="") for c in s.columns]


def test_width_and_initializer_edits():
    s = _session()
    mlp = dataclasses.replace(s.columns[0].mlp, hidden=(8, 8), init="zeros")
    r = s.apply(SetColumn(0, dataclasses.replace(s.columns[0], mlp=mlp)))
    assert s.columns[0].mlp.hidden == (8, 8) and s.columns[0].mlp.init == "zeros"
    assert r.command.kind == "column"
    assert r.message == "column 1 → 2×8, all zero"


def test_label_only_edit_needs_nothing_from_the_worker():
    s = _session()
    r = s.apply(SetColumn(0, dataclasses.replace(s.columns[0], label="mine")))
    assert r.command.kind == "none" and r.message == "name of column 1 → mine"


def test_columns_fit_the_task():
    s = _session()
    s.apply(SetTask(TaskConfig("blobs", n=60, params={"k": 4})))
    assert all(c.mlp.output_size == 4 for c in s.columns)
    assert s.undo().command.kind == "load"
    assert all(c.mlp.output_size == 2 for c in s.columns)


def test_add_duplicate_remove_and_limits():
    s = _session(2)
    r = s.apply(AddColumn(1))
    assert len(s.columns) == 3 and r.select == 2 and r.command.kind == "load"
    assert s.columns[2].seed == 2  # the next unused init seed
    s.apply(DuplicateColumn(0))
    assert s.columns[3] == s.columns[0]
    r = s.apply(RemoveColumn(3))
    assert len(s.columns) == 3 and r.select == 2
    while len(s.columns) < MAX_COLUMNS:
        s.apply(DuplicateColumn(0))
    with pytest.raises(ValueError, match=f"at most {MAX_COLUMNS}"):
        s.apply(AddColumn(0))
    one = _session(1)
    with pytest.raises(ValueError, match="at least one column"):
        one.apply(RemoveColumn(0))
    with pytest.raises(ValueError, match="no column 7"):
        one.apply(SetColumnHyper(7, "lr", 1.0))


def test_vary_each_aspect():
    s = _session(1)
    r = s.apply(Vary(0, "init"))
    assert len(s.columns) == 4 and r.message == "vary the initializer" and r.select == 0
    s.undo()
    s.apply(Vary(0, "batchnorm"))
    assert [c.mlp.batchnorm for c in s.columns] == ["off", "before", "after"]
    s.undo()
    s.apply(Vary(0, "lr"))
    assert [c.hyper["lr"] for c in s.columns] == pytest.approx([0.01, 0.1, 1.0, 10.0])
    with pytest.raises(ValueError, match="cannot vary"):
        s.apply(Vary(0, "colour"))


def test_resample_is_seed_plus_one_as_the_engine_does():
    s = _session()
    eng = NetEngine(s.task, s.columns)
    r = s.apply(Resample())
    assert [c.seed for c in s.columns] == [1, 2] and r.command.kind == "load"
    eng.resample(1)  # the engine's own resample: seeds + 1
    assert _engine_columns(eng) == list(s.columns)


def test_open_comparison_is_undoable():
    s = NetworkSession()
    assert s.config == NetworkConfig(*init_lesson())
    r = s.apply(OpenComparison(*batchnorm_lesson(), title="Batch norm lesson"))
    assert r.command.kind == "load" and s.undo_label == "open Batch norm lesson"
    s.undo()
    assert s.config == NetworkConfig(*init_lesson())


def test_invalid_edits_leave_it_unchanged():
    s = _session()
    before = s.config
    with pytest.raises(ValueError, match="lr"):
        s.apply(SetColumnHyper(0, "lr", -2.0))
    with pytest.raises(ValueError):
        s.apply(SetColumnHyper(0, "nonsense", 1.0))
    with pytest.raises(ValueError, match="cannot apply"):
        s.apply(42)
    assert s.config == before and not s.can_undo


def test_json_round_trip():
    s = _session()
    s.apply(SetColumnHyper(1, "lr", 0.3))
    back = NetworkSession.from_json(json.loads(json.dumps(s.to_json())))
    assert back.config == s.config
    with pytest.raises(ValueError, match="newer"):
        NetworkSession.from_json({**s.to_json(), "schema": 99})
    with pytest.raises(ValueError, match="network session"):
        NetworkSession.from_json({**s.to_json(), "kind": "landscape"})


_edits = st.one_of(
    st.builds(SetColumnHyper, st.integers(0, 3), st.just("lr"), st.sampled_from([0.01, 1.0, -1.0])),
    st.builds(AddColumn, st.integers(0, 3)),
    st.builds(DuplicateColumn, st.integers(0, 3)),
    st.builds(RemoveColumn, st.integers(0, 3)),
    st.builds(Vary, st.integers(0, 3), st.sampled_from(["init", "batchnorm", "lr"])),
    st.builds(Resample),
    st.builds(SetTask, st.sampled_from([TASK, TaskConfig("circles", n=60)])),
)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(_edits, max_size=8))
def test_undo_all_then_redo_all(edits):
    s = _session()
    initial = s.config
    applied = 0
    for e in edits:
        try:
            r = s.apply(e)
        except ValueError:
            continue
        applied += r.command is not None
    final = s.config
    for _ in range(applied):
        s.undo()
    assert s.undo() is None and s.config == initial
    for _ in range(applied):
        s.redo()
    assert s.redo() is None and s.config == final
