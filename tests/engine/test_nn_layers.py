"""Layers, activations and losses against closed forms and central finite differences."""

import math

import numpy as np
import pytest

from engine.nn.activations import ACTIVATIONS, get_activation
from engine.nn.layers import Activation, Dense
from engine.nn.losses import MeanSquaredError, SoftmaxCrossEntropy, log_softmax, softmax
from engine.nn.special import erf, erfc, norm_cdf

H = 1e-6  # central differences: truncation ~H^2, rounding ~1e-16/H -> ~1e-10 absolute


def num_grad(f, x, h=H):
    """Central finite-difference gradient of the scalar f() with respect to array x."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


# ------------------------------------------------------------------------------ erf


def test_erf_matches_libm_to_a_few_ulp():
    x = np.concatenate([np.linspace(-7, 7, 140001), np.linspace(-0.5, 0.5, 10001)])
    ref = np.array([math.erf(v) for v in x])
    assert np.max(np.abs(erf(x) - ref)) <= 4.5e-16


def test_erfc_keeps_relative_accuracy_in_the_tail():
    x = np.linspace(-5, 26.5, 31501)
    ref = np.array([math.erfc(v) for v in x])
    rel = np.abs(erfc(x) - ref) / ref
    assert rel.max() < 2e-15


def test_erf_special_values_and_shape():
    x = np.array([[0.0, -0.0, np.inf], [-np.inf, np.nan, 1e-300]])
    e = erf(x)
    assert e.shape == (2, 3)
    assert e[0, 0] == 0.0 and e[0, 2] == 1.0 and e[1, 0] == -1.0
    assert np.isnan(e[1, 1])
    assert e[1, 2] == pytest.approx(2 / math.sqrt(math.pi) * 1e-300, rel=1e-15)
    assert erfc(np.array([40.0]))[0] == 0.0 and erfc(np.array([-40.0]))[0] == 2.0


def test_norm_cdf_tails():
    assert norm_cdf(np.array([-30.0]))[0] == pytest.approx(
        0.5 * math.erfc(30 / math.sqrt(2)), rel=1e-14
    )
    assert norm_cdf(np.array([0.0]))[0] == 0.5


# ------------------------------------------------------------------------ activations

Z = np.array([-12.0, -5.0, -1.3, -0.2, -1e-3, 1e-3, 0.3, 1.7, 6.0, 30.0])


def _scalar_reference(name, z):
    """Each activation written out with the math module, one scalar at a time."""
    if name == "linear":
        return z
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return max(z, 0.0)
    if name == "leaky_relu":
        return z if z > 0 else 0.01 * z
    if name == "elu":
        return z if z > 0 else math.expm1(z)
    if name == "gelu":
        return 0.5 * z * math.erfc(-z * 0.7071067811865476)  # same rounded argument
    if name == "gelu_tanh":
        return 0.5 * z * (1 + math.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    raise AssertionError(name)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_values_match_scalar_formulas(name):
    fwd, _ = get_activation(name).bind()
    ref = np.array([_scalar_reference(name, float(z)) for z in Z])
    np.testing.assert_allclose(fwd(Z), ref, rtol=4e-15, atol=1e-300)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_backward_matches_finite_differences(name):
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2, (6, 5))
    z[np.abs(z) < 1e-2] = 0.5  # keep away from the kinks of ReLU-like units
    da = rng.normal(size=z.shape)
    layer = Activation(name)
    _a, cache = layer.forward(z)
    dz, grads = layer.backward(da, cache)
    assert grads == {}
    num = num_grad(lambda: float(np.sum(layer.forward(z)[0] * da)), z)
    np.testing.assert_allclose(dz, num, rtol=1e-7, atol=1e-8)


def test_activation_parameters_are_used_and_validated():
    fwd, bwd = get_activation("leaky_relu").bind({"negative_slope": 0.2})
    assert fwd(np.array([-2.0]))[0] == -0.4
    assert bwd(np.array([1.0]), np.array([-2.0]), None)[0] == 0.2
    fwd, _ = get_activation("elu").bind({"alpha": 2.0})
    assert fwd(np.array([-1.0]))[0] == pytest.approx(2 * math.expm1(-1.0), rel=1e-15)
    with pytest.raises(ValueError, match="negative_slope"):
        get_activation("leaky_relu").bind({"negative_slope": -1})
    with pytest.raises(ValueError, match="unknown name 'swish'"):
        get_activation("swish")


def test_relu_derivative_at_zero_is_zero_like_pytorch():
    _, bwd = get_activation("relu").bind()
    assert bwd(np.array([1.0]), np.array([0.0]), np.array([0.0]))[0] == 0.0


def test_activations_do_not_warn_far_out():
    z = np.array([-1e300, -800.0, 800.0, 1e300])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu"):
            fwd, _ = get_activation(name).bind()
            assert np.all(np.isfinite(fwd(z)))


# ---------------------------------------------------------------------------- dense


def test_dense_forward_and_backward():
    rng = np.random.default_rng(2)
    layer = Dense(4, 3)
    assert layer.shapes() == {"W": (4, 3), "b": (3,)}
    x = rng.normal(size=(5, 4))
    p = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=3)}
    y, cache = layer.forward(x, p)
    for i in range(5):
        for j in range(3):
            assert y[i, j] == pytest.approx(
                sum(x[i, k] * p["W"][k, j] for k in range(4)) + p["b"][j], rel=1e-13
            )
    dy = rng.normal(size=y.shape)

    def f():
        return float(np.sum(layer.forward(x, p)[0] * dy))

    dx, g = layer.backward(dy, cache)
    np.testing.assert_allclose(dx, num_grad(f, x), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(g["W"], num_grad(f, p["W"]), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(g["b"], num_grad(f, p["b"]), rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------------------- losses


def test_cross_entropy_value_by_hand():
    z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    y = np.array([2, 0])
    by_hand = [
        -math.log(math.exp(3) / (math.exp(1) + math.exp(2) + math.exp(3))),
        -math.log(math.exp(0.5) / (math.exp(0.5) + math.exp(-1) + math.exp(0))),
    ]
    loss, _ = SoftmaxCrossEntropy().forward(z, y)
    assert loss == pytest.approx(sum(by_hand) / 2, rel=1e-15)


def test_cross_entropy_is_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    loss, cache = SoftmaxCrossEntropy().forward(z, np.array([1, 1]))
    assert loss == pytest.approx((1000.0 + 1000.0) / 2)
    assert np.all(np.isfinite(SoftmaxCrossEntropy().backward(cache)))
    np.testing.assert_allclose(np.exp(log_softmax(z)), softmax(z), rtol=1e-15, atol=0)


def test_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, 6)
    ce = SoftmaxCrossEntropy()
    _, cache = ce.forward(z, y)
    num = num_grad(lambda: ce.forward(z, y)[0], z)
    np.testing.assert_allclose(ce.backward(cache), num, rtol=1e-7, atol=1e-10)


def test_mse_value_and_gradient():
    rng = np.random.default_rng(4)
    out, t = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    mse = MeanSquaredError()
    loss, cache = mse.forward(out, t)
    assert loss == pytest.approx(
        sum((a - b) ** 2 for a, b in zip(out.ravel(), t.ravel(), strict=False)) / 10, rel=1e-14
    )
    num = num_grad(lambda: mse.forward(out, t)[0], out)
    np.testing.assert_allclose(mse.backward(cache), num, rtol=1e-7, atol=1e-10)


# -------------------------------------------------------------------- torch (optional)


def test_activations_and_losses_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    z = np.linspace(-8, 8, 2001)
    tz = torch.tensor(z, dtype=torch.float64)
    pairs = {
        "sigmoid": torch.sigmoid(tz),
        "tanh": torch.tanh(tz),
        "relu": F.relu(tz),
        "leaky_relu": F.leaky_relu(tz),
        "elu": F.elu(tz),
        "gelu": F.gelu(tz),
        "gelu_tanh": F.gelu(tz, approximate="tanh"),
    }
    for name, ref in pairs.items():
        fwd, bwd = get_activation(name).bind()
        # torch's gelu takes 1 + erf(x / sqrt 2), which cancels for x << 0; ours uses erfc,
        # so compare in absolute terms there
        np.testing.assert_allclose(fwd(z), ref.numpy(), rtol=2e-15, atol=1e-15, err_msg=name)
        t = tz.clone().requires_grad_(True)
        out = {
            "sigmoid": torch.sigmoid,
            "tanh": torch.tanh,
            "relu": F.relu,
            "leaky_relu": F.leaky_relu,
            "elu": F.elu,
            "gelu": F.gelu,
            "gelu_tanh": lambda v: F.gelu(v, approximate="tanh"),
        }[name](t)
        out.sum().backward()
        np.testing.assert_allclose(
            bwd(np.ones_like(z), z, fwd(z)), t.grad.numpy(), rtol=1e-14, atol=1e-14, err_msg=name
        )
    rng = np.random.default_rng(5)
    logits, y = rng.normal(size=(7, 3)), rng.integers(0, 3, 7)
    ref = F.cross_entropy(torch.tensor(logits), torch.tensor(y)).item()
    assert SoftmaxCrossEntropy().forward(logits, y)[0] == pytest.approx(ref, rel=1e-14)
