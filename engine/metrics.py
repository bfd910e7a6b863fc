"""Results of a race, per run: what the runs table shows and exports.

Computed from a run's recorded :class:`~engine.trajectory.History` and the landscape:
steps to tolerance, path length, the nearest listed minimum and the distance to it, the
step of divergence and the step the run first left the view.

The history keeps the latest points exactly and thins older ones (see
:class:`~engine.trajectory.TrajectoryBuffer`); on a thinned stretch the path length is
that of the recorded polyline (a lower bound of the true one, by the triangle inequality)
and step counts are those of the recorded points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.landscapes import Landscape
from engine.trajectory import History

__all__ = ["RUN_METRIC_COLUMNS", "RunMetrics", "run_metrics"]

RUN_METRIC_COLUMNS = (
    "steps_to_tol",
    "path_length",
    "nearest_minimum",
    "distance_to_minimum",
    "diverged_at",
    "left_view_at",
)


@dataclass(frozen=True)
class RunMetrics:
    """One row of the runs table.

    Attributes
    ----------
    steps_to_tol : int or None
        First recorded step from which the run stayed within ``tol`` of one listed minimum
        until its last recorded point; None if it is not there at the end.
    path_length : float
        Sum of the Euclidean lengths of the recorded steps.
    nearest_minimum : int or None
        Index into ``landscape.minima`` of the minimum nearest the last point.
    distance_to_minimum : float
        Euclidean distance to it; nan without listed minima.
    diverged_at : int or None
        Step of divergence (from the race's status), if it diverged.
    left_view_at : int or None
        First recorded step outside the landscape's window.
    """

    steps_to_tol: int | None
    path_length: float
    nearest_minimum: int | None
    distance_to_minimum: float
    diverged_at: int | None
    left_view_at: int | None

    def as_row(self) -> tuple[str, ...]:
        """Text cells in :data:`RUN_METRIC_COLUMNS` order (blank for None)."""

        def cell(v: object) -> str:
            if v is None:
                return ""
            return repr(float(v)) if isinstance(v, float) else str(v)

        return tuple(cell(getattr(self, c)) for c in RUN_METRIC_COLUMNS)


def run_metrics(
    history: History,
    landscape: Landscape,
    tol: float = 1e-2,
    status: str = "running",
    event_step: int | None = None,
    window: tuple[float, float, float, float] | None = None,
) -> RunMetrics:
    """Metrics of one run.

    Parameters
    ----------
    history : History
        The run's recorded trajectory (``RaceSnapshot.histories[i]``), at least one point.
    landscape : Landscape
    tol : float
        Distance to a listed minimum that counts as reached (the basin map's 1e-2).
    status, event_step : str, int or None
        The run's ``RaceSnapshot.status[i]`` and ``event_step[i]``.
    window : tuple of 4 floats, optional
        The view; defaults to ``landscape.window``.

    Returns
    -------
    RunMetrics
    """
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a number > 0; got {tol!r}")
    xy = np.asarray(history.xy, dtype=np.float64)
    steps = np.asarray(history.steps)
    if len(xy) == 0:
        raise ValueError("history must hold at least one point")
    with np.errstate(all="ignore"):
        seg = np.diff(xy, axis=0)
        path = float(np.sum(np.hypot(seg[:, 0], seg[:, 1]))) if len(seg) else 0.0
    xmin, xmax, ymin, ymax = landscape.window if window is None else window
    outside = ~((xy[:, 0] >= xmin) & (xy[:, 0] <= xmax) & (xy[:, 1] >= ymin) & (xy[:, 1] <= ymax))
    left = int(steps[np.argmax(outside)]) if outside.any() else None
    nearest, dist, reached = None, math.nan, None
    if landscape.minima:
        mxy = np.array([[m.x, m.y] for m in landscape.minima])
        with np.errstate(all="ignore"):
            d = np.hypot(xy[:, None, 0] - mxy[None, :, 0], xy[:, None, 1] - mxy[None, :, 1])
        last = d[-1]
        if np.all(np.isfinite(last)):
            nearest = int(np.argmin(last))
            dist = float(last[nearest])
            inside = d[:, nearest] <= tol
            if inside[-1]:
                # first step of the final unbroken stretch inside the ball
                out_idx = np.flatnonzero(~inside)
                first = 0 if len(out_idx) == 0 else int(out_idx[-1]) + 1
                reached = int(steps[first])
        else:
            dist = math.inf
    diverged = int(event_step) if status == "diverged" and event_step is not None else None
    return RunMetrics(reached, path, nearest, dist, diverged, left)
