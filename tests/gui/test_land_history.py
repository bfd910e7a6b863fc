"""History scrub of the landscape lab: scrubbing to step k shows, on every panel, exactly the
recorded point nearest k, checked against a headless Race stepped to that step."""

from __future__ import annotations

import numpy as np

from engine.display import format_value
from engine.runs import Race, RaceConfig, RunConfig
from gui.land_lab_history import snapshot_at
from gui.panels.run_table_panel import C_LOSS
from tests.gui.helpers import wait_for_snapshot

STEPS = 3500  # past 1,000 exact + 2,000 older points: the oldest are thinned to every 2nd

CFG = RaceConfig(
    "rosenbrock",
    runs=(RunConfig("sgd", {"lr": 5e-4}), RunConfig("adam", {"lr": 0.01})),
    start=(-1.5, 1.5),
    tol=0.0,
)


def test_scrub_shows_the_recorded_step_on_every_panel_and_live_returns(make_window, qtbot):
    _w, lab = make_window(CFG)
    lab.bridge.step_once(STEPS)
    live = wait_for_snapshot(qtbot, lab, lambda s: s.step == STEPS, timeout=30000)
    steps = live.histories[0].steps
    assert np.any(np.diff(steps[:1500]) == 2)  # the scrubbed past really is thinned
    for asked in (1001, 700, 3200, 0):
        view = lab.show_step(asked)
        nearest = int(steps[np.argmin(np.abs(steps - asked))])
        assert view.step == nearest and lab.viewing_history
        race = Race(CFG)
        race.step(nearest)
        for i in range(2):
            assert np.array_equal(view.positions[i], race.params[i])
            assert np.allclose(lab.surface.head_position(i), race.params[i], rtol=0, atol=1e-12)
            assert lab.table.table.item(i, C_LOSS).text() == format_value(float(race.losses[i]))
            assert len(view.histories[i]) == int(np.searchsorted(steps, nearest)) + 1
        assert lab.history_bar.position.text() == f"step {nearest:,} of {STEPS:,}"
        assert lab.loss_cursor.isVisible() and lab.loss_cursor.value() == nearest
    # the race goes on behind the scrubbed view: new frames do not replace it
    lab.bridge.step_once(5)
    wait_for_snapshot(qtbot, lab, lambda s: s.step == STEPS + 5)
    assert lab.shown_snapshot.step == 0
    lab.go_live()
    assert not lab.viewing_history and not lab.loss_cursor.isVisible()
    assert lab.history_bar.position.text() == "live"
    assert np.allclose(lab.surface.head_position(0), lab.last_snapshot.positions[0])
    # pressing play returns to live too
    lab.show_step(10)
    lab.set_running(True)
    assert not lab.viewing_history
    lab.set_running(False)


def test_snapshot_at_marks_later_events_as_running():
    race = Race(RaceConfig("booth", runs=(RunConfig("sgd", {"lr": 0.05}),), tol=1e-3))
    race.step(2000)
    snap = race.snapshot()
    assert snap.status[0] == "converged"
    at = snap.event_step[0]
    steps = snap.histories[0].steps
    before = snapshot_at(snap, int(np.searchsorted(steps, at)) - 1)
    assert before.status[0] == "running" and before.event_step[0] is None
    on = snapshot_at(snap, int(np.searchsorted(steps, at)))
    assert on.status[0] == "converged" and on.step == at
