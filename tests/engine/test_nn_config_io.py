"""A network comparison to JSON and back: round trips, and bad input named precisely."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from engine.datasets import TaskConfig
from engine.nn.config_io import NetworkConfig, comparison_from_dict, comparison_to_dict
from engine.nn.mlp import MLPConfig
from engine.nn.training import TrainConfig
from engine.scenario import FORMAT, scenario_from_dict
from engine.session import NetworkSession

TASK = TaskConfig("blobs", n=300, noise=0.2, val_fraction=0.25, seed=7, params={"k": 4})
COLUMNS = (
    TrainConfig(
        label="he",
        mlp=MLPConfig(
            hidden=(16, 8),
            activation="leaky_relu",
            activation_params={"negative_slope": 0.2},
            init="he_normal",
            init_params={"gain": "auto", "mode": "fan_out"},
            bias_init=0.1,
            batchnorm="before",
            bn_momentum=0.2,
        ),
        optimizer="adam",
        hyper={"lr": 0.003, "betas": (0.8, 0.99)},
        schedule="cosine",
        schedule_params={"T_max": 200, "warmup_steps": 10},
        clip_norm=1.5,
        batch_size=32,
        seed=3,
    ),
    TrainConfig(label="", mlp=MLPConfig(hidden=()), optimizer="sgd", hyper={"lr": 0.1}),
)


def _doc():
    return comparison_to_dict(TASK, COLUMNS)


def test_round_trip_through_json_gives_equal_configs():
    text = json.dumps(_doc(), allow_nan=False)
    task, cols = comparison_from_dict(json.loads(text))
    assert task == TASK
    assert cols == COLUMNS
    # tuples came back as tuples, not lists
    assert cols[0].mlp.hidden == (16, 8)
    assert cols[0].hyper["betas"] == (0.8, 0.99)


def test_the_dictionary_holds_only_json_types_and_every_field():
    d = _doc()
    assert set(d) == {"task", "columns"}
    assert d["task"] == {
        "name": "blobs",
        "n": 300,
        "noise": 0.2,
        "val_fraction": 0.25,
        "seed": 7,
        "params": {"k": 4},
    }
    col = d["columns"][0]
    assert col["mlp"]["hidden"] == [16, 8]
    assert col["hyper"]["betas"] == [0.8, 0.99]
    assert col["clip_norm"] == 1.5 and d["columns"][1]["clip_norm"] is None
    assert set(col["mlp"]) == {
        "input_size",
        "hidden",
        "output_size",
        "activation",
        "activation_params",
        "init",
        "init_params",
        "bias_init",
        "batchnorm",
        "bn_momentum",
        "bn_eps",
    }


def test_left_out_fields_take_their_defaults():
    task, cols = comparison_from_dict({"task": {"name": "moons"}, "columns": [{}]})
    assert task == TaskConfig("moons")
    assert cols == (TrainConfig(),)


def test_the_shipped_network_scenarios_load():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
    files = sorted(root.glob("1*_*.json"))
    assert len(files) >= 2
    for f in files:
        doc = json.loads(f.read_text(encoding="utf-8"))
        scenario_from_dict(doc, f.name)  # validates the network section through config_io
        _task, cols = comparison_from_dict(doc["network"])
        assert 2 <= len(cols) <= 6


def _bad(path, value):
    """A valid document with the field at ``path`` set to ``value`` (or removed)."""
    d = copy.deepcopy(_doc())
    node = d
    for key in path[:-1]:
        node = node[key]
    if value is _REMOVE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d


_REMOVE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("extra",), 1, "network: unknown field 'extra'"),
        (("task",), _REMOVE, "network: missing field 'task'"),
        (("columns",), _REMOVE, "network: missing field 'columns'"),
        (("columns",), {}, "columns must be a list"),
        (("columns",), [], "columns: need 1 to 32 columns"),
        (("task", "colour"), "red", "task: unknown field 'colour'"),
        (("task", "n"), "600", "task.n must be a whole number"),
        (("task", "n"), 10, "task: n must be a whole number in [20, 100000]"),
        (("task", "n"), True, "task.n must be a whole number"),
        (("task", "noise"), None, "task.noise must be a number"),
        (("task", "name"), "mnist", "task: unknown name 'mnist'"),
        (("task", "params"), {"k": 40}, "task: task blobs: k must be"),
        (("columns", 0, "mlp", "hidden"), [16, "8"], "columns[0].mlp.hidden must be a list"),
        (("columns", 0, "mlp", "hidden"), [0], "columns[0].mlp: hidden must be at most"),
        (("columns", 0, "mlp", "batchnorm"), "middle", "columns[0].mlp: batchnorm must be"),
        (("columns", 0, "mlp", "wings"), 2, "columns[0].mlp: unknown field 'wings'"),
        (("columns", 0, "mlp"), [], "columns[0].mlp must be an object"),
        (("columns", 0, "mlp", "init"), "glorot", "columns[0].mlp: init: unknown name"),
        (("columns", 0, "mlp", "init_params"), {"std": 1}, "unknown parameter 'std'"),
        (("columns", 0, "mlp", "bias_init"), "0", "columns[0].mlp.bias_init must be a number"),
        (("columns", 1, "optimizer"), "sgdx", "columns[1]: unknown optimizer"),
        (("columns", 1, "hyper", "lr"), -1.0, "columns[1].hyper.lr must be > 0; got -1"),
        (("columns", 1, "hyper", "beta"), 0.9, "columns[1].hyper.beta: unknown hyperparameter"),
        (("columns", 1, "hyper"), [0.1], "columns[1].hyper must be an object"),
        (("columns", 1, "batch_size"), 0, "columns[1]: batch_size must be"),
        (("columns", 1, "batch_size"), 2.5, "columns[1].batch_size must be a whole number"),
        (("columns", 1, "seed"), -1, "columns[1]: seed must be"),
        (("columns", 1, "label"), 3, "columns[1].label must be a string"),
        (("columns", 1, "clip_norm"), "1", "columns[1].clip_norm must be a number or null"),
        (("columns", 1, "clip_norm"), 0.0, "columns[1]: clip_norm must be a number > 0"),
        (("columns", 1, "schedule"), "warp", "columns[1]: unknown schedule"),
        (("columns", 0, "schedule_params", "T_max"), {"a": 1}, "schedule_params.T_max must be"),
        (("columns", 1, "speed"), 1, "columns[1]: unknown field 'speed'"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_field(path, value, message):
    with pytest.raises(ValueError) as info:
        comparison_from_dict(_bad(path, value))
    assert message in str(info.value)


def test_batch_norm_with_a_batch_of_one_is_rejected():
    d = _bad(("columns", 0, "batch_size"), 1)
    with pytest.raises(ValueError, match=r"columns\[0\]: batch_size must be >= 2 with batch norm"):
        comparison_from_dict(d)


def test_not_an_object_at_all():
    with pytest.raises(ValueError, match="network must be an object"):
        comparison_from_dict([1, 2])


def test_writing_rejects_what_is_not_a_comparison():
    with pytest.raises(ValueError, match="task must be a TaskConfig"):
        comparison_to_dict({"name": "moons"}, COLUMNS)
    with pytest.raises(ValueError, match=r"columns\[1\] must be a TrainConfig"):
        comparison_to_dict(TASK, [COLUMNS[0], "sgd"])
    with pytest.raises(ValueError, match="need 1 to 32 columns"):
        comparison_to_dict(TASK, [])


def test_non_finite_numbers_are_rejected_on_reading():
    d = _bad(("task", "noise"), float("inf"))
    with pytest.raises(ValueError, match=r"task\.noise must be finite"):
        comparison_from_dict(d)


# ------------------------------------------------------------------------ the typed form


def test_network_config_fits_every_column_to_its_task():
    """One regression input and output for the sine curve; four classes for four blobs."""
    sine = NetworkConfig(TaskConfig("sine"), (TrainConfig(mlp=MLPConfig(input_size=5)),))
    assert (sine.columns[0].mlp.input_size, sine.columns[0].mlp.output_size) == (1, 1)
    blobs = NetworkConfig(TASK, COLUMNS)
    assert {(c.mlp.input_size, c.mlp.output_size) for c in blobs.columns} == {(2, 4)}
    # what differs only in sizes the task sets trains the same networks: equal configs
    wrong = dataclasses.replace(COLUMNS[1], mlp=MLPConfig(hidden=(), input_size=9))
    assert NetworkConfig(TASK, (COLUMNS[0], wrong)) == blobs


def test_network_config_round_trips_through_json_and_is_what_sessions_and_lessons_hold():
    cfg = NetworkConfig(TASK, COLUMNS)
    again = NetworkConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg and isinstance(again.columns, tuple)
    assert NetworkSession(cfg).config == cfg
    doc = {"format": FORMAT, "schema_version": 1, "title": "t", "network": cfg.to_dict()}
    assert scenario_from_dict(doc).network == cfg


@pytest.mark.parametrize(
    "task, columns, message",
    [
        ({"name": "moons"}, COLUMNS, "task must be a TaskConfig; got dict"),
        (TASK, (), "columns: need 1 to"),
        (TASK, (COLUMNS[0], "sgd"), r"columns\[1\] must be a TrainConfig; got str"),
    ],
)
def test_network_config_refuses_wrong_types_and_counts_in_one_line(task, columns, message):
    with pytest.raises(ValueError, match=message):
        NetworkConfig(task, columns)
