"""Optimizers against PyTorch's documented algorithms, worked by hand in scalar arithmetic.

Every expected value below is computed from the pseudo-code boxes of the ``torch.optim``
documentation written out as plain Python float arithmetic on one coordinate at a time, or
written out as literal numbers; nothing is compared against the engine's own output.
"""

import math

import numpy as np
import pytest

from engine.optimizers import (
    OPTIMIZERS,
    Optimizer,
    TransformState,
    current_lr,
    inspect,
    make_optimizer,
    set_hyper,
    with_clipping,
    with_gradient_noise,
    with_schedule,
)
from engine.params import ParamSpec
from engine.schedules import make_schedule

# a fixed start and a fixed gradient sequence g1, g2, g3 (two coordinates each)
THETA0 = (1.5, -0.8)
GRADS = ((0.6, -1.2), (-0.3, 0.9), (1.1, 0.4))


def run3(name, **hyper):
    """Three updates from THETA0 with GRADS; returns the three parameter vectors, (3, 2)."""
    opt = make_optimizer(name, **hyper)
    p = np.array([THETA0])
    state = opt.init(p)
    out = []
    for g in GRADS:
        p, state = opt.update(np.array([g]), state, p)
        out.append(p[0].copy())
    return np.array(out)


def by_hand(algorithm):
    """Apply a scalar hand-worked algorithm to each coordinate; returns (3, 2)."""
    cols = [algorithm(THETA0[i], [g[i] for g in GRADS]) for i in range(2)]
    return np.array(cols).T


# ---------------------------------------------------------------- PyTorch pseudo-code, scalar


def sgd_doc(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    def algo(theta, gs):
        out, b = [], None
        for t, g in enumerate(gs, start=1):
            if weight_decay != 0:
                g = g + weight_decay * theta
            if momentum != 0:
                b = g if t == 1 else momentum * b + (1 - dampening) * g
                g = g + momentum * b if nesterov else b
            theta = theta - lr * g
            out.append(theta)
        return out

    return algo


def adagrad_doc(lr=0.01, lr_decay=0.0, weight_decay=0.0, init_acc=0.0, eps=1e-10):
    def algo(theta, gs):
        out, state_sum = [], init_acc
        for t, g in enumerate(gs, start=1):
            lr_t = lr / (1 + (t - 1) * lr_decay)
            if weight_decay != 0:
                g = g + weight_decay * theta
            state_sum = state_sum + g * g
            theta = theta - lr_t * g / (math.sqrt(state_sum) + eps)
            out.append(theta)
        return out

    return algo


def rmsprop_doc(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    def algo(theta, gs):
        out, v, g_ave, b = [], 0.0, 0.0, 0.0
        for g in gs:
            if weight_decay != 0:
                g = g + weight_decay * theta
            v = alpha * v + (1 - alpha) * g * g
            v_tilde = v
            if centered:
                g_ave = g_ave * alpha + (1 - alpha) * g
                v_tilde = v_tilde - g_ave * g_ave
            if momentum > 0:
                b = momentum * b + g / (math.sqrt(v_tilde) + eps)
                theta = theta - lr * b
            else:
                theta = theta - lr * g / (math.sqrt(v_tilde) + eps)
            out.append(theta)
        return out

    return algo


def adadelta_doc(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    def algo(theta, gs):
        out, v, u = [], 0.0, 0.0
        for g in gs:
            if weight_decay != 0:
                g = g + weight_decay * theta
            v = v * rho + g * g * (1 - rho)
            dx = math.sqrt(u + eps) / math.sqrt(v + eps) * g
            u = u * rho + dx * dx * (1 - rho)
            theta = theta - lr * dx
            out.append(theta)
        return out

    return algo


def adam_doc(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
    def algo(theta, gs):
        out, m, v, v_max = [], 0.0, 0.0, 0.0
        for t, g in enumerate(gs, start=1):
            if decoupled:
                theta = theta - lr * weight_decay * theta
            elif weight_decay != 0:
                g = g + weight_decay * theta
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1**t)
            if amsgrad:
                v_max = max(v_max, v)
                v_hat = v_max / (1 - b2**t)
            else:
                v_hat = v / (1 - b2**t)
            theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
            out.append(theta)
        return out

    return algo


def nadam_doc(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0, psi=4e-3):
    def algo(theta, gs):
        out, m, v, prod = [], 0.0, 0.0, 1.0
        for t, g in enumerate(gs, start=1):
            if weight_decay != 0:
                g = g + weight_decay * theta
            mu_t = b1 * (1 - 0.5 * 0.96 ** (t * psi))
            mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            prod_t = prod * mu_t  # prod_{i=1}^{t} mu_i
            m_hat = mu_next * m / (1 - prod_t * mu_next) + (1 - mu_t) * g / (1 - prod_t)
            v_hat = v / (1 - b2**t)
            theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
            prod = prod_t
            out.append(theta)
        return out

    return algo


def adam_sgd_doc(lr, sgd_lr, momentum, switch, b1=0.9, b2=0.999, eps=1e-8):
    def algo(theta, gs):
        out, m, v, b = [], 0.0, 0.0, None
        for t, g in enumerate(gs, start=1):
            if t <= switch:
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                theta = theta - lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
            else:
                b = g if b is None else momentum * b + g
                theta = theta - sgd_lr * b
            out.append(theta)
        return out

    return algo


HAND_CASES = [
    ("sgd", {"lr": 0.1}, sgd_doc(0.1)),
    ("sgd", {"lr": 0.1, "weight_decay": 0.2}, sgd_doc(0.1, weight_decay=0.2)),
    (
        "sgd",
        {"lr": 0.1, "momentum": 0.7, "dampening": 0.4, "weight_decay": 0.05},
        sgd_doc(0.1, 0.7, 0.4, 0.05),
    ),
    ("momentum", {"lr": 0.1}, sgd_doc(0.1, 0.9)),
    ("momentum", {"lr": 0.1, "dampening": 0.5}, sgd_doc(0.1, 0.9, dampening=0.5)),
    ("nesterov", {"lr": 0.1}, sgd_doc(0.1, 0.9, nesterov=True)),
    (
        "nesterov",
        {"lr": 0.1, "momentum": 0.8, "weight_decay": 0.1},
        sgd_doc(0.1, 0.8, weight_decay=0.1, nesterov=True),
    ),
    ("adagrad", {}, adagrad_doc()),
    (
        "adagrad",
        {
            "lr": 0.2,
            "lr_decay": 0.1,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.3,
            "eps": 1e-3,
        },
        adagrad_doc(0.2, 0.1, 0.1, 0.3, 1e-3),
    ),
    ("rmsprop", {}, rmsprop_doc()),
    ("rmsprop", {"momentum": 0.9}, rmsprop_doc(momentum=0.9)),
    ("rmsprop", {"centered": True, "alpha": 0.8}, rmsprop_doc(alpha=0.8, centered=True)),
    (
        "rmsprop",
        {
            "lr": 0.05,
            "alpha": 0.8,
            "eps": 1e-3,
            "weight_decay": 0.1,
            "momentum": 0.9,
            "centered": True,
        },
        rmsprop_doc(0.05, 0.8, 1e-3, 0.1, 0.9, True),
    ),
    ("adadelta", {}, adadelta_doc()),
    (
        "adadelta",
        {"lr": 0.5, "rho": 0.8, "eps": 1e-3, "weight_decay": 0.1},
        adadelta_doc(0.5, 0.8, 1e-3, 0.1),
    ),
    ("adam", {}, adam_doc()),
    (
        "adam",
        {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1},
        adam_doc(0.1, 0.8, 0.9, 1e-3, 0.1),
    ),
    (
        "adam",
        {"lr": 0.1, "betas": (0.9, 0.5), "amsgrad": True},
        adam_doc(0.1, 0.9, 0.5, amsgrad=True),
    ),
    ("adamw", {}, adam_doc(weight_decay=0.01, decoupled=True)),
    (
        "adamw",
        {"lr": 0.1, "weight_decay": 0.3, "betas": (0.9, 0.5), "amsgrad": True},
        adam_doc(0.1, 0.9, 0.5, weight_decay=0.3, amsgrad=True, decoupled=True),
    ),
    ("nadam", {}, nadam_doc()),
    (
        "nadam",
        {"lr": 0.1, "betas": (0.8, 0.95), "weight_decay": 0.1, "momentum_decay": 0.1},
        nadam_doc(0.1, 0.8, 0.95, weight_decay=0.1, psi=0.1),
    ),
    ("amsgrad", {"lr": 0.1, "betas": (0.9, 0.5)}, adam_doc(0.1, 0.9, 0.5, amsgrad=True)),
    (
        "amsgrad",
        {"lr": 0.1, "betas": (0.8, 0.5), "weight_decay": 0.2, "eps": 1e-3},
        adam_doc(0.1, 0.8, 0.5, 1e-3, 0.2, amsgrad=True),
    ),
    (
        "adam_sgd",
        {"lr": 0.1, "sgd_lr": 0.05, "momentum": 0.8, "switch_step": 1},
        adam_sgd_doc(0.1, 0.05, 0.8, 1),
    ),
    (
        "adam_sgd",
        {"lr": 0.1, "sgd_lr": 0.05, "momentum": 0.8, "switch_step": 0},
        adam_sgd_doc(0.1, 0.05, 0.8, 0),
    ),
    (
        "adam_sgd",
        {"lr": 0.1, "switch_step": 3, "betas": (0.8, 0.9)},
        adam_sgd_doc(0.1, 0.01, 0.9, 3, 0.8, 0.9),
    ),
]


@pytest.mark.parametrize(
    ("name", "hyper", "algorithm"),
    HAND_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(HAND_CASES)],
)
def test_first_three_updates_match_pytorch_pseudocode(name, hyper, algorithm):
    expected = by_hand(algorithm)
    got = run3(name, **hyper)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_every_optimizer_has_a_hand_worked_case():
    from tests.engine.test_optim_modern import MODERN_CASES

    assert {c[0] for c in HAND_CASES + MODERN_CASES} == set(OPTIMIZERS)


def test_sgd_momentum_literal_numbers():
    # b1 = g1 = 0.6: 1.5 - 0.1*0.6 = 1.44; b2 = 0.9*0.6 - 0.3 = 0.24: 1.416;
    # b3 = 0.9*0.24 + 1.1 = 1.316: 1.2844
    got = run3("momentum", lr=0.1)[:, 0]
    np.testing.assert_allclose(got, [1.44, 1.416, 1.2844], rtol=1e-14)


def test_nesterov_literal_numbers():
    # step 1: b = 0.6, g + 0.9 b = 1.14 -> 1.5 - 0.114 = 1.386
    # step 2: b = 0.24, g + 0.9 b = -0.084 -> 1.3944
    got = run3("nesterov", lr=0.1)[:2, 0]
    np.testing.assert_allclose(got, [1.386, 1.3944], rtol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    # m_hat = g, v_hat = g^2, so the first step is lr * g / (|g| + eps)
    got = run3("adam", lr=0.1)[0]
    expected = np.array(THETA0) - 0.1 * np.array([0.6 / (0.6 + 1e-8), -1.2 / (1.2 + 1e-8)])
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_amsgrad_case_exercises_the_max():
    # with beta2 = 0.5 the second moment of coordinate 0 drops at step 2 (0.18 -> 0.135)
    assert not np.allclose(
        run3("adam", lr=0.1, betas=(0.9, 0.5)), run3("amsgrad", lr=0.1, betas=(0.9, 0.5))
    )


# ---------------------------------------------------------------- convergence

BOWL_H = np.array([1.0, 10.0])  # f(x) = 0.5 * (x0^2 + 10 x1^2), minimum 0 at the origin
BOWL_LR = {
    "sgd": {"lr": 0.15},
    "momentum": {"lr": 0.05},
    "nesterov": {"lr": 0.05},
    "adagrad": {"lr": 0.5},
    "rmsprop": {"lr": 0.01},
    "adadelta": {"lr": 0.2, "eps": 1e-4},
    "adam": {"lr": 0.05},
    "adamw": {"lr": 0.05},
    "nadam": {"lr": 0.05},
    "amsgrad": {"lr": 0.05},
    "adam_sgd": {"lr": 0.05, "sgd_lr": 0.05, "switch_step": 100},
    "radam": {"lr": 0.05},
    "adamax": {"lr": 0.05},
    "adabelief": {"lr": 0.05},
    "rprop": {"step_sizes": (1e-9, 50.0)},
    "schedule_free_adamw": {"lr": 0.1},
    "lookahead": {"lr": 0.05, "inner": "adam"},
}
# sign methods move every coordinate by lr each step: they end up rattling within lr of the
# minimum, so they have their own test below
SIGN_METHODS = ("signsgd", "lion")


@pytest.mark.parametrize("name", [n for n in OPTIMIZERS if n not in SIGN_METHODS])
def test_converges_on_quadratic_bowl(name):
    opt = make_optimizer(name, **BOWL_LR[name])
    p = np.array([[1.5, -0.8], [-2.0, 0.3]])
    state = opt.init(p)
    for _ in range(1000):
        p, state = opt.update(BOWL_H * p, state, p)
    assert np.max(np.abs(p)) < 1e-6  # stated tolerance: every coordinate within 1e-6


@pytest.mark.parametrize("name", SIGN_METHODS)
def test_sign_methods_settle_within_lr_of_the_minimum(name):
    lr = 0.013
    opt = make_optimizer(name, lr=lr)
    p = np.array([[1.5, -0.8], [-2.0, 0.3]])
    state = opt.init(p)
    for _ in range(1000):
        p, state = opt.update(BOWL_H * p, state, p)
    assert np.max(np.abs(p)) <= lr * (1 + 1e-9)


# ---------------------------------------------------------------- batching

BATCH_HYPER = {
    "sgd": {"lr": [0.1, 0.05, 0.2], "momentum": [0.0, 0.9, 0.5], "weight_decay": [0.0, 0.1, 0.0]},
    "momentum": {"lr": [0.1, 0.05, 0.2], "dampening": [0.0, 0.3, 0.1]},
    "nesterov": {"lr": [0.1, 0.05, 0.2], "momentum": [0.9, 0.5, 0.99]},
    "adagrad": {
        "lr": [0.1, 0.05, 0.2],
        "lr_decay": [0.0, 0.1, 0.01],
        "initial_accumulator_value": [0.0, 0.1, 1.0],
        "eps": [1e-10, 1e-3, 1e-6],
    },
    "rmsprop": {"lr": [0.01, 0.05, 0.02], "alpha": [0.99, 0.9, 0.5], "momentum": [0.0, 0.9, 0.5]},
    "adadelta": {"lr": [1.0, 0.5, 0.2], "rho": [0.9, 0.5, 0.99], "weight_decay": [0, 0.1, 0.01]},
    "adam": {"lr": [1e-3, 0.05, 0.1], "betas": ([0.9, 0.8, 0.0], [0.999, 0.9, 0.5])},
    "adamw": {"lr": [1e-3, 0.05, 0.1], "weight_decay": [0.0, 0.01, 0.3]},
    "nadam": {
        "lr": [2e-3, 0.05, 0.1],
        "betas": ([0.9, 0.8, 0.5], [0.999, 0.99, 0.9]),
        "momentum_decay": [4e-3, 0.1, 0.0],
    },
    "amsgrad": {"lr": [1e-3, 0.05, 0.1], "eps": [1e-8, 1e-3, 0.0]},
    "adam_sgd": {"lr": [1e-3, 0.05, 0.1], "sgd_lr": [0.01, 0.1, 0.05], "momentum": [0.9, 0.0, 0.5]},
    "radam": {
        "lr": [1e-3, 0.05, 0.1],
        "betas": ([0.9, 0.8, 0.0], [0.999, 0.6, 0.5]),
        "weight_decay": [0.0, 0.1, 0.01],
    },
    "adamax": {"lr": [2e-3, 0.05, 0.1], "betas": ([0.9, 0.8, 0.0], [0.999, 0.9, 0.5])},
    "rprop": {"lr": [0.01, 0.05, 0.1], "etas": ([0.5, 0.4, 0.3], [1.2, 1.5, 2.0])},
    "lion": {"lr": [1e-4, 0.05, 0.1], "betas": ([0.9, 0.5, 0.0], [0.99, 0.9, 0.5])},
    "adabelief": {"lr": [1e-3, 0.05, 0.1], "eps": [1e-16, 1e-8, 1e-3]},
    "signsgd": {"lr": [1e-3, 0.05, 0.1]},
    "schedule_free_adamw": {
        "lr": [2.5e-3, 0.05, 0.1],
        "r": [0.0, 1.0, 0.5],
        "weight_lr_power": [2.0, 0.0, 1.0],
        "weight_decay": [0.0, 0.1, 0.01],
    },
    "lookahead": {"lr": [1e-3, 0.05, 0.1], "alpha": [0.5, 0.8, 0.2]},
}


def _column(v):
    return np.array(v, dtype=np.float64).reshape(-1, 1)


def _batched(hyper):
    return {
        k: tuple(_column(x) for x in v) if isinstance(v, tuple) else _column(v)
        for k, v in hyper.items()
    }


def _row(hyper, r):
    return {k: tuple(x[r] for x in v) if isinstance(v, tuple) else v[r] for k, v in hyper.items()}


def _grad_field(p):
    """A non-trivial deterministic gradient (of a rotated, skewed bowl plus a sine ripple)."""
    return np.stack([3 * p[:, 0] + p[:, 1] + np.sin(p[:, 1]), p[:, 0] + 0.5 * p[:, 1] ** 3], axis=1)


def _trajectory(opt, p, steps=25, state=None):
    state = opt.init(p) if state is None else state
    for _ in range(steps):
        p, state = opt.update(_grad_field(p), state, p)
    return p, state


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_batched_rows_equal_unbatched_runs_bit_for_bit(name):
    hyper = BATCH_HYPER[name]
    fixed = {"switch_step": 10} if name == "adam_sgd" else {}
    p0 = np.array([[1.0, -0.5], [0.3, 0.8], [-1.2, 0.1]])
    batched, _ = _trajectory(make_optimizer(name, **_batched(hyper), **fixed), p0)
    for r in range(3):
        alone, _ = _trajectory(make_optimizer(name, **_row(hyper, r), **fixed), p0[r : r + 1])
        assert np.array_equal(batched[r : r + 1], alone), (name, r)
    assert len({tuple(row) for row in batched}) == 3  # rows really differ


def test_batched_composed_rows_equal_unbatched_bit_for_bit():
    sched = make_schedule("cosine", T_max=20, eta_min=1e-3, warmup_steps=5)
    lrs, stds, clips = [0.05, 0.1, 0.02], [0.0, 0.5, 0.1], [0.5, 1.0, 2.0]
    seeds = [11, 22, 33]
    p0 = np.array([[1.0, -0.5], [0.3, 0.8], [-1.2, 0.1]])

    def build(lr, std, clip, seed_list):
        opt = make_optimizer("adam", lr=lr)
        opt = with_schedule(opt, sched)
        opt = with_clipping(opt, clip_value=1.5, clip_norm=clip)
        return with_gradient_noise(opt, std, seed_list)

    batched, _ = _trajectory(build(_column(lrs), _column(stds), _column(clips), seeds), p0)
    for r in range(3):
        alone, _ = _trajectory(build(lrs[r], stds[r], clips[r], [seeds[r]]), p0[r : r + 1])
        assert np.array_equal(batched[r : r + 1], alone)


# ---------------------------------------------------------------- live hyperparameters


def test_set_hyper_keeps_velocity_and_new_lr_applies_next_update():
    opt = make_optimizer("momentum", lr=0.1)
    p = np.array([[1.5]])
    state = opt.init(p)
    for g in (0.6, -0.3):
        p, state = opt.update(np.array([[g]]), state, p)
    velocity = np.array(inspect(state)["velocity"])
    np.testing.assert_allclose(velocity, [[0.24]], rtol=1e-14)  # 0.9*0.6 - 0.3
    opt2, state2 = set_hyper(opt, state, lr=0.5)
    assert np.array_equal(inspect(state2)["velocity"], velocity)
    assert opt2.hyper["lr"] == 0.5 and current_lr(state2) == 0.5
    p2, _ = opt2.update(np.array([[1.1]]), state2, p)
    # b3 = 0.9*0.24 + 1.1 = 1.316 with the new lr: 1.416 - 0.5*1.316
    np.testing.assert_allclose(p2, [[1.416 - 0.5 * 1.316]], rtol=1e-14)


def test_set_hyper_adam_keeps_moments_and_scales_step():
    opt = make_optimizer("adam", lr=0.01)
    p = np.array([[1.0, -2.0]])
    p, state = _trajectory(opt, p, steps=5)
    before = {k: np.array(v) for k, v in inspect(state).items()}
    step_old = opt.update(_grad_field(p), state, p)[0] - p
    opt2, state2 = set_hyper(opt, state, lr=0.03)
    assert np.array_equal(inspect(state2)["first_moment"], before["first_moment"])
    assert np.array_equal(inspect(state2)["second_moment"], before["second_moment"])
    step_new = opt2.update(_grad_field(p), state2, p)[0] - p
    np.testing.assert_allclose(step_new, 3 * step_old, rtol=1e-12)


def test_set_hyper_under_schedule_sets_base_lr():
    sched = make_schedule("step", step_size=2, gamma=0.5)
    opt = with_schedule(make_optimizer("sgd", lr=0.4), sched)
    p = np.array([[1.0]])
    state = opt.init(p)
    for _ in range(3):
        p, state = opt.update(np.array([[1.0]]), state, p)
    # lrs used: 0.4, 0.4, 0.2 -> p = 1 - 1.0
    np.testing.assert_allclose(p, [[0.0]], atol=1e-15)
    assert current_lr(state) == pytest.approx(0.2, rel=1e-15)  # t = 3 -> 0.4 * 0.5
    opt, state = set_hyper(opt, state, lr=1.0)
    assert current_lr(state) == pytest.approx(0.5, rel=1e-15)
    p, state = opt.update(np.array([[1.0]]), state, p)
    np.testing.assert_allclose(p, [[-0.5]], rtol=1e-15)
    assert opt.hyper["lr"] == 1.0


def test_set_hyper_can_add_and_remove_clipping_and_schedule():
    opt = make_optimizer("sgd", lr=1.0)
    p = np.array([[0.0, 0.0]])
    state = opt.init(p)
    opt, state = set_hyper(opt, state, clip_norm=1.0)
    assert isinstance(state, TransformState)
    p, state = opt.update(np.array([[3.0, 4.0]]), state, p)
    np.testing.assert_allclose(p, [[-3 / (5 + 1e-6), -4 / (5 + 1e-6)]], rtol=1e-15)
    opt, state = set_hyper(opt, state, schedule=make_schedule("exponential", gamma=0.5))
    assert current_lr(state) == 0.5  # t = 1
    opt, state = set_hyper(opt, state, schedule=None, clip_norm=None)
    assert not isinstance(state, TransformState)
    assert current_lr(state) == 1.0


def test_set_hyper_batched_lr_and_validation():
    opt = make_optimizer("sgd", lr=0.1)
    p = np.zeros((3, 2))
    state = opt.init(p)
    opt, state = set_hyper(opt, state, lr=_column([0.1, 0.2, 0.3]))
    new_p, _ = opt.update(np.ones((3, 2)), state, p)
    np.testing.assert_allclose(new_p, -np.array([[0.1] * 2, [0.2] * 2, [0.3] * 2]), rtol=1e-15)
    with pytest.raises(ValueError, match="lr"):
        set_hyper(opt, state, lr=-1.0)
    with pytest.raises(ValueError, match="lr"):
        set_hyper(opt, state, lr=_column([0.1, 0.2]))  # 2 rows for 3 runs
    with pytest.raises(ValueError, match="nesterov"):
        set_hyper(opt, state, nesterov=True)  # momentum is 0
    with pytest.raises(ValueError, match="noise_std"):
        set_hyper(opt, state, noise_std=0.1)


def test_adagrad_initial_accumulator_can_be_set_before_the_first_step():
    opt = make_optimizer("adagrad", lr=0.1)
    p = np.array([[1.0]])
    state = opt.init(p)
    opt, state = set_hyper(opt, state, initial_accumulator_value=3.0)
    p, state = opt.update(np.array([[1.0]]), state, p)
    np.testing.assert_allclose(p, [[1.0 - 0.1 / (2.0 + 1e-10)]], rtol=1e-15)


# ---------------------------------------------------------------- inspect / current_lr

EXPECTED_KEYS = {
    "sgd": {"effective_lr"},
    "momentum": {"velocity", "effective_lr"},
    "nesterov": {"velocity", "effective_lr"},
    "adagrad": {"second_moment", "effective_lr"},
    "rmsprop": {"second_moment", "effective_lr"},
    "adadelta": {"second_moment", "effective_lr"},
    "adam": {"first_moment", "second_moment", "effective_lr"},
    "adamw": {"first_moment", "second_moment", "effective_lr"},
    "nadam": {"first_moment", "second_moment", "effective_lr"},
    "amsgrad": {"first_moment", "second_moment", "effective_lr"},
    "adam_sgd": {"velocity", "first_moment", "second_moment", "effective_lr"},
    "radam": {"first_moment", "second_moment", "effective_lr"},
    "adamax": {"first_moment", "second_moment", "effective_lr"},
    "rprop": {"effective_lr"},
    "lion": {"velocity", "effective_lr"},
    "adabelief": {"first_moment", "second_moment", "effective_lr"},
    "signsgd": {"effective_lr"},
    "lookahead": {"first_moment", "second_moment", "effective_lr", "slow"},
    "schedule_free_adamw": {"second_moment", "effective_lr", "y", "x", "z"},
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_inspect_keys_and_shapes(name):
    opt = make_optimizer(name)
    p = np.ones((4, 2))
    p, state = _trajectory(opt, p, steps=2)
    info = inspect(state)
    assert set(info) == EXPECTED_KEYS[name]
    for v in info.values():
        assert v.shape == (4, 2) and v.dtype == np.float64
        assert not v.flags.writeable


def test_inspect_rmsprop_centered_momentum_has_all_three():
    state = make_optimizer("rmsprop", centered=True, momentum=0.5).init(np.zeros(3))
    assert set(inspect(state)) == {"velocity", "first_moment", "second_moment", "effective_lr"}


def test_inspect_adam_values_by_hand():
    opt = make_optimizer("adam", lr=0.1, betas=(0.8, 0.9), eps=1e-3)
    p = np.array([[THETA0[0]]])
    state = opt.init(p)
    for g in GRADS:
        p, state = opt.update(np.array([[g[0]]]), state, p)
    m = v = 0.0
    for g in (0.6, -0.3, 1.1):
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
    info = inspect(state)
    np.testing.assert_allclose(info["first_moment"], [[m]], rtol=1e-14)
    np.testing.assert_allclose(info["second_moment"], [[v]], rtol=1e-14)
    v_hat = v / (1 - 0.9**3)
    np.testing.assert_allclose(
        info["effective_lr"], [[0.1 / (math.sqrt(v_hat) + 1e-3)]], rtol=1e-13
    )


def test_inspect_adagrad_and_adadelta_by_hand():
    gs = (0.6, -0.3, 1.1)
    state = make_optimizer("adagrad", lr=0.2, initial_accumulator_value=0.5).init(np.zeros(1))
    p = np.zeros(1)
    opt = make_optimizer("adagrad", lr=0.2, initial_accumulator_value=0.5)
    for g in gs:
        p, state = opt.update(np.array([g]), state, p)
    total = 0.5 + 0.36 + 0.09 + 1.21
    np.testing.assert_allclose(inspect(state)["second_moment"], [total], rtol=1e-15)
    np.testing.assert_allclose(
        inspect(state)["effective_lr"], [0.2 / (math.sqrt(total) + 1e-10)], rtol=1e-15
    )

    opt = make_optimizer("adadelta", lr=0.5, rho=0.8, eps=1e-3)
    p = np.zeros(1)
    state = opt.init(p)
    v = u = 0.0
    for g in gs:
        p, state = opt.update(np.array([g]), state, p)
        v = 0.8 * v + 0.2 * g * g
        scale = math.sqrt(u + 1e-3) / math.sqrt(v + 1e-3)
        u = 0.8 * u + 0.2 * (scale * g) ** 2
    np.testing.assert_allclose(inspect(state)["second_moment"], [v], rtol=1e-14)
    np.testing.assert_allclose(inspect(state)["effective_lr"], [0.5 * scale], rtol=1e-14)


def test_effective_lr_of_sgd_is_lr_and_zero_before_any_update():
    opt = make_optimizer("sgd", lr=_column([0.1, 0.2]))
    state = opt.init(np.zeros((2, 3)))
    assert np.array_equal(inspect(state)["effective_lr"], np.zeros((2, 3)))
    _, state = opt.update(np.ones((2, 3)), state, np.zeros((2, 3)))
    assert np.array_equal(inspect(state)["effective_lr"], [[0.1] * 3, [0.2] * 3])


def test_current_lr_adagrad_decay_and_adam_sgd_switch():
    opt = make_optimizer("adagrad", lr=0.3, lr_decay=0.5)
    p, state = _trajectory(opt, np.ones((1, 2)), steps=2)
    assert current_lr(state) == pytest.approx(0.3 / (1 + 2 * 0.5), rel=1e-15)

    opt = make_optimizer("adam_sgd", lr=0.02, sgd_lr=0.3, switch_step=2)
    state = opt.init(np.ones(2))
    p = np.ones(2)
    lrs = []
    for _ in range(4):
        lrs.append(current_lr(state))
        p, state = opt.update(p, state, p)
    assert lrs == [0.02, 0.02, 0.3, 0.3]


def test_current_lr_with_schedule_and_batched_base():
    sched = make_schedule("cosine", T_max=10, eta_min=0.0)
    opt = with_schedule(make_optimizer("sgd", lr=_column([0.1, 0.4])), sched)
    state = opt.init(np.zeros((2, 2)))
    p = np.zeros((2, 2))
    for _ in range(5):
        p, state = opt.update(np.ones((2, 2)), state, p)
    np.testing.assert_allclose(current_lr(state), [[0.05], [0.2]], rtol=1e-15)  # T_max / 2


# ---------------------------------------------------------------- clipping and noise


def _one_sgd_step(opt, grads):
    p = np.zeros_like(grads)
    new_p, _ = opt.update(grads, opt.init(p), p)
    return -new_p  # with lr = 1, the transformed gradient


def test_clip_norm_is_per_run():
    opt = with_clipping(make_optimizer("sgd", lr=1.0), clip_norm=1.0)
    g = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    got = _one_sgd_step(opt, g)
    expected = np.array([[3 / (5 + 1e-6), 4 / (5 + 1e-6)], [0.3, 0.4], [0.0, 0.0]])
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    # rows of (n, P): the norm runs over the whole row
    g = np.array([[1.0, 2.0, 2.0, 4.0], [0.1, 0.1, 0.1, 0.1]])
    got = _one_sgd_step(opt, g)
    np.testing.assert_allclose(got[0], g[0] / (5 + 1e-6), rtol=1e-15)
    np.testing.assert_allclose(got[1], g[1], rtol=1e-15)


def test_batched_clip_settings_without_schedule():
    opt = with_clipping(make_optimizer("sgd", lr=1.0), clip_value=_column([0.5, 2.0]))
    got = _one_sgd_step(opt, np.array([[3.0, -1.0], [3.0, -1.0]]))
    np.testing.assert_array_equal(got, [[0.5, -0.5], [2.0, -1.0]])
    opt = with_clipping(make_optimizer("sgd", lr=1.0), clip_norm=_column([1.0, 10.0]))
    got = _one_sgd_step(opt, np.array([[3.0, 4.0], [3.0, 4.0]]))
    np.testing.assert_allclose(got, [[3 / (5 + 1e-6), 4 / (5 + 1e-6)], [3.0, 4.0]], rtol=1e-15)


def test_clip_norm_1d_is_one_run():
    opt = with_clipping(make_optimizer("sgd", lr=1.0), clip_norm=2.0)
    g = np.array([6.0, 8.0, 0.0])
    np.testing.assert_allclose(_one_sgd_step(opt, g), g * 2 / (10 + 1e-6), rtol=1e-15)


def test_clip_value_then_norm():
    opt = with_clipping(make_optimizer("sgd", lr=1.0), clip_value=0.5)
    g = np.array([[3.0, -4.0], [0.3, -0.1]])
    np.testing.assert_array_equal(_one_sgd_step(opt, g), [[0.5, -0.5], [0.3, -0.1]])
    opt = with_clipping(make_optimizer("sgd", lr=1.0), clip_value=3.0, clip_norm=1.0)
    # value clipping first: (3, -3) with norm 3*sqrt(2)
    norm = 3 * math.sqrt(2)
    np.testing.assert_allclose(
        _one_sgd_step(opt, np.array([[5.0, -4.0]])),
        [[3 / (norm + 1e-6), -3 / (norm + 1e-6)]],
        rtol=1e-15,
    )


def test_gradient_noise_formula_and_properties():
    seeds = [5, 6, 7]
    opt = with_gradient_noise(make_optimizer("sgd", lr=1.0), 0.3, seeds)
    p = np.zeros((3, 2))
    state = opt.init(p)
    p1, state1 = opt.update(np.zeros((3, 2)), state, p)
    # update t = 0 of run r uses default_rng([seeds[r], 0])
    expected = np.stack([0.3 * np.random.default_rng([s, 0]).standard_normal(2) for s in seeds])
    np.testing.assert_array_equal(-p1, expected)
    # pure: the same call again gives the same result
    assert np.array_equal(opt.update(np.zeros((3, 2)), state, p)[0], p1)
    # next update uses t = 1
    p2, _ = opt.update(np.zeros((3, 2)), state1, p1)
    expected2 = np.stack([0.3 * np.random.default_rng([s, 1]).standard_normal(2) for s in seeds])
    np.testing.assert_allclose(p1 - p2, expected2, rtol=1e-15)
    # different seeds give different noise
    other = with_gradient_noise(make_optimizer("sgd", lr=1.0), 0.3, [8, 9, 10])
    assert not np.any(other.update(np.zeros((3, 2)), other.init(p), p)[0] == p1)
    # lockstep row == the same run alone
    alone = with_gradient_noise(make_optimizer("sgd", lr=1.0), 0.3, [6])
    q = np.zeros((1, 2))
    assert np.array_equal(alone.update(np.zeros((1, 2)), alone.init(q), q)[0], p1[1:2])


def test_noise_before_clipping():
    opt = with_gradient_noise(make_optimizer("sgd", lr=1.0), 100.0, [3])
    opt = with_clipping(opt, clip_value=1e-3)
    step = _one_sgd_step(opt, np.zeros((1, 2)))
    z = 100.0 * np.random.default_rng([3, 0]).standard_normal(2)
    np.testing.assert_array_equal(step, np.clip(z, -1e-3, 1e-3)[None])


def test_composition_order_does_not_depend_on_call_order():
    base = make_optimizer("sgd", lr=1.0)
    a = with_clipping(with_gradient_noise(base, 5.0, [1]), clip_norm=0.1)
    b = with_gradient_noise(with_clipping(base, clip_norm=0.1), 5.0, [1])
    g = np.array([[0.2, 0.3]])
    assert np.array_equal(_one_sgd_step(a, g), _one_sgd_step(b, g))
    assert np.linalg.norm(_one_sgd_step(a, g)) <= 0.1


def test_composed_state_supports_inspect_current_lr_set_hyper():
    opt = with_clipping(make_optimizer("momentum", lr=0.1), clip_norm=10.0)
    _, state = _trajectory(opt, np.ones((2, 2)), steps=3)
    assert set(inspect(state)) == {"velocity", "effective_lr"}
    assert current_lr(state) == 0.1
    v = np.array(inspect(state)["velocity"])
    opt, state = set_hyper(opt, state, lr=0.2, clip_norm=0.5)
    assert np.array_equal(inspect(state)["velocity"], v) and current_lr(state) == 0.2
    assert state.clip_norm == 0.5


# ---------------------------------------------------------------- purity, registry, errors


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_update_does_not_modify_its_arguments(name):
    opt = make_optimizer(name)
    p, state = _trajectory(opt, np.ones((2, 2)), steps=3)
    g = _grad_field(p)
    copies = [np.array(x) for x in (p, g)]
    buffers = [np.array(x) for x in state if isinstance(x, np.ndarray)]
    opt.update(g, state, p)
    assert np.array_equal(p, copies[0]) and np.array_equal(g, copies[1])
    assert all(
        np.array_equal(a, b)
        for a, b in zip(buffers, [x for x in state if isinstance(x, np.ndarray)], strict=True)
    )


def test_registry_order_and_specs():
    assert list(OPTIMIZERS) == [
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adadelta",
        "adam",
        "adamw",
        "nadam",
        "amsgrad",
        "adam_sgd",
        "radam",
        "adamax",
        "rprop",
        "lion",
        "adabelief",
        "signsgd",
        "lookahead",
        "schedule_free_adamw",
    ]
    for name, spec in OPTIMIZERS.items():
        assert spec.name == name and spec.title and spec.description and spec.paper
        params = {p.name: p for p in spec.params}
        assert all(isinstance(p, ParamSpec) for p in spec.params)
        assert params["lr"].log and params["lr"].min == 0 and params["lr"].min_exclusive
        if "betas" in params:
            assert params["betas"].kind == "pair"
    assert "Keskar" in OPTIMIZERS["adam_sgd"].paper


# defaults from the torch.optim documentation
TORCH_DEFAULTS = {
    "sgd": {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False},
    "adagrad": {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    },
    "rmsprop": {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    },
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    "adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "adamw": {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 1e-2,
        "amsgrad": False,
    },
    "nadam": {
        "lr": 2e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum_decay": 4e-3,
    },
}


@pytest.mark.parametrize("name", list(TORCH_DEFAULTS))
def test_defaults_are_pytorchs(name):
    assert make_optimizer(name).hyper == TORCH_DEFAULTS[name]


def test_make_optimizer_basics():
    opt = make_optimizer("  AdamW ")
    assert isinstance(opt, Optimizer) and opt.name == "adamw"
    assert make_optimizer("momentum").hyper["momentum"] == 0.9
    assert make_optimizer("nesterov").hyper["momentum"] == 0.9
    assert make_optimizer("adam", betas="0.8/0.99", lr="0.5").hyper["betas"] == (0.8, 0.99)
    rebuilt = make_optimizer(opt.name, **opt.hyper)
    assert rebuilt.hyper == opt.hyper


@pytest.mark.parametrize(
    ("name", "hyper", "needle"),
    [
        ("sgd", {"lr": 0.0}, "lr"),
        ("sgd", {"lr": -0.1}, "lr"),
        ("sgd", {"lr": float("nan")}, "lr"),
        ("sgd", {"lr": _column([0.1, -0.1])}, "lr"),
        ("sgd", {"momentum": -0.5}, "momentum"),
        ("sgd", {"nesterov": True}, "nesterov"),
        ("momentum", {"nesterov": True, "dampening": 0.1}, "nesterov"),
        ("nesterov", {"momentum": 0.0}, "nesterov"),
        ("nesterov", {"momentum": _column([0.9, 0.0])}, "nesterov"),
        ("adam", {"betas": (1.0, 0.999)}, r"betas\[0\]"),
        ("adam", {"betas": (0.9, -0.1)}, r"betas\[1\]"),
        ("adam", {"betas": (0.9, _column([0.9, 1.0]))}, r"betas\[1\]"),
        ("adam", {"betas": 0.9}, "betas"),
        ("adam", {"eps": -1e-8}, "eps"),
        ("adamw", {"weight_decay": -0.1}, "weight_decay"),
        ("rmsprop", {"alpha": -0.1}, "alpha"),
        ("adadelta", {"rho": 1.5}, "rho"),
        ("adagrad", {"lr_decay": -1.0}, "lr_decay"),
        ("adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        ("nadam", {"momentum_decay": -1.0}, "momentum_decay"),
        ("adam_sgd", {"switch_step": -1}, "switch_step"),
        ("adam_sgd", {"switch_step": [1, 2]}, "switch_step"),
        ("adam_sgd", {"sgd_lr": 0.0}, "sgd_lr"),
        ("adam", {"centered": True}, "centered"),
        ("adam", {"amsgrad": "maybe"}, "amsgrad"),
    ],
)
def test_invalid_hyperparameters_raise_naming_the_parameter(name, hyper, needle):
    with pytest.raises(ValueError, match=needle):
        make_optimizer(name, **hyper)


def test_unknown_optimizer_lists_known_ones():
    with pytest.raises(ValueError, match=r"adafactor.*sgd.*adam_sgd"):
        make_optimizer("adafactor")


def test_shape_and_transform_errors():
    opt = make_optimizer("sgd", lr=_column([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match="lr"):
        opt.init(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="clip_norm"):
        with_clipping(opt, clip_norm=0.0)
    with pytest.raises(ValueError, match="clip_value"):
        with_clipping(opt, clip_value=-1.0)
    with pytest.raises(ValueError, match="std"):
        with_gradient_noise(opt, -0.1, [1, 2, 3])
    with pytest.raises(ValueError, match="seeds"):
        with_gradient_noise(opt, 0.1, [])
    with pytest.raises(ValueError, match="seeds"):
        with_gradient_noise(opt, 0.1, [1, 2]).init(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="schedule"):
        with_schedule(opt, "cosine")
    with pytest.raises(ValueError, match="shape"):
        opt.update(np.zeros((3, 1)), opt.init(np.zeros((3, 2))), np.zeros((3, 2)))
