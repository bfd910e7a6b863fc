"""Elementwise activation functions with their derivatives, in an explicit registry.

Each activation is a pair of pure functions: ``forward(z, **p) -> a`` and
``backward(da, z, a, **p) -> dz`` (the backward gets both the input and the output so it
can use whichever gives the derivative most cheaply and accurately). Definitions and the
value of the derivative at kinks follow PyTorch's (``torch.nn.ReLU`` etc.): ReLU's
derivative at 0 is 0, leaky ReLU's is its slope, ELU uses ``alpha * exp(z)`` for z <= 0,
GELU is the exact ``z * Phi(z)`` and the tanh approximation is a separate entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.nn.special import norm_cdf
from engine.params import ParamSpec, validate_params

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


@dataclass(frozen=True)
class ActivationSpec:
    """One activation function.

    Attributes
    ----------
    name : str
        Registry key.
    forward : callable
        ``forward(z, **params) -> a``, elementwise, any shape.
    backward : callable
        ``backward(da, z, a, **params) -> dz`` with ``dz = da * phi'(z)``.
    params : tuple of ParamSpec
        Tunable parameters (e.g. leaky ReLU's ``negative_slope``).
    help : str
        One line for ``--list`` and tooltips.
    health : {"dead", "saturated", ""}
        Which failure the statistics watch for: units that never fire (ReLU family) or
        units stuck on a flat tail (sigmoid, tanh).
    range : tuple of float
        The function's output range (``-inf``/``inf`` where unbounded); histograms of
        bounded activations use it as their fixed bin range.
    """

    name: str
    forward: Callable[..., np.ndarray]
    backward: Callable[..., np.ndarray]
    params: tuple[ParamSpec, ...] = ()
    help: str = ""
    health: str = ""
    range: tuple[float, float] = (-math.inf, math.inf)

    def bind(self, params: dict[str, Any] | None = None) -> tuple[Callable, Callable]:
        """Validate ``params`` and return ``(forward(z), backward(da, z, a))`` closures."""
        p = validate_params(self.params, params, f"activation {self.name}")
        fwd, bwd = self.forward, self.backward
        if not p:
            return fwd, bwd
        return (lambda z: fwd(z, **p)), (lambda da, z, a: bwd(da, z, a, **p))


def _linear(z: np.ndarray) -> np.ndarray:
    return z


def _linear_b(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only, so neither tail overflows or loses digits
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_b(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da * (a * (1.0 - a))


def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def _tanh_b(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da * (1.0 - a * a)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_b(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da * (z > 0.0)


def _leaky(z: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    return np.where(z > 0.0, z, z * negative_slope)


def _leaky_b(
    da: np.ndarray, z: np.ndarray, a: np.ndarray, negative_slope: float = 0.01
) -> np.ndarray:
    return np.where(z > 0.0, da, da * negative_slope)


def _elu(z: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    # expm1 keeps digits near 0; clamping the argument avoids overflow in the unused branch
    return np.where(z > 0.0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def _elu_b(da: np.ndarray, z: np.ndarray, a: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(z > 0.0, da, da * (alpha * np.exp(np.minimum(z, 0.0))))


def _gelu(z: np.ndarray) -> np.ndarray:
    # norm_cdf works in float64; the result keeps z's dtype (float32 passes stay float32)
    return (z * norm_cdf(z)).astype(z.dtype, copy=False)


def _gelu_b(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # d/dz [z Phi(z)] = Phi(z) + z phi(z)
    pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
    return (da * (norm_cdf(z) + z * pdf)).astype(da.dtype, copy=False)


def _gelu_tanh(z: np.ndarray) -> np.ndarray:
    return 0.5 * z * (1.0 + np.tanh(_SQRT_2_OVER_PI * (z + _GELU_C * z * z * z)))


def _gelu_tanh_b(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    z2 = z * z
    t = np.tanh(_SQRT_2_OVER_PI * (z + _GELU_C * z2 * z))
    dt = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_C * z2)
    return da * (0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * dt)


_SLOPE = ParamSpec(
    "negative_slope",
    0.01,
    min=0.0,
    max=1.0,
    label="Negative slope",
    help="slope for z < 0 (PyTorch default 0.01)",
)
_ALPHA = ParamSpec(
    "alpha",
    1.0,
    min=0.0,
    max=10.0,
    min_exclusive=True,
    label="Alpha",
    help="ELU saturates at -alpha for z -> -inf",
)

ACTIVATIONS: dict[str, ActivationSpec] = {
    s.name: s
    for s in (
        ActivationSpec("linear", _linear, _linear_b, help="identity, a = z"),
        ActivationSpec(
            "sigmoid",
            _sigmoid,
            _sigmoid_b,
            help="1 / (1 + exp(-z)), in (0, 1)",
            health="saturated",
            range=(0.0, 1.0),
        ),
        ActivationSpec(
            "tanh",
            _tanh,
            _tanh_b,
            help="hyperbolic tangent, in (-1, 1)",
            health="saturated",
            range=(-1.0, 1.0),
        ),
        ActivationSpec(
            "relu",
            _relu,
            _relu_b,
            help="max(z, 0); derivative 0 at z = 0",
            health="dead",
            range=(0.0, math.inf),
        ),
        ActivationSpec(
            "leaky_relu",
            _leaky,
            _leaky_b,
            (_SLOPE,),
            help="z for z > 0, negative_slope * z otherwise",
            health="dead",
        ),
        ActivationSpec(
            "elu",
            _elu,
            _elu_b,
            (_ALPHA,),
            help="z for z > 0, alpha (exp(z) - 1) otherwise",
        ),
        ActivationSpec(
            "gelu",
            _gelu,
            _gelu_b,
            help="exact z Phi(z) with the normal CDF via erf (PyTorch's default GELU)",
        ),
        ActivationSpec(
            "gelu_tanh",
            _gelu_tanh,
            _gelu_tanh_b,
            help="tanh approximation of GELU (PyTorch approximate='tanh')",
        ),
    )
}


def get_activation(name: str) -> ActivationSpec:
    """Look up an activation by name, or raise ValueError listing the known ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"activation: unknown name {name!r} (known: {', '.join(ACTIVATIONS)})"
        ) from None


def activation_range(name: str, params: dict[str, Any] | None = None) -> tuple[float, float]:
    """Output range of an activation given its parameters (ELU's lower bound is -alpha)."""
    spec = get_activation(name)
    if name == "elu":
        p = validate_params(spec.params, params, "activation elu")
        return (-p["alpha"], math.inf)
    return spec.range
