"""The run's own settings are written once (engine.run_fields) and every reader agrees:
RunConfig.validate, the race command line and (by identity) the GUI's run editor."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from engine.cli.race import RUN_KEYS, parse_run
from engine.limits import MAX_POINTS, SEED_MAX
from engine.run_fields import RUN_FIELD_OFF, RUN_FIELD_SPECS, STRUCTURED_RUN_FIELDS
from engine.runs import RunConfig

NUMERIC = [n for n, s in RUN_FIELD_SPECS.items() if s.kind in ("float", "int")]


def test_every_runconfig_field_is_described_once():
    fields = [f.name for f in dataclasses.fields(RunConfig)]
    assert sorted(fields) == sorted([*RUN_FIELD_SPECS, *STRUCTURED_RUN_FIELDS])
    assert set(RUN_FIELD_OFF) <= set(RUN_FIELD_SPECS)
    # The off values are RunConfig's own defaults: a default run has every option off.
    defaults = RunConfig()
    assert all(getattr(defaults, k) == v for k, v in RUN_FIELD_OFF.items())
    assert set(RUN_KEYS) == set(RUN_FIELD_SPECS)  # the CLI takes exactly these


def test_ranges_come_from_the_limits():
    assert RUN_FIELD_SPECS["seed"].max == SEED_MAX
    assert RUN_FIELD_SPECS["batch_size"].max == MAX_POINTS


def _edges(name):
    """(accepted, refused) values at the spec's bounds, worked from its min/max."""
    spec = RUN_FIELD_SPECS[name]
    step = 1 if spec.kind == "int" else 1e-9
    ok, bad = [], []
    if spec.min is not None:
        (bad if spec.min_exclusive else ok).append(spec.min)
        bad.append(spec.min - step)
        ok.append(spec.min + step)
    if spec.max is not None and math.isfinite(spec.max):
        ok.append(spec.max)
        bad.append(spec.max + step)
    if spec.kind == "int":
        ok = [int(v) for v in ok]
        bad = [int(v) for v in bad]
    return ok, [v for v in bad if v != RUN_FIELD_OFF.get(name, object())]


@pytest.mark.parametrize("name", NUMERIC)
def test_runconfig_and_the_cli_agree_at_each_bound(name):
    ok, bad = _edges(name)
    assert ok and bad
    for v in ok:
        RunConfig("sgd", **{name: v}).validate()
        assert getattr(parse_run(f"sgd:{name}={v!r}"), name) == pytest.approx(v)
    for v in bad:
        with pytest.raises(ValueError, match=name):
            RunConfig("sgd", **{name: v}).validate()
        with pytest.raises(ValueError, match=name):
            parse_run(f"sgd:{name}={v!r}")


def test_off_values_pass_and_non_finite_values_fail():
    RunConfig("sgd", clip_value=None, clip_norm=None, noise_std=0.0, start=None).validate()
    for name, value in (("clip_norm", math.inf), ("noise_std", math.nan), ("start", (0, math.nan))):
        with pytest.raises(ValueError, match=f"^{name} must be"):
            RunConfig("sgd", **{name: value}).validate()


def test_a_float_seed_is_refused_as_numpy_would():
    with pytest.raises(TypeError):
        np.random.default_rng(3.0)
    with pytest.raises(ValueError, match=r"seed must be a whole number in \[0, 4294967295\]"):
        RunConfig("sgd", seed=3.0).validate()
    RunConfig("sgd", seed=np.int64(3)).validate()
