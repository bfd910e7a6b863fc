"""EWA closed forms and the momentum tie, checked against sums written out by hand."""

import numpy as np
import pytest

from engine.ewa import (
    ewa,
    ewa_many,
    ewa_weights,
    momentum_velocity,
    noisy_series,
    velocity_as_ewa,
    window,
)
from engine.optimizers import inspect, make_optimizer


def test_ewa_equals_its_closed_form_sum():
    x = noisy_series(50, seed=3)
    for beta in (0.0, 0.5, 0.9, 0.98):
        v = ewa(x, beta)
        for t in (1, 7, 50):
            closed = sum((1 - beta) * beta ** (t - i) * x[i - 1] for i in range(1, t + 1))
            assert v[t - 1] == pytest.approx(closed, rel=1e-12)
            corrected = ewa(x, beta, bias_correction=True)[t - 1]
            assert corrected == pytest.approx(closed / (1 - beta**t), rel=1e-12)


def test_bias_correction_removes_the_start_up_bias_of_a_constant():
    x = np.full(20, 7.0)
    raw = ewa(x, 0.9)
    assert raw[0] == pytest.approx(0.7)  # (1 - 0.9) * 7: pulled towards zero
    np.testing.assert_allclose(ewa(x, 0.9, bias_correction=True), 7.0, rtol=1e-14)


def test_window_and_weights():
    assert window(0.9) == pytest.approx(10.0)
    assert window(0.98) == pytest.approx(50.0)
    w = ewa_weights(0.5, 3)
    np.testing.assert_allclose(w, [0.125, 0.25, 0.5])
    assert ewa_weights(0.9, 30, bias_correction=True).sum() == pytest.approx(1.0)
    # beta^(1/(1-beta)) ~ 1/e: the oldest value inside the window has about 1/e of the weight
    w = ewa_weights(0.98, 200)
    assert w[-51] / w[-1] == pytest.approx(np.exp(-1), rel=0.02)


def test_series_is_seeded_and_many_betas_stack():
    a, b = noisy_series(100, seed=1), noisy_series(100, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, noisy_series(100, seed=2))
    m = ewa_many(a, (0.5, 0.9))
    assert m.shape == (2, 100)
    np.testing.assert_array_equal(m[1], ewa(a, 0.9))
    # larger beta smooths more: smaller step-to-step variation
    assert np.std(np.diff(m[1])) < np.std(np.diff(m[0])) < np.std(np.diff(a))


def test_heavy_ball_velocity_is_ewa_over_one_minus_mu():
    g = np.random.default_rng(0).normal(size=(30, 2))
    avg, scale = velocity_as_ewa(g, 0.9)
    assert scale == pytest.approx(10.0)
    np.testing.assert_allclose(momentum_velocity(g, 0.9), scale * avg, rtol=1e-12)
    # and the optimizer's own buffer agrees (PyTorch form, b_1 = g_1)
    opt = make_optimizer("momentum", lr=0.01, momentum=0.9)
    p = np.zeros((1, 2))
    s = opt.init(p)
    for gt in g:
        p, s = opt.update(gt[None], s, p)
    np.testing.assert_allclose(inspect(s)["velocity"][0], scale * avg[-1], rtol=1e-12)


def test_adam_first_moment_is_the_ewa_of_gradients():
    g = np.random.default_rng(1).normal(size=(12, 2))
    opt = make_optimizer("adam", betas=(0.8, 0.95))
    p = np.zeros((1, 2))
    s = opt.init(p)
    for gt in g:
        p, s = opt.update(gt[None], s, p)
    np.testing.assert_allclose(inspect(s)["first_moment"][0], ewa(g, 0.8)[-1], rtol=1e-12)
    np.testing.assert_allclose(inspect(s)["second_moment"][0], ewa(g * g, 0.95)[-1], rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ewa(np.ones(3), 1.0), "beta"),
        (lambda: window(-0.1), "beta"),
        (lambda: noisy_series(0), "n must"),
        (lambda: ewa_weights(0.5, 0), "t must"),
        (lambda: ewa_many(np.ones((2, 2))), "1-d"),
    ],
)
def test_bad_input_one_line(call, match):
    with pytest.raises(ValueError, match=match):
        call()
