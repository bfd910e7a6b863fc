"""Convergence maps: many runs of one optimizer in lockstep, one per pixel.

A **basin map** starts one run at every point of a grid over the view and colours each start
by the listed minimum its run reaches (or none, or divergence), shaded by the steps it took.
A **hyperparameter map** starts every run at one point and varies two hyperparameters over
a grid instead (lr x momentum, lr x beta2, ...), through the optimizers' per-run
hyperparameter arrays.

Both step all runs at once with the race's optimizers on params of shape ``(n, 2)`` and
follow a race's rules for each run exactly: a run whose update goes non-finite keeps its
last point, and a run whose loss or gradient is not finite, or that goes beyond
``far_bound`` uphill of its start, is marked diverged at that step; one beyond it with every
number finite and its loss below its start's slid off a surface without a bottom and is
marked :data:`LEFT` (the race's ``"left"``). So any one pixel is the run a
single-run :class:`~engine.runs.Race` from that start (with ``tol=0``) would give.
Both are generators yielding a :class:`MapSnapshot` every ``every`` steps, so a window can
draw the map while it computes and cancel it between yields.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine import optimizers as _optimizers
from engine.landscapes import CriticalPoint, Landscape
from engine.runs import RunConfig
from engine.transforms import TransformState

__all__ = [
    "DIVERGED",
    "LEFT",
    "MAX_GRID",
    "NONE",
    "OUTCOME_NAMES",
    "Axis",
    "MapSnapshot",
    "basin_map",
    "hyper_axes",
    "hyper_map",
    "parse_axis",
]

NONE = -1  # outcome code: reached no listed minimum
DIVERGED = -2  # outcome code: diverged
LEFT = -3  # outcome code: left the view downhill (a surface without a bottom)
OUTCOME_NAMES = {NONE: "none", DIVERGED: "diverged", LEFT: "left"}  # CSV text of the codes
MAX_GRID = 200  # per axis: 40,000 runs


@dataclass(frozen=True)
class Axis:
    """One axis of a map: a name and its values (increasing).

    ``name`` is ``"x"`` or ``"y"`` for a basin map, a hyperparameter for a hyperparameter
    map (``"beta1"``/``"beta2"`` stand for the items of Adam's ``betas``).
    """

    name: str
    values: np.ndarray
    log: bool = False

    @classmethod
    def linear(cls, name: str, lo: float, hi: float, n: int) -> Axis:
        return cls(name, np.linspace(lo, hi, n))

    @classmethod
    def logarithmic(cls, name: str, lo: float, hi: float, n: int) -> Axis:
        return cls(name, np.geomspace(lo, hi, n), log=True)


def parse_axis(text: str) -> Axis:
    """``"lr=1e-4:1:40log"`` or ``"momentum=0:0.99:40"`` into an :class:`Axis`.

    Raises
    ------
    ValueError
        One line naming what is wrong.
    """
    name, sep, rest = text.partition("=")
    name = name.strip()
    parts = rest.split(":")
    if not sep or not name or len(parts) != 3:
        raise ValueError(f"expected name=lo:hi:n or name=lo:hi:nlog; got {text!r}")
    log = parts[2].strip().lower().endswith("log")
    count = parts[2].strip()[:-3] if log else parts[2].strip()
    try:
        lo, hi = float(parts[0]), float(parts[1])
        n = int(count)
    except ValueError:
        raise ValueError(
            f"{name}: bounds must be numbers and n a whole number; got {rest!r}"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{name}: need finite lo < hi; got {lo:g}:{hi:g}")
    if not 2 <= n <= MAX_GRID:
        raise ValueError(f"{name}: n must be between 2 and {MAX_GRID}; got {n}")
    if log and lo <= 0:
        raise ValueError(f"{name}: a log axis needs lo > 0; got {lo:g}")
    return Axis.logarithmic(name, lo, hi, n) if log else Axis.linear(name, lo, hi, n)


@dataclass(frozen=True)
class MapSnapshot:
    """A map at one step; arrays are read-only, indexed ``[row j, column i]`` (y, x).

    Attributes
    ----------
    kind : {"basins", "hyper"}
    step, steps : int
        Steps done so far, and in all.
    x_axis, y_axis : Axis
        Columns and rows: start coordinates (basins) or hyperparameter values (hyper).
    starts : ndarray, shape (ny, nx, 2)
    positions : ndarray, shape (ny, nx, 2)
        Current point (the last finite one for a diverged run).
    loss : ndarray, shape (ny, nx)
    outcome : ndarray of int, shape (ny, nx)
        Index into ``minima`` of the minimum within ``tol`` of the current point,
        :data:`NONE`, :data:`DIVERGED` or :data:`LEFT`.
    steps_to : ndarray of int, shape (ny, nx)
        Step from which the run has stayed within ``tol`` of that minimum; -1 if not there.
    diverged_at : ndarray of int, shape (ny, nx)
        Step of divergence; -1 if not diverged.
    left_at : ndarray of int, shape (ny, nx)
        Step at which the run left the view downhill; -1 if it did not.
    minima : tuple of CriticalPoint
    tol : float
    """

    kind: str
    step: int
    steps: int
    x_axis: Axis
    y_axis: Axis
    starts: np.ndarray
    positions: np.ndarray
    loss: np.ndarray
    outcome: np.ndarray
    steps_to: np.ndarray
    diverged_at: np.ndarray
    left_at: np.ndarray
    minima: tuple[CriticalPoint, ...]
    tol: float

    @property
    def done(self) -> bool:
        return self.step >= self.steps

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.y_axis.values), len(self.x_axis.values))


def _grid_size(grid: int | Sequence[int]) -> tuple[int, int]:
    nx, ny = (grid, grid) if isinstance(grid, (int, np.integer)) else tuple(grid)
    for n in (nx, ny):
        if isinstance(n, bool) or int(n) != n or not 2 <= n <= MAX_GRID:
            raise ValueError(f"grid must be between 2 and {MAX_GRID} per axis; got {grid!r}")
    return int(nx), int(ny)


def _check_common(run: RunConfig, steps: int, tol: float, every: int) -> None:
    run.validate()
    if run.batch_size:
        raise ValueError("maps use full-data gradients: set batch_size to 0")
    if isinstance(steps, bool) or int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0; got {steps!r}")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a number > 0; got {tol!r}")
    if isinstance(every, bool) or int(every) != every or every < 1:
        raise ValueError(f"every must be a whole number >= 1; got {every!r}")


def _optimizer(run: RunConfig, n: int, batched: Mapping[str, Any] | None = None):
    """The run's optimizer, composed as a race composes it, for ``n`` rows."""
    hyper = dict(run.resolved_hyper())
    hyper.update(batched or {})
    opt = _optimizers.make_optimizer(run.optimizer, **hyper)
    if run.schedule.kind != "constant" or run.schedule.warmup_steps > 0:
        opt = _optimizers.with_schedule(opt, run.schedule.build())
    if run.clip_value is not None or run.clip_norm is not None:
        opt = _optimizers.with_clipping(opt, clip_value=run.clip_value, clip_norm=run.clip_norm)
    if run.noise_std > 0:
        # every pixel draws the noise its run would draw racing alone with this seed
        opt = _optimizers.with_gradient_noise(opt, run.noise_std, [int(run.seed)] * n)
    return opt


def _take_rows(state: Any, keep: np.ndarray, k: int) -> Any:
    """Rows ``keep`` of every per-run array of an optimizer state for ``k`` runs.

    Per-run arrays are the 2-D ones with ``k`` rows (buffers ``(k, 2)``, batched
    hyperparameters and plateau counters ``(k, 1)``); a composed state's noise ``seeds`` hold
    one seed per run. Everything else (scalars, schedules, the update counter) is shared.
    Buffers stay column-major, as :func:`_lockstep` steps them.
    """
    if isinstance(state, np.ndarray):
        if state.ndim == 2 and state.shape[0] == k:
            return np.asfortranarray(state[keep])
        return state
    if isinstance(state, TransformState):
        seeds = state.seeds
        if len(seeds) == k:
            seeds = tuple(seeds[i] for i in keep.tolist())
        fields = {f: _take_rows(v, keep, k) for f, v in zip(state._fields, state, strict=True)}
        fields["seeds"] = seeds
        return TransformState(**fields)
    if isinstance(state, tuple):
        values = [_take_rows(v, keep, k) for v in state]
        return type(state)(*values) if hasattr(state, "_fields") else tuple(values)
    return state


def _lockstep(
    kind: str,
    land: Landscape,
    opt: Any,
    starts: np.ndarray,
    x_axis: Axis,
    y_axis: Axis,
    steps: int,
    tol: float,
    every: int,
    far_bound: float,
) -> Iterator[MapSnapshot]:
    """Step every run of the map in lockstep, following a race's rules row by row.

    Speed without changing a digit (40,000 runs x 1,000 steps is the benchmark):

    - the live runs' points are column-major ``(n, 2)``: x and y are contiguous, so the
      landscape's arithmetic and the optimizer's run on plain vectors (same values);
    - the race's per-run tests (update finite; loss and squared gradient norm finite; within
      ``far_bound``) are first made for all runs at once by reductions that are finite and in
      bounds only if every run passes; only a failing step looks at the runs one by one;
    - a diverged run leaves the live set (its optimizer rows are dropped), since its point,
      loss and step are final;
    - a run inside a minimum's ball is checked against that minimum only; the others
      against every minimum, from an x stripe down.
    """
    ny, nx = len(y_axis.values), len(x_axis.values)
    n = nx * ny
    p = np.asfortranarray(starts.reshape(-1, 2), dtype=np.float64)
    minima = land.minima
    mxy = np.array([[m.x, m.y] for m in minima], dtype=np.float64).reshape(-1, 2)
    tol2 = tol * tol
    state = opt.init(p)
    # final values of runs that have left the live set
    positions = np.empty((n, 2))
    losses = np.empty(n)
    diverged_at = np.full(n, -1, dtype=np.int64)
    left_at = np.full(n, -1, dtype=np.int64)
    inside_all = np.full(n, NONE, dtype=np.int64)
    since_all = np.full(n, -1, dtype=np.int64)
    # the live runs: rows of the full map, and per live run its minimum and its centre
    live = np.arange(n)
    inside = np.full(n, NONE, dtype=np.int64)
    since = np.full(n, -1, dtype=np.int64)
    centre = np.full((n, 2), np.nan, order="F")  # NaN: inside no ball
    n_inside = 0
    # A run inside one ball can be inside no other when the balls are apart (with a margin
    # for rounding); then only the runs outside every ball look at every minimum.
    gaps = [math.dist(a, b) for i, a in enumerate(mxy.tolist()) for b in mxy.tolist()[:i]]
    overlapping = any(d <= 2.0 * tol * (1.0 + 1e-9) for d in gaps)

    def evaluate(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return land.value(q), land.grad(q)

    def failing(q: np.ndarray, loss: np.ndarray, g: np.ndarray, near: bool) -> np.ndarray | None:
        """Rows that break a race's rule at ``q`` (the race's own tests), or None if none.

        ``near``: every coordinate of ``q`` is known to be within ``far_bound``. The fast
        test has no false passes: a sum is finite only if every term is, and ``|g|^2`` of
        every run is finite when the whole sum stays below 1e300.
        """
        if near:
            if math.isfinite(float(loss.sum())) and float(np.einsum("ij,ij->", g, g)) <= 1e300:
                return None
        gn = np.sqrt(np.einsum("ij,ij->i", g, g))
        bad = ~np.isfinite(loss) | ~np.isfinite(gn)
        bad |= np.abs(q).max(axis=1) > far_bound
        return np.flatnonzero(bad) if bad.any() else None

    def enter(step: int, rows: np.ndarray | None) -> None:
        """Runs ``rows`` (all live runs if None), outside every ball: which ball now?"""
        nonlocal n_inside
        x, y = (p[:, 0], p[:, 1]) if rows is None else (p[rows, 0], p[rows, 1])
        for k in range(len(mxy)):
            # the x stripe first: a cheap filter, then the exact distance on the few inside
            dx = x - mxy[k, 0]
            np.abs(dx, out=dx)
            near = np.flatnonzero(dx <= tol)
            if near.size:
                ex = dx[near]
                ey = y[near] - mxy[k, 1]
                hit = near[ex * ex + ey * ey <= tol2]
                if hit.size:
                    idx = hit if rows is None else rows[hit]
                    inside[idx] = k
                    since[idx] = step
                    centre[idx] = mxy[k]
                    n_inside += len(idx)

    def track_overlapping(step: int) -> None:
        """Balls that overlap: every run against every minimum, the last one wins."""
        nonlocal inside
        x, y = p[:, 0], p[:, 1]
        now = np.full(len(live), NONE, dtype=np.int64)
        for k in range(len(mxy)):
            dx = np.abs(x - mxy[k, 0])
            near = np.flatnonzero(dx <= tol)
            if near.size:
                ex = dx[near]
                ey = y[near] - mxy[k, 1]
                now[near[ex * ex + ey * ey <= tol2]] = k
        entered = now != inside
        if entered.any():
            since[entered] = step
            inside = now

    def track(step: int) -> None:
        nonlocal n_inside
        if overlapping:
            track_overlapping(step)
            return
        if n_inside:
            d = p - centre
            d *= d
            still = d[:, 0] + d[:, 1] <= tol2  # NaN rows (inside no ball) are False
            if np.count_nonzero(still) != n_inside:
                left = np.flatnonzero((inside != NONE) & ~still)
                inside[left] = NONE
                since[left] = -1
                centre[left] = np.nan
                n_inside -= len(left)
        if n_inside == len(live):
            return
        if n_inside == 0:
            enter(step, None)
        else:
            enter(step, np.flatnonzero(inside == NONE))

    def retire(rows: np.ndarray, step: int, loss: np.ndarray, stuck: np.ndarray | None) -> None:
        """Live rows ``rows`` stopped at ``step`` (diverged or left): their values are final.

        As the race's ``_check_status``: a run beyond ``far_bound`` whose update, loss and
        gradient are finite and whose loss is below its start's left; any other diverged.
        """
        nonlocal p, g, loss_, state, live, inside, since, centre, n_inside, start_loss
        full = live[rows]
        positions[full] = p[rows]
        losses[full] = loss[rows]
        gr = g[rows]
        left = (
            (np.abs(p[rows]).max(axis=1) > far_bound)
            & np.isfinite(loss[rows])
            & np.isfinite(np.sqrt(np.einsum("ij,ij->i", gr, gr)))
            & (loss[rows] < start_loss[rows])
        )
        if stuck is not None:
            left &= ~np.isin(rows, stuck)
        diverged_at[full[~left]] = step
        left_at[full[left]] = step
        keep = np.ones(len(live), dtype=bool)
        keep[rows] = False
        keep = np.flatnonzero(keep)
        state = _take_rows(state, keep, len(live))
        p = np.asfortranarray(p[keep])
        g = np.asfortranarray(g[keep])
        loss_ = loss[keep]
        start_loss = start_loss[keep]
        live, inside, since = live[keep], inside[keep], since[keep]
        centre = np.asfortranarray(centre[keep])
        n_inside = int(np.count_nonzero(inside != NONE))

    def snapshot(step: int) -> MapSnapshot:
        pos, loss = positions.copy(), losses.copy()
        pos[live], loss[live] = p, loss_
        ins, snc = inside_all.copy(), since_all.copy()
        ins[live], snc[live] = inside, since
        outcome = np.where(diverged_at >= 0, DIVERGED, np.where(left_at >= 0, LEFT, ins))
        steps_to = np.where(outcome >= 0, snc, -1)
        arrays = [
            a.reshape(shape).copy()
            for a, shape in (
                (starts, (ny, nx, 2)),
                (pos, (ny, nx, 2)),
                (loss, (ny, nx)),
                (outcome, (ny, nx)),
                (steps_to, (ny, nx)),
                (diverged_at, (ny, nx)),
                (left_at, (ny, nx)),
            )
        ]
        for a in arrays:
            a.flags.writeable = False
        return MapSnapshot(kind, step, steps, x_axis, y_axis, *arrays, minima, tol)

    with np.errstate(all="ignore"):
        loss_, g = evaluate(p)
        start_loss = loss_.copy()  # a run beyond far_bound below this left, else diverged
        bad = failing(p, loss_, g, near=False)
        if bad is not None:
            retire(bad, 0, loss_, None)
        track(0)
        yield snapshot(0)
        for step in range(1, steps + 1):
            if len(live):
                new, state = opt.update(g, state, p, loss_)
                new = np.asfortranarray(new)
                lo, hi = float(new.min()), float(new.max())
                stuck = None
                near = -far_bound <= lo and hi <= far_bound
                if not near:
                    # a run whose update is not finite keeps its point and diverges here
                    finite = np.isfinite(new).all(axis=1)
                    if not finite.all():
                        stuck = np.flatnonzero(~finite)
                        new[stuck] = p[stuck]
                p = new
                loss_, g = evaluate(p)
                bad = failing(p, loss_, g, near)
                if stuck is not None:
                    bad = stuck if bad is None else np.union1d(bad, stuck)
                if bad is not None:
                    retire(bad, step, loss_, stuck)
                track(step)
            if step % every == 0 or step == steps:
                yield snapshot(step)


def basin_map(
    land: Landscape,
    run: RunConfig,
    grid: int | Sequence[int] = 100,
    steps: int = 1000,
    tol: float = 1e-2,
    window: tuple[float, float, float, float] | None = None,
    every: int = 50,
    far_bound: float = 1e6,
) -> Iterator[MapSnapshot]:
    """Where one optimizer setting ends from every start point of a grid.

    Parameters
    ----------
    land : Landscape
        Its ``minima`` are the outcomes; a surface without minima gives only none/diverged.
    run : RunConfig
        Optimizer, hyperparameters, schedule, clipping, noise (``batch_size`` must be 0;
        its ``start`` is ignored).
    grid : int or (nx, ny)
        Starts per axis, at most :data:`MAX_GRID`.
    steps : int
        Updates per run.
    tol : float
        A run has reached a minimum when it is within this distance of it.
    window : tuple of 4 floats, optional
        ``(xmin, xmax, ymin, ymax)`` of the starts; defaults to ``land.window``.
    every : int
        Steps between snapshots (and the last step).
    far_bound : float
        A run further than this from the origin (max norm) stops, as in a race: left if
        downhill of its start, else diverged.

    Yields
    ------
    MapSnapshot
        ``kind="basins"``, at step 0, every ``every`` steps and at ``steps``.
    """
    _check_common(run, steps, tol, every)
    nx, ny = _grid_size(grid)
    xmin, xmax, ymin, ymax = land.window if window is None else (float(v) for v in window)
    if not all(map(math.isfinite, (xmin, xmax, ymin, ymax))) or xmin >= xmax or ymin >= ymax:
        raise ValueError(f"window must be finite with xmin < xmax and ymin < ymax; got {window}")
    xa, ya = Axis.linear("x", xmin, xmax, nx), Axis.linear("y", ymin, ymax, ny)
    starts = np.empty((ny, nx, 2))
    starts[..., 0] = xa.values[None, :]
    starts[..., 1] = ya.values[:, None]
    opt = _optimizer(run, nx * ny)
    return _lockstep("basins", land, opt, starts, xa, ya, int(steps), tol, every, far_bound)


def hyper_axes(optimizer: str) -> tuple[str, ...]:
    """Hyperparameters of ``optimizer`` a map can vary (float ones; betas as beta1, beta2)."""
    spec = _optimizers.OPTIMIZERS[str(optimizer).strip().lower()]
    out: list[str] = []
    for p in spec.params:
        if p.kind == "float":
            out.append(p.name)
        elif p.kind == "pair" and p.name == "betas":
            out.extend(("beta1", "beta2"))
    return tuple(out)


def hyper_map(
    land: Landscape,
    run: RunConfig,
    x_axis: Axis,
    y_axis: Axis,
    start: tuple[float, float] | None = None,
    steps: int = 1000,
    tol: float = 1e-2,
    every: int = 50,
    far_bound: float = 1e6,
) -> Iterator[MapSnapshot]:
    """One start, two hyperparameters varied over a grid (columns ``x_axis``, rows ``y_axis``).

    Parameters
    ----------
    land : Landscape
    run : RunConfig
        The setting the other hyperparameters come from.
    x_axis, y_axis : Axis
        Names from :func:`hyper_axes` of the run's optimizer; values validated as the
        optimizer validates them (e.g. momentum in [0, 1)).
    start : (float, float), optional
        Defaults to ``run.start`` and then the landscape's start.

    Yields
    ------
    MapSnapshot
        ``kind="hyper"``; ``loss`` is the final-loss map, ``steps_to`` the steps-to-tolerance
        map.
    """
    _check_common(run, steps, tol, every)
    allowed = hyper_axes(run.optimizer)
    for ax in (x_axis, y_axis):
        if ax.name not in allowed:
            raise ValueError(
                f"{run.optimizer} has no hyperparameter {ax.name!r} to vary "
                f"(choose from {', '.join(allowed)})"
            )
        if not 2 <= len(ax.values) <= MAX_GRID:
            raise ValueError(f"{ax.name}: between 2 and {MAX_GRID} values; got {len(ax.values)}")
    if x_axis.name == y_axis.name:
        raise ValueError(f"vary two different hyperparameters; got {x_axis.name} twice")
    nx, ny = len(x_axis.values), len(y_axis.values)
    columns = {
        x_axis.name: np.broadcast_to(x_axis.values[None, :], (ny, nx)).reshape(-1, 1),
        y_axis.name: np.broadcast_to(y_axis.values[:, None], (ny, nx)).reshape(-1, 1),
    }
    batched: dict[str, Any] = {}
    hyper = run.resolved_hyper()
    betas = list(hyper.get("betas", (0.0, 0.0)))
    for name, col in columns.items():
        if name in ("beta1", "beta2"):
            betas[int(name[-1]) - 1] = col
            batched["betas"] = tuple(betas)
        else:
            batched[name] = col
    opt = _optimizer(replace(run, start=None), nx * ny, batched)
    if start is None:
        start = run.start if run.start is not None else land.start
    x0, y0 = float(start[0]), float(start[1])
    if not (math.isfinite(x0) and math.isfinite(y0)):
        raise ValueError(f"start must be two finite numbers; got {start!r}")
    starts = np.empty((ny, nx, 2))
    starts[..., 0], starts[..., 1] = x0, y0
    return _lockstep("hyper", land, opt, starts, x_axis, y_axis, int(steps), tol, every, far_bound)
