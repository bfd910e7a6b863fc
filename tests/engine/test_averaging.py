"""The averaging lesson's model: config checks, the averages drawn, the momentum tie."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import limits
from engine.averaging import (
    AveragingConfig,
    averaging_view,
    momentum_row,
    momentum_trace,
    startup_bias,
)
from engine.runs import RaceConfig, RunConfig
from engine.scenario import ScenarioError, load_scenario, scenario_from_dict
from engine.validate import ValidationError


def _direct_ewa(x: np.ndarray, beta: float, t: int) -> float:
    """``sum_i (1 - beta) beta^(t - i) x_i`` written out (the closed form, not the loop)."""
    i = np.arange(1, t + 1)
    return float(np.sum((1 - beta) * beta ** (t - i) * x[:t]))


def test_averages_are_the_closed_form_sums():
    cfg = AveragingConfig(n=80, seed=3, betas=(0.5, 0.9))
    view = averaging_view(cfg)
    for k, beta in enumerate(cfg.betas):
        for t in (1, 2, 17, 80):
            want = _direct_ewa(view.series, beta, t)
            assert view.averages[k, t - 1] == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert view.windows == pytest.approx((2.0, 10.0))


def test_bias_correction_divides_by_one_minus_beta_to_the_t():
    cfg = AveragingConfig(n=40, betas=(0.98,), bias_correction=True)
    view = averaging_view(cfg)
    t = np.arange(1, 41)
    np.testing.assert_allclose(view.averages[0], view.uncorrected[0] / (1 - 0.98**t), rtol=1e-12)
    # day one: the corrected average is the first value itself
    assert view.averages[0, 0] == pytest.approx(view.series[0], rel=1e-12)


def test_startup_bias_of_a_constant_series():
    assert startup_bias(0.98, 1) == pytest.approx(0.02)
    assert startup_bias(0.98, 10) == pytest.approx(1 - 0.98**10)


def test_momentum_trace_is_the_race_s_own_velocity():
    race = RaceConfig(
        landscape="bowl",
        runs=(RunConfig("sgd", {"lr": 0.03}), RunConfig("momentum", {"lr": 0.01, "momentum": 0.8})),
    )
    assert momentum_row(race) == 1
    tr = momentum_trace(race, 25)
    # independent: PyTorch's buffer b_1 = g_1, b_t = mu b_{t-1} + g_t from the recorded grads
    b = np.zeros(2)
    for t, g in enumerate(tr.grads):
        b = g.copy() if t == 0 else 0.8 * b + g
        np.testing.assert_allclose(tr.velocity[t], b, rtol=1e-12, atol=1e-12)
    assert tr.scale == pytest.approx(5.0)
    assert tr.max_gap <= 1e-12 * np.abs(tr.velocity).max()


def test_no_momentum_run_means_no_trace():
    race = RaceConfig(landscape="bowl", runs=(RunConfig("adam", {"lr": 0.1}),))
    assert momentum_row(race) is None
    assert averaging_view(AveragingConfig(), race).trace is None
    assert momentum_row(None) is None


@pytest.mark.parametrize(
    "section, pattern",
    [
        ({"betas": [0.5, 1.0]}, r"averaging\.betas\[1\]"),
        ({"betas": []}, r"averaging\.betas"),
        ({"betas": [0.1] * (limits.MAX_AVERAGING_BETAS + 1)}, r"averaging\.betas"),
        ({"n": 1}, r"averaging\.n"),
        ({"n": limits.MAX_AVERAGING_POINTS + 1}, r"averaging\.n"),
        ({"noise": -1}, r"averaging\.noise"),
        ({"bias_correction": 1}, r"averaging\.bias_correction"),
        ({"seed": -1}, r"averaging\.seed"),
        ({"momentum_steps": 0}, r"averaging\.momentum_steps"),
        ({"colour": "red"}, r"unknown field 'colour'"),
        ([1, 2], r"averaging: must be an object"),
    ],
)
def test_bad_sections_are_one_line_refusals(section, pattern):
    doc = json.loads(
        (load_scenario.__globals__["builtin_dir"]() / "09_averaging.json").read_text("utf-8")
    )
    doc["averaging"] = section
    with pytest.raises(ScenarioError, match=pattern) as info:
        scenario_from_dict(doc, "x.json")
    assert "\n" not in str(info.value)


def test_config_refuses_in_memory_edits_too():
    with pytest.raises(ValidationError, match="betas"):
        AveragingConfig().replace(betas=(0.5, -0.1))
    assert AveragingConfig().replace(betas=(0.7,)).betas == (0.7,)


def test_old_files_without_the_section_still_load():
    sc = load_scenario(load_scenario.__globals__["builtin_dir"]() / "02_momentum_narrow_bowl.json")
    assert sc.averaging is None
    assert "averaging" not in sc.to_dict()
