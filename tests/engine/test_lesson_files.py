"""Lesson files from hostile hands: every reproduction of issue 15, and a mutation fuzz of
every shipped lesson. Loading either returns a fully typed, valid Scenario or raises
ScenarioError with one line; nothing else ever escapes."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import limits
from engine.datasets import TaskConfig
from engine.nn.config_io import NetworkConfig
from engine.nn.training import TrainConfig
from engine.runs import RaceConfig, ScheduleConfig
from engine.scenario import (
    Scenario,
    ScenarioError,
    builtin_dir,
    load_scenario,
    save_scenario,
    scenario_from_dict,
    validate_scenario,
)

SHIPPED = sorted(builtin_dir().glob("*.json"))
RACE_LESSON = next(p for p in SHIPPED if "race" in json.loads(p.read_text()))
NET_LESSON = next(p for p in SHIPPED if "network" in json.loads(p.read_text()))


def _doc(path: Path = RACE_LESSON) -> dict:
    return json.loads(path.read_text())


def _refused(doc_or_text, tmp_path: Path, pattern: str) -> str:
    """Write, load, and return the one-line message (which must match ``pattern``)."""
    p = tmp_path / "lesson.json"
    text = doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text)
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=pattern) as info:
        load_scenario(p)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("lesson.json: ") and len(msg) < 400
    return msg


# ------------------------------------------------------------------ shipped lessons


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_lesson_loads_typed_and_round_trips(path, tmp_path):
    sc = load_scenario(path)
    assert isinstance(sc.race, RaceConfig | None) and isinstance(sc.network, NetworkConfig | None)
    if sc.network is not None:
        assert isinstance(sc.network.task, TaskConfig)
        assert all(isinstance(c, TrainConfig) for c in sc.network.columns)
        assert len(sc.network.columns) <= limits.MAX_COLUMNS
        # the shipped file spells out every field, sized for its task: written back unchanged
        assert sc.network.to_dict() == json.loads(path.read_text())["network"]
    out = tmp_path / "again.json"
    save_scenario(sc, out)
    assert load_scenario(out) == sc
    assert json.loads(out.read_text())["schema_version"] == 1


def test_network_given_as_json_section_is_converted_and_checked():
    section = _doc(NET_LESSON)["network"]
    sc = Scenario("t", network=section)
    assert isinstance(sc.network, NetworkConfig)
    assert sc.network == NetworkConfig.from_dict(section)
    with pytest.raises(ValueError, match="columns"):
        Scenario("t", network={"task": {}, "columns": "x"})


# ------------------------------------------------------------------ issue 15 reproductions


def test_nesting_1000_deep_is_refused_without_recursion_error(tmp_path):
    d = _doc()
    d["race"]["landscape_params"] = {"a": "DEEP"}
    text = json.dumps(d).replace('"DEEP"', "[" * 1000 + "1" + "]" * 1000)
    _refused(text, tmp_path, "nested 100[0-9] levels deep; at most 16")
    _refused("[" * 100_000 + "]" * 100_000, tmp_path, "nested 100000 levels deep")


def test_infinite_batch_size_is_refused(tmp_path):
    d = _doc(NET_LESSON)
    text = json.dumps(d).replace('"batch_size": 64', '"batch_size": Infinity', 1)
    assert "Infinity" in text
    _refused(text, tmp_path, "Infinity is not a number JSON allows")
    d["network"]["columns"][0]["batch_size"] = 1e300
    _refused(d, tmp_path, r"columns\[0\]\.batch_size must be a whole number")


def test_null_schedule_means_the_default(tmp_path):
    d = _doc()
    d["race"]["runs"][0]["schedule"] = None
    p = tmp_path / "l.json"
    p.write_text(json.dumps(d))
    assert load_scenario(p).race.runs[0].schedule == ScheduleConfig()


@pytest.mark.parametrize("label", [["a", "b"], 3, {"x": 1}, True, None])
def test_labels_that_are_not_text_are_refused(label, tmp_path):
    d = _doc()
    d["race"]["runs"][0]["label"] = label
    _refused(d, tmp_path, r"race\.runs\[0\]\.label: must be text")
    n = _doc(NET_LESSON)
    n["network"]["columns"][0]["label"] = label
    _refused(n, tmp_path, r"network\.columns\[0\]\.label: must be text")


def test_labels_are_cleaned(tmp_path):
    d = _doc()
    d["race"]["runs"][0]["label"] = "a\nb\x1b[2J\u202e"
    p = tmp_path / "l.json"
    p.write_text(json.dumps(d))
    assert load_scenario(p).race.runs[0].label == "a b [2J"


@pytest.mark.parametrize(
    ("seed", "pattern"),
    [
        ("\U0001f4a5", r"seed: must be a whole number in \[0, 4294967295\]; got '\U0001f4a5'"),
        (1e30, r"seed: must be a whole number in \[0, 4294967295\]; got 1e\+30"),
        (-1, r"seed: must be a whole number in \[0, 4294967295\]; got -1"),
        (2**64, r"seed: must be a whole number in \[0, 4294967295\]"),
    ],
)
def test_bad_seeds_are_refused_before_anything_is_built(seed, pattern, tmp_path):
    d = _doc()
    d["race"]["runs"][0]["seed"] = seed
    d["race"]["runs"][0]["noise_std"] = 0.1
    _refused(d, tmp_path, r"race\.runs\[0\]\." + pattern)


def test_nan_seed_is_refused(tmp_path):
    text = json.dumps(_doc()).replace('"seed": 0', '"seed": NaN', 1)
    _refused(text, tmp_path, "NaN is not a number JSON allows")


def test_a_valid_race_with_an_invalid_network_is_refused_whole(tmp_path):
    d = _doc()
    net = _doc(NET_LESSON)["network"]
    net["columns"] = [net["columns"][0]] * 8
    d["network"] = net
    _refused(d, tmp_path, r"network\.columns: must be a list of 1 to 6 items; got 8")


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda d: d.update(title="x" * 10_000), r"title: must be at most 120 characters"),
        (lambda d: d.update(lesson="x" * 100_000), r"lesson: must be at most 4000 characters"),
        (lambda d: d.update(title="  "), "title: must not be empty"),
        (
            lambda d: d["race"].update(runs=[d["race"]["runs"][0]] * 1000),
            "1 to 16 items; got 1,000",
        ),
        (lambda d: d.update(steps=10**9), r"steps: must be a whole number in \[0, 1000000\]"),
        (lambda d: d["race"].update(tol=-1), r"race\.tol: must be a finite number"),
        (lambda d: d["race"].update(start=[1]), r"race\.start: must be a list of 2"),
        (lambda d: d["race"]["runs"][0].update(clip_norm=0), r"clip_norm: must be a finite"),
        (lambda d: d["race"]["runs"][0].update(hyper={"lr": "fast"}), r"lr must be a number"),
        (lambda d: d["race"].update(landscape="moon"), "unknown landscape"),
        (lambda d: d.update(schema_version=2), "newer Descent Lab"),
        (lambda d: d.update(schema_version=10**400), "newer Descent Lab"),  # found by the fuzz
        (lambda d: d.update(schema_version=-(10**400)), "unknown schema version"),
        (lambda d: d.update(schema_version=True), "schema_version: must be a whole number"),
        (lambda d: d.update(extra=1), "unknown field 'extra'"),
        (lambda d: d.pop("race"), "needs a 'race' or a 'network'"),
    ],
)
def test_caps_and_types_are_one_line_refusals(edit, pattern, tmp_path):
    d = _doc()
    edit(d)
    _refused(d, tmp_path, pattern)


def test_huge_networks_are_refused_with_the_estimate(tmp_path):
    d = _doc(NET_LESSON)
    d["network"]["columns"][0]["mlp"]["hidden"] = [4096] * 64
    _refused(d, tmp_path, r"GB of memory \(budget 1.61 GB\)")
    d["network"]["columns"][0]["mlp"]["hidden"] = [4096] * 8
    _refused(d, tmp_path, r"GB of memory")


def test_large_and_binary_files_are_refused_before_parsing(tmp_path):
    d = _doc()
    d["lesson"] = "x" * (1 << 20)
    _refused(d, tmp_path, "at most 262,144")
    p = tmp_path / "lesson.json"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(ScenarioError, match="not a UTF-8 text file"):
        load_scenario(p)
    with pytest.raises(ScenarioError, match="is a folder"):
        load_scenario(tmp_path)
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.json")


def test_save_refuses_what_load_would_refuse_and_keeps_the_old_file(tmp_path):
    p = tmp_path / "mine.json"
    good = load_scenario(RACE_LESSON)
    save_scenario(good, p)
    before = p.read_text()
    bad = Scenario("x" * 500, race=good.race)
    with pytest.raises(ScenarioError, match="title: must be at most 120"):
        save_scenario(bad, p)
    assert p.read_text() == before
    assert validate_scenario(good) == good


# ------------------------------------------------------------------ mutation fuzz

_HOSTILE = [
    None,
    True,
    0,
    -1,
    1e30,
    -1e-300,
    2**70,
    10**400,
    1.5,
    "",
    "\U0001f4a5",
    "\udcff",
    "x" * 5000,
    [],
    [1, 2],
    [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]],
    {},
    {"a": 1},
    list(range(500)),
    "relu",
    "adam",
    "after",
]


def _paths(v, prefix=()):
    """Every path into a JSON value (keys and indices), the root included."""
    yield prefix
    if isinstance(v, dict):
        for k, x in v.items():
            yield from _paths(x, (*prefix, k))
    elif isinstance(v, list):
        for i, x in enumerate(v[:4]):
            yield from _paths(x, (*prefix, i))


def _mutate(doc, path, op, value):
    if not path:
        return value if op == "replace" else doc
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1]
    if op == "replace":
        parent[key] = value
    elif op == "delete":
        del parent[key]
    elif op == "wrap":
        parent[key] = [parent[key]]
    elif op == "duplicate" and isinstance(parent, list):
        parent.extend([parent[key]] * 10)
    elif op == "rename" and isinstance(parent, dict):
        parent[f"{key}_x"] = parent.pop(key)
    return doc


def _check_loaded(sc: Scenario) -> None:
    assert isinstance(sc.title, str) and 0 < len(sc.title) <= limits.MAX_TITLE_CHARS
    assert isinstance(sc.lesson, str) and len(sc.lesson) <= limits.MAX_LESSON_CHARS
    assert sc.race is not None or sc.network is not None
    if sc.race is not None:
        assert isinstance(sc.race, RaceConfig) and 1 <= len(sc.race.runs) <= limits.MAX_RUNS
        for r in sc.race.runs:
            assert isinstance(r.label, str) and len(r.label) <= limits.MAX_LABEL_CHARS
            assert isinstance(r.seed, int) and 0 <= r.seed < 2**32
            assert math.isfinite(r.noise_std)
    if sc.network is not None:
        assert isinstance(sc.network, NetworkConfig)
        assert 1 <= len(sc.network.columns) <= limits.MAX_COLUMNS
    assert sc.steps is None or 0 <= sc.steps <= limits.MAX_STEPS


FUZZ_CASES = 300
_fuzz_counts = {"loaded": 0, "refused": 0}


@settings(
    max_examples=FUZZ_CASES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_mutated_shipped_lessons_load_valid_or_refuse_in_one_line(data):
    base = json.loads(data.draw(st.sampled_from(SHIPPED)).read_text())
    doc = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        path = data.draw(st.sampled_from(paths))
        op = data.draw(
            st.sampled_from(
                ["replace", "replace", "replace", "delete", "wrap", "duplicate", "rename"]
            )
        )
        value = data.draw(st.sampled_from(_HOSTILE))
        doc = _mutate(doc, path, op, copy.deepcopy(value))
    try:
        text = json.dumps(doc)
    except (ValueError, RecursionError):  # pragma: no cover - _HOSTILE is JSON-safe
        return
    try:
        from engine.validate import parse_json

        sc = scenario_from_dict(parse_json(text, "fuzz.json"), "fuzz.json")
    except ScenarioError as exc:
        msg = str(exc)
        assert "\n" not in msg and msg.startswith("fuzz.json: ") and len(msg) < 600
        _fuzz_counts["refused"] += 1
        return
    except ValueError as exc:  # parse_json's own error is a ValidationError (a ValueError)
        assert "\n" not in str(exc)
        _fuzz_counts["refused"] += 1
        return
    _check_loaded(sc)
    _fuzz_counts["loaded"] += 1
