"""Initializers: empirical variance against the fan formulas of Glorot & Bengio and He et al.

Matrices of 800 x 400 = 320,000 draws: the sample variance of a normal sample has a
relative standard error sqrt(2 / n) = 0.25 %, of a uniform one sqrt(0.8 / n) = 0.16 %, so
a 2 % tolerance is 8+ standard errors wide and still far inside the 33 % or more that
separates the alternatives here (fan_in 800, fan_out 400, mean 600: 1/800, 1/600, 1/400).
"""

import math

import numpy as np
import pytest

from engine.nn.initializers import (
    INITIALIZERS,
    calculate_gain,
    make_initializer,
    resolve_init_params,
)

FAN_IN, FAN_OUT = 800, 400
SHAPE = (FAN_IN, FAN_OUT)
TOL = 0.02


def _draw(name, **params):
    return make_initializer(name, **params)(np.random.default_rng(123), SHAPE)


CASES = [
    ("xavier_uniform", {}, 2 / (FAN_IN + FAN_OUT)),
    ("xavier_normal", {}, 2 / (FAN_IN + FAN_OUT)),
    ("xavier_normal", {"gain": 5 / 3}, (5 / 3) ** 2 * 2 / (FAN_IN + FAN_OUT)),
    ("he_uniform", {}, 2 / FAN_IN),
    ("he_uniform", {"mode": "fan_out"}, 2 / FAN_OUT),
    ("he_normal", {}, 2 / FAN_IN),
    ("he_normal", {"mode": "fan_out"}, 2 / FAN_OUT),
    ("he_normal", {"gain": 1.0}, 1 / FAN_IN),
    ("lecun_normal", {}, 1 / FAN_IN),
    ("normal", {"std": 0.01}, 1e-4),
    ("normal", {}, 1.0),
    ("uniform", {"a": 0.5}, 0.25 / 3),
]


@pytest.mark.parametrize(("name", "params", "var"), CASES)
def test_empirical_variance_matches_formula(name, params, var):
    w = _draw(name, **params)
    assert w.shape == SHAPE and w.dtype == np.float64
    assert abs(w.mean()) < 5 * math.sqrt(var / w.size)
    assert w.var() == pytest.approx(var, rel=TOL)


@pytest.mark.parametrize(
    ("name", "bound"),
    [
        ("xavier_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
        ("he_uniform", math.sqrt(2) * math.sqrt(3 / FAN_IN)),
        ("uniform", 1.0),
    ],
)
def test_uniform_initializers_fill_their_interval(name, bound):
    w = _draw(name)
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.999 * bound
    # a uniform's kurtosis is 9/5, a normal's 3
    assert np.mean(w**4) / np.mean(w**2) ** 2 == pytest.approx(1.8, rel=0.02)


def test_normal_initializers_are_gaussian():
    w = _draw("he_normal")
    assert np.mean(w**4) / np.mean(w**2) ** 2 == pytest.approx(3.0, rel=0.03)


@pytest.mark.parametrize("shape", [(300, 100), (100, 300), (64, 64)])
def test_orthogonal_has_orthonormal_rows_or_columns(shape):
    w = make_initializer("orthogonal", gain=2.0)(np.random.default_rng(0), shape)
    small = min(shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_zeros_and_constant():
    assert not _draw("zeros").any()
    w = _draw("constant", value=0.3)
    assert np.all(w == 0.3)


def test_calculate_gain_is_pytorchs_table():
    assert calculate_gain("linear") == 1.0
    assert calculate_gain("sigmoid") == 1.0
    assert calculate_gain("tanh") == 5.0 / 3.0
    assert calculate_gain("relu") == math.sqrt(2.0)
    assert calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01**2))
    assert calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    assert calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        calculate_gain("gelu")


def test_gain_by_name_and_auto():
    assert resolve_init_params("xavier_normal", {"gain": "tanh"})["gain"] == 5 / 3
    assert resolve_init_params("xavier_normal", {"gain": "auto"}, "relu")["gain"] == math.sqrt(2)
    got = resolve_init_params("he_normal", {"gain": "auto"}, "leaky_relu", {"negative_slope": 0.2})
    assert got["gain"] == math.sqrt(2 / 1.04)
    assert resolve_init_params("he_normal", {})["gain"] == math.sqrt(2)  # torch's default
    assert resolve_init_params("xavier_uniform", {})["gain"] == 1.0


def test_same_seed_same_weights():
    f = make_initializer("he_normal")
    a = f(np.random.default_rng(5), (20, 30))
    b = f(np.random.default_rng(5), (20, 30))
    assert np.array_equal(a, b)


def test_bad_names_and_parameters_raise():
    with pytest.raises(ValueError, match="unknown name 'glorot'"):
        make_initializer("glorot")
    with pytest.raises(ValueError, match="std"):
        make_initializer("normal", std=-1)
    with pytest.raises(ValueError, match="unknown parameter 'std'"):
        make_initializer("xavier_normal", std=1)
    with pytest.raises(ValueError, match="gain"):
        make_initializer("xavier_normal", gain="wobbly")
    with pytest.raises(ValueError, match="mode"):
        make_initializer("he_normal", mode="fan_avg")
    with pytest.raises(ValueError, match="shape"):
        make_initializer("xavier_normal")(np.random.default_rng(0), (3,))


def test_every_initializer_is_registered_with_help():
    assert set(INITIALIZERS) == {
        "zeros",
        "constant",
        "normal",
        "uniform",
        "xavier_uniform",
        "xavier_normal",
        "he_uniform",
        "he_normal",
        "lecun_normal",
        "orthogonal",
    }
    assert all(spec.help for spec in INITIALIZERS.values())


def test_matches_torch_init_variances():
    torch = pytest.importorskip("torch")
    # torch weights are (out, in); ours (in, out): same fans
    t = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    torch.manual_seed(0)
    torch.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    ours = _draw("he_normal", mode="fan_out")
    assert ours.var() == pytest.approx(t.var().item(), rel=2 * TOL)
    torch.nn.init.xavier_uniform_(t, gain=torch.nn.init.calculate_gain("tanh"))
    assert _draw("xavier_uniform", gain="tanh").var() == pytest.approx(t.var().item(), rel=2 * TOL)
    for name in ("linear", "sigmoid", "tanh", "relu", "selu"):
        assert calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-15)
    assert calculate_gain("leaky_relu", 0.3) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.3), rel=1e-15
    )
