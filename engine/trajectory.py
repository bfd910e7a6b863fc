"""Bounded trajectory memory: the recent past exactly, the distant past thinned out.

A race of a million steps must not grow without bound, yet the last stretch of every
trajectory is what a viewer looks at closely. Each run keeps the latest ``recent`` points
exactly in a ring buffer; points leaving the ring are offered to a decimated store that
keeps every ``stride``-th one and, when full, drops every other point and doubles the
stride. Memory is ``O(recent + decimated)`` whatever the length of the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Columns of the stored points.
X, Y, LOSS, GRAD_NORM = range(4)


@dataclass(frozen=True)
class History:
    """One run's trajectory, oldest first. Arrays are read-only.

    Attributes
    ----------
    steps : ndarray of int64, shape (m,)
    xy : ndarray, shape (m, 2)
    loss : ndarray, shape (m,)
    grad_norm : ndarray, shape (m,)
    """

    steps: np.ndarray
    xy: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray

    def __len__(self) -> int:
        return len(self.steps)


class TrajectoryBuffer:
    """Fixed-size storage of ``n_runs`` trajectories recorded in lockstep.

    Parameters
    ----------
    n_runs : int
    recent : int
        Latest points kept exactly.
    decimated : int
        Capacity of the thinned-out older part; must be even.
    """

    def __init__(self, n_runs: int, recent: int = 1000, decimated: int = 2000) -> None:
        if recent < 1 or decimated < 2 or decimated % 2:
            raise ValueError("recent must be >= 1 and decimated an even number >= 2")
        self.n_runs = n_runs
        self.recent = recent
        self.capacity = decimated
        self._ring = np.empty((recent, n_runs, 4))
        self._ring_steps = np.empty(recent, dtype=np.int64)
        self._head = 0  # next slot to write
        self._count = 0
        self._old = np.empty((decimated, n_runs, 4))
        self._old_steps = np.empty(decimated, dtype=np.int64)
        self._old_count = 0
        self._stride = 1
        self._offered = 0

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self._ring, self._ring_steps, self._old, self._old_steps))

    def __len__(self) -> int:
        return self._old_count + self._count

    def append(self, step: int, xy: np.ndarray, loss: np.ndarray, grad_norm: np.ndarray) -> None:
        """Record one lockstep point.

        Parameters
        ----------
        step : int
        xy : ndarray, shape (n_runs, 2)
        loss, grad_norm : ndarray, shape (n_runs,)
        """
        if self._count == self.recent:
            self._retire(self._head)
        else:
            self._count += 1
        row = self._ring[self._head]
        row[:, X : Y + 1] = xy
        row[:, LOSS] = loss
        row[:, GRAD_NORM] = grad_norm
        self._ring_steps[self._head] = step
        self._head = (self._head + 1) % self.recent

    def _retire(self, slot: int) -> None:
        keep = self._offered % self._stride == 0
        self._offered += 1
        if not keep:
            return
        if self._old_count == self.capacity:
            half = self.capacity // 2
            self._old[:half] = self._old[::2]
            self._old_steps[:half] = self._old_steps[::2]
            self._old_count = half
            self._stride *= 2
            # The point in hand keeps the new, coarser rhythm only if it falls on it.
            if (self._offered - 1) % self._stride:
                return
        self._old[self._old_count] = self._ring[slot]
        self._old_steps[self._old_count] = self._ring_steps[slot]
        self._old_count += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All stored points, oldest first: steps (m,) and points (m, n_runs, 4), copies."""
        if self._count < self.recent:
            order = np.arange(self._count)
        else:
            order = (np.arange(self.recent) + self._head) % self.recent
        steps = np.concatenate([self._old_steps[: self._old_count], self._ring_steps[order]])
        pts = np.concatenate([self._old[: self._old_count], self._ring[order]])
        return steps, pts

    def histories(self) -> tuple[History, ...]:
        """Per-run read-only views of one copy of the stored points."""
        steps, pts = self.arrays()
        steps.flags.writeable = False
        pts.flags.writeable = False
        return tuple(
            History(steps, pts[:, r, X : Y + 1], pts[:, r, LOSS], pts[:, r, GRAD_NORM])
            for r in range(self.n_runs)
        )
