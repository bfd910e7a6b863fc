"""CSV tables of the labs: exact floats, atomic writes, network losses and layer rows."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.training import Comparison, TrainConfig
from engine.tables import (
    LAYER_COLUMNS,
    LOSS_COLUMNS,
    LossLog,
    layer_rows,
    loss_rows,
    write_csv,
)


def _read(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_write_csv_round_trips_floats_to_the_last_bit(tmp_path):
    values = [0.1 + 0.2, math.pi, 1e-300, -0.0, float("inf")]
    path = tmp_path / "t.csv"
    write_csv(path, ("a", "b"), [(i, v) for i, v in enumerate(values)])
    rows = _read(path)
    assert rows[0] == ["a", "b"]
    assert [float(r[1]) for r in rows[1:]] == values


def test_write_csv_leaves_the_old_file_when_a_row_fails(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(path, ("a",), [(1,)])

    def bad_rows():
        yield (2,)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_csv(path, ("a",), bad_rows())
    assert _read(path) == [["a"], ["1"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_loss_log_grows_and_clears():
    log = LossLog(2)
    for k in range(200):
        log.append(0, k, (k * 0.5, 1.0, 0.25, float("nan")))
    log.append(1, 7, (1.0, 2.0, 3.0, 4.0))
    assert log.column(0).shape == (200, 5)
    np.testing.assert_array_equal(log.column(0)[:, 0], np.arange(200))
    rows = loss_rows(log, ["a", "b"])
    assert len(rows) == 201 and rows[-1] == (7, 2, "b", 1.0, 2.0, 3.0, 4.0)
    assert len(rows[0]) == len(LOSS_COLUMNS)
    log.clear(0)
    assert log.column(0).shape == (0, 5)


def test_layer_rows_hold_the_engine_statistics():
    task = TaskConfig("moons", n=60, seed=0)
    col = TrainConfig(label="", mlp=MLPConfig(hidden=(5, 3)), optimizer="sgd", batch_size=8)
    comp = Comparison(task, [col], grid_size=2, stats_size=16)
    snap = comp.snapshot(layers=True).columns[0]
    rows = layer_rows([snap, None], ["x", "y"])
    assert [r[LAYER_COLUMNS.index("width")] for r in rows] == [5, 3, 2]
    assert all(len(r) == len(LAYER_COLUMNS) for r in rows)
    first = snap.layers[0]
    assert rows[0][LAYER_COLUMNS.index("act_var")] == first.act_var
    assert "hist" not in LAYER_COLUMNS and "edges" not in LAYER_COLUMNS
