"""Per-layer statistics of a network, and the variances mean-field theory predicts at init.

Conventions (what each number in :class:`LayerStats` means):

- Statistics are computed on a fixed *statistics batch* of training points, with a forward
  pass in training mode (batch norm uses that batch's statistics) whose running-statistics
  update is thrown away, followed by a backward pass of the batch-mean loss.
- ``pre`` is the input of the activation function (after batch norm when it sits before
  it), ``act`` its output (before batch norm when it sits after it). For the output layer
  both are the network output.
- Means and variances are over every entry of the (batch, units) matrix (population
  variance, ``ddof = 0``), like ``t.mean()``/``t.var(unbiased=False)`` on the whole tensor.
- ``grad_act_var``/``grad_pre_var``: variance of the per-example gradients
  ``d loss_i / d a`` (``batch size`` times the gradient of the mean loss), so the number
  does not depend on the size of the statistics batch. ``grad_w_var``: variance of the
  entries of the weight gradient of the batch-mean loss.
- Histograms: fraction of entries per bin on edges fixed per layer when the network is
  initialised; values outside are counted in the outermost bins.
- ``dead_fraction`` (ReLU, leaky ReLU): share of units whose pre-activation is <= 0 for
  every example of the batch. ``saturated_fraction`` (tanh, sigmoid): share of entries in a
  flat tail, ``|a| > 0.99`` for tanh, ``a < 0.01`` or ``a > 0.99`` for sigmoid. NaN where
  the notion does not apply.
- ``update_ratio``: ``||W_t - W_{t-1}|| / ||W_{t-1}||`` (Frobenius) of the latest update.

Theory (:func:`predict_variances`) is the mean-field recursion of Poole et al. (2016) /
Schoenholz et al. (2017), which for linear units is the Glorot and He argument: weights iid
zero-mean with variance ``s2 = Var(W)`` and inputs independent of them give a
pre-activation of mean ``bias_init`` and variance ``q = fan_in * s2 * m``, where ``m`` is the
mean second moment ``E[x^2]`` of the layer's input (the data for layer 1). Treating the
pre-activation as Gaussian ``N(bias_init, q)`` gives the next ``m = E[phi(z)^2]`` (closed
form for linear, ReLU and leaky ReLU: ``q/2`` for ReLU with zero bias; Gauss-Hermite
quadrature for the smooth ones). Batch norm at initialisation (gamma 1, beta 0) makes its
output mean 0 and variance ``v / (v + eps)``. The prediction is for the initial weights
only and NaN for initializers whose weights are not iid zero-mean (``constant``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.nn.activations import get_activation
from engine.nn.initializers import init_variance
from engine.nn.mlp import MLPConfig


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one dense layer (``fc{i}``) at one snapshot; arrays are read-only.

    Attributes
    ----------
    name : str
        ``"fc1"`` ... ``"fc{H}"`` for hidden layers, ``"fc{H+1}"`` for the output layer.
    width : int
        Units.
    act_mean, act_var, pre_mean, pre_var : float
        Mean and variance of the activation output and input over the statistics batch.
    hist, pre_hist : ndarray, shape (bins,)
        Fraction of entries per bin.
    edges, pre_edges : ndarray, shape (bins + 1,)
        Bin edges, fixed for this layer from initialisation on.
    dead_fraction, saturated_fraction : float
        See the module notes; NaN where not applicable.
    grad_act_var, grad_pre_var : float
        Variance of the per-example gradient with respect to ``act`` and ``pre``.
    grad_w_var : float
        Variance of the weight-gradient entries.
    weight_norm : float
        Frobenius norm of the weight matrix.
    update_ratio : float
        Relative size of the latest update of the weights (NaN before the first).
    theory_var, theory_act_var : float
        Mean-field prediction at initialisation for ``pre_var`` and ``act_var``.
    """

    name: str
    width: int
    act_mean: float
    act_var: float
    pre_mean: float
    pre_var: float
    hist: np.ndarray
    edges: np.ndarray
    pre_hist: np.ndarray
    pre_edges: np.ndarray
    dead_fraction: float
    saturated_fraction: float
    grad_act_var: float
    grad_pre_var: float
    grad_w_var: float
    weight_norm: float
    update_ratio: float
    theory_var: float
    theory_act_var: float


def readonly(a: np.ndarray) -> np.ndarray:
    """``a`` marked read-only (in place) and returned."""
    a.flags.writeable = False
    return a


def mean_var(a: np.ndarray) -> tuple[float, float]:
    """Mean and population variance of every entry of ``a`` (two-pass, BLAS dot).

    Returns
    -------
    (float, float)
        NaN for an empty array.
    """
    n = a.size
    if n == 0:
        return math.nan, math.nan
    m = float(a.sum()) / n
    d = a.reshape(-1) - m
    return m, float(np.dot(d, d)) / n


def histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Fraction of ``values`` per bin of the uniform ``edges``; outliers go to the end bins.

    Parameters
    ----------
    values : ndarray, any shape
    edges : ndarray, shape (bins + 1,), uniformly spaced

    Returns
    -------
    ndarray, shape (bins,)
        Sums to 1 (NaN entries land in the first bin).
    """
    bins = edges.size - 1
    lo, hi = float(edges[0]), float(edges[-1])
    v = values.reshape(-1)
    # float32 values are binned in float32 (display statistics; twice the speed)
    ft = v.dtype.type if v.dtype == np.float32 else np.float64
    idx = np.subtract(v, ft(lo), dtype=ft)
    idx *= ft(bins / (hi - lo))
    # fmax/fmin return the non-NaN operand, so NaN lands in bin 0 and inf at the ends
    np.fmax(idx, 0.0, out=idx)
    np.fmin(idx, bins - 1, out=idx)
    counts = np.bincount(idx.astype(np.int32), minlength=bins)
    return counts / max(v.size, 1)


def fixed_edges(values: np.ndarray, bins: int, bounds: tuple[float, float]) -> np.ndarray:
    """Bin edges for a layer, chosen once from its values at initialisation.

    The activation's own range where it is bounded on both sides (tanh, sigmoid); otherwise
    the observed range widened by half its span on each side (room to grow during
    training), clamped to the activation's range; ``[-1, 1]`` around a single value.

    Returns
    -------
    ndarray, shape (bins + 1,)
    """
    blo, bhi = bounds
    if math.isfinite(blo) and math.isfinite(bhi):
        return np.linspace(blo, bhi, bins + 1)
    v = values[np.isfinite(values)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    span = hi - lo
    if span <= 1e-12 * max(1.0, abs(lo), abs(hi)):
        lo, hi = lo - 1.0, hi + 1.0
    else:
        lo, hi = lo - 0.5 * span, hi + 0.5 * span
    lo = max(lo, blo)
    hi = min(hi, bhi)
    if hi <= lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, bins + 1)


def health(name: str, pre: np.ndarray, act: np.ndarray) -> tuple[float, float]:
    """``(dead_fraction, saturated_fraction)`` of a hidden layer with activation ``name``."""
    kind = get_activation(name).health
    if kind == "dead":
        return float(np.mean(np.all(pre <= 0.0, axis=0))), math.nan
    if name == "tanh":
        return math.nan, float(np.mean(np.abs(act) > 0.99))
    if name == "sigmoid":
        return math.nan, float(np.mean((act < 0.01) | (act > 0.99)))
    return math.nan, math.nan


# ---------------------------------------------------------------------------- theory

_GH_X, _GH_W = np.polynomial.hermite.hermgauss(96)


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _Phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _relu_moments(mu: float, s: float) -> tuple[float, float]:
    """E[relu(z)], E[relu(z)^2] for z ~ N(mu, s^2)."""
    if s == 0.0:
        r = max(mu, 0.0)
        return r, r * r
    a = mu / s
    return mu * _Phi(a) + s * _phi(a), (mu * mu + s * s) * _Phi(a) + mu * s * _phi(a)


def gaussian_moments(activation: str, params: dict, mu: float, var: float) -> tuple[float, float]:
    """``(E[phi(z)], E[phi(z)^2])`` for ``z ~ N(mu, var)``.

    Closed forms for linear, ReLU and leaky ReLU; 96-point Gauss-Hermite quadrature for the
    smooth activations.
    """
    s = math.sqrt(max(var, 0.0))
    if activation == "linear":
        return mu, mu * mu + var
    if activation == "relu":
        return _relu_moments(mu, s)
    if activation == "leaky_relu":
        k = dict(params or {}).get("negative_slope", 0.01)
        k = float(k)
        p1, p2 = _relu_moments(mu, s)
        n1, n2 = _relu_moments(-mu, s)  # relu(-z): leaky(z) = relu(z) - k relu(-z)
        return p1 - k * n1, p2 + k * k * n2
    fwd, _ = get_activation(activation).bind(params)
    z = mu + math.sqrt(2.0) * s * _GH_X
    f = fwd(z)
    m1 = float(np.dot(_GH_W, f)) / math.sqrt(math.pi)
    m2 = float(np.dot(_GH_W, f * f)) / math.sqrt(math.pi)
    return m1, m2


def predict_variances(config: MLPConfig, input_second_moment: float) -> list[tuple[float, float]]:
    """Mean-field prediction of ``(pre_var, act_var)`` for every dense layer at init.

    Parameters
    ----------
    config : MLPConfig
    input_second_moment : float
        Mean over input features of ``E[x_j^2]`` of the data.

    Returns
    -------
    list of (float, float)
        One pair per dense layer ``fc1 .. fc{H+1}`` (the output layer's two are equal);
        NaN when the initializer has no such prediction.
    """
    sizes = config.sizes
    m = float(input_second_moment)
    c = float(config.bias_init)
    eps = float(config.bn_eps)
    out: list[tuple[float, float]] = []
    for i in range(1, len(sizes)):
        s2 = init_variance(config.init, (sizes[i - 1], sizes[i]), config.resolved_init_params)
        if math.isnan(s2) or math.isnan(m):
            out.append((math.nan, math.nan))
            m = math.nan
            continue
        q = sizes[i - 1] * s2 * m
        if i == len(sizes) - 1:
            out.append((q, q))
            break
        mu = c
        if config.batchnorm == "before":
            q, mu = q / (q + eps), 0.0
        e1, e2 = gaussian_moments(config.activation, config.activation_params, mu, q)
        act_var = max(e2 - e1 * e1, 0.0)
        out.append((q, act_var))
        m = act_var / (act_var + eps) if config.batchnorm == "after" else e2
    return out
