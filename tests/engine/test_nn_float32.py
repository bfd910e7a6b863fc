"""float32 arithmetic: the training option (``Comparison(precision="float32")``) and the
display-only snapshot parts, checked against the float64 path (itself checked against finite
differences and PyTorch float64) and, where installed, PyTorch float32."""

import math

import numpy as np
import pytest

import engine.nn.training as training
from engine.datasets import TaskConfig
from engine.nn.losses import MeanSquaredError, SoftmaxCrossEntropy
from engine.nn.mlp import MLP, MLPConfig
from engine.nn.stats import histogram
from engine.nn.training import FLOAT32_RTOL, PRECISIONS, Comparison, TrainConfig

TASK = TaskConfig("moons", n=200, noise=0.1)


def _net(bn="off", act="tanh"):
    cfg = MLPConfig(
        input_size=2,
        hidden=(32, 32, 32),
        output_size=3,
        activation=act,
        batchnorm=bn,
        bias_init=0.05,
    )
    net = MLP(cfg)
    flat = np.zeros((1, net.n_params))
    net.init_params(np.random.default_rng(0), flat)
    return net, flat


def _grads(net, flat, x, y, loss_fn, dtype):
    g = np.zeros(flat.shape, dtype)
    loss, state = net.loss_and_grads(
        x.astype(dtype),
        y if y.dtype.kind == "i" else y.astype(dtype),
        loss_fn,
        net.bind(flat.astype(dtype)),
        net.init_state(),
        net.bind(g),
    )
    return loss, g, state


def _close(a, b, rtol):
    """Entries agree to ``rtol`` relative to the largest magnitude of ``b``."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * np.abs(b).max())


@pytest.mark.parametrize("bn", ["off", "before", "after"])
@pytest.mark.parametrize("act", ["relu", "tanh", "gelu"])
@pytest.mark.parametrize("loss_name", ["ce", "mse"])
def test_float32_pass_matches_float64_to_the_documented_tolerance(bn, act, loss_name):
    net, flat = _net(bn, act)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 2))
    if loss_name == "ce":
        loss_fn, y = SoftmaxCrossEntropy(), rng.integers(0, 3, 64)
    else:
        loss_fn, y = MeanSquaredError(), rng.normal(size=(64, 3))
    l64, g64, s64 = _grads(net, flat, x, y, loss_fn, np.float64)
    l32, g32, s32 = _grads(net, flat, x, y, loss_fn, np.float32)
    assert g32.dtype == np.float32
    assert l32 == pytest.approx(l64, rel=FLOAT32_RTOL)
    _close(g32, g64, FLOAT32_RTOL)
    for k in s64:
        assert s32[k].dtype == np.float64  # running statistics stay float64 state
        _close(s32[k], s64[k], FLOAT32_RTOL)
    # and float32 is not float64 in disguise: it does differ beyond float64 rounding
    assert np.abs(g32 - g64).max() > 1e-12 * np.abs(g64).max()


def test_workspace_is_reused_without_leaking_between_batches_and_dtypes():
    net, flat = _net("before", "relu")
    rng = np.random.default_rng(4)
    xa, xb = rng.normal(size=(16, 2)), rng.normal(size=(40, 2))
    ya, yb = rng.integers(0, 3, 16), rng.integers(0, 3, 40)
    ce = SoftmaxCrossEntropy()
    first = _grads(net, flat, xa, ya, ce, np.float64)
    _grads(net, flat, xb, yb, ce, np.float64)
    _grads(net, flat, xb, yb, ce, np.float32)
    again = _grads(net, flat, xa, ya, ce, np.float64)
    assert first[0] == again[0] and np.array_equal(first[1], again[1])
    assert len(net._work) == 3  # one workspace per (batch size, dtype)


def test_precision_is_validated():
    with pytest.raises(ValueError, match="precision must be one of float64, float32"):
        Comparison(TASK, [TrainConfig("a")], precision="float16")
    assert set(PRECISIONS) == {"float64", "float32"}


def test_float32_comparison_trains_like_float64_and_keeps_float64_master_weights():
    cfg = TrainConfig("a", MLPConfig(hidden=(16, 16)), batch_size=32)
    c64 = Comparison(TASK, [cfg])
    c32 = Comparison(TASK, [cfg], precision="float32")
    c64.step(5)
    c32.step(5)
    p64, p32 = c64.column_params(0), c32.column_params(0)
    for k in p64:
        assert p32[k].dtype == np.float64
        # five Adam steps of lr 1e-3 from the same start: weights within a step's size
        np.testing.assert_allclose(p32[k], p64[k], rtol=0, atol=5e-3 * 1e-2)
    s64, s32 = c64.snapshot().columns[0], c32.snapshot().columns[0]
    assert s32.train_loss == pytest.approx(s64.train_loss, rel=1e-3)
    assert s32.step == 5 and s32.status == "running"


def test_display_parts_in_float32_agree_with_float64(monkeypatch):
    cfg = TrainConfig("a", MLPConfig(hidden=(24, 24, 24), activation="tanh"), batch_size=32)
    snaps = {}
    for dt in (np.float64, np.float32):
        monkeypatch.setattr(training, "DISPLAY_DTYPE", dt)
        c = Comparison(TASK, [cfg], grid_size=16)
        c.step(7)
        snaps[dt] = c.snapshot().columns[0]
    a, b = snaps[np.float32], snaps[np.float64]
    assert a.boundary.dtype == np.float32 and b.boundary.dtype == np.float64
    np.testing.assert_allclose(a.boundary, b.boundary, rtol=0, atol=1e-5)
    assert a.train_loss == b.train_loss  # losses stay in the training precision
    assert a.grad_norm == pytest.approx(b.grad_norm, rel=FLOAT32_RTOL)
    for la, lb in zip(a.layers, b.layers, strict=True):
        for f in ("act_mean", "pre_mean"):
            assert getattr(la, f) == pytest.approx(getattr(lb, f), abs=FLOAT32_RTOL)
        for f in (
            "act_var",
            "pre_var",
            "grad_act_var",
            "grad_pre_var",
            "grad_w_var",
            "weight_norm",
            "update_ratio",
        ):
            assert getattr(la, f) == pytest.approx(getattr(lb, f), rel=FLOAT32_RTOL), f
        # an entry may change bin only if it lies within float32 rounding of an edge
        assert np.abs(la.hist - lb.hist).sum() <= 2 / (32 * 24)
        assert la.saturated_fraction == pytest.approx(
            lb.saturated_fraction, abs=2 / (32 * 24), nan_ok=True
        )


def test_float32_histogram_bins_like_float64_away_from_edges():
    rng = np.random.default_rng(8)
    edges = np.linspace(-2.0, 2.0, 21)
    v = rng.uniform(-3, 3, 5000)
    # keep values clear of the edges by more than float32 rounding
    v = v[np.min(np.abs(v[:, None] - edges[None, :]), axis=1) > 1e-5]
    v = np.concatenate([v, [np.nan, np.inf, -np.inf]])
    want = np.histogram(np.clip(np.nan_to_num(v, nan=-2.0), -2.0, 2.0), edges)[0] / v.size
    np.testing.assert_allclose(histogram(v.astype(np.float32), edges), want, rtol=0, atol=1e-15)
    np.testing.assert_allclose(histogram(v, edges), want, rtol=0, atol=1e-15)


def test_float32_step_matches_torch_float32():
    torch = pytest.importorskip("torch")
    net, flat = _net("before", "tanh")
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(64, 2)), rng.integers(0, 3, 64)
    loss, g, _ = _grads(net, flat, x, y, SoftmaxCrossEntropy(), np.float32)
    p = net.views(flat.astype(np.float32))
    sizes = net.sizes
    layers = []
    for i in range(1, len(sizes)):
        lin = torch.nn.Linear(sizes[i - 1], sizes[i])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(p[f"fc{i}.W"].T))
            lin.bias.copy_(torch.tensor(p[f"fc{i}.b"]))
        layers.append(lin)
        if i < len(sizes) - 1:
            layers += [torch.nn.BatchNorm1d(sizes[i]), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers).train()
    tl = torch.nn.functional.cross_entropy(
        model(torch.tensor(x, dtype=torch.float32)), torch.tensor(y)
    )
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=FLOAT32_RTOL)
    gv = net.views(g)
    lins = [m for m in model if isinstance(m, torch.nn.Linear)]
    # hidden biases before batch norm have a zero gradient in exact arithmetic (the
    # normalisation removes them), so everything is compared on the gradient's own scale
    scale = max(float(t.grad.abs().max()) for t in model.parameters())
    for i, lin in enumerate(lins, start=1):
        for mine, theirs in (
            (gv[f"fc{i}.W"], lin.weight.grad.numpy().T),
            (gv[f"fc{i}.b"], lin.bias.grad.numpy()),
        ):
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=FLOAT32_RTOL * scale)
    assert math.isfinite(loss)
