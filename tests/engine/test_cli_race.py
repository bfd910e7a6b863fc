"""Headless race CLI: the issue's example, CSV shape, summary, and bad arguments."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main as cli_main
from engine.runs import Race, RaceConfig, RunConfig

ROOT = Path(__file__).resolve().parents[2]


def test_issue_example_writes_csv_and_prints_table(tmp_path):
    out = tmp_path / "race.csv"
    cmd = [
        sys.executable,
        "main.py",
        "--headless",
        "--landscape",
        "rosenbrock",
        "--optimizer",
        "adam:lr=0.01",
        "--optimizer",
        "momentum:lr=0.001,momentum=0.9",
        "--start",
        "-1.5,2",
        "--steps",
        "2000",
        "--out",
        str(out),
    ]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    for col in ("final loss", "converged at", "to nearest min", "diverged at"):
        assert col in res.stdout
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["step", "run", "optimizer", "x", "y", "loss", "grad_norm", "status"]
    body = rows[1:]
    assert len(body) == 2 * 2001
    # the CSV agrees with an independent in-process race of the same config
    race = Race(
        RaceConfig("rosenbrock", runs=(RunConfig("adam", {"lr": 0.01}),), start=(-1.5, 2.0))
    )
    race.step(2000)
    last_adam = [r for r in body if r[1] == "1"][-1]
    assert int(last_adam[0]) == 2000
    np.testing.assert_array_equal(
        [float(last_adam[3]), float(last_adam[4])], race.snapshot().positions[0]
    )
    x, y = float(last_adam[3]), float(last_adam[4])
    assert float(last_adam[5]) == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=1e-12)


def test_every_thins_rows_and_keeps_the_last_step(tmp_path, capsys):
    out = tmp_path / "r.csv"
    code = cli_main(
        ["--optimizer", "sgd:lr=0.001", "--steps", "25", "--every", "10", "--out", str(out)]
    )
    assert code == 0
    with out.open(newline="") as fh:
        steps = [int(r[0]) for r in list(csv.reader(fh))[1:]]
    assert steps == [0, 10, 20, 25]


def test_run_settings_in_optimizer_items(capsys):
    code = cli_main(
        [
            "--landscape",
            "regression",
            "--landscape-param",
            "n=30,noise=0.2",
            "--optimizer",
            "sgd:lr=0.05,batch_size=4,seed=3,label=tiny batches",
            "--optimizer",
            "adam:lr=0.05,schedule=step,step_size=50,gamma=0.5,warmup_steps=5",
            "--optimizer",
            "sgd:lr=0.05,clip_norm=0.5,noise_std=0.1",
            "--steps",
            "100",
        ]
    )
    assert code == 0
    assert "tiny batches" in capsys.readouterr().out


def test_divergence_is_reported_not_raised(capsys):
    code = cli_main(["--optimizer", "sgd:lr=10", "--optimizer", "adam:lr=0.01", "--steps", "100"])
    assert code == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("1 "))
    assert row.split()[-1].isdigit()  # diverged at step k


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--landscape", "nowhere"], "nowhere"),
        (["--optimizer", "adamx:lr=1"], "adamx"),
        (["--optimizer", "adam:lr=-1"], "lr"),
        (["--optimizer", "adam:lr=abc"], "lr"),
        (["--optimizer", "adam:frobnicate=2"], "frobnicate"),
        (["--optimizer", "adam:lr"], "name=value"),
        (["--optimizer", "sgd:schedule=sometimes"], "sometimes"),
        (["--start", "1"], "--start"),
        (["--start", "nan,1"], "--start"),
        (["--steps", "-3"], "--steps"),
        (["--steps", "many"], "--steps"),
        (["--landscape-param", "condition=0"], "condition"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_write_nothing(tmp_path, capsys, args, needle):
    out = tmp_path / "never.csv"
    code = cli_main(
        [*args, "--out", str(out)]
        if "--landscape-param" not in args
        else ["--landscape", "bowl", *args, "--out", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert needle in err and "error" in err
    assert list(tmp_path.iterdir()) == []


def test_out_into_missing_folder_is_a_clear_error(tmp_path, capsys):
    code = cli_main(["--steps", "3", "--out", str(tmp_path / "no" / "such" / "x.csv")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_list_shows_every_registry(capsys):
    from engine import landscapes, optimizers, schedules

    assert cli_main(["--list"]) == 0
    out = capsys.readouterr().out
    for name in [*landscapes.LANDSCAPES, *optimizers.OPTIMIZERS, *schedules.SCHEDULES]:
        assert name in out
    assert "lr=" in out and "betas=0.9/0.999" in out
