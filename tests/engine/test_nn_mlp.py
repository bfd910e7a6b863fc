"""The MLP: parameter layout, forward composition, and backward against finite differences."""

import numpy as np
import pytest

from engine.nn.activations import get_activation
from engine.nn.batchnorm import batchnorm_forward
from engine.nn.losses import MeanSquaredError, SoftmaxCrossEntropy
from engine.nn.mlp import MLP, MLPConfig


def _net(bn="off", act="tanh", **kw):
    cfg = MLPConfig(
        input_size=3,
        hidden=(5, 4),
        output_size=3,
        activation=act,
        init="xavier_normal",
        batchnorm=bn,
        bias_init=0.1,
        **kw,
    )
    net = MLP(cfg)
    params = net.init_params(np.random.default_rng(0))
    # random BN parameters and running statistics so nothing is trivially 1 or 0
    rng = np.random.default_rng(1)
    for k in params:
        if k.startswith("bn"):
            params[k][...] = rng.normal(size=params[k].shape)
    state = {
        k: (rng.normal(size=v.shape) if "mean" in k else rng.uniform(0.5, 2, v.shape))
        for k, v in net.init_state().items()
    }
    return net, params, state


def test_names_shapes_and_one_flat_buffer():
    net, params, state = _net("before")
    assert net.param_names == (
        "fc1.W",
        "fc1.b",
        "bn1.gamma",
        "bn1.beta",
        "fc2.W",
        "fc2.b",
        "bn2.gamma",
        "bn2.beta",
        "fc3.W",
        "fc3.b",
    )
    assert params["fc1.W"].shape == (3, 5) and params["fc3.W"].shape == (4, 3)
    assert set(state) == {
        "bn1.running_mean",
        "bn1.running_var",
        "bn2.running_mean",
        "bn2.running_var",
    }
    assert net.n_params == 3 * 5 + 5 + 10 + 5 * 4 + 4 + 8 + 4 * 3 + 3
    flat, views = net.allocate()
    assert flat.shape == (1, net.n_params)
    views["fc2.b"][...] = 7.0
    assert np.count_nonzero(flat) == 4
    assert all(np.shares_memory(v, flat) for v in views.values())


def test_init_params_uses_bias_and_bn_defaults():
    cfg = MLPConfig(input_size=2, hidden=(8,), output_size=2, batchnorm="after", bias_init=0.5)
    net = MLP(cfg)
    p = net.init_params(np.random.default_rng(0))
    assert np.all(p["fc1.b"] == 0.5) and np.all(p["fc2.b"] == 0.5)
    assert np.all(p["bn1.gamma"] == 1.0) and np.all(p["bn1.beta"] == 0.0)
    st = net.init_state()
    assert np.all(st["bn1.running_mean"] == 0) and np.all(st["bn1.running_var"] == 1)
    again = net.init_params(np.random.default_rng(0))
    assert all(np.array_equal(p[k], again[k]) for k in p)


def _manual_forward(net, params, state, x, train, start=0, h=None, skip_first_bn=False):
    """Layer by layer with the layer functions, starting at hidden layer ``start``'s output."""
    cfg = net.config
    fwd, _ = get_activation(cfg.activation).bind(cfg.activation_params)
    if h is None:
        h = x
    for i in range(start, net.n_hidden):
        k = i + 1
        z = h @ params[f"fc{k}.W"] + params[f"fc{k}.b"]
        if cfg.batchnorm == "before":
            z = batchnorm_forward(
                z,
                params[f"bn{k}.gamma"],
                params[f"bn{k}.beta"],
                state[f"bn{k}.running_mean"],
                state[f"bn{k}.running_var"],
                train,
            )[0]
        h = fwd(z)
        if cfg.batchnorm == "after":
            h = batchnorm_forward(
                h,
                params[f"bn{k}.gamma"],
                params[f"bn{k}.beta"],
                state[f"bn{k}.running_mean"],
                state[f"bn{k}.running_var"],
                train,
            )[0]
    L = net.n_hidden + 1
    return h @ params[f"fc{L}.W"] + params[f"fc{L}.b"]


@pytest.mark.parametrize("bn", ["off", "before", "after"])
@pytest.mark.parametrize("train", [True, False])
def test_forward_is_the_composition_of_the_layers(bn, train):
    net, params, state = _net(bn)
    x = np.random.default_rng(2).normal(size=(6, 3))
    out, _cache, new_state = net.forward(x, params, state, train)
    np.testing.assert_allclose(out, _manual_forward(net, params, state, x, train), rtol=1e-14)
    if bn != "off" and train:
        assert all(not np.array_equal(new_state[k], state[k]) for k in state)
    else:
        assert all(new_state[k] is state[k] for k in state)


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


@pytest.mark.parametrize("bn", ["off", "before", "after"])
@pytest.mark.parametrize("act", ["tanh", "relu", "gelu", "sigmoid", "elu"])
def test_backward_matches_finite_differences(bn, act):
    net, params, state = _net(bn, act)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 3))
    y = rng.integers(0, 3, 7)
    ce = SoftmaxCrossEntropy()

    def loss():
        return ce.forward(net.forward(x, params, state, True)[0], y)[0]

    out, cache, _ = net.forward(x, params, state, True)
    _, lc = ce.forward(out, y)
    grads, acts = net.backward(ce.backward(lc), cache, params, need_input_grad=True)
    for name in net.param_names:
        np.testing.assert_allclose(
            grads[name], _num_grad(loss, params[name]), rtol=1e-6, atol=1e-9, err_msg=name
        )
    np.testing.assert_allclose(acts["input"], _num_grad(loss, x), rtol=1e-6, atol=1e-9)
    # gradient with respect to each hidden layer's activation output (and input)
    fwd, _ = get_activation(act).bind()
    for i in range(net.n_hidden):
        a = cache.act[i].copy()
        pre = cache.pre[i].copy()

        def from_act(a=a, i=i):
            h = a
            if bn == "after":
                k = i + 1
                h = batchnorm_forward(
                    a,
                    params[f"bn{k}.gamma"],
                    params[f"bn{k}.beta"],
                    state[f"bn{k}.running_mean"],
                    state[f"bn{k}.running_var"],
                    True,
                )[0]
            return ce.forward(_manual_forward(net, params, state, x, True, i + 1, h), y)[0]

        np.testing.assert_allclose(acts["act"][i], _num_grad(from_act, a), rtol=1e-6, atol=1e-9)

        def from_pre(pre=pre, i=i):
            h = fwd(pre)
            if bn == "after":
                k = i + 1
                h = batchnorm_forward(
                    h,
                    params[f"bn{k}.gamma"],
                    params[f"bn{k}.beta"],
                    state[f"bn{k}.running_mean"],
                    state[f"bn{k}.running_var"],
                    True,
                )[0]
            return ce.forward(_manual_forward(net, params, state, x, True, i + 1, h), y)[0]

        np.testing.assert_allclose(acts["pre"][i], _num_grad(from_pre, pre), rtol=1e-6, atol=1e-9)


def test_backward_in_eval_mode_and_with_mse():
    net, params, state = _net("before", "tanh")
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    mse = MeanSquaredError()

    def loss():
        return mse.forward(net.forward(x, params, state, False)[0], t)[0]

    out, cache, _ = net.forward(x, params, state, False)
    _, lc = mse.forward(out, t)
    flat, gviews = net.allocate()
    grads, _ = net.backward(mse.backward(lc), cache, params, gviews)
    assert grads is gviews and np.any(flat)
    for name in net.param_names:
        np.testing.assert_allclose(
            grads[name], _num_grad(loss, params[name]), rtol=1e-6, atol=1e-9, err_msg=name
        )


def test_no_hidden_layers_is_a_linear_model():
    net = MLP(MLPConfig(input_size=2, hidden=(), output_size=3))
    p = net.init_params(np.random.default_rng(0))
    assert net.param_names == ("fc1.W", "fc1.b")
    x = np.ones((2, 2))
    _out, cache, _ = net.forward(x, p)
    g, acts = net.backward(np.ones((2, 3)), cache, p)
    np.testing.assert_allclose(g["fc1.W"], x.T @ np.ones((2, 3)))
    assert acts["act"] == [] and acts["input"] is None


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"hidden": (0,)}, "hidden"),
        ({"hidden": "64"}, "hidden"),
        ({"input_size": 0}, "input_size"),
        ({"activation": "swish"}, "activation"),
        ({"activation": "elu", "activation_params": {"alpha": -1}}, "alpha"),
        ({"init": "normal", "init_params": {"gain": 2}}, "gain"),
        ({"batchnorm": "middle"}, "batchnorm"),
        ({"bias_init": float("nan")}, "bias_init"),
        ({"bn_eps": 0.0}, "bn_eps"),
    ],
)
def test_bad_config_raises_naming_the_field(kw, field):
    with pytest.raises(ValueError, match=field):
        MLPConfig(**kw)


def test_config_fields_carry_gui_metadata():
    import dataclasses

    for f in dataclasses.fields(MLPConfig):
        assert "label" in f.metadata, f.name
    assert dataclasses.fields(MLPConfig)[3].metadata["choices"][0] == "linear"


@pytest.mark.parametrize("bn", ["off", "before", "after"])
@pytest.mark.parametrize("act", ["relu", "tanh", "leaky_relu", "gelu"])
@pytest.mark.parametrize("loss_name", ["ce", "mse"])
def test_fused_training_pass_matches_finite_differences(bn, act, loss_name):
    net, params, state = _net(bn, act)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 3))
    if loss_name == "ce":
        loss_fn, y = SoftmaxCrossEntropy(), rng.integers(0, 3, 6)
    else:
        loss_fn, y = MeanSquaredError(), rng.normal(size=(6, 3))
    flat, views = net.allocate()
    for k, v in params.items():
        views[k][...] = v
    params = views
    gflat = np.zeros_like(flat)
    loss, new_state = net.loss_and_grads(x, y, loss_fn, net.bind(flat), state, net.bind(gflat))

    def f():
        return loss_fn.forward(net.forward(x, params, state, True)[0], y)[0]

    assert loss == pytest.approx(f(), rel=1e-14)
    num = _num_grad(f, flat)
    np.testing.assert_allclose(gflat, num, rtol=1e-6, atol=1e-9)
    _, _, want_state = net.forward(x, params, state, True)
    for k in want_state:
        np.testing.assert_allclose(new_state[k], want_state[k], rtol=1e-14)
    # a second call with the same batch size reuses buffers and gives the same result
    g2 = np.zeros_like(flat)
    assert net.loss_and_grads(x, y, loss_fn, net.bind(flat), state, net.bind(g2))[0] == loss
    assert np.array_equal(g2, gflat)


@pytest.mark.parametrize("bn", ["off", "before", "after"])
@pytest.mark.parametrize("act", ["relu", "tanh", "linear", "elu"])
def test_predict_equals_eval_forward(bn, act):
    net, params, state = _net(bn, act)
    x = np.random.default_rng(6).normal(size=(9, 3))
    want = _manual_forward(net, params, state, x, False)
    np.testing.assert_allclose(net.predict(x, params, state), want, rtol=1e-13, atol=1e-15)
    # buffers are reused: a second call on other points must not disturb the first result
    first = net.predict(x, params, state)
    net.predict(x[::-1].copy(), params, state)
    np.testing.assert_allclose(first, want, rtol=1e-13, atol=1e-15)
