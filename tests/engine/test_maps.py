"""Basin and hyperparameter maps against separate single-run races; metrics by hand;
the map CLI's exit codes and files; the PNG against the PNG specification."""

import csv
import math
import struct
import zlib

import numpy as np
import pytest

from engine.cli import main as cli_main
from engine.landscapes import make_landscape
from engine.map_image import png_bytes
from engine.maps import DIVERGED, NONE, Axis, basin_map, hyper_map, parse_axis
from engine.metrics import run_metrics
from engine.runs import Race, RaceConfig, RunConfig
from engine.trajectory import History


def _last(gen):
    snap = None
    for snap in gen:  # noqa: B007
        pass
    return snap


def _single_race(landscape, params, run, start, steps):
    race = Race(
        RaceConfig(landscape=landscape, landscape_params=params, runs=(run,), start=start, tol=0.0)
    )
    race.step(steps)
    return race


@pytest.mark.parametrize(
    "landscape, run",
    [
        ("himmelblau", RunConfig("adam", {"lr": 0.05})),
        ("himmelblau", RunConfig("sgd", {"lr": 0.05})),  # the steep corners diverge
        ("six_hump_camel", RunConfig("momentum", {"lr": 0.01, "momentum": 0.9}, clip_norm=5.0)),
    ],
)
def test_basin_outcomes_match_separate_single_run_races(landscape, run):
    land = make_landscape(landscape)
    snap = _last(basin_map(land, run, grid=(12, 9), steps=150, every=40))
    assert snap.step == 150 and snap.shape == (9, 12)
    rng = np.random.default_rng(5)
    seen = set()
    for j, i in zip(rng.integers(0, 9, 10), rng.integers(0, 12, 10), strict=True):
        start = tuple(snap.starts[j, i])
        race = _single_race(landscape, {}, run, start, 150)
        if race.status[0] == "diverged":
            assert snap.outcome[j, i] == DIVERGED
            assert snap.diverged_at[j, i] == race.event_step[0]
        else:
            assert np.array_equal(snap.positions[j, i], race.params[0])
            d = [math.hypot(*(race.params[0] - m.point)) for m in land.minima]
            k = int(np.argmin(d))
            assert snap.outcome[j, i] == (k if d[k] <= 1e-2 else NONE)
        seen.add(int(snap.outcome[j, i]))
    if run.optimizer == "sgd":
        assert DIVERGED in seen


def test_steps_to_tolerance_is_the_step_a_race_enters_the_ball_for_good():
    land = make_landscape("himmelblau")
    run = RunConfig("adam", {"lr": 0.05})
    snap = _last(basin_map(land, run, grid=3, steps=300, window=(-4, 4, -4, 4)))
    for j in range(3):
        for i in range(3):
            race = _single_race("himmelblau", {}, run, tuple(snap.starts[j, i]), 0)
            inside = []
            for _ in range(300):
                race.step(1)
                m = land.minima[snap.outcome[j, i]] if snap.outcome[j, i] >= 0 else None
                inside.append(m is not None and math.dist(race.params[0], m.point) <= 1e-2)
            if snap.outcome[j, i] >= 0:
                last_out = max((s for s, ok in enumerate(inside, 1) if not ok), default=0)
                assert snap.steps_to[j, i] == last_out + 1
            else:
                assert snap.steps_to[j, i] == -1


def test_progressive_snapshots_and_read_only():
    land = make_landscape("booth")
    snaps = list(basin_map(land, RunConfig("sgd", {"lr": 0.05}), grid=4, steps=100, every=30))
    assert [s.step for s in snaps] == [0, 30, 60, 90, 100]
    assert snaps[-1].done and not snaps[0].done
    assert (snaps[-1].outcome == 0).all()
    with pytest.raises(ValueError):
        snaps[-1].outcome[0, 0] = 1


def test_hyper_map_rows_match_single_runs():
    land = make_landscape("rosenbrock")
    run = RunConfig("momentum", {"lr": 1e-3, "momentum": 0.5})
    xa, ya = parse_axis("lr=1e-4:1e-2:5log"), parse_axis("momentum=0:0.95:4")
    assert xa.log and np.allclose(xa.values, np.geomspace(1e-4, 1e-2, 5))
    snap = _last(hyper_map(land, run, xa, ya, start=(-1.2, 1.0), steps=80))
    for j, m in enumerate(ya.values):
        for i, lr in enumerate(xa.values):
            single = RunConfig("momentum", {"lr": float(lr), "momentum": float(m)})
            race = _single_race("rosenbrock", {}, single, (-1.2, 1.0), 80)
            if race.status[0] == "diverged":
                assert snap.outcome[j, i] == DIVERGED
            else:
                assert np.array_equal(snap.positions[j, i], race.params[0])
                assert snap.loss[j, i] == race.losses[0]
    beta = _last(
        hyper_map(
            land, RunConfig("adam"), Axis.linear("beta2", 0.9, 0.999, 2),
            Axis.linear("lr", 0.01, 0.02, 2), steps=20,
        )
    )  # fmt: skip
    race = _single_race(
        "rosenbrock", {}, RunConfig("adam", {"lr": 0.02, "betas": (0.9, 0.9)}), None, 20
    )
    assert np.array_equal(beta.positions[1, 0], race.params[0])


@pytest.mark.parametrize(
    "text, match",
    [
        ("lr=1:0.1:5", "lo < hi"),
        ("lr=0:1:5log", "log axis needs lo > 0"),
        ("lr=1e-3:1:500", "between 2 and 200"),
        ("lr", "expected name=lo:hi:n"),
        ("lr=a:1:4", "must be numbers"),
    ],
)
def test_bad_axes(text, match):
    with pytest.raises(ValueError, match=match):
        parse_axis(text)


def test_bad_map_settings():
    land = make_landscape("booth")
    lr = parse_axis("lr=0.1:1:3")
    with pytest.raises(ValueError, match="between 2 and 200"):
        next(basin_map(land, RunConfig("sgd"), grid=201))
    with pytest.raises(ValueError, match="no hyperparameter 'momentum'"):
        next(hyper_map(land, RunConfig("adam"), lr, parse_axis("momentum=0:0.9:3")))
    with pytest.raises(ValueError, match="momentum"):
        next(hyper_map(land, RunConfig("momentum"), lr, parse_axis("momentum=0:1.5:3")))


def test_run_metrics_by_hand():
    land = make_landscape("booth")  # minimum (1, 3), window [-10, 10]^2
    xy = np.array([[1.0, 7.0], [1.0, 3.005], [1.0, 3.5], [1.0, 3.008], [11.0, 3.0], [1.0, 3.001]])
    h = History(np.arange(6) * 10, xy, np.zeros(6), np.zeros(6))
    m = run_metrics(h, land, tol=1e-2)
    assert m.path_length == pytest.approx(3.995 + 0.495 + 0.492 + math.hypot(10, 0.008) * 2)
    assert m.nearest_minimum == 0 and m.distance_to_minimum == pytest.approx(0.001)
    assert m.steps_to_tol == 50  # back inside for good only at the last point
    assert m.left_view_at == 40 and m.diverged_at is None
    gone = run_metrics(h, land, status="diverged", event_step=33)
    assert gone.diverged_at == 33
    assert (
        run_metrics(History(np.array([0]), xy[:1], np.zeros(1), np.zeros(1)), land).steps_to_tol
        is None
    )
    saddle = run_metrics(h, make_landscape("saddle"))
    assert saddle.nearest_minimum is None and math.isnan(saddle.distance_to_minimum)
    assert m.as_row()[0] == "50" and saddle.as_row()[2] == ""


def test_png_follows_the_specification():
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    data = png_bytes(rgb)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n : pos + 12 + n])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = body
        pos += 12 + n
    assert struct.unpack(">IIBBBBB", chunks[b"IHDR"]) == (3, 2, 8, 2, 0, 0, 0)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(2, 10)
    assert (raw[:, 0] == 0).all() and np.array_equal(raw[:, 1:].reshape(2, 3, 3), rgb)


# -- command line ---------------------------------------------------------------------------


def test_cli_basin_csv(tmp_path, capsys):
    out = tmp_path / "map.csv"
    argv = ["--map", "basins", "--landscape", "himmelblau", "--optimizer", "adam:lr=0.05",
            "--grid", "6x5", "--steps", "120", "--out", str(out)]  # fmt: skip
    assert cli_main(argv) == 0
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[0] == ["x0", "y0", "x", "y", "loss", "outcome", "steps"]
    assert len(rows) == 31
    snap = _last(
        basin_map(make_landscape("himmelblau"), RunConfig("adam", {"lr": 0.05}), (6, 5), 120)
    )
    for r, (j, i) in zip(rows[1:], np.ndindex(5, 6), strict=True):
        assert float(r[0]) == snap.starts[j, i, 0] and float(r[3]) == snap.positions[j, i, 1]
        k = snap.outcome[j, i]
        assert r[5] == (str(k) if k >= 0 else "none")
        assert r[6] == (str(snap.steps_to[j, i]) if k >= 0 else "")
    assert "basins map 6x5" in capsys.readouterr().out


def test_cli_hyper_npz_and_png(tmp_path):
    base = ["--map", "hyper", "--landscape", "rosenbrock", "--optimizer", "momentum:lr=1e-3",
            "--vary", "lr=1e-4:1e-2:4log,momentum=0:0.9:3", "--steps", "30",
            "--start", "-1.2,1"]  # fmt: skip
    assert cli_main([*base, "--out", str(tmp_path / "h.npz")]) == 0
    z = np.load(tmp_path / "h.npz")
    assert z["loss"].shape == (3, 4) and str(z["x_name"]) == "lr"
    assert np.allclose(z["x"], np.geomspace(1e-4, 1e-2, 4))
    assert cli_main([*base, "--out", str(tmp_path / "h.png")]) == 0
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--map", "basins", "--grid", "500"], "--grid"),
        (["--map", "hyper"], "needs --vary"),
        (
            ["--map", "hyper", "--optimizer", "adam", "--vary", "lr=1e-3:1:5,momentum=0:0.9:5"],
            "momentum",
        ),
        (["--map", "basins", "--formula", "x + sin("], "--formula"),
        (["--map", "basins", "--landscape", "nope"], "unknown landscape"),
        (["--map", "basins", "--out", "x.txt"], "--out must end"),
    ],
)
def test_cli_bad_map_arguments_exit_2_without_a_file(tmp_path, capsys, extra, message):
    out = tmp_path / "m.csv"
    argv = [*extra, "--steps", "3"]
    if "--out" not in extra:
        argv += ["--out", str(out)]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_cli_formula_race_writes_the_race_csv(tmp_path, capsys):
    out = tmp_path / "f.csv"
    argv = ["--formula", "x^2 + 3*y^2", "--optimizer", "sgd:lr=0.1", "--start", "1,1",
            "--steps", "1", "--out", str(out)]  # fmt: skip
    assert cli_main(argv) == 0
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[0] == ["step", "run", "optimizer", "x", "y", "loss", "grad_norm", "status"]
    # one SGD step by hand: grad (2, 6) at (1, 1); (1, 1) - 0.1 * (2, 6)
    x, y = 1.0 - 0.1 * 2.0, 1.0 - 0.1 * 6.0
    assert [float(v) for v in rows[2][3:6]] == [x, y, x**2 + 3.0 * y**2]
    bad = tmp_path / "bad.csv"
    assert cli_main(["--formula", "x + z", "--out", str(bad)]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "unknown name 'z'" in err
        and err.endswith("at column 5\n")
        and not bad.exists()
    )
