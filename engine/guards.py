"""Resource guards: estimate memory and time before building something big, and refuse early.

A network comparison, a race or a loss map is checked *before* any array is allocated:
the estimate comes from the shapes alone (a few multiplications), and a refusal is one
line with the estimate and the budget, e.g.::

    network too big: about 12.9 GB of memory (budget 1.6 GB): 8 hidden layers of 4096 ...

Budgets live in :mod:`engine.limits` (:data:`~engine.limits.MEMORY_BUDGET_BYTES`,
:data:`~engine.limits.STEP_SECONDS_BUDGET`). The memory model counts float64 arrays the
engine keeps or makes at its peak; ``tests/engine/test_guards.py`` checks it against
allocations measured with :mod:`tracemalloc` (it must never be below the measurement and
not far above it). The time model counts multiply-adds at
:data:`~engine.limits.ASSUMED_FLOPS` and is deliberately pessimistic.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from engine import limits

__all__ = [
    "Estimate",
    "ResourceError",
    "check_comparison",
    "check_map",
    "check_race",
    "comparison_shapes",
    "estimate_comparison",
    "estimate_map",
    "estimate_race",
    "format_bytes",
]

_F64 = 8
# Rows of the decision-boundary grid and of the fitted curve (engine.nn.training defaults).
_GRID_ROWS = 64 * 64
_CURVE_ROWS = 200
_STATS_ROWS = 256


class ResourceError(ValueError):
    """Refused before allocating: the estimate is over the budget (one-line message)."""


@dataclass(frozen=True)
class Estimate:
    """What something will cost, from its shapes alone.

    Attributes
    ----------
    bytes : int
        Peak memory of the arrays it keeps and makes, in bytes.
    step_seconds : float
        Estimated time of one step (every column or run).
    snapshot_seconds : float
        Estimated time of one full snapshot (losses, statistics, pictures).
    what : str
        Short description of the thing, for messages.
    """

    bytes: int
    step_seconds: float
    snapshot_seconds: float
    what: str

    def check(
        self,
        memory_budget: int = limits.MEMORY_BUDGET_BYTES,
        seconds_budget: float = limits.STEP_SECONDS_BUDGET,
    ) -> Estimate:
        """Return self, or raise :class:`ResourceError` naming the estimate and budget."""
        if self.bytes > memory_budget:
            raise ResourceError(
                f"{self.what} too big: about {format_bytes(self.bytes)} of memory "
                f"(budget {format_bytes(memory_budget)}); make it smaller"
            )
        worst = max(self.step_seconds, self.snapshot_seconds)
        if worst > seconds_budget:
            which = "step" if self.step_seconds >= self.snapshot_seconds else "snapshot"
            raise ResourceError(
                f"{self.what} too slow: about {worst:.3g} s per {which} "
                f"(budget {seconds_budget:g} s); make it smaller"
            )
        return self


def format_bytes(n: float) -> str:
    """``1.6e9`` -> ``"1.6 GB"`` (decimal units, as file managers show them)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{int(n)} bytes"


# ------------------------------------------------------------------------------ networks


def _layers_text(hidden: Sequence[int]) -> str:
    if not hidden:
        return "no hidden layers"
    if len(set(hidden)) == 1:
        return f"{len(hidden)} hidden layer{'s' if len(hidden) > 1 else ''} of {hidden[0]}"
    return "hidden layers " + ",".join(str(h) for h in hidden)


def estimate_comparison(
    n_points: int,
    n_features: int,
    n_outputs: int,
    columns: Sequence[tuple[Sequence[int], int, bool]],
    *,
    val_fraction: float = 0.2,
    grid: bool = True,
) -> Estimate:
    """Memory and time of a network comparison, from its shapes.

    Parameters
    ----------
    n_points : int
        Data points (training plus validation).
    n_features, n_outputs : int
        Input and output width of every network.
    columns : sequence of (hidden, batch_size, batchnorm)
        Per column: hidden widths, mini-batch size, whether batch norm is on.
    val_fraction : float
        Share of points held out (the rest are training points).
    grid : bool
        Whether snapshots evaluate a decision-boundary grid (2-D classification) rather
        than a fitted curve (1-D regression).

    Returns
    -------
    Estimate

    Notes
    -----
    Per column the engine keeps about 12 parameter-sized vectors (two parameter buffers,
    gradients, up to three optimizer moments, update ratios and the temporaries of an
    update) and the cached forward pass of the picture (grid or curve: pre-activations and
    activations, in float32 like every display-only array). Passes run one column at a
    time, so only the largest transient pass counts once: a training batch or the
    statistics batch with forward and backward caches (4 arrays per unit, 8 with batch
    norm), or the evaluation of every point (3 arrays of the widest layer). The data set
    adds about 16 numbers per point.
    """
    n_train = max(2, n_points - round(n_points * val_fraction))
    rows_pic = _GRID_ROWS if grid else _CURVE_ROWS
    keep = 0.0
    transient = 0.0
    flops_step = 0.0
    flops_snap = 0.0
    overhead_step = overhead_snap = 0.0
    worst_what = ""
    worst_p = -1
    for hidden, batch, bn in columns:
        widths = [n_features, *hidden, n_outputs]
        p_w = sum(a * b for a, b in itertools.pairwise(widths))
        p = p_w + sum(widths[1:]) + (4 * sum(hidden) if bn else 0)
        units = sum(widths[1:])
        widest = max(widths)
        b = min(int(batch), n_train)
        per_unit = 8 if bn else 4
        # The picture and the layer statistics are display-only and computed in float32
        # (engine.nn.training's DISPLAY_DTYPE): half a float64 number each.
        keep += 12 * p + rows_pic * units / 2 + 65_536
        transient = max(
            transient,
            b * units * per_unit,
            min(_STATS_ROWS, n_train) * units * per_unit / 2,
            n_points * widest * 3 + rows_pic * widest * 3 / 2,
        )
        flops_step += 6 * b * p_w
        flops_snap += 2 * (rows_pic + n_points) * p_w + 6 * min(_STATS_ROWS, n_train) * p_w
        overhead_step += limits.LAYER_STEP_SECONDS * (len(hidden) + 1)
        overhead_snap += limits.LAYER_SNAPSHOT_SECONDS * (len(hidden) + 1)
        if p > worst_p:
            worst_p, worst_what = p, _layers_text(hidden)
    data = 16 * n_points * (n_features + 1) + 262_144
    total = _F64 * (keep + transient + data)
    what = f"network ({len(columns)} column{'s' if len(columns) != 1 else ''}, {worst_what}"
    what += f", {n_points:,} points)"
    return Estimate(
        int(total),
        flops_step / limits.ASSUMED_FLOPS + overhead_step,
        flops_snap / limits.ASSUMED_FLOPS + overhead_snap,
        what,
    )


def comparison_shapes(task, columns) -> tuple[int, int, int, list, bool]:
    """Shapes of a comparison given as a TaskConfig and TrainConfigs (no data generated).

    Returns
    -------
    (n_points, n_features, n_outputs, columns, grid)
        As :func:`estimate_comparison` takes them.
    """
    spec = task.spec
    cols = [(tuple(c.mlp.hidden), c.batch_size, c.mlp.batchnorm != "off") for c in columns]
    grid = spec.kind != "regression" and spec.input_size == 2
    return task.n, int(spec.input_size), int(spec.n_outputs(task.params)), cols, grid


def check_comparison(task, columns) -> Estimate:
    """Refuse (ResourceError, one line) a comparison over the memory or time budget.

    Call before :class:`engine.nn.training.Comparison` is built: nothing is allocated.

    Parameters
    ----------
    task : TaskConfig
    columns : sequence of TrainConfig
    """
    n, f, o, cols, grid = comparison_shapes(task, columns)
    return estimate_comparison(n, f, o, cols, val_fraction=task.val_fraction, grid=grid).check()


# ------------------------------------------------------------------------------ races


def estimate_race(
    n_runs: int, n_data: int = 0, batch_size: int = 0, recent: int = 1000, decimated: int = 2000
) -> Estimate:
    """Memory and time of a race of ``n_runs`` runs.

    Parameters
    ----------
    n_runs : int
    n_data : int
        Data points of a data-backed landscape (regression), 0 for a formula.
    batch_size : int
        Largest mini-batch of any run (0 = the full data set).
    recent, decimated : int
        Trajectory buffer sizes (:class:`engine.trajectory.TrajectoryBuffer`).

    Notes
    -----
    Each run keeps its trajectory (``recent + decimated`` points of 4 numbers) and about 40
    numbers of optimizer state and snapshot; a data-backed step evaluates every run on
    its batch (a runs x batch residual matrix and a few of its kind), and the snapshot
    evaluates every run on all data.
    """
    b = n_data if batch_size <= 0 else min(batch_size, n_data)
    per_run = (recent + decimated) * 5 + 40
    transient = 4 * n_runs * n_data
    total = _F64 * (n_runs * per_run + transient + 4 * n_data)
    step = (n_runs * (200 + 10 * b)) / limits.ASSUMED_FLOPS
    snap = (n_runs * (200 + 10 * n_data)) / limits.ASSUMED_FLOPS
    return Estimate(int(total), step, snap, f"race ({n_runs} runs, {n_data:,} data points)")


def check_race(config) -> Estimate:
    """Refuse (ResourceError) a race with too many runs or over the budget.

    Parameters
    ----------
    config : RaceConfig
    """
    if len(config.runs) > limits.MAX_RUNS:
        raise ResourceError(f"race: {len(config.runs)} runs; at most {limits.MAX_RUNS}")
    n_data = 0
    if config.landscape == "regression":
        n_data = int(dict(config.landscape_params).get("n", 100))
    batch = max((int(r.batch_size) for r in config.runs), default=0)
    if any(int(r.batch_size) == 0 for r in config.runs):
        batch = 0
    return estimate_race(len(config.runs), n_data, batch).check()


# ------------------------------------------------------------------------------ maps


def estimate_map(
    points: int, arrays: int = 4, flops_per_point: float = 200.0, what: str = "map"
) -> Estimate:
    """Memory and time of evaluating a loss map on ``points`` grid points.

    Parameters
    ----------
    points : int
        Grid points (``resolution ** 2`` for a square map).
    arrays : int
        Float64 arrays of one value per point alive at the peak (coordinates, value,
        gradient components, colour buffer...).
    flops_per_point : float
        Work per point (a formula's operation count; 200 covers the classic surfaces).
    what : str
        Name for messages.
    """
    return Estimate(
        int(_F64 * points * arrays), 0.0, points * flops_per_point / limits.ASSUMED_FLOPS, what
    )


def check_map(
    points: int, arrays: int = 4, flops_per_point: float = 200.0, what: str = "map"
) -> Estimate:
    """Refuse (ResourceError, one line) a map over :data:`~engine.limits.MAX_MAP_POINTS` or
    over the memory/time budget; call before allocating the grid."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise ResourceError(f"{what}: points must be a whole number >= 1; got {points!r}")
    if points > limits.MAX_MAP_POINTS:
        raise ResourceError(
            f"{what}: {points:,} points; at most {limits.MAX_MAP_POINTS:,} "
            f"(e.g. {int(limits.MAX_MAP_POINTS**0.5)} x {int(limits.MAX_MAP_POINTS**0.5)})"
        )
    return estimate_map(points, arrays, flops_per_point, what).check()
