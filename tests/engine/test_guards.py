"""Resource guards: estimates checked against measured allocations; refusals before allocating."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from engine import limits
from engine.datasets import TaskConfig
from engine.guards import (
    ResourceError,
    check_comparison,
    check_map,
    check_race,
    comparison_shapes,
    estimate_comparison,
    format_bytes,
)
from engine.nn.mlp import MLPConfig
from engine.nn.training import Comparison, TrainConfig
from engine.runs import Race, RaceConfig, RunConfig


def _columns(hidden, batch=64, bn="off", n_cols=1, optimizer="adam"):
    return [
        TrainConfig(
            label=f"c{i}",
            mlp=MLPConfig(hidden=hidden, batchnorm=bn),
            optimizer=optimizer,
            batch_size=batch,
        )
        for i in range(n_cols)
    ]


def _measured_peak(task, columns) -> int:
    """Peak bytes traced while building, stepping and snapshotting (numpy reports its
    buffers to tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        comp = Comparison(task, columns)
        comp.snapshot()
        comp.step(2)
        comp.snapshot()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("task", "columns"),
    [
        (TaskConfig(n=600), _columns((64,) * 4)),
        (TaskConfig(n=400), _columns((128, 128), bn="after")),
        (TaskConfig(n=3000), _columns((64,) * 3, batch=1500)),
        (TaskConfig(n=600), _columns((32,) * 6, n_cols=3, optimizer="sgd")),
        (TaskConfig(name="sine", n=600), _columns((64,) * 4)),
        (TaskConfig(name="blobs", n=600, params={"k": 5}), _columns((256,))),
    ],
    ids=["4x64", "2x128-bn", "batch1500", "3-columns", "regression", "5-classes"],
)
def test_memory_estimate_bounds_the_measured_peak(task, columns):
    est = check_comparison(task, columns)
    peak = _measured_peak(task, columns)
    # never below what numpy really allocates, and not so far above that it would refuse
    # networks that fit comfortably
    assert peak <= est.bytes <= 4 * peak, (format_bytes(peak), format_bytes(est.bytes))


@pytest.mark.parametrize(
    ("n", "batch", "hidden"),
    [(600, 64, (4096,) * 64), (600, 64, (4096,) * 8), (100_000, 100_000, (1024,) * 4)],
    ids=["64x4096", "8x4096", "n100000-batch100000-4x1024"],
)
def test_issue_sizes_are_refused_before_allocating(n, batch, hidden):
    task = TaskConfig(n=n)
    columns = _columns(hidden, batch=batch)
    tracemalloc.start()
    try:
        with pytest.raises(ResourceError) as info:
            check_comparison(task, columns)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # shapes only: nothing the size of the network was made
    msg = str(info.value)
    assert "\n" not in msg and "GB of memory (budget 1.61 GB)" in msg
    assert f"{len(hidden)} hidden layers of {hidden[0]}" in msg


def test_shipped_lesson_sizes_fit_comfortably():
    # the largest shipped comparison: four columns of 10x32 on 400 points
    est = check_comparison(TaskConfig(n=400), _columns((32,) * 10, n_cols=4))
    assert est.bytes < limits.MEMORY_BUDGET_BYTES / 10
    assert est.step_seconds < 0.1 and est.snapshot_seconds < 1.0


def test_time_estimate_counts_multiply_adds():
    # widths 2 -> 3 -> 2: 12 weights; a step is forward (2 flops per weight and example)
    # plus backward (4): 6 * batch * weights
    est = estimate_comparison(100, 2, 2, [((3,), 10, False)], val_fraction=0.0, grid=False)
    expected = 6 * 10 * 12 / limits.ASSUMED_FLOPS + 2 * limits.LAYER_STEP_SECONDS
    assert est.step_seconds == pytest.approx(expected)
    # twice the batch, twice the arithmetic
    est2 = estimate_comparison(100, 2, 2, [((3,), 20, False)], val_fraction=0.0, grid=False)
    assert est2.step_seconds - 2 * limits.LAYER_STEP_SECONDS == pytest.approx(
        2 * (est.step_seconds - 2 * limits.LAYER_STEP_SECONDS)
    )


def test_slow_networks_are_refused_with_the_time_in_the_message():
    task = TaskConfig(n=600)
    with pytest.raises(
        ResourceError, match=r"too slow: about [\d.]+ s per snapshot \(budget 5 s\)"
    ):
        check_comparison(task, _columns((512,) * 30))


def test_comparison_shapes_read_the_task():
    n, f, o, cols, grid = comparison_shapes(
        TaskConfig(name="blobs", n=300, params={"k": 4}), _columns((8, 8), bn="before")
    )
    assert (n, f, o, grid) == (300, 2, 4, True) and cols == [((8, 8), 64, True)]
    assert comparison_shapes(TaskConfig(name="sine"), _columns((8,)))[2:5:2] == (1, False)


def test_race_guard_caps_runs_and_accepts_lessons():
    ok = RaceConfig(runs=tuple(RunConfig("adam") for _ in range(limits.MAX_RUNS)))
    est = check_race(ok)
    race = Race(ok)  # the estimate covers the trajectory buffers the race really holds
    assert race.history.nbytes <= est.bytes
    too_many = RaceConfig(runs=tuple(RunConfig("sgd") for _ in range(limits.MAX_RUNS + 1)))
    with pytest.raises(ResourceError, match=r"^race: 17 runs; at most 16$"):
        check_race(too_many)


def test_map_guard():
    est = check_map(512 * 512, arrays=4)
    assert est.bytes == 8 * 512 * 512 * 4
    with pytest.raises(ResourceError, match=r"1,050,625 points; at most 1,048,576"):
        check_map(1025 * 1025)
    with pytest.raises(ResourceError, match="too big"):
        check_map(1024 * 1024, arrays=400)
    with pytest.raises(ResourceError, match="whole number"):
        check_map(-5)


def test_format_bytes():
    assert format_bytes(1.6e9) == "1.6 GB"
    assert format_bytes(12_345_678) == "12.3 MB"
    assert format_bytes(999) == "999 bytes"
