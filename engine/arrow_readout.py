"""The numbers behind the landscape's internals arrows, for a hover read-out.

The arrows' lengths on screen are compressed (see ``LandscapePanel._draw_internals``), so
hovering one shows the exact vectors at that head: the gradient, the update and the
momentum (velocity, or Adam's first moment), each with its length. Pure functions: the
panel only finds which arrow is under the mouse.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HOVER_PX", "arrow_readout", "nearest_arrow"]

#: How near (pixels) the mouse must be to an arrow's shaft for its read-out.
HOVER_PX = 8.0

NAMES = {"grad": "∇f", "update": "Δθ", "momentum": "m"}


def _vec(v: np.ndarray) -> str:
    x, y = (float(c) for c in np.asarray(v, dtype=np.float64).reshape(2))
    return f"({x:.4g}, {y:.4g})"


def _norm(v: np.ndarray) -> str:
    v = np.asarray(v, dtype=np.float64).reshape(2)
    with np.errstate(all="ignore"):
        return f"{float(np.hypot(v[0], v[1])):.4g}"


def arrow_readout(label: str, grad, update, momentum) -> str:
    """One line with the three vectors of one run's head and their lengths.

    Parameters
    ----------
    label : str
        The run's name.
    grad, update, momentum : array_like, shape (2,)
        ∇f at the head, the last update Δθ, and the momentum (velocity or first moment;
        NaN when the optimizer keeps none).

    Returns
    -------
    str
        e.g. ``"Adam · ∇f (1, -2) |∇f| 2.236 · Δθ (...) |Δθ| ... · m (...) |m| ..."``;
        a vector that is not finite is left out.
    """
    parts = [label]
    for kind, v in (("grad", grad), ("update", update), ("momentum", momentum)):
        v = np.asarray(v, dtype=np.float64).reshape(2)
        if np.all(np.isfinite(v)):
            name = NAMES[kind]
            parts.append(f"{name} {_vec(v)} |{name}| {_norm(v)}")
    return " · ".join(parts)


def nearest_arrow(
    point: tuple[float, float], shafts: np.ndarray, radius: float = HOVER_PX
) -> int | None:
    """Index of the arrow shaft nearest ``point``, if within ``radius``.

    Parameters
    ----------
    point : (float, float)
        Mouse position in pixels.
    shafts : ndarray, shape (k, 2, 2)
        Each arrow's head (start) and tip in pixels.
    radius : float

    Returns
    -------
    int or None
    """
    s = np.asarray(shafts, dtype=np.float64).reshape(-1, 2, 2)
    if s.size == 0:
        return None
    p = np.asarray(point, dtype=np.float64)
    a, b = s[:, 0], s[:, 1]
    ab = b - a
    with np.errstate(all="ignore"):
        t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.einsum("ij,ij->i", ab, ab), 0, 1)
    t = np.where(np.isfinite(t), t, 0.0)
    d = np.hypot(*(a + t[:, None] * ab - p).T)
    k = int(np.argmin(d))
    return k if d[k] <= radius else None
