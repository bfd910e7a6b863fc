"""Range test of a live column, Muon spectra in frames, and the network sharpness limit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.curvature import momentum_threshold
from engine.datasets import TaskConfig
from engine.nn.lr_range import lr_range_test, valley_index
from engine.nn.mlp import MLPConfig
from engine.nn.muon import newton_schulz5
from engine.nn.paced import NetEngine
from engine.nn.range_job import column_range_test, column_setup, muon_spectra
from engine.nn.sharpness_track import column_limit
from engine.nn.training import Comparison, TrainConfig

TASK = TaskConfig("moons", n=60, seed=1)
MLP = MLPConfig(hidden=(8, 8))


def _comp(optimizer="sgd", **hyper):
    cfg = TrainConfig(mlp=MLP, optimizer=optimizer, hyper={"lr": 0.1, **hyper}, batch_size=16)
    return Comparison(TASK, [cfg])


def test_range_test_starts_from_the_columns_weights_and_leaves_them_alone():
    comp = _comp("momentum", momentum=0.9)
    comp.step(3)
    before = comp.column_params(0)
    res = column_range_test(comp, 0, seed=5, n_steps=20)
    after = comp.column_params(0)
    assert all(np.array_equal(before[k], after[k]) for k in before)
    # first recorded loss: the column's weights on the first seeded mini-batch, by hand
    net, loss, flat, state = column_setup(comp, 0)
    idx = np.random.default_rng(5).choice(comp.data.x_train.shape[0], size=16, replace=False)
    g = np.zeros((1, net.n_params))
    expect, _ = net.loss_and_grads(
        comp.data.x_train[idx], comp.data.y_train[idx], loss, net.bind(flat), state, net.bind(g)
    )
    assert res.losses[0] == pytest.approx(float(expect), rel=1e-12)
    assert res.lrs[0] == pytest.approx(1e-6) and len(res.lrs) <= 20


def test_range_test_refuses_muon_with_a_clear_message():
    comp = _comp("muon")
    with pytest.raises(ValueError, match="not available for muon"):
        column_range_test(comp, 0)


def test_suggestion_skips_the_ends_as_fastai():
    # smooth descent steepest at update 30 by symmetry, with steeper drops in the
    # first and the last two updates, which the skipped ends must hide
    k = np.arange(41)
    losses = 10.0 - np.tanh((k - 30) / 3.0)
    losses[0] = 100.0
    losses[-2:] = [5.0, 0.5]

    def loss_and_grad(p, i):
        return float(losses[i]), np.zeros_like(p)

    kw = dict(lr_min=1e-3, lr_max=1.0, n_steps=41, smoothing=0.0, diverge_factor=1e9)
    plain = lr_range_test(loss_and_grad, np.zeros((1, 2)), **kw)
    skipped = lr_range_test(loss_and_grad, np.zeros((1, 2)), skip_start=3, skip_end=3, **kw)
    assert plain.suggested_lr in (plain.lrs[0], plain.lrs[-1], plain.lrs[-2])
    assert skipped.suggested_lr == pytest.approx(plain.lrs[30], rel=1e-12)
    with pytest.raises(ValueError, match="skip_start"):
        lr_range_test(loss_and_grad, np.zeros((1, 2)), skip_start=-1, **kw)


def test_valley_is_fastais_rule_worked_by_hand():
    # longest strictly decreasing subsequence: 9 8 6 4 2 1 at indices 1..7 (skipping 7 at 4)
    losses = [5.0, 9.0, 8.0, 6.0, 7.0, 4.0, 2.0, 1.0, 3.0]
    # lds at index 7 is 6 (9 8 6 4 2 1): start = 7 - 6 = 1, s = 2, answer 1 + 2 + 1 = 4
    assert valley_index(np.array(losses)) == 4
    # fastai's start is one before the run: 2 - 3 = -1, s = 1: -1 + 1 + 0 = 0
    assert valley_index(np.array([3.0, 2.0, 1.0])) == 0
    assert valley_index(np.array([1.0, 2.0, 3.0])) == 0  # no descent: the first point


@pytest.mark.parametrize(("mu", "nesterov"), [(0.0, False), (0.9, False), (0.5, True)])
def test_momentum_threshold_is_the_edge_of_a_quadratic(mu, nesterov):
    """Heavy ball / Nesterov (PyTorch form) on f = lam x^2 / 2: stable just below the
    threshold, divergent just above (independent simulation)."""
    lr = 0.1
    limit = float(momentum_threshold(lr, mu, nesterov))

    def grows(lam):
        x, v = 1.0, 0.0
        for _ in range(4000):
            g = lam * x
            v = mu * v + g
            x -= lr * (g + mu * v if nesterov else v)
            if abs(x) > 1e6:
                return True
        return False

    assert not grows(0.98 * limit)
    assert grows(1.02 * limit)


def test_network_limit_follows_the_optimizer():
    assert column_limit(_comp("sgd"), 0, 0.1) == (pytest.approx(20.0), "gd")
    assert column_limit(_comp("momentum", momentum=0.9), 0, 0.1) == (
        pytest.approx(38.0),
        "heavy_ball",
    )
    lim, rule = column_limit(_comp("nesterov", momentum=0.9), 0, 0.1)
    assert rule == "nesterov" and lim == pytest.approx(3.8 / (0.1 * 2.8))
    assert column_limit(_comp("adam"), 0, 0.1) == (pytest.approx(20.0), "adaptive")
    assert column_limit(_comp("sgd"), 0, 0.0)[0] == math.inf


def test_paced_frames_carry_the_momentum_limit_and_muon_spectra():
    cols = [
        TrainConfig(mlp=MLP, optimizer="momentum", hyper={"lr": 0.05, "momentum": 0.9}),
        TrainConfig(mlp=MLP, optimizer="muon", hyper={"lr": 0.02, "nesterov": False}),
    ]
    eng = NetEngine(TASK, cols)
    eng.set_sharpness_every(1)
    eng.step(2)
    frame = eng.snapshot()
    assert frame.sharpness[0].limits[-1] == pytest.approx(3.8 / 0.05)
    assert frame.sharpness[0].rule == "heavy_ball"
    assert frame.spectra[0] == ()
    spectra = frame.spectra[1]
    state = eng.comps[1].optimizer_state(0)
    assert [s.name for s in spectra] == list(state.momentum_buffers)
    for s in spectra:
        m = state.momentum_buffers[s.name]  # without Nesterov the update is the buffer
        assert np.allclose(s.before, np.linalg.svd(m, compute_uv=False), rtol=1e-12)
        scale = math.sqrt(max(1.0, m.shape[1] / m.shape[0]))
        ns = np.linalg.svd(newton_schulz5(m), compute_uv=False) * scale
        assert np.allclose(s.after, ns, rtol=1e-10)
        assert not s.before.flags.writeable
    assert muon_spectra(eng.comps[0].optimizer_state(0)) == ()
    res = eng.range_test(0, seed=3)
    assert np.array_equal(res.lrs, column_range_test(eng.comps[0], 0, seed=3).lrs)
    with pytest.raises(ValueError, match="no column 3"):
        eng.range_test(2)
