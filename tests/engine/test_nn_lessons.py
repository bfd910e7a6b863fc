"""The classroom lessons about initialisation and batch norm hold, seeded and deterministic.

Each test is the step-0 "initialisation experiment" or a short training run on the
two-spirals data, checked against what the theory says must happen.
"""

import itertools

import numpy as np
import pytest

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.training import Comparison, TrainConfig

SPIRALS = TaskConfig("spirals", n=400, noise=0.1)


def _init_stats(mlp, task=SPIRALS):
    comp = Comparison(task, [TrainConfig("x", mlp)])
    return comp.snapshot(boundary=False).columns[0].layers


@pytest.mark.parametrize(("init", "params"), [("zeros", {}), ("constant", {"value": 0.1})])
def test_symmetric_init_keeps_hidden_units_identical_after_training(init, params):
    mlp = MLPConfig(hidden=(16, 16), activation="tanh", init=init, init_params=params)
    comp = Comparison(SPIRALS, [TrainConfig("sym", mlp, hyper={"lr": 0.01})])
    comp.step(200)
    p = comp.column_params(0)
    for k in (1, 2):
        W, b = p[f"fc{k}.W"], p[f"fc{k}.b"]
        # every unit (column of W) equals the first one
        assert np.allclose(W, W[:, :1], rtol=1e-12, atol=1e-15), k
        assert np.allclose(b, b[0], rtol=1e-12, atol=1e-15), k
    # the output layer did learn something (only its bias for zeros)
    assert np.any(p["fc3.b"] != 0.0)
    if init == "constant":
        assert not np.allclose(p["fc1.W"], 0.1)  # the units moved, in lockstep
    layers = comp.snapshot(boundary=False).columns[0].layers
    assert layers[0].width == 16


def test_deep_tanh_with_unit_normal_weights_saturates():
    layers = _init_stats(
        MLPConfig(hidden=(64,) * 10, activation="tanh", init="normal", init_params={"std": 1.0})
    )
    # layer 1 sees 2 inputs; from layer 3 on most activations sit on the flat tails
    for layer in layers[2:10]:
        assert layer.saturated_fraction > 0.6, layer.name
    assert np.mean([layer.saturated_fraction for layer in layers[:10]]) > 0.5


def test_deep_tanh_with_xavier_keeps_activation_variance_within_a_factor_of_two():
    layers = _init_stats(MLPConfig(hidden=(64,) * 10, activation="tanh", init="xavier_normal"))
    v = [layer.act_var for layer in layers[:10]]
    assert max(v) / min(v) < 2.0
    assert all(layer.saturated_fraction == 0.0 for layer in layers[:10])


def test_he_keeps_deep_relu_variance_while_small_normal_makes_it_vanish():
    he = _init_stats(MLPConfig(hidden=(128,) * 10, activation="relu", init="he_normal"))
    pre = [layer.pre_var for layer in he[:10]]
    assert max(pre) / min(pre) < 2.0
    small = _init_stats(
        MLPConfig(hidden=(128,) * 10, activation="relu", init="normal", init_params={"std": 0.01})
    )
    v = [layer.act_var for layer in small[:10]]
    # each layer multiplies the variance by 128 * 1e-4 / 2 = 0.0064
    assert all(b < 0.02 * a for a, b in itertools.pairwise(v))
    assert v[9] < 1e-18 * v[0]
    # the backward pass vanishes the same way towards the input
    g = [layer.grad_act_var for layer in small[:10]]
    assert g[0] < 1e-15 * g[9]


def test_batch_norm_trains_where_the_plain_net_diverges():
    cols = [
        TrainConfig(
            bn,
            MLPConfig(hidden=(64,) * 6, batchnorm=bn),
            optimizer="sgd",
            hyper={"lr": 1.0},
            batch_size=64,
        )
        for bn in ("off", "before")
    ]
    comp = Comparison(SPIRALS, cols)
    start = comp.snapshot(boundary=False).columns[1].train_loss
    comp.step(200)
    plain, normed = comp.snapshot(boundary=False).columns
    assert plain.status == "diverged" and plain.diverged_at is not None
    assert plain.step == plain.diverged_at < 200
    assert normed.status == "running" and normed.step == 200
    assert np.isfinite(normed.train_loss) and normed.train_loss < 0.5 * start
    assert normed.train_acc > 0.8
