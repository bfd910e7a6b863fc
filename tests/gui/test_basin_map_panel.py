"""Basin map panel: computed on the worker, same outcomes as the engine's basin_map run
directly, and a clicked pixel starts the race there."""

from __future__ import annotations

import threading

import numpy as np

from engine.maps import basin_map
from engine.runs import RaceConfig, RunConfig


def test_basin_map_on_the_worker_matches_the_engine_and_a_click_sets_the_start(make_window, qtbot):
    run = RunConfig("adam", {"lr": 0.05})
    _window, lab = make_window(RaceConfig("himmelblau", runs=(run,)))
    threads = set()
    from gui.panels import map_window

    real_step = map_window.MapJob.step

    def spy(job, n=1):
        threads.add(threading.get_ident())
        return real_step(job, n)

    map_window.MapJob.step = spy
    try:
        panel = lab.show_basin_map(compute=False)
        panel.grid.setValue(12)
        panel.steps.setValue(200)
        assert panel.compute()
        qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.done, timeout=20000)
    finally:
        map_window.MapJob.step = real_step
    # Every step ran on the worker, never on the GUI thread.
    assert threads and threading.get_ident() not in threads
    snap = panel.snapshot
    *_, direct = basin_map(lab.landscape, run, grid=12, steps=200, every=10)
    assert np.array_equal(snap.outcome, direct.outcome)
    assert np.array_equal(snap.steps_to, direct.steps_to)
    assert np.array_equal(snap.positions, direct.positions)
    # Himmelblau's four minima are all reached from somewhere; the legend names each.
    assert set(np.unique(snap.outcome)) >= {0, 1, 2, 3}
    for k, m in enumerate(lab.landscape.minima):
        assert f"#{k + 1} ({m.x:.4g}, {m.y:.4g})" in panel.legend.text()
    assert "diverged" in panel.legend.text()
    # The picture is the map: pixel colours follow outcomes.
    assert panel.image.image.shape == (12, 12, 3)
    # A clicked pixel (column 3, row 7) starts the race from its start point.
    x, y = panel.start_at_pixel(3, 7)
    assert (x, y) == tuple(snap.starts[7, 3])
    assert lab.config.start == (x, y)
    lab.undo()
    assert lab.config.start is None


def test_an_oversized_map_is_refused_in_one_line(make_window, qtbot):
    _window, lab = make_window()
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    panel = lab.show_basin_map(compute=False)
    panel.grid.setValue(200)
    panel.steps.setValue(100_000)
    assert not panel.compute()
    assert panel.bridge is None
    level, text = messages[-1]
    assert level == "error" and "basin map" in text and "\n" not in text
