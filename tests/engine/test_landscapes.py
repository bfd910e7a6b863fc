"""Landscapes against independent truth: finite differences, published minima, closed forms.

Published values: Jamil & Yang (2013), "A literature survey of benchmark functions for global
optimization problems", and the SFU Virtual Library of Simulation Experiments.
"""

import json
import math

import numpy as np
import pytest

from engine import landscapes as L
from engine.landscapes import (
    LANDSCAPES,
    CriticalPoint,
    Landscape,
    hessian_verdict,
    list_landscapes,
    make_landscape,
    nearest_minimum,
)

# every registered landscape at its defaults, plus non-default parameters that change the maths
CASES = [(name, {}) for name in LANDSCAPES] + [
    ("rosenbrock", {"a": -0.7, "b": 8.0}),
    ("rastrigin", {"A": 3.0}),
    ("bowl", {"condition": 150.0, "angle": -55.0}),
    ("cliff", {"height": 2.0, "steepness": 30.0}),
    ("regression", {"n": 7, "noise": 2.0, "true_w": -3.0, "true_b": 4.0, "seed": 11}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items())}" if p else n for n, p in CASES]


def _points(land: Landscape, n: int, seed: int) -> np.ndarray:
    """Seeded random points inside the landscape's window, shape (n, 2)."""
    rng = np.random.default_rng(seed)
    xmin, xmax, ymin, ymax = land.window
    p = np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])
    if land.name == "ackley":
        # the cone point at the origin is not differentiable; keep FD stencils clear of it
        p = p[np.hypot(p[:, 0], p[:, 1]) > 0.05]
    return p


def _fd_step(land: Landscape) -> float:
    """A difference step well inside the narrowest feature (the cliff's wall is 4/k wide)."""
    return 1e-3 / max(1.0, land.params.get("steepness", 1.0) / 2.0)


def _richardson(f, p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Derivative of f along e at p by central differences with one Richardson step.

    Error O(|e|^4 f^(5)) + O(eps |f| / |e|), which lets the tolerance sit near 1e-9.
    """

    def central(d):
        return (f(p + d) - f(p - d)) / (2.0 * np.linalg.norm(d))

    return (4.0 * central(0.5 * e) - central(e)) / 3.0


# -------------------------------------------------------------------------- derivatives


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_gradient_matches_finite_differences(name, params):
    land = make_landscape(name, **params)
    p = _points(land, 60, seed=1)
    h = _fd_step(land)
    g = land.grad(p)
    fd = np.column_stack([_richardson(land.value, p, np.array(e) * h) for e in ((1, 0), (0, 1))])
    f = np.abs(land.value(p))
    tol = 1e-9 * (1.0 + np.linalg.norm(g, axis=1)) + 1e-12 * f
    err = np.linalg.norm(g - fd, axis=1)
    assert np.all(err <= tol), (err / tol).max()


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_hessian_matches_differences_of_gradient_and_of_value(name, params):
    land = make_landscape(name, **params)
    p = _points(land, 40, seed=2)
    H = land.hessian(p)
    assert H.shape == (len(p), 2, 2)
    np.testing.assert_array_equal(H[:, 0, 1], H[:, 1, 0])
    scale = 1.0 + np.abs(H).max(axis=(1, 2))

    # differences of the analytic gradient, column by column
    h = _fd_step(land)
    gscale = np.abs(land.grad(p)).max(axis=1)
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        col = _richardson(land.grad, p, e[None, :])
        tol = 1e-9 * scale + 1e-12 * gscale
        err = np.abs(H[:, :, j] - col).max(axis=1)
        assert np.all(err <= tol), (err / tol).max()

    # second differences of the value alone (independent of the analytic gradient)
    h = 1e-4 * min(1.0, 10.0 / land.params.get("steepness", 1.0))
    f = land.value
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    fxx = (f(p + ex) - 2 * f(p) + f(p - ex)) / h**2
    fyy = (f(p + ey) - 2 * f(p) + f(p - ey)) / h**2
    fxy = (f(p + ex + ey) - f(p + ex - ey) - f(p - ex + ey) + f(p - ex - ey)) / (4 * h * h)
    # error: truncation ~h^2 f^(4) / 12 plus rounding ~4 eps |f| / h^2
    tol = 1e-4 * scale + 1e-7 * np.abs(f(p)) * (1e-4 / h) ** 2
    for got, want in ((H[:, 0, 0], fxx), (H[:, 1, 1], fyy), (H[:, 0, 1], fxy)):
        assert np.all(np.abs(got - want) <= tol), np.max(np.abs(got - want) / tol)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_shapes_and_dtype(name, params):
    land = make_landscape(name, **params)
    p = np.zeros((3, 4, 2)) + np.array(land.start)
    assert land.value(p).shape == (3, 4)
    assert land.grad(p).shape == (3, 4, 2)
    assert land.hessian(p).shape == (3, 4, 2, 2)
    assert land.value(p).dtype == np.float64
    assert land.value(land.start).shape == ()
    assert np.isfinite(land.value(land.start))
    with pytest.raises(ValueError, match="shape"):
        land.value(np.zeros((4, 3)))


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_far_away_points_never_warn_or_raise(name, params):
    land = make_landscape(name, **params)
    p = np.array(
        [
            [1e200, 1e200],
            [-1e200, 1e200],
            [1e300, -1e300],
            [1e308, 1e308],
            [np.inf, 0.0],
            [-np.inf, np.inf],
            [np.nan, 1.0],
            [0.0, 0.0],
            [1e-300, -1e-300],
        ]
    )
    # errstate(raise) outside proves the landscape silences its own floating-point events;
    # pytest's filterwarnings=error would catch any RuntimeWarning as well
    with np.errstate(all="raise"):
        land.value(p)
        land.grad(p)
        land.hessian(p)
        land.grid(5, 4)
        if land.stochastic:
            idx = np.zeros((len(p), 3), dtype=int)
            land.batch_value(p, idx)
            land.batch_grad(p, idx)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_window_is_finite_everywhere(name, params):
    land = make_landscape(name, **params)
    xs, ys, Z = land.grid(41, 37)
    pts = np.stack(np.meshgrid(xs, ys), axis=-1)
    assert np.all(np.isfinite(Z))
    assert np.all(np.isfinite(land.grad(pts)))
    assert np.all(np.isfinite(land.hessian(pts)))
    xmin, xmax, ymin, ymax = land.window
    assert xmin <= land.start[0] <= xmax and ymin <= land.start[1] <= ymax


# ------------------------------------------------------------------- published minima

PUBLISHED_MINIMA = [
    ("rosenbrock", {}, (1.0, 1.0), 0.0),
    ("rosenbrock", {"a": 1.5, "b": 30.0}, (1.5, 2.25), 0.0),
    ("rosenbrock", {"a": -0.5}, (-0.5, 0.25), 0.0),
    ("beale", {}, (3.0, 0.5), 0.0),
    ("booth", {}, (1.0, 3.0), 0.0),
    ("himmelblau", {}, (3.0, 2.0), 0.0),
    ("himmelblau", {}, (-2.805118, 3.131312), 0.0),
    ("himmelblau", {}, (-3.779310, -3.283186), 0.0),
    ("himmelblau", {}, (3.584428, -1.848126), 0.0),
    ("rastrigin", {}, (0.0, 0.0), 0.0),
    ("ackley", {}, (0.0, 0.0), 0.0),
    ("goldstein_price", {}, (0.0, -1.0), 3.0),
    ("six_hump_camel", {}, (0.0898, -0.7126), -1.0316),
    ("six_hump_camel", {}, (-0.0898, 0.7126), -1.0316),
    ("styblinski_tang", {}, (-2.903534, -2.903534), -78.332),
    ("bowl", {}, (0.0, 0.0), 0.0),
]


def _decimals(v: float) -> int:
    s = repr(float(v))
    return len(s.split(".")[1]) if "." in s and "e" not in s else 0


@pytest.mark.parametrize(("name", "params", "xy", "value"), PUBLISHED_MINIMA)
def test_published_global_minima(name, params, xy, value):
    land = make_landscape(name, **params)
    m, dist = nearest_minimum(land, np.array(xy))
    assert m is not None and m.kind == "global minimum"
    # published coordinates are rounded to k decimals, values likewise
    coord_tol = 0.5 * 10.0 ** -min(_decimals(xy[0]), _decimals(xy[1]), 6) + 1e-12
    assert dist <= coord_tol * math.sqrt(2)
    val_tol = 0.5 * 10.0 ** -_decimals(value) if _decimals(value) else 1e-12
    assert abs(m.value - value) <= val_tol
    assert land.f_min == pytest.approx(m.value, abs=1e-12)
    # the formula itself at the published point gives the published value
    assert float(land.value(np.array(xy))) == pytest.approx(value, abs=val_tol + 1e-9)


def test_styblinski_tang_uses_the_half_sum_convention():
    land = make_landscape("styblinski_tang")
    t = -2.903534
    per_coord = t**4 - 16 * t**2 + 5 * t
    assert float(land.value([t, t])) == pytest.approx(0.5 * 2 * per_coord, rel=1e-12)
    assert float(land.value([t, t])) == pytest.approx(-78.332, abs=5e-4)
    assert land.f_min == pytest.approx(-39.16616570377142 * 2, abs=1e-10)


def test_goldstein_price_local_minima_and_saddles_are_exact():
    land = make_landscape("goldstein_price")
    table = {
        (-0.6, -0.4): 30.0,
        (1.8, 0.2): 84.0,
        (1.2, 0.8): 840.0,
        (-0.4, -0.6): 35.0,
        (1.2, -0.2): 99.0,
        (0.6, 0.4): 990.0,
        (1.4, 0.6): 980.0,
        (0.8, 0.2): 1155.0,
    }
    pts = {(c.x, c.y): c.value for c in land.minima + land.saddles}
    for xy, v in table.items():
        assert pts[xy] == v
        assert float(land.value(np.array(xy))) == pytest.approx(v, rel=1e-13)


def test_himmelblau_local_maximum_published():
    land = make_landscape("himmelblau")
    (mx,) = [c for c in land.saddles if c.kind == "local maximum"]
    assert mx.x == pytest.approx(-0.270845, abs=1e-6)
    assert mx.y == pytest.approx(-0.923039, abs=1e-6)
    assert mx.value == pytest.approx(181.617, abs=1e-3)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_listed_critical_points_are_stationary_and_classified(name, params):
    land = make_landscape(name, **params)
    expected = {
        "global minimum": "minimum",
        "local minimum": "minimum",
        "saddle": "saddle",
        "local maximum": "maximum",
    }
    for c in land.minima + land.saddles:
        p = c.point
        g = land.grad(p)
        h = land.hessian(p)
        # zero up to the rounding of the coordinates: |g| <~ |H| * ulp(|p|)
        slack = 64 * np.finfo(float).eps * (1 + np.abs(p).max()) * (1 + np.abs(h).max())
        assert np.abs(g).max() <= slack, (c, g)
        assert float(land.value(p)) == pytest.approx(c.value, rel=1e-12, abs=1e-12)
        _, verdict = hessian_verdict(h)
        if name == "monkey_saddle":
            assert verdict == "degenerate"
        else:
            assert verdict == expected[c.kind], (c, verdict)
    if land.minima:
        best = min(m.value for m in land.minima)
        assert land.f_min == best
        assert all(m.kind == "global minimum" for m in land.minima if m.value == best)
        assert land.minima[0].kind == "global minimum"
        # nothing sampled in the window beats the global minimum
        assert land.grid(101, 101)[2].min() >= best - 1e-12


def test_saddles_unbounded_below():
    for name in ("saddle", "monkey_saddle"):
        land = make_landscape(name)
        assert land.minima == ()
        assert math.isnan(land.f_min)
        assert land.log_scale is False
        (s,) = land.saddles
        assert (s.x, s.y, s.value, s.kind) == (0.0, 0.0, 0.0, "saddle")
    _, v = hessian_verdict(make_landscape("saddle").hessian([0.0, 0.0]))
    assert v == "saddle"
    eig, v = hessian_verdict(make_landscape("monkey_saddle").hessian([0.0, 0.0]))
    assert v == "degenerate"
    np.testing.assert_array_equal(eig, [0.0, 0.0])
    # closed forms away from the origin
    p = np.array([0.7, -1.3])
    assert float(make_landscape("saddle").value(p)) == pytest.approx(0.7**2 - 1.3**2, rel=1e-15)
    assert float(make_landscape("monkey_saddle").value(p)) == pytest.approx(
        0.7**3 - 3 * 0.7 * 1.69, rel=1e-15
    )


def test_ackley_origin_is_finite_and_exact():
    land = make_landscape("ackley")
    o = np.zeros(2)
    assert float(land.value(o)) == 0.0
    np.testing.assert_array_equal(land.grad(o), [0.0, 0.0])
    # the smooth cosine part's curvature, 2 pi^2 e, on the diagonal
    np.testing.assert_allclose(
        land.hessian(o), 2 * math.pi**2 * math.e * np.eye(2), rtol=1e-14, atol=1e-14
    )
    # just off the origin the cone's curvature is huge (like 1/r) but still a number
    near = np.array([[1e-300, 0.0], [1e-200, 3e-200]])
    assert np.all(np.isfinite(land.hessian(near)))
    assert np.all(np.linalg.eigvalsh(land.hessian(near[0])) > 0)
    # at a subnormal radius the true curvature exceeds float64: inf there, never nan
    h = land.hessian([0.0, -5e-310])
    assert h[0, 0] == np.inf and np.isfinite(h[0, 1]) and np.isfinite(h[1, 1])
    # just off the origin the cone's gradient has norm 20 * 0.2 / sqrt(2) = 2.828...
    for d in ((1.0, 0.0), (0.6, -0.8), (-1 / math.sqrt(2), 1 / math.sqrt(2))):
        g = land.grad(1e-12 * np.array(d))
        assert np.linalg.norm(g) == pytest.approx(4 / math.sqrt(2), rel=1e-6)
    # the textbook formula agrees elsewhere
    x, y = 1.3, -0.4
    textbook = (
        -20 * math.exp(-0.2 * math.sqrt(0.5 * (x * x + y * y)))
        - math.exp(0.5 * (math.cos(2 * math.pi * x) + math.cos(2 * math.pi * y)))
        + 20
        + math.e
    )
    assert float(land.value([x, y])) == pytest.approx(textbook, rel=1e-14)


def test_closed_forms_of_classic_functions_at_a_point():
    x, y = 0.37, -1.21
    want = {
        "rosenbrock": (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        "beale": (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
        "booth": (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
        "himmelblau": (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
        "rastrigin": 20
        + x * x
        - 10 * math.cos(2 * math.pi * x)
        + y * y
        - 10 * math.cos(2 * math.pi * y),
        "goldstein_price": (
            1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y)
        )
        * (
            30
            + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y)
        ),
        "six_hump_camel": (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
        "styblinski_tang": 0.5 * (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y),
    }
    for name, v in want.items():
        assert float(make_landscape(name).value([x, y])) == pytest.approx(v, rel=1e-13), name


# ----------------------------------------------------------------- ill-conditioned bowl


@pytest.mark.parametrize(("condition", "angle"), [(1.0, 0.0), (20.0, 30.0), (1e3, -75.0)])
def test_bowl_eigenvalues_and_rotation(condition, angle):
    land = make_landscape("bowl", condition=condition, angle=angle)
    H = land.hessian(np.array([0.3, -0.2]))
    eig, vec = np.linalg.eigh(H)
    assert eig[1] / eig[0] == pytest.approx(condition, rel=1e-12)
    t = math.radians(angle)
    shallow = np.array([math.cos(t), math.sin(t)])
    steep = np.array([-math.sin(t), math.cos(t)])
    if condition > 1:
        assert abs(vec[:, 0] @ shallow) == pytest.approx(1.0, abs=1e-12)
    # along each eigen-direction the value is the closed-form parabola
    for s in (0.5, -1.7):
        assert float(land.value(s * shallow)) == pytest.approx(0.5 * s * s, rel=1e-12)
        assert float(land.value(s * steep)) == pytest.approx(0.5 * condition * s * s, rel=1e-12)
    _, verdict = hessian_verdict(H)
    assert verdict == "minimum"


# -------------------------------------------------------------------------------- cliff


def test_cliff_shape_and_the_throw_clipping_prevents():
    land = make_landscape("cliff")
    height, k = 5.0, 200.0
    # ramp below the cliff slopes at 1, the plateau above at 0.2 back towards the edge
    assert land.grad([-3.0, 0.0])[0] == pytest.approx(-1.0, abs=1e-4)
    assert land.grad([1.5, 0.0])[0] == pytest.approx(0.2, abs=1e-4)
    assert float(land.value([1.5, 0.0]) - land.value([-1.5, 0.0])) == pytest.approx(
        height + 0.2 * 1.5 - 1.5, abs=1e-3
    )
    # the face: logistic slope height * k / 4 at its centre, plus the floor's -0.4 there
    g_face = land.grad([0.0, 0.0])
    assert g_face[0] == pytest.approx(height * k / 4 - 0.4, rel=1e-12)
    ratio = np.linalg.norm(g_face) / np.linalg.norm(land.grad([-3.0, 0.0]))
    assert ratio > 200
    lr = 0.05
    unclipped = lr * g_face
    norm = np.linalg.norm(g_face)
    clipped = lr * g_face * min(1.0, 1.0 / norm)
    assert np.linalg.norm(unclipped) > 10.0  # thrown out of a window 6 wide
    assert np.linalg.norm(clipped) == pytest.approx(lr)
    (m,) = land.minima
    assert -0.1 < m.x < 0.0 and m.y == 0.0
    # only one basin: on y = 0 the slope is negative left of the foot, positive right of it
    xs = np.linspace(-4, 2, 20001)
    gx = land.grad(np.column_stack([xs, np.zeros_like(xs)]))[:, 0]
    assert np.all(gx[xs < m.x - 1e-9] < 0) and np.all(gx[xs > m.x + 1e-9] > 0)


# ---------------------------------------------------------------------------- regression


def _direct_loss(x, y, w, b):
    r = w * x + b - y
    return np.mean(r * r)


def test_regression_least_squares_matches_lstsq_and_is_stationary():
    land = make_landscape("regression", n=57, noise=0.8, true_w=-1.5, true_b=0.7, seed=3)
    x, y = land.x, land.y
    assert x.shape == y.shape == (57,)
    (w, b), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    ls = land.least_squares
    assert isinstance(ls, CriticalPoint)
    assert ls.x == pytest.approx(w, rel=1e-12, abs=1e-13)
    assert ls.y == pytest.approx(b, rel=1e-12, abs=1e-13)
    assert ls.value == pytest.approx(_direct_loss(x, y, w, b), rel=1e-12)
    assert land.minima == (ls,) and land.f_min == ls.value
    # gradient from the definition, not from the landscape, vanishes there
    r = ls.x * x + ls.y - y
    assert abs(2 * np.mean(r * x)) < 1e-14 and abs(2 * np.mean(r)) < 1e-14
    assert np.abs(land.grad(ls.point)).max() < 1e-14
    tp = land.true_point
    assert (tp.x, tp.y) == (-1.5, 0.7)
    assert tp.value == pytest.approx(_direct_loss(x, y, -1.5, 0.7), rel=1e-12)
    assert ls.value <= tp.value
    assert "noise" in land.description and "true line" in land.description
    assert land.stochastic is True
    assert all(not make_landscape(n).stochastic for n in LANDSCAPES if n != "regression")


def test_regression_surface_equals_direct_mean_squared_error():
    land = make_landscape("regression", n=40, noise=0.3, seed=5)
    x, y = land.x, land.y
    p = _points(land, 30, seed=9)
    want = np.array([_direct_loss(x, y, w, b) for w, b in p])
    np.testing.assert_allclose(land.value(p), want, rtol=1e-12)
    want_g = np.array(
        [[2 * np.mean((w * x + b - y) * x), 2 * np.mean(w * x + b - y)] for w, b in p]
    )
    np.testing.assert_allclose(land.grad(p), want_g, rtol=1e-11, atol=1e-13)
    want_h = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    np.testing.assert_allclose(land.hessian(p), np.broadcast_to(want_h, (30, 2, 2)), rtol=1e-13)


def test_regression_batches():
    land = make_landscape("regression", n=25, seed=2)
    n = 25
    rng = np.random.default_rng(0)
    p = rng.normal(size=(4, 2)) * 2
    every = np.tile(np.arange(n), (4, 1))
    np.testing.assert_allclose(land.batch_grad(p, every), land.grad(p), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(land.batch_value(p, every), land.value(p), rtol=1e-12)
    # the mean over all batches of size 1 is the full gradient (unbiasedness)
    q = np.array([0.4, -2.2])
    singles = land.batch_grad(np.tile(q, (n, 1)), np.arange(n)[:, None])
    np.testing.assert_allclose(singles.mean(axis=0), land.grad(q), rtol=1e-12, atol=1e-14)
    # each row uses its own data rows: compare one against the definition
    idx = rng.integers(0, n, size=(4, 6))
    bg = land.batch_grad(p, idx)
    bv = land.batch_value(p, idx)
    for r in range(4):
        xb, yb = land.x[idx[r]], land.y[idx[r]]
        res = p[r, 0] * xb + p[r, 1] - yb
        assert bv[r] == pytest.approx(np.mean(res**2), rel=1e-13)
        np.testing.assert_allclose(bg[r], [2 * np.mean(res * xb), 2 * np.mean(res)], rtol=1e-12)
    # batch gradient matches differences of the batch value
    h = 1e-6
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    fd = np.column_stack(
        [
            (land.batch_value(p + ex, idx) - land.batch_value(p - ex, idx)) / (2 * h),
            (land.batch_value(p + ey, idx) - land.batch_value(p - ey, idx)) / (2 * h),
        ]
    )
    np.testing.assert_allclose(bg, fd, rtol=1e-6, atol=1e-7)
    for bad, what in (
        (np.zeros((3, 2), dtype=int), "shape"),
        (np.zeros((4, 0), dtype=int), "shape"),
        (np.full((4, 2), 0.5), "integers"),
        (np.full((4, 2), n), r"\[0, 25\)"),
        (np.full((4, 2), -1), r"\[0, 25\)"),
    ):
        with pytest.raises(ValueError, match=what):
            land.batch_grad(p, bad)


def test_regression_data_seeded_and_read_only():
    a = make_landscape("regression", seed=4)
    b = make_landscape("regression", seed=4)
    c = make_landscape("regression", seed=5)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x) and not np.array_equal(a.y, c.y)
    # the documented recipe: uniform x in [-1, 1), then N(0, 1) noise
    rng = np.random.default_rng(4)
    x = rng.uniform(-1.0, 1.0, 100)
    y = 2.0 * x - 1.0 + 0.5 * rng.standard_normal(100)
    np.testing.assert_array_equal(a.x, x)
    np.testing.assert_array_equal(a.y, y)
    with pytest.raises(ValueError):
        a.x[0] = 1.0
    with pytest.raises(ValueError):
        a.y[0] = 1.0
    # zero noise: the true line is the least-squares fit, loss 0
    z = make_landscape("regression", noise=0.0, true_w=0.5, true_b=0.25)
    assert z.least_squares.x == pytest.approx(0.5, abs=1e-14)
    assert z.least_squares.y == pytest.approx(0.25, abs=1e-14)
    assert z.least_squares.value < 1e-28
    xmin, xmax, ymin, ymax = a.window
    for pt in (a.least_squares, a.true_point):
        assert xmin < pt.x < xmax and ymin < pt.y < ymax


# ------------------------------------------------------------------- registry and API


def test_registry_order_and_specs():
    names = list(LANDSCAPES)
    assert names[0] == "rosenbrock"
    assert [s.name for s in list_landscapes()] == names
    required = {
        "rosenbrock", "beale", "booth", "himmelblau", "rastrigin", "ackley",
        "goldstein_price", "six_hump_camel", "styblinski_tang", "saddle", "monkey_saddle",
        "bowl", "cliff", "regression",
    }  # fmt: skip
    assert required <= set(names)
    for spec in list_landscapes():
        land = make_landscape(spec.name)
        assert land.name == spec.name and land.title == spec.title
        assert spec.description == land.description and 20 < len(land.description) < 600
        assert land.params == {p.name: p.default for p in spec.params}
        json.dumps(land.params)
        assert len(land.window) == 4 and len(land.start) == 2
        assert isinstance(land.log_scale, bool)
        assert all(isinstance(c, CriticalPoint) for c in land.minima + land.saddles)
    assert [p.name for p in LANDSCAPES["rosenbrock"].params] == ["a", "b"]
    bowl = {p.name: p for p in LANDSCAPES["bowl"].params}
    assert bowl["condition"].min == 1.0 and bowl["condition"].log
    assert "angle" in bowl
    assert [p.name for p in LANDSCAPES["regression"].params] == [
        "n", "noise", "true_w", "true_b", "seed",
    ]  # fmt: skip


def test_make_landscape_names_and_parameters():
    assert make_landscape("ROSENBROCK").name == "rosenbrock"
    assert make_landscape(" Six_Hump_Camel ").name == "six_hump_camel"
    land = make_landscape("rosenbrock", a="1.5", b=10)
    assert land.params == {"a": 1.5, "b": 10.0}
    assert land.minima[0].point.tolist() == [1.5, 2.25]
    with pytest.raises(ValueError, match=r"unknown landscape 'nope'.*rosenbrock"):
        make_landscape("nope")
    with pytest.raises(ValueError, match="unknown parameter 'c'"):
        make_landscape("rosenbrock", c=1)
    with pytest.raises(ValueError, match="condition"):
        make_landscape("bowl", condition=0.5)
    with pytest.raises(ValueError, match="b must be"):
        make_landscape("rosenbrock", b=0)
    with pytest.raises(ValueError, match="n must be"):
        make_landscape("regression", n=1)
    with pytest.raises(ValueError, match="noise"):
        make_landscape("regression", noise=-1)
    with pytest.raises(ValueError, match="seed"):
        make_landscape("regression", seed=1.5)


def test_landscapes_are_immutable():
    land = make_landscape("bowl")
    with pytest.raises(AttributeError):
        land.name = "x"
    with pytest.raises(AttributeError):
        land.start = (0.0, 0.0)
    with pytest.raises(AttributeError):
        del land.window
    p = land.params
    p["condition"] = 1e6
    assert land.params["condition"] == 20.0
    with pytest.raises(AttributeError):
        land.minima[0].x = 1.0  # frozen dataclass


def test_grid_orientation_and_validation():
    land = make_landscape("rosenbrock")
    xs, ys, Z = land.grid(7, 5, window=(-1.0, 2.0, 0.0, 4.0))
    assert xs.shape == (7,) and ys.shape == (5,) and Z.shape == (5, 7)
    np.testing.assert_array_equal(xs, np.linspace(-1, 2, 7))
    np.testing.assert_array_equal(ys, np.linspace(0, 4, 5))
    for j in range(5):
        for i in range(7):
            x, y = xs[i], ys[j]
            assert Z[j, i] == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=1e-14)
    assert land.grid(3, 3)[0][0] == land.window[0]
    for bad in ((1, 5), (5, 0), (2.5, 3)):
        with pytest.raises(ValueError, match=r"n[xy]"):
            land.grid(*bad)
    with pytest.raises(ValueError, match="window"):
        land.grid(3, 3, window=(1.0, 0.0, 0.0, 1.0))


def test_hessian_verdict_by_hand():
    eig, v = hessian_verdict(np.array([[2.0, 1.0], [1.0, 2.0]]))
    np.testing.assert_allclose(eig, [1.0, 3.0])
    assert v == "minimum"
    assert hessian_verdict(-np.eye(2))[1] == "maximum"
    assert hessian_verdict(np.array([[0.0, 1.0], [1.0, 0.0]]))[1] == "saddle"
    assert hessian_verdict(np.zeros((2, 2)))[1] == "degenerate"
    assert hessian_verdict(np.diag([5.0, 1e-12]))[1] == "degenerate"
    assert hessian_verdict(np.diag([5.0, 1e-12]), tol=1e-14)[1] == "minimum"
    eig, v = hessian_verdict(np.array([[np.inf, 0.0], [0.0, 1.0]]))
    assert v == "degenerate" and np.all(np.isnan(eig))
    with pytest.raises(ValueError, match="shape"):
        hessian_verdict(np.eye(3))


def test_nearest_minimum():
    land = make_landscape("himmelblau")
    m, d = nearest_minimum(land, np.array([3.5, -1.5]))
    assert (round(m.x, 6), round(m.y, 6)) == (3.584428, -1.848127)
    assert d == pytest.approx(math.hypot(3.5 - m.x, -1.5 - m.y), rel=1e-15)
    m, d = nearest_minimum(land, np.array([3.0, 2.0]))
    assert (m.x, m.y, d) == (3.0, 2.0, 0.0)
    assert nearest_minimum(make_landscape("saddle"), np.zeros(2))[0] is None
    assert math.isnan(nearest_minimum(make_landscape("saddle"), np.zeros(2))[1])
    assert nearest_minimum(land, np.array([np.nan, 0.0])) == (None, math.inf)
    with pytest.raises(ValueError, match="shape"):
        nearest_minimum(land, np.zeros(3))


def test_module_exports():
    assert set(L.__all__) >= {
        "CriticalPoint", "Landscape", "LandscapeSpec", "LANDSCAPES", "list_landscapes",
        "make_landscape", "hessian_verdict", "nearest_minimum",
    }  # fmt: skip
