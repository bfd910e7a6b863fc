"""Races: lockstep equals alone, divergence isolation, live changes, closed-form checks."""

import json
from dataclasses import replace

import numpy as np
import pytest

from engine.runs import Race, RaceConfig, RunConfig, ScheduleConfig, simulate


def positions(race: Race, i: int) -> np.ndarray:
    return np.array(race.snapshot().histories[i].xy)


MIXED = (
    RunConfig("sgd", {"lr": 1e-3}),
    RunConfig("momentum", {"lr": 1e-3}),
    RunConfig("momentum", {"lr": 5e-4, "momentum": 0.8}),
    RunConfig("nesterov", {"lr": 1e-3}),
    RunConfig("adam", {"lr": 2e-2}),
    RunConfig("adam", {"lr": 1e-2, "betas": (0.8, 0.99)}),
    RunConfig("rmsprop", {"lr": 1e-2, "centered": True, "momentum": 0.5}),
    RunConfig("adagrad", {"lr": 0.5}),
    RunConfig("adadelta", {"lr": 1.0}),
    RunConfig("adamw", {"lr": 2e-2}),
    RunConfig("nadam", {"lr": 2e-2}),
    RunConfig("amsgrad", {"lr": 2e-2}),
    RunConfig("adam", {"lr": 2e-2}, schedule=ScheduleConfig("cosine", {"T_max": 200})),
    RunConfig("sgd", {"lr": 1e-3}, clip_norm=1.0),
    RunConfig("sgd", {"lr": 1e-3}, clip_value=0.5, noise_std=0.3, seed=7),
    RunConfig("sgd", {"lr": 1e-3}, noise_std=0.3, seed=8),
)


def test_lockstep_equals_each_run_alone_bit_for_bit():
    cfg = RaceConfig("rosenbrock", runs=MIXED, start=(-1.5, 2.0), tol=0.0)
    race = Race(cfg)
    race.step(300)
    for i, run in enumerate(MIXED):
        alone = Race(RaceConfig("rosenbrock", runs=(run,), start=(-1.5, 2.0), tol=0.0))
        alone.step(300)
        assert np.array_equal(positions(race, i), positions(alone, 0)), run


def test_lockstep_equals_alone_with_minibatches():
    runs = (
        RunConfig("sgd", {"lr": 0.05}, batch_size=1, seed=1),
        RunConfig("sgd", {"lr": 0.05}, batch_size=1, seed=2),
        RunConfig("momentum", {"lr": 0.05}, batch_size=8, seed=1),
        RunConfig("adam", {"lr": 0.05}, batch_size=0),
    )
    lp = {"n": 50, "noise": 0.5, "seed": 3}
    race = Race(RaceConfig("regression", lp, runs=runs, tol=0.0))
    race.step(200)
    for i, run in enumerate(runs):
        alone = Race(RaceConfig("regression", lp, runs=(run,), tol=0.0))
        alone.step(200)
        assert np.array_equal(positions(race, i), positions(alone, 0))
    # different seeds give different mini-batch paths; batch 1 is noisier than full batch
    assert not np.array_equal(positions(race, 0), positions(race, 1))


def test_full_batch_regression_is_gradient_descent_on_the_data():
    lp = {"n": 40, "noise": 0.3, "seed": 5}
    race = Race(RaceConfig("regression", lp, runs=(RunConfig("sgd", {"lr": 0.1}),), start=(0, 0)))
    x, y = np.array(race.landscape.x), np.array(race.landscape.y)
    theta = np.zeros(2)
    for _ in range(25):
        r = theta[0] * x + theta[1] - y
        theta = theta - 0.1 * np.array([2 * np.mean(r * x), 2 * np.mean(r)])
    race.step(25)
    np.testing.assert_allclose(race.snapshot().positions[0], theta, rtol=1e-12, atol=1e-14)


def _bowl_race(runs, condition=10.0, angle=30.0):
    cfg = RaceConfig(
        "bowl",
        {"condition": condition, "angle": angle},
        runs=runs,
        start=(1.5, -1.0),
        tol=0.0,
    )
    return Race(cfg)


def test_sgd_on_a_quadratic_matches_the_closed_form():
    race = _bowl_race((RunConfig("sgd", {"lr": 0.05}),))
    ls = race.landscape
    h = ls.hessian(np.zeros(2))
    m = ls.minima[0]
    center = np.array([m.x, m.y])
    x0 = np.array([1.5, -1.0])
    race.step(40)
    expected = center + np.linalg.matrix_power(np.eye(2) - 0.05 * h, 40) @ (x0 - center)
    np.testing.assert_allclose(race.snapshot().positions[0], expected, rtol=1e-10, atol=1e-12)


def test_live_learning_rate_change_takes_effect_next_step():
    race = _bowl_race((RunConfig("sgd", {"lr": 0.05}), RunConfig("adam", {"lr": 0.01})))
    h = race.landscape.hessian(np.zeros(2))
    m = race.landscape.minima[0]
    center = np.array([m.x, m.y])
    x0 = np.array([1.5, -1.0])
    other = Race(
        RaceConfig(
            race.config.landscape,
            race.config.landscape_params,
            runs=(race.config.runs[1],),
            start=(1.5, -1.0),
            tol=0.0,
        )
    )
    race.step(20)
    race.set_run(0, RunConfig("sgd", {"lr": 0.01}))
    race.step(30)
    a = np.eye(2) - 0.05 * h
    b = np.eye(2) - 0.01 * h
    expected = center + np.linalg.matrix_power(b, 30) @ np.linalg.matrix_power(a, 20) @ (
        x0 - center
    )
    np.testing.assert_allclose(race.snapshot().positions[0], expected, rtol=1e-10, atol=1e-12)
    other.step(50)
    assert np.array_equal(positions(race, 1), positions(other, 0))


def test_momentum_keeps_its_velocity_across_an_lr_change():
    race = _bowl_race((RunConfig("momentum", {"lr": 0.02}),))
    race.step(10)
    v_before = race.snapshot().velocity[0].copy()
    assert np.all(np.isfinite(v_before)) and np.any(v_before != 0)
    p_before = race.snapshot().positions[0].copy()
    g = race.snapshot().grads[0]
    race.set_run(0, RunConfig("momentum", {"lr": 0.01}))
    race.step(1)
    v = 0.9 * v_before + g  # torch: buf = momentum * buf + (1 - dampening) * g
    np.testing.assert_allclose(race.snapshot().positions[0], p_before - 0.01 * v, rtol=1e-12)


def test_switching_optimizer_keeps_position_and_others():
    runs = (RunConfig("adam", {"lr": 0.05}), RunConfig("adam", {"lr": 0.02}))
    race = _bowl_race(runs)
    race.step(15)
    p = race.snapshot().positions[0].copy()
    race.set_run(0, RunConfig("sgd", {"lr": 0.01}))
    assert np.array_equal(race.snapshot().positions[0], p)
    g = race.snapshot().grads[0].copy()
    race.step(1)
    np.testing.assert_allclose(race.snapshot().positions[0], p - 0.01 * g, rtol=1e-12)
    alone = _bowl_race((runs[1],))
    alone.step(16)
    assert np.array_equal(positions(race, 1), positions(alone, 0))


def test_a_diverging_run_is_flagged_and_frozen_while_others_go_on():
    runs = (RunConfig("sgd", {"lr": 10.0}), RunConfig("adam", {"lr": 0.02}))
    race = Race(RaceConfig("rosenbrock", runs=runs, start=(-1.5, 2.0), tol=0.0))
    race.step(200)
    snap = race.snapshot()
    assert snap.status[0] == "diverged"
    k = snap.event_step[0]
    assert isinstance(k, int) and 1 <= k < 200
    assert np.all(np.isfinite(snap.positions[0]))
    frozen = snap.positions[0].copy()
    race.step(10)
    assert np.array_equal(race.snapshot().positions[0], frozen)
    assert snap.status[1] == "running" and race.snapshot().step == 210
    alone = Race(RaceConfig("rosenbrock", runs=(runs[1],), start=(-1.5, 2.0), tol=0.0))
    alone.step(210)
    assert np.array_equal(positions(race, 1), positions(alone, 0))


def test_convergence_is_reported_at_the_first_step_below_tolerance():
    race = _bowl_race((RunConfig("sgd", {"lr": 0.05}),))
    race = Race(replace(race.config, tol=1e-6))
    race.step(5000)
    snap = race.snapshot()
    assert snap.status[0] == "converged"
    k = snap.event_step[0]
    gn = snap.histories[0].grad_norm
    steps = snap.histories[0].steps
    assert gn[steps == k][0] < 1e-6 <= gn[steps == k - 1][0]
    assert snap.step == k  # nothing left to run: the race stops there


def test_snapshot_is_immutable_and_independent():
    race = Race(RaceConfig())
    snap = race.snapshot()
    for arr in (snap.positions, snap.losses, snap.grads, snap.velocity, snap.histories[0].xy):
        with pytest.raises(ValueError):
            arr.flat[0] = 1.0
    before = snap.positions.copy()
    race.step(5)
    assert np.array_equal(snap.positions, before)
    assert snap.step == 0


def test_set_start_and_reset_return_to_step_zero():
    race = Race(RaceConfig())
    race.step(7)
    gen = race.generation
    race.set_start((0.5, -0.5))
    snap = race.snapshot()
    assert snap.step == 0 and snap.generation == gen + 1
    assert np.all(snap.positions == np.array([0.5, -0.5]))
    race.step(3)
    race.reset()
    assert race.snapshot().step == 0


def test_simulate_yields_step_zero_then_every_k():
    cfg = RaceConfig(runs=(RunConfig("adam", {"lr": 0.01}),))
    steps = [s.step for s in simulate(cfg, steps=50, every=20)]
    assert steps == [0, 20, 40, 50]


def test_inspect_point_classifies_critical_points():
    race = Race(RaceConfig())
    eig, verdict = race.inspect_point((1.0, 1.0))
    assert verdict == "minimum" and np.all(eig > 0)
    saddle = Race(RaceConfig("saddle", runs=(RunConfig("sgd", {"lr": 0.01}),)))
    eig, verdict = saddle.inspect_point((0.0, 0.0))
    assert verdict == "saddle"
    np.testing.assert_allclose(eig, [-2.0, 2.0])


def test_config_round_trips_through_json():
    cfg = RaceConfig(
        "bowl", {"condition": 20.0, "angle": 10.0}, runs=MIXED[:6], start=(1.0, 2.0), tol=1e-5
    )
    again = RaceConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg


@pytest.mark.parametrize(
    "bad, needle",
    [
        (RaceConfig("nope"), "nope"),
        (RaceConfig(runs=(RunConfig("adam", {"lr": -1.0}),)), "lr"),
        (RaceConfig(runs=(RunConfig("adam", {"bogus": 1.0}),)), "bogus"),
        (RaceConfig(runs=(RunConfig("sgd", clip_norm=-1.0),)), "clip_norm"),
        (RaceConfig(runs=()), "at least one run"),
        (RaceConfig(runs=(RunConfig("sgd", noise_std=float("nan")),)), "noise_std"),
    ],
)
def test_bad_configs_raise_a_message_naming_the_problem(bad, needle):
    with pytest.raises(ValueError, match=needle):
        Race(bad)


def test_eight_run_race_keeps_every_run_moving():
    """The benchmark's race: eight different optimizers, none declared converged, none
    diverged, and every one still moving after a thousand steps."""
    from engine.runs import eight_run_race

    config = eight_run_race()
    config.validate()
    assert config.tol == 0.0
    assert len({r.optimizer for r in config.runs}) == 8
    race = Race(config)
    race.step(1000)
    before = np.array(race.snapshot().positions)
    race.step(10)
    snap = race.snapshot()
    assert all(s == "running" for s in snap.status)
    assert np.all(np.isfinite(snap.positions))
    assert np.all(np.hypot(*(np.array(snap.positions) - before).T) > 0)


def test_a_run_sliding_off_a_bottomless_surface_left_the_view_not_diverged():
    # On x^2 - y^2, SGD's y follows y_k = y0 (1 + 2 lr)^k exactly; with far_bound 10 it
    # crosses the bound at the first k with y0 (1 + 2 lr)^k > 10, downhill all the way.
    lr, y0, bound = 0.01, 1.0, 10.0
    k = next(k for k in range(1, 1000) if y0 * (1 + 2 * lr) ** k > bound)
    runs = (RunConfig("sgd", {"lr": lr}),)
    race = Race(RaceConfig("saddle", runs=runs, start=(0.5, y0), tol=0.0, far_bound=bound))
    race.step(k + 20)
    snap = race.snapshot()
    assert snap.status[0] == "left" and snap.event_step[0] == k
    assert np.all(np.isfinite(snap.positions[0]))
    # Uphill past the bound (a step too large on a bowl) is still a divergence.
    runs = (RunConfig("sgd", {"lr": 1.0}),)  # far beyond 2 / (largest curvature)
    race = Race(RaceConfig("bowl", runs=runs, start=(1.0, 1.0), tol=0.0, far_bound=bound))
    race.step(20)
    assert race.snapshot().status[0] == "diverged"
