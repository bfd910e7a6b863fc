"""Maps follow the race's rule on bottomless surfaces: beyond ``far_bound`` downhill of the
start is "left", uphill is "diverged"; every sampled pixel against its single-run race."""

import csv
import io

import numpy as np
import pytest

from engine.cli.maps import summary, write_csv
from engine.landscapes import make_landscape
from engine.map_image import LEFT_COLOUR, basin_rgb, hyper_rgb
from engine.maps import DIVERGED, LEFT, Axis, basin_map, hyper_map
from engine.runs import Race, RaceConfig, RunConfig

FAR = 50.0


def _last(gen):
    snap = None
    for snap in gen:  # noqa: B007
        pass
    return snap


def _race(run, start, steps, landscape="saddle"):
    cfg = RaceConfig(landscape=landscape, runs=(run,), start=start, tol=0.0, far_bound=FAR)
    race = Race(cfg)
    race.step(steps)
    return race


@pytest.mark.parametrize(
    "run",
    [
        RunConfig("adam", {"lr": 1.0}),
        # lr 1.2 overshoots along the bowl's x (uphill, diverged) while y slides off (left)
        RunConfig("sgd", {"lr": 1.2}),
    ],
)
def test_saddle_pixels_match_single_run_races(run):
    land = make_landscape("saddle")
    snap = _last(basin_map(land, run, grid=(7, 5), steps=80, every=40, far_bound=FAR))
    codes = {"diverged": DIVERGED, "left": LEFT}
    for j, i in np.ndindex(5, 7):
        race = _race(run, tuple(snap.starts[j, i]), 80)
        assert np.array_equal(snap.positions[j, i], race.params[0])
        status = race.status[0]
        if status in codes:
            assert snap.outcome[j, i] == codes[status], (j, i, status)
            at = snap.diverged_at if status == "diverged" else snap.left_at
            assert at[j, i] == race.event_step[0]
        else:
            assert snap.outcome[j, i] not in (DIVERGED, LEFT)
            assert snap.diverged_at[j, i] == -1 and snap.left_at[j, i] == -1
    assert (snap.outcome == LEFT).any()


def test_sgd_on_the_saddle_gives_both_stops():
    snap = _last(
        basin_map(make_landscape("saddle"), RunConfig("sgd", {"lr": 1.2}), grid=(7, 5),
                  steps=80, far_bound=FAR)
    )  # fmt: skip
    assert (snap.outcome == LEFT).any() and (snap.outcome == DIVERGED).any()


def test_hyper_map_left_matches_races():
    land = make_landscape("saddle")
    xa, ya = Axis.logarithmic("lr", 1e-3, 0.5, 4), Axis.linear("momentum", 0.0, 0.9, 3)
    run = RunConfig("momentum", {"lr": 0.01, "momentum": 0.5})
    snap = _last(hyper_map(land, run, xa, ya, start=(1.0, 0.5), steps=60, far_bound=FAR))
    for j, i in np.ndindex(3, 4):
        single = RunConfig("momentum", {"lr": float(xa.values[i]), "momentum": float(ya.values[j])})
        race = _race(single, (1.0, 0.5), 60)
        assert (snap.outcome[j, i] == LEFT) == (race.status[0] == "left")
        assert (snap.outcome[j, i] == DIVERGED) == (race.status[0] == "diverged")
    assert (snap.outcome == LEFT).any()


def test_left_in_csv_summary_and_pictures():
    snap = _last(
        basin_map(make_landscape("saddle"), RunConfig("adam", {"lr": 1.0}), grid=(5, 4),
                  steps=80, far_bound=FAR)
    )  # fmt: skip
    left = snap.outcome == LEFT
    assert left.any()
    fh = io.StringIO(newline="")
    write_csv(fh, snap)
    rows = list(csv.DictReader(io.StringIO(fh.getvalue())))
    assert [r["outcome"] == "left" for r in rows] == left.ravel().tolist()
    assert f"left: {int(left.sum())} runs" in summary(snap)
    # the pictures put y up: row j of the map is row ny-1-j of the image
    for rgb in (basin_rgb(snap), hyper_rgb(snap)):
        shown = rgb[::-1]
        assert (shown[left] == LEFT_COLOUR).all()
        assert not (shown[~left] == LEFT_COLOUR).all(axis=-1).any()
