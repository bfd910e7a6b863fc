"""Hessian eigen-decomposition and stability thresholds against known quadratics."""

import numpy as np
import pytest

from engine.curvature import first_crossing, hessian_eigen, stability
from engine.optimizers import make_optimizer, with_schedule
from engine.schedules import make_schedule


def test_eigen_of_a_rotated_diagonal_hessian():
    theta = 0.3
    r = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    h = r @ np.diag([1.0, 20.0]) @ r.T
    values, vectors = hessian_eigen(np.stack([h, np.diag([3.0, -2.0]), np.eye(2)]))
    np.testing.assert_allclose(values[0], [1.0, 20.0], rtol=1e-13)
    np.testing.assert_allclose(values[1], [-2.0, 3.0], rtol=1e-13)
    np.testing.assert_allclose(values[2], [1.0, 1.0], rtol=1e-13)
    for i, hi in enumerate((h, np.diag([3.0, -2.0]))):
        for k in range(2):
            v = vectors[i, :, k]
            np.testing.assert_allclose(hi @ v, values[i, k] * v, atol=1e-12)
    # the top eigenvector of the rotated bowl is r's second column, up to sign
    assert abs(vectors[0, :, 1] @ r[:, 1]) == pytest.approx(1.0, rel=1e-13)


def _run(opt, h, p, steps):
    s = opt.init(p)
    for _ in range(steps):
        p, s = opt.update(np.einsum("ij,nj->ni", h, p), s, p)
    return p, s


def test_gd_threshold_is_two_over_lr_and_predicts_divergence():
    h = np.diag([1.0, 10.0])
    lrs = np.array([[0.19], [0.21]])  # 2/lr = 10.5 and 9.52 against lam = 10
    p, s = _run(make_optimizer("sgd", lr=lrs), h, np.ones((2, 2)), 200)
    st = stability("sgd", s, np.stack([h, h]))
    np.testing.assert_allclose(st.threshold, 2 / lrs[:, 0])
    assert st.kind == "gd" and list(st.unstable) == [False, True]
    assert np.abs(p[0]).max() < 1e-3 and np.abs(p[1]).max() > 1e3


def test_heavy_ball_threshold_and_nesterov():
    h = np.diag([1.0, 10.0])
    # (2 + 2 mu)/lr with mu = 0.5: lr 0.29 -> 10.3 (stable), lr 0.31 -> 9.7 (unstable)
    lrs = np.array([[0.29], [0.31]])
    p, s = _run(make_optimizer("momentum", lr=lrs, momentum=0.5), h, np.ones((2, 2)), 400)
    st = stability("momentum", s, np.stack([h, h]))
    np.testing.assert_allclose(st.threshold, 3.0 / lrs[:, 0])
    assert list(st.unstable) == [False, True]
    assert np.abs(p[0]).max() < 1e-3 and np.abs(p[1]).max() > 1e3
    # Nesterov: (2 + 2 mu) / (lr (1 + 2 mu)) = 3 / (2 lr): lr 0.14 -> 10.7, 0.16 -> 9.4
    lrs = np.array([[0.14], [0.16]])
    p, s = _run(make_optimizer("nesterov", lr=lrs, momentum=0.5), h, np.ones((2, 2)), 400)
    st = stability("nesterov", s, np.stack([h, h]))
    np.testing.assert_allclose(st.threshold, 1.5 / lrs[:, 0])
    assert list(st.unstable) == [False, True]
    assert np.abs(p[0]).max() < 1e-3 and np.abs(p[1]).max() > 1e3


def test_threshold_follows_the_schedule():
    opt = with_schedule(
        make_optimizer("sgd", lr=0.1), make_schedule("step", step_size=1, gamma=0.5)
    )
    _, s = _run(opt, np.eye(2), np.ones((1, 2)), 2)
    st = stability("sgd", s, np.eye(2)[None])
    assert st.threshold[0] == pytest.approx(2 / 0.025)


def test_adam_preconditioned_sharpness_by_hand():
    h = np.array([[4.0, 1.0], [1.0, 9.0]])
    opt = make_optimizer("adam", lr=0.01, betas=(0.9, 0.99), eps=0.0)
    p = np.array([[1.0, -1.0]])
    s = opt.init(p)
    gs = [np.array([[0.5, 2.0]]), np.array([[1.0, -1.0]])]
    for g in gs:
        p, s = opt.update(g, s, p)
    v = 0.01 * (0.99 * gs[0] ** 2 + gs[1] ** 2)
    v_hat = v / (1 - 0.99**2)
    pinv = np.diag(1 / np.sqrt(v_hat[0]))
    expected = max(np.linalg.eigvals(pinv @ h).real)
    st = stability("adam", s, h[None])
    assert st.kind == "preconditioned"
    assert st.sharpness[0] == pytest.approx(expected, rel=1e-12)
    assert st.threshold[0] == pytest.approx(38 / 0.01)


def test_undefined_threshold_is_nan_and_first_crossing():
    opt = make_optimizer("adagrad")
    s = opt.init(np.zeros((1, 2)))
    assert np.isnan(stability("adagrad", s, np.eye(2)[None]).threshold[0])
    sharp = np.array([[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]])
    thr = np.array([[2.5, 2.0], [2.5, 2.0], [2.5, 2.0]])
    assert list(first_crossing(sharp, thr)) == [2, -1]


def test_bad_hessian_shape():
    with pytest.raises(ValueError, match="shape"):
        hessian_eigen(np.eye(3)[None])


def test_race_reports_stability_and_explains_the_next_update():
    from engine.runs import Race, RaceConfig, RunConfig

    runs = (RunConfig("sgd", {"lr": 0.05}), RunConfig("sgd", {"lr": 0.12}), RunConfig("adam"))
    bowl = {"condition": 20.0, "angle": 0.0}
    race = Race(RaceConfig(landscape="bowl", landscape_params=bowl, runs=runs, start=(1.0, 1.0)))
    race.step(3)
    values, vectors, sharp, thr = race.stability()
    np.testing.assert_allclose(values, [[1.0, 20.0]] * 3)
    assert abs(vectors[0, 1, 1]) == pytest.approx(1.0)  # steep direction is y
    np.testing.assert_allclose(sharp[:2], 20.0)
    np.testing.assert_allclose(thr[:2], [2 / 0.05, 2 / 0.12])
    assert thr[2] == pytest.approx(38 / 1e-3)
    snap = race.snapshot()
    eq = race.explain(1)
    np.testing.assert_allclose(eq.term("step").value, -0.12 * snap.grads[1], rtol=1e-14)
    assert race.snapshot().step == snap.step  # explaining applies nothing
    np.testing.assert_array_equal(race.snapshot().positions, snap.positions)
