"""Debiased EMA smoothing against its definition, written out point by point."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.smoothing import MAX_WEIGHT, EmaSmoother, ema_smooth


def _reference(x, w):
    # TensorBoard's smoothing loop: last = last*w + (1-w)*v, divided by 1 - w**count
    out, last, count = [], 0.0, 0
    for v in x:
        if not np.isfinite(v):
            out.append(v)
            continue
        last = last * w + (1 - w) * v
        count += 1
        out.append(last / (1 - w**count) if w > 0 else v)
    return np.array(out)


@pytest.mark.parametrize("w", [0.0, 0.3, 0.6, 0.9, 0.99, MAX_WEIGHT])
def test_matches_the_definition(w):
    x = np.random.default_rng(0).lognormal(size=1000)
    np.testing.assert_allclose(ema_smooth(x, w), _reference(x, w), rtol=1e-11, atol=0)


def test_a_constant_curve_is_unchanged_from_the_first_point():
    # the debiasing exists for exactly this: no pull towards zero at the start
    np.testing.assert_allclose(ema_smooth(np.full(300, 4.2), 0.95), 4.2, rtol=1e-12)


def test_a_step_follows_the_closed_form():
    # after a jump from 1 to 2 at point m, the biased average is 1 - w^t + (w^(t-m))(...)
    w, m, n = 0.9, 50, 200
    x = np.r_[np.ones(m), 2 * np.ones(n - m)]
    t = np.arange(1, n + 1)
    k = np.maximum(t - m, 0)
    expected = (1 - w**t + (1 - w**k)) / (1 - w**t)
    np.testing.assert_allclose(ema_smooth(x, w), expected, rtol=1e-12)


def test_non_finite_points_pass_through_and_do_not_enter_the_average():
    x = np.array([1.0, 2.0, np.nan, 3.0, np.inf, 4.0])
    got = ema_smooth(x, 0.5)
    assert np.isnan(got[2]) and np.isposinf(got[4])
    np.testing.assert_allclose(got[[0, 1, 3, 5]], ema_smooth(np.array([1, 2, 3, 4.0]), 0.5))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=6),
    st.floats(min_value=0.0, max_value=MAX_WEIGHT),
)
def test_smoothing_in_pieces_equals_smoothing_whole(cuts, w):
    x = np.random.default_rng(len(cuts)).normal(size=sum(cuts))
    s = EmaSmoother(w)
    pieces, at = [], 0
    for c in cuts:
        pieces.append(s.extend(x[at : at + c]))
        at += c
    np.testing.assert_allclose(np.concatenate(pieces), ema_smooth(x, w), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("w", [-0.1, 1.0, 2.0, float("nan")])
def test_weights_outside_the_range_are_refused(w):
    with pytest.raises(ValueError, match="smoothing weight"):
        EmaSmoother(w)
