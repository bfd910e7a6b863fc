"""describe_point: a verdict (minimum, maximum, saddle) only where the gradient vanishes.

Gradients and Hessians of Himmelblau's function are worked by hand here,
f = (x² + y − 11)² + (x + y² − 7)², so the test does not lean on the landscape code;
the published stationary points are Himmelblau (1972) as listed by Wikipedia's
"Himmelblau's function" page.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.landscapes import describe_point, make_landscape


def himmelblau_grad(x: float, y: float) -> np.ndarray:
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def himmelblau_hessian(x: float, y: float) -> np.ndarray:
    fxx = 12 * x * x + 4 * y - 42
    fxy = 4 * x + 4 * y
    fyy = 4 * x + 12 * y * y - 26
    return np.array([[fxx, fxy], [fxy, fyy]])


def describe_at(x: float, y: float) -> tuple[str, str]:
    return describe_point(himmelblau_grad(x, y), himmelblau_hessian(x, y))


def test_hand_worked_derivatives_agree_with_the_landscape():
    land = make_landscape("himmelblau")
    p = np.array([0.7, -1.3])
    np.testing.assert_allclose(land.grad(p), himmelblau_grad(*p), rtol=1e-12)
    np.testing.assert_allclose(land.hessian(p), himmelblau_hessian(*p), rtol=1e-12)


def test_exact_minimum_is_a_minimum():
    # (3, 2): gradient exactly 0; Hessian [[74, 20], [20, 34]] is positive definite.
    kind, text = describe_at(3.0, 2.0)
    assert kind == "minimum"
    assert "stationary point (∇f = 0)" in text and "MINIMUM" in text
    assert "not a stationary" not in text


@pytest.mark.parametrize(
    ("x", "y", "kind"),
    [
        (-2.805118, 3.131312, "minimum"),  # published to 6 decimals
        (-0.270845, -0.923039, "maximum"),  # the one local maximum, f = 181.617
        (0.086678, 2.884255, "saddle"),
        (3.385154, 0.073852, "saddle"),
    ],
)
def test_published_stationary_points(x, y, kind):
    got, text = describe_at(x, y)
    assert got == kind
    assert kind.upper() in text


def test_non_stationary_bowl_is_not_called_a_minimum():
    # (3.5, 2): ∇f = (46.5, 10.5) by hand; H = [[113, 22], [22, 36]] positive definite.
    g = himmelblau_grad(3.5, 2.0)
    np.testing.assert_allclose(g, [46.5, 10.5])
    kind, text = describe_at(3.5, 2.0)
    assert kind == "bowl"
    assert f"not a stationary point (|∇f| = {np.hypot(46.5, 10.5):.4g})" in text
    assert "bowl-shaped here" in text
    assert "minimum" not in text.lower()


def test_non_stationary_dome_and_saddle_shapes():
    # (0, 0): ∇f = (−14, −22), H = diag(−42, −26): curves down every way.
    kind, text = describe_at(0.0, 0.0)
    assert kind == "dome" and "not a stationary point" in text
    assert "maximum" not in text.lower()
    # (0.1, 2.9): H = [[−30.28, 12], [12, 75.32]], det < 0, and ∇f ≠ 0.
    kind, text = describe_at(0.1, 2.9)
    assert kind == "saddle-shaped" and "saddle-shaped here" in text
    assert "SADDLE" not in text


def test_flat_directions_are_trough_or_ridge():
    # f = x² at (1, 0): ∇f = (2, 0), H = diag(2, 0); f = −x²: the mirror image.
    assert describe_point([2.0, 0.0], [[2.0, 0.0], [0.0, 0.0]])[0] == "trough"
    assert describe_point([-2.0, 0.0], [[-2.0, 0.0], [0.0, 0.0]])[0] == "ridge"
    assert describe_point([1.0, 0.0], np.zeros((2, 2)))[0] == "flat"
    # f = x² at its minimum line: stationary, but the test cannot decide.
    assert describe_point([0.0, 0.0], [[2.0, 0.0], [0.0, 0.0]])[0] == "degenerate"


def test_tolerance_is_relative_to_curvature():
    h = np.diag([1e4, 2e4])
    # |∇f| = 1e-3 is 1e-7 of the curvature: stationary; the same gradient on a unit bowl is not.
    assert describe_point([1e-3, 0.0], h)[0] == "minimum"
    assert describe_point([1e-3, 0.0], np.eye(2))[0] == "bowl"


def test_zero_gradient_reads_as_zero_and_bad_input_is_refused():
    kind, text = describe_point([0.0, -0.0], -np.eye(2))
    assert kind == "maximum"
    kind, text = describe_point([np.nan, 0.0], np.eye(2))
    assert kind == "bowl" and "|∇f| = nan" in text
    assert describe_point([1.0, 0.0], np.full((2, 2), np.inf))[0] == "unknown"
    with pytest.raises(ValueError, match="grad must have shape"):
        describe_point([1.0, 2.0, 3.0], np.eye(2))
    with pytest.raises(ValueError, match="rtol"):
        describe_point([1.0, 0.0], np.eye(2), rtol=-1.0)
