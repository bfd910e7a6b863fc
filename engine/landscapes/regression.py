"""A data-backed surface: the mean squared error of a line over a seeded sample."""

from __future__ import annotations

import numpy as np

from engine.landscapes.base import CriticalPoint, Landscape, _as_points


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
