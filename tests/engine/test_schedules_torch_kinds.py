"""MultiStepLR, LinearLR, PolynomialLR, OneCycleLR and ReduceLROnPlateau worked by hand.

Expected values are the closed forms of the torch.optim.lr_scheduler documentation
evaluated on paper, so these run without torch (tests/engine/test_torch_oracle.py compares
against torch itself when it is installed).
"""

import math

import numpy as np
import pytest

from engine.optimizers import current_lr, make_optimizer, set_hyper, with_schedule
from engine.runs import Race, RaceConfig, RunConfig, ScheduleConfig
from engine.schedules import make_schedule, plateau_observe, plateau_start

BASE = 0.1


def test_multistep_drops_at_each_milestone():
    s = make_schedule("multistep", milestones=(3, 5), gamma=0.5)
    got = [s.lr(BASE, t) for t in range(7)]
    assert got == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025], rel=1e-15)


def test_linear_reaches_end_factor_and_stays():
    s = make_schedule("linear", start_factor=0.25, end_factor=1.0, total_iters=3)
    assert [s.lr(1.0, t) for t in range(5)] == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0])


def test_polynomial_hits_zero_at_total_iters():
    s = make_schedule("polynomial", total_iters=4, power=2.0)
    assert [s.lr(1.0, t) for t in range(6)] == pytest.approx([1, 0.5625, 0.25, 0.0625, 0, 0])


def test_onecycle_by_hand():
    # max 1, div 4 -> starts at 0.25; final div 10 -> ends at 0.025; pct 0.5 of 5 steps:
    # phase 1 ends at step 1.5, phase 2 at step 4
    s = make_schedule(
        "onecycle",
        max_lr=1.0,
        total_steps=5,
        pct_start=0.5,
        div_factor=4.0,
        final_div_factor=10.0,
        anneal_strategy="linear",
    )
    got = [s.lr(123.0, t) for t in range(7)]  # max_lr > 0: the base rate is ignored
    expected = [0.25, 0.25 + 0.75 / 1.5, 1.0 - 0.975 * 0.5 / 2.5, 1.0 - 0.975 * 1.5 / 2.5]
    expected += [0.025, 1.0 - 0.975 * 3.5 / 2.5, 1.0 - 0.975 * 3.5 / 2.5]  # held past the end
    assert got == pytest.approx(expected, rel=1e-14)
    cos = make_schedule("onecycle", total_steps=100, pct_start=0.3)
    assert cos.lr(0.2, 0) == pytest.approx(0.2 / 25)  # max_lr 0: the base rate is the peak
    assert cos.lr(0.2, 29) == pytest.approx(0.2)
    assert cos.lr(0.2, 99) == pytest.approx(0.2 / 25 / 1e4)
    mid = 29 + (99 - 29) / 2
    assert cos.lr(0.2, int(mid)) == pytest.approx(
        0.2 / 25e4 + (0.2 - 0.2 / 25e4) / 2 * (math.cos(math.pi * (int(mid) - 29) / 70) + 1)
    )


@pytest.mark.parametrize(
    ("kind", "params", "match"),
    [
        ("onecycle", {"total_steps": 10, "pct_start": 0.05}, "pct_start"),
        ("onecycle", {"anneal_strategy": "square"}, "anneal_strategy"),
        ("multistep", {"milestones": (2.5, 4)}, "milestones"),
        ("plateau", {"factor": 1.0}, "factor"),
        ("plateau", {"mode": "up"}, "mode"),
    ],
)
def test_bad_schedule_parameters_raise_one_line(kind, params, match):
    with pytest.raises(ValueError, match=match) as info:
        make_schedule(kind, **params)
    assert "\n" not in str(info.value)


def test_onecycle_and_plateau_refuse_a_warmup():
    for kind in ("onecycle", "plateau"):
        with pytest.raises(ValueError, match="warm-up"):
            make_schedule(kind, warmup_steps=3)


def test_plateau_counts_bad_updates_then_reduces():
    s = make_schedule("plateau", patience=2, factor=0.5, threshold=0.0)
    st = plateau_start(s, (1.0,), None)
    lrs = []
    for loss in [5.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.5, 3.5, 3.5]:
        st = plateau_observe(s, st, loss)
        lrs.append(st.lrs[0])
    # bad updates after 4.0: 1, 2, 3 (> patience 2: reduce, reset), then 3.0 is better,
    # then three bad again: reduce at the third
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]


def test_plateau_cooldown_and_min_lr():
    s = make_schedule("plateau", patience=0, factor=0.1, cooldown=2, min_lr=0.05)
    st = plateau_start(s, (1.0,), None)
    lrs = []
    for _ in range(6):
        st = plateau_observe(s, st, 1.0)  # never better after the first
        lrs.append(st.lrs[0])
    # first loss is an improvement; then bad -> reduce to 0.1, two cooldown updates,
    # then reduce to max(0.01, 0.05) = 0.05, cooldown again
    assert lrs == pytest.approx([1.0, 0.1, 0.1, 0.1, 0.05, 0.05])


def test_plateau_in_an_optimizer_needs_the_loss_and_runs_are_independent():
    opt = with_schedule(make_optimizer("sgd", lr=1.0), make_schedule("plateau", patience=0))
    p = np.zeros((2, 1))
    state = opt.init(p)
    with pytest.raises(ValueError, match="needs the loss"):
        opt.update(np.zeros((2, 1)), state, p)
    p, state = opt.update(np.zeros((2, 1)), state, p, loss=np.array([1.0, 1.0]))
    p, state = opt.update(np.zeros((2, 1)), state, p, loss=np.array([0.5, 1.0]))
    np.testing.assert_allclose(np.ravel(current_lr(state)), [1.0, 0.1])
    # a new base learning rate restarts the watch at that rate
    opt, state = set_hyper(opt, state, lr=0.3)
    np.testing.assert_allclose(np.ravel(current_lr(state)), [0.3, 0.3])


def test_race_feeds_each_run_its_loss():
    sched = ScheduleConfig("plateau", {"patience": 1, "factor": 0.5})
    # a bowl with curvature 20 along y only: lr 0.1 bounces y between +1 and -1 for ever
    # (the loss never improves), lr 0.01 shrinks it by 0.8 each update
    runs = (
        RunConfig("sgd", {"lr": 0.1}, schedule=sched),
        RunConfig("sgd", {"lr": 0.01}, schedule=sched),
    )
    config = RaceConfig(
        landscape="bowl",
        landscape_params={"condition": 20.0, "angle": 0.0},
        runs=runs,
        start=(0.0, 1.0),
    )
    race = Race(config)
    race.step(6)
    lrs = race.snapshot().lrs
    # the first run's loss is flat: two bad updates (> patience 1) halve the rate
    assert lrs[0] == pytest.approx(0.05)
    assert lrs[1] == pytest.approx(0.01)
