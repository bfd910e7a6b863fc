"""The newer optimizers (RAdam ... schedule-free AdamW, Lookahead) worked by hand.

Each scalar algorithm below is written from the paper's algorithm box or the reference
implementation named in the optimizer's docstring, one coordinate at a time in Python
floats; a few cases are literal numbers worked on paper. Nothing is computed by the engine.
"""

import math

import numpy as np
import pytest

from engine.optimizers import (
    OPTIMIZERS,
    current_lr,
    inspect,
    make_optimizer,
    set_hyper,
    with_schedule,
)
from engine.schedules import make_schedule

THETA0 = (1.5, -0.8)
GRADS = ((0.6, -1.2), (-0.3, 0.9), (1.1, 0.4), (0.2, 0.05), (-0.7, 0.3), (0.5, -0.2))


def run(name, grads=GRADS, **hyper):
    opt = make_optimizer(name, **hyper)
    p = np.array([THETA0])
    state = opt.init(p)
    out = []
    for g in grads:
        p, state = opt.update(np.array([g]), state, p)
        out.append(p[0].copy())
    return np.array(out)


def by_hand(algorithm, grads=GRADS):
    cols = [algorithm(THETA0[i], [g[i] for g in grads]) for i in range(2)]
    return np.array(cols).T


def sign(x):
    return (x > 0) - (x < 0)


def radam_doc(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False):
    """torch.optim.RAdam documentation's algorithm box."""

    def algo(theta, gs):
        out, m, v = [], 0.0, 0.0
        rho_inf = 2 / (1 - b2) - 1
        for t, g in enumerate(gs, start=1):
            if decoupled:
                theta = theta * (1 - lr * wd)
            else:
                g = g + wd * theta
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1**t)
            rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
            if rho_t > 5:
                l_t = math.sqrt(1 - b2**t) / (math.sqrt(v) + eps)
                r_t = math.sqrt(
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                )
                theta = theta - lr * m_hat * l_t * r_t
            else:
                theta = theta - lr * m_hat
            out.append(theta)
        return out

    return algo


def adamax_doc(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    def algo(theta, gs):
        out, m, u = [], 0.0, 0.0
        for t, g in enumerate(gs, start=1):
            g = g + wd * theta
            m = b1 * m + (1 - b1) * g
            u = max(b2 * u, abs(g) + eps)
            theta = theta - lr / (1 - b1**t) * m / u
            out.append(theta)
        return out

    return algo


def rprop_doc(lr=0.01, etas=(0.5, 1.2), sizes=(1e-6, 50.0)):
    def algo(theta, gs):
        out, prev, eta = [], 0.0, lr
        for g in gs:
            if g * prev > 0:
                eta = min(eta * etas[1], sizes[1])
            elif g * prev < 0:
                eta = max(eta * etas[0], sizes[0])
                g = 0.0
            theta = theta - eta * sign(g)
            prev = g
            out.append(theta)
        return out

    return algo


def lion_doc(lr=1e-4, b1=0.9, b2=0.99, wd=0.0):
    def algo(theta, gs):
        out, m = [], 0.0
        for g in gs:
            theta = theta * (1 - lr * wd)
            theta = theta - lr * sign(b1 * m + (1 - b1) * g)
            m = b2 * m + (1 - b2) * g
            out.append(theta)
        return out

    return algo


def adabelief_doc(lr=1e-3, b1=0.9, b2=0.999, eps=1e-16, wd=0.0):
    def algo(theta, gs):
        out, m, s = [], 0.0, 0.0
        for t, g in enumerate(gs, start=1):
            g = g + wd * theta
            m = b1 * m + (1 - b1) * g
            s = b2 * s + (1 - b2) * (g - m) ** 2 + eps
            m_hat = m / (1 - b1**t)
            s_hat = s / (1 - b2**t)
            theta = theta - lr * m_hat / (math.sqrt(s_hat) + eps)
            out.append(theta)
        return out

    return algo


def signsgd_doc(lr=1e-3):
    def algo(theta, gs):
        out = []
        for g in gs:
            theta = theta - lr * sign(g)
            out.append(theta)
        return out

    return algo


def schedule_free_doc(lr=0.0025, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, warmup=0, r=0.0, pw=2.0):
    """Defazio et al. 2024, Algorithm 1 with the reference code's warm-up, sqrt(1 - b2^t)
    folded into the rate and weights (t^r) lr_max^pw."""

    def algo(theta, gs):
        out, z, x, v, lr_max, wsum = [], theta, theta, 0.0, -1.0, 0.0
        y = theta
        for t, g in enumerate(gs, start=1):
            gamma = lr * (t / warmup if t <= warmup else 1.0) * math.sqrt(1 - b2**t)
            lr_max = max(gamma, lr_max)
            w = t**r * lr_max**pw
            wsum += w
            c = w / wsum
            z = z - gamma * wd * y
            v = b2 * v + (1 - b2) * g * g
            z = z - gamma * g / (math.sqrt(v) + eps)
            x = (1 - c) * x + c * z
            y = (1 - b1) * z + b1 * x
            out.append(y)
        return out

    return algo


def lookahead_sgd_doc(lr, k, alpha):
    """Zhang et al. 2019, Algorithm 1 with plain SGD inside."""

    def algo(theta, gs):
        out, slow, fast = [], theta, theta
        for t, g in enumerate(gs, start=1):
            fast = fast - lr * g
            if t % k == 0:
                slow = slow + alpha * (fast - slow)
                fast = slow
            out.append(fast)
        return out

    return algo


MODERN_CASES = [
    ("radam", {}, radam_doc()),
    ("radam", {"lr": 0.1, "betas": (0.8, 0.5)}, radam_doc(0.1, 0.8, 0.5)),
    (
        "radam",
        {"lr": 0.1, "betas": (0.8, 0.6), "weight_decay": 0.1},
        radam_doc(0.1, 0.8, 0.6, wd=0.1),
    ),
    (
        "radam",
        {"lr": 0.1, "betas": (0.8, 0.6), "weight_decay": 0.1, "decoupled_weight_decay": True},
        radam_doc(0.1, 0.8, 0.6, wd=0.1, decoupled=True),
    ),
    ("adamax", {}, adamax_doc()),
    (
        "adamax",
        {"lr": 0.1, "betas": (0.8, 0.5), "weight_decay": 0.2, "eps": 1e-3},
        adamax_doc(0.1, 0.8, 0.5, 1e-3, 0.2),
    ),
    ("rprop", {}, rprop_doc()),
    (
        "rprop",
        {"lr": 0.1, "etas": (0.3, 2.0), "step_sizes": (0.05, 0.3)},
        rprop_doc(0.1, (0.3, 2.0), (0.05, 0.3)),
    ),
    ("lion", {}, lion_doc()),
    (
        "lion",
        {"lr": 0.1, "betas": (0.5, 0.8), "weight_decay": 0.3},
        lion_doc(0.1, 0.5, 0.8, 0.3),
    ),
    ("adabelief", {}, adabelief_doc()),
    (
        "adabelief",
        {"lr": 0.1, "betas": (0.8, 0.5), "weight_decay": 0.1, "eps": 1e-3},
        adabelief_doc(0.1, 0.8, 0.5, 1e-3, 0.1),
    ),
    ("signsgd", {"lr": 0.1}, signsgd_doc(0.1)),
    ("schedule_free_adamw", {}, schedule_free_doc()),
    (
        "schedule_free_adamw",
        {
            "lr": 0.1,
            "betas": (0.8, 0.5),
            "weight_decay": 0.1,
            "warmup_steps": 3,
            "r": 1.0,
            "weight_lr_power": 1.0,
        },
        schedule_free_doc(0.1, 0.8, 0.5, wd=0.1, warmup=3, r=1.0, pw=1.0),
    ),
    (
        "lookahead",
        {"inner": "sgd", "lr": 0.1, "k": 2, "alpha": 0.5},
        lookahead_sgd_doc(0.1, 2, 0.5),
    ),
    (
        "lookahead",
        {"inner": "sgd", "lr": 0.2, "k": 3, "alpha": 0.25},
        lookahead_sgd_doc(0.2, 3, 0.25),
    ),
]


@pytest.mark.parametrize(
    ("name", "hyper", "algorithm"),
    MODERN_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(MODERN_CASES)],
)
def test_six_updates_match_the_published_rule(name, hyper, algorithm):
    np.testing.assert_allclose(run(name, **hyper), by_hand(algorithm), rtol=1e-12, atol=1e-15)


def test_literal_numbers_signsgd_lion_rprop():
    # signSGD: 1.5 - 0.1 sign(0.6) = 1.4, then +0.1 = 1.5, then 1.4
    np.testing.assert_allclose(run("signsgd", lr=0.1)[:3, 0], [1.4, 1.5, 1.4], rtol=1e-15)
    # Lion, lr 0.1, no decay: sign(0.1*0.6) -> 1.4; m = 0.006;
    # sign(0.9*0.006 - 0.1*0.3 = -0.0246) -> 1.5
    np.testing.assert_allclose(run("lion", lr=0.1)[:2, 0], [1.4, 1.5], rtol=1e-15)
    # Rprop lr 0.1: step 1 moves 0.1 -> 1.4; sign flips: step size 0.05, no move -> 1.4;
    # then prev = 0, so factor 1: 1.4 - 0.05 = 1.35
    np.testing.assert_allclose(run("rprop", lr=0.1)[:3, 0], [1.4, 1.4, 1.35], rtol=1e-15)


def test_radam_first_steps_are_momentum_sgd_with_default_betas():
    # with beta2 = 0.999 rho_t <= 5 for t <= 5: p_t = p_{t-1} - lr m_hat
    got = run("radam", grads=GRADS[:3], lr=0.5)
    m, p = 0.0, THETA0[0]
    for t, g in enumerate(GRADS[:3], start=1):
        m = 0.9 * m + 0.1 * g[0]
        p -= 0.5 * m / (1 - 0.9**t)
    assert got[-1, 0] == pytest.approx(p, rel=1e-13)


def test_schedule_free_inspect_exposes_y_x_z():
    opt = make_optimizer("schedule_free_adamw", lr=0.1)
    p = np.array([[1.0, -2.0]])
    s = opt.init(p)
    for g in GRADS[:4]:
        p, s = opt.update(np.array([g]), s, p)
    info = inspect(s)
    np.testing.assert_allclose(info["y"], p, rtol=1e-15)
    # y lies on the segment from z to x, at beta1 = 0.9 of the way to x
    np.testing.assert_allclose(info["y"], 0.9 * info["x"] + 0.1 * info["z"], rtol=1e-14)
    assert not np.allclose(info["x"], info["z"])


def test_lookahead_passes_inner_hyper_and_edits_live():
    opt = make_optimizer("lookahead", inner="momentum", lr=0.1, momentum=0.5, k=2)
    assert opt.hyper["momentum"] == 0.5 and opt.hyper["inner"] == "momentum"
    p = np.array([[1.0, 1.0]])
    s = opt.init(p)
    p, s = opt.update(np.array([[1.0, 1.0]]), s, p)
    opt, s = set_hyper(opt, s, lr=0.2, momentum=0.0, alpha=1.0)
    p, s = opt.update(np.array([[1.0, 1.0]]), s, p)
    # fast: 1 - 0.1 = 0.9, then with momentum 0 (buffer set): 0.9 - 0.2 = 0.7; alpha 1: slow = fast
    np.testing.assert_allclose(p, [[0.7, 0.7]], rtol=1e-15)
    assert current_lr(s) == 0.2
    with pytest.raises(ValueError, match="inner optimizer cannot change"):
        set_hyper(opt, s, inner="adam")


def test_lookahead_schedule_reaches_the_inner_rate():
    opt = with_schedule(
        make_optimizer("lookahead", inner="sgd", lr=1.0, k=100),
        make_schedule("step", step_size=1, gamma=0.5),
    )
    p = np.zeros((1, 1))
    s = opt.init(p)
    for _ in range(3):
        p, s = opt.update(np.ones((1, 1)), s, p)
    assert p[0, 0] == pytest.approx(-(1 + 0.5 + 0.25))


@pytest.mark.parametrize(
    ("name", "hyper", "match"),
    [
        ("rprop", {"etas": (1.2, 0.5)}, "etas"),
        ("rprop", {"etas": (0.5, 1.0)}, "etas"),
        ("rprop", {"step_sizes": (1.0, 0.1)}, "step_sizes"),
        ("lion", {"betas": (0.9, 1.0)}, "betas"),
        ("lookahead", {"inner": "nope"}, "inner"),
        ("lookahead", {"inner": "sgd", "betas": (0.9, 0.9)}, "betas"),
        ("lookahead", {"k": 0}, "k"),
        ("schedule_free_adamw", {"warmup_steps": -1}, "warmup_steps"),
        ("signsgd", {"lr": 0.0}, "lr"),
        ("radam", {"decoupled_weight_decay": "maybe"}, "decoupled_weight_decay"),
    ],
)
def test_bad_hyperparameters_raise_one_line(name, hyper, match):
    with pytest.raises(ValueError, match=match) as info:
        make_optimizer(name, **hyper)
    assert "\n" not in str(info.value)


def test_rprop_lr_is_only_the_initial_step():
    opt = make_optimizer("rprop", lr=0.1)
    p = np.zeros((1, 1))
    s = opt.init(p)
    opt, s = set_hyper(opt, s, lr=0.3)  # before the first update: the initial step changes
    p, s = opt.update(np.ones((1, 1)), s, p)
    assert p[0, 0] == pytest.approx(-0.3)
    opt, s = set_hyper(opt, s, lr=5.0)  # afterwards, as in torch: no effect on the steps
    p, s = opt.update(np.ones((1, 1)), s, p)
    assert p[0, 0] == pytest.approx(-0.3 - 0.36)


def test_every_new_name_is_registered_with_a_paper():
    for name in ("radam", "adamax", "rprop", "lion", "adabelief", "signsgd", "lookahead"):
        assert OPTIMIZERS[name].paper
    assert "schedule_free_adamw" in OPTIMIZERS


def test_list_shows_every_new_name():
    from engine.cli import describe_all

    text = describe_all()
    names = ["radam", "adamax", "rprop", "lion", "adabelief", "signsgd", "lookahead"]
    names += ["schedule_free_adamw", "multistep", "linear", "polynomial", "onecycle", "plateau"]
    for name in [*names, "muon"]:
        assert f"  {name} " in text or f"{name}," in text, name
