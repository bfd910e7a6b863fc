"""What a race's snapshot carries besides positions: curvature against the stability limit,
schedule-free AdamW's three points, and the selected run's live equation.

These are computed on the thread that owns the race (the worker in the app), never by a
view: the lab only draws what the snapshot hands it. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import curvature as _curvature
from engine.optim import inspect as _inspect

__all__ = [
    "SF_POINTS",
    "STABILITY_EVERY",
    "StabilityTracker",
    "StabilityView",
    "schedule_free_points",
    "threshold_name",
]

STABILITY_EVERY = 25
"""Updates between two curvature measurements while racing (each costs about one step of an
eight-run race); every snapshot also measures the step it shows."""

SF_POINTS = ("y", "x", "z")
"""Schedule-free AdamW's points, in the order of :func:`schedule_free_points`."""

_THRESHOLD_NAMES = {
    "gd": "2/lr",
    "heavy_ball": "(2+2μ)/lr",
    "nesterov": "(2+2μ)/((1+2μ)·lr)",
    "preconditioned": "(2+2β₁)/((1−β₁)·lr)",
    "none": "no limit",
}


def threshold_name(kind: str) -> str:
    """The stability limit of a :class:`engine.curvature.Stability` kind, as a formula."""
    return _THRESHOLD_NAMES.get(kind, kind)


@dataclass(frozen=True)
class StabilityView:
    """The newest curvature measurement of every run. Arrays are read-only.

    Attributes
    ----------
    step : int
        Update count at which it was measured (a multiple of ``every``, or the start).
    eigenvalues : ndarray, shape (n_runs, 2)
        Exact Hessian eigenvalues at the heads, ascending.
    eigenvectors : ndarray, shape (n_runs, 2, 2)
        ``[i, :, k]`` is the unit eigenvector of ``eigenvalues[i, k]``.
    sharpness : ndarray, shape (n_runs,)
        ``lam_max(H)``, or ``lam_max(P^-1 H)`` for Adam-family runs.
    threshold : ndarray, shape (n_runs,)
        That run's stability limit at its current learning rate (NaN where none).
    kinds : tuple of str
        ``"gd"``, ``"heavy_ball"``, ``"nesterov"``, ``"preconditioned"`` or ``"none"``.
    crossed_step : tuple of (int or None)
        First measured step at which the sharpness exceeded the threshold.
    """

    step: int
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    sharpness: np.ndarray
    threshold: np.ndarray
    kinds: tuple[str, ...]
    crossed_step: tuple[int | None, ...]

    def explain(self, i: int, label: str) -> str:
        """One line on run ``i``: where it stands against its limit, or when it crossed."""
        name = threshold_name(self.kinds[i])
        lam = "λmax(P⁻¹H)" if self.kinds[i] == "preconditioned" else "λmax"
        s, t = float(self.sharpness[i]), float(self.threshold[i])
        crossed = self.crossed_step[i]
        if crossed is not None:
            now = "it oscillates or diverges" if s > t else "it crossed back since"
            return f"{label} crossed {name} at step {crossed}: {now}"
        if not np.isfinite(t):
            return f"{label}: {lam} = {s:.4g}; {name} for this optimizer"
        return f"{label}: {lam} = {s:.4g} < {name} = {t:.4g}: stable"


class StabilityTracker:
    """Measures a race's curvature every ``every`` updates and remembers first crossings.

    Parameters
    ----------
    every : int
        Measurement period in updates (>= 1).
    """

    def __init__(self, every: int = STABILITY_EVERY) -> None:
        if int(every) < 1:
            raise ValueError(f"every must be >= 1; got {every!r}")
        self.every = int(every)
        self._view: StabilityView | None = None
        self._crossed: list[int | None] = []
        self._runs: tuple = ()
        self._active = -1

    def observe(self, race: Any, force: bool = False) -> None:
        """Measure if the race's step is due (or ``force``); cheap no-op otherwise."""
        # a run that just froze is measured at once: it may have crossed since the last time
        active = int(np.count_nonzero(race.active))
        due = force or race.step_count % self.every == 0 or active != self._active
        self._active = active
        if not due or (self._view is not None and self._view.step == race.step_count):
            return
        runs = race.config.runs
        if len(runs) != len(self._runs):
            self._crossed = [None] * len(runs)
        else:
            # an edited run (new lr, new optimizer) starts a new story
            for i, (old, new) in enumerate(zip(self._runs, runs, strict=True)):
                if old != new:
                    self._crossed[i] = None
        self._runs = tuple(runs)
        n = len(runs)
        with np.errstate(all="ignore"):
            h = np.asarray(race.landscape.hessian(race.params), dtype=np.float64)
            values, vectors = _curvature.hessian_eigen(h)
            sharp, thr = np.full(n, np.nan), np.full(n, np.nan)
            kinds = ["none"] * n
            for g in race.groups:
                st = _curvature.stability(g.opt.name, g.state, h[g.rows])
                sharp[g.rows], thr[g.rows] = st.sharpness, st.threshold
                for r in g.rows:
                    kinds[int(r)] = st.kind
            over = sharp > thr
        converged = np.array([s == "converged" for s in race.status], dtype=bool)
        for i in np.flatnonzero(over & ~converged):
            if self._crossed[i] is None:
                self._crossed[i] = int(race.step_count)
        self._view = StabilityView(
            step=int(race.step_count),
            eigenvalues=_ro(values),
            eigenvectors=_ro(vectors),
            sharpness=_ro(sharp),
            threshold=_ro(thr),
            kinds=tuple(kinds),
            crossed_step=tuple(self._crossed),
        )

    def reset(self) -> None:
        """Forget everything (a new race)."""
        self._view, self._crossed, self._runs, self._active = None, [], (), -1

    def view(self) -> StabilityView | None:
        """The newest measurement, or None before the first."""
        return self._view


def schedule_free_points(race: Any) -> np.ndarray:
    """Schedule-free AdamW's y (gradient point), x (average) and z (base) for every run.

    Returns
    -------
    ndarray, shape (n_runs, 3, 2)
        In the order of :data:`SF_POINTS`; NaN rows for runs of other optimizers.
    """
    n = len(race.config.runs)
    out = np.full((n, 3, 2), np.nan)
    for g in race.groups:
        if g.opt.name != "schedule_free_adamw":
            continue
        info = _inspect(g.state)
        for k, key in enumerate(SF_POINTS):
            out[g.rows, k] = np.broadcast_to(info[key], (len(g.rows), 2))
    return _ro(out)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.flags.writeable = False
    return a
