"""The headless network CLI: runs, CSV, comparisons, and clean failures (exit 2)."""

import csv
import math

import pytest

from engine.cli.net import CSV_HEADER, _split_values, describe, main, parse_layers

FAST = ["--task", "moons", "--n", "120", "--layers", "2x8", "--steps", "20", "--every", "10"]


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_run_writes_csv_and_prints_summary(tmp_path, capsys):
    out = tmp_path / "net.csv"
    code = main(
        [
            *FAST,
            "--activation",
            "tanh",
            "--init",
            "xavier_normal",
            "--batchnorm",
            "after",
            "--optimizer",
            "adam:lr=1e-2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    rows = _rows(out)
    assert list(rows[0]) == list(CSV_HEADER)
    # 3 snapshots (0, 10, 20) x 3 layers
    assert len(rows) == 9
    assert [r["step"] for r in rows[::3]] == ["0", "10", "20"]
    assert [r["layer"] for r in rows[:3]] == ["fc1", "fc2", "fc3"]
    assert math.isnan(float(rows[0]["update_ratio"])) and float(rows[-1]["update_ratio"]) > 0
    text = capsys.readouterr().out
    assert "train loss" in text and "step 0 -> end" in text and "fc2" in text
    assert not list(tmp_path.glob(".descent-*"))


def test_compare_and_vary_build_the_columns(tmp_path):
    out = tmp_path / "c.csv"
    code = main(
        [
            *FAST,
            "--vary",
            "init=normal:std=1,xavier_normal",
            "--compare",
            "activation=tanh label=T",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    labels = list(dict.fromkeys(r["label"] for r in _rows(out)))
    assert labels == [
        "init=normal:std=1",
        "init=xavier_normal",
        "T init=normal:std=1",
        "T init=xavier_normal",
    ]


def test_optimizer_item_carries_schedule_and_clipping(tmp_path):
    out = tmp_path / "s.csv"
    code = main(
        [
            *FAST,
            "--optimizer",
            "sgd:lr=0.1,schedule=step,step_size=10,gamma=0.5,clip_norm=1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    rows = _rows(out)
    assert [float(r["lr"]) for r in rows[::3]] == [0.1, 0.05, 0.025]


def test_divergence_is_reported_not_raised(capsys):
    code = main([*FAST, "--activation", "linear", "--optimizer", "sgd:lr=1e6", "--steps", "30"])
    assert code == 0
    assert "diverged at" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--task", "iris"], "--task"),
        (["--layers", "8y64"], "--layers"),
        (["--activation", "swish"], "--activation"),
        (["--init", "normal:sd=1"], "--init"),
        (["--optimizer", "adam:lr=-1"], "--optimizer"),
        (["--optimizer", "adafactor"], "--optimizer"),
        (["--schedule", "cosine:T_max=0"], "--schedule"),
        (["--batch-size", "0"], "--batch-size"),
        (["--batchnorm", "sideways"], "--batchnorm"),
        (["--noise", "-1"], "--noise"),
        (["--n", "3"], "--n"),
        (["--steps", "-5"], "--steps"),
        (["--compare", "colour=red"], "--compare"),
        (["--vary", "init"], "--vary"),
        (["--vary", "init=zeros,bogus"], "--init"),
        (["--steps", "many"], "--steps"),
    ],
)
def test_bad_arguments_exit_2_naming_the_argument(tmp_path, capsys, args, names):
    out = tmp_path / "bad.csv"
    code = main([*FAST, *args, "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert names in err and "error" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_missing_output_directory_is_a_bad_argument(tmp_path, capsys):
    assert main([*FAST, "--out", str(tmp_path / "no" / "x.csv")]) == 2
    assert "--out" in capsys.readouterr().err


def test_help_and_list(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "--compare" in text and "--vary" in text and "main.py --headless" in text
    assert main(["--list"]) == 0
    listed = capsys.readouterr().out
    for word in (
        "spirals",
        "checkerboard",
        "gelu_tanh",
        "he_uniform",
        "orthogonal",
        "mode=",
        "std=",
        "negative_slope=",
    ):
        assert word in listed
    assert describe() in listed


def test_layer_and_value_parsing():
    assert parse_layers("3x4") == (4, 4, 4)
    assert parse_layers("64,32") == (64, 32)
    assert parse_layers("2x8,4") == (8, 8, 4)
    assert parse_layers("none") == ()
    assert _split_values("adam:lr=1,betas=0.9/0.9,sgd") == ["adam:lr=1,betas=0.9/0.9", "sgd"]
    assert _split_values("a:x=1|b") == ["a:x=1", "b"]
