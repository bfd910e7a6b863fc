"""What each shipped landscape lesson tells the class is what its race does.

Every test loads a lesson file from resources/scenarios, runs it headless for the number of
steps the lesson suggests, and checks the sentences of its text one by one, so a change to the
engine or to a lesson file cannot make the text untrue without a failing test. The quoted
claims are in the docstrings; the assertions are measured on the race itself (positions,
losses and the landscape's own Hessian), never copied from a previous run.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.runs import Race, RunConfig
from engine.scenario import builtin_scenarios

_LESSONS = {path.name[:2]: sc for path, sc in builtin_scenarios()}


@dataclasses.dataclass(frozen=True)
class _History:
    positions: np.ndarray  # (steps, n_runs, 2), after each step
    losses: np.ndarray  # (steps, n_runs)
    status: tuple[str, ...]
    event_step: tuple
    labels: tuple[str, ...]

    def run(self, label: str) -> int:
        return self.labels.index(label)


def _play(key: str, race_config=None, steps: int | None = None) -> _History:
    sc = _LESSONS[key]
    race = Race(race_config or sc.race)
    pos, loss = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps or sc.steps):
            race.step(1)
            snap = race.snapshot()
            pos.append(snap.positions.copy())
            loss.append(snap.losses.copy())
    snap = race.snapshot()
    labels = tuple(r.display_label for r in (race_config or sc.race).runs)
    return _History(np.array(pos), np.array(loss), snap.status, snap.event_step, labels)


def _text(key: str) -> str:
    return " ".join(_LESSONS[key].lesson.split())


def _dist_to(points: np.ndarray, xy) -> np.ndarray:
    return np.hypot(points[..., 0] - xy[0], points[..., 1] - xy[1])


def test_every_landscape_lesson_has_a_claims_test():
    shipped = {k for k, sc in _LESSONS.items() if sc.race is not None}
    assert shipped == {"01", "02", "03", "04", "05", "06", "07", "08", "09"}


def test_rosenbrock_valley():
    """'Every contestant drops into the valley quickly ... Plain SGD crawls, momentum builds up
    speed along the floor ... Adam combines both ideas ... the order changes after the first
    few hundred steps.'"""
    text = _text("01")
    assert "order changes" in text and "Plain SGD crawls" in text
    h = _play("01")
    x, y = h.positions[..., 0], h.positions[..., 1]
    # in the valley: the floor of Rosenbrock's function is the parabola y = x²
    assert np.all(np.abs(y[99] - x[99] ** 2) < 0.05)
    sgd, mom, adam = h.run("sgd lr=0.001"), h.run("momentum lr=0.001"), h.run("adam lr=0.05")
    # momentum and Adam reach the minimum (1, 1); plain SGD is still crawling
    assert h.losses[-1, mom] < 1e-8 and h.losses[-1, adam] < 1e-8
    assert h.losses[-1, sgd] > 1e-3
    assert _dist_to(h.positions[-1, sgd], (1, 1)) > 0.1
    # the order changes: Adam is last after ten steps and among the first two at the end
    assert np.argsort(h.losses[9])[-1] == adam
    assert adam in np.argsort(h.losses[-1])[:2]
    assert not np.array_equal(np.argsort(h.losses[9]), np.argsort(h.losses[-1]))


def _steep_coordinate(key: str, positions: np.ndarray) -> np.ndarray:
    landscape = _LESSONS[key].race.build_landscape()
    w, v = np.linalg.eigh(landscape.hessian(np.zeros((1, 2)))[0])
    assert w[1] / w[0] == pytest.approx(50.0)  # 'fifty times steeper across than along'
    return positions @ v[:, 1]


def test_momentum_narrow_bowl():
    """'plain gradient descent ... bounces from wall to wall. Momentum averages the bounces
    away and keeps the progress; Nesterov's look-ahead damps the overshoot further.'"""
    assert "fifty times steeper" in _text("02")
    h = _play("02")
    sgd, mom, nest = h.run("sgd lr=0.035"), h.run("momentum lr=0.01"), h.run("nesterov lr=0.01")
    flips = [
        int(np.sum(np.diff(np.sign(_steep_coordinate("02", h.positions[:100, i]))) != 0))
        for i in (sgd, mom, nest)
    ]
    assert flips[0] >= 95  # SGD crosses the valley floor on (almost) every step
    assert flips[1] < flips[0] / 2 and flips[2] < flips[0] / 2
    # all three converge, Nesterov first, then momentum, then SGD
    assert all(h.status[i] == "converged" for i in (sgd, mom, nest))
    assert h.event_step[nest] < h.event_step[mom] < h.event_step[sgd]


def test_saddle_escape():
    """'plain SGD slows to a near stop there before it slides off. A little gradient noise,
    momentum, or Adam's per-coordinate scaling leave much sooner. ... every run eventually
    leaves the picture.'"""
    assert "leaves the picture" in _text("03")
    h = _play("03")
    landscape = _LESSONS["03"].race.build_landscape()
    x0, x1, y0, y1 = landscape.window
    # the step at which each run is clearly off the ridge (|y| > 0.5)
    off = [int(np.argmax(np.abs(h.positions[:, i, 1]) > 0.5)) for i in range(4)]
    assert all(k > 0 for k in off)
    sgd = h.run("sgd lr=0.01")
    others = [i for i in range(4) if i != sgd]
    assert all(off[i] < off[sgd] / 1.5 for i in others)
    # SGD nearly stops near the saddle point (0, 0) before it slides off
    speed = np.hypot(*np.diff(h.positions[:, sgd], axis=0).T)
    assert speed[: off[sgd]].min() < 0.05 * speed[0]  # under 5% of its first speed
    # every run is outside the picture at the end
    end = h.positions[-1]
    outside = (end[:, 0] < x0) | (end[:, 0] > x1) | (end[:, 1] < y0) | (end[:, 1] > y1)
    assert np.all(outside | ~np.isfinite(end).all(axis=1))


def test_minibatch_noise():
    """'Full-batch gradient descent walks a smooth path to the least-squares fit. With batches
    of 8 or of 1 ... the path jitters and never quite settles ... the best fit's loss is lower
    than the true line's.'"""
    h = _play("04")
    landscape = _LESSONS["04"].race.build_landscape()
    (best,) = landscape.minima
    full, b8, b1 = h.run("full batch"), h.run("batch 8"), h.run("batch 1")
    assert h.status[full] == "converged"
    assert _dist_to(h.positions[-1, full], (best.x, best.y)) < 1e-5
    # spread of the last half of the path around the least-squares fit grows as batches shrink
    tail = h.positions[len(h.positions) // 2 :]
    spread = [np.sqrt(np.mean(_dist_to(tail[:, i], (best.x, best.y)) ** 2)) for i in (full, b8, b1)]
    assert spread[0] < 1e-5 and 10 * spread[0] < spread[1] < spread[2]
    assert h.status[b8] == "running" and h.status[b1] == "running"
    # the true line's parameters are where the data came from; the sample's fit beats them
    true_xy = np.array([[landscape.params["true_w"], landscape.params["true_b"]]])
    assert landscape.value(true_xy)[0] > best.value


def test_cliff_clipping():
    """'one unclipped step throws the run far out ... it walks back to the wall and is thrown
    out again, so its loss is a sawtooth ... the clipped run steps down the wall and reaches the
    minimum.'"""
    text = _text("05")
    assert "thrown out again" in text and "sawtooth" in text
    assert "stranded" not in text
    h = _play("05")
    free, clipped = h.run("sgd, no clipping"), h.run("sgd, clip norm 1")
    jumps = np.abs(np.diff(h.positions[:, free, 0]))
    throws = np.flatnonzero(jumps > 2.0)
    assert len(throws) >= 2  # thrown, walks back, thrown again
    # between two throws the loss falls steadily (walking back), then jumps up: a sawtooth
    between = np.diff(h.losses[throws[0] + 1 : throws[1] + 1, free])
    assert np.mean(between < 0) > 0.95
    assert h.losses[throws[1] + 1, free] > 5 * h.losses[throws[1], free]
    # the clipped run never steps further than lr * clip_norm and ends at the minimum
    (minimum,) = _LESSONS["05"].race.build_landscape().minima
    steps = np.hypot(*np.diff(h.positions[:, clipped], axis=0).T)
    assert steps.max() <= 0.1 * 1.0 + 1e-12
    assert _dist_to(h.positions[-1, clipped], (minimum.x, minimum.y)) < 0.01


def test_adaptive_beale():
    """'Adagrad and Adam ... reach the minimum ... Plain SGD ... at Adam's learning rate of 0.05
    it is thrown off within a few steps ... Adadelta ... is the last to arrive.'"""
    text = _text("06")
    assert "0.05" in text and "last to arrive" in text
    h = _play("06")
    sgd, adagrad, adadelta, adam = (
        h.run(k) for k in ("sgd lr=0.001", "adagrad lr=0.5", "adadelta lr=1", "adam lr=0.05")
    )
    rmsprop = h.run("rmsprop lr=0.01")
    assert h.losses[-1, adagrad] < 1e-8 and h.losses[-1, adam] < 1e-8
    assert h.losses[-1, rmsprop] < h.losses[-1, sgd]
    assert np.argmax(h.losses[-1]) == adadelta
    race = _LESSONS["06"].race
    fast_sgd = dataclasses.replace(race, runs=(RunConfig("sgd", {"lr": 0.05}),))
    fast = _play("06", fast_sgd, steps=10)
    assert fast.status[0] == "diverged"


def test_schedules_rastrigin():
    """'A small constant step is caught by the first ripple it meets; a large constant step
    hops over the ripples but never settles ... Cosine decay here ends in the global minimum.'"""
    assert "never settles" in _text("07")
    h = _play("07")
    small, large = h.run("constant, small"), h.run("constant, large")
    expo, cosine = h.run("exponential decay"), h.run("cosine decay")
    # caught early, in a local minimum that is not the global one
    assert h.status[small] == "converged" and h.event_step[small] < 50
    assert h.losses[-1, small] > 1.0
    # the large step is still moving a lot at the end
    last = np.hypot(*np.diff(h.positions[-100:, large], axis=0).T)
    assert h.status[large] == "running" and last.mean() > 0.05
    # a decaying rate settles; cosine at the global minimum (0, 0), better than the others
    assert h.status[expo] == "converged" and h.status[cosine] == "converged"
    assert h.losses[-1, cosine] < 1e-8
    assert h.losses[-1, expo] < h.losses[-1, small]


def test_himmelblau_many_minima():
    """'Which one a run finds depends on where it starts and how it moves.'"""
    h = _play("08")
    minima = _LESSONS["08"].race.build_landscape().minima
    assert len(minima) == 4
    found = set()
    for i in range(h.positions.shape[1]):
        d = [_dist_to(h.positions[-1, i], (m.x, m.y)) for m in minima]
        assert min(d) < 1e-3
        found.add(int(np.argmin(d)))
    assert len(found) >= 2  # same start, different optimizers, different minima


def test_saddle_runs_that_leave_the_picture_are_not_reported_diverged():
    """'every run eventually leaves the picture: that is the saddle's lesson, not a fault.'

    Played well past the lesson's steps (until every run has crossed the race's bound), no run
    whose numbers are finite may be reported as diverged: each is "left", at the step it
    crossed the bound, and its loss is below its start's (it slid downhill)."""
    assert "not a fault" in _text("03")
    sc = _LESSONS["03"]
    race = Race(sc.race)
    start_loss = race.snapshot().losses.copy()
    bound = sc.race.far_bound
    crossed = [None] * 4
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, 1500):
            race.step(1)
            snap = race.snapshot()
            for i in range(4):
                if crossed[i] is None and np.abs(snap.positions[i]).max() > bound:
                    crossed[i] = step
    snap = race.snapshot()
    for i in range(4):
        finite = np.isfinite(snap.positions[i]).all() and np.isfinite(snap.losses[i])
        assert finite
        assert snap.status[i] != "diverged"
        if crossed[i] is not None:
            assert snap.status[i] == "left" and snap.event_step[i] == crossed[i]
            assert snap.losses[i] < start_loss[i]
    assert sum(c is not None for c in crossed) >= 3  # most runs did cross within 1500 steps
