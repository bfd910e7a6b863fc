"""The fast paths of the map lockstep and of its CSV, each against an independent truth:
single-run races (bit for bit), the csv module row by row, a fresh interpreter's modules."""

import csv
import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.cli.maps import write_csv
from engine.landscapes import LANDSCAPES, make_landscape
from engine.maps import DIVERGED, NONE, Axis, basin_map, hyper_map
from engine.optimizers import make_optimizer
from engine.runs import Race, RaceConfig, RunConfig, ScheduleConfig

ROOT = Path(__file__).resolve().parents[2]


def _last(gen):
    snap = None
    for snap in gen:  # noqa: B007
        pass
    return snap


def _race(landscape, run, start, steps):
    race = Race(RaceConfig(landscape=landscape, runs=(run,), start=start, tol=0.0))
    race.step(steps)
    return race


@pytest.mark.parametrize(
    "run",
    [
        # noise and clipping: diverged rows leave the live set with their seeds and clip rows
        RunConfig("sgd", {"lr": 0.025}, noise_std=0.05, clip_value=1e300, seed=3),
        # a plateau schedule reads the loss of every live run
        RunConfig(
            "adam",
            {"lr": 0.3},
            schedule=ScheduleConfig("plateau", {"factor": 0.5, "patience": 3}),
        ),
    ],
)
def test_every_pixel_is_its_single_run_race_through_divergence(run):
    land = make_landscape("himmelblau")
    snap = _last(basin_map(land, run, grid=(7, 6), steps=60, every=25))
    for j, i in np.ndindex(6, 7):
        race = _race("himmelblau", run, tuple(snap.starts[j, i]), 60)
        assert np.array_equal(snap.positions[j, i], race.params[0])
        assert snap.loss[j, i] == race.losses[0] or (
            math.isnan(snap.loss[j, i]) and math.isnan(race.losses[0])
        )
        if race.status[0] == "diverged":
            assert snap.outcome[j, i] == DIVERGED
            assert snap.diverged_at[j, i] == race.event_step[0]
        else:
            assert snap.diverged_at[j, i] == -1 and snap.outcome[j, i] != DIVERGED
    if run.noise_std:
        assert (snap.outcome == DIVERGED).any() and (snap.outcome != DIVERGED).any()


def test_all_runs_diverged_still_yields_every_snapshot():
    land = make_landscape("rosenbrock")
    snaps = list(basin_map(land, RunConfig("sgd", {"lr": 5.0}), grid=3, steps=40, every=10))
    assert [s.step for s in snaps] == [0, 10, 20, 30, 40]
    assert (snaps[-1].outcome == DIVERGED).all()
    assert np.array_equal(snaps[-1].positions, snaps[1].positions)


def test_overlapping_balls_count_the_last_listed_minimum():
    # six-hump camel's two global minima are 1.43 apart: balls of radius 1 overlap
    land = make_landscape("six_hump_camel")
    run = RunConfig("adam", {"lr": 0.02})
    snap = _last(basin_map(land, run, grid=(5, 4), steps=80, tol=1.0))
    for j, i in np.ndindex(4, 5):
        end = _race("six_hump_camel", run, tuple(snap.starts[j, i]), 80).params[0]
        within = [k for k, m in enumerate(land.minima) if math.dist(end, m.point) <= 1.0]
        assert snap.outcome[j, i] == (within[-1] if within else NONE)


def test_hyper_map_with_a_diverging_corner_matches_single_runs():
    land = make_landscape("booth")
    run = RunConfig("momentum", {"lr": 0.01, "momentum": 0.5})
    xa, ya = Axis.logarithmic("lr", 1e-3, 0.3, 4), Axis.linear("momentum", 0.0, 0.95, 3)
    snap = _last(hyper_map(land, run, xa, ya, start=(-8.0, 9.0), steps=50))
    assert (snap.outcome == DIVERGED).any()
    for j, i in np.ndindex(3, 4):
        single = RunConfig("momentum", {"lr": float(xa.values[i]), "momentum": float(ya.values[j])})
        race = _race("booth", single, (-8.0, 9.0), 50)
        assert np.array_equal(snap.positions[j, i], race.params[0])
        assert (snap.outcome[j, i] == DIVERGED) == (race.status[0] == "diverged")


def _reference_csv(snap) -> str:
    """The map's CSV written row by row with the csv module."""
    fh = io.StringIO(newline="")
    w = csv.writer(fh)
    names = ("x0", "y0") if snap.kind == "basins" else (snap.x_axis.name, snap.y_axis.name)
    w.writerow((*names, "x", "y", "loss", "outcome", "steps"))
    for j, i in np.ndindex(*snap.shape):
        if snap.kind == "basins":
            a, b = snap.starts[j, i]
        else:
            a, b = snap.x_axis.values[i], snap.y_axis.values[j]
        code, s = int(snap.outcome[j, i]), int(snap.steps_to[j, i])
        text = {DIVERGED: "diverged", NONE: "none"}.get(code, str(code))
        x, y = snap.positions[j, i]
        w.writerow(
            (repr(float(a)), repr(float(b)), repr(float(x)), repr(float(y)),
             repr(float(snap.loss[j, i])), text, "" if s < 0 else s)
        )  # fmt: skip
    return fh.getvalue()


def test_csv_is_byte_for_byte_the_csv_modules():
    land = make_landscape("himmelblau")
    wild = _last(basin_map(land, RunConfig("sgd", {"lr": 0.03}), grid=(9, 7), steps=40))
    tame = _last(basin_map(land, RunConfig("adam", {"lr": 0.05}), grid=(9, 7), steps=150))
    assert {DIVERGED, NONE, 0, 1, 2, 3} <= {*wild.outcome.ravel(), *tame.outcome.ravel()}
    xa, ya = Axis.logarithmic("lr", 1e-4, 1.0, 3), Axis.linear("momentum", 0.0, 0.9, 2)
    hyper = _last(hyper_map(land, RunConfig("momentum"), xa, ya, steps=30))
    for snap in (wild, tame, hyper):
        fh = io.StringIO(newline="")
        write_csv(fh, snap)
        assert fh.getvalue() == _reference_csv(snap)


def test_adam_update_leaves_its_arguments_alone_and_keeps_the_layout():
    opt = make_optimizer("adam", lr=0.1, betas=(0.8, 0.99), amsgrad=True)
    p = np.asfortranarray(np.random.default_rng(0).normal(size=(5, 2)))
    g = np.asfortranarray(np.random.default_rng(1).normal(size=(5, 2)))
    state = opt.init(p)
    _, state = opt.update(g, state, p)
    inputs = (p, g, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq)
    copies = [a.copy() for a in inputs]
    new, after = opt.update(g, state, p)
    for a, c in zip(inputs, copies, strict=True):
        assert np.array_equal(a, c)
    assert new.flags.f_contiguous and after.exp_avg.flags.f_contiguous
    # the same numbers as row-major (C-ordered) inputs
    c_new, c_after = opt.update(np.ascontiguousarray(g), state, np.ascontiguousarray(p))
    assert np.array_equal(new, c_new) and np.array_equal(after.exp_avg_sq, c_after.exp_avg_sq)


def test_importing_the_catalogue_builds_no_landscape():
    code = (
        "import sys; import engine.landscapes.catalogue as c; "
        "print(len(c._SAMPLES), 'numpy.random' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "False"]


def test_catalogue_titles_and_names_are_those_of_the_built_landscapes():
    for name, spec in LANDSCAPES.items():
        land = make_landscape(name)
        assert (spec.name, spec.title, spec.description) == (
            land.name,
            land.title,
            land.description,
        )
