"""Scenario files: round trip, every shipped lesson loads and runs, bad files are explained."""

import json

import numpy as np
import pytest

from engine.runs import Race, RaceConfig, RunConfig
from engine.scenario import (
    SCHEMA_VERSION,
    Scenario,
    builtin_scenarios,
    load_scenario,
    save_scenario,
    scenario_from_dict,
)


def test_round_trip(tmp_path):
    sc = Scenario(
        "Two contestants",
        "Watch the valley.",
        RaceConfig("bowl", {"condition": 30.0}, runs=(RunConfig("adam", {"lr": 0.1}),)),
        steps=300,
    )
    path = tmp_path / "s.json"
    save_scenario(sc, path)
    data = json.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert load_scenario(path) == sc


def test_every_builtin_scenario_loads_and_runs():
    found = builtin_scenarios()
    assert len(found) >= 6
    for path, sc in found:
        assert sc.lesson.strip(), path.name
        if sc.race is not None:
            race = Race(sc.race)
            race.step(50)
            snap = race.snapshot()
            assert snap.step == 50 or not any(s == "running" for s in snap.status), path.name
            assert np.all(np.isfinite(snap.positions)), path.name


def _base():
    return Scenario("t", "l", RaceConfig()).to_dict()


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda d: d.pop("format"), "not a Descent Lab scenario"),
        (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "newer Descent Lab"),
        (lambda d: d.update(schema_version="1"), "schema_version"),
        (lambda d: d.update(title=""), "title"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d.pop("race"), "'race' or a 'network'"),
        (lambda d: d["race"].update(landscape="atlantis"), "atlantis"),
        (lambda d: d["race"]["runs"][0]["hyper"].update(lr="fast"), "lr"),
        (lambda d: d["race"]["runs"][0].update(optimizer="magic"), "magic"),
        (lambda d: d["race"]["runs"][0].update(start=[1]), "start"),
        (lambda d: d["race"].update(runs="all of them"), "runs"),
        (lambda d: d["race"]["runs"][0].update(colour="red"), "colour"),
        (lambda d: d["race"].update(runs=[5]), "race"),
    ],
)
def test_bad_documents_name_the_problem(mutate, needle):
    d = _base()
    mutate(d)
    with pytest.raises(ValueError, match=needle):
        scenario_from_dict(d, "lesson.json")


def test_bad_files_name_the_file(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"format": "descent-lab-scenario", ')
    with pytest.raises(ValueError, match=r"broken.json: not valid JSON \(line 1"):
        load_scenario(p)
    p.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ValueError, match=r"broken\.json"):
        load_scenario(p)


def test_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "keep.json"
    save_scenario(Scenario("old", "l", RaceConfig()), path)
    before = path.read_text()
    bad = Scenario("new", "l", RaceConfig(tol=float("nan")))
    with pytest.raises(ValueError):
        save_scenario(bad, path)  # NaN is not JSON
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]
