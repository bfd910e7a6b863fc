"""Batch norm against PyTorch's documented BatchNorm1d rules, written out by hand.

Training: y = gamma (x - mean_B) / sqrt(var_B + eps) + beta with the biased batch variance;
running_mean <- (1 - m) running_mean + m mean_B, running_var <- (1 - m) running_var +
m var_B * n / (n - 1) (unbiased); evaluation: the running statistics instead. m = 0.1,
eps = 1e-5, running statistics start at 0 and 1.
"""

import math
import statistics

import numpy as np
import pytest

from engine.nn.batchnorm import BatchNorm, batchnorm_backward, batchnorm_forward

X1 = [[1.0, -2.0], [2.0, 0.5], [4.0, 3.0], [-1.0, 1.5]]
X2 = [[0.5, 1.0], [3.0, -1.0], [2.5, 2.0]]
GAMMA = [1.5, -0.5]
BETA = [0.25, 2.0]


def _by_hand_train(x, gamma, beta, eps=1e-5):
    cols = list(zip(*x, strict=False))
    out = [[0.0] * len(cols) for _ in x]
    for j, col in enumerate(cols):
        mu = statistics.fmean(col)
        var = statistics.pvariance(col)
        for i, v in enumerate(col):
            out[i][j] = gamma[j] * (v - mu) / math.sqrt(var + eps) + beta[j]
    return out


def test_training_output_and_running_statistics_by_hand():
    bn = BatchNorm(2)
    params = {"gamma": np.array(GAMMA), "beta": np.array(BETA)}
    state = bn.init_state()
    assert state["running_mean"].tolist() == [0.0, 0.0]
    assert state["running_var"].tolist() == [1.0, 1.0]
    y1, _, state = bn.forward(np.array(X1), params, True, state)
    np.testing.assert_allclose(y1, _by_hand_train(X1, GAMMA, BETA), rtol=1e-14)
    y2, _, state = bn.forward(np.array(X2), params, True, state)
    np.testing.assert_allclose(y2, _by_hand_train(X2, GAMMA, BETA), rtol=1e-14)
    for j in range(2):
        c1 = [r[j] for r in X1]
        c2 = [r[j] for r in X2]
        rm = 0.9 * (0.9 * 0.0 + 0.1 * statistics.fmean(c1)) + 0.1 * statistics.fmean(c2)
        rv = 0.9 * (0.9 * 1.0 + 0.1 * statistics.variance(c1)) + 0.1 * statistics.variance(c2)
        assert state["running_mean"][j] == pytest.approx(rm, rel=1e-15)
        assert state["running_var"][j] == pytest.approx(rv, rel=1e-15)
    # evaluation: the running statistics, state unchanged
    x = np.array([[0.0, 0.0], [10.0, -3.0]])
    y, _, state2 = bn.forward(x, params, False, state)
    assert state2 is state or all(state2[k] is state[k] for k in state)
    for i in range(2):
        for j in range(2):
            want = (
                GAMMA[j]
                * (x[i, j] - state["running_mean"][j])
                / math.sqrt(state["running_var"][j] + 1e-5)
                + BETA[j]
            )
            assert y[i, j] == pytest.approx(want, rel=1e-14)


def test_forward_never_mutates_its_inputs():
    rm, rv = np.zeros(2), np.ones(2)
    x = np.array(X1)
    batchnorm_forward(x, np.ones(2), np.zeros(2), rm, rv, True)
    assert rm.tolist() == [0.0, 0.0] and rv.tolist() == [1.0, 1.0]
    assert x.tolist() == X1


def test_batch_of_one_is_rejected_in_training():
    with pytest.raises(ValueError, match="batch of at least 2"):
        batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), True)


def _num_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


@pytest.mark.parametrize("train", [True, False])
def test_backward_matches_finite_differences(train):
    rng = np.random.default_rng(7)
    x = rng.normal(1.0, 2.0, (6, 3))
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    rm, rv = rng.normal(size=3), rng.uniform(0.5, 2.0, 3)
    dy = rng.normal(size=x.shape)

    def f():
        return float(np.sum(batchnorm_forward(x, gamma, beta, rm, rv, train)[0] * dy))

    _, cache, _ = batchnorm_forward(x, gamma, beta, rm, rv, train)
    dx, dg, db = batchnorm_backward(dy, cache)
    np.testing.assert_allclose(dx, _num_grad(f, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dg, _num_grad(f, gamma), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, _num_grad(f, beta), rtol=1e-6, atol=1e-8)


def test_matches_torch_batchnorm1d():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    m = torch.nn.BatchNorm1d(4, dtype=torch.float64)
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    with torch.no_grad():
        m.weight.copy_(torch.tensor(gamma))
        m.bias.copy_(torch.tensor(beta))
    bn = BatchNorm(4)
    params = {"gamma": gamma, "beta": beta}
    state = bn.init_state()
    m.train()
    for _ in range(3):
        x = rng.normal(2.0, 3.0, (5, 4))
        dy = rng.normal(size=x.shape)
        tx = torch.tensor(x, requires_grad=True)
        ty = m(tx)
        (ty * torch.tensor(dy)).sum().backward()
        y, cache, state = bn.forward(x, params, True, state)
        dx, grads = bn.backward(dy, cache)
        np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(grads["gamma"], m.weight.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(grads["beta"], m.bias.grad.numpy(), rtol=1e-12)
        m.weight.grad = None
        m.bias.grad = None
        np.testing.assert_allclose(state["running_mean"], m.running_mean.numpy(), rtol=1e-14)
        np.testing.assert_allclose(state["running_var"], m.running_var.numpy(), rtol=1e-14)
    m.eval()
    x = rng.normal(size=(3, 4))
    y, _, _ = bn.forward(x, params, False, state)
    np.testing.assert_allclose(y, m(torch.tensor(x)).detach().numpy(), rtol=1e-13)
