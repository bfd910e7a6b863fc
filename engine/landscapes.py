"""Two-dimensional loss surfaces for optimizer races.

Every landscape gives its value, analytic gradient and analytic Hessian, vectorised over
points of shape ``(..., 2)``, plus what a picture of it needs: a view window, a start point
chosen so that a race from it teaches something, and its known minima (and the saddles or
maxima worth marking) with their values.

Formulas and published minima follow the survey of Jamil & Yang (2013), "A literature survey
of benchmark functions for global optimization problems", and Surjanovic & Bingham's Virtual
Library of Simulation Experiments (Simon Fraser University). Critical points that are not
known in closed form are refined from their published approximations by Newton's method on
the analytic gradient and Hessian when a landscape is built, so they are exact to float64.

Evaluation never raises or warns: an optimizer that diverges feeds points like ``1e200``,
where the value or gradient is honestly ``inf`` or ``nan``; all arithmetic runs under
``np.errstate(all="ignore")`` so that this is data, not an error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.params import ParamSpec, validate_params

__all__ = [
    "LANDSCAPES",
    "CriticalPoint",
    "Landscape",
    "LandscapeSpec",
    "hessian_verdict",
    "list_landscapes",
    "make_landscape",
    "nearest_minimum",
]

# "reference" marks a point that is not stationary but worth showing (the regression's true line)
KINDS = ("global minimum", "local minimum", "saddle", "local maximum", "reference")
_TWO_PI = 2.0 * math.pi


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
        out = np.empty(p.shape, dtype=np.float64)
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


# ---------------------------------------------------------------------------------------------
# Classic test functions
# ---------------------------------------------------------------------------------------------


class Rosenbrock(Landscape):
    """Rosenbrock's banana valley, ``f = (a - x)^2 + b (y - x^2)^2``.

    Global minimum 0 at ``(a, a^2)``. The start ``(-1.2, 1)`` is Rosenbrock's (1960).
    """

    __slots__ = ("_a", "_b")

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self._set("_a", float(a))
        self._set("_b", float(b))
        a2 = a * a
        super().__init__(
            name="rosenbrock",
            title="Rosenbrock",
            description=(
                "A long, narrow, curved valley: finding the valley is easy, following its "
                "gently sloping floor to the minimum at (a, a²) is slow, because the walls are "
                "far steeper than the floor (b sets how much). Plain gradient descent "
                "zig-zags across; momentum and adaptive methods travel along it."
            ),
            window=(min(-2.0, a - 1.0), max(2.0, a + 1.0), min(-1.0, a2 - 1.0), max(3.0, a2 + 1.0)),
            start=(-1.2, 1.0),
            log_scale=True,
            params={"a": float(a), "b": float(b)},
            minima=(CriticalPoint(float(a), float(a2), 0.0, "global minimum"),),
        )

    def _value(self, x, y):
        return (self._a - x) ** 2 + self._b * (y - x * x) ** 2

    def _grad(self, x, y):
        r = y - x * x
        return -2.0 * (self._a - x) - 4.0 * self._b * x * r, 2.0 * self._b * r

    def _hess(self, x, y):
        b = self._b
        return 2.0 - 4.0 * b * (y - x * x) + 8.0 * b * x * x, -4.0 * b * x, 2.0 * b + 0.0 * x


class Beale(Landscape):
    """Beale's function, ``f = sum_i (c_i - x + x y^i)^2`` with ``c = (1.5, 2.25, 2.625)``.

    Global minimum 0 at ``(3, 0.5)``; saddles at ``(0, 1)`` (value 14.203125) and near
    ``(0.1005, -2.6445)`` (value about 9.8645). As ``x -> -inf`` along ``y ~ 1`` a valley
    descends towards about 0.45 without a minimum, which can lure runs away.
    """

    __slots__ = ()
    _C = (1.5, 2.25, 2.625)

    def __init__(self) -> None:
        super().__init__(
            name="beale",
            title="Beale",
            description=(
                "Flat, nearly level shelves meet walls that climb by five orders of magnitude, "
                "so gradient sizes differ enormously from place to place: a learning rate safe "
                "on the walls crawls on the shelves. Methods that rescale the step per "
                "coordinate cope far better than plain gradient descent."
            ),
            window=(-4.5, 4.5, -4.5, 4.5),
            start=(1.0, 1.5),
            log_scale=True,
            params={},
            minima=(CriticalPoint(3.0, 0.5, 0.0, "global minimum"),),
        )
        self._set(
            "saddles",
            (
                CriticalPoint(0.0, 1.0, 1.5**2 + 2.25**2 + 2.625**2, "saddle"),
                self._critical(0.100538, -2.644514, "saddle"),
            ),
        )

    def _terms(self, x, y):
        # u_i = c_i - x + x y^i; du/dx = y^i - 1; du/dy = i x y^(i-1)
        y1 = np.ones_like(y)
        out = []
        for i, c in enumerate(self._C, start=1):
            yi = y1 * y
            out.append((i, c - x + x * yi, yi - 1.0, i * x * y1, y1))
            y1 = yi
        return out  # (i, u, u_x, u_y, y^(i-1))

    def _value(self, x, y):
        return sum(u * u for _, u, _, _, _ in self._terms(x, y))

    def _grad(self, x, y):
        gx = gy = 0.0
        for _, u, ux, uy, _ in self._terms(x, y):
            gx = gx + 2.0 * u * ux
            gy = gy + 2.0 * u * uy
        return gx, gy

    def _hess(self, x, y):
        hxx = hxy = hyy = 0.0
        for i, u, ux, uy, yim1 in self._terms(x, y):
            # second derivatives of u_i: u_xx = 0, u_xy = i y^(i-1), u_yy = i (i-1) x y^(i-2)
            uxy = i * yim1
            uyy = i * (i - 1) * x * (y ** (i - 2) if i >= 2 else 0.0)
            hxx = hxx + 2.0 * ux * ux
            hxy = hxy + 2.0 * (ux * uy + u * uxy)
            hyy = hyy + 2.0 * (uy * uy + u * uyy)
        return hxx, hxy, hyy


class Booth(Landscape):
    """Booth's function, ``f = (x + 2y - 7)^2 + (2x + y - 5)^2``; minimum 0 at ``(1, 3)``."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(
            name="booth",
            title="Booth",
            description=(
                "A plain quadratic bowl, tilted and stretched (Hessian eigenvalues 2 and 18). "
                "Every method should succeed here; it is the baseline against which the "
                "harder surfaces are judged."
            ),
            window=(-10.0, 10.0, -10.0, 10.0),
            start=(-8.0, -6.0),
            log_scale=True,
            params={},
            minima=(CriticalPoint(1.0, 3.0, 0.0, "global minimum"),),
        )

    def _value(self, x, y):
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def _grad(self, x, y):
        u = x + 2.0 * y - 7.0
        v = 2.0 * x + y - 5.0
        return 2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v

    def _hess(self, x, y):
        z = 0.0 * (x + y)
        return 10.0 + z, 8.0 + z, 10.0 + z


class Himmelblau(Landscape):
    """Himmelblau's function, ``f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2``.

    Four global minima of value 0, one local maximum and four saddles.
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(
            name="himmelblau",
            title="Himmelblau",
            description=(
                "Four equally good minima: which one a run reaches depends on where it starts "
                "and how it moves, not on how good the optimizer is. Between them sit four "
                "saddles and one hill top."
            ),
            window=(-5.0, 5.0, -5.0, 5.0),
            start=(0.2, -1.0),
            log_scale=True,
            params={},
        )
        mins = (
            CriticalPoint(3.0, 2.0, 0.0, "global minimum"),
            self._critical(-2.805118, 3.131312, "global minimum", value=0.0),
            self._critical(-3.779310, -3.283186, "global minimum", value=0.0),
            self._critical(3.584428, -1.848126, "global minimum", value=0.0),
        )
        others = (
            self._critical(-0.270845, -0.923039, "local maximum"),
            self._critical(0.086678, 2.884255, "saddle"),
            self._critical(3.385154, 0.073852, "saddle"),
            self._critical(-3.073026, -0.081353, "saddle"),
            self._critical(-0.127961, -1.953715, "saddle"),
        )
        self._set("minima", mins)
        self._set("saddles", others)

    def _value(self, x, y):
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def _grad(self, x, y):
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v

    def _hess(self, x, y):
        return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y * y + 4.0 * x - 26.0


class Rastrigin(Landscape):
    """Rastrigin's function in 2-D, ``f = 2A + sum_i (x_i^2 - A cos(2 pi x_i))``.

    Global minimum 0 at the origin; a local minimum near every integer point.
    """

    __slots__ = ("_A",)

    def __init__(self, A: float = 10.0) -> None:
        self._set("_A", float(A))
        super().__init__(
            name="rastrigin",
            title="Rastrigin",
            description=(
                "A bowl covered in a regular egg-crate of local minima, one near every point "
                "with integer coordinates. Small steps get caught in the nearest dimple; only "
                "large steps or momentum carry a run over the ridges towards the centre."
            ),
            window=(-5.12, 5.12, -5.12, 5.12),
            start=(-2.7, 0.7),
            log_scale=False,
            params={"A": float(A)},
            minima=(CriticalPoint(0.0, 0.0, 0.0, "global minimum"),),
        )

    def _value(self, x, y):
        A = self._A
        return 2.0 * A + x * x + y * y - A * (np.cos(_TWO_PI * x) + np.cos(_TWO_PI * y))

    def _grad(self, x, y):
        k = _TWO_PI * self._A
        return 2.0 * x + k * np.sin(_TWO_PI * x), 2.0 * y + k * np.sin(_TWO_PI * y)

    def _hess(self, x, y):
        k = _TWO_PI * _TWO_PI * self._A
        return 2.0 + k * np.cos(_TWO_PI * x), 0.0 * (x + y), 2.0 + k * np.cos(_TWO_PI * y)


class Ackley(Landscape):
    """Ackley's function in 2-D (a=20, b=0.2, c=2 pi).

    ``f = -20 exp(-0.2 sqrt((x^2 + y^2) / 2)) - exp((cos 2 pi x + cos 2 pi y) / 2) + 20 + e``.
    Global minimum 0 at the origin, where the first term is a cone point: there we return
    the gradient 0 (the cone's smallest subgradient) and the Hessian of the smooth cosine term
    alone, ``2 pi^2 e I``, since the cone's own curvature diverges like 1/r.
    """

    __slots__ = ()
    _C = 0.2 / math.sqrt(2.0)  # exp(-0.2 sqrt(r^2/2)) = exp(-_C r)

    def __init__(self) -> None:
        super().__init__(
            name="ackley",
            title="Ackley",
            description=(
                "A nearly flat outer plain riddled with small local minima, around a single "
                "deep funnel whose tip is a sharp point. Far from the centre the gradient "
                "mostly points into the nearest dimple, not towards the funnel."
            ),
            window=(-4.0, 4.0, -4.0, 4.0),
            start=(-2.67, 0.67),
            log_scale=False,
            params={},
            minima=(CriticalPoint(0.0, 0.0, 0.0, "global minimum"),),
        )

    def _value(self, x, y):
        # 20 (1 - exp(-c r)) + e (1 - exp(h - 1)) with h - 1 = -(sin^2 pi x + sin^2 pi y):
        # the same function as the textbook form, but exactly 0 at the origin and accurate
        # near it, where the textbook form cancels 20 + e against itself
        r = np.hypot(x, y)
        s2 = np.sin(math.pi * x) ** 2 + np.sin(math.pi * y) ** 2
        return -20.0 * np.expm1(-self._C * r) - math.e * np.expm1(-s2)

    def _cone(self, x, y):
        r = np.hypot(x, y)
        safe = np.where(r > 0.0, r, 1.0)
        # 20 c exp(-c r) / r, zero at the origin (where the cone term's gradient is singular)
        w = np.where(r > 0.0, 20.0 * self._C * np.exp(-self._C * r) / safe, 0.0)
        return r, safe, w

    def _grad(self, x, y):
        _, _, w = self._cone(x, y)
        e = np.exp(0.5 * (np.cos(_TWO_PI * x) + np.cos(_TWO_PI * y)))
        return (
            w * x + math.pi * np.sin(_TWO_PI * x) * e,
            w * y + math.pi * np.sin(_TWO_PI * y) * e,
        )

    def _hess(self, x, y):
        r, safe, w = self._cone(x, y)
        # cone term w I - w (1/r + c) u u^T / r, written with the unit vector (ux, uy) and
        # 1 - ux^2 = uy^2 so that nothing like 1/r^2 overflows just off the origin
        ux, uy = x / safe, y / safe
        v = np.where(r > 0.0, 20.0 * self._C**2 * np.exp(-self._C * r), 0.0)
        sx, sy = np.sin(_TWO_PI * x), np.sin(_TWO_PI * y)
        cx, cy = np.cos(_TWO_PI * x), np.cos(_TWO_PI * y)
        e = np.exp(0.5 * (cx + cy))
        pi2 = math.pi**2

        # at subnormal radii w overflows to inf (the true curvature exceeds float64); keep
        # inf * 0 from turning the zero terms into nan
        def times(a, b):
            return np.where(b == 0.0, 0.0, a * b)

        return (
            times(w, uy * uy) - v * ux * ux + pi2 * e * (2.0 * cx - sx * sx),
            -times(w + v, ux * uy) - pi2 * e * sx * sy,
            times(w, ux * ux) - v * uy * uy + pi2 * e * (2.0 * cy - sy * sy),
        )


class GoldsteinPrice(Landscape):
    """Goldstein-Price function, ``f = A(x, y) C(x, y)`` with

    ``A = 1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)`` and
    ``C = 30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)``.
    Global minimum 3 at ``(0, -1)``; local minima 30 at ``(-0.6, -0.4)``, 84 at
    ``(1.8, 0.2)`` and 840 at ``(1.2, 0.8)``; saddles 35 at ``(-0.4, -0.6)``, 99 at
    ``(1.2, -0.2)``, 990 at ``(0.6, 0.4)`` and 980 at ``(1.4, 0.6)``; a local maximum 1155 at
    ``(0.8, 0.2)`` (all exact, checked in rational arithmetic).
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(
            name="goldstein_price",
            title="Goldstein-Price",
            description=(
                "Values span six orders of magnitude across the square. Two narrow valleys "
                "cross at a local minimum; the global one lies further along one of them, "
                "with two more local minima nearby. A test of whether a step size survives "
                "huge gradients and still settles in the right basin."
            ),
            window=(-2.0, 2.0, -2.0, 2.0),
            start=(-1.0, 0.0),
            log_scale=True,
            params={},
        )
        # every stationary point in the window lies on a decimal grid, with an integer value
        self._set(
            "minima",
            (
                CriticalPoint(0.0, -1.0, 3.0, "global minimum"),
                CriticalPoint(-0.6, -0.4, 30.0, "local minimum"),
                CriticalPoint(1.8, 0.2, 84.0, "local minimum"),
                CriticalPoint(1.2, 0.8, 840.0, "local minimum"),
            ),
        )
        self._set(
            "saddles",
            (
                CriticalPoint(-0.4, -0.6, 35.0, "saddle"),
                CriticalPoint(1.2, -0.2, 99.0, "saddle"),
                CriticalPoint(0.6, 0.4, 990.0, "saddle"),
                CriticalPoint(1.4, 0.6, 980.0, "saddle"),
                CriticalPoint(0.8, 0.2, 1155.0, "local maximum"),
            ),
        )

    @staticmethod
    def _parts(x, y):
        a = x + y + 1.0
        B = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
        Bx = -14.0 + 6.0 * x + 6.0 * y
        b = 2.0 * x - 3.0 * y
        D = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
        Dx = -32.0 + 24.0 * x - 36.0 * y
        Dy = 48.0 - 36.0 * x + 54.0 * y
        return a, B, Bx, b, D, Dx, Dy

    def _value(self, x, y):
        a, B, _, b, D, _, _ = self._parts(x, y)
        return (1.0 + a * a * B) * (30.0 + b * b * D)

    def _first(self, x, y):
        a, B, Bx, b, D, Dx, Dy = self._parts(x, y)
        A = 1.0 + a * a * B
        C = 30.0 + b * b * D
        # a_x = a_y = 1 and B_x = B_y; b_x = 2, b_y = -3
        Ai = 2.0 * a * B + a * a * Bx
        Cx = 4.0 * b * D + b * b * Dx
        Cy = -6.0 * b * D + b * b * Dy
        return a, B, Bx, b, D, Dx, Dy, A, C, Ai, Cx, Cy

    def _grad(self, x, y):
        *_, A, C, Ai, Cx, Cy = self._first(x, y)
        return Ai * C + A * Cx, Ai * C + A * Cy

    def _hess(self, x, y):
        a, B, Bx, b, D, Dx, Dy, A, C, Ai, Cx, Cy = self._first(x, y)
        # A_ij = 2 B + 4 a B_x + 6 a^2 for every (i, j): a_i = 1, B_x = B_y, B_ij = 6
        Aij = 2.0 * B + 4.0 * a * Bx + 6.0 * a * a
        # C_ij = 2 b_i b_j D + 2 b (b_i D_j + b_j D_i) + b^2 D_ij, D_xx=24, D_xy=-36, D_yy=54
        Cxx = 8.0 * D + 8.0 * b * Dx + 24.0 * b * b
        Cxy = -12.0 * D + 2.0 * b * (2.0 * Dy - 3.0 * Dx) - 36.0 * b * b
        Cyy = 18.0 * D - 12.0 * b * Dy + 54.0 * b * b
        return (
            Aij * C + 2.0 * Ai * Cx + A * Cxx,
            Aij * C + Ai * Cy + Ai * Cx + A * Cxy,
            Aij * C + 2.0 * Ai * Cy + A * Cyy,
        )


class SixHumpCamel(Landscape):
    """Six-hump camel function, ``f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (4y^2 - 4) y^2``.

    Two global minima -1.0316284534898774 at about ``(0.0898, -0.7126)`` and
    ``(-0.0898, 0.7126)``, four local minima, seven saddles (one at the origin, between the
    two best) and two local maxima: fifteen stationary points in the window.
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(
            name="six_hump_camel",
            title="Six-hump camel",
            description=(
                "Six minima of three different depths, two of them tied for best and "
                "separated by a saddle at the origin. Runs started close together can end in "
                "different basins, and a run that settles has not necessarily found the best."
            ),
            window=(-2.5, 2.5, -1.5, 1.5),
            start=(-1.9, 1.2),
            log_scale=False,
            params={},
        )
        mins = (
            self._critical(0.0898, -0.7126, "global minimum"),
            self._critical(-0.0898, 0.7126, "global minimum"),
            self._critical(-1.7036, 0.7961, "local minimum"),
            self._critical(1.7036, -0.7961, "local minimum"),
            self._critical(1.6071, 0.5687, "local minimum"),
            self._critical(-1.6071, -0.5687, "local minimum"),
        )
        self._set("minima", mins)
        self._set(
            "saddles",
            (
                CriticalPoint(0.0, 0.0, 0.0, "saddle"),
                self._critical(1.109205, -0.768268, "saddle"),
                self._critical(-1.109205, 0.768268, "saddle"),
                self._critical(1.638068, 0.228674, "saddle"),
                self._critical(-1.638068, -0.228674, "saddle"),
                self._critical(1.29607, 0.605084, "saddle"),
                self._critical(-1.29607, -0.605084, "saddle"),
                self._critical(1.23023, 0.162335, "local maximum"),
                self._critical(-1.23023, -0.162335, "local maximum"),
            ),
        )

    def _value(self, x, y):
        x2, y2 = x * x, y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2

    def _grad(self, x, y):
        x2 = x * x
        return 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y

    def _hess(self, x, y):
        x2 = x * x
        return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0 + 0.0 * (x + y), -8.0 + 48.0 * y * y


class StyblinskiTang(Landscape):
    """Styblinski-Tang in 2-D, ``f = (x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y) / 2``.

    Per coordinate the stationary points are the three roots of ``4t^3 - 32t + 5 = 0``:
    ``t1 ~ -2.903534`` and ``t3 ~ 2.746803`` are minima, ``t2 ~ 0.156731`` a maximum. Their
    products give the global minimum ``(t1, t1)`` ~ -78.332, three local minima, four saddles
    and a local maximum.
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(
            name="styblinski_tang",
            title="Styblinski-Tang",
            description=(
                "Four basins of different depth laid out on a grid. A start just past the "
                "central hump slides into the shallowest basin; reaching the deepest one in "
                "the opposite corner takes a step or momentum large enough to cross a ridge."
            ),
            window=(-5.0, 5.0, -5.0, 5.0),
            start=(0.5, 0.6),
            log_scale=False,
            params={},
        )
        roots = np.sort(np.roots([4.0, 0.0, -32.0, 5.0]).real)
        t = [self._root(r) for r in roots]
        lo, mid, hi = t
        mins = (
            self._critical(lo, lo, "global minimum", polish=False),
            self._critical(lo, hi, "local minimum", polish=False),
            self._critical(hi, lo, "local minimum", polish=False),
            self._critical(hi, hi, "local minimum", polish=False),
        )
        others = (
            self._critical(mid, mid, "local maximum", polish=False),
            self._critical(lo, mid, "saddle", polish=False),
            self._critical(mid, lo, "saddle", polish=False),
            self._critical(hi, mid, "saddle", polish=False),
            self._critical(mid, hi, "saddle", polish=False),
        )
        self._set("minima", mins)
        self._set("saddles", others)

    @staticmethod
    def _root(t: float) -> float:
        """Newton-polish a root of the per-coordinate derivative 2t^3 - 16t + 2.5."""
        for _ in range(20):
            step = (2.0 * t**3 - 16.0 * t + 2.5) / (6.0 * t * t - 16.0)
            t -= step
            if abs(step) <= 4e-16 * (1.0 + abs(t)):
                break
        return float(t)

    def _value(self, x, y):
        x2, y2 = x * x, y * y
        return 0.5 * (x2 * x2 - 16.0 * x2 + 5.0 * x + y2 * y2 - 16.0 * y2 + 5.0 * y)

    def _grad(self, x, y):
        return 2.0 * x**3 - 16.0 * x + 2.5, 2.0 * y**3 - 16.0 * y + 2.5

    def _hess(self, x, y):
        return 6.0 * x * x - 16.0, 0.0 * (x + y), 6.0 * y * y - 16.0


# ---------------------------------------------------------------------------------------------
# Surfaces built for one lesson
# ---------------------------------------------------------------------------------------------


class Saddle(Landscape):
    """The plain saddle ``f = x^2 - y^2``: a saddle at the origin, unbounded below."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(
            name="saddle",
            title="Saddle x² − y²",
            description=(
                "Downhill along y, uphill along x. A run started almost exactly on the x axis "
                "heads straight for the saddle point and lingers there, because the escape "
                "direction has almost no gradient; noise or momentum gets it out sooner. The "
                "surface has no minimum, so every successful run leaves the picture."
            ),
            window=(-2.0, 2.0, -2.0, 2.0),
            start=(-1.5, 1e-3),
            log_scale=False,
            params={},
            saddles=(CriticalPoint(0.0, 0.0, 0.0, "saddle"),),
        )

    def _value(self, x, y):
        return x * x - y * y

    def _grad(self, x, y):
        return 2.0 * x, -2.0 * y

    def _hess(self, x, y):
        z = 0.0 * (x + y)
        return 2.0 + z, z, -2.0 + z


class MonkeySaddle(Landscape):
    """The monkey saddle ``f = x^3 - 3 x y^2``: a degenerate saddle at the origin.

    The Hessian vanishes there, so the second-order test cannot classify it; three valleys
    (for the monkey's legs and tail) run downhill between three ridges.
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(
            name="monkey_saddle",
            title="Monkey saddle x³ − 3xy²",
            description=(
                "A saddle with three downhill valleys instead of two, where even the curvature "
                "vanishes: the gradient shrinks like the square of the distance, so runs "
                "approaching along a ridge slow to a crawl. The Hessian test calls it "
                "degenerate. Unbounded below."
            ),
            window=(-1.5, 1.5, -1.5, 1.5),
            start=(1.2, 0.05),
            log_scale=False,
            params={},
            saddles=(CriticalPoint(0.0, 0.0, 0.0, "saddle"),),
        )

    def _value(self, x, y):
        return x**3 - 3.0 * x * y * y

    def _grad(self, x, y):
        return 3.0 * (x * x - y * y), -6.0 * x * y

    def _hess(self, x, y):
        return 6.0 * x, -6.0 * y, -6.0 * x


class Bowl(Landscape):
    """An ill-conditioned quadratic bowl, ``f = (u^2 + kappa v^2) / 2``.

    ``(u, v)`` are the coordinates rotated by ``angle`` degrees: ``u = x cos t + y sin t``,
    ``v = -x sin t + y cos t``. The Hessian has eigenvalue 1 along ``(cos t, sin t)`` and
    ``kappa`` (the condition number) along ``(-sin t, cos t)``; minimum 0 at the origin.
    """

    __slots__ = ("_c", "_h", "_kappa", "_s")

    def __init__(self, condition: float = 20.0, angle: float = 30.0) -> None:
        t = math.radians(angle)
        c, s = math.cos(t), math.sin(t)
        k = float(condition)
        self._set("_kappa", k)
        self._set("_c", c)
        self._set("_s", s)
        # H = R diag(1, kappa) R^T with R = [[c, -s], [s, c]]
        self._set("_h", (c * c + k * s * s, (1.0 - k) * c * s, s * s + k * c * c))
        u0, v0 = -1.8, 0.6
        super().__init__(
            name="bowl",
            title="Ill-conditioned bowl",
            description=(
                "A quadratic bowl whose curvature across the valley is `condition` times the "
                "curvature along it. The steep direction caps the learning rate (below "
                "2/condition for plain gradient descent), so progress along the shallow "
                "direction slows as the condition number grows. Rotating the valley off the "
                "axes takes away the advantage of per-coordinate methods such as Adam."
            ),
            window=(-2.0, 2.0, -2.0, 2.0),
            start=(c * u0 - s * v0, s * u0 + c * v0),
            log_scale=True,
            params={"condition": k, "angle": float(angle)},
            minima=(CriticalPoint(0.0, 0.0, 0.0, "global minimum"),),
        )

    def _uv(self, x, y):
        c, s = self._c, self._s
        return c * x + s * y, -s * x + c * y

    def _value(self, x, y):
        u, v = self._uv(x, y)
        return 0.5 * (u * u + self._kappa * v * v)

    def _grad(self, x, y):
        u, v = self._uv(x, y)
        kv = self._kappa * v
        c, s = self._c, self._s
        return c * u - s * kv, s * u + c * kv

    def _hess(self, x, y):
        z = 0.0 * (x + y)
        hxx, hxy, hyy = self._h
        return hxx + z, hxy + z, hyy + z


class Cliff(Landscape):
    """A ramp that runs into a tall, steep wall topped by a gently tilted plateau.

    ``f = r(x) + y^2 / 4 + height * sigmoid(steepness * x)`` with the floor
    ``r(x) = -0.4 x + 0.6 sqrt(x^2 + delta^2)`` and ``delta = 1 / steepness``.

    Shape: the floor ``r`` is a smoothed V with its kink at ``x = 0``; it falls with slope 1
    towards the wall from the left (a plain ramp, gradient norm about 1, so clipping at norm 1
    does not slow the approach) and rises with slope 0.2 to the right (a nearly flat plateau
    tilted back towards the edge, so nothing is trapped up there). At ``x = 0`` the logistic
    step rises by ``height`` over a width of about ``4 / steepness``. The only minimum is at
    the wall's foot, a few wall-widths left of ``x = 0``. The wall face has gradient up to
    ``height * steepness / 4`` (250 by default, 250 times the ramp's), pointing back down the
    ramp: a plain gradient step that lands on it is thrown far back (``lr * 250``), while a
    step clipped to norm ``c`` moves at most ``lr * c``. Plain gradient descent is stable at
    the foot only for ``lr`` below about ``2 / steepness``; above that it climbs the face and
    is catapulted, again and again. After Pascanu, Mikolov & Bengio (2013), "On the
    difficulty of training recurrent neural networks", fig. 6, and Goodfellow, Bengio &
    Courville, *Deep Learning* (2016), fig. 8.3.
    """

    __slots__ = ("_delta", "_height", "_k")
    _SLOPE_IN = 1.0  # ramp slope below the cliff
    _SLOPE_TOP = 0.2  # plateau slope above it, back towards the edge
    _FY = 0.25

    def __init__(self, height: float = 5.0, steepness: float = 200.0) -> None:
        self._set("_height", float(height))
        self._set("_k", float(steepness))
        self._set("_delta", 1.0 / float(steepness))
        super().__init__(
            name="cliff",
            title="Plateau and cliff",
            description=(
                "A gentle ramp ends at a sheer wall. A run that steps onto the wall's face "
                "meets a gradient hundreds of times larger than anywhere else, and an "
                "unclipped step throws it far back down the ramp, undoing its progress. "
                "Clipping the gradient norm, or an adaptive step size, keeps every step short."
            ),
            window=(-4.0, 2.0, -2.0, 2.0),
            start=(-2.0, 1.5),
            log_scale=False,
            params={"height": float(height), "steepness": float(steepness)},
        )
        self._set("minima", self._find_minima())

    def _find_minima(self) -> tuple[CriticalPoint, ...]:
        """Minima along y = 0: sign changes of df/dx on a grid that resolves the wall face.

        With the shipped parameter ranges there is exactly one, at the wall's foot; the
        search does not assume it.
        """
        k = self._k
        xs = np.union1d(np.linspace(-10.0, 10.0, 2001), np.linspace(-60.0, 60.0, 6001) / k)
        pts = np.stack([xs, np.zeros_like(xs)], axis=-1)
        g = self.grad(pts)[:, 0]
        found = []
        for i in np.flatnonzero((g[:-1] < 0.0) & (g[1:] >= 0.0)):
            lo, hi = float(xs[i]), float(xs[i + 1])
            while True:
                mid = 0.5 * (lo + hi)
                if mid in (lo, hi):
                    break
                if self.grad(np.array([mid, 0.0]))[0] < 0.0:
                    lo = mid
                else:
                    hi = mid
            g_lo = abs(self.grad(np.array([lo, 0.0]))[0])
            g_hi = abs(self.grad(np.array([hi, 0.0]))[0])
            x = hi if g_hi < g_lo else lo
            found.append((float(self.value(np.array([x, 0.0]))), x))
        found.sort()
        return tuple(
            CriticalPoint(x, 0.0, v, "global minimum" if j == 0 else "local minimum")
            for j, (v, x) in enumerate(found)
        )

    def _floor(self, x):
        # r = a x + c sqrt(x^2 + delta^2): slope a - c on the left, a + c on the right
        a = 0.5 * (self._SLOPE_TOP - self._SLOPE_IN)
        c = 0.5 * (self._SLOPE_TOP + self._SLOPE_IN)
        return a, c, np.hypot(x, self._delta)

    def _value(self, x, y):
        a, c, q = self._floor(x)
        s, _, _ = _stable_sigmoid(self._k * x)
        return a * x + c * q + self._FY * y * y + self._height * s

    def _grad(self, x, y):
        a, c, q = self._floor(x)
        _, ds, _ = _stable_sigmoid(self._k * x)
        return a + c * x / q + self._height * self._k * ds, 2.0 * self._FY * y + 0.0 * x

    def _hess(self, x, y):
        _, c, q = self._floor(x)
        _, _, d2s = _stable_sigmoid(self._k * x)
        z = 0.0 * (x + y)
        # d/dx (x / q) = delta^2 / q^3, written to avoid overflowing q^3 far away
        rq = self._delta / q
        return c * rq * rq / q + self._height * self._k**2 * d2s, z, 2.0 * self._FY + z


# ---------------------------------------------------------------------------------------------
# Data-backed surface
# ---------------------------------------------------------------------------------------------


class Regression(Landscape):
    """Mean squared error of a line ``y = w x + b`` fitted to a seeded noisy sample.

    ``L(w, b) = mean_i (w x_i + b - y_i)^2`` with points ``p[..., 0] = w``, ``p[..., 1] = b``.
    The data are drawn from ``np.random.default_rng(seed)``: first ``x ~ Uniform[-1, 1)``
    (``n`` values), then standard normal noise (``n`` values), and
    ``y = true_w x + true_b + noise * noise_draw``.

    The full-data surface is an exact quadratic, evaluated in the centred form
    ``L* + d^T A d`` with ``d = p - p*`` (``p*`` the least-squares fit,
    ``A = [[mean x^2, mean x], [mean x, 1]]``), which keeps every digit of the small residual
    loss near the optimum. :meth:`batch_value` and :meth:`batch_grad` evaluate on chosen rows
    of the data directly, for mini-batch gradients.

    Attributes
    ----------
    x, y : ndarray, shape (n,)
        The data, read-only.
    least_squares : CriticalPoint
        The ordinary-least-squares fit ``(w*, b*)`` and its loss: the global minimum.
    true_point : CriticalPoint
        ``(true_w, true_b)`` with its full-data loss; ``kind="reference"`` (not stationary).
        Its loss is never below ``least_squares.value``.
    """

    __slots__ = ("_A", "_lstar", "_pstar", "_x", "_y", "least_squares", "true_point")

    def __init__(
        self,
        n: int = 100,
        noise: float = 0.5,
        true_w: float = 2.0,
        true_b: float = -1.0,
        seed: int = 0,
    ) -> None:
        n = int(n)
        if n < 2:
            raise ValueError(f"landscape regression: n must be >= 2; got {n}")
        rng = np.random.default_rng(int(seed))
        x = rng.uniform(-1.0, 1.0, n)
        eps = rng.standard_normal(n)
        y = true_w * x + true_b + noise * eps
        x.setflags(write=False)
        y.setflags(write=False)
        self._set("_x", x)
        self._set("_y", y)
        # closed-form OLS on centred data (no cancellation between large moments)
        xm, ym = x.mean(), y.mean()
        xc, yc = x - xm, y - ym
        w_star = float(np.dot(xc, yc) / np.dot(xc, xc))
        b_star = float(ym - w_star * xm)
        r = w_star * x + b_star - y
        lstar = float(np.mean(r * r))
        pstar = np.array([w_star, b_star])
        pstar.setflags(write=False)
        self._set("_pstar", pstar)
        self._set("_lstar", lstar)
        mx, mxx = float(xm), float(np.mean(x * x))
        self._set("_A", (mxx, mx))
        rt = true_w * x + true_b - y
        ltrue = float(np.mean(rt * rt))
        ls = CriticalPoint(w_star, b_star, lstar, "global minimum")
        self._set("least_squares", ls)
        self._set("true_point", CriticalPoint(float(true_w), float(true_b), ltrue, "reference"))
        cw, cb = 0.5 * (true_w + w_star), 0.5 * (true_b + b_star)
        half = max(3.0, abs(true_w - w_star) + 1.5, abs(true_b - b_star) + 1.5)
        super().__init__(
            name="regression",
            title="Linear regression (data)",
            description=(
                "The mean squared error of a straight line y = w·x + b over a noisy sample, "
                "as a surface over slope w and intercept b: a quadratic bowl, and a "
                "mini-batch sees only a jittering estimate of it. The least-squares optimum "
                "scores lower than the true line that generated the data, because it also "
                "fits the noise of this particular sample; a fresh sample would favour the "
                "true line."
            ),
            window=(cw - half, cw + half, cb - half, cb + half),
            start=(cw - 0.7 * half, cb + 0.7 * half),
            log_scale=True,
            params={
                "n": n,
                "noise": float(noise),
                "true_w": float(true_w),
                "true_b": float(true_b),
                "seed": int(seed),
            },
            minima=(ls,),
            stochastic=True,
        )

    @property
    def x(self) -> np.ndarray:
        """Inputs, read-only, shape (n,)."""
        return self._x

    @property
    def y(self) -> np.ndarray:
        """Targets, read-only, shape (n,)."""
        return self._y

    @property
    def n(self) -> int:
        return int(self._x.shape[0])

    def _value(self, w, b):
        mxx, mx = self._A
        dw = w - self._pstar[0]
        db = b - self._pstar[1]
        return self._lstar + (mxx * dw * dw + 2.0 * mx * dw * db + db * db)

    def _grad(self, w, b):
        mxx, mx = self._A
        dw = w - self._pstar[0]
        db = b - self._pstar[1]
        return 2.0 * (mxx * dw + mx * db), 2.0 * (mx * dw + db)

    def _hess(self, w, b):
        mxx, mx = self._A
        z = 0.0 * (w + b)
        return 2.0 * mxx + z, 2.0 * mx + z, 2.0 + z

    def _batch(self, p, idx):
        p = _as_points(p)
        idx = np.asarray(idx)
        if idx.ndim != p.ndim or idx.shape[:-1] != p.shape[:-1] or idx.shape[-1] < 1:
            raise ValueError(
                f"idx must have shape {(*p.shape[:-1], 'B')} with B >= 1 to match p of shape "
                f"{p.shape}; got shape {idx.shape}"
            )
        if not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"idx must hold integers; got dtype {idx.dtype}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.n):
            raise ValueError(f"idx must lie in [0, {self.n}); got values outside it")
        xb = self._x[idx]
        with np.errstate(all="ignore"):
            r = p[..., 0:1] * xb + p[..., 1:2] - self._y[idx]
        return xb, r

    def batch_value(self, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Mean squared error of each line on its own mini-batch.

        Parameters
        ----------
        p : array_like, shape (k, 2)
            Lines ``(w, b)``; any leading shape works if ``idx`` matches it.
        idx : array_like of int, shape (k, B)
            Row ``r`` of ``p`` is scored on data rows ``idx[r]``.

        Returns
        -------
        ndarray, shape (k,)
        """
        _, r = self._batch(p, idx)
        with np.errstate(all="ignore"):
            return np.mean(r * r, axis=-1)

    def batch_grad(self, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Gradient of each line's mini-batch loss, ``2 mean(r x), 2 mean(r)``.

        Parameters
        ----------
        p : array_like, shape (k, 2)
        idx : array_like of int, shape (k, B)

        Returns
        -------
        ndarray, shape (k, 2)
        """
        xb, r = self._batch(p, idx)
        out = np.empty((*r.shape[:-1], 2), dtype=np.float64)
        with np.errstate(all="ignore"):
            out[..., 0] = 2.0 * np.mean(r * xb, axis=-1)
            out[..., 1] = 2.0 * np.mean(r, axis=-1)
        return out


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LandscapeSpec:
    """Registry entry: what a landscape is called, what it accepts, how to build it."""

    name: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]
    factory: Callable[..., Landscape]


def _spec(factory: Callable[..., Landscape], *params: ParamSpec) -> LandscapeSpec:
    defaults = {p.name: p.default for p in params}
    sample = factory(**defaults)
    return LandscapeSpec(sample.name, sample.title, sample.description, params, factory)


LANDSCAPES: dict[str, LandscapeSpec] = {
    s.name: s
    for s in (
        _spec(
            Rosenbrock,
            ParamSpec("a", 1.0, min=-2.0, max=2.0, help="minimum at (a, a²)"),
            ParamSpec(
                "b",
                100.0,
                min=0.0,
                max=1e4,
                log=True,
                min_exclusive=True,
                help="steepness of the valley walls",
            ),
        ),
        _spec(Beale),
        _spec(Booth),
        _spec(Himmelblau),
        _spec(
            Rastrigin,
            ParamSpec("A", 10.0, min=0.0, max=100.0, help="depth of the ripples"),
        ),
        _spec(Ackley),
        _spec(GoldsteinPrice),
        _spec(SixHumpCamel),
        _spec(StyblinskiTang),
        _spec(Saddle),
        _spec(MonkeySaddle),
        _spec(
            Bowl,
            ParamSpec(
                "condition",
                20.0,
                min=1.0,
                max=1e4,
                log=True,
                help="ratio of the largest to the smallest curvature",
            ),
            ParamSpec(
                "angle",
                30.0,
                min=-90.0,
                max=90.0,
                label="angle (°)",
                help="rotation of the valley from the x axis, in degrees",
            ),
        ),
        _spec(
            Cliff,
            ParamSpec(
                "height",
                5.0,
                min=0.0,
                max=100.0,
                log=True,
                min_exclusive=True,
                help="how far the wall rises",
            ),
            ParamSpec(
                "steepness",
                200.0,
                min=1.0,
                max=1000.0,
                log=True,
                help="inverse width of the wall face",
            ),
        ),
        _spec(
            Regression,
            ParamSpec("n", 100, kind="int", min=2, max=100_000, log=True, help="data points"),
            ParamSpec("noise", 0.5, min=0.0, max=10.0, help="standard deviation of y noise"),
            ParamSpec("true_w", 2.0, min=-10.0, max=10.0, help="slope of the true line"),
            ParamSpec("true_b", -1.0, min=-10.0, max=10.0, help="intercept of the true line"),
            ParamSpec("seed", 0, kind="int", min=0, max=2**32 - 1, help="data seed"),
        ),
    )
}


def list_landscapes() -> list[LandscapeSpec]:
    """All registered landscapes in display order."""
    return list(LANDSCAPES.values())


def make_landscape(name: str, **params: Any) -> Landscape:
    """Build a landscape by registry name (case-insensitive).

    Parameters
    ----------
    name : str
        E.g. ``"rosenbrock"``, ``"Bowl"``.
    **params
        Landscape parameters (strings are parsed), e.g. ``condition=100, angle=45``.

    Raises
    ------
    ValueError
        On an unknown name (the message lists the known ones) or a bad parameter.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    spec = LANDSCAPES.get(key)
    if spec is None:
        raise ValueError(f"unknown landscape {name!r} (known: {', '.join(LANDSCAPES)})")
    values = validate_params(spec.params, params, owner=f"landscape {spec.name}")
    return spec.factory(**values)


# ---------------------------------------------------------------------------------------------
# Analysis helpers
# ---------------------------------------------------------------------------------------------


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
