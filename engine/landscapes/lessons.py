"""Surfaces built for one lesson: saddles, an ill-conditioned bowl, a cliff."""

from __future__ import annotations

import math

import numpy as np

from engine.landscapes.base import CriticalPoint, Landscape, _stable_sigmoid


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
