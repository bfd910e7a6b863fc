"""Weight initializers ``f(rng, shape) -> ndarray`` in an explicit registry.

Weights are shaped ``(fan_in, fan_out)`` (``y = x @ W``), the transpose of PyTorch's
``(out_features, in_features)``, so ``fan_in = shape[0]`` and ``fan_out = shape[1]``.
Formulas are PyTorch's ``torch.nn.init`` ones:

=================  ====================================================================
xavier_uniform     U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio 2010)
xavier_normal      N(0, std^2), ``std = gain * sqrt(2 / (fan_in + fan_out))``
he_uniform         U(-a, a), ``a = gain * sqrt(3 / fan)``, fan = fan_in or fan_out (He et al. 2015)
he_normal          N(0, std^2), ``std = gain / sqrt(fan)``
lecun_normal       N(0, std^2), ``std = gain / sqrt(fan_in)`` (LeCun et al. 1998)
orthogonal         QR of a Gaussian matrix, sign-fixed (Saxe et al. 2014), times gain
=================  ====================================================================

The default gains are those of the PyTorch functions' defaults: 1 for Xavier, LeCun and
orthogonal (``gain=1.0``), sqrt(2) for He (``kaiming_*_(a=0, nonlinearity='leaky_relu')``).
A gain may also be given as a nonlinearity name (``gain=tanh`` means
``calculate_gain('tanh')``) or ``auto`` (the network's own activation), resolved by
:func:`resolve_init_params`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.params import ParamSpec, validate_params

Initializer = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]

# calculate_gain has no entry for these; ReLU's gain is the usual stand-in for
# ReLU-like smooth units, and that is what "gain=auto" uses for them
_GAIN_FALLBACK = {"elu": math.sqrt(2.0), "gelu": math.sqrt(2.0), "gelu_tanh": math.sqrt(2.0)}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, exactly as ``torch.nn.init.calculate_gain``.

    Parameters
    ----------
    nonlinearity : str
        ``linear``, ``identity``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu`` or ``selu``.
    param : float, optional
        Negative slope for ``leaky_relu`` (default 0.01).

    Returns
    -------
    float
        1, 1, 1, 5/3, sqrt(2), sqrt(2 / (1 + slope^2)) or 3/4.

    Raises
    ------
    ValueError
        For any other name (PyTorch raises too).
    """
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fans(shape: tuple[int, ...], who: str) -> tuple[int, int]:
    if len(shape) != 2:
        raise ValueError(f"{who}: shape must be (fan_in, fan_out); got {shape!r}")
    return int(shape[0]), int(shape[1])


def _fan(shape: tuple[int, ...], mode: str, who: str) -> int:
    fan_in, fan_out = _fans(shape, who)
    return fan_in if mode == "fan_in" else fan_out


def _zeros(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return np.zeros(shape)


def _constant(rng: np.random.Generator, shape: tuple[int, ...], value: float) -> np.ndarray:
    return np.full(shape, float(value))


def _normal(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> np.ndarray:
    return rng.standard_normal(shape) * std


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], a: float) -> np.ndarray:
    return rng.uniform(-a, a, size=shape)


def _xavier_uniform(rng: np.random.Generator, shape: tuple[int, ...], gain: float) -> np.ndarray:
    fi, fo = _fans(shape, "xavier_uniform")
    a = gain * math.sqrt(6.0 / (fi + fo))
    return rng.uniform(-a, a, size=shape)


def _xavier_normal(rng: np.random.Generator, shape: tuple[int, ...], gain: float) -> np.ndarray:
    fi, fo = _fans(shape, "xavier_normal")
    return rng.standard_normal(shape) * (gain * math.sqrt(2.0 / (fi + fo)))


def _he_uniform(
    rng: np.random.Generator, shape: tuple[int, ...], gain: float, mode: str
) -> np.ndarray:
    a = gain * math.sqrt(3.0 / _fan(shape, mode, "he_uniform"))
    return rng.uniform(-a, a, size=shape)


def _he_normal(
    rng: np.random.Generator, shape: tuple[int, ...], gain: float, mode: str
) -> np.ndarray:
    return rng.standard_normal(shape) * (gain / math.sqrt(_fan(shape, mode, "he_normal")))


def _lecun_normal(rng: np.random.Generator, shape: tuple[int, ...], gain: float) -> np.ndarray:
    fi, _ = _fans(shape, "lecun_normal")
    return rng.standard_normal(shape) * (gain / math.sqrt(fi))


def _orthogonal(rng: np.random.Generator, shape: tuple[int, ...], gain: float) -> np.ndarray:
    rows, cols = _fans(shape, "orthogonal")
    # as torch.nn.init.orthogonal_: QR of the tall orientation, signs fixed by diag(R) so
    # the result is Haar-distributed, then transposed back
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q


# Element variance of each distribution, used for the mean-field prediction of layer
# variances shown next to the measured ones (nan where the weights are not iid zero-mean).
def _var_xu(shape, gain):
    fi, fo = shape
    return gain**2 * 2.0 / (fi + fo)


def _var_he(shape, gain, mode):
    return gain**2 / (shape[0] if mode == "fan_in" else shape[1])


_GAIN_HELP = "a number, a nonlinearity name (tanh, relu, ...) or auto"


def _gain(default: float, note: str) -> ParamSpec:
    return ParamSpec(
        "gain", default, min=0.0, max=10.0, label="Gain", help=f"{_GAIN_HELP} ({note})"
    )


_MODE = ParamSpec(
    "mode",
    "fan_in",
    kind="choice",
    choices=("fan_in", "fan_out"),
    label="Mode",
    help="fan_in preserves forward variance, fan_out backward",
)


@dataclass(frozen=True)
class InitSpec:
    """One initializer.

    Attributes
    ----------
    name : str
        Registry key.
    fn : callable
        ``fn(rng, shape, **params) -> ndarray`` of the given shape, float64.
    params : tuple of ParamSpec
        Its parameters.
    help : str
        One line for ``--list``.
    variance : callable or None
        ``variance(shape, **params) -> float``: the element variance of iid zero-mean
        weights, or None where the weights are not iid zero-mean (constant, orthogonal is
        handled as ``gain^2 / max(fan_in, fan_out)``, which is exact for its columns).
    """

    name: str
    fn: Callable[..., np.ndarray]
    params: tuple[ParamSpec, ...] = ()
    help: str = ""
    variance: Callable[..., float] | None = None

    def bind(self, params: Mapping[str, Any] | None = None) -> Initializer:
        """Validate ``params`` and return ``f(rng, shape)``."""
        p = validate_params(self.params, params, f"init {self.name}")
        fn = self.fn
        return lambda rng, shape: fn(rng, tuple(shape), **p)


INITIALIZERS: dict[str, InitSpec] = {
    s.name: s
    for s in (
        InitSpec(
            "zeros",
            _zeros,
            help="all weights 0 (every unit of a layer stays identical)",
            variance=lambda shape: 0.0,
        ),
        InitSpec(
            "constant",
            _constant,
            (ParamSpec("value", 0.1, min=-10.0, max=10.0, label="Value", help="the constant"),),
            help="all weights equal to value",
        ),
        InitSpec(
            "normal",
            _normal,
            (
                ParamSpec(
                    "std", 1.0, min=0.0, max=100.0, log=True, label="Std", help="standard deviation"
                ),
            ),
            help="N(0, std^2), ignoring the layer's size",
            variance=lambda shape, std: std**2,
        ),
        InitSpec(
            "uniform",
            _uniform,
            (ParamSpec("a", 1.0, min=0.0, max=100.0, log=True, label="Bound", help="half-width"),),
            help="U(-a, a), ignoring the layer's size",
            variance=lambda shape, a: a**2 / 3.0,
        ),
        InitSpec(
            "xavier_uniform",
            _xavier_uniform,
            (_gain(1.0, "PyTorch default 1"),),
            help="Glorot: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out))",
            variance=_var_xu,
        ),
        InitSpec(
            "xavier_normal",
            _xavier_normal,
            (_gain(1.0, "PyTorch default 1"),),
            help="Glorot: N(0, gain^2 2 / (fan_in + fan_out))",
            variance=_var_xu,
        ),
        InitSpec(
            "he_uniform",
            _he_uniform,
            (_gain(math.sqrt(2.0), "default sqrt 2, for ReLU"), _MODE),
            help="He/Kaiming: U(-a, a), a = gain sqrt(3 / fan)",
            variance=_var_he,
        ),
        InitSpec(
            "he_normal",
            _he_normal,
            (_gain(math.sqrt(2.0), "default sqrt 2, for ReLU"), _MODE),
            help="He/Kaiming: N(0, gain^2 / fan)",
            variance=_var_he,
        ),
        InitSpec(
            "lecun_normal",
            _lecun_normal,
            (_gain(1.0, "default 1"),),
            help="LeCun: N(0, gain^2 / fan_in)",
            variance=lambda shape, gain: gain**2 / shape[0],
        ),
        InitSpec(
            "orthogonal",
            _orthogonal,
            (_gain(1.0, "default 1"),),
            help="orthonormal rows or columns (QR of a Gaussian), times gain",
            variance=lambda shape, gain: gain**2 / max(shape),
        ),
    )
}


def get_initializer(name: str) -> InitSpec:
    """Look up an initializer by name, or raise ValueError listing the known ones."""
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(
            f"init: unknown name {name!r} (known: {', '.join(INITIALIZERS)})"
        ) from None


def resolve_init_params(
    name: str,
    params: Mapping[str, Any] | None,
    activation: str = "linear",
    activation_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Validated parameters of initializer ``name``, with a named gain turned into a number.

    Parameters
    ----------
    name : str
        Initializer name.
    params : mapping or None
        Given parameters; ``gain`` may be a number, a nonlinearity name for
        :func:`calculate_gain`, or ``"auto"`` for ``activation``.
    activation, activation_params :
        The network's activation, used by ``gain=auto``.

    Returns
    -------
    dict
        Every parameter of the initializer, defaults filled in.
    """
    spec = get_initializer(name)
    given = dict(params or {})
    gain = given.get("gain")
    if isinstance(gain, str):
        try:
            float(gain)
        except ValueError:
            if not any(p.name == "gain" for p in spec.params):
                raise ValueError(
                    f"init {name}: unknown parameter 'gain' "
                    f"(accepted: {', '.join(p.name for p in spec.params) or 'none'})"
                ) from None
            key = gain.strip().lower()
            if key == "auto":
                key = activation
            slope = None
            if key == "leaky_relu":
                slope = dict(activation_params or {}).get("negative_slope", 0.01)
            if key in _GAIN_FALLBACK:
                given["gain"] = _GAIN_FALLBACK[key]
            else:
                try:
                    given["gain"] = calculate_gain(key, slope)
                except ValueError:
                    raise ValueError(
                        f"init {name}: gain must be a number, auto or a nonlinearity "
                        f"name; got {gain!r}"
                    ) from None
    return validate_params(spec.params, given, f"init {name}")


def make_initializer(name: str, **params: Any) -> Initializer:
    """``f(rng, shape)`` for initializer ``name`` with ``params`` (validated now)."""
    return get_initializer(name).bind(resolve_init_params(name, params))


def init_variance(name: str, shape: tuple[int, int], params: Mapping[str, Any]) -> float:
    """Element variance of ``name``'s weights of ``shape`` (nan for constant weights)."""
    spec = get_initializer(name)
    if spec.variance is None:
        return math.nan
    return float(spec.variance(tuple(shape), **resolve_init_params(name, params)))
