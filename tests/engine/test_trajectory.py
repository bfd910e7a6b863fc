"""Bounded trajectory memory: exact recent past, decimated older past, fixed size."""

import numpy as np
import pytest

from engine.trajectory import TrajectoryBuffer


def _feed(buf: TrajectoryBuffer, n_steps: int, n_runs: int = 2) -> None:
    for t in range(n_steps):
        xy = np.stack([np.full(n_runs, float(t)), -np.arange(n_runs, dtype=float)], axis=1)
        buf.append(t, xy, np.full(n_runs, 2.0 * t), np.full(n_runs, 3.0 * t))


def test_short_run_is_kept_exactly():
    buf = TrajectoryBuffer(2, recent=10, decimated=8)
    _feed(buf, 7)
    h = buf.histories()
    assert h[0].steps.tolist() == list(range(7))
    assert np.array_equal(h[1].xy[:, 0], np.arange(7.0))
    assert np.array_equal(h[1].xy[:, 1], np.full(7, -1.0))
    assert np.array_equal(h[0].loss, 2.0 * np.arange(7))
    assert np.array_equal(h[0].grad_norm, 3.0 * np.arange(7))


def test_latest_points_exact_and_history_ordered():
    buf = TrajectoryBuffer(1, recent=100, decimated=16)
    _feed(buf, 5000, n_runs=1)
    steps = buf.histories()[0].steps
    assert steps[-100:].tolist() == list(range(4900, 5000))
    assert np.all(np.diff(steps) > 0)
    # the decimated part reaches back to the very first point
    assert steps[0] == 0
    # evenly thinned: every gap in the old part is the same power of two
    gaps = np.unique(np.diff(steps[: len(steps) - 100]))
    assert len(gaps) == 1 and (gaps[0] & (gaps[0] - 1)) == 0


def test_memory_is_bounded_over_a_million_steps():
    buf = TrajectoryBuffer(3, recent=1000, decimated=2000)
    nbytes = buf.nbytes
    xy = np.zeros((3, 2))
    z = np.zeros(3)
    for t in range(1_000_000):
        buf.append(t, xy, z, z)
    assert buf.nbytes == nbytes
    assert len(buf) <= 3000
    steps = buf.histories()[0].steps
    assert steps[-1000:].tolist() == list(range(999_000, 1_000_000))
    assert steps[0] == 0


def test_histories_are_read_only_copies():
    buf = TrajectoryBuffer(1, recent=4, decimated=4)
    _feed(buf, 3, n_runs=1)
    h = buf.histories()[0]
    with pytest.raises(ValueError):
        h.xy[0, 0] = 99.0
    _feed(buf, 3, n_runs=1)
    assert h.steps.tolist() == [0, 1, 2]


def test_rejects_bad_sizes():
    with pytest.raises(ValueError):
        TrajectoryBuffer(1, recent=0)
    with pytest.raises(ValueError):
        TrajectoryBuffer(1, decimated=3)
