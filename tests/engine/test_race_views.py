"""Snapshot extras: curvature against the stability limit, schedule-free points, equation."""

from __future__ import annotations

import numpy as np
import pytest

from engine.race_views import StabilityTracker, threshold_name
from engine.runs import Race, RaceConfig, RunConfig

# f = x^2 + 10 y^2: Hessian diag(2, 20) everywhere, so lam_max = 20 exactly.
BOWL = {"landscape": "formula", "landscape_params": {"expr": "x**2 + 10*y**2"}}


def _race(*runs: RunConfig, **kw) -> Race:
    return Race(RaceConfig(runs=tuple(runs), start=(1.0, 1.0), **BOWL, **kw))


def test_gd_threshold_is_two_over_lr_and_crossing_means_oscillation():
    # lr 0.11: 2/lr = 18.18 < 20, so the y coordinate is multiplied by 1 - 0.11*20 = -1.2
    # every step (it flips sign and grows); lr 0.09: 2/lr = 22.2 > 20, stable.
    race = _race(RunConfig("sgd", {"lr": 0.11}), RunConfig("sgd", {"lr": 0.09}))
    ys = []
    for _ in range(6):
        race.step(1)
        ys.append(race.params[0, 1])
    snap = race.snapshot()
    st = snap.stability
    assert st.sharpness == pytest.approx([20.0, 20.0])
    assert st.threshold == pytest.approx([2 / 0.11, 2 / 0.09])
    assert st.kinds == ("gd", "gd")
    assert st.crossed_step == (0, None)
    assert np.all(np.diff(np.sign(ys)) != 0)  # the crossing run oscillates
    assert np.allclose(ys, (1 - 0.11 * 20) ** np.arange(1, 7))
    assert "crossed 2/lr at step 0" in st.explain(0, "run 1")
    assert "stable" in st.explain(1, "run 2")
    # eigenvectors: the top one is the y axis (up to sign), scaled values ascending
    assert st.eigenvalues[0] == pytest.approx([2.0, 20.0])
    assert abs(st.eigenvectors[0, 1, 1]) == pytest.approx(1.0)


def test_heavy_ball_threshold_and_edit_restarts_the_story():
    race = _race(RunConfig("momentum", {"lr": 0.1, "momentum": 0.9}))
    race.step(5)  # still running: the edit below must not find it converged
    st = race.snapshot().stability
    assert st.kinds == ("heavy_ball",)
    assert st.threshold[0] == pytest.approx((2 + 2 * 0.9) / 0.1)  # 38 > 20: stable
    assert st.crossed_step == (None,)
    race.set_run(0, RunConfig("momentum", {"lr": 0.25, "momentum": 0.9}))  # 15.2 < 20
    race.step(StabilityTracker().every)
    st = race.snapshot().stability
    assert race.status == ["diverged"]  # measured when it froze, before the next period
    assert st.threshold[0] == pytest.approx(3.8 / 0.25)
    assert st.crossed_step[0] is not None and st.crossed_step[0] > 5
    assert threshold_name(st.kinds[0]) == "(2+2μ)/lr"


def test_adam_uses_preconditioned_sharpness():
    race = _race(RunConfig("adam", {"lr": 0.01}))
    race.step(10)
    snap = race.snapshot()
    state = race.groups[0].state
    inner = getattr(state, "inner", state)
    v_hat = np.asarray(inner.exp_avg_sq)[0] / (1 - 0.999**10)
    p = np.sqrt(v_hat) + 1e-8
    expected = max(2.0 / p[0], 20.0 / p[1])  # P^-1 H is diagonal here
    assert snap.stability.sharpness[0] == pytest.approx(expected, rel=1e-9)
    assert snap.stability.threshold[0] == pytest.approx(3.8 / (0.1 * 0.01))


def test_schedule_free_points_and_nan_rows():
    race = _race(RunConfig("schedule_free_adamw", {"lr": 0.05}), RunConfig("sgd", {"lr": 0.01}))
    race.step(7)
    snap = race.snapshot()
    pts = snap.sf_points
    assert pts.shape == (2, 3, 2)
    assert np.isnan(pts[1]).all()
    y, x, z = pts[0]
    # the gradient is taken at y, which is the run's position
    assert y == pytest.approx(snap.positions[0])
    assert y == pytest.approx(0.9 * x + 0.1 * z)  # default beta1 = 0.9
    assert not np.allclose(x, z)


def test_equation_follows_explained_row_and_uses_its_gradient():
    race = _race(RunConfig("sgd", {"lr": 0.01}), RunConfig("adam", {"lr": 0.02}))
    race.step(3)
    race.explained_row = 1
    snap = race.snapshot()
    assert snap.explained_row == 1
    assert snap.equation.optimizer == "adam"
    assert snap.equation.term("g").value == pytest.approx(snap.grads[1])
    race.explained_row = -1
    assert race.snapshot().equation is None


def test_tracker_rejects_bad_period():
    with pytest.raises(ValueError, match="every"):
        StabilityTracker(0)
