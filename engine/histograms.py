"""Histograms moved onto shared bins, so layers and columns can be compared.

The engine bins each layer on its own edges, fixed at initialisation; :func:`shared_range`
gives one set of edges per activation and :func:`rebin` moves a histogram onto them.
"""

from __future__ import annotations

import numpy as np

from engine.nn.activations import activation_range

# Half-width of the shared range for unbounded activations: a few standard deviations of a
# unit-variance signal, the scale good initializers aim for.
UNBOUNDED_SPAN = 4.0


def shared_range(activation: str, params: dict | None = None) -> tuple[float, float]:
    """Value range of the shared bins for ``activation``.

    The activation's own range where it is bounded on both sides; otherwise that range cut to
    ``[-4, 4]`` (ReLU: ``[0, 4]``; ELU: ``[-alpha, 4]``).
    """
    lo, hi = activation_range(activation, dict(params or {}))
    lo = max(lo, -UNBOUNDED_SPAN)
    hi = min(hi, UNBOUNDED_SPAN)
    return float(lo), float(hi)


def rebin(hist: np.ndarray, edges: np.ndarray, new_edges: np.ndarray) -> np.ndarray:
    """Move a histogram onto other bins, assuming mass spread evenly within each old bin.

    Parameters
    ----------
    hist : ndarray, shape (k,)
        Mass per bin (any non-negative numbers).
    edges : ndarray, shape (k + 1,)
        Increasing edges of ``hist``.
    new_edges : ndarray, shape (m + 1,)
        Increasing edges to move to; mass below ``new_edges[0]`` goes to the first new bin,
        mass above ``new_edges[-1]`` to the last.

    Returns
    -------
    ndarray, shape (m,)
        Same total mass as ``hist``; equal to ``hist`` when the edges are the same.
    """
    h = np.asarray(hist, dtype=np.float64)
    if not np.isfinite(h).all():
        h = np.nan_to_num(h, nan=0.0, posinf=0.0)
    if edges.shape == new_edges.shape and np.array_equal(edges, new_edges):
        return h.copy()  # exact (differences of a cumulative sum would round)
    cdf = np.concatenate(([0.0], np.cumsum(h)))
    at = np.interp(new_edges, edges, cdf)
    at[0] = 0.0
    at[-1] = cdf[-1]
    return np.diff(at)
