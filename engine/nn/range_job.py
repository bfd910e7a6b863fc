"""One column's learning-rate range test and Muon spectra, read from a live comparison.

The network lab runs :func:`column_range_test` on its worker as a one-off job: the sweep
trains a *copy* of the column's current weights (the column itself is not disturbed) with
the column's optimizer and hyperparameters, only the learning rate swept
(:func:`engine.nn.lr_range.network_range_test`). :func:`muon_spectra` reads the singular
values of the last Muon update of each hidden matrix (``MuonState.spectra``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.nn.losses import MeanSquaredError, SoftmaxCrossEntropy
from engine.nn.lr_range import RangeTestResult, network_range_test
from engine.nn.mlp import MLP
from engine.nn.muon import MuonState

__all__ = [
    "RANGE_LR_MAX",
    "RANGE_LR_MIN",
    "RANGE_SKIP",
    "RANGE_STEPS",
    "LayerSpectrum",
    "column_range_test",
    "muon_spectra",
]

#: The sweep's span and length: 1e-6 .. 10 in 100 updates, as fastai's LR finder.
RANGE_LR_MIN = 1e-6
RANGE_LR_MAX = 10.0
RANGE_STEPS = 100
#: Points left out of the suggestion at the start and end, as fastai's ``lr_find``; the
#: suggestion is fastai's "valley" (a noisy start fools the steepest-slope rule).
RANGE_SKIP = (10, 5)


def column_setup(comp, i: int):
    """``(net, loss_fn, flat (1, P), bn_state)`` of column ``i``'s current weights (copies)."""
    cfg = comp.columns[i]
    params = comp.column_params(i)
    net = MLP(cfg.mlp)
    flat = np.zeros((1, net.n_params))
    for name, view in net.views(flat).items():
        view[...] = params[name]
    state = {k: np.array(v) for k, v in params.items() if k in net.init_state()}
    loss = MeanSquaredError() if comp.data.kind == "regression" else SoftmaxCrossEntropy()
    return net, loss, flat, state


def column_range_test(
    comp,
    i: int,
    *,
    seed: int = 0,
    lr_min: float = RANGE_LR_MIN,
    lr_max: float = RANGE_LR_MAX,
    n_steps: int = RANGE_STEPS,
) -> RangeTestResult:
    """Smith's range test from column ``i``'s current weights, on its training set.

    Parameters
    ----------
    comp : engine.nn.training.Comparison
    i : int
        Column index.
    seed : int
        Seed of the sweep's mini-batches (of the column's batch size).
    lr_min, lr_max, n_steps :
        The exponential sweep (:func:`engine.nn.lr_range.sweep_lrs`).

    Returns
    -------
    RangeTestResult
        ``lrs``, ``losses``, ``smoothed`` of shape (k,), ``suggested_lr``.

    Raises
    ------
    ValueError
        For a Muon column (its ``lr`` is in spectral units and has no plain-optimizer
        sweep), or invalid sweep settings.
    """
    cfg = comp.columns[i]
    if cfg.optimizer == "muon":
        raise ValueError(
            "range test: not available for muon (its lr is in spectral units); "
            "test an adamw column instead"
        )
    net, loss, flat, state = column_setup(comp, i)
    if not np.all(np.isfinite(flat)):
        raise ValueError("range test: the column's weights are not finite; reset it first")
    hyper = {k: v for k, v in cfg.hyper.items() if k != "lr"}
    with np.errstate(all="ignore"):
        return network_range_test(
            net,
            loss,
            comp.data.x_train,
            comp.data.y_train,
            flat,
            state,
            batch_size=cfg.batch_size,
            seed=seed,
            optimizer=cfg.optimizer,
            hyper=hyper,
            lr_min=lr_min,
            lr_max=lr_max,
            n_steps=n_steps,
            skip_start=RANGE_SKIP[0],
            skip_end=RANGE_SKIP[1],
            suggest="valley",
        )


@dataclass(frozen=True)
class LayerSpectrum:
    """Singular values of one hidden matrix's last Muon update.

    Attributes
    ----------
    name : str
        Parameter name (``"fc2.W"``).
    before, after : ndarray, shape (min(fan_in, fan_out),)
        Of the momentum update, and of its Newton-Schulz orthogonalisation (scaled by
        ``sqrt(max(1, fan_out / fan_in))``), largest first; read-only.
    """

    name: str
    before: np.ndarray
    after: np.ndarray


def muon_spectra(state) -> tuple[LayerSpectrum, ...]:
    """Each hidden matrix's spectra from a :class:`MuonState` (empty for other states)."""
    if not isinstance(state, MuonState):
        return ()
    out = []
    for name, (before, after) in state.spectra.items():
        b, a = np.array(before, dtype=np.float64), np.array(after, dtype=np.float64)
        b.flags.writeable = a.flags.writeable = False
        out.append(LayerSpectrum(name, b, a))
    return tuple(out)
