"""Muon for the network lab: orthogonalised momentum for hidden weight matrices.

KellerJordan/Muon (``SingleDeviceMuonWithAuxAdam``; Jordan et al. 2024, "Muon: An optimizer
for hidden layers in neural networks", kellerjordan.github.io/posts/muon): each hidden weight
matrix keeps a momentum buffer ``m <- beta m + (1 - beta) g``; the Nesterov blend
``u = (1 - beta) g + beta m`` is replaced by an approximately orthogonal matrix from five
quintic Newton-Schulz iterations with coefficients (3.4445, -4.7750, 2.0315), scaled by
``sqrt(max(1, rows / cols))`` of PyTorch's ``(out, in)`` layout, and applied with decoupled
weight decay. Biases, batch-norm parameters and the output layer use the reference's
auxiliary AdamW. Everything is float64 here (the reference runs Newton-Schulz in bfloat16).

Weights in :mod:`engine.nn.mlp` are ``(fan_in, fan_out)``, the transpose of PyTorch's, so
PyTorch's ``rows / cols`` is ``fan_out / fan_in`` here; orthogonalisation commutes with the
transpose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from engine.optim.registry import OPTIMIZERS, Optimizer, OptimizerSpec
from engine.params import ParamSpec, validate_params
from engine.schedules import Schedule
from engine.transforms import clip_by_norm

__all__ = [
    "MUON_SPEC",
    "NET_OPTIMIZERS",
    "NS_COEFFS",
    "MuonState",
    "hidden_weights",
    "make_muon",
    "muon_next_lr",
    "newton_schulz5",
    "set_muon_hyper",
]

NS_COEFFS = (3.4445, -4.7750, 2.0315)
"""Quintic Newton-Schulz coefficients of the reference implementation."""

_BETAS = ParamSpec(
    "adam_betas",
    (0.9, 0.95),
    kind="pair",
    min=0.0,
    max=1.0,
    label="AdamW betas",
    help="Betas of the AdamW used for biases, batch norm and the output layer.",
)

MUON_SPEC = OptimizerSpec(
    "muon",
    "Muon (network lab)",
    "Momentum whose update for each hidden weight matrix is orthogonalised by five "
    "Newton-Schulz steps, so every direction of the matrix moves by about the same amount; "
    "biases, batch norm and the output layer use AdamW.",
    "Jordan et al. (2024), Muon: An optimizer for hidden layers in neural networks "
    "(KellerJordan/Muon, SingleDeviceMuonWithAuxAdam).",
    (
        ParamSpec(
            "lr",
            0.02,
            min=0.0,
            min_exclusive=True,
            log=True,
            label="Muon lr",
            help="Learning rate of the hidden weight matrices (spectral units).",
        ),
        ParamSpec(
            "momentum",
            0.95,
            min=0.0,
            max=1.0,
            label="momentum",
            help="Momentum of the Muon buffer.",
        ),
        ParamSpec(
            "nesterov",
            True,
            kind="bool",
            label="Nesterov",
            help="Orthogonalise (1 - beta) g + beta m rather than m.",
        ),
        ParamSpec(
            "ns_steps",
            5,
            kind="int",
            min=0,
            max=20,
            label="Newton-Schulz steps",
            help="Iterations of the orthogonalisation.",
        ),
        ParamSpec(
            "weight_decay",
            0.0,
            min=0.0,
            label="weight decay",
            help="Decoupled decay of the hidden matrices.",
        ),
        ParamSpec(
            "adam_lr",
            3e-4,
            min=0.0,
            min_exclusive=True,
            log=True,
            label="AdamW lr",
            help="Learning rate of the AdamW part.",
        ),
        _BETAS,
        ParamSpec(
            "adam_eps",
            1e-10,
            min=0.0,
            log=True,
            label="AdamW eps",
            help="Added to the AdamW denominator.",
        ),
        ParamSpec(
            "adam_weight_decay",
            0.0,
            min=0.0,
            label="AdamW weight decay",
            help="Decoupled decay of the AdamW part.",
        ),
    ),
)


def newton_schulz5(g: np.ndarray, steps: int = 5) -> np.ndarray:
    """Approximate ``U V^T`` of ``g = U S V^T`` by the reference's quintic iteration.

    Parameters
    ----------
    g : ndarray, shape (r, c)
    steps : int

    Returns
    -------
    ndarray, shape (r, c)
        Singular values land roughly in [0.7, 1.2] rather than exactly 1 (by design).
    """
    a, b, c = NS_COEFFS
    x = np.asarray(g, dtype=np.float64)
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    x = x / (np.linalg.norm(x) + 1e-7)
    for _ in range(int(steps)):
        m = x @ x.T
        x = a * x + (b * m + c * m @ m) @ x
    return x.T if tall else x


def hidden_weights(layout: Sequence[tuple[str, tuple[int, ...]]]) -> tuple[str, ...]:
    """Names of the hidden weight matrices: every 2-d ``.W`` but the last (output) one."""
    weights = [n for n, shape in layout if n.endswith(".W") and len(shape) == 2]
    return tuple(weights[:-1])


class MuonState(NamedTuple):
    """State of Muon: hyperparameters, counters, buffers and the last spectra.

    ``momentum_buffers`` maps each hidden matrix to its buffer (fan_in, fan_out);
    ``exp_avg`` / ``exp_avg_sq`` are flat AdamW moments (zero where Muon owns the entry);
    ``spectra`` maps each hidden matrix to (singular values before, after) orthogonalisation
    of its last update.
    """

    hyper: dict
    step: int
    momentum_buffers: dict
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    spectra: dict


class _MuonInit:
    """init(flat) -> MuonState, and the live-edit and reading entry points."""

    def __init__(self, layout, hyper: dict, schedule: Schedule | None, clip_norm):
        self.layout = tuple(layout)
        self.hyper = hyper
        self.schedule = schedule
        self.clip_norm = clip_norm
        self.hidden = hidden_weights(self.layout)
        offsets, off = {}, 0
        for name, shape in self.layout:
            size = int(np.prod(shape))
            offsets[name] = (off, off + size, tuple(shape))
            off += size
        self.offsets, self.n_params = offsets, off
        mask = np.ones(off, dtype=bool)
        for n in self.hidden:
            a, b, _ = offsets[n]
            mask[a:b] = False
        self.adam_mask = mask

    def __call__(self, flat: np.ndarray) -> MuonState:
        flat = np.asarray(flat, dtype=np.float64)
        if flat.size != self.n_params:
            raise ValueError(
                f"muon: parameters have {flat.size} entries; layout has {self.n_params}"
            )
        bufs = {n: np.zeros(self.offsets[n][2]) for n in self.hidden}
        z = np.zeros(self.n_params)
        return MuonState(dict(self.hyper), 0, bufs, z, z.copy(), {})

    def rates(self, state: MuonState) -> tuple[float, float]:
        h, t = state.hyper, state.step
        if self.schedule is None:
            return h["lr"], h["adam_lr"]
        return self.schedule.lr(h["lr"], t), self.schedule.lr(h["adam_lr"], t)


def _update(grads: np.ndarray, state: MuonState, params: np.ndarray, loss: Any = None, *, init):
    shape = np.shape(params)
    g = np.asarray(grads, dtype=np.float64).reshape(-1)
    p = np.asarray(params, dtype=np.float64).reshape(-1).copy()
    if g.size != p.size:
        raise ValueError(f"grads shape {np.shape(grads)} differs from params shape {shape}")
    if init.clip_norm is not None:
        g = clip_by_norm(g, init.clip_norm)
    h = state.hyper
    lr, adam_lr = init.rates(state)
    t = state.step + 1
    beta, bufs, spectra = h["momentum"], {}, {}
    for name in init.hidden:
        a, b, wshape = init.offsets[name]
        gw = g[a:b].reshape(wshape)
        m = beta * state.momentum_buffers[name] + (1 - beta) * gw
        u = (1 - beta) * gw + beta * m if h["nesterov"] else m
        o = newton_schulz5(u, h["ns_steps"])
        # PyTorch's (out, in) = our (fan_out, fan_in): rows / cols = fan_out / fan_in
        o = o * math.sqrt(max(1.0, wshape[1] / wshape[0]))
        spectra[name] = (np.linalg.svd(u, compute_uv=False), np.linalg.svd(o, compute_uv=False))
        w = p[a:b] * (1 - lr * h["weight_decay"])
        p[a:b] = w - lr * o.reshape(-1)
        bufs[name] = m
    b1, b2 = h["adam_betas"]
    k = init.adam_mask
    m1 = np.where(k, b1 * state.exp_avg + (1 - b1) * g, 0.0)
    m2 = np.where(k, b2 * state.exp_avg_sq + (1 - b2) * g * g, 0.0)
    upd = (m1[k] / (1 - b1**t)) / (np.sqrt(m2[k] / (1 - b2**t)) + h["adam_eps"])
    p[k] = p[k] * (1 - adam_lr * h["adam_weight_decay"]) - adam_lr * upd
    return p.reshape(shape), MuonState(h, t, bufs, m1, m2, spectra)


class _Update:
    def __init__(self, init: _MuonInit):
        self.init = init

    def __call__(self, grads, state, params, loss=None):
        return _update(grads, state, params, loss, init=self.init)


def make_muon(
    layout: Sequence[tuple[str, tuple[int, ...]]],
    *,
    schedule: Schedule | None = None,
    clip_norm: float | None = None,
    **hyper: Any,
) -> Optimizer:
    """Muon with auxiliary AdamW for a network's parameter layout.

    Parameters
    ----------
    layout : sequence of (name, shape)
        :attr:`engine.nn.mlp.MLP.layout`, in flat-buffer order.
    schedule : Schedule, optional
        Drives both learning rates (``lr`` and ``adam_lr``) by the update number.
    clip_norm : float, optional
        Clip the whole gradient's norm first.
    **hyper
        See ``MUON_SPEC.params``.

    Returns
    -------
    Optimizer
        ``init(flat)``, ``update(gflat, state, flat, loss=None)`` on flat ``(1, P)`` buffers.
    """
    if schedule is not None and schedule.kind == "plateau":
        raise ValueError("optimizer muon: the plateau schedule is not supported with Muon")
    resolved = validate_params(MUON_SPEC.params, hyper, "optimizer muon")
    if any(not 0 <= b < 1 for b in resolved["adam_betas"]):
        raise ValueError("optimizer muon: adam_betas must be in [0, 1)")
    if resolved["momentum"] >= 1:
        raise ValueError("optimizer muon: momentum must be < 1")
    init = _MuonInit(layout, resolved, schedule, clip_norm)
    return Optimizer("muon", dict(resolved), init, _Update(init))


def set_muon_hyper(opt: Optimizer, state: MuonState, **hyper: Any) -> tuple[Optimizer, MuonState]:
    """Change Muon's hyperparameters mid-run, keeping buffers (validated as in make_muon)."""
    init = opt.init
    clip = hyper.pop("clip_norm", init.clip_norm)
    merged = {**state.hyper, **hyper}
    new = make_muon(init.layout, schedule=init.schedule, clip_norm=clip, **merged)
    return new, state._replace(hyper=dict(new.hyper))


def muon_next_lr(opt: Optimizer, state: MuonState) -> float:
    """Learning rate of the hidden matrices at the next update."""
    return float(opt.init.rates(state)[0])


NET_OPTIMIZERS: dict[str, OptimizerSpec] = {**OPTIMIZERS, "muon": MUON_SPEC}
"""Optimizers the network lab offers: the registry's plus Muon, which needs weight matrices."""
