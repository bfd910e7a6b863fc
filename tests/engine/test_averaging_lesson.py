"""What the averaging lesson (09) tells the class is what its panel and race show.

Each test quotes a sentence of the lesson text and measures it on the lesson's own series,
averages and momentum run (engine.averaging), against closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.averaging import averaging_view
from engine.ewa import ewa, ewa_weights
from engine.scenario import builtin_scenarios

_SC = next(sc for p, sc in builtin_scenarios() if p.name.startswith("09"))
_VIEW = averaging_view(_SC.averaging, _SC.race)
_TEXT = " ".join(_SC.lesson.split())


def _trend(n: int) -> np.ndarray:
    t = np.arange(n, dtype=float)
    return 15 - 10 * np.cos(2 * np.pi * t / 365) + 3 * np.sin(2 * np.pi * t / 45)


def test_it_averages_about_the_last_one_over_one_minus_beta_values():
    """'It averages about the last 1/(1−β) values: 2 for β = 0.5 ... 10 ... 50'"""
    assert "2 for β = 0.5" in _TEXT and "10 for β = 0.9" in _TEXT and "50 for β = 0.98" in _TEXT
    assert _SC.averaging.betas == (0.5, 0.9, 0.98)
    for beta, w in zip(_SC.averaging.betas, _VIEW.windows, strict=True):
        assert w == pytest.approx(1 / (1 - beta))
        k = round(w)
        assert k == {0.5: 2, 0.9: 10, 0.98: 50}[beta]
        # the last ~window values carry most of the weight (1 - beta^W -> 1 - 1/e)
        weights = ewa_weights(beta, 300)
        assert weights[-k:].sum() >= 0.6


def test_small_beta_follows_the_noise_large_beta_is_smoothest_and_lags():
    """'β = 0.5, which follows the noise; ... β = 0.98, the smoothest line, which lags'"""
    avg = _VIEW.averages
    roughness = [np.std(np.diff(a[60:])) for a in avg]
    assert roughness[0] > roughness[1] > roughness[2]
    # wobble around the noiseless trend: beta 0.5 keeps most of the noise
    trend = _trend(_SC.averaging.n)
    assert np.std(avg[0, 60:] - trend[60:]) > 0.5 * _SC.averaging.noise
    # lag: on a steady climb the average trails by beta/(1 - beta) = 49 days (closed form)
    ramp = np.arange(2000, dtype=float)
    assert ramp[-1] - ewa(ramp, 0.98)[-1] == pytest.approx(0.98 / 0.02, rel=1e-6)
    # and on the lesson's series its summit comes after the trend's
    assert np.argmax(avg[2]) > np.argmax(trend) + 5


def test_uncorrected_average_holds_one_minus_beta_to_the_t():
    """'at step t it holds only the fraction 1 − β^t ...: 2% after one day and 18% after ten'"""
    ones = np.ones(20)
    v = ewa(ones, 0.98)
    np.testing.assert_allclose(v, 1 - 0.98 ** np.arange(1, 21), rtol=1e-12)
    assert round(100 * v[0]) == 2 and round(100 * v[9]) == 18
    assert "2% after one day and 18% after ten" in _TEXT


def test_bias_correction_removes_the_startup_bias():
    """'dividing by 1 − β^t removes the start-up bias'"""
    ones = np.full(20, 7.0)
    np.testing.assert_allclose(ewa(ones, 0.98, bias_correction=True), 7.0, rtol=1e-12)
    raw = _VIEW.uncorrected[2, :10]
    assert np.all(np.abs(raw) < np.abs(_VIEW.series[:10]).mean())  # pulled towards 0


def test_momentum_velocity_is_ten_times_the_gradient_average():
    """'velocity ... is exactly the average of its gradients times 1/(1−μ) = 10'"""
    tr = _VIEW.trace
    assert tr is not None and tr.momentum == 0.9 and "1/(1−μ) = 10" in _TEXT
    assert tr.scale == pytest.approx(10.0)
    np.testing.assert_allclose(tr.velocity, 10 * tr.average, rtol=1e-10, atol=1e-12)
    assert np.abs(tr.velocity).max() > 1.0  # not a trivially zero run
