"""Learning-rate schedules at known steps against their closed forms (PyTorch, Keras)."""

import math

import numpy as np
import pytest

from engine.optimizers import make_optimizer, with_schedule
from engine.params import ParamSpec
from engine.schedules import SCHEDULES, Schedule, make_schedule

BASE = 0.1


def test_registry_order_and_specs():
    assert list(SCHEDULES) == [
        "constant",
        "step",
        "exponential",
        "inverse_time",
        "cosine",
        "cosine_restarts",
        "multistep",
        "linear",
        "polynomial",
        "onecycle",
        "plateau",
    ]
    for name, spec in SCHEDULES.items():
        assert spec.name == name and spec.title and spec.description
        assert all(isinstance(p, ParamSpec) for p in spec.params)
        make_schedule(name)  # defaults are valid


def test_constant():
    s = make_schedule()
    assert isinstance(s, Schedule) and s.kind == "constant"
    assert [s.lr(BASE, t) for t in (0, 1, 1000)] == [BASE] * 3


def test_step_lr_at_step_size_boundaries():
    s = make_schedule("step", step_size=10, gamma=0.5)
    assert s.lr(BASE, 0) == BASE
    assert s.lr(BASE, 9) == BASE
    assert s.lr(BASE, 10) == pytest.approx(0.05, rel=1e-15)
    assert s.lr(BASE, 19) == pytest.approx(0.05, rel=1e-15)
    assert s.lr(BASE, 20) == pytest.approx(0.025, rel=1e-15)


def test_exponential():
    s = make_schedule("exponential", gamma=0.9)
    assert s.lr(BASE, 3) == pytest.approx(0.1 * 0.729, rel=1e-14)
    assert s.factor(0) == 1.0


def test_inverse_time_keras_formula():
    s = make_schedule("inverse_time", decay_rate=0.5, decay_steps=100)
    assert s.lr(BASE, 0) == BASE
    assert s.lr(BASE, 50) == pytest.approx(0.1 / 1.25, rel=1e-15)
    assert s.lr(BASE, 200) == pytest.approx(0.05, rel=1e-15)


def test_cosine_closed_form():
    s = make_schedule("cosine", T_max=100, eta_min=0.01)
    assert s.lr(BASE, 0) == BASE
    assert s.lr(BASE, 50) == pytest.approx((0.1 + 0.01) / 2, rel=1e-15)
    assert s.lr(BASE, 100) == pytest.approx(0.01, rel=1e-15)
    quarter = 0.01 + 0.09 * (1 + math.cos(math.pi / 4)) / 2
    assert s.lr(BASE, 25) == pytest.approx(quarter, rel=1e-15)
    # as in PyTorch the closed form is periodic: it climbs back to base at 2 T_max
    assert s.lr(BASE, 200) == pytest.approx(BASE, rel=1e-15)


def test_cosine_eta_min_is_absolute():
    s = make_schedule("cosine", T_max=10, eta_min=0.01)
    assert s.lr(1.0, 10) == pytest.approx(0.01, rel=1e-15)
    assert s.lr(0.5, 10) == pytest.approx(0.01, rel=1e-15)
    assert s.factor(10) == pytest.approx(0.01, rel=1e-15)  # lr for a base of 1


def test_warm_restarts_t_mult_1():
    s = make_schedule("cosine_restarts", T_0=10, eta_min=0.0)
    assert s.lr(BASE, 5) == pytest.approx(0.05, rel=1e-15)
    assert s.lr(BASE, 9) == pytest.approx(0.1 * (1 + math.cos(0.9 * math.pi)) / 2, rel=1e-14)
    assert s.lr(BASE, 10) == BASE  # restart at T_0
    assert s.lr(BASE, 15) == pytest.approx(0.05, rel=1e-15)
    assert s.lr(BASE, 30) == BASE


def test_warm_restarts_t_mult_2():
    # cycles [0, 10), [10, 30), [30, 70), [70, 150)
    s = make_schedule("cosine_restarts", T_0=10, T_mult=2, eta_min=0.02)
    mid = (0.1 + 0.02) / 2
    for t in (10, 30, 70, 150):
        assert s.lr(BASE, t) == BASE
    for t in (5, 20, 50, 110):
        assert s.lr(BASE, t) == pytest.approx(mid, rel=1e-15)
    # boundaries where PyTorch's float log would be one cycle short: 2^k - 1 multiples
    s3 = make_schedule("cosine_restarts", T_0=1, T_mult=2)
    for t in (1, 3, 7, 15, 31, 63, 127, 255):
        assert s3.lr(BASE, t) == BASE


def test_warmup_linear_then_main_schedule():
    s = make_schedule("step", step_size=5, gamma=0.5, warmup_steps=10, warmup_start_factor=0.1)
    assert s.lr(1.0, 0) == pytest.approx(0.1, rel=1e-15)
    assert s.lr(1.0, 5) == pytest.approx(0.55, rel=1e-15)  # midpoint of 0.1 -> 1
    assert s.lr(1.0, 10) == 1.0  # main schedule at its t = 0
    assert s.lr(1.0, 14) == 1.0
    assert s.lr(1.0, 15) == 0.5


def test_warmup_into_cosine_uses_base_then_eta_min():
    s = make_schedule("cosine", T_max=10, eta_min=0.01, warmup_steps=4, warmup_start_factor=0.2)
    assert s.lr(BASE, 2) == pytest.approx(0.1 * 0.6, rel=1e-15)
    assert s.lr(BASE, 4) == BASE
    assert s.lr(BASE, 9) == pytest.approx(0.055, rel=1e-15)


def test_array_t_equals_scalar_t_bitwise():
    for kind, params in [
        ("step", {"step_size": 3, "gamma": 0.7}),
        ("exponential", {"gamma": 0.97}),
        ("inverse_time", {"decay_rate": 2.0, "decay_steps": 7}),
        ("cosine", {"T_max": 13, "eta_min": 0.003}),
        ("cosine_restarts", {"T_0": 4, "T_mult": 3, "eta_min": 0.001}),
    ]:
        s = make_schedule(kind, warmup_steps=3, **params)
        t = np.arange(80).reshape(8, 10)
        expected = np.array([[s.lr(BASE, int(x)) for x in row] for row in t])
        assert np.array_equal(s.lr(BASE, t), expected)
        assert np.array_equal(s.factor(t), np.array([[s.factor(int(x)) for x in row] for row in t]))


def test_array_base_lr_rows_equal_scalar_bitwise():
    s = make_schedule("cosine", T_max=20, eta_min=0.001, warmup_steps=5)
    base = np.array([[0.1], [0.03], [0.5]])
    for t in (0, 3, 5, 12, 20, 33):
        got = s.lr(base, t)
        assert got.shape == (3, 1)
        assert np.array_equal(got, np.array([[s.lr(float(b), t)] for b in base[:, 0]]))


def test_scheduled_sgd_trajectory_by_hand():
    s = make_schedule("step", step_size=2, gamma=0.1)
    opt = with_schedule(make_optimizer("sgd", lr=1.0), s)
    p = np.array([0.0])
    state = opt.init(p)
    for _ in range(5):
        p, state = opt.update(np.array([1.0]), state, p)
    # lrs 1, 1, 0.1, 0.1, 0.01
    np.testing.assert_allclose(p, [-2.21], rtol=1e-14)


@pytest.mark.parametrize(
    ("kind", "kwargs", "needle"),
    [
        ("bogus", {}, "constant.*cosine_restarts"),
        ("step", {"step_size": 0}, "step_size"),
        ("step", {"gamma": -0.5}, "gamma"),
        ("cosine", {"T_max": 0}, "T_max"),
        ("cosine", {"eta_min": -1.0}, "eta_min"),
        ("cosine_restarts", {"T_mult": 0}, "T_mult"),
        ("cosine_restarts", {"T_0": 2.5}, "T_0"),
        ("inverse_time", {"decay_steps": 0}, "decay_steps"),
        ("constant", {"gamma": 0.5}, "gamma"),
        ("constant", {"warmup_steps": -1}, "warmup_steps"),
        ("constant", {"warmup_start_factor": 0.0}, "warmup_start_factor"),
        ("constant", {"warmup_start_factor": 1.5}, "warmup_start_factor"),
    ],
)
def test_invalid_schedules_raise_naming_the_parameter(kind, kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        make_schedule(kind, **kwargs)


def test_negative_or_fractional_t_is_rejected():
    s = make_schedule("exponential", gamma=0.5)
    with pytest.raises(ValueError, match="t"):
        s.lr(BASE, -1)
    with pytest.raises(ValueError, match="t"):
        s.lr(BASE, 1.5)
    with pytest.raises(ValueError, match="t"):
        s.factor(np.array([0.5]))


def test_case_insensitive_and_string_params():
    s = make_schedule(" Cosine ", T_max="50", eta_min="0.001")
    assert s.kind == "cosine" and s.params == {"T_max": 50, "eta_min": 0.001}


def test_dict_round_trip():
    from engine.schedules import schedule_from_dict, schedule_to_dict

    s = make_schedule("cosine_restarts", T_0=7, T_mult=2, eta_min=0.01, warmup_steps=3)
    d = schedule_to_dict(s)
    assert d == {
        "kind": "cosine_restarts",
        "params": {"T_0": 7, "T_mult": 2, "eta_min": 0.01},
        "warmup_steps": 3,
        "warmup_start_factor": 0.1,
    }
    assert schedule_from_dict(d) == s
