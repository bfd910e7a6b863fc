"""The landscape base class and the helpers every surface shares.

Every landscape gives its value, analytic gradient and analytic Hessian, vectorised over
points of shape ``(..., 2)``, plus what a picture of it needs: a view window, a start point
chosen so that a race from it teaches something, and its known minima (and the saddles or
maxima worth marking) with their values.

Evaluation never raises or warns: an optimizer that diverges feeds points like ``1e200``,
where the value or gradient is honestly ``inf`` or ``nan``; all arithmetic runs under
``np.errstate(all="ignore")`` so that this is data, not an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# "reference" marks a point that is not stationary but worth showing (the regression's true line)
KINDS = ("global minimum", "local minimum", "saddle", "local maximum", "reference")


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient vanishes.

    Parameters
    ----------
    x, y : float
        Coordinates.
    value : float
        Function value there.
    kind : {"global minimum", "local minimum", "saddle", "local maximum", "reference"}
        ``"reference"`` is for a marked point that is not stationary (the regression
        landscape's true line).
    """

    x: float
    y: float
    value: float
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")

    @property
    def point(self) -> np.ndarray:
        """Coordinates as a float64 array of shape (2,)."""
        return np.array([self.x, self.y], dtype=np.float64)


def _as_points(p: Any, what: str = "p") -> np.ndarray:
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise ValueError(f"{what} must have shape (..., 2); got shape {arr.shape}")
    return arr


def _stable_sigmoid(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logistic sigmoid and its first two derivatives, without overflow or cancellation.

    Uses ``e = exp(-|z|) <= 1`` so nothing overflows; ``s' = e / (1 + e)^2`` is computed
    directly rather than as ``s (1 - s)``, which loses every digit once ``s`` rounds to 1;
    and ``1 - 2 s = -tanh(z / 2)``.
    """
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ds = e / (1.0 + e) ** 2
    d2s = -ds * np.tanh(0.5 * z)
    return s, ds, d2s


class Landscape:
    """A 2-D loss surface with exact derivatives; immutable once built.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"rosenbrock"``.
    title : str
        Human name, e.g. ``"Rosenbrock"``.
    description : str
        One to three sentences on what the surface teaches.
    window : tuple of 4 floats
        Default view ``(xmin, xmax, ymin, ymax)``.
    start : tuple of 2 floats
        Default start point of a race.
    log_scale : bool
        Whether a heatmap should colour ``log(f - f_min + eps)`` rather than ``f``.
    minima : tuple of CriticalPoint
        Known minima, global first.
    saddles : tuple of CriticalPoint
        Other stationary points worth marking: saddles and local maxima (``kind`` says which).
    stochastic : bool
        True when the surface is an average over data that mini-batches can sample.
    params : dict
        Constructor parameters actually used (a fresh JSON-serialisable copy on each access).

    Notes
    -----
    Subclasses implement ``_value(x, y)``, ``_grad(x, y) -> (gx, gy)`` and
    ``_hess(x, y) -> (hxx, hxy, hyy)`` on coordinate arrays; the public methods handle
    shapes, dtype and floating-point error state.
    """

    __slots__ = (
        "_params",
        "description",
        "log_scale",
        "minima",
        "name",
        "saddles",
        "start",
        "stochastic",
        "title",
        "window",
    )

    def __init__(
        self,
        *,
        name: str,
        title: str,
        description: str,
        window: tuple[float, float, float, float],
        start: tuple[float, float],
        log_scale: bool,
        params: dict[str, Any],
        minima: tuple[CriticalPoint, ...] = (),
        saddles: tuple[CriticalPoint, ...] = (),
        stochastic: bool = False,
    ) -> None:
        xmin, xmax, ymin, ymax = (float(v) for v in window)
        if not (xmin < xmax and ymin < ymax):
            raise ValueError(f"{name}: window must satisfy xmin < xmax and ymin < ymax")
        self._set("name", name)
        self._set("title", title)
        self._set("description", description)
        self._set("window", (xmin, xmax, ymin, ymax))
        self._set("start", (float(start[0]), float(start[1])))
        self._set("log_scale", bool(log_scale))
        self._set("_params", dict(params))
        self._set("minima", tuple(minima))
        self._set("saddles", tuple(saddles))
        self._set("stochastic", bool(stochastic))

    def _set(self, attr: str, value: Any) -> None:
        object.__setattr__(self, attr, value)

    def __setattr__(self, attr: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {attr!r}")

    def __delattr__(self, attr: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot delete {attr!r}")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"<Landscape {self.name}({args})>"

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @property
    def f_min(self) -> float:
        """Lowest known value, or nan when none is known (a surface unbounded below)."""
        if not self.minima:
            return math.nan
        return min(m.value for m in self.minima)

    # -- evaluation -------------------------------------------------------------------------

    def value(self, p: np.ndarray) -> np.ndarray:
        """Function value.

        Parameters
        ----------
        p : array_like, shape (..., 2)
            Points; ``p[..., 0]`` is x, ``p[..., 1]`` is y.

        Returns
        -------
        ndarray, shape (...)
            float64; ``inf`` or ``nan`` far outside the window, never a warning.
        """
        p = _as_points(p)
        with np.errstate(all="ignore"):
            v = self._value(p[..., 0], p[..., 1])
        return np.broadcast_to(np.asarray(v, dtype=np.float64), p.shape[:-1]).copy()

    def grad(self, p: np.ndarray) -> np.ndarray:
        """Analytic gradient.

        Parameters
        ----------
        p : array_like, shape (..., 2)

        Returns
        -------
        ndarray, shape (..., 2)
            ``[..., 0]`` is df/dx, ``[..., 1]`` is df/dy.
        """
        p = _as_points(p)
        # the points' memory layout: column-major points (a basin map's) give a gradient
        # whose x and y columns are contiguous too, so the optimizer's arithmetic is
        out = np.empty_like(p)
        with np.errstate(all="ignore"):
            gx, gy = self._grad(p[..., 0], p[..., 1])
        out[..., 0] = gx
        out[..., 1] = gy
        return out

    def hessian(self, p: np.ndarray) -> np.ndarray:
        """Analytic Hessian.

        Parameters
        ----------
        p : array_like, shape (..., 2)

        Returns
        -------
        ndarray, shape (..., 2, 2)
            Symmetric matrices of second derivatives.
        """
        p = _as_points(p)
        out = np.empty((*p.shape, 2), dtype=np.float64)
        with np.errstate(all="ignore"):
            hxx, hxy, hyy = self._hess(p[..., 0], p[..., 1])
        out[..., 0, 0] = hxx
        out[..., 0, 1] = hxy
        out[..., 1, 0] = hxy
        out[..., 1, 1] = hyy
        return out

    def grid(
        self, nx: int, ny: int, window: tuple[float, float, float, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sample the surface on a regular grid for a heatmap or contour plot.

        Parameters
        ----------
        nx, ny : int
            Number of samples along x and y (each >= 2).
        window : tuple of 4 floats, optional
            ``(xmin, xmax, ymin, ymax)``; defaults to :attr:`window`.

        Returns
        -------
        xs : ndarray, shape (nx,)
        ys : ndarray, shape (ny,)
        Z : ndarray, shape (ny, nx)
            Row-major: ``Z[j, i] = f(xs[i], ys[j])``.
        """
        for label, n in (("nx", nx), ("ny", ny)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
                raise ValueError(f"{label} must be an integer >= 2; got {n!r}")
        if window is None:
            window = self.window
        try:
            xmin, xmax, ymin, ymax = (float(v) for v in window)
        except (TypeError, ValueError):
            raise ValueError(f"window must be four numbers; got {window!r}") from None
        if not all(math.isfinite(v) for v in (xmin, xmax, ymin, ymax)) or not (
            xmin < xmax and ymin < ymax
        ):
            raise ValueError(
                f"window must be finite with xmin < xmax and ymin < ymax; got {window!r}"
            )
        xs = np.linspace(xmin, xmax, int(nx))
        ys = np.linspace(ymin, ymax, int(ny))
        pts = np.empty((int(ny), int(nx), 2), dtype=np.float64)
        pts[..., 0] = xs[None, :]
        pts[..., 1] = ys[:, None]
        return xs, ys, self.value(pts)

    # -- for subclasses ---------------------------------------------------------------------

    def _value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        raise NotImplementedError

    def _hess(self, x: np.ndarray, y: np.ndarray) -> tuple[Any, Any, Any]:
        raise NotImplementedError

    def _polish(self, x: float, y: float) -> tuple[float, float]:
        """Refine an approximate stationary point by Newton's method on the exact gradient."""
        p = np.array([x, y], dtype=np.float64)
        for _ in range(100):
            step = np.linalg.solve(self.hessian(p), self.grad(p))
            p = p - step
            if np.max(np.abs(step)) <= 4e-16 * (1.0 + np.max(np.abs(p))):
                break
        return float(p[0]), float(p[1])

    def _critical(
        self, x: float, y: float, kind: str, value: float | None = None, polish: bool = True
    ) -> CriticalPoint:
        """A CriticalPoint from an approximation; ``value`` given when known exactly."""
        if polish:
            x, y = self._polish(x, y)
        if value is None:
            value = float(self.value(np.array([x, y])))
        return CriticalPoint(float(x), float(y), float(value), kind)


def hessian_verdict(h: np.ndarray, tol: float = 1e-9) -> tuple[np.ndarray, str]:
    """Classify a stationary point by the eigenvalues of its Hessian.

    Parameters
    ----------
    h : array_like, shape (2, 2)
        Hessian (symmetrised before use).
    tol : float
        An eigenvalue counts as zero when ``|lambda| <= tol * max(1, max|lambda|)``.

    Returns
    -------
    eigenvalues : ndarray, shape (2,)
        Ascending; ``nan`` if ``h`` is not finite.
    verdict : {"minimum", "maximum", "saddle", "degenerate"}
        ``"degenerate"`` when an eigenvalue is zero (the second-order test cannot decide,
        as at the monkey saddle's origin) or ``h`` is not finite.
    """
    h = np.asarray(h, dtype=np.float64)
    if h.shape != (2, 2):
        raise ValueError(f"h must have shape (2, 2); got shape {h.shape}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0; got {tol!r}")
    if not np.all(np.isfinite(h)):
        return np.full(2, np.nan), "degenerate"
    eig = np.linalg.eigvalsh(0.5 * (h + h.T))
    zero = tol * max(1.0, float(np.max(np.abs(eig))))
    if np.min(np.abs(eig)) <= zero:
        return eig, "degenerate"
    if eig[0] > 0:
        return eig, "minimum"
    if eig[1] < 0:
        return eig, "maximum"
    return eig, "saddle"


# What the curvature means, by the sign pattern of the Hessian's eigenvalues. Where the
# gradient vanishes it is a verdict (minimum, maximum, saddle); anywhere else it only
# describes the shape of the surface under the point, so the words differ on purpose.
_STATIONARY_TEXT = {
    "minimum": "MINIMUM: curves up in every direction",
    "maximum": "MAXIMUM: curves down in every direction",
    "saddle": "SADDLE: curves up one way, down the other",
    "degenerate": "flat along one direction: the second-order test cannot decide",
}
_SHAPE_TEXT = {
    "bowl": "bowl-shaped here: curves up in every direction",
    "dome": "dome-shaped here (a hilltop or ridge): curves down in every direction",
    "saddle-shaped": "saddle-shaped here: curves up one way, down the other",
    "trough": "trough-shaped here: flat along one direction, curves up across it",
    "ridge": "ridge-shaped here: flat along one direction, curves down across it",
    "flat": "flat here: no curvature in any direction",
    "unknown": "curvature unknown here (the Hessian is not finite)",
}


def _short(v: float) -> str:
    # Exactly zero prints as 0, never as 0.000e+00.
    if v == 0:
        return "0"
    a = abs(v)
    return f"{v:.4g}" if 1e-3 <= a < 1e5 else f"{v:.3e}"


def describe_point(grad: np.ndarray, hessian: np.ndarray, rtol: float = 1e-6) -> tuple[str, str]:
    """What a point is, said truthfully: a verdict only where the gradient vanishes.

    The second-order test (:func:`hessian_verdict`) classifies *stationary* points. On a
    point with a non-zero gradient the Hessian only describes the local shape of the
    surface (a bowl is not a minimum when the ball is still rolling), so such a point is
    reported as "not a stationary point (|∇f| = …)" followed by that shape.

    Parameters
    ----------
    grad : array_like, shape (2,)
        Gradient at the point.
    hessian : array_like, shape (2, 2)
        Hessian at the point (symmetrised before use).
    rtol : float
        The gradient counts as zero when ``|∇f| <= rtol * max(1, max|λ|)``: relative to
        the curvature, so that a minimum given to 6 decimals (a published Himmelblau
        minimum) is still one, on steep and on flat surfaces alike.

    Returns
    -------
    kind : str
        For a stationary point ``"minimum"``, ``"maximum"``, ``"saddle"`` or
        ``"degenerate"``; otherwise the local shape: ``"bowl"``, ``"dome"``,
        ``"saddle-shaped"``, ``"trough"``, ``"ridge"``, ``"flat"`` or ``"unknown"``.
    text : str
        Two lines for a person: whether it is stationary, then the verdict or shape.

    Raises
    ------
    ValueError
        If the shapes are wrong or ``rtol`` is not a finite number >= 0.
    """
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != (2,):
        raise ValueError(f"grad must have shape (2,); got shape {g.shape}")
    if not (isinstance(rtol, (int, float)) and math.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol must be a finite number >= 0; got {rtol!r}")
    eig, verdict = hessian_verdict(hessian)
    gn = float(np.hypot(g[0], g[1]))
    finite = bool(np.all(np.isfinite(eig)))
    scale = max(1.0, float(np.max(np.abs(eig)))) if finite else 1.0
    if math.isfinite(gn) and gn <= rtol * scale:
        head = "a stationary point (∇f = 0)"
        return verdict, f"{head}\n{_STATIONARY_TEXT[verdict]}"
    head = f"not a stationary point (|∇f| = {_short(gn)})"
    if not finite:
        kind = "unknown"
    else:
        zero = 1e-9 * scale
        lo, hi = float(eig[0]), float(eig[1])
        if abs(lo) <= zero and abs(hi) <= zero:
            kind = "flat"
        elif abs(lo) <= zero or abs(hi) <= zero:
            kind = "trough" if max(lo, hi) > zero else "ridge"
        elif lo > 0:
            kind = "bowl"
        elif hi < 0:
            kind = "dome"
        else:
            kind = "saddle-shaped"
    return kind, f"{head}\n{_SHAPE_TEXT[kind]}"


def nearest_minimum(landscape: Landscape, p: np.ndarray) -> tuple[CriticalPoint | None, float]:
    """The known minimum closest to ``p`` and its Euclidean distance.

    Parameters
    ----------
    landscape : Landscape
    p : array_like, shape (2,)

    Returns
    -------
    minimum : CriticalPoint or None
        None when the landscape has no known minima or ``p`` is not finite.
    distance : float
        ``nan`` when there are no known minima; ``inf`` when ``p`` is not finite.
    """
    p = np.asarray(p, dtype=np.float64)
    if p.shape != (2,):
        raise ValueError(f"p must have shape (2,); got shape {p.shape}")
    if not landscape.minima:
        return None, math.nan
    if not np.all(np.isfinite(p)):
        return None, math.inf
    with np.errstate(all="ignore"):
        d = [math.hypot(p[0] - m.x, p[1] - m.y) for m in landscape.minima]
    i = int(np.argmin(d))
    return landscape.minima[i], float(d[i])
