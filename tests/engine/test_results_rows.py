"""The runs table's exported rows (engine/tables.py ``results_rows``) against hand-worked
truth: SGD on Booth's function is an affine map, so its path is known in closed form."""

from __future__ import annotations

import csv
import math

import numpy as np

from engine.runs import Race, RaceConfig, RunConfig
from engine.tables import RESULTS_COLUMNS, results_path, results_rows, write_csv


def _sgd_booth(lr: float, start, steps: int) -> np.ndarray:
    """SGD on Booth f = (x + 2y - 7)^2 + (2x + y - 5)^2 by its closed-form gradient."""
    p = np.array(start, dtype=np.float64)
    pts = [p.copy()]
    for _ in range(steps):
        x, y = p
        a, b = x + 2 * y - 7, 2 * x + y - 5
        p = p - lr * np.array([2 * a + 4 * b, 4 * a + 2 * b])
        pts.append(p.copy())
    return np.array(pts)


def test_results_rows_match_a_hand_computed_sgd_path(tmp_path):
    lr, start, steps = 0.02, (-4.0, -3.0), 300
    race = Race(RaceConfig("booth", runs=(RunConfig("sgd", {"lr": lr}),), start=start, tol=0.0))
    race.step(steps)
    snap = race.snapshot()
    (row,) = results_rows(snap, race.landscape, ["plain"])
    rec = dict(zip(RESULTS_COLUMNS, row, strict=True))
    pts = _sgd_booth(lr, start, steps)
    length = float(np.sum(np.hypot(*np.diff(pts, axis=0).T)))
    assert math.isclose(float(rec["path_length"]), length, rel_tol=1e-9)
    # Booth's one minimum is (1, 3); the run is within 1e-2 of it from the first step k
    # on which the hand-worked path is (and stays) inside that ball.
    d = np.hypot(pts[:, 0] - 1.0, pts[:, 1] - 3.0)
    k = int(np.flatnonzero(d > 1e-2)[-1]) + 1
    assert rec["steps_to_tol"] == str(k)
    assert rec["nearest_minimum"] == "0"
    assert math.isclose(float(rec["distance_to_minimum"]), d[-1], rel_tol=1e-6, abs_tol=1e-15)
    assert rec["diverged_at"] == "" and rec["left_view_at"] == ""
    assert (rec["run"], rec["label"], rec["status"], rec["step"]) == (1, "plain", "running", 300)
    # Written and read back, every cell survives (floats to the last bit).
    path = results_path(tmp_path / "race.csv")
    assert path.name == "race-results.csv"
    write_csv(path, RESULTS_COLUMNS, [row])
    with path.open(newline="") as fh:
        back = list(csv.DictReader(fh))
    assert float(back[0]["path_length"]) == float(rec["path_length"])
    assert back[0]["steps_to_tol"] == str(k)


def test_results_rows_say_where_a_run_left_the_view_and_diverged():
    # On x^2 - y^2 SGD's y grows by (1 + 2 lr) a step: y0 (1.2)^k first passes 2 (the
    # window's edge) at the k below; a huge step on Rosenbrock diverges.
    runs = (RunConfig("sgd", {"lr": 0.1}),)
    race = Race(RaceConfig("saddle", runs=runs, start=(0.0, 0.5), tol=0.0))
    race.step(40)
    snap = race.snapshot()
    ymax = race.landscape.window[3]
    k = next(k for k in range(1, 100) if 0.5 * 1.2**k > ymax)
    (row,) = results_rows(snap, race.landscape)
    rec = dict(zip(RESULTS_COLUMNS, row, strict=True))
    assert rec["left_view_at"] == str(k) and rec["diverged_at"] == ""
    assert rec["status"] == "running"  # within far_bound it goes on
    race = Race(RaceConfig("rosenbrock", runs=(RunConfig("sgd", {"lr": 10.0}),), tol=0.0))
    race.step(50)
    snap = race.snapshot()
    (row,) = results_rows(snap, race.landscape)
    rec = dict(zip(RESULTS_COLUMNS, row, strict=True))
    assert rec["status"] == "diverged" and rec["diverged_at"] == str(rec["event_step"])
