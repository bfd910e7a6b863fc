"""Classic test functions of global optimization, with exact derivatives.

Formulas and published minima follow the survey of Jamil & Yang (2013), "A literature survey
of benchmark functions for global optimization problems", and Surjanovic & Bingham's Virtual
Library of Simulation Experiments (Simon Fraser University). Critical points that are not
known in closed form are refined from their published approximations by Newton's method on
the analytic gradient and Hessian when a landscape is built, so they are exact to float64.
"""

from __future__ import annotations

import math

import numpy as np

from engine.landscapes.base import CriticalPoint, Landscape

_TWO_PI = 2.0 * math.pi


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
