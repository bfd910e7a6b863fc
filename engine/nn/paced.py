"""What the network lab's worker runs: every column in training, with paced snapshots.

The parts of a snapshot cost very different amounts (measured on the default four 10-layer
columns, medians on a loaded 2-core machine: losses ~0.6 ms per column, layer statistics
~2 ms, decision grid ~1.3 ms), so while running :class:`NetEngine` serves parts in turns,
one column per turn, the most overdue first: losses fill in between pictures and the
picture (layer statistics and decision grid of the same step, with that step's losses)
comes up to 30 rounds a second, each part within its share of the worker's time
(:data:`PACING`), so training keeps about half of it. One call serves every turn due since
the last call (at most one round per part, within :data:`CALL_BUDGET_S`): the bridge asks
once per display tick, and one turn per call had capped every column's pictures together
at the display rate. The decision regions are always those of the histograms' step: they
are never older than one round of pictures (:func:`round_seconds`).
Paused, every snapshot is complete. Pure numpy: the GUI's bridge drives it.

A column whose training loss grows past :data:`DIVERGING_FACTOR` times its loss at its
step 0, while still finite, is reported with status ``"diverging"`` (``"diverged"`` stays
the engine's word for a loss that is no longer a number).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.datasets import TaskConfig
from engine.nn.range_job import LayerSpectrum, column_range_test, muon_spectra
from engine.nn.sharpness_track import SharpnessTrack, column_limit, measure_column
from engine.nn.training import ColumnSnapshot, Comparison, TrainConfig

__all__ = [
    "CALL_BUDGET_S",
    "DIVERGING_FACTOR",
    "GRID_SIZE",
    "PACING",
    "RECOVERED_FACTOR",
    "STATS_SIZE",
    "NetEngine",
    "NetFrame",
    "all_diverged",
    "good",
    "round_seconds",
]

# While running, each part of a snapshot comes at most every `least` seconds and takes at
# most `share` of the worker's time (measured), so training always keeps most of it.
# (`least` is the shortest time for a round over every column, one column per turn.)
# Losses are due faster than the display takes snapshots (one per tick), so a tick rarely
# finds nothing new; the bridge builds one only when the previous one was taken.
PACING = {
    # Losses, accuracies, status. Every picture brings its column's losses as well, so
    # this part only fills in between pictures (profiled under bench/gui_bench_network.py:
    # at 1/32 s and 0.2 it evaluated the full data set ~120 times a second, a fifth of the
    # worker, for loss points the curves could not show apart).
    "frame": (1 / 20, 0.1),
    # Per-layer statistics and, for classification, the decision grid of the same step:
    # one part, so the regions are never older than the histograms beside them. Pictures
    # are the lab's mission: up to 30 a second per column, and the largest share.
    "layers": (1 / 30, 0.45),
}
#: Training loss above this multiple of the column's step-0 loss is flagged "diverging"...
DIVERGING_FACTOR = 100.0
#: ...and stays flagged until it is back below this multiple (a sawtooth loss, thrown up
#: and falling back, must not flicker between the two words).
RECOVERED_FACTOR = 10.0
GRID_SIZE = 48
#: Longest a running snapshot call serves due turns (several columns' parts in one call).
CALL_BUDGET_S = 0.010
#: Sharpness measurements take at most this share of the worker's time while running
#: (each is 2 x SHARPNESS_ITERS full-batch gradient passes of one column).
SHARPNESS_SHARE = 0.1
SHARPNESS_ITERS = 12
STATS_SIZE = 128


@dataclass(frozen=True)
class NetFrame:
    """What the GUI draws at one moment (built on the worker; every field immutable).

    Attributes
    ----------
    generation : int
        The configuration this frame belongs to (the GUI drops older ones).
    step : int
        Steps of the comparison since its (re)start.
    columns : tuple of ColumnSnapshot
        Newest snapshot per column (losses and status; layers may be empty).
    pictures : tuple of ColumnSnapshot or None
        Newest snapshot *with* layer statistics whose loss was finite, per column: a
        diverged column keeps its last good picture. None before the first one.
    boundaries : tuple of ndarray or None
        Newest good decision grid per column (classification), shape (g, g, classes).
    sharpness : tuple of SharpnessTrack
        Per column, its top Hessian eigenvalue against its stability limit every
        :attr:`NetEngine.sharpness_every` steps (empty tracks while that is 0).
    spectra : tuple of tuple of LayerSpectrum
        Per column, each hidden matrix's singular values of its last update before and
        after Newton-Schulz orthogonalisation (Muon columns; empty for the others).
    """

    generation: int
    step: int
    columns: tuple[ColumnSnapshot, ...]
    pictures: tuple[ColumnSnapshot | None, ...]
    boundaries: tuple[np.ndarray | None, ...]
    sharpness: tuple[SharpnessTrack, ...] = ()
    spectra: tuple[tuple[LayerSpectrum, ...], ...] = ()


def good(col: ColumnSnapshot) -> bool:
    """Whether ``col`` has numbers to draw (running or diverging, with a finite loss)."""
    return col.status in ("running", "diverging") and math.isfinite(col.train_loss)


def round_seconds(n_columns: int, cost: float, part: str = "layers") -> float:
    """Shortest time between two pictures of one column while running.

    Parameters
    ----------
    n_columns : int
        Columns served in turns.
    cost : float
        Seconds one column's ``part`` takes.

    Returns
    -------
    float
        ``n_columns`` turns, each in a slot of ``max(least / n, cost / share)`` seconds
        (see :data:`PACING`).
    """
    least, share = PACING[part]
    n = max(int(n_columns), 1)
    return n * max(least / n, cost / share)


class NetEngine:
    """The columns in training, with snapshot pacing; driven by the worker thread only.

    Each column is a one-column :class:`Comparison`. The engine guarantees that a column
    trains exactly as it would alone (same data, batches and seeds), so this is the same
    computation as one many-column comparison, but every column's snapshot parts can be
    asked for on their own: no call here runs longer than one column's layer statistics
    or decision grid (a few milliseconds), which keeps the GUI's waits short.

    Parameters
    ----------
    task, columns :
        As for :class:`Comparison`.
    """

    def __init__(self, task: TaskConfig, columns: Sequence[TrainConfig]) -> None:
        self.live = False
        self.generation = 0
        self.sharpness_every = 0
        self._sharp_next = 0.0
        self._sharp_cost = 0.0
        self._cost = dict.fromkeys(PACING, 0.0)
        self.load(task, columns, 0)

    def _comparison(self, cfg: TrainConfig) -> Comparison:
        return Comparison(self.task, [cfg], grid_size=GRID_SIZE, stats_size=STATS_SIZE)

    def load(self, task: TaskConfig, columns: Sequence[TrainConfig], generation: int) -> None:
        """A new comparison at step 0."""
        self.task = task
        self.comps = [self._comparison(c) for c in columns]
        self._restarted(generation)

    def _restarted(self, generation: int) -> None:
        self.step_count = 0
        self.generation = generation
        n = len(self.comps)
        self._latest: list[ColumnSnapshot | None] = [None] * n
        self._pictures: list[ColumnSnapshot | None] = [None] * n
        self._boundaries: list[np.ndarray | None] = [None] * n
        self._start_loss: list[float] = [math.nan] * n
        self._diverging: list[bool] = [False] * n
        self._sharp = [SharpnessTrack() for _ in range(n)]
        self._schedule()

    def _schedule(self) -> None:
        self._next = dict.fromkeys(PACING, 0.0)
        self._turn = dict.fromkeys(PACING, 0)

    @property
    def columns(self) -> tuple[TrainConfig, ...]:
        """Every column's config as the engine uses it."""
        return tuple(c.columns[0] for c in self.comps)

    @property
    def classification(self) -> bool:
        return self.comps[0].data.kind == "classification"

    def set_column(self, i: int, cfg: TrainConfig, generation: int) -> None:
        """Column ``i`` becomes a new network from ``cfg``, at its own step 0."""
        self.comps[i] = self._comparison(cfg)
        self.generation = generation
        self._latest[i] = self._pictures[i] = self._boundaries[i] = None
        self._start_loss[i] = math.nan
        self._diverging[i] = False
        self._sharp[i] = SharpnessTrack()

    def set_hyper(self, i: int, hyper: dict) -> None:
        self.comps[i].set_hyper(0, **hyper)

    def resample(self, generation: int) -> tuple[TrainConfig, ...]:
        """New initial weights for every column (seed + 1), back to step 0."""
        for c in self.comps:
            c.resample()
        self._restarted(generation)
        return self.columns

    def set_sharpness_every(self, every: int) -> None:
        """Measure each column's sharpness every ``every`` of its steps (0: never)."""
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 0:
            raise ValueError(f"sharpness interval must be a whole number >= 0; got {every!r}")
        self.sharpness_every = int(every)

    def range_test(self, i: int, seed: int = 0):
        """Learning-rate range test from column ``i``'s current weights (a one-off job).

        Training is not disturbed: the sweep runs on a copy
        (:func:`engine.nn.range_job.column_range_test`).
        """
        if not 0 <= i < len(self.comps):
            raise ValueError(f"range test: no column {i + 1}")
        return column_range_test(self.comps[i], 0, seed=seed)

    def _sharpness_due(self) -> list[int]:
        every = self.sharpness_every
        if every <= 0:
            return []
        due = []
        for i, comp in enumerate(self.comps):
            track, col = self._sharp[i], self._latest[i]
            if col is None or not good(col):
                continue
            if not track.steps or comp.step_count - track.steps[-1] >= every:
                due.append(i)
        return due

    def _measure_sharpness(self, now: float | None) -> None:
        """Paused (``now`` None): every due column; running: one, within its time share."""
        due = self._sharpness_due()
        if not due:
            return
        if now is not None:
            if now < self._sharp_next:
                return
            # the column measured longest ago goes first, so none is starved
            due = [min(due, key=lambda i: self._sharp[i].steps[-1] if self._sharp[i] else -1)]
        for i in due:
            t0 = time.perf_counter()
            value = measure_column(self.comps[i], 0, iters=SHARPNESS_ITERS, seed=i)
            limit, rule = column_limit(self.comps[i], 0, self._latest[i].lr)
            self._sharp[i] = self._sharp[i].add(self.comps[i].step_count, value, limit, rule)
            cost = self._sharp_cost = 0.6 * self._sharp_cost + 0.4 * (time.perf_counter() - t0)
            self._sharp_next = time.perf_counter() + cost / SHARPNESS_SHARE - cost

    def set_live(self, live: bool) -> None:
        """While live (running), snapshots are paced; paused, each one is complete."""
        self.live = bool(live)
        self._schedule()

    def all_diverged(self) -> bool:
        return all(c is not None and c.status == "diverged" for c in self._latest)

    # -------------------------------------------------------------- Steppable
    def step(self, n: int) -> None:
        for c in self.comps:
            c.step(n)
        self.step_count += int(n)

    def snapshot(self) -> NetFrame | None:
        """The newest frame, or None when no part is due yet (the bridge asks again)."""
        if not self.live or any(c is None for c in self._latest):
            for i in range(len(self.comps)):
                self._take(i, boundary=self.classification, layers=True)
            self._measure_sharpness(None)
            return self._frame()
        start = now = time.perf_counter()
        n = len(self.comps)
        served = False
        # Every turn that is due, most overdue first, within CALL_BUDGET_S: the bridge
        # publishes one frame per display tick, so one turn per call capped the pictures
        # at the display rate shared by every column and both parts (profiled: 6 of
        # each column's pictures a second at 1920x1080, with the worker a third idle).
        turns = dict.fromkeys(PACING, 0)
        while True:
            due = [
                p
                for p in PACING
                if now >= self._next[p]
                and turns[p] < n
                and (not served or now - start + self._cost[p] <= CALL_BUDGET_S)
            ]
            if not due:
                break
            part = min(due, key=self._next.__getitem__)
            turns[part] += 1  # at most one round (each column once) per part and call
            # The columns take turns, one column per turn.
            i = self._turn[part]
            self._turn[part] = (i + 1) % n
            layers = part == "layers"
            self._take(i, boundary=layers and self.classification, layers=layers)
            self._spent(part, now, n)
            served = True
            now = time.perf_counter()
        if not served:
            return None
        self._measure_sharpness(time.perf_counter())
        return self._frame()

    def _take(self, i: int, boundary: bool, layers: bool) -> None:
        col = self._flag(i, self.comps[i].snapshot(boundary=boundary, layers=layers).columns[0])
        self._latest[i] = col
        fine = good(col)
        if col.layers and (fine or self._pictures[i] is None):
            self._pictures[i] = col
        if col.boundary is not None and (fine or self._boundaries[i] is None):
            self._boundaries[i] = col.boundary

    def _flag(self, i: int, col: ColumnSnapshot) -> ColumnSnapshot:
        """``col``, with status "diverging" when its loss is past DIVERGING_FACTOR x start
        (until it is back under RECOVERED_FACTOR x start)."""
        if col.step == 0 and math.isfinite(col.train_loss):
            self._start_loss[i] = col.train_loss
            self._diverging[i] = False
        start, loss = self._start_loss[i], col.train_loss
        if col.status != "running" or not (start > 0 and math.isfinite(loss)):
            return col
        factor = RECOVERED_FACTOR if self._diverging[i] else DIVERGING_FACTOR
        self._diverging[i] = loss > factor * start
        return dataclasses.replace(col, status="diverging") if self._diverging[i] else col

    def start_loss(self, i: int) -> float:
        """Column ``i``'s training loss at its step 0 (NaN before its first snapshot)."""
        return self._start_loss[i]

    def _frame(self) -> NetFrame:
        return NetFrame(
            self.generation,
            self.step_count,
            tuple(self._latest),
            tuple(self._pictures),
            tuple(self._boundaries),
            tuple(self._sharp),
            tuple(muon_spectra(c.optimizer_state(0)) for c in self.comps),
        )

    def _spent(self, part: str, t0: float, n: int) -> None:
        """Book the time since ``t0`` to ``part`` and schedule its next turn.

        Each turn serves one column, so a round over every column takes ``n`` turns.
        """
        t1 = time.perf_counter()
        cost = self._cost[part] = 0.6 * self._cost[part] + 0.4 * (t1 - t0)
        least, share = PACING[part]
        # Each turn has a slot of max(least / n, cost / share) seconds, start to start,
        # so over a round the part takes at most its share. Slots keep their rhythm when
        # a call comes late: the call catches up with the turns due since (at most one
        # round behind), instead of one turn per display tick.
        after = max(self._next[part], t1 - least)
        self._next[part] = after + max(least / n, cost / share)


def all_diverged(engine: NetEngine) -> bool:
    return engine.all_diverged()
