"""Sharpness by power iteration against Hessians built independently, and the LR range test."""

import math

import numpy as np
import pytest

from engine.nn.losses import MeanSquaredError
from engine.nn.lr_range import lr_range_test, network_range_test, sweep_lrs
from engine.nn.mlp import MLP, MLPConfig
from engine.nn.sharpness import network_sharpness, top_hessian_eigenvalue


def test_power_iteration_on_a_known_quadratic():
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 6)))
    eig = np.array([7.0, 3.0, 2.0, 1.0, 0.5, -1.0])
    a = q @ np.diag(eig) @ q.T
    res = top_hessian_eigenvalue(lambda w: a @ w, np.ones(6), iters=200, tol=1e-12)
    assert res.converged
    assert res.value == pytest.approx(7.0, rel=1e-9)
    assert abs(res.vector @ q[:, 0]) == pytest.approx(1.0, rel=1e-6)


def _linear_net_and_data(seed=0, n=40):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) * np.array([1.0, 3.0, 0.5])
    y = rng.normal(size=(n, 1))
    net = MLP(MLPConfig(input_size=3, output_size=1, hidden=()))
    flat = np.zeros((1, net.n_params))
    net.init_params(rng, flat)
    return net, x, y, flat


def test_linear_network_sharpness_equals_closed_form():
    # loss = mean((x W + b - y)^2): Hessian in (W, b) is (2/n) [x 1]^T [x 1], exactly
    net, x, y, flat = _linear_net_and_data()
    xa = np.hstack([x, np.ones((x.shape[0], 1))])
    exact = np.linalg.eigvalsh(2.0 / x.shape[0] * xa.T @ xa)[-1]
    res = network_sharpness(net, MeanSquaredError(), x, y, flat, net.init_state(), iters=300)
    assert res.value == pytest.approx(exact, rel=1e-7)


def test_sharpness_matches_torch_hessian_of_a_tanh_network():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    net = MLP(MLPConfig(input_size=2, output_size=1, hidden=(4,), activation="tanh"))
    flat = np.zeros((1, net.n_params))
    net.init_params(rng, flat)
    names = net.param_names
    shapes = {n: v.shape for n, v in net.views(flat).items()}
    xt, yt = torch.tensor(x), torch.tensor(y)

    def loss(w):
        parts, off = {}, 0
        for n in names:
            k = int(np.prod(shapes[n]))
            parts[n] = w[off : off + k].reshape(shapes[n])
            off += k
        h = torch.tanh(xt @ parts["fc1.W"] + parts["fc1.b"])
        return ((h @ parts["fc2.W"] + parts["fc2.b"] - yt) ** 2).mean()

    hess = torch.autograd.functional.hessian(loss, torch.tensor(flat[0])).numpy()
    eig = np.linalg.eigvalsh(hess)
    exact = eig[np.argmax(np.abs(eig))]
    res = network_sharpness(net, MeanSquaredError(), x, y, flat, net.init_state(), iters=500)
    assert res.value == pytest.approx(exact, rel=1e-5)


def test_sweep_is_exponential():
    lrs = sweep_lrs(1e-4, 1.0, 5)
    np.testing.assert_allclose(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=1e-12)
    with pytest.raises(ValueError, match="lr_min"):
        sweep_lrs(1.0, 0.1, 5)
    with pytest.raises(ValueError, match="n_steps"):
        sweep_lrs(1e-3, 1.0, 1)


def test_range_test_stops_past_two_over_curvature_and_suggests_below_it():
    lam = 10.0  # f(w) = 0.5 lam w^2: SGD diverges once lr > 2 / lam = 0.2

    def loss_and_grad(w, step):
        return 0.5 * lam * float(w @ w), lam * w

    res = lr_range_test(loss_and_grad, np.ones(1), lr_min=1e-4, lr_max=100.0, n_steps=200)
    assert res.diverged_at is not None
    assert res.lrs[-1] > 2 / lam
    assert res.suggested_lr < 2 / lam
    assert len(res.lrs) == len(res.losses) == len(res.smoothed)
    np.testing.assert_allclose(res.lrs, sweep_lrs(1e-4, 100.0, 200)[: len(res.lrs)])


def test_network_range_test_runs_and_is_seeded():
    net, x, y, flat = _linear_net_and_data(1, 64)
    kw = dict(batch_size=16, seed=3, lr_min=1e-4, lr_max=10.0, n_steps=60)
    a = network_range_test(net, MeanSquaredError(), x, y, flat, net.init_state(), **kw)
    b = network_range_test(net, MeanSquaredError(), x, y, flat, net.init_state(), **kw)
    assert np.array_equal(a.losses, b.losses)
    assert math.isfinite(a.suggested_lr) and a.lrs[0] <= a.suggested_lr <= a.lrs[-1]
